//! `keepalived`: keepalived.conf for one HAProxy node of `haproxy.ha`.

use super::Context;
use crate::error::Error;
use crate::targets::keepalived;
use crate::validate::Scope;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The node to configure: its host (or address) as haproxy.ha.nodes lists it.
    #[arg(long, value_name = "HOST")]
    node: String,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = ctx.plan(Scope::haproxy_target("keepalived"))?;
    let Some(ha) = plan.haproxy.ha.as_ref() else {
        return Err(Error::Render {
            target: "keepalived",
            message: "the validated spec has no haproxy.ha".into(),
        });
    };
    let node = ha.node(&args.node).ok_or_else(|| {
        let nodes: Vec<&str> = ha.nodes.iter().map(|n| n.host.as_str()).collect();
        Error::Usage(format!(
            "--node {} is not one of the nodes of haproxy.ha: {}",
            args.node,
            nodes.join(", ")
        ))
    })?;
    ctx.emit(keepalived::render(&plan, node)?.as_bytes())?;
    Ok(0)
}
