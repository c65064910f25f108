//! Every semantic rule, each with a case that trips it (and names the right field).

use impala_lbgen::diagnostics::{Diagnostic, Severity, Source};
use impala_lbgen::spec;
use impala_lbgen::validate::Scope;

/// Valid, with every section; each case edits it.
const BASE: &str = "\
cluster: c1
services:
  beeswax: {port: 21000}
  hs2: {port: 21050}
daemons:
  - host: impalad-1.example.com
    instance_id: i-0a1b2c3d4e5f60035
  - host: impalad-2.example.com
    instance_id: i-0a1b2c3d4e5f60004
health_check:
  service: beeswax
  interval: 30s
  timeout: 5s
  healthy_threshold: 5
  unhealthy_threshold: 2
idle_timeout: 3600s
tls:
  mode: offload
  domain: impala.example.com
  hosted_zone_id: Z0123456789ABCDEFGHIJ
kerberos:
  realm: EXAMPLE.COM
aws:
  region: us-west-2
  vpc_id: vpc-0d1e2f3a4b5c6d7e8
  subnet_ids: [subnet-0a9b8c7d6e5f4a3b2]
  load_balancer: classic
  scheme: internal
  client_cidrs: [10.30.0.0/16]
  access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m}
  tags: {env: c1}
haproxy:
  bind: \"*\"
";

fn diagnostics(text: &str, scope: Option<Scope>) -> Vec<Diagnostic> {
    let source = Source {
        name: "t.yaml".into(),
        text: text.into(),
    };
    match spec::load(source, scope) {
        Ok(loaded) => loaded.report.diagnostics,
        Err(report) => report.diagnostics,
    }
}

fn edit(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "the base spec lacks {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The base with its edits as an on-premises spec: without the aws section, and without the
/// Route 53 zone only an AWS balancer uses.
fn without_aws(text: &str) -> String {
    text[..text.find("\naws:").unwrap() + 1]
        .replace("  hosted_zone_id: Z0123456789ABCDEFGHIJ\n", "")
}

#[track_caller]
fn expect(edits: &[(&str, &str)], severity: Severity, path: &str, says: &str) {
    expect_in(edits, None, severity, path, says);
}

#[track_caller]
fn expect_in(
    edits: &[(&str, &str)],
    scope: Option<Scope>,
    severity: Severity,
    path: &str,
    says: &str,
) {
    let text = edit(edits);
    let ds = diagnostics(&text, scope);
    let found = ds.iter().any(|d| {
        d.severity == severity
            && d.path.as_ref().map(ToString::to_string).as_deref() == Some(path)
            && (d.message.contains(says) || d.hint.as_deref().is_some_and(|h| h.contains(says)))
            && d.span.is_some()
    });
    let listed: Vec<String> = ds
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}",
                d.severity,
                d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                d.message
            )
        })
        .collect();
    assert!(
        found,
        "expected {severity:?} at {path} saying {says:?}; got:\n{}",
        listed.join("\n")
    );
}

use Severity::{Error as E, Warning as W};

#[test]
fn the_base_is_clean() {
    assert_eq!(diagnostics(BASE, None), vec![]);
}

#[test]
fn cluster_names() {
    expect(&[("cluster: c1", "cluster: \"\"")], E, "cluster", "empty");
    expect(
        &[("cluster: c1", &format!("cluster: {}", "c".repeat(64)))],
        E,
        "cluster",
        "longer than 63",
    );
    expect(
        &[("cluster: c1", "cluster: \"c 1\"")],
        E,
        "cluster",
        "a space",
    );
    expect(
        &[("cluster: c1", "cluster: _c1")],
        E,
        "cluster",
        "must start with a letter or digit",
    );
}

#[test]
fn services_and_ports() {
    expect(
        &[("hs2: {port: 21050}", "hs2: {port: 21000}")],
        E,
        "services.hs2.port",
        "used by both beeswax and hs2",
    );
    expect(
        &[(
            "hs2: {port: 21050}",
            "hs2: {port: 21050, backend_port: 21000}",
        )],
        E,
        "services.hs2.backend_port",
        "impalad port 21000",
    );
    expect(
        &[("hs2: {port: 21050}", "hs2: {port: 0}")],
        E,
        "services.hs2.port",
        "below the minimum of 1",
    );
    expect(
        &[(
            "services:\n  beeswax: {port: 21000}\n  hs2: {port: 21050}\n",
            "services: {}\n",
        )],
        E,
        "services",
        "must not be empty",
    );
}

#[test]
fn daemons() {
    // YAML 1.1's `yes` is text in YAML 1.2: the hint says what to write.
    expect(
        &[(
            "  - host: impalad-2.example.com\n",
            "  - host: impalad-2.example.com\n    backup: yes\n",
        )],
        E,
        "daemons[1].backup",
        "reads `yes` as text: write true",
    );
    expect(
        &[(
            "  - host: impalad-2.example.com\n    instance_id: i-0a1b2c3d4e5f60004\n",
            "  - {}\n",
        )],
        E,
        "daemons[1]",
        "needs a host, an instance_id",
    );
    expect(
        &[("impalad-2.example.com", "impalad_2.example.com")],
        E,
        "daemons[1].host",
        "not a DNS name",
    );
    expect(
        &[("impalad-2.example.com", "impalad-1.example.com")],
        E,
        "daemons[1].host",
        "listed twice",
    );
    expect(
        &[("impalad-2.example.com", "10.0.0.256")],
        E,
        "daemons[1].host",
        "looks like an IPv4 address",
    );
    expect(
        &[("i-0a1b2c3d4e5f60004", "i-0a1b2c3d4e5f60035")],
        E,
        "daemons[1].instance_id",
        "listed twice",
    );
    expect(
        &[("i-0a1b2c3d4e5f60004", "i-0A1B2C3D")],
        E,
        "daemons[1].instance_id",
        "not a lower-case hex digit",
    );
    expect(
        &[(
            "  - host: impalad-2.example.com\n    instance_id: i-0a1b2c3d4e5f60004\n",
            "",
        )],
        W,
        "daemons",
        "only one daemon",
    );
}

#[test]
fn health_checks() {
    expect(
        &[(
            "  service: beeswax\n",
            "  service: beeswax\n  http: {port: 25000}\n",
        )],
        E,
        "health_check.http",
        "both service and http",
    );
    expect(
        &[("  service: beeswax\n", "  service: hs2_http\n")],
        E,
        "health_check.service",
        "not one of the services",
    );
    expect(
        &[(
            "  service: beeswax\n",
            "  http: {port: 25000, path: healthz}\n",
        )],
        E,
        "health_check.http.path",
        "does not start with '/'",
    );
    expect(
        &[(
            "  service: beeswax\n",
            "  http: {port: 25000, path: /health z}\n",
        )],
        E,
        "health_check.http.path",
        "a space",
    );
    expect(
        &[(
            "  service: beeswax\n",
            "  http: {port: 25000, path: \"/h'x\"}\n",
        )],
        E,
        "health_check.http.path",
        "a quote",
    );
    expect(
        &[("interval: 30s", "interval: 0s")],
        E,
        "health_check.interval",
        "is 0",
    );
    expect(
        &[("timeout: 5s", "timeout: 0")],
        E,
        "health_check.timeout",
        "is 0",
    );
    expect(
        &[("timeout: 5s", "timeout: 31s")],
        E,
        "health_check.timeout",
        "not below its interval",
    );
    expect(
        &[("idle_timeout: 3600s", "idle_timeout: 0s")],
        E,
        "idle_timeout",
        "is 0",
    );
}

#[test]
fn tls() {
    expect(
        &[("domain: impala.example.com", "domain: impala..example.com")],
        E,
        "tls.domain",
        "not a DNS name",
    );
    expect(&[("mode: offload", "mode: passthrough\n  certificate_arn: arn:aws:acm:us-west-2:123456789012:certificate/abc")], E, "tls.certificate_arn", "holds no certificate");
    expect(
        &[(
            "mode: offload",
            "mode: passthrough\n  policy: ELBSecurityPolicy-TLS-1-2-2017-01",
        )],
        E,
        "tls.policy",
        "a policy has no effect",
    );
    expect(
        &[(
            "mode: offload",
            "mode: passthrough\n  subject_alternative_names: [a.example.com]",
        )],
        E,
        "tls.subject_alternative_names",
        "no effect",
    );
    expect(
        &[(
            "  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
            "",
        )],
        E,
        "tls",
        "needs a certificate",
    );
    expect(
        &[(
            "mode: offload",
            "mode: offload\n  certificate_arn: arn:aws:acm:us-west-2:1234:certificate/x",
        )],
        E,
        "tls.certificate_arn",
        "not a certificate ARN",
    );
    expect(
        &[("mode: offload", "mode: offload\n  certificate_arn: arn:aws:acm:us-west-2:123456789012:certificate/abc\n  subject_alternative_names: [a.example.com]")],
        E,
        "tls.subject_alternative_names",
        "existing one",
    );
    expect(
        &[(
            "mode: offload",
            "mode: offload\n  subject_alternative_names: [a_b.example.com]",
        )],
        E,
        "tls.subject_alternative_names[0]",
        "not a DNS name",
    );
    expect(
        &[(
            "mode: offload",
            "mode: offload\n  subject_alternative_names: [impala.example.com]",
        )],
        E,
        "tls.subject_alternative_names[0]",
        "listed twice",
    );
    let many: Vec<String> = (0..101).map(|i| format!("n{i}.example.com")).collect();
    expect(
        &[(
            "mode: offload",
            &format!(
                "mode: offload\n  subject_alternative_names: [{}]",
                many.join(", ")
            ),
        )],
        E,
        "tls.subject_alternative_names",
        "at most 100",
    );
    expect(
        &[(
            "mode: offload",
            &format!(
                "mode: offload\n  subject_alternative_names: [{}]",
                many[..10].join(", ")
            ),
        )],
        W,
        "tls.subject_alternative_names",
        "default quota",
    );
    expect(
        &[("Z0123456789ABCDEFGHIJ", "/hostedzone/Z0123")],
        E,
        "tls.hosted_zone_id",
        "without the /hostedzone/ prefix",
    );
    expect(
        &[(
            "  domain: impala.example.com\n",
            "  certificate_arn: arn:aws:iam::123456789012:server-certificate/impala\n",
        )],
        E,
        "tls.hosted_zone_id",
        "needs tls.domain",
    );
    expect(
        &[("mode: offload", "mode: offload\n  policy: strong")],
        E,
        "tls.policy",
        "not an ELB security policy",
    );
    // ACM certificates are regional.
    let elsewhere = (
        "  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
        "  certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n",
    );
    expect(
        &[elsewhere],
        E,
        "tls.certificate_arn",
        "the certificate is in us-east-1, but the balancer is in us-west-2",
    );
    assert_clean(&[(
        "  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
        "  certificate_arn: arn:aws:acm:us-west-2:123456789012:certificate/abc\n",
    )]);
    // IAM server certificates are global.
    assert_clean(&[(
        "  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
        "  certificate_arn: arn:aws:iam::123456789012:server-certificate/impala\n",
    )]);
    // A wildcard names no host: clients need a plain name on the certificate.
    let wildcard = (
        "domain: impala.example.com",
        "domain: \"*.impala.example.com\"",
    );
    expect(
        &[wildcard],
        W,
        "tls.domain",
        "add the name clients use to subject_alternative_names",
    );
    assert_clean(&[
        wildcard,
        (
            "mode: offload",
            "mode: offload\n  subject_alternative_names: [impala.example.com]",
        ),
    ]);
}

/// On premises HAProxy presents its own certificate: no tls.domain is needed, and what only an
/// AWS balancer uses is refused.
#[test]
fn onprem_tls_has_no_aws_rules() {
    let onprem = |tls: &str| {
        let text = edit(&[(
            "tls:\n  mode: offload\n  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
            tls,
        )]);
        text[..text.find("\naws:").unwrap() + 1].to_string()
            + "haproxy:\n  public_name: impala.example.com\n"
    };
    for mode in ["offload", "bridge"] {
        let text = onprem(&format!("tls:\n  mode: {mode}\n"));
        assert_eq!(diagnostics(&text, None), vec![], "{mode}");
    }
    for (field, value, says) in [
        (
            "certificate_arn",
            "arn:aws:acm:us-west-2:123456789012:certificate/abc",
            "names an ACM or IAM certificate",
        ),
        (
            "subject_alternative_names",
            "[a.example.com]",
            "ACM certificate",
        ),
        ("hosted_zone_id", "Z0123456789ABCDEFGHIJ", "Route 53 zone"),
        (
            "policy",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
            "ELB security policy",
        ),
    ] {
        let text = onprem(&format!(
            "tls:\n  mode: offload\n  domain: impala.example.com\n  {field}: {value}\n"
        ));
        let ds = diagnostics(&text, None);
        assert!(
            ds.iter().any(|d| d.severity == E
                && d.path.as_ref().map(ToString::to_string) == Some(format!("tls.{field}"))
                && d.message.contains(says)
                && d.message.contains("no aws section")),
            "{field}: {ds:?}"
        );
    }
}

#[test]
fn kerberos() {
    expect(
        &[("realm: EXAMPLE.COM", "realm: \"\"")],
        E,
        "kerberos.realm",
        "empty",
    );
    expect(
        &[("realm: EXAMPLE.COM", "realm: \"EXAMPLE COM\"")],
        E,
        "kerberos.realm",
        "a space",
    );
    expect(
        &[("realm: EXAMPLE.COM", "realm: example.com")],
        W,
        "kerberos.realm",
        "not upper case",
    );
}

/// With Kerberos, each impalad's principal names its host: an IP address cannot be one.
#[test]
fn kerberos_needs_daemon_host_names() {
    for ip in ["10.30.1.35", "\"2001:db8::10\""] {
        expect(
            &[("host: impalad-2.example.com", &format!("host: {ip}"))],
            E,
            "daemons[1].host",
            "fully qualified host name",
        );
    }
    // Without Kerberos, an address is fine.
    assert_clean(&[
        ("host: impalad-2.example.com", "host: 10.30.1.35"),
        ("kerberos:\n  realm: EXAMPLE.COM\n", ""),
    ]);
}

#[test]
fn aws_section_and_ids() {
    let onprem = edit(&[]);
    let onprem = &onprem[..onprem.find("aws:").unwrap()];
    let ds = diagnostics(onprem, Some(Scope::aws_target("cloudformation")));
    assert!(
        ds.iter()
            .any(|d| d.message == "the cloudformation target needs an `aws` section"),
        "{ds:?}"
    );
    expect(
        &[("    instance_id: i-0a1b2c3d4e5f60004\n", "")],
        E,
        "daemons[1]",
        "has no instance_id",
    );
    expect(
        &[("region: us-west-2", "region: uswest2")],
        E,
        "aws.region",
        "not an AWS region",
    );
    expect(
        &[("vpc_id: vpc-0d1e2f3a4b5c6d7e8", "vpc_id: vpc-123")],
        E,
        "aws.vpc_id",
        "not a VPC ID",
    );
    expect(
        &[("[subnet-0a9b8c7d6e5f4a3b2]", "[sub-0a9b8c7d]")],
        E,
        "aws.subnet_ids[0]",
        "not a subnet ID",
    );
    expect(
        &[(
            "[subnet-0a9b8c7d6e5f4a3b2]",
            "[subnet-0a9b8c7d, subnet-0a9b8c7d]",
        )],
        E,
        "aws.subnet_ids[1]",
        "listed twice",
    );
}

#[test]
fn balancer_names() {
    expect(
        &[(
            "load_balancer: classic",
            "load_balancer: classic\n  name: elb_impala",
        )],
        E,
        "aws.name",
        "contains '_'",
    );
    expect(
        &[(
            "load_balancer: classic",
            "load_balancer: classic\n  name: -elb",
        )],
        E,
        "aws.name",
        "starts or ends with '-'",
    );
    expect(
        &[(
            "load_balancer: classic",
            "load_balancer: network\n  name: internal-lb",
        )],
        E,
        "aws.name",
        "internal-",
    );
    expect(
        &[("cluster: c1", "cluster: c1.prod")],
        E,
        "cluster",
        "derived from the cluster",
    );
}

#[test]
fn client_cidrs() {
    expect(
        &[("[10.30.0.0/16]", "[10.30.0.0]")],
        E,
        "aws.client_cidrs[0]",
        "not a CIDR block",
    );
    expect(
        &[("[10.30.0.0/16]", "[10.30.0.1/16]")],
        E,
        "aws.client_cidrs[0]",
        "host bits",
    );
    expect(
        &[("[10.30.0.0/16]", "[10.30.0.0/16, 10.30.0.0/16]")],
        E,
        "aws.client_cidrs[1]",
        "listed twice",
    );
    expect(
        &[("[10.30.0.0/16]", "[\"::/0\"]")],
        W,
        "aws.client_cidrs[0]",
        "every address",
    );
    // IPv6 clients reach only a dualstack NLB.
    let v6 = ("[10.30.0.0/16]", "[10.30.0.0/16, \"2001:db8::/32\"]");
    expect(&[v6], E, "aws.client_cidrs[1]", "accepts only IPv4 clients");
    let no_logs = (
        "  access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m}\n",
        "",
    );
    let nlb = ("load_balancer: classic", "load_balancer: network");
    let passthrough = ("mode: offload", "mode: passthrough");
    expect(
        &[v6, nlb, no_logs, passthrough],
        E,
        "aws.client_cidrs[1]",
        "set aws.ip_address_type: dualstack",
    );
    let dualstack = (
        "scheme: internal",
        "scheme: internal\n  ip_address_type: dualstack",
    );
    assert_clean(&[v6, nlb, no_logs, passthrough, dualstack]);
    expect(
        &[nlb, no_logs, passthrough, dualstack],
        W,
        "aws.ip_address_type",
        "no client_cidrs block is IPv6",
    );
    expect(
        &[dualstack],
        E,
        "aws.ip_address_type",
        "Classic ELB in a VPC has IPv4 addresses only",
    );
}

#[test]
fn scheme_and_logs() {
    expect(&[("tls:\n  mode: offload\n  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n", ""), ("scheme: internal", "scheme: internet-facing")], W, "aws.scheme", "clear text");
    expect(
        &[("bucket: c1-logs", "bucket: Cluster1-logs")],
        E,
        "aws.access_logs.bucket",
        "upper-case",
    );
    expect(
        &[("bucket: c1-logs", "bucket: c1..logs")],
        E,
        "aws.access_logs.bucket",
        "two dots",
    );
    expect(
        &[("bucket: c1-logs", "bucket: 10.1.2.3")],
        E,
        "aws.access_logs.bucket",
        "IP address",
    );
    expect(
        &[("bucket: c1-logs", "bucket: xn--c1")],
        E,
        "aws.access_logs.bucket",
        "xn--",
    );
    expect(
        &[("bucket: c1-logs", "bucket: c1-s3alias")],
        E,
        "aws.access_logs.bucket",
        "-s3alias",
    );
    expect(
        &[("bucket: c1-logs", "bucket: c1")],
        E,
        "aws.access_logs.bucket",
        "2 characters",
    );
    expect(
        &[("prefix: c1-impala", "prefix: /c1-impala")],
        E,
        "aws.access_logs.prefix",
        "starts or ends with '/'",
    );
    expect(
        &[("prefix: c1-impala", "prefix: x/AWSLogs")],
        E,
        "aws.access_logs.prefix",
        "AWSLogs",
    );
    expect(
        &[("prefix: c1-impala", "prefix: \"c1 impala\"")],
        E,
        "aws.access_logs.prefix",
        "a space",
    );
    expect(
        &[("interval: 60m", "interval: 30m")],
        E,
        "aws.access_logs.interval",
        "neither 5m nor 60m",
    );
    expect(
        &[("interval: 60m", "interval: 90s")],
        E,
        "aws.access_logs.interval",
        "neither 5m nor 60m",
    );
    expect(
        &[("load_balancer: classic", "load_balancer: network")],
        W,
        "aws.access_logs.interval",
        "every 5 minutes",
    );
    expect(
        &[
            ("load_balancer: classic", "load_balancer: network"),
            ("mode: offload", "mode: passthrough"),
        ],
        W,
        "aws.access_logs",
        "only for TLS listeners",
    );
}

#[test]
fn created_log_buckets() {
    let created = "access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m, create_bucket: true, retention_days: 90}";
    assert_clean(&[(
        "access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m}",
        created,
    )]);
    expect(
        &[("interval: 60m}", "interval: 60m, retention_days: 30}")],
        E,
        "aws.access_logs.retention_days",
        "only to a bucket impala-lbgen creates",
    );
    expect(
        &[(
            "interval: 60m}",
            "interval: 60m, create_bucket: true, retention_days: 3000000000}",
        )],
        E,
        "aws.access_logs.retention_days",
        "outside 1 to",
    );
    expect(
        &[(
            "interval: 60m}",
            "interval: 60m, create_bucket: true, retention_days: 0}",
        )],
        E,
        "aws.access_logs.retention_days",
        "",
    );
}

#[test]
fn alarms() {
    let at = "  tags: {env: c1}\n";
    let with = |alarms: &str| format!("{at}  alarms: {alarms}\n");
    assert_clean(&[(
        at,
        &with("{unhealthy_for: 10m, min_healthy: 2, sns_topic_arn: \"arn:aws:sns:us-west-2:123456789012:oncall\"}"),
    )]);
    assert_clean(&[(at, &with("{}"))]);
    for (alarms, path, says) in [
        (
            "{unhealthy_for: 90s}",
            "aws.alarms.unhealthy_for",
            "whole number of minutes",
        ),
        (
            "{unhealthy_for: 0}",
            "aws.alarms.unhealthy_for",
            "whole number of minutes",
        ),
        (
            "{unhealthy_for: 25h}",
            "aws.alarms.unhealthy_for",
            "longer than a day",
        ),
        (
            "{min_healthy: 3}",
            "aws.alarms.min_healthy",
            "more than the 2 daemons",
        ),
        ("{min_healthy: 0}", "aws.alarms.min_healthy", ""),
        (
            "{sns_topic_arn: \"arn:aws:sqs:us-west-2:123456789012:q\"}",
            "aws.alarms.sns_topic_arn",
            "not an SNS topic ARN",
        ),
        (
            "{sns_topic_arn: \"arn:aws:sns:us-west-2:1234:q\"}",
            "aws.alarms.sns_topic_arn",
            "12 digits",
        ),
        (
            "{sns_topic_arn: \"arn:aws:sns:us-west-2:123456789012:a b\"}",
            "aws.alarms.sns_topic_arn",
            "topic name",
        ),
    ] {
        expect(&[(at, &with(alarms))], E, path, says);
    }
    expect(
        &[(
            at,
            &with("{sns_topic_arn: \"arn:aws:sns:eu-west-1:123456789012:oncall\"}"),
        )],
        W,
        "aws.alarms.sns_topic_arn",
        "in their own region",
    );
    expect(
        &[(at, &with("{surprise: 1}"))],
        E,
        "aws.alarms.surprise",
        "",
    );
}

#[test]
fn tags() {
    let many: Vec<String> = (0..50).map(|i| format!("k{i}: v")).collect();
    expect(
        &[("tags: {env: c1}", &format!("tags: {{{}}}", many.join(", ")))],
        E,
        "aws.tags",
        "50 tags",
    );
    expect(
        &[(
            "tags: {env: c1}",
            &format!("tags: {{{}: v}}", "k".repeat(129)),
        )],
        E,
        &format!("aws.tags.{}", "k".repeat(129)),
        "1 to 128",
    );
    expect(
        &[("tags: {env: c1}", "tags: {\"aws:x\": v}")],
        E,
        "aws.tags.aws:x",
        "reserves",
    );
    expect(
        &[("tags: {env: c1}", "tags: {Name: x}")],
        E,
        "aws.tags.Name",
        "sets the Name tag",
    );
    expect(
        &[("tags: {env: c1}", "tags: {\"e#v\": x}")],
        E,
        "aws.tags.e#v",
        "contains '#'",
    );
    expect(
        &[(
            "tags: {env: c1}",
            &format!("tags: {{env: {}}}", "v".repeat(257)),
        )],
        E,
        "aws.tags.env",
        "longer than 256",
    );
    expect(
        &[("tags: {env: c1}", "tags: {env: \"a\\nb\"}")],
        E,
        "aws.tags.env",
        "a line break",
    );
}

#[test]
fn aws_health_check_and_idle_limits() {
    expect(
        &[
            ("interval: 30s", "interval: 4s"),
            ("timeout: 5s", "timeout: 2s"),
        ],
        E,
        "health_check.interval",
        "outside AWS's 5s to 300s",
    );
    expect(
        &[("interval: 30s", "interval: 301s")],
        E,
        "health_check.interval",
        "outside AWS's 5s to 300s",
    );
    expect(
        &[("timeout: 5s", "timeout: 1s")],
        E,
        "health_check.timeout",
        "Classic ELB",
    );
    expect(
        &[
            ("interval: 30s", "interval: 300s"),
            ("timeout: 5s", "timeout: 61s"),
        ],
        E,
        "health_check.timeout",
        "2s to 60s",
    );
    let nlb = ("load_balancer: classic", "load_balancer: network");
    let tcp = ("mode: offload", "mode: passthrough");
    let no_logs = (
        "  access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m}\n",
        "",
    );
    assert_clean(&[
        nlb,
        tcp,
        no_logs,
        ("interval: 30s", "interval: 300s"),
        ("timeout: 5s", "timeout: 120s"),
    ]);
    expect(
        &[
            nlb,
            ("interval: 30s", "interval: 300s"),
            ("timeout: 5s", "timeout: 121s"),
        ],
        E,
        "health_check.timeout",
        "2s to 120s",
    );
    expect(
        &[("healthy_threshold: 5", "healthy_threshold: 1")],
        E,
        "health_check.healthy_threshold",
        "2 to 10",
    );
    expect(
        &[("unhealthy_threshold: 2", "unhealthy_threshold: 11")],
        E,
        "health_check.unhealthy_threshold",
        "2 to 10",
    );
    expect(
        &[("idle_timeout: 3600s", "idle_timeout: 3601s")],
        E,
        "idle_timeout",
        "1s to 3600s",
    );
    expect(
        &[nlb, tcp, ("idle_timeout: 3600s", "idle_timeout: 59s")],
        E,
        "idle_timeout",
        "60s to 6000s",
    );
    expect(
        &[nlb, tcp, ("idle_timeout: 3600s", "idle_timeout: 6001s")],
        E,
        "idle_timeout",
        "60s to 6000s",
    );
    expect(
        &[nlb],
        W,
        "idle_timeout",
        "fixes an NLB TLS listener's idle timeout at 350s",
    );
}

#[test]
fn tls_policies() {
    expect(
        &[(
            "mode: offload",
            "mode: offload\n  policy: ELBSecurityPolicy-TLS13-1-2-2021-06",
        )],
        E,
        "tls.policy",
        "Classic ELB does not support",
    );
    expect(
        &[(
            "mode: offload",
            "mode: offload\n  policy: ELBSecurityPolicy-TLS-1-2-2017-02",
        )],
        W,
        "tls.policy",
        "did you mean",
    );
    // Policies that allow TLS 1.0 or 1.1 warn, naming the one to use instead.
    for (kind, policy, instead) in [
        (
            "classic",
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
        ),
        (
            "classic",
            "ELBSecurityPolicy-TLS-1-1-2017-01",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
        ),
        (
            "network",
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
        (
            "network",
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
        (
            "network",
            "ELBSecurityPolicy-FS-2018-06",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
    ] {
        let edits = [
            ("load_balancer: classic", &*format!("load_balancer: {kind}")),
            (
                "mode: offload",
                &*format!("mode: offload\n  policy: {policy}"),
            ),
            ("idle_timeout: 3600s", "idle_timeout: 350s"),
            ("interval: 60m", "interval: 5m"),
            ("  hs2: {port: 21050}\n", ""),
        ];
        expect(&edits, W, "tls.policy", "allows TLS 1.0 or 1.1");
        expect(&edits, W, "tls.policy", &format!("use {instead}"));
    }
    assert_clean(&[
        ("load_balancer: classic", "load_balancer: network"),
        (
            "mode: offload",
            "mode: offload\n  policy: ELBSecurityPolicy-TLS13-1-3-2021-06",
        ),
        ("idle_timeout: 3600s", "idle_timeout: 350s"),
        ("interval: 60m", "interval: 5m"),
        ("  hs2: {port: 21050}\n", ""),
    ]);
}

#[test]
fn haproxy() {
    let ds = diagnostics(
        &edit(&[("    instance_id: i-0a1b2c3d4e5f60004\n", "")]).replace(
            "  - host: impalad-2.example.com\n",
            "  - instance_id: i-0a1b2c3d4e5f60004\n",
        ),
        Some(Scope::haproxy_target("haproxy")),
    );
    assert!(
        ds.iter().any(|d| d
            .message
            .contains("daemons[1] has no host, which the haproxy target needs")),
        "{ds:?}"
    );
    expect(
        &[("bind: \"*\"", "bind: localhost")],
        E,
        "haproxy.bind",
        "neither '*' nor an IP address",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  ports: {hs2_http: 28001}")],
        E,
        "haproxy.ports.hs2_http",
        "not one of the services",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  ports: {hs2: 21000}")],
        E,
        "haproxy.ports.hs2",
        "for both beeswax and hs2",
    );
    expect(
        &[(
            "bind: \"*\"",
            "bind: \"*\"\n  ports: {beeswax: 25003, hs2: 25003}",
        )],
        E,
        "haproxy.ports.hs2",
        "for both beeswax and hs2",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  balance: {hs2_http: source}")],
        E,
        "haproxy.balance.hs2_http",
        "not one of the services",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  balance: {hs2: roundrobin}")],
        W,
        "haproxy.balance.hs2",
        "breaks Hue sessions",
    );
    expect(
        &[(
            "bind: \"*\"",
            "bind: \"*\"\n  stats: {bind: \"localhost:25002\"}",
        )],
        E,
        "haproxy.stats.bind",
        "neither '*' nor an IP address",
    );
    expect(
        &[(
            "bind: \"*\"",
            "bind: \"*\"\n  stats: {bind: \"127.0.0.1:21050\"}",
        )],
        E,
        "haproxy.stats.bind",
        "also the hs2 port",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  stats: {user: \"ad min\"}")],
        E,
        "haproxy.stats.user",
        "a space",
    );
    expect(
        &[(
            "bind: \"*\"",
            "bind: \"*\"\n  stats: {password_env: \"secret!\"}",
        )],
        E,
        "haproxy.stats.password_env",
        "environment variable name",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  public_name: \"impala lb\"")],
        E,
        "haproxy.public_name",
        "not a DNS name",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  maxconn: 2000000")],
        E,
        "haproxy.maxconn",
        "more than 1000000",
    );
    expect(
        &[("bind: \"*\"", "bind: \"*\"\n  certificate: certs/c1.pem")],
        E,
        "haproxy.certificate",
        "absolute path",
    );
    expect(
        &[(
            "bind: \"*\"",
            "bind: \"*\"\n  ca_file: \"/etc/ssl/my ca.pem\"",
        )],
        E,
        "haproxy.ca_file",
        "a space",
    );
}

#[test]
fn onprem_specs_may_check_every_second() {
    let onprem = edit(&[
        ("interval: 30s", "interval: 2s"),
        ("timeout: 5s", "timeout: 1s"),
        ("healthy_threshold: 5", "healthy_threshold: 1"),
    ]);
    assert_eq!(diagnostics(&without_aws(&onprem), None), vec![]);
    // The same spec is refused for an AWS target.
    let ds = diagnostics(
        &edit(&[
            ("interval: 30s", "interval: 2s"),
            ("timeout: 5s", "timeout: 1s"),
        ]),
        None,
    );
    assert!(
        ds.iter()
            .any(|d| d.message.contains("outside AWS's 5s to 300s")),
        "{ds:?}"
    );
}

#[track_caller]
fn assert_clean(edits: &[(&str, &str)]) {
    let ds = diagnostics(&edit(edits), None);
    assert_eq!(ds, vec![], "expected no diagnostics");
}

#[test]
fn drain_timeouts() {
    assert_clean(&[(
        "idle_timeout: 3600s",
        "idle_timeout: 3600s\ndrain_timeout: 1h",
    )]);
    expect(
        &[(
            "idle_timeout: 3600s",
            "idle_timeout: 3600s\ndrain_timeout: 0",
        )],
        E,
        "drain_timeout",
        "connections cut at once",
    );
    // Classic connection draining: 1s to 3600s; an NLB's deregistration delay: up to 3600s.
    expect(
        &[(
            "idle_timeout: 3600s",
            "idle_timeout: 3600s\ndrain_timeout: 61m",
        )],
        E,
        "drain_timeout",
        "outside 1s to 3600s, the range of a Classic ELB's connection draining timeout",
    );
    expect(
        &[
            (
                "idle_timeout: 3600s",
                "idle_timeout: 3600s\ndrain_timeout: 2h",
            ),
            ("load_balancer: classic", "load_balancer: network"),
            ("mode: offload", "mode: passthrough"),
            (
                "  domain: impala.example.com\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n",
                "",
            ),
        ],
        E,
        "drain_timeout",
        "deregistration delay",
    );
    // HAProxy alone: drain.sh may wait as long as it is told.
    let onprem = edit(&[(
        "idle_timeout: 3600s",
        "idle_timeout: 3600s\ndrain_timeout: 2h",
    )]);
    assert_eq!(diagnostics(&without_aws(&onprem), None), vec![]);
}

#[test]
fn backup_daemons() {
    let backup = (
        "    instance_id: i-0a1b2c3d4e5f60004\n",
        "    instance_id: i-0a1b2c3d4e5f60004\n    backup: true\n",
    );
    // HAProxy takes backups; an AWS balancer has none.
    let onprem = edit(&[backup]);
    assert_eq!(diagnostics(&without_aws(&onprem), None), vec![]);
    expect(&[backup], E, "daemons[1].backup", "no backup targets");
    expect_in(
        &[backup],
        Some(Scope::aws_target("cloudformation")),
        E,
        "daemons[1].backup",
        "the cloudformation target would send it clients",
    );
    let text = edit(&[backup]);
    let text = &text[..text.find("aws:").unwrap()];
    let all = text.replacen(
        "    instance_id: i-0a1b2c3d4e5f60035\n",
        "    instance_id: i-0a1b2c3d4e5f60035\n    backup: true\n",
        1,
    );
    let ds = diagnostics(&all, None);
    assert!(
        ds.iter().any(|d| d.severity == E
            && d.path.as_ref().map(ToString::to_string).as_deref() == Some("daemons")
            && d.message.contains("every daemon is a backup")),
        "{ds:?}"
    );
}

#[test]
fn health_checks_that_would_fail_or_cut_sessions() {
    // impalad's web UI (25000) with Kerberos: SPNEGO/LDAP makes /healthz answer 401.
    let http = |port: &str| {
        (
            "  service: beeswax\n",
            format!("  http: {{port: {port}, path: /healthz}}\n"),
        )
    };
    let (from, to) = http("25000");
    expect(
        &[(from, &to)],
        W,
        "health_check.http.port",
        "--metrics_webserver_port",
    );
    let (from, to) = http("25040");
    assert_clean(&[(from, &to)]);
    let (from, to) = http("25000");
    assert_clean(&[(from, &to), ("kerberos:\n  realm: EXAMPLE.COM\n", "")]);

    // Closing the sessions of an unhealthy daemon: an NLB and HAProxy can, a Classic ELB
    // alone cannot, so the switch would do nothing there.
    let terminate = (
        "  unhealthy_threshold: 2\n",
        "  unhealthy_threshold: 2\n  unhealthy_connection_termination: true\n",
    );
    assert_clean(&[terminate]);
    expect(
        &[terminate, ("haproxy:\n  bind: \"*\"\n", "")],
        W,
        "health_check.unhealthy_connection_termination",
        "changes nothing here",
    );
}

#[test]
fn haproxy_nameservers() {
    let ns = |list: &str| {
        (
            "haproxy:\n  bind: \"*\"\n",
            format!("haproxy:\n  bind: \"*\"\n  nameservers: {list}\n"),
        )
    };
    let (from, to) = ns("[10.30.0.2, \"10.30.0.3:5353\", \"[2001:db8::53]:53\"]");
    assert_clean(&[(from, &to)]);
    let (from, to) = ns("[ns1.example.com]");
    expect(
        &[(from, &to)],
        E,
        "haproxy.nameservers[0]",
        "is not an IP address",
    );
    let (from, to) = ns("[10.30.0.2, \"10.30.0.2:53\"]");
    expect(&[(from, &to)], E, "haproxy.nameservers[1]", "listed twice");
    let (from, to) = ns("[\"10.30.0.2:0\"]");
    expect(&[(from, &to)], E, "haproxy.nameservers[0]", "is not a port");
    let (from, to) = ns("[10.30.0.2]");
    expect(
        &[
            (from, &to),
            ("host: impalad-1.example.com", "host: 10.30.1.1"),
            ("host: impalad-2.example.com", "host: 10.30.1.2"),
        ],
        W,
        "haproxy.nameservers",
        "resolves nothing",
    );
}

#[test]
fn defaults_lead_with_hiveserver2() {
    use impala_lbgen::plan::{Check, Plan};
    use impala_lbgen::spec::model::ServiceKind;
    let plan = |text: &str| {
        let source = Source {
            name: "t.yaml".into(),
            text: text.into(),
        };
        Plan::new(&spec::load(source, None).unwrap().spec)
    };
    // No services: hs2 alone, and the check connects to it.
    let p = plan("cluster: c1\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n");
    let kinds: Vec<ServiceKind> = p.services.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [ServiceKind::Hs2]);
    assert_eq!(
        p.health_check.check,
        Check::Tcp {
            service: ServiceKind::Hs2
        }
    );
    assert_eq!(p.health_check.port, 21050);
    assert_eq!(p.drain.timeout, 300);
    assert!(!p.health_check.unhealthy_connection_termination);
    // beeswax and hs2: hs2 still, whatever the order.
    let p = plan("cluster: c1\nservices: {beeswax: {port: 21000}, hs2: {port: 21050}}\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n");
    assert_eq!(
        p.health_check.check,
        Check::Tcp {
            service: ServiceKind::Hs2
        }
    );
    // No hs2: the first service served, never one the balancer does not serve.
    let p = plan("cluster: c1\nservices: {beeswax: {port: 21000}, hs2_http: {port: 28000}}\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n");
    assert_eq!(
        p.health_check.check,
        Check::Tcp {
            service: ServiceKind::Beeswax
        }
    );
    let p = plan("cluster: c1\nservices: {hs2_http: {port: 443, backend_port: 28000}}\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n");
    assert_eq!(p.health_check.port, 28000);
}
