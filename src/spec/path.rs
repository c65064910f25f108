//! Field paths such as `aws.access_logs.bucket` or `daemons[1].host`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from the root of the spec to one of its nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(Vec<Seg>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// Parses the dotted form: `aws.access_logs.bucket`, `daemons[1].host`.
    pub fn parse(text: &str) -> Path {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|p| !p.is_empty()) {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                segs.push(Seg::Key(name.to_string()));
            }
            while let Some(end) = rest.find(']') {
                match rest[1..end].parse() {
                    Ok(i) => segs.push(Seg::Index(i)),
                    Err(_) => segs.push(Seg::Key(rest[1..end].to_string())),
                }
                rest = &rest[end + 1..];
            }
        }
        Path(segs)
    }

    pub fn key(&self, key: impl Into<String>) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.into()));
        p
    }

    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    pub fn push(&mut self, seg: Seg) {
        self.0.push(seg);
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for text in [
            "aws.access_logs.bucket",
            "daemons[1].host",
            "cluster",
            "a[0][2].b",
        ] {
            assert_eq!(Path::parse(text).to_string(), text);
        }
        assert_eq!(
            Path::root().key("daemons").index(3).key("host").to_string(),
            "daemons[3].host"
        );
    }
}
