//! The receiver's side: `parseWebhook` and `verifyWebhook`, and `signWebhook`
//! for a queue worker that signs a delivery anew as it sends it (the
//! `receiver` feature: servers need them; the browser's build leaves them out).

use super::{bytes_of, error_to_js, js_now, set};
use crate::error::{Error, ErrorCode};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// An argument object of the receiver's functions (`{headers, body, secret, ...}`).
struct Args<'a>(&'a JsValue);

impl Args<'_> {
    /// `Err` (naming `usage`) unless the argument is an object.
    fn of<'a>(args: &'a JsValue, usage: &str) -> Result<Args<'a>, Error> {
        if !args.is_object() {
            return Err(invalid("", usage));
        }
        Ok(Args(args))
    }

    fn get(&self, name: &str) -> JsValue {
        Reflect::get(self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }
}

fn invalid(path: &str, why: &str) -> Error {
    Error::new(ErrorCode::InvalidArgument, path, why)
}

/// A received body as text: a string, or UTF-8 bytes (any `ArrayBuffer` or view).
fn body_text(body: &JsValue, path: &str) -> Result<String, Error> {
    if let Some(text) = body.as_string() {
        return Ok(text);
    }
    let bytes = bytes_of(body).ok_or_else(|| invalid(path, "the body must be a string or bytes (a Buffer, Uint8Array or ArrayBuffer)"))?;
    String::from_utf8(bytes).map_err(|e| Error::new(ErrorCode::InvalidBody, "", format!("the body is not UTF-8 (byte {})", e.utf8_error().valid_up_to())))
}

/// `parseWebhook(body, { checkBody = true })`: the body as a JS value once it
/// is one Label Studio sends; integers past 2^53 become BigInts (exact).
/// Throws `INVALID_BODY` with the path of the first offending field. With
/// `checkBody: false`, any JSON is taken (a custom `emit_webhooks_sync` payload).
#[wasm_bindgen(js_name = parseWebhook, skip_typescript)]
pub fn parse_webhook(body: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let run = || parse(&body_text(&body, "body")?, check_body_option(&options)?);
    run().map_err(error_to_js)
}

/// `checkBody` of an options object (absent: true).
fn check_body_option(options: &JsValue) -> Result<bool, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(true);
    }
    let v = Reflect::get(options, &JsValue::from_str("checkBody")).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() {
        return Ok(true);
    }
    v.as_bool().ok_or_else(|| Error::new(ErrorCode::InvalidArgument, "checkBody", "checkBody must be true or false"))
}

fn parse(text: &str, check: bool) -> Result<JsValue, Error> {
    let doc = crate::json::reader::Doc::parse(text).map_err(|e| {
        crate::labelstudio::received::syntax(&e.message, e.path, crate::error::Location { offset: e.offset, line: e.line, column: e.column })
    })?;
    // Float fields holding integer text stay Numbers (a Python float), however large.
    let floats = if check { crate::labelstudio::received::check(&doc)?.float_offsets } else { Vec::new() };
    let mut value = js_sys::JSON::parse(text).map_err(|_| Error::new(ErrorCode::InvalidBody, "", "JSON.parse refused the body"))?;
    for (path, digits) in crate::labelstudio::received::big_ints(doc.root(), &floats) {
        let big = js_sys::BigInt::new(&JsValue::from_str(digits)).map_err(|_| Error::new(ErrorCode::InvalidBody, "", "BigInt refused an integer"))?;
        let Some((last, parents)) = path.split_last() else {
            value = big.into(); // the body is that one number
            continue;
        };
        let step = |s: &crate::labelstudio::received::Step| match s {
            crate::labelstudio::received::Step::Key(k) => JsValue::from_str(k),
            crate::labelstudio::received::Step::Index(i) => JsValue::from_f64(*i as f64),
        };
        let mut parent = value.clone();
        for s in parents {
            parent = Reflect::get(&parent, &step(s)).unwrap_or(JsValue::UNDEFINED);
        }
        // Plain data properties, so a key such as "__proto__" stays a key.
        let desc = Object::new();
        set(&desc, "value", &big.into());
        set(&desc, "writable", &JsValue::TRUE);
        set(&desc, "enumerable", &JsValue::TRUE);
        set(&desc, "configurable", &JsValue::TRUE);
        let _ = Reflect::define_property(parent.unchecked_ref::<Object>(), &step(last), &desc);
    }
    Ok(value)
}

/// `verifyWebhook({headers, body, secret, toleranceSeconds = 300, now, checkBody = true})`:
/// checks a delivery's Standard Webhooks signature (`secret` may be a list,
/// for key rotation), then returns `parseWebhook(body, { checkBody })`. `headers`: a
/// `Headers`, a plain object (Node's `req.headers`) or `[name, value]` pairs.
#[wasm_bindgen(js_name = verifyWebhook, skip_typescript)]
pub fn verify_webhook(args: JsValue) -> Result<JsValue, JsValue> {
    use crate::signing::{self, Key};
    let run = || -> Result<JsValue, Error> {
        let a = Args::of(&args, "verifyWebhook takes {headers, body, secret, toleranceSeconds?, now?}")?;
        let arg = |k: &str| a.get(k);
        let secrets: Vec<JsValue> = match arg("secret") {
            s if Array::is_array(&s) => Array::from(&s).iter().collect(),
            s => vec![s],
        };
        let keys = secrets
            .iter()
            .map(|s| s.as_string().ok_or(()).and_then(|s| Key::parse(&s).map_err(|_| ())))
            .collect::<Result<Vec<Key>, ()>>()
            .map_err(|()| invalid("secret", "secret must be a Standard Webhooks secret (whsec_ and base64), or a list of them"))?;
        if keys.is_empty() {
            return Err(invalid("secret", "no secret given"));
        }
        let tolerance = match arg("toleranceSeconds") {
            t if t.is_undefined() => signing::DEFAULT_TOLERANCE,
            t => t.as_f64().filter(|t| t.is_finite() && *t >= 0.0).ok_or_else(|| invalid("toleranceSeconds", "toleranceSeconds must be a number of seconds"))? as i64,
        };
        let now = match arg("now") {
            n if n.is_undefined() => js_now(),
            n if n.is_instance_of::<js_sys::Date>() => (js_sys::Date::from(n).get_time() / 1000.0).floor() as i64,
            n => n.as_f64().filter(|n| n.is_finite()).ok_or_else(|| invalid("now", "now must be a Date or seconds since the Unix epoch"))?.floor() as i64,
        };
        let headers = arg("headers");
        if !headers.is_object() {
            return Err(invalid("headers", "headers must be a Headers, an object or [name, value] pairs"));
        }
        let body = body_text(&arg("body"), "body")?;
        let check = check_body_option(&args)?;
        signing::verify(|name| header_of(&headers, name), body.as_bytes(), &keys, tolerance, now)?;
        parse(&body, check)
    };
    run().map_err(error_to_js)
}

/// A header by lowercase name from a `Headers` (its `get`), `[name, value]`
/// pairs, or a plain object with names in any case (a list value, as Node
/// gives repeated headers, is joined the way `Headers` joins it).
fn header_of(headers: &JsValue, name: &str) -> Option<String> {
    let text = |v: JsValue| -> Option<String> {
        if Array::is_array(&v) {
            let parts: Vec<String> = Array::from(&v).iter().filter_map(|p| p.as_string()).collect();
            return Some(parts.join(", "));
        }
        v.as_string()
    };
    if let Ok(get) = Reflect::get(headers, &JsValue::from_str("get")).and_then(|g| g.dyn_into::<js_sys::Function>()) {
        return get.call1(headers, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    }
    if Array::is_array(headers) {
        return Array::from(headers).iter().filter(Array::is_array).map(|pair| Array::from(&pair)).find_map(|pair| {
            let n = pair.get(0).as_string()?;
            n.eq_ignore_ascii_case(name).then(|| text(pair.get(1))).flatten()
        });
    }
    let keys = Object::keys(headers.unchecked_ref::<Object>());
    keys.iter().filter_map(|k| k.as_string()).find(|k| k.eq_ignore_ascii_case(name)).and_then(|k| text(Reflect::get(headers, &JsValue::from_str(&k)).ok()?))
}

/// `signWebhook({id, body, secret, timestamp?})`: the three Standard Webhooks
/// headers of one delivery (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
/// signed now unless `timestamp` is given. For re-signing a delivery when it
/// is finally sent (a queue's retry keeps its id and gets a fresh timestamp).
#[wasm_bindgen(js_name = signWebhook, skip_typescript)]
pub fn sign_webhook(args: JsValue) -> Result<JsValue, JsValue> {
    use crate::signing::{self, Key};
    let run = || -> Result<JsValue, Error> {
        let a = Args::of(&args, "signWebhook takes {id, body, secret, timestamp?}")?;
        let arg = |k: &str| a.get(k);
        let key = arg("secret").as_string().and_then(|s| Key::parse(&s).ok()).ok_or_else(|| invalid("secret", "secret must be a Standard Webhooks secret (whsec_ and base64)"))?;
        let id = arg("id").as_string().filter(|id| signing::check_event_id(id).is_ok());
        let id = id.ok_or_else(|| invalid("id", "id must be a webhook-id (1 to 200 characters of A-Z, a-z, 0-9, _ . : and -)"))?;
        let timestamp = match arg("timestamp") {
            t if t.is_undefined() => js_now(),
            t => t.as_f64().filter(|t| t.is_finite() && *t >= 0.0 && t.fract() == 0.0).ok_or_else(|| invalid("timestamp", "timestamp must be whole seconds since the Unix epoch"))? as i64,
        };
        let bytes = body_text(&arg("body"), "body")?.into_bytes();
        let headers = Object::new();
        set(&headers, signing::ID, &JsValue::from_str(&id));
        set(&headers, signing::TIMESTAMP, &JsValue::from_str(&timestamp.to_string()));
        set(&headers, signing::SIGNATURE, &JsValue::from_str(&key.sign(&id, timestamp, &bytes)));
        Ok(headers.into())
    };
    run().map_err(error_to_js)
}
