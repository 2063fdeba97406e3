//! # ls-webhooks
//!
//! The webhook deliveries of Label Studio 1.23.2, byte for byte: given an
//! event (action, organization, project row, instance rows, the configured
//! webhooks), the exact target list and the exact bytes Label Studio would
//! POST to each target. Sending them stays with the host.
//!
//! ```
//! let plan = ls_webhooks::build_deliveries(r#"{
//!     "action": "PROJECT_DELETED", "organization": 1, "instance": {"id": 7},
//!     "webhooks": [{"id": 1, "organization": 1, "project": null,
//!                   "url": "https://example.com/hook", "send_payload": true,
//!                   "send_for_all_actions": true, "headers": {}, "is_active": true, "actions": []}]
//! }"#).unwrap();
//! assert_eq!(plan.targets, vec![1]);
//! assert_eq!(&*plan.deliveries[0].body, r#"{"action": "PROJECT_DELETED", "project": {"id": 7}}"#);
//! ```
//!
//! See ARCHITECTURE.md for where things live.

pub mod error;
pub mod host;
pub mod signing;
pub(crate) mod json;
pub mod labelstudio;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorCode};
pub use json::locate::Span;
pub use labelstudio::batches::{Batch, Batches};
pub use labelstudio::event::{BodyAs, Options, OptionsPatch, Signing, DEFAULT_BATCH_SIZE};
pub use labelstudio::plan::{Body, Delivery, Plan, Skipped, Warning};
pub use labelstudio::registry::{Action, ACTIONS};
pub use labelstudio::targets::{MissReason, SkipReason, Unmatched};

/// Builds every delivery for an event given as JSON text.
pub fn build_deliveries(event_json: &str) -> Result<Plan, Error> {
    labelstudio::plan::build(event_json, &OptionsPatch::default())
}

/// Builds every delivery for an event given as UTF-8 JSON bytes.
pub fn build_deliveries_bytes(event_json: &[u8]) -> Result<Plan, Error> {
    labelstudio::plan::build_bytes(event_json, &OptionsPatch::default())
}

/// As [`build_deliveries`], with options given apart from the event (e.g. a
/// signing secret that should not travel inside it) over the event's own.
pub fn build_deliveries_with(event_json: &str, options: &OptionsPatch) -> Result<Plan, Error> {
    labelstudio::plan::build(event_json, options)
}

/// As [`build_deliveries_bytes`], with options over the event's own.
pub fn build_deliveries_bytes_with(event_json: &[u8], options: &OptionsPatch) -> Result<Plan, Error> {
    labelstudio::plan::build_bytes(event_json, options)
}

/// The receiver's check of a body: the action of a body Label Studio could
/// have sent (its registry, body layout and serializers' fields), or an
/// `INVALID_BODY` error naming the first offending field.
#[cfg(feature = "receiver")]
pub fn check_body(body: &str) -> Result<&'static Action, Error> {
    let doc = json::reader::Doc::parse(body)
        .map_err(|e| labelstudio::received::syntax(&e.message, e.path, error::Location { offset: e.offset, line: e.line, column: e.column }))?;
    labelstudio::received::check(&doc).map(|r| r.action)
}

/// CPython's `json.dumps(json.loads(text), allow_nan=False)`: the Python form of
/// any JSON text (duplicate keys keep their first position and last value).
pub fn python_json_dumps(text: &str) -> Result<String, String> {
    json::pyjson::dumps(text)
}

/// Where a field path of an error (`instance[3].created_at`) sits in the event's
/// text: the byte span of its value, or of its deepest existing parent.
pub fn locate_path(text: &str, path: &str) -> Option<json::locate::Span> {
    json::locate::locate(text, path)
}
