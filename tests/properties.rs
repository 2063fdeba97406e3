//! Property tests: generated events never panic, and what is built is right.
//!
//! Valid events are generated from the serializer field lists of
//! `ls_webhooks::labelstudio::serializers` (every field gets an arbitrary value of its
//! kind, nullable fields are sometimes null or left out, rows list their keys
//! in any order, foreign keys go by name or column, as an id or as a row).
//! Then:
//! - a valid event builds (`Ok`), `Batches` gives the same deliveries, and
//!   every body is ASCII; CPython (one `python3` for all the bodies) parses
//!   every body back, `json.dumps(json.loads(body), allow_nan=False) == body`,
//!   and each JSON, string, int, bool and float field of every row (task
//!   `data`, annotation `result`, project `parsed_label_config`, ...) equals,
//!   as a Python value, what was given;
//! - mutations (a field removed, a field of the wrong kind, an envelope field
//!   replaced by random JSON, truncated text, random bytes, random JSON) give
//!   either a plan or a typed error, never a panic; the error is the expected
//!   one where it can be known (code and path), and `Batches` agrees.
//!
//! Bounded: a few hundred cases per property (PROPTEST_CASES overrides).
#![cfg(not(target_arch = "wasm32"))]

use ls_webhooks::labelstudio::registry::Action;
use ls_webhooks::labelstudio::serializers::{Field, FieldKind, Serializer, SerializerId};
use ls_webhooks::{build_deliveries, build_deliveries_bytes, Batches, Error, ErrorCode, Plan, ACTIONS};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use std::cell::RefCell;

mod common;

// ---------------------------------------------------------------- values

/// A JSON string literal: arbitrary characters (serde_json escapes what JSON
/// requires), or pieces that exercise the escaper (escapes, surrogate pairs,
/// lone surrogates, U+2028, DEL).
fn json_string() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(|c| {
            let s = serde_json::to_string(&c.to_string()).unwrap();
            s[1..s.len() - 1].to_string()
        }),
        2 => "[a-zA-Z0-9 _.-]{1,6}",
        1 => prop::sample::select(vec![
            "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001f", "\\u007f", "\\u00e9",
            "\\u2028", "\\ud83d\\ude00", "\\ud800", "\\udfff", "\\uDBFF\\uDFFF", "\u{2029}", "\u{7f}", "é", "😀", "中",
        ])
        .prop_map(str::to_string),
    ];
    vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat())).boxed()
}

fn int_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (-1000i64..1000).prop_map(|n| n.to_string()),
        3 => any::<i64>().prop_map(|n| n.to_string()),
        1 => (any::<bool>(), 1u8..10, vec(0u8..10, 18..40)).prop_map(|(neg, first, rest)| {
            let digits: String = rest.iter().map(|d| char::from(b'0' + d)).collect();
            format!("{}{first}{digits}", if neg { "-" } else { "" })
        }),
        1 => Just("-0".to_string()),
    ]
    .boxed()
}

/// Finite floats in the forms JSON allows (never an int literal).
fn float_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| format!("{x:?}")),
        2 => (-1000i32..1000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        2 => (1u32..100000, -20i32..20, prop::bool::ANY).prop_map(|(m, e, up)| format!("{m}{}{e}", if up { "E" } else { "e" })),
        1 => prop::sample::select(vec!["1.0", "-0.0", "0.1", "1e16", "1E+16", "1e-07", "5e-324", "1.7976931348623157e308", "9999999999999998.0", "0.30000000000000004"])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// Any JSON value (no NaN/Infinity, nothing out of float range), with
/// varied whitespace and sometimes duplicate keys.
fn json_value() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        int_text(),
        float_text(),
        json_string(),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        let sep = prop::sample::select(vec![", ", ",", " ,\n  ", ",\t"]);
        prop_oneof![
            (vec(inner.clone(), 0..5), sep.clone()).prop_map(|(items, sep)| format!("[{}]", items.join(sep))),
            (vec((json_string(), inner), 0..5), sep, any::<bool>()).prop_map(|(mut entries, sep, dup)| {
                if dup && entries.len() > 1 {
                    let k = entries[0].0.clone();
                    entries.last_mut().unwrap().0 = k; // first position, last value
                }
                let items: Vec<String> = entries.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", items.join(sep))
            }),
        ]
    })
    .boxed()
}

fn datetime_text() -> BoxedStrategy<String> {
    let zone = prop::sample::select(vec!["Z", "+00:00", "", "+05:30", "-08:00", "+0200", "-03", "+14:00", "-12:00"]);
    (1971i32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60, 0usize..10, zone, prop::sample::select(vec!["T", " "]), any::<u64>())
        .prop_map(|(y, mo, d, h, mi, s, nfrac, zone, sep, frac)| {
            let frac = if nfrac == 0 { String::new() } else { format!(".{}", &format!("{frac:020}")[..nfrac]) };
            format!("\"{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{zone}\"")
        })
        .boxed()
}

fn uuid_text() -> BoxedStrategy<String> {
    (any::<u128>(), 0..4u8, any::<bool>())
        .prop_map(|(n, form, upper)| {
            let h = format!("{n:032x}");
            let h = if upper { h.to_uppercase() } else { h };
            let dashed = format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
            match form {
                0 => format!("\"{dashed}\""),
                1 => format!("\"{{{dashed}}}\""),
                2 => format!("\"{h}\""),
                _ => format!("\"urn:uuid:{dashed}\""),
            }
        })
        .boxed()
}

fn id_text() -> BoxedStrategy<String> {
    prop_oneof![4 => (1i64..100_000).prop_map(|n| n.to_string()), 1 => int_text()].boxed()
}

/// A related row as an id or as a row with an `id` (and other keys).
fn related() -> BoxedStrategy<String> {
    prop_oneof![
        3 => id_text(),
        1 => (id_text(), json_string()).prop_map(|(id, s)| format!("{{\"title\": {s}, \"id\": {id}}}")),
    ]
    .boxed()
}

/// A value of the field's kind (never null).
fn value_of(kind: FieldKind) -> BoxedStrategy<String> {
    match kind {
        FieldKind::Int => int_text(),
        FieldKind::Float => prop_oneof![3 => float_text(), 1 => (-1000i64..1000).prop_map(|n| n.to_string())].boxed(),
        FieldKind::Bool => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        FieldKind::Str => json_string(),
        FieldKind::Uuid => uuid_text(),
        FieldKind::DateTime => datetime_text(),
        FieldKind::Json => json_value(),
        FieldKind::ForeignKey => related(),
        FieldKind::ManyToMany => vec(related(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))).boxed(),
    }
}

// ---------------------------------------------------------------- rows

/// A row as its entries (key, JSON text), in the order written; or a bare id.
#[derive(Clone, Debug)]
struct Row {
    entries: Vec<(String, String)>,
    bare: Option<String>,
}

impl Row {
    fn text(&self) -> String {
        if let Some(id) = &self.bare {
            return id.clone();
        }
        let items: Vec<String> = self.entries.iter().map(|(k, v)| format!("{}: {v}", serde_json::to_string(k).unwrap())).collect();
        format!("{{{}}}", items.join(", "))
    }

    /// The value given for a field (by its name or its column).
    fn get(&self, f: &Field) -> Option<&(String, String)> {
        self.entries.iter().rev().find(|(k, _)| *k == f.name || Some(k.as_str()) == f.column)
    }

    fn set(&mut self, key: &str, value: String) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_string(), value));
    }
}

/// What a field of a generated row is: left out, null, or a value.
fn field_entry(f: &'static Field) -> BoxedStrategy<Option<(String, String)>> {
    let key = match f.column {
        Some(col) => prop_oneof![Just(f.name.to_string()), Just(col.to_string())].boxed(),
        None => Just(f.name.to_string()).boxed(),
    };
    let value = if f.nullable {
        prop_oneof![6 => value_of(f.kind), 1 => Just("null".to_string())].boxed()
    } else {
        value_of(f.kind)
    };
    let present = (key, value).prop_map(Some);
    if f.nullable || f.declared_read_only {
        prop_oneof![5 => present, 1 => Just(None)].boxed()
    } else {
        present.boxed()
    }
}

/// A row its serializer renders: every field, in serializer order or
/// shuffled, sometimes with keys the serializer ignores.
fn row_of(ser: &'static Serializer) -> BoxedStrategy<Row> {
    if ser.id == SerializerId::OnlyId {
        return prop_oneof![
            3 => (int_text(), vec(json_value(), 0..2)).prop_map(|(id, extra)| {
                let mut entries: Vec<(String, String)> = extra.into_iter().enumerate().map(|(i, v)| (format!("x_extra_{i}"), v)).collect();
                entries.push(("id".into(), id));
                Row { entries, bare: None }
            }),
            1 => int_text().prop_map(|id| Row { entries: vec![], bare: Some(id) }),
        ]
        .boxed();
    }
    let fields: Vec<BoxedStrategy<Option<(String, String)>>> = ser.fields.iter().map(field_entry).collect();
    (fields, any::<bool>(), vec(json_value(), 0..2))
        .prop_flat_map(|(entries, shuffle, extra)| {
            let mut entries: Vec<(String, String)> = entries.into_iter().flatten().collect();
            entries.extend(extra.into_iter().enumerate().map(|(i, v)| (format!("x_extra_{i}"), v)));
            let len = entries.len();
            if shuffle {
                Just(entries).prop_shuffle().boxed()
            } else {
                Just(entries).boxed()
            }
            .prop_map(move |e| {
                debug_assert_eq!(e.len(), len);
                Row { entries: e, bare: None }
            })
        })
        .boxed()
}

/// An instance row with its nested rows (an annotation's full `task`, a
/// label link's full `label`) in place of the foreign key.
fn instance_row(action: &'static Action) -> BoxedStrategy<Row> {
    let base = row_of(action.serializer.get());
    match action.nested_fields.first() {
        None => base,
        Some(n) => (base, row_of(n.serializer.get()))
            .prop_map(move |(mut row, nested)| {
                // The nested key replaces the foreign key (by name or column).
                let column = format!("{}_id", n.key);
                row.entries.retain(|(k, _)| *k != column);
                row.set(n.key, nested.text());
                row
            })
            .boxed(),
    }
}

// ---------------------------------------------------------------- events

#[derive(Clone, Debug)]
enum Instance {
    One(Row),
    Many(Vec<Row>),
}

#[derive(Clone, Debug)]
struct Event {
    action: &'static Action,
    /// The event's project row (not for organization-only actions).
    project: Option<Row>,
    instance: Instance,
    webhooks: Vec<String>,
    batch_size: usize,
    ssrf: bool,
}

const PROJECT_ID: i64 = 12;

impl Event {
    fn text(&self) -> String {
        let instance = match &self.instance {
            Instance::One(r) => r.text(),
            Instance::Many(rows) => format!("[{}]", rows.iter().map(Row::text).collect::<Vec<_>>().join(", ")),
        };
        let project = self.project.as_ref().map_or("null".to_string(), Row::text);
        format!(
            "{{\"action\": \"{}\", \"organization\": 1, \"project\": {project}, \"instance\": {instance}, \"webhooks\": [{}], \"options\": {{\"batchSize\": {}, \"ssrfProtection\": {}}}}}",
            self.action.action,
            self.webhooks.join(", "),
            self.batch_size,
            self.ssrf
        )
    }

    fn rows(&self) -> Vec<&Row> {
        match &self.instance {
            Instance::One(r) => vec![r],
            Instance::Many(rows) => rows.iter().collect(),
        }
    }
}

/// A webhook of organization 1: for the project or the whole organization,
/// active or not, subscribed to everything or to a list, with headers.
fn webhook(id: usize, project: bool) -> BoxedStrategy<String> {
    let url = prop::sample::select(vec![
        "https://a.example/hook",
        "http://b.example:8080/x?y=1",
        "https://user:pw@c.example/path#frag",
        "HTTPS://D.EXAMPLE",
        "ftp://e.example/hook",
        "http://127.0.0.1:9/x",
        "http://[::1]/",
        "https://f.example:99999/",
    ]);
    let headers = prop::sample::select(vec![
        "{}",
        "{\"X-Key\": \"k\"}",
        "{\"Authorization\": \"Bearer \\u00e9t\\u00e9\", \"content-type\": \"text/plain\"}",
        "{\"X-Bad\": \"a\\r\\nInjected: 1\"}",
        "{\"X-Null\": null, \"X-Num\": 5}",
        "{\"X-Emoji\": \"\\ud83d\\ude00\"}",
    ]);
    let actions = prop::sample::subsequence(ACTIONS.iter().map(|a| a.action).collect::<Vec<_>>(), 0..3);
    (url, headers, any::<bool>(), any::<bool>(), prop::bool::weighted(0.85), any::<bool>(), actions)
        .prop_map(move |(url, headers, send_payload, all, active, for_project, actions)| {
            let project = if project && for_project { PROJECT_ID.to_string() } else { "null".into() };
            let actions: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
            format!(
                "{{\"id\": {id}, \"organization\": 1, \"project\": {project}, \"url\": \"{url}\", \"send_payload\": {send_payload}, \"send_for_all_actions\": {all}, \"headers\": {headers}, \"is_active\": {active}, \"actions\": [{}]}}",
                actions.join(", ")
            )
        })
        .boxed()
}

/// The first webhook always sends payloads to a good URL, so every row is rendered.
fn sure_webhook() -> String {
    r#"{"id": 100, "organization": 1, "project": null, "url": "https://sure.example/hook", "send_payload": true, "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []}"#.into()
}

fn event_for(action: &'static Action) -> BoxedStrategy<Event> {
    let project = row_of(&ls_webhooks::labelstudio::serializers::PROJECT).prop_map(|mut p| {
        p.set("id", PROJECT_ID.to_string());
        p
    });
    let instance = if action.many {
        vec(instance_row(action), 0..7).prop_map(Instance::Many).boxed()
    } else {
        instance_row(action).prop_map(Instance::One).boxed()
    };
    let has_project = !action.organization_only;
    let hooks = (0..3usize).map(|i| webhook(i + 1, has_project)).collect::<Vec<_>>();
    (project, instance, vec(0..3usize, 0..4), hooks, 1usize..5, prop::bool::weighted(0.8))
        .prop_map(move |(project, instance, pick, hooks, batch_size, ssrf)| {
            let mut webhooks = vec![sure_webhook()];
            webhooks.extend(pick.into_iter().map(|i| hooks[i].clone())); // repeats too: each id once
            // PROJECT_UPDATED sends the project row as the instance too.
            let instance = match (action.action, instance) {
                ("PROJECT_UPDATED", _) => Instance::One(project.clone()),
                (_, i) => i,
            };
            Event { action, project: has_project.then_some(project), instance, webhooks, batch_size, ssrf }
        })
        .boxed()
}

fn any_event() -> BoxedStrategy<Event> {
    prop::sample::select((0..ACTIONS.len()).collect::<Vec<_>>()).prop_flat_map(|i| event_for(&ACTIONS[i])).boxed()
}

// ---------------------------------------------------------------- checks

/// Builds `text` both ways and checks they agree; every body of a plan is
/// ASCII and already in `json.dumps` form. Returns the whole-plan result.
fn build_checked(text: &str) -> Result<Result<Plan, Error>, TestCaseError> {
    let whole = build_deliveries(text);
    match (&whole, Batches::new(text.to_string())) {
        (Err(w), Err(e)) => prop_assert_eq!(w, &e),
        (Ok(_), Err(e)) => return Err(TestCaseError::fail(format!("Batches::new failed, build did not: {e}"))),
        (_, Ok(batches)) => {
            let targets = batches.targets().to_vec();
            let skipped = batches.skipped().to_vec();
            let mut got = Vec::new();
            let mut err = None;
            for (k, b) in batches.enumerate() {
                match b {
                    Ok(b) => {
                        prop_assert_eq!(b.index, k);
                        got.extend(b.deliveries)
                    }
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            match (&whole, err) {
                (Ok(plan), None) => {
                    prop_assert_eq!(&plan.targets, &targets);
                    prop_assert_eq!(&plan.skipped, &skipped);
                    prop_assert_eq!(&plan.deliveries, &got);
                }
                (Err(w), Some(e)) => prop_assert_eq!(w, &e),
                (w, e) => return Err(TestCaseError::fail(format!("build and Batches disagree: {w:?} / {e:?}"))),
            }
        }
    }
    if let Ok(plan) = &whole {
        for d in &plan.deliveries {
            prop_assert!(d.body.is_ascii());
            let again = ls_webhooks::python_json_dumps(&d.body).map_err(|e| TestCaseError::fail(format!("body does not parse: {e}")))?;
            prop_assert_eq!(&again, &*d.body);
        }
    }
    // The bytes path gives the same.
    prop_assert_eq!(build_deliveries_bytes(text.as_bytes()), whole.clone());
    Ok(whole)
}

/// A fixed seed by default, so CI is repeatable; `PROPTEST_SEED=random` (or a
/// number) explores further, and `PROPTEST_CASES` runs more cases.
fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    let rng_seed = match std::env::var("PROPTEST_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(n) => RngSeed::Fixed(n.parse().expect("PROPTEST_SEED: a number or \"random\"")),
        Err(_) => RngSeed::Fixed(0x15_7ebb_00c5),
    };
    TestRunner::new(Config { cases, failure_persistence: None, max_shrink_iters: 2000, rng_seed, ..Config::default() })
}

fn run<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    if let Err(e) = runner(cases).run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

/// One field the CPython side compares: where it is in the body, the text
/// given for it, and how to compare.
#[derive(serde::Serialize)]
struct Check {
    at: Vec<serde_json::Value>,
    given: String,
    kind: &'static str,
}

#[derive(serde::Serialize)]
struct Record {
    body: String,
    checks: Vec<Check>,
    /// For a custom payload: the action and the payload text; the body must
    /// be `d = {"action": action}; d.update(json.loads(payload))`.
    #[serde(skip_serializing_if = "Option::is_none")]
    update: Option<(String, String)>,
}

fn checks_of(row: &Row, ser: &Serializer, at: Vec<serde_json::Value>, out: &mut Vec<Check>) {
    if row.bare.is_some() {
        return;
    }
    for f in ser.fields {
        let kind = match f.kind {
            FieldKind::Json => "json",
            FieldKind::Str => "str",
            FieldKind::Int => "int",
            FieldKind::Bool => "bool",
            FieldKind::Float => "float",
            _ => continue,
        };
        if let Some((_, v)) = row.get(f) {
            let mut at = at.clone();
            at.push(f.name.into());
            out.push(Check { at, given: v.clone(), kind });
        }
    }
}

/// The fields of the rows in batch `k` of `plan`'s payload body.
fn checks_for(ev: &Event, batch: usize) -> Vec<Check> {
    let mut out = Vec::new();
    let a = ev.action;
    let rows = ev.rows();
    let rows: Vec<&Row> = if a.many { rows.into_iter().skip(batch * ev.batch_size).take(ev.batch_size).collect() } else { rows };
    for (j, row) in rows.iter().enumerate() {
        let at = |key: &str| -> Vec<serde_json::Value> {
            if a.many {
                vec![key.into(), j.into()]
            } else {
                vec![key.into()]
            }
        };
        checks_of(row, a.serializer.get(), at(a.key), &mut out);
        for n in a.nested_fields {
            let nested = row.entries.iter().rev().find(|(k, _)| k == n.key).unwrap();
            let nested_row = parse_row(&nested.1);
            let at = if n.many { vec![n.key.into(), j.into()] } else { vec![n.key.into()] };
            checks_of(&nested_row, n.serializer.get(), at, &mut out);
        }
    }
    if let (Some(p), false) = (&ev.project, a.key == "project") {
        checks_of(p, &ls_webhooks::labelstudio::serializers::PROJECT, vec!["project".into()], &mut out);
    }
    out
}

const PYTHON: &str = r#"
import json, sys
for n, line in enumerate(sys.stdin.read().split("\n")):
    if not line:
        continue
    rec = json.loads(line)
    body = rec["body"]
    try:
        value = json.loads(body)
        if json.dumps(value, allow_nan=False) != body:
            print(f"{n}: json.dumps(json.loads(body)) != body")
            continue
        if rec.get("update"):
            action, payload = rec["update"]
            want = {"action": action}
            want.update(json.loads(payload))
            if json.dumps(want) != body:
                print(f"{n}: body is not {{'action': ...}}.update(payload): {json.dumps(want)!r}")
                continue
        for c in rec["checks"]:
            got = value
            for step in c["at"]:
                got = got[step]
            want = json.loads(c["given"])
            if c["kind"] == "float" and want is not None:
                want = float(want)
            same = got == want and json.dumps(got) == json.dumps(want)
            if not same:
                print(f"{n}: {c['at']}: given {c['given']!r}, body has {json.dumps(got)!r}")
                break
        else:
            print(f"{n}: ok")
    except Exception as e:
        print(f"{n}: {type(e).__name__}: {e}")
"#;

fn cpython_check(records: &[Record]) {
    let payload: String = records.iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect();
    let lines = common::python_lines(PYTHON, payload, "the property tests");
    assert_eq!(lines.len(), records.len(), "one answer per body");
    let bad: Vec<(usize, &String)> = lines.iter().enumerate().filter(|(_, l)| !l.ends_with(": ok")).collect();
    for (i, l) in bad.iter().take(5) {
        eprintln!("{l}\nbody: {}\n", &records[*i].body[..records[*i].body.len().min(2000)]);
    }
    assert!(bad.is_empty(), "{} of {} bodies differ under CPython", bad.len(), records.len());
}

// ---------------------------------------------------------------- properties

#[test]
fn valid_events_build_and_cpython_reads_back_what_was_given() {
    let records = RefCell::new(Vec::new());
    let payload_bodies = RefCell::new(0usize);
    run("valid events", 256, any_event(), |ev| {
        let text = ev.text();
        let plan = match build_checked(&text)? {
            Ok(plan) => plan,
            Err(e) => return Err(TestCaseError::fail(format!("a valid event failed: {e}\n{text}"))),
        };
        prop_assert_eq!(plan.action, ev.action.action);
        let action_only = format!("{{\"action\": \"{}\"}}", ev.action.action);
        // The sure webhook (id 100) always gets the payload, one delivery per batch.
        let sure: Vec<_> = plan.deliveries.iter().filter(|d| d.webhook_id == 100).collect();
        let batches = match &ev.instance {
            Instance::Many(rows) => rows.len().div_ceil(ev.batch_size),
            Instance::One(_) => 1,
        };
        prop_assert_eq!(sure.len(), batches);
        let mut records = records.borrow_mut();
        for d in sure {
            prop_assert!(*d.body != action_only);
            *payload_bodies.borrow_mut() += 1;
            records.push(Record { body: d.body.to_string(), checks: checks_for(&ev, d.batch), update: None });
        }
        for d in &plan.deliveries {
            prop_assert!(d.body.shares(&plan.deliveries.iter().find(|x| x.batch == d.batch && *x.body == *d.body).unwrap().body));
            if *d.body == action_only {
                continue;
            }
            prop_assert!(plan.deliveries.iter().any(|x| x.webhook_id == 100 && x.batch == d.batch && x.body.shares(&d.body)));
        }
        Ok(())
    });
    let records = records.into_inner();
    assert!(records.len() >= 100, "only {} payload bodies", records.len());
    let checks: usize = records.iter().map(|r| r.checks.len()).sum();
    assert!(checks > 1000, "only {checks} fields checked");
    cpython_check(&records);
}

/// Where a row is in the event.
#[derive(Clone, Copy, Debug)]
enum Target {
    Instance(usize),
    Nested(usize),
    Project,
}

fn parse_row(text: &str) -> Row {
    Row { entries: common::ordered_entries(text), bare: None }
}

/// Applies `edit` to the row at `t`; returns the row's path in the event
/// (where its errors are reported), or None when there is no such row.
fn edit_row(ev: &mut Event, t: Target, edit: impl FnOnce(&mut Row, &'static Serializer)) -> Option<String> {
    let action = ev.action;
    let project_ser = &ls_webhooks::labelstudio::serializers::PROJECT;
    if action.action == "PROJECT_UPDATED" {
        // The instance is the project row, and the body's "project" is
        // rendered from the event's project: edit both alike.
        let p = ev.project.as_mut()?;
        edit(p, project_ser);
        ev.instance = Instance::One(p.clone());
        return Some("project".into());
    }
    let (row, path) = match (t, &mut ev.instance) {
        (Target::Project, _) => {
            let p = ev.project.as_mut()?;
            edit(p, project_ser);
            return Some("project".into());
        }
        (_, Instance::One(r)) => (r, "instance".to_string()),
        (Target::Instance(i) | Target::Nested(i), Instance::Many(rows)) => {
            if rows.is_empty() {
                return None;
            }
            let i = i % rows.len();
            (&mut rows[i], format!("instance[{i}]"))
        }
    };
    if row.bare.is_some() {
        return None;
    }
    if let Target::Nested(_) = t {
        let n = action.nested_fields.first()?;
        let slot = row.entries.iter_mut().find(|(k, _)| k == n.key)?;
        let mut nested = parse_row(&slot.1);
        edit(&mut nested, n.serializer.get());
        slot.1 = nested.text();
        return Some(format!("{path}.{}", n.key));
    }
    edit(row, action.serializer.get());
    Some(path)
}

fn any_target() -> BoxedStrategy<Target> {
    prop_oneof![3 => (0usize..8).prop_map(Target::Instance), 1 => (0usize..8).prop_map(Target::Nested), 1 => Just(Target::Project)].boxed()
}

/// Whether any row is rendered: an empty list makes no batch at all.
fn renders(ev: &Event) -> bool {
    !matches!(&ev.instance, Instance::Many(rows) if rows.is_empty())
}

fn expect(ev: &Event, got: &Result<Plan, Error>, want: Option<(ErrorCode, &str)>, text: &str) -> Result<(), TestCaseError> {
    // Rows are only read when a payload is built, except the project's id,
    // which choosing the targets needs every time.
    let want = want.filter(|(_, path)| renders(ev) || *path == "project.id");
    match (got, want) {
        (Ok(_), None) => Ok(()),
        (Err(e), Some((code, path))) if e.code == code && e.path == path => Ok(()),
        _ => Err(TestCaseError::fail(format!("expected {want:?}, got {got:?}\nevent: {text}"))),
    }
}

#[test]
fn a_removed_field_is_an_error_at_its_path_unless_it_may_be_missing() {
    run("removed field", 256, (any_event(), any_target(), any::<prop::sample::Index>()), |(mut ev, t, pick)| {
        let nested_key = ev.action.nested_fields.first().map(|n| n.key);
        let mut removed: Option<Field> = None;
        let Some(path) = edit_row(&mut ev, t, |row, ser| {
            let fields: Vec<&Field> =
                ser.fields.iter().filter(|f| row.get(f).is_some() && Some(f.name) != nested_key.filter(|_| matches!(t, Target::Instance(_)))).collect();
            if fields.is_empty() {
                return;
            }
            let f = *pick.get(&fields);
            let (key, _) = row.get(f).unwrap().clone();
            row.entries.retain(|(k, _)| *k != key);
            removed = Some(*f);
        }) else {
            return Ok(());
        };
        let Some(f) = removed else { return Ok(()) };
        let text = ev.text();
        let got = build_checked(&text)?;
        let want_path = format!("{path}.{}", f.name);
        let want = (!f.nullable && !f.declared_read_only).then_some((ErrorCode::InvalidRow, want_path.as_str()));
        expect(&ev, &got, want, &text)
    });
}

/// Values of the wrong kind for a field, with the path suffix of the error.
fn wrong_values(kind: FieldKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        // A decimal string ("12") is an int (DRF: int(value)); other strings are not.
        FieldKind::Int => vec![("\"twelve\"", ""), ("\"1_2\"", ""), ("1.5", ""), ("1e3", ""), ("true", ""), ("[1]", "")],
        FieldKind::Float => vec![("\"1.5\"", ""), ("[]", ""), ("false", ""), ("1e999", "")],
        FieldKind::Bool => vec![("0", ""), ("\"true\"", ""), ("{}", "")],
        FieldKind::Str => vec![("12", ""), ("[]", ""), ("true", "")],
        FieldKind::Uuid => vec![("\"nope\"", ""), ("12", ""), ("\"a1b2c3d4-0000-4000-8000-0123456789a\"", "")],
        FieldKind::DateTime => vec![
            ("\"yesterday\"", ""),
            ("\"2026-13-01T00:00:00Z\"", ""),
            ("\"2026-02-30T10:00:00Z\"", ""),
            ("\"2026-11-26T25:00:00Z\"", ""),
            ("\"2026-11-26\"", ""),
            ("1700000000", ""),
        ],
        FieldKind::Json => vec![],
        FieldKind::ForeignKey => vec![("\"seven\"", ""), ("1.5", ""), ("{\"x\": 1}", ".id"), ("[1]", "")],
        FieldKind::ManyToMany => vec![("5", ""), ("[\"a\"]", "[0]"), ("[1, 2.5]", "[1]"), ("{}", "")],
    }
}

#[test]
fn a_field_of_the_wrong_kind_is_an_error_at_its_path() {
    run("wrong kind", 256, (any_event(), any_target(), any::<prop::sample::Index>(), any::<prop::sample::Index>()), |(mut ev, t, pf, pv)| {
        let mut changed: Option<(Field, &'static str)> = None;
        let Some(path) = edit_row(&mut ev, t, |row, ser| {
            let fields: Vec<&Field> = ser.fields.iter().filter(|f| !wrong_values(f.kind).is_empty()).collect();
            let f = *pf.get(&fields);
            let (value, suffix) = *pv.get(&wrong_values(f.kind));
            let key = row.get(f).map(|(k, _)| k.clone()).unwrap_or_else(|| f.name.to_string());
            row.set(&key, value.to_string());
            changed = Some((*f, suffix));
        }) else {
            return Ok(());
        };
        let Some((f, suffix)) = changed else { return Ok(()) };
        let text = ev.text();
        let got = build_checked(&text)?;
        let want_path = format!("{path}.{}{suffix}", f.name);
        expect(&ev, &got, Some((ErrorCode::InvalidRow, &want_path)), &text)
    });
}

#[test]
fn an_envelope_field_replaced_by_random_json_never_panics() {
    let field = prop::sample::select(vec!["action", "organization", "project", "instance", "payload", "webhooks", "options", "extra"]);
    run("envelope", 256, (any_event(), field, json_value()), |(ev, field, value)| {
        let mut entries = parse_row(&ev.text()).entries;
        match entries.iter_mut().find(|(k, _)| k == field) {
            Some(slot) => slot.1 = value,
            None => entries.push((field.to_string(), value)),
        }
        let text = Row { entries, bare: None }.text();
        match build_checked(&text)? {
            Ok(_) => Ok(()),
            Err(e) => {
                // The error is about that field (or something inside it).
                prop_assert!(e.path.starts_with(field) || (field == "project" && e.path.starts_with("instance")), "{e}\n{text}");
                Ok(())
            }
        }
    });
}

#[test]
fn truncated_text_is_malformed_json() {
    run("truncated", 256, (any_event(), any::<prop::sample::Index>()), |(ev, at)| {
        let text = ev.text();
        let bytes = text.as_bytes();
        let cut = at.index(bytes.len());
        let e = build_deliveries_bytes(&bytes[..cut]).expect_err("a strict prefix of an event is not an event");
        prop_assert_eq!(e.code, ErrorCode::InvalidEvent);
        if let Ok(prefix) = std::str::from_utf8(&bytes[..cut]) {
            let got = build_checked(prefix)?;
            prop_assert_eq!(got.as_ref().err(), Some(&e));
            prop_assert!(e.message.starts_with("malformed JSON"), "{}", e);
        } else {
            prop_assert!(e.message.contains("UTF-8"), "{}", e);
        }
        Ok(())
    });
}

#[test]
fn random_bytes_and_random_json_never_panic() {
    run("random bytes", 512, vec(any::<u8>(), 0..256), |bytes| {
        let got = build_deliveries_bytes(&bytes);
        prop_assert!(got.is_err(), "random bytes made a plan: {:?}", got);
        Ok(())
    });
    run("random json", 512, json_value(), |text| {
        let got = build_checked(&text)?;
        prop_assert!(got.is_err());
        if !text.trim_start().starts_with('{') {
            prop_assert_eq!(got.unwrap_err(), Error::event("", "the event must be a JSON object"));
        }
        Ok(())
    });
    // Random bytes spliced into a valid event.
    run("spliced bytes", 256, (any_event(), any::<prop::sample::Index>(), vec(any::<u8>(), 0..16)), |(ev, at, noise)| {
        let mut bytes = ev.text().into_bytes();
        let i = at.index(bytes.len());
        let end = (i + noise.len()).min(bytes.len());
        bytes.splice(i..end, noise);
        let got = build_deliveries_bytes(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            prop_assert_eq!(build_checked(text)?, got);
        } else {
            prop_assert_eq!(got.map(|_| ()).unwrap_err().code, ErrorCode::InvalidEvent);
        }
        Ok(())
    });
}

/// A custom emit (`payload` instead of `instance`): the body is
/// `{"action": A}` updated with the payload, as CPython's dict does it
/// (a key `action` replaced in place, duplicate keys: first position, last value).
#[test]
fn custom_payloads_are_the_action_updated_with_the_payload() {
    let key = prop_oneof![
        1 => Just("\"action\"".to_string()),
        1 => Just("\"project\"".to_string()),
        1 => Just("\"tasks\"".to_string()),
        4 => json_string(),
    ];
    let payload = (vec((key, json_value()), 0..6), any::<bool>()).prop_map(|(entries, dup)| {
        let mut entries = entries;
        if dup && entries.len() > 1 {
            entries.last_mut().unwrap().0 = entries[0].0.clone();
        }
        let items: Vec<String> = entries.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{{{}}}", items.join(", "))
    });
    let action = prop::sample::select(ACTIONS.iter().map(|a| a.action).collect::<Vec<_>>());
    let records = RefCell::new(Vec::new());
    run("custom payloads", 256, (action, payload), |(action, payload)| {
        let text = format!(
            "{{\"action\": \"{action}\", \"organization\": 1, \"payload\": {payload}, \"webhooks\": [{}]}}",
            sure_webhook()
        );
        let plan = match build_checked(&text)? {
            Ok(plan) => plan,
            Err(e) => return Err(TestCaseError::fail(format!("a custom payload failed: {e}\n{text}"))),
        };
        prop_assert_eq!(plan.deliveries.len(), 1);
        records.borrow_mut().push(Record { body: plan.deliveries[0].body.to_string(), checks: vec![], update: Some((action.to_string(), payload)) });
        Ok(())
    });
    cpython_check(&records.into_inner());
}

/// Inputs the fuzzer flagged (fuzz/README.md, runs 4 and 5). Both were the
/// oracle's mistakes, not the writer's; they stay here with CPython's answers.
#[test]
fn fuzz_findings_stay_right() {
    for (input, cpython) in [("-0", "0"), ("10e90", "1e+91"), ("[-0, -0.0, 10e90, 1E400]", "ERROR")] {
        assert_eq!(ls_webhooks::python_json_dumps(input).unwrap_or_else(|_| "ERROR".into()), cpython, "{input}");
    }
}
