//! The options of an import: where model files may be read from, how much may be read,
//! how deep `Redirect`s may nest, and whether a partial model is accepted.

use std::path::{Path, PathBuf};

use crate::error::ImportError;

/// How a model is imported ([`import_opendss_with`](crate::network::import_opendss_with)): the
/// folders files may come from, the bounds on what is read, and whether a partial model
/// is accepted. The defaults suit a server importing models it did not write.
///
/// Files are confined to the master file's folder and the folders below it, and to the
/// `allowed_roots`: a `Redirect`, `Compile` or `Buscoords` naming a file elsewhere (by
/// `..`, an absolute path or a symbolic link) is refused without reading it, as is
/// anything but a regular file (a folder, a device such as `/dev/zero`, a pipe).
///
/// ```
/// use outage_locator::network::{ImportOptions, import_opendss_with};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let opts = ImportOptions {
///     max_redirect_depth: 8,
///     ..ImportOptions::default()
/// };
/// let (net, _) = import_opendss_with(path, &opts).unwrap();
/// assert_eq!(net.customers().len(), 91);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Folders beyond the master's own folder tree that model files may be read from
    /// (with the folders below them). Empty by default.
    pub allowed_roots: Vec<PathBuf>,
    /// The largest file read, in bytes (4 GiB by default).
    pub max_file_bytes: u64,
    /// The most read from all the model's files together, in bytes (4 GiB by default).
    pub max_total_bytes: u64,
    /// The longest line read, in bytes (1 MiB by default); a longer line is skipped with
    /// a warning, and reading it never holds more than this.
    pub max_line_bytes: usize,
    /// How deep `Redirect` and `Compile` may nest below the master (64 by default).
    pub max_redirect_depth: usize,
    /// Accept a partial model: one with no customers, or whose `Redirect`ed or
    /// `Compile`d files are missing or refused, gives a network and warnings instead of
    /// an error. Off by default.
    pub accept_partial: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            allowed_roots: Vec::new(),
            max_file_bytes: 4 << 30,
            max_total_bytes: 4 << 30,
            max_line_bytes: 1 << 20,
            max_redirect_depth: 64,
            accept_partial: false,
        }
    }
}

impl ImportOptions {
    /// Checks that `path` names a regular file within [`ImportOptions::max_file_bytes`]
    /// before a reader opens it; returns its length.
    ///
    /// # Errors
    /// [`ImportError::Io`] when it cannot be read, [`ImportError::NotAFile`],
    /// [`ImportError::FileTooLarge`].
    pub(crate) fn check_model_file(&self, path: &Path) -> Result<u64, ImportError> {
        let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if !meta.is_file() {
            let path = path.to_path_buf();
            return Err(ImportError::NotAFile { path });
        }
        if meta.len() > self.max_file_bytes {
            let (path, limit) = (path.to_path_buf(), self.max_file_bytes);
            return Err(ImportError::FileTooLarge { path, limit });
        }
        Ok(meta.len())
    }
}
