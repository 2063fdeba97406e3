//! Label Studio 1.23.2 as data (the action registry, the serializers' field
//! lists) and the machinery that reads it: the event, who receives it and
//! whether the request may be made, the body layout, rendering, the plan.

pub mod batches;
pub mod budget;
pub mod datetime;
pub mod event;
pub mod layout;
pub mod plan;
pub mod registry;
pub mod render;
pub mod schema;
pub mod serializers;
pub mod ssrf;
pub mod targets;
