//! The command line (clap definitions only; `app` runs them).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 ok, 1 invalid spec or failure, 2 usage error.

Examples:
  impala-lbgen init                      write a commented starter impala-lb.yaml
  impala-lbgen validate                  check ./impala-lb.yaml
  impala-lbgen cloudformation            print a CloudFormation template of the balancer
  impala-lbgen aws-cli > setup.sh        print a bash script that builds it with the AWS CLI
  impala-lbgen haproxy -o haproxy.cfg    write the HAProxy configuration
  impala-lbgen impala-config             print client and Impala settings for the balancer
  impala-lbgen -c examples/cluster1.yaml validate --deny-warnings
  impala-lbgen terraform > impala-lb.tf  the balancer as one Terraform file";

/// Generate an Apache Impala load balancer from one validated spec.
///
/// impala-lbgen reads a YAML spec of one cluster's balancer (the Impala services, the impalad
/// coordinators, health check, TLS, AWS or HAProxy settings), validates it against AWS and
/// HAProxy limits, and writes the infrastructure that builds it.
#[derive(Debug, Parser)]
#[command(name = "impala-lbgen", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// The spec to read; `-` reads standard input.
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        value_name = "FILE",
        env = "IMPALA_LBGEN_CONFIG",
        default_value = "impala-lb.yaml"
    )]
    pub config: PathBuf,

    /// Write the document to FILE (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the spec: its shape, and the limits of each target it has a section for.
    Validate {
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write a commented starter spec to the --config path (default ./impala-lb.yaml).
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Write haproxy.cfg (HAProxy 2.4 or newer) for the spec's daemons.
    Haproxy,
    /// Print what the rest of the cluster needs: Cloudera Manager, impala-shell, JDBC, Hue and
    /// Kerberos settings for the balancer (Markdown).
    #[command(name = "impala-config")]
    ImpalaConfig,
    /// Write every output the spec supports into DIR (cloudformation.yaml, terraform/, aws-cli.sh,
    /// haproxy.cfg, impala-config.md), each file atomically.
    Generate {
        /// The folder to write (created if missing).
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
    },
    /// Compare DIR with what `generate` would write; exit 1 with a diff if anything differs.
    /// Writes nothing.
    Check {
        /// The folder `generate` wrote.
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
    },
    /// Print the spec's JSON Schema (for editors and other tools).
    Schema,
    /// Print a CloudFormation template of the balancer (Classic ELB or NLB, security
    /// groups, certificate, DNS record), to deploy with `aws cloudformation deploy`.
    Cloudformation {
        /// The template's format.
        #[arg(long, value_enum, default_value = "yaml")]
        format: TemplateFormat,
    },
    /// Write the balancer as Terraform for the AWS provider: one root-module file.
    ///
    /// The file goes to standard output or -o FILE; with --out-dir DIR, the usual module layout
    /// (versions.tf, main.tf, outputs.tf) goes into DIR instead.
    Terraform {
        /// Write versions.tf, main.tf and outputs.tf into DIR (created if missing).
        #[arg(long, value_name = "DIR", conflicts_with = "output")]
        out_dir: Option<PathBuf>,
    },
    /// Print a bash script that builds the AWS balancer with the AWS CLI (security groups,
    /// certificate, Classic ELB or NLB, instances) and converges it when run again.
    #[command(name = "aws-cli")]
    AwsCli,
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// The format of a generated template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}
