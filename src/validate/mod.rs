//! Semantic validation: the rules the JSON Schema cannot express, with AWS's and HAProxy's real
//! limits. Every rule reports a field path, what is wrong and how to fix it; all problems are
//! reported at once.

pub mod limits;
mod rules;
pub mod syntax;

use crate::diagnostics::Diagnostic;
use crate::spec::model::Spec;

/// Which target-specific limits apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Check the AWS limits (and require the `aws` section and instance IDs).
    pub aws: bool,
    /// Check the HAProxy limits (and require daemon hosts).
    pub haproxy: bool,
    /// The target being generated, for messages; `None` for `validate`.
    pub target: Option<&'static str>,
}

impl Scope {
    /// What `validate` checks: the limits of each target whose section the spec has. A spec
    /// without an `aws` section is an on-premises spec and gets the HAProxy checks.
    pub fn for_spec(spec: &Spec) -> Scope {
        Scope {
            aws: spec.aws.is_some(),
            haproxy: spec.haproxy.is_some() || spec.aws.is_none(),
            target: None,
        }
    }

    /// What generating an AWS target (CloudFormation, Terraform, AWS CLI) checks.
    pub fn aws_target(name: &'static str) -> Scope {
        Scope {
            aws: true,
            haproxy: false,
            target: Some(name),
        }
    }

    /// What generating the HAProxy target checks.
    pub fn haproxy_target(name: &'static str) -> Scope {
        Scope {
            aws: false,
            haproxy: true,
            target: Some(name),
        }
    }
}

/// Runs every semantic rule that applies in `scope`.
pub fn check(spec: &Spec, scope: Scope) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    rules::general(spec, &mut out);
    if scope.aws {
        rules::aws(spec, scope, &mut out);
    }
    if scope.haproxy {
        rules::haproxy(spec, scope, &mut out);
    }
    out
}
