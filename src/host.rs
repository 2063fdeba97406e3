//! What the JavaScript host supplies when the core runs in WebAssembly, where
//! `wasm32-unknown-unknown` has neither a clock nor a URL parser worth
//! shipping: the host's own WHATWG `URL` (the parser its `fetch` uses) and its
//! clock. The wasm boundary installs both; natively the core uses the `url`
//! crate and the system clock. The browser's build (feature `size`) also reads
//! and prints floats with the host's `Number` (see `json::pyjson::host_floats`
//! for how they stay exact). The first installation stays.
//!
//! And, optionally (the `host-hmac` feature), signing's HMAC-SHA256: where the
//! host hashes faster than the module can (Node's OpenSSL with SHA-NI runs
//! SHA-256 about five times as fast as the `sha2` crate in wasm), the Node
//! package installs node:crypto's. Without one (natively, in the browser's
//! build, which has no such feature, or before installation) the core computes
//! it with RustCrypto's `hmac` and `sha2`, to the same bytes.

use std::sync::OnceLock;

/// What a WHATWG parser reports of a URL: its scheme (without `:`), its
/// serialized host (`None` when it has none) and its port (`None` for the
/// scheme's default). `Err` holds the parser's reason.
pub type ParsedUrl = Result<(String, Option<String>, Option<u16>), String>;

#[derive(Clone, Copy)]
pub struct Host {
    pub parse_url: fn(&str) -> ParsedUrl,
    /// Seconds since the Unix epoch.
    pub now: fn() -> i64,
    /// ECMAScript's `Number(text)`: exact up to 20 significant digits.
    pub read_number: fn(&str) -> f64,
    /// ECMAScript's `Number::toString(x)`: the shortest digits that read back.
    pub number_text: fn(f64) -> String,
}

static HOST: OnceLock<Host> = OnceLock::new();

pub fn install(host: Host) {
    let _ = HOST.set(host);
}

/// A host's HMAC-SHA256 under `key` of a message given in two parts, the
/// signed text's `{id}.{timestamp}.` and the body, hashed one after the other
/// (the body, megabytes, is never copied to join them). `None` when the host
/// could not: the core then computes it itself.
pub type HmacSha256 = fn(key: &[u8], message: [&[u8]; 2]) -> Option<[u8; 32]>;

#[cfg(feature = "host-hmac")]
static HMAC_SHA256: OnceLock<HmacSha256> = OnceLock::new();

/// Installs the host's HMAC-SHA256 (the wasm boundary's `setHostHmac` does,
/// with a function that calls whatever JS hook is set, or answers `None`). The
/// first installation stays.
#[cfg(feature = "host-hmac")]
pub fn install_hmac_sha256(hmac: HmacSha256) {
    let _ = HMAC_SHA256.set(hmac);
}

/// HMAC-SHA256 of `message`'s parts, joined, under `key`: the one place that
/// chooses the host's (when installed, and it answers) or RustCrypto's.
pub(crate) fn hmac_sha256(key: &[u8], message: [&[u8]; 2]) -> [u8; 32] {
    #[cfg(feature = "host-hmac")]
    if let Some(mac) = HMAC_SHA256.get().and_then(|hmac| hmac(key, message)) {
        return mac;
    }
    builtin_hmac_sha256(key, message)
}

/// RustCrypto's HMAC-SHA256, in every build.
fn builtin_hmac_sha256(key: &[u8], [prefix, body]: [&[u8]; 2]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(prefix);
    mac.update(body);
    mac.finalize().into_bytes().into()
}

pub(crate) fn parse_url(url: &str) -> ParsedUrl {
    match HOST.get() {
        Some(host) => (host.parse_url)(url),
        None => builtin::parse_url(url),
    }
}

/// `None` only in WebAssembly before the boundary installed a clock.
pub(crate) fn now() -> Option<i64> {
    match HOST.get() {
        Some(host) => Some((host.now)()),
        None => builtin::now(),
    }
}

/// Used by the browser's build only; it installs the host before any planning.
/// Without a host: NaN (which the float reader refuses), and below, an empty text
/// (which the float writer refuses), never a number made up.
#[cfg_attr(not(all(target_arch = "wasm32", feature = "size")), allow(dead_code))]
pub(crate) fn read_number(text: &str) -> f64 {
    HOST.get().map_or(f64::NAN, |host| (host.read_number)(text))
}

#[cfg_attr(not(all(target_arch = "wasm32", feature = "size")), allow(dead_code))]
pub(crate) fn number_text(x: f64) -> String {
    HOST.get().map_or_else(String::new, |host| (host.number_text)(x))
}

#[cfg(not(target_arch = "wasm32"))]
mod builtin {
    pub fn parse_url(url: &str) -> super::ParsedUrl {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        Ok((parsed.scheme().to_owned(), parsed.host_str().map(str::to_owned), parsed.port()))
    }

    pub fn now() -> Option<i64> {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
        i64::try_from(since.as_secs()).ok()
    }
}

#[cfg(target_arch = "wasm32")]
mod builtin {
    pub fn parse_url(_: &str) -> super::ParsedUrl {
        Err("this build reads URLs with the host's WHATWG parser, and none was installed".into())
    }

    pub fn now() -> Option<i64> {
        None
    }
}
