//! Snapshots: the engine's options and everything it has learnt, serialisable, so
//! that a restored engine fed the rest of the events gives exactly the output of an
//! uninterrupted run.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Engine;
use super::likelihood::{call_silence, weights};
use super::options::{EngineOptions, log_priors};
use super::outages::OutageId;
use super::state::State;
use crate::bits::bit;
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::network::Network;

/// The format of [`EngineSnapshot`]: a snapshot of another format is refused.
const SNAPSHOT_FORMAT: &str = "outage-locator/engine-snapshot/11";

/// A serialisable snapshot of an [`Engine`]: its options and everything it has learnt.
/// Restoring it and feeding the rest of the events gives exactly the output of an
/// uninterrupted run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EngineSnapshot {
    format: String,
    network: String,
    customers: usize,
    options: EngineOptions,
    state: State,
}

impl EngineSnapshot {
    /// The snapshot in the compact binary form (serde through `postcard`): a fraction
    /// of the JSON's size, written and read back without parsing text.
    ///
    /// ```
    /// # use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
    /// # use outage_locator::inference::EngineSnapshot;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let net = std::sync::Arc::new(import_opendss(path).unwrap().0);
    /// let mut engine = Engine::new(net.clone(), EngineOptions::default()).unwrap();
    /// let t = "2026-07-01T12:00:00Z".parse().unwrap();
    /// engine.ingest(Event { time: t, evidence: Evidence::Tick });
    /// let bytes = engine.snapshot().to_bytes();
    /// let back = Engine::from_snapshot(net, EngineSnapshot::from_bytes(&bytes).unwrap()).unwrap();
    /// assert_eq!(back.clock(), engine.clock());
    /// ```
    ///
    /// # Complexity
    /// O(customers + devices + outages + timers).
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::binary::to_bytes(self)
    }

    /// A snapshot read back from [`EngineSnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Snapshot`](crate::Error::Snapshot) when the bytes are not a snapshot of
    /// this version (truncated, corrupted, another format); whether it fits a network
    /// is checked by [`Engine::from_snapshot`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        crate::binary::from_bytes(bytes)
    }
}

impl Engine {
    /// The engine's state as a serialisable snapshot (with its options).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use outage_locator::{Engine, EngineOptions, Event, Evidence, import_opendss};
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
    /// # let net = Arc::new(import_opendss(path).unwrap().0);
    /// let mut engine = Engine::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    /// let t = "2026-07-01T12:00:00Z".parse().unwrap();
    /// engine.ingest(Event { time: t, evidence: Evidence::Tick });
    /// let json = serde_json::to_string(&engine.snapshot()).unwrap();
    /// let back = Engine::from_snapshot(Arc::clone(&net), serde_json::from_str(&json).unwrap()).unwrap();
    /// assert_eq!(back.clock(), engine.clock());
    /// ```
    pub fn snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            format: SNAPSHOT_FORMAT.to_string(),
            network: self.net.name().to_string(),
            customers: self.net.customers().len(),
            options: self.opts.clone(),
            state: self.st.clone(),
        }
    }

    /// An engine restored from a snapshot taken on the same network.
    ///
    /// # Errors
    /// [`Error::Snapshot`](crate::Error::Snapshot) when the snapshot is of another
    /// format or network, or does not fit this one (an array of the wrong length, an
    /// id out of range); the errors of [`Engine::new`] for a network that is not
    /// radial.
    pub fn from_snapshot(
        net: impl Into<Arc<Network>>,
        snap: EngineSnapshot,
    ) -> Result<Self, crate::Error> {
        let mut e = Engine::new(net, snap.options)?;
        let net = Arc::clone(&e.net);
        let nd = net.outage_device_count();
        let ok = snap.format == SNAPSHOT_FORMAT
            && snap.network == net.name()
            && snap.customers == net.customers().len()
            && snap.state.fits(net.customers().len(), nd);
        if !ok {
            return Err(crate::Error::Snapshot(format!(
                "snapshot of {} ({} customers) does not fit network {}",
                snap.network,
                snap.customers,
                net.name()
            )));
        }
        e.w = weights(&e.opts, &snap.state.rates);
        e.call_silence = call_silence(&e.opts, snap.state.rates.call.value());
        (e.lp_service, e.lp) = log_priors(&net, &e.opts, snap.state.intensity);
        e.st = snap.state;
        let ne = net.elements().len();
        if e.st
            .switching
            .iter()
            .chain(&e.st.pending)
            .any(|&(x, _)| x as usize >= ne)
        {
            return Err(crate::Error::Snapshot(
                "snapshot switches an element the network does not have".to_string(),
            ));
        }
        e.replay_switching()?;
        if !e.st.switching.is_empty() {
            e.normal_view = crate::EnergizationView::normal(&net).ok();
        }
        let held: Vec<OutageDeviceId> = e.st.open_fault.keys().copied().collect();
        for d in held {
            e.set_held(d, true);
        }
        for i in 0..e.nc {
            if bit(&e.st.wire_down, i) {
                e.note_wire_down(CustomerId(i as u32), true);
            }
        }
        Ok(e)
    }
}

impl State {
    /// Whether a restored state fits a network of `nc` customers and `nd` outage
    /// devices: every array of the right length, every id in range (a snapshot that
    /// does not is refused, not left to panic later).
    fn fits(&self, nc: usize, nd: usize) -> bool {
        let above = nd.saturating_sub(nc);
        let lens = [
            (self.bits.len(), nc),
            (self.lg_state.len(), nc),
            (self.lg_at.len(), nc),
            (self.call_at.len(), nc),
            (self.supply.len(), nc),
            (self.report_at.len(), nc),
            (self.await_since.len(), nc),
            (self.wire_down.len(), nc.div_ceil(64)),
            (self.scope.len(), nc),
            (self.planned_depth.len(), nc),
            (self.node.len(), above),
            (self.a_service.len(), nc),
            (self.flag.len(), nd),
            (self.forced.len(), nd),
            (self.in_active.len(), nd),
            (self.in_flagged.len(), nd),
        ];
        let device = |d: u32| (d as usize) < nd;
        let customer = |c: u32| (c as usize) < nc;
        let outage = |o: OutageId| (o.0 as usize) < self.outages.len();
        lens.iter().all(|&(have, want)| have == want)
            && self.scope.iter().all(|&d| d == NONE || device(d))
            && self.active.iter().all(|d| device(d.0) && d.index() >= nc)
            && self.flagged.iter().all(|d| device(d.0))
            && self.outages.iter().all(|o| device(o.device.0))
            && self
                .open_fault
                .iter()
                .all(|(&d, &o)| device(d.0) && outage(o))
            && self.planned.iter().all(|(&d, &o)| device(d.0) && outage(o))
            && self
                .disconnected
                .iter()
                .all(|(&c, &o)| customer(c.0) && outage(o))
            && self.scada_open.keys().all(|&d| device(d.0))
            && self.ping_off_at.keys().all(|&c| customer(c.0))
            && self.bursts.iter().all(|(d, _)| device(d.0))
            && self.recent_lg.iter().all(|(_, c)| customer(c.0))
            && self.burst_lg.iter().all(|(_, c)| customer(c.0))
            && self.momentaries.iter().all(|m| device(m.device.0))
            && self.timers.fits(nc, nd)
    }
}
