//! The public names a user reaches: the root's re-exports and each public module's.
//! A name that disappears (or appears) fails this test, so a breaking change is a
//! decision: update `tests/public_api.txt` and mark it in CHANGELOG.md.

use std::collections::BTreeSet;

/// The names a `pub use` statement brings in (`a::{b, c::{d, e as f}}` gives b, d, f).
fn leaves(tree: &str, out: &mut BTreeSet<String>, prefix: &str) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let inner = &tree[open + 1..tree.rfind('}').expect("balanced braces")];
        let mut depth = 0;
        let mut start = 0;
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    leaves(&inner[start..i], out, prefix);
                    start = i + 1;
                }
                _ => {}
            }
        }
        leaves(&inner[start..], out, prefix);
    } else if !tree.is_empty() {
        let name = tree
            .rsplit(" as ")
            .next()
            .unwrap()
            .rsplit("::")
            .next()
            .unwrap();
        out.insert(format!("{prefix}{}", name.trim()));
    }
}

fn public_names(path: &str, prefix: &str, out: &mut BTreeSet<String>) {
    let text =
        std::fs::read_to_string(format!("{}/src/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\npub use ") {
        let stmt = &rest[at + "\npub use ".len()..];
        let end = stmt.find(';').unwrap();
        leaves(&stmt[..end], out, prefix);
        rest = &stmt[end..];
    }
    for line in text.lines() {
        for kw in [
            "pub struct ",
            "pub enum ",
            "pub fn ",
            "pub trait ",
            "pub type ",
            "pub const ",
        ] {
            if let Some(m) = line.strip_prefix(kw) {
                let name: String = m
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(format!("{prefix}{name}"));
            }
        }
        if let Some(m) = line.strip_prefix("pub mod ") {
            let name = m.trim_end_matches([';', '{', '}', ' ']);
            out.insert(format!("{prefix}{name} (module)"));
        }
    }
}

#[test]
fn the_public_names_are_those_listed() {
    let mut names = BTreeSet::new();
    public_names("lib.rs", "", &mut names);
    for m in [
        "network",
        "topology",
        "evidence",
        "inference",
        "service",
        "restoration",
        "replay",
        "map",
        "bench",
    ] {
        public_names(&format!("{m}/mod.rs"), &format!("{m}::"), &mut names);
    }
    let listed: BTreeSet<String> = include_str!("public_api.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let gone: Vec<_> = listed.difference(&names).collect();
    let new: Vec<_> = names.difference(&listed).collect();
    assert!(
        gone.is_empty() && new.is_empty(),
        "public names gone: {gone:?}; new: {new:?}. Update tests/public_api.txt (and \
         CHANGELOG.md: a name gone is a breaking change)."
    );
}
