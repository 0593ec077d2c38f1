//! The examples' command line: one argument parser (lexopt) that answers `--help`
//! itself, failures as one line on standard error with an exit code, standard output
//! that ends quietly when its reader goes away (`score … | head`), and progress bars
//! on a terminal.
//!
//! Exit codes: 0 for a run, `--help` and a closed standard output; 1 for a failure
//! while running; 2 for a bad command line.
// Each example uses the parts it needs.
#![allow(dead_code)]

use std::fmt::{self, Display};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
// Re-exported for the examples' parsers; each uses some.
#[allow(unused_imports)]
pub use lexopt::Arg::{self, Long, Short, Value};
#[allow(unused_imports)]
pub use lexopt::ValueExt;

/// The example's name, for the lines it writes to standard error.
static NAME: OnceLock<String> = OnceLock::new();

/// The example's name (the first word of its usage).
pub fn name() -> &'static str {
    NAME.get().map_or("example", String::as_str)
}

/// Why an example stops before the end of its run.
#[derive(Debug)]
pub enum Stop {
    /// `-h` or `--help`: the usage on standard output, exit 0.
    Help,
    /// A bad command line: one line on standard error, exit 2.
    Usage(String),
    /// A failure while running: one line on standard error, exit 1.
    Failed(String),
    /// Standard output's reader went away: exit 0 without a word.
    Closed,
}

/// `.map_err(at(path))`: a failure prefixed by the file or thing it concerns.
pub fn at<E: Display>(what: impl Display) -> impl FnOnce(E) -> Stop {
    move |e| Stop::Failed(format!("{what}: {e}"))
}

/// `.map_err(io_at(path))` for I/O that also writes to standard output: a closed pipe
/// stays a quiet stop, any other failure is prefixed by what it concerns.
pub fn io_at(what: impl Display) -> impl FnOnce(io::Error) -> Stop {
    move |e| match Stop::from(e) {
        Stop::Failed(e) => Stop::Failed(format!("{what}: {e}")),
        stop => stop,
    }
}

impl From<lexopt::Error> for Stop {
    fn from(e: lexopt::Error) -> Stop {
        Stop::Usage(e.to_string())
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(e.to_string())
        }
    }
}

impl From<String> for Stop {
    fn from(e: String) -> Stop {
        Stop::Failed(e)
    }
}

impl From<&str> for Stop {
    fn from(e: &str) -> Stop {
        Stop::Failed(e.to_string())
    }
}

/// The crate's errors, each its own line.
macro_rules! failed_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Stop {
            fn from(e: $t) -> Stop {
                Stop::Failed(e.to_string())
            }
        }
    )*};
}
failed_from!(
    outage_locator::Error,
    outage_locator::ImportError,
    outage_locator::SwitchingError,
    outage_locator::ReplayError,
    outage_locator::OptionsError,
    outage_locator::NetworkError,
    serde_json::Error
);

impl From<Box<dyn std::error::Error>> for Stop {
    fn from(e: Box<dyn std::error::Error>) -> Stop {
        match e.downcast::<io::Error>() {
            Ok(io) => Stop::from(*io),
            Err(e) => Stop::Failed(e.to_string()),
        }
    }
}

/// The command line, read option by option; `-h` and `--help` end the parse with
/// [`Stop::Help`] wherever they stand.
pub struct Args {
    parser: lexopt::Parser,
}

impl Args {
    fn from_env() -> Args {
        Args {
            parser: lexopt::Parser::from_env(),
        }
    }

    /// The command line of a test.
    pub fn from_args<I: IntoIterator<Item = &'static str>>(args: I) -> Args {
        Args {
            parser: lexopt::Parser::from_args(args),
        }
    }

    /// The next option or value.
    ///
    /// # Errors
    /// [`Stop::Help`] for `-h` or `--help`; [`Stop::Usage`] for a malformed option.
    pub fn next(&mut self) -> Result<Option<Arg<'_>>, Stop> {
        match self.parser.next()? {
            Some(Short('h') | Long("help")) => Err(Stop::Help),
            arg => Ok(arg),
        }
    }

    /// The value of the option just read, parsed.
    ///
    /// # Errors
    /// [`Stop::Usage`] when it is missing or does not parse.
    pub fn value<T>(&mut self) -> Result<T, Stop>
    where
        T: FromStr,
        T::Err: Display,
    {
        let v = self.parser.value()?;
        parse(v, "value")
    }

    /// The value of the option just read, as a path.
    ///
    /// # Errors
    /// [`Stop::Usage`] when it is missing.
    pub fn path(&mut self) -> Result<PathBuf, Stop> {
        Ok(PathBuf::from(self.parser.value()?))
    }
}

/// Parses a positional value.
///
/// # Errors
/// [`Stop::Usage`] naming the argument when it does not parse.
pub fn parse<T>(v: std::ffi::OsString, what: &str) -> Result<T, Stop>
where
    T: FromStr,
    T::Err: Display,
{
    let s = v.string()?;
    s.parse()
        .map_err(|e| Stop::Usage(format!("invalid {what} '{s}': {e}")))
}

/// Parses a count such as a number of customers: positive, `_` allowed between digits
/// (`1_000_000`).
///
/// # Errors
/// [`Stop::Usage`] naming the argument when it is not a positive whole number.
pub fn count(v: std::ffi::OsString, what: &str) -> Result<usize, Stop> {
    let s = v.string()?;
    match s.replace('_', "").parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Stop::Usage(format!(
            "invalid {what} '{s}': not a positive whole number"
        ))),
    }
}

/// The positional arguments, exactly as many as `names`.
///
/// # Errors
/// [`Stop::Usage`] naming the missing or extra arguments.
pub fn positional<const N: usize>(
    free: Vec<std::ffi::OsString>,
    names: [&str; N],
) -> Result<[String; N], Stop> {
    if free.len() < N {
        return Err(Stop::Usage(format!(
            "missing {}",
            names[free.len()..].join(" ")
        )));
    }
    if free.len() > N {
        let extra = free[N].to_string_lossy();
        return Err(Stop::Usage(format!("unexpected argument '{extra}'")));
    }
    let mut out = free.into_iter().map(|v| v.string());
    let mut take = || out.next().expect("counted above");
    let strings: Vec<String> = (0..N).map(|_| take()).collect::<Result<_, _>>()?;
    Ok(strings.try_into().expect("counted above"))
}

/// Runs an example: parses its command line with `parse`, runs it with `run`, and turns
/// the outcome into an exit code. `usage` starts with the example's name; its first
/// line is repeated after a bad command line.
pub fn main<A>(
    usage: &str,
    parse: impl FnOnce(&mut Args) -> Result<A, Stop>,
    run: impl FnOnce(A) -> Result<(), Stop>,
) -> ExitCode {
    let name = usage.split_whitespace().next().unwrap_or("example");
    let _ = NAME.set(name.to_string());
    let outcome = parse(&mut Args::from_env()).and_then(run);
    exit(outcome, usage)
}

/// The exit code of an outcome, after its line on standard output or error.
fn exit(outcome: Result<(), Stop>, usage: &str) -> ExitCode {
    match outcome {
        Ok(()) | Err(Stop::Closed) => ExitCode::SUCCESS,
        Err(Stop::Help) => {
            let mut out = io::stdout().lock();
            match writeln!(out, "usage: {usage}").and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => failed(&format!("standard output: {e}")),
            }
        }
        Err(Stop::Usage(e)) => {
            let first = usage.lines().next().unwrap_or(usage);
            eprintln!("{}: {e} (usage: {first}; --help for more)", name());
            ExitCode::from(2)
        }
        Err(Stop::Failed(e)) => failed(&e),
    }
}

fn failed(e: &str) -> ExitCode {
    eprintln!("{}: {e}", name());
    ExitCode::FAILURE
}

/// Writes to standard output (the examples' `print!`). A closed pipe ends the process
/// quietly with exit 0, as a reader such as `head` expects; any other failure to write
/// ends it with its one line and exit 1.
pub fn write(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        drop(out);
        eprintln!("{}: standard output: {e}", name());
        std::process::exit(1);
    }
}

/// Writes a line to standard output (the examples' `println!`), as [`write`] does.
pub fn line(args: fmt::Arguments<'_>) {
    write(format_args!("{args}\n"));
}

/// `println!` for the examples: see [`line`].
#[allow(unused_macros)]
macro_rules! outln {
    () => { $crate::cli::line(format_args!("")) };
    ($($t:tt)*) => { $crate::cli::line(format_args!($($t)*)) };
}
#[allow(unused_imports)]
pub(crate) use outln;

/// `print!` for the examples: see [`write`].
#[allow(unused_macros)]
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::write(format_args!($($t)*)) };
}
#[allow(unused_imports)]
pub(crate) use out;

/// A progress bar of `len` steps on standard error, drawn only where standard error is
/// a terminal.
pub fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = if io::stderr().is_terminal() {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} {elapsed_precise} (about {eta} left)",
    )
    .expect("a valid template")
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// A spinner with its elapsed time on standard error while one long step runs, drawn
/// only where standard error is a terminal.
pub fn spinner(what: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner} {msg} {elapsed_precise}")
        .expect("a valid template");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&'static str]) -> Result<(Vec<String>, Option<u32>), Stop> {
        let mut a = Args::from_args(args.iter().copied());
        let (mut free, mut n) = (Vec::new(), None);
        while let Some(arg) = a.next()? {
            match arg {
                Long("n") => n = Some(a.value()?),
                Value(v) => free.push(v),
                _ => return Err(arg.unexpected().into()),
            }
        }
        let [x] = positional(free, ["X"])?;
        Ok((vec![x], n))
    }

    #[test]
    fn help_wins_wherever_it_stands() {
        for args in [&["--help"][..], &["x", "-h"], &["--n", "3", "--help", "y"]] {
            assert!(matches!(run(args), Err(Stop::Help)), "{args:?}");
        }
    }

    #[test]
    fn bad_command_lines_are_usage_errors_of_one_line() {
        for args in [
            &[][..],
            &["x", "y"],
            &["--n", "three", "x"],
            &["--m", "x"],
            &["x", "--n"],
        ] {
            match run(args) {
                Err(Stop::Usage(e)) => assert!(!e.contains('\n'), "{e}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        let Err(Stop::Usage(e)) = run(&[]) else {
            unreachable!()
        };
        assert_eq!(e, "missing X");
    }

    #[test]
    fn a_good_command_line_parses() {
        let (free, n) = run(&["--n", "3", "x"]).unwrap();
        assert_eq!((free, n), (vec!["x".to_string()], Some(3)));
    }

    #[test]
    fn a_closed_pipe_is_a_quiet_stop() {
        let e = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(matches!(Stop::from(e), Stop::Closed));
        let boxed: Box<dyn std::error::Error> =
            Box::new(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(matches!(Stop::from(boxed), Stop::Closed));
        assert!(matches!(
            Stop::from(io::Error::other("disk full")),
            Stop::Failed(_)
        ));
    }
}
