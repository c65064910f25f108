//! `generate`: every output the spec supports, written into one folder; for a fleet, one
//! folder per cluster.

use std::path::PathBuf;

use super::Context;
use crate::error::Error;
use crate::fleet;
use crate::generate;
use crate::targets::Renderers;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write (created if missing); for a fleet, a folder per cluster in it.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("generate")?;
    let renderers = Renderers::default();
    if ctx.is_fleet() {
        let fleet = super::load_fleet(ctx)?;
        let outputs = fleet::files(&fleet, &renderers)?;
        for (dir, n) in fleet::write(&args.out_dir, &outputs)? {
            let _ = writeln!(ctx.err, "wrote {} ({n} files)", dir.display());
        }
        return Ok(0);
    }
    let loaded = ctx.load(None)?;
    let files = generate::files(&loaded, &renderers)?;
    for path in generate::write(&args.out_dir, &files)? {
        let _ = writeln!(ctx.err, "wrote {}", path.display());
    }
    Ok(0)
}
