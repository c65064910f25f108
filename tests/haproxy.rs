//! The haproxy target: snapshots, what every configuration holds, refusal of values that could
//! inject a directive, `haproxy -c` on every example and fixture, and the configuration run
//! live in front of test daemons on 127.0.0.2-4.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{TempDir, Test};
use impala_lbgen::plan::Plan;
use impala_lbgen::targets::haproxy;

/// Every example the haproxy target applies to, and every fixture in tests/fixtures/haproxy:
/// `(snapshot name, path)`. An example whose daemons lack a `host` (an AWS-only spec) is left
/// out, loudly; any other reason to refuse it is a failure.
fn specs() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = common::examples()
        .into_iter()
        .filter(|(name, path)| {
            let text = std::fs::read_to_string(path).unwrap();
            let source = impala_lbgen::diagnostics::Source {
                name: name.clone(),
                text,
            };
            let scope = impala_lbgen::validate::Scope::haproxy_target("haproxy");
            match impala_lbgen::spec::load(source, Some(scope)) {
                Ok(_) => true,
                Err(report) if report.errors().all(|d| d.message.contains("has no host")) => {
                    eprintln!("{name}: not an HAProxy spec (daemons without host)");
                    false
                }
                Err(report) => panic!(
                    "{name} is invalid for the haproxy target:\n{}",
                    report.render()
                ),
            }
        })
        .collect();
    let dir = common::repo().join("tests/fixtures/haproxy");
    let mut fixtures: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/haproxy exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = format!("fixture-{}", p.file_stem().unwrap().to_string_lossy());
            (name, p)
        })
        .collect();
    fixtures.sort();
    out.extend(fixtures);
    out
}

/// Runs `impala-lbgen -c <spec> haproxy` and returns haproxy.cfg.
fn generate(spec: &Path) -> String {
    Test::new()
        .args(["-c", spec.to_str().unwrap(), "haproxy"])
        .run()
        .ok()
        .stdout
}

#[test]
fn snapshot_of_every_example_and_fixture() {
    for (name, path) in specs() {
        insta::assert_snapshot!(format!("haproxy-{name}"), generate(&path));
    }
}

/// What Impala's proxy documentation asks of every configuration, whatever the spec.
#[test]
fn every_configuration_follows_impalas_proxy_documentation() {
    for (name, path) in specs() {
        let cfg = generate(&path);
        for line in [
            "    chroot /var/lib/haproxy",
            "    user haproxy",
            "    group haproxy",
            "    daemon",
            "    stats socket /run/haproxy/admin.sock mode 600 level admin",
            "    mode tcp",
            "    option tcplog",
            "    option dontlognull",
            "    option redispatch",
            "    retries 3",
            "    timeout connect 5s",
        ] {
            assert!(cfg.lines().any(|l| l == line), "{name}: no {line:?}\n{cfg}");
        }
        assert!(
            !cfg.contains("send-proxy"),
            "{name}: impalad does not speak the PROXY protocol"
        );
        assert!(
            !cfg.contains("mode http\n    balance"),
            "{name}: HTTP mode is for the stats page only"
        );
        assert!(!cfg.contains("50000"), "{name}");
        // Every line is ASCII, and a server line per daemon and service.
        assert!(cfg.is_ascii(), "{name}");
        let listens = cfg.lines().filter(|l| l.starts_with("listen ")).count();
        assert!(listens >= 1, "{name}");
    }
}

#[test]
fn defaults_and_overrides_reach_the_configuration() {
    let onprem = generate(&common::repo().join("examples/onprem.yaml"));
    // onprem: hs2 check every 2s, 1s timeout, healthy 2, unhealthy 3, idle 1h.
    assert!(onprem
        .contains("    timeout client 3600s\n    timeout server 3600s\n    timeout check 1s\n"));
    assert!(onprem.contains("listen beeswax\n    bind *:21000\n    balance leastconn\n"));
    assert!(onprem
        .contains("listen hs2\n    bind *:21050\n    balance source\n    hash-type consistent\n"));
    // DNS names: resolved at run time too, and a name that does not resolve keeps no one from
    // starting.
    assert!(onprem.contains(
        "    default-server inter 2s fall 3 rise 2 resolvers dns init-addr last,libc,none\n"
    ));
    assert!(onprem.contains("\nresolvers dns\n    parse-resolv-conf\n"));
    for line in [
        "    hold valid 10s\n",
        "    hold nx 30s\n",
        "    hold timeout 1h\n",
    ] {
        assert!(onprem.contains(line), "{line}");
    }
    // A backup coordinator, and the whole backup set takes over.
    assert!(onprem.contains(
        "server impalad-04.dc1.example.com impalad-04.dc1.example.com:21050 check backup\n"
    ));
    assert_eq!(onprem.matches("    option allbackups\n").count(), 3);
    // A daemon marked down keeps its sessions.
    assert!(!onprem.contains("on-marked-down shutdown-sessions"));
    assert!(onprem.contains(
        "server impalad-02.dc1.example.com impalad-02.dc1.example.com:21000 check port 21050\n"
    ));
    assert!(onprem
        .contains("server impalad-02.dc1.example.com impalad-02.dc1.example.com:21050 check\n"));
    assert!(onprem.contains(
        "userlist stats-users\n    # insecure-password: compared as given rather than as a crypt(3) hash.\n    user admin insecure-password \"${HAPROXY_STATS_PASSWORD}\"\n"
    ));
    // One password for the page and the metrics: the auth rule comes before the exporter.
    let stats = &onprem[onprem.find("listen stats").unwrap()..];
    let auth = stats
        .find("    http-request auth realm haproxy-stats unless { http_auth(stats-users) }\n")
        .expect("an auth rule");
    let metrics = stats
        .find("    http-request use-service prometheus-exporter if { path /metrics }\n")
        .expect("the Prometheus exporter");
    assert!(auth < metrics, "{stats}");
    // The statistics page does not inherit Impala's hours-long client timeout.
    assert!(onprem.contains(
        "listen stats\n    bind 127.0.0.1:25002\n    mode http\n    # The page answers at once, so it gets short timeouts rather than the hours Impala's\n    # connections may idle: 10s to send a request, and 30s of silence before a client is dropped.\n    timeout client 30s\n    timeout http-request 10s\n"
    ));

    let colocated = generate(&common::repo().join("tests/fixtures/haproxy/http-check.yaml"));
    assert!(colocated.contains("listen beeswax\n    bind *:21001\n    balance roundrobin\n    option httpchk GET /healthz\n    http-check expect status 200\n"));
    assert!(colocated.contains("impalad-1.example.com:21050 check port 25000\n"));
    assert!(colocated.contains("    timeout client 7200s\n"));

    let bridge = generate(&common::repo().join("tests/fixtures/haproxy/tls-bridge.yaml"));
    assert!(
        bridge.contains("    bind 10.20.0.5:21050 ssl crt /etc/haproxy/certs/impala-bridge.pem\n")
    );
    assert!(bridge.contains("server impalad-1.example.com impalad-1.example.com:21050 check ssl verify required ca-file /etc/haproxy/certs/impala-ca.pem verifyhost impalad-1.example.com\n"));
    assert!(bridge.contains("server 10.20.0.12 10.20.0.12:21050 check ssl verify required ca-file /etc/haproxy/certs/impala-ca.pem\n"));

    let passthrough = generate(&common::repo().join("tests/fixtures/haproxy/tls-passthrough.yaml"));
    assert!(
        !passthrough.contains(" ssl"),
        "passthrough is plain TCP:\n{passthrough}"
    );

    // Nameservers of the spec, sessions closed on a daemon marked down, backups.
    let ns = generate(&common::repo().join("tests/fixtures/haproxy/nameservers.yaml"));
    assert!(ns.contains("\nresolvers dns\n    nameserver ns1 10.20.0.2:53\n    nameserver ns2 10.20.0.3:5353\n    nameserver ns3 [2001:db8::53]:53\n    resolve_retries 3\n"));
    assert!(!ns.contains("parse-resolv-conf"));
    assert!(ns.contains("    default-server inter 30s fall 2 rise 5 on-marked-down shutdown-sessions resolvers dns init-addr last,libc,none\n"));
    assert!(ns.contains("    server 10.20.0.14 10.20.0.14:21050 check backup\n"));
    assert!(ns.contains("    server impalad-1.example.com impalad-1.example.com:21050 check\n"));

    // Daemons named by address only: nothing to resolve.
    let ips = Test::new()
        .file(
            "impala-lb.yaml",
            "cluster: ips\ndaemons: [{host: 10.0.0.1}, {host: \"2001:db8::2\"}]\n",
        )
        .arg("haproxy")
        .run()
        .ok()
        .stdout;
    assert!(
        !ips.contains("resolvers") && !ips.contains("init-addr"),
        "{ips}"
    );

    // No services: HiveServer2 alone, checked on its own port.
    let v6 = generate(&common::repo().join("tests/fixtures/haproxy/ipv6.yaml"));
    assert_eq!(v6.matches("\nlisten ").count(), 2, "hs2 and stats:\n{v6}");
    assert!(v6.contains("listen hs2\n    bind [::]:21050\n"));
    assert!(v6.contains("server 2001-db8--11 [2001:db8::11]:21050 check\n"));
    assert!(v6.contains("    bind [::1]:25002\n"));
}

#[test]
fn the_stats_password_is_never_written() {
    let run = Test::new()
        .env("HAPROXY_STATS_PASSWORD", "s3cr3t-value")
        .args([
            "-c",
            common::repo()
                .join("examples/onprem.yaml")
                .to_str()
                .unwrap(),
            "haproxy",
        ])
        .run()
        .ok();
    assert!(!run.stdout.contains("s3cr3t-value"));
    assert!(run
        .stdout
        .contains(".if !defined(HAPROXY_STATS_PASSWORD)\n    .alert"));
}

/// Adversarial values are refused by the validator, before anything is written.
#[test]
fn the_validator_refuses_values_that_could_inject() {
    for host in [
        "a\\n    server evil 6.6.6.6:21050",
        "a#b",
        "a b",
        "a\\\"b",
        "${HOME}",
    ] {
        let spec =
            format!("cluster: c1\ndaemons:\n  - host: \"{host}\"\n  - host: b.example.com\n");
        let run = Test::new()
            .file("impala-lb.yaml", &spec)
            .arg("haproxy")
            .run()
            .fails(1);
        assert!(run.stdout.is_empty(), "{host}: wrote {}", run.stdout);
        assert!(
            run.stderr.contains("daemons[0].host"),
            "{host}: {}",
            run.stderr
        );
    }
    let spec = "cluster: c1\ndaemons: [{host: a.example.com}, {host: b.example.com}]\nhaproxy:\n  stats: {user: \"admin\\nlisten evil\"}\n  certificate: \"/etc/a b.pem\"\n";
    let run = Test::new()
        .file("impala-lb.yaml", spec)
        .arg("haproxy")
        .run()
        .fails(1);
    assert!(
        run.stderr.contains("haproxy.stats.user") && run.stderr.contains("haproxy.certificate"),
        "{}",
        run.stderr
    );
}

/// A plan built by hand, past the validator, still cannot inject: the renderer refuses it.
#[test]
fn the_renderer_refuses_a_plan_built_by_hand() {
    let text = std::fs::read_to_string(common::repo().join("examples/onprem.yaml")).unwrap();
    let source = impala_lbgen::diagnostics::Source {
        name: "onprem.yaml".into(),
        text,
    };
    let loaded = impala_lbgen::spec::load(source, None).expect("the example is valid");
    let plan = Plan::new(&loaded.spec);
    assert!(haproxy::render(&plan).is_ok());

    let bad = [
        "a\n    server evil 6.6.6.6:21050",
        "a # b",
        "a b",
        "a\"b",
        "a'b",
        "${HOME}",
        "",
    ];
    type Poke = fn(&mut Plan, &str);
    let pokes: [(&str, Poke); 8] = [
        ("server name", |p, v| p.daemons[0].name = v.into()),
        ("host", |p, v| p.daemons[1].host = Some(v.into())),
        ("bind", |p, v| p.haproxy.bind = v.into()),
        ("certificate", |p, v| {
            p.haproxy.certificate = v.into();
            p.tls = Some(impala_lbgen::plan::Tls {
                mode: impala_lbgen::spec::model::TlsMode::Offload,
                domain: None,
                subject_alternative_names: Vec::new(),
                certificate: impala_lbgen::plan::Certificate::None,
                hosted_zone_id: None,
                policy: None,
            });
        }),
        ("stats user", |p, v| {
            p.haproxy.stats.as_mut().unwrap().user = v.into()
        }),
        ("stats password_env", |p, v| {
            p.haproxy.stats.as_mut().unwrap().password_env = v.into()
        }),
        ("http check path", |p, v| {
            p.health_check.check = impala_lbgen::plan::Check::Http {
                path: format!("/{v}"),
            }
        }),
        ("public name", |p, v| p.haproxy.public_name = Some(v.into())),
    ];
    for (field, poke) in pokes {
        for v in bad {
            if v.is_empty() && matches!(field, "http check path" | "public name") {
                continue; // "/" is a fine path, and an empty public name is none
            }
            let mut p = plan.clone();
            poke(&mut p, v);
            match haproxy::render(&p) {
                Err(e) => assert!(e.to_string().contains("cannot be written safely"), "{e}"),
                Ok(cfg) => panic!("{field} = {v:?} was written:\n{cfg}"),
            }
        }
    }
}

// --- haproxy -c -----------------------------------------------------------------------------

/// A throwaway self-signed certificate: `(certificate and key, certificate alone)`.
fn test_pem(dir: &TempDir) -> (PathBuf, PathBuf) {
    let key = dir.join("key.pem");
    let cert = dir.join("cert.pem");
    let out = Command::new(common::tool("openssl"))
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "3650",
        ])
        .args([
            "-subj",
            "/CN=impala.example.com",
            "-addext",
            "subjectAltName=DNS:impala.example.com",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let both = dir.join("both.pem");
    let text = std::fs::read_to_string(&cert).unwrap() + &std::fs::read_to_string(&key).unwrap();
    std::fs::write(&both, text).unwrap();
    (both, cert)
}

/// The words after `keyword` on every line of `cfg`.
fn words_after<'a>(cfg: &'a str, keyword: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for line in cfg.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(2) {
            if w[0] == keyword && !out.contains(&w[1]) {
                out.push(w[1]);
            }
        }
    }
    out
}

/// How `haproxy -c` finds the daemons' DNS names.
#[derive(Clone, Copy, PartialEq)]
enum Names {
    /// Through a private /etc/hosts that names every daemon: nothing is left unresolved, so
    /// any warning is a real one.
    Resolve,
    /// As the machine resolves them: here, the examples' names do not resolve.
    AsTheMachineDoes,
}

/// `haproxy -c -f` on a generated configuration, in a private mount namespace (nothing outside
/// it changes) where the PEM files the configuration names exist and the statistics password
/// variable is set; with `Names::Resolve`, the daemons' DNS names resolve through a private
/// /etc/hosts. Returns HAProxy's combined output.
fn haproxy_check(name: &str, cfg: &str, names: Names) -> (bool, String) {
    let dir = TempDir::new(&format!("haproxy-c-{name}"));
    let cfg_path = dir.write("haproxy.cfg", cfg);

    let mut hosts = String::from("127.0.0.1 localhost\n::1 localhost\n");
    let mut n = 10;
    for line in cfg
        .lines()
        .filter(|l| l.trim_start().starts_with("server "))
    {
        let address = line.split_whitespace().nth(2).unwrap();
        let host = address.rsplit_once(':').unwrap().0;
        if host.starts_with('[')
            || host.parse::<Ipv4Addr>().is_ok()
            || hosts.contains(&format!(" {host}\n"))
        {
            continue;
        }
        hosts.push_str(&format!("192.0.2.{n} {host}\n"));
        n += 1;
    }
    let hosts_path = dir.write("hosts", &hosts);

    let mut script = String::from("set -e\n");
    if names == Names::Resolve {
        script.push_str(&format!(
            "mount --bind '{}' /etc/hosts\n",
            hosts_path.display()
        ));
    }
    let crts = words_after(cfg, "crt");
    let cas = words_after(cfg, "ca-file");
    if !crts.is_empty() || !cas.is_empty() {
        let (both, cert) = test_pem(&dir);
        let mut mounted: Vec<String> = Vec::new();
        for (path, src) in crts
            .iter()
            .map(|p| (p, &both))
            .chain(cas.iter().map(|p| (p, &cert)))
        {
            if Path::new(path).exists() && !path.starts_with("/etc/haproxy/") {
                continue; // such as the system CA bundle
            }
            // A tmpfs over the file's top folder under /etc (inside the namespace only).
            let top: PathBuf = Path::new(path).components().take(3).collect();
            let top = top.display().to_string();
            if !mounted.contains(&top) {
                script.push_str(&format!("mkdir -p '{top}'\nmount -t tmpfs tmpfs '{top}'\n"));
                mounted.push(top);
            }
            let parent = Path::new(path).parent().unwrap().display().to_string();
            script.push_str(&format!(
                "mkdir -p '{parent}'\ncp '{}' '{path}'\n",
                src.display()
            ));
        }
    }
    script.push_str(&format!(
        "exec '{}' -c -f '{}'\n",
        common::tool("haproxy").display(),
        cfg_path.display()
    ));

    let mut cmd = Command::new(common::tool("unshare"));
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", &script]);
    for var in cfg.lines().filter_map(|l| l.strip_prefix(".if !defined(")) {
        cmd.env(var.trim_end_matches(')'), "test password");
    }
    let out = cmd.output().expect("run unshare");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn haproxy_accepts_every_example_and_fixture_without_warnings() {
    assert!(
        is_root(),
        "haproxy -c runs in a private mount namespace, which needs root"
    );
    let mut failures = Vec::new();
    for (name, path) in specs() {
        let cfg = generate(&path);
        let (ok, text) = haproxy_check(&name, &cfg, Names::Resolve);
        eprintln!("{name}: {}", text.trim());
        if !ok || text.trim() != "Configuration file is valid" {
            failures.push(format!("{name}:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "haproxy -c:\n{}", failures.join("\n"));
}

/// What a user hits: the examples' daemon names (ip-10-30-1-35.ec2.internal, ...) do not
/// resolve on this machine, and no hosts file helps. `haproxy -c` still passes: the only
/// warnings are the servers whose names it could not resolve, which start out of rotation.
#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn haproxy_accepts_every_example_whose_names_do_not_resolve() {
    assert!(
        is_root(),
        "haproxy -c runs in a private mount namespace, which needs root"
    );
    let mut failures = Vec::new();
    let mut unresolved = 0;
    for (name, path) in specs() {
        let cfg = generate(&path);
        let (ok, text) = haproxy_check(&name, &cfg, Names::AsTheMachineDoes);
        let mut lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("[NOTICE]"))
            .collect();
        lines.retain(|l| {
            let skip = l.contains("could not resolve address") && l.contains("disabling server");
            unresolved += usize::from(skip);
            !skip
        });
        let rest = lines.join("\n");
        let rest = rest
            .trim()
            .trim_start_matches("Warnings were found.")
            .trim();
        if !ok || rest != "Configuration file is valid" {
            failures.push(format!("{name}:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "haproxy -c:\n{}", failures.join("\n"));
    assert!(
        unresolved > 0,
        "no daemon name failed to resolve: the test shows nothing on this machine"
    );
}

#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn haproxy_refuses_to_start_without_the_stats_password() {
    let cfg = generate(&common::repo().join("examples/onprem.yaml"));
    let dir = TempDir::new("haproxy-nopw");
    let path = dir.write("haproxy.cfg", &cfg);
    let out = Command::new(common::tool("haproxy"))
        .args(["-c", "-f"])
        .arg(&path)
        .env_remove("HAPROXY_STATS_PASSWORD")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("HAPROXY_STATS_PASSWORD is not set"), "{err}");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

// --- Live -----------------------------------------------------------------------------------

/// An in-test impalad stand-in on one address: a TCP server per port that answers every
/// connection with its address and a newline, then echoes what the client sends until it
/// closes (a long query's session that keeps working).
struct Daemon {
    ip: Ipv4Addr,
    ports: Vec<u16>,
    servers: Vec<(Arc<AtomicBool>, JoinHandle<()>)>,
}

impl Daemon {
    fn start(ip: Ipv4Addr, listeners: Vec<TcpListener>) -> Daemon {
        let ports = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        let servers = listeners.into_iter().map(|l| serve(ip, l)).collect();
        Daemon { ip, ports, servers }
    }

    /// Closes every listener: new connections are refused, as when impalad dies.
    fn kill(&mut self) {
        for (stop, thread) in self.servers.drain(..) {
            stop.store(true, Ordering::SeqCst);
            let _ = thread.join();
        }
    }

    fn restart(&mut self) {
        assert!(self.servers.is_empty());
        let listeners = self
            .ports
            .iter()
            .map(|p| TcpListener::bind((self.ip, *p)).expect("bind the daemon's port again"))
            .collect::<Vec<_>>();
        self.servers = listeners.into_iter().map(|l| serve(self.ip, l)).collect();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

fn serve(ip: Ipv4Addr, listener: TcpListener) -> (Arc<AtomicBool>, JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    listener.set_nonblocking(true).unwrap();
    let answer = move |mut s: TcpStream| {
        thread::spawn(move || {
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            if s.write_all(format!("{ip}\n").as_bytes()).is_ok() {
                let mut buf = [0u8; 64];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        });
    };
    let thread = thread::spawn(move || {
        while !flag.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((s, _)) => answer(s),
                Err(_) => thread::sleep(Duration::from_millis(1)),
            }
        }
        // Like a daemon that stops: connections the kernel already completed in the accept
        // queue are answered, not reset when the socket closes (which would fail a client
        // mid-stream for a reason no balancer can retry); new ones are refused from here on.
        while let Ok((s, _)) = listener.accept() {
            answer(s);
        }
    });
    (stop, thread)
}

/// One port free on 127.0.0.2, .3 and .4 at once, with its listeners.
fn daemon_port() -> Vec<TcpListener> {
    for _ in 0..50 {
        let first = TcpListener::bind((Ipv4Addr::new(127, 0, 0, 2), 0)).unwrap();
        let port = first.local_addr().unwrap().port();
        let rest: Vec<_> = [3, 4]
            .iter()
            .filter_map(|d| TcpListener::bind((Ipv4Addr::new(127, 0, 0, *d), port)).ok())
            .collect();
        if rest.len() == 2 {
            let mut all = vec![first];
            all.extend(rest);
            return all;
        }
    }
    panic!("no port free on 127.0.0.2-4");
}

/// Ports free on 127.0.0.1 now (the kernel's ephemeral ones, so other tests' fixed ports do
/// not clash).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// HAProxy, stopped when dropped.
struct Haproxy {
    child: Child,
    log: PathBuf,
    /// Its admin socket, as the test reaches it.
    socket: PathBuf,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Haproxy {
    /// HAProxy as the Debian package runs it: as root, chrooted to /var/lib/haproxy, dropping
    /// to user haproxy, its pidfile and admin socket under /run. /run is `dir`/run here,
    /// bind-mounted in a private mount namespace, so that the socket and pidfile of a real
    /// HAProxy on this machine are left alone and the test reaches the admin socket. Returns
    /// once the admin socket answers.
    fn start(dir: &TempDir, cfg: &str, env: &[(&str, &str)]) -> Haproxy {
        std::fs::create_dir_all("/var/lib/haproxy").unwrap();
        let run = dir.join("run");
        std::fs::create_dir_all(run.join("haproxy")).unwrap();
        let cfg_path = dir.write("haproxy.cfg", cfg);
        let script = format!(
            "set -e\nmount --bind '{}' /run\nexec '{}' -db -f '{}'\n",
            run.display(),
            common::tool("haproxy").display(),
            cfg_path.display()
        );
        let child = Command::new(common::tool("unshare"))
            .args(["--mount", "--propagation", "private", "sh", "-c", &script])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("haproxy.log")).unwrap())
            .stderr(std::fs::File::create(dir.join("haproxy.err")).unwrap())
            .spawn()
            .expect("start haproxy");
        let mut proxy = Haproxy {
            child,
            log: dir.join("haproxy.err"),
            socket: run.join("haproxy/admin.sock"),
        };
        wait_until(Duration::from_secs(10), "haproxy's admin socket", || {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                panic!("haproxy exited: {status}\n{}", proxy.log());
            }
            UnixStream::connect(&proxy.socket).is_ok()
        });
        proxy
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Per `(proxy, server)`: `show stat` on the admin socket, columns by name.
    fn stat(&self) -> HashMap<(String, String), HashMap<String, String>> {
        let mut s = UnixStream::connect(&self.socket).expect("connect to the admin socket");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"show stat\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        csv_rows(&text)
    }

    /// The `status` column of one server.
    fn status(&self, proxy: &str, server: &str) -> String {
        self.stat()
            .get(&(proxy.to_string(), server.to_string()))
            .map(|r| r["status"].clone())
            .unwrap_or_default()
    }
}

/// Connects through the balancer and returns the answering daemon's address.
fn ask(port: u16) -> Result<String, String> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut line = String::new();
    BufReader::new(&s)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let line = line.trim().to_string();
    if line.is_empty() {
        Err("closed without an answer".into())
    } else {
        Ok(line)
    }
}

/// Opens a connection and keeps it: `(stream, answering daemon)`.
fn hold(port: u16) -> (TcpStream, String) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut line = String::new();
    BufReader::new(&s).read_line(&mut line).unwrap();
    (s, line.trim().to_string())
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `GET path` on the statistics page: `(status, body)`.
fn http_get(port: u16, path: &str, auth: Option<(&str, &str)>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the stats page");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n");
    if let Some((u, p)) = auth {
        req.push_str(&format!(
            "Authorization: Basic {}\r\n",
            base64(format!("{u}:{p}").as_bytes())
        ));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let resp = String::from_utf8_lossy(&resp).into_owned();
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

/// The body of a chunked HTTP response (HAProxy answers chunked even to HTTP/1.0).
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Per `(proxy, server)`: the statistics page's columns by name.
fn stats(port: u16, auth: (&str, &str)) -> HashMap<(String, String), HashMap<String, String>> {
    let (status, body) = http_get(port, "/;csv", Some(auth));
    if std::env::var_os("LIVE_DEBUG").is_some() {
        eprintln!("{status} {:?}", &body[..body.len().min(400)]);
    }
    assert_eq!(status, 200, "{body}");
    csv_rows(&body)
}

/// HAProxy's statistics CSV, per `(proxy, server)`: the columns by name.
fn csv_rows(body: &str) -> HashMap<(String, String), HashMap<String, String>> {
    let mut lines = body.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("# ")
        .split(',')
        .map(String::from)
        .collect();
    let mut out = HashMap::new();
    for line in lines {
        let row: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(line.split(',').map(String::from))
            .collect();
        if let (Some(px), Some(sv)) = (row.get("pxname"), row.get("svname")) {
            out.insert((px.clone(), sv.clone()), row.clone());
        }
    }
    out
}

/// Per `(proxy, server)`: the state HAProxy's Prometheus exporter reports (`haproxy_server_status`
/// with the value 1), scraped from `/metrics` as Prometheus would.
fn server_states(port: u16, auth: (&str, &str)) -> HashMap<(String, String), String> {
    let (status, body) = http_get(port, "/metrics", Some(auth));
    assert_eq!(status, 200, "{body}");
    let mut out = HashMap::new();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("haproxy_server_status{") else {
            continue;
        };
        let Some((labels, value)) = rest.split_once("} ") else {
            continue;
        };
        if value.trim() != "1" {
            continue;
        }
        let label = |name: &str| {
            labels
                .split(',')
                .find_map(|l| l.strip_prefix(&format!("{name}=\"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        if let (Some(px), Some(sv), Some(state)) = (label("proxy"), label("server"), label("state"))
        {
            out.insert((px, sv), state);
        }
    }
    out
}

fn count(answers: &[String]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for a in answers {
        *m.entry(a.clone()).or_insert(0) += 1;
    }
    m
}

/// Polls `f` every 100 ms until it holds, for at most `limit`.
fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn live_haproxy_balances_fails_over_and_recovers() {
    let started = Instant::now();
    assert!(
        is_root(),
        "the live test runs haproxy as root (it chroots and drops to user haproxy)"
    );

    // Three daemons on 127.0.0.2-4, one port per service (beeswax, hs2, hs2_http).
    let ports: Vec<Vec<TcpListener>> = (0..3).map(|_| daemon_port()).collect();
    let backend: Vec<u16> = ports
        .iter()
        .map(|l| l[0].local_addr().unwrap().port())
        .collect();
    let mut per_daemon: Vec<Vec<TcpListener>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for service in ports {
        for (d, l) in service.into_iter().enumerate() {
            per_daemon[d].push(l);
        }
    }
    let mut daemons: Vec<Daemon> = per_daemon
        .into_iter()
        .enumerate()
        .map(|(d, ls)| Daemon::start(Ipv4Addr::new(127, 0, 0, 2 + d as u8), ls))
        .collect();
    let fe = free_ports(4);
    let (beeswax, hs2, hs2_http, stats_port) = (fe[0], fe[1], fe[2], fe[3]);

    // The spec: defaults except what a loopback test needs, and roundrobin on hs2_http.
    let password = "pa ss#\"w$rd";
    let spec = format!(
        "cluster: live
services:
  beeswax: {{port: {beeswax}, backend_port: {}}}
  hs2: {{port: {hs2}, backend_port: {}}}
  hs2_http: {{port: {hs2_http}, backend_port: {}}}
daemons:
  - host: 127.0.0.2
  - host: 127.0.0.3
  - host: 127.0.0.4
health_check: {{service: hs2, interval: 2s, timeout: 1s, healthy_threshold: 2, unhealthy_threshold: 2}}
idle_timeout: 60s
haproxy:
  bind: 127.0.0.1
  balance: {{hs2_http: roundrobin}}
  stats: {{bind: \"127.0.0.1:{stats_port}\", user: admin, password_env: LIVE_STATS_PASSWORD}}
",
        backend[0], backend[1], backend[2]
    );
    let run = Test::new()
        .file("impala-lb.yaml", &spec)
        .arg("haproxy")
        .run()
        .ok();
    let cfg = run.stdout;
    assert!(cfg.contains("    chroot /var/lib/haproxy\n") && cfg.contains("    user haproxy\n"));

    let dir = TempDir::new("haproxy-live");
    let mut proxy = Haproxy::start(&dir, &cfg, &[("LIVE_STATS_PASSWORD", password)]);
    let auth = ("admin", password);

    // Ready: the stats page answers and every server is UP.
    wait_until(Duration::from_secs(10), "haproxy to start", || {
        if let Ok(Some(status)) = proxy.child.try_wait() {
            panic!("haproxy exited: {status}\n{}", proxy.log());
        }
        TcpStream::connect(("127.0.0.1", stats_port)).is_ok()
    });
    let up = |st: &HashMap<(String, String), HashMap<String, String>>, px: &str, sv: &str| {
        st.get(&(px.to_string(), sv.to_string()))
            .map(|r| r["status"].clone())
            .unwrap_or_default()
    };
    wait_until(Duration::from_secs(10), "every server UP", || {
        let st = stats(stats_port, auth);
        if std::env::var_os("LIVE_DEBUG").is_some() {
            let mut v: Vec<_> = st
                .iter()
                .map(|(k, r)| format!("{k:?}={}", r["status"]))
                .collect();
            v.sort();
            eprintln!("{v:?}");
        }
        ["beeswax", "hs2", "hs2_http"].iter().all(|px| {
            ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
                .iter()
                .all(|sv| up(&st, px, sv) == "UP")
        })
    });

    // The statistics page: 401 without or with wrong credentials, 200 with them.
    assert_eq!(http_get(stats_port, "/", None).0, 401);
    assert_eq!(http_get(stats_port, "/", Some(("admin", "wrong"))).0, 401);
    assert_eq!(http_get(stats_port, "/", Some(auth)).0, 200);
    // A client that never finishes its request is answered 408 and dropped after 10s
    // (`timeout http-request`), not held for the hours of Impala's client timeout. It runs
    // beside the checks below.
    let slow_client = thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", stats_port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let begun = Instant::now();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .unwrap();
        let mut resp = Vec::new();
        let _ = s.read_to_end(&mut resp);
        (begun.elapsed(), String::from_utf8_lossy(&resp).into_owned())
    });

    // The Prometheus exporter behind the same password: every daemon's state in every listen.
    assert_eq!(http_get(stats_port, "/metrics", None).0, 401);
    assert_eq!(
        http_get(stats_port, "/metrics", Some(("admin", "wrong"))).0,
        401
    );
    let states = server_states(stats_port, auth);
    for px in ["beeswax", "hs2", "hs2_http"] {
        for sv in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
            assert_eq!(
                states
                    .get(&(px.to_string(), sv.to_string()))
                    .map(String::as_str),
                Some("UP"),
                "{px}/{sv} in /metrics: {states:?}"
            );
        }
    }

    let all: Vec<String> = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        .map(String::from)
        .to_vec();

    // roundrobin (hs2_http): sequential connections go to every daemon in turn.
    let answers: Vec<String> = (0..30).map(|_| ask(hs2_http).unwrap()).collect();
    let c = count(&answers);
    assert_eq!(c.keys().cloned().collect::<Vec<_>>(), all, "{c:?}");
    assert!(c.values().all(|n| *n == 10), "roundrobin: {c:?}");

    // leastconn (beeswax): six held connections spread two per daemon; a freed slot is where
    // the next connection goes.
    let mut held: Vec<(TcpStream, String)> = (0..6).map(|_| hold(beeswax)).collect();
    let c = count(&held.iter().map(|h| h.1.clone()).collect::<Vec<_>>());
    assert!(
        c.len() == 3 && c.values().all(|n| *n == 2),
        "leastconn: {c:?}"
    );
    for target in ["127.0.0.3", "127.0.0.2", "127.0.0.4"] {
        let i = held.iter().position(|h| h.1 == target).unwrap();
        drop(held.remove(i));
        wait_until(
            Duration::from_secs(5),
            "the closed connection to end",
            || stats(stats_port, auth)[&("beeswax".to_string(), target.to_string())]["scur"] == "1",
        );
        let next = hold(beeswax);
        assert_eq!(
            next.1, target,
            "leastconn sends the next connection to the least loaded daemon"
        );
        held.push(next);
    }
    drop(held);

    // source (hs2): one client keeps one daemon.
    let answers: Vec<String> = (0..20).map(|_| ask(hs2).unwrap()).collect();
    assert_eq!(count(&answers).len(), 1, "balance source: {answers:?}");

    // Kill 127.0.0.3 during a stream of connections: none fails, and once HAProxy has marked it
    // DOWN it sends it none.
    let victim = "127.0.0.3";
    let stream_done = Arc::new(AtomicBool::new(false));
    let detected = Arc::new(AtomicBool::new(false));
    let stream = {
        let (done, detected) = (stream_done.clone(), detected.clone());
        thread::spawn(move || {
            let mut results = Vec::new();
            let mut after_detection = 0;
            while results.len() < 100 || after_detection < 30 {
                assert!(
                    results.len() < 2000,
                    "the stream never saw the daemon detected"
                );
                let r = ask(hs2_http);
                if detected.load(Ordering::SeqCst) {
                    after_detection += 1;
                }
                results.push(r);
                thread::sleep(Duration::from_millis(10));
            }
            done.store(true, Ordering::SeqCst);
            results
        })
    };
    wait_until(Duration::from_secs(5), "the stream to start", || {
        stats(stats_port, auth)[&("hs2_http".to_string(), victim.to_string())]["stot"]
            .parse::<u64>()
            .unwrap()
            > 15
    });
    daemons[1].kill();
    let detection = wait_until(
        Duration::from_secs(10),
        "HAProxy to mark the dead daemon DOWN",
        || up(&stats(stats_port, auth), "hs2_http", victim) == "DOWN",
    );
    let sessions_at_detection =
        stats(stats_port, auth)[&("hs2_http".to_string(), victim.to_string())]["stot"].clone();
    assert_eq!(
        server_states(stats_port, auth)
            .get(&("hs2_http".to_string(), victim.to_string()))
            .map(String::as_str),
        Some("DOWN"),
        "/metrics shows the dead daemon DOWN"
    );
    detected.store(true, Ordering::SeqCst);
    let results = stream.join().expect("the stream thread");
    let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(results.len() >= 100);
    assert!(
        failed.is_empty(),
        "{} of {} connections failed: {failed:?}\n{}",
        failed.len(),
        results.len(),
        proxy.log()
    );
    let st = stats(stats_port, auth);
    let victim_row = &st[&("hs2_http".to_string(), victim.to_string())];
    assert_eq!(
        victim_row["stot"], sessions_at_detection,
        "the dead daemon got connections after it was marked DOWN"
    );
    let c = count(
        &results
            .iter()
            .skip(results.len() - 30)
            .map(|r| r.clone().unwrap())
            .collect::<Vec<_>>(),
    );
    assert!(
        !c.contains_key(victim) && c.len() == 2,
        "after detection: {c:?}"
    );
    eprintln!(
        "detected DOWN {:?} after the kill; {} connections, none failed",
        detection,
        results.len()
    );

    // Restart it: HAProxy brings it back after `rise` (2) good checks, and sends it traffic.
    daemons[1].restart();
    let mut rising = false;
    let back = wait_until(
        Duration::from_secs(12),
        "the restarted daemon to come back UP",
        || {
            let s = up(&stats(stats_port, auth), "hs2_http", victim);
            rising |= s.starts_with("DOWN 1/2");
            s == "UP"
        },
    );
    assert!(
        rising,
        "the daemon went UP without passing through DOWN 1/2 (rise 2)"
    );
    assert!(
        back >= Duration::from_millis(1500),
        "UP after {back:?}: sooner than two checks 2 s apart"
    );
    let answers: Vec<String> = (0..30).map(|_| ask(hs2_http).unwrap()).collect();
    assert!(
        count(&answers).contains_key(victim),
        "the restarted daemon gets connections again"
    );
    eprintln!(
        "back UP {back:?} after the restart; live test took {:?}",
        started.elapsed()
    );

    let (waited, answer) = slow_client.join().expect("the slow client");
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "{answer:?} after {waited:?}"
    );
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(15)).contains(&waited),
        "dropped after {waited:?}"
    );

    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the live test took {:?}",
        started.elapsed()
    );
    drop(proxy);
    drop(daemons);
}

/// `n` daemons on 127.0.0.2, .3, ... serving one port (the same on each): `(daemons, port)`.
fn daemons_on_one_port(n: usize) -> (Vec<Daemon>, u16) {
    let listeners = daemon_port();
    let port = listeners[0].local_addr().unwrap().port();
    let daemons = listeners
        .into_iter()
        .take(n)
        .enumerate()
        .map(|(d, l)| Daemon::start(Ipv4Addr::new(127, 0, 0, 2 + d as u8), vec![l]))
        .collect();
    (daemons, port)
}

/// A daemon whose name does not resolve (a decommissioned host; `.invalid` never resolves,
/// RFC 6761) keeps nothing from working: with no private hosts file, `haproxy -c` passes,
/// HAProxy starts, that server waits out of rotation, and every connection is served by the
/// others.
#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn live_haproxy_starts_and_serves_when_a_daemon_name_does_not_resolve() {
    assert!(is_root(), "the live test runs haproxy as root");
    let gone = "impalad-gone.invalid";
    assert!(
        (gone, 21050).to_socket_addrs().is_err(),
        "{gone} resolves on this machine"
    );
    let (_daemons, backend) = daemons_on_one_port(2);
    let fe = free_ports(1)[0];
    let spec = format!(
        "cluster: unresolved
services:
  hs2: {{port: {fe}, backend_port: {backend}}}
daemons:
  - host: 127.0.0.2
  - host: {gone}
  - host: 127.0.0.3
health_check: {{interval: 2s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}}
haproxy:
  bind: 127.0.0.1
  balance: {{hs2: roundrobin}}
"
    );
    let cfg = Test::new()
        .file("impala-lb.yaml", &spec)
        .arg("haproxy")
        .run()
        .ok()
        .stdout;
    assert!(cfg.contains(&format!("    server {gone} {gone}:{backend} check\n")));
    assert!(cfg.contains(" resolvers dns init-addr last,libc,none\n"));

    // haproxy -c, as the machine resolves names: valid, warning only about the lost name.
    let (ok, text) = haproxy_check("unresolved", &cfg, Names::AsTheMachineDoes);
    assert!(ok, "{text}");
    assert!(text.contains("Configuration file is valid"), "{text}");
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("[WARNING]")).collect();
    assert!(
        !warnings.is_empty()
            && warnings
                .iter()
                .all(|w| w.contains(&format!("could not resolve address '{gone}'"))),
        "{text}"
    );

    // HAProxy starts, and the lost daemon waits out of rotation.
    let dir = TempDir::new("haproxy-unresolved");
    let proxy = Haproxy::start(&dir, &cfg, &[]);
    wait_until(Duration::from_secs(10), "both daemons UP", || {
        proxy.status("hs2", "127.0.0.2") == "UP" && proxy.status("hs2", "127.0.0.3") == "UP"
    });
    let lost = proxy.status("hs2", gone);
    assert!(lost.starts_with("MAINT"), "{gone}: {lost}");

    // Every connection is served, by the two others (round robin over what is UP).
    let answers: Vec<String> = (0..60)
        .map(|i| ask(fe).unwrap_or_else(|e| panic!("connection {i} failed: {e}\n{}", proxy.log())))
        .collect();
    let c = count(&answers);
    assert_eq!(
        c.keys().cloned().collect::<Vec<_>>(),
        ["127.0.0.2", "127.0.0.3"],
        "{c:?}"
    );
    assert!(proxy.status("hs2", gone).starts_with("MAINT"));
}

/// Runs drain.sh with `args` against the admin socket of `proxy`; `(exit code, stdout, stderr)`.
fn drain_sh(script: &Path, proxy: &Haproxy, args: &[&str]) -> (i32, String, String) {
    let out = drain_cmd(script, proxy, args)
        .output()
        .expect("run drain.sh");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn drain_cmd(script: &Path, proxy: &Haproxy, args: &[&str]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .args(args)
        .env("HAPROXY_SOCKET", &proxy.socket)
        .stdin(Stdio::null());
    cmd
}

/// Waits at most `limit` for `child` to end: `(exit code, stdout, stderr)`.
fn output_within(child: Child, limit: Duration) -> (i32, String, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sends `text` on a held connection and reads it back: the session still works.
fn echo(s: &mut TcpStream, text: &str) -> Result<(), String> {
    s.write_all(format!("{text}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(&*s)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    if line.trim() == text {
        Ok(())
    } else {
        Err(format!("sent {text:?}, got {line:?}"))
    }
}

/// drain.sh against the real HAProxy: with a connection open to a daemon, `drain` takes it
/// out of every listen, no new connection reaches it, the open one keeps working and none
/// fails; drain returns once that connection closes (or after drain_timeout, with it still
/// open); `enable` brings the daemon back.
#[test]
#[ignore = "needs haproxy: run scripts/test"]
fn live_drain_sh_drains_and_enables_a_daemon() {
    let started = Instant::now();
    assert!(is_root(), "the live test runs haproxy as root");
    let ports: Vec<Vec<TcpListener>> = (0..2).map(|_| daemon_port()).collect();
    let backend: Vec<u16> = ports
        .iter()
        .map(|l| l[0].local_addr().unwrap().port())
        .collect();
    let mut per_daemon: Vec<Vec<TcpListener>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for service in ports {
        for (d, l) in service.into_iter().enumerate() {
            per_daemon[d].push(l);
        }
    }
    let _daemons: Vec<Daemon> = per_daemon
        .into_iter()
        .enumerate()
        .map(|(d, ls)| Daemon::start(Ipv4Addr::new(127, 0, 0, 2 + d as u8), ls))
        .collect();
    let fe = free_ports(2);
    let (hs2, hs2_http) = (fe[0], fe[1]);
    let spec = |drain: &str| {
        format!(
            "cluster: drain
services:
  hs2: {{port: {hs2}, backend_port: {}}}
  hs2_http: {{port: {hs2_http}, backend_port: {}}}
daemons:
  - host: 127.0.0.2
  - host: 127.0.0.3
  - host: 127.0.0.4
health_check: {{interval: 2s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}}
drain_timeout: {drain}
haproxy:
  bind: 127.0.0.1
  balance: {{hs2: roundrobin, hs2_http: roundrobin}}
",
            backend[0], backend[1]
        )
    };
    let run = |drain: &str, command: &str| {
        Test::new()
            .file("impala-lb.yaml", &spec(drain))
            .arg(command)
            .run()
            .ok()
            .stdout
    };
    let cfg = run("60s", "haproxy");
    let dir = TempDir::new("haproxy-drain");
    let long = dir.write("drain.sh", &run("60s", "drain"));
    let short = dir.write("drain-short.sh", &run("3s", "drain"));
    let proxy = Haproxy::start(&dir, &cfg, &[]);
    let all = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
    wait_until(Duration::from_secs(10), "every server UP", || {
        let st = proxy.stat();
        ["hs2", "hs2_http"].iter().all(|px| {
            all.iter().all(|sv| {
                st.get(&(px.to_string(), sv.to_string()))
                    .is_some_and(|r| r["status"] == "UP")
            })
        })
    });
    let victim = "127.0.0.3";

    // Before: round robin gives the victim its share.
    let answers: Vec<String> = (0..9).map(|_| ask(hs2).unwrap()).collect();
    assert_eq!(count(&answers)[victim], 3, "{answers:?}");

    // A session open on the victim (round robin: three connections, one per daemon).
    let mut held: Vec<(TcpStream, String)> = (0..3).map(|_| hold(hs2)).collect();
    let i = held
        .iter()
        .position(|h| h.1 == victim)
        .expect("a session on the victim");
    let (mut session, _) = held.remove(i);
    drop(held);
    echo(&mut session, "before the drain").unwrap();

    // drain: out of rotation in every listen; it waits for the open session.
    let mut draining = drain_cmd(&long, &proxy, &["drain", victim])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run drain.sh drain");
    wait_until(Duration::from_secs(10), "the victim in DRAIN", || {
        proxy.status("hs2", victim) == "DRAIN" && proxy.status("hs2_http", victim) == "DRAIN"
    });
    let answers: Vec<String> = (0..60)
        .map(|i| {
            let port = if i % 2 == 0 { hs2 } else { hs2_http };
            ask(port).unwrap_or_else(|e| panic!("connection {i} failed: {e}\n{}", proxy.log()))
        })
        .collect();
    let c = count(&answers);
    assert!(
        !c.contains_key(victim),
        "a new connection reached the drained daemon: {c:?}"
    );
    assert_eq!(c.len(), 2, "{c:?}");
    for n in 0..5 {
        echo(&mut session, &format!("during the drain {n}")).expect("the open session works");
    }
    assert!(
        draining.try_wait().unwrap().is_none(),
        "drain.sh returned while a session was open"
    );
    let (status_code, status, _) = drain_sh(&long, &proxy, &["status", victim]);
    assert_eq!(status_code, 0);
    assert_eq!(status.lines().count(), 2, "{status}");
    assert!(
        status
            .lines()
            .all(|l| l.contains(victim) && l.contains("DRAIN")),
        "{status}"
    );
    assert!(status.contains("1 connection(s)"), "{status}");

    // The session ends: drain returns at once.
    drop(session);
    let closed = Instant::now();
    let out = output_within(draining, Duration::from_secs(10));
    assert!(
        closed.elapsed() < Duration::from_secs(5),
        "{:?}",
        closed.elapsed()
    );
    assert_eq!(out.0, 0, "{}", out.2);
    assert!(
        out.2
            .contains(&format!("no connection to {victim} is open")),
        "{}",
        out.2
    );

    // enable: back in rotation.
    let (code, _, err) = drain_sh(&long, &proxy, &["enable", victim]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("haproxy: {victim} is UP")), "{err}");
    let answers: Vec<String> = (0..9).map(|_| ask(hs2).unwrap()).collect();
    assert_eq!(count(&answers)[victim], 3, "{answers:?}");

    // drain_timeout passes with a session still open: drain says so and returns; the session
    // still works and gets no company.
    let mut held: Vec<(TcpStream, String)> = (0..3).map(|_| hold(hs2_http)).collect();
    let i = held
        .iter()
        .position(|h| h.1 == victim)
        .expect("a session on the victim");
    let (mut session, _) = held.remove(i);
    drop(held);
    let t = Instant::now();
    let (code, _, err) = drain_sh(&short, &proxy, &["drain", victim]);
    assert_eq!(code, 0, "{err}");
    assert!(t.elapsed() >= Duration::from_secs(3), "{:?}", t.elapsed());
    assert!(
        err.contains(&format!(
            "1 connection(s) to {victim} still open after drain_timeout (3s)"
        )),
        "{err}"
    );
    echo(&mut session, "after drain_timeout").expect("the open session still works");
    let answers: Vec<String> = (0..20).map(|_| ask(hs2_http).unwrap()).collect();
    assert!(!count(&answers).contains_key(victim), "{answers:?}");
    drop(session);
    let (code, _, err) = drain_sh(&short, &proxy, &["enable", victim]);
    assert_eq!(code, 0, "{err}");
    let answers: Vec<String> = (0..9).map(|_| ask(hs2_http).unwrap()).collect();
    assert_eq!(count(&answers)[victim], 3, "{answers:?}");
    eprintln!("live drain test took {:?}", started.elapsed());
}
