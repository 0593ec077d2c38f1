//! Fault indicators: the engine keeps which way fault current went, for the section a
//! restoration plan isolates.
//!
//! A `fault_indicator` event says whether fault current passed an element. The engine
//! keeps the latest reading of each element in its state (a snapshot keeps them), and
//! [`Engine::fault_indications`] hands those taken during an outage, at elements below
//! its device, to the planner
//! ([`Planner::plan_indicated`](crate::restoration::Planner::plan_indicated)). They do
//! not enter the counts: an indicator tells where the fault current went, not which
//! customers are off, and the protective device that cleared the fault is what
//! darkened them.
//!
//! # Complexity
//! A reading: O(log n) for n elements with a reading. The readings of an outage:
//! O(n log n + n · 1) (an O(1) test of each element's place in the view).

use super::{Engine, OutageId};
use crate::ids::ElementId;
use crate::time::{MINUTE, Millis, Timestamp};

/// How long before an outage's start its readings may be: the start is estimated from
/// the first report below the device, which can come minutes after the fault current.
pub(super) const INDICATION_LEAD: Millis = 15 * MINUTE;

impl Engine {
    /// Keeps a fault indicator's reading at `t`, unless a later one of the same
    /// element is kept already (readings can arrive out of order).
    pub(super) fn on_fault_indicator(&mut self, e: ElementId, passed: bool, t: Timestamp) {
        let kept = self.st.fault_indications.entry(e).or_insert((t, passed));
        if kept.0 <= t {
            *kept = (t, passed);
        }
    }

    /// The fault indicators' readings during an outage: at elements that feed a part of
    /// the network below the outage's device in the current configuration (its own
    /// element included), taken no earlier than a quarter of an hour before its start;
    /// by element, `true` where fault current passed. Empty for an unknown outage.
    ///
    /// ```
    /// use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/feeder_with_tie/master.dss");
    /// let net = std::sync::Arc::new(import_opendss(path).unwrap().0);
    /// let mut engine = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
    /// let t: outage_locator::Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    /// let brk = net.outage_device_by_name("relay.brk_a").unwrap();
    /// let sw = net.outage_device_element(net.outage_device_by_name("swtcontrol.sw_a").unwrap()).unwrap();
    /// engine.ingest(Event { time: t, evidence: Evidence::DeviceOpen { device: brk } });
    /// engine.ingest(Event { time: t, evidence: Evidence::FaultIndicator { element: sw, passed: true } });
    /// engine.ingest(Event { time: t + 60_000, evidence: Evidence::Tick });
    /// let id = engine.open_outages().next().unwrap().id;
    /// assert_eq!(engine.fault_indications(id), [(sw, true)]);
    /// ```
    pub fn fault_indications(&self, id: OutageId) -> Vec<(ElementId, bool)> {
        let Some(o) = self.outage(id) else {
            return Vec::new();
        };
        let since = Timestamp(o.start.0.saturating_sub(INDICATION_LEAD));
        self.st
            .fault_indications
            .iter()
            .filter(|(_, r)| r.0 >= since)
            .filter(|&(&e, _)| self.feeds_below(e, o.device))
            .map(|(&e, r)| (e, r.1))
            .collect()
    }

    /// Whether element `e` feeds a bus below device `d` in the current view. O(1).
    fn feeds_below(&self, e: ElementId, d: crate::ids::OutageDeviceId) -> bool {
        let el = self.net.element(e);
        let rep = self.net.bundle_representative(e);
        [el.to, el.from].into_iter().any(|b| {
            self.view
                .feeding_element(b)
                .is_some_and(|f| self.net.bundle_representative(f) == rep)
                && self
                    .view
                    .device_above_bus(b)
                    .is_some_and(|x| self.view.is_below(x, d))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Engine, EngineOptions, EngineSnapshot};
    use crate::evidence::{Event, EventReader, Evidence};
    use crate::time::{MINUTE, Timestamp};

    /// The readings of an outage: the latest of each element below its device, from
    /// around its start on; an older reading arriving late changes nothing, readings
    /// on the other feeder or from long before are left out, and a snapshot keeps
    /// them.
    #[test]
    fn an_outage_gets_the_latest_readings_below_it_from_its_start_on() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/feeder_with_tie/master.dss"
        );
        let net = std::sync::Arc::new(crate::network::import_opendss(path).unwrap().0);
        let text = "time,kind,id,detail
2026-07-01T10:00:00Z,fault_indicator,line.fa_1,passed
2026-07-01T12:00:00Z,device_open,relay.brk_a,
2026-07-01T12:00:01Z,fault_indicator,line.fa_2,passed
2026-07-01T12:00:01Z,fault_indicator,swtcontrol.sw_a,not_passed
2026-07-01T12:00:00Z,fault_indicator,line.fa_2,not_passed
2026-07-01T12:00:01Z,fault_indicator,line.fb_1,passed
2026-07-01T12:00:02Z,fault_indicator,line.fa_2,sideways
2026-07-01T12:05:00Z,tick,,
";
        let rows: Vec<_> = EventReader::new(text.as_bytes(), &net).collect();
        assert!(rows[6].is_err(), "a bad detail is a typed error");
        let mut e = Engine::new(std::sync::Arc::clone(&net), EngineOptions::default()).unwrap();
        for (_, ev) in rows.into_iter().flatten() {
            e.ingest(ev);
        }
        let el = |n: &str| net.element_by_name(n).unwrap();
        let id = e.open_outages().next().unwrap().id;
        let sw = net
            .outage_device_element(net.outage_device_by_name("swtcontrol.sw_a").unwrap())
            .unwrap();
        let mut want = vec![(el("line.fa_2"), true), (sw, false)];
        want.sort();
        assert_eq!(e.fault_indications(id), want);
        let back = Engine::from_snapshot(
            std::sync::Arc::clone(&net),
            EngineSnapshot::from_bytes(&e.snapshot().to_bytes()).unwrap(),
        )
        .unwrap();
        assert_eq!(back.fault_indications(id), want);
        let t: Timestamp = "2026-07-01T12:10:00Z".parse().unwrap();
        let mut e2 = back;
        e2.ingest(Event {
            time: t + MINUTE,
            evidence: Evidence::FaultIndicator {
                element: el("line.fa_2"),
                passed: false,
            },
        });
        want.retain(|x| x.0 != el("line.fa_2"));
        want.push((el("line.fa_2"), false));
        want.sort();
        assert_eq!(e2.fault_indications(id), want);
    }
}
