//! `impala-lbgen drain`: `drain.sh`, a bash script that takes one impalad out of rotation for
//! maintenance (`drain`), puts it back (`enable`) and shows where every daemon stands
//! (`status`), on each balancer the spec has: HAProxy through its admin socket, the AWS
//! balancer through the AWS CLI.
//!
//! The plan is turned into a [`View`] that only formats it: the daemons' names as the spec
//! writes them, HAProxy's server and listen names, the AWS balancer's name and target groups,
//! and the waits [`crate::plan::Drain`] decided. Every string goes into the script through
//! [`crate::render::shell_word`]; raw `{{{...}}}` is kept for numbers and for constants of this
//! module. The script puts no spec value into a JMESPath query or an HAProxy command other
//! than validated host names (DNS names or IP addresses, never `;` or a blank).

use serde::Serialize;

use crate::error::Error;
use crate::plan::{Frontend, Plan};
use crate::render::{Format, Renderer};
use crate::spec::model::LoadBalancerKind;

const TARGET: &str = "drain";

pub const TEMPLATES: &[(&str, &str)] = &[(
    "drain.sh",
    include_str!("../../templates/drain/drain.sh.hbs"),
)];

/// The registry of drain.sh's template.
pub fn renderer() -> Result<Renderer, Error> {
    Renderer::new(TARGET, Format::Shell, TEMPLATES)
}

/// Renders drain.sh for `plan`.
pub fn render(plan: &Plan) -> Result<String, Error> {
    render_with(&renderer()?, plan)
}

/// [`render`] with a registry from [`renderer`].
pub fn render_with(renderer: &Renderer, plan: &Plan) -> Result<String, Error> {
    renderer.render("drain.sh", &View::new(plan))
}

/// What the template prints. Strings are shell-quoted by the registry; numbers and the
/// `&'static str` constants chosen here may be printed raw.
#[derive(Debug, Serialize)]
pub struct View<'a> {
    pub cluster: &'a str,
    /// `aws`, `haproxy`: the balancers in front of the daemons, in the order drain.sh works.
    pub balancers: Vec<&'static str>,
    /// The balancers in words, for the script's header: only this module's constants, so
    /// printed raw.
    pub balancers_text: String,
    /// The spec has both an AWS balancer and HAProxy: `--via` chooses.
    pub both: bool,
    pub drain_timeout: u64,
    pub aws_wait: u64,
    pub enable_wait: u64,
    pub daemons: Vec<DaemonView<'a>>,
    /// The first daemon as the spec names it, for the usage examples.
    pub example: &'a str,
    pub aws: Option<AwsView<'a>>,
    pub haproxy: Option<HaproxyView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct DaemonView<'a> {
    /// The host, or `''`.
    pub host: &'a str,
    /// The instance ID, or `''`.
    pub instance_id: &'a str,
    /// HAProxy's server name for the daemon.
    pub server: &'a str,
}

#[derive(Debug, Serialize)]
pub struct AwsView<'a> {
    pub region: &'a str,
    pub name: &'a str,
    pub classic: bool,
    /// `Classic ELB` or `Network Load Balancer`.
    pub kind_text: &'static str,
    /// NLB: one target group per service.
    pub target_groups: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct HaproxyView<'a> {
    pub socket: &'a str,
    /// The `listen` sections, one per service.
    pub listens: Vec<&'static str>,
}

impl<'a> View<'a> {
    pub fn new(plan: &'a Plan) -> View<'a> {
        let balancers: Vec<&'static str> = plan
            .drain
            .balancers
            .iter()
            .map(|b| match b {
                Frontend::Aws => "aws",
                Frontend::Haproxy => "haproxy",
            })
            .collect();
        let aws = plan
            .aws
            .as_ref()
            .filter(|_| plan.drain.balancers.contains(&Frontend::Aws))
            .map(|a| AwsView {
                region: &a.region,
                name: &a.name,
                classic: a.kind == LoadBalancerKind::Classic,
                kind_text: match a.kind {
                    LoadBalancerKind::Classic => "Classic ELB",
                    LoadBalancerKind::Network => "Network Load Balancer",
                },
                target_groups: a
                    .listeners
                    .iter()
                    .map(|l| l.target_group_name.as_str())
                    .collect(),
            });
        let haproxy = plan
            .drain
            .balancers
            .contains(&Frontend::Haproxy)
            .then(|| HaproxyView {
                socket: &plan.haproxy.admin_socket,
                listens: plan.haproxy.listens.iter().map(|l| l.key).collect(),
            });
        let balancers_text = [
            aws.as_ref().map(|a| format!("the {}", a.kind_text)),
            haproxy.as_ref().map(|_| "HAProxy".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ");
        let daemons: Vec<DaemonView> = plan
            .daemons
            .iter()
            .map(|d| DaemonView {
                host: d.host.as_deref().unwrap_or_default(),
                instance_id: d.instance_id.as_deref().unwrap_or_default(),
                server: &d.name,
            })
            .collect();
        let example = plan
            .daemons
            .first()
            .map(|d| {
                d.host
                    .as_deref()
                    .or(d.instance_id.as_deref())
                    .unwrap_or(&d.name)
            })
            .unwrap_or_default();
        View {
            cluster: &plan.cluster,
            both: balancers.len() > 1,
            balancers,
            balancers_text,
            drain_timeout: plan.drain.timeout,
            aws_wait: plan.drain.aws_wait,
            enable_wait: plan.drain.enable_wait,
            daemons,
            example,
            aws,
            haproxy,
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
