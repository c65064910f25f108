//! `validate`: check the spec and say so.

use super::Context;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("validate")?;
    let loaded = ctx.load(None)?;
    let name = &loaded.report.source.name;
    let _ = match loaded.report.warnings().count() {
        0 => writeln!(ctx.err, "{name}: valid"),
        1 => writeln!(ctx.err, "{name}: valid, with 1 warning"),
        n => writeln!(ctx.err, "{name}: valid, with {n} warnings"),
    };
    let warned = loaded.report.warnings().next().is_some();
    Ok(u8::from(args.deny_warnings && warned))
}
