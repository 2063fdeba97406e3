//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>), this
//! package's opt-in extension: Label Studio signs nothing. With
//! `options.signing`, every delivery gains three headers after Label Studio's
//! own, and its body does not change by a byte:
//! - `webhook-id`: the delivery's id, the same for the same event, target and
//!   batch (so a retry or a redelivery can be told apart from a new event);
//! - `webhook-timestamp`: seconds since the Unix epoch;
//! - `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of
//!   `{id}.{timestamp}.{body}` under the secret's key.
//!
//! [`verify`] is the receiver's side of the same rule.

#[cfg(feature = "receiver")]
use crate::error::{Error, ErrorCode};
// RustCrypto's base64ct: the secret decoded in constant time, and a quarter of
// the `base64` crate's size in the browser's build.
use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};
use std::fmt;

pub const ID: &str = "webhook-id";
pub const TIMESTAMP: &str = "webhook-timestamp";
pub const SIGNATURE: &str = "webhook-signature";
/// The three headers signing adds; a webhook's own header may not use these names.
pub const HEADERS: [&str; 3] = [ID, TIMESTAMP, SIGNATURE];

/// The Standard Webhooks libraries' default tolerance, in seconds.
pub const DEFAULT_TOLERANCE: i64 = 5 * 60;

/// A signing key: the bytes of a secret. Neither `Debug` nor any error shows
/// them, so a plan or a log line can never leak a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A Standard Webhooks secret: `whsec_` and the key in base64 (the prefix
    /// is optional, as in the reference libraries). `Err` says what is wrong
    /// without repeating the secret.
    pub fn parse(secret: &str) -> Result<Key, &'static str> {
        let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
        match Base64::decode_vec(b64) {
            Ok(bytes) if !bytes.is_empty() => Ok(Key(bytes)),
            Ok(_) => Err("is empty: a Standard Webhooks secret is whsec_ followed by its key in base64"),
            Err(_) => Err("is not a Standard Webhooks secret (whsec_ followed by its key in base64)"),
        }
    }

    /// The HMAC-SHA256 of `{id}.{timestamp}.{body}`: the host's or the
    /// module's, as `host::hmac_sha256` chooses.
    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
        crate::host::hmac_sha256(&self.0, [format!("{id}.{timestamp}.").as_bytes(), body])
    }

    /// The `webhook-signature` value: `v1,` and the base64 HMAC-SHA256 of
    /// `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", Base64::encode_string(&self.mac(id, timestamp, body)))
    }

    /// Whether `signature` (base64, without `v1,`) signs this message, in
    /// constant time (`CtOutput`'s comparison, RustCrypto's `subtle`; only the
    /// length, 32 bytes, which is no secret, is compared first).
    #[cfg(feature = "receiver")]
    fn signs(&self, signature: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
        use hmac::digest::CtOutput;
        type Mac = hmac::Hmac<Sha256>;
        let Some(sig) = Base64::decode_vec(signature).ok().and_then(|sig| <[u8; 32]>::try_from(sig).ok()) else {
            return false;
        };
        CtOutput::<Mac>::new(self.mac(id, timestamp, body).into()) == CtOutput::<Mac>::new(sig.into())
    }
}

/// `options.signing.id`: what a host may name an event by. It becomes part of
/// a header value, so it is kept to a plain token.
pub fn check_event_id(id: &str) -> Result<(), &'static str> {
    let ok = (1..=200).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b));
    ok.then_some(()).ok_or("must be 1 to 200 characters of A-Z, a-z, 0-9, _ . : and -")
}

/// A body's digest for derived delivery ids: hashed once per batch, however
/// many targets get it.
pub type BodyDigest = [u8; 32];

/// HMAC-SHA256 under a fixed, public key (a keyed SHA-256, as good a digest as
/// SHA-256 here), so that it goes through `host::hmac_sha256`: in the Node
/// package node:crypto's, five times the module's speed on a large body.
pub fn body_digest(body: &[u8]) -> BodyDigest {
    crate::host::hmac_sha256(b"ls-webhooks body digest", [b"", body])
}

/// The `webhook-id` of one delivery: from the host's event id when it gave
/// one, else from what is sent (the action, the target, the batch and the
/// body's digest), so rebuilding the same event gives the same id.
pub fn delivery_id(event_id: Option<&str>, action: &str, webhook_id: i64, batch: usize, body: impl FnOnce() -> BodyDigest) -> String {
    if let Some(id) = event_id {
        return format!("{id}_{webhook_id}_{batch}");
    }
    let mut hash = Sha256::new();
    for part in [action.as_bytes(), webhook_id.to_string().as_bytes(), batch.to_string().as_bytes()] {
        hash.update(part);
        hash.update([0]);
    }
    hash.update(body());
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// The receiver's check of a delivery: the three headers present, the
/// timestamp within `tolerance` seconds of `now` (either way), and one of the
/// `v1` signatures in `webhook-signature` (space-separated, so a sender can
/// sign with an old and a new key while rotating) made by one of `keys`.
/// `header` looks a header up by its lowercase name.
#[cfg(feature = "receiver")]
pub fn verify(header: impl Fn(&str) -> Option<String>, body: &[u8], keys: &[Key], tolerance: i64, now: i64) -> Result<(), Error> {
    let get = |name: &str| {
        header(name).filter(|v| !v.is_empty()).ok_or_else(|| Error::new(ErrorCode::MissingHeader, name, format!("no {name} header: the delivery is not signed")))
    };
    let (id, timestamp, signatures) = (get(ID)?, get(TIMESTAMP)?, get(SIGNATURE)?);
    let timestamp: i64 = timestamp
        .parse()
        .ok()
        .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Error::new(ErrorCode::InvalidHeader, TIMESTAMP, "webhook-timestamp is not a whole number of seconds"))?;
    let age = now.saturating_sub(timestamp);
    if age > tolerance || -age > tolerance {
        let (what, by) = if age > 0 { ("old", age) } else { ("new", -age) };
        return Err(Error::new(
            ErrorCode::TimestampOutOfTolerance,
            TIMESTAMP,
            format!("the delivery is {by} s too {what} for a tolerance of {tolerance} s (a replay, or a clock that is off)"),
        ));
    }
    let signed = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| keys.iter().any(|key| key.signs(sig, &id, timestamp, body)));
    if !signed {
        return Err(Error::new(ErrorCode::SignatureMismatch, SIGNATURE, "no v1 signature matches: another secret, or a changed body, id or timestamp"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The Standard Webhooks specification's own example.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID_: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[cfg(feature = "receiver")]
    fn headers(id: &str, ts: &str, sig: &str) -> impl Fn(&str) -> Option<String> {
        let (id, ts, sig) = (id.to_owned(), ts.to_owned(), sig.to_owned());
        move |name: &str| match name {
            ID => Some(id.clone()),
            TIMESTAMP => Some(ts.clone()),
            SIGNATURE => Some(sig.clone()),
            _ => None,
        }
    }

    #[test]
    fn signs_the_specifications_example() {
        assert_eq!(Key::parse(SECRET).unwrap().sign(ID_, TS, BODY), SIG);
        // The prefix is optional, as in the reference libraries.
        assert_eq!(Key::parse(&SECRET[6..]).unwrap().sign(ID_, TS, BODY), SIG);
    }

    #[test]
    #[cfg(feature = "receiver")]
    fn verifies_what_it_signs_and_nothing_else() {
        let key = Key::parse(SECRET).unwrap();
        let ts = TS.to_string();
        assert_eq!(verify(headers(ID_, &ts, SIG), BODY, std::slice::from_ref(&key), 300, TS + 300), Ok(()));
        // Rotation: one of several signatures, one of several keys.
        let other = Key::parse("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let both = format!("v1,bm9wZQ== {SIG}");
        assert_eq!(verify(headers(ID_, &ts, &both), BODY, &[other.clone(), key.clone()], 300, TS), Ok(()));
        let code = |r: Result<(), Error>| r.unwrap_err().code;
        assert_eq!(code(verify(headers(ID_, &ts, SIG), br#"{"test": 2432232315}"#, std::slice::from_ref(&key), 300, TS)), ErrorCode::SignatureMismatch);
        assert_eq!(code(verify(headers(ID_, &ts, SIG), BODY, &[other], 300, TS)), ErrorCode::SignatureMismatch);
        assert_eq!(code(verify(headers("msg_other", &ts, SIG), BODY, std::slice::from_ref(&key), 300, TS)), ErrorCode::SignatureMismatch);
        assert_eq!(code(verify(headers(ID_, &ts, &SIG.replace("v1,", "v2,")), BODY, std::slice::from_ref(&key), 300, TS)), ErrorCode::SignatureMismatch);
        assert_eq!(code(verify(headers(ID_, &ts, SIG), BODY, std::slice::from_ref(&key), 300, TS + 301)), ErrorCode::TimestampOutOfTolerance);
        assert_eq!(code(verify(headers(ID_, &ts, SIG), BODY, std::slice::from_ref(&key), 300, TS - 301)), ErrorCode::TimestampOutOfTolerance);
        assert_eq!(code(verify(headers(ID_, "12x", SIG), BODY, std::slice::from_ref(&key), 300, TS)), ErrorCode::InvalidHeader);
        assert_eq!(code(verify(|_: &str| None, BODY, &[key], 300, TS)), ErrorCode::MissingHeader);
    }

    #[test]
    fn secrets_never_show() {
        let key = Key::parse(SECRET).unwrap();
        assert_eq!(format!("{key:?}"), "Key(..)");
        assert!(Key::parse("whsec_not base64!").is_err());
        assert!(Key::parse("whsec_").is_err());
        // Canonical base64 only, as the `base64` crate's STANDARD engine read it before:
        // padding required, no stray bits in the last character, no whitespace.
        assert!(Key::parse("whsec_QQ==").is_ok());
        for bad in ["whsec_QQ", "whsec_QR==", "whsec_QQ=", "whsec_QQ==\n", "whsec_Q Q==", "whsec_QQ==QQ==", "whsec_-_8="] {
            assert!(Key::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn delivery_ids() {
        let body = || body_digest(b"{}");
        assert_eq!(delivery_id(Some("evt-7"), "TASKS_CREATED", 3, 1, || unreachable!()), "evt-7_3_1");
        let a = delivery_id(None, "TASKS_CREATED", 3, 0, body);
        assert!(a.starts_with("msg_") && a.len() == 36, "{a}");
        assert_eq!(a, delivery_id(None, "TASKS_CREATED", 3, 0, body));
        assert_ne!(a, delivery_id(None, "TASKS_CREATED", 4, 0, body));
        assert_ne!(a, delivery_id(None, "TASKS_CREATED", 3, 1, body));
        assert_ne!(a, delivery_id(None, "TASKS_CREATED", 3, 0, || body_digest(b"{ }")));
        assert!(check_event_id("evt 7").is_err() && check_event_id("").is_err() && check_event_id("a:b.c-d_e").is_ok());
    }
}
