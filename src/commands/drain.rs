//! `drain`: drain.sh, the maintenance script for the spec's balancers.

use super::Context;
use crate::error::Error;
use crate::plan::Plan;
use crate::targets::drain;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args, ctx: &mut Context) -> Result<u8, Error> {
    // The balancers of the spec's sections, checked with their limits: those `generate` writes.
    let loaded = ctx.load(None)?;
    ctx.emit(drain::render(&Plan::new(&loaded.spec))?.as_bytes())?;
    Ok(0)
}
