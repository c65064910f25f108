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
    /// For a spec that adopts existing resources (aws.adopt): print the template of the
    /// resource import instead (the adopted resources only, JSON), for `aws cloudformation
    /// create-change-set --change-set-type IMPORT --template-body`.
    #[arg(long, conflicts_with_all = ["resources_to_import", "format"])]
    import_template: bool,
    /// For a spec that adopts existing resources: print the `--resources-to-import` JSON of
    /// that change set.
    #[arg(long, conflicts_with = "format")]
    resources_to_import: bool,
}

/// The format of a generated template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = ctx.plan(Scope::aws_target("cloudformation"))?;
    if (args.import_template || args.resources_to_import)
        && cloudformation::adopted(&plan).is_empty()
    {
        return Err(Error::Refused(
            "the spec adopts nothing (aws.adopt), so there is no resource import: deploy the template as it is".into(),
        ));
    }
    let text = if args.import_template {
        cloudformation::render_import(&plan)?
    } else if args.resources_to_import {
        cloudformation::render_resources_to_import(&plan)?
    } else {
        match args.format {
            TemplateFormat::Yaml => cloudformation::render(&plan)?,
            TemplateFormat::Json => cloudformation::render_json(&plan)?,
        }
    };
    ctx.emit(text.as_bytes())?;
    Ok(0)
}
