//! Template registries, one per output format, each with that format's escaping.
//!
//! Handlebars escapes HTML by default, which is wrong for every format we write. Each
//! [`Renderer`] is built for one [`Format`]: `{{value}}` goes through the format's escape
//! function, strict mode turns a missing field into an error instead of an empty string, and
//! `{{{value}}}` (raw) is kept for numbers and for text the plan has already validated.
//!
//! An escape function cannot fail, so one that meets a value its format cannot hold writes
//! [`POISON`] instead; [`Renderer::render`] refuses any output containing it.

use handlebars::Handlebars;
use serde::Serialize;

use crate::error::Error;

/// Marks a value the format cannot represent; never valid in any output.
pub const POISON: char = '\u{0}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML: every string a double-quoted scalar.
    Yaml,
    /// HCL (Terraform): quoted template strings with `${`/`%{` escaped.
    Hcl,
    /// Markdown: text is printed as is; control characters are refused.
    Markdown,
    /// HAProxy configuration: every value one bare word of safe characters, anything else refused.
    Haproxy,
    /// Bash: every value one single-quoted shell word; control characters refused.
    Shell,
    /// Mermaid: text inside a double-quoted label, every character but a few safe ones written
    /// as Mermaid's `#<code>;` entity; control characters refused.
    Mermaid,
    /// Graphviz DOT: text inside a double-quoted string, `"` and `\` escaped; control
    /// characters refused.
    Dot,
    /// keepalived.conf: every value one bare word of safe characters, anything else refused.
    Keepalived,
}

impl Format {
    fn escape_fn(self) -> fn(&str) -> String {
        match self {
            Format::Yaml => yaml_string,
            Format::Hcl => hcl_string,
            Format::Markdown => markdown_text,
            Format::Haproxy => haproxy_word,
            Format::Shell => shell_word,
            Format::Mermaid => mermaid_text,
            Format::Dot => dot_text,
            Format::Keepalived => keepalived_word,
        }
    }
}

/// A template registry for one format and one target.
pub struct Renderer {
    target: &'static str,
    registry: Handlebars<'static>,
}

impl Renderer {
    /// Registers `templates` (name, text), embedded at compile time by the target.
    pub fn new(
        target: &'static str,
        format: Format,
        templates: &[(&'static str, &'static str)],
    ) -> Result<Renderer, Error> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(format.escape_fn());
        for &(name, text) in templates {
            registry
                .register_template_string(name, text)
                .map_err(|e| Error::Render {
                    target,
                    message: format!("template {name}: {e}"),
                })?;
        }
        Ok(Renderer { target, registry })
    }

    /// Renders template `name` with `data`.
    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, Error> {
        self.render_context(name, &self.context(data)?)
    }

    /// Renders each of the templates `names` with the same `data`, made into a context once.
    pub fn render_each<T: Serialize>(
        &self,
        names: &[&str],
        data: &T,
    ) -> Result<Vec<String>, Error> {
        let context = self.context(data)?;
        names
            .iter()
            .map(|name| self.render_context(name, &context))
            .collect()
    }

    fn context<T: Serialize>(&self, data: &T) -> Result<handlebars::Context, Error> {
        handlebars::Context::wraps(data).map_err(|e| self.bug(e))
    }

    fn render_context(&self, name: &str, context: &handlebars::Context) -> Result<String, Error> {
        let out = self
            .registry
            .render_with_context(name, context)
            .map_err(|e| self.bug(e))?;
        if out.contains(POISON) {
            return Err(self.refused());
        }
        Ok(out)
    }

    fn refused(&self) -> Error {
        Error::Render {
            target: self.target,
            message: "a value cannot be written safely in this format".into(),
        }
    }

    fn bug(&self, e: handlebars::RenderError) -> Error {
        Error::Render {
            target: self.target,
            message: e.to_string(),
        }
    }
}

/// A YAML double-quoted scalar holding exactly `s`. JSON string syntax is valid YAML; beyond
/// JSON we also escape the characters YAML treats as line breaks or byte-order marks, and
/// every other non-printable character.
pub fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if !push_escape(&mut out, c) {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// An HCL quoted string holding exactly `s`: `"` `\` and control characters escaped, and the
/// template sequences `${` and `%{` doubled to `$${` and `%%{` so nothing is interpolated.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '$' | '%') && chars.peek() == Some(&'{') {
            out.push(c);
            out.push(c);
        } else if !push_escape(&mut out, c) {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Pushes the escape YAML's double-quoted scalars and HCL's quoted strings share for `c`
/// (`\"`, `\\`, `\n`, `\r`, `\t`, and `\uXXXX` for other control characters and the
/// characters YAML reads as line breaks or byte-order marks). False when `c` needs none.
fn push_escape(out: &mut String, c: char) -> bool {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            ) =>
        {
            push_unicode_escape(out, c)
        }
        _ => return false,
    }
    true
}

fn push_unicode_escape(out: &mut String, c: char) {
    let mut buf = [0u16; 2];
    for unit in c.encode_utf16(&mut buf) {
        out.push_str(&format!("\\u{unit:04X}"));
    }
}

/// Markdown text: printed as is, but a control character (other than a tab) is refused.
pub fn markdown_text(s: &str) -> String {
    if s.chars().any(|c| c.is_control() && c != '\t') {
        POISON.to_string()
    } else {
        s.to_string()
    }
}

/// One word of an HAProxy configuration line, written bare.
///
/// HAProxy splits a line into words at blanks, starts a comment at `#`, and interprets `\`,
/// `'`, `"` and `${NAME}` (an environment variable, expanded even inside double quotes; single
/// quotes cannot hold a `'`). So a value is written as is when it holds only printable ASCII
/// other than `# \ ' " $`, and refused ([`POISON`]) otherwise: a line break, a blank, a
/// quote, a comment or an expansion in a value could end the directive or add another. An
/// empty value is refused too, since it would shift the words after it.
///
/// Every value the plan puts into haproxy.cfg was validated as such a token (host names, IP
/// addresses, paths, user and variable names), so only a plan built some other way can be
/// refused here. Quoting is left to the template, where HAProxy's format allows it and a value
/// needs it: the statistics password is written `"${VAR}"` so that HAProxy expands it at start
/// as one word, whatever it holds.
pub fn haproxy_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_graphic() && !matches!(c, '#' | '\\' | '\'' | '"' | '$');
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        POISON.to_string()
    }
}

/// One word of a keepalived configuration line, written bare.
///
/// keepalived splits a line into words at blanks, starts a comment at `#` or `!`, reads `"`
/// as a quote, `{` and `}` as blocks, `$` as a parameter, and `@` and `~` at the start of a
/// word as conditional or sequence syntax. A value is written as is when it holds only
/// printable ASCII other than those and `'`, `\` and `;`, and refused ([`POISON`]) otherwise;
/// an empty value is refused too. Every value the plan gives keepalived was validated as such
/// a word (IP addresses, interface and host names, numbers).
pub fn keepalived_word(s: &str) -> String {
    let safe = |c: char| {
        c.is_ascii_graphic()
            && !matches!(
                c,
                '#' | '!' | '"' | '\'' | '\\' | '$' | '{' | '}' | '@' | '~' | ';'
            )
    };
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        POISON.to_string()
    }
}

/// One bash word that holds exactly `s`, wherever a word may stand (an argument, the value of
/// an assignment, an array element); never inside double quotes or a here-document, where
/// bash would expand what the single quotes protect.
///
/// The value is single-quoted, where bash interprets nothing: not `$`, backticks, `\`, `"`,
/// `*`, `#`, blanks or non-ASCII text. A `'` would end the quoted part, so it is written
/// `'\''` (end the quote, an escaped quote, start a new one). Every value is quoted, even one
/// that would be safe bare, so a reader (and ShellCheck) never has to work out whether it is.
///
/// Refused ([`POISON`]): control characters (a line break would make a value look like two
/// lines of script, a NUL cannot be held by bash at all) and the Unicode bidirectional
/// controls, which make a script display differently from what bash runs. Every value the
/// plan holds was validated to be free of them; only a plan built some other way is refused.
pub fn shell_word(s: &str) -> String {
    let refused = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if s.chars().any(refused) {
        return POISON.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Text for inside a Mermaid double-quoted label (`a["..."]`, `-->|"..."|`). Mermaid ends
/// such a label at `"`, reads `#...;` as an entity and, with HTML labels, renders `<b>` as
/// markup; a backtick could end the Markdown code fence the diagram sits in. So every character
/// but ASCII letters, digits, blanks and `. , : / - _ ( ) = + @ *` is written as Mermaid's
/// decimal entity `#<code>;` (`"` as `#34;`, `<` as `#60;`, `é` as `#233;`), which Mermaid turns
/// back into the character. Control characters (a line break would end the statement) are
/// refused ([`POISON`]).
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_control() => return POISON.to_string(),
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '.'
            | ','
            | ':'
            | '/'
            | '-'
            | '_'
            | '('
            | ')'
            | '='
            | '+'
            | '@'
            | '*' => out.push(c),
            c => out.push_str(&format!("#{};", u32::from(c))),
        }
    }
    out
}

/// Text for inside a Graphviz DOT double-quoted string: `"` and `\` escaped with `\` (so no
/// value ends the string or forms one of DOT's label escapes such as `\N` or `\l`). Control
/// characters (a line break inside a string, a NUL) are refused ([`POISON`]); the templates
/// write DOT's own `\n` between the lines of a label.
pub fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_control() => return POISON.to_string(),
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_and_dot_text_escape_or_refuse() {
        assert_eq!(mermaid_text("elb-impala-c1 :21000"), "elb-impala-c1 :21000");
        assert_eq!(
            mermaid_text("a\"b<i>#`&é"),
            "a#34;b#60;i#62;#35;#96;#38;#233;"
        );
        assert_eq!(mermaid_text("end"), "end");
        assert_eq!(dot_text("a\"b\\N c"), "a\\\"b\\\\N c");
        assert_eq!(dot_text("Zürich <b>"), "Zürich <b>");
        for bad in ["a\nb", "a\rb", "\u{0}", "\u{1b}[31m", "\u{85}"] {
            assert_eq!(mermaid_text(bad), POISON.to_string(), "{bad:?}");
            assert_eq!(dot_text(bad), POISON.to_string(), "{bad:?}");
        }
    }

    #[test]
    fn yaml_strings_round_trip_through_another_parser() {
        for s in [
            "plain",
            "quote \" and \\ back",
            "colon: hash # !Ref x",
            "line\nbreak\r\ttab",
            "ünïcödé ✓ 🚀",
            "\u{2028}\u{0085}\u{1}",
            "'single'",
            "- dash",
            "null",
            "123",
            "",
        ] {
            let doc = format!("v: {}\n", yaml_string(s));
            let back: std::collections::BTreeMap<String, String> =
                yaml_serde::from_str(&doc).unwrap();
            assert_eq!(back["v"], s, "{doc}");
            let ours = crate::spec::yaml::parse(&doc).unwrap().to_json();
            assert_eq!(ours["v"], s, "{doc}");
        }
    }

    #[test]
    fn hcl_strings_escape_templates() {
        assert_eq!(hcl_string("a ${b} %{c} $d %e"), r#""a $${b} %%{c} $d %e""#);
        assert_eq!(hcl_string("q\"\\\n"), r#""q\"\\\n""#);
        assert_eq!(hcl_string("$${x}"), r#""$$${x}""#);
    }

    #[test]
    fn haproxy_words_refuse_what_could_inject() {
        for ok in [
            "impalad-01.example.com",
            "[2001:db8::1]:21050",
            "/etc/haproxy/a.pem",
            "*:21000",
            "/healthz?x=1&y=%20",
        ] {
            assert_eq!(haproxy_word(ok), ok);
        }
        for bad in [
            "", "a\nb", "a\rb", "a b", "a\tb", "a#b", "a\"b", "a'b", "a\\b", "${X}", "$X", "é",
            "a\u{0}b",
        ] {
            assert_eq!(haproxy_word(bad), POISON.to_string(), "{bad:?}");
        }
        let r = Renderer::new(
            "test",
            Format::Haproxy,
            &[("t", "server {{name}} {{addr}} check")],
        )
        .unwrap();
        assert_eq!(
            r.render(
                "t",
                &serde_json::json!({"name": "a", "addr": "10.0.0.1:21050"})
            )
            .unwrap(),
            "server a 10.0.0.1:21050 check"
        );
        for name in [
            "a\n    server evil 6.6.6.6:1",
            "a # x",
            "a b",
            "\"a\"",
            "${HOME}",
        ] {
            assert!(
                r.render("t", &serde_json::json!({"name": name, "addr": "x:1"}))
                    .is_err(),
                "{name:?}"
            );
        }
    }

    #[test]
    fn keepalived_words_refuse_what_could_inject() {
        for ok in [
            "10.0.0.10/24",
            "eth0",
            "bond0.100",
            "lb-1.example.com",
            "2001:db8::10",
        ] {
            assert_eq!(keepalived_word(ok), ok);
        }
        for bad in [
            "", "a b", "a\nb", "a#b", "!x", "a\"b", "a'b", "$X", "a{", "}", "@main", "~SEQ", "a;b",
            "é",
        ] {
            assert_eq!(keepalived_word(bad), POISON.to_string(), "{bad:?}");
        }
    }

    #[test]
    fn shell_words_hold_exactly_the_value_in_bash() {
        let values = [
            "plain",
            "vpc-0d1e2f3a4b5c6d7e8",
            "10.30.0.0/16",
            "arn:aws:acm:us-west-2:123456789012:certificate/0f1e",
            "cluster1 Impala FE",
            "it's",
            "''",
            "'\\''",
            "$(touch /tmp/impala-lbgen-pwned)",
            "`touch /tmp/impala-lbgen-pwned`",
            "${HOME} $HOME $0 $@ $* $? $$ $! $-",
            "\"double\" and \\ back \\",
            "* ? [a-z] ~ ~root {a,b} !! #",
            "a;b|c&d>e<f(g)h",
            "Zürich ünïcödé ✓ 🚀",
            "\u{2028}\u{2029}\u{a0}",
            "-n",
            "--profile",
            "",
            " ",
        ];
        for v in values {
            let word = shell_word(v);
            assert_ne!(word, POISON.to_string(), "{v:?}");
            let out = std::process::Command::new("bash")
                .args(["-c", &format!("printf '%s' {word}")])
                .output()
                .expect("run bash");
            assert!(out.status.success(), "{word}");
            assert_eq!(String::from_utf8(out.stdout).unwrap(), v, "{word}");
        }
        assert_eq!(
            shell_word("vpc-0d1e2f3a4b5c6d7e8"),
            "'vpc-0d1e2f3a4b5c6d7e8'"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{0}b",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "a\u{202e}b",
            "\u{2066}x",
        ] {
            assert_eq!(shell_word(bad), POISON.to_string(), "{bad:?}");
        }
        let r = Renderer::new("test", Format::Shell, &[("t", "echo {{v}} {{{n}}}")]).unwrap();
        assert_eq!(
            r.render("t", &serde_json::json!({"v": "a b", "n": 5}))
                .unwrap(),
            "echo 'a b' 5"
        );
        assert!(r
            .render("t", &serde_json::json!({"v": "a\nrm -rf /", "n": 5}))
            .is_err());
    }

    #[test]
    fn strict_mode_and_poison_refuse_bad_output() {
        let r = Renderer::new("test", Format::Markdown, &[("t", "{{name}} {{missing}}")]).unwrap();
        assert!(r.render("t", &serde_json::json!({"name": "x"})).is_err());
        let r = Renderer::new("test", Format::Markdown, &[("t", "{{name}}")]).unwrap();
        assert!(r.render("t", &serde_json::json!({"name": "a\nb"})).is_err());
        assert_eq!(
            r.render("t", &serde_json::json!({"name": "a <b> & c"}))
                .unwrap(),
            "a <b> & c"
        );
        let r = Renderer::new("test", Format::Yaml, &[("t", "k: {{v}}\nn: {{{n}}}")]).unwrap();
        assert_eq!(
            r.render("t", &serde_json::json!({"v": "a<b>", "n": 5}))
                .unwrap(),
            "k: \"a<b>\"\nn: 5"
        );
    }
}
