//! A bounded mutation fuzzer for the loader, the validator, the plan and every target.
//!
//! Starting from the shipped examples, it mutates text (syntax damage, hostile tokens) and
//! structure (a value replaced by another of any type, through a YAML round trip), then loads
//! each result for every scope. Whatever the input: no panic, an invalid spec has at least one
//! located error, and a valid one plans and renders (its CloudFormation reading back as YAML).
//! It runs for `IMPALA_LBGEN_FUZZ_SECONDS` (default 2; `scripts/test` gives it 20) with the
//! seed printed, so a failure can be replayed with `IMPALA_LBGEN_FUZZ_SEED`.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use impala_lbgen::diagnostics::Source;
use impala_lbgen::plan::Plan;
use impala_lbgen::spec;
use impala_lbgen::validate::Scope;
use serde_json::Value;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "\n",
    "  ",
    "\t",
    "#",
    "&a ",
    "*a",
    "!Ref ",
    "!!str ",
    "~",
    "null",
    "-1",
    "0",
    "65536",
    "99999999999999999999",
    "0x1F",
    "1e400",
    "1.5",
    ".nan",
    "\u{0}",
    "\u{2028}",
    "é",
    "💥",
    "---\n",
    "<<: *a",
    "? ",
    "|\n",
    ">-\n",
    "30s",
    "5m",
    "1h",
    "0s",
    "4294967296s",
    "0.0.0.0/0",
    "::/0",
    "i-",
    "vpc-",
    "subnet-",
    "${x}",
    "%{x}",
    "\\",
    "\r\n",
    "hs2_http",
    "beeswax",
    "network",
    "passthrough",
    "bridge",
    "offload",
    "source",
    "roundrobin",
    "*",
    "127.0.0.1:0",
    "Z1",
    "arn:aws:acm:",
    "internet-facing",
    "AWSLogs",
    "xn--",
    "aws:",
    "Name",
    "10.0.0.10/24",
    "create_bucket: true",
    "retention_days: 0",
    "alarms: {}",
    "min_healthy: 99",
    "arn:aws:sns:",
    "eth0",
    "priority: 255",
    "virtual_router_id: 0",
];

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::from(rng.next() as i64 >> rng.below(64)),
        3 => Value::from(
            [
                0i64, 1, 2, 5, 10, 11, 59, 60, 300, 350, 3600, 3601, 6000, 65535, 65536, -1,
            ][rng.below(16)],
        ),
        4 => Value::from(*rng.pick(TOKENS)),
        5 => Value::from(format!("{}{}", rng.pick(TOKENS), rng.pick(TOKENS))),
        6 => Value::Array(vec![Value::from(*rng.pick(TOKENS))]),
        7 => Value::Object(serde_json::Map::new()),
        _ => Value::from(1.5),
    }
}

/// Replaces, removes or adds one value somewhere in the tree.
fn mutate_json(v: &mut Value, rng: &mut Rng, depth: usize) {
    let descend = depth < 6 && rng.below(3) != 0;
    match v {
        Value::Object(map) if !map.is_empty() && descend => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let k = rng.pick(&keys).clone();
            match rng.below(8) {
                0 => {
                    map.remove(&k);
                }
                1 => {
                    map.insert(format!("{k}x"), scalar(rng));
                }
                _ => mutate_json(map.get_mut(&k).unwrap(), rng, depth + 1),
            }
        }
        Value::Array(items) if !items.is_empty() && descend => match rng.below(6) {
            0 => {
                items.remove(rng.below(items.len()));
            }
            1 => {
                let dup = items[rng.below(items.len())].clone();
                items.push(dup);
            }
            _ => {
                let i = rng.below(items.len());
                mutate_json(&mut items[i], rng, depth + 1)
            }
        },
        _ => *v = scalar(rng),
    }
}

fn mutate_text(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 | 2 => {
                let tok: Vec<char> = rng.pick(TOKENS).chars().collect();
                chars.splice(at..at, tok);
            }
            3 => {
                let lines: Vec<String> = chars
                    .iter()
                    .collect::<String>()
                    .lines()
                    .map(String::from)
                    .collect();
                if !lines.is_empty() {
                    let mut lines = lines;
                    let i = rng.below(lines.len());
                    let j = rng.below(lines.len());
                    lines.swap(i, j);
                    chars = lines.join("\n").chars().collect();
                }
            }
            _ => {
                // Re-indent a line.
                let s: String = chars.iter().collect();
                let mut lines: Vec<String> = s.lines().map(String::from).collect();
                if !lines.is_empty() {
                    let i = rng.below(lines.len());
                    lines[i] = format!("{}{}", " ".repeat(rng.below(5)), lines[i].trim_start());
                    chars = lines.join("\n").chars().collect();
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Loads `text` every way the tool does and renders what is valid. Panics on a broken invariant.
fn exercise(text: &str) -> bool {
    let mut any_valid = false;
    let scopes = [
        None,
        Some(Scope::aws_target("aws")),
        Some(Scope::haproxy_target("haproxy")),
    ];
    for scope in scopes {
        let source = Source {
            name: "fuzz.yaml".into(),
            text: text.to_string(),
        };
        match spec::load(source, scope) {
            Ok(loaded) => {
                any_valid = true;
                let plan = Plan::new(&loaded.spec);
                render_all(&plan, scope);
                let _ = loaded.report.render();
            }
            Err(report) => {
                assert!(report.has_errors(), "an invalid spec with no error");
                assert!(
                    report.errors().all(|d| d.span.is_some()),
                    "an error without a location: {:?}",
                    report.diagnostics
                );
                let _ = report.render();
            }
        }
    }
    any_valid
}

/// Every target's output for a plan valid in `scope`; the YAML must read back.
fn render_all(plan: &Plan, scope: Option<Scope>) {
    use impala_lbgen::targets;
    let _ = serde_json::to_string(plan).expect("a plan serialises");
    let aws = scope.is_none_or(|s| s.aws) && plan.aws.is_some();
    if aws {
        let cfn = targets::cloudformation::render(plan).expect("cloudformation renders");
        spec::yaml::parse(&cfn)
            .unwrap_or_else(|e| panic!("cloudformation output is not YAML: {e:?}\n{cfn}"));
        targets::terraform::render(plan).expect("terraform renders");
        targets::aws_cli::render(plan).expect("aws-cli renders");
    }
    if scope.is_none_or(|s| s.haproxy) && plan.daemons.iter().all(|d| d.host.is_some()) {
        targets::haproxy::render(plan).expect("haproxy renders");
        targets::keepalived::render_all(&targets::Renderers::default(), plan)
            .expect("keepalived renders");
    }
    // impala-config reads every section, so the command validates with the spec's own scope.
    if scope.is_none() {
        targets::impala_config::render(plan).expect("impala-config renders");
    }
}

#[test]
fn loader_validator_and_targets_never_panic() {
    let seconds: u64 = std::env::var("IMPALA_LBGEN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let seed: u64 = std::env::var("IMPALA_LBGEN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("fuzz: seed {seed} (replay with IMPALA_LBGEN_FUZZ_SEED={seed}), {seconds}s");
    let mut rng = Rng(seed);
    let seeds: Vec<String> = common::examples()
        .into_iter()
        .map(|(_, p)| std::fs::read_to_string(p).unwrap())
        .collect();
    let seed_json: Vec<Value> = seeds
        .iter()
        .map(|t| spec::yaml::parse(t).unwrap().to_json())
        .collect();
    for s in &seeds {
        assert!(exercise(s), "an example does not load");
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut runs, mut valid) = (0u64, 0u64);
    while Instant::now() < deadline {
        let input = if rng.below(2) == 0 {
            let text: &String = rng.pick(&seeds);
            mutate_text(text, &mut rng)
        } else {
            let mut v: Value = rng.pick(&seed_json).clone();
            for _ in 0..1 + rng.below(3) {
                mutate_json(&mut v, &mut rng, 0);
            }
            yaml_serde::to_string(&v).unwrap()
        };
        if let Ok(trace) = std::env::var("IMPALA_LBGEN_FUZZ_TRACE") {
            std::fs::write(trace, &input).unwrap(); // survives an abort, which catch_unwind cannot catch
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&input)));
        match outcome {
            Ok(ok) => valid += u64::from(ok),
            Err(_) => {
                let file =
                    std::env::temp_dir().join(format!("impala-lbgen-fuzz-{seed}-{runs}.yaml"));
                std::fs::write(&file, &input).unwrap();
                panic!(
                    "panicked on input saved to {} (seed {seed}):\n{input}",
                    file.display()
                );
            }
        }
        runs += 1;
    }
    eprintln!("fuzz: {runs} inputs, {valid} valid for some scope");
    assert!(runs > 0);
}
