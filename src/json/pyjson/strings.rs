//! Strings as `ensure_ascii` writes them: short escapes, lowercase `\uXXXX`,
//! surrogate pairs for astral characters.

use crate::json::swar;

/// How each ASCII byte is written: 0 = as itself, b'u' = `\u00XX`, else `\` + that byte.
pub(super) const ASCII_ESCAPE: [u8; 128] = {
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

pub(super) const HEX: &[u8; 16] = b"0123456789abcdef";

/// Each byte's value as a hex digit in the low four bits, `UPPER` set for
/// `A-F` (to be rewritten lowercase), `NOT_HEX` for anything else.
pub(super) const UPPER: u8 = 0x10;
pub(super) const NOT_HEX: u8 = 0x80;
pub(super) const HEX_VALUE: [u8; 256] = {
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
pub(super) fn push_unit(out: &mut Vec<u8>, unit: u32) {
    let hex = |shift: u32| HEX[(unit >> shift & 0xf) as usize];
    out.extend_from_slice(&[b'\\', b'u', hex(12), hex(8), hex(4), hex(0)]);
}

#[inline]
pub(super) fn push_ascii(out: &mut Vec<u8>, b: u8) {
    match ASCII_ESCAPE[b as usize] {
        0 => out.push(b),
        b'u' => push_unit(out, b as u32),
        e => out.extend_from_slice(&[b'\\', e]),
    }
}

/// A code point at or above 0x80: one `\uXXXX`, or a surrogate pair.
#[cfg_attr(not(feature = "size"), inline(always))]
pub(super) fn push_non_ascii(out: &mut Vec<u8>, c: u32) {
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
pub(super) fn plain_run(b: &[u8], i: usize) -> usize {
    swar::find_special::<true>(b, i)
}

/// Appends `b[i..end]`. Most runs are short: 16 bytes copied (a constant
/// size, so inline moves) and the excess cut off again is cheaper than a
/// `memcpy` call. (8 and 32 measured worse.)
#[cfg_attr(not(feature = "size"), inline(always))]
pub(super) fn copy_run(out: &mut Vec<u8>, b: &[u8], i: usize, end: usize) {
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
#[cfg_attr(not(feature = "size"), inline(always))]
pub(super) fn write_body<const QUOTED: bool, const RAW: bool>(out: &mut Vec<u8>, b: &[u8], mut i: usize) -> usize {
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
pub(super) fn write_escape(out: &mut Vec<u8>, b: &[u8], i: usize) -> usize {
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
#[cfg_attr(not(feature = "size"), inline(always))]
pub(super) fn decode_utf8(b: &[u8], i: usize) -> (u32, usize) {
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

