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
use crate::spec::yaml::{Node, NodeKind};

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

/// Whether `tree` conforms to the schema, decided by the Rust generated from the schema
/// (`schema_precompiled.rs`, see `schema_codegen.rs`) rather than by compiling it, which would
/// cost a small spec more than all its other work. `None` when that file was generated from
/// another schema text: then only [`check`] can tell. The tests and the fuzzer compare the two
/// on the shipped specs and on many damaged ones.
pub fn conforms(tree: &Node) -> Option<bool> {
    const FRESH: bool =
        crate::fnv::hash(SCHEMA_TEXT.as_bytes()) == super::schema_precompiled::SCHEMA_FINGERPRINT;
    FRESH.then(|| super::schema_precompiled::root(tree))
}

// What the generated check is written with. Each answers as the JSON Schema would for the
// node's JSON form (`Node::to_json`), where a float JSON cannot hold becomes null.

/// JSON Schema counts a number with no fractional part as an integer, `1.0` included.
pub(super) fn is_integer(n: &Node) -> bool {
    match n.kind {
        NodeKind::Int(_) => true,
        NodeKind::Float(f) => f.is_finite() && f.fract() == 0.0,
        _ => false,
    }
}

/// `minimum`: true for anything that is not a number. (An `i64` past 2^53 rounds as `f64`,
/// which keeps its side of the schema's small bounds.)
pub(super) fn at_least(n: &Node, bound: f64) -> bool {
    match n.kind {
        NodeKind::Int(i) => i as f64 >= bound,
        NodeKind::Float(f) if f.is_finite() => f >= bound,
        _ => true,
    }
}

/// `maximum`: true for anything that is not a number.
pub(super) fn at_most(n: &Node, bound: f64) -> bool {
    match n.kind {
        NodeKind::Int(i) => i as f64 <= bound,
        NodeKind::Float(f) if f.is_finite() => f <= bound,
        _ => true,
    }
}

/// `enum` of strings.
pub(super) fn is_one_of(n: &Node, options: &[&str]) -> bool {
    matches!(&n.kind, NodeKind::Str(s) if options.contains(&s.as_str()))
}

/// The pattern `^[0-9]+[smh]?$`: a duration.
pub(super) fn digits_then_unit(s: &str) -> bool {
    let digits = s.strip_suffix(['s', 'm', 'h']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A problem the schema found.
pub struct ShapeError {
    pub diagnostic: Diagnostic,
    /// The member at the diagnostic's path cannot be deserialised (an unknown key in a map of
    /// services, a wrong type, an unknown enum value, a malformed duration): drop it so the rest
    /// of the spec can still be checked.
    pub drop_value: bool,
}

/// Checks `instance` (the spec as JSON) against the schema, compiling it on first use. A spec
/// that [`conforms`] never needs this.
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
                Diagnostic::error(
                    path.clone(),
                    format!("{field} must be {expected}, not {}", kind_of(value)),
                )
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
                Some(desc) => d.hint(desc),
                None => d,
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

    /// The tree a JSON value would be read into (numbers as the YAML reader makes them).
    fn node(v: &Value) -> Node {
        use crate::spec::yaml::{Entry, Span};
        let kind = match v {
            Value::Null => NodeKind::Null,
            Value::Bool(b) => NodeKind::Bool(*b),
            Value::Number(x) => match x.as_i64() {
                Some(i) => NodeKind::Int(i),
                None => NodeKind::Float(x.as_f64().unwrap()),
            },
            Value::String(s) => NodeKind::Str(s.clone()),
            Value::Array(items) => NodeKind::Seq(items.iter().map(node).collect()),
            Value::Object(m) => NodeKind::Map(
                m.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: Span::default(),
                        value: node(v),
                    })
                    .collect(),
            ),
        };
        Node {
            kind,
            span: Span::default(),
        }
    }

    /// Every variant of `v` that differs from it at one place: each value replaced by each of
    /// `replacements`, each member removed, an unknown member added to each mapping, each list
    /// emptied or doubled.
    fn variants(v: &Value, replacements: &[Value], out: &mut Vec<Value>) {
        let here = |out: &mut Vec<Value>, f: &dyn Fn(&mut Value)| {
            let mut c = v.clone();
            f(&mut c);
            out.push(c);
        };
        for r in replacements {
            here(out, &|c| *c = r.clone());
        }
        match v {
            Value::Object(m) => {
                here(out, &|c| {
                    c.as_object_mut()
                        .unwrap()
                        .insert("zzz".into(), Value::from(1));
                });
                for k in m.keys() {
                    here(out, &|c| {
                        c.as_object_mut().unwrap().remove(k);
                    });
                    let mut inner = Vec::new();
                    variants(&m[k], replacements, &mut inner);
                    for i in inner {
                        let mut c = v.clone();
                        c[k] = i;
                        out.push(c);
                    }
                }
            }
            Value::Array(items) => {
                here(out, &|c| c.as_array_mut().unwrap().clear());
                here(out, &|c| {
                    let items = c.as_array_mut().unwrap();
                    items.extend(items.clone());
                });
                for (n, item) in items.iter().enumerate() {
                    let mut inner = Vec::new();
                    variants(item, replacements, &mut inner);
                    for i in inner {
                        let mut c = v.clone();
                        c[n] = i;
                        out.push(c);
                    }
                }
            }
            _ => {}
        }
    }

    /// The generated check says what the compiled schema says, on every shipped example and
    /// on every one-place change of each (some 9,000 documents).
    #[test]
    fn the_generated_check_agrees_with_the_schema() {
        let replacements: Vec<Value> = serde_json::from_str(
            r#"[null, true, false, 0, -1, 1, 1.0, 1.5, 65535, 65536, -0.5, 1e300,
                "", "x", "30s", "5m", "1h", "45", "5 minutes", "m", "30S", " 30s", "30s ",
                "hs2", "beeswax", "hs2_http", "offload", "bridge", "passthrough", "classic",
                "network", "internal", "internet-facing", "roundrobin", "leastconn", "source",
                [], ["x"], [1], [{}], {}, {"port": 21050}, {"port": 0}, {"host": "a"},
                {"bucket": "b"}, {"mode": "offload"}, {"realm": "R"}]"#,
        )
        .unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        let (mut checked, mut valid) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = crate::spec::yaml::parse(&text).unwrap().to_json();
            let mut all = vec![doc.clone()];
            variants(&doc, &replacements, &mut all);
            for v in all {
                let tree = node(&v);
                let want = validator().is_valid(&tree.to_json());
                assert_eq!(conforms(&tree), Some(want), "{}: {v}", path.display());
                checked += 1;
                valid += usize::from(want);
            }
        }
        // Both answers occur often enough for the comparison to mean something.
        assert!(
            checked > 5_000 && valid > 1_000 && checked - valid > 1_000,
            "{checked} {valid}"
        );
    }

    /// Each pattern matcher the generator may use matches what its regular expression does.
    #[test]
    fn the_pattern_matchers_agree_with_their_patterns() {
        let long = "9".repeat(40);
        let texts = [
            "", "0", "30", "30s", "5m", "1h", "1d", "s", "m", "30ss", "3 0s", " 30s", "30s ",
            "30s\n", "\n30s", "-5", "+5", "1.5", "٣", "30h5", "0000s", &long,
        ];
        for &(pattern, matcher) in crate::spec::schema_codegen::PATTERNS {
            let f = match matcher {
                "digits_then_unit" => digits_then_unit,
                other => panic!("a matcher this test does not know: {other}"),
            };
            let schema =
                jsonschema::validator_for(&serde_json::json!({"pattern": pattern})).unwrap();
            for t in texts {
                assert_eq!(f(t), schema.is_valid(&Value::from(t)), "{pattern} on {t:?}");
            }
        }
    }

    #[test]
    fn the_generated_check_is_for_this_schema() {
        let tree = crate::spec::yaml::parse("cluster: c\ndaemons: [{host: a}]\n").unwrap();
        assert_eq!(conforms(&tree), Some(true));
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
