//! A body as a receiver gets it, checked against what Label Studio sends for
//! its action (the registry, the body layout and the serializers' fields):
//! the receiver's side of the tables, behind `parseWebhook`. It accepts
//! exactly what the JSON Schemas of `schemas()` accept.

use crate::error::{Error, ErrorCode, Location};
use crate::json::reader::{Doc, Kind, Value};
use crate::json::pyjson;
use crate::labelstudio::layout::{body_keys, Role};
use crate::labelstudio::registry::{self, Action};
use crate::labelstudio::serializers::{Field, FieldKind, SerializerId};

/// A body that passed [`check`].
#[derive(Debug)]
pub struct Received {
    pub action: &'static Action,
    /// Where (byte offsets) float fields hold integer text: a Python `float`,
    /// so never a BigInt, however large (see [`big_ints`]).
    pub float_offsets: Vec<usize>,
}

/// The action of a well-formed body; `Err` names the first offending field.
pub fn check(doc: &Doc<'_>) -> Result<Received, Error> {
    let root = doc.root();
    let entries: Vec<_> = root.entries().ok_or_else(|| bad("", "a webhook body is a JSON object"))?.collect();
    let action_name = root.get("action").and_then(|v| v.as_str()).ok_or_else(|| bad("action", "no \"action\" string"))?;
    let action = registry::find(&action_name).ok_or_else(|| bad("action", format!("{action_name:?} is not an action of Label Studio 1.23.2")))?;
    let mut received = Received { action, float_offsets: Vec::new() };
    // Distinct keys: `action` given twice is still `{"action": ...}` alone (`send_payload: false`).
    if entries.iter().all(|(k, _)| k == "action") {
        return Ok(received);
    }
    let keys = body_keys(action);
    for (key, _) in &entries {
        if !keys.iter().any(|k| k.key == key) {
            return Err(bad(key.to_string(), format!("{action_name} bodies have no {key:?} key")));
        }
    }
    for k in keys.iter().filter(|k| k.role != Role::Action) {
        let Some(value) = root.get(k.key) else {
            if k.required {
                return Err(bad(k.key, format!("{action_name} bodies carry {:?}", k.key)));
            }
            continue;
        };
        let ser = k.serializer.expect("every key but action has a serializer");
        if k.many {
            let rows = value.elements().ok_or_else(|| bad(k.key, "expected a list of rows"))?;
            let mut n = 0;
            for (i, row) in rows.enumerate() {
                check_row(row, ser, &format!("{}[{i}]", k.key), &mut received.float_offsets)?;
                n += 1;
            }
            if n == 0 {
                return Err(bad(k.key, "an empty list: Label Studio never sends one"));
            }
        } else {
            check_row(value, ser, k.key, &mut received.float_offsets)?;
        }
    }
    Ok(received)
}

/// The error of a body that Label Studio would not send, at `path`.
pub fn bad(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidBody, path, message)
}

/// A body that is not JSON: the syntax error, with its place.
pub fn syntax(message: &str, path: String, at: Location) -> Error {
    bad(path, format!("malformed JSON: {message} at line {} column {} (byte {})", at.line, at.column, at.offset)).at(at)
}

/// One step of a path into a JSON value.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the boundary's; tested natively
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Every integer past 2^53 in the value (which a JS `Number` cannot hold
/// exactly), with its path and digits, for the boundary to make BigInts of.
/// A key given twice counts once, by its last value, as `JSON.parse` reads it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
/// Numbers at `floats` (byte offsets) are left out: float fields.
pub fn big_ints<'d>(value: Value<'d>, floats: &[usize]) -> Vec<(Vec<Step>, &'d str)> {
    fn walk<'d>(v: Value<'d>, floats: &[usize], path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, &'d str)>) {
        match v.kind() {
            Kind::Number if floats.contains(&v.offset()) => {}
            Kind::Number => {
                let n = v.as_number().expect("a number");
                let digits = n.text.trim_start_matches('-');
                // 2^53 = 9007199254740992 (16 digits).
                if n.is_int && (digits.len() > 16 || (digits.len() == 16 && digits > "9007199254740992")) {
                    out.push((path.clone(), n.text));
                }
            }
            Kind::Array => {
                for (i, item) in v.elements().expect("an array").enumerate() {
                    path.push(Step::Index(i));
                    walk(item, floats, path, out);
                    path.pop();
                }
            }
            Kind::Object => {
                let entries: Vec<_> = v.entries().expect("an object").collect();
                for (i, (key, item)) in entries.iter().enumerate() {
                    if entries[i + 1..].iter().any(|(k, _)| k == key) {
                        continue;
                    }
                    path.push(Step::Key(key.to_string()));
                    walk(*item, floats, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, floats, &mut Vec::new(), &mut out);
    out
}

fn check_row(row: Value<'_>, ser: SerializerId, path: &str, floats: &mut Vec<usize>) -> Result<(), Error> {
    let ser = ser.get();
    let entries: Vec<_> = row.entries().ok_or_else(|| bad(path, format!("expected a {} row (an object)", ser.model)))?.collect();
    for (key, _) in &entries {
        if !ser.fields.iter().any(|f| f.name == key) {
            return Err(bad(format!("{path}.{key}"), format!("{} has no field {key:?}", ser.class)));
        }
    }
    for field in ser.fields {
        let at = format!("{path}.{}", field.name);
        match row.get(field.name) {
            None if field.declared_read_only => {}
            None => return Err(bad(at, format!("{} always renders {:?}", ser.class, field.name))),
            Some(v) => {
                check_field(v, field).map_err(|why| bad(at, why))?;
                if field.kind == FieldKind::Float && v.as_number().is_some_and(|n| n.is_int) {
                    floats.push(v.offset());
                }
            }
        }
    }
    Ok(())
}

fn check_field(v: Value<'_>, field: &Field) -> Result<(), String> {
    if v.is_null() {
        return if field.nullable || field.kind == FieldKind::Json { Ok(()) } else { Err("may not be null".into()) };
    }
    // JSON Schema's "integer": any number with a zero fraction (`1.0`, `1e2`), as the
    // schemas of `schemas()` say; ints of any size (Python's).
    let int = |v: Value<'_>| v.as_number().is_some_and(|n| n.is_int || pyjson::parse_float(n.text).is_ok_and(|x| x.fract() == 0.0));
    let finite = |v: Value<'_>| v.as_number().is_some_and(|n| n.is_int || pyjson::parse_float(n.text).is_ok());
    let ok = match field.kind {
        FieldKind::Int | FieldKind::ForeignKey => int(v),
        // A Python float: finite (`1e400` is no float json.dumps could write).
        FieldKind::Float => finite(v),
        FieldKind::Bool => v.kind() == Kind::Bool,
        FieldKind::Str => v.kind() == Kind::String,
        FieldKind::Uuid => v.as_str().is_some_and(|s| is_uuid(&s)),
        FieldKind::DateTime => v.as_str().is_some_and(|s| is_datetime(&s)),
        FieldKind::Json => true,
        FieldKind::ManyToMany => v.elements().is_some_and(|mut items| items.all(int)),
    };
    ok.then_some(()).ok_or_else(|| format!("expected {}", expected(field.kind)))
}

fn expected(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Int => "an integer",
        FieldKind::ForeignKey => "an integer id",
        FieldKind::Float => "a number",
        FieldKind::Bool => "true or false",
        FieldKind::Str => "a string",
        FieldKind::Uuid => "a UUID (lowercase 8-4-4-4-12)",
        FieldKind::DateTime => "a UTC datetime (YYYY-MM-DDTHH:MM:SS[.ffffff]Z)",
        FieldKind::Json => "any JSON value",
        FieldKind::ManyToMany => "a list of integer ids",
    }
}

/// DRF's `UUIDField` output ('hex_verbose'): lowercase 8-4-4-4-12.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// DRF's `DateTimeField` output under Label Studio's settings:
/// `YYYY-MM-DDTHH:MM:SS`, then `.ffffff` when there are microseconds, then `Z`.
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = |pattern: &[u8]| {
        b.len() == pattern.len() && b.iter().zip(pattern).all(|(&c, &p)| if p == b'9' { c.is_ascii_digit() } else { c == p })
    };
    shape(b"9999-99-99T99:99:99Z") || shape(b"9999-99-99T99:99:99.999999Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(text: &str) -> Result<&'static str, (ErrorCode, String)> {
        let doc = Doc::parse(text).unwrap();
        check(&doc).map(|r| r.action.action).map_err(|e| (e.code, e.path))
    }

    #[test]
    fn accepts_what_label_studio_sends() {
        for path in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/events")).unwrap() {
            let text = std::fs::read_to_string(path.unwrap().path()).unwrap();
            let plan = crate::build_deliveries(&text).unwrap();
            for d in &plan.deliveries {
                assert_eq!(check_text(&d.body), Ok(plan.action), "{}", &d.body[..d.body.len().min(300)]);
            }
        }
    }

    #[test]
    fn names_the_first_offending_field() {
        let bad = |text: &str| check_text(text).unwrap_err();
        assert_eq!(bad(r#"[]"#), (ErrorCode::InvalidBody, "".into()));
        assert_eq!(bad(r#"{"action": "NOPE"}"#).1, "action");
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": []}"#).1, "tasks");
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1}], "extra": 1}"#).1, "extra");
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1}, {"id": "2"}]}"#).1, "tasks[1].id");
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1, "x": 2}]}"#).1, "tasks[0].x");
        assert_eq!(bad(r#"{"action": "ANNOTATION_CREATED", "annotation": {"id": 1}}"#).1, "annotation.result");
        assert_eq!(check_text(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 123456789012345678901234567890}]}"#), Ok("TASKS_DELETED"));
        // JSON Schema's integers (zero fraction) are ints; float fields are finite.
        assert_eq!(check_text(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1.0}]}"#), Ok("TASKS_DELETED"));
        assert_eq!(check_text(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1e2}]}"#), Ok("TASKS_DELETED"));
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1.5}]}"#).1, "tasks[0].id");
        assert_eq!(bad(r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1e400}]}"#).1, "tasks[0].id");
        // `action` twice is still the action-only body.
        assert_eq!(check_text(r#"{"action": "NOPE", "action": "TASKS_DELETED"}"#), Ok("TASKS_DELETED"));
        assert!(is_datetime("2024-01-02T03:04:05Z") && is_datetime("2024-01-02T03:04:05.123456Z"));
        assert!(!is_datetime("2024-01-02T03:04:05+00:00") && !is_datetime("2024-01-02 03:04:05Z"));
        let doc = Doc::parse(r#"{"a": [1, 9007199254740992, 9007199254740993, -12345678901234567890], "b": {"c": 1e300, "c": 99999999999999999}}"#).unwrap();
        let found: Vec<_> = big_ints(doc.root(), &[]).into_iter().map(|(p, d)| (p.len(), d)).collect();
        assert_eq!(found, [(2, "9007199254740993"), (2, "-12345678901234567890"), (2, "99999999999999999")]);
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000") && !is_uuid("123E4567-E89B-12D3-A456-426614174000"));
    }
}
