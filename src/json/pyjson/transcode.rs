//! JSON text to its Python form in one pass, without building a tree; an object
//! with a repeated key takes the dict route (first position, last value).

use super::*;
use crate::json::reader::Number;
use crate::json::swar;

pub(super) struct Frame {
    is_object: bool,
    expect_key: bool,
    in_start: usize,
    out_start: usize,
    keys_from: usize,
}

/// Re-emits a validated JSON value in `json.dumps` form.
pub fn transcode(out: &mut Vec<u8>, value: Value<'_>) -> Result<(), WriteError> {
    let text = value.text();
    // Empty containers (a task's `meta`, most often) are their own Python form.
    if let b"{}" | b"[]" = text.as_bytes() {
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    transcode_span(out, value.doc(), value.offset(), text)
}

/// Scratch buffers of `transcode`, kept between calls: a 5000-task batch
/// transcodes 10,000 JSON fields, and allocating two small vectors for each
/// showed up in profiles.
#[derive(Default)]
pub(super) struct Scratch {
    stack: Vec<Frame>,
    keys: Vec<(usize, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

pub(super) fn transcode_span(out: &mut Vec<u8>, doc: &Doc<'_>, base: usize, text: &str) -> Result<(), WriteError> {
    // Taken, not borrowed: a nested call (duplicate keys) finds it empty and
    // allocates its own.
    let mut scratch = SCRATCH.with(|s| s.take());
    scratch.stack.clear();
    scratch.keys.clear();
    let result = transcode_with(out, doc, base, text, &mut scratch.stack, &mut scratch.keys);
    SCRATCH.with(|s| s.set(scratch));
    result
}

pub(super) fn transcode_with(
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

pub(super) fn with_offset(e: WriteError, offset: usize) -> WriteError {
    match e {
        WriteError::NonFinite { .. } => WriteError::NonFinite { offset: Some(offset) },
        WriteError::IntTooLong { .. } => WriteError::IntTooLong { offset: Some(offset) },
    }
}

