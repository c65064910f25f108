//! `diagram`: the topology as a Mermaid flowchart or Graphviz DOT.

use clap::ValueEnum;

use super::Context;
use crate::error::Error;
use crate::plan::Plan;
use crate::targets::diagram;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The diagram's format: Mermaid (GitHub renders it in Markdown) or Graphviz DOT.
    #[arg(long, value_enum, default_value = "mermaid")]
    format: DiagramFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Mermaid,
    Dot,
}

pub fn run(args: Args, ctx: &mut Context) -> Result<u8, Error> {
    let plan = Plan::new(&ctx.load(None)?.spec);
    let text = match args.format {
        DiagramFormat::Mermaid => diagram::mermaid(&plan)?,
        DiagramFormat::Dot => diagram::dot(&plan)?,
    };
    ctx.emit(text.as_bytes())?;
    Ok(0)
}
