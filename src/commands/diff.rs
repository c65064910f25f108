//! `diff OLD NEW`: what changing a spec does to live infrastructure, offline.

use clap::ValueEnum;

use super::Context;
use crate::diff;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec before the change: a file, or git:REV:path (such as
    /// git:origin/main:impala-lb.yaml; the path from the repository's top, or ./path from here).
    old: String,
    /// The spec after the change: a file, or git:REV:path.
    new: String,
    /// Markdown (to paste into a pull request) or JSON (for bots).
    #[arg(long, value_enum, default_value = "markdown")]
    format: DiffFormat,
    /// Exit 1 when anything is replaced (the balancer or any resource); else exit 0.
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let old = diff::read(&args.old)?;
    let new = diff::read(&args.new)?;
    for side in [&old, &new] {
        if side.loaded.report.warnings().next().is_some() {
            let _ = write!(ctx.err, "{}", side.loaded.report.render());
        }
    }
    let d = diff::diff(&old, &new)?;
    let text = match args.format {
        DiffFormat::Markdown => diff::markdown(&d),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&d).map_err(|e| Error::Render {
                target: "diff",
                message: e.to_string(),
            })?;
            t.push('\n');
            t
        }
    };
    ctx.emit(text.as_bytes())?;
    Ok(u8::from(args.exit_code && d.replaces))
}
