//! The validating scanner: one pass over the text that checks the grammar
//! (and UTF-8, for bytes), records containers on the tape and the children
//! of the shallow ones, and counts what the Python form will add.

use super::*;
use crate::json::swar;

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


impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
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
    #[cfg_attr(not(feature = "size"), inline(always))]
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
    #[cfg_attr(not(feature = "size"), inline(always))]
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
    #[cfg_attr(not(feature = "size"), inline(always))]
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
    #[cfg_attr(not(feature = "size"), inline(always))]
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


/// The UTF-8 byte order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn parse_bytes(src: &[u8], check_utf8: bool) -> Result<Parsed, SyntaxError> {
    if src.len() >= u32::MAX as usize {
        return Err(error_at(src, 0, "document is larger than 4 GiB".into(), String::new()));
    }
    let mut p = Parser {
        src,
        check_utf8,
        // A UTF-8 byte order mark before the document is skipped (files saved by some
        // editors have one); it is valid UTF-8, so the UTF-8 argument below still holds.
        pos: if src.starts_with(BOM) { BOM.len() } else { 0 },
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
