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

/// A mapping entry. `TemplateMapping` cannot be made outside Handlebars, only copied and
/// changed: the first copy comes from the smallest template there is.
fn at(line: usize, col: usize) -> TemplateMapping {
    static FIRST: std::sync::OnceLock<TemplateMapping> = std::sync::OnceLock::new();
    let mut m = FIRST
        .get_or_init(|| {
            let t = Template::compile("x").expect("a template");
            t.mapping[0].clone()
        })
        .clone();
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
    let mut b = HelperTemplateBuilder::default();
    b.name(name)
        .params(params)
        .hash(map(hash))
        .block(block)
        .chain(chain)
        .indent_before_write(indent_before_write);
    if let Some(p) = block_param {
        b.block_param(p);
    }
    if let Some(t) = template {
        b.template(t);
    }
    if let Some(t) = inverse {
        b.inverse(t);
    }
    let helper: Box<HelperTemplate> = Box::new(b.build().expect("every field is set"));
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
    let mut b = DecoratorTemplateBuilder::default();
    b.name(name)
        .params(params)
        .hash(map(hash))
        .indent_before_write(indent_before_write);
    if let Some(t) = template {
        b.template(t);
    }
    if let Some(i) = indent {
        b.indent(i);
    }
    let decorator: Box<DecoratorTemplate> = Box::new(b.build().expect("every field is set"));
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

/// Any other path (`../a`, `@root.a`): parsed, since its special segments cannot be built
/// outside Handlebars. Short, and rare in our templates.
pub(super) fn parsed(raw: &str) -> P {
    Parameter::Path(Path::parse(raw).expect("parsed when it was generated"))
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
