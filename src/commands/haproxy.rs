//! `haproxy`: haproxy.cfg for the spec's daemons.

use super::Context;
use crate::error::Error;
use crate::targets::haproxy;
use crate::validate::Scope;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = ctx.plan(Scope::haproxy_target("haproxy"))?;
    ctx.emit(haproxy::render(&plan)?.as_bytes())?;
    Ok(0)
}
