//! Typed evidence: the events of the replay contract, and a reader for event files.

mod locator;

pub use locator::{ServiceLocator, ServicePoint};

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

use crate::error::EventError;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::Network;
use crate::time::Timestamp;
use crate::variant_names::from_name;

/// What a caller said (95598 fault report detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDetail {
    /// No power at all.
    NoPower,
    /// Partial power (a phase missing, dim lights).
    Partial,
    /// A wire down: a hazard, an emergency order.
    WireDown,
    /// Lights flickered: a momentary, not a sustained outage.
    Flicker,
}

crate::variant_names::display_as_serde_name!(CallDetail);

/// One piece of field evidence (or a clock tick).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// A repair call from a customer.
    Call {
        /// The caller.
        customer: CustomerId,
        /// What they said.
        detail: CallDetail,
    },
    /// A meter's power-fail notification.
    LastGasp {
        /// The meter (addressed by its customer).
        meter: CustomerId,
    },
    /// A meter's power-restore notification.
    PowerRestore {
        /// The meter.
        meter: CustomerId,
    },
    /// The answer to an on-demand meter read.
    Ping {
        /// The meter.
        meter: CustomerId,
        /// Whether the meter has power.
        on: bool,
    },
    /// SCADA: the device opened.
    DeviceOpen {
        /// The device.
        device: OutageDeviceId,
    },
    /// SCADA: the device closed.
    DeviceClose {
        /// The device.
        device: OutageDeviceId,
    },
    /// A planned or load-shedding outage below the device until `end`.
    PlannedOutage {
        /// The device opened for the work.
        device: OutageDeviceId,
        /// When supply returns.
        end: Timestamp,
    },
    /// Remote disconnection of one customer (for example for arrears).
    Disconnect {
        /// The meter.
        meter: CustomerId,
    },
    /// The reconnection.
    Reconnect {
        /// The meter.
        meter: CustomerId,
    },
    /// No evidence: the clock moves on.
    Tick,
}

/// Evidence at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Event {
    /// When it happened (the row's time, not when it arrived).
    pub time: Timestamp,
    /// What happened.
    pub evidence: Evidence,
}

impl Event {
    /// An event from the four columns of an event-file row, resolved against a network.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let (net, _) = outage_locator::import_opendss(path).unwrap();
    /// use outage_locator::{Event, Evidence};
    /// let e = Event::from_row(&net, 2, "2026-07-01T12:00:00Z", "call", "S1a", "").unwrap();
    /// assert!(matches!(e.evidence, Evidence::Call { .. }));
    /// assert!(Event::from_row(&net, 3, "2026-07-01T12:00:00Z", "call", "nobody", "").is_err());
    /// ```
    pub fn from_row(
        net: &Network,
        line: u64,
        time: &str,
        kind: &str,
        id: &str,
        detail: &str,
    ) -> Result<Event, EventError> {
        let time: Timestamp = time.parse().map_err(|_| EventError::BadTime {
            line,
            value: time.to_string(),
        })?;
        let kind_l = lower::<16>(kind.trim());
        let detail = detail.trim();
        let customer = || {
            net.customer_by_name(id)
                .ok_or_else(|| EventError::UnknownId {
                    line,
                    what: "customer",
                    value: id.to_string(),
                })
        };
        let device = || {
            net.outage_device_by_name(id)
                .ok_or_else(|| EventError::UnknownId {
                    line,
                    what: "device",
                    value: id.to_string(),
                })
        };
        let bad_detail = || EventError::BadDetail {
            line,
            value: detail.to_string(),
        };
        let evidence = match kind_l.as_str() {
            "call" => {
                let d = if detail.is_empty() {
                    CallDetail::NoPower
                } else {
                    from_name(lower::<16>(detail).as_str()).ok_or_else(bad_detail)?
                };
                Evidence::Call {
                    customer: customer()?,
                    detail: d,
                }
            }
            "last_gasp" => Evidence::LastGasp { meter: customer()? },
            "power_restore" => Evidence::PowerRestore { meter: customer()? },
            "ping" => {
                let on = match lower::<16>(detail).as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(bad_detail()),
                };
                Evidence::Ping {
                    meter: customer()?,
                    on,
                }
            }
            "device_open" => Evidence::DeviceOpen { device: device()? },
            "device_close" => Evidence::DeviceClose { device: device()? },
            "planned_outage" => {
                let end: Timestamp = detail.parse().map_err(|_| bad_detail())?;
                Evidence::PlannedOutage {
                    device: device()?,
                    end,
                }
            }
            "disconnect" => Evidence::Disconnect { meter: customer()? },
            "reconnect" => Evidence::Reconnect { meter: customer()? },
            "tick" => Evidence::Tick,
            _ => {
                return Err(EventError::UnknownKind {
                    line,
                    value: kind.to_string(),
                });
            }
        };
        Ok(Event { time, evidence })
    }

    /// The row of an event file for this event: `time,kind,id,detail`.
    pub fn to_csv_row(&self, net: &Network) -> String {
        let c = |c: CustomerId| net.customer(c).name.clone();
        let d = |d: OutageDeviceId| net.outage_device_name(d).to_string();
        let (kind, id, detail) = match self.evidence {
            Evidence::Call { customer, detail } => ("call", c(customer), detail.to_string()),
            Evidence::LastGasp { meter } => ("last_gasp", c(meter), String::new()),
            Evidence::PowerRestore { meter } => ("power_restore", c(meter), String::new()),
            Evidence::Ping { meter, on } => {
                ("ping", c(meter), if on { "on" } else { "off" }.to_string())
            }
            Evidence::DeviceOpen { device } => ("device_open", d(device), String::new()),
            Evidence::DeviceClose { device } => ("device_close", d(device), String::new()),
            Evidence::PlannedOutage { device, end } => {
                ("planned_outage", d(device), end.to_string())
            }
            Evidence::Disconnect { meter } => ("disconnect", c(meter), String::new()),
            Evidence::Reconnect { meter } => ("reconnect", c(meter), String::new()),
            Evidence::Tick => ("tick", String::new(), String::new()),
        };
        format!("{},{kind},{id},{detail}", self.time)
    }
}

/// One row of an event file: a usable event, or why the row was skipped.
pub type EventRow = Result<(u64, Event), EventError>;

/// Reads an event file (CSV `time,kind,id,detail`), resolving names against a network.
/// Bad rows come back as errors carrying their line number; reading goes on after them.
///
/// A line ends at LF, CRLF or a lone CR (so a CR-only file reads as its lines, and a
/// stray CR splits its line into two rows that are each used or reported, never
/// silently cut). A UTF-8 byte-order mark before the first line is skipped. A line
/// longer than [`EventReader::MAX_LINE`] bytes is reported and skipped without being
/// held in memory. An input that cannot be read ends the rows with
/// [`EventError::Unreadable`].
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// # let (net, _) = outage_locator::import_opendss(path).unwrap();
/// use outage_locator::EventReader;
/// let text = "time,kind,id,detail\n2026-07-01T12:00:00Z,tick,,\nbad row\n";
/// let rows: Vec<_> = EventReader::new(text.as_bytes(), &net).collect();
/// assert_eq!(rows.len(), 2);
/// assert!(rows[0].is_ok());
/// assert!(rows[1].is_err());
/// ```
pub struct EventReader<'n, R: Read> {
    input: BufReader<R>,
    net: &'n Network,
    /// The current physical line, and the next line's number.
    line: Vec<u8>,
    line_no: u64,
    /// One line's fields, unquoted, and where each ends.
    csv: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    first: bool,
    done: bool,
    /// The last line ended with a CR: an LF right after it belongs to that end.
    after_cr: bool,
    /// The current line passed [`EventReader::MAX_LINE`] (the rest was not kept).
    too_long: bool,
}

impl<'n, R: Read> EventReader<'n, R> {
    /// A reader over CSV text.
    pub fn new(input: R, net: &'n Network) -> Self {
        EventReader {
            input: BufReader::with_capacity(1 << 16, input),
            net,
            line: Vec::new(),
            line_no: 0,
            csv: csv_core::Reader::new(),
            fields: Vec::new(),
            ends: Vec::new(),
            first: true,
            done: false,
            after_cr: false,
            too_long: false,
        }
    }

    /// The longest line kept, bytes: a row of the contract is a few dozen.
    pub const MAX_LINE: usize = 64 * 1024;

    /// Reads the next line, without its end, into `self.line` (at most
    /// [`EventReader::MAX_LINE`] bytes of it); `Ok(false)` at the end of the input.
    /// O(line length).
    fn next_line(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        self.too_long = false;
        let mut any = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(any);
            }
            let start = usize::from(std::mem::take(&mut self.after_cr) && buf[0] == b'\n');
            let end = buf[start..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map(|i| start + i);
            let piece = &buf[start..end.unwrap_or(buf.len())];
            let room = Self::MAX_LINE - self.line.len();
            self.too_long |= piece.len() > room;
            self.line.extend_from_slice(&piece[..piece.len().min(room)]);
            match end {
                Some(end) => {
                    self.after_cr = buf[end] == b'\r';
                    self.input.consume(end + 1);
                    return Ok(true);
                }
                None => {
                    any |= buf.len() > start;
                    let n = buf.len();
                    self.input.consume(n);
                }
            }
        }
    }

    /// Splits the current line into fields (quotes allowed within the line). A line
    /// is a row: a stray quote spoils its own row only, never the rows after it.
    fn split(&mut self) -> Result<(), String> {
        use csv_core::ReadRecordResult as R;
        let line = &self.line[..];
        if line.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            return Err("unbalanced quote".to_string());
        }
        // Unquoted fields are never longer than the line; one end per comma, plus one.
        self.fields.clear();
        self.fields.resize(line.len() + 1, 0);
        self.ends.clear();
        self.ends
            .resize(line.iter().filter(|&&b| b == b',').count() + 2, 0);
        self.csv.reset();
        let (res, nin, nout, nend) = self.csv.read_record(line, &mut self.fields, &mut self.ends);
        let (res, nout, nend) = match res {
            R::InputEmpty if nin == line.len() => {
                // The end of the input ends the record (ends count from the row's
                // start across calls).
                let (res, _, o, e) =
                    self.csv
                        .read_record(&[], &mut self.fields[nout..], &mut self.ends[nend..]);
                (res, nout + o, nend + e)
            }
            other => (other, nout, nend),
        };
        if !matches!(res, R::Record) {
            return Err(format!("cannot split the row ({res:?})"));
        }
        self.fields.truncate(nout);
        self.ends.truncate(nend);
        Ok(())
    }

    /// Field `i` of the current line, trimmed (borrowed unless it is not UTF-8).
    fn field(&self, i: usize) -> Cow<'_, str> {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        match self.ends.get(i) {
            Some(&end) => match String::from_utf8_lossy(&self.fields[start..end]) {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
            },
            None => Cow::Borrowed(""),
        }
    }
}

impl<R: Read> Iterator for EventReader<'_, R> {
    type Item = EventRow;
    fn next(&mut self) -> Option<EventRow> {
        loop {
            if self.done {
                return None;
            }
            match self.next_line() {
                Ok(false) => return None,
                Ok(true) => self.line_no += 1,
                Err(e) => {
                    // An I/O error would repeat forever: end the stream with it.
                    self.done = true;
                    return Some(Err(EventError::Unreadable {
                        line: self.line_no + 1,
                        kind: e.kind(),
                    }));
                }
            }
            let line = self.line_no;
            if line == 1 && self.line.starts_with(b"\xEF\xBB\xBF") {
                self.line.drain(..3);
            }
            if self.too_long {
                self.first = false;
                return Some(Err(EventError::Malformed {
                    line,
                    message: format!("longer than {} bytes", Self::MAX_LINE),
                }));
            }
            if self.line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if let Err(message) = self.split() {
                self.first = false;
                return Some(Err(EventError::Malformed { line, message }));
            }
            let first = std::mem::replace(&mut self.first, false);
            if first && self.field(0).eq_ignore_ascii_case("time") {
                continue;
            }
            if self.ends.len() < 2 {
                return Some(Err(EventError::Malformed {
                    line,
                    message: format!("{} field(s), want time,kind,id,detail", self.ends.len()),
                }));
            }
            let (t, k, i, d) = (self.field(0), self.field(1), self.field(2), self.field(3));
            return Some(Event::from_row(self.net, line, &t, &k, &i, &d).map(|e| (line, e)));
        }
    }
}

/// A short ASCII word in lower case, on the stack; longer or non-ASCII text reads as
/// a NUL, which no keyword of the contract is.
struct Lower<const N: usize> {
    buf: [u8; N],
    len: Option<usize>,
}

impl<const N: usize> Lower<N> {
    fn as_str(&self) -> &str {
        self.len
            .and_then(|n| std::str::from_utf8(&self.buf[..n]).ok())
            .unwrap_or("\0")
    }
}

fn lower<const N: usize>(s: &str) -> Lower<N> {
    let mut buf = [0u8; N];
    if s.len() > N || !s.is_ascii() {
        return Lower { buf, len: None };
    }
    for (b, c) in buf.iter_mut().zip(s.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    Lower {
        buf,
        len: Some(s.len()),
    }
}
