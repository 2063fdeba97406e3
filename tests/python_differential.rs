//! Differential test: the Python writer against CPython's own
//! `json.dumps(json.loads(text), allow_nan=False)` on thousands of generated
//! values. Any byte of difference fails, with the input that caused it.
#![cfg(not(target_arch = "wasm32"))]

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
mod common;

const PYTHON: &str = r#"
import json, sys
for line in sys.stdin.buffer.read().decode("utf-8").split("\0")[:-1]:
    try:
        out = json.dumps(json.loads(line), allow_nan=False)
    except (ValueError, RecursionError) as e:
        out = "ERROR"
    sys.stdout.write(out + "\n")
"#;

fn python_dumps(inputs: &[String]) -> Vec<String> {
    let payload: String = inputs.iter().map(|s| format!("{s}\0")).collect();
    common::python_lines(PYTHON, payload, "the differential test")
}

/// Characters from every class the escaper distinguishes.
fn random_char(rng: &mut SmallRng) -> String {
    match rng.gen_range(0..12) {
        0 => ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"][rng.gen_range(0..8)].to_string(),
        1 => format!("\\u{:04x}", rng.gen_range(0..0x20u32)),
        2 => format!("\\u{:04X}", rng.gen_range(0x20..0x80u32)),
        3 => format!("\\u{:04x}", rng.gen_range(0xd800..0xe000u32)), // lone or paired surrogates
        4 => "\\ud83d\\ude00".to_string(),
        5 => char::from_u32(rng.gen_range(0x80..0x800)).unwrap().to_string(),
        6 => ['\u{2028}', '\u{2029}', '\u{7f}', '\u{a0}', '\u{feff}', '\u{fffd}'][rng.gen_range(0..6)].to_string(),
        7 => char::from_u32(rng.gen_range(0x10000..0x10ffff)).unwrap_or('😀').to_string(),
        8 => char::from_u32(rng.gen_range(0x800..0xd800)).unwrap().to_string(),
        9 => format!("\\u{:04x}", rng.gen_range(0x80..0x10000u32)),
        _ => char::from_u32(rng.gen_range(0x20..0x7f)).unwrap().to_string().replace('\\', "\\\\").replace('"', "\\\""),
    }
}

fn random_string(rng: &mut SmallRng) -> String {
    let n = rng.gen_range(0..12);
    let body: String = (0..n).map(|_| random_char(rng)).collect();
    format!("\"{body}\"")
}

fn random_float_text(rng: &mut SmallRng) -> String {
    match rng.gen_range(0..8) {
        // Any finite double, printed round-trip.
        0 | 1 => {
            let x = f64::from_bits(rng.gen());
            if x.is_finite() { format!("{x:e}") } else { "1.5".into() }
        }
        // Around the repr switch points 1e-4/1e-5 and 1e16.
        2 => format!("{}e{}", rng.gen_range(1..100000), rng.gen_range(-10..20)),
        3 => ["1.0", "0.1", "1e-07", "1e16", "-0.0", "12.5", "1E+16", "9999999999999998.0", "1e-4", "0.00001",
              "5e-324", "1.7976931348623157e308", "1e400", "-1e400", "1e-400", "2.5E-5", "0.30000000000000004",
              "100.0", "123456789012345678.0", "4.35", "1e22", "1e23"][rng.gen_range(0..22)].to_string(),
        4 => format!("{}.{}", rng.gen_range(0..1_000_000_000u64), rng.gen_range(0..1000)),
        5 => format!("-{}.{:03}e{}", rng.gen_range(0..10), rng.gen_range(0..1000), rng.gen_range(-330..310)),
        6 => format!("{:?}", rng.gen::<f64>() * 10f64.powi(rng.gen_range(-20..20))),
        _ => format!("{:e}", rng.gen::<f32>() as f64),
    }
}

fn random_int_text(rng: &mut SmallRng) -> String {
    match rng.gen_range(0..5) {
        0 => rng.gen_range(-1000..1000).to_string(),
        1 => rng.gen::<i64>().to_string(),
        2 => ["0", "-0", "9007199254740993", "8755930484223552274", "-9223372036854775809", "18446744073709551616"][rng.gen_range(0..6)].to_string(),
        3 => {
            let n = rng.gen_range(20..80);
            let mut s = rng.gen_range(1..10).to_string();
            s.extend((1..n).map(|_| char::from(b'0' + rng.gen_range(0..10))));
            s
        }
        _ => format!("-{}", rng.gen::<u64>()),
    }
}

fn random_value(rng: &mut SmallRng, depth: usize) -> String {
    let ws = |rng: &mut SmallRng| [" ", "", "", "\n", "\t "][rng.gen_range(0..5)];
    match rng.gen_range(0..if depth > 4 { 6 } else { 9 }) {
        0 => ["true", "false", "null"][rng.gen_range(0..3)].into(),
        1 | 2 => random_string(rng),
        3 => random_float_text(rng),
        4 | 5 => random_int_text(rng),
        6 | 7 => {
            let n = rng.gen_range(0..5);
            let mut keys: Vec<String> = (0..n).map(|_| random_string(rng)).collect();
            if n > 1 && rng.gen_bool(0.2) {
                keys[n - 1] = keys[0].clone(); // duplicate keys: first position, last value
            }
            let items: Vec<String> =
                keys.into_iter().map(|k| format!("{}{k}{}:{}{}", ws(rng), ws(rng), ws(rng), random_value(rng, depth + 1))).collect();
            format!("{{{}}}", items.join(","))
        }
        _ => {
            let n = rng.gen_range(0..5);
            let items: Vec<String> = (0..n).map(|_| format!("{}{}", ws(rng), random_value(rng, depth + 1))).collect();
            format!("[{}]", items.join(","))
        }
    }
}

#[test]
fn python_writer_matches_cpython_byte_for_byte() {
    let mut rng = SmallRng::seed_from_u64(0x0001_5ebb_00c5);
    let mut inputs: Vec<String> = (0..6000).map(|_| random_value(&mut rng, 0)).collect();
    // Fixed edge cases, every escape class at least once.
    inputs.extend(
        [
            r#""\u0000\u001f\u007f\u0080\u00ff\u2028\u2029\ud7ff\ue000\uffff\ud800\udbff\udc00\udfff""#,
            r#""a\"b\\c\/d\be\ff\ng\rh\ti""#,
            r#""😀𝄞🀄 é ü ß 中文""#,
            r#"{"b": 1, "a": 2, "\u0062": 3}"#,
            r#"[1.0, 0.1, 1e-07, 1e16, -0.0, 12.5, 1e-5, 1e15, 123456789012345680000.0]"#,
            &format!("[{}]", "9".repeat(4300)),
            &format!("[{}]", "9".repeat(4301)),
            &("[".repeat(200) + &"]".repeat(200)),
        ]
        .map(String::from),
    );
    let expected = python_dumps(&inputs);
    assert_eq!(expected.len(), inputs.len());
    let mut failures = 0;
    for (input, want) in inputs.iter().zip(&expected) {
        let got = ls_webhooks::python_json_dumps(input).unwrap_or_else(|_| "ERROR".into());
        if &got != want {
            failures += 1;
            if failures <= 5 {
                let at = got.bytes().zip(want.bytes()).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
                eprintln!("input:  {input}\nwant:   {want}\ngot:    {got}\nfirst difference at byte {at}\n");
            }
        }
    }
    assert_eq!(failures, 0, "{failures} of {} values differ from CPython", inputs.len());
}
