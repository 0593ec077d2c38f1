//! When each meter truly had no supply: the supply file a simulated head-end answers
//! pings from (`meter,off,on`, replay contract version 2). Never evidence.

use std::io::{BufRead, BufReader, Read};

use crate::error::EventError;
use crate::ids::CustomerId;
use crate::network::Network;
use crate::time::Timestamp;

/// The intervals without supply of each meter, from a supply file.
///
/// ```
/// use outage_locator::service::SupplyTable;
/// use outage_locator::import_opendss;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let (net, _) = import_opendss(path).unwrap();
/// let csv = "meter,off,on\ns1a,2026-07-01T12:00:00Z,\n";
/// let supply = SupplyTable::read(&net, csv.as_bytes()).unwrap();
/// let s1a = net.customer_by_name("s1a").unwrap();
/// assert!(supply.has_supply(s1a, "2026-07-01T11:59:59Z".parse().unwrap()));
/// assert!(!supply.has_supply(s1a, "2026-07-01T18:00:00Z".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SupplyTable {
    /// Per meter (by customer index): its intervals `[off, on)`, `on` far in the
    /// future while supply had not returned.
    off: Vec<Vec<(Timestamp, Timestamp)>>,
}

impl SupplyTable {
    /// Reads a supply file: the header `meter,off,on`, then one row per interval
    /// without supply (`on` empty when supply had not returned by the end).
    ///
    /// # Errors
    /// [`EventError`] naming the line of a row that is malformed, has a bad time or
    /// names no meter of the network.
    pub fn read(net: &Network, input: impl Read) -> Result<Self, EventError> {
        let mut off = vec![Vec::new(); net.customers().len()];
        for (i, line) in BufReader::new(input).lines().enumerate() {
            let line_no = i as u64 + 1;
            let line = line.map_err(|e| EventError::Malformed {
                line: line_no,
                message: e.to_string(),
            })?;
            let line = line.trim();
            if line.is_empty() || (i == 0 && line.starts_with("meter")) {
                continue;
            }
            let mut f = line.split(',');
            let (Some(meter), Some(from), to) = (f.next(), f.next(), f.next()) else {
                return Err(EventError::Malformed {
                    line: line_no,
                    message: "expected meter,off,on".into(),
                });
            };
            let c = net
                .customer_by_name(meter.trim())
                .ok_or_else(|| EventError::UnknownId {
                    line: line_no,
                    what: "meter",
                    value: meter.to_string(),
                })?;
            let time = |s: &str| -> Result<Timestamp, EventError> {
                s.trim().parse().map_err(|_| EventError::BadTime {
                    line: line_no,
                    value: s.to_string(),
                })
            };
            let from = time(from)?;
            let to = match to.map(str::trim) {
                None | Some("") => Timestamp(i64::MAX),
                Some(s) => time(s)?,
            };
            off[c.index()].push((from, to));
        }
        Ok(SupplyTable { off })
    }

    /// A table of `customers` meters that always had supply.
    pub fn new(customers: usize) -> Self {
        SupplyTable {
            off: vec![Vec::new(); customers],
        }
    }

    /// Adds an interval without supply of a meter (`on`: `None` while supply had not
    /// returned). A meter beyond the table's is ignored.
    pub fn add(&mut self, meter: CustomerId, off: Timestamp, on: Option<Timestamp>) {
        if let Some(v) = self.off.get_mut(meter.index()) {
            v.push((off, on.unwrap_or(Timestamp(i64::MAX))));
        }
    }

    /// Whether a meter had supply at a time (a meter the file does not list always
    /// had). O(intervals of the meter).
    pub fn has_supply(&self, meter: CustomerId, at: Timestamp) -> bool {
        self.off
            .get(meter.index())
            .is_none_or(|v| !v.iter().any(|&(a, b)| a <= at && at < b))
    }
}
