//! The bytes of CPython's `json.dumps(obj, allow_nan=False)`, which is what
//! Label Studio's `requests.post(json=...)` puts on the wire.
//!
//! - separators `", "` and `": "`, no other whitespace;
//! - `ensure_ascii`: everything outside `' '..='~'` is escaped, with the short
//!   forms `\" \\ \n \r \t \b \f` and otherwise lowercase `\uXXXX` (astral
//!   characters as a surrogate pair, lone surrogates as themselves);
//! - ints verbatim at any size (CPython refuses more than 4300 digits);
//! - floats as `repr()`: shortest round-trip digits, `1.0`, `1e-07`, `1e+16`;
//!   NaN and infinities are refused (`allow_nan=False`).
//!
//! Output is always ASCII. [`transcode`] re-emits a JSON value read by
//! [`crate::json::reader`] in this format without building a tree, with Python's
//! dict semantics for duplicate keys (first position, last value).

#[cfg(any(test, all(target_arch = "wasm32", feature = "size")))]
mod host_floats;
mod numbers;
mod strings;
mod transcode;

pub use numbers::{parse_float, write_float_text, write_int_text, write_number};
#[cfg(any(test, target_arch = "wasm32"))]
pub use numbers::write_float;
#[cfg(test)]
use numbers::is_own_repr;
pub use strings::{write_str, write_string_body};
pub use transcode::transcode;

use crate::json::reader::{Doc, Value};
use strings::*;

/// CPython's default `sys.int_info.default_max_str_digits`.
pub const MAX_INT_DIGITS: usize = 4300;

/// The most bytes the Python form can take for one byte of JSON text: ASCII
/// stays one byte (escapes in the text are already as long as Python's), a
/// character outside ASCII becomes `\uXXXX` (a surrogate pair for four UTF-8
/// bytes, counted on its lead byte), DEL becomes `\u007f`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the memory budget, for wasm
pub const fn max_python_bytes(b: u8) -> u64 {
    match b {
        0x00..=0x7e => 1,
        0x7f => 6,
        0x80..=0xbf => 0,
        0xc0..=0xef => 6,
        _ => 12,
    }
}

/// `json.dumps`'s separators with `indent=None`: between items, and after a key.
pub const ITEM_SEPARATOR: &[u8] = b", ";
pub const KEY_SEPARATOR: &[u8] = b": ";

/// The separator before item `n` of a list or dict (none before the first).
#[inline]
pub fn item_separator(out: &mut Vec<u8>, n: usize) {
    if n > 0 {
        out.extend_from_slice(ITEM_SEPARATOR);
    }
}

/// Item `n` of a dict up to its value: the separator, the rendered key, `": "`.
#[inline]
pub fn write_key(out: &mut Vec<u8>, n: usize, rendered_key: &[u8]) {
    item_separator(out, n);
    out.extend_from_slice(rendered_key);
    out.extend_from_slice(KEY_SEPARATOR);
}

/// `[a, b, ...]`, each item written by `item`.
#[inline]
pub fn write_list<T, E>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, usize, T) -> Result<(), E>,
) -> Result<(), E> {
    out.push(b'[');
    for (n, x) in items.into_iter().enumerate() {
        item_separator(out, n);
        item(out, n, x)?;
    }
    out.push(b']');
    Ok(())
}

/// `d[key] = value` on a dict kept as a list: an existing key keeps its
/// first position and takes the new value (and, for case-insensitive keys,
/// the new spelling); a new key goes last. `same` says when keys match.
pub fn dict_update<K, V>(entries: &mut Vec<(K, V)>, key: K, value: V, same: impl Fn(&K, &K) -> bool) {
    match entries.iter_mut().find(|(k, _)| same(k, &key)) {
        Some(slot) => *slot = (key, value),
        None => entries.push((key, value)),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteError {
    /// NaN, an infinity, or a literal too large for a double (`1e400`).
    NonFinite { offset: Option<usize> },
    /// An int literal past CPython's 4300-digit conversion limit.
    IntTooLong { offset: Option<usize> },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NonFinite { .. } => {
                f.write_str("out of range float value (NaN or Infinity) is not JSON compliant; Python's json.dumps(allow_nan=False) refuses it")
            }
            WriteError::IntTooLong { .. } => {
                write!(f, "integer has more than {MAX_INT_DIGITS} digits; Python refuses to convert it")
            }
        }
    }
}

/// An object's entries as a Python dict holds them: each key (rendered) at
/// its first position with its last value. Rendered keys compare exactly:
/// ensure_ascii is injective on code units, so "\u0061" and "a" collide
/// while two different lone surrogates do not.
pub fn dict_entries<'d>(obj: Value<'d>) -> Vec<(Vec<u8>, Value<'d>)> {
    let mut entries: Vec<(Vec<u8>, Value<'d>)> = Vec::new();
    for (raw_key, v) in obj.raw_entries().into_iter().flatten() {
        let mut rendered = Vec::with_capacity(raw_key.len() + 2);
        write_string_body(&mut rendered, raw_key);
        dict_update(&mut entries, rendered, v, PartialEq::eq);
    }
    entries
}

/// Writes `{"k": v, ...}` from rendered keys and values still to transcode.
pub fn write_dict(out: &mut Vec<u8>, entries: &[(Vec<u8>, Value<'_>)]) -> Result<(), WriteError> {
    out.push(b'{');
    for (n, (k, v)) in entries.iter().enumerate() {
        write_key(out, n, k);
        transcode(out, *v)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_object_dedup(out: &mut Vec<u8>, obj: Value<'_>) -> Result<(), WriteError> {
    write_dict(out, &dict_entries(obj))
}

/// Convenience for tests and callers with a whole document.
pub fn dumps(json: &str) -> Result<String, String> {
    // json.loads refuses a byte order mark, which the reader would skip.
    if json.starts_with('\u{feff}') {
        return Err("Unexpected UTF-8 BOM (decode using utf-8-sig)".into());
    }
    let doc = Doc::parse(json).map_err(|e| e.message)?;
    let mut out = Vec::new();
    transcode(&mut out, doc.root()).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, RngCore, SeedableRng};

    fn f(x: f64) -> String {
        let mut v = Vec::new();
        write_float(&mut v, x).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn float_repr_matches_python() {
        for (x, s) in [
            (1.0, "1.0"), (0.1, "0.1"), (1e-7, "1e-07"), (1e16, "1e+16"), (-0.0, "-0.0"), (12.5, "12.5"),
            (0.0, "0.0"), (1e15, "1000000000000000.0"), (1234567890123456.7, "1234567890123456.8"),
            (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e300, "1.5e+300"), (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (123456789.0, "123456789.0"),
            (-2.5e-5, "-2.5e-05"), (9007199254740993.0, "9007199254740992.0"), (1e22, "1e+22"),
            (0.30000000000000004, "0.30000000000000004"), (100.0, "100.0"),
        ] {
            assert_eq!(f(x), s, "{x:?}");
        }
        assert!(write_float(&mut Vec::new(), f64::NAN).is_err());
        assert!(write_float(&mut Vec::new(), f64::INFINITY).is_err());
    }

    #[test]
    fn float_literals_take_the_shortcut_only_when_repr_agrees() {
        // Expected outputs are CPython's json.dumps(json.loads(text)).
        for (text, want) in [
            ("1.50", "1.5"), ("0.00001", "1e-05"), ("0.0001", "0.0001"), ("1234567890123456.0", "1234567890123456.0"),
            ("123456789012345.0", "123456789012345.0"), ("0.1", "0.1"), ("-0.0", "-0.0"), ("100.0", "100.0"),
            ("0.000", "0.0"), ("12345678901234.5", "12345678901234.5"), ("0.30000000000000004", "0.30000000000000004"),
            ("1.234567890123456", "1.234567890123456"), ("10.10", "10.1"), ("5.0e1", "50.0"), ("1", "1.0"),
        ] {
            let mut v = Vec::new();
            write_float_text(&mut v, text).unwrap();
            assert_eq!(String::from_utf8(v).unwrap(), want, "{text}");
        }
        // The shortcut never disagrees with the full path (checked against CPython above and in
        // tests/python_differential.rs), over many decimal shapes.
        let mut rng = SmallRng::seed_from_u64(0x2545_f491_4f6c_dd1du64);
        let mut next = move || rng.next_u64();
        let mut hits = 0;
        for _ in 0..200_000 {
            let r = next();
            let int_len = (r % 17) as usize;
            let frac_len = 1 + (r >> 8) as usize % 18;
            let digits: String = (0..int_len + frac_len).map(|k| (b'0' + ((next() >> (k % 7)) % 10) as u8) as char).collect();
            let int = if int_len == 0 || digits.starts_with('0') { "0" } else { &digits[..int_len] };
            let text = format!("{}{}.{}", if r & 1 << 40 != 0 { "-" } else { "" }, int, &digits[int_len..]);
            if is_own_repr(text.as_bytes()) {
                let mut slow = Vec::new();
                write_float(&mut slow, parse_float(&text).unwrap()).unwrap();
                assert_eq!(String::from_utf8(slow).unwrap(), text);
                hits += 1;
            }
        }
        assert!(hits > 20_000, "the generator should mostly make shortcut shapes: {hits}");
    }

    #[test]
    fn plain_run_stops_at_the_first_special_byte_in_any_position() {
        // Pairs of bytes, so that a borrow from a true match could flag the next byte.
        let set = [0x00, 0x01, 0x1f, 0x20, 0x21, b'"', 0x23, 0x5b, b'\\', 0x5d, 0x7e, 0x7f, 0x80, 0xa0, 0xc3, 0xff, b'a'];
        let plain = |c: u8| c < 0x80 && ASCII_ESCAPE[c as usize] == 0;
        for len in 0..19 {
            for p in 0..len {
                for q in p..len {
                    for &x in &set {
                        for &y in &set {
                            let mut b = vec![b'a'; len];
                            b[p] = x;
                            b[q] = y;
                            for start in 0..=len {
                                let want = (start..len).find(|&k| !plain(b[k])).unwrap_or(len);
                                assert_eq!(plain_run(&b, start), want, "{b:?} from {start}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn unicode_escapes_are_copied_only_when_already_in_python_form() {
        for (body, want) in [
            (r"\u00e9", r"\u00e9"), (r"\u00E9", r"\u00e9"), (r"\u0080", r"\u0080"), (r"\u007f", r"\u007f"),
            (r"\u007F", r"\u007f"), (r"\u0041", "A"), (r"\u001f", r"\u001f"), (r"\u001F", r"\u001f"),
            (r"\u000a", r"\n"), (r"\u000A", r"\n"), (r"\u005c", r"\\"), (r"\u005C", r"\\"), (r"\u0022", r#"\""#),
            (r"\u002F", "/"), (r"\u0000", r"\u0000"), (r"\uD83D\uDE00", r"\ud83d\ude00"), (r"\ud83d\ude00", r"\ud83d\ude00"),
            (r"\uFFFF", r"\uffff"), (r"\uffff", r"\uffff"), (r"\u00fF", r"\u00ff"), (r"\u0Abc", r"\u0abc"),
            (r"\u07ff", r"\u07ff"), (r"\u0100", r"\u0100"), (r"\u1000", r"\u1000"), (r"\u0800x", r"\u0800x"),
        ] {
            let mut got = Vec::new();
            write_string_body(&mut got, body);
            assert_eq!(String::from_utf8(got).unwrap(), format!("\"{want}\""), "{body}");
            assert_eq!(dumps(&format!("[\"{body}\"]")).unwrap(), format!("[\"{want}\"]"), "{body}");
        }
        // Every unit in both cases, against the reference (a surrogate stays as it is, lowercase).
        for unit in 0..=0xffffu32 {
            let want = match char::from_u32(unit) {
                Some(c) => {
                    let quoted = ensure_ascii_reference(&c.to_string());
                    quoted[1..quoted.len() - 1].to_string()
                }
                None => format!("\\u{unit:04x}"),
            };
            for body in [format!("\\u{unit:04x}"), format!("\\u{unit:04X}")] {
                let mut got = Vec::new();
                write_escape(&mut got, body.as_bytes(), 0);
                assert_eq!(String::from_utf8(got).unwrap(), want, "{body}");
            }
        }
    }

    /// `json.dumps(s)` spelled out one char at a time.
    fn ensure_ascii_reference(s: &str) -> String {
        let mut r = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => r += "\\\"",
                '\\' => r += "\\\\",
                '\n' => r += "\\n",
                '\r' => r += "\\r",
                '\t' => r += "\\t",
                '\u{8}' => r += "\\b",
                '\u{c}' => r += "\\f",
                ' '..='~' => r.push(c),
                _ => {
                    for u in c.encode_utf16(&mut [0; 2]) {
                        r += &format!("\\u{u:04x}");
                    }
                }
            }
        }
        r + "\""
    }

    #[test]
    fn write_str_escapes_at_every_position() {
        for len in 0..20 {
            for pos in 0..len {
                for c in ['\0', '\u{1f}', '\n', '"', '\\', '\u{7f}', '\u{80}', 'é', '東', '😀', '~'] {
                    for d in ['a', '\u{1}', 'é'] {
                        let s: String = (0..len).map(|k| if k == pos { c } else if k == len - 1 { d } else { 'a' }).collect();
                        let mut got = Vec::new();
                        write_str(&mut got, &s);
                        assert_eq!(String::from_utf8(got).unwrap(), ensure_ascii_reference(&s), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn string_literals_end_where_they_should() {
        // Escapes and special bytes at every offset of a word, strings ending at every offset
        // and at the end of the input, against a char-by-char reference.
        let pieces = [
            "a", " ", "~", "\\\"", "\\\\", "\\/", "\\n", "\\u00e9", "\\u00E9", "\\u0041", "\\u001f", "\\u007f",
            "\\u0080", "\\u07ff", "\\uffff", "\\uFFFF", "\\ud83d\\ude00", "\u{7f}", "\u{80}", "é", "東", "😀", "\\u005c",
        ];
        let mut rng = SmallRng::seed_from_u64(0x9e37_79b9_7f4a_7c15u64);
        for n in 0..3000 {
            let seed = rng.next_u64();
            let mut r = seed;
            let body: String = (0..n % 23).map(|_| {
                let p = pieces[(r % pieces.len() as u64) as usize];
                r = (r / pieces.len() as u64) ^ r.rotate_left(29);
                p
            }).collect();
            let decoded: String = serde_json::from_str(&format!("\"{body}\"")).unwrap();
            let want = ensure_ascii_reference(&decoded);
            let mut direct = Vec::new();
            write_str(&mut direct, &decoded);
            assert_eq!(String::from_utf8(direct).unwrap(), want, "{body}");
            let mut got = Vec::new();
            write_string_body(&mut got, &body);
            assert_eq!(String::from_utf8(got).unwrap(), want, "{body}");
            assert_eq!(dumps(&format!("\"{body}\"")).unwrap(), want, "{body}");
            assert_eq!(dumps(&format!("[\"{body}\",\"{body}\"]")).unwrap(), format!("[{want}, {want}]"), "{body}");
            assert_eq!(dumps(&format!("{{\"{body}\":\"{body}x\"}}")).unwrap()[1..want.len() + 1], want, "{body}");
        }
    }

    #[test]
    fn copy_run_appends_exactly_the_run() {
        let b: Vec<u8> = (0..40u8).map(|k| b'A' + k).collect();
        for len in 0..=b.len() {
            for i in 0..=len {
                for end in i..=len {
                    let mut out = b"xyz".to_vec();
                    copy_run(&mut out, &b[..len], i, end);
                    assert_eq!(out[3..], b[i..end], "{len} {i} {end}");
                    assert_eq!(&out[..3], b"xyz");
                }
            }
        }
    }

    #[test]
    fn strings_match_ensure_ascii() {
        let mut v = Vec::new();
        write_str(&mut v, "a\"b\\c/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é\u{2028}😀~");
        assert_eq!(
            String::from_utf8(v).unwrap(),
            r#""a\"b\\c/\n\r\t\b\f\u0001\u001f\u007f \u00e9\u2028\ud83d\ude00~""#
        );
    }

    #[test]
    fn transcodes_documents() {
        for (input, want) in [
            (r#"{"a":1,"b":[1.0,-0,-0.0,1E5,"\u00E9\/\u0041\u007f"],"c":{},"d":[]}"#,
             r#"{"a": 1, "b": [1.0, 0, -0.0, 100000.0, "\u00e9/A\u007f"], "c": {}, "d": []}"#),
            (r#" [ 9007199254740993 , 8755930484223552274, 1e-7, 1e400000000000000000000 ] "#, ""),
            (r#""\ud83d\ude00 \ud800 é 😀""#, r#""\ud83d\ude00 \ud800 \u00e9 \ud83d\ude00""#),
            (r#"{"a": 1, "b": 2, "a": {"x": 1, "x": 2}}"#, r#"{"a": {"x": 2}, "b": 2}"#),
            (r#"{"\u0061": 1, "a": 2}"#, r#"{"a": 2}"#),
            (r#"{"\ud800": 1, "\udc00": 2}"#, r#"{"\ud800": 1, "\udc00": 2}"#),
            (r#"[{"k": [{"z": 1, "z": [true, false, null]}], "k": 3}, {"k": 1}]"#, r#"[{"k": 3}, {"k": 1}]"#),
            ("[1 ,2, 3,  4,\n5 , \"a\"]", r#"[1, 2, 3, 4, 5, "a"]"#),
            ("{\"a\" :1,\"b\": 2,\"c\":  3, \"d\":\t4 ,  \"e\" : \" \"}", r#"{"a": 1, "b": 2, "c": 3, "d": 4, "e": " "}"#),
        ] {
            match dumps(input) {
                Ok(got) => assert_eq!(got, want, "{input}"),
                Err(e) => assert_eq!(want, "", "{input}: {e}"),
            }
        }
        assert_eq!(dumps("[9007199254740993, 8755930484223552274]").unwrap(), "[9007199254740993, 8755930484223552274]");
        assert!(dumps(&format!("[{}]", "9".repeat(4301))).is_err());
        assert!(dumps(&format!("[{}]", "9".repeat(4300))).is_ok());
    }
}

