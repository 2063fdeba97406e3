//! String bodies as `json.loads` decodes them (escapes, surrogate pairs).

use std::borrow::Cow;


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

