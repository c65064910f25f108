//! `cloudformation`: the AWS balancer as one CloudFormation template.

use clap::ValueEnum;

use super::Context;
use crate::error::Error;
use crate::targets::cloudformation;
use crate::validate::Scope;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template's format.
    #[arg(long, value_enum, default_value = "yaml")]
    format: TemplateFormat,
}

/// The format of a generated template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = ctx.plan(Scope::aws_target("cloudformation"))?;
    let text = match args.format {
        TemplateFormat::Yaml => cloudformation::render(&plan)?,
        TemplateFormat::Json => cloudformation::render_json(&plan)?,
    };
    ctx.emit(text.as_bytes())?;
    Ok(0)
}
