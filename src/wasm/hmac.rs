//! `setHostHmac` and `hmacBackend` (the `host-hmac` feature, the Node build):
//! signing's HMAC-SHA256 by a JS function, which the Node package sets to
//! node:crypto's `createHmac` as it loads (scripts/package.js). The core asks
//! through `host::hmac_sha256`; without a hook it computes the MAC itself.

use js_sys::Uint8Array;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `(key, prefix, body) => digest`: the HMAC-SHA256 under `key` of `prefix`
    /// (`{id}.{timestamp}.`) then `body`, 32 bytes.
    #[derive(Clone)]
    type HostHmac;
    /// Its call, each `&[u8]` a view of the module's memory, not a copy: valid
    /// during the call only (the module's memory may grow afterwards, which
    /// detaches a view), so a hook must not keep them.
    #[wasm_bindgen(method, js_name = call, catch)]
    fn call(this: &HostHmac, this_arg: &JsValue, key: &[u8], prefix: &[u8], body: &[u8]) -> Result<JsValue, JsValue>;
}

thread_local! {
    /// The hook `setHostHmac` set (wasm32 without atomics has one thread).
    static HOOK: RefCell<Option<HostHmac>> = const { RefCell::new(None) };
}

/// `setHostHmac(hook)`: signing's HMAC-SHA256 (`buildDeliveries`, `planBatches`,
/// `signWebhook`, `verifyWebhook`) by `hook`, or by the module's own again with
/// `null`. Returns the hook it replaces (or null). A hook that throws, or
/// returns anything but 32 bytes, is passed over for that MAC: the module
/// computes it.
#[wasm_bindgen(js_name = setHostHmac, skip_typescript)]
pub fn set_host_hmac(hook: JsValue) -> Result<JsValue, JsValue> {
    let hook = match hook {
        h if h.is_null() || h.is_undefined() => None,
        h if h.is_function() => Some(h.unchecked_into::<HostHmac>()),
        _ => return Err(js_sys::TypeError::new("setHostHmac takes a function (key, prefix, body) => digest, or null").into()),
    };
    if hook.is_some() {
        crate::host::install_hmac_sha256(host_hmac);
    }
    let previous = HOOK.with(|slot| slot.replace(hook));
    Ok(previous.map_or(JsValue::NULL, JsValue::from))
}

/// `hmacBackend()`: `"host"` while a hook is set (in the Node package:
/// node:crypto's, from load on), else `"wasm"` (the module's own).
#[wasm_bindgen(js_name = hmacBackend, skip_typescript)]
pub fn hmac_backend() -> String {
    let set = HOOK.with(|slot| slot.borrow().is_some());
    (if set { "host" } else { "wasm" }).into()
}

/// What `host::hmac_sha256` calls: the hook, if one is set and answers.
fn host_hmac(key: &[u8], [prefix, body]: [&[u8]; 2]) -> Option<[u8; 32]> {
    // Cloned out of the slot, so a hook that calls back into the module (even
    // setHostHmac) finds it free.
    let hook = HOOK.with(|slot| slot.borrow().clone())?;
    let digest = hook.call(&JsValue::UNDEFINED, key, prefix, body).ok()?;
    let digest = digest.dyn_into::<Uint8Array>().ok().filter(|d| d.length() == 32)?;
    let mut mac = [0; 32];
    digest.copy_to(&mut mac);
    Some(mac)
}
