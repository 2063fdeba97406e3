//! The same behaviour through the wasm boundary (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect, Uint8Array};
use ls_webhooks::wasm::{actions, build_deliveries, python_json_dumps, serializers};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[wasm_bindgen(inline_js = r#"
const hooks = () => [
  { id: 1, organization: 1, project: 12, url: "https://a.example/1", send_payload: true, send_for_all_actions: true, headers: { "X-Key": "k" }, is_active: true, actions: [] },
  { id: 2, organization: 1, project: null, url: "https://b.example/2", send_payload: true, send_for_all_actions: false, headers: {}, is_active: true, actions: ["ANNOTATION_UPDATED", "TASKS_DELETED"] },
  { id: 3, organization: 1, project: 12, url: "https://c.example/3", send_payload: false, send_for_all_actions: true, headers: {}, is_active: true, actions: [] },
];
const annotation = () => ({
  id: 3, result: [{ value: { x: 1.5, y: 10 } }], was_cancelled: false, ground_truth: false,
  created_at: new Date(Date.UTC(2026, 10, 26, 23, 17, 32, 250)), updated_at: "2026-11-27T01:17:32+02:00",
  draft_created_at: null, lead_time: 12, prediction: {}, result_count: 1, unique_id: "6f9619ff-8b86-d011-b42d-00c04fc964ff",
  import_id: 9007199254740993n, last_action: null, bulk_created: false, project: 12, completed_by: 1, updated_by: 1,
  parent_prediction: null, parent_annotation: null, last_created_by: null,
  task: { id: 9, data: { text: "h\u00e9llo \u{1F600}" }, meta: null, created_at: "2026-11-26T23:17:32Z", updated_at: "2026-11-26T23:17:32Z",
    is_labeled: true, allow_skip: null, overlap: 1, inner_id: 9, total_annotations: 1, cancelled_annotations: 0,
    total_predictions: 0, precomputed_agreement: null, comment_count: 0, unresolved_comment_count: 0,
    last_comment_updated_at: null, project_id: 12, updated_by_id: null, file_upload_id: null, comment_authors: [] },
});
export function annotationEvent() {
  return { action: "ANNOTATION_UPDATED", organization: 1, project: null, instance: annotation(), webhooks: hooks() };
}
export function idsEvent(n, bodyAs) {
  const instance = Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
  const webhooks = hooks().map((h) => ({ ...h, project: null, send_for_all_actions: true }));
  return { action: "TASKS_DELETED", organization: 1, instance, webhooks, options: { bodyAs, batchSize: 2 } };
}
export function withNaN() { const e = annotationEvent(); e.instance.lead_time = NaN; return e; }
// A row as an ORM hands it over: a class instance whose columns are getters.
export function withClassRow() {
  const e = annotationEvent();
  class Model { constructor(row) { this._row = row; } get id() { return this._row.id; } }
  class Annotation extends Model {}
  for (const k of Object.keys(e.instance)) if (k !== "id") Object.defineProperty(Annotation.prototype, k, { get() { return this._row[k]; } });
  const row = new Annotation(e.instance);
  Object.defineProperty(row, "_row", { enumerable: false });
  e.instance = row;
  return e;
}
export function withThrowingGetter() {
  const e = annotationEvent();
  Object.defineProperty(e.instance, "lead_time", { enumerable: true, get() { throw new Error("db connection closed"); } });
  return e;
}
// JSON text with BigInts as exact number literals.
export function stringify(v) {
  return JSON.stringify(v, (k, x) => typeof x === "bigint" ? `@@${x}@@` : x).replace(/"@@(-?\d+)@@"/g, "$1");
}
export function sameObject(a, b) { return Object.is(a, b); }
// The same event as an ArrayBuffer, a DataView over part of a larger buffer, and text with a BOM.
export function eventForms(text) {
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 4);
  return [bytes.buffer, new DataView(padded.buffer, 4, bytes.length), "\ufeff" + text, new Uint8Array([0xef, 0xbb, 0xbf, ...bytes])];
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = annotationEvent)]
    fn annotation_event() -> JsValue;
    #[wasm_bindgen(js_name = idsEvent)]
    fn ids_event(n: u32, body_as: &str) -> JsValue;
    #[wasm_bindgen(js_name = withNaN)]
    fn with_nan() -> JsValue;
    #[wasm_bindgen(js_name = eventForms)]
    fn event_forms(text: &str) -> js_sys::Array;
    #[wasm_bindgen(js_name = withClassRow)]
    fn with_class_row() -> JsValue;
    #[wasm_bindgen(js_name = withThrowingGetter)]
    fn with_throwing_getter() -> JsValue;
    fn stringify(v: &JsValue) -> String;
    #[wasm_bindgen(js_name = sameObject)]
    fn same_object(a: &JsValue, b: &JsValue) -> bool;
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn deliveries(plan: &JsValue) -> Vec<JsValue> {
    get(plan, "deliveries").dyn_into::<Array>().unwrap().iter().collect()
}

fn body(d: &JsValue) -> String {
    get(d, "body").as_string().unwrap()
}

#[wasm_bindgen_test]
fn object_form_renders_kinds_dates_and_bigints() {
    let plan = build_deliveries(annotation_event(), JsValue::UNDEFINED).unwrap();
    assert_eq!(stringify(&get(&plan, "targets")), "[2]");
    let d = deliveries(&plan);
    assert_eq!(d.len(), 1);
    let b = body(&d[0]);
    assert!(b.starts_with(r#"{"action": "ANNOTATION_UPDATED", "annotation": {"id": 3, "result": [{"value": {"x": 1.5, "y": 10}}], "was_cancelled": false, "ground_truth": false, "created_at": "2026-11-26T23:17:32.250000Z", "updated_at": "2026-11-26T23:17:32Z", "draft_created_at": null, "lead_time": 12.0, "#), "{b}");
    assert!(b.contains(r#""import_id": 9007199254740993,"#));
    assert!(b.ends_with(r#""task": {"id": 9, "data": {"text": "h\u00e9llo \ud83d\ude00"}, "meta": null, "created_at": "2026-11-26T23:17:32Z", "updated_at": "2026-11-26T23:17:32Z", "is_labeled": true, "allow_skip": null, "overlap": 1, "inner_id": 9, "total_annotations": 1, "cancelled_annotations": 0, "total_predictions": 0, "precomputed_agreement": null, "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": null, "project": 12, "updated_by": null, "file_upload": null, "comment_authors": []}}"#), "{b}");
    assert_eq!(stringify(&get(&d[0], "headers")), r#"{"Content-Type":"application/json"}"#);
    assert_eq!(get(&d[0], "method").as_string().unwrap(), "POST");
}

#[wasm_bindgen_test]
fn string_and_bytes_forms_agree_with_the_object_form() {
    let event = annotation_event();
    let text = stringify(&event);
    let from_object = stringify(&build_deliveries(event, JsValue::UNDEFINED).unwrap());
    assert_eq!(stringify(&build_deliveries(JsValue::from_str(&text), JsValue::UNDEFINED).unwrap()), from_object);
    let bytes = Uint8Array::from(text.as_bytes());
    assert_eq!(stringify(&build_deliveries(bytes.into(), JsValue::UNDEFINED).unwrap()), from_object);
}

#[wasm_bindgen_test]
fn batches_share_bodies_and_bytes_out() {
    let plan = build_deliveries(ids_event(5, "bytes"), JsValue::UNDEFINED).unwrap();
    let d = deliveries(&plan);
    // 3 batches of (1, 2 payload targets; 3 action-only) -> 3 x 3 deliveries.
    assert_eq!(d.len(), 9);
    assert_eq!(d.iter().map(|x| get(x, "batch").as_f64().unwrap() as u32).collect::<Vec<_>>(), vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
    let b0 = get(&d[0], "body");
    assert!(b0.is_instance_of::<Uint8Array>());
    // One Uint8Array per distinct body, shared by the targets that get it.
    assert!(same_object(&b0, &get(&d[1], "body")));
    assert!(!same_object(&b0, &get(&d[2], "body")));
    let text = String::from_utf8(b0.dyn_into::<Uint8Array>().unwrap().to_vec()).unwrap();
    assert_eq!(text, r#"{"action": "TASKS_DELETED", "tasks": [{"id": 1}, {"id": 2}]}"#);
    let empty = build_deliveries(ids_event(0, "string"), JsValue::UNDEFINED).unwrap();
    assert_eq!(deliveries(&empty).len(), 0);
}

#[wasm_bindgen_test]
fn class_instances_with_getters_are_rows() {
    let want = stringify(&build_deliveries(annotation_event(), JsValue::UNDEFINED).unwrap());
    assert_eq!(stringify(&build_deliveries(with_class_row(), JsValue::UNDEFINED).unwrap()), want);
}

#[wasm_bindgen_test]
fn array_buffers_views_and_a_bom_are_the_same_event() {
    let text = r#"{"action": "PROJECT_DELETED", "organization": 1, "instance": {"id": 7}, "webhooks": [{"id": 1, "url": "https://a.example/"}]}"#;
    let want = body(&deliveries(&build_deliveries(JsValue::from_str(text), JsValue::UNDEFINED).unwrap())[0]);
    for form in event_forms(text).iter() {
        let plan = build_deliveries(form, JsValue::UNDEFINED).unwrap();
        assert_eq!(body(&deliveries(&plan)[0]), want);
    }
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_code_and_path() {
    let cases: Vec<(JsValue, &str, &str)> = vec![
        (JsValue::from_str(r#"{"action": "NOPE", "organization": 1}"#), "UNKNOWN_ACTION", "action"),
        (JsValue::from_str(r#"{"action": "PROJECT_CREATED", "organization": 1, "project": {"id": 1}}"#), "ORGANIZATION_ONLY_ACTION", "project"),
        (JsValue::from_str(r#"{"action": "#), "INVALID_EVENT", "action"),
        (JsValue::from_f64(3.0), "INVALID_EVENT", ""),
        (with_nan(), "INVALID_EVENT", "instance.lead_time"),
        // A getter that throws surfaces with its message, not as a missing field.
        (with_throwing_getter(), "INVALID_EVENT", "instance.lead_time"),
    ];
    for (event, code, path) in cases {
        let e = build_deliveries(event, JsValue::UNDEFINED).unwrap_err();
        assert!(e.is_instance_of::<js_sys::Error>());
        assert_eq!(get(&e, "code").as_string().unwrap(), code);
        assert_eq!(get(&e, "path").as_string().unwrap(), path);
    }
    // One unreadable webhook row is skipped on its own: null id, the field's path.
    let plan = build_deliveries(JsValue::from_str(
        r#"{"action": "PROJECT_DELETED", "organization": 1, "instance": {"id": 7}, "webhooks": [{"id": "x", "url": "https://a.example/"}, {"id": 2, "url": "https://b.example/"}]}"#,
    ), JsValue::UNDEFINED)
    .unwrap();
    let skipped = Array::from(&get(&plan, "skipped")).get(0);
    assert!(get(&skipped, "webhookId").is_null());
    assert_eq!(get(&skipped, "reason").as_string().unwrap(), "INVALID_WEBHOOK");
    assert_eq!(get(&skipped, "path").as_string().unwrap(), "webhooks[0].id");
    assert_eq!(deliveries(&plan).len(), 1);
    let e = build_deliveries(with_throwing_getter(), JsValue::UNDEFINED).unwrap_err();
    assert!(get(&e, "detail").as_string().unwrap().contains("db connection closed"));
    // Malformed JSON says where, as numbers; other errors have no offset.
    let e = build_deliveries(JsValue::from_str("{\"action\":\n  ,}"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!((get(&e, "offset").as_f64(), get(&e, "line").as_f64(), get(&e, "column").as_f64()), (Some(13.0), Some(2.0), Some(3.0)));
    let e = build_deliveries(JsValue::from_str(r#"{"action": "NOPE", "organization": 1}"#), JsValue::UNDEFINED).unwrap_err();
    assert!(get(&e, "offset").is_undefined());
    let event = annotation_event();
    Reflect::set(&get(&event, "instance"), &"created_at".into(), &"tomorrow".into()).unwrap();
    let e = build_deliveries(event, JsValue::UNDEFINED).unwrap_err();
    assert_eq!(get(&e, "code").as_string().unwrap(), "INVALID_ROW");
    assert_eq!(get(&e, "path").as_string().unwrap(), "instance.created_at");
}

#[wasm_bindgen_test]
fn registry_and_writer_are_exported() {
    let a: Array = actions().unwrap().dyn_into().unwrap();
    assert_eq!(a.length(), 12);
    let first = a.get(0);
    assert_eq!(get(&first, "action").as_string().unwrap(), "PROJECT_CREATED");
    assert_eq!(get(&first, "organizationOnly").as_bool(), Some(true));
    let s: Array = serializers().unwrap().dyn_into().unwrap();
    assert_eq!(s.length(), 6);
    assert_eq!(python_json_dumps(r#"{"a":[1.0,1e16,"é"]}"#).unwrap(), r#"{"a": [1.0, 1e+16, "\u00e9"]}"#);
}

#[wasm_bindgen_test]
fn plan_batches_yields_the_same_deliveries_batch_by_batch() {
    use ls_webhooks::wasm::plan_batches;
    let whole = stringify(&get(&build_deliveries(ids_event(5, "string"), JsValue::UNDEFINED).unwrap(), "deliveries"));
    let it = plan_batches(ids_event(5, "string"), JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&it, "batchCount").as_f64(), Some(3.0));
    assert_eq!(stringify(&get(&it, "targets")), "[1,2,3]");
    let next: js_sys::Function = get(&it, "next").dyn_into().unwrap();
    let all = Array::new();
    for k in 0..3 {
        let step = next.call0(&it).unwrap();
        assert_eq!(get(&step, "done").as_bool(), Some(false));
        let value = get(&step, "value");
        assert_eq!(get(&value, "batch").as_f64(), Some(k as f64));
        for d in get(&value, "deliveries").dyn_into::<Array>().unwrap().iter() {
            all.push(&d);
        }
    }
    assert_eq!(get(&next.call0(&it).unwrap(), "done").as_bool(), Some(true));
    assert_eq!(stringify(&all), whole);
    // Iterable: Symbol.iterator returns the iterator itself.
    let sym = Reflect::get(&it, &js_sys::Symbol::iterator()).unwrap();
    assert!(sym.is_function());
}
