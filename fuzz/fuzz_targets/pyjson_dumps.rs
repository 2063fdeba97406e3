//! The Python JSON writer on its own: JSON text in, CPython's
//! `json.dumps(json.loads(text), allow_nan=False)` out, or an error.
//!
//! On Ok the output is ASCII, is a fixed point (dumping it again gives the
//! same bytes), and means the same as the input according to serde_json (an
//! independent parser; duplicate keys: last value wins in both). Whatever
//! serde_json accepts, the writer accepts too, except ints past CPython's
//! 4300-digit limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Equal as JSON values, numbers compared as doubles: serde_json reads the
/// int `-0` as the float -0.0, where Python reads the int 0.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => x.as_f64() == y.as_f64(),
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Object(x), Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = ls_webhooks::python_json_dumps(text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match &ours {
        Ok(out) => {
            assert!(out.is_ascii(), "non-ASCII output");
            assert_eq!(ls_webhooks::python_json_dumps(out).as_ref(), Ok(out), "not a fixed point");
            if let (Ok(a), Ok(b)) = (&theirs, serde_json::from_str::<serde_json::Value>(out)) {
                assert!(same(a, &b), "the output means something else: {text:?} -> {out:?}");
            }
        }
        Err(e) => {
            let long_int = text.as_bytes().split(|b| !b.is_ascii_digit()).any(|run| run.len() > 4300);
            if theirs.is_ok() && !long_int {
                panic!("serde_json reads {text:?}, the writer refuses it: {e}");
            }
        }
    }
});
