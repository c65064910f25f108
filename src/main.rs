//! Thin: parse the arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use impala_lbgen::{app, cli::Cli};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2 here
    let mut stderr = std::io::stderr();
    match app::run(cli, &mut stderr) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                impala_lbgen::Error::Invalid(report) => eprint!("{}", report.render()),
                other => {
                    eprintln!("error: {other}");
                    let mut source = std::error::Error::source(other);
                    while let Some(cause) = source {
                        eprintln!("  caused by: {cause}");
                        source = cause.source();
                    }
                }
            }
            ExitCode::from(e.exit_code())
        }
    }
}
