//! The diff as Markdown, to paste into a pull request (GitHub's alerts and tables).
//!
//! Every value from a spec is written in a code span by [`code`], which picks a fence longer
//! than any run of backticks in it and escapes `|` (GitHub ends a table cell at `|` even in a
//! code span); line breaks never reach it (spec values are validated, and names are one line).

use std::fmt::Write as _;

use super::resources::Action;
use super::{Diff, HaproxyAction, TargetDiff};

/// A code span holding `s` (one line) safely inside a table cell.
pub fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Text the diff wrote itself (with `code` spans from [`super`]'s messages in backticks):
/// only `|` needs escaping inside a table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### impala-lbgen diff: cluster {}\n\n{} → {}\n",
        code(&d.cluster),
        code(&d.old),
        code(&d.new)
    );
    if let Some(b) = &d.balancer {
        let _ = writeln!(out, "> [!CAUTION]");
        let _ = writeln!(
            out,
            "> **The balancer is replaced: its DNS name changes.** {} → {}.",
            b.old, b.new
        );
        for c in &b.consequences {
            let _ = writeln!(out, "> - {c}");
        }
        let _ = writeln!(out, ">\n> Why: {}.", b.because.join("; "));
        out.push('\n');
    } else if d.replaces {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> Some resources are **replaced** (deleted and created again); the balancer and its DNS name stay.\n"
        );
    }
    let nothing = d.summary.is_empty()
        && [&d.cloudformation, &d.terraform]
            .iter()
            .all(|t| t.as_ref().is_none_or(|t| t.resources.is_empty()))
        && d.haproxy
            .as_ref()
            .is_none_or(|h| matches!(h.action, HaproxyAction::None));
    if nothing {
        out.push_str("No change to any generated output.\n");
        return out;
    }
    if !d.summary.is_empty() {
        out.push_str("#### What changes\n\n");
        for s in &d.summary {
            let _ = writeln!(out, "- {s}");
        }
        out.push('\n');
    }
    if let Some(t) = &d.cloudformation {
        target(&mut out, "CloudFormation", "logical ID", t);
    }
    if let Some(t) = &d.terraform {
        target(&mut out, "Terraform", "address", t);
    }
    if let Some(h) = &d.haproxy {
        out.push_str("#### HAProxy\n\n");
        let verdict = match h.action {
            HaproxyAction::None => "No change to haproxy.cfg.",
            HaproxyAction::Reload => "**Reload** (`systemctl reload haproxy`).",
            HaproxyAction::Restart => "**Restart** (`systemctl restart haproxy`).",
        };
        let _ = writeln!(out, "{verdict}\n");
        for s in &h.sections {
            let _ = writeln!(out, "- {s}");
        }
        if !h.sections.is_empty() {
            out.push('\n');
        }
        for n in &h.notes {
            let _ = writeln!(out, "{n}\n");
        }
    }
    out
}

fn target(out: &mut String, title: &str, id: &str, t: &TargetDiff) {
    let _ = writeln!(out, "#### {title}\n");
    if t.resources.is_empty() {
        let _ = writeln!(out, "No resource changes ({} unchanged).\n", t.unchanged);
    } else {
        let _ = writeln!(out, "| {id} | type | change | because |");
        out.push_str("| --- | --- | --- | --- |\n");
        for r in &t.resources {
            let change = match r.action {
                Action::Replace => "**REPLACED**".to_string(),
                a => a.word().to_string(),
            };
            let mut because = if r.because.is_empty() {
                r.properties
                    .iter()
                    .map(|p| code(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                cell(&r.because.join("; "))
            };
            if let Some(b) = &r.blocked {
                because.push_str(&format!("<br>**Blocked:** {}", cell(b)));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {change} | {because} |",
                code(&r.id),
                code(&r.kind)
            );
        }
        let _ = writeln!(out, "\n{} unchanged.\n", t.unchanged);
    }
    for n in &t.notes {
        let _ = writeln!(out, "{n}\n");
    }
    if !t.unknown_types.is_empty() {
        let _ = writeln!(
            out,
            "impala-lbgen has no replacement data for {}: assumed replaced (please report this).\n",
            t.unknown_types
                .iter()
                .map(|k| code(k))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a``"), "``` `a`` ```");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a\nb"), "`a b`");
    }
}
