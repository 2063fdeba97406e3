//! Where a field path (`instance[3].created_at`, `webhooks[0].url`: the paths
//! of the core's errors) sits in JSON text, for pointing a person at it.

use crate::json::reader::{Doc, Value};

/// A value's place in the text, in bytes. `exact` is false when the path ends
/// in a field that is missing: the span is then the deepest parent that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub exact: bool,
}

enum Segment<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !name.is_empty() {
            out.push(Segment::Key(name));
        }
        while let Some(close) = rest.find(']').filter(|_| rest.starts_with('[')) {
            match rest[1..close].parse() {
                Ok(i) => out.push(Segment::Index(i)),
                Err(_) => out.push(Segment::Key(&rest[1..close])),
            }
            rest = &rest[close + 1..];
        }
    }
    out
}

/// The span of the value at `path` in `text` (JSON that parses), or of its
/// deepest existing parent; `None` when the text is not JSON or the path
/// names nothing in it at all.
pub fn locate(text: &str, path: &str) -> Option<Span> {
    let doc = Doc::parse(text).ok()?;
    let wanted = segments(path);
    let mut at: Value<'_> = doc.root();
    let mut found = 0;
    for seg in &wanted {
        let next = match seg {
            Segment::Key(k) => at.get(k),
            Segment::Index(i) => at.elements().and_then(|mut e| e.nth(*i)),
        };
        match next {
            Some(v) => {
                at = v;
                found += 1;
            }
            None => break,
        }
    }
    if found == 0 && !wanted.is_empty() {
        return None;
    }
    let (start, end) = at.span();
    Some(Span { start, end, exact: found == wanted.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_and_the_deepest_parent() {
        let text = r#"{"action": "TASKS_CREATED", "instance": [{"id": 1}, {"id": 2, "created_at": "x"}], "webhooks": [{"url": "u"}]}"#;
        let at = |path: &str| locate(text, path).map(|s| (&text[s.start..s.end], s.exact));
        assert_eq!(at("instance[1].created_at"), Some(("\"x\"", true)));
        assert_eq!(at("webhooks[0].url"), Some(("\"u\"", true)));
        assert_eq!(at("instance[0].created_at"), Some(("{\"id\": 1}", false)));
        assert_eq!(at("instance[5]"), Some((&text[text.find('[').unwrap()..text.find(']').unwrap() + 1], false)));
        assert_eq!(at(""), Some((text, true)));
        assert_eq!(at("nope"), None);
        assert_eq!(locate("{", "a"), None);
    }
}
