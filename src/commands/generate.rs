//! `generate`: every output the spec supports, written into one folder.

use std::path::PathBuf;

use super::Context;
use crate::error::Error;
use crate::generate;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.no_output("generate")?;
    let loaded = ctx.load(None)?;
    let files = generate::files(&loaded)?;
    for path in generate::write(&args.out_dir, &files)? {
        let _ = writeln!(ctx.err, "wrote {}", path.display());
    }
    Ok(0)
}
