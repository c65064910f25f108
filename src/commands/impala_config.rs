//! `impala-config`: what the rest of the cluster needs, as Markdown.

use super::Context;
use crate::error::Error;
use crate::plan::Plan;
use crate::targets::impala_config;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = Plan::new(&ctx.load(None)?.spec);
    ctx.emit(impala_config::render(&plan)?.as_bytes())?;
    Ok(0)
}
