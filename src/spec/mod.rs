//! The spec: its model, how it is read from YAML, and its JSON Schema.

mod de;
mod load;
pub mod model;
pub mod path;
pub mod schema;
#[cfg(test)]
mod schema_codegen;
#[rustfmt::skip]
mod schema_precompiled;
pub mod yaml;
mod yaml_fast;

pub use load::{load, read_source, Loaded};
