//! Reading files: the master file and the files it includes (`Redirect`, `Compile`,
//! `Buscoords`), found case-insensitively within the folders the import may read,
//! nested on an explicit stack, read within bounds and split into statements.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::error::{FileRefusal, ImportError, SourceLocation};

use super::ImportOptions;
use super::lexer::strip_comment;
use super::lines::{Line, Lines, ReadError, decode};
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
    /// The files of statements read, canonical: each is read once.
    pub(super) files: HashSet<PathBuf>,
    /// Warnings and skipped statements.
    pub(super) notes: Notes,
    /// Bytes read from files so far.
    total: u64,
}

/// A file (or text) being read: its lines, its name in locations, the folders its
/// includes are looked for from, and where the reading is.
struct Source<'a> {
    lines: Lines<Box<dyn BufRead + 'a>>,
    /// The path as named (for locations), shared by the objects read from it.
    path: Arc<PathBuf>,
    /// Its folder as named, for the names of the files it includes.
    shown_base: PathBuf,
    /// Its real (canonical) folder, where relative names start.
    base: PathBuf,
    /// Its real path (none for text given in memory).
    real: Option<PathBuf>,
    line: u32,
    in_block: bool,
}

impl<'a> Source<'a> {
    fn new(
        inner: Box<dyn BufRead + 'a>,
        path: &Path,
        base: PathBuf,
        real: Option<PathBuf>,
    ) -> Self {
        Source {
            lines: Lines::new(inner),
            path: Arc::new(path.to_path_buf()),
            shown_base: path.parent().unwrap_or(Path::new("")).to_path_buf(),
            base,
            real,
            line: 0,
            in_block: false,
        }
    }
}

/// A file located for reading: its name for locations, its real path and size.
struct Located {
    shown: PathBuf,
    real: PathBuf,
    len: u64,
}

/// What reading a line of statements gave.
enum Step {
    /// The end of the file.
    End,
    /// A line, interpreted.
    Read,
    /// A statement naming a file to read now.
    Include(Include, SourceLocation),
}

impl Reader {
    /// Reads the master file at `path` and everything it includes.
    ///
    /// # Errors
    /// The master cannot be read ([`ImportError::Io`]), is not a regular file
    /// ([`ImportError::NotAFile`]) or is too large; see also [`Reader::read`].
    pub(super) fn read_master(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<(), ImportError> {
        let io = |source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        };
        opts.check_model_file(path)?;
        let real = std::fs::canonicalize(path).map_err(io)?;
        let folder = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        let file = File::open(path).map_err(io)?;
        let mut roots = vec![folder.clone()];
        roots.extend(canonical_roots(opts));
        self.files.insert(real.clone());
        let src = Source::new(Box::new(BufReader::new(file)), path, folder, Some(real));
        self.read(src, &roots, opts)
    }

    /// Reads OpenDSS text given in memory (under the name `name`); files it includes
    /// are looked for from the current folder, and read only within
    /// `opts.allowed_roots`.
    ///
    /// # Errors
    /// As [`Reader::read`].
    pub(super) fn read_str(
        &mut self,
        text: &str,
        name: &Path,
        opts: &ImportOptions,
    ) -> Result<(), ImportError> {
        let base = std::fs::canonicalize(".").unwrap_or_default();
        let src = Source::new(Box::new(text.as_bytes()), name, base, None);
        self.read(src, &canonical_roots(opts), opts)
    }

    /// Reads the statements of `first` and of the files they include, each included file
    /// before the statement after its `Redirect`: a stack of open files as deep as the
    /// nesting, never recursion.
    ///
    /// # Errors
    /// [`ImportError::RedirectTooDeep`]; [`ImportError::FileTooLarge`] and
    /// [`ImportError::ModelTooLarge`]; [`ImportError::Io`] when a file fails while it is
    /// read; an included file missing or refused ([`ImportError::Include`]) unless
    /// `opts.accept_partial` (then a warning).
    ///
    /// # Complexity
    /// O(bytes read), plus a folder listing per path component of a name that is
    /// not found as written.
    fn read(
        &mut self,
        first: Source<'_>,
        roots: &[PathBuf],
        opts: &ImportOptions,
    ) -> Result<(), ImportError> {
        let mut stack = vec![first];
        let mut buf = Vec::new();
        while let Some(top) = stack.last_mut() {
            let (include, at) = match self.next_line(top, &mut buf, opts)? {
                Step::End => {
                    stack.pop();
                    continue;
                }
                Step::Read => continue,
                Step::Include(include, at) => (include, at),
            };
            let (base, shown_base) = (top.base.clone(), top.shown_base.clone());
            let here = Folder {
                base: &base,
                shown: &shown_base,
                roots,
            };
            match include {
                Include::Coords(name) => self.read_coords(&here, &name, &at, opts)?,
                Include::Statements(name) => {
                    if stack.len() > opts.max_redirect_depth {
                        let limit = opts.max_redirect_depth;
                        return Err(ImportError::RedirectTooDeep { at, limit });
                    }
                    if let Some(src) = self.open_include(&here, &name, &at, &stack, opts)? {
                        stack.push(src);
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads and interprets the next line of `src`.
    fn next_line(
        &mut self,
        src: &mut Source<'_>,
        buf: &mut Vec<u8>,
        opts: &ImportOptions,
    ) -> Result<Step, ImportError> {
        let counted = src.real.is_some();
        let Some(line) = self.bounded_line(&mut src.lines, &src.path, counted, buf, opts)? else {
            return Ok(Step::End);
        };
        src.line = src.line.saturating_add(1);
        let at = SourceLocation::new(&src.path, src.line);
        let Some(text) = self.decoded(line, buf, src.line == 1, &at, opts) else {
            return Ok(Step::Read);
        };
        let line = text.trim();
        if src.in_block {
            src.in_block = !line.contains("*/");
            return Ok(Step::Read);
        }
        if line.starts_with("/*") {
            src.in_block = !line.contains("*/");
            return Ok(Step::Read);
        }
        let line = strip_comment(line).trim();
        if line.is_empty() {
            return Ok(Step::Read);
        }
        Ok(match self.objects.statement(line, &at, &mut self.notes) {
            Some(include) => Step::Include(include, at),
            None => Step::Read,
        })
    }

    /// The next line of a file within the bounds of `opts`, counting its bytes in the
    /// model's total when `counted` (a file, not text given in memory).
    fn bounded_line<R: BufRead>(
        &mut self,
        lines: &mut Lines<R>,
        path: &Path,
        counted: bool,
        buf: &mut Vec<u8>,
        opts: &ImportOptions,
    ) -> Result<Option<Line>, ImportError> {
        let file_left = opts.max_file_bytes.saturating_sub(lines.consumed);
        let total_left = opts.max_total_bytes.saturating_sub(self.total);
        let allow = if counted {
            file_left.min(total_left)
        } else {
            u64::MAX
        };
        let before = lines.consumed;
        let read = lines.next(buf, opts.max_line_bytes, allow);
        if counted {
            self.total += lines.consumed - before;
        }
        let path = path.to_path_buf();
        match read {
            Ok(line) => Ok(line),
            Err(ReadError::Io(source)) => Err(ImportError::Io { path, source }),
            Err(ReadError::Exceeded) if file_left <= total_left => Err(ImportError::FileTooLarge {
                path,
                limit: opts.max_file_bytes,
            }),
            Err(ReadError::Exceeded) => Err(ImportError::ModelTooLarge {
                path,
                limit: opts.max_total_bytes,
            }),
        }
    }

    /// A line's text, with a warning when it is too long (`None`) or not UTF-8.
    fn decoded<'b>(
        &mut self,
        line: Line,
        buf: &'b mut [u8],
        first: bool,
        at: &SourceLocation,
        opts: &ImportOptions,
    ) -> Option<std::borrow::Cow<'b, str>> {
        if line == Line::TooLong {
            let max = opts.max_line_bytes;
            self.notes
                .warn(at, format!("line longer than {max} bytes, skipped"));
            return None;
        }
        let (text, utf8) = decode(buf, first);
        if !utf8 {
            self.notes.warn(at, "not UTF-8: read as Latin-1");
        }
        Some(text)
    }

    /// Opens the file a `Redirect` or `Compile` at `at` names: `None` when it was read
    /// already (a warning when it is still being read: a cycle).
    fn open_include(
        &mut self,
        here: &Folder<'_>,
        name: &str,
        at: &SourceLocation,
        stack: &[Source<'_>],
        opts: &ImportOptions,
    ) -> Result<Option<Source<'static>>, ImportError> {
        let refuse = |notes: &mut Notes, reason: FileRefusal| {
            if !opts.accept_partial {
                let (at, name) = (at.clone(), name.trim().to_string());
                return Err(ImportError::Include { at, name, reason });
            }
            notes.warn(at, format!("cannot include {}: {reason}", name.trim()));
            Ok(None)
        };
        let f = match here.locate(name) {
            Ok(f) => f,
            Err(reason) => return refuse(&mut self.notes, reason),
        };
        if stack.iter().any(|s| s.real.as_ref() == Some(&f.real)) {
            let msg = format!("{} is being read already (a Redirect cycle)", name.trim());
            self.notes.warn(at, msg);
            return Ok(None);
        }
        if self.files.contains(&f.real) {
            return Ok(None);
        }
        if f.len > opts.max_file_bytes {
            let (path, limit) = (f.shown, opts.max_file_bytes);
            return Err(ImportError::FileTooLarge { path, limit });
        }
        let file = match File::open(&f.real) {
            Ok(file) => file,
            Err(e) => return refuse(&mut self.notes, FileRefusal::Unreadable(e.kind())),
        };
        self.files.insert(f.real.clone());
        let base = f.real.parent().unwrap_or(Path::new("/")).to_path_buf();
        let inner: Box<dyn BufRead> = Box::new(BufReader::new(file));
        Ok(Some(Source::new(inner, &f.shown, base, Some(f.real))))
    }

    /// Reads a bus coordinates file: `bus x y` a line, separated by spaces or commas;
    /// other lines are ignored. A file that cannot be read is a warning (coordinates
    /// are not topology).
    fn read_coords(
        &mut self,
        here: &Folder<'_>,
        name: &str,
        at: &SourceLocation,
        opts: &ImportOptions,
    ) -> Result<(), ImportError> {
        let refused = |notes: &mut Notes, reason: FileRefusal| {
            notes.warn(
                at,
                format!("cannot read coordinates {}: {reason}", name.trim()),
            );
            Ok(())
        };
        let f = match here.locate(name) {
            Ok(f) => f,
            Err(reason) => return refused(&mut self.notes, reason),
        };
        if f.len > opts.max_file_bytes {
            let (path, limit) = (f.shown, opts.max_file_bytes);
            return Err(ImportError::FileTooLarge { path, limit });
        }
        let file = match File::open(&f.real) {
            Ok(file) => file,
            Err(e) => return refused(&mut self.notes, FileRefusal::Unreadable(e.kind())),
        };
        let path = Arc::new(f.shown);
        let mut lines = Lines::new(BufReader::new(file));
        let mut buf = Vec::new();
        let mut n = 0u32;
        while let Some(line) = self.bounded_line(&mut lines, &path, true, &mut buf, opts)? {
            n = n.saturating_add(1);
            let at = SourceLocation::new(&path, n);
            if let Some(text) = self.decoded(line, &mut buf, n == 1, &at, opts) {
                self.coords.extend(coordinates(&text));
            }
        }
        Ok(())
    }
}

/// A line of a bus coordinates file as `(bus, x, y)`, if it is one.
fn coordinates(raw: &str) -> Option<(String, f64, f64)> {
    let line = strip_comment(raw).trim();
    let mut parts = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty());
    let (bus, x, y) = (parts.next()?, parts.next()?, parts.next()?);
    let (x, y) = (x.parse::<f64>().ok()?, y.parse::<f64>().ok()?);
    (x.is_finite() && y.is_finite()).then(|| (bus.to_string(), x, y))
}

/// The allowed roots of `opts` that exist, canonical.
fn canonical_roots(opts: &ImportOptions) -> Vec<PathBuf> {
    (opts.allowed_roots.iter())
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect()
}

/// Where the names a file includes are looked for: its real folder (and that folder as
/// named), within the roots the import may read.
struct Folder<'a> {
    base: &'a Path,
    shown: &'a Path,
    roots: &'a [PathBuf],
}

impl Folder<'_> {
    /// The file a statement names: as written, else matching each component below the
    /// root case-insensitively (model files written on Windows). Nothing outside the
    /// roots is looked at: the name is checked as written before any folder is listed,
    /// and the file found is checked again once symbolic links are resolved.
    fn locate(&self, name: &str) -> Result<Located, FileRefusal> {
        let name = name
            .trim()
            .trim_matches(|c| "\"'()".contains(c))
            .replace('\\', "/");
        if name.is_empty() {
            return Err(FileRefusal::NotFound);
        }
        let wanted = lexical(&self.base.join(&name));
        let root = (self.roots.iter())
            .filter(|r| wanted.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .ok_or(FileRefusal::OutsideRoots)?;
        let found = if wanted.exists() {
            wanted
        } else {
            let below = wanted
                .strip_prefix(root)
                .map_err(|_| FileRefusal::NotFound)?;
            case_insensitive(root, below, self.roots)?
        };
        let unreadable = |e: std::io::Error| FileRefusal::Unreadable(e.kind());
        let real = std::fs::canonicalize(&found).map_err(unreadable)?;
        if !self.roots.iter().any(|r| real.starts_with(r)) {
            return Err(FileRefusal::OutsideRoots);
        }
        let meta = std::fs::metadata(&real).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(FileRefusal::NotAFile);
        }
        let shown = match found.strip_prefix(self.base) {
            Ok(rel) => self.shown.join(rel),
            Err(_) => found.clone(),
        };
        Ok(Located {
            shown,
            real,
            len: meta.len(),
        })
    }
}

/// `path` with `.` and `..` resolved as written (a `..` at the root stays there).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `below` under `root`, each component matched case-insensitively in its folder; no
/// folder outside the roots is listed (a folder reached through a symbolic link is
/// checked first).
fn case_insensitive(root: &Path, below: &Path, roots: &[PathBuf]) -> Result<PathBuf, FileRefusal> {
    let mut cur = root.to_path_buf();
    for comp in below.components() {
        let real = std::fs::canonicalize(&cur).map_err(|_| FileRefusal::NotFound)?;
        if !roots.iter().any(|r| real.starts_with(r)) {
            return Err(FileRefusal::OutsideRoots);
        }
        let want = comp.as_os_str().to_string_lossy().to_lowercase();
        let hit = std::fs::read_dir(&cur)
            .map_err(|_| FileRefusal::NotFound)?
            .flatten()
            .find(|e| e.file_name().to_string_lossy().to_lowercase() == want)
            .ok_or(FileRefusal::NotFound)?;
        cur.push(hit.file_name());
    }
    Ok(cur)
}
