//! What users see when a spec is wrong: each problem with its file:line:column, the field path,
//! the offending line with a caret, and a hint.

use std::fmt::{self, Write as _};

use crate::spec::path::Path;
use crate::spec::yaml::{Node, NodeKind, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// The field the problem is about; `None` for problems of the YAML text itself.
    pub path: Option<Path>,
    /// Point at the field's key rather than its value (an unknown or misplaced field).
    pub at_key: bool,
    /// Filled in from `path` by [`Report::locate`], or given directly by the YAML parser.
    pub span: Option<Span>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            path: Some(path),
            at_key: false,
            span: None,
            hint: None,
        }
    }

    pub fn warning(path: Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn at_key(mut self) -> Diagnostic {
        self.at_key = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The text a spec was read from, kept to show the lines diagnostics point at.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// What to call it in messages: the path as given, or `<stdin>`.
    pub name: String,
    pub text: String,
}

/// All diagnostics of one spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The spec.
    pub source: Source,
    /// Files merged under the spec, whose values it may hold (a fleet's `_defaults.yaml`): a
    /// span in file `n > 0` is in `merged[n - 1]`, and is shown with that file's name and line.
    pub merged: Vec<Source>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn new(source: Source) -> Report {
        Report {
            source,
            merged: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The file a span is in: the spec, or one merged under it.
    pub fn source_of(&self, span: Span) -> &Source {
        span.file
            .checked_sub(1)
            .and_then(|i| self.merged.get(i))
            .unwrap_or(&self.source)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Gives every diagnostic without a span the span of its path in `root`. A path that does
    /// not exist (a missing field) points at its nearest written ancestor.
    pub fn locate(&mut self, root: &Node) {
        for d in &mut self.diagnostics {
            if d.span.is_some() {
                continue;
            }
            let Some(path) = &d.path else { continue };
            let found = root.locate(path);
            let node_span = found.node.span;
            let multi_line_block = node_span.end_line > node_span.line
                && matches!(found.node.kind, NodeKind::Map(_) | NodeKind::Seq(_));
            d.span = Some(match found.key_span {
                Some(k) if d.at_key || !found.complete || multi_line_block => k,
                _ if path.is_root() || std::ptr::eq(found.node, root) => {
                    Span::point(node_span.line, node_span.col)
                }
                _ => node_span,
            });
        }
        // Source order (the spec's own lines first, then those of merged files), errors before
        // warnings on the same line; stable for equal positions.
        self.diagnostics.sort_by_key(|d| {
            let s = d.span.unwrap_or_default();
            (s.file, s.line, s.col, d.severity)
        });
        self.diagnostics.dedup();
    }

    /// Renders every diagnostic, then a summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            self.render_one(&mut out, d);
            out.push('\n');
        }
        let (e, w) = (self.errors().count(), self.warnings().count());
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match (e, w) {
            (0, 0) => {}
            (0, w) => {
                let _ = writeln!(out, "{}: {}", self.source.name, plural(w, "warning"));
            }
            (e, 0) => {
                let _ = writeln!(
                    out,
                    "{}: {} (spec is invalid)",
                    self.source.name,
                    plural(e, "error")
                );
            }
            (e, w) => {
                let _ = writeln!(
                    out,
                    "{}: {}, {} (spec is invalid)",
                    self.source.name,
                    plural(e, "error"),
                    plural(w, "warning")
                );
            }
        }
        out
    }

    fn render_one(&self, out: &mut String, d: &Diagnostic) {
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", d.message);
        let Some(span) = d.span else {
            let _ = writeln!(out, "  --> {}", self.source.name);
            if let Some(p) = &d.path {
                let _ = writeln!(out, "   = field: {p}");
            }
            if let Some(h) = &d.hint {
                let _ = writeln!(out, "   = help: {h}");
            }
            return;
        };
        let field = d
            .path
            .as_ref()
            .filter(|p| !p.is_root())
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        let source = self.source_of(span);
        let _ = writeln!(
            out,
            "  --> {}:{}:{}{field}",
            source.name, span.line, span.col
        );
        let line_text = source
            .text
            .lines()
            .nth(span.line.saturating_sub(1))
            .unwrap_or("");
        let line_text = line_text.trim_end_matches('\r');
        let number = span.line.to_string();
        let pad = " ".repeat(number.len());
        let shown: String = line_text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let width = shown.chars().count();
        let start = span.col.saturating_sub(1).min(width);
        let end = if span.end_line == span.line {
            span.end_col.saturating_sub(1)
        } else {
            width
        };
        let carets = end.saturating_sub(start).max(1);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {shown}");
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(start), "^".repeat(carets));
        if let Some(h) = &d.hint {
            let _ = writeln!(out, "{pad} = help: {h}");
        }
        if span.file > 0 {
            let _ = writeln!(
                out,
                "{pad} = note: {} is merged under {}, which takes this value from it",
                source.name, self.source.name
            );
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_l = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_l, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = [
            "cluster",
            "services",
            "daemons",
            "health_check",
            "idle_timeout",
        ];
        assert_eq!(did_you_mean("clustr", fields), Some("cluster"));
        assert_eq!(did_you_mean("deamons", fields), Some("daemons"));
        assert_eq!(did_you_mean("idle-timeout", fields), Some("idle_timeout"));
        assert_eq!(did_you_mean("zzz", fields), None);
    }

    #[test]
    fn renders_the_line_with_a_caret() {
        let mut r = Report::new(Source {
            name: "x.yaml".into(),
            text: "a:\n  b: Bad\n".into(),
        });
        r.diagnostics
            .push(Diagnostic::error(Path::parse("a.b"), "bad value").hint("fix it"));
        r.locate(&crate::spec::yaml::parse(&r.source.text).unwrap());
        let text = r.render();
        assert!(
            text.contains("error: bad value\n  --> x.yaml:2:6 (a.b)\n"),
            "{text}"
        );
        assert!(
            text.contains("2 |   b: Bad\n  |      ^^^\n  = help: fix it\n"),
            "{text}"
        );
        assert!(
            text.ends_with("x.yaml: 1 error (spec is invalid)\n"),
            "{text}"
        );
    }
}
