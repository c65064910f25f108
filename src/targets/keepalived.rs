//! `impala-lbgen keepalived`: keepalived.conf for one node of `haproxy.ha`, the HAProxy hosts
//! sharing a virtual IP address (VRRP version 3, unicast between the nodes, no
//! authentication). Every node gets its own file: its address, priority and peers differ.
//!
//! Everything here is formatting: the node's view of the plan's [`Ha`]. Every value goes
//! through [`crate::render::keepalived_word`], which refuses anything that could end a word.

use serde::Serialize;

use crate::error::Error;
use crate::plan::{
    Ha, HaNode, Plan, KEEPALIVED_CHECK, KEEPALIVED_CHECK_FALL, KEEPALIVED_CHECK_INTERVAL,
    KEEPALIVED_CHECK_RISE, VRRP_ADVERT_INTERVAL,
};
use crate::render::{Format, Renderer};
use crate::targets::Renderers;

const TARGET: &str = "keepalived";

pub const TEMPLATES: &[(&str, &str)] = &[(
    "keepalived.conf",
    include_str!("../../templates/keepalived/keepalived.conf.hbs"),
)];

/// The registry of the keepalived template.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new(TARGET, Format::Keepalived, TEMPLATES)
}

/// keepalived.conf of `node`, one of the plan's `haproxy.ha` nodes.
pub fn render(plan: &Plan, node: &HaNode) -> Result<String, Error> {
    render_with(&renderer()?, plan, node)
}

/// [`render`] with a registry from [`renderer`].
pub fn render_with(renderer: &Renderer, plan: &Plan, node: &HaNode) -> Result<String, Error> {
    let ha = plan.haproxy.ha.as_ref().ok_or_else(|| Error::Render {
        target: TARGET,
        message: "the plan has no haproxy.ha".into(),
    })?;
    renderer.render("keepalived.conf", &View::new(plan, ha, node))
}

/// Every node's file, as `(path, text)`: `keepalived/<host>.conf`.
pub fn render_all(renderers: &Renderers, plan: &Plan) -> Result<Vec<(String, String)>, Error> {
    let Some(ha) = &plan.haproxy.ha else {
        return Ok(Vec::new());
    };
    let renderer = renderers.keepalived()?;
    ha.nodes
        .iter()
        .map(|node| Ok((node.file.clone(), render_with(renderer, plan, node)?)))
        .collect()
}

#[derive(Serialize)]
struct View<'a> {
    cluster: &'a str,
    host: &'a str,
    address: &'a str,
    priority: u8,
    /// Every node's host, for the header.
    nodes: Vec<&'a str>,
    /// The other nodes' addresses.
    peers: Vec<&'a str>,
    instance: &'a str,
    interface: &'a str,
    vrid: u8,
    vip: &'a str,
    prefix: u8,
    client_host: &'a str,
    /// HAProxy binds the virtual IP itself (rather than `*`): the sysctl that lets it do so on
    /// a node that does not hold the address.
    nonlocal_bind: Option<&'static str>,
    check: &'static str,
    interval: u64,
    timeout: u64,
    fall: u32,
    rise: u32,
    advert_int: u64,
}

impl<'a> View<'a> {
    fn new(plan: &'a Plan, ha: &'a Ha, node: &'a HaNode) -> View<'a> {
        View {
            cluster: &plan.cluster,
            host: &node.host,
            address: &node.address,
            priority: node.priority,
            nodes: ha.nodes.iter().map(|n| n.host.as_str()).collect(),
            peers: ha
                .nodes
                .iter()
                .filter(|n| n.host != node.host)
                .map(|n| n.address.as_str())
                .collect(),
            instance: &ha.instance,
            interface: &ha.interface,
            vrid: ha.virtual_router_id,
            vip: &ha.virtual_ip,
            prefix: ha.prefix,
            client_host: plan.client_host().unwrap_or(&ha.virtual_ip),
            nonlocal_bind: (plan.haproxy.bind.parse::<std::net::IpAddr>().ok()
                == ha.virtual_ip.parse().ok())
            .then_some(if ha.ipv6 {
                "net.ipv6.ip_nonlocal_bind"
            } else {
                "net.ipv4.ip_nonlocal_bind"
            }),
            check: KEEPALIVED_CHECK,
            interval: KEEPALIVED_CHECK_INTERVAL,
            // A check that does not answer within two intervals has failed.
            timeout: 2 * KEEPALIVED_CHECK_INTERVAL,
            fall: KEEPALIVED_CHECK_FALL,
            rise: KEEPALIVED_CHECK_RISE,
            advert_int: VRRP_ADVERT_INTERVAL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_load() {
        renderer().unwrap();
    }
}
