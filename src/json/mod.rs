//! A JSON engine that knows nothing of Label Studio: the validating reader
//! and its lazy values, and CPython's `json.dumps` output form.

pub(crate) mod chunked;
pub mod locate;
pub mod pyjson;
pub mod reader;
pub(crate) mod swar;
