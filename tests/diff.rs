//! `diff OLD NEW`: resources created, changed in place or replaced per target, the balancer's
//! DNS name above all; files and `git:REV:path`; and the replacement data, checked against
//! cfn-lint's copy of the CloudFormation resource schemas and the AWS provider's schema.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::{all_aws_specs, repo, tool, Test};
use impala_lbgen::diagnostics::Source;
use impala_lbgen::diff::{cloudformation, terraform};
use impala_lbgen::plan::Plan;
use impala_lbgen::spec;
use impala_lbgen::targets;

fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("examples").join(format!("{name}.yaml"))).unwrap()
}

/// Runs `diff old.yaml new.yaml` for two spec texts; `(status, stdout)`.
fn diff(old: &str, new: &str, extra: &[&str]) -> (i32, String) {
    let t = Test::new().file("old.yaml", old).file("new.yaml", new);
    let mut args = vec!["diff", "old.yaml", "new.yaml"];
    args.extend(extra);
    let run = t.run_with(&args);
    assert!(run.status == 0 || run.status == 1, "{}", run.stderr);
    (run.status, run.stdout)
}

fn json(old: &str, new: &str) -> serde_json::Value {
    serde_json::from_str(&diff(old, new, &["--format", "json"]).1).unwrap()
}

/// `(id, action)` of a target's changes.
fn actions(d: &serde_json::Value, target: &str) -> Vec<(String, String)> {
    d[target]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The change of one resource of a target, by its ID.
fn resource(d: &serde_json::Value, target: &str, id: &str) -> serde_json::Value {
    d[target]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{target} has no change to {id}: {d}"))
        .clone()
}

fn has(d: &serde_json::Value, target: &str, id: &str, action: &str) -> bool {
    actions(d, target).contains(&(id.to_string(), action.to_string()))
}

#[test]
fn nothing_changes_for_the_same_spec() {
    let c1 = example("cluster1");
    let (status, out) = diff(&c1, &c1, &["--exit-code"]);
    assert_eq!(status, 0);
    assert!(out.contains("No change to any generated output."), "{out}");
}

#[test]
fn a_new_scheme_replaces_the_balancer_and_changes_its_dns_name() {
    let old = example("cluster1");
    let new = old.replace("scheme: internal", "scheme: internet-facing");
    let (status, out) = diff(&old, &new, &["--exit-code"]);
    assert_eq!(status, 1, "--exit-code: something is replaced");
    assert!(
        out.contains("> [!CAUTION]\n> **The balancer is replaced: its DNS name changes.**"),
        "{out}"
    );
    assert!(out.contains("| `LoadBalancer` | `AWS::ElasticLoadBalancing::LoadBalancer` | **REPLACED** | `Scheme` changes<br>**Blocked:** `LoadBalancerName` stays the same"), "{out}");
    assert!(
        out.contains("| `aws_elb.cluster1` | `aws_elb` | **REPLACED** | `internal` changes |"),
        "{out}"
    );
    // Without --exit-code, diff reports and exits 0.
    assert_eq!(diff(&old, &new, &[]).0, 0);
    let d = json(&old, &new);
    assert_eq!(d["replaces"], true);
    assert!(d["balancer"]["because"][0]
        .as_str()
        .unwrap()
        .contains("CloudFormation: `LoadBalancer` REPLACED"));
}

#[test]
fn a_new_name_replaces_the_balancer_without_blocking_it() {
    let old = example("nlb-tls");
    let new = old.replace(
        "load_balancer: network",
        "load_balancer: network\n  name: impala-bi-nlb",
    );
    let d = json(&old, &new);
    let lb = resource(&d, "cloudformation", "LoadBalancer");
    assert_eq!(lb["action"], "replace", "{d}");
    assert!(
        lb.get("blocked").is_none(),
        "a new name can be replaced: {lb}"
    );
    // The listeners name the balancer's ARN, which is new: they are replaced too; target groups
    // are renamed (their names come from the balancer's) and so replaced.
    assert!(has(&d, "cloudformation", "ListenerHs2", "replace"), "{d}");
    assert!(
        has(&d, "cloudformation", "TargetGroupHs2", "replace"),
        "{d}"
    );
    assert!(has(&d, "terraform", "aws_lb.bi", "replace"), "{d}");
    assert!(
        has(&d, "terraform", "aws_lb_listener.bi_hs2", "replace"),
        "{d}"
    );
    // The alias record is updated in place to the new balancer.
    assert!(has(&d, "cloudformation", "DnsRecord", "update"), "{d}");
    let consequences = d["balancer"]["consequences"].to_string();
    assert!(
        consequences.contains("follow its alias record"),
        "{consequences}"
    );
}

#[test]
fn another_kind_of_balancer_is_blocked_in_cloudformation() {
    let old = example("cluster1");
    let new = old.replace("load_balancer: classic", "load_balancer: network");
    let d = json(&old, &new);
    let lb = resource(&d, "cloudformation", "LoadBalancer");
    assert_eq!(lb["action"], "replace");
    assert!(
        lb["blocked"]
            .as_str()
            .unwrap()
            .contains("Update of resource type is not permitted"),
        "{lb}"
    );
    assert!(has(&d, "terraform", "aws_elb.cluster1", "delete"), "{d}");
    assert!(has(&d, "terraform", "aws_lb.cluster1", "create"), "{d}");
    assert!(d["balancer"].is_object());
}

#[test]
fn daemons_ports_and_tls_changes_are_named_without_replacing_the_balancer() {
    let old = example("cluster1");
    let new = old
        .replace("ip-10-30-1-4.ec2.internal", "ip-10-30-1-9.ec2.internal")
        .replace("i-0a1b2c3d4e5f60004", "i-0a1b2c3d4e5f60009")
        .replace(
            "hs2: {port: 21050}",
            "hs2: {port: 21051, backend_port: 21050}",
        )
        .replace("mode: offload", "mode: bridge");
    let (status, out) = diff(&old, &new, &["--exit-code"]);
    assert!(
        out.contains("- Daemons added: `ip-10-30-1-9.ec2.internal`."),
        "{out}"
    );
    assert!(
        out.contains("- Daemons removed: `ip-10-30-1-4.ec2.internal`."),
        "{out}"
    );
    assert!(out.contains("- hs2: port moves 21050 → 21051."), "{out}");
    assert!(out.contains("- TLS mode: offload → bridge."), "{out}");
    assert!(!out.contains("[!CAUTION]"), "{out}");
    let d = json(&old, &new);
    assert!(d["balancer"].is_null(), "{d}");
    assert!(has(&d, "cloudformation", "LoadBalancer", "update"), "{d}");
    // The client rule for the moved port is another rule: the old one goes, a new one comes.
    assert!(
        has(
            &d,
            "terraform",
            "aws_vpc_security_group_ingress_rule.cluster1_fe_in_21051_10_30_0_0_16",
            "create"
        ),
        "{d}"
    );
    assert_eq!(d["haproxy"]["action"], "reload");
    // Nothing is replaced in place: --exit-code is 0 unless rules are replaced.
    let replaced = d["cloudformation"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .chain(d["terraform"]["resources"].as_array().unwrap())
        .any(|r| r["action"] == "replace");
    assert_eq!(status, i32::from(replaced));
}

#[test]
fn a_renamed_cluster_renames_groups_and_terraform_addresses() {
    let old = example("cluster1");
    let new = old.replace("cluster: cluster1", "cluster: analytics");
    let d = json(&old, &new);
    // The groups carry their names only in tags, so CloudFormation updates them in place.
    assert!(
        has(&d, "cloudformation", "FrontEndSecurityGroup", "update"),
        "{d}"
    );
    let sg = resource(&d, "cloudformation", "FrontEndSecurityGroup");
    assert!(sg.get("blocked").is_none(), "{sg}");
    // Terraform addresses come from the cluster: every resource is another one.
    assert!(has(&d, "terraform", "aws_elb.cluster1", "delete"), "{d}");
    assert!(has(&d, "terraform", "aws_elb.analytics", "create"), "{d}");
    assert!(d["summary"][0]
        .as_str()
        .unwrap()
        .contains("Cluster renamed"));
}

#[test]
fn a_new_statistics_password_variable_needs_a_restart() {
    let old = example("onprem");
    let new = if old.contains("stats:") {
        old.replace(
            "password_env: HAPROXY_STATS_PASSWORD",
            "password_env: STATS_PW",
        )
    } else {
        old.replace(
            "haproxy:\n",
            "haproxy:\n  stats: {password_env: STATS_PW}\n",
        )
    };
    assert_ne!(old, new);
    let d = json(&old, &new);
    assert_eq!(d["haproxy"]["action"], "restart", "{d}");
    assert!(d["haproxy"]["notes"][0]
        .as_str()
        .unwrap()
        .contains("`STATS_PW`"));
    assert!(d["cloudformation"].is_null());
}

#[test]
fn old_and_new_may_come_from_git() {
    let t = Test::new()
        .file("infra/impala-lb.yaml", &example("cluster1"))
        .file("infra/_defaults.yaml", "idle_timeout: 1800s\n");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(t.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "spec"]);
    t.dir.write(
        "infra/impala-lb.yaml",
        &example("cluster1").replace("scheme: internal", "scheme: internet-facing"),
    );
    let run = t
        .run_with(&[
            "diff",
            "git:HEAD:infra/impala-lb.yaml",
            "infra/impala-lb.yaml",
        ])
        .ok();
    assert!(
        run.stdout
            .contains("`HEAD:infra/impala-lb.yaml` → `infra/impala-lb.yaml`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("[!CAUTION]"), "{}", run.stdout);
    // The committed _defaults.yaml is merged under the committed spec: only the scheme differs.
    assert!(!run.stdout.contains("Idle timeout"), "{}", run.stdout);
    // A spec the revision does not have, a revision that does not exist, a malformed name.
    let run = t
        .run_with(&["diff", "git:HEAD:infra/new.yaml", "infra/impala-lb.yaml"])
        .fails(1);
    assert!(
        run.stderr.contains("infra/new.yaml does not exist at HEAD"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&[
            "diff",
            "git:nosuchrev:infra/impala-lb.yaml",
            "infra/impala-lb.yaml",
        ])
        .fails(1);
    assert!(
        run.stderr
            .contains("git cat-file blob nosuchrev:infra/impala-lb.yaml failed"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&["diff", "git:HEAD", "infra/impala-lb.yaml"])
        .fails(2);
    assert!(run.stderr.contains("write git:REV:path"), "{}", run.stderr);
    // A file that is not there is named as a side of the diff (not as -c).
    let run = t
        .run_with(&["diff", "infra/gone.yaml", "infra/impala-lb.yaml"])
        .fails(1);
    assert!(
        run.stderr.contains("infra/gone.yaml does not exist") && !run.stderr.contains("-c FILE"),
        "{}",
        run.stderr
    );
    // An invalid side is reported like any invalid spec.
    t.dir.write("infra/bad.yaml", "cluster: x\n");
    let run = t
        .run_with(&["diff", "infra/impala-lb.yaml", "infra/bad.yaml"])
        .fails(1);
    assert!(run.stderr.contains("infra/bad.yaml"), "{}", run.stderr);
}

/// Every resource type the targets emit for every AWS spec the target tests use.
fn emitted_types() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut cfn = BTreeSet::new();
    let mut tf = BTreeSet::new();
    for (name, v) in all_aws_specs() {
        let source = Source {
            name: name.clone(),
            text: serde_json::to_string(&v).unwrap(),
        };
        let loaded = spec::load(source, None).unwrap_or_else(|r| panic!("{}", r.render()));
        let plan = Plan::new(&loaded.spec);
        let template = targets::cloudformation::render(&plan).unwrap();
        for r in cloudformation::resources(&template).unwrap().into_values() {
            cfn.insert(r.kind);
        }
        let module = targets::terraform::render(&plan).unwrap().single_file();
        for r in terraform::module(&module).unwrap().resources.into_values() {
            tf.insert(r.kind);
        }
    }
    (cfn, tf)
}

/// A new resource in a template must come with its replacement data, or this fails.
#[test]
fn every_emitted_resource_type_has_replacement_data() {
    let (cfn, tf) = emitted_types();
    assert!(cfn.len() >= 8 && tf.len() >= 10, "{cfn:?} {tf:?}");
    for kind in &cfn {
        assert!(
            cloudformation::rules(kind).is_some(),
            "CloudFormation type {kind} has no entry in src/diff/cloudformation.rs TYPES: add its createOnlyProperties (the test against cfn-lint prints them)"
        );
    }
    for kind in &tf {
        assert!(
            terraform::rules(kind).is_some(),
            "Terraform type {kind} has no entry in src/diff/terraform.rs TYPES: add its ForceNew arguments from the AWS provider's source"
        );
    }
}

#[test]
fn terraform_replacement_data_names_real_arguments() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo().join("tools/tf-schema-check/aws-provider-6.25.0.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for t in terraform::TYPES {
        let r = &schema["resource"][t.kind];
        assert!(r.is_object(), "{} is not an AWS provider resource", t.kind);
        for rule in t.rules {
            assert!(
                r["attributes"].get(rule.property).is_some()
                    || r["blocks"].get(rule.property).is_some(),
                "{}.{} is not an argument of the provider 6.25 schema",
                t.kind,
                rule.property
            );
        }
    }
}

/// The CloudFormation data is the resource provider schemas' (us-east-1), as cfn-lint ships
/// them: createOnlyProperties, conditionalCreateOnlyProperties, and the writable parts of the
/// primaryIdentifier.
#[test]
#[ignore = "needs cfn-lint: run scripts/test"]
fn cloudformation_replacement_data_matches_cfn_lint_schemas() {
    let script = r#"
import json, os, sys, cfnlint
base = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
providers = json.load(open(os.path.join(base, "providers", "us-east-1.json")))
out = {}
for kind in sys.argv[1:]:
    s = json.load(open(os.path.join(base, "resources", providers[kind] + ".json")))
    prop = lambda p: p[len("/properties/"):]
    create = [prop(p) for p in s.get("createOnlyProperties", [])]
    cond = [prop(p) for p in s.get("conditionalCreateOnlyProperties", [])]
    ro = set(s.get("readOnlyProperties", []))
    ident = [prop(p) for p in s.get("primaryIdentifier", []) if p not in ro and prop(p) not in create]
    out[kind] = {"changed": create + ident, "added_or_removed": cond}
print(json.dumps(out))
"#;
    let kinds: Vec<&str> = cloudformation::TYPES.iter().map(|t| t.kind).collect();
    let out = Command::new(tool("python"))
        .arg("-c")
        .arg(script)
        .args(&kinds)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schemas: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for t in cloudformation::TYPES {
        let ours = |when: impala_lbgen::diff::resources::When| -> BTreeSet<String> {
            t.rules
                .iter()
                .filter(|r| r.when == when)
                .map(|r| r.property.to_string())
                .collect()
        };
        let theirs = |key: &str| -> BTreeSet<String> {
            schemas[t.kind][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        use impala_lbgen::diff::resources::When;
        assert_eq!(
            ours(When::Changed),
            theirs("changed"),
            "{}: {}",
            t.kind,
            schemas[t.kind]
        );
        assert_eq!(
            ours(When::AddedOrRemoved),
            theirs("added_or_removed"),
            "{}: {}",
            t.kind,
            schemas[t.kind]
        );
        if let Some(name) = t.name {
            assert!(
                theirs("changed").contains(name),
                "{}: its name {name} is create-only",
                t.kind
            );
        }
    }
}
