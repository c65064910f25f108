//! `impala-lbgen diagram`: a picture of the topology clients go through, as a Mermaid flowchart
//! (which GitHub renders in Markdown, and which impala-config.md embeds) or as Graphviz DOT:
//! the clients and the CIDR blocks they may come from, the balancer (kind, scheme, name,
//! listeners, where TLS ends) in its security group, and the daemons (ports, health check) in
//! theirs. The balancer drawn is the one clients use ([`Plan::frontend`]).
//!
//! Every text of the picture goes through the format's escape ([`crate::render::mermaid_text`],
//! [`crate::render::dot_text`]); node names are fixed identifiers chosen here.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{Check, Frontend, Plan};
use crate::render::{Format, Renderer};
use crate::spec::model::{LoadBalancerKind, TlsMode};

pub const MERMAID_TEMPLATES: &[(&str, &str)] = &[(
    "diagram.mmd",
    include_str!("../../templates/diagram/diagram.mmd.hbs"),
)];
pub const DOT_TEMPLATES: &[(&str, &str)] = &[(
    "diagram.dot",
    include_str!("../../templates/diagram/diagram.dot.hbs"),
)];

/// Daemons drawn one by one; beyond this many, one node stands for them all.
pub const MAX_DRAWN_DAEMONS: usize = 12;

pub fn mermaid_renderer() -> Result<Renderer, Error> {
    Renderer::new("diagram", Format::Mermaid, MERMAID_TEMPLATES)
}

pub fn dot_renderer() -> Result<Renderer, Error> {
    Renderer::new("diagram", Format::Dot, DOT_TEMPLATES)
}

/// The Mermaid flowchart of `plan`.
pub fn mermaid(plan: &Plan) -> Result<String, Error> {
    mermaid_with(&mermaid_renderer()?, plan)
}

/// [`mermaid`] with a registry from [`mermaid_renderer`].
pub fn mermaid_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    renderer.render("diagram.mmd", &View::new(plan))
}

/// The Graphviz DOT graph of `plan`.
pub fn dot(plan: &Plan) -> Result<String, Error> {
    dot_renderer()?.render("diagram.dot", &View::new(plan))
}

/// What the templates draw: each label as its lines.
#[derive(Debug, Serialize)]
pub struct View {
    pub clients: Vec<String>,
    pub frontend_group: Option<String>,
    pub balancer: Vec<String>,
    pub client_edge: Vec<String>,
    pub backend_group: Option<String>,
    pub daemons: Vec<DaemonNode>,
    pub backend_edge: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DaemonNode {
    /// A node identifier: `d1`, `d2`, ...
    pub id: String,
    pub lines: Vec<String>,
}

/// Where client TLS ends, in words.
fn tls_words(plan: &Plan, balancer: &str) -> Option<String> {
    let tls = plan.tls.as_ref()?;
    Some(match tls.mode {
        TlsMode::Offload => format!("TLS ends at the {balancer} (offload)"),
        TlsMode::Bridge => format!("TLS ends at the {balancer}, new TLS to impalad (bridge)"),
        TlsMode::Passthrough => "TLS passes through to impalad (passthrough)".to_string(),
    })
}

impl View {
    pub fn new(plan: &Plan) -> View {
        let hc = &plan.health_check;
        let health = match &hc.check {
            Check::Tcp { .. } => format!("health: TCP :{}", hc.port),
            Check::Http { path } => format!("health: HTTP GET :{}{path}", hc.port),
        };
        let health = format!("{health} every {}s, {}s timeout", hc.interval, hc.timeout);
        let host = plan.client_host().map(str::to_string);
        let ports: Vec<String> = plan
            .services
            .iter()
            .map(|s| format!(":{}", s.backend_port))
            .collect();
        let (clients, frontend_group, balancer, client_edge, backend_group, backend_protocol) =
            match (plan.frontend(), &plan.aws) {
                (Frontend::Aws, Some(aws)) => {
                    let kind = match aws.kind {
                        LoadBalancerKind::Classic => "Classic ELB",
                        LoadBalancerKind::Network => "Network Load Balancer",
                    };
                    let mut clients = vec!["Clients".to_string()];
                    clients.extend(aws.client_cidrs.iter().map(|c| c.block.clone()));
                    let mut balancer =
                        vec![format!("{kind} {}", aws.name), aws.scheme.key().to_string()];
                    balancer.extend(host.clone());
                    balancer.extend(tls_words(plan, "balancer"));
                    if aws.adopt.as_ref().is_some_and(|a| a.balancer) {
                        balancer.push("adopted: exists already".to_string());
                    }
                    if let Some(m) = &aws.migration {
                        balancer.push(format!(
                            "weighted DNS: {} here, {} on Classic ELB {} (of 100)",
                            m.nlb_weight, m.classic_weight, m.classic_name
                        ));
                    }
                    let edge = aws
                        .listeners
                        .iter()
                        .map(|l| {
                            let (p, _) = match aws.kind {
                                LoadBalancerKind::Classic => l.classic_protocols(),
                                LoadBalancerKind::Network => l.nlb_protocols(),
                            };
                            format!("{} :{} {p}", l.key, l.port)
                        })
                        .collect();
                    let backend = aws.listeners.first().map_or("TCP", |l| {
                        if l.backend_tls {
                            "TLS"
                        } else {
                            "TCP"
                        }
                    });
                    (
                        clients,
                        Some(format!("security group: {}", aws.frontend_group.name)),
                        balancer,
                        edge,
                        Some(format!("security group: {}", aws.backend_group.name)),
                        backend,
                    )
                }
                _ => {
                    let h = &plan.haproxy;
                    let terminates = plan.tls.as_ref().is_some_and(|t| t.terminates());
                    let clients = vec![
                        "Clients".to_string(),
                        format!("any host that reaches {}", h.bind),
                    ];
                    let mut balancer = vec![format!(
                        "HAProxy {}",
                        h.public_name
                            .as_deref()
                            .unwrap_or("(haproxy.public_name not set)")
                    )];
                    balancer.push(format!("bind {}", h.bind));
                    balancer.extend(tls_words(plan, "proxy"));
                    let edge = h
                        .listens
                        .iter()
                        .map(|l| {
                            format!(
                                "{} :{} {} ({})",
                                l.key,
                                l.port,
                                if terminates { "TLS" } else { "TCP" },
                                l.balance.key()
                            )
                        })
                        .collect();
                    let reencrypts = plan.tls.as_ref().is_some_and(|t| t.reencrypts());
                    (
                        clients,
                        None,
                        balancer,
                        edge,
                        None,
                        if reencrypts { "TLS" } else { "TCP" },
                    )
                }
            };
        let daemon_lines = |d: &crate::plan::Daemon| {
            let mut lines = vec![format!("impalad {}", d.name)];
            if let Some(id) = d.instance_id.as_ref().filter(|id| **id != d.name) {
                lines.push(id.clone());
            }
            if d.backup {
                lines.push("backup: only while no other is up".to_string());
            }
            lines
        };
        let daemons = if plan.daemons.len() <= MAX_DRAWN_DAEMONS {
            plan.daemons
                .iter()
                .map(|d| DaemonNode {
                    id: format!("d{}", d.number),
                    lines: daemon_lines(d),
                })
                .collect()
        } else {
            let first = &plan.daemons[0];
            let last = &plan.daemons[plan.daemons.len() - 1];
            vec![DaemonNode {
                id: "d1".to_string(),
                lines: vec![
                    format!("{} impalad coordinators", plan.daemons.len()),
                    format!("{} ... {}", first.name, last.name),
                ],
            }]
        };
        View {
            clients,
            frontend_group,
            balancer,
            client_edge,
            backend_group,
            daemons,
            backend_edge: vec![format!("{backend_protocol} {}", ports.join(", ")), health],
        }
    }
}
