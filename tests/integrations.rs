//! The tools teams already use: the pre-commit hooks of `.pre-commit-hooks.yaml`, run by the
//! pre-commit framework itself on a scratch repository, and the GitHub Actions example of
//! `docs/github-actions.yml`, whose pull-request script runs here against a scratch repository.

mod common;

use std::path::Path;
use std::process::Command;

use common::{repo, tool, TempDir};

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = run(Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir));
    assert!(ok, "git {args:?}: {text}");
    text
}

fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("examples").join(format!("{name}.yaml"))).unwrap()
}

/// A scratch repository with a fleet of two specs and what they generate, committed.
fn user_repo(dir: &TempDir) {
    dir.write("infra/clusters/cluster1.yaml", &example("cluster1"));
    dir.write("infra/clusters/onprem.yaml", &example("onprem"));
    let bin = env!("CARGO_BIN_EXE_impala-lbgen");
    let (ok, text) = run(Command::new(bin)
        .args([
            "-c",
            "infra/clusters",
            "generate",
            "--out-dir",
            "infra/generated",
        ])
        .current_dir(dir.path()));
    assert!(ok, "{text}");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "fleet"]);
}

/// This worktree as committed-plus-uncommitted files, in a repository of its own with one
/// commit: what pre-commit clones (it needs a revision). Returns the commit.
fn hook_repo(dir: &Path) -> String {
    let (ok, files) = run(Command::new("git")
        .args(["ls-files", "-co", "--exclude-standard"])
        .current_dir(repo()));
    assert!(ok, "{files}");
    for f in files.lines().filter(|f| repo().join(f).is_file()) {
        let to = dir.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(f), &to).unwrap();
    }
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "snapshot"]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
#[ignore = "needs pre-commit: run scripts/test"]
fn pre_commit_runs_the_hooks_on_a_repository() {
    let hooks = TempDir::new("hooks");
    let rev = hook_repo(hooks.path());
    let user = TempDir::new("user");
    user_repo(&user);
    user.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: impala-lbgen-validate\n        args: [-c, infra/clusters]\n      - id: impala-lbgen-check\n        args: [-c, infra/clusters, --out-dir, infra/generated]\n",
            hooks.path().display()
        ),
    );
    git(user.path(), &["add", ".pre-commit-config.yaml"]);
    git(user.path(), &["commit", "-q", "-m", "hooks"]);
    // pre-commit builds impala-lbgen with `cargo install`; a target folder kept under target/
    // makes the next run incremental, and the release profile without optimisation builds in
    // a third of the time (what is tested is the hooks, not the optimiser). Its own cache
    // lives in the scratch folder.
    let pre_commit = |args: &[&str]| {
        let mut cmd = Command::new(tool("pre-commit"));
        cmd.args(args)
            .current_dir(user.path())
            .env("PRE_COMMIT_HOME", user.join(".cache-pre-commit"))
            .env("CARGO_TARGET_DIR", repo().join("target/pre-commit"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("NO_COLOR", "1");
        run(&mut cmd)
    };
    std::fs::write(user.join(".git/info/exclude"), ".cache-pre-commit/\n").unwrap();
    let (ok, text) = pre_commit(&["run", "--all-files"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("impala-lbgen validate") && text.contains("Passed"),
        "{text}"
    );

    // A spec edited without generating again: the check hook fails the commit.
    user.write(
        "infra/clusters/cluster1.yaml",
        &example("cluster1").replace("idle_timeout: 3600s", "idle_timeout: 1800s"),
    );
    let (ok, _) = pre_commit(&["install"]);
    assert!(ok);
    git(user.path(), &["add", "infra/clusters/cluster1.yaml"]);
    let (ok, text) = run(Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-m",
            "shorter idle timeout",
        ])
        .current_dir(user.path())
        .env("PRE_COMMIT_HOME", user.join(".cache-pre-commit"))
        .env("CARGO_TARGET_DIR", repo().join("target/pre-commit"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env(
            "PATH",
            format!(
                "{}:{}",
                tool("pre-commit").parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        ));
    assert!(!ok, "the commit must fail: {text}");
    assert!(
        text.contains(
            "stale: cluster1/cloudformation.yaml (cluster cluster1, infra/clusters/cluster1.yaml)"
        ),
        "{text}"
    );

    // An invalid spec fails the validate hook, with the diagnostic.
    user.write(
        "infra/clusters/cluster1.yaml",
        &example("cluster1").replace("idle_timeout: 3600s", "idle_timeout: 99999s"),
    );
    let (ok, text) = pre_commit(&["run", "impala-lbgen-validate", "--all-files"]);
    assert!(!ok);
    assert!(text.contains("--> infra/clusters/cluster1.yaml:"), "{text}");
}

#[test]
fn the_github_actions_example_is_a_workflow_with_the_three_steps() {
    let text = std::fs::read_to_string(repo().join("docs/github-actions.yml")).unwrap();
    let wf: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    let steps = wf["jobs"]["impala-lb"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter().any(|r| r.contains("validate --deny-warnings")),
        "{runs:?}"
    );
    assert!(
        runs.iter().any(|r| r.contains("check --out-dir")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("impala-lbgen diff \"git:$BASE:$spec\"")),
        "{runs:?}"
    );
    assert_eq!(wf["permissions"]["pull-requests"], "write");
    assert_eq!(steps[0]["with"]["fetch-depth"], 0);
    // The README shows the same file.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("docs/github-actions.yml"));
}

/// The pull-request step's script, run by bash against a scratch repository: a changed, a new
/// and a removed spec. `gh` is a stand-in here (there is no GitHub to post to) that records
/// the comment it was asked to post.
#[test]
fn the_pull_request_script_writes_a_diff_per_spec() {
    let text = std::fs::read_to_string(repo().join("docs/github-actions.yml")).unwrap();
    let wf: serde_json::Value = yaml_serde::from_str(&text).unwrap();
    let step = wf["jobs"]["impala-lb"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("impala-lbgen diff"))
        })
        .unwrap()
        .clone();
    let script = step["run"].as_str().unwrap();
    let user = TempDir::new("pr");
    user_repo(&user);
    git(user.path(), &["checkout", "-q", "-b", "change"]);
    user.write(
        "infra/clusters/cluster1.yaml",
        &example("cluster1").replace("scheme: internal", "scheme: internet-facing"),
    );
    user.write("infra/clusters/nlb.yaml", &example("nlb-tls"));
    std::fs::remove_file(user.join("infra/clusters/onprem.yaml")).unwrap();
    let bin_dir = user.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_impala-lbgen"),
        bin_dir.join("impala-lbgen"),
    )
    .unwrap();
    let gh = bin_dir.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\n# Stand-in for the GitHub CLI: records the comment.\n[ \"$3\" = --edit-last ] && exit 1\necho \"$@\" > \"$GH_LOG\"\ncp \"$5\" \"$GH_LOG.md\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = user.join("gh.log");
    let (ok, out) = run(Command::new("bash")
        .args(["-c", script])
        .current_dir(user.path())
        .env(
            "PATH",
            format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
        )
        .env("SPECS", "infra/clusters")
        .env("BASE", "main")
        .env("PR", "7")
        .env("GH_LOG", &log));
    assert!(ok, "{out}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "pr comment 7 --body-file diff.md\n"
    );
    let body = std::fs::read_to_string(user.join("gh.log.md")).unwrap();
    assert!(
        body.contains("### impala-lbgen diff: cluster `cluster1`"),
        "{body}"
    );
    assert!(body.contains("[!CAUTION]"), "{body}");
    assert!(
        body.contains("### `infra/clusters/nlb.yaml` is a new cluster"),
        "{body}"
    );
    assert!(
        body.contains("### `infra/clusters/onprem.yaml` is removed"),
        "{body}"
    );
}
