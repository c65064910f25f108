//! Reading a spec: YAML with locations → JSON Schema → typed model → semantic rules, with every
//! problem collected into one [`Report`].

use std::io::Read;

use std::path::Path as FsPath;

use crate::diagnostics::{Diagnostic, Report, Source};
use crate::error::Error;
use crate::spec::model::Spec;
use crate::spec::path::{Path, Seg};
use crate::spec::schema;
use crate::spec::yaml::{self, Node, NodeKind};
use crate::validate::{self, Scope};

/// A spec that passed validation, with the warnings it raised.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub spec: Spec,
    pub tree: Node,
    /// Warnings only (a spec with errors is not loaded).
    pub report: Report,
}

/// Reads the spec at `path`; `-` reads standard input.
pub fn read_source(path: &FsPath) -> Result<Source, Error> {
    let mut text = String::new();
    let name = if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("read the spec from standard input", path, e))?;
        "<stdin>".to_string()
    } else {
        let bytes = std::fs::read(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                " (create one with `impala-lbgen init`, or name another with -c FILE)"
            } else {
                ""
            };
            Error::io(&format!("read the spec{hint}"), path, e)
        })?;
        text = String::from_utf8(bytes).map_err(|e| {
            Error::io(
                "read the spec",
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "it is not UTF-8 text (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                ),
            )
        })?;
        path.display().to_string()
    };
    Ok(Source { name, text })
}

/// The name of the file in a folder of specs (a fleet) that is merged under each of them.
pub const DEFAULTS_FILE: &str = "_defaults.yaml";

/// A `_defaults.yaml`: values merged under every spec of its folder (mappings merged key by
/// key, the spec winning; lists replaced). Its tree's spans are in file 1 of a spec's
/// [`Report`], so a diagnostic about one of its values points at it.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub source: Source,
    pub tree: Node,
}

impl Defaults {
    /// Parses the defaults; a YAML error, or a document that is not a mapping, is reported
    /// against the defaults file itself.
    pub fn parse(source: Source) -> Result<Defaults, Report> {
        let mut report = Report::new(source);
        let mut tree = match yaml::parse(&report.source.text) {
            Ok(tree) => tree,
            Err(e) => {
                report.diagnostics.push(yaml_diagnostic(e));
                return Err(report);
            }
        };
        if !matches!(tree.kind, NodeKind::Map(_) | NodeKind::Null) {
            report.diagnostics.push(Diagnostic {
                span: Some(tree.span),
                ..Diagnostic::error(
                    Path::root(),
                    format!("{DEFAULTS_FILE} must be a mapping of spec fields"),
                )
                .hint("write the fields every spec of the folder shares, such as `aws: {region: us-west-2}`")
            });
            return Err(report);
        }
        tree.set_file(1);
        Ok(Defaults {
            source: report.source,
            tree,
        })
    }
}

fn yaml_diagnostic(e: yaml::YamlError) -> Diagnostic {
    Diagnostic {
        span: Some(e.span),
        hint: e.hint,
        path: None,
        ..Diagnostic::error(Path::root(), e.message)
    }
}

/// Parses and validates a spec. `scope` chooses the target limits; `None` checks those of the
/// sections the spec has (what `validate` does).
pub fn load(source: Source, scope: Option<Scope>) -> Result<Loaded, Report> {
    load_with(source, None, scope)
}

/// [`load`], with `defaults` merged under the spec first.
pub fn load_with(
    source: Source,
    defaults: Option<&Defaults>,
    scope: Option<Scope>,
) -> Result<Loaded, Report> {
    let mut report = Report::new(source);
    let mut tree = match yaml::parse(&report.source.text) {
        Ok(tree) => tree,
        Err(e) => {
            report.diagnostics.push(yaml_diagnostic(e));
            return Err(report);
        }
    };
    if let Some(d) = defaults {
        tree.merge_under(&d.tree);
        report.merged.push(d.source.clone());
    }
    let spec = check_shape(&tree, &mut report);
    if let Some(spec) = &spec {
        let scope = scope.unwrap_or_else(|| Scope::for_spec(spec));
        report.diagnostics.extend(validate::check(spec, scope));
    }
    report.locate(&tree);
    match spec {
        Some(spec) if !report.has_errors() => Ok(Loaded { spec, tree, report }),
        _ => Err(report),
    }
}

/// The spec's JSON form against the JSON Schema, with every error worded and located, then
/// serde with the members the model cannot hold dropped (so the semantic rules still run and
/// every problem is reported at once). The model, when serde could build one.
fn check_shape(tree: &Node, report: &mut Report) -> Option<Spec> {
    let mut json = tree.to_json();
    let shape = schema::check(&json, tree);
    let shape_ok = shape.is_empty();
    for e in shape {
        if e.drop_value {
            if let Some(p) = &e.diagnostic.path {
                remove(&mut json, p);
            }
        }
        report.diagnostics.push(e.diagnostic);
    }
    let typed = serde_path_to_error::deserialize::<_, Spec>(&json);
    match typed {
        Ok(spec) => Some(spec),
        Err(e) => {
            // The schema already explains a shape error; report serde's only if it found
            // something the schema let through (such as a duration too large to hold).
            if shape_ok {
                let path = serde_path(e.path());
                report
                    .diagnostics
                    .push(Diagnostic::error(path, e.inner().to_string()));
            }
            None
        }
    }
}

fn serde_path(p: &serde_path_to_error::Path) -> Path {
    let mut path = Path::root();
    for seg in p.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => path.push(Seg::Index(*index)),
            serde_path_to_error::Segment::Map { key } => path.push(Seg::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => path.push(Seg::Key(variant.clone())),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    path
}

/// Removes the mapping member at `path` (an optional field becomes unset); list items are
/// left alone.
fn remove(json: &mut serde_json::Value, path: &Path) {
    let Some((last, parents)) = path.segments().split_last() else {
        return;
    };
    let mut node = json;
    for seg in parents {
        let next = match seg {
            Seg::Key(k) => node.get_mut(k.as_str()),
            Seg::Index(i) => node.get_mut(*i),
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    if let (Seg::Key(k), Some(map)) = (last, node.as_object_mut()) {
        map.remove(k.as_str());
    }
}
