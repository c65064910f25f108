//! `diagram`: the topology as Mermaid (also embedded in impala-config.md) and Graphviz DOT.
//! Snapshots of every example; under scripts/test, Mermaid's own parser reads every Mermaid
//! diagram back (labels included) and Graphviz `dot` renders every DOT one; adversarial names
//! come back exactly from both, or are refused.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{examples, repo, tool, Test};
use impala_lbgen::plan::Plan;
use impala_lbgen::spec;
use impala_lbgen::targets::diagram;

fn plan(path: &std::path::Path) -> Plan {
    let source = spec::read_source(path).unwrap();
    Plan::new(&spec::load(source, None).unwrap().spec)
}

/// Every example and fixture, as `(name, plan)`.
fn plans() -> Vec<(String, Plan)> {
    let mut out: Vec<(String, Plan)> = examples().into_iter().map(|(n, p)| (n, plan(&p))).collect();
    for dir in ["tests/fixtures/haproxy", "tests/fixtures/terraform"] {
        let mut files: Vec<_> = std::fs::read_dir(repo().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = format!("fixture-{}", f.file_stem().unwrap().to_string_lossy());
            out.push((name, plan(&f)));
        }
    }
    out
}

#[test]
fn snapshots_of_every_example() {
    for (name, path) in examples() {
        let t = Test::new();
        let p = path.to_str().unwrap();
        let mermaid = t.run_with(&["-c", p, "diagram"]).ok().stdout;
        insta::assert_snapshot!(format!("mermaid-{name}"), mermaid);
        let dot = t
            .run_with(&["-c", p, "diagram", "--format", "dot"])
            .ok()
            .stdout;
        insta::assert_snapshot!(format!("dot-{name}"), dot);
        // impala-config.md embeds the same flowchart in a mermaid code fence.
        let md = t.run_with(&["-c", p, "impala-config"]).ok().stdout;
        assert!(
            md.contains(&format!("```mermaid\n{mermaid}```\n")),
            "{name}: {md}"
        );
    }
}

#[test]
fn many_daemons_are_drawn_as_one_node() {
    let mut p = plans().remove(0).1;
    let d = p.daemons[0].clone();
    p.daemons = (1..=40)
        .map(|i| impala_lbgen::plan::Daemon {
            number: i,
            name: format!("impalad-{i}"),
            ..d.clone()
        })
        .collect();
    let text = diagram::mermaid(&p).unwrap();
    assert!(
        text.contains("40 impalad coordinators<br/>impalad-1 ... impalad-40"),
        "{text}"
    );
    assert_eq!(text.matches("-->").count(), 2, "{text}");
}

/// Names a spec could never hold, put straight into a plan: each format's escape must keep
/// them inside their label, or refuse them.
fn adversarial(base: &Plan, name: &str) -> Plan {
    let mut p = base.clone();
    p.cluster = name.to_string();
    p.haproxy.public_name = Some(name.to_string());
    p.haproxy.bind = name.to_string();
    for d in &mut p.daemons {
        d.name = format!("{name}-{}", d.number);
        d.instance_id = None;
    }
    if let Some(aws) = &mut p.aws {
        aws.name = name.to_string();
        aws.frontend_group.name = format!("{name} FE");
        aws.backend_group.name = format!("{name} BE");
    }
    p
}

const NAMES: &[&str] = &[
    "quote\" end] --> x[\"pwned",
    "pipe | and |\"edge\"|",
    "<b>bold</b> & <script>alert(1)</script>",
    "#35; entity #quot; and # hash",
    "```\nfence",
    "back\\slash \\N \\l \\\"",
    "end",
    "subgraph",
    "Zürich ünïcödé ✓ 🚀",
    "semi; colon: {braces} [brackets] (parens)",
    "`tick`",
];

fn is_refused(name: &str) -> bool {
    name.chars().any(char::is_control)
}

#[test]
fn adversarial_names_are_refused_only_for_control_characters() {
    let base = plans();
    for name in NAMES {
        for (_, p) in &base {
            let p = adversarial(p, name);
            assert_eq!(diagram::mermaid(&p).is_err(), is_refused(name), "{name:?}");
            assert_eq!(diagram::dot(&p).is_err(), is_refused(name), "{name:?}");
        }
    }
}

fn run_stdin(cmd: &mut Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// What Mermaid's parser read of each text: its JSON (tools/mermaid-check/parse.mjs), in one
/// Node process (each start loads Mermaid and jsdom, about a second).
fn mermaid_parse_all(texts: &[String]) -> Vec<serde_json::Value> {
    let out = run_stdin(
        Command::new("node")
            .arg(repo().join("tools/mermaid-check/parse.mjs"))
            .arg("--many")
            .env("NODE_PATH", common::node_modules()),
        &serde_json::to_string(texts).unwrap(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed.len(), texts.len());
    for (text, p) in texts.iter().zip(&parsed) {
        assert!(p.get("error").is_none(), "Mermaid refused:\n{text}\n{p}");
    }
    parsed
}

#[test]
#[ignore = "needs mermaid: run scripts/test"]
fn mermaid_parses_every_diagram_with_labels_as_written() {
    let plans = plans();
    let texts: Vec<String> = plans
        .iter()
        .map(|(_, p)| diagram::mermaid(p).unwrap())
        .collect();
    for ((name, p), parsed) in plans.iter().zip(mermaid_parse_all(&texts)) {
        assert_eq!(parsed["type"], "flowchart-v2", "{name}");
        let view = diagram::View::new(p);
        assert_eq!(parsed["vertices"]["lb"], view.balancer.join("\n"), "{name}");
        assert_eq!(
            parsed["vertices"]["clients"],
            view.clients.join("\n"),
            "{name}"
        );
        assert_eq!(
            parsed["edges"].as_array().unwrap().len(),
            1 + view.daemons.len(),
            "{name}"
        );
    }
    // Adversarial names: the label Mermaid shows is the name, character for character.
    let base = &plans[0].1;
    let names: Vec<&&str> = NAMES.iter().filter(|n| !is_refused(n)).collect();
    let adversarial: Vec<Plan> = names.iter().map(|n| adversarial(base, n)).collect();
    let texts: Vec<String> = adversarial
        .iter()
        .map(|p| diagram::mermaid(p).unwrap())
        .collect();
    for ((name, p), parsed) in names
        .iter()
        .zip(&adversarial)
        .zip(mermaid_parse_all(&texts))
    {
        let lb = parsed["vertices"]["lb"].as_str().unwrap();
        assert!(
            lb.starts_with(&format!("Classic ELB {name}\n")),
            "{name:?}: {lb:?}"
        );
        assert_eq!(
            parsed["vertices"]["d1"].as_str().unwrap(),
            format!("impalad {name}-1"),
            "{name:?}"
        );
        assert_eq!(
            parsed["subgraphs"][0]["title"].as_str().unwrap(),
            format!("security group: {name} FE"),
            "{name:?}"
        );
        assert_eq!(
            parsed["vertices"].as_object().unwrap().len(),
            2 + p.daemons.len(),
            "{name:?}: {parsed}"
        );
    }
    // And Mermaid does refuse what the escape prevents, so the check above can fail.
    let out = run_stdin(
        Command::new("node")
            .arg(repo().join("tools/mermaid-check/parse.mjs"))
            .env("NODE_PATH", common::node_modules()),
        "flowchart LR\n  a[\"A \"x\"] --> b\n",
    );
    assert!(!out.status.success());
}

/// Graphviz's own reading of a DOT graph: `dot -Tjson0`, the labels of its nodes and edges.
fn dot_labels(text: &str) -> Vec<String> {
    let out = run_stdin(Command::new(tool("dot")).arg("-Tjson0"), text);
    assert!(
        out.status.success(),
        "dot refused:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut labels = Vec::new();
    for key in ["objects", "edges"] {
        for o in v[key].as_array().into_iter().flatten() {
            if let Some(l) = o["label"].as_str() {
                labels.push(l.to_string());
            }
        }
    }
    labels
}

/// A DOT string's text as Graphviz shows it: `\\` is a backslash, `\n` a line break.
fn dot_shown(label: &str) -> String {
    let mut out = String::new();
    let mut chars = label.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

#[test]
#[ignore = "needs graphviz: run scripts/test"]
fn graphviz_renders_every_diagram_with_labels_as_written() {
    for (name, p) in plans() {
        let text = diagram::dot(&p).unwrap();
        let out = run_stdin(Command::new(tool("dot")).arg("-Tsvg"), &text);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("<svg"),
            "{name}"
        );
    }
    let base = plans().remove(0).1;
    for name in NAMES.iter().filter(|n| !is_refused(n)) {
        let p = adversarial(&base, name);
        let labels: Vec<String> = dot_labels(&diagram::dot(&p).unwrap())
            .iter()
            .map(|l| dot_shown(l))
            .collect();
        assert!(
            labels.contains(&format!("security group: {name} FE")),
            "{name:?}: {labels:?}"
        );
        assert!(
            labels.contains(&format!("impalad {name}-1")),
            "{name:?}: {labels:?}"
        );
        assert!(
            labels
                .iter()
                .any(|l| l.starts_with(&format!("Classic ELB {name}\n"))),
            "{name:?}: {labels:?}"
        );
    }
}
