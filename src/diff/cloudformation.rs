//! CloudFormation: both specs' templates, resources compared by logical ID, with each type's
//! update behaviour from the CloudFormation resource provider schemas ("Update requires:
//! Replacement"): `createOnlyProperties`, `conditionalCreateOnlyProperties` (replacement only
//! when the property is added or removed), and the writable parts of the `primaryIdentifier`
//! (a record set's name: another name is another record). `tests/diff.rs` checks this table
//! against cfn-lint's copy of the schemas, and that every type a template emits is in it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::resources::{Resource, Rule, TypeRules, When};
use crate::error::Error;
use crate::spec::yaml;

const fn changed(property: &'static str) -> Rule {
    Rule {
        property,
        when: When::Changed,
    }
}

const fn added_or_removed(property: &'static str) -> Rule {
    Rule {
        property,
        when: When::AddedOrRemoved,
    }
}

/// Per resource type, in the schemas' words (us-east-1): `createOnlyProperties` (each a
/// `changed` rule), `conditionalCreateOnlyProperties` (`added_or_removed`), then the writable
/// `primaryIdentifier` properties not already listed (`changed`). `name` is the property
/// holding the name impala-lbgen gives the resource.
pub static TYPES: &[TypeRules] = &[
    TypeRules {
        kind: "AWS::CertificateManager::Certificate",
        rules: &[
            changed("SubjectAlternativeNames"),
            changed("DomainValidationOptions"),
            changed("KeyAlgorithm"),
            changed("DomainName"),
            changed("CertificateAuthorityArn"),
            changed("CertificateExport"),
        ],
        name: None,
    },
    TypeRules {
        kind: "AWS::CloudWatch::Alarm",
        rules: &[changed("AlarmName")],
        name: Some("AlarmName"),
    },
    TypeRules {
        kind: "AWS::EC2::SecurityGroup",
        rules: &[
            changed("GroupDescription"),
            changed("GroupName"),
            changed("VpcId"),
        ],
        name: Some("GroupName"),
    },
    TypeRules {
        kind: "AWS::EC2::SecurityGroupEgress",
        rules: &[
            changed("IpProtocol"),
            changed("DestinationSecurityGroupId"),
            changed("ToPort"),
            changed("CidrIp"),
            changed("FromPort"),
            changed("GroupId"),
            changed("CidrIpv6"),
            changed("DestinationPrefixListId"),
        ],
        name: None,
    },
    TypeRules {
        kind: "AWS::EC2::SecurityGroupIngress",
        rules: &[
            changed("GroupName"),
            changed("IpProtocol"),
            changed("SourceSecurityGroupId"),
            changed("SourcePrefixListId"),
            changed("ToPort"),
            changed("CidrIp"),
            changed("SourceSecurityGroupName"),
            changed("SourceSecurityGroupOwnerId"),
            changed("FromPort"),
            changed("GroupId"),
            changed("CidrIpv6"),
        ],
        name: None,
    },
    TypeRules {
        kind: "AWS::ElasticLoadBalancing::LoadBalancer",
        rules: &[
            changed("LoadBalancerName"),
            changed("Scheme"),
            added_or_removed("AvailabilityZones"),
            added_or_removed("HealthCheck"),
            added_or_removed("Subnets"),
        ],
        name: Some("LoadBalancerName"),
    },
    TypeRules {
        kind: "AWS::ElasticLoadBalancingV2::Listener",
        rules: &[changed("LoadBalancerArn")],
        name: None,
    },
    TypeRules {
        kind: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        rules: &[changed("Name"), changed("Type"), changed("Scheme")],
        name: Some("Name"),
    },
    TypeRules {
        kind: "AWS::ElasticLoadBalancingV2::TargetGroup",
        rules: &[
            changed("TargetType"),
            changed("ProtocolVersion"),
            changed("Port"),
            changed("Name"),
            changed("VpcId"),
            changed("Protocol"),
            changed("IpAddressType"),
        ],
        name: Some("Name"),
    },
    TypeRules {
        kind: "AWS::Route53::RecordSet",
        rules: &[
            changed("HostedZoneName"),
            changed("HostedZoneId"),
            changed("Name"),
            changed("Type"),
            changed("SetIdentifier"),
        ],
        name: None,
    },
    TypeRules {
        kind: "AWS::S3::Bucket",
        rules: &[
            changed("BucketName"),
            changed("BucketNamePrefix"),
            changed("BucketNamespace"),
        ],
        name: Some("BucketName"),
    },
    TypeRules {
        kind: "AWS::S3::BucketPolicy",
        rules: &[changed("Bucket")],
        name: None,
    },
];

/// The types that are the balancer itself.
pub const BALANCER_TYPES: &[&str] = &[
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
];

pub fn rules(kind: &str) -> Option<&'static TypeRules> {
    TYPES.iter().find(|t| t.kind == kind)
}

/// The template's resources by logical ID.
pub fn resources(template: &str) -> Result<BTreeMap<String, Resource>, Error> {
    let bug = |message: String| Error::Render {
        target: "cloudformation",
        message,
    };
    let tree = yaml::parse(template).map_err(|e| bug(e.message))?;
    let json = tree.to_json();
    let mut out = BTreeMap::new();
    for (id, r) in json["Resources"].as_object().into_iter().flatten() {
        let kind = r["Type"]
            .as_str()
            .ok_or_else(|| bug(format!("resource {id} has no Type")))?;
        let properties = r["Properties"]
            .as_object()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        out.insert(
            id.clone(),
            Resource {
                kind: kind.to_string(),
                properties,
            },
        );
    }
    Ok(out)
}

/// The logical IDs a value refers to: `Ref`, `Fn::GetAtt` and `${...}` in `Fn::Sub`.
pub fn refs(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(v, &mut out);
    out
}

fn walk(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("Ref", Value::String(id)) => {
                        out.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        if let Some(Value::String(id)) = a.first() {
                            out.insert(id.clone());
                        }
                    }
                    ("Fn::Sub", Value::String(s)) => {
                        for part in s.split("${").skip(1) {
                            let name = part.split(['}', '.']).next().unwrap_or_default();
                            out.insert(name.to_string());
                        }
                    }
                    _ => walk(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}
