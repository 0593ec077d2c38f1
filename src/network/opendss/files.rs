//! Reading files: the master file and the files it includes (`Redirect`, `Compile`,
//! `Buscoords`), found case-insensitively, decoded, split into lines and statements.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ImportError, SourceLocation};

use super::lexer::strip_comment;
use super::objects::{Include, Objects};
use super::report::Notes;

/// The reader: the objects its statements made, the bus coordinates, the files read
/// and the notes for the report.
#[derive(Debug, Default)]
pub(super) struct Reader {
    /// The objects and the statements' state.
    pub(super) objects: Objects,
    /// Bus coordinates as read: `(bus, x, y)`.
    pub(super) coords: Vec<(String, f64, f64)>,
    /// The files read, canonical: each is read once.
    pub(super) files: Vec<PathBuf>,
    /// Warnings and skipped statements.
    pub(super) notes: Notes,
}

impl Reader {
    /// Reads a file: the master (`from` is `None`: failing to read it is an error) or
    /// one that the statement at `from` redirects to (a warning).
    ///
    /// # Errors
    /// [`ImportError::Io`] when the master file cannot be read.
    pub(super) fn read_file(
        &mut self,
        path: &Path,
        from: Option<&SourceLocation>,
    ) -> Result<(), ImportError> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.files.contains(&real) {
            return Ok(());
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(source) => match from {
                None => {
                    return Err(ImportError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
                Some(at) => {
                    self.notes
                        .warn(at, format!("cannot read {}: {source}", path.display()));
                    return Ok(());
                }
            },
        };
        self.files.push(real);
        // Latin-1: every byte is a character, so no model file fails to decode.
        let text: String = bytes
            .iter()
            .map(|&b| if b == 0 { ' ' } else { b as char })
            .collect();
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        self.read_text(&text, &Arc::new(path.to_path_buf()), &base);
        Ok(())
    }

    /// Reads the statements of `text`, the contents of `path`; files it includes are
    /// looked for from `base`.
    pub(super) fn read_text(&mut self, text: &str, path: &Arc<PathBuf>, base: &Path) {
        let mut in_block = false;
        // Lines split on \n, \r\n and lone \r alike.
        let mut lineno = 0u32;
        for raw in text.split('\n') {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            for part in raw.split('\r') {
                lineno = lineno.saturating_add(1);
                let line = part.trim();
                if in_block {
                    if line.contains("*/") {
                        in_block = false;
                    }
                    continue;
                }
                if line.starts_with("/*") {
                    in_block = !line.contains("*/");
                    continue;
                }
                let line = strip_comment(line).trim();
                if !line.is_empty() {
                    let at = SourceLocation::new(path, lineno);
                    if let Some(include) = self.objects.statement(line, &at, &mut self.notes) {
                        self.include(&include, base, &at);
                    }
                }
            }
        }
    }

    /// Reads the file that the statement at `at` names, before the next statement.
    fn include(&mut self, include: &Include, base: &Path, at: &SourceLocation) {
        let (Include::Statements(name) | Include::Coords(name)) = include;
        match find_file(base, name) {
            None => self.notes.warn(at, format!("file not found: {name}")),
            Some(f) if matches!(include, Include::Coords(_)) => self.read_coords(&f, at),
            Some(f) => {
                if let Err(e) = self.read_file(&f, Some(at)) {
                    self.notes.warn(at, e.to_string());
                }
            }
        }
    }

    /// Reads a bus coordinates file: `bus x y` a line, separated by spaces or commas;
    /// other lines are ignored.
    fn read_coords(&mut self, path: &Path, at: &SourceLocation) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                self.notes
                    .warn(at, format!("cannot read {}: {e}", path.display()));
                return;
            }
        };
        let text: String = bytes.iter().map(|&b| b as char).collect();
        for raw in text.lines() {
            let line = strip_comment(raw).trim();
            let parts: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() >= 3
                && let (Ok(x), Ok(y)) = (parts[1].parse::<f64>(), parts[2].parse::<f64>())
                && x.is_finite()
                && y.is_finite()
            {
                self.coords.push((parts[0].to_string(), x, y));
            }
        }
    }
}

/// The file a statement names, from `base`: as written, else matching each component
/// case-insensitively (model files written on Windows).
fn find_file(base: &Path, name: &str) -> Option<PathBuf> {
    let name = name
        .trim()
        .trim_matches(|c| "\"'()".contains(c))
        .replace('\\', "/");
    if name.is_empty() {
        return None;
    }
    let p = Path::new(&name);
    let path = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    if path.is_file() {
        return Some(path);
    }
    // Component by component, matching case-insensitively (Windows model files).
    let mut cur = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    };
    for comp in path.components() {
        use std::path::Component;
        match comp {
            Component::RootDir | Component::Prefix(_) => continue,
            Component::CurDir => continue,
            Component::ParentDir => {
                cur.push("..");
                continue;
            }
            Component::Normal(part) => {
                let dir = if cur.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    cur.clone()
                };
                let want = part.to_string_lossy().to_lowercase();
                let hit = std::fs::read_dir(&dir)
                    .ok()?
                    .flatten()
                    .find(|e| e.file_name().to_string_lossy().to_lowercase() == want)?;
                cur.push(hit.file_name());
            }
        }
    }
    cur.is_file().then_some(cur)
}
