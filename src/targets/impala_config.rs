//! `impala-lbgen impala-config`: what the rest of the cluster needs to use the balancer, as
//! Markdown: the Cloudera Manager setting, impala-shell commands, JDBC URLs for the Hive and
//! the Cloudera Impala drivers, a hue.ini snippet, and with Kerberos each impalad's flags and
//! the steps that merge the balancer's keytab with the host's.
//!
//! The balancer, its name and ports come from the plan ([`Plan::frontend`],
//! [`Plan::client_host`], [`Plan::client_ports`]); an AWS balancer without `tls.domain` is known
//! by a DNS name AWS gives it at creation, written as a marked placeholder with how to get it.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{self, Certificate, Check, Frontend, Plan, ACCOUNT_ID};
use crate::render::{Format, Renderer};
use crate::spec::model::{Balance, LoadBalancerKind, ServiceKind, TlsMode};
use crate::targets::diagram;

pub const TEMPLATES: &[(&str, &str)] = &[(
    "impala-config.md",
    include_str!("../../templates/impala-config/impala-config.md.hbs"),
)];

/// `host:port` as impala-shell and JDBC read it: an IPv6 address in brackets,
/// `[2001:db8::10]:21050`. (impala-shell, since IMPALA-13820, takes `2001:db8::10:21050`, with
/// more than one colon and no brackets, for a host without a port.)
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Stands for an AWS balancer's DNS name until it exists.
pub const ELB_PLACEHOLDER: &str = "<elb-dns-name>";
/// Stands for the proxy's host name when the spec does not name it.
pub const HAPROXY_PLACEHOLDER: &str = "<haproxy-host>";

/// The registry of the impala-config templates.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new("impala-config", Format::Markdown, TEMPLATES)
}

/// Renders the Markdown for `plan`.
pub fn render(plan: &Plan) -> Result<String, Error> {
    render_with(&renderer()?, &diagram::mermaid_renderer()?, plan)
}

/// Renders the Markdown for `plan` with a registry from [`renderer`] and one from
/// [`diagram::mermaid_renderer`] for the topology it embeds.
pub fn render_with(renderer: &Renderer, mermaid: &Renderer, plan: &Plan) -> Result<String, Error> {
    let mut view = View::new(plan);
    view.diagram = diagram::mermaid_with(mermaid, plan)?;
    renderer.render("impala-config.md", &view)
}

#[derive(Serialize)]
struct View {
    /// The Mermaid flowchart of the topology: the output of the Mermaid registry, whose escape
    /// wrote every value, so it is printed raw inside its code fence.
    diagram: String,
    cluster: String,
    balancer: String,
    host: String,
    host_source: &'static str,
    /// How to find the AWS balancer's DNS name, when it is a placeholder.
    elb_placeholder: Option<String>,
    haproxy_placeholder: bool,
    endpoints: Vec<Endpoint>,
    cloudera_manager: String,
    shell: Vec<String>,
    shell_direct: Option<String>,
    runbook: Runbook,
    tls: bool,
    passthrough: bool,
    jdbc_hive: Vec<String>,
    jdbc_impala: Vec<String>,
    hue: Option<Hue>,
    /// What Hue's `[[ssl]] cacerts` must hold, in words.
    hue_cacerts: String,
    /// Whether the balancer keeps Hue on one impalad, in words.
    hue_sticky: String,
    kerberos: Option<KerberosView>,
    access_logs: Option<LogsView>,
    /// CloudWatch alarms, as `(name, what sets it off)`.
    alarms: Vec<AlarmLine>,
    alarm_topic: Option<String>,
    haproxy_metrics: Option<HaproxyMetrics>,
    impalad_metrics: ImpaladMetrics,
    ha: Option<HaView>,
    /// The runbook of a migration from a Classic ELB (`aws.migrate_from`).
    migration: Option<MigrationView>,
}

/// What the migration runbook names: both balancers, the record pair, the commands.
#[derive(Serialize)]
struct MigrationView {
    classic: String,
    nlb: String,
    region: String,
    record: String,
    zone: String,
    nlb_weight: u8,
    classic_weight: u8,
    /// The weight to set next (10, 50, 100), unless it is 100 already.
    next_weight: Option<u8>,
    /// Commands (a line each) that swap the plain record of the name for a weighted handover
    /// record in one change.
    handover: Vec<String>,
    /// The command that deletes the handover record afterwards.
    handover_delete: Vec<String>,
    /// `describe-target-health` per target group.
    target_health: Vec<String>,
    /// impala-shell straight to the NLB's DNS name.
    shell_nlb: String,
    /// The CloudWatch alarms the spec sets on the NLB (`aws.alarms`).
    alarms: Vec<String>,
    idle_timeout: u64,
    kerberos: bool,
}

/// The rolling restart: drain.sh and impala-shell's `:shutdown()`, daemon by daemon.
#[derive(Serialize)]
struct Runbook {
    drain_timeout: u64,
    enable_wait: u64,
    /// The first daemon as drain.sh takes it (host, else instance ID), and the others.
    first: String,
    others: Vec<String>,
    /// impala-shell straight to `$DAEMON`, with `:shutdown()`.
    shutdown: String,
    /// Some daemon has no host: impala-shell needs its host name, which the spec lacks.
    missing_hosts: bool,
    /// Some daemon is named by an IPv6 address, which impala-shell takes in brackets.
    ipv6: bool,
    both: bool,
    haproxy: bool,
    aws: bool,
}

#[derive(Serialize)]
struct LogsView {
    bucket: String,
    /// Where the logs go: `s3://<bucket>/<prefix>/AWSLogs/<account-id>/`.
    location: String,
    /// `Classic ELB` or `NLB`.
    kind: &'static str,
    created: bool,
    retention_days: Option<u32>,
    /// The statements the balancer needs, as pretty JSON (a list) a line each, for an existing
    /// bucket.
    statements: Vec<String>,
    /// What the placeholder stands for.
    account_placeholder: &'static str,
}

#[derive(Serialize)]
struct AlarmLine {
    name: String,
    description: String,
}

#[derive(Serialize)]
struct HaproxyMetrics {
    job: String,
    user: String,
    password_env: String,
    /// `address:port` of each HAProxy's statistics listener, as Prometheus reaches it.
    targets: Vec<String>,
    /// The listener is on the loopback address: Prometheus must run on each HAProxy host.
    loopback: bool,
}

#[derive(Serialize)]
struct ImpaladMetrics {
    job: String,
    /// impalad's web server port (`--webserver_port`).
    port: u16,
    /// `host:port` of each daemon.
    targets: Vec<String>,
    /// Where the port comes from, in words.
    port_source: &'static str,
}

#[derive(Serialize)]
struct HaView {
    vip: String,
    prefix: u8,
    interface: String,
    virtual_router_id: u8,
    public_name: Option<String>,
    nodes: Vec<HaNodeView>,
    /// The sysctl every node needs because HAProxy binds the virtual IP itself.
    nonlocal_bind: Option<&'static str>,
    /// The node that starts as master.
    first: String,
    /// The nodes' addresses, space-separated, for firewall rules.
    addresses: String,
    /// The DNS record of the public name: `A` or `AAAA`.
    record: &'static str,
    /// `iptables` or `ip6tables`.
    iptables: &'static str,
}

#[derive(Serialize)]
struct HaNodeView {
    host: String,
    address: String,
    priority: u8,
    file: String,
}

/// The port of impalad's web server: the HTTP health check's when the spec has one (it checks
/// that server), else impalad's default `--webserver_port`.
const IMPALAD_WEBSERVER_PORT: u16 = 25000;

#[derive(Serialize)]
struct Endpoint {
    title: &'static str,
    address: String,
}

#[derive(Serialize)]
struct Hue {
    host: String,
    port: u16,
}

#[derive(Serialize)]
struct KerberosView {
    realm: String,
    principal: String,
    keytab: String,
    /// The file the balancer's principal is exported to.
    export: String,
    daemons: Vec<DaemonFlags>,
    /// Some daemon has no host in the spec: its principal is a placeholder.
    missing_hosts: bool,
    /// What the balancer's addresses reverse-resolve to, in words.
    reverse_names: &'static str,
}

#[derive(Serialize)]
struct DaemonFlags {
    host: String,
    be_principal: String,
}

impl View {
    fn new(plan: &Plan) -> View {
        let frontend = plan.frontend();
        let (host, host_source) = match (plan.client_host(), plan.client_host_field(), frontend) {
            (Some(h), Some(field), _) => (h.to_string(), field),
            (_, _, Frontend::Aws) => (ELB_PLACEHOLDER.to_string(), "placeholder"),
            (_, _, Frontend::Haproxy) => (HAPROXY_PLACEHOLDER.to_string(), "placeholder"),
        };
        let balancer = match (&plan.aws, frontend) {
            (Some(a), Frontend::Aws) => match a.kind {
                LoadBalancerKind::Classic => format!("the Classic ELB `{}`", a.name),
                LoadBalancerKind::Network => format!("the Network Load Balancer `{}`", a.name),
            },
            _ => "HAProxy".to_string(),
        };
        let elb_placeholder = match (&plan.aws, host.as_str()) {
            (Some(a), ELB_PLACEHOLDER) => Some(match a.kind {
                LoadBalancerKind::Classic => format!(
                    "aws elb describe-load-balancers --region {} --load-balancer-names {} --query 'LoadBalancerDescriptions[0].DNSName' --output text",
                    a.region, a.name
                ),
                LoadBalancerKind::Network => format!(
                    "aws elbv2 describe-load-balancers --region {} --names {} --query 'LoadBalancers[0].DNSName' --output text",
                    a.region, a.name
                ),
            }),
            _ => None,
        };

        let ports = plan.client_ports();
        let port = |k: ServiceKind| ports.iter().find(|(s, _)| *s == k).map(|(_, p)| *p);
        let tls = plan.tls.is_some();
        let kerberos = plan.kerberos.as_ref();
        let principal = kerberos.map(|k| format!("impala/{host}@{}", k.realm));

        let endpoints = ports
            .iter()
            .map(|(k, p)| Endpoint {
                title: k.title(),
                address: host_port(&host, *p),
            })
            .collect();
        let cm_port = plan.cloudera_manager_port();

        let shell_flags = {
            let mut f = String::new();
            if tls {
                f.push_str(" --ssl");
            }
            if kerberos.is_some() {
                f.push_str(" -k");
            }
            f
        };
        let protocol = |k: ServiceKind| match k {
            ServiceKind::Beeswax => "beeswax",
            ServiceKind::Hs2 => "hs2",
            ServiceKind::Hs2Http => "hs2-http",
        };
        // HiveServer2 first: impala-shell 4 uses it by default, and Beeswax is being retired.
        let order = [ServiceKind::Hs2, ServiceKind::Hs2Http, ServiceKind::Beeswax];
        let shell = order
            .iter()
            .filter_map(|k| {
                port(*k).map(|p| {
                    format!(
                        "impala-shell -i {} --protocol={}{shell_flags}",
                        host_port(&host, p),
                        protocol(*k)
                    )
                })
            })
            .collect();
        let backend = |k: ServiceKind| {
            plan.services
                .iter()
                .find(|s| s.kind == k)
                .map(|s| s.backend_port)
        };
        // To one impalad itself, on its own port: it speaks TLS only when it terminates TLS
        // itself (bridge, passthrough), and with Kerberos it holds the balancer's principal,
        // which `-b` names.
        let direct = |daemon: &str| {
            order.iter().find_map(|k| {
                backend(*k).map(|p| {
                    let mut c = format!(
                        "impala-shell -i {} --protocol={}",
                        host_port(daemon, p),
                        protocol(*k)
                    );
                    if plan
                        .tls
                        .as_ref()
                        .is_some_and(|t| t.mode != TlsMode::Offload)
                    {
                        c.push_str(" --ssl");
                    }
                    if kerberos.is_some() {
                        c.push_str(&format!(" -k -b {host}"));
                    }
                    c
                })
            })
        };
        let shell_direct = match (kerberos, plan.daemons.first()) {
            (Some(_), Some(d)) => direct(d.host.as_deref().unwrap_or(&d.name)),
            _ => None,
        };
        let drain_name = |d: &crate::plan::Daemon| d.host.clone().unwrap_or_else(|| d.name.clone());
        let missing_hosts = plan.daemons.iter().any(|d| d.host.is_none());
        let runbook = Runbook {
            drain_timeout: plan.drain.timeout,
            enable_wait: plan.drain.enable_wait,
            first: plan.daemons.first().map(drain_name).unwrap_or_default(),
            others: plan.daemons.iter().skip(1).map(drain_name).collect(),
            shutdown: format!(
                "{} -q ':shutdown()'",
                direct(if missing_hosts {
                    "<its host name>"
                } else {
                    "$DAEMON"
                })
                .unwrap_or_default()
            ),
            missing_hosts,
            ipv6: plan
                .daemons
                .iter()
                .any(|d| d.host.as_deref().is_some_and(|h| h.contains(':'))),
            both: plan.drain.balancers.len() > 1,
            haproxy: plan.drain.balancers.contains(&Frontend::Haproxy),
            aws: plan.drain.balancers.contains(&Frontend::Aws),
        };

        let mut jdbc_hive = Vec::new();
        let mut jdbc_impala = Vec::new();
        for (kind, http) in [(ServiceKind::Hs2, false), (ServiceKind::Hs2Http, true)] {
            let Some(p) = port(kind) else { continue };
            let transport = if http {
                ";transportMode=http;httpPath=cliservice"
            } else {
                ""
            };
            let address = host_port(&host, p);
            let mut hive = format!("jdbc:hive2://{address}/default{transport}");
            let mut impala = format!("jdbc:impala://{address}/default{transport}");
            match (kerberos, &principal) {
                (Some(k), Some(pr)) => {
                    hive.push_str(&format!(";principal={pr}"));
                    impala.push_str(&format!(
                        ";AuthMech=1;KrbRealm={};KrbHostFQDN={host};KrbServiceName=impala",
                        k.realm
                    ));
                }
                _ => {
                    if !http {
                        hive.push_str(";auth=noSasl");
                    }
                    impala.push_str(";AuthMech=0");
                }
            }
            if tls {
                hive.push_str(";ssl=true");
                impala.push_str(";SSL=1");
            }
            jdbc_hive.push(hive);
            jdbc_impala.push(impala);
        }

        let hue_sticky = match (&plan.aws, frontend) {
            (Some(a), Frontend::Aws) => match a.kind {
                LoadBalancerKind::Network if a.listeners.iter().any(|l| l.sticky) => "The Network Load Balancer keeps each client on one impalad (source-IP stickiness on the HiveServer2 target groups).".to_string(),
                LoadBalancerKind::Network => "An NLB keeps no sticky sessions on TLS listeners, so Hue's connections may reach different impalads: point Hue at one impalad, or use `tls.mode: passthrough` (impalad terminates TLS; the NLB then keeps source-IP stickiness).".to_string(),
                LoadBalancerKind::Classic => "A Classic ELB cannot keep a client on one impalad with TCP or SSL listeners: Hue may lose its sessions. Point Hue at one impalad, or use `load_balancer: network` (source-IP stickiness) or HAProxy (`balance source`).".to_string(),
            },
            _ => match plan.haproxy.listens.iter().find(|l| l.service == ServiceKind::Hs2) {
                Some(l) if l.balance == Balance::Source => "HAProxy keeps each client on one impalad (`balance source`).".to_string(),
                Some(l) => format!("HAProxy balances hs2 with `{}`, which can send Hue's connections to different impalads: use `source` (the default).", l.balance.key()),
                None => String::new(),
            },
        };

        let passthrough = plan
            .tls
            .as_ref()
            .is_some_and(|t| t.mode == TlsMode::Passthrough);
        let acm = frontend == Frontend::Aws
            && plan.tls.as_ref().is_some_and(|t| match &t.certificate {
                Certificate::Request { .. } => true,
                Certificate::Existing { arn } => arn.split(':').nth(2) == Some("acm"),
                Certificate::None => false,
            });
        let hue_cacerts = if passthrough {
            "PEM bundle of the CA that signed impalad's certificates (impalad terminates TLS)"
        } else if acm {
            "PEM bundle of Amazon's root CAs, which sign ACM certificates (the system bundle has them)"
        } else {
            "PEM bundle of the CA that signed the balancer's certificate"
        }
        .to_string();
        let access_logs = plan.aws.as_ref().and_then(|a| {
            a.access_logs.as_ref().map(|l| LogsView {
                bucket: l.bucket.clone(),
                location: format!(
                    "s3://{}/{}AWSLogs/{ACCOUNT_ID}/",
                    l.bucket,
                    l.prefix
                        .as_ref()
                        .map(|p| format!("{p}/"))
                        .unwrap_or_default()
                ),
                kind: match a.kind {
                    LoadBalancerKind::Classic => "Classic ELB",
                    LoadBalancerKind::Network => "NLB",
                },
                created: l.create_bucket,
                retention_days: l.retention_days,
                statements: serde_json::to_string_pretty(
                    &l.policy
                        .iter()
                        .map(plan::PolicyStatement::json)
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
                account_placeholder: ACCOUNT_ID,
            })
        });
        let alarms = plan
            .aws
            .iter()
            .flat_map(|a| &a.alarms)
            .flat_map(|a| &a.alarms)
            .map(|a| AlarmLine {
                name: a.name.clone(),
                description: a.description.clone(),
            })
            .collect();

        let h = &plan.haproxy;
        let haproxy_metrics = h.stats.as_ref().map(|st| {
            let loopback = st
                .address
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
            let bracket = |a: &str| {
                if a.contains(':') {
                    format!("[{a}]")
                } else {
                    a.to_string()
                }
            };
            let targets = match (&h.ha, st.address.as_str()) {
                (_, _) if loopback => vec![format!("{}:{}", bracket(&st.address), st.port)],
                (Some(ha), "*") => ha
                    .nodes
                    .iter()
                    .map(|n| format!("{}:{}", bracket(&n.address), st.port))
                    .collect(),
                (None, "*") => vec![format!(
                    "{}:{}",
                    h.public_name.as_deref().unwrap_or(HAPROXY_PLACEHOLDER),
                    st.port
                )],
                (_, addr) => vec![format!("{}:{}", bracket(addr), st.port)],
            };
            HaproxyMetrics {
                job: format!("haproxy-{}", plan.cluster),
                user: st.user.clone(),
                password_env: st.password_env.clone(),
                targets,
                loopback,
            }
        });
        let (metrics_port, port_source) = match (&plan.health_check.check, plan.health_check.port) {
            (Check::Http { .. }, p) => (p, "the HTTP health check's port"),
            (Check::Tcp { .. }, _) => (
                IMPALAD_WEBSERVER_PORT,
                "impalad's default `--webserver_port`",
            ),
        };
        let impalad_metrics = ImpaladMetrics {
            job: format!("impalad-{}", plan.cluster),
            port: metrics_port,
            port_source,
            targets: plan
                .daemons
                .iter()
                .map(|d| match &d.host {
                    Some(host) if host.contains(':') => format!("[{host}]:{metrics_port}"),
                    Some(host) => format!("{host}:{metrics_port}"),
                    None => format!("<host of {}>:{metrics_port}", d.name),
                })
                .collect(),
        };
        let ha = h.ha.as_ref().map(|ha| HaView {
            vip: ha.virtual_ip.clone(),
            prefix: ha.prefix,
            interface: ha.interface.clone(),
            virtual_router_id: ha.virtual_router_id,
            public_name: h.public_name.clone(),
            nodes: ha
                .nodes
                .iter()
                .map(|n| HaNodeView {
                    host: n.host.clone(),
                    address: n.address.clone(),
                    priority: n.priority,
                    file: n.file.clone(),
                })
                .collect(),
            nonlocal_bind: (h.bind.parse::<std::net::IpAddr>().ok() == ha.virtual_ip.parse().ok())
                .then_some(if ha.ipv6 {
                    "net.ipv6.ip_nonlocal_bind"
                } else {
                    "net.ipv4.ip_nonlocal_bind"
                }),
            first: ha
                .nodes
                .iter()
                .max_by_key(|n| n.priority)
                .map(|n| n.host.clone())
                .unwrap_or_default(),
            addresses: ha
                .nodes
                .iter()
                .map(|n| n.address.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            record: if ha.ipv6 { "AAAA" } else { "A" },
            iptables: if ha.ipv6 { "ip6tables" } else { "iptables" },
        });

        let migration = plan.aws.as_ref().and_then(|a| {
            let m = a.migration.as_ref()?;
            let record = format!("{}.", m.record_name.to_ascii_lowercase());
            let handover_record = format!(
                r#"{{\"Name\":\"{record}\",\"Type\":\"A\",\"SetIdentifier\":\"handover\",\"Weight\":100,\"AliasTarget\":{{\"HostedZoneId\":\"{}\",\"DNSName\":\"{}\",\"EvaluateTargetHealth\":false}}}}"#,
                m.classic_zone_id, m.classic_dns_name
            );
            let first = order.iter().find_map(|k| port(*k).map(|p| (*k, p)));
            Some(MigrationView {
                classic: m.classic_name.clone(),
                nlb: a.name.clone(),
                region: a.region.clone(),
                zone: m.record_zone_id.clone(),
                nlb_weight: m.nlb_weight,
                classic_weight: m.classic_weight,
                next_weight: [10u8, 50, 100].into_iter().find(|w| *w > m.nlb_weight),
                handover: vec![
                    format!("old=$(aws route53 list-resource-record-sets --hosted-zone-id {} --output json \\", m.record_zone_id),
                    format!("    --query \"ResourceRecordSets[?Name=='{record}' && SetIdentifier==null && (Type=='A' || Type=='CNAME')] | [0]\")"),
                    format!("aws route53 change-resource-record-sets --hosted-zone-id {} --change-batch \\", m.record_zone_id),
                    format!("  \"{{\\\"Changes\\\":[{{\\\"Action\\\":\\\"DELETE\\\",\\\"ResourceRecordSet\\\":$old}},{{\\\"Action\\\":\\\"CREATE\\\",\\\"ResourceRecordSet\\\":{handover_record}}}]}}\""),
                ],
                handover_delete: vec![
                    format!("aws route53 change-resource-record-sets --hosted-zone-id {} --change-batch \\", m.record_zone_id),
                    format!("  \"{{\\\"Changes\\\":[{{\\\"Action\\\":\\\"DELETE\\\",\\\"ResourceRecordSet\\\":{handover_record}}}]}}\""),
                ],
                target_health: a
                    .listeners
                    .iter()
                    .map(|l| {
                        format!(
                            "aws elbv2 describe-target-health --region {} --target-group-arn \"$(aws elbv2 describe-target-groups --region {} --names {} --query 'TargetGroups[0].TargetGroupArn' --output text)\"",
                            a.region, a.region, l.target_group_name
                        )
                    })
                    .collect(),
                shell_nlb: match first {
                    Some((k, p)) => format!(
                        "impala-shell -i <nlb-dns-name>:{p} --protocol={}{shell_flags}{}",
                        protocol(k),
                        if kerberos.is_some() { format!(" -b {}", m.record_name) } else { String::new() }
                    ),
                    None => String::new(),
                },
                record: m.record_name.clone(),
                idle_timeout: plan.idle_timeout,
                kerberos: kerberos.is_some(),
                alarms: a
                    .alarms
                    .iter()
                    .flat_map(|x| &x.alarms)
                    .map(|x| x.name.clone())
                    .collect(),
            })
        });

        View {
            diagram: String::new(),
            access_logs,
            alarms,
            alarm_topic: plan
                .aws
                .as_ref()
                .and_then(|a| a.alarms.as_ref())
                .and_then(|a| a.sns_topic_arn.clone()),
            haproxy_metrics,
            impalad_metrics,
            ha,
            cluster: plan.cluster.clone(),
            hue_sticky,
            migration,
            hue_cacerts,
            balancer,
            host: host.clone(),
            host_source,
            elb_placeholder,
            haproxy_placeholder: host == HAPROXY_PLACEHOLDER,
            endpoints,
            cloudera_manager: host_port(&host, cm_port),
            shell,
            shell_direct,
            runbook,
            tls,
            passthrough,
            jdbc_hive,
            jdbc_impala,
            hue: port(ServiceKind::Hs2).map(|p| Hue {
                host: host.clone(),
                port: p,
            }),
            kerberos: kerberos.map(|k| KerberosView {
                realm: k.realm.clone(),
                principal: principal.clone().unwrap_or_default(),
                keytab: k.keytab.clone(),
                export: format!("impala-lb-{}.keytab", plan.cluster),
                daemons: plan
                    .daemons
                    .iter()
                    .map(|d| {
                        let h = d
                            .host
                            .clone()
                            .unwrap_or_else(|| format!("<host name of {}>", d.name));
                        DaemonFlags {
                            be_principal: format!("impala/{h}@{}", k.realm),
                            host: h,
                        }
                    })
                    .collect(),
                missing_hosts: plan.daemons.iter().any(|d| d.host.is_none()),
                reverse_names: match frontend {
                    Frontend::Aws => "names of AWS's own (such as `ip-10-0-1-23.ec2.internal`)",
                    Frontend::Haproxy => "the proxy host's own name",
                },
            }),
        }
    }
}
