//! The engine embedded in a long-running service: one struct owns the network, the
//! engine and the command centre; events go in, the contract's records come out, and
//! the whole state is written to a snapshot file on a timer, so a restarted service
//! goes on where it stopped.
//!
//!     cargo run --release --example service -- MODEL EVENTS [--state FILE.json] [--every MINUTES]
//!
//! EVENTS is an event file or `-` (standard input, read as it arrives). Records go to
//! standard output as JSON Lines, exactly as the `replay` example prints them; notes
//! on snapshots and skipped rows to standard error. Without `--state` the end of the
//! input ends the stream (the last records and the summary, as `replay` prints them).
//! With `--state`, the service starts from the snapshot in FILE when there is one,
//! writes it every MINUTES of event time (default 15), and at the end of the input
//! pauses: it writes the snapshot and waits for a restart. A restarted service skips
//! the rows of EVENTS its snapshot already holds (it counts them), so pausing it
//! anywhere and starting it again on the same file prints, in all, exactly the records
//! of one run that never paused.
//!
//! The pattern, without the command line:
//!
//! ```text
//! let (net, _) = load_network(model)?;
//! let net = Arc::new(net);                       // shared: the reader borrows it too
//! let mut service = Service::start(Arc::clone(&net), state)?;
//! for row in EventReader::new(input, &net) {     // events in
//!     service.handle(row, &mut out)?;            // records out, snapshots on the clock
//! }
//! service.stop(&mut out)?;                       // a last snapshot, or the last records
//! ```

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use outage_locator::replay::{describe, write_records};

#[path = "common/cli.rs"]
mod cli;
use cli::{Long, Stop, Value};
use outage_locator::{
    EngineOptions, Event, EventError, EventReader, MINUTE, Millis, Network, Replay, Timestamp,
    load_network,
};

/// A command-centre service: the network (shared with the event reader), and the
/// replay driver, which owns the command centre (engine, work orders, notices) and
/// prints the contract's records.
struct Service {
    replay: Replay,
    state: Option<PathBuf>,
    every: Millis,
    /// The event time at which the next snapshot is due.
    next_snapshot: Timestamp,
    buf: Vec<u8>,
}

impl Service {
    /// A service over a network: restored from the snapshot at `state` if there is
    /// one, else starting empty.
    fn start(net: Arc<Network>, state: Option<PathBuf>, every: Millis) -> Result<Self, String> {
        let replay = match state.as_deref().filter(|p| p.exists()) {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                let snap =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
                let replay = Replay::from_snapshot(net, snap)
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                eprintln!(
                    "service: restored {} at {}",
                    p.display(),
                    replay.engine().clock()
                );
                replay
            }
            None => Replay::new(net, EngineOptions::default()).map_err(|e| e.to_string())?,
        };
        let clock = replay.engine().clock();
        Ok(Service {
            next_snapshot: if clock == Timestamp::NEVER {
                Timestamp::NEVER
            } else {
                clock + every
            },
            replay,
            state,
            every,
            buf: Vec::new(),
        })
    }

    /// One row of the event stream: its records to `out`; a snapshot when the clock
    /// has passed the next one due.
    fn handle(
        &mut self,
        row: Result<(u64, Event), EventError>,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        match row {
            Ok((_, ev)) => {
                let records = self.replay.feed(ev);
                write_records(records, out, &mut self.buf)?;
                let clock = self.replay.engine().clock();
                if self.next_snapshot == Timestamp::NEVER {
                    self.next_snapshot = clock + self.every;
                } else if clock >= self.next_snapshot {
                    // Records already written are flushed first: a restart from this
                    // snapshot never loses or repeats one.
                    out.flush()?;
                    self.save()?;
                    self.next_snapshot = clock + self.every;
                }
            }
            Err(e) => {
                self.replay.skip();
                eprintln!("{}", describe(&e));
            }
        }
        Ok(())
    }

    /// The end of the input. With a state file the service pauses: it writes its
    /// snapshot and nothing more, so that a restart goes on as if it had never
    /// stopped. Without one the stream is over: the inference is brought up to date
    /// and its last records and the summary are printed, as `replay` does.
    fn stop(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.state.is_some() {
            out.flush()?;
            self.save()?;
            let s = self.replay.summary();
            eprintln!(
                "service: paused after {} rows ({} skipped), {} outages, {} tickets",
                s.rows, s.skipped, s.outages, s.tickets
            );
            return Ok(());
        }
        let records = self.replay.finish();
        write_records(records, out, &mut self.buf)?;
        out.flush()
    }

    /// Writes the snapshot atomically: to a temporary file beside it, then renamed.
    fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.state else {
            return Ok(());
        };
        let tmp = path.with_extension("tmp");
        let json = serde_json::to_vec(&self.replay.snapshot()).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)?;
        eprintln!(
            "service: snapshot at {} to {}",
            self.replay.engine().clock(),
            path.display()
        );
        Ok(())
    }
}

struct Args {
    model: String,
    events: String,
    state: Option<PathBuf>,
    every: Millis,
}

const USAGE: &str = "service MODEL EVENTS [--state FILE.json] [--every MINUTES]

A long-running service: reads EVENTS (a file, or - for standard input) on MODEL, writes
records to standard output as JSON Lines and snapshots its state on a timer.

  --state FILE.json   the snapshot file: restored at the start when it exists
  --every MINUTES     how often the state is saved, in event time (default 15)";

fn parse(parser: &mut cli::Args) -> Result<Args, Stop> {
    let (mut state, mut every, mut free) = (None, 15, Vec::new());
    while let Some(arg) = parser.next()? {
        match arg {
            Long("state") => state = Some(parser.path()?),
            Long("every") => every = parser.value::<i64>()?,
            Value(v) => free.push(v),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [model, events] = cli::positional(free, ["MODEL", "EVENTS"])?;
    Ok(Args {
        model,
        events,
        state,
        every: every.max(1) * MINUTE,
    })
}

fn run(a: Args) -> Result<(), Stop> {
    let (net, _) = load_network(&a.model)?;
    let net = Arc::new(net);
    let mut service = Service::start(Arc::clone(&net), a.state, a.every)?;
    let input: Box<dyn BufRead> = if a.events == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&a.events).map_err(|e| format!("{}: {e}", a.events))?;
        Box::new(BufReader::new(f))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| cli::io_at("output")(e);
    let done = service.replay.summary().rows as usize;
    for row in EventReader::new(input, &net).skip(done) {
        service.handle(row, &mut out).map_err(io)?;
    }
    service.stop(&mut out).map_err(io)
}

fn main() -> ExitCode {
    cli::main(USAGE, parse, run)
}
