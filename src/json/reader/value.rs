//! Lazy values over the tape: kinds, numbers, strings, and walks over an
//! object's entries or an array's elements that jump over nested containers.

use super::*;
use crate::json::swar;

impl<'d> Value<'d> {
    #[inline]
    pub fn text(&self) -> &'d str {
        &self.doc.src[self.start()..self.end()]
    }

    /// The value's text as bytes (no UTF-8 boundary checks to slice).
    #[cfg_attr(not(feature = "size"), inline(always))]
    pub fn bytes(&self) -> &'d [u8] {
        &self.doc.src.as_bytes()[self.start()..self.end()]
    }

    /// Appends the value's text to `out`. Up to 16 bytes (an int, a short string, a literal)
    /// go as one fixed-size copy cut to length, which is cheaper than a `memcpy` call of a
    /// few bytes (most of all in wasm32, where that is an out-of-line `memory.copy`).
    #[cfg_attr(not(feature = "size"), inline(always))]
    pub fn copy_text(&self, out: &mut Vec<u8>) {
        const WINDOW: usize = 16;
        let (start, len) = (self.start(), self.end() - self.start());
        let src = self.doc.src.as_bytes();
        match src.get(start..start + WINDOW).and_then(|w| <&[u8; WINDOW]>::try_from(w).ok()) {
            Some(window) if len <= WINDOW => {
                out.extend_from_slice(window);
                out.truncate(out.len() - (WINDOW - len));
            }
            _ => out.extend_from_slice(&src[start..start + len]),
        }
    }

    /// Where the value's text starts and ends in the document, in bytes.
    #[inline]
    pub fn span(&self) -> (usize, usize) {
        (self.start(), self.end())
    }

    /// The length of the value's text, in bytes.
    #[inline]
    pub fn text_len(&self) -> usize {
        self.end() - self.start()
    }

    pub fn doc(&self) -> &'d Doc<'d> {
        self.doc
    }

    /// Byte offset of this value in the document.
    pub fn offset(&self) -> usize {
        self.start()
    }

    pub fn kind(&self) -> Kind {
        match self.doc.src.as_bytes()[self.start()] {
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
        match self.doc.src.as_bytes()[self.start()] {
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

    /// Entries with each key as a [`Key`], read only if asked (the walk [`Value::entries_into`] makes).
    #[cfg(test)]
    pub fn keyed_entries(&self) -> Option<KeyedEntries<'d>> {
        if self.kind() != Kind::Object {
            return None;
        }
        Some(KeyedEntries(Walker::new(self)))
    }

    /// Puts each entry of an object into `slots[which(key)]` (entries `which` gives no place
    /// are left out; a later entry overwrites an earlier one). The renderer's walk over every
    /// row: the values are built in place, so they never cross the matcher through memory.
    #[cfg_attr(not(feature = "size"), inline(always))]
    pub fn entries_into(&self, slots: &mut [Option<Value<'d>>], mut which: impl FnMut(Key<'d>) -> Option<usize>) {
        if self.kind() != Kind::Object {
            return;
        }
        let mut w = Walker::new(self);
        loop {
            let (key, v) = if w.recorded {
                if w.pos >= w.end {
                    return;
                }
                let Some(&span) = self.doc.children.get(w.pos) else { return };
                w.pos += 1;
                let start = span.start as usize;
                (Key { src: &self.doc.src, close: key_close(w.bytes(), start) }, w.value_at(start, span.end as usize))
            } else {
                let Some(entry) = w.next_scanned_entry() else { return };
                entry
            };
            // One call of `which`, so that it can be inlined.
            if let Some(place) = which(key).and_then(|i| slots.get_mut(i)) {
                *place = Some(v);
            }
        }
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
    close: usize,
}

impl<'d> Key<'d> {
    /// Whether the key's raw text (between its quotes) is exactly `name`,
    /// which must hold no quote or backslash. Read backwards from the closing
    /// quote: the opening quote is the first `"` not preceded by a backslash
    /// (inside a string every `"` is escaped).
    #[cfg_attr(not(feature = "size"), inline(always))]
    pub fn is(&self, name: &str) -> bool {
        debug_assert!(!name.contains(['"', '\\']));
        let b = self.src.as_bytes();
        let close = self.close;
        let n = name.len();
        close >= n + 2 && swar::eq(&b[close - n..close], name.as_bytes()) && b[close - n - 1] == b'"' && b[close - n - 2] != b'\\'
    }

    /// The raw text between the quotes.
    pub fn raw(&self) -> &'d str {
        let b = self.src.as_bytes();
        let close = self.close;
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
        let c = v.doc.tape[v.slot()];
        let (recorded, pos, end) = if c.first != UNRECORDED {
            (true, c.first as usize, (c.first + c.len) as usize)
        } else {
            (false, v.start() + 1, v.end() - 1)
        };
        Walker { doc: v.doc, pos, end, recorded, next_slot: v.slot() + 1, first: true }
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
            slot = self.next_slot;
            self.next_slot += 1 + self.doc.tape[self.next_slot].descendants as usize;
        }
        Value::new(self.doc, start, end, slot)
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

    /// The next entry: inline for a recorded object (the renderer walks every row's so).
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn next_entry(&mut self) -> Option<(Key<'d>, Value<'d>)> {
        if self.recorded {
            let v = self.next_recorded()?;
            return Some((Key { src: &self.doc.src, close: key_close(self.bytes(), v.start()) }, v));
        }
        self.next_scanned_entry()
    }

    #[inline(never)]
    fn next_scanned_entry(&mut self) -> Option<(Key<'d>, Value<'d>)> {
        if !self.advance() {
            return None;
        }
        let key_end = self.string_end(self.pos);
        let key = Key { src: &self.doc.src, close: key_end - 1 };
        self.pos = key_end;
        self.skip_ws();
        self.pos += 1; // the ':'
        self.skip_ws();
        Some((key, self.scan_value()))
    }
}

/// Where the closing quote of the key of the value at `start` is. Before a value:
/// `"key"`, whitespace, `:`, whitespace; json.dumps writes `": "` and JSON.stringify `":`,
/// which are settled without a loop.
#[cfg_attr(not(feature = "size"), inline(always))]
fn key_close(b: &[u8], start: usize) -> usize {
    match b[start - 3..start] {
        [b'"', b':', b' '] => return start - 3,
        [_, b'"', b':'] => return start - 2,
        _ => {}
    }
    let mut i = start;
    while WS[b[i - 1] as usize] {
        i -= 1;
    }
    i -= 1; // the ':'
    while WS[b[i - 1] as usize] {
        i -= 1;
    }
    i - 1
}

#[cfg(test)]
pub struct KeyedEntries<'d>(Walker<'d>);
pub struct RawEntries<'d>(Walker<'d>);
pub struct Entries<'d>(RawEntries<'d>);
pub struct Elements<'d>(Walker<'d>);

#[cfg(test)]
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
