//! `schema`: print the spec's JSON Schema.

use super::Context;
use crate::error::Error;
use crate::spec::schema::SCHEMA_TEXT;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args, ctx: &mut Context) -> Result<u8, Error> {
    ctx.emit(SCHEMA_TEXT.as_bytes())?;
    Ok(0)
}
