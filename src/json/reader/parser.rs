//! The validating scanner: one pass over the text that checks the grammar
//! (and UTF-8, for bytes), records containers on the tape and the children
//! of the shallow ones, and counts what the Python form will add.
//!
//! What moves with every byte (the position, the counts, the kind of the open
//! container) is a [`Cursor`] held by value in [`run`], so that it lives in
//! registers: fields behind a `&mut self` are stored back to memory and loaded
//! again around every call the loop makes (a `Vec` growing, say), which cost
//! about a third of the read.

use super::*;
use crate::json::swar;

/// An open container.
struct Frame {
    /// Its tape slot.
    slot: u32,
    /// Where its recorded children start in `pending` (`UNRECORDED` if it records none).
    from: u32,
    /// An object's last key (for error paths), an array's element index.
    key: (u32, u32),
    index: u32,
}

/// The containers: the tape, the open ones, and the recorded children.
struct Tree {
    tape: Vec<Container>,
    stack: Vec<Frame>,
    /// Children of the open recorded containers, innermost last; each one's
    /// run moves to `children` when it closes, so a container's children
    /// end up contiguous.
    pending: Vec<Span>,
    children: Chunked<Span>,
}

/// The read's position and what it counts.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    src: &'a [u8],
    pos: usize,
    /// Whether runs of non-ASCII bytes in strings must be checked as UTF-8.
    check_utf8: bool,
    /// What ensure_ascii adds to the strings' non-ASCII characters, and how
    /// many `,` or `:` have no space after them.
    escape_growth: usize,
    tight: usize,
    /// Whether the last string read had an escape, and whether a key began with `$`.
    escaped: bool,
    dollar_keys: bool,
    /// Whether the innermost open container is an object, and whether it records its children.
    in_object: bool,
    recording: bool,
}

/// Why the read stopped: a message made at the error's position.
type Stop = Result<(), String>;

impl<'a> Cursor<'a> {
    #[cfg_attr(not(feature = "size"), inline(always))]
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

    /// Steps over a `,` or `:`, counting it for `python_size_hint` when no
    /// space follows (json.dumps writes one).
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn separator(&mut self) {
        self.pos += 1;
        self.tight += usize::from(self.peek() != Some(b' '));
    }

    /// What was found instead of `what`. (The calls the read makes out of line take the
    /// cursor's fields by value, never the cursor, which would have to stay in memory.)
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn unexpected(&self, what: &str) -> String {
        unexpected(self.src, self.pos, what)
    }

    /// Reads a string starting at its opening quote; leaves `pos` after the closing one.
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn string(&mut self) -> Stop {
        self.pos += 1;
        loop {
            // Straight to the next quote, backslash, control char or non-ASCII byte.
            self.pos = swar::find_special::<false>(self.src, self.pos);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.escaped = true;
                    self.pos = self.at(escape(self.src, self.pos))?;
                }
                Some(c) if c >= 0x80 => {
                    let (end, growth) = non_ascii(self.src, self.pos, self.check_utf8);
                    self.pos = end;
                    self.escape_growth += growth.ok_or("invalid UTF-8 in string")?;
                }
                None => return Err("unterminated string".into()),
                Some(_) => return Err("control character in string (must be escaped)".into()),
            }
        }
    }


    /// Where an out-of-line step ended, or the error there (the cursor moves to it).
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn at(&mut self, step: Result<usize, (usize, String)>) -> Result<usize, String> {
        step.map_err(|(pos, message)| {
            self.pos = pos;
            message
        })
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn number(&mut self) -> Stop {
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
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            self.pos = self.at(fraction_and_exponent(self.src, self.pos))?;
        }
        Ok(())
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn literal(&mut self, word: &str) -> Stop {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected(word))
        }
    }
}

#[cold]
#[inline(never)]
fn unexpected(src: &[u8], pos: usize, what: &str) -> String {
    match src.get(pos) {
        None => format!("unexpected end of input, expecting {what}"),
        Some(_) => {
            let rest = &src[pos..];
            let ch = std::str::from_utf8(&rest[..rest.len().min(4)])
                .ok()
                .and_then(|s| s.chars().next())
                .or_else(|| String::from_utf8_lossy(rest).chars().next())
                .unwrap_or('?');
            format!("unexpected {ch:?}, expecting {what}")
        }
    }
}

/// An escape from its backslash at `pos`: where it ends.
#[inline(never)]
fn escape(src: &[u8], mut pos: usize) -> Result<usize, (usize, String)> {
    pos += 1;
    match src.get(pos) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => pos += 1,
        Some(b'u') => {
            pos += 1;
            for _ in 0..4 {
                match src.get(pos) {
                    Some(c) if c.is_ascii_hexdigit() => pos += 1,
                    _ => return Err((pos, unexpected(src, pos, "a hex digit in \\u escape"))),
                }
            }
        }
        _ => return Err((pos, unexpected(src, pos, "a valid escape"))),
    }
    Ok(pos)
}

/// A run of multi-byte sequences from `pos`: where it ends and what ensure_ascii adds to it
/// (for `python_size_hint`), or none if the text is not known to be UTF-8 and the run is not.
#[inline(never)]
fn non_ascii(src: &[u8], start: usize, check_utf8: bool) -> (usize, Option<usize>) {
    let mut pos = start;
    let mut growth = 0;
    while let Some(&b) = src.get(pos).filter(|&&b| b >= 0x80) {
        growth += ESCAPED_GROWTH[b as usize] as usize;
        pos += 1;
    }
    if check_utf8 && std::str::from_utf8(&src[start..pos]).is_err() {
        return (pos, None);
    }
    (pos, Some(growth))
}

/// A number's fraction and exponent from `pos`: where they end.
#[inline(never)]
fn fraction_and_exponent(src: &[u8], mut pos: usize) -> Result<usize, (usize, String)> {
    let digits = |pos: &mut usize| {
        let start = *pos;
        while matches!(src.get(*pos), Some(b'0'..=b'9')) {
            *pos += 1;
        }
        *pos - start
    };
    if src.get(pos) == Some(&b'.') {
        pos += 1;
        if digits(&mut pos) == 0 {
            return Err((pos, unexpected(src, pos, "a digit after '.'")));
        }
    }
    if matches!(src.get(pos), Some(b'e') | Some(b'E')) {
        pos += 1;
        if matches!(src.get(pos), Some(b'+') | Some(b'-')) {
            pos += 1;
        }
        if digits(&mut pos) == 0 {
            return Err((pos, unexpected(src, pos, "a digit in the exponent")));
        }
    }
    Ok(pos)
}

impl Tree {
    /// The path of the value being read, for an error.
    fn path(&self, src: &[u8]) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            if src[self.tape[frame.slot as usize].start as usize] == b'[' {
                out.push_str(&format!("[{}]", frame.index));
            } else if frame.key.1 > frame.key.0 {
                let raw = &src[frame.key.0 as usize..frame.key.1 as usize];
                let key = decode_string_body(std::str::from_utf8(raw).unwrap_or(""));
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&key);
            }
        }
        out
    }

    /// A value just ended at `c.pos`: its container, if recorded, notes it.
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn child(&mut self, c: &Cursor<'_>, start: usize) {
        if c.recording {
            self.pending.push(Span { start: start as u32, end: c.pos as u32 });
        }
    }

    /// Opens the container whose bracket is at `c.pos`.
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn open(&mut self, c: &mut Cursor<'_>, is_object: bool) -> Stop {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        let slot = self.tape.len() as u32;
        push_container(&mut self.tape, c.pos, c.src.len());
        let record = self.stack.len() <= RECORD_DEPTH;
        self.stack.push(Frame { slot, from: if record { self.pending.len() as u32 } else { UNRECORDED }, key: (0, 0), index: 0 });
        c.pos += 1;
        c.in_object = is_object;
        c.recording = record;
        Ok(())
    }

    /// Closes the innermost container, whose closing bracket `c.pos` is just after.
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn close(&mut self, c: &mut Cursor<'_>) {
        let (start, in_object, recording) = self.close_at(c.src, c.pos);
        c.in_object = in_object;
        c.recording = recording;
        self.child(c, start);
    }

    /// Closes the innermost container at `end`: where it started, and whether the
    /// container now innermost is an object and records its children.
    #[inline(never)]
    fn close_at(&mut self, src: &[u8], end: usize) -> (usize, bool, bool) {
        let Some(frame) = self.stack.pop() else { return (0, false, false) };
        let slot = frame.slot as usize;
        let descendants = (self.tape.len() - slot - 1) as u32;
        let ctr = &mut self.tape[slot];
        ctr.end = end as u32;
        ctr.descendants = descendants;
        if frame.from != UNRECORDED {
            ctr.first = self.children.len() as u32;
            ctr.len = self.pending.len() as u32 - frame.from;
            self.children.extend_from_slice(&self.pending[frame.from as usize..]);
            self.pending.truncate(frame.from as usize);
        }
        let start = ctr.start as usize;
        match self.stack.last() {
            Some(parent) => (start, src[self.tape[parent.slot as usize].start as usize] == b'{', parent.from != UNRECORDED),
            None => (start, false, false),
        }
    }

    /// Reads `"key" :` inside an object and records the key for error paths.
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn key(&mut self, c: &mut Cursor<'_>) -> Stop {
        c.skip_ws();
        if c.peek() != Some(b'"') {
            return Err(c.unexpected("a string key"));
        }
        let start = c.pos + 1;
        c.escaped = false;
        c.string()?;
        let end = c.pos - 1;
        match c.src.get(start) {
            Some(b'$') => c.dollar_keys = true,
            Some(b'\\') if c.escaped => {
                let raw = std::str::from_utf8(&c.src[start..end]).unwrap_or("");
                c.dollar_keys |= decode_string_body(raw).starts_with('$');
            }
            _ => {}
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.key = (start as u32, end as u32);
        }
        c.skip_ws();
        if c.peek() != Some(b':') {
            return Err(c.unexpected("':'"));
        }
        c.separator();
        c.skip_ws();
        Ok(())
    }

    /// Reads one value; containers are opened and left on the stack, after
    /// their first child (a loop, not recursion: nesting costs no stack).
    #[cfg_attr(not(feature = "size"), inline(always))]
    fn value(&mut self, c: &mut Cursor<'_>) -> Stop {
        loop {
            let start = c.pos;
            match c.peek() {
                Some(b'"') => c.string()?,
                Some(b'-' | b'0'..=b'9') => c.number()?,
                Some(b'n') => c.literal("null")?,
                Some(b't') => c.literal("true")?,
                Some(b'f') => c.literal("false")?,
                Some(open @ (b'{' | b'[')) => {
                    let is_object = open == b'{';
                    self.open(c, is_object)?;
                    c.skip_ws();
                    if c.peek() == Some(if is_object { b'}' } else { b']' }) {
                        c.pos += 1;
                        self.close(c);
                        return Ok(());
                    }
                    if is_object {
                        self.key(c)?;
                    }
                    c.skip_ws();
                    continue;
                }
                _ => return Err(c.unexpected("a value")),
            }
            self.child(c, start);
            return Ok(());
        }
    }

    fn run(&mut self, cursor: &mut Cursor<'_>) -> Stop {
        // A copy of the cursor that only inlined code touches, so it stays in registers.
        let mut c = *cursor;
        let stop = self.read(&mut c);
        *cursor = c;
        stop
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn read(&mut self, c: &mut Cursor<'_>) -> Stop {
        c.skip_ws();
        self.value(c)?;
        loop {
            // After a value: close containers or move to the next entry.
            c.skip_ws();
            match c.peek() {
                _ if self.stack.is_empty() => {
                    return if c.pos == c.src.len() { Ok(()) } else { Err(c.unexpected("end of input")) };
                }
                Some(b',') => {
                    c.separator();
                    if c.in_object {
                        self.key(c)?;
                    } else {
                        if let Some(frame) = self.stack.last_mut() {
                            frame.index += 1;
                        }
                        c.skip_ws();
                    }
                    self.value(c)?;
                }
                Some(b'}') if c.in_object => {
                    c.pos += 1;
                    self.close(c);
                }
                Some(b']') if !c.in_object => {
                    c.pos += 1;
                    self.close(c);
                }
                _ if c.in_object => return Err(c.unexpected("',' or '}'")),
                _ => return Err(c.unexpected("',' or ']'")),
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
    let mut tree = Tree { tape: Vec::new(), stack: Vec::new(), pending: Vec::new(), children: Chunked::default() };
    let mut c = Cursor {
        src,
        // A UTF-8 byte order mark before the document is skipped (files saved by some
        // editors have one); it is valid UTF-8, so the UTF-8 argument below still holds.
        pos: if src.starts_with(BOM) { BOM.len() } else { 0 },
        check_utf8,
        escape_growth: 0,
        tight: 0,
        escaped: false,
        dollar_keys: false,
        in_object: false,
        recording: false,
    };
    match tree.run(&mut c) {
        Ok(()) => Ok(Parsed { tape: tree.tape, children: tree.children, growth: c.escape_growth + c.tight, dollar_keys: c.dollar_keys }),
        Err(message) => Err(error_at(src, c.pos, message, tree.path(src))),
    }
}

/// Puts a container opening at `pos` on the tape.
#[inline(always)]
fn push_container(tape: &mut Vec<Container>, pos: usize, len: usize) {
    #[cfg(not(feature = "size"))]
    if tape.len() == tape.capacity() {
        grow_tape(tape, pos, len);
    }
    #[cfg(feature = "size")]
    let _ = len;
    tape.push(Container { start: pos as u32, end: 0, descendants: 0, first: UNRECORDED, len: 0 });
}

/// Room on the full tape. The first block holds a container for 1 KiB of text; when it is
/// full (about an eighth of the way through an event of rows), the tape grows to as many
/// containers as the text read so far predicts for the whole text, and a thirty-second more.
/// Grown by doubling, the tape ended up to twice as large as it needed, each copy left a hole
/// behind, and the last copy sat at the top of the heap, just below the body allocated next
/// (5000 rows: 655 KB for 400 KB of containers). Each step grows by a quarter at least (the
/// containers may crowd the end of the text), and by at most doubling or to 20 bytes for 64
/// of text, whichever is more (a dense start, such as deep nesting, predicts far more than
/// the rest holds; that much stays reserved until the document goes). Not in the size-first
/// build (its `Vec` grows as every `Vec` does, with no code of its own).
#[cfg(not(feature = "size"))]
#[cold]
#[inline(never)]
fn grow_tape(tape: &mut Vec<Container>, pos: usize, len: usize) {
    let n = tape.len();
    let predicted = (n as u64 * len as u64 / pos.max(1) as u64) as usize;
    let want = (predicted + predicted / 32).min((2 * n).max(len / 64)).max(n + n / 4).max((len / 1024).max(64));
    tape.reserve_exact(want - n);
}

#[cfg(all(test, not(feature = "size")))]
mod tests {
    use super::*;

    fn grown(n: usize, pos: usize, len: usize) -> usize {
        let mut tape = vec![Container { start: 0, end: 0, descendants: 0, first: UNRECORDED, len: 0 }; n];
        tape.shrink_to_fit();
        grow_tape(&mut tape, pos, len);
        tape.capacity()
    }

    #[test]
    fn the_tape_grows_to_the_predicted_size_within_bounds() {
        // First a container for 1 KiB of text (64 at least).
        assert_eq!(grown(0, 0, 1 << 20), 1024);
        assert_eq!(grown(0, 0, 1000), 64);
        // Uniform text: one step to the whole text's containers and a thirty-second.
        assert_eq!(grown(2048, 320_000, 2_800_000), 17_920 + 560);
        // Containers crowding the end: a quarter more at least.
        assert_eq!(grown(1000, 900_000, 1_000_000), 1250);
        // A dense start: no more than doubling, or 20 bytes for 64 of text.
        assert_eq!(grown(1024, 1024, 1 << 20), (1 << 20) / 64);
        assert_eq!(grown(4096, 8192, 1 << 18), 8192);
    }
}
