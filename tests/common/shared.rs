//! Where the tests find `../shared`: the folder beside the repository that holds the
//! full feeder models (IEEE 8500, J1) and the sample scenarios, too large to copy into
//! `fixtures/`.
//!
//! The path is `../shared` from the crate's manifest, fixed when the tests are compiled:
//! for a clone at `/somewhere/outage-locator` it is `/somewhere/shared`. A test that
//! reads it is `#[ignore = "needs ../shared: <what>"]`, so that a fresh clone passes
//! without it; `.ci/run` runs the ignored tests when the folder exists. Run by hand
//! without the folder, such a test fails here, naming the path it looked for: it never
//! passes without having checked anything.

use std::path::{Path, PathBuf};

/// `../shared` beside the crate, whether it exists or not.
pub fn shared_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// The file or folder `rel` of `../shared`.
///
/// # Panics
///
/// When it is absent, with the path it looked for.
pub fn shared(rel: &str) -> PathBuf {
    let p = shared_root().join(rel);
    assert!(
        p.exists(),
        "needs ../shared: {} is absent. This test is ignored by default and runs with \
         `cargo test --release -- --ignored` where ../shared exists (as .ci/run does)",
        p.display()
    );
    p
}
