//! The AWS CLI script target: snapshots, what every script holds for its spec (read back by
//! bash itself), quoting of adversarial values, the templates' quoting discipline, and (with
//! the tools `scripts/test` installs) ShellCheck and runs against moto, twice and after the
//! spec changed.

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Run, TempDir, Test};
use impala_lbgen::diagnostics::Source;
use impala_lbgen::plan::{Check, Plan, Tag};
use impala_lbgen::targets::aws_cli;
use impala_lbgen::validate::Scope;
use serde_json::{json, Value};

// --- helpers --------------------------------------------------------------------------------

/// Runs `impala-lbgen -c <spec> aws-cli` on a spec file.
fn generate_file(spec: &Path) -> Run {
    Test::new()
        .args(["-c", spec.to_str().unwrap(), "aws-cli"])
        .run()
}

/// Runs `impala-lbgen aws-cli` on a spec given as JSON (which is YAML too).
fn generate_spec(spec: &Value) -> Run {
    Test::new()
        .file(
            "impala-lb.yaml",
            &serde_json::to_string_pretty(spec).unwrap(),
        )
        .arg("aws-cli")
        .run()
}

fn plan_of(example: &str) -> Plan {
    let path = common::repo()
        .join("examples")
        .join(format!("{example}.yaml"));
    let source = Source {
        name: path.display().to_string(),
        text: std::fs::read_to_string(&path).unwrap(),
    };
    let loaded = impala_lbgen::spec::load(source, Some(Scope::aws_target("aws-cli")))
        .expect("the example is valid");
    Plan::new(&loaded.spec)
}

/// A spec duration: `30s`, `5m`, `1h` or seconds.
fn secs(v: &Value, default: u64) -> u64 {
    match v {
        Value::Null => default,
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => {
            let (n, unit) = s.split_at(s.len() - 1);
            let n: u64 = n.parse().unwrap();
            n * match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => panic!("duration {s}"),
            }
        }
        _ => panic!("duration {v}"),
    }
}

/// A target group's name as the README gives it: `<balancer>-<hash>-<protocol><port>`, the
/// balancer's name cut to fit 32 characters, `<hash>` the first 6 hex digits of the 32-bit
/// FNV-1a hash of the whole balancer name.
fn target_group_name(lb: &str, protocol: &str, port: u64) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in lb.bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    let suffix = format!("-{:06x}-{protocol}{port}", hash >> 8);
    let base = &lb[..lb.len().min(32 - suffix.len())];
    format!("{}{suffix}", base.trim_end_matches('-'))
}

// --- reading a script back with bash ---------------------------------------------------------

/// The script's block of spec values, between its markers.
fn values_block(script: &str) -> &str {
    let start = script
        .find("\n# --- The spec, resolved by impala-lbgen")
        .expect("the values block starts");
    let end = script
        .find("\n# --- End of the spec")
        .expect("the values block ends");
    assert!(start < end);
    &script[start..end]
}

/// The lines of the script that call its step functions with spec values (rules, listeners,
/// target groups, alarms, the summary's endpoints).
fn call_lines(script: &str) -> Vec<&str> {
    script
        .lines()
        .filter(|l| {
            l.starts_with("rule ")
                || l.starts_with("classic_listener ")
                || l.starts_with("nlb_listener ")
                || l.starts_with("TARGET_GROUP=$(target_group ")
                || l.starts_with("printf 'Impala %s clients")
                || l.starts_with("alarm ")
                || l.starts_with("tg=$(rows ")
        })
        .collect()
}

/// What bash holds after reading the script's values and step calls: every variable the
/// values block sets (arrays as lists), and every step call with its arguments, as bash
/// passed them. Nothing runs but assignments and stubs; a command substitution hidden in a
/// value would show up as a missing or changed value (and as the canary file in `dir`).
struct Read {
    vars: serde_json::Map<String, Value>,
    calls: Vec<Vec<String>>,
}

fn read_with_bash(script: &str, dir: &Path) -> Read {
    let mut program =
        String::from("set -euo pipefail\nBEFORE=\" $(compgen -v | tr '\\n' ' ') \"\n");
    program.push_str(values_block(script));
    program.push_str(
        r#"
AFTER=$(compgen -v)
FE_SG=sg-fe
BE_SG=sg-be
HOST=host
exec 3>calls
record() { printf '%s\x1f' "$@" >&3; printf '\x1e' >&3; }
rule() { record rule "$@"; }
classic_listener() { record classic_listener "$@"; }
nlb_listener() { record nlb_listener "$@"; }
target_group() { record target_group "$@"; printf 'tg-%s\n' "$1"; }
text=''
rows() { printf 'tg-%s\n' "$1"; }
alarm() { record alarm "$@"; }
printf() { if [[ $1 == 'Impala %s clients'* ]]; then shift; record endpoint "$@"; else builtin printf "$@"; fi; }
"#,
    );
    for line in call_lines(script) {
        program.push_str(line);
        program.push('\n');
    }
    // Every variable the values block names, NUL-separated: name, kind, elements.
    program.push_str(
        r#"
exec 4>vars
for name in $AFTER; do
  if [[ $BEFORE == *" $name "* || $name == BEFORE ]]; then continue; fi
  if [[ $(declare -p "$name") == "declare -a"* ]]; then
    declare -n ref=$name
    builtin printf '%s\0a\0%s\0' "$name" "${#ref[@]}" >&4
    for v in "${ref[@]}"; do builtin printf '%s\0' "$v" >&4; done
    unset -n ref
  else
    builtin printf '%s\0s\0%s\0' "$name" "${!name}" >&4
  fi
done
"#,
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&program)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash could not read the script:\n{}\n{program}",
        String::from_utf8_lossy(&out.stderr)
    );

    let calls = std::fs::read_to_string(dir.join("calls")).unwrap();
    let calls = calls
        .split('\x1e')
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.strip_suffix('\x1f')
                .unwrap()
                .split('\x1f')
                .map(str::to_string)
                .collect()
        })
        .collect();

    let raw = std::fs::read(dir.join("vars")).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let mut parts = text.split('\0');
    let mut vars = serde_json::Map::new();
    while let Some(name) = parts.next().filter(|n| !n.is_empty()) {
        let kind = parts.next().unwrap();
        let value = if kind == "a" {
            let n: usize = parts.next().unwrap().parse().unwrap();
            Value::Array((0..n).map(|_| json!(parts.next().unwrap())).collect())
        } else {
            json!(parts.next().unwrap())
        };
        vars.insert(name.to_string(), value);
    }
    Read { vars, calls }
}

fn json_var(read: &Read, name: &str) -> Value {
    let text = read.vars[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is a string"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{name} is JSON ({e}): {text}"))
}

fn calls_of<'a>(read: &'a Read, function: &str) -> Vec<&'a [String]> {
    read.calls
        .iter()
        .filter(|c| c[0] == function)
        .map(|c| &c[1..])
        .collect()
}

/// Tags as `(key, value)` pairs, `Name` left out.
fn user_tags(tags: &Value) -> Vec<(String, String)> {
    tags.as_array()
        .unwrap()
        .iter()
        .filter(|t| t["Key"] != "Name")
        .map(|t| {
            (
                t["Key"].as_str().unwrap().to_string(),
                t["Value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn name_tag(tags: &Value) -> &str {
    let t = &tags.as_array().unwrap()[0];
    assert_eq!(t["Key"], "Name", "Name comes first: {tags}");
    t["Value"].as_str().unwrap()
}

// --- what every script must hold, worked out from the spec independently of the plan --------

/// Checks a script, as bash reads it, against the spec it came from. Defaults are restated
/// here from the README, so a change of default in the plan shows up as a failure.
fn check_against_spec(spec: &Value, script: &str) {
    let dir = TempDir::new("aws-cli-read");
    let read = read_with_bash(script, dir.path());
    let var = |n: &str| read.vars.get(n).cloned().unwrap_or(Value::Null);

    let cluster = spec["cluster"].as_str().unwrap();
    let aws = &spec["aws"];
    let nlb = aws["load_balancer"] == "network";
    let services: Vec<(String, u64, u64)> = match spec["services"].as_object() {
        Some(m) => ["beeswax", "hs2", "hs2_http"]
            .iter()
            .filter_map(|k| m.get(*k).map(|s| (k, s)))
            .map(|(k, s)| {
                let port = s["port"].as_u64().unwrap();
                (
                    k.to_string(),
                    port,
                    s["backend_port"].as_u64().unwrap_or(port),
                )
            })
            .collect(),
        // Default: HiveServer2 alone.
        None => vec![("hs2".into(), 21050, 21050)],
    };
    let mode = spec["tls"]["mode"].as_str();
    let terminates = matches!(mode, Some("offload" | "bridge"));
    let reencrypts = mode == Some("bridge");
    let hc = &spec["health_check"];
    let interval = secs(&hc["interval"], 30);
    let timeout = secs(&hc["timeout"], 5);
    let healthy = hc["healthy_threshold"].as_u64().unwrap_or(5);
    let unhealthy = hc["unhealthy_threshold"].as_u64().unwrap_or(2);
    let (hc_port, hc_path) = match hc.get("http") {
        Some(http) => (
            http["port"].as_u64().unwrap(),
            Some(http["path"].as_str().unwrap_or("/healthz").to_string()),
        ),
        None => {
            // Default: hs2 when served, else the first service.
            let wanted = hc["service"]
                .as_str()
                .map(str::to_string)
                .or_else(|| services.iter().find(|s| s.0 == "hs2").map(|s| s.0.clone()));
            let s = services
                .iter()
                .find(|s| Some(&s.0) == wanted.as_ref())
                .unwrap_or(&services[0]);
            (s.2, None)
        }
    };
    let idle = secs(&spec["idle_timeout"], 3600);
    let drain = secs(&spec["drain_timeout"], 300);
    let terminate_unhealthy = hc["unhealthy_connection_termination"] == true;
    let name = aws["name"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(format!("elb-impala-{cluster}"));
    let instances: Vec<Value> = spec["daemons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["instance_id"].clone())
        .collect();
    let policy = spec["tls"]["policy"].as_str().unwrap_or(if nlb {
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    } else {
        "ELBSecurityPolicy-TLS-1-2-2017-01"
    });
    let logs = &aws["access_logs"];
    let mut user: Vec<(String, String)> = aws["tags"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default();
    user.sort();

    // Where and what.
    assert_eq!(var("CLUSTER"), cluster);
    assert_eq!(var("REGION"), aws["region"]);
    assert_eq!(var("VPC"), aws["vpc_id"]);
    assert_eq!(var("SUBNETS"), aws["subnet_ids"]);
    assert_eq!(var("INSTANCES"), Value::Array(instances.clone()));
    assert_eq!(var("LB"), name);
    assert_eq!(var("SCHEME"), aws["scheme"].as_str().unwrap_or("internal"));
    let ports: Vec<Value> = services.iter().map(|s| json!(s.1.to_string())).collect();
    assert_eq!(var("PORTS"), Value::Array(ports));

    // Security groups: names, descriptions, lookup filters (an adopted group by its ID) and tags.
    for (prefix, role, group, description) in [
        (
            "FE",
            "frontend",
            format!("{cluster} Impala FE"),
            "Impala Front-End Traffic",
        ),
        (
            "BE",
            "backend",
            format!("{cluster} Impala BE"),
            "Impala Back-End Traffic",
        ),
    ] {
        let adopted = &aws["adopt"]["security_groups"][role];
        let group = adopted["name"].as_str().map_or(group, str::to_string);
        let description = adopted["description"].as_str().unwrap_or(description);
        assert_eq!(var(&format!("{prefix}_NAME")), group);
        assert_eq!(var(&format!("{prefix}_DESCRIPTION")), description);
        let by = match adopted["id"].as_str() {
            Some(id) => json!({"Name": "group-id", "Values": [id]}),
            None => json!({"Name": "group-name", "Values": [group]}),
        };
        assert_eq!(
            json_var(&read, &format!("{prefix}_FILTERS")),
            json!([{"Name": "vpc-id", "Values": [aws["vpc_id"]]}, by])
        );
        let tags = json_var(&read, &format!("{prefix}_TAGS"));
        assert_eq!(name_tag(&tags), group);
        assert_eq!(user_tags(&tags), user);
    }
    let tags = json_var(&read, "LB_TAGS");
    assert_eq!(name_tag(&tags), name);
    assert_eq!(user_tags(&tags), user);

    // Rules: clients → front end on the service ports; front end → back end on impalad's
    // ports and the health-check port, both ways; each with a description.
    let rules: BTreeSet<(String, String, String, String, String)> = calls_of(&read, "rule")
        .into_iter()
        .map(|a| {
            assert_eq!(a.len(), 6, "{a:?}");
            let description: String = serde_json::from_str(&a[5]).unwrap();
            assert!(description.len() > 10, "{a:?}");
            assert!(description.is_ascii(), "{a:?}");
            (
                a[0].clone(),
                a[1].clone(),
                a[2].clone(),
                a[3].clone(),
                a[4].clone(),
            )
        })
        .collect();
    let mut want = BTreeSet::new();
    for c in aws["client_cidrs"].as_array().unwrap() {
        let c = c.as_str().unwrap();
        let kind = if c.contains(':') {
            "CidrIpv6"
        } else {
            "CidrIp"
        };
        for s in &services {
            want.insert((
                "ingress".into(),
                "sg-fe".into(),
                s.1.to_string(),
                kind.into(),
                c.into(),
            ));
        }
    }
    let mut backend_ports: Vec<u64> = services.iter().map(|s| s.2).collect();
    backend_ports.push(hc_port);
    for p in backend_ports {
        want.insert((
            "egress".into(),
            "sg-fe".into(),
            p.to_string(),
            "GroupId".into(),
            "sg-be".into(),
        ));
        want.insert((
            "ingress".into(),
            "sg-be".into(),
            p.to_string(),
            "GroupId".into(),
            "sg-fe".into(),
        ));
    }
    assert_eq!(rules, want, "security group rules");
    for group in ["$FE_SG", "$BE_SG"] {
        for direction in ["ingress", "egress"] {
            assert!(
                script.contains(&format!("\nprune {direction} \"{group}\"\n")),
                "prune {direction} {group}"
            );
        }
    }

    // TLS: the certificate and the policy.
    let request = terminates && spec["tls"]["certificate_arn"].is_null();
    if terminates {
        assert_eq!(var("TLS_POLICY"), policy);
        if let Some(arn) = spec["tls"]["certificate_arn"].as_str() {
            assert_eq!(var("CERTIFICATE"), arn);
        } else {
            assert_eq!(var("CERTIFICATE"), Value::Null, "requested at run time");
        }
    } else {
        assert_eq!(var("TLS_POLICY"), Value::Null);
        assert_eq!(var("CERTIFICATE"), Value::Null);
    }
    if request {
        let domain = spec["tls"]["domain"].as_str().unwrap().to_lowercase();
        let sans: Vec<String> = spec["tls"]["subject_alternative_names"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().unwrap().to_lowercase())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(var("DOMAIN"), domain);
        if sans.is_empty() {
            assert_eq!(var("SANS"), Value::Null);
        } else {
            assert_eq!(var("SANS"), json!(sans));
        }
        let names: BTreeSet<String> = std::iter::once(domain).chain(sans).collect();
        assert_eq!(
            var("CERTIFICATE_NAMES"),
            names.into_iter().collect::<Vec<_>>().join(" ")
        );
        let tags = json_var(&read, "CERTIFICATE_TAGS");
        assert_eq!(user_tags(&tags), user);
        assert!(script.contains("\nwait_for_certificate \"$CERTIFICATE\"\n"));
        assert_eq!(var("CERTIFICATE_WAIT"), "1800");
    } else {
        assert_eq!(var("DOMAIN"), Value::Null);
        assert!(!script.contains("request-certificate"));
    }
    let migrate = &aws["migrate_from"];
    let requested = spec["tls"]["domain"].is_string()
        && spec["tls"]["certificate_arn"].is_null()
        && spec["tls"]["mode"] != "passthrough";
    let zone = spec["tls"]["hosted_zone_id"]
        .as_str()
        .filter(|_| !migrate.is_object() || requested);
    assert_eq!(var("HOSTED_ZONE").as_str(), zone);
    let dualstack = aws["ip_address_type"] == "dualstack";
    if migrate.is_object() {
        // The weighted pair instead of an alias: the name clients use, both weights.
        assert_eq!(var("ALIAS"), Value::Null);
        let name = migrate["record"]["name"]
            .as_str()
            .or(spec["tls"]["domain"].as_str())
            .unwrap();
        assert_eq!(var("RECORD_NAME"), format!("{name}."));
        let weight = migrate["weight"].as_u64().unwrap();
        assert_eq!(var("NLB_WEIGHT"), weight.to_string());
        assert_eq!(var("CLASSIC_WEIGHT"), (100 - weight).to_string());
        let classic = json_var(&read, "CLASSIC_RECORD");
        assert_eq!(classic["SetIdentifier"], migrate["name"]);
        assert_eq!(classic["AliasTarget"]["DNSName"], migrate["dns_name"]);
        assert_eq!(
            classic["AliasTarget"]["HostedZoneId"],
            migrate["hosted_zone_id"]
        );
    } else {
        // The alias is for the first name of the certificate that is one host, not a wildcard.
        let host = common::client_host(spec);
        assert_eq!(var("ALIAS").as_str(), zone.and(host));
        if var("ALIAS").is_string() {
            let types = if dualstack {
                json!(["A", "AAAA"])
            } else {
                json!(["A"])
            };
            assert_eq!(var("ALIAS_TYPES"), types);
        } else {
            assert_eq!(var("ALIAS_TYPES"), Value::Null);
        }
    }

    if !nlb {
        // Classic: listeners, health check, attributes, policy.
        let listeners: Vec<Vec<String>> = calls_of(&read, "classic_listener")
            .into_iter()
            .map(<[String]>::to_vec)
            .collect();
        let want: Vec<Vec<String>> = services
            .iter()
            .map(|s| {
                vec![
                    if terminates { "SSL" } else { "TCP" }.to_string(),
                    s.1.to_string(),
                    if reencrypts { "SSL" } else { "TCP" }.to_string(),
                    s.2.to_string(),
                ]
            })
            .collect();
        assert_eq!(listeners, want, "Classic listeners");
        let target = match &hc_path {
            Some(path) => format!("HTTP:{hc_port}{path}"),
            None => format!("TCP:{hc_port}"),
        };
        assert_eq!(
            json_var(&read, "HEALTH_CHECK"),
            json!({"Target": target, "Interval": interval, "Timeout": timeout,
                   "HealthyThreshold": healthy, "UnhealthyThreshold": unhealthy})
        );
        let mut access_log = json!({"Enabled": false});
        if logs.is_object() {
            access_log = json!({
                "Enabled": true,
                "S3BucketName": logs["bucket"],
                "EmitInterval": secs(&logs["interval"], 3600) / 60,
            });
            if let Some(prefix) = logs.get("prefix") {
                access_log["S3BucketPrefix"] = prefix.clone();
            }
        }
        assert_eq!(
            json_var(&read, "ATTRIBUTES"),
            json!({
                "CrossZoneLoadBalancing": {"Enabled": true},
                "ConnectionDraining": {"Enabled": true, "Timeout": drain},
                "ConnectionSettings": {"IdleTimeout": idle},
                "AccessLog": access_log,
            })
        );
        if terminates {
            assert_eq!(var("TLS_POLICY_NAME"), "ImpalaTLSNegotiationPolicy");
            assert_eq!(
                json_var(&read, "POLICY_ATTRIBUTES"),
                json!([{"AttributeName": "Reference-Security-Policy", "AttributeValue": policy}])
            );
            assert!(script.contains("\ntls_policy\n"));
        }
        assert!(calls_of(&read, "nlb_listener").is_empty());
    } else {
        // NLB: a target group and a listener per service, health check, attributes.
        let groups = calls_of(&read, "target_group");
        let listeners = calls_of(&read, "nlb_listener");
        assert_eq!(groups.len(), services.len());
        assert_eq!(listeners.len(), services.len());
        assert_eq!(
            var("IP_ADDRESS_TYPE"),
            if dualstack { "dualstack" } else { "ipv4" }
        );
        for ((g, l), s) in groups.iter().zip(&listeners).zip(&services) {
            let tg_name = target_group_name(&name, if reencrypts { "tls" } else { "tcp" }, s.2);
            assert_eq!(g[0], tg_name);
            assert_eq!(g[1], if reencrypts { "TLS" } else { "TCP" });
            assert_eq!(g[2], s.2.to_string());
            let tags: Value = serde_json::from_str(&g[3]).unwrap();
            assert_eq!(name_tag(&tags), tg_name);
            assert_eq!(user_tags(&tags), user);
            let attributes: Value = serde_json::from_str(&g[4]).unwrap();
            let sticky = matches!(s.0.as_str(), "hs2" | "hs2_http") && !terminates && !reencrypts;
            // Every attribute explicit: drain_timeout, connections kept when deregistered and,
            // unless the spec asks otherwise, when unhealthy; cross-zone; client IPs.
            let mut want = vec![
                json!({"Key": "deregistration_delay.timeout_seconds", "Value": drain.to_string()}),
                json!({"Key": "deregistration_delay.connection_termination.enabled", "Value": "false"}),
                json!({"Key": "target_health_state.unhealthy.connection_termination.enabled", "Value": terminate_unhealthy.to_string()}),
            ];
            if !terminate_unhealthy {
                want.push(json!({"Key": "target_health_state.unhealthy.draining_interval_seconds", "Value": drain.to_string()}));
            }
            want.push(json!({"Key": "load_balancing.cross_zone.enabled", "Value": "true"}));
            want.push(json!({"Key": "preserve_client_ip.enabled", "Value": "true"}));
            if !reencrypts {
                want.push(json!({"Key": "stickiness.enabled", "Value": sticky.to_string()}));
                if sticky {
                    want.push(json!({"Key": "stickiness.type", "Value": "source_ip"}));
                }
            }
            assert_eq!(attributes, Value::Array(want), "{tg_name}");
            assert_eq!(
                l.to_vec(),
                vec![
                    s.1.to_string(),
                    if terminates { "TLS" } else { "TCP" }.to_string(),
                    format!("tg-{tg_name}"),
                ]
            );
        }
        let mut hc_args: Vec<String> = [
            "--health-check-enabled",
            "--health-check-protocol",
            if hc_path.is_some() { "HTTP" } else { "TCP" },
            "--health-check-port",
            &hc_port.to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(path) = &hc_path {
            hc_args.extend([
                "--health-check-path".into(),
                path.clone(),
                "--matcher".into(),
                r#"{"HttpCode":"200"}"#.into(),
            ]);
        }
        hc_args.extend(
            [
                "--health-check-interval-seconds",
                &interval.to_string(),
                "--health-check-timeout-seconds",
                &timeout.to_string(),
                "--healthy-threshold-count",
                &healthy.to_string(),
                "--unhealthy-threshold-count",
                &unhealthy.to_string(),
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        assert_eq!(var("HEALTH_CHECK"), json!(hc_args));
        let mut want = vec![
            json!({"Key": "load_balancing.cross_zone.enabled", "Value": "true"}),
            json!({"Key": "deletion_protection.enabled", "Value": "true"}),
            json!({"Key": "access_logs.s3.enabled", "Value": logs.is_object().to_string()}),
        ];
        if logs.is_object() {
            want.push(json!({"Key": "access_logs.s3.bucket", "Value": logs["bucket"]}));
            if let Some(prefix) = logs.get("prefix") {
                want.push(json!({"Key": "access_logs.s3.prefix", "Value": prefix}));
            }
        }
        assert_eq!(json_var(&read, "ATTRIBUTES"), Value::Array(want));
        assert_eq!(
            json_var(&read, "LISTENER_ATTRIBUTES"),
            json!([{"Key": "tcp.idle_timeout.seconds", "Value": idle.to_string()}])
        );
        assert!(calls_of(&read, "classic_listener").is_empty());
    }

    check_bucket_and_alarms(spec, &read);

    // The summary: an endpoint per service.
    let endpoints: Vec<Vec<String>> = calls_of(&read, "endpoint")
        .into_iter()
        .map(<[String]>::to_vec)
        .collect();
    let want: Vec<Vec<String>> = services
        .iter()
        .map(|s| vec![s.0.clone(), "host".into(), s.1.to_string()])
        .collect();
    assert_eq!(endpoints, want);
}

/// The bucket values and the alarm calls, as bash reads them, against the spec.
fn check_bucket_and_alarms(spec: &Value, read: &Read) {
    let var = |n: &str| read.vars.get(n).cloned().unwrap_or(Value::Null);
    let aws = &spec["aws"];
    let nlb = aws["load_balancer"] == "network";
    let region = aws["region"].as_str().unwrap();
    let logs = &aws["access_logs"];
    if logs["create_bucket"] == true {
        assert_eq!(var("LOG_BUCKET"), logs["bucket"]);
        assert_eq!(
            var("LOG_BUCKET_LOCATION")
                .as_str()
                .map(|l| serde_json::from_str::<Value>(l).unwrap()),
            (region != "us-east-1").then(|| json!({"LocationConstraint": region}))
        );
        let policy = json_var(read, "LOG_BUCKET_POLICY");
        let placeholder = var("ACCOUNT_PLACEHOLDER");
        let placeholder = placeholder.as_str().unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let write = statements
            .iter()
            .find(|s| s["Action"] == json!(["s3:PutObject"]))
            .unwrap();
        let prefix = logs["prefix"]
            .as_str()
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        let partition = if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        assert_eq!(
            write["Resource"][0],
            format!(
                "arn:{partition}:s3:::{}/{prefix}AWSLogs/{placeholder}/*",
                logs["bucket"].as_str().unwrap()
            )
        );
        if nlb {
            assert_eq!(
                write["Principal"],
                json!({"Service": "delivery.logs.amazonaws.com"})
            );
            assert_eq!(
                write["Condition"]["StringEquals"]["aws:SourceAccount"],
                json!([placeholder])
            );
        } else {
            assert!(
                write["Principal"]["AWS"].is_string() || write["Principal"]["Service"].is_string()
            );
        }
        match logs["retention_days"].as_u64() {
            Some(days) => assert_eq!(
                json_var(read, "LOG_BUCKET_LIFECYCLE")["Rules"][0]["Expiration"]["Days"],
                days
            ),
            None => assert!(var("LOG_BUCKET_LIFECYCLE").is_null()),
        }
    } else {
        assert!(
            var("LOG_BUCKET").is_null(),
            "no bucket step without create_bucket"
        );
    }

    let name = aws["name"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(format!("elb-impala-{}", spec["cluster"].as_str().unwrap()));
    let known = var("ALARMS_KNOWN");
    assert_eq!(
        known.as_array().unwrap().len(),
        8,
        "every name of either kind: {known}"
    );
    let calls = calls_of(read, "alarm");
    let Some(a) = aws.get("alarms") else {
        assert_eq!(var("ALARMS"), json!([]));
        assert!(calls.is_empty());
        return;
    };
    let wanted: Vec<String> = var("ALARMS")
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(calls.len(), wanted.len());
    for w in &wanted {
        assert!(
            known.as_array().unwrap().contains(&json!(w)),
            "{w} is known"
        );
        assert!(w.starts_with(&format!("{name}-")), "{w}");
    }
    for call in calls {
        let input: Value = serde_json::from_str(&call[0]).unwrap();
        assert!(wanted.contains(&input["AlarmName"].as_str().unwrap().to_string()));
        assert_eq!(input["Period"], 60);
        match a.get("sns_topic_arn") {
            Some(t) => {
                assert_eq!(input["AlarmActions"], json!([t]));
                assert_eq!(input["OKActions"], json!([t]));
            }
            None => assert!(input.get("AlarmActions").is_none()),
        }
        if nlb {
            assert_eq!(input["Namespace"], "AWS/NetworkELB");
            assert_eq!(
                input["Dimensions"],
                json!([{"Name": "LoadBalancer", "Value": "<load-balancer>"},
                       {"Name": "TargetGroup", "Value": "<target-group>"}])
            );
            assert!(
                call[1].starts_with("tg-"),
                "the target group's ARN: {call:?}"
            );
        } else {
            assert_eq!(input["Namespace"], "AWS/ELB");
            assert_eq!(
                input["Dimensions"],
                json!([{"Name": "LoadBalancerName", "Value": name}])
            );
        }
    }
}

// --- tests -----------------------------------------------------------------------------------

#[test]
fn snapshots_of_every_example() {
    for (name, path) in common::examples() {
        let run = generate_file(&path);
        if common::spec_json(&path).get("aws").is_none() {
            // An on-premises spec has no AWS balancer to build: refused, and said why.
            let run = run.fails(1);
            assert!(run.stdout.is_empty());
            assert!(
                run.stderr
                    .contains("the aws-cli target needs an `aws` section"),
                "{name}: {}",
                run.stderr
            );
            eprintln!("{name}: no aws section, so no script (refused as it should be)");
            continue;
        }
        insta::assert_snapshot!(format!("aws-cli-{name}"), run.ok().stdout);
    }
}

#[test]
fn every_example_holds_what_its_spec_asks_for() {
    for (name, path) in common::aws_examples() {
        println!("checking {name}");
        let script = generate_file(&path).ok().stdout;
        check_against_spec(&common::spec_json(&path), &script);
    }
}

#[test]
fn every_variant_holds_what_its_spec_asks_for() {
    for (name, spec) in common::aws_variants() {
        println!("checking {name}");
        let script = generate_spec(&spec).ok().stdout;
        check_against_spec(&spec, &script);
    }
}

#[test]
fn bash_parses_every_script() {
    let dir = TempDir::new("aws-cli-bash-n");
    for (name, spec) in common::all_aws_specs() {
        let file = dir.write(&format!("{name}.sh"), &generate_spec(&spec).ok().stdout);
        let out = Command::new("bash").arg("-n").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_walkthrough_spec_is_the_walkthrough() {
    // cluster1.yaml is the AWS walk-through; its values, written out by hand.
    let script = generate_file(&common::repo().join("examples/cluster1.yaml"))
        .ok()
        .stdout;
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    assert!(script.contains("\nset -euo pipefail\n"));
    assert!(script.contains("\nOPTS=(--region \"$REGION\" --output text)\n"));
    assert!(script.contains("      OPTS+=(--profile \"$2\")\n"));
    for line in [
        "LB='elb-impala-cluster1'",
        "SCHEME='internal'",
        "PORTS=(21000 21050)",
        r#"HEALTH_CHECK='{"HealthyThreshold":5,"Interval":30,"Target":"TCP:21000","Timeout":5,"UnhealthyThreshold":2}'"#,
        r#"ATTRIBUTES='{"AccessLog":{"EmitInterval":60,"Enabled":true,"S3BucketName":"cluster1-logs","S3BucketPrefix":"cluster1-impala"},"ConnectionDraining":{"Enabled":true,"Timeout":300},"ConnectionSettings":{"IdleTimeout":3600},"CrossZoneLoadBalancing":{"Enabled":true}}'"#,
        "TLS_POLICY='ELBSecurityPolicy-TLS-1-2-2017-01'",
        "DOMAIN='impala.example.com'",
        "HOSTED_ZONE='Z0123456789ABCDEFGHIJ'",
        "classic_listener SSL 21000 TCP 21000",
        "classic_listener SSL 21050 TCP 21050",
        r#"rule ingress "$FE_SG" 21000 CidrIp '10.30.0.0/16' '"Impala beeswax clients from 10.30.0.0/16"'"#,
        r#"rule ingress "$BE_SG" 21050 GroupId "$FE_SG" '"Impala hs2 on impalad (from cluster1 Impala FE)"'"#,
    ] {
        assert!(
            script.lines().any(|l| l == line),
            "the script has the line {line}"
        );
    }
    // The steps, in the walk-through's order, but with the certificate first so that the
    // listeners are created with TLS. (Functions are defined before these steps run.)
    let order = [
        "\nFE_SG=$(security_group ",
        "\nrule ingress \"$FE_SG\" 21000 ",
        "\nprune egress \"$BE_SG\"\n",
        "\n    ec2_call modify-instance-attribute ",
        "\nCERTIFICATE=$(certificate_for_names)\n",
        "\nwait_for_certificate \"$CERTIFICATE\"\n",
        "\n  aws elb create-load-balancer \"${OPTS[@]}\"",
        "\ntls_policy\n",
        "\nclassic_listener SSL 21000 TCP 21000\n",
        "\naws elb modify-load-balancer-attributes ",
        "\naws elb configure-health-check ",
        "\n  aws elb register-instances-with-load-balancer ",
        "\nprintf 'Load balancer %s: %s",
        "\n  for type in \"${ALIAS_TYPES[@]}\"; do\n",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| {
            assert_eq!(script.matches(s).count(), 1, "the script runs {s:?} once");
            script.find(s).unwrap()
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{order:?} at {at:?}");
}

#[test]
fn scripts_are_byte_identical_for_the_same_spec() {
    for (name, path) in common::aws_examples() {
        let a = generate_file(&path).ok().stdout;
        let b = generate_file(&path).ok().stdout;
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn output_goes_to_a_file_with_o() {
    let t = Test::new();
    let spec = common::repo().join("examples/cluster1.yaml");
    let run = t.run_with(&["-c", spec.to_str().unwrap(), "-o", "setup.sh", "aws-cli"]);
    let run = run.ok();
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(t.dir.join("setup.sh")).unwrap();
    assert_eq!(written, generate_file(&spec).ok().stdout);
}

#[test]
fn the_script_reads_its_options_before_calling_aws() {
    // No AWS CLI on PATH (only cat, for the help): these answer before any call, or fail
    // saying what is missing.
    let dir = TempDir::new("aws-cli-options");
    let script = generate_file(&common::repo().join("examples/cluster1.yaml"))
        .ok()
        .stdout;
    let file = dir.write("setup.sh", &script);
    let which = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{name} on PATH"))
    };
    let empty = dir.join("bin");
    std::fs::create_dir_all(&empty).unwrap();
    std::os::unix::fs::symlink(which("cat"), empty.join("cat")).unwrap();
    // bash by its full path: the child's PATH has only cat.
    let bash = which("bash");
    let run = |args: &[&str]| {
        let out = Command::new(&bash)
            .arg(&file)
            .args(args)
            .env_clear()
            .env("PATH", &empty)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--profile NAME"), "{out}");
    assert!(out.contains("--certificate-wait SECONDS"), "{out}");
    for bad in [
        &["--bogus"][..],
        &["--profile"],
        &["--profile", ""],
        &["--certificate-wait", "soon"],
    ] {
        let (code, _, err) = run(bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(err.contains("Usage: bash setup.sh"), "{bad:?}: {err}");
    }
    let (code, _, err) = run(&["--profile", "prod", "--certificate-wait", "60"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the AWS CLI (aws) is not installed or not on PATH"),
        "{err}"
    );
}

// --- quoting ---------------------------------------------------------------------------------

/// Values that would do something in bash if they were not quoted.
const ADVERSARIAL: &[&str] = &[
    "it's",
    "'",
    "''\\''",
    "$(touch pwned-dollar)",
    "`touch pwned-backtick`",
    "${HOME} $HOME $0 $@ $* $? $$ $! $- $1",
    "\"double\" and \\ back \\",
    "* ? [a-z] ~ ~root {a,b} !! # ;",
    "a;b|c&d>e<f(g)h && touch pwned-and",
    "'; touch pwned-quote; echo '",
    "\"; touch pwned-dquote; echo \"",
    "Zürich ünïcödé ✓ 🚀",
    "\u{2028}\u{a0}",
    "-n",
    "--profile",
    "",
    " leading and trailing ",
];

/// C0 control characters: refused in a value the script holds as a plain word, carried
/// exactly (JSON-escaped) in a value that goes to AWS inside a JSON document, such as a tag.
const CONTROL: &[&str] = &[
    "two\nlines",
    "carriage\rreturn",
    "tab\there",
    "nul\u{0}byte",
    "escape \u{1b}[31m red",
];

/// Refused wherever they are: JSON leaves them as they are, and bash would hold them, but a
/// script that shows them is not the script bash runs (C1 controls, DEL, bidirectional text).
const REFUSED: &[&str] = &[
    "delete\u{7f}",
    "next line \u{85}",
    "bidi \u{202e}esrever",
    "isolate \u{2066}x",
];

/// The cluster1 and nlb-tls plans with adversarial values in every string a spec could hold:
/// tags, group names and descriptions, rule descriptions, the health-check path.
fn adversarial_plans() -> Vec<(&'static str, Plan, Vec<Tag>)> {
    let tags: Vec<Tag> = ADVERSARIAL
        .iter()
        .chain(CONTROL)
        .enumerate()
        .map(|(i, v)| Tag {
            key: format!("k{i} {v}"),
            value: (*v).to_string(),
        })
        .collect();
    ["cluster1", "nlb-tls"]
        .into_iter()
        .map(|example| {
            let mut plan = plan_of(example);
            let aws = plan.aws.as_mut().unwrap();
            aws.tags = tags.clone();
            aws.frontend_group.name = "FE $(touch pwned-group) it's".into();
            aws.frontend_group.description = "`touch pwned-description` \"x\"".into();
            if let Some(alias) = &mut aws.alias {
                alias.name = "alias $(touch pwned-alias) it's".into();
            }
            for (i, r) in aws
                .frontend_ingress
                .iter_mut()
                .chain(aws.frontend_egress.iter_mut())
                .chain(aws.backend_ingress.iter_mut())
                .enumerate()
            {
                r.description = format!("{} {}", ADVERSARIAL[i % ADVERSARIAL.len()], r.port);
            }
            plan.health_check.check = Check::Http {
                path: "/healthz?a=1&b='$(touch pwned-path)'".into(),
            };
            (example, plan, tags.clone())
        })
        .collect()
}

#[test]
fn adversarial_values_reach_bash_exactly() {
    for (example, plan, tags) in adversarial_plans() {
        let script = aws_cli::render(&plan).unwrap();
        let dir = TempDir::new("aws-cli-adversarial");
        let read = read_with_bash(&script, dir.path());
        let want: Vec<(String, String)> = tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        for var in ["FE_TAGS", "BE_TAGS", "LB_TAGS", "CERTIFICATE_TAGS"] {
            assert_eq!(user_tags(&json_var(&read, var)), want, "{example} {var}");
        }
        for g in calls_of(&read, "target_group") {
            let tags: Value = serde_json::from_str(&g[3]).unwrap();
            assert_eq!(user_tags(&tags), want, "{example} target group tags");
        }
        let aws = plan.aws.as_ref().unwrap();
        assert_eq!(read.vars["FE_NAME"], json!(aws.frontend_group.name));
        assert_eq!(
            read.vars.get("ALIAS"),
            aws.alias.as_ref().map(|a| json!(a.name)).as_ref()
        );
        assert_eq!(
            read.vars["FE_DESCRIPTION"],
            json!(aws.frontend_group.description)
        );
        assert_eq!(
            json_var(&read, "FE_FILTERS")[1]["Values"][0],
            json!(aws.frontend_group.name)
        );
        let descriptions: Vec<String> = calls_of(&read, "rule")
            .iter()
            .map(|a| serde_json::from_str(&a[5]).unwrap())
            .collect();
        let want: Vec<String> = aws
            .frontend_ingress
            .iter()
            .chain(&aws.frontend_egress)
            .chain(&aws.backend_ingress)
            .map(|r| r.description.clone())
            .collect();
        assert_eq!(descriptions, want, "{example} rule descriptions");
        let Check::Http { path } = &plan.health_check.check else {
            unreachable!()
        };
        if example == "cluster1" {
            assert_eq!(
                json_var(&read, "HEALTH_CHECK")["Target"],
                json!(format!("HTTP:{}{path}", plan.health_check.port))
            );
        } else {
            let args = read.vars["HEALTH_CHECK"].as_array().unwrap();
            let at = args
                .iter()
                .position(|a| a == "--health-check-path")
                .unwrap();
            assert_eq!(args[at + 1], json!(path));
        }
        // Nothing ran: no canary file.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pwned"))
            .collect();
        assert!(left.is_empty(), "{example}: bash ran {left:?}");
        // And bash parses the whole script.
        let file = dir.write("setup.sh", &script);
        let out = Command::new("bash").arg("-n").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn control_characters_are_refused_or_carried_in_json() {
    for bad in CONTROL.iter().chain(REFUSED) {
        // A plain word: refused.
        let mut plan = plan_of("cluster1");
        plan.aws.as_mut().unwrap().frontend_group.name = (*bad).to_string();
        let err = aws_cli::render(&plan).unwrap_err().to_string();
        assert!(err.contains("cannot be written safely"), "{bad:?}: {err}");
        let mut plan = plan_of("nlb-tls");
        plan.aws.as_mut().unwrap().backend_group.description = (*bad).to_string();
        assert!(aws_cli::render(&plan).is_err(), "{bad:?}");
        let mut plan = plan_of("nlb-tls");
        plan.health_check.check = Check::Http {
            path: format!("/healthz{bad}"),
        };
        assert!(aws_cli::render(&plan).is_err(), "{bad:?}");

        // In JSON (a tag, the Classic health check): carried exactly, or refused.
        let mut plan = plan_of("cluster1");
        plan.aws.as_mut().unwrap().tags = vec![Tag {
            key: "env".into(),
            value: (*bad).to_string(),
        }];
        plan.health_check.check = Check::Http {
            path: format!("/healthz{bad}"),
        };
        let rendered = aws_cli::render(&plan);
        if REFUSED.contains(bad) {
            assert!(rendered.is_err(), "{bad:?}");
            continue;
        }
        let script = rendered.unwrap();
        let dir = TempDir::new("aws-cli-control");
        let read = read_with_bash(&script, dir.path());
        assert_eq!(
            json_var(&read, "HEALTH_CHECK")["Target"],
            json!(format!("HTTP:21000/healthz{bad}"))
        );
        assert_eq!(
            user_tags(&json_var(&read, "LB_TAGS")),
            vec![("env".to_string(), bad.to_string())]
        );
    }
}

#[test]
fn the_validator_refuses_what_aws_refuses() {
    // AWS takes tag values of letters, digits, spaces and _ . : / = + - @ only, and so does
    // validation: a quote, $, a backtick or a line break never reaches the script.
    for (key, value, what) in [
        ("env", "it's", "'\\''"),
        ("env", "a \"quoted\" value", "'\"'"),
        ("env", "$(touch pwned)", "'$'"),
        ("env", "`touch pwned`", "'`'"),
        ("env", "two\nlines", "a line break"),
        ("env", "a;b", "';'"),
        ("owner's", "x", "'\\''"),
        ("aws:created", "x", "starts with aws:"),
        ("Name", "x", "sets the Name tag itself"),
    ] {
        let mut spec = common::example("cluster1");
        spec["aws"]["tags"] = json!({ key: value });
        let run = generate_spec(&spec).fails(1);
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.contains("aws.tags"),
            "{key}={value:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(what),
            "{key}={value:?} should mention {what}: {}",
            run.stderr
        );
    }
    // Names, IDs and paths go through their own checks.
    for (path, value) in [
        (&["cluster"][..], "c1$(x)"),
        (&["aws", "vpc_id"], "vpc-0d1e2f3a'x"),
        (&["aws", "name"], "elb;rm"),
        (&["tls", "domain"], "impala.example.com`x`"),
    ] {
        let mut spec = common::example("cluster1");
        let mut at = &mut spec;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = json!(value);
        let run = generate_spec(&spec).fails(1);
        assert!(run.stdout.is_empty(), "{path:?}");
        assert!(
            run.stderr.contains(&path.join(".")),
            "{path:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    for text in [
        "",
        "cluster: [",
        "cluster: c\ndaemons: []\n",
        "cluster: c\ndaemons: [{instance_id: i-0123456789abcdef0}]\naws: {}\n",
        "cluster: c\ndaemons: [{host: h}]\naws: {region: us-west-2, vpc_id: vpc-0123abcd, subnet_ids: [subnet-0123abcd], client_cidrs: [10.0.0.0/8]}\n",
    ] {
        let run = Test::new()
            .file("impala-lb.yaml", text)
            .arg("aws-cli")
            .run();
        assert_eq!(run.status, 1, "{text:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.contains("error"), "{}", run.stderr);
    }
}

/// The templates put every escaped value where bash reads it as one word (see
/// `common::check_shell_templates`). Raw values (`{{{x}}}`) are only numbers and constants of
/// the target, named here.
#[test]
fn templates_quote_every_value_as_a_word() {
    const RAW: &[&str] = &[
        "port",
        "backend_port",
        "protocol",
        "backend_protocol",
        "kind",
        "kind_text",
        "tls_text",
        "this",
        "certificate_wait",
        "cloudera_manager_port",
        "classic_weight",
        "nlb_weight",
    ];
    let dir = common::repo().join("templates/aws-cli");
    let escaped = common::check_shell_templates(&dir, aws_cli::TEMPLATES.len(), RAW);
    assert!(escaped >= 40, "the check saw the values ({escaped})");
}

// --- external tools --------------------------------------------------------------------------

#[test]
#[ignore = "needs shellcheck: run scripts/test"]
fn shellcheck_reports_nothing() {
    let dir = TempDir::new("aws-cli-shellcheck");
    let mut files = Vec::new();
    for (name, spec) in common::all_aws_specs() {
        files.push(dir.write(&format!("{name}.sh"), &generate_spec(&spec).ok().stdout));
    }
    assert!(files.len() >= 11);
    let report = common::shellcheck(&files, &[]);
    assert!(
        report.trim().is_empty(),
        "shellcheck found problems:\n{report}"
    );

    // The adversarial scripts hold `$(...)`, backticks and backslashes in single quotes on
    // purpose, which ShellCheck notes as "expressions don't expand in single quotes" (SC2016)
    // and "want to escape a single quote?" (SC1003): that they stay literal is the point.
    // Nothing else may be reported.
    let mut files = Vec::new();
    for (example, plan, _) in adversarial_plans() {
        files.push(dir.write(
            &format!("adversarial-{example}.sh"),
            &aws_cli::render(&plan).unwrap(),
        ));
    }
    let report = common::shellcheck(&files, &["SC2016", "SC1003"]);
    assert!(
        report.trim().is_empty(),
        "shellcheck found problems:\n{report}"
    );
}

/// moto with `tests/moto_aws_cli.py`, the script tests' helper.
struct Moto {
    server: common::MotoServer,
    region: &'static str,
}

impl Moto {
    fn start(region: &'static str) -> Moto {
        // moto issues a requested certificate once it is this many seconds old, whatever DNS
        // holds: long enough for the script to see it pending and write its validation records
        // (a few slow AWS CLI calls), short enough to wait for in a test.
        let server = common::MotoServer::start(&[("MOTO_ACM_VALIDATION_WAIT", "10")]);
        Moto { server, region }
    }

    /// Runs `tests/moto_aws_cli.py` against this server; its JSON answer.
    fn py(&self, args: &[&str]) -> Value {
        self.server.py("moto_aws_cli.py", self.region, args)
    }

    /// Runs a generated script with bash against this server, with `args`, at most 10
    /// minutes. With `profile`, the credentials come from that profile of a credentials file
    /// (exercising `--profile`); else from the environment.
    fn run_script(&self, dir: &TempDir, script: &str, profile: Option<&str>) -> Run {
        self.run_bash(dir, "setup.sh", script, &[], profile)
    }

    /// Runs `script`, written to `dir/name`, with bash against this server, with `args` (and
    /// `--profile` as for [`Moto::run_script`]).
    fn run_bash(
        &self,
        dir: &TempDir,
        name: &str,
        script: &str,
        args: &[&str],
        profile: Option<&str>,
    ) -> Run {
        let file = dir.write(name, script);
        let aws = common::tool("aws");
        let path = format!(
            "{}:{}",
            aws.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let credentials = dir.write(
            "credentials",
            "[e2e]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        );
        let mut cmd = Command::new("bash");
        cmd.arg(&file)
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("AWS_ENDPOINT_URL", &self.server.endpoint)
            .env("AWS_CONFIG_FILE", dir.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .stdout(File::create(dir.join("stdout")).unwrap())
            .stderr(File::create(dir.join("stderr")).unwrap());
        match profile {
            Some(p) => {
                cmd.args(["--profile", p]);
            }
            None => {
                cmd.env("AWS_ACCESS_KEY_ID", "testing")
                    .env("AWS_SECRET_ACCESS_KEY", "testing");
            }
        }
        let mut child = cmd.spawn().expect("run bash");
        let deadline = Instant::now() + Duration::from_secs(600);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the script ran for more than 10 minutes:\n{}",
                    std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        Run {
            status: status.code().unwrap_or(-1),
            stdout: std::fs::read_to_string(dir.join("stdout")).unwrap(),
            stderr: std::fs::read_to_string(dir.join("stderr")).unwrap(),
        }
    }

    /// What the APIs report back for the balancer of `spec`.
    fn state(&self, spec: &Value) -> Value {
        let cluster = spec["cluster"].as_str().unwrap();
        let name = spec["aws"]["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or(format!("elb-impala-{cluster}"));
        let mut args = vec!["state".to_string(), name, cluster.to_string()];
        for d in spec["daemons"].as_array().unwrap() {
            args.push(d["instance_id"].as_str().unwrap().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.py(&args)
    }
}

/// An example rewritten with the IDs moto made: VPC, one subnet, the first `n` daemons with
/// the two instances.
fn with_moto_ids(mut spec: Value, ids: &Value) -> Value {
    spec["aws"]["vpc_id"] = ids["vpc_id"].clone();
    spec["aws"]["subnet_ids"] = json!([ids["subnet_id"]]);
    let instances = ids["instance_ids"].as_array().unwrap();
    let daemons = spec["daemons"].as_array_mut().unwrap();
    daemons.truncate(instances.len());
    for (d, id) in daemons.iter_mut().zip(instances) {
        d["instance_id"] = id.clone();
    }
    spec
}

/// drain.sh for `spec`.
fn generate_drain(spec: &Value) -> String {
    Test::new()
        .file("impala-lb.yaml", &serde_json::to_string(spec).unwrap())
        .arg("drain")
        .run()
        .ok()
        .stdout
}

/// Generates the script for `spec`, with moto's hosted zone ID put in for the spec's (moto's
/// IDs lack AWS's Z prefix, which validation rightly requires).
fn script_for_moto(spec: &Value, ids: &Value) -> String {
    let script = generate_spec(spec).ok().stdout;
    match spec["tls"]["hosted_zone_id"].as_str() {
        Some(zone) => {
            assert!(script.contains(zone));
            script.replace(zone, ids["hosted_zone_id"].as_str().unwrap())
        }
        None => script,
    }
}

/// The security groups, as moto reports them: exactly one of each name, with these rules.
fn check_groups(state: &Value, spec: &Value, ids: &Value) -> (String, String) {
    let cluster = spec["cluster"].as_str().unwrap();
    let fe = &state["groups"][format!("{cluster} Impala FE")];
    let be = &state["groups"][format!("{cluster} Impala BE")];
    assert_eq!(fe.as_array().unwrap().len(), 1, "one front-end group: {fe}");
    assert_eq!(be.as_array().unwrap().len(), 1, "one back-end group: {be}");
    let (fe, be) = (&fe[0], &be[0]);
    assert_eq!(fe["vpc"], ids["vpc_id"]);
    assert_eq!(fe["description"], "Impala Front-End Traffic");
    assert_eq!(be["description"], "Impala Back-End Traffic");
    let fe_id = fe["id"].as_str().unwrap().to_string();
    let be_id = be["id"].as_str().unwrap().to_string();

    let services: Vec<(u64, u64)> = match spec["services"].as_object() {
        Some(m) => m
            .values()
            .map(|s| {
                let p = s["port"].as_u64().unwrap();
                (p, s["backend_port"].as_u64().unwrap_or(p))
            })
            .collect(),
        None => vec![(21000, 21000), (21050, 21050)],
    };
    let mut backend: BTreeSet<u64> = services.iter().map(|s| s.1).collect();
    if let Some(p) = spec["health_check"]["http"]["port"].as_u64() {
        backend.insert(p);
    }
    let rules = |g: &Value| -> BTreeSet<(bool, u64, String)> {
        g["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert_eq!(r["protocol"], "tcp", "only TCP rules: {r}");
                assert_eq!(r["from"], r["to"]);
                assert!(
                    r["description"].as_str().is_some_and(|d| d.len() > 10),
                    "a description: {r}"
                );
                (
                    r["egress"].as_bool().unwrap(),
                    r["from"].as_u64().unwrap(),
                    r["peer"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut want = BTreeSet::new();
    for c in spec["aws"]["client_cidrs"].as_array().unwrap() {
        for s in &services {
            want.insert((false, s.0, c.as_str().unwrap().to_string()));
        }
    }
    for p in &backend {
        want.insert((true, *p, be_id.clone()));
    }
    assert_eq!(rules(fe), want, "front-end rules (no allow-all egress)");
    let want: BTreeSet<_> = backend.iter().map(|p| (false, *p, fe_id.clone())).collect();
    assert_eq!(rules(be), want, "back-end rules (no egress)");
    for g in [fe, be] {
        let tags: Vec<&Value> = g["tags"].as_array().unwrap().iter().collect();
        assert!(tags.iter().any(|t| t["Key"] == "Name"), "{g}");
    }

    // Every instance keeps its own group and is in the back-end group.
    for d in spec["daemons"].as_array().unwrap() {
        let id = d["instance_id"].as_str().unwrap();
        let mut want = vec![ids["app_group_id"].as_str().unwrap(), be_id.as_str()];
        want.sort();
        assert_eq!(state["instances"][id], json!(want), "groups of {id}");
    }
    (fe_id, be_id)
}

/// Leaves out what moto changes on every call whatever the request (see README).
fn comparable(mut state: Value) -> Value {
    if let Some(a) = state["classic"]["attributes"].as_object_mut() {
        a.remove("AdditionalAttributes");
    }
    state
}

#[test]
#[ignore = "needs moto_server and awscli: run scripts/test"]
fn the_classic_example_builds_in_moto_twice_and_converges() {
    let moto = Moto::start("us-west-2");
    let ids = moto.py(&["setup", "cluster1-logs", "example.com"]);
    let mut spec = with_moto_ids(common::example("cluster1"), &ids);
    // With a bucket the script creates (setup made cluster1-logs, which is left alone), and
    // alarms that notify a topic.
    spec["aws"]["access_logs"]["bucket"] = json!("cluster1-created-logs");
    spec["aws"]["access_logs"]["create_bucket"] = json!(true);
    spec["aws"]["access_logs"]["retention_days"] = json!(30);
    spec["aws"]["alarms"] = json!({"unhealthy_for": "10m",
        "sns_topic_arn": "arn:aws:sns:us-west-2:123456789012:impala-oncall"});
    let script = script_for_moto(&spec, &ids);
    let dir = TempDir::new("aws-cli-moto-classic");

    let run = moto.run_script(&dir, &script, None);
    let run = run.ok();
    for step in [
        "requesting an ACM certificate",
        "validation record",
        "waiting for ACM",
    ] {
        assert!(run.stderr.contains(step), "{step}: {}", run.stderr);
    }
    let state = moto.state(&spec);
    let c = &state["classic"];
    assert_eq!(c["count"], 1, "{state:#}");
    let lb = &c["balancer"];
    assert_eq!(lb["LoadBalancerName"], "elb-impala-cluster1");
    assert_eq!(lb["Scheme"], "internal");
    assert_eq!(lb["Subnets"], json!([ids["subnet_id"]]));

    // The certificate: requested once, validated through the zone, and on both listeners.
    let certs = state["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{certs:#?}");
    assert_eq!(certs[0]["status"], "ISSUED");
    assert_eq!(certs[0]["names"], json!(["impala.example.com"]));
    let cert = certs[0]["arn"].as_str().unwrap();
    assert!(
        state["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["Type"] == "CNAME"
                && r["Name"]
                    .as_str()
                    .unwrap()
                    .ends_with(".impala.example.com.")
                && r["ResourceRecords"][0]["Value"]
                    .as_str()
                    .unwrap()
                    .ends_with(".acm-validations.aws.")),
        "the validation record: {:#}",
        state["records"]
    );
    let mut listeners: Vec<(u64, u64, String, String, Value)> = lb["ListenerDescriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let l = &d["Listener"];
            (
                l["LoadBalancerPort"].as_u64().unwrap(),
                l["InstancePort"].as_u64().unwrap(),
                l["Protocol"].as_str().unwrap().to_string(),
                l["SSLCertificateId"].as_str().unwrap_or("").to_string(),
                d["PolicyNames"].clone(),
            )
        })
        .collect();
    listeners.sort_by_key(|l| l.0);
    let policy = json!(["ImpalaTLSNegotiationPolicy"]);
    assert_eq!(
        listeners,
        vec![
            (21000, 21000, "SSL".into(), cert.into(), policy.clone()),
            (21050, 21050, "SSL".into(), cert.into(), policy.clone()),
        ]
    );
    assert_eq!(
        c["policies"],
        json!([{"PolicyName": "ImpalaTLSNegotiationPolicy",
                "PolicyTypeName": "SSLNegotiationPolicyType",
                "PolicyAttributeDescriptions": [{"AttributeName": "Reference-Security-Policy",
                                                 "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}]}])
    );
    assert_eq!(
        lb["HealthCheck"],
        json!({"Target": "TCP:21000", "Interval": 30, "Timeout": 5,
               "HealthyThreshold": 5, "UnhealthyThreshold": 2})
    );
    let attributes = &c["attributes"];
    assert_eq!(
        attributes["ConnectionSettings"],
        json!({"IdleTimeout": 3600})
    );
    assert_eq!(
        attributes["AccessLog"],
        json!({"Enabled": true, "S3BucketName": "cluster1-created-logs",
               "S3BucketPrefix": "cluster1-impala", "EmitInterval": 60})
    );
    check_created_bucket(
        &state,
        "cluster1-created-logs",
        "us-west-2",
        Some(30),
        // The regional ELB account of us-west-2 writes a Classic ELB's logs.
        &[json!({
            "Sid": "ELBAccessLogsWrite",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::797873946194:root"},
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::cluster1-created-logs/cluster1-impala/AWSLogs/123456789012/*"],
        })],
    );
    assert!(
        state["buckets"]["cluster1-logs"]["policy"].is_null(),
        "an existing bucket is left alone"
    );
    let topic = json!(["arn:aws:sns:us-west-2:123456789012:impala-oncall"]);
    let classic_dims = json!([{"Name": "LoadBalancerName", "Value": "elb-impala-cluster1"}]);
    check_alarm(
        &state,
        "elb-impala-cluster1-unhealthy-daemon",
        (
            "AWS/ELB",
            "UnHealthyHostCount",
            "Minimum",
            "GreaterThanOrEqualToThreshold",
        ),
        (1.0, 10),
        &classic_dims,
        &topic,
    );
    check_alarm(
        &state,
        "elb-impala-cluster1-healthy-daemons-low",
        (
            "AWS/ELB",
            "HealthyHostCount",
            "Maximum",
            "LessThanThreshold",
        ),
        (1.0, 1),
        &classic_dims,
        &topic,
    );
    assert_eq!(state["alarms"].as_object().unwrap().len(), 2);
    assert_eq!(
        attributes["CrossZoneLoadBalancing"],
        json!({"Enabled": true})
    );
    assert_eq!(
        attributes["ConnectionDraining"],
        json!({"Enabled": true, "Timeout": 300})
    );
    let registered: Vec<&Value> = lb["Instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["InstanceId"])
        .collect();
    let instances: Vec<&Value> = ids["instance_ids"].as_array().unwrap().iter().collect();
    assert_eq!(registered, instances);
    assert_eq!(
        c["tags"],
        json!([{"Key": "Name", "Value": "elb-impala-cluster1"}, {"Key": "env", "Value": "cluster1"}])
    );
    let (fe, _) = check_groups(&state, &spec, &ids);
    assert_eq!(lb["SecurityGroups"], json!([fe]));
    // moto's Classic ELB has no CanonicalHostedZoneNameID, so the script says it made no
    // alias record rather than write a broken one.
    assert!(
        run.stderr
            .contains("reports no hosted zone ID, so no alias record"),
        "{}",
        run.stderr
    );
    let dns = lb["DNSName"].as_str().unwrap();
    assert!(
        run.stdout
            .contains(&format!("Load balancer elb-impala-cluster1: {dns} ")),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("Impala hs2 clients connect to impala.example.com:21050"));

    // Again, with the credentials of a profile: it succeeds and changes nothing.
    let again = moto.run_script(&dir, &script, Some("e2e")).ok();
    assert!(!again.stderr.contains("creating"), "{}", again.stderr);
    assert!(!again.stderr.contains("requesting"), "{}", again.stderr);
    assert!(!again.stderr.contains("registering"), "{}", again.stderr);
    assert!(!again.stderr.contains("revoking"), "{}", again.stderr);
    assert_eq!(comparable(moto.state(&spec)), comparable(state.clone()));

    // drain.sh against the balancer the script built. The spec has an haproxy section too,
    // and this machine runs no HAProxy: without --via, drain.sh stops before it changes
    // anything; with --via aws it deregisters the daemon (named by its instance ID) and
    // registers it again (named by its host).
    let drain = generate_drain(&spec);
    let victim = ids["instance_ids"][1].as_str().unwrap();
    let host = spec["daemons"][1]["host"].as_str().unwrap();
    let refused = moto.run_bash(&dir, "drain.sh", &drain, &["drain", victim], None);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(refused
        .stderr
        .contains("--via aws acts on the AWS balancer alone"));
    assert_eq!(comparable(moto.state(&spec)), comparable(state.clone()));
    let drained = moto
        .run_bash(
            &dir,
            "drain.sh",
            &drain,
            &["--via", "aws", "drain", victim],
            None,
        )
        .ok();
    assert!(
        drained.stderr.contains(&format!(
            "aws: deregistered {victim} ({host}) from elb-impala-cluster1"
        )),
        "{}",
        drained.stderr
    );
    assert!(drained
        .stderr
        .contains(&format!("{host} is out of rotation")));
    let out = moto.state(&spec);
    assert_eq!(
        out["classic"]["balancer"]["Instances"],
        json!([{"InstanceId": ids["instance_ids"][0]}])
    );
    let status = moto
        .run_bash(
            &dir,
            "drain.sh",
            &drain,
            &["--via", "aws", "status"],
            Some("e2e"),
        )
        .ok();
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", status.stdout);
    assert!(
        lines[0].ends_with(" InService") && lines[0].contains(" aws "),
        "{lines:?}"
    );
    // AWS reports an instance no longer registered as OutOfService; moto as Unknown.
    assert!(
        lines[1].starts_with(host) && lines[1].ends_with(" Unknown"),
        "{lines:?}"
    );
    let enabled = moto
        .run_bash(
            &dir,
            "drain.sh",
            &drain,
            &["--via", "aws", "enable", host],
            None,
        )
        .ok();
    assert!(
        enabled
            .stderr
            .contains(&format!("aws: {victim} ({host}) is InService")),
        "{}",
        enabled.stderr
    );
    assert_eq!(comparable(moto.state(&spec)), comparable(state.clone()));

    // The spec loses hs2 and the second daemon, and its certificate gains a name: the script
    // converges to it. (In TLS bridge mode, SSL to SSL, moto's listener reports the protocols
    // the script asked for, so the listener keeps and only gets the new certificate.)
    let mut smaller = spec.clone();
    smaller["services"].as_object_mut().unwrap().remove("hs2");
    smaller["daemons"].as_array_mut().unwrap().truncate(1);
    // No alarms and no expiry any more: the script removes both.
    smaller["aws"].as_object_mut().unwrap().remove("alarms");
    smaller["aws"]["access_logs"]
        .as_object_mut()
        .unwrap()
        .remove("retention_days");
    smaller["tls"]["mode"] = json!("bridge");
    smaller["tls"]["subject_alternative_names"] = json!(["impala-new.example.com"]);
    let script = script_for_moto(&smaller, &ids);
    let bridge = moto.run_script(&dir, &script, None).ok();
    assert!(
        bridge.stderr.contains("deleting listener 21050"),
        "{}",
        bridge.stderr
    );
    let state = moto.state(&smaller);
    let certs = state["certificates"].as_array().unwrap();
    let new = certs
        .iter()
        .find(|c| c["names"] == json!(["impala-new.example.com", "impala.example.com"]))
        .unwrap_or_else(|| panic!("the new certificate: {certs:#?}"));
    assert_eq!(new["status"], "ISSUED");
    assert!(
        bridge.stderr.contains(&format!(
            "listener 21000: certificate {}",
            new["arn"].as_str().unwrap()
        )),
        "{}",
        bridge.stderr
    );
    let lb = &state["classic"]["balancer"];
    let listeners = lb["ListenerDescriptions"].as_array().unwrap();
    assert_eq!(listeners.len(), 1, "{listeners:#?}");
    assert_eq!(listeners[0]["Listener"]["LoadBalancerPort"], 21000);
    assert_eq!(listeners[0]["Listener"]["SSLCertificateId"], new["arn"]);
    assert_eq!(listeners[0]["PolicyNames"], policy);
    assert_eq!(
        lb["Instances"],
        json!([{"InstanceId": ids["instance_ids"][0]}])
    );
    check_groups(&state, &smaller, &ids);
    assert_eq!(
        state["alarms"],
        json!({}),
        "alarms the spec dropped are deleted"
    );
    assert!(
        bridge
            .stderr
            .contains("deleting alarm elb-impala-cluster1-unhealthy-daemon"),
        "{}",
        bridge.stderr
    );
    assert!(
        state["buckets"]["cluster1-created-logs"]["lifecycle"].is_null(),
        "no expiry without retention_days: {:#}",
        state["buckets"]
    );
    drop(moto);
}

#[test]
#[ignore = "needs moto_server and awscli: run scripts/test"]
fn the_nlb_example_builds_in_moto_twice_and_converges() {
    let moto = Moto::start("eu-west-1");
    let ids = moto.py(&["setup", "bi-nlb-logs", "bi.example.com"]);
    let spec = with_moto_ids(common::example("nlb-tls"), &ids);
    let script = script_for_moto(&spec, &ids);
    let dir = TempDir::new("aws-cli-moto-nlb");

    let run = moto.run_script(&dir, &script, None).ok();
    for step in [
        "requesting an ACM certificate",
        "validation record",
        "waiting for ACM",
    ] {
        assert!(run.stderr.contains(step), "{step}: {}", run.stderr);
    }
    let state = moto.state(&spec);
    let n = &state["network"];
    assert_eq!(n["count"], 1, "{state:#}");
    let lb = &n["balancer"];
    assert_eq!(lb["LoadBalancerName"], "elb-impala-bi");
    assert_eq!(lb["Type"], "network");
    assert_eq!(lb["Scheme"], "internal");
    assert_eq!(lb["IpAddressType"], "dualstack");
    assert_eq!(lb["AvailabilityZones"][0]["SubnetId"], ids["subnet_id"]);
    let (fe, _) = check_groups(&state, &spec, &ids);
    assert_eq!(lb["SecurityGroups"], json!([fe]));
    let attributes: BTreeSet<(String, String)> = n["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["Key"].as_str().unwrap().to_string(),
                a["Value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (k, v) in [
        ("load_balancing.cross_zone.enabled", "true"),
        ("deletion_protection.enabled", "true"),
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", "bi-nlb-logs"),
        ("access_logs.s3.prefix", "impala"),
    ] {
        assert!(
            attributes.contains(&(k.to_string(), v.to_string())),
            "{k}={v}: {attributes:?}"
        );
    }

    let certs = state["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{certs:#?}");
    assert_eq!(certs[0]["status"], "ISSUED");
    assert_eq!(
        certs[0]["names"],
        json!(["hue-impala.bi.example.com", "impala.bi.example.com"])
    );
    let cert = certs[0]["arn"].as_str().unwrap();

    // A TLS listener per service, forwarding to its target group.
    let groups = n["target_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{groups:#?}");
    for (port, backend_port) in [(21050, 21050), (443, 28000)] {
        let tg_name = target_group_name("elb-impala-bi", "tcp", backend_port);
        let tg = groups
            .iter()
            .find(|g| g["TargetGroupName"] == tg_name)
            .unwrap_or_else(|| panic!("target group {tg_name}"));
        assert_eq!(tg["Protocol"], "TCP");
        assert_eq!(tg["Port"], backend_port);
        assert_eq!(tg["VpcId"], ids["vpc_id"]);
        assert_eq!(tg["TargetType"], "instance");
        assert_eq!(tg["HealthCheckProtocol"], "HTTP");
        assert_eq!(tg["HealthCheckPort"], "25040");
        assert_eq!(tg["HealthCheckPath"], "/healthz");
        assert_eq!(tg["HealthCheckIntervalSeconds"], 10);
        assert_eq!(tg["HealthCheckTimeoutSeconds"], 6);
        assert_eq!(tg["HealthyThresholdCount"], 3);
        assert_eq!(tg["UnhealthyThresholdCount"], 3);
        assert_eq!(tg["Matcher"], json!({"HttpCode": "200"}));
        assert_eq!(tg["Targets"], ids["instance_ids"]);
        let attrs: Vec<(&str, &str)> = tg["Attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["Key"].as_str().unwrap(), a["Value"].as_str().unwrap()))
            .collect();
        // drain_timeout 15m; connections kept when deregistered or unhealthy; cross-zone and
        // client IPs explicit.
        for want in [
            ("deregistration_delay.timeout_seconds", "900"),
            (
                "deregistration_delay.connection_termination.enabled",
                "false",
            ),
            (
                "target_health_state.unhealthy.connection_termination.enabled",
                "false",
            ),
            (
                "target_health_state.unhealthy.draining_interval_seconds",
                "900",
            ),
            ("load_balancing.cross_zone.enabled", "true"),
            ("preserve_client_ip.enabled", "true"),
        ] {
            assert!(attrs.contains(&want), "{want:?} in {attrs:?}");
        }
        assert!(
            attrs.contains(&("stickiness.enabled", "false")),
            "no stickiness behind TLS listeners: {attrs:?}"
        );
        let l = n["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["Port"] == port)
            .unwrap_or_else(|| panic!("listener {port}"));
        assert_eq!(l["Protocol"], "TLS");
        assert_eq!(l["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert_eq!(l["Certificates"], json!([{"CertificateArn": cert}]));
        assert_eq!(
            l["DefaultActions"],
            json!([{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
        );
    }
    assert_eq!(n["listeners"].as_array().unwrap().len(), 2);

    // Alarms per target group, with the NLB's and the group's dimension values, notifying the
    // spec's topic.
    let topic = json!(["arn:aws:sns:eu-west-1:123456789012:bi-oncall"]);
    let lb_dimension = lb["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .split_once(":loadbalancer/")
        .unwrap()
        .1;
    // AWS names an NLB's ARN net/<name>/<id>; moto writes app/ for every kind.
    assert!(
        lb_dimension.starts_with("net/elb-impala-bi/")
            || lb_dimension.starts_with("app/elb-impala-bi/"),
        "{lb_dimension}"
    );
    for (slug, tg_name) in [
        ("hs2", "elb-impala-bi-dfd8be-tcp21050"),
        ("hs2-http", "elb-impala-bi-dfd8be-tcp28000"),
    ] {
        let tg = groups
            .iter()
            .find(|g| g["TargetGroupName"] == tg_name)
            .unwrap();
        let tg_dimension = tg["TargetGroupArn"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap();
        assert!(tg_dimension.starts_with(&format!("targetgroup/{tg_name}/")));
        let dims = json!([{"Name": "LoadBalancer", "Value": lb_dimension},
                          {"Name": "TargetGroup", "Value": tg_dimension}]);
        check_alarm(
            &state,
            &format!("elb-impala-bi-{slug}-unhealthy-daemon"),
            (
                "AWS/NetworkELB",
                "UnHealthyHostCount",
                "Minimum",
                "GreaterThanOrEqualToThreshold",
            ),
            (1.0, 5),
            &dims,
            &topic,
        );
        check_alarm(
            &state,
            &format!("elb-impala-bi-{slug}-healthy-daemons-low"),
            (
                "AWS/NetworkELB",
                "HealthyHostCount",
                "Maximum",
                "LessThanThreshold",
            ),
            (1.0, 1),
            &dims,
            &topic,
        );
    }
    assert_eq!(state["alarms"].as_object().unwrap().len(), 4);

    // The validation records for both names and the alias record, in the zone.
    let records = state["records"].as_array().unwrap();
    for name in ["impala.bi.example.com.", "hue-impala.bi.example.com."] {
        assert!(
            records.iter().any(|r| r["Type"] == "CNAME"
                && r["Name"].as_str().unwrap().ends_with(&format!(".{name}"))),
            "validation record for {name}: {records:#?}"
        );
    }
    let dns = lb["DNSName"].as_str().unwrap();
    // Dualstack: A and AAAA alias records.
    for record_type in ["A", "AAAA"] {
        assert!(
            records.iter().any(|r| r["Type"] == record_type
                && r["Name"].as_str().unwrap().trim_end_matches('.') == "impala.bi.example.com"
                && r["AliasTarget"]["DNSName"]
                    .as_str()
                    .is_some_and(|d| d.trim_end_matches('.') == dns)
                && r["AliasTarget"]["HostedZoneId"] == lb["CanonicalHostedZoneId"]),
            "the {record_type} alias record: {records:#?}"
        );
    }
    assert!(run
        .stdout
        .contains(&format!("Load balancer elb-impala-bi: {dns} ")));
    assert!(run
        .stdout
        .contains("Impala hs2_http clients connect to impala.bi.example.com:443"));

    // Again, with a profile: it succeeds and changes nothing.
    let again = moto.run_script(&dir, &script, Some("e2e")).ok();
    for word in [
        "creating",
        "requesting",
        "registering",
        "revoking",
        "listener",
    ] {
        assert!(!again.stderr.contains(word), "{word}: {}", again.stderr);
    }
    assert_eq!(comparable(moto.state(&spec)), comparable(state.clone()));

    // drain.sh takes a daemon out of both target groups and puts it back.
    let drain = generate_drain(&spec);
    let victim = ids["instance_ids"][0].as_str().unwrap();
    let host = spec["daemons"][0]["host"].as_str().unwrap();
    let drained = moto
        .run_bash(&dir, "drain.sh", &drain, &["drain", host], None)
        .ok();
    let tg_hs2 = target_group_name("elb-impala-bi", "tcp", 21050);
    let tg_hs2_http = target_group_name("elb-impala-bi", "tcp", 28000);
    for tg in [&tg_hs2, &tg_hs2_http] {
        assert!(
            drained
                .stderr
                .contains(&format!("aws: deregistered {victim} ({host}) from {tg}")),
            "{}",
            drained.stderr
        );
    }
    let out = moto.state(&spec);
    for tg in out["network"]["target_groups"].as_array().unwrap() {
        assert_eq!(tg["Targets"], json!([ids["instance_ids"][1]]), "{tg}");
    }
    let status = moto
        .run_bash(&dir, "drain.sh", &drain, &["status", victim], Some("e2e"))
        .ok();
    assert_eq!(
        status
            .stdout
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        vec![
            vec![host, "aws", tg_hs2.as_str(), "unused"],
            vec![host, "aws", tg_hs2_http.as_str(), "unused"],
        ]
    );
    let enabled = moto
        .run_bash(&dir, "drain.sh", &drain, &["enable", victim], None)
        .ok();
    assert!(
        enabled.stderr.contains(&format!(
            "aws: {victim} ({host}) is healthy in {tg_hs2} {tg_hs2_http}"
        )),
        "{}",
        enabled.stderr
    );
    let back = moto.state(&spec);
    for tg in back["network"]["target_groups"].as_array().unwrap() {
        let mut targets: Vec<&str> = tg["Targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        targets.sort_unstable();
        let mut want: Vec<&str> = ids["instance_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        want.sort_unstable();
        assert_eq!(targets, want, "{tg}");
    }

    // The spec drops TLS and IPv6: the listeners are changed to TCP in place (the same
    // listeners, so the ports keep serving), with the idle timeout; HiveServer2's target
    // groups become sticky; the balancer goes back to IPv4 only.
    let listener_arns: BTreeSet<String> = n["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ListenerArn"].as_str().unwrap().to_string())
        .collect();
    let mut plain = spec.clone();
    plain.as_object_mut().unwrap().remove("tls");
    plain["idle_timeout"] = json!("1h");
    plain["aws"]
        .as_object_mut()
        .unwrap()
        .remove("ip_address_type");
    plain["aws"]["client_cidrs"] = json!(["10.0.0.0/8", "172.16.0.0/12"]);
    // And its alarms want two healthy daemons and notify no one; the script creates its log
    // bucket now (no prefix), with the NLB's log-delivery policy.
    plain["aws"]["alarms"] = json!({"min_healthy": 2});
    plain["aws"]["access_logs"] = json!({"bucket": "bi-created-logs", "create_bucket": true});
    let script = script_for_moto(&plain, &ids);
    let third = moto.run_script(&dir, &script, None).ok();
    for change in [
        "changing listener 443 from TLS to TCP",
        "changing listener 21050 from TLS to TCP",
        "setting the IP address type of elb-impala-bi to ipv4 (from dualstack)",
    ] {
        assert!(third.stderr.contains(change), "{change}: {}", third.stderr);
    }
    assert!(
        !third.stderr.contains("listener TCP:"),
        "no listener is created: {}",
        third.stderr
    );
    let state = moto.state(&plain);
    let n = &state["network"];
    assert_eq!(n["balancer"]["IpAddressType"], "ipv4");
    let now: BTreeSet<String> = n["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ListenerArn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(now, listener_arns, "the same listeners, modified");
    for l in n["listeners"].as_array().unwrap() {
        assert_eq!(l["Protocol"], "TCP", "{l}");
        assert!(
            l["Attributes"]
                .as_array()
                .unwrap()
                .contains(&json!({"Key": "tcp.idle_timeout.seconds", "Value": "3600"})),
            "{l}"
        );
    }
    for tg in n["target_groups"].as_array().unwrap() {
        let attrs = tg["Attributes"].as_array().unwrap();
        assert!(
            attrs.contains(&json!({"Key": "stickiness.enabled", "Value": "true"})),
            "{tg}"
        );
        assert!(attrs.contains(&json!({"Key": "stickiness.type", "Value": "source_ip"})));
    }
    let alarms = state["alarms"].as_object().unwrap();
    assert_eq!(alarms.len(), 4);
    for (name, a) in alarms {
        assert!(
            a["AlarmActions"].as_array().is_none_or(|v| v.is_empty()),
            "{name}: {a}"
        );
        assert!(
            a["OKActions"].as_array().is_none_or(|v| v.is_empty()),
            "{name}: {a}"
        );
        if name.ends_with("-healthy-daemons-low") {
            assert_eq!(a["Threshold"], 2.0, "{name}");
        }
    }
    let source = json!({
        "StringEquals": {"aws:SourceAccount": ["123456789012"]},
        "ArnLike": {"aws:SourceArn": ["arn:aws:logs:eu-west-1:123456789012:*"]},
    });
    let mut write_condition = source.clone();
    write_condition["StringEquals"]["s3:x-amz-acl"] = json!(["bucket-owner-full-control"]);
    check_created_bucket(
        &state,
        "bi-created-logs",
        "eu-west-1",
        None,
        &[
            json!({
                "Sid": "AWSLogDeliveryAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["s3:GetBucketAcl"],
                "Resource": ["arn:aws:s3:::bi-created-logs"],
                "Condition": source,
            }),
            json!({
                "Sid": "AWSLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": ["arn:aws:s3:::bi-created-logs/AWSLogs/123456789012/*"],
                "Condition": write_condition,
            }),
        ],
    );
    drop(moto);
}

/// EC2 is eventually consistent: calls right after `create-security-group` may not find the
/// new group yet. The script's `ec2_call` makes such a call again (after 1, 2, 4 and 8
/// seconds) while it fails with a `*.NotFound` error, and no other. Shown with the script's own
/// helper functions and a stand-in `aws` that fails as EC2 does; the moto runs below use the
/// real AWS CLI.
#[test]
fn calls_after_creating_a_group_are_retried_while_ec2_does_not_find_it() {
    let script = generate_file(&common::repo().join("examples/cluster1.yaml"))
        .ok()
        .stdout;
    let start = script.find("# --- Helpers ---").unwrap();
    let end = script.find("\ncommand -v aws").unwrap();
    let helpers = &script[start..end];
    let run = |fails: u32, error: &str, call: &str| -> (i32, u32, String, String) {
        let dir = TempDir::new("aws-cli-retry");
        let program = format!(
            r#"set -euo pipefail
shopt -s inherit_errexit
OPTS=(--region us-west-2 --output text)
{helpers}
echo 0 >count
# The stand-in: fails FAILS times with ERROR, then succeeds; records each call.
aws() {{
  local n
  n=$(($(cat count) + 1))
  echo "$n" >count
  printf '%s\n' "$*" >>calls
  if ((n <= {fails})); then
    echo "An error occurred ({error}) when calling the operation: no" >&2
    return 254
  fi
}}
sleep() {{ printf '%s ' "$1" >>slept; }}
status=0
{call} || status=$?
printf '%s\n' "$status"
"#
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(&program)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let status: i32 = stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
        let count: u32 = std::fs::read_to_string(dir.join("count"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let slept = std::fs::read_to_string(dir.join("slept")).unwrap_or_default();
        (
            status,
            count,
            slept.trim().to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // Found on the third try: two waits, then success.
    let tag = "ec2_call create-tags --resources sg-1 --tags '[]'";
    let (status, calls, slept, stderr) = run(2, "InvalidGroup.NotFound", tag);
    assert_eq!((status, calls, slept.as_str()), (0, 3, "1 2"), "{stderr}");
    assert!(stderr.contains("EC2 does not find it yet (create-tags); trying again in 1s"));
    // Never found: five tries over 15 seconds, then the error.
    let (status, calls, slept, _) = run(99, "InvalidGroup.NotFound", tag);
    assert_eq!((status, calls, slept.as_str()), (1, 5, "1 2 4 8"));
    // Any other error is not waited out.
    let (status, calls, slept, _) = run(99, "UnauthorizedOperation", tag);
    assert_eq!((status, calls, slept.as_str()), (1, 1, ""));
    // A rule being authorized is retried too, and one that exists gets its description.
    let rule = r#"rule ingress sg-1 21050 CidrIp 10.0.0.0/8 '"d"'"#;
    let (status, calls, slept, _) = run(1, "InvalidGroup.NotFound", rule);
    assert_eq!((status, calls, slept.as_str()), (0, 2, "1"));
    let (status, calls, slept, _) = run(1, "InvalidPermission.Duplicate", rule);
    assert_eq!(
        (status, calls, slept.as_str()),
        (0, 2, ""),
        "updated, not retried"
    );
}

/// Two NLBs whose names share the first 30 characters, each with a daemon of its own. Before,
/// both named their target groups `impala-analytics-production-hs2`: the second balancer's
/// script took the first's groups over and deregistered its daemons. Now each keeps its own;
/// and a script that meets a group of its name attached to another balancer stops without
/// touching it.
#[test]
#[ignore = "needs moto_server and awscli: run scripts/test"]
fn balancers_with_alike_names_keep_their_own_target_groups_in_moto() {
    let moto = Moto::start("eu-central-1");
    let ids = moto.py(&["setup", "unused-logs", "prod.example.com"]);
    let base =
        common::spec_json(&common::repo().join("tests/fixtures/terraform/nlb-long-names.yaml"));
    let instances = ids["instance_ids"].as_array().unwrap();
    let balancer = |cluster: &str, name: &str, instance: &Value| {
        let mut spec = with_moto_ids(base.clone(), &ids);
        spec["cluster"] = json!(cluster);
        spec["aws"]["name"] = json!(name);
        spec["daemons"] = json!([{"host": "impalad.prod.example.com", "instance_id": instance}]);
        spec
    };
    let a = balancer("prod-a", "impala-analytics-production-lb1", &instances[0]);
    let b = balancer("prod-b", "impala-analytics-production-lb2", &instances[1]);
    let dir = TempDir::new("aws-cli-moto-names");
    moto.run_script(&dir, &script_for_moto(&a, &ids), None).ok();
    let script_b = script_for_moto(&b, &ids);
    moto.run_script(&dir, &script_b, None).ok();

    // Each balancer's listeners forward to groups of its own, with its own daemon only.
    let groups_of = |spec: &Value| -> Vec<Value> {
        let state = moto.state(spec);
        let n = &state["network"];
        let all = n["target_groups"].as_array().unwrap().clone();
        n["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let arn = &l["DefaultActions"][0]["TargetGroupArn"];
                all.iter()
                    .find(|g| g["TargetGroupArn"] == *arn)
                    .unwrap()
                    .clone()
            })
            .collect()
    };
    let (groups_a, groups_b) = (groups_of(&a), groups_of(&b));
    assert_eq!(groups_a.len(), 2);
    assert_eq!(groups_b.len(), 2);
    for g in &groups_a {
        assert_eq!(g["Targets"], json!([instances[0]]), "{g:#}");
        assert!(!groups_b
            .iter()
            .any(|h| h["TargetGroupArn"] == g["TargetGroupArn"]));
    }
    for g in &groups_b {
        assert_eq!(g["Targets"], json!([instances[1]]), "{g:#}");
    }

    // B's script meeting a group of its name that is A's: it stops, and A keeps its daemon.
    let name_a = groups_a[0]["TargetGroupName"].as_str().unwrap();
    let name_b = target_group_name(
        "impala-analytics-production-lb2",
        "tcp",
        groups_a[0]["Port"].as_u64().unwrap(),
    );
    assert_ne!(name_a, name_b);
    let taken = script_b.replace(&name_b, name_a);
    assert_ne!(taken, script_b);
    let run = moto.run_script(&dir, &taken, None).fails(1);
    assert!(
        run.stderr.contains(&format!(
            "target group {name_a} ({}) is attached to another load balancer",
            groups_a[0]["TargetGroupArn"].as_str().unwrap()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(groups_of(&a), groups_a, "A's groups are as they were");
    drop(moto);
}

/// A bucket the script created, as moto reports it: in `region`, encrypted with SSE-S3, no
/// public access, owner-enforced, tagged, with `statements` (the account filled in) and the
/// statement refusing plain HTTP, and an expiry after `retention` days.
#[track_caller]
fn check_created_bucket(
    state: &Value,
    bucket: &str,
    region: &str,
    retention: Option<u64>,
    statements: &[Value],
) {
    let b = &state["buckets"][bucket];
    assert!(b.is_object(), "bucket {bucket}: {:#}", state["buckets"]);
    assert_eq!(b["location"], json!(region));
    assert_eq!(
        b["encryption"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
    assert_eq!(
        b["public_access_block"],
        json!({"BlockPublicAcls": true, "IgnorePublicAcls": true,
               "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
    );
    assert_eq!(
        b["ownership"],
        json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    );
    assert!(
        b["tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"Key": "Name", "Value": bucket})),
        "{b}"
    );
    let mut want: Vec<Value> = statements.to_vec();
    want.push(json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
    }));
    assert_eq!(
        b["policy"],
        json!({"Version": "2012-10-17", "Statement": want}),
        "the policy of {bucket}"
    );
    match retention {
        Some(days) => {
            let rule = &b["lifecycle"][0];
            assert_eq!(rule["Status"], "Enabled", "{b}");
            assert_eq!(rule["Expiration"]["Days"], days, "{b}");
        }
        None => assert!(b["lifecycle"].is_null(), "{b}"),
    }
}

/// A metric alarm as moto reports it: `(namespace, metric, statistic, comparison)`,
/// `(threshold, evaluation periods)` of 60 s, its dimensions and its actions.
#[track_caller]
fn check_alarm(
    state: &Value,
    name: &str,
    what: (&str, &str, &str, &str),
    limit: (f64, u64),
    dimensions: &Value,
    actions: &Value,
) {
    let a = &state["alarms"][name];
    assert!(a.is_object(), "alarm {name}: {:#}", state["alarms"]);
    assert_eq!(a["Namespace"], what.0, "{name}");
    assert_eq!(a["MetricName"], what.1, "{name}");
    assert_eq!(a["Statistic"], what.2, "{name}");
    assert_eq!(a["ComparisonOperator"], what.3, "{name}");
    assert_eq!(a["Threshold"], limit.0, "{name}");
    assert_eq!(a["EvaluationPeriods"], limit.1, "{name}");
    assert_eq!(a["Period"], 60, "{name}");
    assert_eq!(a["Dimensions"], *dimensions, "{name}");
    assert_eq!(a["AlarmActions"], *actions, "{name}");
    assert_eq!(a["OKActions"], *actions, "{name}");
    assert!(a["AlarmDescription"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}
