//! Scratch folders for tests that write model files: fresh, unique, removed on drop.

use std::path::{Path, PathBuf};

/// A fresh folder under the system's temporary folder, removed with what it holds when
/// dropped.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A new, empty folder whose name starts with `tag`.
    ///
    /// # Panics
    /// When the temporary folder is not writable.
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "outage-locator-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
        Scratch { dir }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to `rel` in the folder (making its folders), returning its path.
    ///
    /// # Panics
    /// When it cannot be written.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("writable");
        }
        std::fs::write(&p, bytes).expect("writable");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
