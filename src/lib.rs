//! impala-lbgen: one validated spec of an Apache Impala load balancer, rendered into
//! CloudFormation, Terraform and HAProxy configuration.
//!
//! The flow is spec → plan → targets: [`spec`] reads and checks what the user wrote,
//! [`validate`] holds the semantic rules and limits, [`plan`] decides every resolved value,
//! and each target only formats a plan. See ARCHITECTURE.md.

pub mod cli;
pub mod commands;
pub mod diagnostics;
pub mod diff;
pub mod error;
pub mod fleet;
pub mod generate;
pub mod import;
pub mod output;
pub mod plan;
pub mod render;
pub mod spec;
pub mod targets;
pub mod validate;

pub use error::Error;
