//! `init`: write the commented starter spec.

use super::Context;
use crate::error::Error;
use crate::output;

/// The starter spec `init` writes.
pub const STARTER: &str = include_str!("../../templates/init/impala-lb.yaml");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("init")?;
    let path = ctx.config;
    if path.as_os_str() == "-" {
        return Err(Error::Usage(
            "init writes a file: name it with -c FILE, not -".into(),
        ));
    }
    if path.exists() && !args.force {
        return Err(Error::Refused(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        )));
    }
    output::write_atomic(path, STARTER.as_bytes())?;
    let _ = writeln!(
        ctx.err,
        "wrote {}: edit it, then run `impala-lbgen validate`",
        path.display()
    );
    Ok(0)
}
