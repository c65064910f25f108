//! `validate`: check the spec, or every spec of a fleet, and say so.

use super::Context;
use crate::error::Error;
use crate::fleet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("validate")?;
    if ctx.is_fleet() {
        return run_fleet(args, ctx);
    }
    let loaded = ctx.load(None)?;
    let name = &loaded.report.source.name;
    let warnings = loaded.report.warnings().count();
    let _ = writeln!(ctx.err, "{name}: {}", verdict(warnings));
    Ok(u8::from(args.deny_warnings && warnings > 0))
}

fn verdict(warnings: usize) -> String {
    match warnings {
        0 => "valid".to_string(),
        1 => "valid, with 1 warning".to_string(),
        n => format!("valid, with {n} warnings"),
    }
}

/// Every spec of the folder: each one's problems, then a line per spec and a summary.
fn run_fleet(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let fleet = fleet::load(ctx.config)?;
    let mut warned = false;
    for m in &fleet.members {
        match &m.outcome {
            Err(report) => {
                let _ = write!(ctx.err, "{}", report.render());
            }
            Ok(loaded) => {
                let warnings = loaded.report.warnings().count();
                if warnings > 0 {
                    warned = true;
                    let _ = write!(ctx.err, "{}", loaded.report.render());
                }
                let _ = writeln!(ctx.err, "{}: {}", m.path.display(), verdict(warnings));
            }
        }
    }
    let total = fleet.members.len();
    let invalid = fleet.invalid().count();
    if invalid > 0 {
        return Err(Error::Failed(format!(
            "{invalid} of {total} specs in {} {} invalid",
            ctx.config.display(),
            if invalid == 1 { "is" } else { "are" }
        )));
    }
    let _ = writeln!(
        ctx.err,
        "{}: {total} spec{} valid",
        ctx.config.display(),
        if total == 1 { "" } else { "s" }
    );
    Ok(u8::from(args.deny_warnings && warned))
}
