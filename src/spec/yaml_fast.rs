//! A fast reader for the plain block YAML that specs are written in, in front of
//! saphyr-parser.
//!
//! A spec is block mappings and sequences of one-line scalars, with a few one-line flow
//! collections and comments. For a large cluster, saphyr-parser's general scanner was most of a
//! run (16M instructions for a 1,000-daemon spec). This reader accepts only that subset and
//! builds the same tree, spans included, in a fraction of that. Whenever it meets anything else
//! (anchors, tags, block scalars, escapes, multi-line values, an empty value, a duplicate key,
//! a tab, a syntax error) it gives up, returning `None`, and [`super::yaml::parse`] reads the
//! text with saphyr-parser as before, so every error and every unusual document goes the one
//! well-tested way. The tests and the fuzzer compare both readers on every document this one
//! accepts.

use super::yaml::{resolve_scalar, Entry, Node, NodeKind, Span, MAX_DEPTH, MAX_NODES};
use saphyr_parser::ScalarStyle;

/// The tree of `text`, or `None` when `text` is not in the subset this reader knows.
pub(super) fn read(text: &str) -> Option<Node> {
    let mut reader = Reader::new(text)?;
    let first = reader.lines.first()?;
    let node = reader.block(first.indent, 0)?;
    // Anything left is at a smaller indent than the root: not ours.
    if reader.at < reader.lines.len() {
        return None;
    }
    Some(node)
}

/// A line with content (not blank, not only a comment).
struct Line<'a> {
    /// 1-based.
    number: usize,
    /// Leading spaces.
    indent: usize,
    text: &'a str,
    ascii: bool,
}

impl Line<'_> {
    /// The 1-based column of byte `offset`, in characters.
    fn col(&self, offset: usize) -> usize {
        match self.ascii {
            true => offset + 1,
            false => self.text[..offset].chars().count() + 1,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            line: self.number,
            col: self.col(start),
            end_line: self.number,
            end_col: self.col(end),
        }
    }
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    /// The next line to read.
    at: usize,
    /// Where the text ends, for the blocks that end with it.
    end: Span,
    nodes: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Option<Reader<'a>> {
        // One allocation of the right size (an upper bound: blank and comment lines are not
        // kept), not a series of doublings, each a size class of its own in the allocator.
        let breaks = text
            .as_bytes()
            .iter()
            .fold(0, |n, &b| n + usize::from(b == b'\n'));
        let mut lines = Vec::with_capacity(breaks + 1);
        let mut number = 0;
        let mut last = "";
        for (raw, printable) in split_lines(text) {
            number += 1;
            last = raw;
            let ascii = printable || raw.is_ascii();
            // Characters YAML treats specially anywhere (tabs, other line breaks, byte-order
            // marks, control characters) are left to the full parser.
            if !printable {
                let odd = |c: char| {
                    c.is_control()
                        || matches!(
                            c,
                            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                        )
                };
                if raw.chars().any(odd) {
                    return None;
                }
            }
            let indent = raw.bytes().take_while(|&b| b == b' ').count();
            let rest = &raw[indent..];
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            // Directives and document markers.
            if indent == 0
                && (rest.starts_with('%') || rest.starts_with("---") || rest.starts_with("..."))
            {
                return None;
            }
            lines.push(Line {
                number,
                indent,
                text: raw,
                ascii,
            });
        }
        // A last line of spaces or a comment without a line break after it ends blocks at
        // other places in saphyr-parser: not ours.
        if !last.is_empty() && lines.last().is_none_or(|l: &Line| l.number != number) {
            return None;
        }
        // saphyr-parser ends the stream at the start of the line after the last one.
        let end_line = if last.is_empty() { number } else { number + 1 };
        Some(Reader {
            lines,
            at: 0,
            end: mark(end_line, 1),
            nodes: 0,
        })
    }

    /// The end of the block that ends before line `self.at`: the start of that line, as
    /// saphyr-parser marks the end of a block at the token that ends it.
    fn block_end(&self) -> Span {
        match self.lines.get(self.at) {
            Some(line) => mark(line.number, line.indent + 1),
            None => self.end,
        }
    }

    /// How many lines from `from` on start at `indent` before the block at `indent` ends: the
    /// number of items or keys the block will have, at most. A list sized once is one
    /// allocation, not a series of doublings, each a size class (a page) of its own in the
    /// allocator; for a large cluster's daemons, these were a megabyte of the heap's span.
    fn count_at(&self, from: usize, indent: usize) -> usize {
        self.lines[from.min(self.lines.len())..]
            .iter()
            .take_while(|l| l.indent >= indent)
            .filter(|l| l.indent == indent)
            .count()
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// The block collection whose first line is `self.at`, at `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node> {
        let line = &self.lines[self.at];
        if line.indent != indent {
            return None;
        }
        match is_dash(&line.text[indent..]) {
            true => self.sequence(indent, depth),
            false => self.mapping(self.at, indent, depth),
        }
    }

    /// A block sequence at `indent`: lines `- value` or `- key: value` (a mapping that goes on in
    /// the lines below at the key's column).
    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Node> {
        // (A flow collection inside counts one more level; deep documents are the full
        // parser's, which reports the limit.)
        if depth + 2 >= MAX_DEPTH {
            return None;
        }
        self.count()?;
        let first = &self.lines[self.at];
        let start = Span::point(first.number, first.col(indent));
        let mut items = Vec::with_capacity(self.count_at(self.at, indent));
        loop {
            let index = self.at;
            let line = &self.lines[index];
            let text = line.text;
            // After "-", at least one space, then the item on this line.
            let item = indent
                + 1
                + (text[indent + 1..].len() - text[indent + 1..].trim_start_matches(' ').len());
            if item == indent + 1 || at_end(text, item) {
                return None; // "-" alone, or a nested sequence: the full parser's
            }
            if key_at(text, item).is_some() {
                items.push(self.mapping(index, item, depth + 1)?);
            } else {
                if is_dash(&text[item..]) {
                    return None;
                }
                let (node, after) = self.value(index, item, false)?;
                end_of_line(text, after)?;
                items.push(node);
                self.at += 1;
            }
            match self.lines.get(self.at) {
                Some(next) if next.indent == indent && is_dash(&next.text[indent..]) => continue,
                Some(next) if next.indent >= indent => return None,
                _ => break,
            }
        }
        Some(Node {
            kind: NodeKind::Seq(items),
            span: start.to(self.block_end()),
        })
    }

    /// A block mapping whose first key is on line `index` at byte `col`; its later keys are on
    /// lines of their own indented by `col`.
    fn mapping(&mut self, index: usize, col: usize, depth: usize) -> Option<Node> {
        if depth + 2 >= MAX_DEPTH {
            return None;
        }
        self.count()?;
        self.at = index;
        let start = {
            let line = &self.lines[index];
            Span::point(line.number, line.col(col))
        };
        let mut entries: Vec<Entry> = Vec::with_capacity(1 + self.count_at(index + 1, col));
        let mut key_col = col;
        loop {
            let index = self.at;
            let line = &self.lines[index];
            let text = line.text;
            let (key, colon) = key_at(text, key_col)?;
            if entries.iter().any(|e| e.key == key) {
                return None; // the full parser reports it
            }
            let key_span = line.span(key_col, key_col + key.len());
            self.count()?;
            let after = colon + 1;
            let value = if at_end(text, after) {
                // The value is the block below, indented further.
                self.at += 1;
                match self.lines.get(self.at) {
                    Some(next) if next.indent > key_col => self.block(next.indent, depth + 1)?,
                    _ => return None, // empty, or a sequence at the key's indent
                }
            } else {
                let (node, end) = self.value(index, skip_spaces(text, after), false)?;
                end_of_line(text, end)?;
                self.at += 1;
                node
            };
            entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value,
            });
            match self.lines.get(self.at) {
                Some(next) if next.indent == col => {
                    if is_dash(&next.text[col..]) {
                        return None;
                    }
                    key_col = col;
                }
                Some(next) if next.indent > col => return None,
                _ => break,
            }
        }
        Some(Node {
            kind: NodeKind::Map(entries),
            span: start.to(self.block_end()),
        })
    }

    /// The one-line value at byte `at` of line `index` (`flow`: inside `[...]` or `{...}`), and
    /// the byte after it.
    fn value(&mut self, index: usize, at: usize, flow: bool) -> Option<(Node, usize)> {
        self.count()?;
        let line = &self.lines[index];
        let text = line.text;
        let rest = &text[at..];
        let (kind, end) = match rest.as_bytes().first()? {
            quote @ (b'"' | b'\'') => {
                let close = rest[1..].find(*quote as char)? + 1;
                let inner = &rest[1..close];
                // An escape, or '' for a quote: the full parser's.
                if inner.contains('\\') || rest[close + 1..].starts_with(*quote as char) {
                    return None;
                }
                let end = at + close + 1;
                // saphyr-parser ends a quoted scalar after the spaces that follow it, and in a
                // block where the line's text ends (after any comment).
                let span_end = if flow {
                    skip_spaces(text, end)
                } else {
                    text.len()
                };
                let span = self.lines[index].span(at, span_end);
                return Some((
                    Node {
                        kind: NodeKind::Str(inner.to_owned()),
                        span,
                    },
                    end,
                ));
            }
            b'[' if !flow => return self.flow_sequence(index, at),
            b'{' if !flow => return self.flow_mapping(index, at),
            _ => {
                let len = plain(rest, flow)?;
                let kind = resolve(&rest[..len])?;
                (kind, at + len)
            }
        };
        let span = self.lines[index].span(at, end);
        Some((Node { kind, span }, end))
    }

    /// `[a, b]` on one line, of scalars.
    fn flow_sequence(&mut self, index: usize, at: usize) -> Option<(Node, usize)> {
        let mut items = Vec::new();
        let end = self.flow_items(index, at, b']', |reader, i| {
            let (node, end) = reader.value(index, i, true)?;
            items.push(node);
            Some(end)
        })?;
        Some((self.flow_node(index, at, NodeKind::Seq(items)), end))
    }

    /// `{k: v, ...}` on one line, of scalars.
    fn flow_mapping(&mut self, index: usize, at: usize) -> Option<(Node, usize)> {
        let mut entries: Vec<Entry> = Vec::new();
        let end = self.flow_items(index, at, b'}', |reader, i| {
            let text = reader.lines[index].text;
            let (key, colon) = key_at(text, i)?;
            if entries.iter().any(|e| e.key == key) || text.as_bytes().get(colon + 1) != Some(&b' ')
            {
                return None;
            }
            let key_span = reader.lines[index].span(i, i + key.len());
            reader.count()?;
            let (value, end) = reader.value(index, skip_spaces(text, colon + 1), true)?;
            entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value,
            });
            Some(end)
        })?;
        Some((self.flow_node(index, at, NodeKind::Map(entries)), end))
    }

    /// Reads the items of the one-line flow collection opened at byte `at` of line `index` and
    /// closed by `close`, each with `item` (given its first byte, it returns the byte after it).
    /// Returns the byte after `close`; `None` for a trailing comma or anything but `,` between
    /// items.
    fn flow_items(
        &mut self,
        index: usize,
        at: usize,
        close: u8,
        mut item: impl FnMut(&mut Self, usize) -> Option<usize>,
    ) -> Option<usize> {
        let text = self.lines[index].text;
        let mut i = skip_spaces(text, at + 1);
        if text.as_bytes().get(i) == Some(&close) {
            return Some(i + 1);
        }
        loop {
            i = skip_spaces(text, item(self, i)?);
            match *text.as_bytes().get(i)? {
                b',' => i = skip_spaces(text, i + 1),
                b if b == close => return Some(i + 1),
                _ => return None,
            }
            if text.as_bytes().get(i) == Some(&close) {
                return None; // a trailing comma
            }
        }
    }

    /// A flow collection's node: saphyr-parser ends it, in a block, where the line's text ends.
    fn flow_node(&self, index: usize, at: usize, kind: NodeKind) -> Node {
        let line = &self.lines[index];
        Node {
            kind,
            span: line.span(at, line.text.len()),
        }
    }
}

/// The lines of `text`, split at `\n` as `str::split` does, each with whether it holds only
/// printable ASCII (the common case).
fn split_lines(text: &str) -> impl Iterator<Item = (&str, bool)> {
    // `find` looks for the line break a word at a time, and the printable check runs over
    // blocks of 16 bytes without stopping early, which the compiler vectorises.
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        let (line, next) = match r.find('\n') {
            Some(i) => (&r[..i], Some(&r[i + 1..])),
            None => (r, None),
        };
        rest = next;
        let printable = line.as_bytes().chunks(16).all(|block| {
            block
                .iter()
                .fold(true, |all, &b| all & (b' '..=b'~').contains(&b))
        });
        Some((line, printable))
    })
}

/// An empty span at `line`:`col`, where saphyr-parser puts the event that ends a block.
fn mark(line: usize, col: usize) -> Span {
    Span {
        line,
        col,
        end_line: line,
        end_col: col,
    }
}

/// `- ` or a `-` that ends the line: a sequence entry.
fn is_dash(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// Only spaces, or spaces and a comment, from byte `at` to the end of the line.
fn at_end(text: &str, at: usize) -> bool {
    let rest = text[at..].trim_start_matches(' ');
    rest.is_empty() || (rest.starts_with('#') && (rest.len() < text[at..].len() || at == 0))
}

/// After a value: nothing but spaces and a comment (after at least one space).
fn end_of_line(text: &str, at: usize) -> Option<()> {
    let rest = &text[at..];
    let trimmed = rest.trim_start_matches(' ');
    (trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())).then_some(())
}

fn skip_spaces(text: &str, at: usize) -> usize {
    at + (text[at..].len() - text[at..].trim_start_matches(' ').len())
}

/// A simple key at byte `at` (letters, digits and `_-./@+`, starting with a letter, a digit or
/// `_`, that reads as a string, not as a number or `true`) followed by `:` and then a space or the end of the line: the key
/// and the byte of the colon.
fn key_at(text: &str, at: usize) -> Option<(&str, usize)> {
    // Bytes, not characters: every byte of a character outside ASCII is a word byte, and the
    // rest are ASCII, so the same text is taken (and a key ends on a character boundary).
    let bytes = text.as_bytes();
    let rest = &bytes[at..];
    let first = *rest.first()?;
    if !(word_byte(first) || first == b'_') {
        return None;
    }
    let len = rest
        .iter()
        .position(|&b| !KEY_BYTES[usize::from(b)])
        .unwrap_or(rest.len());
    let colon = at + len;
    if bytes.get(colon) != Some(&b':') || !matches!(bytes.get(colon + 1), None | Some(b' ')) {
        return None;
    }
    let key = &text[at..colon];
    // `true`, `null` and the like are keys the full parser turns into other text.
    is_text(key).then_some((key, colon))
}

/// The length of the plain scalar at the start of `rest`, trailing spaces excluded; `None`
/// when it is not a one-line plain scalar of ordinary characters (or would be read as a key,
/// a comment or a flow indicator).
fn plain(rest: &str, flow: bool) -> Option<usize> {
    // Bytes, as in `key_at`: the indicators are ASCII, and a character outside ASCII is taken
    // whole, so the length ends on a character boundary.
    let bytes = rest.as_bytes();
    let first = *bytes.first()?;
    let starts = word_byte(first)
        || matches!(first, b'_' | b'.' | b'/')
        || (first == b'-' && matches!(bytes.get(1), Some(b'0'..=b'9' | b'.')));
    if !starts {
        return None;
    }
    let mut len = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if PLAIN_BYTES[usize::from(b)] {
            i += 1;
            len = i;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match b {
            b' ' => {
                // A comment, or spaces inside or after the value.
                if next == Some(b'#') {
                    break;
                }
                i += 1;
                continue;
            }
            b':' => match next {
                // "a: b" would be a key; "a:b" is text.
                None | Some(b' ') => return None,
                Some(b',' | b']' | b'}') if flow => return None,
                _ => {}
            },
            b',' | b']' | b'}' if flow => break,
            _ => return None,
        }
        i += 1;
        len = i;
    }
    Some(len)
}

/// A plain scalar's value by YAML 1.2's core schema ([`resolve_scalar`]); `None` for a number
/// too large. Most values are names, which start with a letter no number, `null`, `true` or
/// `false` can start with: those are strings without further checks.
fn resolve(text: &str) -> Option<NodeKind> {
    match surely_text(text) {
        true => Some(NodeKind::Str(text.to_owned())),
        false => resolve_scalar(text, ScalarStyle::Plain).ok(),
    }
}

/// Whether the plain scalar `text` resolves to a string ([`resolve`] without building it).
fn is_text(text: &str) -> bool {
    surely_text(text)
        || matches!(
            resolve_scalar(text, ScalarStyle::Plain),
            Ok(NodeKind::Str(_))
        )
}

/// True when `text` starts with a letter no number, `null`, `true` or `false` can start with
/// (or a character outside ASCII): a string without further checks.
fn surely_text(text: &str) -> bool {
    matches!(text.as_bytes().first(),
        Some(b) if !b.is_ascii() || (b.is_ascii_alphabetic() && !b"nNtTfF".contains(b)))
}

/// Bytes of the characters a simple key holds: [`word_byte`]s and `_-./@+`.
static KEY_BYTES: [bool; 256] = byte_table(b"_-./@+");

/// Bytes a plain scalar holds anywhere (beside the spaces and colons [`plain`] looks around):
/// [`word_byte`]s and `_./-@+=()%~^$`.
static PLAIN_BYTES: [bool; 256] = byte_table(b"_./-@+=()%~^$");

/// A table of [`word_byte`]s and `extra`: one load a byte, where the tests were most of the
/// reader's time.
const fn byte_table(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = word_byte(b as u8);
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// An ASCII letter or digit, or a byte of a character outside ASCII: YAML's indicators are all
/// ASCII, and the characters outside it that YAML treats specially (line and paragraph
/// separators, byte-order marks, control characters) never reach this reader.
const fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || !b.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml::parse_full;

    /// The block-wise line splitter gives what splitting at `\n` and checking each byte does,
    /// for lines of every length around the 16-byte blocks and odd bytes at every place.
    #[test]
    fn lines_split_as_str_split_does() {
        let mut texts = vec![String::new(), "\n".into(), "\n\n".into(), "é\nü".into()];
        for len in 0..40usize {
            for odd in [None, Some(0), Some(len / 2), Some(len.saturating_sub(1))] {
                let mut line: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                if let Some(at) = odd.filter(|&at| at < len) {
                    line[at] = b'\t';
                }
                let line = String::from_utf8(line).unwrap();
                texts.push(format!("{line}\n{line}"));
                texts.push(format!("{line}\n"));
                texts.push(format!("x\n{line}\n\ny{line}"));
            }
        }
        for text in &texts {
            let want: Vec<(&str, bool)> = text
                .split('\n')
                .map(|l| (l, l.bytes().all(|b| (b' '..=b'~').contains(&b))))
                .collect();
            assert_eq!(split_lines(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    /// Both readers' results, as text (so that NaN equals NaN).
    fn both(text: &str) -> (Option<String>, String) {
        let fast = read(text).map(|n| format!("{:?}", Ok::<_, ()>(n)));
        let full = match parse_full(text) {
            Ok(n) => format!("{:?}", Ok::<_, ()>(n)),
            Err(e) => format!("{e:?}"),
        };
        (fast, full)
    }

    fn same_or_declined(text: &str) -> bool {
        let (fast, full) = both(text);
        if let Some(fast) = &fast {
            if fast != &full {
                let at = fast
                    .bytes()
                    .zip(full.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let from = at.saturating_sub(300);
                panic!(
                    "the readers differ on:\n{text}\n---\nfast: ...{}\nfull: ...{}",
                    &fast[from..(at + 100).min(fast.len())],
                    &full[from..(at + 100).min(full.len())]
                );
            }
        }
        fast.is_some()
    }

    fn shipped() -> Vec<(String, String)> {
        let mut docs = Vec::new();
        for dir in [
            "examples",
            "tests/fixtures/terraform",
            "tests/fixtures/haproxy",
        ] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    docs.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        docs.push(("init".into(), crate::app::STARTER.to_string()));
        docs
    }

    #[test]
    fn reads_every_shipped_spec_as_saphyr_does() {
        let docs = shipped();
        assert!(docs.len() >= 10, "{}", docs.len());
        for (name, text) in docs {
            assert!(
                same_or_declined(&text),
                "{name} is not read by the fast reader"
            );
        }
    }

    #[test]
    fn reads_a_large_cluster() {
        let mut text = String::from("cluster: c1\ndaemons:\n");
        for i in 0..300 {
            text.push_str(&format!(
                "  - host: ip-10-0-{i}.ec2.internal\n    instance_id: i-{i:017x}\n"
            ));
        }
        text.push_str("aws:\n  vpc_id: vpc-1\n  subnets: [subnet-1, subnet-2]   # two zones\n");
        assert!(same_or_declined(&text));
    }

    #[test]
    fn agrees_on_edges_or_declines() {
        let cases = [
            "a: 1",
            "a: 1\n",
            "a: 1\n\n\n",
            "a: 1\n# end\n",
            "a: 1\n# end",
            "a: 1\n  # indented comment\n",
            "# only a comment\n",
            "",
            "\n\n",
            "a:\n  b: 1\nc: 2\n",
            "a:\n  b:\n    c: x y  # z\nd: [1, 'two', \"three\"]\n",
            "a:\n- 1\n- 2\n",
            "a:\n  - 1\n  -  2\n",
            "-  a: 1\n   b: 2\n- c\n",
            "- a\n- b\n",
            "a: {}\nb: []\nc: { x: 1 , y: z }\nd: [ 1 ,2 ]\n",
            "a: {x: 1,}\n",
            "a: [1,]\n",
            "a: [1, [2]]\n",
            "a: {x: {y: 1}}\n",
            "a: b: c\n",
            "a: b:c\n",
            "a: b:\n",
            "a: http://x/y?z=1\n",
            "a: 10.0.0.0/8\n",
            "a: 2001:db8::1\n",
            "a: -1\nb: -.5\nc: .inf\nd: .nan\ne: 0x1F\nf: 1e3\ng: 99999999999999999999\n",
            "a: true\nb: no\nc: ~\nd: null\n",
            "true: 1\n",
            "null: 1\n",
            "a: 1\na: 2\n",
            "a: 'it''s'\n",
            "a: \"q\\\"\"\n",
            "a: \"\"\nb: ''\n",
            "a: Zürich ✓\nb: 'ü'\n",
            "a: x\n  y\n",
            "a: x #c\nb: x#c\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  x\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a:\tb\n",
            "a: 1\r\nb: 2\r\n",
            "\u{feff}a: 1\n",
            "a: x\u{2028}y\n",
            "  a: 1\n  b: 2\n",
            "  a: 1\nb: 2\n",
            "a:\n    b: 1\n  c: 2\n",
            "a:\n  - b: 1\n    c: 2\n  - d: 3\ne: 4\n",
            "a:\n  - b: 1\n     c: 2\n",
            "a:\n  -\n    b: 1\n",
            "a:\n  - - 1\n",
            "a: [x, y]  # c\n",
            "a: [x, y] z\n",
            "a: {x: 1}# c\n",
            "a: 'x' # c\n",
            "key with space: 1\n",
            "a-b_c: 1\n_d: 2\n",
            "a: -\n",
            "a: - b\n",
            "? a\n: 1\n",
            "a: @x\n",
            "a: `x`\n",
            "a: %x\n",
            "a: x,y\n",
            "a: [x,y]\n",
            "a: [x:y]\n",
            "a: {x:y}\n",
            "a: {x: y:z}\n",
            "a: [\"x, y\", 'z]']\n",
        ];
        for case in cases {
            same_or_declined(case);
        }
    }

    /// `IMPALA_LBGEN_YAML_ROUNDS` (default 1,500) rounds of damage.
    fn rounds() -> usize {
        std::env::var("IMPALA_LBGEN_YAML_ROUNDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1500)
    }

    /// Random damage to the shipped specs: whatever the fast reader accepts, saphyr-parser reads
    /// the same way.
    #[test]
    fn agrees_on_damaged_specs_or_declines() {
        let docs = shipped();
        const PIECES: &[&str] = &[
            ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "\"", "'", "\n", "  ", " ", "#", " #",
            "&a ", "*a", "!", "|", ">", "~", "?", "%", "@", "`", "\\", "1", "é", "\t", "\r",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
        };
        let mut accepted = 0;
        for round in 0..rounds() {
            let (_, text) = &docs[round % docs.len()];
            let mut text = text.clone();
            for _ in 0..1 + next(2) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => {
                        let mut end = (at + 1 + next(4)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => text.insert_str(at, PIECES[next(PIECES.len())]),
                }
            }
            if same_or_declined(&text) {
                accepted += 1;
            }
        }
        // Most damage is still plain YAML somewhere: the comparison has to have been made.
        assert!(accepted > 300, "{accepted}");
    }
}
