//! A lazy, validating JSON reader over borrowed text.
//!
//! The event is read once, strictly (RFC 8259), and every object and array is
//! recorded on a "tape" as `(start, end, descendants)`. Later walks over an
//! object's entries jump over nested containers in O(1) instead of rescanning
//! them, and JSON-valued fields (task `data`, annotation `result`, ...) stay as
//! slices of the input until the Python writer transcodes them.
//!
//! The containers near the root (the event, its lists, the rows in them and
//! the rows' fields: depth up to [`RECORD_DEPTH`]) also record where each of
//! their children starts and ends, 8 bytes a child. Walking a row's entries,
//! which the renderer does for every row, then reads no text at all: keys are
//! matched backwards from their closing quote, right before the value. Deeper
//! containers (the inside of `data`) are only ever transcoded whole, so they
//! are walked by scanning, which costs no memory.
//!
//! Numbers keep their text, so ints of any size and the int/float distinction
//! survive exactly as Python's `json.loads` would see them.

mod parser;
mod strings;
mod value;

pub use strings::decode_string_body;
pub use value::Key;

use crate::json::chunked::Chunked;
use parser::parse_bytes;
use std::borrow::Cow;

/// Deepest nesting accepted. CPython's encoder gives up (RecursionError) well
/// before this in a real server, so nothing Label Studio could send is refused.
pub const MAX_DEPTH: usize = 1000;

/// Containers at this depth or shallower (the root is 0) record their children.
pub const RECORD_DEPTH: usize = 3;

/// Marks a container whose children are not recorded.
const UNRECORDED: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Container {
    start: u32,
    end: u32,
    descendants: u32,
    /// Index of its first child in `Doc::children`, or `UNRECORDED`.
    first: u32,
    len: u32,
}

/// Where one recorded child value lies in the text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

/// A parsed document: the text, its container tape and the recorded children.
#[derive(Debug)]
pub struct Doc<'a> {
    src: Cow<'a, str>,
    tape: Vec<Container>,
    children: Chunked<Span>,
    /// Bytes the Python form adds to the whole text, at most: see [`Doc::python_size_hint`].
    growth: usize,
    /// Whether some object key starts with `$`: see [`Doc::has_dollar_keys`].
    dollar_keys: bool,
}

/// Where and why the text is not JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Path of the value being read when the error was found, e.g. `instance[3].data`.
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// One value of a [`Doc`]: its exact text, and its tape slot if a container.
#[derive(Debug, Clone, Copy)]
pub struct Value<'d> {
    doc: &'d Doc<'d>,
    /// Where the value starts (the low 32 bits) and, above them, where it ends or, for a
    /// container, its tape slot (where the tape has its end). Two scalars, so a value moves
    /// in two registers: as three `u32` fields it was copied through memory in pieces of
    /// other widths than it was written in, and each such load waited for the stores.
    at: u64,
}

impl<'d> Value<'d> {
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn new(doc: &'d Doc<'d>, start: usize, end: usize, slot: usize) -> Value<'d> {
        let container = matches!(doc.src.as_bytes().get(start), Some(b'{' | b'['));
        Value { doc, at: start as u64 | ((if container { slot } else { end }) as u64) << 32 }
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn start(&self) -> usize {
        self.at as u32 as usize
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn is_container(&self) -> bool {
        matches!(self.doc.src.as_bytes()[self.start()], b'{' | b'[')
    }

    /// Its tape slot (a container's; 0 otherwise).
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn slot(&self) -> usize {
        if self.is_container() { (self.at >> 32) as usize } else { 0 }
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn end(&self) -> usize {
        let x = (self.at >> 32) as usize;
        if self.is_container() { self.doc.tape[x].end as usize } else { x }
    }
}

/// A number's text and whether Python would read it as an `int`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number<'a> {
    pub text: &'a str,
    pub is_int: bool,
}

pub(super) const WS: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// How many bytes ensure_ascii adds for the UTF-8 sequence a lead byte
/// starts: 2 bytes become `\u00e9` (+4), 3 become `\u65e5` (+3), 4 become a
/// surrogate pair of 12 (+8). Continuation bytes add nothing.
const ESCAPED_GROWTH: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0xc0;
    while i < 0x100 {
        t[i] = if i < 0xe0 { 4 } else if i < 0xf0 { 3 } else { 8 };
        i += 1;
    }
    t
};


/// Why bytes are not a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Not UTF-8 (reported first, whatever else is wrong), at the first
    /// offending byte, with its line and column.
    Utf8(SyntaxError),
    Syntax(SyntaxError),
}

/// What a successful read leaves besides the text.
struct Parsed {
    tape: Vec<Container>,
    children: Chunked<Span>,
    growth: usize,
    dollar_keys: bool,
}


impl<'a> Doc<'a> {
    /// Reads `src` (borrowed or owned) as one JSON value (surrounding whitespace allowed).
    pub fn parse(src: impl Into<Cow<'a, str>>) -> Result<Doc<'a>, SyntaxError> {
        let src = src.into();
        let Parsed { tape, children, growth, dollar_keys } = parse_bytes(src.as_bytes(), false)?;
        Ok(Doc { src, tape, children, growth, dollar_keys })
    }

    /// As [`Doc::parse`], from bytes that may not be UTF-8. The check rides
    /// on the read: bytes of 0x80 and above can only be inside strings, where
    /// the string scan stops on them and validates each run; a pass of
    /// `from_utf8` over the whole text is only made to report an error.
    pub fn parse_utf8(src: impl Into<Cow<'a, [u8]>>) -> Result<Doc<'a>, ReadError> {
        let src = src.into();
        let Parsed { tape, children, growth, dollar_keys } = parse_bytes(&src, true).map_err(|e| match std::str::from_utf8(&src) {
            Err(u) => ReadError::Utf8(utf8_error(&src, u)),
            Ok(_) => ReadError::Syntax(e),
        })?;
        // SAFETY: the read succeeded with `check_utf8`, so every run of bytes
        // >= 0x80 passed `from_utf8`, and such bytes occur nowhere else (the
        // grammar only admits them inside strings). ASCII bytes are UTF-8 by
        // themselves and a multi-byte sequence never contains one, so the
        // whole text, runs and ASCII bytes together, is valid UTF-8.
        let src = match src {
            Cow::Borrowed(b) => Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) }),
            Cow::Owned(v) => Cow::Owned(unsafe { String::from_utf8_unchecked(v) }),
        };
        debug_assert!(std::str::from_utf8(src.as_bytes()).is_ok());
        Ok(Doc { src, tape, children, growth, dollar_keys })
    }

    pub fn root(&self) -> Value<'_> {
        let b = self.src.as_bytes();
        let mut start = if b.starts_with(parser::BOM) { parser::BOM.len() } else { 0 };
        while start < b.len() && WS[b[start] as usize] {
            start += 1;
        }
        let mut end = b.len();
        while end > start && WS[b[end - 1] as usize] {
            end -= 1;
        }
        Value::new(self, start, end, 0)
    }

    /// Whether some object key, decoded, starts with `$` (Label Studio's
    /// `$undefined$` placeholder is one): when none does, callers need not
    /// look for such keys row by row.
    pub fn has_dollar_keys(&self) -> bool {
        self.dollar_keys
    }

    /// About how long `len` bytes of this text get in `json.dumps` form, so
    /// a body can be allocated once at nearly its size (wasm memory never
    /// shrinks: an over-allocation, or a Vec doubling, stays the peak).
    /// ensure_ascii writes each non-ASCII character as one or two `\uXXXX`
    /// (see `ESCAPED_GROWTH`), and `,` or `:` gain a space where they have
    /// none; both are counted while reading and shared out pro rata.
    pub fn python_size_hint(&self, len: usize) -> usize {
        let total = self.src.len().max(1);
        len + (self.growth as u128 * len as u128 / total as u128) as usize
    }

    /// The container that starts at byte `offset`, if any.
    pub fn container_at(&self, offset: usize) -> Option<Value<'_>> {
        let slot = self.tape.binary_search_by_key(&(offset as u32), |c| c.start).ok()?;
        let c = self.tape[slot];
        Some(Value::new(self, c.start as usize, c.end as usize, slot))
    }
}

fn utf8_error(src: &[u8], e: std::str::Utf8Error) -> SyntaxError {
    error_at(src, e.valid_up_to(), "not valid UTF-8".into(), String::new())
}

fn error_at(src: &[u8], offset: usize, message: String, path: String) -> SyntaxError {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Columns count characters, as a person reading the text would.
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    SyntaxError { offset, line, column, message, path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, RngCore, SeedableRng};

    fn parse(s: &str) -> Doc<'_> {
        Doc::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn accepts_valid_json() {
        for s in [
            "null", " true ", "false", "0", "-0", "1.5e+10", "-12E-3", r#""a\"b\\c\/\u00e9\ud83d\ude00""#,
            "[]", "{}", "[1,[2,[3]],{\"a\":{}}]", " {\"a\" : [ 1 , 2 ] , \"b\":null} ",
        ] {
            parse(s);
        }
    }

    #[test]
    fn rejects_invalid_json_with_position_and_path() {
        for (s, path) in [
            ("", ""), ("[1,]", "[1]"), ("{\"a\":1,}", "a"), ("01", ""), ("1.", ""), ("1e", ""), ("-", ""),
            ("[1 2]", "[0]"), ("\"a\nb\"", ""), ("\"\\x\"", ""), ("\"\\u12g4\"", ""), ("{\"a\" 1}", "a"),
            ("{1:2}", ""), ("nul", ""), ("[1]x", ""), ("NaN", ""), ("{\"a\":[{\"b\":tru}]}", "a[0].b"),
            ("\"abc", ""), ("[", "[0]"),
        ] {
            let e = Doc::parse(s).expect_err(s);
            assert_eq!(e.path, path, "{s}: {e:?}");
        }
        let e = Doc::parse("{\n  \"a\": x}").unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (2, 8, 9));
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(Doc::parse(&deep).unwrap_err().message.contains("nesting"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        parse(&ok);
    }

    #[test]
    fn walks_entries_and_jumps_containers() {
        let d = parse(r#" {"a": {"x": [1, {"y": 2}]}, "b" : "s\"}", "c": [ ], "d": -1.5e3, "a": 7} "#);
        let root = d.root();
        let keys: Vec<_> = root.entries().unwrap().map(|(k, v)| (k.into_owned(), v.text())).collect();
        assert_eq!(
            keys,
            vec![
                ("a".into(), r#"{"x": [1, {"y": 2}]}"#),
                ("b".into(), r#""s\"}""#),
                ("c".into(), "[ ]"),
                ("d".into(), "-1.5e3"),
                ("a".into(), "7"),
            ]
        );
        assert_eq!(root.get("a").unwrap().text(), "7");
        let first_a = root.entries().unwrap().next().unwrap().1;
        let inner = first_a.get("x").unwrap();
        let elems: Vec<_> = inner.elements().unwrap().map(|v| v.text()).collect();
        assert_eq!(elems, vec!["1", r#"{"y": 2}"#]);
        assert_eq!(inner.elements().unwrap().nth(1).unwrap().get("y").unwrap().text(), "2");
        assert!(root.get("c").unwrap().is_empty());
        assert_eq!(root.get("c").unwrap().len(), 0);
        assert_eq!(root.get("d").unwrap().as_number(), Some(Number { text: "-1.5e3", is_int: false }));
        assert_eq!(root.get("b").unwrap().as_str().unwrap(), "s\"}");
    }

    #[test]
    fn recorded_and_scanned_walks_agree() {
        // The same object at every depth: recorded children down to RECORD_DEPTH,
        // scanned below it. Keys with escaped quotes and backslashes, odd spacing.
        let obj = r#"{ "a" :1,"b\"":"x\"y" ,  "c\\" : [1, {"d": 2}, [3]], "\"" : {}, "\\\"e\"" :	null, "": "", "a": true }"#;
        let mut want: Option<Vec<(String, String, Vec<String>)>> = None;
        for depth in 0..=RECORD_DEPTH + 2 {
            let text = format!("{}{obj}{}", "[".repeat(depth), "]".repeat(depth));
            let d = parse(&text);
            let mut v = d.root();
            for _ in 0..depth {
                v = v.elements().unwrap().next().unwrap();
            }
            let recorded = d.tape[v.slot()].first != UNRECORDED;
            assert_eq!(recorded, depth <= RECORD_DEPTH, "depth {depth}");
            let got: Vec<_> = v
                .raw_entries()
                .unwrap()
                .map(|(k, v)| (k.to_string(), v.text().to_string(), v.elements().map(|e| e.map(|x| x.text().to_string()).collect()).unwrap_or_default()))
                .collect();
            let keyed: Vec<_> = v.keyed_entries().unwrap().map(|(k, _)| k.raw().to_string()).collect();
            assert_eq!(keyed, got.iter().map(|g| g.0.clone()).collect::<Vec<_>>());
            // entries_into: each entry in the slot its key names, the last of a name winning.
            let names = ["a", "b\\\"", "c\\\\", "\\\"", ""];
            let mut slots = vec![None; names.len()];
            v.entries_into(&mut slots, |k| names.iter().position(|n| k.raw() == *n));
            let in_slots: Vec<_> = names.iter().map(|n| got.iter().rev().find(|g| g.0 == *n).map(|g| g.1.clone())).collect();
            assert_eq!(slots.iter().map(|s| s.map(|x: Value| x.text().to_string())).collect::<Vec<_>>(), in_slots, "depth {depth}");
            let c = slots[2].unwrap().elements().unwrap().nth(1).unwrap();
            assert_eq!(c.get("d").unwrap().text(), "2", "a container's slot is kept");
            for (k, _) in v.keyed_entries().unwrap() {
                for name in ["a", "", "x", "aa"] {
                    assert_eq!(k.is(name), k.raw() == name, "{:?} is {name:?} at depth {depth}", k.raw());
                }
            }
            assert_eq!(v.get("a").unwrap().text(), "true");
            assert_eq!(v.get("b\"").unwrap().text(), r#""x\"y""#);
            assert_eq!(v.get("c\\").unwrap().elements().unwrap().nth(1).unwrap().get("d").unwrap().text(), "2");
            assert_eq!(v.len(), 7);
            match &want {
                None => want = Some(got),
                Some(w) => assert_eq!(&got, w, "depth {depth}"),
            }
        }
        assert_eq!(want.unwrap()[1].0, r#"b\""#);
    }

    /// `parse_utf8` must agree with "from_utf8, then parse" on every input.
    fn check_utf8_agrees(bytes: &[u8]) {
        let want = match std::str::from_utf8(bytes) {
            Err(e) => Err(ReadError::Utf8(utf8_error(bytes, e))),
            Ok(text) => Doc::parse(text).map(|d| (d.tape.len(), d.children.len(), d.growth)).map_err(ReadError::Syntax),
        };
        let got = Doc::parse_utf8(bytes).map(|d| (d.tape.len(), d.children.len(), d.growth));
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(bytes));
    }

    #[test]
    fn utf8_is_checked_while_reading() {
        let mut cases: Vec<Vec<u8>> = vec![
            "[\"é\", \"日本\", \"😀\", \"aé\", \"abcdefgé\", \"abcdefghé\"]".into(),
            "é".into(), "[1, é]".into(), "{\"é\": 1}".into(), "\"é".into(),
            b"[\"\xc3\"]".to_vec(), b"[\"\xc3\x28\"]".to_vec(), b"[\"\xed\xa0\x80\"]".to_vec(),
            b"[\"\xc0\xaf\"]".to_vec(), b"[\"\xf4\x90\x80\x80\"]".to_vec(), b"[\"abcdefgh\xff\"]".to_vec(),
            b"[1,, \"\xff\"]".to_vec(), b"[\"\xff\" 1]".to_vec(), b"\xef\xbb\xbf[]".to_vec(),
        ];
        // Every split of multi-byte text around the 8-byte words and the end of input.
        for pad in 0..10 {
            for ch in ["é", "日", "😀"] {
                let a = "a".repeat(pad);
                cases.push(format!("\"{a}{ch}\"").into_bytes());
                cases.push(format!("[\"{a}{ch}{a}{ch}\"]").into_bytes());
                let mut cut = format!("[\"{a}{ch}\"]").into_bytes();
                cut.remove(2 + pad + 1); // a broken sequence
                cases.push(cut);
            }
        }
        for c in &cases {
            check_utf8_agrees(c);
        }
        // Random bytes spliced into a valid document.
        let base = "{\"a\": [\"xé日😀\", 1, {\"b\": \"long enough to span words\"}], \"c\": \"d\"}".as_bytes().to_vec();
        let mut rng = SmallRng::seed_from_u64(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..20_000 {
            let seed = rng.next_u64();
            let mut b = base.clone();
            let at = (seed as usize) % b.len();
            let byte = [0x80u8, 0xbf, 0xc3, 0xe6, 0xf0, 0xff, b'"', b'\\', 0xed][(seed >> 20) as usize % 9];
            if seed >> 40 & 1 == 0 {
                b[at] = byte;
            } else {
                b.insert(at, byte);
            }
            check_utf8_agrees(&b);
        }
    }

    #[test]
    fn size_hint_is_exact_for_strings_and_separators() {
        for text in [r#"["é", "日本語", "😀x"]"#, r#"{"a":"é","b":[1,2]}"#, r#"["plain", 1, "ascii"]"#] {
            let d = Doc::parse_utf8(text.as_bytes()).unwrap();
            let python = crate::json::pyjson::dumps(text).unwrap();
            assert_eq!(d.python_size_hint(text.len()), python.len(), "{text}");
        }
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(decode_string_body(r"a\n\t\u00e9\ud83d\ude00\/"), "a\n\té😀/");
        assert_eq!(decode_string_body(r"\ud800x"), "\u{FFFD}x");
    }
}

