//! The host's HMAC-SHA256 (src/host.rs, the `host-hmac` feature; in the Node package,
//! node:crypto's): once installed, signing and verifying ask it for every MAC, with the message
//! in two parts (`{id}.{timestamp}.` and the body), and use its answer; a host that does not
//! answer leaves the MAC to the module's own, which gives the same bytes as a host that does.
//! One test: the installation is for the whole process.
#![cfg(all(not(target_arch = "wasm32"), feature = "host-hmac", feature = "receiver"))]

use hmac::{Hmac, Mac};
use ls_webhooks::signing::{self, Key};
use ls_webhooks::{build_deliveries, host, ErrorCode};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

// The Standard Webhooks specification's own example.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS: i64 = 1614265330;
const BODY: &[u8] = br#"{"test": 2432232314}"#;
const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// What the test host does: compute the MAC, answer 32 zero bytes, or not answer.
const RIGHT: u8 = 0;
const ZEROS: u8 = 1;
const NONE: u8 = 2;
static MODE: AtomicU8 = AtomicU8::new(RIGHT);
/// Each call's message: its first part, and the length of its second.
static CALLS: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

fn test_host(key: &[u8], [prefix, body]: [&[u8]; 2]) -> Option<[u8; 32]> {
    CALLS.lock().unwrap().push((String::from_utf8(prefix.to_vec()).unwrap(), body.len()));
    match MODE.load(Ordering::SeqCst) {
        RIGHT => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            mac.update(prefix);
            mac.update(body);
            Some(mac.finalize().into_bytes().into())
        }
        ZEROS => Some([0; 32]),
        _ => None,
    }
}

fn calls() -> Vec<(String, usize)> {
    std::mem::take(&mut *CALLS.lock().unwrap())
}

fn verify(signature: &str) -> Result<(), ErrorCode> {
    let header = |name: &str| match name {
        signing::ID => Some(ID.to_owned()),
        signing::TIMESTAMP => Some(TS.to_string()),
        signing::SIGNATURE => Some(signature.to_owned()),
        _ => None,
    };
    signing::verify(header, BODY, &[Key::parse(SECRET).unwrap()], 300, TS).map_err(|e| e.code)
}

fn signatures(text: &str) -> Vec<String> {
    let plan = build_deliveries(text).unwrap();
    plan.deliveries.iter().map(|d| d.headers.iter().find(|(n, _)| n == signing::SIGNATURE).unwrap().1.clone()).collect()
}

#[test]
fn signing_and_verifying_ask_the_installed_host_and_use_its_answer() {
    let key = Key::parse(SECRET).unwrap();
    // Before installation: the module's own.
    assert_eq!(key.sign(ID, TS, BODY), SIG);
    assert_eq!(calls(), []);

    host::install_hmac_sha256(test_host);
    assert_eq!(key.sign(ID, TS, BODY), SIG);
    assert_eq!(calls(), [(format!("{ID}.{TS}."), BODY.len())], "one call, the body apart from its prefix");
    assert_eq!(verify(SIG), Ok(()));
    assert_eq!(calls().len(), 1);

    // The host's answer is the signature, and the receiver's check compares against it.
    MODE.store(ZEROS, Ordering::SeqCst);
    let zeros = format!("v1,{}=", "A".repeat(43));
    assert_eq!(key.sign(ID, TS, BODY), zeros);
    assert_eq!(verify(SIG), Err(ErrorCode::SignatureMismatch));
    assert_eq!(verify(&zeros), Ok(()));
    assert_eq!(calls().len(), 3);

    // A host that does not answer: the module's own MAC, the same bytes.
    MODE.store(NONE, Ordering::SeqCst);
    assert_eq!(key.sign(ID, TS, BODY), SIG);
    assert_eq!(verify(SIG), Ok(()));
    assert_eq!(calls().len(), 2);

    // A plan: one call per signed delivery, and one per distinct body for the ids derived from
    // it (body_digest, an HMAC under a fixed key, with no prefix); the same headers as the
    // module's own gives.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/events/TASKS_CREATED.json")).unwrap();
    let at = text.rfind('}').unwrap();
    let text = format!(r#"{}, "options": {{"signing": {{"secret": "{SECRET}", "timestamp": {TS}}}}}}}"#, &text[..at]);
    let own = signatures(&text);
    let split = |asked: Vec<(String, usize)>| asked.into_iter().partition::<Vec<_>, _>(|(prefix, _)| prefix.is_empty());
    let (digests, macs) = split(calls());
    assert_eq!(macs.len(), own.len());
    assert!((1..=own.len()).contains(&digests.len()), "{digests:?}");
    MODE.store(RIGHT, Ordering::SeqCst);
    assert_eq!(signatures(&text), own);
    let (digests_again, macs) = split(calls());
    assert_eq!((macs.len(), digests_again.len()), (own.len(), digests.len()));
    assert!(macs.iter().all(|(prefix, _)| prefix.starts_with("msg_") && prefix.ends_with(&format!(".{TS}."))), "{macs:?}");
    assert!(own.len() >= 3, "{own:?}");
}
