//! A fleet: a folder of specs, one cluster each (every `*.yaml` in it, sorted, not
//! recursive), with an optional `_defaults.yaml` merged under each of them. `validate`,
//! `generate` and `check` work over a whole fleet in one process: every spec is read and
//! checked, problems are reported per file, names that must be unique across the fleet are
//! checked across files, and the outputs go to one folder per cluster (`OUT/<cluster>/`).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Report};
use crate::error::Error;
use crate::generate::{self, Drift, File};
use crate::plan::Plan;
use crate::spec::model::LoadBalancerKind;
use crate::spec::path::Path as FieldPath;
use crate::spec::{self, Defaults, Loaded, DEFAULTS_FILE};
use crate::targets::Renderers;

/// One spec of the fleet and what reading it gave.
#[derive(Debug)]
pub struct Member {
    /// The spec's path (the folder joined with its file name).
    pub path: PathBuf,
    pub outcome: Result<Loaded, Report>,
    /// The `cluster` the file names, valid or not: the folder of its outputs is not "extra"
    /// while the spec is only invalid.
    pub cluster: Option<String>,
}

/// Every spec of a folder, read and checked.
#[derive(Debug)]
pub struct Fleet {
    pub dir: PathBuf,
    pub members: Vec<Member>,
}

impl Fleet {
    pub fn invalid(&self) -> impl Iterator<Item = (&Member, &Report)> {
        self.members
            .iter()
            .filter_map(|m| m.outcome.as_ref().err().map(|r| (m, r)))
    }

    pub fn valid(&self) -> impl Iterator<Item = (&Member, &Loaded)> {
        self.members
            .iter()
            .filter_map(|m| m.outcome.as_ref().ok().map(|l| (m, l)))
    }
}

/// The `_defaults.yaml` of `dir`, parsed, when there is one.
pub fn read_defaults(dir: &Path) -> Result<Option<Defaults>, Error> {
    let path = dir.join(DEFAULTS_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let source = spec::read_source(&path)?;
    Ok(Some(Defaults::parse(source)?))
}

/// The specs of `dir`: every `*.yaml` file but `_defaults.yaml`, sorted by name.
pub fn spec_paths(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io("list the folder of specs", dir, e))? {
        let entry = entry.map_err(|e| Error::io("list the folder of specs", dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.ends_with(".yaml") || name == DEFAULTS_FILE {
            continue;
        }
        let path = entry.path();
        if path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads and checks every spec of `dir`, each with the folder's defaults merged under it, then
/// what must be unique across the fleet.
pub fn load(dir: &Path) -> Result<Fleet, Error> {
    let defaults = read_defaults(dir)?;
    let paths = spec_paths(dir)?;
    if paths.is_empty() {
        return Err(Error::Refused(format!(
            "{} holds no spec: a fleet is a folder of *.yaml files, one cluster each",
            dir.display()
        )));
    }
    let mut members = Vec::with_capacity(paths.len());
    for path in paths {
        let source = spec::read_source(&path)?;
        let outcome = spec::load_with(source, defaults.as_ref(), None);
        let cluster = match &outcome {
            Ok(l) => Some(l.spec.cluster.clone()),
            Err(r) => declared_cluster(&r.source.text),
        };
        members.push(Member {
            path,
            outcome,
            cluster,
        });
    }
    cross_check(&mut members);
    Ok(Fleet {
        dir: dir.to_path_buf(),
        members,
    })
}

/// The text value of the top-level `cluster` of a spec that may be invalid.
fn declared_cluster(text: &str) -> Option<String> {
    let tree = crate::spec::yaml::parse(text).ok()?;
    match &tree.locate(&FieldPath::parse("cluster")) {
        l if l.complete => match &l.node.kind {
            crate::spec::yaml::NodeKind::Str(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Refuses, across files, what must be unique: cluster names (compared ignoring case, since
/// each is a folder of the output and file systems may ignore case), and per AWS region the
/// balancers' names and the NLB target groups' names. The later file gets the error, naming the
/// earlier one.
fn cross_check(members: &mut [Member]) {
    let mut clusters: HashMap<String, usize> = HashMap::new();
    let mut balancers: HashMap<(String, String), usize> = HashMap::new();
    let mut target_groups: HashMap<(String, String), usize> = HashMap::new();
    for i in 0..members.len() {
        let Ok(loaded) = &members[i].outcome else {
            continue;
        };
        let mut problems = Vec::new();
        let cluster = &loaded.spec.cluster;
        match clusters.get(&cluster.to_lowercase()) {
            Some(&j) => problems.push(
                Diagnostic::error(
                    FieldPath::parse("cluster"),
                    format!(
                        "cluster `{cluster}` is also the cluster of {} (names are compared ignoring case)",
                        members[j].path.display()
                    ),
                )
                .hint("each spec of a fleet is one cluster, written to OUT/<cluster>/: rename one of them"),
            ),
            None => {
                clusters.insert(cluster.to_lowercase(), i);
            }
        }
        if let Some(aws) = Plan::new(&loaded.spec).aws {
            let name_written = loaded.tree.locate(&FieldPath::parse("aws.name")).complete;
            let (path, whence) = if name_written {
                ("aws.name", "")
            } else {
                ("cluster", " (the default name, from `cluster`)")
            };
            let key = (aws.region.clone(), aws.name.clone());
            match balancers.get(&key) {
                Some(&j) => problems.push(
                    Diagnostic::error(
                        FieldPath::parse(path),
                        format!(
                            "the balancer `{}`{whence} has the name of {}'s balancer in {}",
                            aws.name,
                            members[j].path.display(),
                            aws.region
                        ),
                    )
                    .hint("balancer names are unique per region: set `aws.name` in one of them"),
                ),
                None => {
                    balancers.insert(key, i);
                }
            }
            if aws.kind == LoadBalancerKind::Network {
                for l in &aws.listeners {
                    let key = (aws.region.clone(), l.target_group_name.clone());
                    match target_groups.get(&key) {
                        Some(&j) if j != i => problems.push(
                            Diagnostic::error(
                                FieldPath::parse(path),
                                format!(
                                    "the target group `{}` (service {}) has the name of one of {}'s in {}",
                                    l.target_group_name,
                                    l.key,
                                    members[j].path.display(),
                                    aws.region
                                ),
                            )
                            .hint("target group names are unique per region: each is the balancer name cut to fit 32 characters with a short hash of the whole name, and these two collide; change either aws.name"),
                        ),
                        Some(_) => {}
                        None => {
                            target_groups.insert(key, i);
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            continue;
        }
        let member = &mut members[i];
        let outcome = std::mem::replace(&mut member.outcome, Err(Report::new(spec_placeholder())));
        let Ok(loaded) = outcome else {
            unreachable!("checked above")
        };
        let mut report = loaded.report;
        report.diagnostics.extend(problems);
        report.locate(&loaded.tree);
        member.outcome = Err(report);
    }
}

fn spec_placeholder() -> crate::diagnostics::Source {
    crate::diagnostics::Source {
        name: String::new(),
        text: String::new(),
    }
}

/// What `generate` writes for one valid spec of a fleet.
#[derive(Debug)]
pub struct Output<'a> {
    pub cluster: &'a str,
    pub spec: &'a Path,
    pub files: Vec<File>,
}

/// What `generate` writes for each valid spec, with one set of `renderers` for all of them.
pub fn files<'a>(fleet: &'a Fleet, renderers: &Renderers) -> Result<Vec<Output<'a>>, Error> {
    fleet
        .valid()
        .map(|(m, l)| {
            Ok(Output {
                cluster: &l.spec.cluster,
                spec: &m.path,
                files: generate::files(l, renderers)?,
            })
        })
        .collect()
}

/// Writes every cluster's files into `out/<cluster>/`, and removes the known outputs of
/// clusters no longer in the fleet (and their folders, once empty; other files are left
/// alone). Returns `(cluster folder, files written)`.
pub fn write(out: &Path, outputs: &[Output]) -> Result<Vec<(PathBuf, usize)>, Error> {
    let mut written = Vec::new();
    for o in outputs {
        let dir = out.join(o.cluster);
        let paths = generate::write(&dir, &o.files)?;
        written.push((dir, paths.len()));
    }
    let current: Vec<&str> = outputs.iter().map(|o| o.cluster).collect();
    for gone in stale_folders(out, &current)? {
        let dir = out.join(&gone);
        generate::write(&dir, &[])?;
        // Remove what is left empty: the terraform folder, then the cluster's.
        for d in [dir.join("terraform"), dir.clone()] {
            if fs::read_dir(&d).is_ok_and(|mut e| e.next().is_none()) {
                fs::remove_dir(&d).map_err(|e| Error::io("remove the folder", &d, e))?;
            }
        }
    }
    Ok(written)
}

/// Folders in `out` that are none of `current`'s.
fn stale_folders(out: &Path, current: &[&str]) -> Result<Vec<String>, Error> {
    let mut gone = Vec::new();
    let entries = match fs::read_dir(out) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(gone),
        Err(e) => return Err(Error::io("list", out, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list", out, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !current.contains(&name.as_str()) {
            gone.push(name);
        }
    }
    gone.sort();
    Ok(gone)
}

/// What `check` found for a fleet.
#[derive(Debug, Default)]
pub struct FleetDrift {
    /// Per cluster that differs: `(cluster, spec path, drift)`.
    pub clusters: Vec<(String, PathBuf, Drift)>,
    /// Folders of `out` that no spec's cluster names.
    pub extra_folders: Vec<String>,
    /// Files directly in `out`.
    pub extra_files: Vec<String>,
}

impl FleetDrift {
    pub fn is_clean(&self) -> bool {
        self.clusters.is_empty() && self.extra_folders.is_empty() && self.extra_files.is_empty()
    }

    /// Files and folders that differ.
    pub fn count(&self) -> usize {
        self.clusters
            .iter()
            .map(|(_, _, d)| d.count())
            .sum::<usize>()
            + self.extra_folders.len()
            + self.extra_files.len()
    }

    /// The report: every difference, named with its cluster and spec.
    pub fn render(&self, colour: bool, fleet_dir: &Path) -> String {
        let mut out = String::new();
        for (cluster, spec, drift) in &self.clusters {
            let label = format!("(cluster {cluster}, {})", spec.display());
            out.push_str(&drift.render_labelled(colour, &format!("{cluster}/"), &label));
        }
        for name in &self.extra_folders {
            out.push_str(&format!(
                "extra: {name}/ (no spec in {} has cluster `{name}`)\n",
                fleet_dir.display()
            ));
        }
        for name in &self.extra_files {
            out.push_str(&format!("extra: {name} (not generated from the fleet)\n"));
        }
        out
    }
}

/// Compares `out` with what `generate` would write for the fleet: `outputs`, from
/// [`files`]. The folder of an invalid spec's cluster is not extra (the spec is reported
/// instead). Reads only.
pub fn check(fleet: &Fleet, out: &Path, outputs: &[Output]) -> Result<FleetDrift, Error> {
    let mut drift = FleetDrift::default();
    for o in outputs {
        let d = generate::check(&out.join(o.cluster), &o.files)?;
        if !d.is_clean() {
            drift
                .clusters
                .push((o.cluster.to_string(), o.spec.to_path_buf(), d));
        }
    }
    let current: Vec<&str> = fleet
        .members
        .iter()
        .filter_map(|m| m.cluster.as_deref())
        .collect();
    drift.extra_folders = stale_folders(out, &current)?;
    for entry in fs::read_dir(out).map_err(|e| Error::io("list", out, e))? {
        let entry = entry.map_err(|e| Error::io("list", out, e))?;
        if !entry.path().is_dir() {
            drift
                .extra_files
                .push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    drift.extra_files.sort();
    Ok(drift)
}

/// Whether `path` names a folder of specs.
pub fn is_fleet(path: &Path) -> bool {
    path.is_dir()
}
