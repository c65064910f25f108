//! What the two code generators (test code) share: `render/codegen.rs` writes the parsed
//! templates, `spec/schema_codegen.rs` the schema check. Each generated file is checked in,
//! and a test fails when it no longer matches what its generator writes now.

/// A Rust identifier for a name: ASCII letters (in lower case) and digits kept, anything else
/// `_`.
pub(crate) fn ident(name: &str) -> String {
    name.chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '_',
        })
        .collect()
}

/// Fails unless the file at `path` (from the crate's root) holds `want`; with the environment
/// variable `update` set, writes `want` there instead. `changed` names what the file is made
/// from, `filter` the `cargo test --lib` filter that runs the check.
pub(crate) fn assert_up_to_date(path: &str, want: &str, update: &str, changed: &str, filter: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let have = std::fs::read_to_string(&full).unwrap_or_default();
    if have == want {
        return;
    }
    if std::env::var_os(update).is_some() {
        std::fs::write(&full, want).unwrap();
    } else {
        panic!(
            "{path} is stale: {changed} changed. Rewrite it with \
             `{update}=1 cargo test --lib {filter}` and review the diff"
        );
    }
}
