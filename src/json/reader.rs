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

use crate::json::chunked::Chunked;
use crate::json::swar;
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
    start: u32,
    end: u32,
    slot: u32,
}

/// A number's text and whether Python would read it as an `int`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number<'a> {
    pub text: &'a str,
    pub is_int: bool,
}

const WS: [bool; 256] = {
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


enum Frame {
    Object { slot: usize, key: (u32, u32) },
    Array { slot: usize, index: usize },
}

struct Parser<'a> {
    src: &'a [u8],
    /// Whether runs of non-ASCII bytes in strings must be checked as UTF-8.
    check_utf8: bool,
    pos: usize,
    tape: Vec<Container>,
    stack: Vec<Frame>,
    /// Children of the open recorded containers, innermost last; each one's
    /// run moves to `children` when it closes, so a container's children
    /// end up contiguous.
    pending: Vec<Span>,
    /// Where each open container's run starts in `pending` (`UNRECORDED` if it records none).
    pending_from: Vec<u32>,
    children: Chunked<Span>,
    /// What ensure_ascii adds to the strings' non-ASCII characters, and how
    /// many `,` or `:` have no space after them.
    escape_growth: usize,
    tight: usize,
    /// Whether the last string read had an escape, and whether a key began with `$`.
    escaped: bool,
    dollar_keys: bool,
}

/// Why bytes are not a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Not UTF-8 (reported first, whatever else is wrong).
    Utf8(std::str::Utf8Error),
    Syntax(SyntaxError),
}

/// What a successful read leaves besides the text.
struct Parsed {
    tape: Vec<Container>,
    children: Chunked<Span>,
    growth: usize,
    dollar_keys: bool,
}

fn parse_bytes(src: &[u8], check_utf8: bool) -> Result<Parsed, SyntaxError> {
    if src.len() >= u32::MAX as usize {
        return Err(error_at(src, 0, "document is larger than 4 GiB".into(), String::new()));
    }
    let mut p = Parser {
        src,
        check_utf8,
        pos: 0,
        tape: Vec::new(),
        stack: Vec::new(),
        pending: Vec::new(),
        pending_from: Vec::new(),
        children: Chunked::default(),
        escape_growth: 0,
        tight: 0,
        escaped: false,
        dollar_keys: false,
    };
    let result = p.run();
    let path = if result.is_err() { p.path() } else { String::new() };
    let growth = p.escape_growth + p.tight;
    match result {
        Ok(()) => Ok(Parsed { tape: p.tape, children: p.children, growth, dollar_keys: p.dollar_keys }),
        Err(message) => Err(error_at(src, p.pos, message, path)),
    }
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
            Err(u) => ReadError::Utf8(u),
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
        let mut start = 0;
        while start < b.len() && WS[b[start] as usize] {
            start += 1;
        }
        let mut end = b.len();
        while end > start && WS[b[end - 1] as usize] {
            end -= 1;
        }
        Value { doc: self, start: start as u32, end: end as u32, slot: 0 }
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
        Some(Value { doc: self, start: c.start, end: c.end, slot: slot as u32 })
    }
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

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        // Most separators have no whitespace after them (JSON.stringify) or
        // one space (json.dumps): settle those two without a loop.
        match self.src.get(self.pos..self.pos + 2) {
            Some(&[a, _]) if a > b' ' => return,
            Some(&[b' ', b]) if b > b' ' => {
                self.pos += 1;
                return;
            }
            _ => {}
        }
        while self.pos < self.src.len() && WS[self.src[self.pos] as usize] {
            self.pos += 1;
        }
    }


    fn unexpected(&self, what: &str) -> String {
        match self.peek() {
            None => format!("unexpected end of input, expecting {what}"),
            Some(_) => {
                let rest = &self.src[self.pos..];
                let ch = std::str::from_utf8(&rest[..rest.len().min(4)])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .or_else(|| String::from_utf8_lossy(rest).chars().next())
                    .unwrap_or('?');
                format!("unexpected {ch:?}, expecting {what}")
            }
        }
    }

    fn path(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Object { key: (s, e), .. } if e > s => {
                    let raw = &self.src[*s as usize..*e as usize];
                    let key = decode_string_body(std::str::from_utf8(raw).unwrap_or(""));
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&key);
                }
                Frame::Object { .. } => {}
                Frame::Array { index, .. } => {
                    out.push_str(&format!("[{index}]"));
                }
            }
        }
        out
    }

    fn run(&mut self) -> Result<(), String> {
        self.skip_ws();
        self.value()?;
        loop {
            // After a value: close containers or move to the next entry.
            self.skip_ws();
            let next = self.peek();
            let Some(frame) = self.stack.last_mut() else {
                return if self.pos == self.src.len() {
                    Ok(())
                } else {
                    Err(self.unexpected("end of input"))
                };
            };
            match (frame, next) {
                (Frame::Object { .. }, Some(b',')) => {
                    self.separator();
                    self.key()?;
                    self.value()?;
                }
                (Frame::Array { index, .. }, Some(b',')) => {
                    *index += 1;
                    self.separator();
                    self.skip_ws();
                    self.value()?;
                }
                (Frame::Object { slot, .. }, Some(b'}')) | (Frame::Array { slot, .. }, Some(b']')) => {
                    let slot = *slot;
                    self.pos += 1;
                    self.close(slot);
                }
                (Frame::Object { .. }, _) => return Err(self.unexpected("',' or '}'")),
                (Frame::Array { .. }, _) => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    fn close(&mut self, slot: usize) {
        let descendants = (self.tape.len() - slot - 1) as u32;
        let from = self.pending_from.pop().unwrap_or(UNRECORDED);
        let c = &mut self.tape[slot];
        c.end = self.pos as u32;
        c.descendants = descendants;
        if from != UNRECORDED {
            c.first = self.children.len() as u32;
            c.len = self.pending.len() as u32 - from;
            self.children.extend_from_slice(&self.pending[from as usize..]);
            self.pending.truncate(from as usize);
        }
        let (start, end) = (c.start, c.end);
        self.stack.pop();
        self.child(start, end);
    }

    /// Steps over a `,` or `:`, counting it for `python_size_hint` when no
    /// space follows (json.dumps writes one).
    #[inline(always)]
    fn separator(&mut self) {
        self.pos += 1;
        self.tight += usize::from(self.peek() != Some(b' '));
    }

    /// A value just ended: its container, if recorded, notes it.
    #[inline]
    fn child(&mut self, start: u32, end: u32) {
        if self.pending_from.last().is_some_and(|&f| f != UNRECORDED) {
            self.pending.push(Span { start, end });
        }
    }

    /// Reads `"key" :` inside an object and records the key for error paths.
    #[inline(always)]
    fn key(&mut self) -> Result<(), String> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string key"));
        }
        let start = self.pos + 1;
        self.escaped = false;
        self.string()?;
        let end = self.pos - 1;
        match self.src.get(start) {
            Some(b'$') => self.dollar_keys = true,
            Some(b'\\') if self.escaped => {
                let raw = std::str::from_utf8(&self.src[start..end]).unwrap_or("");
                self.dollar_keys |= decode_string_body(raw).starts_with('$');
            }
            _ => {}
        }
        if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
            *key = (start as u32, end as u32);
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':'"));
        }
        self.separator();
        self.skip_ws();
        Ok(())
    }

    /// Reads one value; containers are opened and left on the stack, after
    /// their first child (a loop, not recursion: nesting costs no stack).
    #[inline(always)]
    fn value(&mut self) -> Result<(), String> {
        loop {
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
                    }
                    let is_object = self.peek() == Some(b'{');
                    let slot = self.tape.len();
                    self.tape.push(Container { start: self.pos as u32, end: 0, descendants: 0, first: UNRECORDED, len: 0 });
                    let record = self.stack.len() <= RECORD_DEPTH;
                    self.pending_from.push(if record { self.pending.len() as u32 } else { UNRECORDED });
                    self.pos += 1;
                    self.stack.push(if is_object {
                        Frame::Object { slot, key: (0, 0) }
                    } else {
                        Frame::Array { slot, index: 0 }
                    });
                    self.skip_ws();
                    let closer = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(closer) {
                        self.pos += 1;
                        self.close(slot);
                        return Ok(());
                    }
                    if is_object {
                        self.key()?;
                    }
                    self.skip_ws();
                }
                Some(c) => {
                    let start = self.pos as u32;
                    match c {
                        b'"' => self.string()?,
                        b'-' | b'0'..=b'9' => {
                            self.number()?;
                        }
                        b't' => self.literal("true")?,
                        b'f' => self.literal("false")?,
                        b'n' => self.literal("null")?,
                        _ => return Err(self.unexpected("a value")),
                    }
                    self.child(start, self.pos as u32);
                    return Ok(());
                }
                None => return Err(self.unexpected("a value")),
            }
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected(word))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Returns whether the number is an integer literal.
    fn number(&mut self) -> Result<bool, String> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected("a digit")),
        }
        let mut is_int = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("a digit after '.'"));
            }
            is_int = false;
        }
        if matches!(self.peek(), Some(b'e') | Some(b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+') | Some(b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
            is_int = false;
        }
        Ok(is_int)
    }

    /// Reads a string starting at its opening quote; leaves `pos` after the closing one.
    #[inline(always)]
    fn string(&mut self) -> Result<(), String> {
        self.pos += 1;
        loop {
            // Straight to the next quote, backslash, control char or non-ASCII byte.
            self.pos = swar::find_special::<false>(self.src, self.pos);
            match self.peek() {
                None => return Err("unterminated string".into()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escaped = true;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            self.pos += 1;
                            for _ in 0..4 {
                                match self.peek() {
                                    Some(c) if c.is_ascii_hexdigit() => self.pos += 1,
                                    _ => return Err(self.unexpected("a hex digit in \\u escape")),
                                }
                            }
                        }
                        _ => return Err(self.unexpected("a valid escape")),
                    }
                }
                Some(c) if c >= 0x80 => {
                    // A run of multi-byte sequences: counted for `python_size_hint`,
                    // and checked when the text is not known to be UTF-8.
                    let start = self.pos;
                    while let Some(&b) = self.src.get(self.pos).filter(|&&b| b >= 0x80) {
                        self.escape_growth += ESCAPED_GROWTH[b as usize] as usize;
                        self.pos += 1;
                    }
                    if self.check_utf8 && std::str::from_utf8(&self.src[start..self.pos]).is_err() {
                        return Err("invalid UTF-8 in string".into());
                    }
                }
                Some(_) => return Err("control character in string (must be escaped)".into()),
            }
        }
    }
}

impl<'d> Value<'d> {
    pub fn text(&self) -> &'d str {
        &self.doc.src[self.start as usize..self.end as usize]
    }

    /// Where the value's text starts and ends in the document, in bytes.
    pub fn span(&self) -> (usize, usize) {
        (self.start as usize, self.end as usize)
    }

    pub fn doc(&self) -> &'d Doc<'d> {
        self.doc
    }

    /// Byte offset of this value in the document.
    pub fn offset(&self) -> usize {
        self.start as usize
    }

    pub fn kind(&self) -> Kind {
        match self.doc.src.as_bytes()[self.start as usize] {
            b'n' => Kind::Null,
            b't' | b'f' => Kind::Bool,
            b'"' => Kind::String,
            b'[' => Kind::Array,
            b'{' => Kind::Object,
            _ => Kind::Number,
        }
    }

    pub fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    pub fn as_bool(&self) -> Option<bool> {
        // Validated text: a value starting with t or f is `true` or `false`.
        match self.doc.src.as_bytes()[self.start as usize] {
            b't' => Some(true),
            b'f' => Some(false),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<Number<'d>> {
        if self.kind() != Kind::Number {
            return None;
        }
        let text = self.text();
        Some(Number { text, is_int: !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) })
    }

    /// The decoded string; lone surrogates become U+FFFD (only the Python
    /// writer, which works on the raw text, needs them exactly).
    pub fn as_str(&self) -> Option<Cow<'d, str>> {
        if self.kind() != Kind::String {
            return None;
        }
        let t = self.text();
        Some(decode_string_body(&t[1..t.len() - 1]))
    }

    /// The raw text between the quotes of a string value.
    pub fn string_body(&self) -> Option<&'d str> {
        if self.kind() != Kind::String {
            return None;
        }
        let t = self.text();
        Some(&t[1..t.len() - 1])
    }

    /// Entries of an object, in document order (duplicates included).
    pub fn entries(&self) -> Option<Entries<'d>> {
        self.raw_entries().map(Entries)
    }

    /// Entries with each key as the raw text between its quotes.
    pub fn raw_entries(&self) -> Option<RawEntries<'d>> {
        if self.kind() != Kind::Object {
            return None;
        }
        Some(RawEntries(Walker::new(self)))
    }

    /// Entries with each key as a [`Key`], read only if asked: the fastest walk.
    pub fn keyed_entries(&self) -> Option<KeyedEntries<'d>> {
        if self.kind() != Kind::Object {
            return None;
        }
        Some(KeyedEntries(Walker::new(self)))
    }

    /// Elements of an array.
    pub fn elements(&self) -> Option<Elements<'d>> {
        if self.kind() != Kind::Array {
            return None;
        }
        Some(Elements(Walker::new(self)))
    }

    /// Number of elements or entries of a container, without decoding them.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        match self.kind() {
            Kind::Array => self.elements().map_or(0, |e| e.count()),
            Kind::Object => self.entries().map_or(0, |e| e.count()),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.text().as_bytes()[1..].iter().find(|b| !WS[**b as usize]), Some(b'}') | Some(b']'))
    }

    /// Looks up the last entry named `key` (Python dict semantics: last wins).
    pub fn get(&self, key: &str) -> Option<Value<'d>> {
        self.entries()?.filter(|(k, _)| k == key).last().map(|(_, v)| v)
    }
}

/// The key of an object entry, found from its closing quote.
#[derive(Debug, Clone, Copy)]
pub struct Key<'d> {
    src: &'d str,
    /// Index of the closing quote.
    close: u32,
}

impl<'d> Key<'d> {
    /// Whether the key's raw text (between its quotes) is exactly `name`,
    /// which must hold no quote or backslash. Read backwards from the closing
    /// quote: the opening quote is the first `"` not preceded by a backslash
    /// (inside a string every `"` is escaped).
    #[inline]
    pub fn is(&self, name: &str) -> bool {
        debug_assert!(!name.contains(['"', '\\']));
        let b = self.src.as_bytes();
        let close = self.close as usize;
        let n = name.len();
        close >= n + 2 && swar::eq(&b[close - n..close], name.as_bytes()) && b[close - n - 1] == b'"' && b[close - n - 2] != b'\\'
    }

    /// The raw text between the quotes.
    pub fn raw(&self) -> &'d str {
        let b = self.src.as_bytes();
        let close = self.close as usize;
        let mut end = close;
        // The opening quote is the last `"` before `close` that an even
        // number of backslashes (none, usually) precedes.
        while let Some(q) = memchr::memrchr(b'"', &b[..end]) {
            let backslashes = b[..q].iter().rev().take_while(|&&c| c == b'\\').count();
            if backslashes % 2 == 0 {
                return &self.src[q + 1..close];
            }
            end = q;
        }
        ""
    }
}

/// Walks the direct children of a validated container: from its recorded
/// spans if it has them, else by scanning its text.
struct Walker<'d> {
    doc: &'d Doc<'d>,
    /// Scanning: the text position. Recorded: the next index in `children`.
    pos: usize,
    /// Scanning: the closing bracket. Recorded: one past the last child.
    end: usize,
    recorded: bool,
    next_slot: usize,
    first: bool,
}

impl<'d> Walker<'d> {
    fn new(v: &Value<'d>) -> Self {
        let c = v.doc.tape[v.slot as usize];
        let (recorded, pos, end) = if c.first != UNRECORDED {
            (true, c.first as usize, (c.first + c.len) as usize)
        } else {
            (false, v.start as usize + 1, v.end as usize - 1)
        };
        Walker { doc: v.doc, pos, end, recorded, next_slot: v.slot as usize + 1, first: true }
    }

    fn bytes(&self) -> &'d [u8] {
        self.doc.src.as_bytes()
    }

    fn skip_ws(&mut self) {
        let b = self.bytes();
        while self.pos < self.end && WS[b[self.pos] as usize] {
            self.pos += 1;
        }
    }

    /// Moves to the next child (scanning); false at the end of the container.
    fn advance(&mut self) -> bool {
        self.skip_ws();
        if self.pos >= self.end {
            return false;
        }
        if !self.first {
            self.pos += 1; // the ','
            self.skip_ws();
        }
        self.first = false;
        true
    }

    /// End of the validated string starting at `pos` (its opening quote).
    fn string_end(&self, mut pos: usize) -> usize {
        let b = self.bytes();
        pos += 1;
        while let Some(i) = memchr::memchr2(b'"', b'\\', &b[pos..]) {
            pos += i;
            if b[pos] == b'"' {
                return pos + 1;
            }
            pos += 2; // an escape: skip the backslash and the escaped byte
        }
        b.len()
    }

    /// The value at `start..end`; a container takes the next tape slot.
    #[inline]
    fn value_at(&mut self, start: usize, end: usize) -> Value<'d> {
        let mut slot = 0;
        if matches!(self.bytes()[start], b'{' | b'[') {
            slot = self.next_slot as u32;
            self.next_slot += 1 + self.doc.tape[self.next_slot].descendants as usize;
        }
        Value { doc: self.doc, start: start as u32, end: end as u32, slot }
    }

    /// The next child value (scanning), leaving `pos` after it.
    fn scan_value(&mut self) -> Value<'d> {
        let b = self.bytes();
        let start = self.pos;
        match b[start] {
            b'{' | b'[' => self.pos = self.doc.tape[self.next_slot].end as usize,
            b'"' => self.pos = self.string_end(start),
            _ => {
                while self.pos < self.end && !matches!(b[self.pos], b',' | b'}' | b']') && !WS[b[self.pos] as usize] {
                    self.pos += 1;
                }
            }
        }
        self.value_at(start, self.pos)
    }

    /// The next recorded child.
    #[inline]
    fn next_recorded(&mut self) -> Option<Value<'d>> {
        if self.pos >= self.end {
            return None;
        }
        let span = *self.doc.children.get(self.pos)?;
        self.pos += 1;
        Some(self.value_at(span.start as usize, span.end as usize))
    }

    fn next_element(&mut self) -> Option<Value<'d>> {
        if self.recorded {
            return self.next_recorded();
        }
        if !self.advance() {
            return None;
        }
        Some(self.scan_value())
    }

    fn next_entry(&mut self) -> Option<(Key<'d>, Value<'d>)> {
        if self.recorded {
            let v = self.next_recorded()?;
            // Before a value: `"key"`, whitespace, `:`, whitespace.
            let b = self.bytes();
            let mut i = v.start as usize;
            while WS[b[i - 1] as usize] {
                i -= 1;
            }
            i -= 1; // the ':'
            while WS[b[i - 1] as usize] {
                i -= 1;
            }
            return Some((Key { src: &self.doc.src, close: (i - 1) as u32 }, v));
        }
        if !self.advance() {
            return None;
        }
        let key_end = self.string_end(self.pos);
        let key = Key { src: &self.doc.src, close: (key_end - 1) as u32 };
        self.pos = key_end;
        self.skip_ws();
        self.pos += 1; // the ':'
        self.skip_ws();
        Some((key, self.scan_value()))
    }
}

pub struct KeyedEntries<'d>(Walker<'d>);
pub struct RawEntries<'d>(Walker<'d>);
pub struct Entries<'d>(RawEntries<'d>);
pub struct Elements<'d>(Walker<'d>);

impl<'d> Iterator for KeyedEntries<'d> {
    type Item = (Key<'d>, Value<'d>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_entry()
    }
}

impl<'d> Iterator for Entries<'d> {
    type Item = (Cow<'d, str>, Value<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (decode_string_body(k), v))
    }
}

impl<'d> Iterator for RawEntries<'d> {
    type Item = (&'d str, Value<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_entry().map(|(k, v)| (k.raw(), v))
    }
}

impl<'d> Iterator for Elements<'d> {
    type Item = Value<'d>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_element()
    }

    /// Exact for a recorded list, so collecting its rows allocates once.
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.0.recorded {
            true => (self.0.end - self.0.pos, Some(self.0.end - self.0.pos)),
            false => (0, None),
        }
    }
}

/// Decodes the body of a validated JSON string literal.
pub fn decode_string_body(body: &str) -> Cow<'_, str> {
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut units: Vec<u16> = Vec::with_capacity(body.len());
    let mut out = String::with_capacity(body.len());
    let b = body.as_bytes();
    let mut i = 0;
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(char::decode_utf16(units.drain(..)).map(|r| r.unwrap_or('\u{FFFD}')));
    };
    while i < b.len() {
        if b[i] == b'\\' {
            let esc = b[i + 1];
            if esc == b'u' {
                let hex = &body[i + 2..i + 6];
                units.push(u16::from_str_radix(hex, 16).unwrap_or(0xFFFD));
                i += 6;
                continue;
            }
            flush(&mut units, &mut out);
            out.push(match esc {
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                other => other as char,
            });
            i += 2;
        } else {
            flush(&mut units, &mut out);
            let next = body[i..].find('\\').map_or(b.len(), |n| i + n);
            out.push_str(&body[i..next]);
            i = next;
        }
    }
    flush(&mut units, &mut out);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let recorded = d.tape[v.slot as usize].first != UNRECORDED;
            assert_eq!(recorded, depth <= RECORD_DEPTH, "depth {depth}");
            let got: Vec<_> = v
                .raw_entries()
                .unwrap()
                .map(|(k, v)| (k.to_string(), v.text().to_string(), v.elements().map(|e| e.map(|x| x.text().to_string()).collect()).unwrap_or_default()))
                .collect();
            let keyed: Vec<_> = v.keyed_entries().unwrap().map(|(k, _)| k.raw().to_string()).collect();
            assert_eq!(keyed, got.iter().map(|g| g.0.clone()).collect::<Vec<_>>());
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
            Err(e) => Err(ReadError::Utf8(e)),
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
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
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
