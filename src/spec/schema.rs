//! The JSON Schema (`schemas/impala-lb.schema.json`): the source of truth for the spec's shape.
//!
//! It is embedded at compile time, printed by `impala-lbgen schema`, and checked on every run.
//! Its errors are turned into diagnostics in the user's words: the field path, what is wrong,
//! the field's own description as the hint, and "did you mean" for misspelt names.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::Validator;
use serde_json::Value;

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::spec::path::{Path, Seg};
use crate::spec::yaml::Node;

/// The schema's text, as shipped in `schemas/`.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/impala-lb.schema.json");

/// The parsed schema document.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::from_str(SCHEMA_TEXT).expect("the embedded schema is valid JSON (tested)")
    })
}

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::validator_for(document()).expect("the embedded schema compiles (tested)")
    })
}

/// A problem the schema found.
pub struct ShapeError {
    pub diagnostic: Diagnostic,
    /// The member at the diagnostic's path cannot be deserialised (an unknown key in a map of
    /// services, a wrong type, an unknown enum value, a malformed duration): drop it so the rest
    /// of the spec can still be checked.
    pub drop_value: bool,
}

/// Checks `instance` (the spec as JSON) against the schema, compiling it on first use.
pub fn check(instance: &Value, tree: &Node) -> Vec<ShapeError> {
    if instance.is_null() {
        let d = Diagnostic::error(Path::root(), "the spec is empty").hint(
            "run `impala-lbgen init` for a commented starter, or copy examples/cluster1.yaml",
        );
        return vec![ShapeError {
            diagnostic: d,
            drop_value: false,
        }];
    }
    let mut out = Vec::new();
    let mut push = |diagnostic: Diagnostic, drop_value: bool| {
        out.push(ShapeError {
            diagnostic,
            drop_value,
        })
    };
    // A valid spec, the common case, is settled without collecting errors.
    if validator().is_valid(instance) {
        return out;
    }
    for err in validator().iter_errors(instance) {
        let path = tree.path_from_pointer(err.instance_path().as_str());
        let field = describe(&path);
        let value = err.instance();
        let d = match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = property_names(&path);
                for name in unexpected {
                    let mut d = Diagnostic::error(
                        path.key(name.clone()),
                        format!("unknown field `{name}` in {field}"),
                    )
                    .at_key();
                    d = match did_you_mean(name, known.iter().map(String::as_str)) {
                        Some(s) => d.hint(format!("did you mean `{s}`?")),
                        None if known.is_empty() => d,
                        None => d.hint(format!("fields allowed here: {}", known.join(", "))),
                    };
                    push(d, true);
                }
                continue;
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let mut d = Diagnostic::error(
                    path.clone(),
                    format!("{field} is missing the required field `{name}`"),
                );
                if let Some(desc) = description(&path.key(name)) {
                    d = d.hint(format!("`{name}`: {desc}"));
                }
                push(d, false);
                continue;
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(t) => article(&t.to_string()),
                    TypeKind::Multiple(ts) => {
                        let names: Vec<String> =
                            ts.into_iter().map(|t| article(&t.to_string())).collect();
                        names.join(" or ")
                    }
                };
                let d = Diagnostic::error(
                    path.clone(),
                    format!("{field} must be {expected}, not {}", kind_of(value)),
                );
                // YAML 1.1's booleans are text in YAML 1.2, which the spec is read as.
                match value.as_str() {
                    Some(
                        v @ ("yes" | "no" | "on" | "off" | "y" | "n" | "Yes" | "No" | "YES" | "NO"),
                    ) if expected.contains("boolean") => {
                        let word = if matches!(v, "no" | "off" | "n" | "No" | "NO") {
                            "false"
                        } else {
                            "true"
                        };
                        d.hint(format!("YAML 1.2 reads `{v}` as text: write {word}"))
                    }
                    _ => d,
                }
            }
            ValidationErrorKind::Enum { options } => {
                let opts: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let shown = show(value);
                let mut d = Diagnostic::error(
                    path.clone(),
                    format!(
                        "{field} is {shown}, which is not one of: {}",
                        opts.join(", ")
                    ),
                );
                if let Some(s) = value
                    .as_str()
                    .and_then(|v| did_you_mean(v, opts.iter().copied()))
                {
                    d = d.hint(format!("did you mean `{s}`?"));
                }
                push(d, true);
                continue;
            }
            ValidationErrorKind::Minimum { limit } => Diagnostic::error(
                path.clone(),
                format!("{field} is {}, below the minimum of {limit}", show(value)),
            ),
            ValidationErrorKind::Maximum { limit } => Diagnostic::error(
                path.clone(),
                format!("{field} is {}, above the maximum of {limit}", show(value)),
            ),
            ValidationErrorKind::MinItems { limit: 1 }
            | ValidationErrorKind::MinProperties { limit: 1 } => {
                Diagnostic::error(path.clone(), format!("{field} must not be empty"))
            }
            ValidationErrorKind::Pattern { .. } => {
                // The pattern belongs to a type in `definitions` (a duration): its title names it and
                // its description gives the form.
                let (title, form) = type_words(&path);
                let what = title.unwrap_or("in the expected form");
                let d = Diagnostic::error(
                    path.clone(),
                    format!("{field} is {}, which is not {what}", show(value)),
                );
                push(d.hint(form.unwrap_or("see `impala-lbgen schema`")), true);
                continue;
            }
            _ => Diagnostic::error(path.clone(), format!("{field}: {err}")),
        };
        // Only a value of the wrong type cannot be deserialised; a number out of range can.
        let wrong_type = matches!(err.kind(), ValidationErrorKind::Type { .. });
        push(
            match description(&path) {
                Some(desc) if d.hint.is_none() => d.hint(desc),
                _ => d,
            },
            wrong_type,
        );
    }
    out
}

fn describe(path: &Path) -> String {
    if path.is_root() {
        "the spec".to_string()
    } else {
        format!("`{path}`")
    }
}

fn article(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        "null" => "empty".into(),
        other => format!("a {other}"),
    }
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "empty".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", show_str(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => show_str(s),
        other => {
            let t = other.to_string();
            if t.len() > 60 {
                kind_of(other)
            } else {
                t
            }
        }
    }
}

fn show_str(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    let ell = if short.len() < s.len() { "…" } else { "" };
    format!("{:?}", format!("{short}{ell}"))
}

/// The schema node describing the field at `path`, following `$ref`s.
fn node_for(path: &Path) -> Option<&'static Value> {
    let root = document();
    let mut node = resolve(root, root);
    for seg in path.segments() {
        node = resolve(root, node);
        let next = match seg {
            Seg::Key(k) => node
                .get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
            Seg::Index(_) => node.get("items"),
        }?;
        node = next;
    }
    Some(node)
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(node),
        None => node,
    }
}

/// The field's description, preferring the one written beside a `$ref` over the target's.
pub fn description(path: &Path) -> Option<&'static str> {
    let node = node_for(path)?;
    node.get("description")
        .or_else(|| resolve(document(), node).get("description"))
        .and_then(Value::as_str)
}

/// The title and description of the field's type (the `$ref` target), such as a duration's.
fn type_words(path: &Path) -> (Option<&'static str>, Option<&'static str>) {
    let node = node_for(path).map(|n| resolve(document(), n));
    let word = |k: &str| node.and_then(|n| n.get(k)).and_then(Value::as_str);
    (word("title"), word("description"))
}

/// Field names the schema allows in the mapping at `path`.
pub fn property_names(path: &Path) -> Vec<String> {
    node_for(path)
        .map(|n| resolve(document(), n))
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_compiles() {
        jsonschema::meta::validate(document()).expect("a valid draft-07 schema");
        let _ = validator();
    }

    #[test]
    fn finds_descriptions_through_refs() {
        assert!(description(&Path::parse("idle_timeout"))
            .unwrap()
            .contains("Classic ELB"));
        assert!(description(&Path::parse("services.hs2.port"))
            .unwrap()
            .contains("balancer's port"));
        assert!(description(&Path::parse("daemons[0].host"))
            .unwrap()
            .contains("DNS name"));
        assert!(property_names(&Path::parse("aws.access_logs")).contains(&"bucket".to_string()));
    }
}
