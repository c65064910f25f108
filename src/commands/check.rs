//! `check`: the drift test: does a folder hold what `generate` would write? For a fleet, every
//! cluster's folder, and no folder of a cluster that no longer exists.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::Context;
use crate::error::Error;
use crate::fleet;
use crate::generate;
use crate::output;
use crate::targets::Renderers;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder `generate` wrote.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("check")?;
    let renderers = Renderers::default();
    if ctx.is_fleet() {
        return run_fleet(&args, ctx, &renderers);
    }
    let loaded = ctx.load(None)?;
    let files = generate::files(&loaded, &renderers)?;
    generate::check_command(&args.out_dir, &files, ctx.config)?;
    let _ = writeln!(
        ctx.err,
        "{}: up to date with {}",
        args.out_dir.display(),
        loaded.report.source.name
    );
    Ok(0)
}

/// Every valid spec's folder is compared and every invalid spec reported, in one run.
fn run_fleet(args: &Args, ctx: &mut Context, renderers: &Renderers) -> Result<u8, Error> {
    let fleet = fleet::load(ctx.config)?;
    let fix = format!(
        "run `impala-lbgen -c {} generate --out-dir {}`",
        ctx.config.display(),
        args.out_dir.display()
    );
    if !args.out_dir.is_dir() {
        for (_, report) in fleet.invalid() {
            let _ = write!(ctx.err, "{}", report.render());
        }
        return Err(Error::Drift(format!(
            "{} does not exist; {fix} to create it",
            args.out_dir.display()
        )));
    }
    let outputs = fleet::files(&fleet, renderers)?;
    let drift = fleet::check(&fleet, &args.out_dir, &outputs)?;
    if !drift.is_clean() {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        output::emit(None, drift.render(colour, ctx.config).as_bytes())?;
    }
    for (_, report) in fleet.invalid() {
        let _ = write!(ctx.err, "{}", report.render());
    }
    let invalid = fleet.invalid().count();
    let mut problems = Vec::new();
    if !drift.is_clean() {
        let n = drift.count();
        problems.push(format!(
            "{n} file{} or folder{} in {} differ{} from the fleet ({} cluster{}); {fix} and commit the result",
            if n == 1 { "" } else { "s" },
            if n == 1 { "" } else { "s" },
            args.out_dir.display(),
            if n == 1 { "s" } else { "" },
            drift.clusters.len(),
            if drift.clusters.len() == 1 { "" } else { "s" },
        ));
    }
    if invalid > 0 {
        problems.push(format!(
            "{invalid} spec{} in {} {} invalid, so {} not checked",
            if invalid == 1 { "" } else { "s" },
            ctx.config.display(),
            if invalid == 1 { "is" } else { "are" },
            if invalid == 1 {
                "its output was"
            } else {
                "their outputs were"
            },
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Drift(problems.join("; ")));
    }
    let _ = writeln!(
        ctx.err,
        "{}: up to date with the {} specs of {}",
        args.out_dir.display(),
        fleet.members.len(),
        ctx.config.display()
    );
    Ok(0)
}
