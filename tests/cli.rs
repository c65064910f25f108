//! The real binary: commands, exit codes, errors pointing at the right line and field.

mod common;

use common::{examples, repo, Test};

/// A compact valid spec; the invalid cases below change one line of it.
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
aws:
  region: us-west-2
  vpc_id: vpc-0d1e2f3a4b5c6d7e8
  subnet_ids: [subnet-0a9b8c7d6e5f4a3b2]
  load_balancer: classic
  name: elb-impala-c1
  scheme: internal
  client_cidrs: [10.30.0.0/16]
  access_logs: {bucket: c1-logs, prefix: c1-impala, interval: 60m}
  tags: {env: c1}
";

#[test]
fn the_base_spec_is_valid() {
    Test::new()
        .file("impala-lb.yaml", BASE)
        .arg("validate")
        .run()
        .ok();
}

struct Case {
    name: &'static str,
    from: &'static str,
    to: &'static str,
    /// Expected line, and the text on it the caret must point at.
    line: usize,
    at: &'static str,
    field: &'static str,
    says: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "bucket with upper case (the walk-through's own)",
        from: "bucket: c1-logs",
        to: "bucket: Cluster1-logs",
        line: 25,
        at: "Cluster1-logs",
        field: "aws.access_logs.bucket",
        says: "upper-case",
    },
    Case {
        name: "timeout not below interval",
        from: "timeout: 5s",
        to: "timeout: 30s",
        line: 13,
        at: "30s",
        field: "health_check.timeout",
        says: "not below its interval",
    },
    Case {
        name: "misspelled top-level field",
        from: "idle_timeout: 3600s",
        to: "idle_timout: 3600s",
        line: 16,
        at: "idle_timout",
        field: "idle_timout",
        says: "did you mean `idle_timeout`?",
    },
    Case {
        name: "bad CIDR",
        from: "[10.30.0.0/16]",
        to: "[10.30.0.0/33]",
        line: 24,
        at: "10.30.0.0/33",
        field: "aws.client_cidrs[0]",
        says: "not a CIDR block",
    },
    Case {
        name: "CIDR with host bits",
        from: "[10.30.0.0/16]",
        to: "[10.30.1.0/16]",
        line: 24,
        at: "10.30.1.0/16",
        field: "aws.client_cidrs[0]",
        says: "host bits",
    },
    Case {
        name: "bad instance ID",
        from: "i-0a1b2c3d4e5f60004",
        to: "i-12345",
        line: 9,
        at: "i-12345",
        field: "daemons[1].instance_id",
        says: "not an EC2 instance ID",
    },
    Case {
        name: "over-long balancer name",
        from: "name: elb-impala-c1",
        to: "name: elb-impala-c1-a-very-long-balancer-name",
        line: 22,
        at: "elb-impala-c1-a-very-long-balancer-name",
        field: "aws.name",
        says: "at most 32",
    },
    Case {
        name: "duplicate port",
        from: "hs2: {port: 21050}",
        to: "hs2: {port: 21000}",
        line: 4,
        at: "21000",
        field: "services.hs2.port",
        says: "used by both beeswax and hs2",
    },
    Case {
        name: "port out of range",
        from: "hs2: {port: 21050}",
        to: "hs2: {port: 70000}",
        line: 4,
        at: "70000",
        field: "services.hs2.port",
        says: "above the maximum of 65535",
    },
    Case {
        name: "threshold out of range",
        from: "healthy_threshold: 5",
        to: "healthy_threshold: 11",
        line: 14,
        at: "11",
        field: "health_check.healthy_threshold",
        says: "outside AWS's 2 to 10",
    },
    Case {
        name: "emit interval 30m",
        from: "interval: 60m",
        to: "interval: 30m",
        line: 25,
        at: "30m",
        field: "aws.access_logs.interval",
        says: "neither 5m nor 60m",
    },
    Case {
        name: "newline in a host",
        from: "host: impalad-1.example.com",
        to: "host: \"impalad-1\\n  bind *:80\"",
        line: 6,
        at: "\"impalad-1\\n  bind *:80\"",
        field: "daemons[0].host",
        says: "line break",
    },
    Case {
        name: "unparsable duration",
        from: "idle_timeout: 3600s",
        to: "idle_timeout: 1 hour",
        line: 16,
        at: "1 hour",
        field: "idle_timeout",
        says: "not a duration",
    },
    Case {
        name: "idle timeout out of range",
        from: "idle_timeout: 3600s",
        to: "idle_timeout: 2h",
        line: 16,
        at: "2h",
        field: "idle_timeout",
        says: "outside 1s to 3600s",
    },
    Case {
        name: "unclosed YAML",
        from: "tags: {env: c1}",
        to: "tags: {env: c1",
        line: 26,
        at: "{",
        field: "",
        says: "is not closed",
    },
    Case {
        name: "wrong type",
        from: "healthy_threshold: 5",
        to: "healthy_threshold: five",
        line: 14,
        at: "five",
        field: "health_check.healthy_threshold",
        says: "must be an integer",
    },
    Case {
        name: "unknown enum value",
        from: "load_balancer: classic",
        to: "load_balancer: clasic",
        line: 21,
        at: "clasic",
        field: "aws.load_balancer",
        says: "did you mean `classic`?",
    },
    Case {
        name: "missing required field",
        from: "  region: us-west-2\n",
        to: "",
        line: 17,
        at: "aws",
        field: "aws",
        says: "missing the required field `region`",
    },
    Case {
        name: "duplicate key",
        from: "  scheme: internal\n",
        to: "  scheme: internal\n  scheme: internal\n",
        line: 24,
        at: "scheme",
        field: "",
        says: "duplicate key `scheme`",
    },
];

#[test]
fn each_kind_of_invalid_spec_names_its_line_and_field() {
    for case in CASES {
        assert!(
            BASE.contains(case.from),
            "{}: base lacks {:?}",
            case.name,
            case.from
        );
        let text = BASE.replacen(case.from, case.to, 1);
        let run = Test::new()
            .file("bad.yaml", &text)
            .args(["-c", "bad.yaml", "validate"])
            .run();
        let ctx = format!("case {:?}\n{}", case.name, run.stderr);
        assert_eq!(run.status, 1, "{ctx}");
        assert!(!run.stderr.contains("panicked"), "{ctx}");
        let line_text = text
            .lines()
            .nth(case.line - 1)
            .unwrap_or_else(|| panic!("{ctx}: no line {}", case.line));
        let col = line_text
            .find(case.at)
            .unwrap_or_else(|| panic!("{ctx}: line {} lacks {:?}", case.line, case.at))
            + 1;
        let field = if case.field.is_empty() {
            String::new()
        } else {
            format!(" ({})", case.field)
        };
        let location = format!("--> bad.yaml:{}:{col}{field}\n", case.line);
        assert!(
            run.stderr.contains(&location),
            "expected {location:?}\n{ctx}"
        );
        assert!(
            run.stderr.contains(case.says),
            "expected {:?}\n{ctx}",
            case.says
        );
        assert!(
            run.stderr.contains(&format!("{} | {line_text}", case.line)),
            "the offending line is shown\n{ctx}"
        );
        assert!(run.stderr.contains('^'), "a caret\n{ctx}");
    }
}

#[test]
fn an_over_long_derived_name_points_at_the_cluster() {
    let text = BASE
        .replace("  name: elb-impala-c1\n", "")
        .replace("cluster: c1\n", "cluster: c1-with-a-rather-long-name\n");
    let run = Test::new()
        .file("impala-lb.yaml", &text)
        .arg("validate")
        .run()
        .fails(1);
    assert!(run.stderr.contains("the balancer name derived from the cluster, \"elb-impala-c1-with-a-rather-long-name\", is not valid"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--> impala-lb.yaml:1:10 (cluster)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: set aws.name"), "{}", run.stderr);
}

#[test]
fn every_error_is_reported_at_once() {
    let text = BASE
        .replace("bucket: c1-logs", "bucket: Cluster1-logs")
        .replace("timeout: 5s", "timeout: 30s")
        .replace("idle_timeout: 3600s", "idle_timout: 3600s")
        .replace("[10.30.0.0/16]", "[10.30.0.0/33]")
        .replace("load_balancer: classic", "load_balancer: clasic");
    let run = Test::new()
        .file("impala-lb.yaml", &text)
        .arg("validate")
        .run()
        .fails(1);
    assert_eq!(
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: ")),
        5,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("impala-lb.yaml: 5 errors (spec is invalid)"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_example_validates() {
    // The only warning a shipped example may raise, and why it is kept: an NLB cannot keep
    // sticky sessions on TLS listeners, which the nlb-tls example shows on purpose.
    let expected_warning = |name: &str| {
        (name == "nlb-tls").then_some("an NLB keeps no sticky sessions on TLS listeners")
    };
    for (name, path) in examples() {
        let run = Test::new()
            .args(["-c", path.to_str().unwrap(), "validate"])
            .run();
        assert_eq!(run.status, 0, "{name}: {}", run.stderr);
        match expected_warning(&name) {
            None => assert!(run.stderr.ends_with(": valid\n"), "{name}: {}", run.stderr),
            Some(w) => {
                assert!(run.stderr.contains(w), "{name}: {}", run.stderr);
                assert!(
                    run.stderr.ends_with(": valid, with 1 warning\n"),
                    "{name}: {}",
                    run.stderr
                );
            }
        }
    }
}

#[test]
fn warnings_exit_zero_unless_denied() {
    let text = BASE.replace("[10.30.0.0/16]", "[0.0.0.0/0]");
    let run = Test::new()
        .file("impala-lb.yaml", &text)
        .arg("validate")
        .run()
        .ok();
    assert!(
        run.stderr
            .contains("warning: 0.0.0.0/0 lets every address reach the balancer"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("valid, with 1 warning"),
        "{}",
        run.stderr
    );
    Test::new()
        .file("impala-lb.yaml", &text)
        .args(["validate", "--deny-warnings"])
        .run()
        .fails(1);
}

#[test]
fn reads_the_spec_from_stdin_and_the_environment() {
    let run = Test::new()
        .args(["-c", "-", "validate"])
        .stdin(BASE)
        .run()
        .ok();
    assert_eq!(run.stderr, "<stdin>: valid\n");
    let run = Test::new()
        .args(["-c", "-", "validate"])
        .stdin("cluster: [")
        .run()
        .fails(1);
    assert!(run.stderr.contains("--> <stdin>:1:10"), "{}", run.stderr);
    Test::new()
        .file("mine.yaml", BASE)
        .env("IMPALA_LBGEN_CONFIG", "mine.yaml")
        .arg("validate")
        .run()
        .ok();
}

#[test]
fn a_missing_spec_says_how_to_make_one() {
    let run = Test::new().arg("validate").run().fails(1);
    assert!(
        run.stderr
            .contains("could not read the spec (create one with `impala-lbgen init`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("impala-lb.yaml"), "{}", run.stderr);
}

#[test]
fn init_then_validate_in_an_empty_folder() {
    let t = Test::new();
    let run = t.run_with(&["init"]).ok();
    assert!(
        run.stderr.contains("wrote impala-lb.yaml"),
        "{}",
        run.stderr
    );
    let path = t.dir.join("impala-lb.yaml");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        impala_lbgen::commands::STARTER
    );
    t.run_with(&["validate", "--deny-warnings"]).ok();
    // It refuses to overwrite; --force overwrites.
    std::fs::write(&path, "changed").unwrap();
    let run = t.run_with(&["init"]).fails(1);
    assert!(
        run.stderr
            .contains("impala-lb.yaml already exists; use --force"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "changed");
    t.run_with(&["init", "--force"]).ok();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        impala_lbgen::commands::STARTER
    );
    // -c names the file init writes.
    t.run_with(&["-c", "other.yaml", "init"]).ok();
    t.run_with(&["-c", "other.yaml", "validate"]).ok();
    let leftovers: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn schema_prints_the_shipped_schema() {
    let run = Test::new().arg("schema").run().ok();
    let shipped = std::fs::read_to_string(repo().join("schemas/impala-lb.schema.json")).unwrap();
    assert_eq!(run.stdout, shipped);
    let t = Test::new();
    t.run_with(&["schema", "-o", "out.json"]).ok();
    assert_eq!(
        std::fs::read_to_string(t.dir.join("out.json")).unwrap(),
        shipped
    );
}

#[test]
fn completions_are_printed() {
    let run = Test::new().args(["completions", "bash"]).run().ok();
    assert!(run.stdout.contains("impala-lbgen") && run.stdout.contains("validate"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["validate", "--nope"],
        &[],
        &["completions", "tcsh"],
        &["validate", "-o", "x"],
        &["-c", "-", "init"],
    ] {
        let run = Test::new().args(args).run();
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_impala-lbgen"))
        .args(["completions", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before the first write
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_is_golden() {
    insta::assert_snapshot!("help", Test::new().arg("--help").run().ok().stdout);
    for command in [
        "validate",
        "init",
        "schema",
        "completions",
        "cloudformation",
        "aws-cli",
        "haproxy",
        "keepalived",
        "impala-config",
        "generate",
        "check",
        "drain",
    ] {
        insta::assert_snapshot!(
            format!("help-{command}"),
            Test::new().args([command, "--help"]).run().ok().stdout
        );
    }
}
