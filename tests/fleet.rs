//! Fleets: `-c DIR` reads every `*.yaml` of a folder as one cluster's spec, with the folder's
//! `_defaults.yaml` merged under each; `validate`, `generate` and `check` work over all of them
//! in one process.

mod common;

use common::Test;

const DEFAULTS: &str = "\
aws:
  region: us-west-2
  vpc_id: vpc-0d1e2f3a4b5c6d7e8
  subnet_ids: [subnet-0a9b8c7d6e5f4a3b2, subnet-0a9b8c7d6e5f4a3b3]
  client_cidrs: [10.30.0.0/16]
  tags: {team: data}
health_check: {interval: 10s, timeout: 5s}
";

fn spec(cluster: &str, extra: &str) -> String {
    format!(
        "cluster: {cluster}\n\
         daemons:\n  \
           - {{host: a.example.com, instance_id: i-0a1b2c3d4e5f60035}}\n  \
           - {{host: b.example.com, instance_id: i-0a1b2c3d4e5f60036}}\n\
         {extra}"
    )
}

fn fleet() -> Test {
    Test::new()
        .file("clusters/_defaults.yaml", DEFAULTS)
        .file("clusters/dev.yaml", &spec("dev", ""))
        .file(
            "clusters/prod.yaml",
            &spec(
                "prod",
                "aws:\n  subnet_ids: [subnet-0a9b8c7d6e5f4a3b9]\n  tags: {env: prod}\n",
            ),
        )
        // Not recursive, and only *.yaml.
        .file("clusters/old/ignored.yaml", "not: a spec\n")
        .file("clusters/README.md", "the fleet\n")
}

#[test]
fn generate_and_check_a_fleet_with_defaults() {
    let t = fleet();
    let run = t.run_with(&["-c", "clusters", "validate"]).ok();
    assert!(
        run.stderr.contains("clusters/dev.yaml: valid\n")
            && run.stderr.contains("clusters/prod.yaml: valid\n")
            && run.stderr.contains("clusters: 2 specs valid\n"),
        "{}",
        run.stderr
    );
    let run = t
        .run_with(&["-c", "clusters", "generate", "--out-dir", "out"])
        .ok();
    assert!(
        run.stderr.contains("wrote out/dev (7 files)"),
        "{}",
        run.stderr
    );
    let dev = std::fs::read_to_string(t.dir.join("out/dev/cloudformation.yaml")).unwrap();
    let prod = std::fs::read_to_string(t.dir.join("out/prod/cloudformation.yaml")).unwrap();
    // Mappings merged (tags of both), the spec winning; lists replaced, never concatenated.
    assert!(
        dev.contains("\"team\"") && !dev.contains("\"env\""),
        "{dev}"
    );
    assert!(
        prod.contains("\"team\"") && prod.contains("\"env\""),
        "{prod}"
    );
    assert!(
        dev.contains("subnet-0a9b8c7d6e5f4a3b2") && dev.contains("subnet-0a9b8c7d6e5f4a3b3"),
        "{dev}"
    );
    assert!(
        prod.contains("subnet-0a9b8c7d6e5f4a3b9") && !prod.contains("subnet-0a9b8c7d6e5f4a3b2"),
        "{prod}"
    );
    assert!(dev.contains("Interval: \"10\""), "{dev}");
    // A member read on its own gets its folder's defaults: the same bytes as in the fleet.
    let alone = t
        .run_with(&["-c", "clusters/prod.yaml", "cloudformation"])
        .ok();
    assert_eq!(alone.stdout, prod);
    let run = t
        .run_with(&["-c", "clusters", "check", "--out-dir", "out"])
        .ok();
    assert!(
        run.stderr
            .contains("out: up to date with the 2 specs of clusters"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_names_the_cluster_and_file_of_every_difference() {
    let t = fleet();
    t.run_with(&["-c", "clusters", "generate", "--out-dir", "out"])
        .ok();
    let cfg = t.dir.join("out/prod/impala-config.md");
    std::fs::write(&cfg, "edited\n").unwrap();
    std::fs::remove_file(t.dir.join("out/dev/aws-cli.sh")).unwrap();
    // A cluster that was removed from the fleet, and a file of our own in a cluster's folder.
    std::fs::create_dir_all(t.dir.join("out/gone")).unwrap();
    std::fs::write(t.dir.join("out/gone/haproxy.cfg"), "x").unwrap();
    std::fs::write(t.dir.join("out/dev/notes.txt"), "mine").unwrap();
    let run = t
        .run_with(&["-c", "clusters", "check", "--out-dir", "out"])
        .fails(1);
    for line in [
        "stale: prod/impala-config.md (cluster prod, clusters/prod.yaml)\n",
        "missing: dev/aws-cli.sh (cluster dev, clusters/dev.yaml)\n",
        "extra: dev/notes.txt (cluster dev, clusters/dev.yaml): not generated from the spec\n",
        "extra: gone/ (no spec in clusters has cluster `gone`)\n",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    assert!(
        run.stderr.contains("4 files or folders in out differ from the fleet (2 clusters); run `impala-lbgen -c clusters generate --out-dir out`"),
        "{}",
        run.stderr
    );
    // generate fixes it: the gone cluster's outputs and folder go, files of our own stay.
    t.run_with(&["-c", "clusters", "generate", "--out-dir", "out"])
        .ok();
    assert!(!t.dir.join("out/gone").exists());
    assert!(t.dir.join("out/dev/notes.txt").exists());
    std::fs::remove_file(t.dir.join("out/dev/notes.txt")).unwrap();
    t.run_with(&["-c", "clusters", "check", "--out-dir", "out"])
        .ok();
}

#[test]
fn every_problem_of_every_spec_is_reported_with_its_file() {
    let t = fleet()
        .file("clusters/bad.yaml", "cluster: bad\ndaemons: []\n")
        .file("clusters/broken.yaml", "cluster: [\n");
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr.contains("--> clusters/bad.yaml:2:10 (daemons)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> clusters/broken.yaml:1:10"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("clusters/dev.yaml: valid"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: 2 of 4 specs in clusters are invalid"),
        "{}",
        run.stderr
    );
    // generate writes nothing while a spec is invalid.
    let run = t
        .run_with(&["-c", "clusters", "generate", "--out-dir", "out"])
        .fails(1);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(!t.dir.join("out").exists());
    // check reports the invalid specs and the drift of the valid ones in one run.
    std::fs::remove_file(t.dir.join("clusters/bad.yaml")).unwrap();
    std::fs::remove_file(t.dir.join("clusters/broken.yaml")).unwrap();
    t.run_with(&["-c", "clusters", "generate", "--out-dir", "out"])
        .ok();
    t.dir.write(
        "clusters/prod.yaml",
        &spec("prod", "idle_timeout: 99999s\n"),
    );
    std::fs::write(t.dir.join("out/dev/impala-config.md"), "edited\n").unwrap();
    let run = t
        .run_with(&["-c", "clusters", "check", "--out-dir", "out"])
        .fails(1);
    assert!(
        run.stdout.contains("stale: dev/impala-config.md"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("prod/"),
        "the invalid spec's folder is not extra: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("--> clusters/prod.yaml:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 spec in clusters is invalid"),
        "{}",
        run.stderr
    );
}

#[test]
fn diagnostics_point_at_the_defaults_file_a_value_came_from() {
    let t = fleet().file(
        "clusters/_defaults.yaml",
        &format!("{DEFAULTS}idle_timeout: 9999s\nhaproxy: {{maxconns: 5}}\n"),
    );
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    let text = &run.stderr;
    assert!(
        text.contains("--> clusters/_defaults.yaml:8:15 (idle_timeout)\n"),
        "{text}"
    );
    assert!(text.contains("8 | idle_timeout: 9999s\n"), "{text}");
    assert!(
        text.contains("= note: clusters/_defaults.yaml is merged under clusters/dev.yaml, which takes this value from it"),
        "{text}"
    );
    assert!(text.contains("unknown field `maxconns`"), "{text}");
    assert!(
        text.contains("--> clusters/_defaults.yaml:9:11 (haproxy.maxconns)"),
        "{text}"
    );
    assert!(
        text.contains("clusters/dev.yaml: 2 errors (spec is invalid)"),
        "{text}"
    );
    // The spec's own value wins over the default, and is reported at the spec.
    t.dir
        .write("clusters/dev.yaml", &spec("dev", "idle_timeout: 7777s\n"));
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr
            .contains("--> clusters/dev.yaml:5:15 (idle_timeout)"),
        "{}",
        run.stderr
    );
    // A defaults file that is not a mapping, or not YAML, is reported against itself.
    let t = fleet().file("clusters/_defaults.yaml", "- a\n");
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr
            .contains("_defaults.yaml must be a mapping of spec fields")
            && run.stderr.contains("--> clusters/_defaults.yaml:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn names_that_must_be_unique_are_refused_across_files() {
    // The same cluster, ignoring case: the output folders would collide.
    let t = fleet().file("clusters/zz.yaml", &spec("Dev", ""));
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr
            .contains("cluster `Dev` is also the cluster of clusters/dev.yaml")
            && run.stderr.contains("--> clusters/zz.yaml:1:10 (cluster)"),
        "{}",
        run.stderr
    );
    // Two balancers with one name in a region.
    let t = fleet().file(
        "clusters/zz.yaml",
        &spec("other", "aws:\n  name: elb-impala-dev\n"),
    );
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr.contains("the balancer `elb-impala-dev` has the name of clusters/dev.yaml's balancer in us-west-2")
            && run.stderr.contains("--> clusters/zz.yaml:6:9 (aws.name)"),
        "{}",
        run.stderr
    );
    // The same name in another region is another balancer.
    let t = fleet().file(
        "clusters/zz.yaml",
        &spec(
            "other",
            "aws:\n  name: elb-impala-dev\n  region: eu-west-1\n",
        ),
    );
    t.run_with(&["-c", "clusters", "validate"]).ok();
    // NLB target groups: their names are the balancer's cut to fit 32 characters, with a
    // 6-digit hash of the whole name, so balancers whose names share their first characters
    // get their own target groups ...
    let long = "aws:\n  load_balancer: network\n  name: impala-analytics-fleet-east-";
    let t = fleet()
        .file("clusters/a.yaml", &spec("a", &format!("{long}1\n")))
        .file("clusters/b.yaml", &spec("b", &format!("{long}2\n")));
    t.run_with(&["-c", "clusters", "validate"]).ok();
    // ... unless the hashes collide, which a large fleet may meet (these two do).
    let t = fleet()
        .file("clusters/a.yaml", &spec("a", &format!("{long}402\n")))
        .file("clusters/b.yaml", &spec("b", &format!("{long}8593\n")));
    let run = t.run_with(&["-c", "clusters", "validate"]).fails(1);
    assert!(
        run.stderr
            .contains("the target group `impala-analytics-2c09e7-tcp21050`")
            && run.stderr.contains("--> clusters/b.yaml:"),
        "{}",
        run.stderr
    );
}
