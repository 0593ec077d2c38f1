//! What the roll-up writes: outage and ticket records as outages open and close, and
//! the classification of each call.

use super::{Rec, Rollup};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{OutageCause, OutageId, OutageStatus};
use crate::network::Network;
use crate::replay::{CallCause, Record, RecordOp};
use crate::service::tickets::{Priority, WorkOrderId};
use crate::time::{MINUTE, Millis, Timestamp};

impl<'n> Rollup<'n> {
    pub(super) fn open_outage(
        &mut self,
        device: OutageDeviceId,
        cause: OutageCause,
        status: OutageStatus,
        confidence: f64,
        ticket: bool,
    ) -> Rec {
        self.n_out += 1;
        self.summary.outages += 1;
        let now = self.now();
        let mut rec = Rec {
            id: OutageId(self.n_out),
            device,
            cause,
            status,
            customers: self.view.customer_count_below(device),
            confidence: round3(confidence),
            ticket: None,
            since: now,
        };
        self.records
            .push(outage_record(self.net, &rec, RecordOp::Open, now));
        if ticket && cause == OutageCause::Fault {
            self.n_tkt += 1;
            self.summary.tickets += 1;
            let id = WorkOrderId(self.n_tkt);
            rec.ticket = Some(id);
            let (priority, due) = priority_for(rec.customers);
            self.records.push(Record::Ticket {
                at: now,
                op: RecordOp::Open,
                ticket: id,
                outage: Some(rec.id),
                device: self.net.outage_device_name(device),
                priority: Some(priority),
                due: Some(now + due),
                merged_into: None,
            });
        }
        rec
    }

    pub(super) fn close_outage(
        &mut self,
        mut rec: Rec,
        status: OutageStatus,
        merged_into: Option<WorkOrderId>,
    ) {
        rec.status = status;
        let now = self.now();
        self.records
            .push(outage_record(self.net, &rec, RecordOp::Close, now));
        if let Some(w) = rec.ticket {
            self.records.push(Record::Ticket {
                at: now,
                op: RecordOp::Close,
                ticket: w,
                outage: Some(rec.id),
                device: self.net.outage_device_name(rec.device),
                priority: None,
                due: None,
                merged_into,
            });
        }
    }

    pub(super) fn classify(&mut self, c: CustomerId) {
        let at = self.now();
        let customer = self.net.customer(c).name.as_str();
        let rec = if let Some((cause, id)) = self.known_cause(c) {
            Record::Call {
                at,
                customer,
                cause: Some(cause).into(),
                outage: Some(id),
                ticket: None,
            }
        } else if let Some(r) = self
            .view
            .upstream(Self::service(c))
            .find_map(|d| self.open_dev.get(&d).map(|id| &self.open[id]))
        {
            Record::Call {
                at,
                customer,
                cause: CallCause::Fault,
                outage: Some(r.id),
                ticket: r.ticket,
            }
        } else {
            Record::Call {
                at,
                customer,
                cause: CallCause::NoOutage,
                outage: None,
                ticket: None,
            }
        };
        self.records.push(rec);
    }
}

/// A fault ticket's priority and the time its crew is due, by the customers it holds
/// off, as in `baseline.py`.
fn priority_for(customers: u32) -> (Priority, Millis) {
    if customers >= 50 {
        (Priority::High, 45 * MINUTE)
    } else if customers >= 5 {
        (Priority::Medium, 120 * MINUTE)
    } else {
        (Priority::Low, 240 * MINUTE)
    }
}

pub(super) fn outage_record<'n>(
    net: &'n Network,
    rec: &Rec,
    op: RecordOp,
    at: Timestamp,
) -> Record<'n> {
    Record::Outage {
        at,
        op,
        outage: rec.id,
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
