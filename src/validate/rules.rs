//! The semantic rules. `general` always runs; `aws` and `haproxy` add the limits of those targets.

use std::collections::HashMap;

use super::limits::*;
use super::syntax::{self, describe_char};
use super::Scope;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::plan;
use crate::spec::model::*;
use crate::spec::path::Path;

type Out = Vec<Diagnostic>;

fn p(text: &str) -> Path {
    Path::parse(text)
}

fn secs(d: Option<Duration>, default: u64) -> u64 {
    d.map_or(default, Duration::as_secs)
}

/// Rules that hold whatever the spec is generated into.
pub fn general(spec: &Spec, out: &mut Out) {
    cluster_name(spec, out);
    service_ports(spec, out);
    daemons(spec, out);
    health_check(spec, out);
    if let Some(t) = spec.idle_timeout {
        if t.as_secs() == 0 {
            out.push(
                Diagnostic::error(p("idle_timeout"), "idle_timeout is 0").hint(
                    "use at least 1s; Impala queries may run for a long time, so 3600s is usual",
                ),
            );
        }
    }
    if spec.drain_timeout.is_some_and(|t| t.as_secs() == 0) {
        out.push(
            Diagnostic::error(p("drain_timeout"), "drain_timeout is 0, so a daemon taken out of rotation would have its connections cut at once")
                .hint("use the time a running query may need to finish; 300s is AWS's default"),
        );
    }
    tls(spec, out);
    if let Some(k) = &spec.kerberos {
        realm(&k.realm, out);
        kerberos_hosts(spec, out);
        if let Some(keytab) = &k.keytab {
            if let Err(why) = syntax::abs_path(keytab) {
                out.push(
                    Diagnostic::error(p("kerberos.keytab"), format!("kerberos.keytab {keytab:?}: {why}"))
                        .hint("the path of the merged keytab on each impalad host, such as /etc/impala/impala-proxy.keytab"),
                );
            }
        }
    }
    if !spec.daemons.is_empty() && spec.daemons.iter().all(|d| d.backup == Some(true)) {
        out.push(
            Diagnostic::error(p("daemons"), "every daemon is a backup, so none is active")
                .at_key()
                .hint("a backup coordinator takes clients only while every active one is down: mark at least one daemon without backup: true"),
        );
    }
    if spec.daemons.len() == 1 {
        out.push(
            Diagnostic::warning(
                p("daemons"),
                "only one daemon: the balancer gives no high availability",
            )
            .hint("list two or more impalad coordinators"),
        );
    }
}

fn cluster_name(spec: &Spec, out: &mut Out) {
    let c = &spec.cluster;
    let path = p("cluster");
    let form = "letters, digits, '.', '_' and '-', starting with a letter or digit";
    if c.is_empty() {
        out.push(
            Diagnostic::error(path, "the cluster name is empty")
                .hint(format!("use {form}, such as cluster1")),
        );
    } else if c.chars().count() > CLUSTER_NAME_MAX {
        out.push(
            Diagnostic::error(
                path,
                format!("the cluster name is longer than {CLUSTER_NAME_MAX} characters"),
            )
            .hint("use a shorter name; it appears in every resource name"),
        );
    } else if let Some(ch) = c
        .chars()
        .find(|ch| !(ch.is_ascii_alphanumeric() || "._-".contains(*ch)))
    {
        out.push(
            Diagnostic::error(
                path,
                format!("the cluster name contains {}", describe_char(ch)),
            )
            .hint(format!("use {form}")),
        );
    } else if !c.starts_with(|ch: char| ch.is_ascii_alphanumeric()) {
        out.push(
            Diagnostic::error(path, "the cluster name must start with a letter or digit")
                .hint(format!("use {form}")),
        );
    }
}

fn service_ports(spec: &Spec, out: &mut Out) {
    let services = plan::services(spec);
    let mut seen: HashMap<i64, ServiceKind> = HashMap::new();
    for (kind, port, _) in &services {
        if let Some(other) = seen.insert(*port, *kind) {
            out.push(
                Diagnostic::error(
                    p(&format!("services.{kind}.port")),
                    format!("port {port} is used by both {other} and {kind}"),
                )
                .hint("each service needs its own port on the balancer"),
            );
        }
    }
    // A shared impalad port; when neither service writes backend_port, the clash is the
    // balancer-port clash above and is reported once.
    let written = |k: &ServiceKind| {
        spec.services
            .as_ref()
            .and_then(|s| s.get(k))
            .is_some_and(|s| s.backend_port.is_some())
    };
    let mut seen: HashMap<i64, ServiceKind> = HashMap::new();
    for (kind, _, backend) in &services {
        if let Some(other) = seen.insert(*backend, *kind) {
            if !written(kind) && !written(&other) {
                continue;
            }
            let field = if written(kind) {
                "backend_port"
            } else {
                "port"
            };
            out.push(
                Diagnostic::error(p(&format!("services.{kind}.{field}")), format!("impalad port {backend} is used by both {other} and {kind}"))
                    .hint("each service has its own impalad port (--beeswax_port, --hs2_port, --hs2_http_port)"),
            );
        }
    }
}

fn daemons(spec: &Spec, out: &mut Out) {
    let mut hosts: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, d) in spec.daemons.iter().enumerate() {
        let at = || Path::root().key("daemons").index(i);
        if d.host.is_none() && d.instance_id.is_none() {
            out.push(
                Diagnostic::error(at(), "a daemon needs a host, an instance_id, or both")
                    .hint("host for HAProxy, instance_id for AWS"),
            );
        }
        if let Some(h) = &d.host {
            if let Err(why) = syntax::host(h) {
                out.push(Diagnostic::error(at().key("host"), format!("host {h:?} is not a DNS name or IP address: {why}")).hint("write the impalad's host name, such as ip-10-30-1-35.ec2.internal, or its IP address"));
            } else if let Some(first) = hosts.insert(h.as_str(), i) {
                out.push(
                    Diagnostic::error(
                        at().key("host"),
                        format!("host {h} is listed twice (also daemons[{first}])"),
                    )
                    .hint("list each impalad once"),
                );
            }
        }
        if let Some(id) = &d.instance_id {
            if let Err(why) = syntax::aws_id(id, "i") {
                out.push(Diagnostic::error(
                    at().key("instance_id"),
                    format!("instance_id {id:?} is not an EC2 instance ID: {why}"),
                ));
            } else if let Some(first) = ids.insert(id.as_str(), i) {
                out.push(
                    Diagnostic::error(
                        at().key("instance_id"),
                        format!("instance {id} is listed twice (also daemons[{first}])"),
                    )
                    .hint("list each impalad once"),
                );
            }
        }
    }
}

/// With Kerberos, each impalad's own principal is `impala/<its FQDN>@REALM`
/// (`--be_principal`), and Kerberos host-based principals name hosts, not addresses.
fn kerberos_hosts(spec: &Spec, out: &mut Out) {
    for (i, d) in spec.daemons.iter().enumerate() {
        let Some(h) = &d.host else { continue };
        if h.parse::<std::net::IpAddr>().is_ok() {
            out.push(
                Diagnostic::error(
                    Path::root().key("daemons").index(i).key("host"),
                    format!("host {h} is an IP address, but with Kerberos each impalad is known by its principal impala/<fully qualified host name>@REALM"),
                )
                .hint("write the impalad's fully qualified host name (what `hostname -f` prints on it), as its Kerberos principal has it"),
            );
        }
    }
}

fn health_check(spec: &Spec, out: &mut Out) {
    let Some(hc) = &spec.health_check else { return };
    let configured: Vec<ServiceKind> = plan::services(spec).into_iter().map(|s| s.0).collect();
    if hc.service.is_some() && hc.http.is_some() {
        out.push(
            Diagnostic::error(
                p("health_check.http"),
                "health_check has both service and http",
            )
            .at_key()
            .hint("keep service for a TCP check or http for an HTTP check, not both"),
        );
    }
    if let Some(s) = hc.service {
        if !configured.contains(&s) {
            let list: Vec<&str> = configured.iter().map(|k| k.key()).collect();
            out.push(
                Diagnostic::error(
                    p("health_check.service"),
                    format!("health_check.service is {s}, which is not one of the services"),
                )
                .hint(format!("name one of: {}", list.join(", "))),
            );
        }
    }
    if let Some(http) = &hc.http {
        if spec.kerberos.is_some() && http.port == plan::IMPALAD_WEBSERVER_PORT {
            out.push(
                Diagnostic::warning(
                    p("health_check.http.port"),
                    format!("the health check asks impalad's web server (--webserver_port, {}) for /healthz, but with Kerberos its web server usually requires SPNEGO (--webserver_require_spnego) or LDAP, and then answers 401 and every daemon looks down", plan::IMPALAD_WEBSERVER_PORT),
                )
                .hint("start impalad with --metrics_webserver_port=<port> (any free port, such as 25040), which serves /healthz without authentication, and check that port"),
            );
        }
        if let Some(path) = &http.path {
            let bad = path
                .chars()
                .find(|c| c.is_control() || c.is_whitespace() || !c.is_ascii());
            if !path.starts_with('/') {
                out.push(
                    Diagnostic::error(
                        p("health_check.http.path"),
                        format!("the health check path {path:?} does not start with '/'"),
                    )
                    .hint("such as /healthz"),
                );
            } else if let Some(c) = bad {
                out.push(
                    Diagnostic::error(
                        p("health_check.http.path"),
                        format!("the health check path contains {}", describe_char(c)),
                    )
                    .hint("percent-encode it, or use /healthz"),
                );
            } else if path.len() > HEALTH_PATH_MAX {
                out.push(Diagnostic::error(
                    p("health_check.http.path"),
                    format!("the health check path is longer than {HEALTH_PATH_MAX} characters"),
                ));
            } else if path.contains(['"', '\'', '\\', '#', '`', '$']) {
                out.push(
                    Diagnostic::error(
                        p("health_check.http.path"),
                        "the health check path contains a quote, '#', '\\', '`' or '$'",
                    )
                    .hint("percent-encode it"),
                );
            }
        }
    }
    let interval = secs(hc.interval, plan::DEFAULT_HEALTH_INTERVAL);
    let timeout = secs(hc.timeout, plan::DEFAULT_HEALTH_TIMEOUT);
    if hc.interval.is_some() && interval == 0 {
        out.push(
            Diagnostic::error(p("health_check.interval"), "the health check interval is 0")
                .hint("use at least 1s (AWS: 5s)"),
        );
    }
    if hc.timeout.is_some() && timeout == 0 {
        out.push(
            Diagnostic::error(p("health_check.timeout"), "the health check timeout is 0")
                .hint("use at least 1s (AWS: 2s)"),
        );
    }
    if timeout >= interval && interval > 0 {
        let at = if hc.timeout.is_some() {
            "health_check.timeout"
        } else {
            "health_check.interval"
        };
        out.push(
            Diagnostic::error(p(at), format!("the health check timeout ({timeout}s) is not below its interval ({interval}s)"))
                .hint(format!("a check must end before the next starts: make the timeout at most {}s or the interval longer", interval.saturating_sub(1).max(1))),
        );
    }
}

fn tls(spec: &Spec, out: &mut Out) {
    let Some(t) = &spec.tls else { return };
    let passthrough = t.mode == TlsMode::Passthrough;
    let has_sans = t
        .subject_alternative_names
        .as_ref()
        .is_some_and(|s| !s.is_empty());
    if let Some(d) = &t.domain {
        if let Err(why) = syntax::dns_name(d, true) {
            out.push(Diagnostic::error(
                p("tls.domain"),
                format!("tls.domain {d:?} is not a DNS name: {why}"),
            ));
        }
    }
    // On premises, HAProxy presents haproxy.certificate (a PEM file) and sets its own TLS
    // versions: the fields for AWS's certificate, policy and DNS would be silently ignored.
    let onprem = spec.aws.is_none();
    if onprem {
        let aws_only = [
            (
                "certificate_arn",
                t.certificate_arn.is_some(),
                "names an ACM or IAM certificate, which only an AWS balancer can use",
                "HAProxy presents the PEM file haproxy.certificate (default /etc/haproxy/certs/<cluster>.pem): remove certificate_arn",
            ),
            (
                "subject_alternative_names",
                has_sans,
                "lists names for the ACM certificate an AWS balancer requests",
                "put the names in the certificate of haproxy.certificate, and remove them here",
            ),
            (
                "hosted_zone_id",
                t.hosted_zone_id.is_some(),
                "is the Route 53 zone of an AWS balancer's records",
                "point the name clients use (haproxy.public_name) at the HAProxy host in your DNS, and remove hosted_zone_id",
            ),
            (
                "policy",
                t.policy.is_some(),
                "is an ELB security policy",
                "HAProxy refuses protocols below TLS 1.2 (ssl-default-bind-options): remove policy",
            ),
        ];
        for (field, present, what, hint) in aws_only {
            if present {
                out.push(
                    Diagnostic::error(
                        p(&format!("tls.{field}")),
                        format!("tls.{field} {what}, and this spec has no aws section"),
                    )
                    .at_key()
                    .hint(hint),
                );
            }
        }
    }
    if passthrough && !onprem {
        if t.certificate_arn.is_some() {
            out.push(Diagnostic::error(p("tls.certificate_arn"), "passthrough TLS: the balancer holds no certificate").at_key().hint("impalad terminates TLS with its own certificate; remove certificate_arn, or use mode: offload or bridge"));
        }
        if t.policy.is_some() {
            out.push(
                Diagnostic::error(
                    p("tls.policy"),
                    "passthrough TLS: the balancer negotiates no TLS, so a policy has no effect",
                )
                .at_key()
                .hint("remove policy; impalad's --ssl_minimum_version sets the protocol"),
            );
        }
        if has_sans {
            out.push(Diagnostic::error(p("tls.subject_alternative_names"), "passthrough TLS requests no certificate, so subject_alternative_names have no effect").at_key().hint("put these names in impalad's own certificate, and remove them here"));
        }
    }
    if let Some(arn) = &t.certificate_arn {
        if let Err(why) = syntax::certificate_arn(arn) {
            out.push(Diagnostic::error(
                p("tls.certificate_arn"),
                format!("certificate_arn {arn:?} is not a certificate ARN: {why}"),
            ));
        }
        if has_sans && !passthrough && !onprem {
            out.push(Diagnostic::error(p("tls.subject_alternative_names"), "subject_alternative_names apply only to a certificate impala-lbgen requests, but certificate_arn names an existing one").at_key().hint("remove subject_alternative_names, or certificate_arn to request a new certificate"));
        }
    }
    if let Some(sans) = &t.subject_alternative_names {
        let mut seen = Vec::new();
        for (i, san) in sans.iter().enumerate() {
            let at = Path::root()
                .key("tls")
                .key("subject_alternative_names")
                .index(i);
            if let Err(why) = syntax::dns_name(san, true) {
                out.push(Diagnostic::error(
                    at,
                    format!("{san:?} is not a DNS name: {why}"),
                ));
            } else if seen.contains(&san) || t.domain.as_ref() == Some(san) {
                out.push(
                    Diagnostic::error(at, format!("{san} is listed twice"))
                        .hint("the domain is always on the certificate; list each other name once"),
                );
            }
            seen.push(san);
        }
        if sans.len() > ACM_SANS_MAX {
            out.push(Diagnostic::error(
                p("tls.subject_alternative_names"),
                format!(
                    "{} subject alternative names; ACM allows at most {ACM_SANS_MAX}",
                    sans.len()
                ),
            ));
        } else if sans.len() + 1 > ACM_SANS_DEFAULT_QUOTA {
            out.push(Diagnostic::warning(p("tls.subject_alternative_names"), format!("{} names on one certificate exceed ACM's default quota of {ACM_SANS_DEFAULT_QUOTA}", sans.len() + 1)).hint("ask AWS to raise the 'Domain names per ACM certificate' quota first"));
        }
    }
    if let Some(z) = &t.hosted_zone_id {
        if let Err(why) = syntax::hosted_zone_id(z) {
            out.push(Diagnostic::error(
                p("tls.hosted_zone_id"),
                format!("hosted_zone_id {z:?} is not a Route 53 zone ID: {why}"),
            ));
        }
        if t.domain.is_none() {
            out.push(
                Diagnostic::error(
                    p("tls.hosted_zone_id"),
                    "hosted_zone_id needs tls.domain: it holds that name's records",
                )
                .at_key()
                .hint("set tls.domain to the name clients use"),
            );
        }
    }
    if let Some(policy) = &t.policy {
        let ok = policy.starts_with("ELBSecurityPolicy-") || policy.starts_with("ELBSample-");
        if !ok || policy.contains(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            out.push(Diagnostic::error(p("tls.policy"), format!("tls.policy {policy:?} is not an ELB security policy name")).hint(format!("such as {CLASSIC_DEFAULT_TLS_POLICY} (Classic) or {NLB_DEFAULT_TLS_POLICY} (NLB)")));
        }
    }
}

fn realm(r: &str, out: &mut Out) {
    let at = p("kerberos.realm");
    if r.is_empty() {
        out.push(Diagnostic::error(at, "the Kerberos realm is empty").hint("such as EXAMPLE.COM"));
    } else if let Some(c) = r
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-".contains(*c)))
    {
        out.push(
            Diagnostic::error(
                at,
                format!("the Kerberos realm contains {}", describe_char(c)),
            )
            .hint("realms use letters, digits, '.', '_' and '-', such as EXAMPLE.COM"),
        );
    } else if r.chars().any(|c| c.is_ascii_lowercase()) {
        out.push(
            Diagnostic::warning(at, format!("the Kerberos realm {r} is not upper case")).hint(
                format!(
                    "realms are case-sensitive and almost always upper case: did you mean {}?",
                    r.to_ascii_uppercase()
                ),
            ),
        );
    }
}

/// Rules for the AWS targets (Classic ELB or NLB).
pub fn aws(spec: &Spec, scope: Scope, out: &mut Out) {
    let Some(a) = &spec.aws else {
        if let Some(target) = scope.target {
            out.push(
                Diagnostic::error(Path::root(), format!("the {target} target needs an `aws` section"))
                    .hint("add aws: with region, vpc_id, subnet_ids and client_cidrs (see examples/cluster1.yaml)"),
            );
        }
        return;
    };
    let kind = a.load_balancer.unwrap_or(LoadBalancerKind::Classic);
    let nlb = kind == LoadBalancerKind::Network;
    let what = if let Some(t) = scope.target {
        format!("the {t} target")
    } else {
        "an AWS balancer".to_string()
    };

    for (i, d) in spec.daemons.iter().enumerate() {
        if d.backup == Some(true) {
            out.push(
                Diagnostic::error(
                    Path::root().key("daemons").index(i).key("backup"),
                    format!("daemons[{i}] is a backup, but an AWS load balancer has no backup targets: {what} would send it clients like any other"),
                )
                .hint("remove backup: true (AWS balances over every healthy instance), or put HAProxy in front for active/backup coordinators"),
            );
        }
        if d.instance_id.is_none() {
            out.push(
                Diagnostic::error(
                    Path::root().key("daemons").index(i),
                    format!("daemons[{i}] has no instance_id, which {what} needs"),
                )
                .hint("add the EC2 instance ID (i-...) of this impalad"),
            );
        }
    }
    if let Err(why) = syntax::region(&a.region) {
        out.push(Diagnostic::error(
            p("aws.region"),
            format!("region {:?} is not an AWS region: {why}", a.region),
        ));
    }
    if let Err(why) = syntax::aws_id(&a.vpc_id, "vpc") {
        out.push(Diagnostic::error(
            p("aws.vpc_id"),
            format!("vpc_id {:?} is not a VPC ID: {why}", a.vpc_id),
        ));
    }
    for (i, s) in a.subnet_ids.iter().enumerate() {
        let at = Path::root().key("aws").key("subnet_ids").index(i);
        if let Err(why) = syntax::aws_id(s, "subnet") {
            out.push(Diagnostic::error(
                at,
                format!("{s:?} is not a subnet ID: {why}"),
            ));
        } else if a.subnet_ids[..i].contains(s) {
            out.push(Diagnostic::error(at, format!("subnet {s} is listed twice")));
        }
    }

    let name = plan::lb_name(spec);
    if let Err(why) = syntax::lb_name(&name) {
        let d = if a.name.is_some() {
            Diagnostic::error(
                p("aws.name"),
                format!("balancer name {name:?} is not valid: {why}"),
            )
        } else {
            Diagnostic::error(
                p("cluster"),
                format!(
                    "the balancer name derived from the cluster, {name:?}, is not valid: {why}"
                ),
            )
        };
        out.push(d.hint(format!("set aws.name to up to {LB_NAME_MAX} letters, digits and '-', not starting or ending with '-'")));
    } else if nlb && name.starts_with("internal-") {
        out.push(
            Diagnostic::error(p("aws.name"), "an NLB's name must not start with internal-")
                .hint("AWS reserves the prefix for internal balancers' DNS names"),
        );
    }

    let mut seen = Vec::new();
    for (i, c) in a.client_cidrs.iter().enumerate() {
        let at = Path::root().key("aws").key("client_cidrs").index(i);
        match syntax::cidr(c) {
            Err(why) => out.push(Diagnostic::error(
                at,
                format!("{c:?} is not a CIDR block: {why}"),
            )),
            Ok(block) => {
                if block.canonical != *c {
                    out.push(
                        Diagnostic::error(at.clone(), format!("{c} has host bits set"))
                            .hint(format!("write the network address: {}", block.canonical)),
                    );
                } else if seen.contains(&block.canonical) {
                    out.push(Diagnostic::error(
                        at.clone(),
                        format!("{c} is listed twice"),
                    ));
                } else if block.prefix == 0 {
                    out.push(
                        Diagnostic::warning(
                            at.clone(),
                            format!("{c} lets every address reach the balancer"),
                        )
                        .hint("list the client networks (VPC, VPN, office) instead"),
                    );
                }
                seen.push(block.canonical);
            }
        }
    }

    let terminates = spec
        .tls
        .as_ref()
        .is_some_and(|t| t.mode != TlsMode::Passthrough);
    if let Some(t) = &spec.tls {
        aws_tls(t, a, out);
    }
    if a.scheme == Some(Scheme::InternetFacing) && spec.tls.is_none() {
        out.push(
            Diagnostic::warning(
                p("aws.scheme"),
                "an internet-facing balancer without TLS sends queries and passwords in clear text",
            )
            .hint("add tls (offload, bridge or passthrough), or make the scheme internal"),
        );
    }

    if let Some(logs) = &a.access_logs {
        if let Err((why, fix)) = syntax::s3_bucket(&logs.bucket) {
            let mut d = Diagnostic::error(
                p("aws.access_logs.bucket"),
                format!("S3 bucket name {:?} is not valid: {why}", logs.bucket),
            );
            d = d.hint(match fix {
                Some(f) => format!("try {f:?}"),
                None => "bucket names are 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit".to_string(),
            });
            out.push(d);
        }
        if let Some(prefix) = &logs.prefix {
            let at = p("aws.access_logs.prefix");
            if prefix.starts_with('/') || prefix.ends_with('/') {
                out.push(
                    Diagnostic::error(
                        at,
                        format!("the log prefix {prefix:?} starts or ends with '/'"),
                    )
                    .hint("ELB adds the '/' itself: write cluster1-impala, not /cluster1-impala/"),
                );
            } else if prefix.contains("AWSLogs") {
                out.push(
                    Diagnostic::error(at, "the log prefix must not contain AWSLogs")
                        .hint("ELB adds AWSLogs/<account>/ after the prefix itself"),
                );
            } else if let Some(c) = prefix
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || "!-_.*'()/".contains(*c)))
            {
                out.push(
                    Diagnostic::error(at, format!("the log prefix contains {}", describe_char(c)))
                        .hint("use letters, digits and ! - _ . * ' ( ) /"),
                );
            } else if prefix.is_empty() {
                out.push(
                    Diagnostic::error(at, "the log prefix is empty")
                        .hint("remove prefix, or give one"),
                );
            }
        }
        if let Some(iv) = logs.interval {
            let minutes = iv.as_secs() / 60;
            if iv.as_secs() % 60 != 0 || !CLASSIC_LOG_EMIT_MINUTES.contains(&minutes) {
                out.push(
                    Diagnostic::error(
                        p("aws.access_logs.interval"),
                        format!(
                            "access log interval {} is neither 5m nor 60m",
                            show_duration(iv)
                        ),
                    )
                    .hint("ELB publishes access logs every 5 or every 60 minutes"),
                );
            } else if nlb && minutes != 5 {
                out.push(Diagnostic::warning(p("aws.access_logs.interval"), "an NLB publishes its access logs every 5 minutes; the interval applies only to a Classic ELB").hint("remove interval"));
            }
        }
        if nlb && !terminates {
            out.push(
                Diagnostic::warning(p("aws.access_logs"), "an NLB writes access logs only for TLS listeners, and this one has none")
                    .at_key()
                    .hint("no logs will be written; use tls mode offload or bridge, or remove access_logs"),
            );
        }
        if let Some(days) = logs.retention_days {
            let at = p("aws.access_logs.retention_days");
            if logs.create_bucket != Some(true) {
                out.push(
                    Diagnostic::error(at, "retention_days applies only to a bucket impala-lbgen creates")
                        .at_key()
                        .hint("set create_bucket: true, or give your own bucket a lifecycle rule and remove retention_days"),
                );
            } else if !(1..=S3_EXPIRATION_DAYS_MAX).contains(&days) {
                out.push(
                    Diagnostic::error(
                        at,
                        format!("retention_days {days} is outside 1 to {S3_EXPIRATION_DAYS_MAX}"),
                    )
                    .hint("such as 90"),
                );
            }
        }
    }

    if let Some(alarms) = &a.alarms {
        alarms_rules(spec, alarms, &a.region, out);
    }

    if let Some(tags) = &a.tags {
        if tags.len() > TAGS_MAX {
            out.push(
                Diagnostic::error(
                    p("aws.tags"),
                    format!(
                        "{} tags; AWS allows 50 per resource and impala-lbgen adds Name",
                        tags.len()
                    ),
                )
                .at_key()
                .hint(format!("keep at most {TAGS_MAX}")),
            );
        }
        for (k, v) in tags {
            let at = Path::root().key("aws").key("tags").key(k.clone());
            if k.is_empty() || k.chars().count() > TAG_KEY_MAX {
                out.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("tag key {k:?} must have 1 to {TAG_KEY_MAX} characters"),
                    )
                    .at_key(),
                );
            } else if k.to_ascii_lowercase().starts_with("aws:") {
                out.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("tag key {k:?} starts with aws:, which AWS reserves"),
                    )
                    .at_key(),
                );
            } else if k == "Name" {
                out.push(
                    Diagnostic::error(at.clone(), "impala-lbgen sets the Name tag itself")
                        .at_key()
                        .hint("remove it; resources are named after the cluster"),
                );
            } else if let Some(c) = k.chars().find(|c| !syntax::tag_char_ok(*c)) {
                out.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("tag key {k:?} contains {}", describe_char(c)),
                    )
                    .at_key()
                    .hint("tags use letters, digits, spaces and _ . : / = + - @"),
                );
            }
            if v.chars().count() > TAG_VALUE_MAX {
                out.push(Diagnostic::error(
                    at.clone(),
                    format!("the value of tag {k} is longer than {TAG_VALUE_MAX} characters"),
                ));
            } else if let Some(c) = v.chars().find(|c| !syntax::tag_char_ok(*c)) {
                out.push(
                    Diagnostic::error(
                        at,
                        format!("the value of tag {k} contains {}", describe_char(c)),
                    )
                    .hint("tags use letters, digits, spaces and _ . : / = + - @"),
                );
            }
        }
    }

    // Health check limits.
    let hc = spec.health_check.clone().unwrap_or_default();
    let interval = secs(hc.interval, plan::DEFAULT_HEALTH_INTERVAL);
    let timeout = secs(hc.timeout, plan::DEFAULT_HEALTH_TIMEOUT);
    let (lo, hi) = AWS_HEALTH_INTERVAL_SECS;
    if !(lo..=hi).contains(&interval) {
        out.push(
            Diagnostic::error(
                p("health_check.interval"),
                format!("the health check interval {interval}s is outside AWS's {lo}s to {hi}s"),
            )
            .hint(format!("for {what}, use {lo}s to {hi}s")),
        );
    }
    let (tlo, thi) = if nlb {
        NLB_HEALTH_TIMEOUT_SECS
    } else {
        CLASSIC_HEALTH_TIMEOUT_SECS
    };
    if !(tlo..=thi).contains(&timeout) {
        let lb = if nlb { "an NLB" } else { "a Classic ELB" };
        out.push(Diagnostic::error(p("health_check.timeout"), format!("the health check timeout {timeout}s is outside {tlo}s to {thi}s, the range of {lb}")));
    }
    let (clo, chi) = AWS_HEALTH_THRESHOLD;
    for (field, value) in [
        ("healthy_threshold", hc.healthy_threshold),
        ("unhealthy_threshold", hc.unhealthy_threshold),
    ] {
        if let Some(v) = value {
            if !(clo..=chi).contains(&v) {
                out.push(
                    Diagnostic::error(
                        p(&format!("health_check.{field}")),
                        format!("{field} {v} is outside AWS's {clo} to {chi}"),
                    )
                    .hint(format!("use {clo} to {chi}")),
                );
            }
        }
    }

    // How long a draining daemon keeps its connections.
    let drain = secs(spec.drain_timeout, plan::DEFAULT_DRAIN_TIMEOUT);
    let (lo, hi, setting) = if nlb {
        let (lo, hi) = NLB_DEREGISTRATION_DELAY_SECS;
        (lo, hi, "an NLB target group's deregistration delay")
    } else {
        let (lo, hi) = CLASSIC_CONNECTION_DRAINING_SECS;
        (lo, hi, "a Classic ELB's connection draining timeout")
    };
    if drain > 0 && !(lo..=hi).contains(&drain) {
        out.push(
            Diagnostic::error(
                p("drain_timeout"),
                format!("drain_timeout {drain}s is outside {lo}s to {hi}s, the range of {setting}"),
            )
            .hint(format!("use at most {hi}s (1h); impalad's :shutdown() waits for running queries up to its own deadline (--shutdown_deadline_s)")),
        );
    }
    let terminate = hc.unhealthy_connection_termination == Some(true);
    if terminate && !nlb && spec.haproxy.is_none() {
        out.push(
            Diagnostic::warning(
                p("health_check.unhealthy_connection_termination"),
                "a Classic ELB has no setting to close the connections of an unhealthy instance, so unhealthy_connection_termination changes nothing here",
            )
            .hint("remove it, or use load_balancer: network"),
        );
    }

    // Idle timeout.
    let idle = secs(spec.idle_timeout, plan::DEFAULT_IDLE_TIMEOUT);
    let idle_at = p("idle_timeout");
    if nlb {
        let (lo, hi) = NLB_TCP_IDLE_TIMEOUT_SECS;
        if !terminates && !(lo..=hi).contains(&idle) {
            out.push(Diagnostic::error(idle_at, format!("idle_timeout {idle}s is outside {lo}s to {hi}s, the range of an NLB TCP listener")).hint(format!("use {lo}s to {hi}s")));
        } else if terminates && idle > NLB_TLS_IDLE_TIMEOUT_SECS {
            out.push(
                Diagnostic::warning(idle_at, format!("idle_timeout is {idle}s, but AWS fixes an NLB TLS listener's idle timeout at {NLB_TLS_IDLE_TIMEOUT_SECS}s"))
                    .hint("idle sessions will be cut after 350s: use tls mode passthrough to keep TCP listeners, or set idle_timeout: 350s"),
            );
        }
    } else {
        let (lo, hi) = CLASSIC_IDLE_TIMEOUT_SECS;
        if !(lo..=hi).contains(&idle) {
            out.push(Diagnostic::error(idle_at, format!("idle_timeout {idle}s is outside {lo}s to {hi}s, the range of a Classic ELB")).hint(format!("use at most {hi}s (1h)")));
        }
    }

    // Names and quotas of the resources an AWS target creates.
    if spec
        .cluster
        .to_ascii_lowercase()
        .starts_with(SECURITY_GROUP_RESERVED_PREFIX)
    {
        out.push(
            Diagnostic::error(
                p("cluster"),
                format!(
                    "the security groups would be named \"{} Impala FE\", but EC2 refuses group names starting with {SECURITY_GROUP_RESERVED_PREFIX}",
                    spec.cluster
                ),
            )
            .hint("rename the cluster so it does not start with sg-"),
        );
    }
    if let Some(t) = spec
        .tls
        .as_ref()
        .filter(|t| t.mode != TlsMode::Passthrough && t.certificate_arn.is_none())
    {
        if let Some(d) = t.domain.as_ref().filter(|d| d.len() > ACM_DOMAIN_MAX) {
            out.push(
                Diagnostic::error(
                    p("tls.domain"),
                    format!(
                        "tls.domain is {} characters long, but ACM requests a certificate only for a domain of at most {ACM_DOMAIN_MAX}",
                        d.len()
                    ),
                )
                .hint("use a shorter name as the domain and list this one under subject_alternative_names, or give certificate_arn"),
            );
        }
    }
    let services = plan::services(spec).len();
    for ipv6 in [false, true] {
        let cidrs = a
            .client_cidrs
            .iter()
            .filter_map(|c| syntax::cidr(c).ok())
            .filter(|c| c.ipv6 == ipv6)
            .count();
        let rules = cidrs * services;
        if rules > SECURITY_GROUP_RULES_DEFAULT_QUOTA {
            out.push(
                Diagnostic::warning(
                    p("aws.client_cidrs"),
                    format!(
                        "{cidrs} {} client CIDR blocks × {services} services make {rules} inbound rules in the front-end group, above the default quota of {SECURITY_GROUP_RULES_DEFAULT_QUOTA} per group",
                        if ipv6 { "IPv6" } else { "IPv4" }
                    ),
                )
                .at_key()
                .hint("merge the blocks into fewer, larger ones, or ask AWS to raise the quota of rules per security group first"),
            );
        }
    }
    // IPv6 clients reach only a dualstack NLB: a Classic ELB in a VPC has IPv4 addresses only,
    // and an NLB has IPv6 addresses only when its IP address type is dualstack.
    let dualstack = a.ip_address_type == Some(IpAddressType::Dualstack);
    if dualstack && !nlb {
        out.push(
            Diagnostic::error(
                p("aws.ip_address_type"),
                "a Classic ELB in a VPC has IPv4 addresses only, so it cannot be dualstack",
            )
            .hint("use load_balancer: network, or remove ip_address_type"),
        );
    }
    let ipv6_block = a
        .client_cidrs
        .iter()
        .position(|c| syntax::cidr(c).is_ok_and(|c| c.ipv6));
    match ipv6_block {
        Some(i) if !nlb => out.push(
            Diagnostic::error(
                Path::root().key("aws").key("client_cidrs").index(i),
                "a Classic ELB in a VPC accepts only IPv4 clients, so an IPv6 block would admit no one",
            )
            .hint("remove the IPv6 blocks, or use load_balancer: network with ip_address_type: dualstack"),
        ),
        Some(i) if !dualstack => out.push(
            Diagnostic::error(
                Path::root().key("aws").key("client_cidrs").index(i),
                "an NLB of IP address type ipv4 has no IPv6 address, so an IPv6 block would admit no one",
            )
            .hint("set aws.ip_address_type: dualstack (every subnet needs an IPv6 CIDR block, IPv6 routes and network ACLs that allow it), or remove the IPv6 blocks"),
        ),
        None if dualstack && nlb => out.push(
            Diagnostic::warning(
                p("aws.ip_address_type"),
                "the NLB is dualstack, but no client_cidrs block is IPv6, so its IPv6 addresses admit no one",
            )
            .hint("add the IPv6 client blocks to client_cidrs, or remove ip_address_type"),
        ),
        _ => {}
    }
    if nlb && terminates {
        let sticky: Vec<&str> = plan::services(spec)
            .into_iter()
            .map(|s| s.0)
            .filter(|k| matches!(k, ServiceKind::Hs2 | ServiceKind::Hs2Http))
            .map(|k| k.key())
            .collect();
        if !sticky.is_empty() {
            out.push(
                Diagnostic::warning(
                    p("tls.mode"),
                    format!(
                        "an NLB keeps no sticky sessions on TLS listeners, so Hue's connections for {} may reach different impalads",
                        sticky.join(" and ")
                    ),
                )
                .hint("use tls mode passthrough (impalad terminates TLS) to keep source-IP stickiness"),
            );
        }
    }

    adopt(spec, a, nlb, &name, out);
    migrate_from(spec, a, nlb, &name, out);

    // TLS policies per balancer kind.
    if let Some(policy) = spec
        .tls
        .as_ref()
        .filter(|t| t.mode != TlsMode::Passthrough)
        .and_then(|t| t.policy.as_ref())
    {
        let known = if nlb {
            NLB_TLS_POLICIES
        } else {
            CLASSIC_TLS_POLICIES
        };
        if !nlb && policy.contains("TLS13") {
            out.push(
                Diagnostic::error(
                    p("tls.policy"),
                    format!("{policy} is a TLS 1.3 policy, which a Classic ELB does not support"),
                )
                .hint(format!(
                    "use {CLASSIC_DEFAULT_TLS_POLICY}, or load_balancer: network"
                )),
            );
        } else if WEAK_TLS_POLICIES.contains(&policy.as_str())
            || (!nlb && known.contains(&policy.as_str()) && policy != CLASSIC_DEFAULT_TLS_POLICY)
        {
            let recommended = if nlb {
                NLB_DEFAULT_TLS_POLICY
            } else {
                CLASSIC_DEFAULT_TLS_POLICY
            };
            out.push(
                Diagnostic::warning(
                    p("tls.policy"),
                    format!(
                        "{policy} allows TLS 1.0 or 1.1, which are broken and retired (RFC 8996)"
                    ),
                )
                .hint(format!(
                    "use {recommended}, which allows TLS 1.2{} only",
                    if nlb { " and 1.3" } else { "" }
                )),
            );
        } else if !known.contains(&policy.as_str()) {
            let mut d = Diagnostic::warning(
                p("tls.policy"),
                format!(
                    "{policy} is not a predefined {} security policy that impala-lbgen knows",
                    if nlb { "NLB" } else { "Classic ELB" }
                ),
            );
            if let Some(s) = did_you_mean(policy, known.iter().copied()) {
                d = d.hint(format!("did you mean {s}?"));
            }
            out.push(d);
        }
    }
}

/// The TLS rules of an AWS balancer: where its certificate comes from, and the name clients
/// use, which the certificate must cover.
fn aws_tls(t: &TlsSpec, a: &AwsSpec, out: &mut Out) {
    let passthrough = t.mode == TlsMode::Passthrough;
    if !passthrough && t.domain.is_none() && t.certificate_arn.is_none() {
        out.push(
            Diagnostic::error(p("tls"), format!("TLS {} needs a certificate: set tls.domain or tls.certificate_arn", t.mode.key()))
                .hint("domain requests an ACM certificate (DNS validation); certificate_arn uses one you have"),
        );
    }
    // ACM certificates are regional: a balancer can use only one from its own region.
    if let Some(arn) = &t.certificate_arn {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if syntax::certificate_arn(arn).is_ok() && parts[2] == "acm" && parts[3] != a.region {
            out.push(
                Diagnostic::error(
                    p("tls.certificate_arn"),
                    format!(
                        "the certificate is in {}, but the balancer is in {}, and ACM certificates can be used only in their own region",
                        parts[3], a.region
                    ),
                )
                .hint(format!(
                    "request or import the certificate in {} and give that ARN",
                    a.region
                )),
            );
        }
    }
    // A wildcard names no host: clients need a plain name the certificate covers.
    let sans = t.subject_alternative_names.as_deref().unwrap_or_default();
    if t.domain.is_some() && plan::host_name(t.domain.as_ref(), sans).is_none() {
        let hint = if t.certificate_arn.is_some() || passthrough {
            "set tls.domain to the name clients use, such as impala.example.com (a wildcard certificate covers it)"
        } else {
            "add the name clients use to subject_alternative_names, such as impala.example.com"
        };
        out.push(
            Diagnostic::warning(
                p("tls.domain"),
                "tls.domain is a wildcard, which names no host: clients would use the balancer's own DNS name, which the certificate does not cover, and no alias record is made",
            )
            .hint(hint),
        );
    }
}

fn alarms_rules(spec: &Spec, alarms: &AlarmsSpec, region: &str, out: &mut Out) {
    if let Some(d) = alarms.unhealthy_for {
        let secs = d.as_secs();
        let at = p("aws.alarms.unhealthy_for");
        if secs == 0 || secs % ALARM_PERIOD_SECS != 0 {
            out.push(
                Diagnostic::error(
                    at,
                    format!(
                        "unhealthy_for {} is not a whole number of minutes",
                        show_duration(d)
                    ),
                )
                .hint(
                    "CloudWatch evaluates the health metrics minute by minute: use 1m, 5m, 15m ...",
                ),
            );
        } else if secs > ALARM_EVALUATION_MAX_SECS {
            out.push(
                Diagnostic::error(at, format!("unhealthy_for {} is longer than a day, the longest a CloudWatch alarm looks back", show_duration(d)))
                    .hint("use at most 1440m (24h)"),
            );
        }
    }
    if let Some(m) = alarms.min_healthy {
        let n = spec.daemons.len();
        if m < 1 {
            out.push(
                Diagnostic::error(p("aws.alarms.min_healthy"), format!("min_healthy is {m}"))
                    .hint("use 1 (alarm when no daemon is healthy) or more"),
            );
        } else if usize::try_from(m).map_or(true, |m| m > n) {
            out.push(
                Diagnostic::error(
                    p("aws.alarms.min_healthy"),
                    format!("min_healthy {m} is more than the {n} daemon{} the balancer has, so the alarm would never clear", if n == 1 { "" } else { "s" }),
                )
                .hint(format!("use 1 to {n}")),
            );
        }
    }
    if let Some(arn) = &alarms.sns_topic_arn {
        let at = p("aws.alarms.sns_topic_arn");
        match syntax::sns_topic_arn(arn) {
            Err(why) => out.push(Diagnostic::error(
                at,
                format!("sns_topic_arn {arn:?} is not an SNS topic ARN: {why}"),
            )),
            Ok(()) => {
                let topic_region = arn.split(':').nth(3).unwrap_or_default();
                if topic_region != region {
                    out.push(
                        Diagnostic::warning(at, format!("the topic is in {topic_region}, but the alarms are in {region}"))
                            .hint("CloudWatch alarms notify topics in their own region: use a topic in the balancer's region"),
                    );
                }
            }
        }
    }
}

/// `aws.adopt`: IDs and ARNs of the right form, an NLB's listeners and target groups for
/// exactly its services, and rules that are ones the spec asks for.
fn adopt(spec: &Spec, a: &AwsSpec, nlb: bool, name: &str, out: &mut Out) {
    let Some(d) = &a.adopt else { return };
    let at = |rest: &str| p(&format!("aws.adopt.{rest}"));
    if let Some(adopted) = &d.name {
        if let Err(why) = syntax::lb_name(adopted) {
            out.push(Diagnostic::error(
                at("name"),
                format!("adopt.name {adopted:?} is not a balancer name: {why}"),
            ));
        } else if adopted != name {
            out.push(
                Diagnostic::error(
                    at("name"),
                    format!("adopt.name is {adopted}, but the balancer is named {name}"),
                )
                .hint("a balancer's name cannot change: make aws.name and adopt.name the same (or remove aws.name)"),
            );
        }
        let requests_certificate = spec.tls.as_ref().is_some_and(|t| {
            t.mode != TlsMode::Passthrough && t.certificate_arn.is_none() && t.domain.is_some()
        });
        if requests_certificate {
            out.push(
                Diagnostic::error(p("tls.domain"), "an adopted balancer already has its certificate, but the spec asks for a new one")
                    .hint("set tls.certificate_arn to the certificate its TLS listeners use (`impala-lbgen import aws` does); a CloudFormation import cannot create one in the same step"),
            );
        }
    }
    let groups = d.security_groups.as_ref();
    for role in [GroupRole::Frontend, GroupRole::Backend] {
        let Some(g) = groups.and_then(|g| g.get(role)) else {
            continue;
        };
        let here = |field: &str| at(&format!("security_groups.{}.{field}", role.key()));
        if let Err(why) = syntax::aws_id(&g.id, "sg") {
            out.push(Diagnostic::error(
                here("id"),
                format!("{:?} is not a security group ID: {why}", g.id),
            ));
        }
        for (field, value) in [("name", &g.name), ("description", &g.description)] {
            if let Some(v) = value {
                if let Err(why) = syntax::group_text(v) {
                    out.push(Diagnostic::error(
                        here(field),
                        format!("the group {field} {v:?} is not valid: {why}"),
                    ));
                }
            }
        }
    }
    if let Some((fe, be)) = groups.and_then(|g| Some((g.frontend.as_ref()?, g.backend.as_ref()?))) {
        if fe.id == be.id {
            out.push(
                Diagnostic::error(
                    at("security_groups.backend.id"),
                    "the front-end and back-end groups are the same group",
                )
                .hint("the balancer's group admits clients; the impalad instances' group admits only the balancer: name two groups"),
            );
        }
    }
    if d.name.is_none() && groups.is_none() {
        out.push(
            Diagnostic::error(p("aws.adopt"), "adopt names nothing to adopt")
                .at_key()
                .hint("set name (the existing balancer) and security_groups, or remove adopt"),
        );
    }

    // An NLB is adopted with its ARN, and its listeners and target groups by ARN.
    let balancer_only = [
        ("arn", d.arn.is_some()),
        ("listeners", d.listeners.is_some()),
        ("target_groups", d.target_groups.is_some()),
    ];
    if d.name.is_none() {
        for (field, set) in balancer_only {
            if set {
                out.push(
                    Diagnostic::error(at(field), format!("adopt.{field} adopts a balancer, but adopt has no name"))
                        .at_key()
                        .hint("set adopt.name to the existing balancer's name, or remove this (only the security groups are adopted then)"),
                );
            }
        }
    } else if !nlb {
        for (field, set) in balancer_only {
            if set {
                out.push(
                    Diagnostic::error(
                        at(field),
                        format!(
                            "adopt.{field} is for an NLB; a Classic ELB is adopted by its name"
                        ),
                    )
                    .at_key()
                    .hint("remove it"),
                );
            }
        }
    } else {
        let mut lb_id = None;
        match &d.arn {
            None => out.push(
                Diagnostic::error(at("name"), "an adopted NLB needs adopt.arn")
                    .hint("its LoadBalancerArn (aws elbv2 describe-load-balancers --names NAME); Terraform and CloudFormation import an NLB by ARN"),
            ),
            Some(arn) => match syntax::elb_arn(arn, "loadbalancer/net") {
                Err(why) => out.push(Diagnostic::error(
                    at("arn"),
                    format!("adopt.arn is not an NLB ARN: {why}"),
                )),
                Ok(segs) => {
                    if segs[0] != name {
                        out.push(Diagnostic::error(
                            at("arn"),
                            format!("adopt.arn is the ARN of {}, not of {name}", segs[0]),
                        ));
                    }
                    lb_id = Some((segs[0].to_string(), segs[1].to_string()));
                }
            },
        }
        let services: Vec<ServiceKind> = plan::services(spec).into_iter().map(|s| s.0).collect();
        for (field, kind) in [
            ("listeners", "listener/net"),
            ("target_groups", "targetgroup"),
        ] {
            let map = if field == "listeners" {
                &d.listeners
            } else {
                &d.target_groups
            };
            let Some(map) = map else {
                out.push(
                    Diagnostic::error(
                        at("name"),
                        format!("an adopted NLB needs adopt.{field}: one ARN per service"),
                    )
                    .hint(format!(
                        "list {} (aws elbv2 describe-{} --load-balancer-arn ARN)",
                        services
                            .iter()
                            .map(|k| k.key())
                            .collect::<Vec<_>>()
                            .join(", "),
                        field.replace('_', "-")
                    )),
                );
                continue;
            };
            for k in &services {
                if !map.contains_key(k) {
                    out.push(
                        Diagnostic::error(
                            at(field),
                            format!("adopt.{field} has no ARN for {k}"),
                        )
                        .at_key()
                        .hint("one per service; a service the balancer does not serve yet is not adopted: remove it from services, or create it first"),
                    );
                }
            }
            for (k, arn) in map {
                let here = at(field).key(k.key());
                if !services.contains(k) {
                    out.push(
                        Diagnostic::error(
                            here,
                            format!("adopt.{field} names {k}, which is not one of the services"),
                        )
                        .at_key()
                        .hint("add the service, or remove this entry"),
                    );
                    continue;
                }
                match syntax::elb_arn(arn, kind) {
                    Err(why) => out.push(Diagnostic::error(
                        here,
                        format!(
                            "{arn:?} is not a {} ARN: {why}",
                            if field == "listeners" {
                                "listener"
                            } else {
                                "target group"
                            }
                        ),
                    )),
                    Ok(segs) => {
                        if kind == "targetgroup" {
                            if let Err(why) = syntax::lb_name(segs[0]) {
                                out.push(Diagnostic::error(
                                    here,
                                    format!("target group name {:?}: {why}", segs[0]),
                                ));
                            }
                        } else if let Some((n, id)) = &lb_id {
                            if segs[0] != n || segs[1] != id {
                                out.push(Diagnostic::error(
                                    here,
                                    format!("the listener belongs to {}/{}, not to the adopted NLB {n}/{id}", segs[0], segs[1]),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    // Rules: existing ones that are rules the spec asks for.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, r) in d.rules.iter().flatten().enumerate() {
        let here = Path::root().key("aws").key("adopt").key("rules").index(i);
        if let Err(why) = syntax::aws_id(&r.id, "sgr") {
            out.push(Diagnostic::error(
                here.key("id"),
                format!("{:?} is not a security group rule ID: {why}", r.id),
            ));
        } else if let Some(first) = ids.insert(r.id.as_str(), i) {
            out.push(Diagnostic::error(
                here.key("id"),
                format!("rule {} is listed twice (also rules[{first}])", r.id),
            ));
        }
        for role in std::iter::once(r.group).chain(r.peer) {
            if groups.and_then(|g| g.get(role)).is_none() {
                out.push(
                    Diagnostic::error(
                        here.clone(),
                        format!(
                            "rule {} involves the {} group, which is not adopted",
                            r.id,
                            role.key()
                        ),
                    )
                    .hint(format!(
                        "add security_groups.{}, or remove the rule",
                        role.key()
                    )),
                );
            }
        }
        match (&r.cidr, r.peer) {
            (Some(_), Some(_)) | (None, None) => out.push(
                Diagnostic::error(here, "a rule has either cidr or peer")
                    .hint("cidr for clients' blocks, peer for the rules between the two groups"),
            ),
            (Some(c), None) => {
                if let Err(why) = syntax::cidr(c) {
                    out.push(Diagnostic::error(
                        here.key("cidr"),
                        format!("{c:?} is not a CIDR block: {why}"),
                    ));
                }
            }
            (None, Some(peer)) => {
                if peer == r.group {
                    out.push(Diagnostic::error(
                        here.key("peer"),
                        "a rule's peer is the other group, not its own",
                    ));
                }
            }
        }
    }
    if !out.iter().any(|e| e.is_error()) {
        let plan = plan::Plan::new(spec);
        if let Some(aws) = &plan.aws {
            let adopted: Vec<&str> = [
                &aws.frontend_ingress,
                &aws.frontend_egress,
                &aws.backend_ingress,
            ]
            .into_iter()
            .flatten()
            .filter_map(|r| r.adopted_id.as_deref())
            .collect();
            for (i, r) in d.rules.iter().flatten().enumerate() {
                if !adopted.contains(&r.id.as_str()) {
                    let peer = r
                        .cidr
                        .clone()
                        .or(r.peer.map(|g| format!("the {} group", g.key())))
                        .unwrap_or_default();
                    out.push(
                        Diagnostic::warning(
                            Path::root().key("aws").key("adopt").key("rules").index(i),
                            format!(
                                "rule {} ({} {} tcp {} {}) is not a rule the spec asks for",
                                r.id,
                                r.group.key(),
                                r.direction.key(),
                                r.port,
                                peer
                            ),
                        )
                        .hint("Terraform and CloudFormation leave it as it is; the AWS CLI script revokes it. Remove it here if that is what you want"),
                    );
                }
            }
        }
    }

    // Network interfaces that already have the back-end group.
    if d.network_interfaces.is_some() && groups.and_then(|g| g.backend.as_ref()).is_none() {
        out.push(
            Diagnostic::error(at("network_interfaces"), "network_interfaces name interfaces that have the back-end group, but that group is not adopted")
                .at_key()
                .hint("add security_groups.backend, or remove network_interfaces"),
        );
    }
    let instances: Vec<&str> = spec
        .daemons
        .iter()
        .filter_map(|d| d.instance_id.as_deref())
        .collect();
    for (instance, eni) in d.network_interfaces.iter().flatten() {
        let here = at("network_interfaces").key(instance.clone());
        if !instances.contains(&instance.as_str()) {
            out.push(
                Diagnostic::error(here, format!("{instance} is not the instance of a daemon"))
                    .at_key()
                    .hint("list only the daemons' instances"),
            );
        } else if let Err(why) = syntax::aws_id(eni, "eni") {
            out.push(Diagnostic::error(
                here,
                format!("{eni:?} is not a network interface ID: {why}"),
            ));
        }
    }
}

/// `aws.migrate_from`: a Classic ELB to retire, beside this NLB, and the name clients use.
fn migrate_from(spec: &Spec, a: &AwsSpec, nlb: bool, name: &str, out: &mut Out) {
    let Some(m) = &a.migrate_from else { return };
    let at = |rest: &str| p(&format!("aws.migrate_from.{rest}"));
    if !nlb {
        out.push(
            Diagnostic::error(p("aws.migrate_from"), "migrate_from moves clients to a new Network Load Balancer, but load_balancer is classic")
                .at_key()
                .hint("set aws.load_balancer: network and give the NLB its own aws.name"),
        );
    }
    if a.ip_address_type == Some(IpAddressType::Dualstack) {
        // A Classic ELB in a VPC has no IPv6, so the weighted pair can only be A records.
        out.push(
            Diagnostic::error(p("aws.ip_address_type"), "a migration from a Classic ELB moves IPv4 clients only, but the NLB is dualstack")
                .hint("finish the migration (weight 100, then remove migrate_from), then set ip_address_type: dualstack"),
        );
    }
    if a.adopt.as_ref().is_some_and(|d| d.name.is_some()) {
        out.push(
            Diagnostic::error(p("aws.adopt.name"), "migrate_from creates a new NLB, so it adopts no balancer")
                .hint("remove adopt.name (and adopt.arn, listeners, target_groups); keep adopt.security_groups to share the Classic ELB's groups"),
        );
    }
    if let Err(why) = syntax::lb_name(&m.name) {
        out.push(Diagnostic::error(
            at("name"),
            format!(
                "migrate_from.name {:?} is not a balancer name: {why}",
                m.name
            ),
        ));
    } else if m.name == name {
        out.push(
            Diagnostic::error(
                at("name"),
                format!("the NLB and the Classic ELB it replaces are both named {name}"),
            )
            .hint("the two live side by side while clients move: give the NLB another aws.name"),
        );
    }
    if let Err(why) = syntax::dns_name(&m.dns_name, false) {
        out.push(Diagnostic::error(
            at("dns_name"),
            format!(
                "migrate_from.dns_name {:?} is not a DNS name: {why}",
                m.dns_name
            ),
        ));
    }
    if let Err(why) = syntax::hosted_zone_id(&m.hosted_zone_id) {
        out.push(
            Diagnostic::error(
                at("hosted_zone_id"),
                format!("migrate_from.hosted_zone_id {:?}: {why}", m.hosted_zone_id),
            )
            .hint("the Classic ELB's CanonicalHostedZoneNameID (aws elb describe-load-balancers)"),
        );
    }
    match &m.record {
        Some(r) => {
            if let Err(why) = syntax::dns_name(&r.name, false) {
                out.push(Diagnostic::error(
                    at("record.name"),
                    format!(
                        "migrate_from.record.name {:?} is not a DNS name: {why}",
                        r.name
                    ),
                ));
            }
            if let Err(why) = syntax::hosted_zone_id(&r.hosted_zone_id) {
                out.push(Diagnostic::error(
                    at("record.hosted_zone_id"),
                    format!(
                        "migrate_from.record.hosted_zone_id {:?}: {why}",
                        r.hosted_zone_id
                    ),
                ));
            }
            if let Some(domain) = spec.tls.as_ref().and_then(|t| t.domain.as_ref()) {
                if !domain.starts_with("*.") && !domain.eq_ignore_ascii_case(&r.name) {
                    out.push(
                        Diagnostic::warning(at("record.name"), format!("clients keep using {}, but tls.domain is {domain}", r.name))
                            .hint("the certificate and the Kerberos principal name the host clients use: make them the same"),
                    );
                }
            }
        }
        None => {
            if plan::migration_record(spec).is_none() {
                out.push(
                    Diagnostic::error(p("aws.migrate_from"), "migrate_from needs the name clients use and its Route 53 zone")
                        .at_key()
                        .hint("add record: {name: impala.example.com, hosted_zone_id: Z...}, or set tls.domain and tls.hosted_zone_id"),
                );
            }
        }
    }
}

/// Rules for the HAProxy target.
pub fn haproxy(spec: &Spec, scope: Scope, out: &mut Out) {
    let what = if let Some(t) = scope.target {
        format!("the {t} target")
    } else {
        "HAProxy".to_string()
    };
    for (i, d) in spec.daemons.iter().enumerate() {
        if d.host.is_none() {
            out.push(
                Diagnostic::error(
                    Path::root().key("daemons").index(i),
                    format!("daemons[{i}] has no host, which {what} needs"),
                )
                .hint("add the impalad's DNS name or IP address"),
            );
        }
    }
    if scope.target == Some("keepalived")
        && spec.haproxy.as_ref().and_then(|h| h.ha.as_ref()).is_none()
    {
        out.push(
            Diagnostic::error(Path::root(), "the keepalived target needs haproxy.ha")
                .hint("add haproxy.ha with virtual_ip, interface, virtual_router_id and the nodes (see examples/onprem-ha.yaml)"),
        );
    }
    let Some(h) = &spec.haproxy else { return };
    let configured: Vec<ServiceKind> = plan::services(spec).into_iter().map(|s| s.0).collect();
    let list = || {
        configured
            .iter()
            .map(|k| k.key())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(bind) = &h.bind {
        if let Err(why) = syntax::listen_address(bind) {
            out.push(
                Diagnostic::error(p("haproxy.bind"), format!("haproxy.bind: {why}"))
                    .hint("use '*' for every address, or one IP address of this host"),
            );
        }
    }
    if let Some(ports) = &h.ports {
        for kind in ports.keys().filter(|k| !configured.contains(k)) {
            let at = Path::root().key("haproxy").key("ports").key(kind.key());
            out.push(
                Diagnostic::error(
                    at,
                    format!("haproxy.ports names {kind}, which is not one of the services"),
                )
                .at_key()
                .hint(format!("services: {}", list())),
            );
        }
    }
    // The ports HAProxy listens on; duplicates among service ports are reported by `general`.
    let override_of = |k: ServiceKind| h.ports.as_ref().and_then(|m| m.get(&k)).copied();
    let mut used: HashMap<i64, ServiceKind> = HashMap::new();
    for (kind, port, _) in plan::services(spec) {
        let listen = override_of(kind).unwrap_or(port);
        if let Some(other) = used.insert(listen, kind) {
            let at = if override_of(kind).is_some() {
                kind
            } else {
                other
            };
            if override_of(at).is_some() {
                out.push(
                    Diagnostic::error(
                        Path::root().key("haproxy").key("ports").key(at.key()),
                        format!(
                            "HAProxy would listen on port {listen} for both {other} and {kind}"
                        ),
                    )
                    .hint("give each service its own port"),
                );
            }
        }
    }
    if let Some(balance) = &h.balance {
        for (kind, b) in balance {
            let at = Path::root().key("haproxy").key("balance").key(kind.key());
            if !configured.contains(kind) {
                out.push(
                    Diagnostic::error(
                        at,
                        format!("haproxy.balance names {kind}, which is not one of the services"),
                    )
                    .at_key()
                    .hint(format!("services: {}", list())),
                );
            } else if *b == Balance::Roundrobin
                && matches!(kind, ServiceKind::Hs2 | ServiceKind::Hs2Http)
            {
                out.push(Diagnostic::warning(at, format!("roundrobin on {kind} sends a client's connections to different daemons, which breaks Hue sessions")).hint("use source, as Impala's documentation recommends"));
            }
        }
    }
    if let Some(stats) = &h.stats {
        if let Some(bind) = &stats.bind {
            match syntax::bind_address(bind) {
                Err(why) => out.push(Diagnostic::error(
                    p("haproxy.stats.bind"),
                    format!("haproxy.stats.bind {bind:?}: {why}"),
                )),
                Ok((_, port)) => {
                    if let Some(svc) = used.get(&i64::from(port)) {
                        out.push(
                            Diagnostic::error(
                                p("haproxy.stats.bind"),
                                format!("the statistics port {port} is also the {svc} port"),
                            )
                            .hint("choose another port, such as 25002"),
                        );
                    }
                }
            }
        }
        if let Some(user) = &stats.user {
            if let Err(why) = syntax::word(user) {
                out.push(Diagnostic::error(
                    p("haproxy.stats.user"),
                    format!("haproxy.stats.user {user:?}: {why}"),
                ));
            }
        }
        if let Some(env) = &stats.password_env {
            if let Err(why) = syntax::env_name(env) {
                out.push(Diagnostic::error(p("haproxy.stats.password_env"), format!("haproxy.stats.password_env {env:?}: {why}")).hint("name the variable that holds the password, such as HAPROXY_STATS_PASSWORD; never the password itself"));
            }
        }
    }
    if let Some(name) = &h.public_name {
        if let Err(why) = syntax::dns_name(name, false) {
            out.push(Diagnostic::error(
                p("haproxy.public_name"),
                format!("haproxy.public_name {name:?} is not a DNS name: {why}"),
            ));
        }
    }
    if let Some(list) = &h.nameservers {
        let mut seen = Vec::new();
        for (i, n) in list.iter().enumerate() {
            let at = Path::root().key("haproxy").key("nameservers").index(i);
            match syntax::nameserver(n) {
                Err(why) => out.push(
                    Diagnostic::error(at, format!("nameserver {why}"))
                        .hint("HAProxy asks DNS servers by address; leave nameservers out to use those of /etc/resolv.conf"),
                ),
                Ok(ns) if seen.contains(&ns) => {
                    out.push(Diagnostic::error(at, format!("nameserver {n} is listed twice")))
                }
                Ok(ns) => seen.push(ns),
            }
        }
        if spec.daemons.iter().all(|d| {
            d.host
                .as_deref()
                .is_some_and(|h| h.parse::<std::net::IpAddr>().is_ok())
        }) {
            out.push(
                Diagnostic::warning(p("haproxy.nameservers"), "every daemon is named by its IP address, so HAProxy resolves nothing and nameservers are not used")
                    .at_key()
                    .hint("remove nameservers, or name the daemons by their DNS names"),
            );
        }
    }
    if let Some(m) = h.maxconn {
        if m > HAPROXY_MAXCONN_MAX {
            out.push(Diagnostic::error(p("haproxy.maxconn"), format!("haproxy.maxconn {m} is more than {HAPROXY_MAXCONN_MAX}")).hint("one HAProxy process handles tens of thousands of connections; Impala clients need far fewer"));
        }
    }
    if let Some(ha) = &h.ha {
        ha_rules(spec, h, ha, out);
    }
    for field in ["certificate", "ca_file"] {
        let value = if field == "certificate" {
            &h.certificate
        } else {
            &h.ca_file
        };
        if let Some(v) = value {
            if let Err(why) = syntax::abs_path(v) {
                out.push(Diagnostic::error(
                    p(&format!("haproxy.{field}")),
                    format!("haproxy.{field} {v:?}: {why}"),
                ));
            }
        }
    }
}

/// `haproxy.ha`: keepalived's virtual IP, interface, router ID and nodes.
fn ha_rules(spec: &Spec, h: &HaproxySpec, ha: &HaSpec, out: &mut Out) {
    let vip = match syntax::address_with_prefix(&ha.virtual_ip) {
        Ok((ip, _)) => Some(ip),
        Err(why) => {
            out.push(
                Diagnostic::error(p("haproxy.ha.virtual_ip"), format!("virtual_ip {:?}: {why}", ha.virtual_ip))
                    .hint("the address clients reach, with the prefix length of its network, such as 10.0.0.10/24"),
            );
            None
        }
    };
    if let Err(why) = syntax::interface_name(&ha.interface) {
        out.push(Diagnostic::error(
            p("haproxy.ha.interface"),
            format!(
                "interface {:?} is not a network interface name: {why}",
                ha.interface
            ),
        ));
    }
    let (lo, hi) = VRRP_ROUTER_ID;
    if !(lo..=hi).contains(&ha.virtual_router_id) {
        out.push(
            Diagnostic::error(
                p("haproxy.ha.virtual_router_id"),
                format!(
                    "virtual_router_id {} is outside {lo} to {hi}",
                    ha.virtual_router_id
                ),
            )
            .hint("pick one no other VRRP router on the segment uses, such as 51"),
        );
    }
    if ha.nodes.len() < 2 {
        out.push(
            Diagnostic::error(
                p("haproxy.ha.nodes"),
                format!(
                    "{} node: a virtual IP needs two or more HAProxy hosts to move between",
                    ha.nodes.len()
                ),
            )
            .at_key()
            .hint("list every HAProxy host, each with its priority"),
        );
    }
    let mut hosts: HashMap<&str, usize> = HashMap::new();
    let mut addresses: HashMap<std::net::IpAddr, usize> = HashMap::new();
    let mut priorities: HashMap<i64, usize> = HashMap::new();
    for (i, node) in ha.nodes.iter().enumerate() {
        let at = || Path::root().key("haproxy").key("ha").key("nodes").index(i);
        if let Err(why) = syntax::host(&node.host) {
            out.push(Diagnostic::error(
                at().key("host"),
                format!(
                    "host {:?} is not a DNS name or IP address: {why}",
                    node.host
                ),
            ));
        } else if let Some(first) = hosts.insert(node.host.as_str(), i) {
            out.push(Diagnostic::error(
                at().key("host"),
                format!("node {} is listed twice (also nodes[{first}])", node.host),
            ));
        }
        let address = match &node.address {
            Some(a) => {
                match a.parse::<std::net::IpAddr>() {
                    Ok(ip) => Some(ip),
                    Err(_) => {
                        out.push(
                        Diagnostic::error(at().key("address"), format!("address {a:?} is not an IP address"))
                            .hint(format!("the node's address on {}, which the other nodes send VRRP adverts to", ha.interface)),
                    );
                        None
                    }
                }
            }
            None => match node.host.parse::<std::net::IpAddr>() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    if syntax::host(&node.host).is_ok() {
                        out.push(
                            Diagnostic::error(at(), format!("node {} needs address: its IP address on {}", node.host, ha.interface))
                                .hint("keepalived sends VRRP adverts to each peer's address, not to a name"),
                        );
                    }
                    None
                }
            },
        };
        if let Some(ip) = address {
            let field = if node.address.is_some() {
                "address"
            } else {
                "host"
            };
            if Some(ip) == vip {
                out.push(
                    Diagnostic::error(at().key(field), format!("{ip} is the virtual IP itself"))
                        .hint(
                            "give the node's own address; keepalived adds the virtual IP beside it",
                        ),
                );
            } else if vip.is_some_and(|v| v.is_ipv6() != ip.is_ipv6()) {
                out.push(
                    Diagnostic::error(at().key(field), format!("{ip} and the virtual IP {} are not of the same IP version", ha.virtual_ip))
                        .hint("VRRP adverts for an IPv4 virtual IP go between IPv4 addresses, and likewise for IPv6"),
                );
            } else if let Some(first) = addresses.insert(ip, i) {
                out.push(Diagnostic::error(
                    at().key(field),
                    format!("address {ip} is also nodes[{first}]'s"),
                ));
            }
        }
        let (lo, hi) = VRRP_PRIORITY;
        if !(lo..=hi).contains(&node.priority) {
            out.push(
                Diagnostic::error(at().key("priority"), format!("priority {} is outside {lo} to {hi}", node.priority))
                    .hint("255 belongs to a router that owns the address; give the preferred node the highest, such as 150 and 100"),
            );
        } else if let Some(first) = priorities.insert(node.priority, i) {
            out.push(
                Diagnostic::warning(at().key("priority"), format!("priority {} is also nodes[{first}]'s", node.priority))
                    .hint("with equal priorities the node with the higher address becomes master; give each node its own"),
            );
        }
    }
    if let (Some(bind), Some(v)) = (&h.bind, vip) {
        let ok = bind == "*" || bind.parse::<std::net::IpAddr>().is_ok_and(|b| b == v);
        if !ok && syntax::listen_address(bind).is_ok() {
            out.push(
                Diagnostic::error(p("haproxy.bind"), format!("HAProxy listens on {bind}, but clients reach the nodes at the virtual IP {v}"))
                    .hint(format!(
                        "use '*', or {v} (with {}=1 on every node)",
                        if v.is_ipv6() { "net.ipv6.ip_nonlocal_bind" } else { "net.ipv4.ip_nonlocal_bind" }
                    )),
            );
        }
    }
    let stats_bind = h.stats.as_ref().and_then(|st| st.bind.as_deref());
    if let (Some(Ok((addr, _))), Some(v)) = (stats_bind.map(syntax::bind_address), vip) {
        let ip = addr.parse::<std::net::IpAddr>().ok();
        let ok = addr == "*" || ip.is_some_and(|ip| ip.is_loopback() || ip == v);
        if !ok {
            out.push(
                Diagnostic::error(p("haproxy.stats.bind"), format!("every node runs the same haproxy.cfg, but {addr} is the address of at most one of them"))
                    .hint("bind the statistics page to 127.0.0.1 (each node's own) or '*'"),
            );
        }
    }
    if spec.kerberos.is_some() && spec.aws.is_none() && h.public_name.is_none() {
        out.push(
            Diagnostic::error(p("haproxy.ha"), "Kerberos needs a name for the virtual IP: clients ask for a ticket for impala/<name>, and an address is none")
                .at_key()
                .hint("set haproxy.public_name to the DNS name that resolves to the virtual IP"),
        );
    }
}

fn show_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s % 60 == 0 && s > 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Source;

    fn errors(yaml: &str, scope: Option<Scope>) -> Vec<String> {
        let source = Source {
            name: "t.yaml".into(),
            text: yaml.into(),
        };
        match crate::spec::load(source, scope) {
            Ok(_) => Vec::new(),
            Err(report) => report.errors().map(|d| d.message.clone()).collect(),
        }
    }

    const BASE: &str = "cluster: c1\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n";

    #[test]
    fn kerberos_keytab_is_an_absolute_clean_path() {
        let ok = format!("{BASE}kerberos: {{realm: EXAMPLE.COM, keytab: /etc/impala/lb.keytab}}\n");
        assert!(errors(&ok, None).is_empty());
        for bad in [
            "impala.keytab",
            "'/etc/a b.keytab'",
            "'/etc/a#b'",
            "\"/etc/a\\nb\"",
        ] {
            let y = format!("{BASE}kerberos: {{realm: EXAMPLE.COM, keytab: {bad}}}\n");
            let e = errors(&y, None);
            assert!(
                e.iter().any(|m| m.starts_with("kerberos.keytab")),
                "{bad}: {e:?}"
            );
        }
    }

    const AWS: &str = "cluster: c1\ndaemons: [{instance_id: i-0a1b2c3d}, {instance_id: i-0a1b2c3e}]\naws:\n  region: us-west-2\n  vpc_id: vpc-0a1b2c3d\n  subnet_ids: [subnet-0a1b2c3d]\n  client_cidrs: [10.0.0.0/8]\n";

    #[test]
    fn adopt_and_migrate_from_are_checked() {
        let scope = Some(Scope::aws_target("terraform"));
        let ok = format!("{AWS}  adopt:\n    name: elb-impala-c1\n    security_groups: {{frontend: {{id: sg-0a1b2c3d}}, backend: {{id: sg-0a1b2c3e}}}}\n    rules: [{{id: sgr-0123456789abcdef0, group: frontend, direction: ingress, port: 21000, cidr: 10.0.0.0/8}}]\n");
        assert!(errors(&ok, scope).is_empty(), "{:?}", errors(&ok, scope));
        for (bad, want) in [
            ("  name: elb-impala-c1\n  adopt: {name: other-lb}\n", "but the balancer is named elb-impala-c1"),
            ("  adopt: {security_groups: {frontend: {id: sg-0a1b2c3d}, backend: {id: sg-0a1b2c3d}}}\n", "the same group"),
            ("  adopt: {security_groups: {frontend: {id: group1}}}\n", "is not a security group ID"),
            ("  adopt: {name: elb-impala-c1, arn: \"arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/elb-impala-c1/0123456789abcdef\"}\n", "adopt.arn is for an NLB"),
            ("  load_balancer: network\n  adopt: {name: elb-impala-c1}\n", "an adopted NLB needs adopt.arn"),
            ("  adopt: {security_groups: {frontend: {id: sg-0a1b2c3d}}, rules: [{id: sgr-0123456789abcdef0, group: backend, direction: ingress, port: 21000, peer: frontend}]}\n", "which is not adopted"),
            ("  adopt: {security_groups: {backend: {id: sg-0a1b2c3d}}, network_interfaces: {i-0f0f0f0f: eni-0a1b2c3d}}\n", "is not the instance of a daemon"),
            ("  migrate_from: {name: elb-impala-old, dns_name: old.example.com, hosted_zone_id: Z1H1FL5HABSF5, weight: 10, record: {name: impala.example.com, hosted_zone_id: Z123}}\n", "but load_balancer is classic"),
            ("  load_balancer: network\n  migrate_from: {name: elb-impala-c1, dns_name: old.example.com, hosted_zone_id: Z1H1FL5HABSF5, weight: 10, record: {name: impala.example.com, hosted_zone_id: Z123}}\n", "are both named elb-impala-c1"),
            ("  load_balancer: network\n  migrate_from: {name: elb-impala-old, dns_name: old.example.com, hosted_zone_id: Z1H1FL5HABSF5, weight: 10}\n", "needs the name clients use"),
            ("  load_balancer: network\n  ip_address_type: dualstack\n  migrate_from: {name: elb-impala-old, dns_name: old.example.com, hosted_zone_id: Z1H1FL5HABSF5, weight: 10, record: {name: impala.example.com, hosted_zone_id: Z123}}\n", "moves IPv4 clients only"),
            ("  load_balancer: network\n  migrate_from: {name: elb-impala-old, dns_name: old.example.com, hosted_zone_id: Z1H1FL5HABSF5, weight: 101, record: {name: impala.example.com, hosted_zone_id: Z123}}\n", "weight"),
        ] {
            let e = errors(&format!("{AWS}{bad}"), scope);
            assert!(e.iter().any(|m| m.contains(want)), "{bad}: {e:?}");
        }
    }

    /// Nothing that reaches haproxy.cfg can hold a line break, a blank, '#', a quote or `${`.
    #[test]
    fn haproxy_values_cannot_inject() {
        let scope = Some(Scope::haproxy_target("haproxy"));
        let bad = [
            "a\n  server evil 6.6.6.6:1",
            "a #b",
            "a b",
            "a\"b",
            "a'b",
            "${HOME}",
        ];
        for v in bad {
            // As a YAML double-quoted scalar (JSON string syntax), and as a path.
            let q = serde_json::to_string(v).unwrap();
            let path = serde_json::to_string(&format!("/etc/{v}")).unwrap();
            let cases = [
                format!("cluster: c1\ndaemons: [{{host: {q}}}, {{host: b.example.com}}]\n"),
                format!(
                    "cluster: {q}\ndaemons: [{{host: a.example.com}}, {{host: b.example.com}}]\n"
                ),
                format!("{BASE}haproxy: {{bind: {q}}}\n"),
                format!("{BASE}haproxy: {{public_name: {q}}}\n"),
                format!("{BASE}haproxy: {{certificate: {path}}}\n"),
                format!("{BASE}haproxy: {{ca_file: {path}}}\n"),
                format!("{BASE}haproxy: {{stats: {{user: {q}}}}}\n"),
                format!("{BASE}haproxy: {{stats: {{password_env: {q}}}}}\n"),
                format!("{BASE}haproxy: {{stats: {{bind: {q}}}}}\n"),
                format!("{BASE}health_check: {{http: {{port: 25000, path: {path}}}}}\n"),
                format!("{BASE}tls: {{mode: offload, domain: {q}}}\n"),
                format!("{BASE}kerberos: {{realm: {q}}}\n"),
            ];
            for y in cases {
                assert!(!errors(&y, scope).is_empty(), "accepted:\n{y}");
            }
        }
    }
}
