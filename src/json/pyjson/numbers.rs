//! Numbers as Python prints them: ints verbatim (up to 4300 digits), floats as
//! `repr()` (shortest round trip, `1.0`, `1e-07`, `1e+16`), NaN and infinities refused.

use super::*;
use crate::json::reader::Number;

/// Writes a float as Python's `repr()` would.
pub fn write_float(out: &mut Vec<u8>, x: f64) -> Result<(), WriteError> {
    if !x.is_finite() {
        return Err(WriteError::NonFinite { offset: None });
    }
    // The shortest round-trip digits, as repr has them; only the layout differs
    // ("1e16", "0.0001", "1.5e-7", "1e+21"), so take the digits and exponent and
    // lay them out Python's way.
    let mut shortest = [0u8; 32];
    let text = backend::shortest(x.abs(), &mut shortest);
    if text.is_empty() {
        // No host to print it (the browser's build before its boundary installed one, which
        // every entry point does): an error, never a float written as 0.0.
        return Err(WriteError::NonFinite { offset: None });
    }
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

/// Parses a number literal as Python's `float()` would (correctly rounded); a
/// literal past the largest double is an error, as `json.dumps` refuses `inf`.
pub fn parse_float(text: &str) -> Result<f64, WriteError> {
    let x = backend::read(text);
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
pub(super) fn is_own_repr(t: &[u8]) -> bool {
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


/// Where the digits come from: core's reader and ryu, or, in the browser's build
/// (feature `size`), the JavaScript host's `Number` and its `toString`, which
/// give the same shortest digits (ECMAScript's Number::toString: the fewest
/// digits that read back, the closest of them, ties to even) and, read through
/// [`super::host_floats`], the same correctly rounded doubles.
#[cfg(not(all(target_arch = "wasm32", feature = "size")))]
mod backend {
    pub fn read(text: &str) -> f64 {
        text.parse().unwrap_or(f64::NAN) // the reader validated the literal
    }

    pub fn shortest(x: f64, out: &mut [u8; 32]) -> &[u8] {
        super::copy_into(ryu::Buffer::new().format_finite(x).as_bytes(), out)
    }
}

#[cfg(all(target_arch = "wasm32", feature = "size"))]
mod backend {
    pub fn read(text: &str) -> f64 {
        super::super::host_floats::read(text, crate::host::read_number)
    }

    pub fn shortest(x: f64, out: &mut [u8; 32]) -> &[u8] {
        super::copy_into(crate::host::number_text(x).as_bytes(), out)
    }
}

/// A shortest form (at most 24 bytes either way) on the stack.
fn copy_into<'a>(text: &[u8], out: &'a mut [u8; 32]) -> &'a [u8] {
    let n = text.len().min(out.len());
    out[..n].copy_from_slice(&text[..n]);
    &out[..n]
}
