//! `terraform`: the AWS balancer as Terraform, one file or the module layout.

use std::path::PathBuf;

use super::Context;
use crate::error::Error;
use crate::output;
use crate::targets::terraform;
use crate::validate::Scope;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write versions.tf, main.tf and outputs.tf into DIR (created if missing).
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    out_dir: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    // clap sees the conflict only when -o follows the subcommand.
    if args.out_dir.is_some() && ctx.output.is_some() {
        return Err(Error::Usage(
            "--out-dir writes three files, so -o/--output does not apply".into(),
        ));
    }
    let plan = ctx.plan(Scope::aws_target("terraform"))?;
    let module = terraform::render(&plan)?;
    let Some(dir) = args.out_dir else {
        ctx.emit(module.single_file().as_bytes())?;
        return Ok(0);
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let mut names = Vec::new();
    for (name, text) in module.layout() {
        let path = dir.join(name);
        output::write_atomic(&path, text.as_bytes())?;
        names.push(path.display().to_string());
    }
    let _ = writeln!(ctx.err, "wrote {}", names.join(", "));
    Ok(0)
}
