//! Output targets. Each one formats a [`crate::plan::Plan`] and decides nothing of its own:
//! its templates live in `templates/<target>/` (embedded at compile time), it renders them
//! through a [`crate::render::Renderer`] of its format, and it knows nothing of the other
//! targets.

pub mod aws_cli;
pub mod cloudformation;
pub mod drain;
pub mod haproxy;
pub mod impala_config;
pub mod keepalived;
pub mod terraform;
