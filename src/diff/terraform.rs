//! Terraform: both specs' modules, resources compared by address (`type.name`), with each
//! type's `ForceNew` arguments (SDK resources) and `RequiresReplace` plan modifiers (framework
//! resources) as the AWS provider's source declares them (`internal/service/<service>/`;
//! resources without an update function have every argument `ForceNew`), and the
//! `CustomizeDiff` rules that force a new balancer for some subnet and security-group changes.
//! `tests/diff.rs` checks that every argument named here is in the provider 6.x schema and that
//! every type the module emits is here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resources::{Resource, Rule, TypeRules, When};
use crate::error::Error;

const fn force_new(property: &'static str) -> Rule {
    Rule {
        property,
        when: When::Changed,
    }
}

pub static TYPES: &[TypeRules] = &[
    // acm/certificate.go
    TypeRules {
        kind: "aws_acm_certificate",
        rules: &[
            force_new("certificate_authority_arn"),
            force_new("domain_name"),
            force_new("key_algorithm"),
            force_new("subject_alternative_names"),
            force_new("validation_method"),
            force_new("validation_option"),
        ],
        name: None,
    },
    // acm/certificate_validation.go: no update.
    TypeRules {
        kind: "aws_acm_certificate_validation",
        rules: &[
            force_new("certificate_arn"),
            force_new("validation_record_fqdns"),
        ],
        name: None,
    },
    // cloudwatch/metric_alarm.go
    TypeRules {
        kind: "aws_cloudwatch_metric_alarm",
        rules: &[force_new("alarm_name")],
        name: None,
    },
    // elb/load_balancer.go: name, internal; CustomizeDiff forces new when every subnet goes.
    TypeRules {
        kind: "aws_elb",
        rules: &[
            force_new("name"),
            force_new("name_prefix"),
            force_new("internal"),
            Rule {
                property: "subnets",
                when: When::AllRemoved,
            },
        ],
        name: None,
    },
    // elb/listener_policy.go: updated in place (SetLoadBalancerPoliciesOfListener).
    TypeRules {
        kind: "aws_load_balancer_listener_policy",
        rules: &[],
        name: None,
    },
    // elb/policy.go
    TypeRules {
        kind: "aws_load_balancer_policy",
        rules: &[
            force_new("load_balancer_name"),
            force_new("policy_name"),
            force_new("policy_type_name"),
        ],
        name: None,
    },
    // elbv2/load_balancer.go: name, internal, type; customizeDiffLoadBalancerNLB forces new
    // when an NLB's subnets do not grow, or its security groups go from none to some or back.
    TypeRules {
        kind: "aws_lb",
        rules: &[
            force_new("name"),
            force_new("name_prefix"),
            force_new("internal"),
            force_new("load_balancer_type"),
            force_new("customer_owned_ipv4_pool"),
            Rule {
                property: "subnets",
                when: When::CountNotIncreased,
            },
            Rule {
                property: "security_groups",
                when: When::EmptinessChanged,
            },
        ],
        name: None,
    },
    // elbv2/listener.go
    TypeRules {
        kind: "aws_lb_listener",
        rules: &[force_new("load_balancer_arn")],
        name: None,
    },
    // elbv2/target_group.go
    TypeRules {
        kind: "aws_lb_target_group",
        rules: &[
            force_new("ip_address_type"),
            force_new("name"),
            force_new("name_prefix"),
            force_new("port"),
            force_new("protocol"),
            force_new("protocol_version"),
            force_new("target_type"),
            force_new("vpc_id"),
        ],
        name: None,
    },
    // elbv2/target_group_attachment.go: no update.
    TypeRules {
        kind: "aws_lb_target_group_attachment",
        rules: &[
            force_new("availability_zone"),
            force_new("port"),
            force_new("target_group_arn"),
            force_new("target_id"),
        ],
        name: None,
    },
    // ec2/vpc_network_interface_sg_attachment.go: no update.
    TypeRules {
        kind: "aws_network_interface_sg_attachment",
        rules: &[
            force_new("network_interface_id"),
            force_new("security_group_id"),
        ],
        name: None,
    },
    // route53/record.go
    TypeRules {
        kind: "aws_route53_record",
        rules: &[force_new("name"), force_new("zone_id")],
        name: None,
    },
    // s3/bucket.go
    TypeRules {
        kind: "aws_s3_bucket",
        rules: &[force_new("bucket"), force_new("bucket_prefix")],
        name: None,
    },
    // s3/bucket_lifecycle_configuration_fw.go (framework): bucket and expected_bucket_owner
    // RequiresReplace.
    TypeRules {
        kind: "aws_s3_bucket_lifecycle_configuration",
        rules: &[force_new("bucket"), force_new("expected_bucket_owner")],
        name: None,
    },
    // s3/bucket_ownership_controls.go
    TypeRules {
        kind: "aws_s3_bucket_ownership_controls",
        rules: &[force_new("bucket")],
        name: None,
    },
    // s3/bucket_policy.go
    TypeRules {
        kind: "aws_s3_bucket_policy",
        rules: &[force_new("bucket")],
        name: None,
    },
    // s3/bucket_public_access_block.go
    TypeRules {
        kind: "aws_s3_bucket_public_access_block",
        rules: &[force_new("bucket")],
        name: None,
    },
    // s3/bucket_server_side_encryption_configuration.go
    TypeRules {
        kind: "aws_s3_bucket_server_side_encryption_configuration",
        rules: &[force_new("bucket"), force_new("expected_bucket_owner")],
        name: None,
    },
    // ec2/vpc_security_group.go
    TypeRules {
        kind: "aws_security_group",
        rules: &[
            force_new("description"),
            force_new("name"),
            force_new("name_prefix"),
            force_new("vpc_id"),
        ],
        name: None,
    },
    // ec2/vpc_security_group_egress_rule.go, _ingress_rule.go (framework):
    // security_group_id RequiresReplace; the rest is modified in place.
    TypeRules {
        kind: "aws_vpc_security_group_egress_rule",
        rules: &[force_new("security_group_id")],
        name: None,
    },
    TypeRules {
        kind: "aws_vpc_security_group_ingress_rule",
        rules: &[force_new("security_group_id")],
        name: None,
    },
];

/// The types that are the balancer itself.
pub const BALANCER_TYPES: &[&str] = &["aws_elb", "aws_lb"];

pub fn rules(kind: &str) -> Option<&'static TypeRules> {
    TYPES.iter().find(|t| t.kind == kind)
}

/// The module: its resources by address, and the `provider "aws"` block.
pub struct Module {
    pub resources: BTreeMap<String, Resource>,
    pub provider: Value,
}

/// Reads a module written as one file (hcl-rs, the parser the tests also use).
pub fn module(text: &str) -> Result<Module, Error> {
    let json: Value = hcl::from_str(text).map_err(|e| Error::Render {
        target: "terraform",
        message: format!("the module does not read back as HCL: {e}"),
    })?;
    let mut resources = BTreeMap::new();
    for (kind, named) in json["resource"].as_object().into_iter().flatten() {
        for (name, body) in named.as_object().into_iter().flatten() {
            let properties = body
                .as_object()
                .map(|p| {
                    p.iter()
                        .filter(|(k, _)| k.as_str() != "lifecycle")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            resources.insert(
                format!("{kind}.{name}"),
                Resource {
                    kind: kind.clone(),
                    properties,
                },
            );
        }
    }
    Ok(Module {
        resources,
        provider: json["provider"]["aws"].clone(),
    })
}

/// The addresses (`type.name`) a value refers to, from its `${...}` expressions.
pub fn refs(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let text = v.to_string();
    for part in text.split("${").skip(1) {
        // `aws_lb.bi.arn`, or inside a `for` expression: every `aws_x.y` word.
        for word in part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
            let mut it = word.split('.');
            if let (Some(kind), Some(name)) = (it.next(), it.next()) {
                if kind.starts_with("aws_") && !name.is_empty() {
                    out.insert(format!("{kind}.{name}"));
                }
            }
        }
    }
    out
}
