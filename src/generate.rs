//! `generate` and `check`: every output the spec supports, written into one folder, or
//! compared with what a folder holds (the drift check CI runs).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output;
use crate::plan::Plan;
use crate::spec::Loaded;
use crate::targets::{self, Renderers};
use crate::validate::Scope;

/// Every file `generate` may write, relative to the folder, but for the keepalived files (see
/// [`KEEPALIVED_DIR`]). A file of this list that a spec no longer produces (say, its `aws`
/// section was removed) is deleted by `generate`.
pub const KNOWN_FILES: &[&str] = &[
    "cloudformation.yaml",
    "cloudformation-import.json",
    "cloudformation-resources-to-import.json",
    "aws-cli.sh",
    "terraform/versions.tf",
    "terraform/main.tf",
    "terraform/outputs.tf",
    "terraform/imports.tf",
    "haproxy.cfg",
    "drain.sh",
    "impala-config.md",
];

/// The folder of the keepalived files, `keepalived/<host>.conf` per node of `haproxy.ha`. The
/// nodes change with the spec, so every `.conf` file in it that the spec no longer produces
/// (a node removed, or `haproxy.ha` itself) is deleted by `generate`, and so is the folder when
/// that leaves it empty.
pub const KEEPALIVED_DIR: &str = "keepalived";

/// One generated file: its path inside the folder (`/`-separated) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// Renders every output the spec supports: the AWS targets when it has an `aws` section,
/// HAProxy when it has a `haproxy` section or no `aws` section (the same rule `validate` uses),
/// and the client wiring always. `loaded` was validated with [`Scope::for_spec`]; `renderers`
/// may serve many specs (a fleet), so each template is parsed once.
pub fn files(loaded: &Loaded, renderers: &Renderers) -> Result<Vec<File>, Error> {
    let scope = Scope::for_spec(&loaded.spec);
    let plan = &Plan::new(&loaded.spec);
    let file = |path: &str, text: String| File {
        path: path.to_string(),
        text,
    };
    let mut out = Vec::new();
    if scope.aws {
        let template = targets::cloudformation::render_with(renderers.cloudformation()?, plan)?;
        // A spec that adopts existing resources: the import that brings them into a stack.
        let import = if targets::cloudformation::adopted(plan).is_empty() {
            None
        } else {
            Some(targets::cloudformation::import_template(plan, &template)?)
        };
        out.push(file("cloudformation.yaml", template));
        if let Some(import) = import {
            out.push(file("cloudformation-import.json", import));
            out.push(file(
                "cloudformation-resources-to-import.json",
                targets::cloudformation::render_resources_to_import(plan)?,
            ));
        }
        out.push(file(
            "aws-cli.sh",
            targets::aws_cli::render_with(renderers.aws_cli()?, plan)?,
        ));
        // The module layout, in a folder of its own: `terraform -chdir=DIR/terraform plan`.
        let module = targets::terraform::render_with(renderers.terraform()?, plan)?;
        for (name, text) in module.layout() {
            out.push(file(&format!("terraform/{name}"), text));
        }
    }
    if scope.haproxy {
        out.push(file(
            "haproxy.cfg",
            targets::haproxy::render_with(renderers.haproxy()?, plan)?,
        ));
        for (path, text) in targets::keepalived::render_all(renderers, plan)? {
            out.push(file(&path, text));
        }
    }
    // Every spec has a balancer to drain a daemon from.
    out.push(file(
        "drain.sh",
        targets::drain::render_with(renderers.drain()?, plan)?,
    ));
    out.push(file(
        "impala-config.md",
        targets::impala_config::render_with(
            renderers.impala_config()?,
            renderers.mermaid()?,
            plan,
        )?,
    ));
    Ok(out)
}

/// Writes `files` into `dir` (created if missing), each atomically, and removes known files
/// the spec no longer produces. Returns the paths written.
pub fn write(dir: &Path, files: &[File]) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create the folder", parent, e))?;
        }
        // The script is meant to be run: executable, like a script a user writes.
        let mode = if f.path.ends_with(".sh") {
            0o755
        } else {
            0o644
        };
        output::write_atomic_mode(&path, f.text.as_bytes(), mode)?;
        written.push(path);
    }
    let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut stale: Vec<String> = KNOWN_FILES
        .iter()
        .filter(|k| !produced.contains(*k))
        .map(|k| k.to_string())
        .collect();
    let keepalived = dir.join(KEEPALIVED_DIR);
    match fs::read_dir(&keepalived) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("list", &keepalived, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("{KEEPALIVED_DIR}/{name}");
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file && name.ends_with(".conf") && !produced.contains(path.as_str()) {
                    stale.push(path);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("list", &keepalived, e)),
    }
    for known in stale {
        let path = dir.join(known);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::io(
                    "remove the file the spec no longer produces",
                    &path,
                    e,
                ))
            }
        }
    }
    // The keepalived folder goes when nothing is left in it (an error means it is not empty,
    // or not there).
    let _ = fs::remove_dir(&keepalived);
    Ok(written)
}

/// What `check` found.
#[derive(Debug, Default, PartialEq)]
pub struct Drift {
    /// On disk but different: (path, unified diff from disk to generated).
    pub stale: Vec<(String, String)>,
    pub missing: Vec<String>,
    /// In the folder, but not generated.
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    /// The report: each file, with diffs; coloured when `colour`.
    pub fn render(&self, colour: bool) -> String {
        self.render_labelled(colour, "", "")
    }

    /// The report with each path after `prefix` and each line ending with `label` (a fleet's
    /// `dev/haproxy.cfg (cluster dev, clusters/dev.yaml)`).
    pub fn render_labelled(&self, colour: bool, prefix: &str, label: &str) -> String {
        let mut out = String::new();
        let label = if label.is_empty() {
            String::new()
        } else {
            format!(" {label}")
        };
        for (path, diff) in &self.stale {
            let _ = writeln!(out, "stale: {prefix}{path}{label}");
            for line in diff.lines() {
                let _ = writeln!(out, "{}", paint(line, colour));
            }
        }
        for path in &self.missing {
            let _ = writeln!(out, "missing: {prefix}{path}{label}");
        }
        for path in &self.extra {
            let what = if label.is_empty() {
                " (not generated from the spec)".to_string()
            } else {
                format!("{label}: not generated from the spec")
            };
            let _ = writeln!(out, "extra: {prefix}{path}{what}");
        }
        out
    }

    /// How many files differ.
    pub fn count(&self) -> usize {
        self.stale.len() + self.missing.len() + self.extra.len()
    }
}

fn paint(line: &str, colour: bool) -> String {
    if !colour {
        return line.to_string();
    }
    let code = if line.starts_with("+++") || line.starts_with("---") {
        "1"
    } else if line.starts_with('+') {
        "32"
    } else if line.starts_with('-') {
        "31"
    } else if line.starts_with("@@") {
        "36"
    } else {
        return line.to_string();
    };
    format!("\x1b[{code}m{line}\x1b[0m")
}

/// Compares `files` with what `dir` holds. Reads only.
pub fn check(dir: &Path, files: &[File]) -> Result<Drift, Error> {
    let mut drift = Drift::default();
    for f in files {
        let path = dir.join(&f.path);
        match fs::read(&path) {
            Ok(bytes) if bytes == f.text.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let diff = similar::TextDiff::from_lines(old.as_ref(), f.text.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} (on disk)", f.path),
                        &format!("{} (from the spec)", f.path),
                    )
                    .to_string();
                drift.stale.push((f.path.clone(), diff));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drift.missing.push(f.path.clone())
            }
            Err(e) => return Err(Error::io("read", &path, e)),
        }
    }
    if dir.is_dir() {
        let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let mut on_disk = Vec::new();
        list(dir, dir, &mut on_disk)?;
        on_disk.sort();
        drift.extra = on_disk
            .into_iter()
            .filter(|p| !produced.contains(p.as_str()))
            .collect();
    }
    Ok(drift)
}

/// Files below `dir`, as `/`-separated paths relative to `root`.
fn list(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list", dir, e))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("inspect", &path, e))?;
        if kind.is_dir() {
            list(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Runs `check` for the command line: the report on stdout (coloured on a terminal unless
/// `NO_COLOR` is set), and a [`Error::Drift`] naming the fix when anything differs.
pub fn check_command(dir: &Path, files: &[File], config: &Path) -> Result<(), Error> {
    if !dir.is_dir() {
        return Err(Error::Drift(format!(
            "{} does not exist; run `impala-lbgen -c {} generate --out-dir {}` to create it",
            dir.display(),
            config.display(),
            dir.display()
        )));
    }
    let drift = check(dir, files)?;
    if drift.is_clean() {
        return Ok(());
    }
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    output::emit(None, drift.render(colour).as_bytes())?;
    let n = drift.count();
    Err(Error::Drift(format!(
        "{n} file{} in {} differ{} from the spec; run `impala-lbgen -c {} generate --out-dir {}` and commit the result",
        if n == 1 { "" } else { "s" },
        dir.display(),
        if n == 1 { "s" } else { "" },
        config.display(),
        dir.display()
    )))
}
