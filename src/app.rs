//! Runs a parsed command line. `main` only maps the result to an exit code.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, Command, TemplateFormat};
use crate::error::Error;
use crate::output;
use crate::plan::Plan;
use crate::spec::{self, schema, Loaded};
use crate::targets;
use crate::validate::Scope;

/// The starter spec `init` writes.
pub const STARTER: &str = include_str!("../templates/init/impala-lb.yaml");

/// Runs `cli`; warnings and notes go to `err`. Returns the exit code for a run that did what
/// it was asked (0, or 1 for `validate --deny-warnings` with warnings).
pub fn run(cli: Cli, err: &mut dyn Write) -> Result<u8, Error> {
    match &cli.command {
        Command::Validate { deny_warnings } => {
            no_output(&cli, "validate")?;
            let loaded = load(&cli.config, None, err)?;
            let warnings = loaded.report.warnings().count();
            let _ = if warnings == 0 {
                writeln!(err, "{}: valid", loaded.report.source.name)
            } else {
                writeln!(
                    err,
                    "{}: valid, with {warnings} warning{}",
                    loaded.report.source.name,
                    if warnings == 1 { "" } else { "s" }
                )
            };
            Ok(if *deny_warnings && warnings > 0 { 1 } else { 0 })
        }
        Command::Init { force } => {
            no_output(&cli, "init")?;
            let path = &cli.config;
            if path.as_os_str() == "-" {
                return Err(Error::Usage(
                    "init writes a file: name it with -c FILE, not -".into(),
                ));
            }
            if path.exists() && !force {
                return Err(Error::Refused(format!(
                    "{} already exists; use --force to overwrite it",
                    path.display()
                )));
            }
            output::write_atomic(path, STARTER.as_bytes())?;
            let _ = writeln!(
                err,
                "wrote {}: edit it, then run `impala-lbgen validate`",
                path.display()
            );
            Ok(0)
        }
        Command::Haproxy => {
            let plan = plan(&cli.config, Scope::haproxy_target("haproxy"), err)?;
            let text = targets::haproxy::render(&plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            Ok(0)
        }
        Command::ImpalaConfig => {
            let loaded = load(&cli.config, None, err)?;
            let plan = Plan::new(&loaded.spec);
            let text = targets::impala_config::render(&plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            Ok(0)
        }
        Command::Schema => {
            output::emit(cli.output.as_deref(), schema::SCHEMA_TEXT.as_bytes())?;
            Ok(0)
        }
        Command::Cloudformation { format } => {
            let plan = plan(&cli.config, Scope::aws_target("cloudformation"), err)?;
            let text = match format {
                TemplateFormat::Yaml => targets::cloudformation::render(&plan)?,
                TemplateFormat::Json => targets::cloudformation::render_json(&plan)?,
            };
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            Ok(0)
        }
        Command::AwsCli => {
            let plan = plan(&cli.config, Scope::aws_target("aws-cli"), err)?;
            let text = targets::aws_cli::render(&plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "impala-lbgen", &mut buf);
            output::emit(cli.output.as_deref(), &buf)?;
            Ok(0)
        }
    }
}

fn no_output(cli: &Cli, command: &str) -> Result<(), Error> {
    match &cli.output {
        Some(_) => Err(Error::Usage(format!(
            "{command} writes no document, so -o/--output does not apply"
        ))),
        None => Ok(()),
    }
}

/// Reads and validates the spec at `path` for `scope`, printing its warnings to `err`.
pub fn load(path: &Path, scope: Option<Scope>, err: &mut dyn Write) -> Result<Loaded, Error> {
    let source = spec::read_source(path)?;
    let loaded = spec::load(source, scope)?;
    if loaded.report.warnings().next().is_some() {
        let _ = write!(err, "{}", loaded.report.render());
    }
    Ok(loaded)
}

/// Reads the spec at `path`, validates it for `scope` (a target's limits), and resolves it.
pub fn plan(path: &Path, scope: Scope, err: &mut dyn Write) -> Result<Plan, Error> {
    let loaded = load(path, Some(scope), err)?;
    Ok(Plan::new(&loaded.spec))
}
