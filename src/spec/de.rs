//! serde straight from the YAML tree, for a spec the precompiled schema check accepted.
//!
//! It behaves as deserialising [`Node::to_json`] does (positive integers as `u64`, a float
//! that JSON cannot hold as null, a string as an enum's unit variant), without building the
//! JSON. Its errors only say that it declined: [`super::load`] then takes the full path
//! through the JSON form, which words every problem. The tests and the fuzzer check that both
//! give the same model.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::yaml::{Entry, Node, NodeKind};

/// Why the tree could not be deserialised; the JSON path explains it properly.
#[derive(Debug)]
pub struct Declined(String);

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Declined(msg.to_string())
    }
}

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            // serde_json holds a non-negative integer as u64.
            NodeKind::Int(i) if *i >= 0 => visitor.visit_u64(*i as u64),
            NodeKind::Int(i) => visitor.visit_i64(*i),
            NodeKind::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            NodeKind::Float(_) => visitor.visit_unit(),
            NodeKind::Str(s) => visitor.visit_borrowed_str(s),
            NodeKind::Seq(items) => visitor.visit_seq(Items(items.iter())),
            NodeKind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        if self.is_json_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        // The model's enums are unit variants written as strings.
        match &self.kind {
            NodeKind::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(de::Error::custom("expected a string for an enum")),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

struct Items<'de>(std::slice::Iter<'de, Node>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Declined> {
        self.0.next().map(|n| seed.deserialize(n)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    entries: std::slice::Iter<'de, Entry>,
    value: Option<&'de Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        match self.entries.next() {
            Some(e) => {
                self.value = Some(&e.value);
                let key: de::value::BorrowedStrDeserializer<'de, Declined> =
                    de::value::BorrowedStrDeserializer::new(&e.key);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        match self.value.take() {
            Some(v) => seed.deserialize(v),
            None => Err(de::Error::custom("a value without its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use crate::spec::model::Spec;
    use crate::spec::yaml;

    /// Every shipped example gives the same model from the tree as from its JSON form.
    #[test]
    fn the_tree_deserialises_as_its_json_does() {
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let tree = yaml::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let from_json = Spec::deserialize(&tree.to_json()).unwrap();
            let from_tree = Spec::deserialize(&tree).unwrap();
            assert_eq!(from_tree, from_json, "{}", path.display());
        }
    }

    /// Where serde_json declines a value, so does the tree; where it accepts, both agree.
    #[test]
    fn odd_values_behave_as_in_json() {
        let cases = [
            "cluster: c\ndaemons: [{host: a}]\nidle_timeout: .inf\n",
            "cluster: c\ndaemons: [{host: a}]\nidle_timeout: 1.0\n",
            "cluster: c\ndaemons: [{host: a}]\nidle_timeout: -5\n",
            "cluster: c\ndaemons: [{host: a}]\nidle_timeout: 99999999999\n",
            "cluster: c\ndaemons: [{host: a}]\nidle_timeout: 5m\n",
            "cluster: c\ndaemons: [{host: a}]\nservices: {hs2: {port: 1}, nope: {}}\n",
            "cluster: c\ndaemons: [{host: a}]\nhealth_check: {healthy_threshold: ~}\n",
            "cluster: c\ndaemons: [{host: a}]\nhealth_check: {service: 3}\n",
            "cluster: c\ndaemons: [{host: a}]\nhealth_check: {service: hs3}\n",
            "cluster: c\ndaemons: [{host: a}]\nhealth_check: {service: hs2}\n",
            "cluster: c\ndaemons: {host: a}\n",
            "cluster: [c]\ndaemons: []\n",
            "cluster: true\n",
            "~\n",
        ];
        for text in cases {
            let tree = yaml::parse(text).unwrap();
            let from_json = Spec::deserialize(&tree.to_json()).ok();
            let from_tree = Spec::deserialize(&tree).ok();
            assert_eq!(from_tree, from_json, "{text}");
        }
    }
}
