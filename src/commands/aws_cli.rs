//! `aws-cli`: a bash script that builds the AWS balancer with the AWS CLI.

use super::Context;
use crate::error::Error;
use crate::targets::aws_cli;
use crate::validate::Scope;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = ctx.plan(Scope::aws_target("aws-cli"))?;
    ctx.emit(aws_cli::render(&plan)?.as_bytes())?;
    Ok(0)
}
