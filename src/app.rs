//! Runs a parsed command line. `main` only maps the result to an exit code.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, Command, TemplateFormat};
use crate::error::Error;
use crate::generate;
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
            let (plan, renderer) = plan_then(
                &cli.config,
                Scope::haproxy_target("haproxy"),
                err,
                targets::haproxy::renderer,
            )?;
            let text = targets::haproxy::render_with(&renderer, &plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            exiting((plan, renderer, text));
            Ok(0)
        }
        Command::ImpalaConfig => {
            let loaded = load(&cli.config, None, err)?;
            let renderer = targets::impala_config::renderer()?;
            let plan = Plan::new(&loaded.spec);
            let text = targets::impala_config::render_with(&renderer, &plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            exiting((loaded, plan, renderer, text));
            Ok(0)
        }
        Command::Generate { out_dir } => {
            no_output(&cli, "generate")?;
            let loaded = load(&cli.config, None, err)?;
            let files = generate::files(&loaded)?;
            for path in generate::write(out_dir, &files)? {
                let _ = writeln!(err, "wrote {}", path.display());
            }
            exiting((loaded, files));
            Ok(0)
        }
        Command::Check { out_dir } => {
            no_output(&cli, "check")?;
            let loaded = load(&cli.config, None, err)?;
            let files = generate::files(&loaded)?;
            generate::check_command(out_dir, &files, &cli.config)?;
            let _ = writeln!(
                err,
                "{}: up to date with {}",
                out_dir.display(),
                loaded.report.source.name
            );
            Ok(0)
        }
        Command::Schema => {
            output::emit(cli.output.as_deref(), schema::SCHEMA_TEXT.as_bytes())?;
            Ok(0)
        }
        Command::Cloudformation { format } => {
            let (plan, renderer) = plan_then(
                &cli.config,
                Scope::aws_target("cloudformation"),
                err,
                targets::cloudformation::renderer,
            )?;
            let text = match format {
                TemplateFormat::Yaml => targets::cloudformation::render_with(&renderer, &plan)?,
                TemplateFormat::Json => {
                    targets::cloudformation::render_json_with(&renderer, &plan)?
                }
            };
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            exiting((plan, renderer, text));
            Ok(0)
        }
        Command::Terraform { out_dir } => {
            // clap sees the conflict only when -o follows the subcommand.
            if out_dir.is_some() && cli.output.is_some() {
                return Err(Error::Usage(
                    "--out-dir writes three files, so -o/--output does not apply".into(),
                ));
            }
            let (plan, renderer) = plan_then(
                &cli.config,
                Scope::aws_target("terraform"),
                err,
                targets::terraform::renderer,
            )?;
            let module = targets::terraform::render_with(&renderer, &plan)?;
            match out_dir {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
                    let mut names = Vec::new();
                    for (name, text) in module.layout() {
                        let path = dir.join(name);
                        output::write_atomic(&path, text.as_bytes())?;
                        names.push(path.display().to_string());
                    }
                    let _ = writeln!(err, "wrote {}", names.join(", "));
                }
                None => output::emit(cli.output.as_deref(), module.single_file().as_bytes())?,
            }
            exiting((plan, renderer, module));
            Ok(0)
        }
        Command::AwsCli => {
            let (plan, renderer) = plan_then(
                &cli.config,
                Scope::aws_target("aws-cli"),
                err,
                targets::aws_cli::renderer,
            )?;
            let text = targets::aws_cli::render_with(&renderer, &plan)?;
            output::emit(cli.output.as_deref(), text.as_bytes())?;
            exiting((plan, renderer, text));
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

/// Reads the spec at `path`, validates it for `scope` (a target's limits) and resolves it;
/// then `compile` builds the target's templates. One thread: a helper building the templates
/// while the spec was read cost more than it saved (its stack, its own allocator segment,
/// a zeroed huge page, and the kernel's work to start and end it), 0.5 ms slower for 1,000
/// daemons and 0.7 ms for 10, side by side. An invalid spec never pays for the templates.
pub fn plan_then<R>(
    path: &Path,
    scope: Scope,
    err: &mut dyn Write,
    compile: fn() -> Result<R, Error>,
) -> Result<(Plan, R), Error> {
    let loaded = load(path, Some(scope), err)?;
    let plan = Plan::new(&loaded.spec);
    exiting(loaded);
    Ok((plan, compile()?))
}

/// Hands back what a command built when the process is about to exit: freeing a large
/// cluster's tree, plan and output would take milliseconds and return memory the exit returns
/// anyway. Only for the command line; library callers drop as usual.
fn exiting<T>(built: T) {
    std::mem::forget(built);
}
