//! The spec: its model, how it is read from YAML, and its JSON Schema.

mod load;
pub mod model;
pub mod path;
pub mod schema;
pub mod yaml;

pub use load::{load, load_with, read_source, Defaults, Loaded, DEFAULTS_FILE};
