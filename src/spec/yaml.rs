//! YAML → a tree of nodes that remember where they were written.
//!
//! We read saphyr-parser's events ourselves (instead of deserialising straight into the model)
//! because every diagnostic, whether from the parser, the JSON Schema or a semantic rule, must
//! point at a line and column; the tree maps any field path back to its source. It resolves
//! plain scalars by the YAML 1.2 core schema (so `no` stays a string), rejects duplicate keys
//! and tags, and bounds nesting depth and alias expansion so hostile input cannot exhaust the
//! stack or memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};
use serde_json::{Map, Number, Value};

use super::path::{Path, Seg};

/// A region of the source: 1-based line and column (in characters), end exclusive, and the
/// file it is in: 0 for the spec itself, `n` for the `n`th file merged under it (a fleet's
/// `_defaults.yaml`; see [`crate::diagnostics::Report::merged`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
    pub file: usize,
}

impl Span {
    pub fn point(line: usize, col: usize) -> Span {
        Span {
            line,
            col,
            end_line: line,
            end_col: col + 1,
            file: 0,
        }
    }

    fn from_yaml(s: &YamlSpan) -> Span {
        Span {
            line: s.start.line(),
            col: s.start.col() + 1,
            end_line: s.end.line(),
            end_col: s.end.col() + 1,
            file: 0,
        }
    }

    fn to(self, end: Span) -> Span {
        Span {
            end_line: end.end_line,
            end_col: end.end_col,
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A YAML problem with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

/// Deeper than any spec needs; keeps every recursive walk far from the stack limit.
const MAX_DEPTH: usize = 64;
/// Bounds alias expansion ("billion laughs").
const MAX_NODES: usize = 1_000_000;

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Span,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
        start: Span,
        anchor: usize,
    },
}

/// Parses one YAML document. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut nodes = 0usize;

    while let Some(next) = parser.next_event() {
        let (event, yspan) = next.map_err(|e| {
            let m = e.marker();
            let (line, col) = (m.line(), m.col() + 1);
            match unclosed_bracket(text, line, col) {
                // Point at the bracket that was never closed, not where the parser gave up.
                Some((c, l, k)) => YamlError {
                    message: format!(
                        "YAML syntax error: this '{c}' is not closed (the parser stopped at line {line}, column {col}: {})",
                        e.info()
                    ),
                    span: Span::point(l, k),
                    hint: Some(format!("close it with '{}'", if c == '[' { ']' } else { '}' })),
                },
                None => YamlError {
                    message: format!("YAML syntax error: {}", e.info()),
                    span: Span::point(line, col),
                    hint: Some("check indentation, a missing ':' after a key, or an unclosed quote".into()),
                },
            }
        })?;
        let span = Span::from_yaml(&yspan);
        let completed = match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => None,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError {
                        message: "a spec is one YAML document, but this file has more".into(),
                        span,
                        hint: Some(
                            "remove the second '---' and what follows it, or split the file".into(),
                        ),
                    });
                }
                None
            }
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    message: "this alias names an anchor that is not defined before it".into(),
                    span,
                    hint: None,
                })?;
                nodes += count(&node);
                if nodes > MAX_NODES {
                    return Err(YamlError {
                        message: "aliases expand to too many values".into(),
                        span,
                        hint: Some("a spec needs no more than a few thousand values".into()),
                    });
                }
                Some((Node { span, ..node }, 0))
            }
            Event::Scalar(value, style, anchor, tag) => {
                nodes += 1;
                let kind = match tag {
                    None => resolve_scalar(&value, style).map_err(|message| YamlError {
                        message,
                        span,
                        hint: Some("quote it to make it a string".into()),
                    })?,
                    Some(t)
                        if t.suffix == "str"
                            && (t.handle == "!!" || t.handle == "tag:yaml.org,2002:") =>
                    {
                        NodeKind::Str(value.to_string())
                    }
                    Some(t) => return Err(tag_error(&format!("{}{}", t.handle, t.suffix), span)),
                };
                if expects_key(&stack) {
                    if let Some(what) = non_text(&kind) {
                        return Err(key_error(&value, what, span));
                    }
                }
                Some((Node { kind, span }, anchor))
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if tag.is_some() =>
            {
                let t = tag.expect("checked");
                let _ = anchor;
                return Err(tag_error(&format!("{}{}", t.handle, t.suffix), span));
            }
            Event::SequenceStart(anchor, _) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(span));
                }
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    start: span,
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(span));
                }
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: span,
                    anchor,
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                }) => Some((
                    Node {
                        kind: NodeKind::Seq(items),
                        span: start.to(span),
                    },
                    anchor,
                )),
                _ => return Err(internal(span)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    entries,
                    start,
                    anchor,
                    ..
                }) => Some((
                    Node {
                        kind: NodeKind::Map(entries),
                        span: start.to(span),
                    },
                    anchor,
                )),
                _ => return Err(internal(span)),
            },
        };
        let Some((node, anchor)) = completed else {
            continue;
        };
        if nodes > MAX_NODES {
            return Err(YamlError {
                message: "the document has too many values".into(),
                span,
                hint: None,
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let k = match node.kind {
                        NodeKind::Str(k) => k,
                        NodeKind::Seq(_) | NodeKind::Map(_) => {
                            return Err(YamlError {
                                message: "a key must be a plain name, not a list or mapping".into(),
                                span: node.span,
                                hint: None,
                            })
                        }
                        // An alias to a number, boolean or null used as a key.
                        _ => {
                            return Err(YamlError {
                                message: "a key must be a name, but this alias stands for a \
                                          number, boolean or null"
                                    .into(),
                                span: node.span,
                                hint: Some("write the key itself, quoted".into()),
                            })
                        }
                    };
                    if let Some(first) = entries.iter().find(|e| e.key == k) {
                        return Err(YamlError {
                            message: format!(
                                "duplicate key `{k}` (first written at line {})",
                                first.key_span.line
                            ),
                            span: node.span,
                            hint: Some("keep one of them".into()),
                        });
                    }
                    *key = Some((k, node.span));
                }
                Some((k, key_span)) => entries.push(Entry {
                    key: k,
                    key_span,
                    value: node,
                }),
            },
        }
    }
    Ok(root.unwrap_or(Node {
        kind: NodeKind::Null,
        span: Span::point(1, 1),
    }))
}

/// The last flow bracket (`[` or `{`) opened before `line`:`col` and not closed, for a syntax
/// error's hint. Skips quoted text and comments; counts a bracket only where a value starts.
fn unclosed_bracket(text: &str, line: usize, col: usize) -> Option<(char, usize, usize)> {
    let mut open: Vec<(char, usize, usize)> = Vec::new();
    let (mut l, mut c) = (1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        c += 1;
        if (l, c) >= (line, col) {
            break;
        }
        if ch == '\n' {
            (l, c, comment, prev) = (l + 1, 0, false, '\n');
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some('"') if ch == '\\' => {
                chars.next();
                c += 1;
            }
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '"' | '\'' if value_start(prev) => quote = Some(ch),
                '#' if prev == ' ' || prev == '\n' => comment = true,
                '[' | '{' if value_start(prev) => open.push((ch, l, c)),
                ']' | '}' => {
                    open.pop();
                }
                _ => {}
            },
        }
        prev = ch;
    }
    open.pop()
}

fn value_start(prev: char) -> bool {
    matches!(prev, '\n' | ' ' | '\t' | '[' | '{' | ',')
}

/// Whether the next complete node is a mapping's key.
fn expects_key(stack: &[Frame]) -> bool {
    matches!(stack.last(), Some(Frame::Map { key: None, .. }))
}

/// What a scalar that is not text is read as, for a key's error.
fn non_text(kind: &NodeKind) -> Option<&'static str> {
    match kind {
        NodeKind::Null => Some("null"),
        NodeKind::Bool(_) => Some("a boolean"),
        NodeKind::Int(_) => Some("an integer"),
        NodeKind::Float(_) => Some("a number"),
        _ => None,
    }
}

/// Every key in a spec is a name. A plain `0x1F`, `True` or `~` is read as a number, a
/// boolean or null, and turning it back into text would silently change it (`0x1F` would
/// become "31"), so such a key is refused, as such values are where a string belongs.
fn key_error(written: &str, what: &str, span: Span) -> YamlError {
    YamlError {
        message: format!("the key `{written}` is read as {what}, but keys are names"),
        span,
        hint: Some(format!("quote it to keep it as written: \"{written}\"")),
    }
}

fn count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        NodeKind::Map(entries) => 1 + entries.iter().map(|e| 1 + count(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

fn tag_error(tag: &str, span: Span) -> YamlError {
    YamlError {
        message: format!("YAML tag `{tag}` has no meaning in an impala-lbgen spec"),
        span,
        hint: Some("remove the tag; write the value itself (quote it for a string)".into()),
    }
}

fn depth_error(span: Span) -> YamlError {
    YamlError {
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        span,
        hint: Some("an impala-lbgen spec is at most a few levels deep".into()),
    }
}

fn internal(span: Span) -> YamlError {
    YamlError {
        message: "unbalanced YAML structure".into(),
        span,
        hint: None,
    }
}

/// YAML 1.2 core schema resolution of a scalar.
fn resolve_scalar(value: &str, style: ScalarStyle) -> Result<NodeKind, String> {
    if style != ScalarStyle::Plain {
        return Ok(NodeKind::Str(value.to_string()));
    }
    Ok(match value {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => NodeKind::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => NodeKind::Float(f64::NAN),
        _ => {
            if let Some(int) = parse_int(value) {
                NodeKind::Int(int.map_err(|()| format!("the number {value} is too large"))?)
            } else if is_float(value) {
                match value.parse::<f64>() {
                    Ok(f) if f.is_finite() => NodeKind::Float(f),
                    _ => return Err(format!("the number {value} is too large")),
                }
            } else {
                NodeKind::Str(value.to_string())
            }
        }
    })
}

/// `Some(Ok)` for an integer that fits, `Some(Err)` for one that does not, `None` for no integer.
fn parse_int(v: &str) -> Option<Result<i64, ()>> {
    let (digits, radix) = if let Some(h) = v.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = v.strip_prefix("0o") {
        (o, 8)
    } else {
        let body = v.strip_prefix(['-', '+']).unwrap_or(v);
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(v.parse::<i64>().map_err(|_| ()));
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i64::from_str_radix(digits, radix).map_err(|_| ()))
}

fn is_float(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exp_ok = match exp {
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
        None => frac.is_some(),
    };
    mantissa_ok && exp_ok
}

impl Node {
    /// Marks every span of the tree (values and keys) as being in file `file`.
    pub fn set_file(&mut self, file: usize) {
        self.span.file = file;
        match &mut self.kind {
            NodeKind::Seq(items) => items.iter_mut().for_each(|n| n.set_file(file)),
            NodeKind::Map(entries) => {
                for e in entries {
                    e.key_span.file = file;
                    e.value.set_file(file);
                }
            }
            _ => {}
        }
    }

    /// Merges `defaults` under this tree: mappings are merged key by key (recursively), and
    /// anything else this tree holds wins, lists included (a list is replaced, never
    /// concatenated). Values taken from `defaults` keep their spans, and so their file.
    pub fn merge_under(&mut self, defaults: &Node) {
        let (NodeKind::Map(mine), NodeKind::Map(theirs)) = (&mut self.kind, &defaults.kind) else {
            return;
        };
        for d in theirs {
            match mine.iter_mut().find(|e| e.key == d.key) {
                Some(e) => e.value.merge_under(&d.value),
                None => mine.push(d.clone()),
            }
        }
    }

    /// Whether [`Node::to_json`] makes the node `null`: YAML's null, or a float JSON cannot
    /// hold (infinite, NaN).
    pub fn is_json_null(&self) -> bool {
        match self.kind {
            NodeKind::Null => true,
            NodeKind::Float(f) => !f.is_finite(),
            _ => false,
        }
    }

    /// The node as JSON, for the JSON Schema and for serde.
    pub fn to_json(&self) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::Number((*i).into()),
            NodeKind::Float(f) => Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => {
                let mut m = Map::new();
                for e in entries {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                Value::Object(m)
            }
        }
    }

    /// Finds the node at `path`. Returns the deepest node reached, its key's span (when it is a
    /// mapping value), and whether the whole path was found.
    pub fn locate(&self, path: &Path) -> Located<'_> {
        let mut node = self;
        let mut key_span = None;
        for seg in path.segments() {
            let next = match (seg, &node.kind) {
                (Seg::Key(k), NodeKind::Map(entries)) => entries
                    .iter()
                    .find(|e| &e.key == k)
                    .map(|e| (&e.value, Some(e.key_span))),
                (Seg::Index(i), NodeKind::Seq(items)) => items.get(*i).map(|n| (n, None)),
                (Seg::Key(k), NodeKind::Seq(items)) => k
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((n, ks)) => {
                    node = n;
                    key_span = ks;
                }
                None => {
                    return Located {
                        node,
                        key_span,
                        complete: false,
                    }
                }
            }
        }
        Located {
            node,
            key_span,
            complete: true,
        }
    }

    /// Turns a JSON pointer (`/daemons/1/host`) into a path, using the tree to tell list
    /// indexes from keys.
    pub fn path_from_pointer(&self, pointer: &str) -> Path {
        let mut path = Path::root();
        let mut node = Some(self);
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            match node.map(|n| &n.kind) {
                Some(NodeKind::Seq(items)) => match seg.parse::<usize>() {
                    Ok(i) => {
                        node = items.get(i);
                        path.push(Seg::Index(i));
                    }
                    Err(_) => {
                        node = None;
                        path.push(Seg::Key(seg));
                    }
                },
                Some(NodeKind::Map(entries)) => {
                    node = entries.iter().find(|e| e.key == seg).map(|e| &e.value);
                    path.push(Seg::Key(seg));
                }
                _ => {
                    node = None;
                    path.push(Seg::Key(seg));
                }
            }
        }
        path
    }
}

pub struct Located<'a> {
    pub node: &'a Node,
    pub key_span: Option<Span>,
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        parse(text).unwrap().to_json()
    }

    #[test]
    fn resolves_scalars_by_the_core_schema() {
        let v =
            json("a: 1\nb: no\nc: true\nd: ~\ne: '1'\nf: 0x10\ng: 1.5\nh: 1e3\ni: 1.2.3\nj: 30s\n");
        assert_eq!(v["a"], 1);
        assert_eq!(v["b"], "no");
        assert_eq!(v["c"], true);
        assert_eq!(v["d"], Value::Null);
        assert_eq!(v["e"], "1");
        assert_eq!(v["f"], 16);
        assert_eq!(v["g"], 1.5);
        assert_eq!(v["h"], 1000.0);
        assert_eq!(v["i"], "1.2.3");
        assert_eq!(v["j"], "30s");
    }

    #[test]
    fn remembers_locations() {
        let root = parse("cluster: c1\naws:\n  access_logs: {bucket: Bad, prefix: p}\n").unwrap();
        let l = root.locate(&Path::parse("aws.access_logs.bucket"));
        assert!(l.complete);
        assert_eq!((l.node.span.line, l.node.span.col), (3, 25));
        assert_eq!(l.key_span.map(|s| (s.line, s.col)), Some((3, 17)));
        let missing = root.locate(&Path::parse("aws.access_logs.interval"));
        assert!(!missing.complete);
        assert_eq!(missing.key_span.map(|s| s.line), Some(3));
    }

    #[test]
    fn rejects_duplicates_tags_and_bombs() {
        assert!(parse("a: 1\na: 2\n")
            .unwrap_err()
            .message
            .contains("duplicate key `a`"));
        assert!(parse("a: !Ref x\n").unwrap_err().message.contains("tag"));
        assert!(parse("a: [1\n").is_err());
        assert!(parse("a: 99999999999999999999\n")
            .unwrap_err()
            .message
            .contains("too large"));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&bomb).unwrap_err().message.contains("too many"));
        assert!(parse("a: 1\n---\nb: 2\n")
            .unwrap_err()
            .message
            .contains("one YAML document"));
    }

    /// A plain `0x1F`, `True` or `~` key would silently become the text "31", "true" or
    /// "null": refused, with the hint to quote it. Quoted, it is kept as written.
    #[test]
    fn keys_that_are_not_text_are_refused() {
        for (text, written, what) in [
            ("tags: {0x1F: a}\n", "0x1F", "an integer"),
            ("tags:\n  True: b\n", "True", "a boolean"),
            ("tags: {~: c}\n", "~", "null"),
            ("1.5: x\n", "1.5", "a number"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(
                e.message
                    .contains(&format!("`{written}` is read as {what}")),
                "{e:?}"
            );
            assert!(e.hint.unwrap().contains(&format!("\"{written}\"")));
        }
        let e = parse("a: &k 5\nb: {*k : x}\n").unwrap_err();
        assert!(e.message.contains("alias"), "{e:?}");
        let v = json("tags: {\"0x1F\": a, 'True': b, \"~\": c}\n");
        assert_eq!(v["tags"]["0x1F"], "a");
        assert_eq!(v["tags"]["True"], "b");
        assert_eq!(v["tags"]["~"], "c");
    }

    /// YAML 1.2 limits an implicit key to 1,024 characters; longer ones are refused (the
    /// fuzzer found a reader that accepted them).
    #[test]
    fn implicit_keys_over_1024_characters_are_refused() {
        let ok = format!("{}: x\n", "k".repeat(1000));
        assert!(parse(&ok).is_ok());
        let long = format!("{}: x\n", "k".repeat(1100));
        assert!(parse(&long).is_err());
    }

    #[test]
    fn merges_defaults_under_a_tree_keeping_their_files() {
        let mut spec = parse("a: 1\nm: {x: 1, l: [1, 2]}\nl: [9]\n").unwrap();
        let mut defaults = parse("a: 2\nb: 3\nm: {y: 2, l: [3]}\nl: [7, 8]\n").unwrap();
        defaults.set_file(1);
        spec.merge_under(&defaults);
        assert_eq!(
            spec.to_json(),
            serde_json::json!({"a": 1, "b": 3, "m": {"x": 1, "y": 2, "l": [1, 2]}, "l": [9]})
        );
        let b = spec.locate(&Path::parse("b"));
        assert_eq!((b.node.span.file, b.node.span.line), (1, 2));
        assert_eq!(b.key_span.map(|k| k.file), Some(1));
        let y = spec.locate(&Path::parse("m.y"));
        assert_eq!((y.node.span.file, y.node.span.line), (1, 3));
        let x = spec.locate(&Path::parse("m.x"));
        assert_eq!((x.node.span.file, x.node.span.line), (0, 2));
        // A scalar or list in the spec replaces a mapping of the defaults, and the reverse.
        let mut spec = parse("m: 5\n").unwrap();
        spec.merge_under(&parse("m: {x: 1}\n").unwrap());
        assert_eq!(spec.to_json(), serde_json::json!({"m": 5}));
    }

    #[test]
    fn maps_pointers_to_paths() {
        let root = parse("daemons:\n  - host: a\n  - host: b\n").unwrap();
        assert_eq!(
            root.path_from_pointer("/daemons/1/host").to_string(),
            "daemons[1].host"
        );
        assert_eq!(root.path_from_pointer("").to_string(), "(top level)");
    }
}
