//! `completions`: a shell completion script.

use clap::CommandFactory;

use super::Context;
use crate::cli::Cli;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "impala-lbgen", &mut buf);
    ctx.emit(&buf)?;
    Ok(0)
}
