//! Interruptions and momentaries taken apart into the spans each customer was off,
//! merged per customer so that nested and partly restored outages count once.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, OutageDeviceId};
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// Whether an interruption was planned (reported apart, as utilities do) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptionKind {
    /// A fault (or any interruption nobody planned).
    Unplanned,
    /// Planned work or orderly use announced in advance.
    Planned,
}

/// One outage as its records tell it: from each step's time on, the device out and
/// how many of the customers below it are off, until `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Interruption {
    /// Planned or not.
    pub kind: InterruptionKind,
    /// `(from, device, customers off)`, in time order; the first at the start.
    pub steps: Vec<(Timestamp, OutageDeviceId, u32)>,
    /// When the last customer got supply back.
    pub end: Timestamp,
}

/// A momentary interruption below a device: every customer below it blinked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentaryEvent {
    /// The reclosing device.
    pub device: OutageDeviceId,
    /// When.
    pub time: Timestamp,
}

/// One customer off supply from `start` to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The customer.
    pub customer: CustomerId,
    /// Off from.
    pub start: Timestamp,
    /// Back on at.
    pub end: Timestamp,
    /// Planned or not.
    pub kind: InterruptionKind,
    /// The device whose outage took supply off (the first, for merged spans).
    pub device: OutageDeviceId,
}

impl Span {
    /// Minutes off.
    pub fn minutes(&self) -> f64 {
        (self.end.0 - self.start.0) as f64 / crate::time::MINUTE as f64
    }
}

/// Every customer's interruptions: spans added in any order, merged on
/// [`merge`](Ledger::merge) into one interruption per customer and overlap.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    customers: u32,
    spans: Vec<Span>,
    momentary: Vec<(CustomerId, Timestamp)>,
    momentary_events: Vec<MomentaryEvent>,
    merged: bool,
}

impl Ledger {
    /// An empty ledger for a network of `customers` customers served.
    pub fn new(customers: u32) -> Self {
        Ledger {
            customers,
            merged: true,
            ..Ledger::default()
        }
    }

    /// Customers served.
    pub fn customers(&self) -> u32 {
        self.customers
    }

    /// Adds one customer's span as it is (for example from a simulator's truth, which
    /// names the customers).
    pub fn push_span(&mut self, span: Span) {
        if span.end.0 > span.start.0 && span.customer.0 < self.customers {
            self.spans.push(span);
            self.merged = false;
        }
    }

    /// Adds an interruption, customer by customer. A step holding off `k` of the
    /// customers below its device holds off the first `k` in the view's depth-first
    /// order: the records give counts, not names, so the customers a transfer gave
    /// back are taken to be the last ones below the device. Counts (SAIFI, SAIDI,
    /// CAIDI) are exact whichever customers they are; per-customer figures (CEMI,
    /// CELID) rest on that choice.
    ///
    /// # Complexity
    /// O(Σ customers of its steps).
    pub fn add_interruption(&mut self, view: &EnergizationView, i: &Interruption) {
        for (k, &(from, device, count)) in i.steps.iter().enumerate() {
            let until = i.steps.get(k + 1).map_or(i.end, |s| s.0);
            let below = view.customers_below(device);
            for &c in &below[..(count as usize).min(below.len())] {
                self.push_span(Span {
                    customer: c,
                    start: from,
                    end: until,
                    kind: i.kind,
                    device: i.steps[0].1,
                });
            }
        }
    }

    /// Adds a momentary interruption of every customer below its device (kept as the
    /// event: the report counts its customers in the view it is given).
    pub fn add_momentary(&mut self, m: &MomentaryEvent) {
        self.momentary_events.push(*m);
    }

    /// Adds one customer's momentary interruption.
    pub fn push_momentary(&mut self, customer: CustomerId, time: Timestamp) {
        if customer.0 < self.customers {
            self.momentary.push((customer, time));
        }
    }

    /// Merges each customer's overlapping or touching spans of one kind into one
    /// interruption (from the first start to the last end), and sorts the spans by
    /// customer, kind and start.
    ///
    /// # Complexity
    /// O(S + N + Σ k log k) for S spans, N customers and k spans of a customer.
    pub fn merge(&mut self) {
        if self.merged {
            return;
        }
        self.sort_by_customer();
        let mut w = 0;
        for r in 0..self.spans.len() {
            let s = self.spans[r];
            if w > 0 {
                let o = &mut self.spans[w - 1];
                if o.customer == s.customer && o.kind == s.kind && s.start <= o.end {
                    o.end = o.end.max(s.end);
                    continue;
                }
            }
            self.spans[w] = s;
            w += 1;
        }
        self.spans.truncate(w);
        self.merged = true;
    }

    /// Sorts the spans by customer (a counting sort: customers are dense ids), then
    /// each customer's few spans by kind and start.
    fn sort_by_customer(&mut self) {
        let Some(&filler) = self.spans.first() else {
            return;
        };
        let n = self.customers as usize;
        let mut at = vec![0u32; n + 1];
        for s in &self.spans {
            at[s.customer.index() + 1] += 1;
        }
        for i in 0..n {
            at[i + 1] += at[i];
        }
        let bounds = at.clone();
        let mut out = vec![filler; self.spans.len()];
        for s in &self.spans {
            let slot = &mut at[s.customer.index()];
            out[*slot as usize] = *s;
            *slot += 1;
        }
        for w in bounds.windows(2).filter(|w| w[1] - w[0] > 1) {
            out[w[0] as usize..w[1] as usize].sort_unstable_by_key(|s| (s.kind, s.start));
        }
        self.spans = out;
    }

    /// Each customer's interruptions, merged, by customer, kind and start.
    ///
    /// # Panics
    /// When spans were added since the last [`merge`](Ledger::merge).
    pub fn spans(&self) -> &[Span] {
        assert!(self.merged, "Ledger::merge before reading the spans");
        &self.spans
    }

    /// The customers' own momentary interruptions as added.
    pub fn momentaries(&self) -> &[(CustomerId, Timestamp)] {
        &self.momentary
    }

    /// The momentary events below devices as added.
    pub fn momentary_events(&self) -> &[MomentaryEvent] {
        &self.momentary_events
    }
}
