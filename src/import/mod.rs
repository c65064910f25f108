//! `import`: a spec written from a balancer that exists already, an AWS one read through the
//! AWS CLI ([`aws`]) or an HAProxy configuration ([`haproxy`]).
//!
//! An importer reads what exists into a [`Doc`], the spec as commented YAML, and into
//! [`Note`]s: whatever it could not express in a spec. A note is never dropped: it is printed as
//! a warning and written into the spec as a comment above the field it concerns (or at the top,
//! when it concerns no single field). The spec is then read back through the ordinary loader,
//! so what `import` writes is exactly what `validate` and the targets will read.

pub mod aws;
pub mod haproxy;

use std::fmt::Write as _;

use crate::spec::yaml::{self, NodeKind};

/// Something the importer could not carry into the spec, at a field path such as
/// `aws.client_cidrs` (empty: the whole spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub path: String,
    pub message: String,
}

impl Note {
    pub fn new(path: &str, message: impl Into<String>) -> Note {
        Note {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// An imported spec: the YAML text to write, and the notes that are comments in it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub text: String,
    pub notes: Vec<Note>,
}

/// A value in the written spec.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A scalar, already written as YAML (plain or double-quoted).
    Scalar(String),
    /// A block mapping.
    Map(Map),
    /// A flow mapping on one line: `{port: 21000, backend_port: 21000}`.
    Flow(Map),
    /// A block sequence (items of maps are written `- key: value`).
    List(Vec<Val>),
    /// A flow sequence of scalars on one line: `[a, b]`.
    FlowList(Vec<Val>),
}

impl Val {
    /// A string, plain when YAML reads it back as the same string, else double-quoted.
    pub fn str(s: &str) -> Val {
        Val::Scalar(scalar(s))
    }

    pub fn int(n: impl Into<i64>) -> Val {
        Val::Scalar(n.into().to_string())
    }

    pub fn strs<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Val {
        Val::FlowList(items.into_iter().map(|s| Val::str(s.as_ref())).collect())
    }
}

/// A mapping, in the order entries are added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    value: Val,
    /// A comment at the end of the entry's first line.
    comment: Option<String>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// Adds `key: value`.
    pub fn put(&mut self, key: &str, value: Val) -> &mut Map {
        self.entries.push(Entry {
            key: key.to_string(),
            value,
            comment: None,
        });
        self
    }

    /// Adds `key: value  # comment`.
    pub fn put_commented(&mut self, key: &str, value: Val, comment: &str) -> &mut Map {
        self.entries.push(Entry {
            key: key.to_string(),
            value,
            comment: Some(comment.to_string()),
        });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }
}

/// A spec to write: header comment lines, then the root mapping.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub header: Vec<String>,
    pub root: Map,
}

impl Doc {
    /// The YAML text, with each note as a comment above the field at its path; notes whose
    /// path names no written field go under the header.
    pub fn render(&self, notes: &[Note]) -> String {
        let mut placed = vec![false; notes.len()];
        let mut body = String::new();
        write_map(&mut body, &self.root, 0, "", notes, &mut placed);
        let mut out = String::new();
        for line in &self.header {
            comment_lines(&mut out, "", line);
        }
        let unplaced: Vec<&Note> = notes
            .iter()
            .zip(&placed)
            .filter(|(_, p)| !**p)
            .map(|(n, _)| n)
            .collect();
        if !unplaced.is_empty() {
            out.push_str("#\n");
            for n in unplaced {
                let at = if n.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", n.path)
                };
                comment_lines(&mut out, "", &format!("IMPORT NOTE: {at}{}", n.message));
            }
        }
        out.push_str(&body);
        out
    }
}

/// `text` as `# ` comment lines of at most about 96 columns, indented by `indent`.
fn comment_lines(out: &mut String, indent: &str, text: &str) {
    let width = 96usize.saturating_sub(indent.len() + 2).max(40);
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.is_empty() {
        let _ = writeln!(out, "{indent}#");
    } else {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn notes_at(out: &mut String, indent: &str, path: &str, notes: &[Note], placed: &mut [bool]) {
    for (i, n) in notes.iter().enumerate() {
        if !placed[i] && n.path == path {
            placed[i] = true;
            comment_lines(out, indent, &format!("IMPORT NOTE: {}", n.message));
        }
    }
}

fn write_map(
    out: &mut String,
    map: &Map,
    depth: usize,
    path: &str,
    notes: &[Note],
    placed: &mut [bool],
) {
    let indent = "  ".repeat(depth);
    for e in &map.entries {
        let here = join(path, &e.key);
        notes_at(out, &indent, &here, notes, placed);
        let key = scalar(&e.key);
        let tail = |out: &mut String| {
            if let Some(c) = &e.comment {
                let _ = write!(out, "  # {c}");
            }
            out.push('\n');
        };
        match &e.value {
            Val::Map(m) if !m.is_empty() => {
                let _ = write!(out, "{indent}{key}:");
                tail(out);
                write_map(out, m, depth + 1, &here, notes, placed);
            }
            Val::List(items) if !items.is_empty() => {
                let _ = write!(out, "{indent}{key}:");
                tail(out);
                for (i, item) in items.iter().enumerate() {
                    write_item(out, item, depth + 1, &format!("{here}[{i}]"), notes, placed);
                }
            }
            v => {
                let _ = write!(out, "{indent}{key}: {}", inline(v));
                tail(out);
            }
        }
    }
}

fn write_item(
    out: &mut String,
    item: &Val,
    depth: usize,
    path: &str,
    notes: &[Note],
    placed: &mut [bool],
) {
    let indent = "  ".repeat(depth);
    notes_at(out, &indent, path, notes, placed);
    match item {
        Val::Map(m) if !m.is_empty() => {
            // `- first: value`, the rest aligned under it.
            let mut text = String::new();
            write_map(&mut text, m, depth + 1, path, notes, placed);
            let inner = "  ".repeat(depth + 1);
            let mut first = true;
            for line in text.lines() {
                if first && !line.trim_start().starts_with('#') {
                    let _ = writeln!(out, "{indent}- {}", &line[inner.len()..]);
                    first = false;
                } else {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        v => {
            let _ = writeln!(out, "{indent}- {}", inline(v));
        }
    }
}

fn inline(v: &Val) -> String {
    match v {
        Val::Scalar(s) => s.clone(),
        Val::Map(m) | Val::Flow(m) => {
            let parts: Vec<String> = m
                .entries
                .iter()
                .map(|e| format!("{}: {}", scalar(&e.key), inline(&e.value)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Val::List(items) | Val::FlowList(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// `s` as a YAML scalar: plain when it is safe in block and flow context and YAML reads it
/// back as the same string, else double-quoted (a JSON string is a YAML double-quoted scalar).
pub fn scalar(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/@+=*".contains(c) || c == ':' || c == ' ')
        && !s.starts_with([' ', '-', '*', '@', ':'])
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #");
    if safe {
        // Plain only if it reads back as this very string (not a number, boolean or null).
        if let Ok(node) = yaml::parse(&format!("k: {s}\nl: [{s}]\n")) {
            if let NodeKind::Map(entries) = &node.kind {
                let same = |n: &yaml::Node| matches!(&n.kind, NodeKind::Str(t) if t == s);
                let plain = entries.len() == 2
                    && same(&entries[0].value)
                    && matches!(&entries[1].value.kind, NodeKind::Seq(items) if items.len() == 1 && same(&items[0]));
                if plain {
                    return s.to_string();
                }
            }
        }
    }
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "cluster1",
            "10.30.0.0/16",
            "*",
            "true",
            "null",
            "21000",
            "1e3",
            "0x1F",
            "a: b",
            "a #b",
            "",
            " lead",
            "trail ",
            "-dash",
            "ip-10-30-1-35.ec2.internal",
            "cluster1 Impala FE",
            "[x]",
            "{x}",
            "line\nbreak",
            "quote\"s",
            "tab\there",
            "ünï",
            "2001:db8::/32",
            "::1",
            "sg-0a1b2c3d",
            "arn:aws:acm:us-west-2:123456789012:certificate/x",
            "yes",
            "~",
            "30s",
        ] {
            let text = format!("k: {}\nl: [{}]\n", scalar(s), scalar(s));
            let node = yaml::parse(&text).unwrap_or_else(|e| panic!("{s:?}: {}", e.message));
            let json = node.to_json();
            assert_eq!(json["k"], s, "{text}");
            assert_eq!(json["l"][0], s, "{text}");
        }
        assert_eq!(scalar("cluster1"), "cluster1");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("*"), "\"*\"");
    }

    #[test]
    fn notes_go_above_their_field_or_at_the_top() {
        let mut root = Map::new();
        let mut aws = Map::new();
        aws.put("region", Val::str("us-west-2"));
        aws.put_commented("client_cidrs", Val::strs(["10.0.0.0/8"]), "who");
        root.put("cluster", Val::str("c1"));
        root.put("aws", Val::Map(aws));
        let mut d = Map::new();
        d.put("host", Val::str("a.example.com"));
        d.put("instance_id", Val::str("i-0a1b2c3d"));
        root.put("daemons", Val::List(vec![Val::Map(d)]));
        let doc = Doc {
            header: vec!["Imported.".into()],
            root,
        };
        let notes = vec![
            Note::new("aws.client_cidrs", "a rule from a prefix list"),
            Note::new("", "something general"),
            Note::new("daemons[0]", "an instance that is stopped"),
        ];
        let text = doc.render(&notes);
        assert!(
            text.contains("#\n# IMPORT NOTE: something general\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  # IMPORT NOTE: a rule from a prefix list\n  client_cidrs: [10.0.0.0/8]  # who\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("daemons:\n  # IMPORT NOTE: an instance that is stopped\n  - host: a.example.com\n    instance_id: i-0a1b2c3d\n"),
            "{text}"
        );
        let json = yaml::parse(&text).unwrap().to_json();
        assert_eq!(json["daemons"][0]["instance_id"], "i-0a1b2c3d");
        assert_eq!(json["aws"]["client_cidrs"][0], "10.0.0.0/8");
    }
}
