//! The one error type the command line turns into a message and an exit code.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostics::Report;

#[derive(Debug)]
pub enum Error {
    /// The spec is invalid: every problem, located.
    Invalid(Box<Report>),
    /// Reading or writing a file failed.
    Io {
        action: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The command line asks for something impossible (exit 2).
    Usage(String),
    /// The command refused to do something harmful, such as overwrite a file.
    Refused(String),
    /// A generated file could not be rendered; a bug in impala-lbgen.
    Render {
        target: &'static str,
        message: String,
    },
    /// `check` found generated files that differ from the spec.
    Drift(String),
    /// A command over a fleet found problems, already reported one by one (invalid specs).
    Failed(String),
}

impl Error {
    pub fn io(action: &str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            action: action.to_string(),
            path: path.to_path_buf(),
            source,
        }
    }

    /// 0 ok, 1 invalid spec / drift / failure, 2 usage.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Writing to a closed pipe (`impala-lbgen ... | head`) is how a reader says "enough".
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(report) => write!(f, "{report}"),
            Error::Io { action, path, .. } => write!(f, "could not {action}: {}", path.display()),
            Error::Usage(m) | Error::Refused(m) | Error::Drift(m) | Error::Failed(m) => {
                f.write_str(m)
            }
            Error::Render { target, message } => {
                write!(f, "could not render the {target} output: {message} (this is a bug in impala-lbgen; please report it)")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Report> for Error {
    fn from(r: Report) -> Error {
        Error::Invalid(Box::new(r))
    }
}
