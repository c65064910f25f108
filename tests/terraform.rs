//! The terraform target, through the real binary and the library: snapshots, a parse of every
//! output with hcl-rs (an HCL parser independent of ours) checked against the spec, adversarial
//! values, the command line, and the external checks (HashiCorp's parser with the AWS provider
//! schema, terraform fmt, checkov), which are `#[ignore]`d here and run by `scripts/test`.
//!
//! Every test covers every example with an `aws` section and every fixture in
//! `tests/fixtures/terraform/`, so examples added later are covered without a change here.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use hcl::{Block, Body, Expression, ObjectKey};
use impala_lbgen::diagnostics::Source;
use impala_lbgen::plan::{Certificate, Check, CidrBlock, Plan, Principal, Tag, ACCOUNT_ID};
use impala_lbgen::spec;
use impala_lbgen::spec::model::LoadBalancerKind;
use impala_lbgen::targets::terraform;
use impala_lbgen::validate::Scope;

use common::{TempDir, Test};

// ---------------------------------------------------------------------------------------------
// The specs under test.

/// A spec the target renders: `example-<name>` or `fixture-<name>`.
struct Case {
    name: String,
    path: PathBuf,
}

fn load(path: &Path, scope: Option<Scope>) -> spec::Loaded {
    let text = fs::read_to_string(path).unwrap();
    let source = Source {
        name: path.display().to_string(),
        text,
    };
    spec::load(source, scope).unwrap_or_else(|r| panic!("{}", r.render()))
}

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/terraform").join(name)
}

/// Every example with an `aws` section, then every fixture.
fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = common::examples()
        .into_iter()
        .filter(|(_, path)| load(path, None).spec.aws.is_some())
        .map(|(name, path)| Case {
            name: format!("example-{name}"),
            path,
        })
        .collect();
    let mut fixtures: Vec<PathBuf> = fs::read_dir(common::repo().join("tests/fixtures/terraform"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 5, "the terraform fixtures are missing");
    out.extend(fixtures.into_iter().map(|path| Case {
        name: format!("fixture-{}", path.file_stem().unwrap().to_string_lossy()),
        path,
    }));
    out
}

fn plan_of(path: &Path) -> Plan {
    Plan::new(&load(path, Some(Scope::aws_target("terraform"))).spec)
}

/// `impala-lbgen -c PATH terraform`, through the real binary.
fn generate(path: &Path) -> String {
    Test::new()
        .args(["-c", path.to_str().unwrap(), "terraform"])
        .run()
        .ok()
        .stdout
}

fn parse(name: &str, text: &str) -> Body {
    hcl::parse(text).unwrap_or_else(|e| panic!("{name}: hcl-rs cannot parse the output: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Reading a parsed module.

fn labels(b: &Block) -> Vec<&str> {
    b.labels().iter().map(|l| l.as_str()).collect()
}

fn blocks<'a>(body: &'a Body, ident: &str) -> Vec<&'a Block> {
    body.blocks().filter(|b| b.identifier() == ident).collect()
}

/// The `resource` (or `data`) blocks of one type.
fn of_type<'a>(body: &'a Body, section: &str, kind: &str) -> Vec<&'a Block> {
    blocks(body, section)
        .into_iter()
        .filter(|b| labels(b)[0] == kind)
        .collect()
}

fn resources<'a>(body: &'a Body, kind: &str) -> Vec<&'a Block> {
    of_type(body, "resource", kind)
}

#[track_caller]
fn one<'a>(list: Vec<&'a Block>, what: &str) -> &'a Block {
    assert_eq!(list.len(), 1, "expected one {what}");
    list[0]
}

fn label(b: &Block) -> &str {
    labels(b)[1]
}

fn get<'a>(b: &'a Block, key: &str) -> Option<&'a Expression> {
    b.body()
        .attributes()
        .find(|a| a.key() == key)
        .map(|a| a.expr())
}

#[track_caller]
fn attr<'a>(b: &'a Block, key: &str) -> &'a Expression {
    get(b, key).unwrap_or_else(|| panic!("{:?} has no {key}", labels(b)))
}

#[track_caller]
fn text(e: &Expression) -> &str {
    match e {
        Expression::String(s) => s,
        other => panic!("expected a string, found {other:?}"),
    }
}

#[track_caller]
fn string<'a>(b: &'a Block, key: &str) -> &'a str {
    text(attr(b, key))
}

#[track_caller]
fn num(b: &Block, key: &str) -> i64 {
    match attr(b, key) {
        Expression::Number(n) => n.as_i64().unwrap(),
        other => panic!("{key}: expected a number, found {other:?}"),
    }
}

#[track_caller]
fn boolean(b: &Block, key: &str) -> bool {
    match attr(b, key) {
        Expression::Bool(v) => *v,
        other => panic!("{key}: expected a boolean, found {other:?}"),
    }
}

/// An expression as HCL text (references, for-expressions, templates).
fn expr(e: &Expression) -> String {
    hcl::format::to_string(e).unwrap()
}

#[track_caller]
fn reference(b: &Block, key: &str) -> String {
    expr(attr(b, key))
}

#[track_caller]
fn list(b: &Block, key: &str) -> Vec<String> {
    match attr(b, key) {
        Expression::Array(items) => items
            .iter()
            .map(|e| match e {
                Expression::String(s) => s.clone(),
                other => expr(other),
            })
            .collect(),
        other => panic!("{key}: expected a list, found {other:?}"),
    }
}

/// An object of strings, keyed by quoted strings or identifiers.
#[track_caller]
fn object(e: &Expression) -> BTreeMap<String, String> {
    let Expression::Object(o) = e else {
        panic!("expected an object, found {e:?}")
    };
    o.iter()
        .map(|(k, v)| {
            let key = match k {
                ObjectKey::Identifier(i) => i.to_string(),
                ObjectKey::Expression(Expression::String(s)) => s.clone(),
                other => panic!("unexpected key {other:?}"),
            };
            let value = match v {
                Expression::String(s) => s.clone(),
                other => expr(other),
            };
            (key, value)
        })
        .collect()
}

fn nested<'a>(b: &'a Block, ident: &str) -> Vec<&'a Block> {
    blocks(b.body(), ident)
}

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What every module must hold: the plan (every resolved value of the spec), checked field by
// field against the parsed output.

fn check_module(name: &str, plan: &Plan, body: &Body) {
    let aws = plan.aws.as_ref().unwrap();
    let classic = aws.kind == LoadBalancerKind::Classic;

    // terraform { } and the provider.
    let tf = one(blocks(body, "terraform"), "terraform block");
    assert_eq!(string(tf, "required_version"), ">= 1.5", "{name}");
    let providers = one(nested(tf, "required_providers"), "required_providers");
    let aws_provider = object(attr(providers, "aws"));
    assert_eq!(aws_provider["source"], "hashicorp/aws");
    assert_eq!(aws_provider["version"], ">= 5.73");
    let provider = one(blocks(body, "provider"), "provider");
    assert_eq!(labels(provider), ["aws"]);
    assert_eq!(string(provider, "region"), aws.region);
    let default_tags = nested(provider, "default_tags");
    if aws.tags.is_empty() {
        assert!(default_tags.is_empty(), "{name}: default_tags without tags");
    } else {
        let tags = object(attr(one(default_tags, "default_tags"), "tags"));
        assert_eq!(tags, tag_map(&aws.tags), "{name}: default_tags");
    }

    // Security groups, never with inline rules; every group and rule described.
    let groups = resources(body, "aws_security_group");
    assert_eq!(groups.len(), 2, "{name}");
    let group = |g: &impala_lbgen::plan::Group| -> String {
        let b = groups
            .iter()
            .find(|b| string(b, "name") == g.name)
            .unwrap_or_else(|| panic!("{name}: no group {}", g.name));
        assert_eq!(string(b, "description"), g.description);
        assert_eq!(string(b, "vpc_id"), aws.vpc_id);
        assert_eq!(object(attr(b, "tags"))["Name"], g.name);
        assert!(nested(b, "ingress").is_empty() && nested(b, "egress").is_empty());
        // Replaced (another cluster name or VPC) by creating the new group first.
        let lifecycle = one(nested(b, "lifecycle"), "lifecycle");
        assert!(boolean(lifecycle, "create_before_destroy"), "{name}");
        format!("aws_security_group.{}.id", label(b))
    };
    let fe = group(&aws.frontend_group);
    let be = group(&aws.backend_group);
    let ingress = resources(body, "aws_vpc_security_group_ingress_rule");
    let egress = resources(body, "aws_vpc_security_group_egress_rule");
    assert_eq!(
        ingress.len(),
        aws.frontend_ingress.len() + aws.backend_ingress.len(),
        "{name}: ingress rules"
    );
    assert_eq!(
        egress.len(),
        aws.frontend_egress.len(),
        "{name}: egress rules"
    );
    let check_rules =
        |rules: &[impala_lbgen::plan::Rule], found: &[&Block], group: &str, other: &str| {
            for rule in rules {
                let b = found
                    .iter()
                    .find(|b| string(b, "description") == rule.description)
                    .unwrap_or_else(|| panic!("{name}: no rule {:?}", rule.description));
                assert_eq!(reference(b, "security_group_id"), group);
                assert_eq!(string(b, "ip_protocol"), "tcp");
                assert_eq!(num(b, "from_port"), i64::from(rule.port));
                assert_eq!(num(b, "to_port"), i64::from(rule.port));
                match &rule.cidr {
                    Some(CidrBlock { block, ipv6: false }) => {
                        assert_eq!(string(b, "cidr_ipv4"), block);
                    }
                    Some(CidrBlock { block, ipv6: true }) => {
                        assert_eq!(string(b, "cidr_ipv6"), block);
                    }
                    None => assert_eq!(reference(b, "referenced_security_group_id"), other),
                }
            }
        };
    check_rules(&aws.frontend_ingress, &ingress, &fe, "");
    check_rules(&aws.backend_ingress, &ingress, &be, &fe);
    check_rules(&aws.frontend_egress, &egress, &fe, &be);
    for rule in ingress.iter().chain(&egress) {
        assert!(!string(rule, "description").is_empty());
    }

    // The back-end group on each impalad's primary network interface.
    let instance_ids: Vec<&str> = plan
        .daemons
        .iter()
        .map(|d| d.instance_id.as_deref().unwrap())
        .collect();
    let instances = of_type(body, "data", "aws_instance");
    assert_eq!(instances.len(), plan.daemons.len(), "{name}");
    let attachments = resources(body, "aws_network_interface_sg_attachment");
    assert_eq!(attachments.len(), plan.daemons.len(), "{name}");
    for (daemon, id) in instances.iter().zip(&instance_ids) {
        assert_eq!(string(daemon, "instance_id"), *id);
        let eni = format!("data.aws_instance.{}.network_interface_id", label(daemon));
        let a = attachments
            .iter()
            .find(|a| reference(a, "network_interface_id") == eni)
            .unwrap_or_else(|| panic!("{name}: {eni} gets no group"));
        assert_eq!(reference(a, "security_group_id"), be);
    }

    // The certificate.
    let tls = plan.tls.as_ref();
    let certs = resources(body, "aws_acm_certificate");
    let validations = resources(body, "aws_acm_certificate_validation");
    let records = resources(body, "aws_route53_record");
    let zone = tls.and_then(|t| t.hosted_zone_id.as_deref());
    let certificate = match tls.map(|t| &t.certificate) {
        Some(Certificate::Request {
            domain,
            subject_alternative_names,
        }) => {
            let cert = one(certs, "aws_acm_certificate");
            assert_eq!(string(cert, "domain_name"), domain);
            assert_eq!(string(cert, "validation_method"), "DNS");
            if subject_alternative_names.is_empty() {
                assert!(get(cert, "subject_alternative_names").is_none());
            } else {
                assert_eq!(
                    &list(cert, "subject_alternative_names"),
                    subject_alternative_names
                );
            }
            assert_eq!(object(attr(cert, "tags"))["Name"], aws.name);
            let lifecycle = one(nested(cert, "lifecycle"), "lifecycle");
            assert!(boolean(lifecycle, "create_before_destroy"));
            let validation = one(validations, "aws_acm_certificate_validation");
            assert_eq!(
                reference(validation, "certificate_arn"),
                format!("aws_acm_certificate.{}.arn", label(cert))
            );
            let dvo = records
                .iter()
                .find(|r| get(r, "for_each").is_some())
                .copied();
            match zone {
                Some(zone) => {
                    let dvo = dvo.unwrap_or_else(|| panic!("{name}: no validation records"));
                    assert_eq!(string(dvo, "zone_id"), zone);
                    let for_each = reference(dvo, "for_each");
                    assert!(for_each.contains(&format!(
                        "aws_acm_certificate.{}.domain_validation_options",
                        label(cert)
                    )));
                    assert!(reference(validation, "validation_record_fqdns")
                        .contains(&format!("aws_route53_record.{}", label(dvo))));
                }
                None => {
                    assert!(dvo.is_none());
                    assert!(get(validation, "validation_record_fqdns").is_none());
                }
            }
            Some(format!(
                "aws_acm_certificate_validation.{}.certificate_arn",
                label(validation)
            ))
        }
        Some(Certificate::Existing { arn }) => {
            assert!(certs.is_empty() && validations.is_empty(), "{name}");
            Some(format!("{arn:?}"))
        }
        Some(Certificate::None) | None => {
            assert!(certs.is_empty() && validations.is_empty(), "{name}");
            None
        }
    };
    let cert_expr = |b: &Block, key: &str| match attr(b, key) {
        Expression::String(s) => format!("{s:?}"),
        other => expr(other),
    };

    // The balancer.
    let lb = if classic { "aws_elb" } else { "aws_lb" };
    let balancer = one(resources(body, lb), lb);
    let lb_ref = format!("{lb}.{}", label(balancer));
    assert_eq!(string(balancer, "name"), aws.name);
    assert_eq!(boolean(balancer, "internal"), aws.internal);
    assert_eq!(list(balancer, "subnets"), aws.subnet_ids);
    assert_eq!(list(balancer, "security_groups"), [fe.as_str()]);
    assert_eq!(object(attr(balancer, "tags"))["Name"], aws.name);
    let hc = &plan.health_check;
    let tls_listeners: Vec<_> = aws.listeners.iter().filter(|l| l.frontend_tls).collect();
    if classic {
        assert!(resources(body, "aws_lb").is_empty());
        assert!(
            resources(body, "aws_elb_attachment").is_empty(),
            "never both"
        );
        assert_eq!(list(balancer, "instances"), instance_ids);
        assert!(boolean(balancer, "cross_zone_load_balancing"));
        assert_eq!(num(balancer, "idle_timeout"), plan.idle_timeout as i64);
        assert!(boolean(balancer, "connection_draining"));
        assert_eq!(
            num(balancer, "connection_draining_timeout"),
            plan.drain.timeout as i64
        );
        let listeners = nested(balancer, "listener");
        assert_eq!(listeners.len(), aws.listeners.len(), "{name}");
        for (l, b) in aws.listeners.iter().zip(&listeners) {
            let (p, ip) = l.classic_protocols();
            assert_eq!(num(b, "lb_port"), i64::from(l.port));
            assert_eq!(string(b, "lb_protocol"), p.to_ascii_lowercase());
            assert_eq!(num(b, "instance_port"), i64::from(l.backend_port));
            assert_eq!(string(b, "instance_protocol"), ip.to_ascii_lowercase());
            if l.frontend_tls {
                assert_eq!(
                    Some(cert_expr(b, "ssl_certificate_id")),
                    certificate,
                    "{name}"
                );
            } else {
                assert!(get(b, "ssl_certificate_id").is_none());
            }
        }
        let check = one(nested(balancer, "health_check"), "health_check");
        let target = match &hc.check {
            Check::Tcp { .. } => format!("TCP:{}", hc.port),
            Check::Http { path } => format!("HTTP:{}{path}", hc.port),
        };
        assert_eq!(string(check, "target"), target);
        assert_eq!(num(check, "interval"), hc.interval as i64);
        assert_eq!(num(check, "timeout"), hc.timeout as i64);
        assert_eq!(
            num(check, "healthy_threshold"),
            i64::from(hc.healthy_threshold)
        );
        assert_eq!(
            num(check, "unhealthy_threshold"),
            i64::from(hc.unhealthy_threshold)
        );
        let logs = nested(balancer, "access_logs");
        match &aws.access_logs {
            Some(al) => {
                let logs = one(logs, "access_logs");
                assert_eq!(string(logs, "bucket"), al.bucket);
                assert_eq!(get(logs, "bucket_prefix").map(text), al.prefix.as_deref());
                assert_eq!(num(logs, "interval"), al.interval_minutes as i64);
                assert!(boolean(logs, "enabled"));
            }
            None => assert!(logs.is_empty()),
        }
        let policies = resources(body, "aws_load_balancer_policy");
        let listener_policies = resources(body, "aws_load_balancer_listener_policy");
        if tls_listeners.is_empty() {
            assert!(
                policies.is_empty() && listener_policies.is_empty(),
                "{name}"
            );
        } else {
            let policy = one(policies, "aws_load_balancer_policy");
            assert_eq!(
                reference(policy, "load_balancer_name"),
                format!("{lb_ref}.name")
            );
            assert_eq!(
                string(policy, "policy_type_name"),
                "SSLNegotiationPolicyType"
            );
            let a = one(nested(policy, "policy_attribute"), "policy_attribute");
            assert_eq!(string(a, "name"), "Reference-Security-Policy");
            assert_eq!(Some(string(a, "value")), aws.tls_policy.as_deref());
            let ports: BTreeSet<i64> = listener_policies
                .iter()
                .map(|p| num(p, "load_balancer_port"))
                .collect();
            let want: BTreeSet<i64> = tls_listeners.iter().map(|l| i64::from(l.port)).collect();
            assert_eq!(ports, want, "{name}: a listener policy per SSL port");
            assert_eq!(listener_policies.len(), tls_listeners.len());
            for p in &listener_policies {
                assert_eq!(
                    list(p, "policy_names"),
                    [format!(
                        "aws_load_balancer_policy.{}.policy_name",
                        label(policy)
                    )]
                );
                // AWS replaces a listener whose certificate, protocols or instance port
                // change; the triggers set the policy on the new one in the same apply.
                let l = tls_listeners
                    .iter()
                    .find(|l| i64::from(l.port) == num(p, "load_balancer_port"))
                    .unwrap();
                let (lb_protocol, instance_protocol) = l.classic_protocols();
                let triggers = object(attr(p, "triggers"));
                let want = BTreeMap::from([
                    (
                        "certificate".to_string(),
                        certificate
                            .as_deref()
                            .unwrap()
                            .trim_matches('"')
                            .to_string(),
                    ),
                    ("protocol".into(), lb_protocol.to_ascii_lowercase()),
                    (
                        "instance_protocol".into(),
                        instance_protocol.to_ascii_lowercase(),
                    ),
                    ("instance_port".into(), l.backend_port.to_string()),
                ]);
                assert_eq!(triggers, want, "{name}");
            }
        }
    } else {
        assert!(resources(body, "aws_elb").is_empty());
        assert_eq!(string(balancer, "load_balancer_type"), "network");
        assert_eq!(
            string(balancer, "ip_address_type"),
            aws.ip_address_type.key()
        );
        assert!(boolean(balancer, "enable_cross_zone_load_balancing"));
        assert!(boolean(balancer, "enable_deletion_protection"));
        let logs = nested(balancer, "access_logs");
        match &aws.access_logs {
            Some(al) => {
                let logs = one(logs, "access_logs");
                assert_eq!(string(logs, "bucket"), al.bucket);
                assert_eq!(get(logs, "prefix").map(text), al.prefix.as_deref());
                assert!(boolean(logs, "enabled"));
            }
            None => assert!(logs.is_empty()),
        }
        let groups = resources(body, "aws_lb_target_group");
        let attachments = resources(body, "aws_lb_target_group_attachment");
        let listeners = resources(body, "aws_lb_listener");
        assert_eq!(groups.len(), aws.listeners.len(), "{name}");
        assert_eq!(listeners.len(), aws.listeners.len(), "{name}");
        assert_eq!(
            attachments.len(),
            aws.listeners.len() * plan.daemons.len(),
            "{name}: an attachment per daemon and service"
        );
        for l in &aws.listeners {
            let (protocol, backend) = l.nlb_protocols();
            let tg = groups
                .iter()
                .find(|g| string(g, "name") == l.target_group_name)
                .unwrap_or_else(|| panic!("{name}: no target group {}", l.target_group_name));
            let tg_arn = format!("aws_lb_target_group.{}.arn", label(tg));
            assert_eq!(num(tg, "port"), i64::from(l.backend_port));
            assert_eq!(string(tg, "protocol"), backend);
            assert_eq!(string(tg, "target_type"), "instance");
            assert_eq!(object(attr(tg, "tags"))["Name"], l.target_group_name);
            // Its name follows impalad's protocol and port, so a new group is created
            // under a new name before the old one is destroyed.
            let lifecycle = one(nested(tg, "lifecycle"), "lifecycle");
            assert!(boolean(lifecycle, "create_before_destroy"), "{name}");
            assert_eq!(string(tg, "vpc_id"), aws.vpc_id);
            let settings = &aws.target_group;
            assert_eq!(
                string(tg, "deregistration_delay"),
                plan.drain.timeout.to_string()
            );
            assert_eq!(settings.deregistration_delay, plan.drain.timeout);
            assert!(!boolean(tg, "connection_termination"));
            assert_eq!(string(tg, "preserve_client_ip"), "true");
            assert_eq!(string(tg, "load_balancing_cross_zone_enabled"), "true");
            let state = one(nested(tg, "target_health_state"), "target_health_state");
            assert_eq!(
                boolean(state, "enable_unhealthy_connection_termination"),
                hc.unhealthy_connection_termination
            );
            if hc.unhealthy_connection_termination {
                assert!(get(state, "unhealthy_draining_interval").is_none());
            } else {
                assert_eq!(
                    num(state, "unhealthy_draining_interval"),
                    plan.drain.timeout as i64
                );
            }
            let check = one(nested(tg, "health_check"), "health_check");
            assert!(boolean(check, "enabled"));
            assert_eq!(string(check, "port"), hc.port.to_string());
            match &hc.check {
                Check::Tcp { .. } => {
                    assert_eq!(string(check, "protocol"), "TCP");
                    assert!(get(check, "path").is_none());
                }
                Check::Http { path } => {
                    assert_eq!(string(check, "protocol"), "HTTP");
                    assert_eq!(string(check, "path"), path);
                    assert_eq!(string(check, "matcher"), "200");
                }
            }
            assert_eq!(num(check, "interval"), hc.interval as i64);
            assert_eq!(num(check, "timeout"), hc.timeout as i64);
            assert_eq!(
                num(check, "healthy_threshold"),
                i64::from(hc.healthy_threshold)
            );
            assert_eq!(
                num(check, "unhealthy_threshold"),
                i64::from(hc.unhealthy_threshold)
            );
            let sticky = nested(tg, "stickiness");
            if l.sticky {
                let s = one(sticky, "stickiness");
                assert_eq!(string(s, "type"), "source_ip");
                assert!(boolean(s, "enabled"));
            } else {
                assert!(sticky.is_empty(), "{name}: {} is not sticky", l.key);
            }
            let mine: Vec<&&Block> = attachments
                .iter()
                .filter(|a| reference(a, "target_group_arn") == tg_arn)
                .collect();
            let targets: Vec<&str> = mine.iter().map(|a| string(a, "target_id")).collect();
            assert_eq!(targets, instance_ids, "{name}: {} targets", l.key);
            for a in mine {
                assert_eq!(num(a, "port"), i64::from(l.backend_port));
            }
            let listener = listeners
                .iter()
                .find(|b| num(b, "port") == i64::from(l.port))
                .unwrap_or_else(|| panic!("{name}: no listener on {}", l.port));
            assert_eq!(
                reference(listener, "load_balancer_arn"),
                format!("{lb_ref}.arn")
            );
            assert_eq!(string(listener, "protocol"), protocol);
            if l.frontend_tls {
                assert_eq!(Some(cert_expr(listener, "certificate_arn")), certificate);
                assert_eq!(
                    Some(string(listener, "ssl_policy")),
                    aws.tls_policy.as_deref()
                );
                assert!(get(listener, "tcp_idle_timeout_seconds").is_none());
            } else {
                assert_eq!(
                    num(listener, "tcp_idle_timeout_seconds"),
                    plan.idle_timeout as i64
                );
                assert!(get(listener, "certificate_arn").is_none());
                assert!(get(listener, "ssl_policy").is_none());
            }
            let action = one(nested(listener, "default_action"), "default_action");
            assert_eq!(string(action, "type"), "forward");
            assert_eq!(reference(action, "target_group_arn"), tg_arn);
        }
    }

    // The alias records for the name clients use (A, and AAAA for a dualstack NLB).
    let aliases: Vec<&&Block> = records
        .iter()
        .filter(|r| !nested(r, "alias").is_empty())
        .collect();
    match &aws.alias {
        Some(alias) => {
            let types: Vec<&str> = aliases.iter().map(|r| string(r, "type")).collect();
            assert_eq!(types, alias.record_types, "{name}");
            for r in aliases {
                assert_eq!(string(r, "name"), alias.name);
                assert_eq!(Some(string(r, "zone_id")), zone);
                let a = one(nested(r, "alias"), "alias");
                assert_eq!(reference(a, "name"), format!("{lb_ref}.dns_name"));
                assert_eq!(reference(a, "zone_id"), format!("{lb_ref}.zone_id"));
                assert!(!boolean(a, "evaluate_target_health"));
            }
        }
        None => assert!(aliases.is_empty(), "{name}: an alias record without a zone"),
    }

    check_logs_bucket(name, plan, body, balancer);
    check_alarms(name, plan, body, &lb_ref);

    // Outputs.
    let outputs: BTreeMap<&str, &Block> = blocks(body, "output")
        .into_iter()
        .map(|b| (labels(b)[0], b))
        .collect();
    for o in outputs.values() {
        assert!(!string(o, "description").is_empty());
    }
    assert_eq!(
        reference(outputs["dns_name"], "value"),
        format!("{lb_ref}.dns_name")
    );
    assert_eq!(
        reference(outputs["zone_id"], "value"),
        format!("{lb_ref}.zone_id")
    );
    assert_eq!(
        reference(outputs["frontend_security_group_id"], "value"),
        fe
    );
    assert_eq!(reference(outputs["backend_security_group_id"], "value"), be);
    let endpoint = |port: u16| match plan.client_host() {
        Some(host) => format!("{host}:{port}"),
        None => format!("\"${{{lb_ref}.dns_name}}:{port}\""),
    };
    let endpoints = object(attr(outputs["client_endpoints"], "value"));
    let want: BTreeMap<String, String> = aws
        .listeners
        .iter()
        .map(|l| (l.key.to_string(), endpoint(l.port)))
        .collect();
    assert_eq!(endpoints, want, "{name}: client endpoints");
    let cm = plan.cloudera_manager_service().unwrap();
    let value = match attr(outputs["cloudera_manager_load_balancer"], "value") {
        Expression::String(s) => s.clone(),
        other => expr(other),
    };
    assert_eq!(value, endpoint(cm.port));
    let requested = matches!(
        tls.map(|t| &t.certificate),
        Some(Certificate::Request { .. })
    );
    assert_eq!(outputs.contains_key("certificate_arn"), requested, "{name}");
    let requested_without_zone = requested && zone.is_none();
    assert_eq!(
        outputs.contains_key("certificate_validation_records"),
        requested_without_zone,
        "{name}"
    );
}

/// The created access-log bucket: its settings, and the policy document the plan asks for
/// with the caller's account interpolated; the balancer waits for the policy.
fn check_logs_bucket(name: &str, plan: &Plan, body: &Body, balancer: &Block) {
    let aws = plan.aws.as_ref().unwrap();
    let logs = aws.access_logs.as_ref().filter(|l| l.create_bucket);
    let buckets = resources(body, "aws_s3_bucket");
    let Some(logs) = logs else {
        assert!(
            buckets.is_empty(),
            "{name}: no bucket without create_bucket"
        );
        assert!(get(balancer, "depends_on").is_none());
        return;
    };
    let bucket = one(buckets, "aws_s3_bucket");
    let id = label(bucket).to_string();
    assert_eq!(string(bucket, "bucket"), logs.bucket);
    let by = |kind: &str| {
        let r = one(resources(body, kind), kind);
        assert_eq!(label(r), id, "{name}: {kind} labelled as the bucket");
        assert_eq!(reference(r, "bucket"), format!("aws_s3_bucket.{id}.id"));
        r
    };
    let ownership = by("aws_s3_bucket_ownership_controls");
    assert_eq!(
        string(one(nested(ownership, "rule"), "rule"), "object_ownership"),
        "BucketOwnerEnforced"
    );
    let public = by("aws_s3_bucket_public_access_block");
    for k in [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ] {
        assert!(boolean(public, k), "{name}: {k}");
    }
    let sse = by("aws_s3_bucket_server_side_encryption_configuration");
    let rule = one(nested(sse, "rule"), "rule");
    let default = one(
        nested(rule, "apply_server_side_encryption_by_default"),
        "default",
    );
    assert_eq!(string(default, "sse_algorithm"), "AES256");
    let lifecycle = resources(body, "aws_s3_bucket_lifecycle_configuration");
    match logs.retention_days {
        Some(days) => {
            let l = by("aws_s3_bucket_lifecycle_configuration");
            let rule = one(nested(l, "rule"), "rule");
            assert_eq!(string(rule, "status"), "Enabled");
            let exp = one(nested(rule, "expiration"), "expiration");
            assert_eq!(num(exp, "days"), i64::from(days));
        }
        None => assert!(
            lifecycle.is_empty(),
            "{name}: no lifecycle without retention"
        ),
    }
    let caller = one(
        of_type(body, "data", "aws_caller_identity"),
        "caller identity",
    );
    let account = format!("${{data.aws_caller_identity.{}.account_id}}", label(caller));
    let hcl = |s: &String| {
        if s.contains(ACCOUNT_ID) {
            format!("\"{}\"", s.replace(ACCOUNT_ID, &account))
        } else {
            s.clone()
        }
    };
    let document = one(
        of_type(body, "data", "aws_iam_policy_document"),
        "policy document",
    );
    assert_eq!(label(document), id);
    let statements = nested(document, "statement");
    assert_eq!(statements.len(), logs.policy.len(), "{name}");
    for (st, want) in statements.iter().zip(&logs.policy) {
        assert_eq!(string(st, "sid"), want.sid);
        assert_eq!(string(st, "effect"), want.effect);
        assert_eq!(list(st, "actions"), want.actions);
        let resources: Vec<String> = want.resources.iter().map(hcl).collect();
        assert_eq!(list(st, "resources"), resources, "{name}: {}", want.sid);
        let p = one(nested(st, "principals"), "principals");
        let (kind, who) = match &want.principal {
            Principal::Aws(arn) => ("AWS", arn.clone()),
            Principal::Service(s) => ("Service", s.to_string()),
            Principal::Anyone => ("*", "*".to_string()),
        };
        assert_eq!(string(p, "type"), kind);
        assert_eq!(list(p, "identifiers"), [who]);
        let conditions = nested(st, "condition");
        assert_eq!(conditions.len(), want.conditions.len());
        for (c, w) in conditions.iter().zip(&want.conditions) {
            assert_eq!(string(c, "test"), w.test);
            assert_eq!(string(c, "variable"), w.variable);
            let values: Vec<String> = w.values.iter().map(hcl).collect();
            assert_eq!(list(c, "values"), values);
        }
    }
    let policy = by("aws_s3_bucket_policy");
    assert_eq!(
        reference(policy, "policy"),
        format!("data.aws_iam_policy_document.{id}.json")
    );
    assert_eq!(
        list(balancer, "depends_on"),
        [format!("aws_s3_bucket_policy.{id}")],
        "{name}: the balancer waits for the bucket policy"
    );
}

/// The alarms of the plan, with the dimensions of the balancer kind.
fn check_alarms(name: &str, plan: &Plan, body: &Body, lb_ref: &str) {
    let aws = plan.aws.as_ref().unwrap();
    let got = resources(body, "aws_cloudwatch_metric_alarm");
    let Some(alarms) = &aws.alarms else {
        assert!(got.is_empty(), "{name}: alarms without aws.alarms");
        return;
    };
    assert_eq!(got.len(), alarms.alarms.len(), "{name}");
    for (r, a) in got.iter().zip(&alarms.alarms) {
        assert_eq!(string(r, "alarm_name"), a.name);
        assert_eq!(string(r, "alarm_description"), a.description);
        assert_eq!(string(r, "namespace"), a.namespace);
        assert_eq!(string(r, "metric_name"), a.metric);
        assert_eq!(string(r, "statistic"), a.statistic);
        assert_eq!(num(r, "period"), a.period as i64);
        assert_eq!(num(r, "evaluation_periods"), a.evaluation_periods as i64);
        assert_eq!(num(r, "threshold"), i64::from(a.threshold));
        assert_eq!(string(r, "comparison_operator"), a.comparison);
        assert_eq!(string(r, "treat_missing_data"), a.treat_missing_data);
        match &alarms.sns_topic_arn {
            Some(arn) => {
                assert_eq!(list(r, "alarm_actions"), std::slice::from_ref(arn));
                assert_eq!(list(r, "ok_actions"), std::slice::from_ref(arn));
            }
            None => {
                assert!(
                    get(r, "alarm_actions").is_none(),
                    "{name}: no topic, no actions"
                );
                assert!(get(r, "ok_actions").is_none());
            }
        }
        let dims = object(attr(r, "dimensions"));
        match a.service {
            None => assert_eq!(
                dims,
                BTreeMap::from([("LoadBalancerName".into(), format!("{lb_ref}.name"))])
            ),
            Some(service) => {
                assert_eq!(dims["LoadBalancer"], format!("{lb_ref}.arn_suffix"));
                let listener = aws.listeners.iter().find(|l| l.service == service).unwrap();
                let tg = dims["TargetGroup"]
                    .strip_prefix("aws_lb_target_group.")
                    .and_then(|t| t.strip_suffix(".arn_suffix"))
                    .unwrap();
                let group = resources(body, "aws_lb_target_group")
                    .into_iter()
                    .find(|g| label(g) == tg)
                    .unwrap();
                assert_eq!(string(group, "name"), listener.target_group_name);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots and parses.

#[test]
fn snapshots_of_every_example_and_fixture() {
    for case in cases() {
        insta::assert_snapshot!(case.name.as_str(), generate(&case.path));
    }
}

#[test]
fn every_output_parses_with_hcl_rs_and_holds_what_the_spec_asks() {
    for case in cases() {
        let body = parse(&case.name, &generate(&case.path));
        check_module(&case.name, &plan_of(&case.path), &body);
    }
}

#[test]
fn cluster1_is_the_walkthrough() {
    let path = common::repo().join("examples/cluster1.yaml");
    let body = parse("cluster1", &generate(&path));
    let provider = one(blocks(&body, "provider"), "provider");
    assert_eq!(string(provider, "region"), "us-west-2");
    let tags = object(attr(
        one(nested(provider, "default_tags"), "default_tags"),
        "tags",
    ));
    assert_eq!(tags, BTreeMap::from([("env".into(), "cluster1".into())]));

    let groups: BTreeMap<&str, &str> = resources(&body, "aws_security_group")
        .into_iter()
        .map(|g| (string(g, "name"), string(g, "description")))
        .collect();
    assert_eq!(
        groups,
        BTreeMap::from([
            ("cluster1 Impala BE", "Impala Back-End Traffic"),
            ("cluster1 Impala FE", "Impala Front-End Traffic"),
        ])
    );
    let client_ports: BTreeSet<i64> = resources(&body, "aws_vpc_security_group_ingress_rule")
        .into_iter()
        .filter(|r| get(r, "cidr_ipv4").is_some_and(|c| text(c) == "10.30.0.0/16"))
        .map(|r| num(r, "from_port"))
        .collect();
    assert_eq!(client_ports, BTreeSet::from([21000, 21050]));

    let elb = one(resources(&body, "aws_elb"), "aws_elb");
    assert_eq!(label(elb), "cluster1");
    assert_eq!(string(elb, "name"), "elb-impala-cluster1");
    assert!(boolean(elb, "internal"));
    assert_eq!(list(elb, "subnets"), ["subnet-0a9b8c7d6e5f4a3b2"]);
    assert_eq!(
        list(elb, "instances"),
        ["i-0a1b2c3d4e5f60035", "i-0a1b2c3d4e5f60004"]
    );
    assert_eq!(num(elb, "idle_timeout"), 3600);
    let listeners: Vec<(i64, &str, i64, &str)> = nested(elb, "listener")
        .into_iter()
        .map(|l| {
            (
                num(l, "lb_port"),
                string(l, "lb_protocol"),
                num(l, "instance_port"),
                string(l, "instance_protocol"),
            )
        })
        .collect();
    assert_eq!(
        listeners,
        [(21000, "ssl", 21000, "tcp"), (21050, "ssl", 21050, "tcp")]
    );
    let hc = one(nested(elb, "health_check"), "health_check");
    assert_eq!(string(hc, "target"), "TCP:21000");
    assert_eq!(
        [
            "interval",
            "timeout",
            "healthy_threshold",
            "unhealthy_threshold"
        ]
        .map(|k| num(hc, k)),
        [30, 5, 5, 2]
    );
    let logs = one(nested(elb, "access_logs"), "access_logs");
    assert_eq!(string(logs, "bucket"), "cluster1-logs");
    assert_eq!(string(logs, "bucket_prefix"), "cluster1-impala");
    assert_eq!(num(logs, "interval"), 60);

    let cert = one(resources(&body, "aws_acm_certificate"), "certificate");
    assert_eq!(string(cert, "domain_name"), "impala.example.com");
    let policy = one(resources(&body, "aws_load_balancer_policy"), "policy");
    let reference_policy = one(nested(policy, "policy_attribute"), "policy_attribute");
    assert_eq!(
        string(reference_policy, "value"),
        "ELBSecurityPolicy-TLS-1-2-2017-01"
    );
    let alias = resources(&body, "aws_route53_record")
        .into_iter()
        .find(|r| get(r, "for_each").is_none())
        .unwrap();
    assert_eq!(string(alias, "zone_id"), "Z0123456789ABCDEFGHIJ");
    assert_eq!(string(alias, "name"), "impala.example.com");

    let cm = blocks(&body, "output")
        .into_iter()
        .find(|o| labels(o) == ["cloudera_manager_load_balancer"])
        .unwrap();
    // HiveServer2's address, which Cloudera Manager hands to Hue.
    assert_eq!(string(cm, "value"), "impala.example.com:21050");
}

/// The addresses in a module's outputs, as `host:port`, with `<lb>` for the balancer's DNS name.
fn output_addresses(body: &Body) -> (BTreeSet<String>, String) {
    let outputs: BTreeMap<&str, &Block> = blocks(body, "output")
        .into_iter()
        .map(|b| (labels(b)[0], b))
        .collect();
    let address = |e: &Expression| match e {
        Expression::String(s) => s.clone(),
        other => {
            let t = expr(other);
            let (_, port) = t.trim_matches('"').rsplit_once(':').unwrap();
            format!("<lb>:{port}")
        }
    };
    let Expression::Object(endpoints) = attr(outputs["client_endpoints"], "value") else {
        panic!("client_endpoints is no object")
    };
    (
        endpoints.values().map(address).collect(),
        address(attr(outputs["cloudera_manager_load_balancer"], "value")),
    )
}

#[test]
fn outputs_agree_with_impala_config() {
    for case in cases() {
        let body = parse(&case.name, &generate(&case.path));
        let (endpoints, cm) = output_addresses(&body);
        let markdown = Test::new()
            .args(["-c", case.path.to_str().unwrap(), "impala-config"])
            .run()
            .ok()
            .stdout;
        let placeholder = |a: &str| match a.split_once(">:") {
            Some((_, port)) if a.starts_with('<') => format!("<lb>:{port}"),
            _ => a.to_string(),
        };
        let table: BTreeSet<String> = markdown
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| l.starts_with("| ") && l.ends_with("` |"))
            .map(|l| placeholder(l.rsplit('`').nth(1).unwrap()))
            .collect();
        assert_eq!(endpoints, table, "{}: client endpoints", case.name);
        let section = markdown.split("## Cloudera Manager").nth(1).unwrap();
        let value = section
            .split("```\n")
            .nth(1)
            .unwrap()
            .lines()
            .next()
            .unwrap();
        assert_eq!(cm, placeholder(value), "{}: Cloudera Manager", case.name);
    }
}

#[test]
fn passthrough_keeps_tcp_listeners_with_the_idle_timeout() {
    let body = parse("passthrough", &generate(&fixture("nlb-passthrough.yaml")));
    let lb = one(resources(&body, "aws_lb"), "aws_lb");
    assert!(!boolean(lb, "internal"), "internet-facing");
    let listeners: Vec<(i64, &str, i64)> = resources(&body, "aws_lb_listener")
        .into_iter()
        .map(|l| {
            (
                num(l, "port"),
                string(l, "protocol"),
                num(l, "tcp_idle_timeout_seconds"),
            )
        })
        .collect();
    assert_eq!(listeners, [(443, "TCP", 3600), (8443, "TCP", 3600)]);
    let ports: Vec<(&str, i64)> = resources(&body, "aws_lb_target_group")
        .into_iter()
        .map(|g| (string(g, "name"), num(g, "port")))
        .collect();
    let hash = format!("{:08x}", impala_lbgen::plan::fnv1a32(b"elb-impala-edge"));
    let hash = &hash[..6];
    assert_eq!(
        ports,
        [
            (&*format!("elb-impala-edge-{hash}-tcp21050"), 21050),
            (&*format!("elb-impala-edge-{hash}-tcp28000"), 28000)
        ]
    );
    assert!(resources(&body, "aws_acm_certificate").is_empty());
}

#[test]
fn odd_cluster_and_daemon_names_make_valid_unique_labels() {
    let body = parse("odd", &generate(&fixture("classic-plain-odd-names.yaml")));
    assert_eq!(
        label(one(resources(&body, "aws_elb"), "aws_elb")),
        "_9prod_eu_west"
    );
    let daemons: Vec<&str> = of_type(&body, "data", "aws_instance")
        .into_iter()
        .map(label)
        .collect();
    assert_eq!(daemons, ["a_b_example_com", "a_b_example_com_2"]);
    let mut all = BTreeSet::new();
    for b in blocks(&body, "resource")
        .into_iter()
        .chain(blocks(&body, "data"))
    {
        let l = labels(b);
        assert!(all.insert((l[0], l[1])), "{l:?} twice");
        let first = l[1].chars().next().unwrap();
        assert!(first.is_ascii_lowercase() || first == '_', "{l:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Adversarial values: built into a plan directly, since the validator refuses most of them.

const NASTY: &[&str] = &[
    "quote \" backslash \\ both \\\"",
    "line\nbreak\r\ttab",
    "${var.secret} and %{ if true }x%{ endif }",
    "$${already} %%{escaped} $$ %% $ { % {",
    "${",
    "%{",
    "trailing $",
    "trailing %",
    "{ } [ ] ( ) = == => # // /* */ <<EOF",
    "ünïcödé ✓ 🚀 टीम",
    "\u{2028}\u{2029}\u{feff}\u{1}\u{7f}\u{85}",
    "",
];

/// `n` adversarial strings, cycling through [`NASTY`], each with a distinct prefix.
fn nasty(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| format!("{i} {}", NASTY[i % NASTY.len()]))
}

/// Every string the plan hands the terraform target, adversarial.
fn adversarial(path: &Path) -> Plan {
    let mut plan = plan_of(path);
    let mut values = nasty(1000);
    let mut next = || values.next().unwrap();
    plan.cluster = format!("9 {}", next());
    for d in &mut plan.daemons {
        d.name = next();
        d.instance_id = Some(next());
    }
    if let Check::Http { path } = &mut plan.health_check.check {
        *path = format!("/{}", next());
    }
    if let Some(tls) = &mut plan.tls {
        if tls.domain.is_some() {
            tls.domain = Some(next());
        }
        if tls.hosted_zone_id.is_some() {
            tls.hosted_zone_id = Some(next());
        }
        match &mut tls.certificate {
            Certificate::Request {
                domain,
                subject_alternative_names,
            } => {
                *domain = next();
                *subject_alternative_names = vec![next(), next()];
            }
            Certificate::Existing { arn } => *arn = next(),
            Certificate::None => {}
        }
    }
    let zone = plan.tls.as_ref().and_then(|t| t.hosted_zone_id.clone());
    let aws = plan.aws.as_mut().unwrap();
    if let Some(alias) = &mut aws.alias {
        alias.name = next();
        alias.hosted_zone_id = zone.unwrap();
    }
    aws.region = next();
    aws.vpc_id = next();
    aws.subnet_ids = vec![next(), next()];
    aws.name = next();
    aws.tags = NASTY
        .iter()
        .map(|v| Tag {
            key: next(),
            value: v.to_string(),
        })
        .collect();
    for g in [&mut aws.frontend_group, &mut aws.backend_group] {
        g.name = next();
        g.description = next();
    }
    for rule in aws
        .frontend_ingress
        .iter_mut()
        .chain(&mut aws.frontend_egress)
        .chain(&mut aws.backend_ingress)
    {
        rule.description = next();
    }
    if let Some(logs) = &mut aws.access_logs {
        logs.bucket = next();
        logs.prefix = Some(next());
    }
    if aws.tls_policy.is_some() {
        aws.tls_policy = Some(next());
    }
    for l in &mut aws.listeners {
        l.target_group_name = next();
    }
    plan
}

/// The adversarial specs: a Classic ELB with a requested certificate and an NLB with an HTTP
/// check, SANs, IPv6 clients, a hosted zone, and an existing certificate ARN.
fn adversarial_plans() -> Vec<(&'static str, Plan)> {
    vec![
        (
            "classic",
            adversarial(&common::repo().join("examples/cluster1.yaml")),
        ),
        ("nlb", adversarial(&fixture("nlb-offload-acm.yaml"))),
        (
            "classic-arn",
            adversarial(&fixture("classic-bridge-arn.yaml")),
        ),
    ]
}

#[test]
fn adversarial_values_survive_a_parse_with_hcl_rs_unchanged() {
    for (name, plan) in adversarial_plans() {
        let module = terraform::render(&plan).unwrap();
        let single = module.single_file();
        let body = parse(name, &single);
        check_module(name, &plan, &body);
        // The module layout holds the same.
        for (file, text) in module.layout() {
            parse(&format!("{name} {file}"), &text);
        }
        // Laying out the output again changes nothing.
        for (_, text) in &module.files {
            assert_eq!(&terraform::layout(text), text, "{name}");
        }
        // Nothing was interpolated: no template expression holds a user's value.
        for n in NASTY.iter().filter(|n| n.starts_with("${")) {
            let escaped = n.replace("${", "$${").replace("%{", "%%{");
            assert!(single.contains(&escaped), "{name}: {n:?}");
        }
    }
}

#[test]
fn the_validator_refuses_what_aws_would_refuse() {
    let example = fs::read_to_string(common::repo().join("examples/cluster1.yaml")).unwrap();
    for (tags, field) in [
        (r#"{team: "a \"quote\""}"#, "aws.tags.team"),
        (r#"{team: "${var.x}"}"#, "aws.tags.team"),
        (r#"{team: "%{ if x }"}"#, "aws.tags.team"),
        (r#"{team: "back\\slash"}"#, "aws.tags.team"),
        (r#"{team: "line\nbreak"}"#, "aws.tags.team"),
        (r#"{"a{b": x}"#, "aws.tags"),
        (r#"{"aws:owner": x}"#, "aws.tags"),
        (r#"{Name: x}"#, "aws.tags.Name"),
    ] {
        let spec = example.replace("tags: {env: cluster1}", &format!("tags: {tags}"));
        assert_ne!(spec, example);
        let run = Test::new()
            .file("impala-lb.yaml", &spec)
            .arg("terraform")
            .run()
            .fails(1);
        assert!(run.stdout.is_empty(), "{tags}: nothing is written");
        assert!(run.stderr.contains(field), "{tags}:\n{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// The command line.

#[test]
fn specs_without_an_aws_section_are_refused() {
    let mut seen = 0;
    for (name, path) in common::examples() {
        if load(&path, None).spec.aws.is_some() {
            continue;
        }
        seen += 1;
        let out = TempDir::new("tf-refused");
        let run = Test::new()
            .args(["-c", path.to_str().unwrap(), "terraform", "--out-dir"])
            .arg(out.join("tf").to_str().unwrap())
            .run()
            .fails(1);
        assert!(
            run.stderr
                .contains("the terraform target needs an `aws` section"),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
        assert!(!out.join("tf").exists(), "{name}: nothing is written");
    }
    assert!(seen > 0, "examples/onprem.yaml has no aws section");
}

#[test]
fn output_is_byte_identical_and_the_layout_holds_the_same() {
    for case in cases() {
        let config = case.path.to_str().unwrap();
        let single = generate(&case.path);
        assert_eq!(
            single,
            generate(&case.path),
            "{}: not deterministic",
            case.name
        );

        for args in [
            ["-c", config, "-o", "x.tf", "terraform"],
            ["-c", config, "terraform", "-o", "x.tf"],
        ] {
            let t = Test::new().args(args);
            assert!(t.run().ok().stdout.is_empty());
            assert_eq!(fs::read_to_string(t.dir.join("x.tf")).unwrap(), single);
        }

        let t = Test::new().args(["-c", config, "terraform", "--out-dir", "a/b/module"]);
        let run = t.run().ok();
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains("wrote "), "{}", run.stderr);
        let dir = t.dir.join("a/b/module");
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["main.tf", "outputs.tf", "versions.tf"],
            "{}",
            case.name
        );
        let read = |f: &str| fs::read_to_string(dir.join(f)).unwrap();
        let body = |f: &str| {
            read(f)
                .strip_prefix(&format!("{}\n", terraform::HEADER))
                .unwrap_or_else(|| panic!("{f} starts with the header"))
                .to_string()
        };
        assert_eq!(
            format!(
                "{}\n{}\n{}\n{}",
                terraform::HEADER,
                body("versions.tf"),
                body("main.tf"),
                body("outputs.tf")
            ),
            single,
            "{}: the single file is the module's files in one",
            case.name
        );
        assert!(body("versions.tf").starts_with("terraform {"));
        assert!(body("main.tf").starts_with("provider \"aws\" {"));
        assert!(body("outputs.tf").starts_with("output \"dns_name\" {"));

        // Again into the same folder: the same files, nothing else.
        t.run().ok();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 3);
    }
}

#[test]
fn generate_writes_the_module_layout_under_terraform() {
    for case in cases() {
        let t = Test::new().args([
            "-c",
            case.path.to_str().unwrap(),
            "generate",
            "--out-dir",
            "g",
        ]);
        t.run().ok();
        let module = terraform::render(&plan_of(&case.path)).unwrap();
        for (name, text) in module.layout() {
            let path = t.dir.join("g/terraform").join(name);
            assert_eq!(
                fs::read_to_string(&path).unwrap(),
                text,
                "{}: {name}",
                case.name
            );
        }
        // and check finds the folder matches the spec.
        let out = t.dir.join("g");
        Test::new()
            .args(["-c", case.path.to_str().unwrap(), "check", "--out-dir"])
            .arg(out.to_str().unwrap())
            .run()
            .ok();
    }
}

#[test]
fn out_dir_and_output_together_are_a_usage_error() {
    let config = common::repo().join("examples/cluster1.yaml");
    let config = config.to_str().unwrap();
    for args in [
        vec!["-c", config, "terraform", "--out-dir", "m", "-o", "x.tf"],
        vec!["-c", config, "-o", "x.tf", "terraform", "--out-dir", "m"],
    ] {
        let t = Test::new().args(&args);
        let run = t.run().fails(2);
        assert!(
            run.stderr.contains("--out-dir") && run.stderr.contains("--output"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!t.dir.join("m").exists() && !t.dir.join("x.tf").exists());
    }
}

// ---------------------------------------------------------------------------------------------
// External checks (run by scripts/test, which installs the tools).

/// Every case and adversarial plan, written single-file (`<name>/single/impala-lb.tf`) and as
/// the module layout (`<name>/module/*.tf`) under one folder.
fn write_all(root: &Path, with_adversarial: bool) -> Vec<(String, PathBuf, PathBuf)> {
    let mut modules: Vec<(String, terraform::Module)> = cases()
        .into_iter()
        .map(|c| (c.name, terraform::render(&plan_of(&c.path)).unwrap()))
        .collect();
    if with_adversarial {
        for (name, plan) in adversarial_plans() {
            modules.push((
                format!("adversarial-{name}"),
                terraform::render(&plan).unwrap(),
            ));
        }
    }
    modules
        .into_iter()
        .map(|(name, module)| {
            let single = root.join(&name).join("single");
            let layout = root.join(&name).join("module");
            fs::create_dir_all(&single).unwrap();
            fs::create_dir_all(&layout).unwrap();
            fs::write(single.join("impala-lb.tf"), module.single_file()).unwrap();
            for (file, text) in module.layout() {
                fs::write(layout.join(file), text).unwrap();
            }
            (name, single, layout)
        })
        .collect()
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// `terraform fmt -check` on every case and on the adversarial plans, which only the library
/// renders (validation refuses their values); tests/terraform_real.rs also formats, validates
/// and applies what the binary writes.
#[test]
#[ignore = "needs terraform: run scripts/test"]
fn terraform_fmt_changes_nothing() {
    let terraform = common::terraform();
    let root = TempDir::new("tf-fmt");
    let written = write_all(root.path(), true);
    let files: usize = written
        .iter()
        .map(|(_, single, layout)| tf_files(single).len() + tf_files(layout).len())
        .sum();
    assert_eq!(
        files,
        written.len() * 4,
        "one file single, three as a module"
    );
    let out = Command::new(&terraform)
        .arg(format!("-chdir={}", root.path().display()))
        .args(["fmt", "-check", "-diff", "-recursive", "-no-color"])
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "terraform fmt would reformat ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs node and @cdktf/hcl2json: run scripts/test"]
fn the_provider_schema_check_reports_nothing() {
    let node_modules = common::node_modules();
    let check = common::repo().join("tools/tf-schema-check/check.js");
    let root = TempDir::new("tf-schema");
    // The adversarial plans too: an escaped `$${var.x}` is text, not a reference.
    for (name, single, layout) in write_all(root.path(), true) {
        for dir in [single, layout] {
            let out = Command::new("node")
                .arg(&check)
                .arg(&dir)
                .env("NODE_PATH", &node_modules)
                .output()
                .expect("run node");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.starts_with("ok: "),
                "{name}: {}:\n{stdout}{}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// The checkov findings accepted for a plan, by check ID (see the README): CKV_AWS_127 and
/// CKV_AWS_376 where a Classic listener is plaintext on the client or the impalad side,
/// CKV2_AWS_5 for the back-end group, which checkov does not see attached through
/// aws_network_interface_sg_attachment; what the spec chose as for CloudFormation:
/// CKV_AWS_92 / CKV_AWS_91 (access logs) without `aws.access_logs`, CKV2_AWS_71 for a wildcard
/// `tls.domain`; and for a created access-log bucket the checks a log
/// bucket of its own kind does not need (its own access logging, versioning, replication to
/// another region, a KMS key, event notifications; a lifecycle rule when the spec keeps the
/// logs forever).
fn accepted(plan: &Plan, resource: &str, id: &str) -> bool {
    let aws = plan.aws.as_ref().unwrap();
    let classic = aws.kind == LoadBalancerKind::Classic;
    let logs = aws.access_logs.as_ref().filter(|l| l.create_bucket);
    let bucket = resource.starts_with("aws_s3_bucket.") && logs.is_some();
    match id {
        "CKV_AWS_127" => classic && aws.listeners.iter().any(|l| !l.frontend_tls),
        "CKV_AWS_376" => classic && aws.listeners.iter().any(|l| !l.backend_tls),
        "CKV2_AWS_5" => resource.starts_with("aws_security_group.") && resource.ends_with("_be"),
        "CKV_AWS_92" => classic && aws.access_logs.is_none(),
        "CKV_AWS_91" => !classic && aws.access_logs.is_none(),
        "CKV2_AWS_71" => plan
            .tls
            .as_ref()
            .and_then(|t| t.domain.as_deref())
            .is_some_and(|d| d.starts_with("*.")),
        "CKV_AWS_18" | "CKV_AWS_21" | "CKV_AWS_144" | "CKV_AWS_145" | "CKV2_AWS_62" => bucket,
        "CKV2_AWS_61" => bucket && logs.is_some_and(|l| l.retention_days.is_none()),
        _ => false,
    }
}

#[test]
#[ignore = "needs checkov: run scripts/test"]
fn checkov_fails_only_the_accepted_findings() {
    let checkov = common::tool("checkov");
    let root = TempDir::new("tf-checkov");
    let written = write_all(root.path(), false);
    let out = Command::new(&checkov)
        .args([
            "--framework",
            "terraform",
            "--skip-download",
            "--quiet",
            "-o",
            "json",
            "-d",
        ])
        .arg(root.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let summary = &report["summary"];
    assert!(
        summary["passed"].as_u64().unwrap() > 100,
        "checkov checked nothing: {summary}"
    );
    let plans: BTreeMap<String, Plan> = cases()
        .into_iter()
        .map(|c| (c.name, plan_of(&c.path)))
        .collect();
    let mut refused = Vec::new();
    for failure in report["results"]["failed_checks"].as_array().unwrap() {
        let id = failure["check_id"].as_str().unwrap();
        let resource = failure["resource"].as_str().unwrap();
        let file = failure["file_path"].as_str().unwrap();
        let case = file.trim_start_matches('/').split('/').next().unwrap();
        let plan = &plans[case];
        if !accepted(plan, resource, id) {
            refused.push(format!("{case}: {id} on {resource} ({file})"));
        }
    }
    assert!(
        refused.is_empty(),
        "checkov failed:\n{}",
        refused.join("\n")
    );
    assert_eq!(written.len(), plans.len());
}
