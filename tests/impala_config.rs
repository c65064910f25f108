//! `impala-lbgen impala-config`: a snapshot per example and fixture, and the rules that decide
//! the balancer's name, ports and Kerberos principal.

mod common;

use std::path::{Path, PathBuf};

use common::Test;

/// Every example and every fixture in tests/fixtures/haproxy and tests/fixtures/terraform:
/// `(snapshot name, path)`.
fn specs() -> Vec<(String, PathBuf)> {
    let mut out = common::examples();
    for (folder, prefix) in [("haproxy", "fixture"), ("terraform", "fixture-terraform")] {
        let dir = common::repo().join("tests/fixtures").join(folder);
        let mut fixtures: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| {
                (
                    format!("{prefix}-{}", p.file_stem().unwrap().to_string_lossy()),
                    p,
                )
            })
            .collect();
        fixtures.sort();
        out.extend(fixtures);
    }
    out
}

fn impala_config(spec: &Path) -> String {
    Test::new()
        .args(["-c", spec.to_str().unwrap(), "impala-config"])
        .run()
        .ok()
        .stdout
}

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests/fixtures/haproxy").join(name)
}

#[test]
fn snapshot_of_every_example_and_fixture() {
    for (name, path) in specs() {
        insta::assert_snapshot!(format!("impala-config-{name}"), impala_config(&path));
    }
}

#[test]
fn the_balancer_name_comes_from_tls_domain_then_public_name() {
    let out = impala_config(&common::repo().join("examples/cluster1.yaml"));
    assert!(out.contains(
        "through the Classic ELB `elb-impala-cluster1` at `impala.example.com` (`tls.domain`)"
    ));
    assert!(
        out.contains("```\nimpala.example.com:21050\n```"),
        "Cloudera Manager's value is host:port of hs2"
    );
    assert!(out.contains("impala-shell -i impala.example.com:21050 --protocol=hs2 --ssl -k\n"));
    assert!(out.contains("jdbc:hive2://impala.example.com:21050/default;principal=impala/impala.example.com@EXAMPLE.COM;ssl=true\n"));
    assert!(out.contains("jdbc:impala://impala.example.com:21050/default;AuthMech=1;KrbRealm=EXAMPLE.COM;KrbHostFQDN=impala.example.com;KrbServiceName=impala;SSL=1\n"));

    let out = impala_config(&common::repo().join("examples/onprem.yaml"));
    assert!(
        out.contains("through HAProxy at `impala-proxy.dc1.example.com` (`haproxy.public_name`)")
    );
    assert!(out.contains("jdbc:hive2://impala-proxy.dc1.example.com:28000/default;transportMode=http;httpPath=cliservice;principal=impala/impala-proxy.dc1.example.com@EXAMPLE.COM\n"));
    // Hue's server_conn_timeout is a Thrift call timeout: never the balancer's idle timeout.
    assert!(!out.contains("  server_conn_timeout="), "{out}");
    assert!(out.contains("Leave `server_conn_timeout` at Hue's default (120 seconds)"));
    assert!(out.contains("--principal=impala/impala-proxy.dc1.example.com@EXAMPLE.COM\n     --be_principal=impala/impalad-02.dc1.example.com@EXAMPLE.COM\n     --keytab_file=/etc/impala/impala-proxy.keytab\n"));
    assert!(out.contains("impala-shell -i impalad-01.dc1.example.com:21050 --protocol=hs2 -k -b impala-proxy.dc1.example.com\n"));
}

#[test]
fn haproxy_ports_are_what_clients_use() {
    let out = impala_config(&fixture("http-check.yaml"));
    assert!(
        out.contains("`<haproxy-host>:21001`") && out.contains("`<haproxy-host>:21051`"),
        "{out}"
    );
    assert!(out.contains("Set\n> `haproxy.public_name`"), "{out}");
    assert!(
        out.contains("jdbc:hive2://<haproxy-host>:21051/default;auth=noSasl\n"),
        "{out}"
    );
    assert!(
        !out.contains("Kerberos"),
        "no Kerberos, no principal: {out}"
    );
}

#[test]
fn an_aws_balancer_without_a_domain_is_a_marked_placeholder() {
    let out = impala_config(&fixture("aws-nlb.yaml"));
    assert!(out.contains("> **Placeholder:** `<elb-dns-name>`"), "{out}");
    assert!(out.contains("aws elbv2 describe-load-balancers --region us-west-2 --names elb-impala-nlb1 --query 'LoadBalancers[0].DNSName' --output text"));
    assert!(out.contains("that principal must match the name clients use"));
    assert!(out.contains("impala_principal=impala/<elb-dns-name>@EXAMPLE.COM"));
}

#[test]
fn kerberos_keytab_is_configurable() {
    let out = impala_config(&fixture("tls-passthrough.yaml"));
    assert!(out.contains("--keytab_file=/etc/impala/conf/lb.keytab\n"));
    assert!(out.contains("impalad presents its own certificate"));
    let run = Test::new()
        .file("impala-lb.yaml", "cluster: c\ndaemons: [{host: a.example.com}, {host: b.example.com}]\nkerberos: {realm: EXAMPLE.COM, keytab: relative.keytab}\n")
        .arg("impala-config")
        .run()
        .fails(1);
    assert!(run.stderr.contains("kerberos.keytab"), "{}", run.stderr);
}

#[test]
fn output_goes_to_a_file_with_dash_o() {
    let t = Test::new()
        .file(
            "impala-lb.yaml",
            "cluster: c\ndaemons: [{host: a.example.com}, {host: b.example.com}]\n",
        )
        .args(["impala-config", "-o", "wiring.md"]);
    t.run().ok();
    let text = std::fs::read_to_string(t.dir.join("wiring.md")).unwrap();
    assert!(text.starts_with("# Impala and client wiring for cluster c\n"));
}

/// A wildcard certificate names no host: clients use its first plain name.
#[test]
fn a_wildcard_certificate_gives_its_plain_name_to_clients() {
    let out = impala_config(&common::repo().join("tests/fixtures/terraform/classic-wildcard.yaml"));
    assert!(
        out.contains("at `impala.analytics.example.com` (`tls.subject_alternative_names`)"),
        "{out}"
    );
    assert!(out
        .contains("impala_principal=impala/impala.analytics.example.com@ANALYTICS.EXAMPLE.COM\n"));
    assert!(!out.contains("*."), "{out}");
}

/// Hue verifies the balancer's certificate against a CA bundle it is told about.
#[test]
fn hue_verifies_the_certificate() {
    let out = impala_config(&common::repo().join("examples/cluster1.yaml"));
    assert!(
        out.contains("  [[ssl]]\n    enabled=true\n    # PEM bundle of Amazon's root CAs, which sign ACM certificates (the system bundle has them)\n    cacerts=/etc/hue/cacerts.pem\n    validate=true\n"),
        "{out}"
    );
    let out = impala_config(&fixture("tls-own-certificate.yaml"));
    assert!(
        out.contains("# PEM bundle of the CA that signed the balancer's certificate\n"),
        "{out}"
    );
    let out = impala_config(&fixture("tls-passthrough.yaml"));
    assert!(
        out.contains("# PEM bundle of the CA that signed impalad's certificates"),
        "{out}"
    );
}

/// Kerberos clients must not canonicalize the balancer's name through DNS (MIT Kerberos,
/// "Principal names and DNS").
#[test]
fn kerberos_clients_keep_the_name_they_were_given() {
    let out = impala_config(&common::repo().join("examples/onprem.yaml"));
    assert!(
        out.contains(
            "```ini\n[libdefaults]\n  dns_canonicalize_hostname = false\n  rdns = false\n```\n"
        ),
        "{out}"
    );
    assert!(out.contains("https://web.mit.edu/kerberos/krb5-latest/doc/admin/princ_dns.html"));
    assert!(
        out.contains("reverse-resolve to the proxy host's own name"),
        "{out}"
    );
    let out = impala_config(&common::repo().join("examples/cluster1.yaml"));
    assert!(
        out.contains("reverse-resolve to names of AWS's own"),
        "{out}"
    );
    let out = impala_config(&fixture("minimal.yaml"));
    assert!(!out.contains("krb5.conf"), "no Kerberos, no advice: {out}");
}

/// On premises, TLS needs neither tls.domain nor an ACM certificate.
#[test]
fn onprem_tls_uses_haproxy_s_own_certificate_and_name() {
    let out = impala_config(&fixture("tls-own-certificate.yaml"));
    assert!(
        out.contains("through HAProxy at `impala.dc2.example.com` (`haproxy.public_name`)"),
        "{out}"
    );
    let cfg = Test::new()
        .args([
            "-c",
            fixture("tls-own-certificate.yaml").to_str().unwrap(),
            "haproxy",
        ])
        .run()
        .ok()
        .stdout;
    assert!(
        cfg.contains(" ssl crt /etc/haproxy/tls/impala.dc2.example.com.pem\n"),
        "{cfg}"
    );
}

/// impala-shell reads `-i host:port` of an IPv6 address only in brackets. (Validation refuses
/// IP addresses as daemon hosts with Kerberos, the one case where a daemon's own address is
/// printed; the plan is built here without it, to show the address is written right anyway.)
#[test]
fn ipv6_addresses_are_bracketed_for_impala_shell() {
    use impala_lbgen::spec::model::Spec;
    assert_eq!(
        impala_lbgen::targets::impala_config::host_port("2001:db8::10", 21050),
        "[2001:db8::10]:21050"
    );
    assert_eq!(
        impala_lbgen::targets::impala_config::host_port("impalad-1.example.com", 21050),
        "impalad-1.example.com:21050"
    );
    let spec: Spec = serde_json::from_value(serde_json::json!({
        "cluster": "v6",
        "daemons": [{"host": "2001:db8::10"}],
        "kerberos": {"realm": "EXAMPLE.COM"},
    }))
    .unwrap();
    let plan = impala_lbgen::plan::Plan::new(&spec);
    let out = impala_lbgen::targets::impala_config::render(&plan).unwrap();
    assert!(
        out.contains("impala-shell -i [2001:db8::10]:21050 --protocol=hs2 -k -b <haproxy-host>\n"),
        "{out}"
    );
}

#[test]
fn the_ha_pair_is_reached_by_the_virtual_ips_name() {
    let out = impala_config(&common::repo().join("examples/onprem-ha.yaml"));
    assert!(
        out.contains("through HAProxy at `impala.dc1.example.com` (`haproxy.public_name`)"),
        "{out}"
    );
    assert!(out.contains("impala_principal=impala/impala.dc1.example.com@DC1.EXAMPLE.COM\n"));
    assert!(out.contains("`impala.dc1.example.com` must resolve to `10.20.0.10` (an A record)"));
    for node in ["haproxy-1.dc1.example.com", "haproxy-2.dc1.example.com"] {
        assert!(
            out.contains(&format!(
                "impala-lbgen keepalived --node {node} -o /etc/keepalived/keepalived.conf"
            )),
            "{out}"
        );
        assert!(out.contains(&format!("`keepalived/{node}.conf`")));
    }
    assert!(out.contains("iptables -A INPUT -p vrrp -s PEER -j ACCEPT"));

    // Without a public name (and without Kerberos), clients use the address itself.
    let out = impala_config(&fixture("ha-ipv6.yaml"));
    assert!(
        out.contains("through HAProxy at `2001:db8::10` (`haproxy.ha.virtual_ip`)"),
        "{out}"
    );
    assert!(
        out.contains("sysctl --system"),
        "HAProxy binds the virtual IP: {out}"
    );
    assert!(out.contains("ip6tables -A INPUT -p vrrp"));
}

#[test]
fn an_existing_log_bucket_gets_the_statement_to_add() {
    let statements = |out: &str| -> serde_json::Value {
        let start = out.find("```json\n").expect("a JSON block") + 8;
        let end = start + out[start..].find("```").unwrap();
        serde_json::from_str(&out[start..end]).unwrap()
    };
    // The walk-through's Classic ELB in us-west-2: the region's ELB account writes the logs.
    let out = impala_config(&common::repo().join("examples/cluster1.yaml"));
    assert!(out.contains("(\"Access Denied for bucket: cluster1-logs\")"));
    assert_eq!(
        statements(&out),
        serde_json::json!([{
            "Sid": "ELBAccessLogsWrite",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::797873946194:root"},
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::cluster1-logs/cluster1-impala/AWSLogs/<account-id>/*"],
        }])
    );
    // The NLB: the log-delivery service, limited to the account's deliveries in the region.
    let out = impala_config(&common::repo().join("examples/nlb-tls.yaml"));
    let s = statements(&out);
    assert_eq!(
        s[1]["Principal"],
        serde_json::json!({"Service": "delivery.logs.amazonaws.com"})
    );
    assert_eq!(
        s[1]["Condition"]["ArnLike"]["aws:SourceArn"],
        serde_json::json!(["arn:aws:logs:eu-west-1:<account-id>:*"])
    );
    assert_eq!(
        s[1]["Resource"],
        serde_json::json!(["arn:aws:s3:::bi-nlb-logs/impala/AWSLogs/<account-id>/*"])
    );
    // A bucket impala-lbgen creates needs nothing added.
    let out = impala_config(&common::repo().join("examples/classic-tls.yaml"));
    assert!(out.contains("The bucket `analytics-elb-logs` is created with it"));
    assert!(!out.contains("```json"));
}

#[test]
fn monitoring_says_how_to_scrape_haproxy_and_impalad() {
    let out = impala_config(&common::repo().join("examples/onprem.yaml"));
    for line in [
        "  - job_name: haproxy-onprem\n    metrics_path: /metrics\n    basic_auth:\n      username: admin\n",
        "          - \"127.0.0.1:25002\"\n",
        "  - job_name: impalad-onprem\n    metrics_path: /metrics_prometheus\n",
        "          - \"impalad-02.dc1.example.com:25000\"\n",
        "--metrics_webserver_port=<port>",
    ] {
        assert!(out.contains(line), "{line:?} in:\n{out}");
    }
    // No statistics page, no HAProxy scraping; the HTTP check's port is impalad's web server.
    let out = impala_config(&fixture("http-check.yaml"));
    assert!(!out.contains("job_name: haproxy"), "{out}");
    assert!(out.contains("\"impalad-1.example.com:25000\""), "{out}");
}
