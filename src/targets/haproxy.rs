//! `impala-lbgen haproxy`: haproxy.cfg for HAProxy 2.4 or newer, after Impala's proxy
//! documentation: TCP mode, one `listen` per service, health checks with the spec's timings,
//! `option redispatch` so a connection to a daemon that just died goes to another one.
//!
//! Everything here is formatting: addresses as HAProxy writes them (`[v6]:port`), and which
//! words a line needs for the plan's TLS mode and health check. Every value goes through
//! [`crate::render::haproxy_word`], which refuses anything that could end a directive.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{Check, Plan};
use crate::render::{Format, Renderer};
use crate::spec::model::Balance;

pub const TEMPLATES: &[(&str, &str)] = &[(
    "haproxy.cfg",
    include_str!("../../templates/haproxy/haproxy.cfg.hbs"),
)];

/// The registry of the HAProxy templates.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new("haproxy", Format::Haproxy, TEMPLATES)
}

/// Renders haproxy.cfg for `plan`.
pub fn render(plan: &Plan) -> Result<String, Error> {
    render_with(&renderer()?, plan)
}

/// Renders haproxy.cfg for `plan` with a registry from [`renderer`].
pub fn render_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    renderer.render("haproxy.cfg", &View::new(plan))
}

#[derive(Serialize)]
struct View<'a> {
    cluster: &'a str,
    client_host: Option<&'a str>,
    maxconn: u32,
    idle_timeout: u64,
    check_timeout: u64,
    /// Clients speak TLS to HAProxy (offload, bridge).
    terminates: bool,
    /// HAProxy speaks TLS to impalad (bridge).
    reencrypts: bool,
    passthrough: bool,
    tls_mode: Option<&'static str>,
    certificate: &'a str,
    ca_file: &'a str,
    http_check: Option<&'a str>,
    listens: Vec<ListenView<'a>>,
    stats: Option<StatsView<'a>>,
    admin_socket: &'a str,
    resolvers: Option<ResolversView<'a>>,
    /// `on-marked-down shutdown-sessions`: close a daemon's sessions when it is marked DOWN.
    shutdown_sessions: bool,
    /// `haproxy.ha`: the nodes that run this same file and share the virtual IP.
    ha: Option<HaView<'a>>,
}

#[derive(Serialize)]
struct ResolversView<'a> {
    name: &'a str,
    /// `address:port` (IPv6 in brackets); none: `parse-resolv-conf`.
    nameservers: Vec<NameserverView<'a>>,
}

#[derive(Serialize)]
struct NameserverView<'a> {
    name: &'a str,
    address: String,
    port: u16,
}

#[derive(Serialize)]
struct HaView<'a> {
    vip: &'a str,
    nodes: Vec<&'a str>,
    /// HAProxy binds the virtual IP itself: the sysctl every node needs for that.
    nonlocal_bind: Option<&'static str>,
}

#[derive(Serialize)]
struct ListenView<'a> {
    name: &'static str,
    title: &'static str,
    /// `*`, an IPv4 address, or an IPv6 address in brackets.
    bind: String,
    port: u16,
    balance: &'static str,
    /// `balance source` with consistent hashing: when a daemon goes down, only its clients move.
    consistent: bool,
    inter: u64,
    fall: u32,
    rise: u32,
    /// Some daemons are backups: `option allbackups`, so the whole backup set takes over.
    backups: bool,
    servers: Vec<ServerView<'a>>,
}

#[derive(Serialize)]
struct ServerView<'a> {
    name: &'a str,
    /// A DNS name, an IPv4 address, or an IPv6 address in brackets.
    host: String,
    port: u16,
    /// The health check's port when it differs from the traffic port.
    check_port: Option<u16>,
    /// Bridge: the host name impalad's certificate must carry (DNS names only).
    verifyhost: Option<&'a str>,
    backup: bool,
}

#[derive(Serialize)]
struct StatsView<'a> {
    bind: String,
    port: u16,
    user: &'a str,
    password_env: &'a str,
}

/// A host as HAProxy writes it before `:port`: an IPv6 address in brackets. The port is
/// written by the template, so an empty host is refused by the escape like any other value.
fn host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

impl<'a> View<'a> {
    fn new(plan: &'a Plan) -> View<'a> {
        let tls = plan.tls.as_ref();
        let terminates = tls.is_some_and(|t| t.terminates());
        let reencrypts = tls.is_some_and(|t| t.reencrypts());
        let hc = &plan.health_check;
        let h = &plan.haproxy;
        let listens = h
            .listens
            .iter()
            .map(|l| ListenView {
                name: l.key,
                title: l.service.title(),
                bind: host(&h.bind),
                port: l.port,
                balance: l.balance.key(),
                consistent: l.balance == Balance::Source,
                inter: hc.interval,
                fall: hc.unhealthy_threshold,
                rise: hc.healthy_threshold,
                backups: plan.daemons.iter().any(|d| d.backup),
                servers: plan
                    .daemons
                    .iter()
                    .map(|d| {
                        // Validation for this target requires every daemon's host.
                        let name = d.host.as_deref().unwrap_or_default();
                        ServerView {
                            name: &d.name,
                            host: host(name),
                            port: l.backend_port,
                            check_port: (hc.port != l.backend_port).then_some(hc.port),
                            verifyhost: (reencrypts && d.resolves()).then_some(name),
                            backup: d.backup,
                        }
                    })
                    .collect(),
            })
            .collect();
        View {
            cluster: &plan.cluster,
            client_host: h.public_name.as_deref(),
            maxconn: h.maxconn,
            idle_timeout: plan.idle_timeout,
            check_timeout: hc.timeout,
            terminates,
            reencrypts,
            passthrough: tls.is_some_and(|t| !t.terminates()),
            tls_mode: tls.map(|t| t.mode.key()),
            certificate: &h.certificate,
            ca_file: &h.ca_file,
            http_check: match &hc.check {
                Check::Http { path } => Some(path),
                Check::Tcp { .. } => None,
            },
            listens,
            ha: h.ha.as_ref().map(|ha| HaView {
                vip: &ha.virtual_ip,
                nodes: ha.nodes.iter().map(|n| n.host.as_str()).collect(),
                nonlocal_bind: (h.bind.parse::<std::net::IpAddr>().ok()
                    == ha.virtual_ip.parse().ok())
                .then_some(if ha.ipv6 {
                    "net.ipv6.ip_nonlocal_bind"
                } else {
                    "net.ipv4.ip_nonlocal_bind"
                }),
            }),
            stats: h.stats.as_ref().map(|s| StatsView {
                bind: host(&s.address),
                port: s.port,
                user: &s.user,
                password_env: &s.password_env,
            }),
            admin_socket: &h.admin_socket,
            resolvers: h.resolvers.as_ref().map(|r| ResolversView {
                name: r.name,
                nameservers: r
                    .nameservers
                    .iter()
                    .map(|n| NameserverView {
                        name: &n.name,
                        address: host(&n.address),
                        port: n.port,
                    })
                    .collect(),
            }),
            shutdown_sessions: hc.unhealthy_connection_termination,
        }
    }
}
