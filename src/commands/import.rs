//! `import aws` and `import haproxy`: write a spec for a balancer that exists already.

use std::path::PathBuf;

use super::Context;
use crate::diagnostics::Source;
use crate::error::Error;
use crate::import::{self, Imported};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    from: From,
    /// Overwrite the -o file if it exists.
    #[arg(long, global = true)]
    force: bool,
}

#[derive(Debug, clap::Subcommand)]
enum From {
    /// Read an existing Classic ELB or NLB through the AWS CLI (or saved describe-* JSON) and
    /// write a spec that adopts it.
    ///
    /// Runs `aws elb|elbv2 describe-*`, `aws ec2 describe-instances`,
    /// `describe-security-groups` and `describe-security-group-rules` (read only), with the
    /// usual AWS environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, credentials.
    Aws(AwsArgs),
    /// Read an existing haproxy.cfg (the `listen` layout impala-lbgen writes, or `frontend` +
    /// `backend`) and write a spec that writes it again.
    Haproxy(HaproxyArgs),
}

#[derive(Debug, clap::Args)]
struct AwsArgs {
    /// The balancer's name (Classic ELB or NLB).
    #[arg(long, value_name = "LB_NAME")]
    name: String,
    /// The AWS region (default: the AWS CLI's, such as $AWS_REGION or the profile's).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The AWS CLI profile (default: $AWS_PROFILE, else the CLI's default).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Read saved `describe-*` JSON from DIR instead of calling AWS (see the README for the
    /// file names and the commands that write them).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The cluster's name (default: from the security groups' or the balancer's name).
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Write a spec that moves clients from this Classic ELB to a new NLB of this name
    /// (aws.migrate_from), sharing its security groups, instead of one that adopts it.
    #[arg(long, value_name = "NLB_NAME", requires_all = ["record", "record_zone"])]
    migrate_to: Option<String>,
    /// With --migrate-to: the DNS name clients use (the weighted records' name).
    #[arg(long, value_name = "HOST", requires = "migrate_to")]
    record: Option<String>,
    /// With --migrate-to: the Route 53 hosted zone (Z...) that holds --record.
    #[arg(long, value_name = "ZONE_ID", requires = "migrate_to")]
    record_zone: Option<String>,
}

#[derive(Debug, clap::Args)]
struct HaproxyArgs {
    /// The HAProxy configuration (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The cluster's name (default: from impala-lbgen's header comment, else `impala`).
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// The name clients use for the proxy (haproxy.public_name, and tls.domain with TLS).
    #[arg(long, value_name = "HOST")]
    public_name: Option<String>,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    if let Some(path) = ctx.output {
        if path.as_os_str() != "-" && path.exists() && !args.force {
            return Err(Error::Refused(format!(
                "{} already exists; use --force to overwrite it",
                path.display()
            )));
        }
    }
    let imported = match args.from {
        From::Haproxy(a) => {
            let source = crate::spec::read_source(&a.file)?;
            import::haproxy::import(
                &source.text,
                &import::haproxy::Options {
                    cluster: a.cluster,
                    public_name: a.public_name,
                    source_name: source.name,
                },
            )?
        }
        From::Aws(a) => import::aws::import(&import::aws::Options {
            name: a.name,
            region: a.region,
            profile: a.profile,
            from: a.from,
            cluster: a.cluster,
            migrate_to: a.migrate_to,
            record: a.record.zip(a.record_zone),
        })?,
    };
    finish(imported, ctx)
}

/// Prints the notes, writes the spec, and reads it back as `validate` would: an imported spec
/// that does not validate is still written (to be fixed by hand), and the run fails.
fn finish(imported: Imported, ctx: &mut Context) -> Result<u8, Error> {
    for n in &imported.notes {
        let at = if n.path.is_empty() {
            String::new()
        } else {
            format!(" ({})", n.path)
        };
        let _ = writeln!(ctx.err, "warning: import{at}: {}", n.message);
    }
    ctx.emit(imported.text.as_bytes())?;
    let name = ctx
        .output
        .filter(|p| p.as_os_str() != "-")
        .map_or("<imported spec>".to_string(), |p| p.display().to_string());
    let source = Source {
        name: name.clone(),
        text: imported.text,
    };
    match crate::spec::load(source, None) {
        Ok(loaded) => {
            if loaded.report.warnings().next().is_some() {
                let _ = write!(ctx.err, "{}", loaded.report.render());
            }
            let n = imported.notes.len();
            let _ = match n {
                0 => writeln!(ctx.err, "{name}: imported; valid"),
                1 => writeln!(
                    ctx.err,
                    "{name}: imported, with 1 note (a comment in the spec); valid"
                ),
                n => writeln!(
                    ctx.err,
                    "{name}: imported, with {n} notes (comments in the spec); valid"
                ),
            };
            Ok(0)
        }
        Err(report) => Err(Error::Invalid(Box::new(report))),
    }
}
