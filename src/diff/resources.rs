//! The resource-level comparison both AWS targets share: two sets of resources (by logical ID
//! or Terraform address), each with a type and its properties as JSON, and per type the
//! properties whose change replaces the resource. Nothing here knows a spec field: a resource
//! another engineer adds to a template is compared like the others, and a type without
//! replacement data is reported (and assumed replaced) rather than guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

/// When a change of a property replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Any change (CloudFormation `createOnlyProperties`, Terraform `ForceNew`).
    Changed,
    /// Only when it is added or removed (CloudFormation `conditionalCreateOnlyProperties`).
    AddedOrRemoved,
    /// A list that does not grow: items removed or swapped (Terraform, an NLB's `subnets`).
    CountNotIncreased,
    /// A list none of whose old items remain (Terraform, a Classic ELB's `subnets`).
    AllRemoved,
    /// A list that goes from empty to not, or back (Terraform, an NLB's `security_groups`).
    EmptinessChanged,
}

/// A property that can replace its resource.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub property: &'static str,
    pub when: When,
}

/// What replaces a resource of one type.
#[derive(Debug, Clone, Copy)]
pub struct TypeRules {
    pub kind: &'static str,
    pub rules: &'static [Rule],
    /// The property holding a name the user chose (CloudFormation cannot replace a resource
    /// with a custom name unless the name changes too).
    pub name: Option<&'static str>,
}

/// A resource as a template declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub kind: String,
    pub properties: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Replace,
    Delete,
    Create,
    Update,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "created",
            Action::Update => "changed in place",
            Action::Replace => "REPLACED",
            Action::Delete => "deleted",
        }
    }
}

/// What happens to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub action: Action,
    /// The properties that differ (or refer to a resource that is replaced).
    pub properties: Vec<String>,
    /// Why it is replaced: each property that forces it, or the type change.
    pub because: Vec<String>,
    /// Why the tool cannot do it as planned, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

/// The comparison of two sets of resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Comparison {
    pub changes: Vec<Change>,
    pub unchanged: usize,
    /// Types without replacement data (a bug: every type the targets emit must have it).
    pub unknown_types: Vec<String>,
}

/// Compares `old` and `new`. `rules` gives a type's replacement data; `refs` lists the
/// resources a property's value refers to (their new physical IDs flow into it).
pub fn compare(
    old: &BTreeMap<String, Resource>,
    new: &BTreeMap<String, Resource>,
    rules: &dyn Fn(&str) -> Option<&'static TypeRules>,
    refs: &dyn Fn(&Value) -> BTreeSet<String>,
) -> Comparison {
    let mut out = Comparison::default();
    let mut unknown = BTreeSet::new();
    let mut changes: BTreeMap<String, Change> = BTreeMap::new();
    for (id, r) in new.iter().filter(|(id, _)| !old.contains_key(*id)) {
        changes.insert(id.clone(), change(id, &r.kind, Action::Create));
    }
    for (id, r) in old.iter().filter(|(id, _)| !new.contains_key(*id)) {
        changes.insert(id.clone(), change(id, &r.kind, Action::Delete));
    }
    // Resources in both: what differs as written, then, until nothing more is replaced, what
    // refers to a resource that is replaced or created anew.
    let both: Vec<&String> = new.keys().filter(|id| old.contains_key(*id)).collect();
    let mut renewed: BTreeSet<String> = changes
        .values()
        .filter(|c| c.action == Action::Create)
        .map(|c| c.id.clone())
        .collect();
    loop {
        let mut more = false;
        for id in &both {
            if changes
                .get(*id)
                .is_some_and(|c| c.action == Action::Replace)
            {
                continue;
            }
            let (o, n) = (&old[*id], &new[*id]);
            let c = if o.kind != n.kind {
                Change {
                    because: vec![format!("its type changes from {}", o.kind)],
                    ..change(id, &n.kind, Action::Replace)
                }
            } else {
                let Some(type_rules) = rules(&n.kind) else {
                    unknown.insert(n.kind.clone());
                    let mut c = change(id, &n.kind, Action::Replace);
                    c.because
                        .push("impala-lbgen has no replacement data for this type".into());
                    changes.insert((*id).clone(), c);
                    renewed.insert((*id).clone());
                    more = true;
                    continue;
                };
                compare_one(id, o, n, type_rules, &renewed, refs)
            };
            if c.action == Action::Replace {
                renewed.insert((*id).clone());
                more = true;
            }
            if c.properties.is_empty() && c.action == Action::Update {
                changes.remove(*id);
            } else {
                changes.insert((*id).clone(), c);
            }
        }
        if !more {
            break;
        }
    }
    out.unchanged = both.iter().filter(|id| !changes.contains_key(**id)).count();
    out.changes = changes.into_values().collect();
    out.changes
        .sort_by(|a, b| (a.action, &a.id).cmp(&(b.action, &b.id)));
    out.unknown_types = unknown.into_iter().collect();
    out
}

fn change(id: &str, kind: &str, action: Action) -> Change {
    Change {
        id: id.to_string(),
        kind: kind.to_string(),
        action,
        properties: Vec::new(),
        because: Vec::new(),
        blocked: None,
    }
}

fn compare_one(
    id: &str,
    o: &Resource,
    n: &Resource,
    type_rules: &TypeRules,
    renewed: &BTreeSet<String>,
    refs: &dyn Fn(&Value) -> BTreeSet<String>,
) -> Change {
    let mut c = change(id, &n.kind, Action::Update);
    let names: BTreeSet<&String> = o.properties.keys().chain(n.properties.keys()).collect();
    for name in names {
        let (ov, nv) = (o.properties.get(name), n.properties.get(name));
        let written = ov != nv;
        let referred: Vec<String> = nv
            .map(|v| refs(v).intersection(renewed).cloned().collect())
            .unwrap_or_default();
        if !written && referred.is_empty() {
            continue;
        }
        c.properties.push(name.clone());
        for rule in type_rules.rules.iter().filter(|r| r.property == name) {
            let replaces = match rule.when {
                When::Changed => true,
                When::AddedOrRemoved => ov.is_none() != nv.is_none(),
                When::CountNotIncreased => written && len(nv) <= len(ov),
                When::AllRemoved => written && items(ov).iter().all(|i| !items(nv).contains(i)),
                When::EmptinessChanged => (len(ov) == 0) != (len(nv) == 0),
            };
            if replaces {
                c.action = Action::Replace;
                c.because.push(if written {
                    format!("`{name}` changes")
                } else {
                    format!("`{name}` refers to {}, which is new", referred.join(", "))
                });
            }
        }
    }
    if c.action == Action::Replace {
        if let Some(name) = type_rules.name {
            if o.properties.contains_key(name) && o.properties.get(name) == n.properties.get(name) {
                c.blocked = Some(format!("`{name}` stays the same"));
            }
        }
    }
    c
}

fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn len(v: Option<&Value>) -> usize {
    items(v).len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static RULES: TypeRules = TypeRules {
        kind: "T",
        rules: &[
            Rule {
                property: "Name",
                when: When::Changed,
            },
            Rule {
                property: "Parent",
                when: When::Changed,
            },
            Rule {
                property: "Subnets",
                when: When::CountNotIncreased,
            },
        ],
        name: Some("Name"),
    };

    fn res(props: Value) -> Resource {
        Resource {
            kind: "T".into(),
            properties: serde_json::from_value(props).unwrap(),
        }
    }

    fn refs(v: &Value) -> BTreeSet<String> {
        v.as_str()
            .and_then(|s| s.strip_prefix("ref:"))
            .map(|s| BTreeSet::from([s.to_string()]))
            .unwrap_or_default()
    }

    #[test]
    fn replacement_follows_rules_and_references() {
        let old = BTreeMap::from([
            ("A".to_string(), res(json!({"Name": "a", "Port": 1}))),
            (
                "B".to_string(),
                res(json!({"Name": "b", "Parent": "ref:A"})),
            ),
            ("C".to_string(), res(json!({"Name": "c", "Other": "ref:A"}))),
            (
                "D".to_string(),
                res(json!({"Name": "d", "Subnets": ["x", "y"]})),
            ),
            ("E".to_string(), res(json!({"Name": "e"}))),
        ]);
        let new = BTreeMap::from([
            ("A".to_string(), res(json!({"Name": "a2", "Port": 1}))),
            (
                "B".to_string(),
                res(json!({"Name": "b", "Parent": "ref:A"})),
            ),
            ("C".to_string(), res(json!({"Name": "c", "Other": "ref:A"}))),
            (
                "D".to_string(),
                res(json!({"Name": "d", "Subnets": ["x", "z"]})),
            ),
            ("F".to_string(), res(json!({"Name": "f"}))),
        ]);
        let c = compare(&old, &new, &|k| (k == "T").then_some(&RULES), &refs);
        let got: Vec<(&str, Action)> = c
            .changes
            .iter()
            .map(|c| (c.id.as_str(), c.action))
            .collect();
        assert_eq!(
            got,
            [
                ("A", Action::Replace),
                ("B", Action::Replace),
                ("D", Action::Replace),
                ("E", Action::Delete),
                ("F", Action::Create),
                ("C", Action::Update),
            ]
        );
        let b = &c.changes[1];
        assert_eq!(b.because, ["`Parent` refers to A, which is new"]);
        assert_eq!(b.blocked.as_deref(), Some("`Name` stays the same"));
        assert_eq!(c.changes[0].blocked, None, "A's name changes");
        assert_eq!(c.unchanged, 0);
        // A type without data is reported, and assumed replaced.
        let c = compare(&old, &new, &|_| None, &refs);
        assert_eq!(c.unknown_types, ["T"]);
    }
}
