//! Renders rows through the serializer field lists of [`crate::labelstudio::serializers`],
//! straight into a body buffer in Python's `json.dumps` form.

use crate::labelstudio::datetime;
use crate::error::{Error, Path};
use crate::json::pyjson::{self, WriteError};
use crate::json::reader::{Key, Kind as JsonKind, Value};
use crate::labelstudio::serializers::{self, Field, FieldKind, Serializer, SerializerId, DATA_UNDEFINED_NAME};

/// What rows need from the event: the project, for `$undefined$`.
#[derive(Clone, Copy)]
pub struct Context<'d> {
    pub project: Option<Value<'d>>,
    pub project_id: Option<i64>,
}

/// Reusable scratch space, so 5000 rows cost no allocations each.
#[derive(Default)]
pub struct Renderer<'d> {
    slots: Vec<Option<Value<'d>>>,
}

impl<'d> Renderer<'d> {
    /// Writes `serializer(instance=row).data`.
    pub fn row(
        &mut self,
        out: &mut Vec<u8>,
        ser: &Serializer,
        row: Value<'d>,
        ctx: &Context<'d>,
        path: &Path<'_>,
    ) -> Result<(), Error> {
        if ser.id == SerializerId::OnlyId {
            return only_id(out, row, path);
        }
        if row.kind() != JsonKind::Object {
            return Err(Error::row(path.to_string(), format!("expected a {} row (an object), got {}", ser.model, describe(row))));
        }
        self.fill(ser.fields, row);
        let keys = key_prefixes(ser);
        let is_task = ser.id == SerializerId::Task;
        out.push(b'{');
        let mut first = true;
        for (i, field) in ser.fields.iter().enumerate() {
            let value = self.slots[i];
            if value.is_none() && field.declared_read_only {
                continue;
            }
            // `, "name": ` in one copy (names are plain ASCII: nothing to escape).
            if first {
                out.extend_from_slice(&keys[i].bytes[2..keys[i].len as usize]);
                first = false;
            } else {
                keys[i].write(out);
            }
            let fpath = path.key(field.name);
            match value {
                None if field.nullable => out.extend_from_slice(b"null"),
                None => {
                    // Every missing field of the row at once, so it can be fixed in one round.
                    let also: Vec<String> = ser.fields[i + 1..]
                        .iter()
                        .zip(&self.slots[i + 1..])
                        .filter(|(f, v)| v.is_none() && !f.declared_read_only && !f.nullable)
                        .map(|(f, _)| format!("{:?}", f.name))
                        .collect();
                    let also = if also.is_empty() { String::new() } else { format!("; the row also lacks {}", also.join(", ")) };
                    return Err(Error::row(
                        fpath.to_string(),
                        format!("missing field {:?} of {} (required by {}){also}", field.name, ser.model, ser.class),
                    ));
                }
                Some(v) if is_task && i == serializers::TASK_DATA => {
                    task_data(out, v, self.slots[serializers::TASK_PROJECT], ctx, path)?
                }
                Some(v) => value_of(out, field, v, &fpath)?,
            }
        }
        out.push(b'}');
        Ok(())
    }

    /// Maps each entry of the row to its field (last entry wins, as in a
    /// Python dict). Rows usually list fields in serializer order, so the
    /// search starts after the previous hit.
    fn fill(&mut self, fields: &[Field], row: Value<'d>) {
        self.slots.clear();
        self.slots.resize(fields.len(), None);
        let mut cursor = 0;
        row.entries_into(&mut self.slots, |key| {
            // The field after the last one found first (rows usually follow the serializer).
            let i = match fields.get(cursor) {
                Some(f) if key.is(f.name) || f.column.is_some_and(|c| key.is(c)) => Some(cursor),
                _ => other_field(fields, key, cursor),
            };
            cursor = i.map_or(cursor, |i| i + 1);
            i
        });
    }
}

/// The field a key names that is not the one at `cursor`: searched from there on, the
/// raw key first, decoded only if it has escapes and matched nothing.
#[inline(never)]
fn other_field(fields: &[Field], key: Key<'_>, cursor: usize) -> Option<usize> {
    find_field(fields, |name| key.is(name), cursor).or_else(|| {
        let raw = key.raw();
        raw.contains('\\').then(|| find_field(fields, |name| name == crate::json::reader::decode_string_body(raw), cursor)).flatten()
    })
}

/// The field whose name (or column) the key `is`, searching from `cursor` on.
fn find_field(fields: &[Field], is: impl Fn(&str) -> bool, cursor: usize) -> Option<usize> {
    let cursor = cursor.min(fields.len());
    (cursor..fields.len()).chain(0..cursor).find(|&i| {
        let f = &fields[i];
        is(f.name) || f.column.is_some_and(&is)
    })
}

/// A field's `, "name": `, padded to a constant size: copying all of it and
/// cutting the excess off is cheaper than a `memcpy` call of a few bytes
/// (most of all in wasm32, where it is an out-of-line `memory.copy`).
struct Prefix {
    bytes: [u8; PREFIX_MAX],
    len: u8,
}

/// Longer than any field's prefix (`, "reveal_preannotations_interactively": ` is 41).
const PREFIX_MAX: usize = 48;

impl Prefix {
    fn new(name: &str) -> Prefix {
        let mut text = pyjson::ITEM_SEPARATOR.to_vec();
        pyjson::write_key(&mut text, 0, format!("\"{name}\"").as_bytes());
        let mut bytes = [b' '; PREFIX_MAX];
        let len = text.len().min(PREFIX_MAX);
        bytes[..len].copy_from_slice(&text[..len]);
        Prefix { bytes, len: len as u8 }
    }

    #[cfg_attr(not(feature = "size"), inline(always))]
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bytes);
        out.truncate(out.len() - (PREFIX_MAX - self.len as usize));
    }
}

/// Per serializer, each field's prefix, built once.
fn key_prefixes(ser: &Serializer) -> &'static [Prefix] {
    static PREFIXES: std::sync::OnceLock<Vec<Vec<Prefix>>> = std::sync::OnceLock::new();
    let all = PREFIXES.get_or_init(|| serializers::ALL.iter().map(|s| s.fields.iter().map(|f| Prefix::new(f.name)).collect()).collect());
    let i = serializers::ALL.iter().position(|s| s.id == ser.id).unwrap_or(0);
    &all[i]
}

fn describe(v: Value<'_>) -> &'static str {
    match v.kind() {
        JsonKind::Null => "null",
        JsonKind::Bool => "a boolean",
        JsonKind::Number => "a number",
        JsonKind::String => "a string",
        JsonKind::Array => "a list",
        JsonKind::Object => "an object",
    }
}

fn write_err(path: &Path<'_>, e: WriteError) -> Error {
    Error::row(path.to_string(), e.to_string())
}

/// `OnlyIDWebhookSerializer`: `{"id": n}` from a row, `{id}`, or a bare id
/// (Label Studio turns a list of ids into rows first).
fn only_id(out: &mut Vec<u8>, row: Value<'_>, path: &Path<'_>) -> Result<(), Error> {
    let id = match row.kind() {
        JsonKind::Object => row.get("id").ok_or_else(|| Error::row(path.key("id").to_string(), "missing field \"id\""))?,
        JsonKind::Number => row,
        _ => return Err(Error::row(path.to_string(), format!("expected a row or an id, got {}", describe(row)))),
    };
    out.push(b'{');
    pyjson::write_key(out, 0, b"\"id\"");
    int(out, id, &path.key("id"))?;
    out.push(b'}');
    Ok(())
}

#[cfg_attr(not(feature = "size"), inline(always))]
fn int(out: &mut Vec<u8>, v: Value<'_>, path: &Path<'_>) -> Result<(), Error> {
    // The common case first: a short run of digits is written as it is.
    let t = v.bytes();
    if t.len() <= 16 && t.iter().all(u8::is_ascii_digit) && (t[0] != b'0' || t.len() == 1) {
        v.copy_text(out);
        return Ok(());
    }
    other_int(out, v, path)
}

#[inline(never)]
fn other_int(out: &mut Vec<u8>, v: Value<'_>, path: &Path<'_>) -> Result<(), Error> {
    match v.as_number() {
        Some(n) if n.is_int => pyjson::write_int_text(out, n.text).map_err(|e| write_err(path, e)),
        Some(n) if lost_int_digits(n.text) => Err(Error::row(
            path.to_string(),
            format!(
                "expected an integer, got the float {}: an int past 2^53 that went through JSON.parse or a JS number has lost its last digits; pass the event as JSON text or bytes, or this value as a BigInt or a decimal string",
                n.text
            ),
        )),
        Some(n) => Err(Error::row(path.to_string(), format!("expected an integer, got the float {}", n.text))),
        // DRF renders an IntegerField with int(value): a decimal string (node-postgres's int8,
        // a bigint column read as text) is an int, exactly, at any size.
        None => match v.as_str().as_deref().and_then(decimal_int) {
            Some(digits) => pyjson::write_int_text(out, &digits).map_err(|e| write_err(path, e)),
            None => Err(Error::row(path.to_string(), format!("expected an integer (or a string of decimal digits), got {}", describe(v)))),
        },
    }
}

/// `int(text)` for the plain forms: an optional sign and ASCII digits, written as
/// Python writes the int (no `+`, no leading zeros, `-0` is `0`). Python also takes
/// surrounding spaces, `_` between digits and non-ASCII digits; those are refused here.
fn decimal_int(text: &str) -> Option<String> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    Some(match (digits.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{digits}"),
        (false, false) => digits.to_string(),
    })
}

/// An integral float at or past 2^53: most likely an int that a JS number rounded.
fn lost_int_digits(text: &str) -> bool {
    pyjson::parse_float(text).is_ok_and(|x| x.fract() == 0.0 && x.abs() >= 9_007_199_254_740_992.0)
}

/// The primary key of a related row given as an id or as the row.
fn related_id(out: &mut Vec<u8>, v: Value<'_>, path: &Path<'_>) -> Result<(), Error> {
    if v.kind() == JsonKind::Object {
        let id = v.get("id").ok_or_else(|| Error::row(path.key("id").to_string(), "related row has no \"id\""))?;
        return int(out, id, &path.key("id"));
    }
    int(out, v, path)
}

fn value_of(out: &mut Vec<u8>, field: &Field, v: Value<'_>, path: &Path<'_>) -> Result<(), Error> {
    // DRF renders None as null whatever the field (`to_representation` is not called).
    if v.is_null() && field.kind != FieldKind::ManyToMany {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    let wrong = |want: &str| Error::row(path.to_string(), format!("expected {want}, got {}", describe(v)));
    match field.kind {
        FieldKind::Int => int(out, v, path),
        FieldKind::Float => {
            let n = v.as_number().ok_or_else(|| wrong("a number"))?;
            pyjson::write_float_text(out, n.text).map_err(|e| write_err(path, e))
        }
        FieldKind::Bool => {
            let b = v.as_bool().ok_or_else(|| wrong("a boolean"))?;
            out.extend_from_slice(if b { b"true" } else { b"false" });
            Ok(())
        }
        FieldKind::Str => {
            let body = v.string_body().ok_or_else(|| wrong("a string"))?;
            pyjson::write_string_body(out, body);
            Ok(())
        }
        FieldKind::Uuid => {
            let s = v.as_str().ok_or_else(|| wrong("a UUID string"))?;
            let canonical = uuid(&s).ok_or_else(|| Error::row(path.to_string(), format!("{s:?} is not a UUID")))?;
            pyjson::write_str(out, &canonical);
            Ok(())
        }
        FieldKind::DateTime => {
            let raw = v.string_body().ok_or_else(|| wrong("an ISO 8601 datetime string"))?;
            out.push(b'"');
            datetime::render(raw, out).map_err(|m| Error::row(path.to_string(), m))?;
            out.push(b'"');
            Ok(())
        }
        FieldKind::Json => pyjson::transcode(out, v).map_err(|e| write_err(path, e)),
        FieldKind::ForeignKey => related_id(out, v, path),
        FieldKind::ManyToMany => {
            let items = v.elements().ok_or_else(|| wrong("a list of ids"))?;
            pyjson::write_list(out, items, |out, i, item| related_id(out, item, &path.index(i)))?;
            Ok(())
        }
    }
}

/// `str(uuid.UUID(s))`: lowercase 8-4-4-4-12, from any form Python accepts.
fn uuid(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t.strip_prefix("urn:").unwrap_or(t);
    let t = t.strip_prefix("uuid:").unwrap_or(t);
    let t = t.trim_start_matches('{').trim_end_matches('}');
    let hex: String = t.chars().filter(|&c| c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

/// Task `data`, with `replace_task_data_undefined_with_config_field`: when
/// `data` has `$undefined$` and the task's project has `data_types`, the
/// value moves to the first `data_types` key (`data[key] = data.pop(...)`
/// semantics: an existing key keeps its place, a new one goes last).
fn task_data<'d>(
    out: &mut Vec<u8>,
    data: Value<'d>,
    task_project: Option<Value<'d>>,
    ctx: &Context<'d>,
    row_path: &Path<'_>,
) -> Result<(), Error> {
    let path = &row_path.key("data");
    // Cheap filter first: most events have no key starting with `$` at all
    // (the reader notes any, decoding escaped ones as json.loads would).
    if data.kind() != JsonKind::Object || !data.doc().has_dollar_keys() {
        return pyjson::transcode(out, data).map_err(|e| write_err(path, e));
    }
    let mut entries = pyjson::dict_entries(data);
    let mut undefined_key = Vec::new();
    pyjson::write_str(&mut undefined_key, DATA_UNDEFINED_NAME);
    let Some(pos) = entries.iter().position(|(k, _)| *k == undefined_key) else {
        return pyjson::write_dict(out, &entries).map_err(|e| write_err(path, e));
    };
    let Some(first_key) = first_data_type(task_project, ctx, row_path)? else {
        return pyjson::write_dict(out, &entries).map_err(|e| write_err(path, e));
    };
    let (_, value) = entries.remove(pos);
    let mut key = Vec::new();
    pyjson::write_string_body(&mut key, first_key);
    if key != undefined_key {
        pyjson::dict_update(&mut entries, key, value, PartialEq::eq);
    }
    pyjson::write_dict(out, &entries).map_err(|e| write_err(path, e))
}

/// The raw first key of the task's project `data_types`, if it has one.
fn first_data_type<'a>(
    task_project: Option<Value<'a>>,
    ctx: &Context<'a>,
    row_path: &Path<'_>,
) -> Result<Option<&'a str>, Error> {
    let project = match task_project {
        Some(p) if p.kind() == JsonKind::Object => p,
        other => {
            let id = other.and_then(|v| v.as_number()).and_then(|n| n.text.parse::<i64>().ok());
            match (ctx.project, id) {
                (Some(p), Some(id)) if Some(id) == ctx.project_id => p,
                (Some(p), None) => p,
                _ => {
                    return Err(Error::row(
                        row_path.key("project").to_string(),
                        "a task's data has \"$undefined$\": its project row (with data_types) is needed, as the event's project or as the task's \"project\"",
                    ));
                }
            }
        }
    };
    let Some(types) = project.get("data_types") else { return Ok(None) };
    Ok(types.raw_entries().and_then(|mut e| e.next()).map(|(k, _)| k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::reader::Doc;
    use crate::labelstudio::serializers;

    fn render(ser: &Serializer, row: &str, project: Option<&str>) -> Result<String, Error> {
        let doc = Doc::parse(row).unwrap();
        let pdoc = project.map(|p| Doc::parse(p).unwrap());
        let ctx = Context { project: pdoc.as_ref().map(|d| d.root()), project_id: Some(1) };
        let mut out = Vec::new();
        Renderer::default().row(&mut out, ser, doc.root(), &ctx, &Path::Root("instance"))?;
        Ok(String::from_utf8(out).unwrap())
    }

    const TASK: &str = r#"{"id": 7, "data": {"text": "x"}, "meta": {}, "created_at": "2026-11-26T23:17:32.937907+00:00",
        "updated_at": "2026-11-26T23:17:32+00:00", "is_labeled": false, "allow_skip": true, "overlap": 1,
        "inner_id": 7, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0,
        "precomputed_agreement": 1, "comment_count": 0, "unresolved_comment_count": 0,
        "last_comment_updated_at": null, "project_id": 1, "updated_by": {"id": 3}, "file_upload_id": null,
        "comment_authors": [1, {"id": 2}], "extra": "ignored"}"#;

    #[test]
    fn int_fields_take_decimal_strings_exactly() {
        for (given, want) in [("\"8755930484223553000\"", Some("8755930484223553000")), ("\"007\"", Some("7")), ("\"-0\"", Some("0")),
            ("\"+12\"", Some("12")), ("\"-12\"", Some("-12")), ("\"123456789012345678901234567890\"", Some("123456789012345678901234567890")),
            ("\"1_000\"", None), ("\" 1\"", None), ("\"\"", None), ("\"1.0\"", None), ("\"x\"", None), ("\"-\"", None)] {
            let doc = crate::json::reader::Doc::parse(given).unwrap();
            let mut out = Vec::new();
            let got = int(&mut out, doc.root(), &Path::Root("x")).map(|()| String::from_utf8(out).unwrap());
            assert_eq!(got.ok().as_deref(), want, "{given}");
        }
        let doc = crate::json::reader::Doc::parse("8.755930484223553e+18").unwrap();
        let e = int(&mut Vec::new(), doc.root(), &Path::Root("x")).unwrap_err();
        assert!(e.message.contains("BigInt or a decimal string"), "{}", e.message);
        let doc = crate::json::reader::Doc::parse("1.5").unwrap();
        assert!(!int(&mut Vec::new(), doc.root(), &Path::Root("x")).unwrap_err().message.contains("BigInt"));
    }

    #[test]
    fn every_field_prefix_fits_and_is_plain() {
        for ser in serializers::ALL {
            for (f, p) in ser.fields.iter().zip(key_prefixes(ser)) {
                assert!(f.name.len() + 6 <= PREFIX_MAX, "{} is too long for the prefix buffer", f.name);
                assert!(f.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'), "{}", f.name);
                let mut out = b"x".to_vec();
                p.write(&mut out);
                assert_eq!(out, format!("x, \"{}\": ", f.name).as_bytes());
            }
        }
    }

    #[test]
    fn renders_a_task_in_serializer_order() {
        let got = render(&serializers::TASK, TASK, None).unwrap();
        assert_eq!(
            got,
            r#"{"id": 7, "data": {"text": "x"}, "meta": {}, "created_at": "2026-11-26T23:17:32.937907Z", "updated_at": "2026-11-26T23:17:32Z", "is_labeled": false, "allow_skip": true, "overlap": 1, "inner_id": 7, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0, "precomputed_agreement": 1.0, "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": null, "project": 1, "updated_by": 3, "file_upload": null, "comment_authors": [1, 2]}"#
        );
    }

    #[test]
    fn resolves_undefined_like_label_studio() {
        let p = r#"{"id": 1, "data_types": {"text": "Text", "image": "Image"}}"#;
        let with = |data: &str| TASK.replace(r#"{"text": "x"}"#, data);
        let data_of = |s: String| s[s.find("\"data\": ").unwrap() + 8..s.find(", \"meta\"").unwrap()].to_string();
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"a": 1, "$undefined$": "v", "b": 2}"#), Some(p)).unwrap()), r#"{"a": 1, "b": 2, "text": "v"}"#);
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"text": 0, "$undefined$": "v"}"#), Some(p)).unwrap()), r#"{"text": "v"}"#);
        let empty = r#"{"id": 1, "data_types": {}}"#;
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"$undefined$": "v"}"#), Some(empty)).unwrap()), r#"{"$undefined$": "v"}"#);
        let selfkey = r#"{"id": 1, "data_types": {"$undefined$": "Text"}}"#;
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"a": 1, "$undefined$": "v"}"#), Some(selfkey)).unwrap()), r#"{"a": 1}"#);
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"a": "$undefined$"}"#), None).unwrap()), r#"{"a": "$undefined$"}"#);
        // An escaped key is the same key once json.loads has read it.
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"a": 1, "\u0024undefined$": "v"}"#), Some(p)).unwrap()), r#"{"a": 1, "text": "v"}"#);
        // A `$` key elsewhere sends every row the careful way, with the same bytes.
        assert_eq!(data_of(render(&serializers::TASK, &with(r#"{"a": {"$x": 1, "$x": 2}, "b": [1.50]}"#), None).unwrap()), r#"{"a": {"$x": 2}, "b": [1.5]}"#);
        let e = render(&serializers::TASK, &with(r#"{"$undefined$": 1}"#), None).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidRow);
    }

    #[test]
    fn reports_bad_fields_with_paths() {
        let cases = [
            (TASK.replace(r#""overlap": 1"#, r#""overlap": 1.5"#), "instance.overlap"),
            (TASK.replace(r#""overlap": 1,"#, ""), "instance.overlap"),
            (TASK.replace(r#""is_labeled": false"#, r#""is_labeled": 0"#), "instance.is_labeled"),
            (TASK.replace("2026-11-26T23:17:32+00:00", "soon"), "instance.updated_at"),
            (TASK.replace(r#""comment_authors": [1, {"id": 2}]"#, r#""comment_authors": [1, {"x": 2}]"#), "instance.comment_authors[1].id"),
            (TASK.replace(r#""precomputed_agreement": 1"#, r#""precomputed_agreement": 1e999"#), "instance.precomputed_agreement"),
            (TASK.replace(r#"{"text": "x"}"#, r#"{"n": -1e400}"#), "instance.data"),
        ];
        for (row, path) in cases {
            let e = render(&serializers::TASK, &row, None).unwrap_err();
            assert_eq!(e.path, path, "{e}");
        }
        assert_eq!(render(&serializers::TASK, "[]", None).unwrap_err().path, "instance");
    }

    #[test]
    fn nullable_fields_may_be_missing_and_declared_ones_are_skipped() {
        let link = r#"{"id": 4, "from_name": "label", "project_id": 1, "label": {"id": 9, "title": "x"}}"#;
        assert_eq!(render(&serializers::LABEL_LINK, link, None).unwrap(), r#"{"id": 4, "from_name": "label", "project": 1, "label": 9}"#);
        let counted = link.replace(r#""id": 4,"#, r#""id": 4, "annotations_count": 3,"#);
        assert_eq!(render(&serializers::LABEL_LINK, &counted, None).unwrap(), r#"{"id": 4, "annotations_count": 3, "from_name": "label", "project": 1, "label": 9}"#);
        assert_eq!(
            render(&serializers::TASK, &TASK.replace(r#""last_comment_updated_at": null,"#, ""), None).unwrap(),
            render(&serializers::TASK, TASK, None).unwrap()
        );
    }

    #[test]
    fn only_id_accepts_rows_and_ids() {
        assert_eq!(render(&serializers::ONLY_ID, r#"{"x": 1, "id": 5}"#, None).unwrap(), r#"{"id": 5}"#);
        assert_eq!(render(&serializers::ONLY_ID, "12", None).unwrap(), r#"{"id": 12}"#);
        assert!(render(&serializers::ONLY_ID, r#"{"x": 1}"#, None).is_err());
        assert!(render(&serializers::ONLY_ID, r#""5""#, None).is_err());
    }

    #[test]
    fn canonical_uuids() {
        assert_eq!(uuid("{A1B2C3D4-0000-4000-8000-0123456789AB}").unwrap(), "a1b2c3d4-0000-4000-8000-0123456789ab");
        assert_eq!(uuid("a1b2c3d400004000800001234567890a").unwrap(), "a1b2c3d4-0000-4000-8000-01234567890a");
        assert!(uuid("nope").is_none());
    }
}
