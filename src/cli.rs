//! The command line: the global options (clap). Each command's own arguments are in
//! [`crate::commands`].

use std::path::PathBuf;

use clap::Parser;

use crate::commands::Command;

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
  impala-lbgen terraform > impala-lb.tf  the balancer as one Terraform file
  impala-lbgen -c clusters/ check --out-dir generated/
                                         the drift check of a whole fleet";

/// Generate an Apache Impala load balancer from one validated spec.
///
/// impala-lbgen reads a YAML spec of one cluster's balancer (the Impala services, the impalad
/// coordinators, health check, TLS, AWS or HAProxy settings), validates it against AWS and
/// HAProxy limits, and writes the infrastructure that builds it.
#[derive(Debug, Parser)]
#[command(name = "impala-lbgen", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// The spec to read; `-` reads standard input. A folder is a fleet: every *.yaml in it is
    /// one cluster's spec, with its _defaults.yaml merged under each (validate, generate and
    /// check work over all of them).
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        value_name = "PATH",
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
