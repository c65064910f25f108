//! `generate` writes every output a spec supports, atomically; `check` finds drift and never
//! writes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{examples, repo, Test};

/// Every file below `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

#[test]
fn generate_writes_every_supported_output_and_nothing_else() {
    for (name, path) in examples() {
        let t = Test::new();
        let spec = path.to_str().unwrap();
        t.run_with(&["-c", spec, "generate", "--out-dir", "out"])
            .ok();
        let files = snapshot(&t.dir.join("out"));
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert!(names.contains(&"impala-config.md"), "{name}: {names:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        let has_aws = text.lines().any(|l| l.starts_with("aws:"));
        let has_haproxy = text.lines().any(|l| l.starts_with("haproxy:"));
        for aws_file in [
            "cloudformation.yaml",
            "aws-cli.sh",
            "terraform/versions.tf",
            "terraform/main.tf",
            "terraform/outputs.tf",
        ] {
            assert_eq!(names.contains(&aws_file), has_aws, "{name}: {names:?}");
        }
        if has_aws {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(t.dir.join("out/aws-cli.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o111,
                0o111 & !umask(),
                "{name}: the script is executable"
            );
        }
        assert_eq!(
            names.contains(&"haproxy.cfg"),
            has_haproxy || !has_aws,
            "{name}: {names:?}"
        );
        for n in &names {
            let keepalived = n
                .strip_prefix("keepalived/")
                .is_some_and(|f| f.ends_with(".conf") && !f.contains('/'));
            assert!(
                impala_lbgen::generate::KNOWN_FILES.contains(n) || keepalived,
                "{name}: {n} is not a known output"
            );
            // Each node's file is what `keepalived --node` prints.
            if let Some(host) = n
                .strip_prefix("keepalived/")
                .and_then(|f| f.strip_suffix(".conf"))
            {
                let conf = t
                    .run_with(&["-c", spec, "keepalived", "--node", host])
                    .ok()
                    .stdout;
                assert_eq!(files[*n], conf.as_bytes(), "{name}: {n}");
            }
        }
        let has_ha = text.contains("\n  ha:\n");
        assert_eq!(
            names.iter().any(|n| n.starts_with("keepalived/")),
            has_ha,
            "{name}: {names:?}"
        );
        // Each file is what the single-target command prints.
        if has_aws {
            let cfn = t.run_with(&["-c", spec, "cloudformation"]).ok().stdout;
            assert_eq!(files["cloudformation.yaml"], cfn.as_bytes(), "{name}");
        }
        // Byte-identical on a second run, and check agrees.
        t.run_with(&["-c", spec, "generate", "--out-dir", "out"])
            .ok();
        assert_eq!(
            snapshot(&t.dir.join("out")),
            files,
            "{name}: a second run changed the output"
        );
        let run = t.run_with(&["-c", spec, "check", "--out-dir", "out"]).ok();
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        assert!(
            run.stderr.contains("out: up to date"),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn check_lists_stale_missing_and_extra_files_and_never_writes() {
    let t = Test::new();
    let spec = repo().join("examples/cluster1.yaml");
    let spec = spec.to_str().unwrap();
    t.run_with(&["-c", spec, "generate", "--out-dir", "out"])
        .ok();
    let out = t.dir.join("out");
    let cfg = out.join("haproxy.cfg");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text = text.replace("balance leastconn", "balance roundrobin");
    std::fs::write(&cfg, &text).unwrap();
    std::fs::remove_file(out.join("impala-config.md")).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = snapshot(&out);

    let run = t
        .run_with(&["-c", spec, "check", "--out-dir", "out"])
        .fails(1);
    assert!(
        run.stdout.contains(
            "stale: haproxy.cfg\n--- haproxy.cfg (on disk)\n+++ haproxy.cfg (from the spec)\n@@"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n-    balance roundrobin\n+    balance leastconn\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("missing: impala-config.md\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("extra: notes.txt"), "{}", run.stdout);
    assert!(!run.stdout.contains('\x1b'), "no colour off a terminal");
    assert!(
        run.stderr
            .contains("3 files in out differ from the spec; run `impala-lbgen -c"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("generate --out-dir out`"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before, "check wrote something");

    // A folder that does not exist is drift too.
    let run = t
        .run_with(&["-c", spec, "check", "--out-dir", "nowhere"])
        .fails(1);
    assert!(
        run.stderr.contains("nowhere does not exist; run"),
        "{}",
        run.stderr
    );
    assert!(!t.dir.join("nowhere").exists());
}

#[test]
fn generate_removes_outputs_the_spec_no_longer_supports() {
    let t = Test::new();
    let spec = std::fs::read_to_string(repo().join("examples/cluster1.yaml")).unwrap();
    t.dir.write("impala-lb.yaml", &spec);
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    assert!(t.dir.join("out/cloudformation.yaml").exists());
    std::fs::write(t.dir.join("out/notes.txt"), "mine").unwrap();
    // Without its aws section (and the Route 53 zone only an AWS balancer uses).
    let onprem: String = spec[..spec.find("\naws:").unwrap() + 1]
        .lines()
        .filter(|l| !l.trim_start().starts_with("hosted_zone_id:"))
        .map(|l| format!("{l}\n"))
        .collect();
    t.dir.write("impala-lb.yaml", &onprem);
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    let names: Vec<String> = snapshot(&t.dir.join("out")).into_keys().collect();
    assert!(
        !names.iter().any(|n| n == "cloudformation.yaml"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n == "notes.txt"),
        "a file generate never writes is left alone: {names:?}"
    );
}

#[test]
fn generate_removes_the_keepalived_files_of_nodes_the_spec_no_longer_has() {
    let t = Test::new();
    let three = "cluster: c1
daemons: [{host: a.example.com}, {host: b.example.com}]
haproxy:
  ha:
    virtual_ip: 10.0.0.10/24
    interface: eth0
    virtual_router_id: 9
    nodes:
      - {host: lb-1.example.com, address: 10.0.0.11, priority: 150}
      - {host: lb-2.example.com, address: 10.0.0.12, priority: 100}
      - {host: 10.0.0.13, priority: 50}
";
    t.dir.write("impala-lb.yaml", three);
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    let confs = |t: &Test| -> Vec<String> {
        snapshot(&t.dir.join("out"))
            .into_keys()
            .filter(|k| k.starts_with("keepalived/"))
            .collect()
    };
    assert_eq!(
        confs(&t),
        [
            "keepalived/10.0.0.13.conf",
            "keepalived/lb-1.example.com.conf",
            "keepalived/lb-2.example.com.conf"
        ]
    );
    // A node leaves: its file goes; a file of the user's in the folder stays.
    std::fs::write(t.dir.join("out/keepalived/README"), "mine").unwrap();
    t.dir.write(
        "impala-lb.yaml",
        &three.replace(
            "      - {host: lb-2.example.com, address: 10.0.0.12, priority: 100}\n",
            "",
        ),
    );
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    assert_eq!(
        confs(&t),
        [
            "keepalived/10.0.0.13.conf",
            "keepalived/README",
            "keepalived/lb-1.example.com.conf"
        ]
    );
    let run = t.run_with(&["check", "--out-dir", "out"]).fails(1);
    assert!(
        run.stdout.contains("extra: keepalived/README"),
        "{}",
        run.stdout
    );
    // No haproxy.ha any more: every node's file goes, and the folder once it is empty.
    let single = &three[..three.find("  ha:").unwrap()];
    t.dir
        .write("impala-lb.yaml", &format!("{single}  bind: \"*\"\n"));
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    assert_eq!(confs(&t), ["keepalived/README"]);
    std::fs::remove_file(t.dir.join("out/keepalived/README")).unwrap();
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    assert!(!t.dir.join("out/keepalived").exists());
    t.run_with(&["check", "--out-dir", "out"]).ok();
}

#[test]
fn a_failure_leaves_earlier_files_whole_and_no_temporary_files() {
    let t = Test::new();
    let spec = repo().join("examples/cluster1.yaml");
    let spec = spec.to_str().unwrap();
    // haproxy.cfg cannot be written: a folder has its name.
    std::fs::create_dir_all(t.dir.join("out/haproxy.cfg")).unwrap();
    let run = t
        .run_with(&["-c", spec, "generate", "--out-dir", "out"])
        .fails(1);
    assert!(run.stderr.contains("could not write"), "{}", run.stderr);
    let files = snapshot(&t.dir.join("out"));
    let cfn = t.run_with(&["-c", spec, "cloudformation"]).ok().stdout;
    assert_eq!(
        files["cloudformation.yaml"],
        cfn.as_bytes(),
        "an earlier file is whole"
    );
    assert!(
        files.keys().all(|k| !k.ends_with(".tmp")),
        "temporary files left: {:?}",
        files.keys()
    );
}

#[test]
fn an_invalid_spec_writes_nothing() {
    let t = Test::new();
    t.dir.write("impala-lb.yaml", "cluster: c1\ndaemons: []\n");
    t.run_with(&["generate", "--out-dir", "out"]).fails(1);
    assert!(!t.dir.join("out").exists());
}

#[test]
fn output_flag_is_a_usage_error() {
    let t = Test::new();
    let spec = repo().join("examples/onprem.yaml");
    t.run_with(&[
        "-c",
        spec.to_str().unwrap(),
        "generate",
        "--out-dir",
        "out",
        "-o",
        "x",
    ])
    .fails(2);
    t.run_with(&["-c", spec.to_str().unwrap(), "check"])
        .fails(2);
}

/// The umask new files get (from a shell started the same way).
fn umask() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    u32::from_str_radix(String::from_utf8_lossy(&out.stdout).trim(), 8).unwrap()
}
