//! Shared test support: a builder that runs the real `impala-lbgen` binary in a scratch
//! folder, lookups of the external tools that `scripts/test` installs, and the specs the AWS
//! targets' tests share.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shipped example, sorted: `(name without .yaml, path)`.
pub fn examples() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(repo().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable examples/").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples found");
    out
}

/// A scratch folder removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "impala-lbgen-test-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch folder");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.0.join(p)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the real binary: `Test::new().arg("validate").file("impala-lb.yaml", "...").run()`.
pub struct Test {
    pub dir: TempDir,
    args: Vec<String>,
    stdin: Option<String>,
    env: Vec<(String, String)>,
}

/// What a run produced.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: TempDir::new("cli"),
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
        }
    }

    pub fn arg(mut self, a: impl AsRef<str>) -> Test {
        self.args.push(a.as_ref().to_string());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, args: I) -> Test {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// Writes a file into the scratch folder (the working directory of the run).
    pub fn file(self, name: &str, text: &str) -> Test {
        self.dir.write(name, text);
        self
    }

    pub fn stdin(mut self, text: &str) -> Test {
        self.stdin = Some(text.to_string());
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Test {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn run(&self) -> Run {
        self.run_with(&self.args)
    }

    /// Runs other arguments in the same folder, with the same stdin and environment.
    pub fn run_with<S: AsRef<str>>(&self, args: &[S]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_impala-lbgen"));
        cmd.args(args.iter().map(AsRef::as_ref))
            .current_dir(self.dir.path())
            .env_remove("IMPALA_LBGEN_CONFIG")
            .env("NO_COLOR", "1")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("run impala-lbgen");
        if let Some(text) = &self.stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let out: Output = child.wait_with_output().unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.status, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.status, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// An external tool that `scripts/test` installs. Tests that need one are marked
/// `#[ignore = "needs <tool>: run scripts/test"]`; when such a test runs and the tool is missing,
/// it fails loudly instead of skipping.
#[track_caller]
pub fn tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(t) = std::env::var("IMPALA_LBGEN_TOOLS") {
        let t = PathBuf::from(t);
        dirs.extend([
            t.join("bin"),
            t.join("venv/bin"),
            t.join("venv-checkov/bin"),
        ]);
    }
    let local = repo().join(".tools");
    dirs.extend([
        local.join("bin"),
        local.join("venv/bin"),
        local.join("venv-checkov/bin"),
    ]);
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed: run scripts/test, which installs it"))
}

/// The `terraform` binary on PATH. `scripts/test` does not install it (machines of this kind
/// ship Terraform and a local mirror of the AWS provider); a test that needs it fails here,
/// naming what to install.
#[track_caller]
pub fn terraform() -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join("terraform"))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "terraform is not on PATH. The Terraform tests need Terraform >= 1.5 and a local \
                 mirror of the hashicorp/aws provider >= 5.73 (machines of this kind ship \
                 /usr/local/bin/terraform and /opt/tf-plugins); install both, scripts/tools.sh \
                 does not download them"
            )
        })
}

/// `node_modules` holding `@cdktf/hcl2json`, for `tools/tf-schema-check/check.js`.
#[track_caller]
pub fn node_modules() -> PathBuf {
    let candidates = [
        std::env::var("IMPALA_LBGEN_TOOLS")
            .ok()
            .map(|t| PathBuf::from(t).join("npm/node_modules")),
        Some(repo().join(".tools/npm/node_modules")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("@cdktf/hcl2json").is_dir())
        .unwrap_or_else(|| {
            panic!("@cdktf/hcl2json is not installed: run scripts/test, which installs it")
        })
}

/// A `moto_server` (a local AWS API) on a free loopback port, stopped when dropped, also when a
/// test fails. `env` is passed to it, such as `MOTO_ACM_VALIDATION_WAIT`.
pub struct MotoServer {
    child: std::process::Child,
    pub endpoint: String,
}

impl MotoServer {
    #[track_caller]
    pub fn start(env: &[(&str, &str)]) -> MotoServer {
        use std::net::{TcpListener, TcpStream};
        use std::time::{Duration, Instant};
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(tool("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on {port} within 60s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        moto
    }

    /// Runs the Python helper `tests/<script>` (boto3, from the tools' venv) against this
    /// server: `script ENDPOINT REGION ARGS...`; its JSON answer.
    #[track_caller]
    pub fn py(&self, script: &str, region: &str, args: &[&str]) -> serde_json::Value {
        let out = Command::new(tool("python"))
            .arg(repo().join("tests").join(script))
            .arg(&self.endpoint)
            .arg(region)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run tests/{script}: {e}"));
        assert!(
            out.status.success(),
            "{script} {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --- specs for the AWS targets' tests -------------------------------------------------------

/// A spec file as JSON (our YAML reader, the one the binary uses).
pub fn spec_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    impala_lbgen::spec::yaml::parse(&text).unwrap().to_json()
}

/// A shipped example as JSON.
pub fn example(name: &str) -> Value {
    spec_json(&repo().join("examples").join(format!("{name}.yaml")))
}

/// The shipped examples that have an `aws` section.
/// The name clients use by a spec's certificate: the first of `tls.domain` and
/// `tls.subject_alternative_names` that is one host, not a wildcard.
pub fn client_host(spec: &Value) -> Option<&str> {
    std::iter::once(&spec["tls"]["domain"])
        .chain(
            spec["tls"]["subject_alternative_names"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(Value::as_str)
        .find(|n| !n.starts_with("*."))
}

pub fn aws_examples() -> Vec<(String, PathBuf)> {
    let list: Vec<_> = examples()
        .into_iter()
        .filter(|(_, p)| spec_json(p).get("aws").is_some())
        .collect();
    assert!(
        list.len() >= 3,
        "cluster1, classic-tls and nlb-tls at least"
    );
    list
}

/// Specs beside the examples, covering every branch of the templates: every TLS mode on both
/// balancer kinds, a certificate without a hosted zone, a wildcard certificate, an HTTP health
/// check, no access logs, IPv4 and dualstack NLBs, custom and long names, other drain timeouts,
/// connections closed when a daemon turns unhealthy. Warnings are fine.
pub fn aws_variants() -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();

    let mut v = example("cluster1");
    v.as_object_mut().unwrap().remove("tls");
    v["drain_timeout"] = json!("20m");
    out.push(("classic-plain", v));

    let mut v = example("cluster1");
    v["tls"] = json!({"mode": "passthrough", "domain": "impala.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"});
    out.push(("classic-passthrough", v));

    // A wildcard certificate: clients use, and the alias record names, its first plain name.
    let mut v = example("cluster1");
    v["tls"] = json!({"mode": "offload", "domain": "*.impala.example.com",
        "subject_alternative_names": ["impala.example.com", "Impala.Example.ORG"],
        "hosted_zone_id": "Z0123456789ABCDEFGHIJ"});
    out.push(("classic-wildcard", v));

    let mut v = example("cluster1");
    v["health_check"] = json!({"http": {"port": 25000}, "interval": "5s", "timeout": "2s"});
    v["aws"].as_object_mut().unwrap().remove("access_logs");
    v["services"] = json!({"hs2_http": {"port": 443, "backend_port": 28000}});
    out.push(("classic-http-check", v));

    let mut v = example("nlb-tls");
    v["tls"] = json!({"mode": "passthrough"});
    v["idle_timeout"] = json!("1h");
    v["aws"].as_object_mut().unwrap().remove("access_logs");
    v["aws"].as_object_mut().unwrap().remove("ip_address_type");
    v["aws"]["client_cidrs"] = json!(["10.0.0.0/8"]);
    out.push(("nlb-passthrough", v));

    let mut v = example("nlb-tls");
    v.as_object_mut().unwrap().remove("tls");
    v.as_object_mut().unwrap().remove("services");
    v["health_check"] = json!({"unhealthy_connection_termination": true});
    v["drain_timeout"] = json!(45);
    v["idle_timeout"] = json!(6000);
    v["aws"]["client_cidrs"] = json!(["10.0.0.0/8", "2001:db8::/32"]);
    v["aws"]["ip_address_type"] = json!("dualstack");
    v["aws"]["name"] = json!("impala-nlb");
    v["aws"]["scheme"] = json!("internet-facing");
    out.push(("nlb-plain", v));

    let mut v = example("nlb-tls");
    v["tls"] = json!({"mode": "bridge",
        "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "policy": "ELBSecurityPolicy-TLS13-1-3-2021-06"});
    out.push(("nlb-bridge", v));

    let mut v = example("nlb-tls");
    v["tls"].as_object_mut().unwrap().remove("hosted_zone_id");
    out.push(("nlb-no-zone", v));

    // A name sharing its first 30 characters with another balancer's: target group names
    // keep at most 32, and a hash of the whole name tells them apart.
    let mut v = example("nlb-tls");
    v["aws"]["name"] = json!("impala-analytics-production-lb1");
    out.push(("nlb-long-name", v));
    // The stack creates the log bucket: NLB delivery with its conditions, and alarms without a
    // topic (no actions).
    let mut v = example("nlb-tls");
    v["aws"]["access_logs"] = json!({"bucket": "bi-nlb-logs", "create_bucket": true});
    v["aws"]["alarms"] = json!({});
    out.push(("nlb-created-bucket", v));

    // A Classic ELB in a region launched after August 2022 (the log-delivery service principal
    // rather than an ELB account) and one in GovCloud (another partition).
    let mut v = example("cluster1");
    v["aws"]["region"] = json!("eu-central-2");
    v["aws"]["access_logs"]["create_bucket"] = json!(true);
    v["aws"]["access_logs"]["retention_days"] = json!(30);
    v["aws"]["alarms"] = json!({"unhealthy_for": "1m", "min_healthy": 2});
    out.push(("classic-new-region", v));

    let mut v = example("cluster1");
    v["aws"]["region"] = json!("us-gov-west-1");
    v["aws"]["access_logs"] = json!({"bucket": "cluster1-gov-logs", "create_bucket": true});
    v["aws"]["alarms"] =
        json!({"sns_topic_arn": "arn:aws-us-gov:sns:us-gov-west-1:123456789012:oncall"});
    out.push(("classic-govcloud", v));
    out
}

/// Every AWS spec the target tests check: the AWS examples and the variants, as `(name, spec)`.
pub fn all_aws_specs() -> Vec<(String, Value)> {
    aws_examples()
        .into_iter()
        .map(|(n, p)| (n, spec_json(&p)))
        .chain(aws_variants().into_iter().map(|(n, v)| (n.to_string(), v)))
        .collect()
}

// --- bash scripts ----------------------------------------------------------------------------

/// Checks the shell templates in `dir` (there must be `templates` of them) put every escaped
/// value (`{{x}}`, single-quoted by the escape) where bash reads it as one word: never inside
/// double quotes, `$(...)` within them, or a here-document, where the single quotes would be
/// literal and `$(...)` would run. Raw values (`{{{x}}}`) may only be the fields named in
/// `raw`, numbers and constants of the target. Returns how many escaped values it saw.
pub fn check_shell_templates(dir: &Path, templates: usize, raw: &[&str]) -> usize {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), templates, "{}", dir.display());
    let mut escaped = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy();
        let mut heredoc: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let at = format!("{name}:{}: {line}", n + 1);
            if let Some(end) = &heredoc {
                for (i, _) in line.match_indices("{{") {
                    let tag = &line[i + 2..];
                    assert!(
                        tag.starts_with(['{', '#', '/']) || tag.starts_with("else"),
                        "{at}: only raw constants and block tags in a here-document"
                    );
                }
                if line.trim() == end {
                    heredoc = None;
                }
                continue;
            }
            // A here-document (<<, not the here-string <<<) must be quoted: <<'END'.
            let here = line
                .match_indices("<<")
                .map(|(i, _)| i)
                .find(|&i| !line[i..].starts_with("<<<") && (i == 0 || &line[i - 1..i] != "<"));
            if let Some(i) = here {
                let rest = &line[i + 2..];
                assert!(rest.starts_with('\''), "{at}: only quoted here-documents");
                heredoc = Some(rest[1..].split('\'').next().unwrap().to_string());
            }
            // Walk the line, tracking bash's quoting; at each {{...}}, the state must be
            // "unquoted" for an escaped value, anything for a raw constant.
            let bytes = line.as_bytes();
            let (mut single, mut double, mut i) = (false, false, 0);
            while i < bytes.len() {
                if line[i..].starts_with("{{{") {
                    let end = line[i..].find("}}}").unwrap() + i;
                    let field = line[i + 3..end].trim();
                    let field = field.rsplit('.').next().unwrap();
                    assert!(raw.contains(&field), "{at}: raw {field} is not a constant");
                    i = end + 3;
                    continue;
                }
                if line[i..].starts_with("{{") {
                    let end = line[i..].find("}}").unwrap() + i;
                    let tag = &line[i + 2..end];
                    let control = tag.starts_with(['#', '/', '>', '!']) || tag == "else";
                    if !control {
                        escaped += 1;
                        assert!(
                            !single && !double,
                            "{at}: {{{{{tag}}}}} inside quotes would not be one safe word"
                        );
                        let next = bytes.get(end + 2).copied();
                        assert!(
                            next.is_none_or(|b| b == b' ' || b == b')' || b == b'{'),
                            "{at}: {{{{{tag}}}}} must end a word"
                        );
                    }
                    i = end + 2;
                    continue;
                }
                match bytes[i] {
                    b'#' if !single && !double && (i == 0 || bytes[i - 1] == b' ') => break,
                    b'\\' if !single => i += 1,
                    b'\'' if !double => single = !single,
                    b'"' if !single => double = !double,
                    _ => {}
                }
                i += 1;
            }
        }
    }
    escaped
}

/// ShellCheck's report on `files` (gcc format; empty when clean), every check at every
/// severity, but for those in `exclude`.
pub fn shellcheck(files: &[PathBuf], exclude: &[&str]) -> String {
    let mut cmd = Command::new(tool("shellcheck"));
    cmd.args(["--shell=bash", "--severity=style", "--format=gcc"]);
    if !exclude.is_empty() {
        cmd.arg(format!("--exclude={}", exclude.join(",")));
    }
    let out = cmd.args(files).output().expect("run shellcheck");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.success(),
        report.trim().is_empty(),
        "shellcheck exit {:?}: {report}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    report
}

// --- the AWS walk-through on moto ----------------------------------------------------------

/// moto with a VPC, subnet, two instances, the log bucket and a zone (tests/moto_aws_cli.py),
/// and the walk-through's balancer built with its own commands (tests/walkthrough.sh).
pub struct Walkthrough {
    pub moto: MotoServer,
    pub ids: Value,
    pub dir: TempDir,
    /// What walkthrough.sh printed: the balancer's DNS name.
    pub dns_name: String,
}

pub const REGION: &str = "us-west-2";

impl Walkthrough {
    pub fn build() -> Walkthrough {
        let moto = MotoServer::start(&[]);
        let ids = moto.py(
            "moto_aws_cli.py",
            REGION,
            &["setup", "cluster1-logs", "example.com"],
        );
        let dir = TempDir::new("import-walkthrough");
        let mut w = Walkthrough {
            moto,
            ids,
            dir,
            dns_name: String::new(),
        };
        let mut args = vec![
            repo()
                .join("tests/walkthrough.sh")
                .to_string_lossy()
                .into_owned(),
            "cluster1".into(),
            w.ids["vpc_id"].as_str().unwrap().into(),
            w.ids["subnet_id"].as_str().unwrap().into(),
            "10.30.0.0/16".into(),
            "cluster1-logs".into(),
        ];
        for i in w.ids["instance_ids"].as_array().unwrap() {
            args.push(i.as_str().unwrap().into());
        }
        let out = w.command("bash").args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "walkthrough.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        w.dns_name = String::from_utf8_lossy(&out.stdout).trim().to_string();
        w
    }

    /// A command with the AWS environment pointed at moto (and the AWS CLI on PATH).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let aws = tool("aws");
        let none = self.dir.join("no-aws-config");
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    aws.parent().unwrap().display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("AWS_ENDPOINT_URL", &self.moto.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", &none)
            .env("AWS_SHARED_CREDENTIALS_FILE", &none)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("NO_COLOR", "1")
            .env_remove("IMPALA_LBGEN_CONFIG");
        cmd
    }

    /// impala-lbgen ARGS against moto: (status, stdout, stderr).
    pub fn lbgen(&self, args: &[&str]) -> (i32, String, String) {
        let out = self
            .command(env!("CARGO_BIN_EXE_impala-lbgen"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `aws ARGS --output json`, parsed.
    pub fn aws(&self, args: &[&str]) -> Value {
        let out = self
            .command(tool("aws"))
            .args(args)
            .args(["--output", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn spec(&self, file: &str) -> Value {
        spec_json(&self.dir.join(file))
    }
}
