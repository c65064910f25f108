//! `check`: the drift test: does a folder hold what `generate` would write?

use std::path::PathBuf;

use super::Context;
use crate::error::Error;
use crate::generate;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder `generate` wrote.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("check")?;
    let loaded = ctx.load(None)?;
    let files = generate::files(&loaded)?;
    generate::check_command(&args.out_dir, &files, ctx.config)?;
    let _ = writeln!(
        ctx.err,
        "{}: up to date with {}",
        args.out_dir.display(),
        loaded.report.source.name
    );
    Ok(0)
}
