//! The keepalived target (`haproxy.ha`): snapshots of every node's file, what each holds, the
//! command and its refusals, `keepalived -t` on every file, and a live failover: two HAProxy
//! nodes with keepalived in network namespaces on one bridge, HAProxy stopped on the master,
//! the virtual IP moving and connections through it succeeding again.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{TempDir, Test};
use impala_lbgen::plan::Plan;
use impala_lbgen::targets::keepalived;

/// Every example and HAProxy fixture with `haproxy.ha`: `(name, path)`.
fn ha_specs() -> Vec<(String, PathBuf)> {
    let dir = common::repo().join("tests/fixtures/haproxy");
    let mut fixtures: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = format!("fixture-{}", p.file_stem().unwrap().to_string_lossy());
            (name, p)
        })
        .collect();
    fixtures.sort();
    let out: Vec<(String, PathBuf)> = common::examples()
        .into_iter()
        .chain(fixtures)
        .filter(|(_, p)| common::spec_json(p)["haproxy"].get("ha").is_some())
        .collect();
    assert!(out.len() >= 2, "onprem-ha and a fixture at least");
    out
}

fn plan_of(path: &Path) -> Plan {
    let source = impala_lbgen::diagnostics::Source {
        name: path.display().to_string(),
        text: std::fs::read_to_string(path).unwrap(),
    };
    let scope = impala_lbgen::validate::Scope::haproxy_target("keepalived");
    let loaded =
        impala_lbgen::spec::load(source, Some(scope)).unwrap_or_else(|r| panic!("{}", r.render()));
    Plan::new(&loaded.spec)
}

/// Runs `impala-lbgen -c <spec> keepalived --node <node>`.
fn generate(spec: &Path, node: &str) -> String {
    Test::new()
        .args(["-c", spec.to_str().unwrap(), "keepalived", "--node", node])
        .run()
        .ok()
        .stdout
}

/// Every node of every HA spec: `(snapshot name, spec, node host, file text)`.
fn every_file() -> Vec<(String, PathBuf, String, String)> {
    let mut out = Vec::new();
    for (name, path) in ha_specs() {
        let plan = plan_of(&path);
        for node in &plan.haproxy.ha.as_ref().unwrap().nodes {
            let text = generate(&path, &node.host);
            out.push((
                format!("{name}-{}", node.host.replace(':', "-")),
                path.clone(),
                node.host.clone(),
                text,
            ));
        }
    }
    out
}

/// The words of each line of `conf` outside comments.
fn lines(conf: &str) -> Vec<Vec<&str>> {
    conf.lines()
        .map(|l| l.split('#').next().unwrap().split_whitespace().collect())
        .filter(|w: &Vec<&str>| !w.is_empty())
        .collect()
}

/// The words inside `block { ... }` (one level of nesting).
fn block<'a>(conf: &'a str, name: &str) -> Vec<&'a str> {
    let all = lines(conf);
    let start = all
        .iter()
        .position(|l| l.first() == Some(&name) && l.last() == Some(&"{"))
        .unwrap_or_else(|| panic!("no {name} block:\n{conf}"));
    all[start + 1..]
        .iter()
        .take_while(|l| *l != &vec!["}"])
        .flatten()
        .copied()
        .collect()
}

#[test]
fn snapshot_of_every_node_of_every_ha_spec() {
    for (name, _, _, text) in every_file() {
        insta::assert_snapshot!(format!("keepalived-{name}"), text);
    }
}

/// Each file: this node's address and priority, the other nodes as unicast peers, the virtual
/// IP, VRRP version 3 without any authentication, the HAProxy check tracked.
#[test]
fn every_file_holds_its_node_and_its_peers() {
    for (name, path, host, text) in every_file() {
        let plan = plan_of(&path);
        let ha = plan.haproxy.ha.as_ref().unwrap();
        let node = ha.node(&host).unwrap();
        let all = lines(&text);
        let has = |want: &[&str]| all.iter().any(|l| l == want);
        assert!(has(&["vrrp_version", "3"]), "{name}");
        assert!(has(&["state", "BACKUP"]) && has(&["nopreempt"]), "{name}");
        assert!(has(&["interface", &ha.interface]), "{name}");
        assert!(
            has(&["virtual_router_id", &ha.virtual_router_id.to_string()]),
            "{name}"
        );
        assert!(has(&["priority", &node.priority.to_string()]), "{name}");
        assert!(has(&["unicast_src_ip", &node.address]), "{name}");
        assert!(has(&["check_unicast_src"]), "{name}");
        let peers: Vec<&str> = ha
            .nodes
            .iter()
            .filter(|n| n.host != host)
            .map(|n| n.address.as_str())
            .collect();
        let want: Vec<&str> = peers.iter().flat_map(|p| [*p, "min_ttl", "255"]).collect();
        assert_eq!(block(&text, "unicast_peer"), want, "{name}");
        let vip = format!("{}/{}", ha.virtual_ip, ha.prefix);
        assert_eq!(
            block(&text, "virtual_ipaddress"),
            [vip.as_str(), "dev", &ha.interface],
            "{name}"
        );
        assert_eq!(block(&text, "track_script"), ["haproxy"], "{name}");
        let script = block(&text, "vrrp_script");
        assert_eq!(
            &script[..4],
            ["script", "\"/bin/sh", "-c", "'pidof"],
            "{name}"
        );
        assert!(
            all.iter()
                .flatten()
                .all(|w| !matches!(*w, "authentication" | "auth_type" | "auth_pass")),
            "{name}: no VRRP password in the file"
        );
        assert!(text.is_ascii(), "{name}");
    }
}

#[test]
fn the_command_needs_a_node_of_the_spec() {
    let spec = common::repo().join("examples/onprem-ha.yaml");
    let spec = spec.to_str().unwrap();
    let run = Test::new()
        .args([
            "-c",
            spec,
            "keepalived",
            "--node",
            "haproxy-9.dc1.example.com",
        ])
        .run()
        .fails(2);
    assert!(
        run.stderr.contains(
            "--node haproxy-9.dc1.example.com is not one of the nodes of haproxy.ha: haproxy-1.dc1.example.com, haproxy-2.dc1.example.com"
        ),
        "{}",
        run.stderr
    );
    // A node's address names it too, and -o writes the file.
    let t = Test::new().args([
        "-c",
        spec,
        "keepalived",
        "--node",
        "10.20.0.12",
        "-o",
        "k.conf",
    ]);
    t.run().ok();
    let text = std::fs::read_to_string(t.dir.join("k.conf")).unwrap();
    assert!(text.contains("    unicast_src_ip 10.20.0.12\n"), "{text}");
    // --node is required.
    Test::new().args(["-c", spec, "keepalived"]).run().fails(2);
    // A spec without haproxy.ha.
    let onprem = common::repo().join("examples/onprem.yaml");
    let run = Test::new()
        .args(["-c", onprem.to_str().unwrap(), "keepalived", "--node", "x"])
        .run()
        .fails(1);
    assert!(
        run.stderr
            .contains("error: the keepalived target needs haproxy.ha"),
        "{}",
        run.stderr
    );
}

/// What keepalived or VRRP would refuse, or what would leave clients without a working
/// address, is refused with the field's path.
#[test]
fn the_validator_refuses_what_cannot_work() {
    let base = "cluster: c1
daemons: [{host: a.example.com}, {host: b.example.com}]
haproxy:
  ha:
    virtual_ip: VIP
    interface: IFACE
    virtual_router_id: VRID
    nodes:
      - {host: lb-1.example.com, address: ADDR1, priority: 150}
      - {host: HOST2, priority: PRIO2}
";
    let spec = |changes: &[(&str, &str)]| {
        let mut s = base.to_string();
        for (k, v) in [
            ("VIP", "10.0.0.10/24"),
            ("IFACE", "eth0"),
            ("VRID", "51"),
            ("ADDR1", "10.0.0.11"),
            ("HOST2", "10.0.0.12"),
            ("PRIO2", "100"),
        ] {
            let v = changes.iter().find(|(c, _)| *c == k).map_or(v, |(_, v)| *v);
            s = s.replace(k, v);
        }
        s
    };
    let ok = Test::new()
        .file("impala-lb.yaml", &spec(&[]))
        .arg("validate")
        .run();
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    for (changes, path, words) in [
        (
            vec![("VIP", "10.0.0.10")],
            "haproxy.ha.virtual_ip",
            "no prefix length",
        ),
        (
            vec![("VIP", "10.0.0.0/24")],
            "haproxy.ha.virtual_ip",
            "network address",
        ),
        (
            vec![("IFACE", "\"eth0 }\"")],
            "haproxy.ha.interface",
            "a space",
        ),
        (
            vec![("IFACE", "averyveryverylongname")],
            "haproxy.ha.interface",
            "at most 15",
        ),
        (vec![("VRID", "0")], "haproxy.ha.virtual_router_id", ""),
        (vec![("VRID", "256")], "haproxy.ha.virtual_router_id", ""),
        (vec![("PRIO2", "255")], "haproxy.ha.nodes[1].priority", ""),
        (
            vec![("HOST2", "lb-2.example.com")],
            "haproxy.ha.nodes[1]",
            "needs address",
        ),
        (
            vec![("HOST2", "10.0.0.11")],
            "haproxy.ha.nodes[1].host",
            "also nodes[0]",
        ),
        (
            vec![("ADDR1", "10.0.0.10")],
            "haproxy.ha.nodes[0].address",
            "the virtual IP itself",
        ),
        (
            vec![("ADDR1", "2001:db8::1")],
            "haproxy.ha.nodes[0].address",
            "IP version",
        ),
        (
            vec![("ADDR1", "lb-1")],
            "haproxy.ha.nodes[0].address",
            "not an IP address",
        ),
    ] {
        let run = Test::new()
            .file("impala-lb.yaml", &spec(&changes))
            .arg("validate")
            .run()
            .fails(1);
        assert!(
            run.stderr.contains(&format!("({path})")) && run.stderr.contains(words),
            "{changes:?}: {}",
            run.stderr
        );
    }
    let one_node = spec(&[]).replace("      - {host: 10.0.0.12, priority: 100}\n", "");
    let run = Test::new()
        .file("impala-lb.yaml", &one_node)
        .arg("validate")
        .run()
        .fails(1);
    assert!(
        run.stderr.contains("two or more HAProxy hosts"),
        "{}",
        run.stderr
    );
    // HAProxy must listen where clients arrive, and a password-protected page must be on every
    // node.
    for (extra, path) in [
        ("  bind: 10.0.0.11\n", "haproxy.bind"),
        (
            "  stats: {bind: \"10.0.0.11:25002\"}\n",
            "haproxy.stats.bind",
        ),
    ] {
        let s = spec(&[]).replace("haproxy:\n", &format!("haproxy:\n{extra}"));
        let run = Test::new()
            .file("impala-lb.yaml", &s)
            .arg("validate")
            .run()
            .fails(1);
        assert!(run.stderr.contains(&format!("({path})")), "{}", run.stderr);
    }
    // Kerberos needs a name for the virtual IP.
    let s = format!("{}kerberos: {{realm: EXAMPLE.COM}}\n", spec(&[]));
    let run = Test::new()
        .file("impala-lb.yaml", &s)
        .arg("validate")
        .run()
        .fails(1);
    assert!(
        run.stderr
            .contains("Kerberos needs a name for the virtual IP")
            && run.stderr.contains("haproxy.public_name"),
        "{}",
        run.stderr
    );
    // Equal priorities only warn: the higher address wins.
    let s = spec(&[("PRIO2", "150")]);
    let run = Test::new()
        .file("impala-lb.yaml", &s)
        .args(["validate", "--deny-warnings"])
        .run()
        .fails(1);
    assert!(
        run.stderr
            .contains("warning: priority 150 is also nodes[0]'s"),
        "{}",
        run.stderr
    );
}

/// A plan built by hand, past the validator, still cannot inject: the renderer refuses it.
#[test]
fn the_renderer_refuses_a_plan_built_by_hand() {
    let plan = plan_of(&common::repo().join("examples/onprem-ha.yaml"));
    let node = plan.haproxy.ha.as_ref().unwrap().nodes[0].clone();
    assert!(keepalived::render(&plan, &node).is_ok());
    type Poke = fn(&mut Plan, &str);
    let pokes: [(&str, Poke); 4] = [
        ("interface", |p, v| {
            p.haproxy.ha.as_mut().unwrap().interface = v.into()
        }),
        ("virtual ip", |p, v| {
            p.haproxy.ha.as_mut().unwrap().virtual_ip = v.into()
        }),
        ("peer address", |p, v| {
            p.haproxy.ha.as_mut().unwrap().nodes[1].address = v.into()
        }),
        ("instance", |p, v| {
            p.haproxy.ha.as_mut().unwrap().instance = v.into()
        }),
    ];
    for (field, poke) in pokes {
        for v in [
            "eth0 }\nvrrp_instance evil {",
            "a#b",
            "!x",
            "\"q\"",
            "$VAR",
            "@main",
            "",
        ] {
            let mut p = plan.clone();
            poke(&mut p, v);
            match keepalived::render(&p, &node) {
                Err(e) => assert!(e.to_string().contains("cannot be written safely"), "{e}"),
                Ok(conf) => panic!("{field} = {v:?} was written:\n{conf}"),
            }
        }
    }
}

// --- keepalived -t ----------------------------------------------------------------------------

/// `keepalived -t -f <file>` in a private network namespace that has the configured interface
/// (keepalived refuses a configuration whose interface does not exist): `(passed, output)`.
fn keepalived_test(conf: &Path, interface: &str) -> (bool, String) {
    let script = format!(
        "ip link add '{interface}' type veth peer name ilbpeer0 && exec '{}' -t -f '{}'",
        common::tool("keepalived").display(),
        conf.display()
    );
    let out = Command::new(common::tool("unshare"))
        .args(["--net", "sh", "-c", &script])
        .output()
        .expect("run unshare");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
#[ignore = "needs keepalived: run scripts/test"]
fn keepalived_accepts_every_file_without_a_word() {
    assert!(
        is_root(),
        "keepalived -t runs in a network namespace, as root"
    );
    let dir = TempDir::new("keepalived-t");
    let mut checked = 0;
    for (name, path, _, text) in every_file() {
        let interface = plan_of(&path).haproxy.ha.unwrap().interface;
        let conf = dir.write(&format!("{name}.conf"), &text);
        let (ok, out) = keepalived_test(&conf, &interface);
        assert!(ok && out.trim().is_empty(), "{name}: keepalived -t:\n{out}");
        checked += 1;
        // The check can fail: without the interface, keepalived refuses the same file.
        if checked == 1 {
            let (ok, out) = keepalived_test(&conf, "other0");
            assert!(!ok, "{name}: accepted without its interface:\n{out}");
            assert!(out.contains(&format!("interface {interface}")), "{out}");
        }
    }
    assert!(checked >= 5, "{checked} files");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|e| e == "0"))
        .unwrap_or(false)
}

// --- Live failover ------------------------------------------------------------------------------

/// Runs `ip ARGS`, which must succeed.
#[track_caller]
fn ip(args: &[&str]) -> String {
    let out = Command::new(common::tool("ip"))
        .args(args)
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Network namespaces, deleted (with their interfaces) when dropped.
struct Namespaces(Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// A process the test started, killed when dropped. A node's process is the `unshare` that
/// holds its PID namespace; with `--kill-child` its death kills the namespace's first process,
/// and with it every process of the namespace.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The processes below `pid` (its children, theirs, and so on).
fn descendants(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for c in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                out.push(c);
                todo.push(c);
            }
        }
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Whether `address` is on `eth0` in namespace `ns`.
fn holds(ns: &str, address: &str) -> bool {
    ip(&["-n", ns, "-brief", "address", "show", "dev", "eth0"])
        .split_whitespace()
        .any(|w| w.split('/').next() == Some(address))
}

/// Polls `f` every 100 ms until it holds, for at most `limit`; how long it took.
#[track_caller]
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

/// A client in namespace `ns`: connects to `address:port` and returns the first line the
/// other side sends (the answering daemon's address), within 2 s.
fn probe(ns: &str, address: &str, port: u16) -> Result<String, String> {
    const CLIENT: &str = "
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
s.settimeout(2)
print(s.recv(64).decode().strip())
";
    let out = Command::new(common::tool("ip"))
        .args(["netns", "exec", ns])
        .arg(common::tool("python3"))
        .args(["-c", CLIENT, address, &port.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && !answer.is_empty() {
        Ok(answer)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Two HAProxy nodes with keepalived, as generated for a spec, each in a network namespace of
/// its own (and a mount and PID namespace, as if on its own host: its own /run, and `pidof`
/// sees only its own HAProxy), on one bridge with a client and two impalad stand-ins. HAProxy
/// stops on the master: the virtual IP moves to the other node, and connections through it
/// succeed again within seconds. HAProxy comes back on the first node: the address stays
/// (nopreempt). No traffic leaves the machine.
#[test]
#[ignore = "needs keepalived and haproxy: run scripts/test"]
fn live_failover_moves_the_virtual_ip_and_connections_follow() {
    let started = Instant::now();
    assert!(
        is_root(),
        "the live failover test creates network namespaces and runs keepalived, as root"
    );
    let tag = format!("ilb{}", std::process::id() % 100_000);
    let (sw, a, b) = (format!("{tag}sw"), format!("{tag}a"), format!("{tag}b"));
    let namespaces = Namespaces(vec![sw.clone(), a.clone(), b.clone()]);
    for ns in &namespaces.0 {
        ip(&["netns", "add", ns]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
    }
    // The segment: a bridge in the switch namespace, a veth to each node's eth0.
    ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"]);
    ip(&["-n", &sw, "link", "set", "br0", "up"]);
    for (ns, address) in [(&a, "10.77.0.2/24"), (&b, "10.77.0.3/24")] {
        let port = format!("{ns}p");
        ip(&[
            "link", "add", &port, "netns", &sw, "type", "veth", "peer", "name", "eth0", "netns", ns,
        ]);
        ip(&["-n", &sw, "link", "set", &port, "master", "br0"]);
        ip(&["-n", &sw, "link", "set", &port, "up"]);
        ip(&["-n", ns, "link", "set", "eth0", "up"]);
        ip(&["-n", ns, "address", "add", address, "dev", "eth0"]);
    }
    // The client (10.77.0.1) and two impalad stand-ins (.21 and .22) on the switch's side:
    // each answers a connection with its address.
    for address in ["10.77.0.1/24", "10.77.0.21/24", "10.77.0.22/24"] {
        ip(&["-n", &sw, "address", "add", address, "dev", "br0"]);
    }
    const DAEMONS: &str = "
import socket, sys, threading
def serve(address):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, 21050))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.sendall((address + '\\n').encode())
        c.close()
for a in sys.argv[1:]:
    threading.Thread(target=serve, args=(a,), daemon=True).start()
threading.Event().wait()
";
    let daemons = Proc(
        Command::new(common::tool("ip"))
            .args(["netns", "exec", &sw])
            .arg(common::tool("python3"))
            .args(["-c", DAEMONS, "10.77.0.21", "10.77.0.22"])
            .stdin(Stdio::null())
            .spawn()
            .expect("start the daemons"),
    );

    // The spec, and the files `generate` writes for it.
    let spec = "cluster: live-ha
services: {hs2: {port: 21050}}
daemons: [{host: 10.77.0.21}, {host: 10.77.0.22}]
health_check: {service: hs2, interval: 2s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 1}
haproxy:
  bind: \"*\"
  ha:
    virtual_ip: 10.77.0.10/24
    interface: eth0
    virtual_router_id: 77
    nodes:
      - {host: lb-a.test, address: 10.77.0.2, priority: 150}
      - {host: lb-b.test, address: 10.77.0.3, priority: 100}
";
    let t = Test::new().file("impala-lb.yaml", spec);
    t.run_with(&["generate", "--out-dir", "out"]).ok();
    let out = t.dir.join("out");
    std::fs::create_dir_all("/var/lib/haproxy").unwrap();

    // Each node: HAProxy and keepalived, as root, in the node's namespaces.
    let start_node = |ns: &str, host: &str| -> Proc {
        let script = format!(
            "set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/haproxy
'{haproxy}' -db -f '{cfg}' >'{log}.haproxy' 2>&1 &
exec '{keepalived}' -n -l -f '{conf}' >'{log}.keepalived' 2>&1
",
            haproxy = common::tool("haproxy").display(),
            keepalived = common::tool("keepalived").display(),
            cfg = out.join("haproxy.cfg").display(),
            conf = out.join(format!("keepalived/{host}.conf")).display(),
            log = t.dir.join(ns).display(),
        );
        Proc(
            Command::new(common::tool("ip"))
                .args(["netns", "exec", ns])
                .arg(common::tool("unshare"))
                .args([
                    "--mount",
                    "--propagation",
                    "private",
                    "--pid",
                    "--mount-proc",
                    "--kill-child",
                    "sh",
                    "-c",
                    &script,
                ])
                .stdin(Stdio::null())
                .spawn()
                .expect("start a node"),
        )
    };
    let node_a = start_node(&a, "lb-a.test");
    let node_b = start_node(&b, "lb-b.test");
    let logs = || {
        let read = |f: String| std::fs::read_to_string(t.dir.join(f)).unwrap_or_default();
        format!(
            "a keepalived:\n{}\nb keepalived:\n{}\na haproxy:\n{}",
            read(format!("{a}.keepalived")),
            read(format!("{b}.keepalived")),
            read(format!("{a}.haproxy"))
        )
    };

    // The node with the higher priority takes the address; connections through it work.
    wait_until(Duration::from_secs(20), "the virtual IP on node a", || {
        holds(&a, "10.77.0.10")
    });
    assert!(
        !holds(&b, "10.77.0.10"),
        "one node holds the address\n{}",
        logs()
    );
    wait_until(
        Duration::from_secs(10),
        "a connection through the virtual IP",
        || probe(&sw, "10.77.0.10", 21050).is_ok(),
    );
    // (hs2 is balanced by source address: the one client keeps one daemon.)
    let answer = probe(&sw, "10.77.0.10", 21050).unwrap();
    assert!(answer == "10.77.0.21" || answer == "10.77.0.22", "{answer}");

    // Stop HAProxy on node a.
    let haproxy_a: Vec<u32> = descendants(node_a.0.id())
        .into_iter()
        .filter(|p| comm(*p) == "haproxy")
        .collect();
    assert_eq!(haproxy_a.len(), 1, "node a runs one HAProxy: {haproxy_a:?}");
    let stopped = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &haproxy_a[0].to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    // The address moves to node b, and connections succeed again, within seconds.
    let mut failed = 0;
    let recovered = wait_until(
        Duration::from_secs(15),
        "a connection through the virtual IP after the failover",
        || {
            let ok = holds(&b, "10.77.0.10") && probe(&sw, "10.77.0.10", 21050).is_ok();
            failed += usize::from(!ok);
            ok
        },
    );
    assert!(
        !holds(&a, "10.77.0.10"),
        "node a gave the address up\n{}",
        logs()
    );
    assert!(
        recovered <= Duration::from_secs(10),
        "connections came back after {recovered:?}\n{}",
        logs()
    );
    for _ in 0..5 {
        let answer = probe(&sw, "10.77.0.10", 21050).expect("through node b");
        assert!(answer == "10.77.0.21" || answer == "10.77.0.22", "{answer}");
    }
    eprintln!(
        "the virtual IP moved and connections came back {recovered:?} after HAProxy stopped on the master ({failed} probes failed meanwhile)"
    );
    assert!(stopped.elapsed() < Duration::from_secs(20));

    // HAProxy comes back on node a (in its namespaces, entered through its first process): the
    // address stays on node b.
    let first = descendants(node_a.0.id())[0];
    assert_eq!(comm(first), "keepalived");
    let nsenter = Proc(
        Command::new(common::tool("nsenter"))
            .args(["--target", &first.to_string()])
            .args(["--net", "--mount", "--pid", "--"])
            .arg(common::tool("haproxy"))
            .args(["-db", "-f"])
            .arg(out.join("haproxy.cfg"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start HAProxy on node a again"),
    );
    thread::sleep(Duration::from_secs(5));
    assert!(
        holds(&b, "10.77.0.10") && !holds(&a, "10.77.0.10"),
        "nopreempt: node a does not take the address back\n{}",
        logs()
    );
    probe(&sw, "10.77.0.10", 21050).expect("still through node b");

    drop(nsenter);
    drop(node_a);
    drop(node_b);
    drop(daemons);
    drop(namespaces);
    eprintln!("live failover test took {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60));
}
