pub mod pyjson;
pub mod reader;
