//! `import haproxy` and `import aws`: specs written from what exists, read back, and what
//! they generate.
//!
//! HAProxy: `haproxy` output → `import haproxy` → `haproxy` is byte-identical for every example
//! and fixture; older recipes (frontend + backend, listen with other settings) import with
//! every directive impala-lbgen does not write as a warning and a comment. AWS: saved
//! describe-* JSON (tests/fixtures/aws-import) imports without AWS; against moto (under
//! scripts/test), the walk-through's balancer built by its own CLI commands imports field by
//! field, `--from` gives the same spec as the live import, the AWS CLI script adopts it, and
//! `--migrate-to` builds an NLB beside it with a weighted record pair.

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use common::{Test, Walkthrough, REGION};

/// Every spec with a haproxy.cfg: the examples and tests/fixtures/haproxy.
fn haproxy_specs() -> Vec<(String, PathBuf)> {
    let mut out = common::examples();
    let dir = common::repo().join("tests/fixtures/haproxy");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    fixtures.sort();
    out.extend(fixtures.into_iter().map(|p| {
        (
            format!("fixture-{}", p.file_stem().unwrap().to_string_lossy()),
            p,
        )
    }));
    out
}

/// A whitespace-insensitive form of text, so a wrapped comment compares with its warning.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The notes of an import, from its standard error.
fn warnings(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: import"))
        .map(|l| l.split_once(": ").map_or(l, |(_, m)| m).to_string())
        .collect()
}

/// Each warning is also in the spec, as a comment.
#[track_caller]
fn every_warning_is_a_comment(stderr: &str, spec: &str) {
    let comments: String = spec
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let comments = flat(&comments);
    for w in warnings(stderr) {
        assert!(
            comments.contains(&flat(&w)),
            "the warning {w:?} is not a comment in the spec:\n{spec}"
        );
    }
}

#[test]
fn haproxy_output_imports_and_writes_the_same_bytes() {
    let mut checked = 0;
    for (name, path) in haproxy_specs() {
        let t = Test::new();
        let run = t.run_with(&["-c", path.to_str().unwrap(), "haproxy", "-o", "haproxy.cfg"]);
        if run.status != 0 {
            // A spec that is not for HAProxy (its daemons have no host).
            assert!(run.stderr.contains("has no host"), "{name}: {}", run.stderr);
            continue;
        }
        let original = std::fs::read_to_string(t.dir.join("haproxy.cfg")).unwrap();
        let import = t
            .run_with(&["-o", "imported.yaml", "import", "haproxy", "haproxy.cfg"])
            .ok();
        let spec = std::fs::read_to_string(t.dir.join("imported.yaml")).unwrap();
        every_warning_is_a_comment(&import.stderr, &spec);
        // What haproxy.cfg cannot say: the name clients use, when TLS terminates there and the
        // spec names no public name, and keepalived's own settings.
        for w in warnings(&import.stderr) {
            assert!(
                w.contains("tls.domain is a placeholder")
                    || w.starts_with("keepalived's settings are not in haproxy.cfg"),
                "{name}: {w}"
            );
        }
        let again = t.run_with(&["-c", "imported.yaml", "haproxy"]).ok().stdout;
        assert_eq!(
            again, original,
            "{name}: the round trip changed haproxy.cfg:\n{spec}"
        );
        checked += 1;
    }
    assert!(
        checked >= 10,
        "the examples and haproxy fixtures: {checked}"
    );
}

#[test]
fn older_recipes_import_with_every_other_directive_as_a_note() {
    let dir = common::repo().join("tests/fixtures/haproxy-import");
    for (file, expect) in [
        (
            "frontend-backend.cfg",
            &[
                "frontend hue_front + backend hue forwards to port 8888, which is no Impala service's",
                "a stick table keeps each client on one daemon",
                "`log 127.0.0.1 local2` (global) is not carried over",
                "each service's servers are checked on their own port",
            ][..],
        ),
        (
            "listen-recipe.cfg",
            &[
                "the statistics password is written in the configuration",
                "`mode http` (defaults) is not carried over",
                "`option httplog` (defaults) is not carried over",
                "`balance` (listen stats) is not carried over",
            ][..],
        ),
    ] {
        let t = Test::new().file("in.cfg", &std::fs::read_to_string(dir.join(file)).unwrap());
        let run = t.run_with(&["-o", "spec.yaml", "import", "haproxy", "in.cfg"]).ok();
        let spec = std::fs::read_to_string(t.dir.join("spec.yaml")).unwrap();
        for e in expect {
            assert!(run.stderr.contains(e), "{file}: no warning {e:?}:\n{}", run.stderr);
        }
        every_warning_is_a_comment(&run.stderr, &spec);
        insta::assert_snapshot!(format!("import-haproxy-{file}"), spec);
        // The spec validates and writes a configuration.
        t.run_with(&["-c", "spec.yaml", "validate"]).ok();
        let cfg = t.run_with(&["-c", "spec.yaml", "haproxy"]).ok().stdout;
        assert!(cfg.contains("listen hs2\n"), "{cfg}");
    }
}

#[test]
fn an_unknown_directive_is_a_warning_and_a_comment() {
    let t = Test::new();
    t.run_with(&[
        "-c",
        common::repo()
            .join("tests/fixtures/haproxy/minimal.yaml")
            .to_str()
            .unwrap(),
        "haproxy",
        "-o",
        "h.cfg",
    ])
    .ok();
    let cfg = std::fs::read_to_string(t.dir.join("h.cfg")).unwrap();
    let cfg = cfg.replacen(
        "    balance source\n",
        "    balance source\n    option splice-auto\n",
        1,
    );
    std::fs::write(t.dir.join("h.cfg"), cfg).unwrap();
    let run = t.run_with(&["import", "haproxy", "h.cfg"]).ok();
    assert!(
        run.stderr
            .contains("`option splice-auto` (listen hs2) is not carried over"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("# IMPORT NOTE: line "),
        "{}",
        run.stdout
    );
    every_warning_is_a_comment(&run.stderr, &run.stdout);
}

#[test]
fn import_refuses_what_it_cannot_read() {
    let t = Test::new()
        .file("empty.cfg", "global\n    daemon\n")
        .file("exists.yaml", "cluster: x\n");
    let run = t.run_with(&["import", "haproxy", "empty.cfg"]).fails(1);
    assert!(
        run.stderr
            .contains("no proxy in this configuration forwards to impalad"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&["-o", "exists.yaml", "import", "haproxy", "empty.cfg"])
        .fails(1);
    assert!(
        run.stderr.contains("already exists; use --force"),
        "{}",
        run.stderr
    );
    let run = t.run_with(&["import", "haproxy", "missing.cfg"]).fails(1);
    assert!(run.stderr.contains("missing.cfg"), "{}", run.stderr);
    // --from a folder without the files names the one missing and the command that writes it.
    std::fs::create_dir_all(t.dir.join("saved")).unwrap();
    let run = t
        .run_with(&["import", "aws", "--name", "elb-impala-x", "--from", "saved"])
        .fails(1);
    assert!(
        run.stderr.contains("elb-describe-load-balancers.json"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&["import", "aws", "--name", "bad_name"])
        .fails(2);
    assert!(
        run.stderr.contains("is not a balancer name"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&["import", "aws", "--name", "x", "--record", "a.example.com"])
        .fails(2);
    assert!(run.stderr.contains("--migrate-to"), "{}", run.stderr);
}

#[test]
fn saved_describe_json_imports_without_aws() {
    for (dir, name) in [
        ("walkthrough-classic", "elb-impala-cluster1"),
        ("nlb", "nlb-impala-cluster1"),
    ] {
        let from = common::repo().join("tests/fixtures/aws-import").join(dir);
        let t = Test::new();
        let run = t
            .run_with(&[
                "-o",
                "spec.yaml",
                "import",
                "aws",
                "--name",
                name,
                "--from",
                from.to_str().unwrap(),
            ])
            .ok();
        let spec = std::fs::read_to_string(t.dir.join("spec.yaml")).unwrap();
        every_warning_is_a_comment(&run.stderr, &spec);
        insta::assert_snapshot!(format!("import-aws-{dir}"), spec);
        // It validates and generates every AWS output.
        t.run_with(&["-c", "spec.yaml", "generate", "--out-dir", "out"])
            .ok();
        for f in [
            "cloudformation.yaml",
            "cloudformation-import.json",
            "cloudformation-resources-to-import.json",
            "terraform/imports.tf",
            "aws-cli.sh",
        ] {
            assert!(t.dir.join("out").join(f).is_file(), "{dir}: {f}");
        }
    }
}

#[test]
fn a_dualstack_nlb_imports_as_dualstack() {
    // The saved NLB with its IP address type switched: the spec keeps it, or the outputs would
    // take IPv6 away from its clients.
    let t = Test::new();
    let from = t.dir.join("saved");
    std::fs::create_dir(&from).unwrap();
    let fixture = common::repo().join("tests/fixtures/aws-import/nlb");
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace(
            r#""IpAddressType": "ipv4""#,
            r#""IpAddressType": "dualstack""#,
        );
        std::fs::write(from.join(path.file_name().unwrap()), text).unwrap();
    }
    t.run_with(&[
        "-o",
        "spec.yaml",
        "import",
        "aws",
        "--name",
        "nlb-impala-cluster1",
        "--from",
        from.to_str().unwrap(),
    ])
    .ok();
    let spec = std::fs::read_to_string(t.dir.join("spec.yaml")).unwrap();
    assert!(spec.contains("\n  ip_address_type: dualstack\n"), "{spec}");
    let stack = t
        .run_with(&["-c", "spec.yaml", "cloudformation"])
        .ok()
        .stdout;
    assert!(stack.contains(r#"IpAddressType: "dualstack""#), "{stack}");
}

// ---------------------------------------------------------------------------------------------
// Against moto, with the AWS CLI.

#[test]
#[ignore = "needs moto_server and awscli: run scripts/test"]
fn the_walkthrough_balancer_imports_field_by_field() {
    let w = Walkthrough::build();
    let (status, _, stderr) = w.lbgen(&[
        "-o",
        "imported.yaml",
        "import",
        "aws",
        "--name",
        "elb-impala-cluster1",
        "--region",
        REGION,
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("imported.yaml: imported"), "{stderr}");
    let text = std::fs::read_to_string(w.dir.join("imported.yaml")).unwrap();
    every_warning_is_a_comment(&stderr, &text);
    let (status, _, stderr) = w.lbgen(&["-c", "imported.yaml", "validate", "--deny-warnings"]);
    assert_eq!(
        status, 0,
        "the imported spec validates without warnings: {stderr}"
    );

    // Field by field: what walkthrough.sh built.
    let spec = w.spec("imported.yaml");
    let groups = w.aws(&[
        "ec2",
        "describe-security-groups",
        "--filters",
        &format!("Name=vpc-id,Values={}", w.ids["vpc_id"].as_str().unwrap()),
    ]);
    let group_id = |name: &str| {
        groups["SecurityGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["GroupName"] == name)
            .unwrap()["GroupId"]
            .clone()
    };
    let instances = w.aws(&[
        "ec2",
        "describe-instances",
        "--instance-ids",
        w.ids["instance_ids"][0].as_str().unwrap(),
        w.ids["instance_ids"][1].as_str().unwrap(),
    ]);
    let host_of = |id: &Value| {
        instances["Reservations"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["Instances"].as_array().unwrap())
            .find(|i| i["InstanceId"] == *id)
            .unwrap()["PrivateDnsName"]
            .clone()
    };
    assert_eq!(spec["cluster"], "cluster1");
    assert_eq!(
        spec["services"],
        json!({"beeswax": {"port": 21000}, "hs2": {"port": 21050}})
    );
    assert_eq!(
        spec["health_check"],
        json!({"service": "beeswax", "interval": "30s", "timeout": "5s", "healthy_threshold": 5, "unhealthy_threshold": 2})
    );
    assert_eq!(spec["idle_timeout"], "3600s");
    assert!(spec.get("tls").is_none(), "TCP listeners");
    let daemons: Vec<Value> = w.ids["instance_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"host": host_of(i), "instance_id": i}))
        .collect();
    assert_eq!(spec["daemons"], Value::Array(daemons));
    let aws = &spec["aws"];
    assert_eq!(aws["region"], REGION);
    assert_eq!(aws["vpc_id"], w.ids["vpc_id"]);
    assert_eq!(aws["subnet_ids"], json!([w.ids["subnet_id"]]));
    assert_eq!(aws["load_balancer"], "classic");
    assert!(
        aws.get("name").is_none(),
        "elb-impala-<cluster> is the default name"
    );
    assert_eq!(aws["scheme"], "internal");
    assert_eq!(aws["client_cidrs"], json!(["10.30.0.0/16"]));
    assert_eq!(
        aws["access_logs"],
        json!({"bucket": "cluster1-logs", "prefix": "cluster1-impala", "interval": "60m"})
    );
    assert_eq!(aws["tags"], json!({"env": "cluster1"}));
    let fe = group_id("cluster1 Impala FE");
    let be = group_id("cluster1 Impala BE");
    assert_eq!(aws["adopt"]["name"], "elb-impala-cluster1");
    assert_eq!(
        aws["adopt"]["security_groups"],
        json!({"frontend": {"id": fe}, "backend": {"id": be}})
    );
    let rules: Vec<(String, String, i64, Value)> = aws["adopt"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["direction"].as_str().unwrap().to_string(),
                r["port"].as_i64().unwrap(),
                r.get("cidr").or(r.get("peer")).cloned().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            (
                "frontend".into(),
                "ingress".into(),
                21000,
                json!("10.30.0.0/16")
            ),
            (
                "frontend".into(),
                "ingress".into(),
                21050,
                json!("10.30.0.0/16")
            ),
            ("backend".into(), "ingress".into(), 21000, json!("frontend")),
            ("backend".into(), "ingress".into(), 21050, json!("frontend")),
        ]
    );
    assert_eq!(
        aws["adopt"]["network_interfaces"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
    // The allow-all egress rules AWS gives a new group are not the spec's: noted, not dropped.
    assert_eq!(
        warnings(&stderr_of(
            &w,
            &["import", "aws", "--name", "elb-impala-cluster1"]
        ))
        .iter()
        .filter(|n| n.contains("egress all traffic to 0.0.0.0/0"))
        .count(),
        2
    );

    // The same values examples/cluster1.yaml (the walk-through as a spec) gives, but TLS, which
    // the walk-through adds later, Kerberos, which no balancer knows, and the IDs.
    let example = common::example("cluster1");
    for field in ["cluster", "services", "health_check"] {
        assert_eq!(spec[field], example[field], "{field}");
    }
    for field in [
        "region",
        "load_balancer",
        "scheme",
        "client_cidrs",
        "access_logs",
        "tags",
    ] {
        assert_eq!(spec["aws"][field], example["aws"][field], "aws.{field}");
    }

    // Saved with scripts/aws-describe.sh, the same JSON gives the same spec without AWS.
    let out = w
        .command("bash")
        .args([
            common::repo()
                .join("scripts/aws-describe.sh")
                .to_str()
                .unwrap(),
            "elb-impala-cluster1",
            "saved",
            "--region",
            REGION,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, from_dir, stderr) = w.lbgen(&[
        "import",
        "aws",
        "--name",
        "elb-impala-cluster1",
        "--from",
        "saved",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(from_dir, text, "--from gives the live import's spec");

    // The AWS CLI script adopts it: the same groups and balancer, nothing created.
    let (status, script, stderr) = w.lbgen(&["-c", "imported.yaml", "aws-cli"]);
    assert_eq!(status, 0, "{stderr}");
    std::fs::write(w.dir.join("setup.sh"), script).unwrap();
    let out = w.command("bash").arg("setup.sh").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("creating"), "nothing is created: {err}");
    assert!(
        err.contains(&format!(
            "security group cluster1 Impala FE is {}",
            fe.as_str().unwrap()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "Classic ELB elb-impala-cluster1 is {}",
            w.dns_name
        )),
        "{err}"
    );
    let lbs = w.aws(&["elb", "describe-load-balancers"]);
    assert_eq!(lbs["LoadBalancerDescriptions"].as_array().unwrap().len(), 1);
}

fn stderr_of(w: &Walkthrough, args: &[&str]) -> String {
    let mut a = args.to_vec();
    a.extend(["--region", REGION]);
    w.lbgen(&a).2
}

#[test]
#[ignore = "needs moto_server and awscli: run scripts/test"]
fn the_walkthrough_balancer_moves_to_an_nlb_by_weighted_records() {
    let w = Walkthrough::build();
    let zone = w.ids["hosted_zone_id"].as_str().unwrap().to_string();
    // Clients use impala.example.com, a CNAME of the Classic ELB.
    w.aws(&["route53", "change-resource-record-sets", "--hosted-zone-id", &zone, "--change-batch",
        &json!({"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "impala.example.com", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": w.dns_name}]}}]}).to_string()]);
    let (status, _, stderr) = w.lbgen(&[
        "-o",
        "migrate.yaml",
        "import",
        "aws",
        "--name",
        "elb-impala-cluster1",
        "--region",
        REGION,
        "--migrate-to",
        "nlb-impala-cluster1",
        "--record",
        "impala.example.com",
        "--record-zone",
        "Z0123456789ABCDEFGHIJ",
    ]);
    // moto's Classic ELB reports no CanonicalHostedZoneNameID: the spec says so and is not valid
    // until it is set (AWS's value for us-west-2 below).
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("reports no CanonicalHostedZoneNameID"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(w.dir.join("migrate.yaml")).unwrap();
    let text = text
        .replace("hosted_zone_id: \"\"", "hosted_zone_id: Z1H1FL5HABSF5")
        .replace("weight: 0 ", "weight: 10 ");
    std::fs::write(w.dir.join("migrate.yaml"), &text).unwrap();
    let spec = w.spec("migrate.yaml");
    assert_eq!(spec["aws"]["load_balancer"], "network");
    assert_eq!(spec["aws"]["name"], "nlb-impala-cluster1");
    assert_eq!(spec["aws"]["migrate_from"]["name"], "elb-impala-cluster1");
    assert_eq!(spec["aws"]["migrate_from"]["dns_name"], w.dns_name.as_str());
    assert!(spec["aws"]["adopt"].get("name").is_none(), "the NLB is new");

    // The AWS CLI script (moto's zone ID in place of the spec's, which validation requires to
    // look like AWS's).
    let (status, script, stderr) = w.lbgen(&["-c", "migrate.yaml", "aws-cli"]);
    assert_eq!(status, 0, "{stderr}");
    std::fs::write(
        w.dir.join("migrate.sh"),
        script.replace("Z0123456789ABCDEFGHIJ", &zone),
    )
    .unwrap();
    let out = w.command("bash").arg("migrate.sh").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("replacing the plain record of impala.example.com. with the weighted pair, in one change"), "{err}");

    // Both balancers, the NLB with the Classic ELB's front-end group and the same instances.
    let classic = w.aws(&["elb", "describe-load-balancers"]);
    assert_eq!(
        classic["LoadBalancerDescriptions"][0]["LoadBalancerName"],
        "elb-impala-cluster1"
    );
    let nlb = w.aws(&[
        "elbv2",
        "describe-load-balancers",
        "--names",
        "nlb-impala-cluster1",
    ]);
    let nlb = &nlb["LoadBalancers"][0];
    assert_eq!(nlb["Type"], "network");
    assert_eq!(
        nlb["SecurityGroups"],
        json!([spec["aws"]["adopt"]["security_groups"]["frontend"]["id"]])
    );
    // The weighted pair on the name, and no CNAME any more.
    let records = w.aws(&[
        "route53",
        "list-resource-record-sets",
        "--hosted-zone-id",
        &zone,
    ]);
    let named: Vec<&Value> = records["ResourceRecordSets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Name"] == "impala.example.com.")
        .collect();
    assert_eq!(named.len(), 2, "{named:#?}");
    for r in named {
        assert_eq!(r["Type"], "A");
        assert_eq!(r["AliasTarget"]["EvaluateTargetHealth"], true);
        match r["SetIdentifier"].as_str().unwrap() {
            "elb-impala-cluster1" => {
                assert_eq!(r["Weight"], 90);
                assert_eq!(
                    r["AliasTarget"]["DNSName"]
                        .as_str()
                        .unwrap()
                        .trim_end_matches('.'),
                    w.dns_name
                );
            }
            "nlb-impala-cluster1" => {
                assert_eq!(r["Weight"], 10);
                assert_eq!(
                    r["AliasTarget"]["DNSName"]
                        .as_str()
                        .unwrap()
                        .trim_end_matches('.'),
                    nlb["DNSName"].as_str().unwrap()
                );
            }
            other => panic!("set identifier {other}"),
        }
    }
    // Again: it converges, with the pair as it is.
    let out = w.command("bash").arg("migrate.sh").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("replacing the plain record"));
}

#[test]
#[ignore = "needs shellcheck: run scripts/test"]
fn shellcheck_passes_the_shipped_scripts() {
    let out = Command::new(common::tool("shellcheck"))
        .args([
            common::repo().join("scripts/aws-describe.sh"),
            common::repo().join("tests/walkthrough.sh"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
