//! The commands: one module each, holding its arguments and what it does. Adding a command is a
//! module here and a line in [`Command`] and in [`run`].

use std::io::Write;
use std::path::Path;

use clap::Subcommand;

use crate::cli::Cli;
use crate::error::Error;
use crate::fleet;
use crate::plan::Plan;
use crate::spec::{self, Loaded, DEFAULTS_FILE};
use crate::validate::Scope;

mod aws_cli;
mod check;
mod cloudformation;
mod completions;
mod diagram;
mod diff;
mod drain;
mod generate;
mod haproxy;
mod impala_config;
mod import;
mod init;
mod keepalived;
mod schema;
mod terraform;
mod validate;

pub use init::STARTER;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the spec: its shape, and the limits of each target it has a section for.
    Validate(validate::Args),
    /// Write a commented starter spec to the --config path (default ./impala-lb.yaml).
    Init(init::Args),
    /// Write haproxy.cfg (HAProxy 2.4 or newer) for the spec's daemons.
    Haproxy(haproxy::Args),
    /// Write keepalived.conf for one HAProxy node of haproxy.ha: the nodes share a virtual IP
    /// address (VRRP), which moves to another node when HAProxy stops.
    Keepalived(keepalived::Args),
    /// Print what the rest of the cluster needs: Cloudera Manager, impala-shell, JDBC, Hue and
    /// Kerberos settings for the balancer (Markdown).
    #[command(name = "impala-config")]
    ImpalaConfig(impala_config::Args),
    /// Write every output the spec supports into DIR (cloudformation.yaml, terraform/, aws-cli.sh,
    /// haproxy.cfg, keepalived/, drain.sh, impala-config.md), each file atomically.
    Generate(generate::Args),
    /// Compare DIR with what `generate` would write; exit 1 with a diff if anything differs.
    /// Writes nothing.
    Check(check::Args),
    /// Print the spec's JSON Schema (for editors and other tools).
    Schema(schema::Args),
    /// Print a CloudFormation template of the balancer (Classic ELB or NLB, security
    /// groups, certificate, DNS record), to deploy with `aws cloudformation deploy`.
    Cloudformation(cloudformation::Args),
    /// Write the balancer as Terraform for the AWS provider: one root-module file.
    ///
    /// The file goes to standard output or -o FILE; with --out-dir DIR, the usual module layout
    /// (versions.tf, main.tf, outputs.tf) goes into DIR instead.
    Terraform(terraform::Args),
    /// Print a bash script that builds the AWS balancer with the AWS CLI (security groups,
    /// certificate, Classic ELB or NLB, instances) and converges it when run again.
    #[command(name = "aws-cli")]
    AwsCli(aws_cli::Args),
    /// Print drain.sh, a bash script that takes one impalad out of rotation for maintenance
    /// (`drain`), puts it back (`enable`) and shows where each daemon stands (`status`), on
    /// each balancer the spec has.
    Drain(drain::Args),
    /// Print the topology (clients, balancer, security groups, daemons) as a Mermaid
    /// flowchart, or with --format dot as Graphviz DOT.
    Diagram(diagram::Args),
    /// Explain what changing a spec does to the live balancer: resources created, changed in
    /// place or REPLACED per target, and above all a balancer whose DNS name changes.
    ///
    /// OLD and NEW are files or git:REV:path. Markdown for a pull request, or --format json.
    Diff(diff::Args),
    /// Write a spec for a balancer that exists already: an AWS Classic ELB or NLB (read
    /// through the AWS CLI), or an HAProxy configuration.
    ///
    /// The spec goes to standard output or -o FILE. Whatever it cannot express is printed as a
    /// warning and written into the spec as a comment.
    Import(import::Args),
    /// Print a shell completion script.
    Completions(completions::Args),
}

/// Runs `cli`; warnings and notes go to `err`. Returns the exit code for a run that did what
/// it was asked (0, or 1 for `validate --deny-warnings` with warnings).
pub fn run(cli: Cli, err: &mut dyn Write) -> Result<u8, Error> {
    let ctx = &mut Context {
        config: &cli.config,
        output: cli.output.as_deref(),
        err,
    };
    match cli.command {
        Command::Validate(args) => validate::run(args, ctx),
        Command::Init(args) => init::run(args, ctx),
        Command::Haproxy(args) => haproxy::run(args, ctx),
        Command::Keepalived(args) => keepalived::run(args, ctx),
        Command::ImpalaConfig(args) => impala_config::run(args, ctx),
        Command::Generate(args) => generate::run(args, ctx),
        Command::Check(args) => check::run(args, ctx),
        Command::Schema(args) => schema::run(args, ctx),
        Command::Cloudformation(args) => cloudformation::run(args, ctx),
        Command::Terraform(args) => terraform::run(args, ctx),
        Command::AwsCli(args) => aws_cli::run(args, ctx),
        Command::Drain(args) => drain::run(args, ctx),
        Command::Diagram(args) => diagram::run(args, ctx),
        Command::Diff(args) => diff::run(args, ctx),
        Command::Import(args) => import::run(args, ctx),
        Command::Completions(args) => completions::run(args, ctx),
    }
}

/// Reads every spec of the fleet `-c` names; with an invalid spec, reports each one and fails
/// (for commands that write nothing unless every spec is valid).
fn load_fleet(ctx: &mut Context) -> Result<fleet::Fleet, Error> {
    let fleet = fleet::load(ctx.config)?;
    let invalid = fleet.invalid().count();
    for (_, report) in fleet.invalid() {
        let _ = write!(ctx.err, "{}", report.render());
    }
    for (_, loaded) in fleet.valid() {
        if loaded.report.warnings().next().is_some() {
            let _ = write!(ctx.err, "{}", loaded.report.render());
        }
    }
    if invalid > 0 {
        return Err(Error::Failed(format!(
            "{invalid} of {} specs in {} {} invalid; nothing was written",
            fleet.members.len(),
            ctx.config.display(),
            if invalid == 1 { "is" } else { "are" }
        )));
    }
    Ok(fleet)
}

/// What every command gets: the global options, and where warnings and notes go.
pub struct Context<'a> {
    /// `-c/--config`: the spec.
    pub config: &'a Path,
    /// `-o/--output`: where a command that writes one document writes it.
    pub output: Option<&'a Path>,
    pub err: &'a mut dyn Write,
}

impl Context<'_> {
    /// Whether `-c` names a folder of specs (a fleet).
    pub fn is_fleet(&self) -> bool {
        fleet::is_fleet(self.config)
    }

    /// Reads and validates the spec for `scope` (`None`: the limits of the sections it has),
    /// printing its warnings. A spec in a folder with a `_defaults.yaml` gets it merged under
    /// it, as in the fleet; a folder is refused (the command writes one spec's output).
    pub fn load(&mut self, scope: Option<Scope>) -> Result<Loaded, Error> {
        if self.is_fleet() {
            return Err(Error::Usage(format!(
                "{} is a folder of specs (a fleet); this command writes one spec's output: name one of its files with -c",
                self.config.display()
            )));
        }
        let source = spec::read_source(self.config)?;
        let defaults = if self.config.as_os_str() == "-" {
            None
        } else {
            if self.config.file_name().is_some_and(|n| n == DEFAULTS_FILE) {
                return Err(Error::Usage(format!(
                    "{} is merged under every spec of its folder and is no spec of its own: name its folder with -c to check the fleet",
                    self.config.display()
                )));
            }
            let dir = match self.config.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            fleet::read_defaults(dir)?
        };
        let loaded = spec::load_with(source, defaults.as_ref(), scope)?;
        if loaded.report.warnings().next().is_some() {
            let _ = write!(self.err, "{}", loaded.report.render());
        }
        Ok(loaded)
    }

    /// Reads the spec, validates it for one target's `scope`, and resolves it.
    pub fn plan(&mut self, scope: Scope) -> Result<Plan, Error> {
        Ok(Plan::new(&self.load(Some(scope))?.spec))
    }

    /// Writes the command's document to `-o FILE` (atomically) or standard output.
    pub fn emit(&self, bytes: &[u8]) -> Result<(), Error> {
        crate::output::emit(self.output, bytes)
    }

    /// Refuses `-o` for a command that writes no single document.
    pub fn no_output(&self, command: &str) -> Result<(), Error> {
        match self.output {
            Some(_) => Err(Error::Usage(format!(
                "{command} writes no document, so -o/--output does not apply"
            ))),
            None => Ok(()),
        }
    }
}
