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

use crate::json::reader::{Doc, Number, Value};
use crate::json::swar;

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

/// How each ASCII byte is written: 0 = as itself, b'u' = `\u00XX`, else `\` + that byte.
const ASCII_ESCAPE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0x7f] = b'u';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Each byte's value as a hex digit in the low four bits, `UPPER` set for
/// `A-F` (to be rewritten lowercase), `NOT_HEX` for anything else.
const UPPER: u8 = 0x10;
const NOT_HEX: u8 = 0x80;
const HEX_VALUE: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = d as u8;
        d += 1;
    }
    let mut d = 0;
    while d < 6 {
        t[b'a' as usize + d] = 10 + d as u8;
        t[b'A' as usize + d] = UPPER | (10 + d as u8);
        d += 1;
    }
    t
};

#[inline]
fn push_unit(out: &mut Vec<u8>, unit: u32) {
    let hex = |shift: u32| HEX[(unit >> shift & 0xf) as usize];
    out.extend_from_slice(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
}

#[inline]
fn push_ascii(out: &mut Vec<u8>, b: u8) {
    match ASCII_ESCAPE[b as usize] {
        0 => out.push(b),
        b'u' => push_unit(out, b as u32),
        e => out.extend_from_slice(&[b'\\', e]),
    }
}

/// A code point at or above 0x80: one `\uXXXX`, or a surrogate pair.
#[inline(always)]
fn push_non_ascii(out: &mut Vec<u8>, c: u32) {
    if c < 0x10000 {
        push_unit(out, c);
    } else {
        let v = c - 0x10000;
        push_unit(out, 0xd800 | (v >> 10));
        push_unit(out, 0xdc00 | (v & 0x3ff));
    }
}

/// Returns the end of the longest run of bytes that need no escaping.
#[inline]
fn plain_run(b: &[u8], i: usize) -> usize {
    swar::find_special::<true>(b, i)
}

/// Appends `b[i..end]`. Most runs are short: 16 bytes copied (a constant
/// size, so inline moves) and the excess cut off again is cheaper than a
/// `memcpy` call. (8 and 32 measured worse.)
#[inline(always)]
fn copy_run(out: &mut Vec<u8>, b: &[u8], i: usize, end: usize) {
    match b.get(i..i + 16) {
        Some(word) if end - i <= 16 => {
            out.extend_from_slice(word);
            out.truncate(out.len() - (i + 16 - end));
        }
        _ => out.extend_from_slice(&b[i..end]),
    }
}

/// Writes a Rust string as a Python JSON string literal (quotes included).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_body::<false, true>(out, s.as_bytes(), 0);
    out.push(b'"');
}

/// Writes the body of a validated JSON string literal (the text between its
/// quotes) as a Python JSON string literal. Escapes are mapped code unit by
/// code unit, which is exactly what decoding then `ensure_ascii` re-encoding
/// does, lone surrogates included.
pub fn write_string_body(out: &mut Vec<u8>, body: &str) {
    out.push(b'"');
    write_body::<false, false>(out, body.as_bytes(), 0);
    out.push(b'"');
}

/// Writes the escaped contents of a JSON string from `b[i]` (UTF-8, validated
/// JSON string syntax). With `QUOTED`, `b` goes on past the string, which ends
/// at the first unescaped `"`: returns the index just past that quote, so the
/// string is walked once. Without it, the string runs to the end of `b`. With
/// `RAW`, `b` is plain text (a Rust string), not JSON: a backslash is a
/// character to escape, not the start of an escape.
#[inline(always)]
fn write_body<const QUOTED: bool, const RAW: bool>(out: &mut Vec<u8>, b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        let end = plain_run(b, i);
        copy_run(out, b, i, end);
        i = end;
        if i >= b.len() {
            break;
        }
        let c = b[i];
        if c == b'\\' && !RAW {
            i = write_escape(out, b, i);
        } else if c == b'"' && QUOTED {
            return i + 1;
        } else if c < 0x80 {
            push_ascii(out, c);
            i += 1;
        } else {
            let (ch, len) = decode_utf8(b, i);
            push_non_ascii(out, ch);
            i += len;
        }
    }
    b.len()
}

/// Writes the escape at `b[i]` (a backslash) in Python's form; returns the index past it.
#[inline]
fn write_escape(out: &mut Vec<u8>, b: &[u8], i: usize) -> usize {
    match b[i + 1] {
        b'u' => {
            let h = [b[i + 2], b[i + 3], b[i + 4], b[i + 5]].map(|d| HEX_VALUE[d as usize]);
            let flags = h[0] | h[1] | h[2] | h[3];
            let unit = (h[0] as u32 & 0xf) << 12 | (h[1] as u32 & 0xf) << 8 | (h[2] as u32 & 0xf) << 4 | h[3] as u32 & 0xf;
            if unit >= 0x80 && flags & UPPER == 0 {
                // Lowercase already: exactly the six bytes push_unit would write.
                out.extend_from_slice(&b[i..i + 6]);
            } else if flags & NOT_HEX != 0 {
                push_unit(out, 0xfffd); // unreachable on validated input
            } else if unit < 0x80 {
                push_ascii(out, unit as u8);
            } else {
                push_unit(out, unit);
            }
            i + 6
        }
        b'/' => {
            out.push(b'/');
            i + 2
        }
        // \" \\ \b \f \n \r \t are already in Python's form.
        e => {
            out.extend_from_slice(&[b'\\', e]);
            i + 2
        }
    }
}

/// The code point of the UTF-8 sequence that starts at `b[i]` (a lead byte
/// of a valid sequence: `b` comes from a `str`), and its length.
#[inline(always)]
fn decode_utf8(b: &[u8], i: usize) -> (u32, usize) {
    let c0 = b[i] as u32;
    let cont = |k: usize| (b[i + k] & 0x3f) as u32;
    if c0 < 0xe0 {
        ((c0 & 0x1f) << 6 | cont(1), 2)
    } else if c0 < 0xf0 {
        ((c0 & 0x0f) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        ((c0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3), 4)
    }
}

/// Writes a float as Python's `repr()` would.
pub fn write_float(out: &mut Vec<u8>, x: f64) -> Result<(), WriteError> {
    if !x.is_finite() {
        return Err(WriteError::NonFinite { offset: None });
    }
    // Ryu gives the shortest round-trip digits, as repr does; only the layout
    // differs ("1e16", "0.0001", "1.5e-7"), so take the digits and exponent
    // and lay them out Python's way.
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x.abs()).as_bytes();
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut point: Option<i32> = None;
    let mut exp: i32 = 0;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'.' => point = Some(n as i32),
            b'e' | b'E' => {
                exp = std::str::from_utf8(&text[i + 1..]).ok().and_then(|e| e.parse().ok()).unwrap_or(0);
                break;
            }
            d => {
                digits[n] = d;
                n += 1;
            }
        }
        i += 1;
    }
    // value = 0.DIGITS x 10^decpt once leading zeros are dropped (trailing ones too).
    let mut decpt = point.unwrap_or(n as i32) + exp;
    let lead = digits[..n].iter().take_while(|&&d| d == b'0').count();
    let (digits, decpt) = if lead == n {
        (&b"0"[..], 1)
    } else {
        decpt -= lead as i32;
        let end = n - digits[lead..n].iter().rev().take_while(|&&d| d == b'0').count();
        (&digits[lead..end], decpt)
    };
    if x.is_sign_negative() {
        out.push(b'-');
    }
    if !(-4 < decpt && decpt <= 16) {
        let e = decpt - 1;
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if e < 0 { b'-' } else { b'+' });
        let e = e.unsigned_abs();
        if e < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(e.to_string().as_bytes());
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat(b'0').take((-decpt) as usize));
        out.extend_from_slice(digits);
    } else if decpt as usize >= digits.len() {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat(b'0').take(decpt as usize - digits.len()));
        out.extend_from_slice(b".0");
    } else {
        out.extend_from_slice(&digits[..decpt as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[decpt as usize..]);
    }
    Ok(())
}

/// Writes an int literal as Python's `str(int(text))`.
pub fn write_int_text(out: &mut Vec<u8>, text: &str) -> Result<(), WriteError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.len() > MAX_INT_DIGITS {
        return Err(WriteError::IntTooLong { offset: None });
    }
    if digits == "0" {
        out.push(b'0'); // int("-0") is 0
    } else {
        out.extend_from_slice(text.as_bytes());
    }
    Ok(())
}

/// Parses a number literal as Python's `float()` would (correctly rounded).
pub fn parse_float(text: &str) -> Result<f64, WriteError> {
    let x: f64 = text.parse().map_err(|_| WriteError::NonFinite { offset: None })?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(WriteError::NonFinite { offset: None })
    }
}

/// Writes a JSON number literal as Python would after `json.loads`.
pub fn write_number(out: &mut Vec<u8>, n: Number<'_>) -> Result<(), WriteError> {
    if n.is_int {
        write_int_text(out, n.text)
    } else {
        write_float_text(out, n.text)
    }
}

/// Writes `repr(float(text))` for a JSON number literal.
pub fn write_float_text(out: &mut Vec<u8>, text: &str) -> Result<(), WriteError> {
    if is_own_repr(text.as_bytes()) {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    write_float(out, parse_float(text)?)
}

/// Whether `repr(float(text)) == text`, decided from the text alone for the
/// common shape `-?D+.D+` without parsing: at most 15 significant digits (a
/// double keeps any 15-digit decimal, and repr picks the shortest string that
/// reads back, which is then this one), no trailing zero after the point
/// unless the fraction is exactly `0` (`1.0`), and a magnitude repr writes
/// without an exponent (below 1e16, at least 1e-4).
fn is_own_repr(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"-").unwrap_or(t);
    let Some(dot) = t.iter().position(|&c| c == b'.') else { return false };
    let (int, frac) = (&t[..dot], &t[dot + 1..]);
    if int.is_empty() || frac.is_empty() || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return false;
    }
    if frac.len() > 1 && frac[frac.len() - 1] == b'0' {
        return false;
    }
    let significant = if int == b"0" {
        let zeros = frac.iter().take_while(|&&c| c == b'0').count();
        if zeros == frac.len() {
            return true; // 0.0
        }
        if zeros > 3 {
            return false; // below 1e-4: repr switches to 1e-05
        }
        frac.len() - zeros
    } else {
        int.len() + frac.len() - usize::from(frac == b"0")
    };
    significant <= 15
}

struct Frame {
    is_object: bool,
    expect_key: bool,
    in_start: usize,
    out_start: usize,
    keys_from: usize,
}

/// Re-emits a validated JSON value in `json.dumps` form.
pub fn transcode(out: &mut Vec<u8>, value: Value<'_>) -> Result<(), WriteError> {
    let doc = value.doc();
    let base = value.offset();
    let text = value.text();
    transcode_span(out, doc, base, text)
}

/// Scratch buffers of `transcode`, kept between calls: a 5000-task batch
/// transcodes 10,000 JSON fields, and allocating two small vectors for each
/// showed up in profiles.
#[derive(Default)]
struct Scratch {
    stack: Vec<Frame>,
    keys: Vec<(usize, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

fn transcode_span(out: &mut Vec<u8>, doc: &Doc<'_>, base: usize, text: &str) -> Result<(), WriteError> {
    // Taken, not borrowed: a nested call (duplicate keys) finds it empty and
    // allocates its own.
    let mut scratch = SCRATCH.with(|s| s.take());
    scratch.stack.clear();
    scratch.keys.clear();
    let result = transcode_with(out, doc, base, text, &mut scratch.stack, &mut scratch.keys);
    SCRATCH.with(|s| s.set(scratch));
    result
}

fn transcode_with(
    out: &mut Vec<u8>,
    doc: &Doc<'_>,
    base: usize,
    text: &str,
    stack: &mut Vec<Frame>,
    // Rendered keys of the open objects, as ranges of `out`, to spot duplicates.
    keys: &mut Vec<(usize, usize)>,
) -> Result<(), WriteError> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            c @ (b'{' | b'[') => {
                stack.push(Frame {
                    is_object: c == b'{',
                    expect_key: c == b'{',
                    in_start: i,
                    out_start: out.len(),
                    keys_from: keys.len(),
                });
                out.push(c);
                i += 1;
            }
            c @ (b'}' | b']') => {
                if let Some(f) = stack.pop() {
                    keys.truncate(f.keys_from);
                }
                out.push(c);
                i += 1;
            }
            // Separators are mostly followed by a space (the input is often
            // json.dumps output): skip it here rather than in a turn of its own.
            b',' => {
                out.extend_from_slice(ITEM_SEPARATOR);
                if let Some(f) = stack.last_mut() {
                    f.expect_key = f.is_object;
                }
                i += 1 + usize::from(b.get(i + 1) == Some(&b' '));
            }
            b':' => {
                out.extend_from_slice(KEY_SEPARATOR);
                i += 1 + usize::from(b.get(i + 1) == Some(&b' '));
            }
            b'"' => {
                let key_start = out.len();
                out.push(b'"');
                i = write_body::<true, false>(out, b, i + 1);
                out.push(b'"');
                let Some(f) = stack.last_mut() else { continue };
                if !f.expect_key {
                    continue;
                }
                f.expect_key = false;
                let key = &out[key_start..];
                let dup = keys[f.keys_from..].iter().any(|&(s, e)| swar::eq(&out[s..e], key));
                if !dup {
                    keys.push((key_start, out.len()));
                    continue;
                }
                // A duplicate key: redo this whole object the slow way.
                let f = stack.pop().unwrap_or(Frame {
                    is_object: true,
                    expect_key: false,
                    in_start: 0,
                    out_start: 0,
                    keys_from: 0,
                });
                keys.truncate(f.keys_from);
                out.truncate(f.out_start);
                let Some(obj) = doc.container_at(base + f.in_start) else {
                    return Err(WriteError::NonFinite { offset: Some(base + i) });
                };
                write_object_dedup(out, obj)?;
                i = f.in_start + obj.text().len();
            }
            b't' => {
                out.extend_from_slice(b"true");
                i += 4;
            }
            b'f' => {
                out.extend_from_slice(b"false");
                i += 5;
            }
            b'n' => {
                out.extend_from_slice(b"null");
                i += 4;
            }
            _ => {
                let start = i;
                let mut is_int = true;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    is_int &= !matches!(b[i], b'.' | b'e' | b'E');
                    i += 1;
                }
                write_number(out, Number { text: &text[start..i], is_int }).map_err(|e| with_offset(e, base + start))?;
            }
        }
    }
    Ok(())
}

fn with_offset(e: WriteError, offset: usize) -> WriteError {
    match e {
        WriteError::NonFinite { .. } => WriteError::NonFinite { offset: Some(offset) },
        WriteError::IntTooLong { .. } => WriteError::IntTooLong { offset: Some(offset) },
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
    let doc = Doc::parse(json).map_err(|e| e.message)?;
    let mut out = Vec::new();
    transcode(&mut out, doc.root()).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
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
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for n in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
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
