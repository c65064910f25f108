//! Short constructors for Handlebars' parsed templates, used by the generated
//! [`super::precompiled`]: each builds one node of a [`Template`] exactly as
//! `Template::compile` would (the `precompiled_templates_equal_parsed_ones` test compares
//! them).

use std::collections::HashMap;

use handlebars::template::{
    BlockParam, DecoratorTemplate, DecoratorTemplateBuilder, HelperTemplate, HelperTemplateBuilder,
    Parameter, SubexpressionBuilder, Template, TemplateElement, TemplateMapping,
};
use handlebars::{Path, PathSeg};

pub(super) type E = TemplateElement;
pub(super) type P = Parameter;

/// A template (or a block's body) from its elements and their line:column mapping.
pub(super) fn t(name: Option<&str>, elements: Vec<E>, mapping: &[(usize, usize)]) -> Template {
    let mut t = Template::new();
    t.name = name.map(str::to_owned);
    t.elements = elements;
    t.mapping = mapping.iter().map(|&(line, col)| at(line, col)).collect();
    t
}

/// What cannot be made outside Handlebars, only copied: a `TemplateMapping` and the special
/// path segments (`@root`, `..`). One small template, parsed once, gives a copy of each, so
/// building the templates runs Handlebars' parser once rather than for every such path.
struct Prototypes {
    mapping: TemplateMapping,
    root: PathSeg,
    up: PathSeg,
}

fn prototypes() -> &'static Prototypes {
    static PROTOTYPES: std::sync::OnceLock<Prototypes> = std::sync::OnceLock::new();
    PROTOTYPES.get_or_init(|| {
        let t = Template::compile("{{@root.x}}{{../x}}").expect("a template");
        let first = |i: usize| match &t.elements[i] {
            TemplateElement::Expression(h) => match &h.name {
                Parameter::Path(Path::Relative((segs, _))) => segs[0].clone(),
                other => panic!("a path, not {other:?}"),
            },
            other => panic!("an expression, not {other:?}"),
        };
        Prototypes {
            mapping: t.mapping[0].clone(),
            root: first(0),
            up: first(1),
        }
    })
}

/// A mapping entry (see [`Prototypes`]).
fn at(line: usize, col: usize) -> TemplateMapping {
    let mut m = prototypes().mapping.clone();
    m.0 = line;
    m.1 = col;
    m
}

pub(super) fn raw(s: &str) -> E {
    TemplateElement::RawString(s.to_owned())
}

pub(super) fn comment(s: &str) -> E {
    TemplateElement::Comment(s.to_owned())
}

/// What a `{{...}}` or `{{#...}}` holds; `kind` says which element it is.
#[allow(clippy::too_many_arguments)]
pub(super) fn h(
    kind: u8,
    name: P,
    params: Vec<P>,
    hash: Vec<(&str, P)>,
    block_param: Option<BlockParam>,
    template: Option<Template>,
    inverse: Option<Template>,
    flags: (bool, bool, bool),
) -> E {
    let (block, chain, indent_before_write) = flags;
    // The builder is needed for `indent_before_write` (not public), but its `build` clones
    // every field: the nested templates are moved in afterwards instead, or building a
    // block would copy its whole body once per level of nesting.
    let mut b = HelperTemplateBuilder::default();
    b.name(name)
        .params(Vec::new())
        .hash(HashMap::new())
        .block(block)
        .chain(chain)
        .indent_before_write(indent_before_write);
    let mut helper: Box<HelperTemplate> = Box::new(b.build().expect("every field is set"));
    helper.params = params;
    helper.hash = map(hash);
    helper.block_param = block_param;
    helper.template = template;
    helper.inverse = inverse;
    match kind {
        0 => TemplateElement::Expression(helper),
        1 => TemplateElement::HtmlExpression(helper),
        _ => TemplateElement::HelperBlock(helper),
    }
}

/// A decorator or a partial (`{{> name}}`); `kind` says which element it is.
pub(super) fn d(
    kind: u8,
    name: P,
    params: Vec<P>,
    hash: Vec<(&str, P)>,
    template: Option<Template>,
    indent: Option<&str>,
    indent_before_write: bool,
) -> E {
    // As in `h`: the builder for `indent_before_write`, the rest moved in.
    let mut b = DecoratorTemplateBuilder::default();
    b.name(name)
        .params(Vec::new())
        .hash(HashMap::new())
        .indent_before_write(indent_before_write);
    let mut decorator: Box<DecoratorTemplate> = Box::new(b.build().expect("every field is set"));
    decorator.params = params;
    decorator.hash = map(hash);
    decorator.template = template;
    decorator.indent = indent.map(str::to_owned);
    match kind {
        0 => TemplateElement::DecoratorExpression(decorator),
        1 => TemplateElement::DecoratorBlock(decorator),
        2 => TemplateElement::PartialExpression(decorator),
        _ => TemplateElement::PartialBlock(decorator),
    }
}

fn map(hash: Vec<(&str, P)>) -> HashMap<String, P> {
    hash.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A helper's name (`if`, `each`, ...).
pub(super) fn n(s: &str) -> P {
    Parameter::Name(s.to_owned())
}

/// A plain path such as `a.b`: named segments only.
pub(super) fn p(raw: &str, segs: &[&str]) -> P {
    let segs = segs
        .iter()
        .map(|s| PathSeg::Named((*s).to_owned()))
        .collect();
    Parameter::Path(Path::Relative((segs, raw.to_owned())))
}

/// A local variable such as `@index`.
pub(super) fn local(level: usize, name: &str, raw: &str) -> P {
    Parameter::Path(Path::Local((level, name.to_owned(), raw.to_owned())))
}

/// Any other path. `@root.a.b` and `../a` are built from the [`Prototypes`]' first segment
/// and named ones; anything else (rare in our templates) is parsed.
pub(super) fn parsed(raw: &str) -> P {
    fn named(rest: &str) -> Option<Vec<PathSeg>> {
        let ok = rest
            .split('.')
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        ok.then(|| {
            rest.split('.')
                .map(|s| PathSeg::Named(s.to_owned()))
                .collect()
        })
    }
    let built = if let Some(rest) = raw.strip_prefix("@root.") {
        named(rest).map(|segs| (&prototypes().root, segs))
    } else if let Some(rest) = raw.strip_prefix("../") {
        named(rest).map(|segs| (&prototypes().up, segs))
    } else {
        None
    };
    let path = match built {
        Some((first, segs)) => {
            let segs = std::iter::once(first.clone()).chain(segs).collect();
            Path::Relative((segs, raw.to_owned()))
        }
        None => Path::parse(raw).expect("parsed when it was generated"),
    };
    Parameter::Path(path)
}

/// A literal: JSON text.
pub(super) fn lit(json: &str) -> P {
    Parameter::Literal(serde_json::from_str(json).expect("JSON when it was generated"))
}

pub(super) fn sub(element: E) -> P {
    let s = SubexpressionBuilder::default()
        .element(Box::new(element))
        .build()
        .expect("every field is set");
    Parameter::Subexpression(s)
}
