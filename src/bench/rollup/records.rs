//! What the roll-up writes: outage and ticket records as outages open and close, and
//! the classification of each call.

use super::{Rec, Rollup};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::OutageId;
use crate::network::Network;
use crate::replay::Record;
use crate::service::tickets::WorkOrderId;
use crate::time::{MINUTE, Timestamp};

impl<'n> Rollup<'n> {
    pub(super) fn open_outage(
        &mut self,
        device: OutageDeviceId,
        cause: &'static str,
        status: &'static str,
        confidence: f64,
        ticket: bool,
    ) -> Rec {
        self.n_out += 1;
        self.summary.outages += 1;
        let now = self.now();
        let mut rec = Rec {
            n: self.n_out,
            device,
            cause,
            status,
            customers: self.view.customer_count_below(device),
            confidence: round3(confidence),
            ticket: None,
            since: now,
        };
        self.records
            .push(outage_record(self.net, &rec, "open", now));
        if ticket && cause == "fault" {
            self.n_tkt += 1;
            self.summary.tickets += 1;
            rec.ticket = Some(self.n_tkt);
            let n = rec.customers;
            let (prio, due_min) = if n >= 50 {
                ("high", 45)
            } else if n >= 5 {
                ("medium", 120)
            } else {
                ("low", 240)
            };
            self.records.push(Record::Ticket {
                at: now,
                op: "open",
                ticket: WorkOrderId(self.n_tkt as u32),
                outage: Some(OutageId(rec.n as u32)),
                device: self.net.outage_device_name(device),
                priority: Some(prio),
                due: Some(now + due_min * MINUTE),
                merged_into: None,
            });
        }
        rec
    }

    pub(super) fn close_outage(
        &mut self,
        mut rec: Rec,
        status: &'static str,
        merged_into: Option<u64>,
    ) {
        rec.status = status;
        let now = self.now();
        self.records
            .push(outage_record(self.net, &rec, "close", now));
        if let Some(w) = rec.ticket {
            self.records.push(Record::Ticket {
                at: now,
                op: "close",
                ticket: WorkOrderId(w as u32),
                outage: Some(OutageId(rec.n as u32)),
                device: self.net.outage_device_name(rec.device),
                priority: None,
                due: None,
                merged_into: merged_into.map(|m| WorkOrderId(m as u32)),
            });
        }
    }

    pub(super) fn classify(&mut self, c: CustomerId) {
        let at = self.now();
        let customer = self.net.customer(c).name.as_str();
        let rec = if let Some((cause, n)) = self.known_cause(c) {
            Record::Call {
                at,
                customer,
                cause,
                outage: Some(OutageId(n as u32)),
                ticket: None,
            }
        } else if let Some(r) = self
            .view
            .upstream(Self::service(c))
            .find_map(|d| self.open_dev.get(&d).map(|n| &self.open[n]))
        {
            Record::Call {
                at,
                customer,
                cause: "fault",
                outage: Some(OutageId(r.n as u32)),
                ticket: r.ticket.map(|w| WorkOrderId(w as u32)),
            }
        } else {
            Record::Call {
                at,
                customer,
                cause: "none",
                outage: None,
                ticket: None,
            }
        };
        self.records.push(rec);
    }
}

pub(super) fn outage_record<'n>(
    net: &'n Network,
    rec: &Rec,
    op: &'static str,
    at: Timestamp,
) -> Record<'n> {
    Record::Outage {
        at,
        op,
        outage: OutageId(rec.n as u32),
        device: net.outage_device_name(rec.device),
        cause: rec.cause,
        status: rec.status,
        customers: rec.customers,
        confidence: rec.confidence,
    }
}

/// Rounds to 3 decimals from the exact value of the float, as Python's `round` does.
pub(super) fn round3(x: f64) -> f64 {
    format!("{x:.3}").parse().unwrap_or(x)
}
