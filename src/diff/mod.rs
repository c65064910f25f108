//! `impala-lbgen diff OLD NEW`: what changing a spec does to live infrastructure, offline.
//!
//! Both specs are planned and rendered; CloudFormation resources are compared by logical ID
//! and Terraform resources by address ([`resources::compare`], with each type's replacement
//! data in [`cloudformation::TYPES`] and [`terraform::TYPES`]), and haproxy.cfg section by
//! section (a reload, or a restart when it needs environment variables it did not). Above all
//! it says when the balancer itself is replaced: its DNS name changes, and clients and the
//! Kerberos principal made for that name break.

pub mod cloudformation;
mod markdown;
pub mod resources;
pub mod terraform;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde::Serialize;

pub use markdown::markdown;
use resources::{Action, Change, Comparison};

use crate::diagnostics::Source;
use crate::error::Error;
use crate::fleet;
use crate::plan::{Frontend, Plan};
use crate::spec::{self, Defaults, Loaded, DEFAULTS_FILE};
use crate::targets;
use crate::validate::Scope;

/// One side of the comparison, read and planned.
pub struct Side {
    /// What to call it: the path, or `REV:path`.
    pub name: String,
    pub loaded: Loaded,
    pub plan: Plan,
    pub scope: Scope,
}

/// Reads a spec named as a file, or as `git:REV:path` (read with `git cat-file`, relative to
/// the repository's top; `REV:./path` is relative to the current folder), with the
/// `_defaults.yaml` beside it merged under it, as a fleet would.
pub fn read(arg: &str) -> Result<Side, Error> {
    let (source, defaults) = match arg.strip_prefix("git:") {
        Some(object) => {
            let Some((rev, path)) = object.split_once(':') else {
                return Err(Error::Usage(format!(
                    "{arg}: write git:REV:path, such as git:origin/main:impala-lb.yaml"
                )));
            };
            if rev.is_empty() || rev.starts_with('-') || path.is_empty() {
                return Err(Error::Usage(format!(
                    "{arg}: write git:REV:path, such as git:origin/main:impala-lb.yaml"
                )));
            }
            let text = git_show(rev, path)?.ok_or_else(|| {
                Error::Refused(format!("{path} does not exist at {rev} (git cat-file)"))
            })?;
            let source = Source {
                name: format!("{rev}:{path}"),
                text,
            };
            let dir = match Path::new(path).parent() {
                Some(p) if !p.as_os_str().is_empty() => format!("{}/", p.display()),
                _ => String::new(),
            };
            let defaults = match git_show(rev, &format!("{dir}{DEFAULTS_FILE}"))? {
                Some(text) => Some(Defaults::parse(Source {
                    name: format!("{rev}:{dir}{DEFAULTS_FILE}"),
                    text,
                })?),
                None => None,
            };
            (source, defaults)
        }
        None => {
            let path = Path::new(arg);
            if !path.exists() {
                // Not read_source's hint, which is about -c.
                return Err(Error::Refused(format!(
                    "{arg} does not exist: diff compares two specs, each a file or git:REV:path"
                )));
            }
            if path.is_dir() {
                return Err(Error::Usage(format!(
                    "{arg} is a folder: diff compares two specs; name a file in it"
                )));
            }
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            (spec::read_source(path)?, fleet::read_defaults(dir)?)
        }
    };
    let name = source.name.clone();
    let loaded = spec::load_with(source, defaults.as_ref(), None)?;
    let scope = Scope::for_spec(&loaded.spec);
    let plan = Plan::new(&loaded.spec);
    Ok(Side {
        name,
        loaded,
        plan,
        scope,
    })
}

/// A file at a revision, or `None` when the revision does not have it.
fn git_show(rev: &str, path: &str) -> Result<Option<String>, Error> {
    let object = format!("{rev}:{path}");
    let out = Command::new("git")
        .args(["cat-file", "blob", &object])
        .output()
        .map_err(|e| Error::io("run git cat-file", Path::new("git"), e))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // A revision that does not exist is a mistake; a path it does not have is an answer.
        let missing_path = err.contains("does not exist in")
            || err.contains("exists on disk, but not in")
            || err.contains("Not a valid object name") && git_rev_exists(rev);
        if missing_path {
            return Ok(None);
        }
        return Err(Error::Refused(format!(
            "git cat-file blob {object} failed: {}",
            err.trim()
        )));
    }
    String::from_utf8(out.stdout)
        .map(Some)
        .map_err(|_| Error::Refused(format!("{object} is not UTF-8 text")))
}

fn git_rev_exists(rev: &str) -> bool {
    Command::new("git")
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Everything `diff` found.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    pub cluster: String,
    /// Something is replaced in some target (what `--exit-code` reports).
    pub replaces: bool,
    /// The balancer clients use is replaced, or moves.
    pub balancer: Option<BalancerChange>,
    /// What changes in the spec's terms: daemons, ports, TLS, ...
    pub summary: Vec<String>,
    pub cloudformation: Option<TargetDiff>,
    pub terraform: Option<TargetDiff>,
    pub haproxy: Option<HaproxyDiff>,
}

#[derive(Debug, Serialize)]
pub struct BalancerChange {
    pub old: String,
    pub new: String,
    /// Why it is new: the resources and properties that force it.
    pub because: Vec<String>,
    /// What breaks, in order of harm.
    pub consequences: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TargetDiff {
    pub resources: Vec<Change>,
    pub unchanged: usize,
    pub notes: Vec<String>,
    pub unknown_types: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HaproxyAction {
    None,
    Reload,
    Restart,
}

#[derive(Debug, Serialize)]
pub struct HaproxyDiff {
    pub action: HaproxyAction,
    /// Sections added, removed or changed: `listen hs2: changed (2 lines)`.
    pub sections: Vec<String>,
    pub notes: Vec<String>,
}

/// Compares two read specs.
pub fn diff(old: &Side, new: &Side) -> Result<Diff, Error> {
    let renderers = targets::Renderers::default();
    let (o, n) = (&old.plan, &new.plan);
    let mut cfn = None;
    let mut tf = None;
    if o.aws.is_some() || n.aws.is_some() {
        let template = |p: &Plan| -> Result<_, Error> {
            match p.aws {
                Some(_) => cloudformation::resources(&targets::cloudformation::render_with(
                    renderers.cloudformation()?,
                    p,
                )?),
                None => Ok(Default::default()),
            }
        };
        let c = resources::compare(
            &template(o)?,
            &template(n)?,
            &cloudformation::rules,
            &cloudformation::refs,
        );
        cfn = Some(cloudformation_diff(c, o, n));
        let module = |p: &Plan| -> Result<_, Error> {
            match p.aws {
                Some(_) => {
                    let m = targets::terraform::render_with(renderers.terraform()?, p)?;
                    terraform::module(&m.single_file())
                }
                None => Ok(terraform::Module {
                    resources: Default::default(),
                    provider: serde_json::Value::Null,
                }),
            }
        };
        let (om, nm) = (module(o)?, module(n)?);
        let c = resources::compare(
            &om.resources,
            &nm.resources,
            &terraform::rules,
            &terraform::refs,
        );
        tf = Some(terraform_diff(c, &om, &nm));
    }
    let haproxy = (old.scope.haproxy || new.scope.haproxy)
        .then(|| haproxy_diff(old, new, &renderers))
        .transpose()?;
    let balancer = balancer_change(o, n, cfn.as_ref(), tf.as_ref());
    let replaces = [&cfn, &tf].iter().any(|t| {
        t.as_ref()
            .is_some_and(|t| t.resources.iter().any(|c| c.action == Action::Replace))
    }) || balancer.is_some();
    Ok(Diff {
        old: old.name.clone(),
        new: new.name.clone(),
        cluster: n.cluster.clone(),
        replaces,
        balancer,
        summary: summary(o, n),
        cloudformation: cfn,
        terraform: tf,
        haproxy,
    })
}

fn cloudformation_diff(c: Comparison, o: &Plan, n: &Plan) -> TargetDiff {
    let mut notes = Vec::new();
    let mut resources = c.changes;
    for r in &mut resources {
        if r.action != Action::Replace {
            continue;
        }
        if let Some(old_kind) = r
            .because
            .iter()
            .find_map(|b| b.strip_prefix("its type changes from "))
        {
            r.blocked = Some(format!(
                "CloudFormation refuses to change a resource's type under one logical ID (\"Update of resource type is not permitted\", {old_kind} to {}): delete the stack and deploy the new template as a new stack",
                r.kind
            ));
        } else if let Some(same) = r.blocked.take() {
            r.blocked = Some(format!(
                "{same}, and CloudFormation cannot replace a resource with a custom name unless the name changes: the update fails and rolls back; change the name too, or delete the stack and deploy again"
            ));
        }
    }
    if let (Some(a), Some(b)) = (&o.aws, &n.aws) {
        if a.region != b.region {
            notes.push(format!(
                "The stack moves from {} to {}: a stack lives in one region, so deploy the new template as a new stack in {} and delete the old one in {}.",
                a.region, b.region, b.region, a.region
            ));
        }
    }
    if resources.iter().any(|r| r.blocked.is_some()) {
        notes.push("Some changes cannot be applied by a stack update as they stand (see the rows marked blocked).".into());
    }
    TargetDiff {
        resources,
        unchanged: c.unchanged,
        notes,
        unknown_types: c.unknown_types,
    }
}

fn terraform_diff(c: Comparison, o: &terraform::Module, n: &terraform::Module) -> TargetDiff {
    let mut notes = Vec::new();
    if o.provider["region"] != n.provider["region"]
        && !o.provider.is_null()
        && !n.provider.is_null()
    {
        notes.push(format!(
            "The provider's region changes ({} to {}): Terraform looks for the resources of its state in the new region, finds none, and creates everything there; the old resources stay, no longer managed, until deleted by hand (or `terraform destroy` before the change).",
            o.provider["region"], n.provider["region"]
        ));
    }
    if o.provider["default_tags"] != n.provider["default_tags"]
        && !o.provider.is_null()
        && !n.provider.is_null()
    {
        notes.push(
            "The provider's default tags change: every resource's tags are updated in place."
                .into(),
        );
    }
    let mut resources = c.changes;
    for r in &mut resources {
        r.blocked = None;
        if r.action == Action::Replace && r.kind == "aws_security_group" {
            r.blocked = Some("Terraform destroys a replaced security group before creating the new one, while the balancer and the instances still use it: the deletion waits and fails (DependencyViolation); detach it first, or add `create_before_destroy` with a new name".into());
        }
    }
    if resources.iter().any(|r| r.action == Action::Replace) {
        notes.push("A replaced resource is destroyed before its replacement is created (Terraform's default): expect an outage of what it serves in between.".into());
    }
    TargetDiff {
        resources,
        unchanged: c.unchanged,
        notes,
        unknown_types: c.unknown_types,
    }
}

/// The balancer clients use, in words: `the Classic ELB elb-impala-c1 (internal, us-west-2)`.
fn balancer_words(p: &Plan) -> String {
    match (&p.aws, p.frontend()) {
        (Some(a), Frontend::Aws) => {
            let kind = match a.kind {
                crate::spec::model::LoadBalancerKind::Classic => "Classic ELB",
                crate::spec::model::LoadBalancerKind::Network => "Network Load Balancer",
            };
            format!("the {kind} `{}` ({}, {})", a.name, a.scheme.key(), a.region)
        }
        _ => "HAProxy".to_string(),
    }
}

/// The name clients use and the Kerberos principal made for it.
fn client_name(p: &Plan) -> (String, Option<String>) {
    let host = match (p.client_host(), &p.aws, p.frontend()) {
        (Some(h), _, _) => h.to_string(),
        (None, Some(a), Frontend::Aws) => format!("<the DNS name of {}>", a.name),
        _ => "<the HAProxy host>".to_string(),
    };
    let principal = p
        .kerberos
        .as_ref()
        .map(|k| format!("impala/{host}@{}", k.realm));
    (host, principal)
}

fn balancer_change(
    o: &Plan,
    n: &Plan,
    cfn: Option<&TargetDiff>,
    tf: Option<&TargetDiff>,
) -> Option<BalancerChange> {
    let mut because = Vec::new();
    let new_balancer =
        |t: Option<&TargetDiff>, types: &[&str], target: &str, because: &mut Vec<String>| {
            for r in t.into_iter().flat_map(|t| &t.resources) {
                if types.contains(&r.kind.as_str()) && r.action != Action::Update {
                    let why = if r.because.is_empty() {
                        r.action.word().to_string()
                    } else {
                        r.because.join(", ")
                    };
                    because.push(format!("{target}: `{}` {} ({why})", r.id, r.action.word()));
                }
            }
        };
    new_balancer(
        cfn,
        cloudformation::BALANCER_TYPES,
        "CloudFormation",
        &mut because,
    );
    new_balancer(tf, terraform::BALANCER_TYPES, "Terraform", &mut because);
    if o.frontend() != n.frontend() {
        because.push(format!(
            "clients move from {} to {}",
            balancer_words(o),
            balancer_words(n)
        ));
    }
    let (old_host, old_principal) = client_name(o);
    let (new_host, new_principal) = client_name(n);
    let aws_dns_changes = !because.is_empty();
    let mut consequences = Vec::new();
    if aws_dns_changes {
        consequences.push(format!(
            "The balancer's DNS name changes: anything that connects to {} by its AWS DNS name (clients, JDBC URLs, Hue, Cloudera Manager's Impala Daemons Load Balancer) breaks until pointed at the new one.",
            balancer_words(o)
        ));
        if let Some(domain) = n.tls.as_ref().and_then(|t| t.domain.as_ref()) {
            if n.tls.as_ref().is_some_and(|t| t.hosted_zone_id.is_some()) {
                consequences.push(format!(
                    "Clients that use `{domain}` follow its alias record once it points at the new balancer; there is an outage until then."
                ));
            }
        }
    }
    if old_host != new_host {
        consequences.push(format!(
            "The name clients use changes from `{old_host}` to `{new_host}`."
        ));
    }
    match (&old_principal, &new_principal) {
        (Some(a), Some(b)) if a != b => consequences.push(format!(
            "The Kerberos principal changes from `{a}` to `{b}`: create it, merge it into every impalad's keytab and restart the impalads (impala-config.md), or clients fail to authenticate."
        )),
        (Some(a), Some(_)) if aws_dns_changes && a.contains("<the DNS name of") => consequences.push(format!(
            "The Kerberos principal `{a}` is made for the old DNS name: create one for the new name and merge it into every impalad's keytab, or clients fail to authenticate."
        )),
        _ => {}
    }
    if because.is_empty() && consequences.is_empty() {
        return None;
    }
    if because.is_empty() {
        because.push("the name clients use changes".into());
    }
    Some(BalancerChange {
        old: balancer_words(o),
        new: balancer_words(n),
        because,
        consequences,
    })
}

/// haproxy.cfg section by section.
fn haproxy_diff(
    old: &Side,
    new: &Side,
    renderers: &targets::Renderers,
) -> Result<HaproxyDiff, Error> {
    let render = |s: &Side| -> Result<String, Error> {
        if s.scope.haproxy {
            targets::haproxy::render_with(renderers.haproxy()?, &s.plan)
        } else {
            Ok(String::new())
        }
    };
    let (a, b) = (render(old)?, render(new)?);
    let (sa, sb) = (sections(&a), sections(&b));
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sa.iter().chain(sb.iter()).map(|(n, _)| n).collect();
    for name in names {
        let x = sa.iter().find(|(n, _)| n == name).map(|(_, l)| l);
        let y = sb.iter().find(|(n, _)| n == name).map(|(_, l)| l);
        match (x, y) {
            (None, Some(_)) => out.push(format!("`{name}`: added")),
            (Some(_), None) => out.push(format!("`{name}`: removed")),
            (Some(x), Some(y)) if x != y => {
                let servers = |l: &Vec<String>| -> BTreeSet<String> {
                    l.iter()
                        .filter_map(|s| s.trim().strip_prefix("server "))
                        .filter_map(|s| s.split_whitespace().next())
                        .map(str::to_string)
                        .collect()
                };
                let (sx, sy) = (servers(x), servers(y));
                let mut what = Vec::new();
                let added: Vec<_> = sy.difference(&sx).cloned().collect();
                let removed: Vec<_> = sx.difference(&sy).cloned().collect();
                if !added.is_empty() {
                    what.push(format!("servers added: {}", added.join(", ")));
                }
                if !removed.is_empty() {
                    what.push(format!("servers removed: {}", removed.join(", ")));
                }
                let changed = x.iter().filter(|l| !y.contains(l)).count()
                    + y.iter().filter(|l| !x.contains(l)).count();
                if what.is_empty() {
                    what.push(format!("{changed} lines differ"));
                }
                out.push(format!("`{name}`: {}", what.join("; ")));
            }
            _ => {}
        }
    }
    let vars = |t: &str| -> BTreeSet<String> {
        t.split("${")
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .map(str::to_string)
            .collect()
    };
    let new_vars: Vec<String> = vars(&b).difference(&vars(&a)).cloned().collect();
    let mut notes = Vec::new();
    let action = if a == b {
        HaproxyAction::None
    } else if !new_vars.is_empty() && !a.is_empty() {
        notes.push(format!(
            "The configuration reads {} from the environment, which HAProxy gets when it starts (on Debian, from /etc/default/haproxy, which systemd reads only at start): set it, then restart (`systemctl restart haproxy`), which drops every open client connection.",
            new_vars.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        ));
        HaproxyAction::Restart
    } else if a.is_empty() {
        notes.push(
            "HAProxy is new for this cluster: install the configuration and start it.".into(),
        );
        HaproxyAction::Restart
    } else {
        notes.push("Check it (`haproxy -c -f haproxy.cfg`) and reload (`systemctl reload haproxy`): new connections get the new configuration at once, and open sessions stay on the old process until they close (up to the idle timeout), so running queries are not cut.".into());
        HaproxyAction::Reload
    };
    Ok(HaproxyDiff {
        action,
        sections: out,
        notes,
    })
}

/// haproxy.cfg's sections (`global`, `defaults`, `listen hs2`, ...) with their lines,
/// comments and blank lines left out.
fn sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            out.push((t.to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push(t.to_string());
        }
    }
    out
}

/// What changes, in the spec's own terms.
fn summary(o: &Plan, n: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if o.cluster != n.cluster {
        out.push(format!(
            "Cluster renamed: `{}` → `{}`.",
            o.cluster, n.cluster
        ));
    }
    if balancer_words(o) != balancer_words(n) {
        out.push(format!(
            "Balancer: {} → {}.",
            balancer_words(o),
            balancer_words(n)
        ));
    }
    let names = |p: &Plan| -> Vec<String> { p.daemons.iter().map(|d| d.name.clone()).collect() };
    let (od, nd) = (names(o), names(n));
    let added: Vec<_> = nd
        .iter()
        .filter(|d| !od.contains(d))
        .map(|d| format!("`{d}`"))
        .collect();
    let removed: Vec<_> = od
        .iter()
        .filter(|d| !nd.contains(d))
        .map(|d| format!("`{d}`"))
        .collect();
    if !added.is_empty() {
        out.push(format!("Daemons added: {}.", added.join(", ")));
    }
    if !removed.is_empty() {
        out.push(format!("Daemons removed: {}.", removed.join(", ")));
    }
    for s in &n.services {
        match o.services.iter().find(|x| x.kind == s.kind) {
            None => out.push(format!(
                "Service added: {} on port {} (impalad {}).",
                s.key, s.port, s.backend_port
            )),
            Some(x) => {
                if x.port != s.port {
                    out.push(format!("{}: port moves {} → {}.", s.key, x.port, s.port));
                }
                if x.backend_port != s.backend_port {
                    out.push(format!(
                        "{}: impalad port moves {} → {}.",
                        s.key, x.backend_port, s.backend_port
                    ));
                }
            }
        }
    }
    for x in o
        .services
        .iter()
        .filter(|x| !n.services.iter().any(|s| s.kind == x.kind))
    {
        out.push(format!("Service removed: {} (port {}).", x.key, x.port));
    }
    for l in &n.haproxy.listens {
        if let Some(x) = o.haproxy.listens.iter().find(|x| x.service == l.service) {
            if x.port != l.port
                && o.services
                    .iter()
                    .find(|s| s.kind == l.service)
                    .map(|s| s.port)
                    == n.services
                        .iter()
                        .find(|s| s.kind == l.service)
                        .map(|s| s.port)
            {
                out.push(format!(
                    "{}: HAProxy port moves {} → {}.",
                    l.key, x.port, l.port
                ));
            }
        }
    }
    let tls = |p: &Plan| {
        p.tls
            .as_ref()
            .map_or("none".to_string(), |t| t.mode.key().to_string())
    };
    if tls(o) != tls(n) {
        out.push(format!("TLS mode: {} → {}.", tls(o), tls(n)));
    }
    let domain = |p: &Plan| p.tls.as_ref().and_then(|t| t.domain.clone());
    if domain(o) != domain(n) {
        out.push(format!(
            "TLS domain: {} → {}.",
            domain(o).map_or("none".into(), |d| format!("`{d}`")),
            domain(n).map_or("none".into(), |d| format!("`{d}`"))
        ));
    }
    if o.health_check != n.health_check {
        out.push("Health check changes.".into());
    }
    if o.idle_timeout != n.idle_timeout {
        out.push(format!(
            "Idle timeout: {}s → {}s.",
            o.idle_timeout, n.idle_timeout
        ));
    }
    if let (Some(a), Some(b)) = (&o.aws, &n.aws) {
        let blocks = |x: &crate::plan::Aws| -> Vec<String> {
            x.client_cidrs.iter().map(|c| c.block.clone()).collect()
        };
        let (ab, bb) = (blocks(a), blocks(b));
        let added: Vec<_> = bb.iter().filter(|c| !ab.contains(c)).cloned().collect();
        let removed: Vec<_> = ab.iter().filter(|c| !bb.contains(c)).cloned().collect();
        if !added.is_empty() {
            out.push(format!("Client blocks added: {}.", added.join(", ")));
        }
        if !removed.is_empty() {
            out.push(format!("Client blocks removed: {}.", removed.join(", ")));
        }
        if a.tags != b.tags {
            out.push("Tags change.".into());
        }
    }
    let realm = |p: &Plan| p.kerberos.as_ref().map(|k| k.realm.clone());
    if realm(o) != realm(n) {
        out.push(format!(
            "Kerberos realm: {} → {}.",
            realm(o).unwrap_or_else(|| "none".into()),
            realm(n).unwrap_or_else(|| "none".into())
        ));
    }
    out
}
