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
use crate::plan::{Frontend, Plan};
use crate::render::{Format, Renderer};
use crate::spec::model::{Balance, LoadBalancerKind, ServiceKind, TlsMode};
use crate::targets::diagram;

pub const TEMPLATES: &[(&str, &str)] = &[(
    "impala-config.md",
    include_str!("../../templates/impala-config/impala-config.md.hbs"),
)];

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
    /// Whether the balancer keeps Hue on one impalad, in words.
    hue_sticky: String,
    idle_timeout: u64,
    kerberos: Option<KerberosView>,
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
}

#[derive(Serialize)]
struct DaemonFlags {
    host: String,
    be_principal: String,
}

impl View {
    fn new(plan: &Plan) -> View {
        let frontend = plan.frontend();
        let (host, host_source) = match (plan.client_host(), frontend) {
            (Some(h), _) if plan.tls.as_ref().and_then(|t| t.domain.as_deref()) == Some(h) => {
                (h.to_string(), "tls.domain")
            }
            (Some(h), _) => (h.to_string(), "haproxy.public_name"),
            (None, Frontend::Aws) => (ELB_PLACEHOLDER.to_string(), "placeholder"),
            (None, Frontend::Haproxy) => (HAPROXY_PLACEHOLDER.to_string(), "placeholder"),
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
                address: format!("{host}:{p}"),
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
                        "impala-shell -i {host}:{p} --protocol={}{shell_flags}",
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
                    let mut c = format!("impala-shell -i {daemon}:{p} --protocol={}", protocol(*k));
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
            let mut hive = format!("jdbc:hive2://{host}:{p}/default{transport}");
            let mut impala = format!("jdbc:impala://{host}:{p}/default{transport}");
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

        View {
            diagram: String::new(),
            cluster: plan.cluster.clone(),
            hue_sticky,
            balancer,
            host: host.clone(),
            host_source,
            elb_placeholder,
            haproxy_placeholder: host == HAPROXY_PLACEHOLDER,
            endpoints,
            cloudera_manager: format!("{host}:{cm_port}"),
            shell,
            shell_direct,
            runbook,
            tls,
            passthrough: plan
                .tls
                .as_ref()
                .is_some_and(|t| t.mode == TlsMode::Passthrough),
            jdbc_hive,
            jdbc_impala,
            hue: port(ServiceKind::Hs2).map(|p| Hue {
                host: host.clone(),
                port: p,
            }),
            idle_timeout: plan.idle_timeout,
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
            }),
        }
    }
}
