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
use std::io::Write;
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

/// Hosts through urllib3's own `parse_url` in Label Studio's venv, then what
/// `target` also applies after it: Python's idna codec (which `gethostbyname`
/// encodes the name with), `requests`' refusal of `*` and `.` hosts, and
/// `inet_aton`. One JSON string a line in, one verdict a line out.
const PARSE_URL: &str = r#"
import json, socket, sys
from urllib3.exceptions import LocationParseError
from urllib3.util.url import parse_url
for line in sys.stdin.read().split("\n")[:-1]:
    host = json.loads(line)
    try:
        h = parse_url("http://" + host + "/").host
        h.encode("idna")
    except (LocationParseError, UnicodeError):
        print("ERROR")
        continue
    if h.startswith(("*", ".")):
        print("ERROR")
        continue
    try:
        print("V4 " + socket.inet_ntoa(socket.inet_aton(h)))
    except OSError:
        print("NAME " + json.dumps(h))
"#;

/// Characters that tell IDNA 2008 rules apart, by repertoire.
fn repertoires() -> Vec<(&'static str, Vec<char>)> {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let range = |a: u32, b: u32| (a..=b).filter_map(char::from_u32).collect::<Vec<char>>();
    let join = |parts: Vec<Vec<char>>| parts.concat();
    vec![
        ("ascii", chars("abcdefxyzKQ0189-_")),
        // precomposed and decomposed Latin, marks that compose, reorder or neither
        ("latin", join(vec![
            chars("aeiouncdsAEIOUNDSéüñåøßæœıǖḍḋạậÉÜǕḌÅĳ\u{212B}\u{212A}"),
            chars("\u{300}\u{301}\u{302}\u{303}\u{304}\u{308}\u{30A}\u{323}\u{327}\u{328}\u{316}\u{31B}\u{338}\u{345}"),
        ])),
        ("greek", join(vec![range(0x3B1, 0x3C9), range(0x391, 0x3A9), chars("\u{375}\u{374}\u{387}ΐάϐ\u{301}\u{342}\u{345}ς")])),
        ("hebrew", join(vec![range(0x5D0, 0x5EA), chars("\u{5F3}\u{5F4}\u{5B0}\u{5B4}\u{5BC}\u{5C1}0129\u{661}\u{6F1}-")])),
        ("arabic", join(vec![
            chars("بتثجحخسشصضطظعغفقكلمنهيةاأإآدذرزوىءئؤ\u{640}\u{64B}\u{64E}\u{650}\u{651}\u{652}\u{670}"),
            range(0x660, 0x669),
            range(0x6F0, 0x6F9),
            chars("01\u{200C}\u{200D}-"),
        ])),
        ("syriac-nko-mongolian", chars("ܐܒܓܕܗܘ\u{711}\u{730}ߊߋߌ\u{7EB}ᠠᠡᠢ\u{180B}\u{200C}\u{200D}")),
        ("devanagari", join(vec![range(0x915, 0x939), chars("\u{93C}\u{93E}\u{93F}\u{940}\u{94D}\u{94D}\u{200C}\u{200D}०१अआ")])),
        ("bengali", chars("কখগঘ\u{9BE}\u{9C7}\u{9CB}\u{9CC}\u{9D7}\u{9CD}\u{9BC}\u{200C}\u{200D}০১")),
        // astral composites and their parts (Kaithi, Chakma, Grantha, Tirhuta, Siddham, Dives Akuru)
        ("astral-composing", chars("\u{11099}\u{110BA}\u{1109A}\u{11131}\u{11132}\u{11127}\u{1112E}\u{11347}\u{1133E}\u{11357}\u{1134B}\u{114B9}\u{114BA}\u{114B0}\u{114BD}\u{114BB}\u{115B8}\u{115AF}\u{115BA}\u{11935}\u{11930}\u{11938}")),
        ("indic-composing", chars("\u{B47}\u{B3E}\u{B56}\u{B57}କ\u{BC6}\u{BBE}\u{BD7}க\u{CBF}\u{CD5}\u{CC6}\u{CC2}ಕ\u{D46}\u{D3E}\u{D57}കဥ\u{102E}\u{1B05}\u{1B35}")),
        ("kana-han", chars("アイウカガかがきあ漢字中文\u{30FB}\u{30FC}\u{3099}\u{309A}\u{3005}abc")),
        ("catalan", chars("l·lL·Lab·")),
        ("hangul", chars("한국어가\u{1100}\u{1161}\u{11A8}\u{3131}")),
        ("upper-sigma", chars("İIΣΑΒσς\u{301}\u{345}'ΩΩẞ\u{13A0}\u{13A1}\u{AB70}\u{212A}ǅǄ\u{1E9E}ΐ")),
        ("fullwidth-dots", chars("ＡａＺ１\u{FF0E}\u{3002}\u{FF61}\u{3000}\u{A0}\u{AD}\u{200B}\u{2060}\u{FEFF}")),
        ("emoji", chars("☃😀❤\u{FE0F}\u{20E3}✓★\u{1F3FB}")),
        // unassigned, and assigned after Python 3.11's Unicode 14 (some PVALID in idna's data)
        ("unassigned", chars("\u{378}\u{380}\u{2FE0}\u{E0080}\u{1C89}\u{1C8A}\u{A7DC}\u{19B}\u{11F00}\u{31350}\u{1E030}\u{10D4A}\u{16D40}\u{FDD0}\u{10FFFF}")),
        ("tangut-joiners", chars("\u{17000}\u{18B00}\u{1B170}\u{200C}\u{200D}بلا")),
    ]
}

/// Any code point past ASCII, a quarter of them astral.
fn random_char(rng: &mut SmallRng) -> char {
    loop {
        let c = match rng.gen_range(0..4) {
            0 => rng.gen_range(0x80..0x800),
            1 => rng.gen_range(0x800..0x3400),
            2 => rng.gen_range(0xA000..0x10000),
            _ => rng.gen_range(0x10000..0x110000),
        };
        if let Some(c) = char::from_u32(c) {
            return c;
        }
    }
}

fn random_label(rng: &mut SmallRng, reps: &[(&str, Vec<char>)]) -> String {
    let pick = |rng: &mut SmallRng| &reps[rng.gen_range(0..reps.len())].1;
    let first = pick(rng);
    let second = if rng.gen_bool(0.2) { pick(rng) } else { first };
    let n = if rng.gen_bool(0.05) { rng.gen_range(20..70) } else { rng.gen_range(1..8) };
    let mut label: String = (0..n)
        .map(|_| match rng.gen_range(0..20) {
            0 => random_char(rng),
            1..=4 => second[rng.gen_range(0..second.len())],
            _ => first[rng.gen_range(0..first.len())],
        })
        .collect();
    match rng.gen_range(0..25) {
        0 => label.insert(0, '-'),
        1 => label.push('-'),
        2 => label.insert_str(0, "ab--"),
        3 => label.insert_str(0, "xn--"),
        4 => {
            // a real A-label, of a generated label or something near one
            let u: String = label.chars().filter(|c| !c.is_ascii_uppercase()).collect();
            if let Some(p) = idna::punycode::encode_str(&u) {
                label = format!("xn--{p}");
                if rng.gen_bool(0.3) {
                    label = label.replacen('k', "\u{212A}", 1).to_uppercase().replacen("XN--", "xn--", 1);
                }
            }
        }
        _ => {}
    }
    if rng.gen_bool(0.1) {
        label = label.replacen('k', "\u{212A}", 1);
    }
    label
}

/// Sensible words in each script, so that many labels pass.
fn plausible_label(rng: &mut SmallRng) -> String {
    let words = [
        "bücher", "münchen", "faß", "straße", "élan", "ĳssel", "çay", "ǖber", "ạ\u{302}", "a\u{301}", "i\u{307}stanbul",
        "ελληνικά", "ΕΛΛΗΝΙΚΆ", "οδος", "ΟΔΟΣ", "\u{375}α", "ΑΣ\u{301}", "πας\u{345}",
        "עברית", "ג\u{5F3}", "ש\u{5F4}ס", "מ1", "עב\u{5B0}ר",
        "عربي", "مثال", "موقع١٢", "موقع۱۲", "لا", "ب\u{200C}ا", "ب\u{64E}\u{200C}ا", "ا\u{200C}ب", "فارسی",
        "हिन्दी", "क\u{94D}\u{200C}ष", "क\u{94D}\u{200D}ष", "क\u{200D}ष", "বাংলা", "কো", "ক\u{9C7}\u{9BE}",
        "日本語", "カタカナ", "ア\u{30FB}イ", "a\u{30FB}b", "漢\u{30FB}", "か\u{3099}", "が",
        "l·l", "col·lecció", "한국어", "테스트", "ꭰ", "Ꭰ", "ǆ", "ǅ", "\u{212A}elvin", "\u{212B}", "ω", "Ω",
        "日本", "中文", "пример", "ПРИМЕР", "ёж", "ё", "е\u{308}ж",
    ];
    let mut label = words[rng.gen_range(0..words.len())].to_string();
    if rng.gen_bool(0.3) {
        label.push_str(["1", "-x", "ab", "2b", "\u{301}", "\u{5B0}", "1\u{661}"][rng.gen_range(0..7)]);
    }
    label
}

#[test]
fn idna_agrees_with_urllib3() {
    let Some(python) = common::label_studio_python_or_skip("idna_agrees_with_urllib3") else { return };
    let reps = repertoires();
    let mut rng = SmallRng::seed_from_u64(2008);
    // The Kelvin sign lowers to `k`: `xn--\u{212A}-18h` is checked as the A-label of `Ꭰk` (Cherokee
    // capitals are PVALID), `xn--\u{212A}-gea` as that of `Ék` (upper case is not).
    let mut hosts: Vec<String> = ["bücher.example", "xn--bcher-kva.example", "a_b.bücher", "-a.bücher", "ab--c.ü", "xn--a.ü", "K.\u{212A}", "l·l.cat",
        "xn--\u{212A}-18h", "xn--\u{212A}-gea", "xn--\u{212A}-9fa"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for _ in 0..20000 {
        let n = rng.gen_range(1..=3);
        let mut labels: Vec<String> = (0..n)
            .map(|_| match rng.gen_range(0..10) {
                0..=2 => plausible_label(&mut rng),
                3 => ["example", "com", "a_b", "-x-", "xn--abc", "ab--cd", "Test", "0x7f", "1"][rng.gen_range(0..9)].to_string(),
                _ => random_label(&mut rng, &reps),
            })
            .collect();
        // The ASCII-only hosts say nothing about IDNA: give them a non-ASCII label.
        if labels.iter().all(|l| l.is_ascii()) {
            labels.push(plausible_label(&mut rng));
        }
        let mut host = labels.join(".");
        if rng.gen_bool(0.05) {
            host.push('.');
        }
        // urllib3's grammar around the host is not what this test is about.
        host.retain(|c| !matches!(c, '\0'..=' ' | '\x7f' | '/' | '\\' | '?' | '#' | '@' | ':' | '[' | ']' | '%'));
        if !host.is_empty() {
            hosts.push(host);
        }
    }
    let generated = hosts.len();
    // And every code point of planes 0 and 1 (a sample of the big uniform blocks), alone and
    // after a letter: its class, lower case, bidi class, combining with `a`.
    let uniform = |c: u32| matches!(c, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xE000..=0xF8FF | 0x17000..=0x18AFF);
    for c in (0x80..0x20000).filter(|&c| !uniform(c) || c % 97 == 0).filter_map(char::from_u32) {
        if !matches!(c, '/' | '\\' | '?' | '#' | '@' | ':' | '[' | ']' | '%') {
            hosts.push(c.to_string());
            hosts.push(format!("a{c}"));
        }
    }
    let input: String = hosts.iter().map(|h| serde_json::to_string(h).unwrap() + "\n").collect();
    let want = common::python_lines_with(&python, PARSE_URL, input, "the IDNA differential");
    assert_eq!(want.len(), hosts.len());
    // [generated, swept] × [accepted, refused]
    let (mut counts, mut wrong) = ([[0usize; 2]; 2], Vec::new());
    for (i, (host, want)) in hosts.iter().zip(&want).enumerate() {
        let ours = labelstudio::target(&format!("http://{host}/"));
        let got = match &ours {
            Ok(t) => match &t.host {
                Host::V4(ip) => format!("V4 {ip}"),
                Host::V6 => "V6".to_string(),
                Host::Name(name) => format!("NAME {}", serde_json::to_string(name).unwrap()),
            },
            Err(_) => "ERROR".to_string(),
        };
        counts[usize::from(i >= generated)][usize::from(want == "ERROR")] += 1;
        if &got != want {
            let code_points: Vec<String> = host.chars().map(|c| format!("U+{:04X}", c as u32)).collect();
            wrong.push(format!("{host:?} ({}): urllib3 {want}, ours {got} {:?}", code_points.join(" "), ours.err()));
        }
    }
    let [[gen_ok, gen_refused], [swept_ok, swept_refused]] = counts;
    let _ = writeln!(
        std::io::stderr(),
        "idna_agrees_with_urllib3 ({}): {generated} generated hosts, {gen_ok} accepted and {gen_refused} refused; \
         {} code points alone and after a letter, {swept_ok} accepted and {swept_refused} refused",
        python.display(),
        (hosts.len() - generated) / 2,
    );
    assert!(wrong.is_empty(), "{} differences, first: {:#?}", wrong.len(), &wrong[..wrong.len().min(20)]);
    assert!(gen_ok > 3000 && gen_refused > 3000, "{gen_ok} accepted, {gen_refused} refused: the generated hosts do not cover both");
}

/// The IDNA tables are what their generator makes of Label Studio's own venv now.
#[test]
fn idna_tables_are_generated() {
    let Some(python) = common::label_studio_python_or_skip("idna_tables_are_generated") else { return };
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(&python)
        .args([&format!("{root}/tools/capture/idna_tables.py"), "--stdout"])
        .output()
        .expect("the generator ran");
    assert!(out.status.success(), "tools/capture/idna_tables.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let checked_in = std::fs::read_to_string(format!("{root}/src/labelstudio/ssrf/idna2008_tables.rs")).expect("the tables");
    assert!(
        String::from_utf8(out.stdout).expect("UTF-8") == checked_in,
        "src/labelstudio/ssrf/idna2008_tables.rs is not what tools/capture/idna_tables.py makes now: run {} tools/capture/idna_tables.py",
        python.display()
    );
}
