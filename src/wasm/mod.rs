//! The JavaScript boundary. It only converts: JS values in, the core's
//! [`Plan`] out as plain JS objects, the core's [`Error`] as a thrown `Error`
//! with `code` and `path`.
//!
//! Events cross in three forms:
//! - a JSON string, or UTF-8 JSON bytes (`Uint8Array`): the exact path, where
//!   numbers keep their int/float nature and full precision, and large events
//!   cross at memcpy speed (bytes);
//! - a plain object: walked here into JSON text. JS cannot tell `1.0` from
//!   `1`, so integral numbers become ints (float *fields* still render
//!   `12.0`, but inside JSON fields such as task `data` the distinction is
//!   lost); BigInt gives large ints exactly; `Date` becomes an ISO string.

use crate::error::{Error, ErrorCode, Path};
use crate::labelstudio::event::{BodyAs, OptionsPatch};
use crate::labelstudio::batches::Batches;
use crate::labelstudio::plan::{Body, Delivery, Plan};
use crate::json::reader::MAX_DEPTH;
use crate::json::pyjson;
use crate::labelstudio::{registry, serializers};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(feature = "host-hmac")]
mod hmac;
#[cfg(feature = "receiver")]
mod receiver;

/// The browser's build (feature `size`) allocates with talc instead of Rust's
/// default dlmalloc: less code for the same service (one thread, memory grown
/// from the host as needed).
#[cfg(all(feature = "size", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    /// The host's WHATWG `URL`: the parser its own `fetch` uses.
    #[wasm_bindgen(js_name = URL)]
    type JsUrl;
    #[wasm_bindgen(constructor, js_class = URL, catch)]
    fn new(url: &str) -> Result<JsUrl, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn protocol(this: &JsUrl) -> String;
    #[wasm_bindgen(method, getter)]
    fn hostname(this: &JsUrl) -> String;
    #[wasm_bindgen(method, getter)]
    fn port(this: &JsUrl) -> String;
}

/// The host's URL parser (the SSRF check reads webhook URLs as `fetch` will),
/// its clock (for signing) and its `Number` (the browser's build's floats),
/// installed by each entry point that may need them (a `start` function would
/// not run under wasm-bindgen-test).
fn use_host() {
    crate::host::install(crate::host::Host {
        parse_url: js_parse_url,
        now: js_now,
        read_number: js_sys::parse_float,
        number_text: |x| js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_default(),
    });
}

/// The host's clock, in whole seconds since the Unix epoch.
fn js_now() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// The bytes of a `Uint8Array`, an `ArrayBuffer`, or any `ArrayBufferView` (a
/// `Buffer`, a `DataView`, another typed array): copied into the module.
fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Some(bytes.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(Uint8Array::new(buffer).to_vec())
    } else if js_sys::ArrayBuffer::is_view(value) {
        let num = |k: &str| Reflect::get(value, &JsValue::from_str(k)).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        let buffer = Reflect::get(value, &JsValue::from_str("buffer")).unwrap_or(JsValue::UNDEFINED);
        Some(Uint8Array::new_with_byte_offset_and_length(&buffer, num("byteOffset"), num("byteLength")).to_vec())
    } else {
        None
    }
}

fn js_parse_url(url: &str) -> crate::host::ParsedUrl {
    let parsed = JsUrl::new(url).map_err(|e| {
        Reflect::get(&e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()).unwrap_or_else(|| "invalid URL".into())
    })?;
    let scheme = parsed.protocol().trim_end_matches(':').to_owned();
    let host = Some(parsed.hostname()).filter(|h| !h.is_empty());
    let port = parsed.port();
    let port = if port.is_empty() { None } else { Some(port.parse().map_err(|_| format!("the port {port:?}"))?) };
    Ok((scheme, host, port))
}

/// `buildDeliveries(event, options?)`: every delivery Label Studio would send;
/// `options` (e.g. a signing secret kept out of the event) replace the event's own.
#[wasm_bindgen(js_name = buildDeliveries, skip_typescript)]
pub fn build_deliveries(event: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    use_host();
    options_patch(&options)
        .and_then(|options| event_text(&event, "buildDeliveries").and_then(|text| text.build(&options)))
        .and_then(|p| fits_in_js_strings(&p.deliveries, p.options.body_as).map(|()| p))
        .map(|p| plan_to_js(&p))
        .map_err(error_to_js)
}

/// The event's JSON text: a string (from JS, so UTF-8) or bytes from a
/// `Uint8Array`, which may not be (the reader checks them as it goes).
enum EventText {
    Text(String),
    Bytes(Vec<u8>),
}

impl EventText {
    fn build(&self, options: &OptionsPatch) -> Result<crate::Plan, Error> {
        match self {
            EventText::Text(s) => crate::build_deliveries_with(s, options),
            EventText::Bytes(b) => crate::build_deliveries_bytes_with(b, options),
        }
    }

    fn batches(self, options: &OptionsPatch) -> Result<Batches, Error> {
        match self {
            EventText::Text(s) => Batches::with_options(s, options),
            EventText::Bytes(b) => Batches::from_bytes_with_options(b, options),
        }
    }
}

/// The optional second argument: options over the event's own (a plain object).
fn options_patch(options: &JsValue) -> Result<OptionsPatch, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(OptionsPatch::default());
    }
    if !options.is_object() || Array::is_array(options) {
        return Err(Error::event("options", "the second argument, options, must be an object such as {ssrfProtection: false}"));
    }
    let mut out = Vec::new();
    write_js(options, &mut out, &Path::Root("options"), 0)?;
    OptionsPatch::parse(std::str::from_utf8(&out).map_err(|_| Error::event("options", "the options could not be read as text"))?)
}

/// The event's JSON text, from any of the three forms, once it is known to
/// fit in the module's memory.
fn event_text(event: &JsValue, api: &str) -> Result<EventText, Error> {
    let text = if let Some(text) = event.as_string() {
        EventText::Text(text)
    } else if let Some(bytes) = bytes_of(event) {
        EventText::Bytes(bytes)
    } else if event.is_object() {
        EventText::Text(to_json_text(event)?)
    } else {
        return Err(Error::event("", format!("{api} takes the event as a JSON string, UTF-8 JSON bytes (a Uint8Array, ArrayBuffer or any ArrayBufferView) or an object")));
    };
    fits_in_wasm_memory(match &text {
        EventText::Text(s) => s.as_bytes(),
        EventText::Bytes(b) => b,
    })?;
    Ok(text)
}

/// V8's longest string (`0x1fffffe8` UTF-16 units on 64-bit; other engines
/// allow more). A body is ASCII, one unit per byte.
const MAX_JS_STRING: usize = 0x1fff_ffe8;

/// A body longer than a JS string can be would make the conversion throw
/// V8's `ERR_STRING_TOO_LONG` out of the middle of the wasm call: refuse it
/// here with a typed error instead.
fn fits_in_js_strings(deliveries: &[Delivery], body_as: BodyAs) -> Result<(), Error> {
    match deliveries.iter().map(|d| d.body.len()).max() {
        Some(n) if body_as == BodyAs::String && n > MAX_JS_STRING => Err(Error::event(
            "options.bodyAs",
            format!("a body of {n} bytes is longer than the longest JavaScript string ({MAX_JS_STRING}): use options.bodyAs \"bytes\", or planBatches with a smaller batchSize"),
        )),
        _ => Ok(()),
    }
}

/// `actions()`: the registry as plain data.
#[wasm_bindgen(skip_typescript)]
pub fn actions() -> Result<JsValue, JsValue> {
    to_plain(&registry::ACTIONS)
}

/// `serializers()`: each serializer's fields, in the order they are rendered.
#[wasm_bindgen(skip_typescript)]
pub fn serializers() -> Result<JsValue, JsValue> {
    to_plain(&serializers::ALL)
}

/// `schemas()`: the JSON Schema (draft 2020-12) of each action's bodies, by action name.
#[cfg(feature = "schemas")]
#[wasm_bindgen(skip_typescript)]
pub fn schemas() -> Result<JsValue, JsValue> {
    to_plain(&crate::labelstudio::schema::schemas())
}

/// `pythonJsonDumps(json)`: re-emits JSON text as Python's
/// `json.dumps(json.loads(text), allow_nan=False)` would.
#[wasm_bindgen(js_name = pythonJsonDumps, skip_typescript)]
pub fn python_json_dumps(json: &str) -> Result<String, JsValue> {
    use_host(); // the browser's build reads and prints floats through the host
    let out = pyjson::dumps(json).map_err(|m| error_to_js(Error::event("", m)))?;
    if out.len() > MAX_JS_STRING {
        return Err(error_to_js(Error::event("", format!("the result, {} bytes, is longer than the longest JavaScript string ({MAX_JS_STRING})", out.len()))));
    }
    Ok(out)
}

/// `reservedBlock(address)`: the banned network an address is in, or null.
#[wasm_bindgen(js_name = reservedBlock, skip_typescript)]
pub fn reserved_block(address: &str) -> Result<JsValue, JsValue> {
    match crate::labelstudio::ssrf::reserved_block_of_text(address) {
        Ok(block) => Ok(block.map_or(JsValue::NULL, JsValue::from_str)),
        Err(_) => Err(js_sys::TypeError::new(&format!("not an IP address: {address:?}")).into()),
    }
}

/// `locatePath(text, path)`: `{start, end, exact}` (UTF-8 byte offsets) of the value an
/// error's path names in the event's text, or of its deepest existing parent; null.
#[wasm_bindgen(js_name = locatePath, skip_typescript)]
pub fn locate_path(text: &str, path: &str) -> JsValue {
    match crate::locate_path(text, path) {
        None => JsValue::NULL,
        Some(span) => {
            let o = Object::new();
            set(&o, "start", &JsValue::from_f64(span.start as f64));
            set(&o, "end", &JsValue::from_f64(span.end as f64));
            set(&o, "exact", &JsValue::from_bool(span.exact));
            o.into()
        }
    }
}

/// `wasmMemoryBytes()`: the size of this module's linear memory, which only
/// grows: its value after a call is the peak that call needed. For benchmarks.
#[wasm_bindgen(js_name = wasmMemoryBytes, skip_typescript)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// Plain JS data (objects, arrays, strings, numbers, null) made by `JSON.parse` of
/// the value's JSON text: serde_json is linked anyway, a serde serializer into JS
/// values would add its own code for each type. (The tables always serialize; the
/// error is not formatted, which would link serde_json's and std::io's messages.)
fn to_plain<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|_| JsValue::from(js_sys::Error::new("the table could not be written as JSON")))?;
    js_sys::JSON::parse(&text)
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn error_to_js(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    set(&err, "code", &JsValue::from_str(e.code.as_str()));
    set(&err, "path", &JsValue::from_str(&e.path));
    set(&err, "detail", &JsValue::from_str(&e.message));
    if let Some(at) = e.location {
        set(&err, "offset", &JsValue::from_f64(at.offset as f64));
        set(&err, "line", &JsValue::from_f64(at.line as f64));
        set(&err, "column", &JsValue::from_f64(at.column as f64));
    }
    err.into()
}

fn plan_to_js(plan: &Plan) -> JsValue {
    let out = Object::new();
    set(&out, "action", &JsValue::from_str(plan.action));
    set(&out, "targets", &ids_to_js(&plan.targets));
    set(&out, "deliveries", &deliveries_to_js(&plan.deliveries, plan.options.body_as));
    set(&out, "skipped", &skipped_to_js(&plan.skipped));
    set(&out, "unmatched", &unmatched_to_js(&plan.unmatched));
    set(&out, "warnings", &warnings_to_js(&plan.warnings));
    set(&out, "ssrfProtection", &JsValue::from_bool(plan.options.ssrf_protection));
    out.into()
}

fn ids_to_js(ids: &[i64]) -> Array {
    ids.iter().map(|id| JsValue::from_f64(*id as f64)).collect()
}

/// Deliveries as plain objects; one JS string (or Uint8Array) per distinct
/// body, shared by every target that gets it.
fn deliveries_to_js(deliveries: &[Delivery], body_as: BodyAs) -> Array {
    let mut bodies: Vec<(Body, JsValue)> = Vec::new();
    let out = Array::new_with_length(deliveries.len() as u32);
    for (i, d) in deliveries.iter().enumerate() {
        let body = match bodies.iter().rev().find(|(b, _)| b.shares(&d.body)) {
            Some((_, js)) => js.clone(),
            None => {
                let js: JsValue = match body_as {
                    BodyAs::String => JsValue::from_str(&d.body),
                    BodyAs::Bytes => Uint8Array::from(d.body.as_bytes()).into(),
                };
                bodies.push((d.body.clone(), js.clone()));
                js
            }
        };
        let headers = Object::new();
        for (name, value) in &d.headers {
            set(&headers, name, &JsValue::from_str(value));
        }
        let o = Object::new();
        set(&o, "webhookId", &JsValue::from_f64(d.webhook_id as f64));
        set(&o, "url", &JsValue::from_str(&d.url));
        set(&o, "method", &JsValue::from_str(d.method));
        set(&o, "headers", &headers);
        set(&o, "body", &body);
        set(&o, "batch", &JsValue::from_f64(d.batch as f64));
        out.set(i as u32, o.into());
    }
    out
}

/// `[{webhookId, reason, message}]`: the shape of both `skipped` and `unmatched` (a
/// webhook row whose id cannot be read has `webhookId` null and the offending field's `path`).
fn reasons_to_js<'a>(rows: impl Iterator<Item = (Option<i64>, &'a str, &'a str, Option<&'a str>)>) -> Array {
    rows.map(|(id, reason, message, path)| {
        let o = Object::new();
        set(&o, "webhookId", &id.map_or(JsValue::NULL, |id| JsValue::from_f64(id as f64)));
        set(&o, "reason", &JsValue::from_str(reason));
        set(&o, "message", &JsValue::from_str(message));
        if let Some(path) = path {
            set(&o, "path", &JsValue::from_str(path));
        }
        JsValue::from(o)
    })
    .collect()
}

fn warnings_to_js(warnings: &[crate::labelstudio::plan::Warning]) -> Array {
    warnings
        .iter()
        .map(|w| {
            let o = Object::new();
            set(&o, "code", &JsValue::from_str(w.code));
            set(&o, "message", &JsValue::from_str(&w.message));
            JsValue::from(o)
        })
        .collect()
}

fn unmatched_to_js(unmatched: &[crate::labelstudio::targets::Unmatched]) -> Array {
    reasons_to_js(unmatched.iter().map(|u| (Some(u.webhook_id), u.reason.as_str(), u.message.as_str(), None)))
}

fn skipped_to_js(skipped: &[crate::labelstudio::plan::Skipped]) -> Array {
    reasons_to_js(skipped.iter().map(|s| (s.webhook_id, s.reason.as_str(), s.message.as_str(), s.path.as_deref())))
}

/// `planBatches(event, options?)`: the plan one batch at a time, for events too large
/// to hold every body at once. An iterator (`for (const batch of ...)`) whose
/// values are `{ batch, deliveries }`, with `action`, `targets`, `skipped` and
/// `batchCount` known up front. Errors in the envelope throw here; errors in
/// a row throw from the `next()` of its batch.
#[wasm_bindgen(js_name = planBatches, skip_typescript)]
pub fn plan_batches(event: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    use_host();
    let batches = options_patch(&options)
        .and_then(|options| event_text(&event, "planBatches").and_then(|text| text.batches(&options)))
        .map_err(error_to_js)?;
    Ok(make_iterable(BatchIterator { batches }.into()))
}

/// Makes the iterator iterable, and guards it after `free()`: wasm-bindgen's
/// methods would then pass a null pointer ("null pointer passed to rust");
/// here they throw a typed `USE_AFTER_FREE` error instead. `__wbg_ptr` is
/// wasm-bindgen's (pinned) field for the Rust object, 0 once freed.
#[wasm_bindgen(inline_js = r#"
export function make_iterable(it) {
  const proto = Object.getPrototypeOf(it);
  const freed = (what) => {
    const detail = `${what} was used after free() released the iterator's memory`;
    return Object.assign(new Error(`USE_AFTER_FREE: ${detail}`), { code: "USE_AFTER_FREE", path: "", detail });
  };
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === "constructor" || name === "free" || name.startsWith("__")) continue;
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof d.value === "function") {
      const f = d.value;
      Object.defineProperty(it, name, { configurable: true, writable: true, value(...args) {
        if (this.__wbg_ptr === 0) throw freed(`${name}()`);
        return f.apply(this, args);
      } });
    } else if (d.get) {
      const g = d.get;
      Object.defineProperty(it, name, { configurable: true, get() {
        if (this.__wbg_ptr === 0) throw freed(name);
        return g.call(this);
      } });
    }
  }
  it[Symbol.iterator] = function () { return this; };
  return it;
}
"#)]
extern "C" {
    fn make_iterable(it: JsValue) -> JsValue;
}

/// The iterator `planBatches` returns.
#[wasm_bindgen(skip_typescript)]
pub struct BatchIterator {
    batches: Batches,
}

#[wasm_bindgen]
impl BatchIterator {
    #[wasm_bindgen(getter)]
    pub fn action(&self) -> String {
        self.batches.action().to_owned()
    }

    #[wasm_bindgen(getter)]
    pub fn targets(&self) -> Array {
        ids_to_js(self.batches.targets())
    }

    #[wasm_bindgen(getter)]
    pub fn skipped(&self) -> Array {
        skipped_to_js(self.batches.skipped())
    }

    #[wasm_bindgen(getter)]
    pub fn unmatched(&self) -> Array {
        unmatched_to_js(self.batches.unmatched())
    }

    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Array {
        warnings_to_js(self.batches.warnings())
    }

    #[wasm_bindgen(getter, js_name = ssrfProtection)]
    pub fn ssrf_protection(&self) -> bool {
        self.batches.options().ssrf_protection
    }

    #[wasm_bindgen(getter, js_name = batchCount)]
    pub fn batch_count(&self) -> u32 {
        self.batches.batch_count() as u32
    }

    /// The iterator protocol: `{ value: { batch, deliveries }, done }`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<JsValue, JsValue> {
        let step = Object::new();
        match self.batches.next() {
            None => {
                set(&step, "done", &JsValue::TRUE);
                set(&step, "value", &JsValue::UNDEFINED);
            }
            Some(Err(e)) => return Err(error_to_js(e)),
            Some(Ok(batch)) => {
                fits_in_js_strings(&batch.deliveries, self.batches.options().body_as).map_err(error_to_js)?;
                let value = Object::new();
                set(&value, "batch", &JsValue::from_f64(batch.index as f64));
                set(&value, "deliveries", &deliveries_to_js(&batch.deliveries, self.batches.options().body_as));
                set(&step, "done", &JsValue::FALSE);
                set(&step, "value", &value);
            }
        }
        Ok(step.into())
    }
}

/// Writes a JS value as JSON text the core reads; errors name the path.
/// A JSON string literal with raw UTF-8 (only `"`, `\\` and controls escaped):
/// the event text stays about as large as the strings in it; the Python
/// escaping happens once, into the body.
fn json_str(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// WebAssembly memory is 4 GiB at most, and an allocation that fails there
/// aborts the module: the core checks a large event against what is left.
fn fits_in_wasm_memory(text: &[u8]) -> Result<(), Error> {
    crate::labelstudio::budget::fits(text, wasm_memory_bytes() as u64, 4 << 30)
}

/// The fields of a JS object as JSON.stringify sees them (own enumerable keys), and
/// for a class instance (an ORM model, say) also the getters its classes define,
/// which JSON.stringify would leave out but which hold the row's columns.
fn field_names(obj: &Object) -> Array {
    thread_local! {
        static PLAIN: Object = Object::get_prototype_of(&Object::new()); // Object.prototype
    }
    let keys = Object::keys(obj);
    let mut proto = Object::get_prototype_of(obj);
    while !proto.is_null() && !PLAIN.with(|plain| Object::is(&proto, plain)) {
        for name in Object::get_own_property_names(&proto).iter() {
            let descriptor = Object::get_own_property_descriptor(&proto, &name);
            let is_getter = Reflect::get(&descriptor, &JsValue::from_str("get")).is_ok_and(|g| g.is_function());
            if is_getter && name.as_string().is_some_and(|n| n != "__proto__") && !keys.includes(&name, 0) {
                keys.push(&name);
            }
        }
        proto = Object::get_prototype_of(&proto);
    }
    keys
}

fn to_json_text(value: &JsValue) -> Result<String, Error> {
    let mut out = Vec::new();
    write_js(value, &mut out, &Path::Root(""), 0)?;
    String::from_utf8(out).map_err(|_| Error::event("", "the event could not be read as text"))
}

/// The most JSON text an event given as a JS object may become (the module's
/// memory must also hold the bodies built from it).
const MAX_EVENT_TEXT: usize = 1 << 30;

/// 2^53: integral numbers up to this are exact ints in JavaScript.
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

fn write_js(value: &JsValue, out: &mut Vec<u8>, path: &Path<'_>, depth: usize) -> Result<(), Error> {
    let path_text = |p: &Path<'_>| p.to_string();
    if depth > MAX_DEPTH {
        return Err(Error::event(path_text(path), "nested too deeply (or a circular reference)"));
    }
    if value.is_null() || value.is_undefined() {
        out.extend_from_slice(b"null");
    } else if let Some(b) = value.as_bool() {
        out.extend_from_slice(if b { b"true" } else { b"false" });
    } else if let Some(x) = value.as_f64() {
        if !x.is_finite() {
            // Named by hand: formatting an f64 would link core's float printer.
            let name = if x.is_nan() { "NaN" } else if x > 0.0 { "Infinity" } else { "-Infinity" };
            return Err(Error::event(path_text(path), format!("{name} is not a JSON number (Label Studio cannot send NaN or Infinity)")));
        }
        if x.fract() == 0.0 && x.abs() <= MAX_SAFE && !(x == 0.0 && x.is_sign_negative()) {
            out.extend_from_slice((x as i64).to_string().as_bytes());
        } else {
            pyjson::write_float(out, x).map_err(|e| Error::event(path_text(path), e.to_string()))?;
        }
    } else if value.is_bigint() {
        let digits = js_sys::BigInt::from(value.clone())
            .to_string(10)
            .map(String::from)
            .map_err(|_| Error::event(path_text(path), "unreadable BigInt"))?;
        out.extend_from_slice(digits.as_bytes());
    } else if value.is_string() {
        // Up to 3 bytes of UTF-8 per UTF-16 unit, then escapes: stop before
        // the copy could exhaust the module's memory.
        let too_large = || {
            Error::event(
                path_text(path),
                format!("the event is larger than {} MiB as JSON text, more than WebAssembly memory can build: pass it in parts", MAX_EVENT_TEXT >> 20),
            )
        };
        let units = value.unchecked_ref::<js_sys::JsString>().length() as usize;
        if out.len() + units * 3 > MAX_EVENT_TEXT {
            return Err(too_large());
        }
        let s = value.as_string().unwrap_or_default();
        // The literal's exact size: controls become \u00XX, `"` and `\\` two bytes.
        let size = 2 + s.len() + s.bytes().map(|b| if b < 0x20 { 5 } else if b == b'"' || b == b'\\' { 1 } else { 0 }).sum::<usize>();
        if out.len() + size > MAX_EVENT_TEXT {
            return Err(too_large());
        }
        out.try_reserve(size).map_err(|_| too_large())?;
        json_str(out, &s);
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        let iso = crate::labelstudio::datetime::from_epoch_millis(date.get_time())
            .ok_or_else(|| Error::new(ErrorCode::InvalidRow, path_text(path), "invalid Date"))?;
        pyjson::write_str(out, &iso);
    } else if Array::is_array(value) {
        let arr: &Array = value.unchecked_ref();
        out.push(b'[');
        for i in 0..arr.length() {
            if i > 0 {
                out.push(b',');
            }
            write_js(&arr.get(i), out, &path.index(i as usize), depth + 1)?;
        }
        out.push(b']');
    } else if value.is_function() || value.is_symbol() {
        return Err(Error::event(path_text(path), "functions and symbols are not event data"));
    } else if value.is_object() {
        if value.dyn_ref::<Uint8Array>().is_some() || value.dyn_ref::<js_sys::Map>().is_some() {
            return Err(Error::event(path_text(path), "expected plain JSON data (object, array, string, number, boolean, null)"));
        }
        let obj: &Object = value.unchecked_ref();
        out.push(b'{');
        let mut first = true;
        for key in field_names(obj).iter() {
            // A getter that throws is the caller's error, with its own message (not a missing field).
            let v = Reflect::get(obj, &key).map_err(|thrown| {
                let name = key.as_string().unwrap_or_default();
                let why = thrown.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{thrown:?}"), |e| String::from(e.message()));
                Error::event(path.key(&name).to_string(), format!("reading this property threw: {why}"))
            })?;
            if v.is_undefined() || v.is_function() {
                continue; // as JSON.stringify does
            }
            let k = key.as_string().unwrap_or_default();
            if !first {
                out.push(b',');
            }
            first = false;
            json_str(out, &k);
            out.push(b':');
            write_js(&v, out, &path.key(&k), depth + 1)?;
        }
        out.push(b'}');
    } else {
        return Err(Error::event(path_text(path), "not JSON data"));
    }
    Ok(())
}

// The module's d.ts: the declarations every build has, then those of its features.
#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = include_str!("../../js/types.d.ts");
#[cfg(feature = "schemas")]
#[wasm_bindgen(typescript_custom_section)]
const TS_SCHEMAS: &'static str = include_str!("../../js/types-schemas.d.ts");
#[cfg(feature = "receiver")]
#[wasm_bindgen(typescript_custom_section)]
const TS_RECEIVER: &'static str = include_str!("../../js/types-receiver.d.ts");
#[cfg(feature = "host-hmac")]
#[wasm_bindgen(typescript_custom_section)]
const TS_HOST_HMAC: &'static str = include_str!("../../js/types-host-hmac.d.ts");
