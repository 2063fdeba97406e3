//! The Label Studio side of the SSRF check against its judges:
//! - `inet_aton` against glibc's, through CPython's `socket.inet_aton`, on
//!   thousands of generated numeric host forms;
//! - the whole reading (urllib3's `parse_url`, Python's idna codec,
//!   `gethostbyname`) against what Label Studio 1.23.2 itself said for every
//!   URL of `tests/fixtures/ssrf/` (made by `tools/capture/ssrf_table.py`).
#![cfg(not(target_arch = "wasm32"))]

use ls_webhooks::labelstudio::ssrf::labelstudio::{self, Host};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
mod common;

/// glibc's `inet_aton` is `inet_aton_exact` plus trailing whitespace and
/// junk after it; the generated forms have no whitespace, so the two agree.
const PYTHON: &str = r#"
import socket, sys
for s in sys.stdin.read().split("\n")[:-1]:
    try:
        print(socket.inet_ntoa(socket.inet_aton(s)))
    except OSError:
        print("ERROR")
"#;

fn random_part(rng: &mut SmallRng) -> String {
    let digits = |rng: &mut SmallRng, set: &[u8], max: usize| -> String {
        (0..rng.gen_range(0..=max)).map(|_| set[rng.gen_range(0..set.len())] as char).collect()
    };
    match rng.gen_range(0..8) {
        0 => rng.gen_range(0..300u32).to_string(),
        1 => rng.gen::<u32>().to_string(),
        2 => format!("0{}", digits(rng, b"01234567", 12)),
        3 => format!("0{}{}", ["x", "X"][rng.gen_range(0..2)], digits(rng, b"0123456789abcdefABCDEF", 10)),
        4 => digits(rng, b"0123456789", 22),
        5 => format!("0{}", digits(rng, b"0123456789", 4)), // octal with 8s and 9s
        6 => format!("0x{}", digits(rng, b"0123456789abcdefgx", 4)),
        _ => digits(rng, b"0123456789abcdefxX", 3),
    }
}

#[test]
fn inet_aton_agrees_with_glibc() {
    let mut rng = SmallRng::seed_from_u64(11);
    let mut inputs: Vec<String> = ["0", "0x", "0x.1", "127.1", "0x7f.1", "1.2.3", "1.2.3.4.", ".1", "1..1", "", "00x1", "0xffffffff",
        "4294967295", "4294967296", "0x100000000", "18446744073709551617", "255.16777215", "255.16777216", "1.2.65535", "1.2.65536"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for _ in 0..6000 {
        let n = rng.gen_range(1..=5);
        let mut s = (0..n).map(|_| random_part(&mut rng)).collect::<Vec<_>>().join(".");
        if rng.gen_range(0..10) == 0 {
            s.push('.');
        }
        inputs.push(s);
    }
    let want = common::python_lines(PYTHON, inputs.iter().map(|s| format!("{s}\n")).collect(), "the inet_aton differential");
    assert_eq!(want.len(), inputs.len());
    let mut wrong = Vec::new();
    let mut valid = 0;
    for (s, want) in inputs.iter().zip(&want) {
        let got = labelstudio::inet_aton(s).map_or("ERROR".to_string(), |ip| ip.to_string());
        valid += usize::from(got != "ERROR");
        if &got != want {
            wrong.push(format!("{s:?}: glibc {want}, ours {got}"));
        }
    }
    assert!(wrong.is_empty(), "{} differences, first: {:#?}", wrong.len(), &wrong[..wrong.len().min(20)]);
    assert!(valid > 500, "only {valid} valid forms generated");
}

fn table() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ssrf/label-studio-1.23.2-ssrf.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("the SSRF table")).expect("JSON");
    v["rows"].as_array().expect("rows").clone()
}

#[test]
fn reads_every_url_as_label_studio_does() {
    let mut wrong = Vec::new();
    for row in table() {
        let url = row["url"].as_str().unwrap();
        let off = &row["protection_off"];
        let ours = labelstudio::target(url);
        // Label Studio sends it (protection off), or would hand the name to DNS and send if
        // DNS answered: then `parse_url`'s host and `gethostbyname`'s answer are known.
        let reached_resolver = off["sent"] == true || (off["kind"] == "unresolvable" && row["requests_prepare"] == "ok");
        match (&ours, reached_resolver) {
            (Err(_), false) => {}
            (Ok(t), true) => {
                let host = row["parse_url"]["host"].as_str().unwrap();
                let port = row["parse_url"]["port"].as_u64().unwrap_or(if row["parse_url"]["scheme"] == "https" { 443 } else { 80 });
                let ok = match &t.host {
                    Host::V4(ip) => row["resolved_by"] == "system" && row["gethostbyname"].as_str() == Some(&ip.to_string()),
                    Host::V6 => host.starts_with('['),
                    Host::Name(name) => name == host && (row["gethostbyname"].is_null() || row["resolved_by"] == "stub-dns" || host == "localhost"),
                };
                if !ok || u64::from(t.port) != port {
                    wrong.push(format!("{url:?}: ours {t:?}, Label Studio host {host:?} port {port} -> {}", row["gethostbyname"]));
                }
            }
            (Ok(t), false) => wrong.push(format!("{url:?}: ours {t:?}, Label Studio refuses it ({})", off["message"])),
            (Err(e), true) => wrong.push(format!("{url:?}: ours refuses ({e}), Label Studio resolves {:?}", row["parse_url"]["host"])),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
