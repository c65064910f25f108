//! `import aws --name LB`: a spec from an existing Classic ELB or NLB, read with the AWS CLI
//! (`aws ... --output json`, spawned directly, never through a shell) or from saved
//! `describe-*` JSON (`--from DIR`, file names in [`Call::file`]).
//!
//! The spec adopts what it read (`aws.adopt`): the balancer by name (an NLB also by ARN, with
//! its listeners and target groups), its security groups by ID, the rules that are the ones
//! the spec asks for by rule ID, and the interfaces that already have the back-end group.
//! What a spec cannot express is a [`Note`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::{Doc, Imported, Map, Note, Val};
use crate::diagnostics::Source as SpecSource;
use crate::error::Error;
use crate::plan::{self, Plan, Rule};
use crate::spec::model::{AdoptRuleSpec, Direction, GroupRole, ServiceKind};
use crate::validate::syntax;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The balancer's name.
    pub name: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Saved `describe-*` JSON instead of the AWS CLI.
    pub from: Option<PathBuf>,
    pub cluster: Option<String>,
    /// Write a spec that moves clients from this Classic ELB to a new NLB of this name.
    pub migrate_to: Option<String>,
    /// With `migrate_to`: the name clients use, and its Route 53 zone.
    pub record: Option<(String, String)>,
}

/// One read: the AWS CLI command, and the file `--from DIR` reads instead.
pub struct Call {
    pub service: &'static str,
    pub operation: &'static str,
    pub args: Vec<String>,
    /// `<service>-<operation>[-<what>].json`.
    pub file: String,
}

impl Call {
    fn new(
        service: &'static str,
        operation: &'static str,
        args: &[&str],
        suffix: Option<&str>,
    ) -> Call {
        let file = match suffix {
            Some(s) => format!("{service}-{operation}-{s}.json"),
            None => format!("{service}-{operation}.json"),
        };
        Call {
            service,
            operation,
            args: args.iter().map(|a| a.to_string()).collect(),
            file,
        }
    }

    /// The command line, for messages and the README.
    pub fn command(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                if a.contains([' ', '"', '\'']) {
                    format!("'{a}'")
                } else {
                    a.clone()
                }
            })
            .collect();
        format!(
            "aws {} {} {} --output json",
            self.service,
            self.operation,
            args.join(" ")
        )
    }
}

/// Where the JSON comes from.
enum Reader {
    Cli { global: Vec<String> },
    Dir(PathBuf),
}

impl Reader {
    fn read(&self, call: &Call) -> Result<Value, Error> {
        match self {
            Reader::Dir(dir) => {
                let path = dir.join(&call.file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::Refused(format!(
                        "could not read {}: {e}; write it with `{} > {}`",
                        path.display(),
                        call.command(),
                        path.display()
                    ))
                })?;
                serde_json::from_str(&text).map_err(|e| {
                    Error::Refused(format!(
                        "{} is not the JSON `{}` prints: {e}",
                        path.display(),
                        call.command()
                    ))
                })
            }
            Reader::Cli { global } => {
                let out = Command::new("aws")
                    .arg(call.service)
                    .arg(call.operation)
                    .args(&call.args)
                    .args(["--output", "json"])
                    .args(global)
                    .env("AWS_PAGER", "")
                    .output()
                    .map_err(|e| {
                        Error::Refused(format!(
                            "could not run the AWS CLI (aws): {e}; install it, or save the describe-* JSON and use --from DIR"
                        ))
                    })?;
                if !out.status.success() {
                    return Err(Error::Refused(format!(
                        "`{}` failed: {}",
                        call.command(),
                        String::from_utf8_lossy(&out.stderr).trim()
                    )));
                }
                serde_json::from_slice(&out.stdout).map_err(|e| {
                    Error::Refused(format!("`{}` printed no JSON: {e}", call.command()))
                })
            }
        }
    }

    /// `Some(JSON)` when the balancer `call` describes exists; `None` when it does not (its
    /// file is missing, or AWS says it is not found); an error for anything else.
    fn find(&self, call: &Call) -> Result<Option<Value>, Error> {
        match self {
            Reader::Dir(dir) if !dir.join(&call.file).is_file() => Ok(None),
            _ => match self.read(call) {
                Ok(v) => Ok(Some(v)),
                Err(Error::Refused(m))
                    if m.contains("LoadBalancerNotFound") || m.contains("not found") =>
                {
                    Ok(None)
                }
                Err(e) => Err(e),
            },
        }
    }
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn n(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(|x| {
        x.as_u64()
            .or_else(|| x.as_str().and_then(|t| t.parse().ok()))
    })
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `Key`/`Value` pairs (tags, ELBv2 attributes) as a map.
fn pairs(items: &[Value]) -> BTreeMap<String, String> {
    items
        .iter()
        .filter_map(|t| {
            Some((
                s(t, "Key")?.to_string(),
                s(t, "Value").unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// What was read, in the spec's terms.
#[derive(Default)]
struct Facts {
    network: bool,
    name: String,
    region: Option<String>,
    vpc: String,
    subnets: Vec<String>,
    scheme: String,
    /// An NLB's `IpAddressType` when it is `dualstack`.
    dualstack: bool,
    /// `(kind, port, backend port, where from)`.
    services: Vec<(ServiceKind, u16, u16, String)>,
    /// `(instance, host, Name tag)`.
    daemons: Vec<(String, Option<String>, Option<String>)>,
    /// TCP: the checked port; HTTP: port and path.
    check_port: Option<u16>,
    check_path: Option<String>,
    interval: Option<u64>,
    timeout: Option<u64>,
    healthy: Option<u64>,
    unhealthy: Option<u64>,
    idle: Option<u64>,
    /// `(mode, certificate ARN, policy)`.
    tls: Option<(&'static str, Option<String>, Option<String>)>,
    /// `(bucket, prefix, interval minutes)`.
    logs: Option<(String, Option<String>, Option<u64>)>,
    tags: Vec<(String, String)>,
    client_cidrs: Vec<String>,
    arn: Option<String>,
    listener_arns: BTreeMap<ServiceKind, String>,
    target_group_arns: BTreeMap<ServiceKind, String>,
    /// `(id, name, description)`.
    frontend: Option<(String, String, String)>,
    backend: Option<(String, String, String)>,
    rules: Vec<ExistingRule>,
    interfaces: BTreeMap<String, String>,
    /// Connection draining / deregistration delay, seconds.
    drain: Option<u64>,
    /// An NLB's `target_health_state.unhealthy.connection_termination.enabled`.
    unhealthy_termination: Option<bool>,
    /// A Classic ELB's DNS name and its zone (`CanonicalHostedZoneNameID`).
    dns_name: String,
    zone_id: Option<String>,
    /// `--migrate-to`: the new NLB's name, and the name clients use with its zone.
    migrate_to: Option<(String, Option<(String, String)>)>,
}

/// A security group rule as `describe-security-group-rules` reports it.
#[derive(Debug, Clone)]
struct ExistingRule {
    id: String,
    role: GroupRole,
    egress: bool,
    protocol: String,
    from: i64,
    to: i64,
    cidr: Option<String>,
    group: Option<String>,
    prefix_list: Option<String>,
}

impl ExistingRule {
    fn describe(&self) -> String {
        let ports = match (self.protocol.as_str(), self.from, self.to) {
            ("-1", _, _) => "all traffic".to_string(),
            (p, f, t) if f == t => format!("{p} {f}"),
            (p, f, t) => format!("{p} {f}-{t}"),
        };
        let peer = self
            .cidr
            .clone()
            .or(self.group.clone())
            .or(self.prefix_list.clone())
            .unwrap_or_default();
        format!(
            "{} ({} {} {ports} {} {peer})",
            self.id,
            self.role.key(),
            if self.egress { "egress" } else { "ingress" },
            if self.egress { "to" } else { "from" }
        )
    }

    /// The rule as `aws.adopt.rules` writes it, when it is a single TCP port to a CIDR block
    /// or to the other group.
    fn as_spec(&self, facts: &Facts) -> Option<AdoptRuleSpec> {
        if self.protocol != "tcp" || self.from != self.to {
            return None;
        }
        let peer = match &self.group {
            Some(g) if facts.frontend.as_ref().is_some_and(|f| f.0 == *g) => {
                Some(GroupRole::Frontend)
            }
            Some(g) if facts.backend.as_ref().is_some_and(|b| b.0 == *g) => {
                Some(GroupRole::Backend)
            }
            Some(_) => return None,
            None => None,
        };
        if peer.is_none() && self.cidr.is_none() {
            return None;
        }
        Some(AdoptRuleSpec {
            id: self.id.clone(),
            group: self.role,
            direction: if self.egress {
                Direction::Egress
            } else {
                Direction::Ingress
            },
            port: self.from,
            cidr: self.cidr.clone(),
            peer,
        })
    }
}

/// Imports the balancer `options.name`.
pub fn import(options: &Options) -> Result<Imported, Error> {
    let reader = match &options.from {
        Some(dir) => Reader::Dir(dir.clone()),
        None => {
            let mut global = Vec::new();
            if let Some(r) = &options.region {
                global.extend(["--region".to_string(), r.clone()]);
            }
            if let Some(p) = &options.profile {
                global.extend(["--profile".to_string(), p.clone()]);
            }
            Reader::Cli { global }
        }
    };
    let name = options.name.as_str();
    if let Err(why) = syntax::lb_name(name) {
        return Err(Error::Usage(format!(
            "--name {name:?} is not a balancer name: {why}"
        )));
    }
    let mut notes = Vec::new();
    let mut facts = Facts {
        name: name.to_string(),
        region: options.region.clone(),
        ..Facts::default()
    };

    let classic = Call::new(
        "elb",
        "describe-load-balancers",
        &["--load-balancer-names", name],
        None,
    );
    let network = Call::new("elbv2", "describe-load-balancers", &["--names", name], None);
    let instances = if let Some(found) = reader.find(&classic)? {
        read_classic(&reader, &found, &classic, &mut facts, &mut notes)?
    } else if let Some(found) = reader.find(&network)? {
        facts.network = true;
        read_network(&reader, &found, &network, &mut facts, &mut notes)?
    } else {
        let hint = match &reader {
            Reader::Dir(d) => format!(
                "{} has neither {} nor {}",
                d.display(),
                classic.file,
                network.file
            ),
            Reader::Cli { .. } => format!(
                "neither `{}` nor `{}` finds it",
                classic.command(),
                network.command()
            ),
        };
        return Err(Error::Refused(format!(
            "no Classic ELB or NLB named {name}: {hint}"
        )));
    };
    if let Some(nlb) = &options.migrate_to {
        if facts.network {
            return Err(Error::Usage(format!(
                "--migrate-to moves clients from a Classic ELB to an NLB, but {name} is an NLB already"
            )));
        }
        if let Err(why) = syntax::lb_name(nlb) {
            return Err(Error::Usage(format!(
                "--migrate-to {nlb:?} is not a balancer name: {why}"
            )));
        }
        facts.migrate_to = Some((nlb.clone(), options.record.clone()));
        if facts.zone_id.is_none() {
            notes.push(Note::new("aws.migrate_from.hosted_zone_id", format!(
                "{name} reports no CanonicalHostedZoneNameID: set migrate_from.hosted_zone_id to the Route 53 zone of Classic ELBs in its region (AWS's Elastic Load Balancing endpoints page lists them)"
            )));
        }
        if let Some((_, _, Some(p))) = &facts.tls {
            notes.push(Note::new("tls.policy", format!(
                "the Classic ELB's TLS policy {p} is not carried to the NLB, which gets impala-lbgen's NLB default (TLS 1.3 and 1.2)"
            )));
        }
        if facts.logs.as_ref().is_some_and(|l| l.2.is_some()) {
            notes.push(Note::new("aws.access_logs", "the Classic ELB's log interval does not apply to an NLB, which publishes every 5 minutes (and only for TLS listeners)"));
        }
    }

    if let (None, Some(port)) = (&facts.check_path, facts.check_port) {
        if !facts.services.iter().any(|(_, _, b, _)| *b == port) {
            notes.push(Note::new("health_check", format!(
                "the health check connects to port {port}, which no listener forwards to; a spec checks a service's impalad port (or HTTP), so the default check was imported"
            )));
        }
    }
    read_instances(&reader, &instances, &mut facts, &mut notes)?;
    if facts.region.is_none() {
        facts.region = std::env::var("AWS_REGION")
            .or(std::env::var("AWS_DEFAULT_REGION"))
            .ok();
    }
    if facts.region.is_none() {
        notes.push(Note::new(
            "aws.region",
            "the region is not known from what was read: set aws.region (or import with --region)",
        ));
    }
    read_groups(&reader, &mut facts, &mut notes)?;

    // The spec, then the rules that are the ones it asks for (found through its plan).
    let cluster = cluster_name(options, &facts);
    let draft = document(&facts, &cluster, &[], &notes);
    let mut rules = Vec::new();
    let source = SpecSource {
        name: "<imported>".into(),
        text: draft.render(&notes),
    };
    if let Ok(loaded) =
        crate::spec::load(source, Some(crate::validate::Scope::aws_target("import")))
    {
        let plan = Plan::new(&loaded.spec);
        if let Some(aws) = &plan.aws {
            let planned: Vec<(GroupRole, Direction, &Rule)> = [
                (
                    GroupRole::Frontend,
                    Direction::Ingress,
                    &aws.frontend_ingress,
                ),
                (GroupRole::Frontend, Direction::Egress, &aws.frontend_egress),
                (GroupRole::Backend, Direction::Ingress, &aws.backend_ingress),
            ]
            .into_iter()
            .flat_map(|(g, d, rules)| rules.iter().map(move |r| (g, d, r)))
            .collect();
            let mut taken = BTreeSet::new();
            for existing in &facts.rules {
                let spec = existing.as_spec(&facts);
                let found = spec.as_ref().and_then(|r| {
                    (0..planned.len()).find(|i| {
                        let (g, d, rule) = planned[*i];
                        !taken.contains(i)
                            && g == r.group
                            && d == r.direction
                            && plan::adopted_rule_matches(r, rule)
                    })
                });
                match (spec, found) {
                    (Some(r), Some(i)) => {
                        taken.insert(i);
                        rules.push(r);
                    }
                    _ => notes.push(Note::new(
                        "aws.adopt.rules",
                        format!(
                            "rule {} is not one the spec asks for: Terraform leaves it as it is, the AWS CLI script revokes it, and CloudFormation revokes it when it lists the group's rules of that direction",
                            existing.describe()
                        ),
                    )),
                }
            }
        }
    }
    let doc = document(&facts, &cluster, &rules, &notes);
    Ok(Imported {
        text: doc.render(&notes),
        notes,
    })
}

/// The cluster: `--cluster`, else `<cluster>` of the front-end group's `<cluster> Impala FE`,
/// else of the balancer's `elb-impala-<cluster>`, else the balancer's name.
fn cluster_name(options: &Options, facts: &Facts) -> String {
    let valid = |c: &str| {
        !c.is_empty()
            && c.len() <= crate::validate::limits::CLUSTER_NAME_MAX
            && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
    };
    options
        .cluster
        .clone()
        .or_else(|| {
            facts
                .frontend
                .as_ref()
                .and_then(|(_, n, _)| n.strip_suffix(" Impala FE"))
                .filter(|c| valid(c))
                .map(str::to_string)
        })
        .or_else(|| {
            facts
                .name
                .strip_prefix("elb-impala-")
                .filter(|c| valid(c))
                .map(str::to_string)
        })
        .unwrap_or_else(|| facts.name.clone())
}

/// The service impalad serves on `backend` (else the balancer's `port`, by impalad's default
/// ports), unless it is taken.
fn service_kind(
    backend: u16,
    port: u16,
    taken: &[(ServiceKind, u16, u16, String)],
) -> Option<ServiceKind> {
    let by = |p: u16| ServiceKind::ALL.into_iter().find(|k| k.default_port() == p);
    by(backend)
        .or_else(|| by(port))
        .filter(|k| !taken.iter().any(|(t, ..)| t == k))
}

fn read_classic(
    reader: &Reader,
    described: &Value,
    call: &Call,
    facts: &mut Facts,
    notes: &mut Vec<Note>,
) -> Result<Vec<String>, Error> {
    let name = facts.name.clone();
    let lb = list(described, "LoadBalancerDescriptions")
        .iter()
        .find(|b| s(b, "LoadBalancerName") == Some(name.as_str()))
        .cloned()
        .ok_or_else(|| {
            Error::Refused(format!("{}: no Classic ELB named {name}", call.command()))
        })?;
    facts.vpc = s(&lb, "VPCId").unwrap_or_default().to_string();
    facts.dns_name = s(&lb, "DNSName").unwrap_or_default().to_string();
    facts.zone_id = s(&lb, "CanonicalHostedZoneNameID")
        .filter(|z| !z.is_empty())
        .map(str::to_string);
    facts.subnets = list(&lb, "Subnets")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    facts.scheme = s(&lb, "Scheme").unwrap_or("internal").to_string();
    if facts.region.is_none() {
        facts.region = list(&lb, "AvailabilityZones")
            .first()
            .and_then(Value::as_str)
            .map(|az| {
                az.trim_end_matches(|c: char| c.is_ascii_lowercase())
                    .to_string()
            });
    }
    let groups: Vec<String> = list(&lb, "SecurityGroups")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if let Some(fe) = groups.first() {
        facts.frontend = Some((fe.clone(), String::new(), String::new()));
    }
    if groups.len() > 1 {
        notes.push(Note::new("aws.adopt.security_groups", format!(
            "the balancer has {} security groups ({}); impala-lbgen gives it one, so only {} was adopted and the others are removed from it",
            groups.len(), groups.join(", "), groups[0]
        )));
    }

    // Listeners: a service each, TLS from their protocols.
    let policies = reader.read(&Call::new(
        "elb",
        "describe-load-balancer-policies",
        &["--load-balancer-name", &name],
        None,
    ))?;
    let mut modes = BTreeSet::new();
    let mut certificates = BTreeSet::new();
    let mut tls_policies = BTreeSet::new();
    for d in list(&lb, "ListenerDescriptions") {
        let l = &d["Listener"];
        let (Some(port), Some(backend)) = (n(l, "LoadBalancerPort"), n(l, "InstancePort")) else {
            continue;
        };
        let (port, backend) = (port as u16, backend as u16);
        let protocol = s(l, "Protocol").unwrap_or("TCP").to_ascii_uppercase();
        let instance_protocol = s(l, "InstanceProtocol")
            .unwrap_or(&protocol)
            .to_ascii_uppercase();
        let Some(kind) = service_kind(backend, port, &facts.services) else {
            notes.push(Note::new("services", format!(
                "listener {protocol}:{port} -> {instance_protocol}:{backend} is no Impala service's (impalad beeswax 21000, hs2 21050, hs2_http 28000); the outputs remove a listener the spec does not have, so add it as a service if it is one"
            )));
            continue;
        };
        if protocol.starts_with("HTTP") || instance_protocol.starts_with("HTTP") {
            notes.push(Note::new(&format!("services.{}", kind.key()), format!(
                "listener {port} speaks {protocol} to clients and {instance_protocol} to impalad; Impala's protocols are Thrift over TCP, so impala-lbgen writes TCP (or SSL) listeners"
            )));
        }
        let front_tls = matches!(protocol.as_str(), "SSL" | "HTTPS");
        let back_tls = matches!(instance_protocol.as_str(), "SSL" | "HTTPS");
        modes.insert(match (front_tls, back_tls) {
            (true, true) => "bridge",
            (true, false) => "offload",
            (false, true) => "tcp-to-ssl",
            (false, false) => "none",
        });
        if let Some(c) = s(l, "SSLCertificateId") {
            certificates.insert(c.to_string());
        }
        for policy in list(d, "PolicyNames").iter().filter_map(Value::as_str) {
            let described = list(&policies, "PolicyDescriptions")
                .iter()
                .find(|p| s(p, "PolicyName") == Some(policy));
            let reference = described.and_then(|p| {
                list(p, "PolicyAttributeDescriptions")
                    .iter()
                    .find(|a| s(a, "AttributeName") == Some("Reference-Security-Policy"))
                    .and_then(|a| s(a, "AttributeValue"))
            });
            match reference {
                Some(r) => {
                    tls_policies.insert(r.to_string());
                }
                None if policy.starts_with("ELBSecurityPolicy-") => {
                    tls_policies.insert(policy.to_string());
                }
                None => notes.push(Note::new("tls.policy", format!(
                    "listener {port}'s policy {policy} names no predefined security policy (Reference-Security-Policy); impala-lbgen writes a policy that references one"
                ))),
            }
        }
        facts.services.push((
            kind,
            port,
            backend,
            format!("listener {protocol}:{port} -> {instance_protocol}:{backend}"),
        ));
    }
    if !list(&lb, "BackendServerDescriptions").is_empty() {
        notes.push(Note::new("", "back-end server policies (such as the proxy protocol) are not carried over: impala-lbgen sets none, and impalad does not speak the proxy protocol"));
    }
    facts.tls = tls_of(modes, certificates, tls_policies, notes);

    let hc = &lb["HealthCheck"];
    match s(hc, "Target").and_then(|t| t.split_once(':')) {
        Some((protocol, rest)) => {
            let (port, path) = match rest.find('/') {
                Some(i) => (&rest[..i], Some(&rest[i..])),
                None => (rest, None),
            };
            facts.check_port = port.parse().ok();
            match protocol.to_ascii_uppercase().as_str() {
                "TCP" => {}
                "HTTP" => facts.check_path = path.map(str::to_string),
                other => {
                    notes.push(Note::new("health_check", format!(
                        "the health check is {other}:{rest}; impala-lbgen checks with a TCP connect or an HTTP GET, so it was imported as {}",
                        if path.is_some() { "HTTP" } else { "TCP" }
                    )));
                    facts.check_path = path.map(str::to_string);
                }
            }
        }
        None => notes.push(Note::new(
            "health_check",
            "the balancer reports no health check target",
        )),
    }
    facts.interval = n(hc, "Interval");
    facts.timeout = n(hc, "Timeout");
    facts.healthy = n(hc, "HealthyThreshold");
    facts.unhealthy = n(hc, "UnhealthyThreshold");

    let attributes = reader.read(&Call::new(
        "elb",
        "describe-load-balancer-attributes",
        &["--load-balancer-name", &name],
        None,
    ))?;
    let a = &attributes["LoadBalancerAttributes"];
    facts.idle = n(&a["ConnectionSettings"], "IdleTimeout");
    if a["CrossZoneLoadBalancing"]["Enabled"] == Value::Bool(false) {
        notes.push(Note::new("aws", "cross-zone load balancing is off; impala-lbgen turns it on, so every daemon gets clients from every zone"));
    }
    let draining = &a["ConnectionDraining"];
    if draining["Enabled"] == Value::Bool(true) {
        facts.drain = n(draining, "Timeout");
    } else {
        notes.push(Note::new(
            "drain_timeout",
            format!(
                "connection draining is off; impala-lbgen drains a deregistered daemon's connections for drain_timeout ({}s unless set)",
                plan::DEFAULT_DRAIN_TIMEOUT
            ),
        ));
    }
    let log = &a["AccessLog"];
    if log["Enabled"] == Value::Bool(true) {
        if let Some(bucket) = s(log, "S3BucketName") {
            facts.logs = Some((
                bucket.to_string(),
                s(log, "S3BucketPrefix")
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
                n(log, "EmitInterval"),
            ));
        }
    }
    for extra in list(a, "AdditionalAttributes") {
        if let (Some(k), Some(v)) = (s(extra, "Key"), s(extra, "Value")) {
            // The default of the one attribute AWS lists here: desync mitigation "defensive".
            if !(k == "elb.http.desyncmitigationmode" && v == "defensive") {
                notes.push(Note::new(
                    "aws",
                    format!("attribute {k}={v} is not carried over"),
                ));
            }
        }
    }

    let tags = reader.read(&Call::new(
        "elb",
        "describe-tags",
        &["--load-balancer-names", &name],
        None,
    ))?;
    let tags = list(&tags, "TagDescriptions")
        .first()
        .map(|t| pairs(list(t, "Tags")))
        .unwrap_or_default();
    read_tags(tags, facts, notes);

    Ok(list(&lb, "Instances")
        .iter()
        .filter_map(|i| s(i, "InstanceId"))
        .map(str::to_string)
        .collect())
}

/// The TLS mode, certificate and policy from what the listeners use.
fn tls_of(
    modes: BTreeSet<&'static str>,
    certificates: BTreeSet<String>,
    policies: BTreeSet<String>,
    notes: &mut Vec<Note>,
) -> Option<(&'static str, Option<String>, Option<String>)> {
    if modes.len() > 1 {
        notes.push(Note::new("tls", format!(
            "the listeners mix TLS modes ({}); a spec has one for all, so the first is imported: {}",
            modes.iter().copied().collect::<Vec<_>>().join(", "),
            modes.iter().find(|m| **m != "none").copied().unwrap_or("none")
        )));
    }
    let mode = match modes.iter().find(|m| **m != "none").copied() {
        None => return None,
        Some("tcp-to-ssl") => {
            notes.push(Note::new("tls", "listeners take plain TCP from clients and speak TLS to impalad; impala-lbgen re-encrypts only TLS it terminates (mode bridge), so this became bridge"));
            "bridge"
        }
        Some(m) => m,
    };
    if certificates.len() > 1 {
        notes.push(Note::new(
            "tls.certificate_arn",
            format!(
                "the listeners present {} certificates; a spec has one, the first: {}",
                certificates.len(),
                certificates.iter().next().cloned().unwrap_or_default()
            ),
        ));
    }
    if policies.len() > 1 {
        notes.push(Note::new(
            "tls.policy",
            format!(
                "the listeners use {} security policies; a spec has one, the first",
                policies.len()
            ),
        ));
    }
    Some((
        mode,
        certificates.into_iter().next(),
        policies.into_iter().next(),
    ))
}

fn read_tags(tags: BTreeMap<String, String>, facts: &mut Facts, notes: &mut Vec<Note>) {
    for (k, v) in tags {
        if k == "Name" {
            if v != facts.name {
                notes.push(Note::new("aws.tags", format!("the Name tag {v:?}: impala-lbgen names the balancer's resources after it ({})", facts.name)));
            }
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            if k == "aws:cloudformation:stack-name" {
                notes.push(Note::new("aws", format!(
                    "the balancer belongs to the CloudFormation stack {v}: manage it there, or remove it from that stack (DeletionPolicy: Retain, then delete the resource from its template) before another stack or Terraform adopts it"
                )));
            }
        } else if k.chars().all(syntax::tag_char_ok) && v.chars().all(syntax::tag_char_ok) {
            facts.tags.push((k, v));
        } else {
            notes.push(Note::new("aws.tags", format!("the tag {k:?} = {v:?} has characters not every tagged service accepts, so it was not imported")));
        }
    }
}

fn read_network(
    reader: &Reader,
    described: &Value,
    call: &Call,
    facts: &mut Facts,
    notes: &mut Vec<Note>,
) -> Result<Vec<String>, Error> {
    let name = facts.name.clone();
    let lb = list(described, "LoadBalancers")
        .iter()
        .find(|b| s(b, "LoadBalancerName") == Some(name.as_str()))
        .cloned()
        .ok_or_else(|| {
            Error::Refused(format!("{}: no load balancer named {name}", call.command()))
        })?;
    let kind = s(&lb, "Type").unwrap_or("network");
    if kind != "network" {
        return Err(Error::Refused(format!(
            "{name} is an {kind} load balancer; impala-lbgen builds Classic ELBs and NLBs (Impala's protocols are Thrift over TCP)"
        )));
    }
    let arn = s(&lb, "LoadBalancerArn").unwrap_or_default().to_string();
    facts.arn = Some(arn.clone());
    if facts.region.is_none() {
        facts.region = arn.split(':').nth(3).map(str::to_string);
    }
    facts.vpc = s(&lb, "VpcId").unwrap_or_default().to_string();
    facts.subnets = list(&lb, "AvailabilityZones")
        .iter()
        .filter_map(|z| s(z, "SubnetId"))
        .map(str::to_string)
        .collect();
    facts.scheme = s(&lb, "Scheme").unwrap_or("internal").to_string();
    facts.dualstack = s(&lb, "IpAddressType") == Some("dualstack");
    if s(&lb, "IpAddressType").is_some_and(|t| t != "ipv4" && t != "dualstack") {
        notes.push(Note::new(
            "aws",
            format!(
                "the NLB's IP address type is {}; impala-lbgen writes ipv4 or dualstack, so ipv4 here",
                s(&lb, "IpAddressType").unwrap_or_default()
            ),
        ));
    }
    let groups: Vec<String> = list(&lb, "SecurityGroups")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    match groups.first() {
        Some(fe) => facts.frontend = Some((fe.clone(), String::new(), String::new())),
        None => notes.push(Note::new("aws", "the NLB has no security group; an NLB takes security groups only when it is created, and impala-lbgen's has one, so the outputs would replace this NLB (a new DNS name): keep managing it by hand, or move clients to a new one (migrate_from works from Classic ELBs only)")),
    }
    if groups.len() > 1 {
        notes.push(Note::new("aws.adopt.security_groups", format!(
            "the NLB has {} security groups ({}); impala-lbgen gives it one, so only {} was adopted",
            groups.len(), groups.join(", "), groups[0]
        )));
    }

    let attributes = reader.read(&Call::new(
        "elbv2",
        "describe-load-balancer-attributes",
        &["--load-balancer-arn", &arn],
        None,
    ))?;
    let a = pairs(list(&attributes, "Attributes"));
    if a.get("load_balancing.cross_zone.enabled")
        .map(String::as_str)
        != Some("true")
    {
        notes.push(Note::new("aws", "cross-zone load balancing is off; impala-lbgen turns it on, so every daemon gets clients from every zone"));
    }
    if a.get("deletion_protection.enabled").map(String::as_str) != Some("true") {
        notes.push(Note::new(
            "aws",
            "deletion protection is off; impala-lbgen turns it on",
        ));
    }
    if a.get("access_logs.s3.enabled").map(String::as_str) == Some("true") {
        if let Some(bucket) = a.get("access_logs.s3.bucket").filter(|b| !b.is_empty()) {
            facts.logs = Some((
                bucket.clone(),
                a.get("access_logs.s3.prefix")
                    .filter(|p| !p.is_empty())
                    .cloned(),
                None,
            ));
        }
    }

    let tgs = reader.read(&Call::new(
        "elbv2",
        "describe-target-groups",
        &["--load-balancer-arn", &arn],
        None,
    ))?;
    let tgs: Vec<Value> = list(&tgs, "TargetGroups").to_vec();
    let listeners = reader.read(&Call::new(
        "elbv2",
        "describe-listeners",
        &["--load-balancer-arn", &arn],
        None,
    ))?;
    let mut modes = BTreeSet::new();
    let mut certificates = BTreeSet::new();
    let mut policies = BTreeSet::new();
    let mut idles = BTreeSet::new();
    let mut checks = BTreeSet::new();
    let mut drains = BTreeSet::new();
    let mut terminations = BTreeSet::new();
    let mut instances: Vec<String> = Vec::new();
    let mut listeners: Vec<Value> = list(&listeners, "Listeners").to_vec();
    listeners.sort_by_key(|l| n(l, "Port"));
    for l in &listeners {
        let Some(port) = n(l, "Port").map(|p| p as u16) else {
            continue;
        };
        let protocol = s(l, "Protocol").unwrap_or("TCP").to_string();
        let listener_arn = s(l, "ListenerArn").unwrap_or_default().to_string();
        let actions = list(l, "DefaultActions");
        let tg_arn = actions
            .first()
            .and_then(|a| s(a, "TargetGroupArn"))
            .map(str::to_string);
        if actions.len() != 1
            || actions.first().and_then(|a| s(a, "Type")) != Some("forward")
            || tg_arn.is_none()
        {
            notes.push(Note::new("services", format!("listener {protocol}:{port} does not simply forward to one target group, so it was not imported")));
            continue;
        }
        let tg_arn = tg_arn.unwrap_or_default();
        let Some(tg) = tgs
            .iter()
            .find(|t| s(t, "TargetGroupArn") == Some(tg_arn.as_str()))
        else {
            notes.push(Note::new(
                "services",
                format!("listener {port}'s target group {tg_arn} was not found"),
            ));
            continue;
        };
        let tg_name = s(tg, "TargetGroupName").unwrap_or_default().to_string();
        let backend = n(tg, "Port").unwrap_or(0) as u16;
        let tg_protocol = s(tg, "Protocol").unwrap_or("TCP").to_string();
        let Some(kind) = service_kind(backend, port, &facts.services) else {
            notes.push(Note::new("services", format!(
                "listener {protocol}:{port} -> target group {tg_name} ({tg_protocol}:{backend}) is no Impala service's (impalad beeswax 21000, hs2 21050, hs2_http 28000); the outputs remove a listener the spec does not have, so add it as a service if it is one"
            )));
            continue;
        };
        if !matches!(protocol.as_str(), "TCP" | "TLS")
            || !matches!(tg_protocol.as_str(), "TCP" | "TLS")
        {
            notes.push(Note::new(&format!("services.{}", kind.key()), format!("listener {port} is {protocol} to a {tg_protocol} target group; impala-lbgen writes TCP or TLS")));
        }
        modes.insert(match (protocol == "TLS", tg_protocol == "TLS") {
            (true, true) => "bridge",
            (true, false) => "offload",
            (false, true) => "tcp-to-ssl",
            (false, false) => "none",
        });
        for c in list(l, "Certificates") {
            if let Some(arn) = s(c, "CertificateArn") {
                certificates.insert(arn.to_string());
            }
        }
        if let Some(p) = s(l, "SslPolicy") {
            policies.insert(p.to_string());
        }
        if protocol == "TCP" {
            let attrs = reader.read(&Call::new(
                "elbv2",
                "describe-listener-attributes",
                &["--listener-arn", &listener_arn],
                Some(&port.to_string()),
            ))?;
            if let Some(idle) = pairs(list(&attrs, "Attributes"))
                .get("tcp.idle_timeout.seconds")
                .and_then(|v| v.parse::<u64>().ok())
            {
                idles.insert(idle);
            }
        } else {
            idles.insert(crate::validate::limits::NLB_TLS_IDLE_TIMEOUT_SECS);
        }
        // The target group: its health check, attributes and targets.
        let check_port = match s(tg, "HealthCheckPort") {
            Some("traffic-port") | None => Some(backend),
            Some(p) => p.parse().ok(),
        };
        let check_protocol = s(tg, "HealthCheckProtocol").unwrap_or("TCP").to_string();
        let path = match check_protocol.as_str() {
            "HTTP" | "HTTPS" => s(tg, "HealthCheckPath").map(str::to_string),
            _ => None,
        };
        if check_protocol == "HTTPS" {
            notes.push(Note::new("health_check", format!("target group {tg_name} checks with HTTPS; impala-lbgen's HTTP check is plain HTTP")));
        }
        if let Some(codes) = tg["Matcher"]
            .get("HttpCode")
            .and_then(Value::as_str)
            .filter(|c| path.is_some() && *c != "200")
        {
            notes.push(Note::new(
                "health_check.http",
                format!(
                    "target group {tg_name} accepts HTTP {codes}; impala-lbgen's check expects 200"
                ),
            ));
        }
        checks.insert((
            check_port,
            path,
            n(tg, "HealthCheckIntervalSeconds"),
            n(tg, "HealthCheckTimeoutSeconds"),
            n(tg, "HealthyThresholdCount"),
            n(tg, "UnhealthyThresholdCount"),
        ));
        let tg_attrs = reader.read(&Call::new(
            "elbv2",
            "describe-target-group-attributes",
            &["--target-group-arn", &tg_arn],
            Some(&tg_name),
        ))?;
        let ta = pairs(list(&tg_attrs, "Attributes"));
        let flag = |key: &str| ta.get(key).map(|v| v == "true");
        if let Some(d) = ta
            .get("deregistration_delay.timeout_seconds")
            .and_then(|v| v.parse::<u64>().ok())
        {
            drains.insert(d);
        }
        if let Some(t) = flag("target_health_state.unhealthy.connection_termination.enabled") {
            terminations.insert(t);
        }
        // What impala-lbgen sets on every target group, whatever the spec says.
        for (key, want, what) in [
            (
                "deregistration_delay.connection_termination.enabled",
                false,
                "closes a deregistered daemon's connections when the delay ends",
            ),
            (
                "preserve_client_ip.enabled",
                true,
                "shows impalad the clients' own addresses",
            ),
        ] {
            if flag(key).is_some_and(|v| v != want) {
                notes.push(Note::new("aws", format!(
                    "target group {tg_name} has {key} = {}; impala-lbgen sets {want} (the target group {} that way)",
                    !want,
                    what
                )));
            }
        }
        let sticky = ta.get("stickiness.enabled").map(String::as_str) == Some("true");
        let wants = matches!(kind, ServiceKind::Hs2 | ServiceKind::Hs2Http)
            && protocol == "TCP"
            && tg_protocol == "TCP";
        if sticky != wants {
            notes.push(Note::new("aws", format!(
                "target group {tg_name} has stickiness {}; impala-lbgen turns source-IP stickiness {} for {kind} behind a {protocol} listener",
                if sticky { "on" } else { "off" },
                if wants { "on" } else { "off" }
            )));
        }
        if s(tg, "TargetType").is_some_and(|t| t != "instance") {
            notes.push(Note::new(
                "daemons",
                format!(
                    "target group {tg_name} has {} targets; impala-lbgen registers instances",
                    s(tg, "TargetType").unwrap_or_default()
                ),
            ));
        }
        let health = reader.read(&Call::new(
            "elbv2",
            "describe-target-health",
            &["--target-group-arn", &tg_arn],
            Some(&tg_name),
        ))?;
        for t in list(&health, "TargetHealthDescriptions") {
            if let Some(id) = t["Target"].get("Id").and_then(Value::as_str) {
                if !instances.iter().any(|i| i == id) {
                    instances.push(id.to_string());
                }
                if n(&t["Target"], "Port").is_some_and(|p| p != u64::from(backend)) {
                    notes.push(Note::new("daemons", format!("{id} is registered with {tg_name} on port {}, not the group's {backend}", n(&t["Target"], "Port").unwrap_or(0))));
                }
            }
        }
        facts.listener_arns.insert(kind, listener_arn);
        facts.target_group_arns.insert(kind, tg_arn);
        facts.services.push((
            kind,
            port,
            backend,
            format!("listener {protocol}:{port} -> {tg_name} {tg_protocol}:{backend}"),
        ));
    }
    facts.tls = tls_of(modes, certificates, policies, notes);
    if drains.len() > 1 {
        notes.push(Note::new(
            "drain_timeout",
            "the target groups' deregistration delays differ; a spec has one, the longest",
        ));
    }
    facts.drain = drains.last().copied();
    if terminations.len() > 1 {
        notes.push(Note::new("health_check.unhealthy_connection_termination", "the target groups differ on closing an unhealthy target's connections; a spec has one setting, the first target group's"));
    }
    facts.unhealthy_termination = terminations.iter().next().copied();
    if idles.len() > 1 {
        notes.push(Note::new(
            "idle_timeout",
            format!(
                "the listeners' idle timeouts differ ({}s); a spec has one, the longest",
                idles
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join("s, ")
            ),
        ));
    }
    facts.idle = idles.last().copied();
    if checks.len() > 1 {
        notes.push(Note::new("health_check", "the target groups check differently; a spec has one health check, the first target group's"));
    }
    if let Some((port, path, interval, timeout, healthy, unhealthy)) = checks.into_iter().next() {
        facts.check_port = port;
        facts.check_path = path;
        facts.interval = interval;
        facts.timeout = timeout;
        facts.healthy = healthy;
        facts.unhealthy = unhealthy;
    }

    let tags = reader.read(&Call::new(
        "elbv2",
        "describe-tags",
        &["--resource-arns", &arn],
        None,
    ))?;
    let tags = list(&tags, "TagDescriptions")
        .first()
        .map(|t| pairs(list(t, "Tags")))
        .unwrap_or_default();
    read_tags(tags, facts, notes);
    Ok(instances)
}

/// The daemons: each instance's private DNS name, its Name tag, and its primary interface
/// (which may have the back-end group already).
fn read_instances(
    reader: &Reader,
    ids: &[String],
    facts: &mut Facts,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    if ids.is_empty() {
        notes.push(Note::new("daemons", "no instance is registered with the balancer: list the impalad coordinators under daemons"));
        return Ok(());
    }
    let mut args = vec!["--instance-ids"];
    args.extend(ids.iter().map(String::as_str));
    let described = reader.read(&Call::new("ec2", "describe-instances", &args, None))?;
    let found: Vec<&Value> = list(&described, "Reservations")
        .iter()
        .flat_map(|r| list(r, "Instances"))
        .collect();
    for id in ids {
        let Some(i) = found
            .iter()
            .find(|i| s(i, "InstanceId") == Some(id.as_str()))
        else {
            notes.push(Note::new(
                "daemons",
                format!("{id} is registered but describe-instances does not report it"),
            ));
            facts.daemons.push((id.clone(), None, None));
            continue;
        };
        // A Classic ELB with no zones listed: the region of its instances' zone.
        if facts.region.is_none() {
            facts.region = i["Placement"]
                .get("AvailabilityZone")
                .and_then(Value::as_str)
                .map(|az| {
                    az.trim_end_matches(|c: char| c.is_ascii_lowercase())
                        .to_string()
                });
        }
        let host = s(i, "PrivateDnsName")
            .filter(|h| !h.is_empty())
            .or(s(i, "PrivateIpAddress"))
            .map(str::to_string);
        let tag = pairs(list(i, "Tags")).get("Name").cloned();
        if let Some(state) = i["State"]
            .get("Name")
            .and_then(Value::as_str)
            .filter(|st| *st != "running")
        {
            notes.push(Note::new("daemons", format!("{id} is {state}")));
        }
        if let Some(eni) = list(i, "NetworkInterfaces")
            .iter()
            .find(|e| n(&e["Attachment"], "DeviceIndex") == Some(0))
        {
            let groups: Vec<String> = list(eni, "Groups")
                .iter()
                .filter_map(|g| s(g, "GroupId"))
                .map(str::to_string)
                .collect();
            if let Some(eni_id) = s(eni, "NetworkInterfaceId") {
                // Kept for now: whether these groups hold the back-end group is known later.
                facts
                    .interfaces
                    .insert(id.clone(), format!("{eni_id} {}", groups.join(" ")));
            }
        }
        facts.daemons.push((id.clone(), host, tag));
    }
    Ok(())
}

/// The front-end group (the balancer's), the back-end group (the one it admits on impalad's
/// ports), their rules, and the client blocks.
fn read_groups(reader: &Reader, facts: &mut Facts, notes: &mut Vec<Note>) -> Result<(), Error> {
    let interfaces = std::mem::take(&mut facts.interfaces);
    let Some((fe, _, _)) = facts.frontend.clone() else {
        return Ok(());
    };
    let vpc_filter = format!("Name=vpc-id,Values={}", facts.vpc);
    let described = reader.read(&Call::new(
        "ec2",
        "describe-security-groups",
        &["--filters", &vpc_filter],
        None,
    ))?;
    let groups = list(&described, "SecurityGroups");
    let text = |g: &Value| {
        (
            s(g, "GroupName").unwrap_or_default().to_string(),
            s(g, "Description").unwrap_or_default().to_string(),
        )
    };
    let Some(front) = groups.iter().find(|g| s(g, "GroupId") == Some(fe.as_str())) else {
        notes.push(Note::new(
            "aws.adopt.security_groups",
            format!("the balancer's group {fe} is not among the VPC's groups"),
        ));
        facts.frontend = None;
        return Ok(());
    };
    let (fe_name, fe_description) = text(front);
    facts.frontend = Some((fe.clone(), fe_name, fe_description));
    // The back-end group admits the front-end group.
    let candidates: Vec<&Value> = groups
        .iter()
        .filter(|g| s(g, "GroupId") != Some(fe.as_str()))
        .filter(|g| {
            list(g, "IpPermissions").iter().any(|p| {
                list(p, "UserIdGroupPairs")
                    .iter()
                    .any(|u| s(u, "GroupId") == Some(fe.as_str()))
            })
        })
        .collect();
    let back = candidates
        .iter()
        .find(|g| s(g, "GroupName").is_some_and(|n| n.ends_with(" Impala BE")))
        .or(candidates.first())
        .copied();
    if candidates.len() > 1 {
        notes.push(Note::new(
            "aws.adopt.security_groups.backend",
            format!(
                "{} groups admit the balancer's group; {} was adopted as the back-end group",
                candidates.len(),
                back.and_then(|g| s(g, "GroupId")).unwrap_or_default()
            ),
        ));
    }
    match back {
        Some(g) => {
            let id = s(g, "GroupId").unwrap_or_default().to_string();
            let (name, description) = text(g);
            for (instance, interface) in interfaces {
                let mut words = interface.split(' ');
                let eni = words.next().unwrap_or_default().to_string();
                if words.any(|w| w == id) {
                    facts.interfaces.insert(instance, eni);
                }
            }
            facts.backend = Some((id, name, description));
        }
        None => notes.push(Note::new("aws.adopt.security_groups", "no group admits the balancer's group, so no back-end group was adopted: the outputs create one and add it to the instances")),
    }

    let mut ids = vec![fe.clone()];
    ids.extend(facts.backend.as_ref().map(|b| b.0.clone()));
    let filter = format!("Name=group-id,Values={}", ids.join(","));
    let described = reader.read(&Call::new(
        "ec2",
        "describe-security-group-rules",
        &["--filters", &filter],
        None,
    ))?;
    for r in list(&described, "SecurityGroupRules") {
        let group = s(r, "GroupId").unwrap_or_default();
        let role = if group == fe {
            GroupRole::Frontend
        } else {
            GroupRole::Backend
        };
        facts.rules.push(ExistingRule {
            id: s(r, "SecurityGroupRuleId").unwrap_or_default().to_string(),
            role,
            egress: r["IsEgress"] == Value::Bool(true),
            protocol: s(r, "IpProtocol").unwrap_or_default().to_string(),
            from: r.get("FromPort").and_then(Value::as_i64).unwrap_or(-1),
            to: r.get("ToPort").and_then(Value::as_i64).unwrap_or(-1),
            cidr: s(r, "CidrIpv4").or(s(r, "CidrIpv6")).map(str::to_string),
            group: r["ReferencedGroupInfo"]
                .get("GroupId")
                .and_then(Value::as_str)
                .map(str::to_string),
            prefix_list: s(r, "PrefixListId").map(str::to_string),
        });
    }
    facts.rules.sort_by(|a, b| {
        (a.role, a.egress, a.from, &a.cidr, &a.id).cmp(&(b.role, b.egress, b.from, &b.cidr, &b.id))
    });

    // Client blocks: the front-end group's TCP ingress from CIDR blocks on the listener ports.
    let ports: BTreeSet<i64> = facts
        .services
        .iter()
        .map(|(_, p, ..)| i64::from(*p))
        .collect();
    let mut by_block: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for r in facts
        .rules
        .iter()
        .filter(|r| r.role == GroupRole::Frontend && !r.egress)
    {
        let Some(cidr) = &r.cidr else { continue };
        for p in ports
            .iter()
            .filter(|p| r.protocol == "-1" || r.protocol == "tcp" && (r.from..=r.to).contains(p))
        {
            by_block.entry(cidr.clone()).or_default().insert(*p);
        }
    }
    for (block, covered) in by_block {
        let canonical = syntax::cidr(&block)
            .map(|c| c.canonical)
            .unwrap_or(block.clone());
        if covered.len() < ports.len() {
            notes.push(Note::new("aws.client_cidrs", format!(
                "{block} may reach only port {} of the listeners; impala-lbgen admits each client block on every service port, so it now reaches all of them",
                covered.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            )));
        }
        if !facts.client_cidrs.contains(&canonical) {
            facts.client_cidrs.push(canonical);
        }
    }
    if facts.client_cidrs.is_empty() {
        notes.push(Note::new("aws.client_cidrs", "the balancer's group admits no CIDR block on the listener ports: list the client networks in client_cidrs"));
    }
    Ok(())
}

/// The spec for `facts`, with `rules` (the existing rules the spec asks for) in `aws.adopt`.
fn document(facts: &Facts, cluster: &str, rules: &[AdoptRuleSpec], _notes: &[Note]) -> Doc {
    let kind_text = if facts.network { "NLB" } else { "Classic ELB" };
    let migrating = facts.migrate_to.as_ref();
    let mut header = vec![
        format!("impala-lbgen spec imported from the {kind_text} {} by `impala-lbgen import aws`.", facts.name),
        match migrating {
            None => "It adopts what exists (aws.adopt): the outputs manage the balancer and its security groups rather than create new ones, so its DNS name, and the Kerberos principal tied to it, stay. Check it with `impala-lbgen validate`.".to_string(),
            Some((nlb, _)) => format!("It creates the NLB {nlb} beside it, sharing its security groups (aws.adopt), and moves clients by a weighted record pair on the name they use (aws.migrate_from): raise weight in steps, 0 to 100, as impala-config.md's runbook says. Check it with `impala-lbgen validate`."),
        },
        "A balancer does not know the cluster's Kerberos realm: if the cluster uses Kerberos, add kerberos: {realm: EXAMPLE.COM}.".to_string(),
    ];
    if facts.tls.is_none() {
        header.push("The listeners are plain TCP: if impalad itself terminates TLS, add tls: {mode: passthrough}.".to_string());
    }
    let mut root = Map::new();
    root.put("cluster", Val::str(cluster));
    let mut services = Map::new();
    for (kind, port, backend, from) in sorted(&facts.services) {
        let mut m = Map::new();
        m.put("port", Val::int(port));
        if backend != port {
            m.put("backend_port", Val::int(backend));
        }
        services.put_commented(kind.key(), Val::Flow(m), &from);
    }
    if !services.is_empty() {
        root.put("services", Val::Map(services));
    }
    let daemons = facts
        .daemons
        .iter()
        .map(|(id, host, tag)| {
            let mut m = Map::new();
            if let Some(h) = host {
                m.put("host", Val::str(h));
            }
            match tag {
                Some(t) => m.put_commented("instance_id", Val::str(id), &format!("Name: {t}")),
                None => m.put("instance_id", Val::str(id)),
            };
            Val::Map(m)
        })
        .collect();
    root.put("daemons", Val::List(daemons));

    let mut health = Map::new();
    match (&facts.check_path, facts.check_port) {
        (Some(path), Some(port)) => {
            let mut http = Map::new();
            http.put("port", Val::int(port));
            http.put("path", Val::str(path));
            health.put("http", Val::Flow(http));
        }
        // A TCP check on a port no service uses (noted when read) stays the default check.
        (None, Some(port)) => {
            if let Some((kind, ..)) = facts.services.iter().find(|(_, _, b, _)| *b == port) {
                health.put_commented(
                    "service",
                    Val::str(kind.key()),
                    &format!("TCP connect to port {port}"),
                );
            }
        }
        _ => {}
    }
    let secs = |v: Option<u64>| v.map(|s| Val::str(&format!("{s}s")));
    if let Some(v) = secs(facts.interval) {
        health.put("interval", v);
    }
    if let Some(v) = secs(facts.timeout) {
        health.put("timeout", v);
    }
    if let Some(v) = facts.healthy {
        health.put("healthy_threshold", Val::int(i64::try_from(v).unwrap_or(0)));
    }
    if let Some(v) = facts.unhealthy {
        health.put(
            "unhealthy_threshold",
            Val::int(i64::try_from(v).unwrap_or(0)),
        );
    }
    if !health.is_empty() {
        root.put("health_check", Val::Map(health));
    }
    if let Some(idle) = facts.idle {
        root.put("idle_timeout", Val::str(&format!("{idle}s")));
    }
    if let Some(d) = facts.drain.filter(|d| *d != plan::DEFAULT_DRAIN_TIMEOUT) {
        root.put("drain_timeout", Val::str(&format!("{d}s")));
    }
    if let Some((mode, certificate, policy)) = &facts.tls {
        let mut tls = Map::new();
        tls.put("mode", Val::str(mode));
        if let Some(c) = certificate {
            tls.put("certificate_arn", Val::str(c));
        }
        if let Some(p) = policy.as_ref().filter(|_| migrating.is_none()) {
            tls.put("policy", Val::str(p));
        }
        root.put("tls", Val::Map(tls));
    }

    let mut aws = Map::new();
    aws.put("region", Val::str(facts.region.as_deref().unwrap_or("")));
    aws.put("vpc_id", Val::str(&facts.vpc));
    aws.put("subnet_ids", Val::strs(&facts.subnets));
    let network = facts.network || migrating.is_some();
    aws.put(
        "load_balancer",
        Val::str(if network { "network" } else { "classic" }),
    );
    match migrating {
        Some((nlb, _)) => {
            aws.put_commented("name", Val::str(nlb), "the new NLB");
        }
        None if facts.name != format!("elb-impala-{cluster}") => {
            aws.put("name", Val::str(&facts.name));
        }
        None => {}
    }
    aws.put("scheme", Val::str(&facts.scheme));
    if facts.dualstack {
        aws.put("ip_address_type", Val::str("dualstack"));
    }
    aws.put("client_cidrs", Val::strs(&facts.client_cidrs));
    if let Some((bucket, prefix, interval)) = &facts.logs {
        let mut logs = Map::new();
        logs.put("bucket", Val::str(bucket));
        if let Some(p) = prefix {
            logs.put("prefix", Val::str(p));
        }
        if let Some(i) = interval.filter(|_| migrating.is_none()) {
            logs.put("interval", Val::str(&format!("{i}m")));
        }
        aws.put("access_logs", Val::Flow(logs));
    }
    if !facts.tags.is_empty() {
        let mut tags = Map::new();
        for (k, v) in &facts.tags {
            tags.put(k, Val::str(v));
        }
        aws.put("tags", Val::Flow(tags));
    }

    if let Some((_, record)) = migrating {
        let mut m = Map::new();
        m.put_commented("name", Val::str(&facts.name), "the Classic ELB to retire");
        m.put("dns_name", Val::str(&facts.dns_name));
        m.put(
            "hosted_zone_id",
            Val::str(facts.zone_id.as_deref().unwrap_or("")),
        );
        m.put_commented(
            "weight",
            Val::int(0),
            "percent of new connections to the NLB: 0, then in steps to 100",
        );
        if let Some((name, zone)) = record {
            let mut r = Map::new();
            r.put("name", Val::str(name));
            r.put("hosted_zone_id", Val::str(zone));
            m.put_commented("record", Val::Flow(r), "the name clients use");
        }
        aws.put("migrate_from", Val::Map(m));
    }
    let mut adopt = Map::new();
    if migrating.is_none() {
        adopt.put_commented("name", Val::str(&facts.name), "the existing balancer");
        if let Some(arn) = &facts.arn {
            adopt.put("arn", Val::str(arn));
        }
    }
    let mut groups = Map::new();
    for (role, group, name, description) in [
        (
            "frontend",
            &facts.frontend,
            format!("{cluster} Impala FE"),
            "Impala Front-End Traffic",
        ),
        (
            "backend",
            &facts.backend,
            format!("{cluster} Impala BE"),
            "Impala Back-End Traffic",
        ),
    ] {
        if let Some((id, n, d)) = group {
            let mut g = Map::new();
            g.put("id", Val::str(id));
            if *n != name {
                g.put("name", Val::str(n));
            }
            if d != description {
                g.put("description", Val::str(d));
            }
            groups.put(role, Val::Flow(g));
        }
    }
    if !groups.is_empty() {
        adopt.put("security_groups", Val::Map(groups));
    }
    for (field, arns) in [
        ("listeners", &facts.listener_arns),
        ("target_groups", &facts.target_group_arns),
    ] {
        if !arns.is_empty() && migrating.is_none() {
            let mut m = Map::new();
            for (k, arn) in arns {
                m.put(k.key(), Val::str(arn));
            }
            adopt.put(field, Val::Map(m));
        }
    }
    if !rules.is_empty() {
        let items = rules
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.put("id", Val::str(&r.id));
                m.put("group", Val::str(r.group.key()));
                m.put("direction", Val::str(r.direction.key()));
                m.put("port", Val::int(r.port));
                match (&r.cidr, r.peer) {
                    (Some(c), _) => m.put("cidr", Val::str(c)),
                    (None, Some(p)) => m.put("peer", Val::str(p.key())),
                    _ => &mut m,
                };
                Val::Flow(m)
            })
            .collect();
        adopt.put_commented(
            "rules",
            Val::List(items),
            "the existing rules that are ones the spec asks for",
        );
    }
    if !facts.interfaces.is_empty() {
        let mut m = Map::new();
        for (instance, eni) in &facts.interfaces {
            m.put(instance, Val::str(eni));
        }
        adopt.put_commented(
            "network_interfaces",
            Val::Map(m),
            "already in the back-end group",
        );
    }
    if !adopt.is_empty() {
        aws.put("adopt", Val::Map(adopt));
    }
    root.put("aws", Val::Map(aws));
    Doc { header, root }
}

fn sorted(services: &[(ServiceKind, u16, u16, String)]) -> Vec<(ServiceKind, u16, u16, String)> {
    let mut v = services.to_vec();
    v.sort_by_key(|s| s.0);
    v
}
