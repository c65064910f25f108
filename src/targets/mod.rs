//! Output targets. Each one formats a [`crate::plan::Plan`] and decides nothing of its own:
//! its templates live in `templates/<target>/` (embedded at compile time), it renders them
//! through a [`crate::render::Renderer`] of its format, and it knows nothing of the other
//! targets.

use std::cell::OnceCell;

use crate::error::Error;
use crate::render::Renderer;

pub mod aws_cli;
pub mod cloudformation;
pub mod diagram;
pub mod drain;
pub mod haproxy;
pub mod impala_config;
pub mod keepalived;
pub mod terraform;

/// Every target's template registry, each built the first time it is asked for and then kept,
/// so that `generate` and `check` over a fleet parse the templates once per process rather
/// than once per cluster.
#[derive(Default)]
pub struct Renderers {
    cloudformation: OnceCell<Renderer>,
    terraform: OnceCell<Renderer>,
    aws_cli: OnceCell<Renderer>,
    haproxy: OnceCell<Renderer>,
    keepalived: OnceCell<Renderer>,
    drain: OnceCell<Renderer>,
    impala_config: OnceCell<Renderer>,
    mermaid: OnceCell<Renderer>,
}

fn built(
    cell: &OnceCell<Renderer>,
    build: fn() -> Result<Renderer, Error>,
) -> Result<&Renderer, Error> {
    if let Some(r) = cell.get() {
        return Ok(r);
    }
    let r = build()?;
    Ok(cell.get_or_init(|| r))
}

impl Renderers {
    pub fn cloudformation(&self) -> Result<&Renderer, Error> {
        built(&self.cloudformation, cloudformation::renderer)
    }

    pub fn terraform(&self) -> Result<&Renderer, Error> {
        built(&self.terraform, terraform::renderer)
    }

    pub fn aws_cli(&self) -> Result<&Renderer, Error> {
        built(&self.aws_cli, aws_cli::renderer)
    }

    pub fn haproxy(&self) -> Result<&Renderer, Error> {
        built(&self.haproxy, haproxy::renderer)
    }

    pub fn keepalived(&self) -> Result<&Renderer, Error> {
        built(&self.keepalived, keepalived::renderer)
    }

    pub fn drain(&self) -> Result<&Renderer, Error> {
        built(&self.drain, drain::renderer)
    }

    pub fn impala_config(&self) -> Result<&Renderer, Error> {
        built(&self.impala_config, impala_config::renderer)
    }

    pub fn mermaid(&self) -> Result<&Renderer, Error> {
        built(&self.mermaid, diagram::mermaid_renderer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_is_built_once() {
        let r = Renderers::default();
        assert!(r.haproxy.get().is_none());
        let first: *const Renderer = r.haproxy().unwrap();
        let second: *const Renderer = r.haproxy().unwrap();
        assert_eq!(first, second);
        assert!(
            r.cloudformation.get().is_none(),
            "built only when asked for"
        );
    }
}
