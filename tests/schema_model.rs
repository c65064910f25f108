//! The JSON Schema and the serde model must describe the same spec.

mod common;

use std::collections::BTreeMap;

use impala_lbgen::spec::model::*;
use impala_lbgen::spec::schema;
use serde_json::Value;

/// A spec with every field of the model set. A struct literal names every field, so a field
/// added to the model without being added here does not compile; one added here but not to the
/// schema fails `the_schema_knows_every_model_field`.
fn full_spec() -> Spec {
    let d = Duration::from_secs;
    Spec {
        cluster: "c1".into(),
        services: Some(BTreeMap::from([
            (
                ServiceKind::Beeswax,
                ServiceSpec {
                    port: 21000,
                    backend_port: Some(21000),
                },
            ),
            (
                ServiceKind::Hs2,
                ServiceSpec {
                    port: 21050,
                    backend_port: Some(21050),
                },
            ),
            (
                ServiceKind::Hs2Http,
                ServiceSpec {
                    port: 28000,
                    backend_port: Some(28000),
                },
            ),
        ])),
        daemons: vec![DaemonSpec {
            host: Some("a.example.com".into()),
            instance_id: Some("i-0a1b2c3d".into()),
            backup: Some(false),
        }],
        health_check: Some(HealthCheckSpec {
            service: Some(ServiceKind::Hs2),
            http: Some(HttpCheckSpec {
                port: 25000,
                path: Some("/healthz".into()),
            }),
            interval: Some(d(30)),
            timeout: Some(d(5)),
            healthy_threshold: Some(5),
            unhealthy_threshold: Some(2),
            unhealthy_connection_termination: Some(false),
        }),
        idle_timeout: Some(d(3600)),
        drain_timeout: Some(d(300)),
        tls: Some(TlsSpec {
            mode: TlsMode::Bridge,
            domain: Some("impala.example.com".into()),
            subject_alternative_names: Some(vec!["b.example.com".into()]),
            hosted_zone_id: Some("Z123".into()),
            certificate_arn: Some("arn:aws:acm:us-west-2:123456789012:certificate/x".into()),
            policy: Some("ELBSecurityPolicy-TLS-1-2-2017-01".into()),
        }),
        kerberos: Some(KerberosSpec {
            realm: "EXAMPLE.COM".into(),
            keytab: Some("/etc/impala/proxy.keytab".into()),
        }),
        aws: Some(AwsSpec {
            region: "us-west-2".into(),
            vpc_id: "vpc-0a1b2c3d".into(),
            subnet_ids: vec!["subnet-0a1b2c3d".into()],
            load_balancer: Some(LoadBalancerKind::Network),
            name: Some("lb".into()),
            scheme: Some(Scheme::InternetFacing),
            ip_address_type: Some(IpAddressType::Dualstack),
            client_cidrs: vec!["10.0.0.0/8".into()],
            access_logs: Some(AccessLogsSpec {
                bucket: "logs".into(),
                prefix: Some("p".into()),
                interval: Some(d(300)),
                create_bucket: Some(true),
                retention_days: Some(90),
            }),
            tags: Some(BTreeMap::from([("env".into(), "prod".into())])),
            alarms: Some(AlarmsSpec {
                unhealthy_for: Some(d(300)),
                min_healthy: Some(1),
                sns_topic_arn: Some("arn:aws:sns:us-west-2:123456789012:oncall".into()),
            }),
        }),
        haproxy: Some(HaproxySpec {
            bind: Some("*".into()),
            ports: Some(BTreeMap::from([
                (ServiceKind::Beeswax, 25003),
                (ServiceKind::Hs2, 21051),
                (ServiceKind::Hs2Http, 28001),
            ])),
            balance: Some(BTreeMap::from([
                (ServiceKind::Beeswax, Balance::Leastconn),
                (ServiceKind::Hs2, Balance::Source),
                (ServiceKind::Hs2Http, Balance::Roundrobin),
            ])),
            stats: Some(StatsSpec {
                bind: Some("127.0.0.1:25002".into()),
                user: Some("admin".into()),
                password_env: Some("PW".into()),
            }),
            public_name: Some("lb.example.com".into()),
            maxconn: Some(4096),
            certificate: Some("/etc/haproxy/c1.pem".into()),
            ca_file: Some("/etc/ssl/ca.pem".into()),
            nameservers: Some(vec!["10.0.0.2".into()]),
            ha: Some(HaSpec {
                virtual_ip: "10.0.0.10/24".into(),
                interface: "eth0".into(),
                virtual_router_id: 51,
                nodes: vec![HaNodeSpec {
                    host: "lb-1.example.com".into(),
                    address: Some("10.0.0.11".into()),
                    priority: 150,
                }],
            }),
        }),
    }
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&serde_json::from_str(schema::SCHEMA_TEXT).unwrap()).unwrap()
}

#[test]
fn the_schema_knows_every_model_field() {
    let json = serde_json::to_value(full_spec()).unwrap();
    let errors: Vec<String> = validator()
        .iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the model has fields the schema lacks or types it refuses:\n{}",
        errors.join("\n")
    );
    let back: Spec = serde_json::from_value(json).unwrap();
    assert_eq!(back, full_spec());
}

#[test]
fn the_model_knows_every_schema_field() {
    let schema: Value = serde_json::from_str(schema::SCHEMA_TEXT).unwrap();
    let json = serde_json::to_value(full_spec()).unwrap();
    let mut missing = Vec::new();
    walk(&schema, &schema, &json, "", &mut missing);
    assert!(
        missing.is_empty(),
        "schema fields the model does not hold (or the full spec does not set): {missing:?}"
    );
}

fn walk(root: &Value, node: &Value, json: &Value, at: &str, missing: &mut Vec<String>) {
    let node = match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(p) => root.pointer(p).unwrap(),
        None => node,
    };
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (k, sub) in props {
            match json.get(k) {
                Some(v) => walk(root, sub, v, &format!("{at}.{k}"), missing),
                None => missing.push(format!("{at}.{k}")),
            }
        }
    }
    if let (Some(items), Some(first)) = (node.get("items"), json.as_array().and_then(|a| a.first()))
    {
        walk(root, items, first, &format!("{at}[0]"), missing);
    }
}

#[test]
fn every_example_passes_the_schema_and_the_model() {
    let v = validator();
    for (name, path) in common::examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let json = impala_lbgen::spec::yaml::parse(&text).unwrap().to_json();
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        serde_json::from_value::<Spec>(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = text.lines().next().unwrap();
        assert_eq!(
            first, "# yaml-language-server: $schema=../schemas/impala-lb.schema.json",
            "{name}"
        );
    }
}

#[test]
fn the_schema_rejects_unknown_fields_everywhere() {
    let v = validator();
    let base = serde_json::to_value(full_spec()).unwrap();
    for pointer in [
        "",
        "/services/hs2",
        "/daemons/0",
        "/health_check",
        "/health_check/http",
        "/tls",
        "/kerberos",
        "/aws",
        "/aws/access_logs",
        "/aws/alarms",
        "/haproxy",
        "/haproxy/ha",
        "/haproxy/ha/nodes/0",
        "/haproxy/stats",
        "/haproxy/ports",
        "/haproxy/balance",
        "/services",
    ] {
        let mut json = base.clone();
        json.pointer_mut(pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("surprise".into(), Value::from(1));
        assert!(!v.is_valid(&json), "an unknown field at {pointer:?} passed");
    }
}
