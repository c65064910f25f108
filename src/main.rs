//! Thin: parse the arguments, run, map the outcome to an exit code.

use std::io::Write;

use clap::Parser;
use impala_lbgen::{app, cli::Cli};

// A short run keeps almost all it allocates: see `allocator` for why it is bump-allocated.
#[global_allocator]
static ALLOCATOR: impala_lbgen::allocator::BumpFirst = impala_lbgen::allocator::BumpFirst;

fn main() {
    let code = run();
    exit_now(code)
}

fn run() -> u8 {
    let cli = Cli::parse(); // usage errors exit 2 here
    let mut stderr = std::io::stderr();
    match app::run(cli, &mut stderr) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => 0,
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
            e.exit_code()
        }
    }
}

/// Ends the process once standard output is flushed. Everything a command wrote is written
/// and renamed by then (`output`, `generate`); what is left of a normal exit is the allocator
/// collecting a heap the kernel is about to reclaim whole, which cost a 1,000-daemon run about
/// 0.2 ms. So on Unix this is `_exit`, which skips the C runtime's exit handlers.
fn exit_now(code: u8) -> ! {
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    {
        extern "C" {
            fn _exit(status: std::ffi::c_int) -> !;
        }
        // SAFETY: `_exit` is POSIX and takes any status; nothing after it runs.
        unsafe { _exit(code.into()) }
    }
    #[cfg(not(unix))]
    std::process::exit(code.into())
}
