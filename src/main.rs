//! Thin: parse the arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use impala_lbgen::{cli::Cli, commands, Error};

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2 here
    let code = match commands::run(cli, &mut std::io::stderr()) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    };
    ExitCode::from(code)
}

/// Prints an error once, with its whole chain of causes.
fn report(e: &Error) {
    if let Error::Invalid(report) = e {
        eprint!("{}", report.render());
        return;
    }
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
