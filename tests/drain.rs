//! The drain target (`drain.sh`): snapshots, what bash reads from every script compared with
//! its spec, adversarial values, ShellCheck, the quoting of the template, and the script's
//! own checks of its arguments. It is run for real against a live HAProxy in tests/haproxy.rs
//! and against moto in tests/aws_cli.rs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TempDir, Test};
use impala_lbgen::plan::Plan;
use impala_lbgen::targets::drain;
use serde_json::{json, Value};

/// Every example, every HAProxy fixture and every AWS variant: `(name, spec as JSON)`.
fn specs() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = common::examples()
        .into_iter()
        .map(|(n, p)| (n, common::spec_json(&p)))
        .collect();
    let dir = common::repo().join("tests/fixtures/haproxy");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    fixtures.sort();
    for p in fixtures {
        let name = format!("fixture-{}", p.file_stem().unwrap().to_string_lossy());
        out.push((name, common::spec_json(&p)));
    }
    for (n, v) in common::aws_variants() {
        out.push((format!("variant-{n}"), v));
    }
    out
}

fn generate_spec(spec: &Value) -> String {
    Test::new()
        .file("impala-lb.yaml", &serde_json::to_string(spec).unwrap())
        .arg("drain")
        .run()
        .ok()
        .stdout
}

fn plan_of(example: &str) -> Plan {
    let path = common::repo().join(format!("examples/{example}.yaml"));
    let source = impala_lbgen::diagnostics::Source {
        name: example.into(),
        text: std::fs::read_to_string(path).unwrap(),
    };
    Plan::new(&impala_lbgen::spec::load(source, None).unwrap().spec)
}

fn secs(v: &Value, default: u64) -> u64 {
    match v {
        Value::Null => default,
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => {
            let (n, unit) = s.split_at(s.len() - 1);
            n.parse::<u64>().unwrap()
                * match unit {
                    "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    _ => panic!("duration {s}"),
                }
        }
        _ => panic!("duration {v}"),
    }
}

/// The variables the script's values block sets, as bash reads them (arrays as lists). Only
/// assignments run; a command substitution hidden in a value would change it (and leave a
/// canary file in `dir`).
fn read_values(script: &str, dir: &Path) -> serde_json::Map<String, Value> {
    let start = script
        .find("\n# --- The spec, resolved by impala-lbgen")
        .expect("the values block starts");
    let end = script
        .find("\n# --- End of the spec")
        .expect("the values block ends");
    let mut program =
        String::from("set -euo pipefail\nBEFORE=\" $(compgen -v | tr '\\n' ' ') \"\n");
    program.push_str(&script[start..end]);
    program.push_str(
        r#"
for name in $(compgen -v); do
  if [[ $BEFORE == *" $name "* || $name == BEFORE ]]; then continue; fi
  if [[ $(declare -p "$name") == "declare -a"* ]]; then
    declare -n ref=$name
    printf '%s\0a\0%s\0' "$name" "${#ref[@]}"
    for v in "${ref[@]}"; do printf '%s\0' "$v"; done
    unset -n ref
  else
    printf '%s\0s\0%s\0' "$name" "${!name}"
  fi
done
"#,
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&program)
        .current_dir(dir)
        .env_clear()
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash could not read the values:\n{}\n{program}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split('\0');
    let mut vars = serde_json::Map::new();
    while let Some(name) = parts.next().filter(|n| !n.is_empty()) {
        let value = if parts.next().unwrap() == "a" {
            let n: usize = parts.next().unwrap().parse().unwrap();
            Value::Array((0..n).map(|_| json!(parts.next().unwrap())).collect())
        } else {
            json!(parts.next().unwrap())
        };
        vars.insert(name.to_string(), value);
    }
    vars
}

#[test]
fn snapshots_of_every_example() {
    for (name, path) in common::examples() {
        let run = Test::new()
            .args(["-c", path.to_str().unwrap(), "drain"])
            .run()
            .ok();
        insta::assert_snapshot!(format!("drain-{name}"), run.stdout);
    }
}

/// What bash reads from each script is what its spec asks for, worked out here from the spec
/// itself: the balancers of its sections, the daemons by host and instance ID, HAProxy's
/// server and listen names, the AWS balancer and its target groups, and the waits.
#[test]
fn every_script_holds_what_its_spec_asks_for() {
    for (name, spec) in specs() {
        let script = generate_spec(&spec);
        let dir = TempDir::new("drain-read");
        let vars = read_values(&script, dir.path());
        let var = |n: &str| vars.get(n).cloned().unwrap_or(Value::Null);
        let aws = spec.get("aws");
        let haproxy = spec.get("haproxy").is_some() || aws.is_none();
        let mut balancers = Vec::new();
        if aws.is_some() {
            balancers.push("aws");
        }
        if haproxy {
            balancers.push("haproxy");
        }
        assert_eq!(var("BALANCERS"), json!(balancers), "{name}");
        assert_eq!(var("CLUSTER"), spec["cluster"], "{name}");
        let drain = secs(&spec["drain_timeout"], 300);
        assert_eq!(var("DRAIN_TIMEOUT"), json!(drain.to_string()), "{name}");
        let hc = &spec["health_check"];
        let enable =
            (hc["healthy_threshold"].as_u64().unwrap_or(5) + 1) * secs(&hc["interval"], 30) + 60;
        assert_eq!(var("ENABLE_WAIT"), json!(enable.to_string()), "{name}");

        let daemons = spec["daemons"].as_array().unwrap();
        let field = |f: &str| -> Value {
            daemons
                .iter()
                .map(|d| json!(d[f].as_str().unwrap_or_default()))
                .collect()
        };
        assert_eq!(var("HOSTS"), field("host"), "{name}");
        assert_eq!(var("INSTANCES"), field("instance_id"), "{name}");
        let first = &daemons[0];
        assert_eq!(
            var("EXAMPLE"),
            first.get("host").unwrap_or(&first["instance_id"]).clone(),
            "{name}"
        );

        let services: Vec<String> = match spec["services"].as_object() {
            Some(m) => ["beeswax", "hs2", "hs2_http"]
                .iter()
                .filter(|k| m.contains_key(**k))
                .map(|k| k.to_string())
                .collect(),
            None => vec!["hs2".into()],
        };
        if haproxy {
            let servers: Vec<Value> = daemons
                .iter()
                .map(|d| d["host"].as_str().unwrap().replace(':', "-").into())
                .collect();
            assert_eq!(var("SERVERS"), Value::Array(servers), "{name}");
            assert_eq!(var("LISTENS"), json!(services), "{name}");
            assert_eq!(var("DEFAULT_SOCKET"), "/run/haproxy/admin.sock", "{name}");
        } else {
            for v in ["SERVERS", "LISTENS", "DEFAULT_SOCKET"] {
                assert!(!vars.contains_key(v), "{name}: {v} without HAProxy");
            }
        }
        match aws {
            Some(a) => {
                let lb = a["name"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or(format!("elb-impala-{}", spec["cluster"].as_str().unwrap()));
                assert_eq!(var("LB"), json!(lb), "{name}");
                assert_eq!(var("REGION"), a["region"], "{name}");
                assert_eq!(var("AWS_WAIT"), json!((drain + 60).to_string()), "{name}");
                if a["load_balancer"] == "network" {
                    // <balancer>-<hash>-<protocol><port> (README, "Target group names").
                    let protocol = if spec["tls"]["mode"] == "bridge" {
                        "TLS"
                    } else {
                        "TCP"
                    };
                    let groups: Vec<String> = services
                        .iter()
                        .map(|s| {
                            let service = &spec["services"][s.as_str()];
                            let port = service["backend_port"]
                                .as_u64()
                                .or(service["port"].as_u64())
                                .unwrap_or(21050);
                            impala_lbgen::plan::target_group_name(&lb, protocol, port as u16)
                        })
                        .collect();
                    assert_eq!(var("TARGET_GROUPS"), json!(groups), "{name}");
                    assert!(script.contains("aws elbv2 deregister-targets"), "{name}");
                } else {
                    assert!(!vars.contains_key("TARGET_GROUPS"), "{name}");
                    assert!(
                        script.contains("aws elb deregister-instances-from-load-balancer"),
                        "{name}"
                    );
                }
            }
            None => {
                for v in ["LB", "REGION", "AWS_WAIT", "TARGET_GROUPS"] {
                    assert!(!vars.contains_key(v), "{name}: {v} without AWS");
                }
                assert!(!script.contains("aws elb"), "{name}: no AWS CLI");
            }
        }
        // --via only when there is a choice.
        assert_eq!(
            script.contains("    --via)"),
            balancers.len() > 1,
            "{name}: --via"
        );
        let file = dir.write("drain.sh", &script);
        let out = Command::new("bash").arg("-n").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn generate_writes_drain_sh_executable() {
    let t = Test::new().args([
        "-c",
        common::repo()
            .join("examples/onprem.yaml")
            .to_str()
            .unwrap(),
        "generate",
        "--out-dir",
        "out",
    ]);
    t.run().ok();
    let path = t.dir.join("out/drain.sh");
    let printed = t.run_with(&[
        "-c",
        common::repo()
            .join("examples/onprem.yaml")
            .to_str()
            .unwrap(),
        "drain",
    ]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), printed.ok().stdout);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
}

/// Adversarial names put straight into a plan (validation never lets them through) come back
/// from bash exactly and run nothing; control and bidirectional characters are refused.
#[test]
fn adversarial_values_reach_bash_exactly_or_are_refused() {
    const ADVERSARIAL: &[&str] = &[
        "it's",
        "$(touch pwned-subst)",
        "`touch pwned-backtick`",
        "${HOME} $0 $@",
        "\"double\" \\ back",
        "* ? [a-z] ~ {a,b} #",
        "a;touch pwned-semicolon|b&c",
        "-n",
        "Zürich ✓",
    ];
    for example in ["cluster1", "nlb-tls", "onprem"] {
        let mut plan = plan_of(example);
        for (i, d) in plan.daemons.iter_mut().enumerate() {
            let v = ADVERSARIAL[i % ADVERSARIAL.len()];
            d.host = Some(format!("{v} host"));
            d.instance_id = d.instance_id.as_ref().map(|_| format!("{v} id"));
            d.name = format!("{v} server");
        }
        plan.cluster = "c $(touch pwned-cluster)".into();
        if let Some(a) = plan.aws.as_mut() {
            a.name = "lb 'x' $(touch pwned-lb)".into();
            for l in &mut a.listeners {
                l.target_group_name = format!("tg `touch pwned-tg` {}", l.key);
            }
        }
        plan.haproxy.admin_socket = "/run/x y/$(touch pwned-socket).sock".into();
        let script = drain::render(&plan).unwrap();
        let dir = TempDir::new("drain-adversarial");
        let vars = read_values(&script, dir.path());
        let hosts: Vec<Value> = plan
            .daemons
            .iter()
            .map(|d| json!(d.host.clone().unwrap()))
            .collect();
        assert_eq!(vars["HOSTS"], Value::Array(hosts), "{example}");
        assert_eq!(vars["CLUSTER"], json!(plan.cluster), "{example}");
        if let Some(a) = &plan.aws {
            assert_eq!(vars["LB"], json!(a.name), "{example}");
            if a.kind == impala_lbgen::spec::model::LoadBalancerKind::Network {
                let groups: Vec<&str> = a
                    .listeners
                    .iter()
                    .map(|l| l.target_group_name.as_str())
                    .collect();
                assert_eq!(vars["TARGET_GROUPS"], json!(groups), "{example}");
            }
        }
        if plan.aws.is_none() || example == "cluster1" {
            let servers: Vec<&str> = plan.daemons.iter().map(|d| d.name.as_str()).collect();
            assert_eq!(vars["SERVERS"], json!(servers), "{example}");
            assert_eq!(
                vars["DEFAULT_SOCKET"],
                json!(plan.haproxy.admin_socket),
                "{example}"
            );
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pwned"))
            .collect();
        assert!(left.is_empty(), "{example}: bash ran {left:?}");
        let file = dir.write("drain.sh", &script);
        let out = Command::new("bash").arg("-n").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for bad in [
        "two\nlines",
        "tab\there",
        "nul\u{0}",
        "\u{1b}[31m",
        "bidi \u{202e}x",
    ] {
        let mut plan = plan_of("onprem");
        plan.daemons[1].host = Some(bad.into());
        let err = drain::render(&plan).unwrap_err().to_string();
        assert!(err.contains("cannot be written safely"), "{bad:?}: {err}");
    }
}

/// The template puts every escaped value where bash reads it as one word; raw values are
/// numbers and this target's constants.
#[test]
fn the_template_quotes_every_value_as_a_word() {
    const RAW: &[&str] = &[
        "drain_timeout",
        "aws_wait",
        "enable_wait",
        "this",
        "kind_text",
        "balancers_text",
    ];
    let dir = common::repo().join("templates/drain");
    let escaped = common::check_shell_templates(&dir, drain::TEMPLATES.len(), RAW);
    assert!(escaped >= 8, "the check saw the values ({escaped})");
}

#[test]
#[ignore = "needs shellcheck: run scripts/test"]
fn shellcheck_reports_nothing() {
    let dir = TempDir::new("drain-shellcheck");
    let files: Vec<PathBuf> = specs()
        .iter()
        .map(|(name, spec)| dir.write(&format!("{name}.sh"), &generate_spec(spec)))
        .collect();
    assert!(files.len() >= 15);
    let report = common::shellcheck(&files, &[]);
    assert!(
        report.trim().is_empty(),
        "shellcheck found problems:\n{report}"
    );
}

/// The script's own checks, before it touches any balancer: usage errors exit 2 with the
/// usage, an unknown daemon exits 2 listing the spec's, and a missing admin socket or AWS
/// balancer exits 1 saying what to do.
#[test]
fn the_script_checks_its_arguments_first() {
    let dir = TempDir::new("drain-args");
    let run = |example: &str, args: &[&str], env: &[(&str, &str)]| {
        let script = dir.write(
            &format!("{example}.sh"),
            &generate_spec(&common::example(example)),
        );
        // bash by its path: PATH may be changed for the script.
        let mut cmd = Command::new("/bin/bash");
        cmd.arg(&script)
            .args(args)
            .env("HAPROXY_SOCKET", dir.join("no.sock"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for args in [
        &[][..],
        &["drain"],
        &["enable", "a", "b"],
        &["status", "a", "b"],
        &["restart", "impalad-01.dc1.example.com"],
        &["--bogus", "status"],
        &["--via", "aws", "status"],
    ] {
        let (code, _, err) = run("onprem", args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("Usage: onprem.sh"), "{args:?}: {err}");
    }
    let (code, out, _) = run("onprem", &["--help"], &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("HAPROXY_SOCKET") && !out.contains("--via"),
        "{out}"
    );
    let (code, out, _) = run("cluster1", &["-h"], &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--via aws|haproxy|all") && out.contains("--profile"),
        "{out}"
    );

    let (code, _, err) = run("onprem", &["drain", "impalad-09.dc1.example.com"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("impalad-09.dc1.example.com is not a daemon of cluster onprem"));
    assert!(err.contains("  impalad-04.dc1.example.com\n"), "{err}");

    // Host names match whatever their case; the socket is checked before anything is done.
    let (code, _, err) = run("onprem", &["drain", "IMPALAD-01.dc1.example.com"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no HAProxy admin socket at"), "{err}");
    assert!(err.contains("set HAPROXY_SOCKET"), "{err}");
    assert!(!err.contains("--via"), "{err}");
    let (code, _, err) = run(
        "cluster1",
        &["--via", "haproxy", "drain", "i-0a1b2c3d4e5f60004"],
        &[],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--via aws acts on the AWS balancer alone"),
        "{err}"
    );

    // Without the AWS CLI on PATH.
    let (code, _, err) = run("nlb-tls", &["status"], &[("PATH", "/nonexistent")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the AWS CLI (aws) is not installed"), "{err}");
}
