//! Label Studio 1.23.2 as data (the action registry, the serializers' field
//! lists) and the machinery that reads it: the event, who receives it and
//! whether the request may be made, the body layout, rendering, the plan.

pub(crate) mod batches;
// Used by the wasm boundary only; tested natively.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) mod budget;
pub(crate) mod datetime;
pub(crate) mod event;
pub(crate) mod layout;
pub(crate) mod plan;
#[cfg(feature = "receiver")]
pub(crate) mod received;
pub mod registry;
pub(crate) mod render;
#[cfg(feature = "schemas")]
pub mod schema;
pub mod serializers;
pub mod ssrf;
pub(crate) mod targets;
