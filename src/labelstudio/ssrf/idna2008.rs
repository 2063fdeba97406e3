//! What urllib3 2.x does to a non-ASCII host label: `idna.encode(label.lower(),
//! strict=True, std3_rules=True)`, the `idna` package 3.20 (IDNA 2008, no UTS 46
//! mapping) under CPython 3.11, reproduced exactly from the judge's own data
//! (`idna2008_tables.rs`, made by `tools/capture/idna_tables.py`).
//!
//! urllib3 splits the host on `.` and hands each non-ASCII label to `idna.encode`
//! alone, so the domain-level rules of `encode` (empty labels, a trailing dot,
//! 253 octets) never see more than this one label; ASCII labels never reach it.
//! Within the label, in `idna`'s words: Python's `str.lower()` (full mappings,
//! final sigma, Unicode 14); then `alabel`: a label that lower case made ASCII
//! goes through `ulabel` (an `xn--` label must decode, re-encode to itself and
//! pass `check_label`; any other must pass `check_label`), anything else through
//! `check_label` and Punycode; the result may have at most 63 octets.
//! `check_label`: every code point PVALID, or CONTEXTJ/CONTEXTO valid in its
//! context (RFC 5892 appendix A as `valid_contextj`/`valid_contexto` read it);
//! NFC; no hyphen in both the 3rd and 4th places, or at either end; no leading
//! combining mark; the Bidi rule (RFC 5893) when the label has a right-to-left
//! character. Python's `unicodedata` must also know every code point, or
//! `check_bidi` refuses it.
//!
//! The checks run in another order than `idna`'s (the code points first), so a
//! label broken in two ways may be refused for the other one; whether it is
//! refused never differs (`tests/ssrf.rs` runs urllib3 itself on thousands).

use super::idna2008_tables::{self as t, bidi, casing, class, joining, script};
use std::sync::OnceLock;

const ZWNJ: u32 = 0x200C;
const VIRAMA: u8 = 9;

/// The label as urllib3 writes it into the host (an A-label, or the ASCII label
/// lower case made of it), or why `idna` refuses it.
pub(super) fn encode_label(label: &str) -> Result<String, String> {
    let lower = python_lower(label);
    // Every label past 63 code points is refused (an A-label is longer than its
    // U-label); refusing early also bounds the work below.
    if lower.len() > 63 {
        return Err(format!("it has {} characters after lower case; a label has at most 63 octets", lower.len()));
    }
    if lower.iter().all(|&c| c < 0x80) {
        let ascii: String = lower.iter().map(|&c| char::from(c as u8)).collect();
        ulabel_ascii(&ascii)?;
        return Ok(ascii);
    }
    check_label(&lower)?;
    let chars: Vec<char> = lower.iter().filter_map(|&c| char::from_u32(c)).collect();
    let alabel = format!("xn--{}", idna::punycode::encode(&chars).ok_or("Punycode overflows")?);
    if alabel.len() > 63 {
        return Err(format!("its A-label {alabel} has {} octets; a label has at most 63", alabel.len()));
    }
    Ok(alabel)
}

/// `ulabel` of an ASCII label (bytes, already lower case).
fn ulabel_ascii(label: &str) -> Result<(), String> {
    let Some(puny) = label.strip_prefix("xn--") else {
        return check_label(&label.chars().map(u32::from).collect::<Vec<_>>());
    };
    if puny.is_empty() {
        return Err("an xn-- label needs Punycode after the prefix".into());
    }
    if puny.ends_with('-') {
        return Err("an A-label must not end with a hyphen".into());
    }
    let decoded = idna::punycode::decode(puny).ok_or_else(|| format!("{label} is not valid Punycode"))?;
    // RFC 5891 5.3: only the canonical encoding of its U-label is an A-label.
    if idna::punycode::encode(&decoded).as_deref() != Some(puny) {
        return Err(format!("{label} is not the canonical Punycode of its U-label"));
    }
    check_label(&decoded.iter().map(|&c| u32::from(c)).collect::<Vec<_>>())
}

/// `check_label` (`unicodedata.normalize`, `category`, `bidirectional` and
/// `combining` are Python 3.11's, the code point classes idna's).
fn check_label(label: &[u32]) -> Result<(), String> {
    let at = |pos: usize| format!("{} at position {}", unot(label[pos]), pos + 1);
    if label.is_empty() {
        return Err("the label is empty".into());
    }
    let classes: Vec<u8> = label.iter().map(|&c| code_point_class(c)).collect();
    for (pos, &k) in classes.iter().enumerate() {
        if k == class::DISALLOWED {
            return Err(format!(
                "{} is not allowed (DISALLOWED or UNASSIGNED in IDNA 2008, or unknown to Python 3.11's Unicode 14)",
                at(pos)
            ));
        }
    }
    if !is_nfc(label) {
        return Err("the label is not in Unicode Normalization Form C".into());
    }
    if label.get(2..4) == Some(&[0x2D_u32, 0x2D][..]) {
        return Err("the label has hyphens in the 3rd and 4th positions".into());
    }
    if label[0] == 0x2D || label[label.len() - 1] == 0x2D {
        return Err("the label starts or ends with a hyphen".into());
    }
    if prop(label[0], t::MARK) == 1 {
        return Err(format!("the label starts with a combining mark, {}", unot(label[0])));
    }
    for (pos, (&c, &k)) in label.iter().zip(&classes).enumerate() {
        if k == class::PVALID {
            continue;
        }
        if k == class::CONTEXTJ {
            if pos > 0 && prop(label[pos - 1], t::UNNAMED) == 1 {
                // `_combining_class` raises on a code point without a name. (With
                // today's data those, Tangut, join nothing: it decides only the reason.)
                return Err(format!("the joiner {} follows {}, which Python's unicodedata has no name for", at(pos), unot(label[pos - 1])));
            }
            if !valid_contextj(label, pos) {
                return Err(format!(
                    "the joiner {} is allowed only after a virama{} (RFC 5892 CONTEXTJ)",
                    at(pos),
                    if c == ZWNJ { " or between joining letters" } else { "" }
                ));
            }
        } else if !valid_contexto(label, pos) {
            let rule = match c {
                0x00B7 => "only between two l's",
                0x0375 => "only before a Greek letter",
                0x05F3 | 0x05F4 => "only after a Hebrew letter",
                0x30FB => "only in a label with Hiragana, Katakana or Han",
                _ => "only in a label without the other set of Arabic-Indic digits",
            };
            return Err(format!("{} is allowed {rule} (RFC 5892 CONTEXTO)", at(pos)));
        }
    }
    check_bidi(label)
}

/// `valid_contextj` (the unnamed-neighbour case is handled by the caller).
fn valid_contextj(label: &[u32], pos: usize) -> bool {
    if pos > 0 && prop(label[pos - 1], t::CCC) == VIRAMA {
        return true;
    }
    if label[pos] != ZWNJ {
        return false;
    }
    // Joining type L or D before (transparent ones skipped), R or D after.
    let before = first_not_transparent(label[..pos].iter().rev());
    let after = first_not_transparent(label[pos + 1..].iter());
    matches!(before, Some(joining::L | joining::D)) && matches!(after, Some(joining::R | joining::D))
}

fn first_not_transparent<'a>(chars: impl Iterator<Item = &'a u32>) -> Option<u8> {
    chars.map(|&c| prop(c, t::JOINING)).find(|&j| j != joining::T)
}

/// `valid_contexto`.
fn valid_contexto(label: &[u32], pos: usize) -> bool {
    let c = label[pos];
    match c {
        0x00B7 => pos > 0 && pos + 1 < label.len() && label[pos - 1] == 0x6C && label[pos + 1] == 0x6C,
        0x0375 => pos + 1 < label.len() && prop(label[pos + 1], t::SCRIPT) == script::GREEK,
        0x05F3 | 0x05F4 => pos > 0 && prop(label[pos - 1], t::SCRIPT) == script::HEBREW,
        0x30FB => label.iter().any(|&x| x != 0x30FB && prop(x, t::SCRIPT) == script::KANA_HAN),
        0x0660..=0x0669 => !label.iter().any(|x| (0x06F0..=0x06F9).contains(x)),
        0x06F0..=0x06F9 => !label.iter().any(|x| (0x0660..=0x0669).contains(x)),
        _ => false,
    }
}

/// `check_bidi`: RFC 5893's rules, applied when a character is R, AL or AN.
fn check_bidi(label: &[u32]) -> Result<(), String> {
    let dir = |c: u32| prop(c, t::BIDI);
    if !label.iter().any(|&c| matches!(dir(c), bidi::R | bidi::AL | bidi::AN)) {
        return Ok(());
    }
    let rtl = match dir(label[0]) {
        bidi::R | bidi::AL => true,
        bidi::L => false,
        _ => return Err(format!("the label has right-to-left characters, so it must start with a letter, not {} (Bidi rule 1)", unot(label[0]))),
    };
    let mut valid_ending = false;
    let mut number: Option<u8> = None;
    for (pos, &c) in label.iter().enumerate() {
        let d = dir(c);
        let (allowed, ending) = if rtl {
            (
                matches!(d, bidi::R | bidi::AL | bidi::AN | bidi::EN | bidi::ES | bidi::CS | bidi::ET | bidi::ON | bidi::BN | bidi::NSM),
                matches!(d, bidi::R | bidi::AL | bidi::EN | bidi::AN),
            )
        } else {
            (matches!(d, bidi::L | bidi::EN | bidi::ES | bidi::CS | bidi::ET | bidi::ON | bidi::BN | bidi::NSM), matches!(d, bidi::L | bidi::EN))
        };
        if !allowed {
            let (side, rule) = if rtl { ("right-to-left", 2) } else { ("left-to-right", 5) };
            return Err(format!("{} at position {} has a direction a {side} label may not hold (Bidi rule {rule})", unot(c), pos + 1));
        }
        if ending {
            valid_ending = true;
        } else if d != bidi::NSM {
            valid_ending = false;
        }
        if rtl && matches!(d, bidi::AN | bidi::EN) && *number.get_or_insert(d) != d {
            return Err("the label mixes European and Arabic-Indic digits in a right-to-left label (Bidi rule 4)".into());
        }
    }
    if !valid_ending {
        let rule = if rtl { "a right-to-left label must end with a letter or digit (Bidi rule 3)" } else { "a left-to-right label must end with a letter or digit (Bidi rule 6)" };
        return Err(format!("{rule}, marks aside"));
    }
    Ok(())
}

/// `unicodedata.normalize("NFC", label) == label` for a label of allowed code
/// points: canonical decomposition, canonical order, canonical composition.
/// No allowed code point is a conjoining jamo, so Hangul syllables are
/// starters that nothing composes with (the generator asserts it).
fn is_nfc(label: &[u32]) -> bool {
    let mut d = Vec::with_capacity(label.len() * 2);
    for &c in label {
        decompose(c, &mut d);
    }
    let ccc: Vec<u8> = d.iter().map(|&c| prop(c, t::CCC)).collect();
    let mut order: Vec<(u32, u8)> = d.into_iter().zip(ccc).collect();
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && order[j].1 != 0 && order[j - 1].1 > order[j].1 {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out: Vec<u32> = Vec::with_capacity(order.len());
    let mut starter: Option<usize> = None;
    let mut last: Option<u8> = None; // the class of the last character kept since the starter
    for (c, cc) in order {
        if let Some(s) = starter {
            if last.map_or(true, |l| l < cc) {
                if let Some(composite) = compose(out[s], c) {
                    out[s] = composite;
                    continue;
                }
            }
        }
        if cc == 0 {
            starter = Some(out.len());
            last = None;
        } else {
            last = Some(cc);
        }
        out.push(c);
    }
    out == label
}

fn decompose(c: u32, out: &mut Vec<u32>) {
    let composites = &tables().composites;
    match composites.binary_search_by_key(&c, |e| e.0) {
        Ok(i) => {
            let (_, first, second) = composites[i];
            decompose(first, out);
            decompose(second, out);
        }
        Err(_) => out.push(c),
    }
}

fn compose(first: u32, second: u32) -> Option<u32> {
    // The table is short: a search by the parts needs no second order of it.
    tables().composites.iter().find(|e| (e.1, e.2) == (first, second)).map(|e| e.0)
}

/// CPython 3.11's `str.lower()`: each code point's full lower case (Unicode 14),
/// and U+03A3 as final sigma when a cased letter precedes it (case-ignorable
/// ones skipped) and none follows.
fn python_lower(label: &str) -> Vec<u32> {
    let s: Vec<u32> = label.chars().map(u32::from).collect();
    let casing = |c: u32| prop(c, t::CASING);
    let mut out = Vec::with_capacity(s.len());
    for (i, &c) in s.iter().enumerate() {
        if c == 0x03A3 {
            let before = s[..i].iter().rev().map(|&x| casing(x)).find(|&k| k != casing::IGNORABLE);
            let after = s[i + 1..].iter().map(|&x| casing(x)).find(|&k| k != casing::IGNORABLE);
            out.push(if before == Some(casing::CASED) && after != Some(casing::CASED) { 0x03C2 } else { 0x03C3 });
        } else if let Some(&(_, low)) = t::LOWER_SPECIAL.iter().find(|e| e.0 == c) {
            out.extend(low.chars().map(u32::from));
        } else {
            out.push(lower_one(c));
        }
    }
    out
}

fn lower_one(c: u32) -> u32 {
    let lower = &tables().lower;
    let i = lower.partition_point(|r| r.0 <= c);
    if i == 0 {
        return c;
    }
    let (start, count, stride, delta) = lower[i - 1];
    let off = c - start;
    if off % stride == 0 && off / stride < count {
        c.wrapping_add_signed(delta)
    } else {
        c
    }
}

/// idna's class of a code point: PROPS's, except for code points with a lower
/// case of their own, which no lowered label holds (PROPS leaves their class
/// free) but a decoded `xn--` label may.
fn code_point_class(c: u32) -> u8 {
    let has_lower = lower_one(c) != c || t::LOWER_SPECIAL.iter().any(|e| e.0 == c);
    if !has_lower {
        prop(c, t::CLASS)
    } else if t::CASED_VALID.partition_point(|&f| f <= c) % 2 == 1 {
        class::PVALID
    } else {
        class::DISALLOWED
    }
}

/// One field, `(shift, bits)`, of the code point's run in PROPS.
fn prop(c: u32, (shift, bits): (u32, u32)) -> u8 {
    let run = tables().props_starts.partition_point(|&s| s <= c).max(1) - 1;
    ((t::PROPS_VALUES[usize::from(t::PROPS[run])] >> shift) & ((1 << bits) - 1)) as u8
}

/// The tables the generator writes as byte streams (LEB128), decoded on first use.
struct Tables {
    /// Where each run of PROPS starts.
    props_starts: Vec<u32>,
    /// `(start, count, stride, delta)`, by start.
    lower: Vec<(u32, u32, u32, i32)>,
    /// `(composite, first, second)`, by composite.
    composites: Vec<(u32, u32, u32)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut at = 0;
        let props_starts = std::iter::once(0).chain(varints(&t::PROPS_STARTS).map(|gap| {
            at += gap;
            at
        }));
        let mut n = varints(&t::LOWER);
        let mut start = 0;
        let lower = std::iter::from_fn(|| {
            start += n.next()?;
            Some((start, n.next()?, n.next()?, unzigzag(n.next()?)))
        });
        let mut n = varints(&t::COMPOSITES);
        let mut composite = 0;
        let composites = std::iter::from_fn(|| {
            composite += n.next()?;
            let first = composite.wrapping_add_signed(unzigzag(n.next()?));
            Some((composite, first, t::SECONDS[n.next()? as usize]))
        });
        Tables { props_starts: props_starts.collect(), lower: lower.collect(), composites: composites.collect() }
    })
}

/// The unsigned LEB128 varints of a stream, one after the other.
fn varints(bytes: &'static [u8]) -> impl Iterator<Item = u32> {
    let mut bytes = bytes.iter();
    std::iter::from_fn(move || {
        let (mut n, mut shift) = (0, 0);
        loop {
            let b = bytes.next()?;
            n |= u32::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
            shift += 7;
        }
    })
}

/// A zigzag-coded number back: 0, 1, 2, 3, ... as 0, -1, 1, -2, ...
fn unzigzag(n: u32) -> i32 {
    (n >> 1) as i32 ^ -((n & 1) as i32)
}

fn unot(c: u32) -> String {
    match char::from_u32(c) {
        Some(ch) if !ch.is_control() => format!("U+{c:04X} ({ch})"),
        _ => format!("U+{c:04X}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_lower_case() {
        let lower = |s: &str| python_lower(s).into_iter().map(|c| char::from_u32(c).unwrap()).collect::<String>();
        assert_eq!(lower("İSTANBUL"), "i\u{307}stanbul");
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        assert_eq!(lower("ΣΑ"), "σα");
        assert_eq!(lower("Σ"), "σ");
        assert_eq!(lower("ΑΣ\u{301}"), "ας\u{301}");
        assert_eq!(lower("\u{212A}"), "k");
        assert_eq!(lower("ĀāĂ"), "āāă");
        // Cherokee upper case is PVALID; its lower case is not.
        assert_eq!(lower("\u{13A0}"), "\u{AB70}");
        // U+A7DC (Unicode 16) is unknown to Python 3.11, so it stays; Rust's own lower
        // case, newer, makes it U+019B, which is PVALID and known.
        assert_eq!(lower("\u{A7DC}"), "\u{A7DC}");
        assert_eq!("\u{A7DC}".to_lowercase(), "\u{19B}");
        assert!(encode_label("\u{A7DC}").is_err());
        assert!(encode_label("\u{19B}").is_ok());
    }

    #[test]
    fn nfc() {
        let nfc = |s: &str| is_nfc(&s.chars().map(u32::from).collect::<Vec<_>>());
        assert!(nfc("bücher"));
        assert!(!nfc("bu\u{308}cher"));
        assert!(!nfc("a\u{316}\u{301}")); // a with acute, then the mark below
        assert!(nfc("\u{E1}\u{316}"));
        assert!(!nfc("a\u{301}\u{316}"));
        assert!(!nfc("\u{1E0B}\u{323}")); // d, dot above, dot below: d with dot below, dot above
        assert!(nfc("\u{1E0D}\u{307}"));
        assert!(nfc("\u{1D6}")); // u, diaeresis, macron
        assert!(nfc("한국"));
    }

    #[test]
    fn labels() {
        assert_eq!(encode_label("bücher").as_deref(), Ok("xn--bcher-kva"));
        assert_eq!(encode_label("BÜCHER").as_deref(), Ok("xn--bcher-kva"));
        assert_eq!(encode_label("l·l").as_deref(), Ok("xn--ll-0ea"));
        assert!(encode_label("a·l").is_err());
        assert_eq!(encode_label("\u{212A}").as_deref(), Ok("k"));
        assert!(encode_label("\u{212A}_").is_err());
        assert_eq!(encode_label("xn--bcher-\u{212A}va").as_deref(), Ok("xn--bcher-kva"));
        let err = encode_label("bü€").unwrap_err();
        assert!(err.contains("U+20AC"), "{err}");
        // `_combining_class` raises beside a joiner on a code point without a name (Tangut).
        let err = encode_label("\u{17000}\u{200C}").unwrap_err();
        assert!(err.contains("no name"), "{err}");
    }
}
