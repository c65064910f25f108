//! `import aws`: a spec from an existing Classic ELB or NLB.

use std::path::PathBuf;

use super::Imported;
use crate::error::Error;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub name: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub from: Option<PathBuf>,
    pub cluster: Option<String>,
}

pub fn import(_options: &Options) -> Result<Imported, Error> {
    Err(Error::Refused("not yet".into()))
}
