//! The command centre: the engine, its work orders and its notice desk driven together,
//! with call answers and snapshots.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::evidence::Event;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{Change, Engine, EngineOptions, EngineSnapshot, OutageCause, OutageId};
use crate::network::Network;
use crate::restoration::RestorationPlan;
use crate::service::answers::{Advice, AnswerOptions, CallAnswer, DisconnectReason};
use crate::service::crews::CrewId;
use crate::service::notices::{Notice, NoticeOptions, Notices, PlannedWork, Progress};
use crate::service::plans::PlanDesk;
use crate::service::supervision::Supervision;
use crate::service::switching_orders::{SwitchingOptions, SwitchingOrderId, SwitchingOrders};
use crate::service::tickets::{
    Action, TicketError, WorkOrderChange, WorkOrderId, WorkOrderOptions, WorkOrders,
};
use crate::service::warnings::{EarlyWarningId, EarlyWarningOptions, EarlyWarnings};
use crate::service::watch::{WarningRules, WarningWatch};
use crate::time::Timestamp;

/// The options of the ticket layer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommandCentreOptions {
    /// Work orders.
    pub orders: WorkOrderOptions,
    /// Notices.
    pub notices: NoticeOptions,
    /// Call answers.
    pub answers: AnswerOptions,
    /// Early-warning orders' time limit.
    pub early_warnings: EarlyWarningOptions,
    /// What raises an early-warning order live.
    pub warning_rules: WarningRules,
    /// Switching orders.
    pub switching: SwitchingOptions,
}

/// What one step of the command centre produced.
#[derive(Debug, Clone, Copy)]
pub struct Outputs<'a> {
    /// The engine's changes.
    pub changes: &'a [Change],
    /// The work orders' changes.
    pub orders: &'a [WorkOrderChange],
    /// The notices to send.
    pub notices: &'a [Notice],
}

/// A serialisable snapshot of a [`CommandCentre`]: the engine's snapshot and the ticket
/// layer's state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandCentreSnapshot {
    engine: EngineSnapshot,
    orders: WorkOrders,
    notices: Notices,
    reasons: BTreeMap<CustomerId, DisconnectReason>,
    answers: AnswerOptions,
    #[serde(default)]
    warnings: EarlyWarnings,
    #[serde(default)]
    watch: WarningWatch,
    switching: SwitchingOrders,
}

impl CommandCentreSnapshot {
    /// The snapshot in the compact binary form (serde through `postcard`; see
    /// [`EngineSnapshot::to_bytes`]). The ticket layer's state (a few records per
    /// outage, with internally tagged enums that only a self-describing format reads
    /// back) goes inside it as JSON text.
    pub fn to_bytes(&self) -> Vec<u8> {
        let tickets = (
            &self.orders,
            &self.notices,
            &self.reasons,
            &self.answers,
            &self.warnings,
            &self.watch,
            &self.switching,
        );
        // The ticket layer's types serialise to JSON by construction (string keys,
        // finite numbers), as the JSON snapshot itself relies on.
        let json = serde_json::to_string(&tickets).expect("the ticket layer serialises");
        crate::binary::to_bytes(&(&self.engine, json))
    }

    /// A snapshot read back from [`CommandCentreSnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Snapshot`](crate::Error::Snapshot) when the bytes are not a snapshot of
    /// this version; whether it fits a network is checked on restoring.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        let (engine, json): (EngineSnapshot, String) = crate::binary::from_bytes(bytes)?;
        let (orders, notices, reasons, answers, warnings, watch, switching) =
            serde_json::from_str(&json)
                .map_err(|e| crate::Error::Snapshot(format!("the ticket layer: {e}")))?;
        Ok(CommandCentreSnapshot {
            engine,
            orders,
            notices,
            reasons,
            answers,
            warnings,
            watch,
            switching,
        })
    }
}

/// The engine, its work orders and its notice desk, kept in step: feed it events; act
/// on orders; ask it what to tell a caller.
///
/// ```
/// use std::sync::Arc;
/// use outage_locator::*;
/// use outage_locator::service::{Action, CallAnswer, CommandCentreOptions, Crew, NoticeKind, Progress, WorkOrderChange};
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
/// let net = Arc::new(import_opendss(path).unwrap().0);
/// let mut centre = CommandCentre::new(Arc::clone(&net), EngineOptions::default(), CommandCentreOptions::default()).unwrap();
/// let crew = centre.orders_mut().add_crew(Crew::new("Crew 1", "North", [700.0, 1500.0]));
/// let fuse = net.outage_device_by_name("fuse.f_l68").unwrap();
/// let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
/// for &c in &centre.engine().view().customers_below(fuse).to_vec() {
///     centre.ingest(Event { time: t0, evidence: Evidence::LastGasp { meter: c } });
/// }
/// let out = centre.ingest(Event { time: t0 + 5 * MINUTE, evidence: Evidence::Tick });
/// let WorkOrderChange::Opened(w) = out.orders[0] else { panic!() };
/// // The customers' outage notice waits a minute, in case the prediction flashes.
/// assert!(out.notices.is_empty());
/// let out = centre.ingest(Event { time: t0 + 6 * MINUTE, evidence: Evidence::Tick });
/// assert_eq!(out.notices[0].kind, NoticeKind::Outage);
///
/// let out = centre.act(Action::Dispatch { order: w, crew }, t0 + 7 * MINUTE).unwrap();
/// assert_eq!(out.notices[0].progress, Progress::CrewDispatched);
///
/// let caller = centre.engine().view().customers_below(fuse)[0];
/// match centre.answer(caller) {
///     CallAnswer::FaultOutage { order, crew: c, .. } => {
///         assert_eq!(order, Some(w));
///         assert_eq!(c, Some(crew));
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
pub struct CommandCentre {
    engine: Engine,
    orders: WorkOrders,
    notices: Notices,
    reasons: BTreeMap<CustomerId, DisconnectReason>,
    answers: AnswerOptions,
    plans: PlanDesk,
    changes: Vec<Change>,
    order_changes: Vec<WorkOrderChange>,
    warnings: EarlyWarnings,
    watch: WarningWatch,
    /// Early-warning orders raised by the last step.
    raised: Vec<EarlyWarningId>,
}

impl CommandCentre {
    /// A command centre over a network; it keeps the network as [`Engine::new`] does.
    ///
    /// # Errors
    /// [`SwitchingError`](crate::SwitchingError) when the network's normal state is not
    /// radial.
    pub fn new(
        net: impl Into<Arc<Network>>,
        engine: EngineOptions,
        opts: CommandCentreOptions,
    ) -> Result<Self, crate::SwitchingError> {
        let engine = Engine::new(net, engine)?;
        Ok(CommandCentre {
            plans: PlanDesk::new(&engine, SwitchingOrders::new(opts.switching)),
            engine,
            orders: WorkOrders::new(opts.orders),
            notices: Notices::new(opts.notices),
            reasons: BTreeMap::new(),
            answers: opts.answers,
            changes: Vec::new(),
            order_changes: Vec::new(),
            warnings: EarlyWarnings::new(opts.early_warnings),
            watch: WarningWatch::new(opts.warning_rules),
            raised: Vec::new(),
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The network.
    pub fn network(&self) -> &Network {
        self.engine.network()
    }

    /// The work orders.
    pub fn orders(&self) -> &WorkOrders {
        &self.orders
    }

    /// The work orders, for the roster (crews) and options; lifecycle steps go through
    /// [`CommandCentre::act`] so that customers are told.
    pub fn orders_mut(&mut self) -> &mut WorkOrders {
        &mut self.orders
    }

    /// The notice desk.
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// The early-warning orders: preventive inspections raised as faults repeat and
    /// calls cluster (see [`WarningWatch`]).
    pub fn early_warnings(&self) -> &EarlyWarnings {
        &self.warnings
    }

    /// The early-warning orders, to record inspections done
    /// ([`EarlyWarnings::close`]).
    pub fn early_warnings_mut(&mut self) -> &mut EarlyWarnings {
        &mut self.warnings
    }

    /// The early-warning orders the last step raised.
    pub fn raised_warnings(&self) -> &[EarlyWarningId] {
        &self.raised
    }

    /// The supervision view at `now`: repair and early-warning orders side by side.
    pub fn supervision(&self, now: Timestamp) -> Supervision {
        Supervision::of(&self.orders, &self.warnings, now)
    }

    /// The switching orders: a confirmed fault's restoration plan, raised beside its
    /// repair order.
    pub fn switching(&self) -> &SwitchingOrders {
        &self.plans.orders
    }

    /// The restoration plans of the last step: one for each fault outage it confirmed
    /// (see [`Planner`](crate::restoration::Planner)).
    pub fn last_plans(&self) -> &[(OutageId, RestorationPlan)] {
        self.plans.last()
    }

    /// Sends a crew to carry out a switching order; `false` when it is closed.
    ///
    /// # Panics
    /// When `id` is not a switching order of this centre.
    pub fn dispatch_switching(
        &mut self,
        id: SwitchingOrderId,
        crew: CrewId,
        at: Timestamp,
    ) -> bool {
        self.plans.orders.dispatch(id, crew, at)
    }

    /// A switching order carried out at `at`: its steps are reported to the engine as
    /// switching (as [`Engine::switch`]), in order, the order closes, and the work
    /// orders and notices follow what changed (the outage shrinks to the customers
    /// left). Nothing happens to an order closed already.
    ///
    /// # Panics
    /// When `id` is not a switching order of this centre.
    pub fn execute_switching(&mut self, id: SwitchingOrderId, at: Timestamp) -> Outputs<'_> {
        self.changes.clear();
        if self.plans.orders.order(id).closed.is_none() {
            let steps = self.plans.orders.order(id).steps.clone();
            for s in steps {
                let ch = self.engine.switch(s.device, s.open, at);
                self.changes.extend(ch.iter().copied());
            }
            self.plans.executed(id, &self.engine);
        }
        self.follow()
    }

    /// What the last step produced (the same as it returned).
    pub fn last(&self) -> Outputs<'_> {
        Outputs {
            changes: &self.changes,
            orders: &self.order_changes,
            notices: self.notices.last(),
        }
    }

    /// Ingests one event.
    pub fn ingest(&mut self, ev: Event) -> Outputs<'_> {
        self.ingest_inference_only(ev);
        self.follow()
    }

    /// Feeds one event to the engine alone: no work order or notice follows it (for a
    /// replay of the inference only, and to measure what the ticket layer costs).
    pub(crate) fn ingest_inference_only(&mut self, ev: Event) -> &[Change] {
        self.changes.clear();
        self.engine.step(ev);
        self.changes.extend_from_slice(self.engine.last_changes());
        &self.changes
    }

    /// [`CommandCentre::flush`] for the engine alone.
    pub(crate) fn flush_inference_only(&mut self) -> &[Change] {
        self.changes.clear();
        self.engine.flush_step();
        self.changes.extend_from_slice(self.engine.last_changes());
        &self.changes
    }

    /// Brings the inference up to date at the end of a stream.
    pub fn flush(&mut self) -> Outputs<'_> {
        self.flush_inference_only();
        self.follow()
    }

    /// Lets the work orders and notices follow the engine's last changes.
    pub(crate) fn follow(&mut self) -> Outputs<'_> {
        self.order_changes.clear();
        self.order_changes
            .extend_from_slice(self.orders.follow(&self.engine, &self.changes));
        self.plans.follow(&self.engine, &self.changes, &self.orders);
        let notices = self.notices.follow(
            &self.engine,
            &self.changes,
            &self.orders,
            &self.order_changes,
        );
        self.raised.clear();
        self.watch.follow(
            &self.engine,
            &self.changes,
            &mut self.warnings,
            &mut self.raised,
        );
        Outputs {
            changes: &self.changes,
            orders: &self.order_changes,
            notices,
        }
    }

    /// Applies a dispatcher's or crew's action (see [`WorkOrders::apply`]); the
    /// customers hear of the progress.
    pub fn act(&mut self, action: Action, at: Timestamp) -> Result<Outputs<'_>, TicketError> {
        self.order_changes.clear();
        let ch = self.orders.apply(action, at)?;
        self.order_changes.extend_from_slice(ch);
        self.changes.clear();
        let notices = self
            .notices
            .follow(&self.engine, &[], &self.orders, &self.order_changes);
        Ok(Outputs {
            changes: &self.changes,
            orders: &self.order_changes,
            notices,
        })
    }

    /// Opens a single-customer order for a caller (see
    /// [`WorkOrders::open_for_customer`]).
    pub fn open_for_customer(&mut self, customer: CustomerId, at: Timestamp) -> WorkOrderId {
        self.orders.open_for_customer(&self.engine, customer, at)
    }

    /// Registers planned work to announce ahead (see [`Notices::schedule`]).
    pub fn schedule_planned(&mut self, work: PlannedWork) -> &[Notice] {
        self.notices.schedule(&self.engine, work)
    }

    /// Records why a customer is (or will be) disconnected.
    pub fn set_disconnect_reason(&mut self, customer: CustomerId, reason: DisconnectReason) {
        self.reasons.insert(customer, reason);
    }

    /// What to tell a caller now: a known fault outage (order, progress, crew ETA,
    /// estimated restoration), a planned or load-shedding interruption (its window), a
    /// disconnection (its reason), a recent momentary interruption, or nothing known
    /// (with advice).
    ///
    /// # Complexity
    /// O(depth) plus the momentary interruptions of the last
    /// [`AnswerOptions::momentary_recent`].
    pub fn answer(&self, customer: CustomerId) -> CallAnswer {
        let e = &self.engine;
        let now = e.clock();
        let cl = e.classify(customer);
        match cl.cause {
            Some(OutageCause::Disconnect) => {
                return CallAnswer::Disconnected {
                    outage: cl.outage,
                    reason: self.reasons.get(&customer).copied().unwrap_or_default(),
                    since: cl.outage.and_then(|o| e.outage(o)).map(|o| o.start),
                };
            }
            Some(OutageCause::Planned) => {
                let o = cl.outage.and_then(|o| e.outage(o));
                let start = o.map_or(now, |o| o.start);
                let device = o.map_or(OutageDeviceId(customer.0), |o| o.device);
                let work = self.notices.planned_at(e, device, now);
                return CallAnswer::Planned {
                    outage: cl.outage,
                    kind: work.map(|w| w.kind),
                    start,
                    end: o.and_then(|o| o.planned_end).or(work.map(|w| w.end)),
                };
            }
            Some(OutageCause::Fault) => {
                if let Some(o) = cl.outage.and_then(|o| e.outage(o)) {
                    let order = self.orders.last_order_of(o.id);
                    let w = order.map(|w| self.orders.order(w));
                    return CallAnswer::FaultOutage {
                        outage: o.id,
                        status: o.status,
                        since: o.start,
                        customers: o.customers,
                        order,
                        progress: w
                            .map_or(Progress::Investigating, |w| Progress::of_order(w.state)),
                        crew: w.and_then(|w| w.crew),
                        crew_eta: order.and_then(|w| self.orders.crew_eta(w)),
                        etr: self.orders.estimate_etr(e, o.id),
                    };
                }
            }
            None => {}
        }
        let service = OutageDeviceId(customer.0);
        let horizon = now.0 - self.answers.momentary_recent;
        if let Some(m) = e
            .momentaries()
            .iter()
            .rev()
            .take_while(|m| m.time.0 >= horizon)
            .find(|m| e.view().is_below(service, m.device))
        {
            return CallAnswer::Momentary {
                at: m.time,
                device: m.device,
            };
        }
        let order = self
            .orders
            .open_orders()
            .find(|w| w.outage.is_none() && w.device == service)
            .map(|w| w.id);
        let meter_on = e
            .latest_meter_report(customer)
            .is_some_and(|(at, on)| on && at.0 >= now.0 - self.answers.meter_on_recent);
        let advice = if meter_on {
            Advice::CheckOwnInstallation
        } else {
            Advice::SingleCustomerOrder
        };
        CallAnswer::NothingKnown { advice, order }
    }

    /// The whole state as a serialisable snapshot.
    pub fn snapshot(&self) -> CommandCentreSnapshot {
        CommandCentreSnapshot {
            engine: self.engine.snapshot(),
            orders: self.orders.clone(),
            notices: self.notices.clone(),
            reasons: self.reasons.clone(),
            answers: self.answers,
            warnings: self.warnings.clone(),
            watch: self.watch.clone(),
            switching: self.plans.orders.clone(),
        }
    }

    /// A command centre restored from a snapshot taken on the same network: feeding it
    /// the rest of the events gives exactly what an uninterrupted run gives.
    pub fn from_snapshot(
        net: impl Into<Arc<Network>>,
        snap: CommandCentreSnapshot,
    ) -> Result<Self, crate::Error> {
        let engine = Engine::from_snapshot(net, snap.engine)?;
        let net = engine.network();
        let (nc, nd) = (net.customers().len(), net.outage_device_count());
        // Outage ids index the engine's outages from 1.
        let outages = engine.outages().len() + 1;
        let fits = snap.orders.fits(nc, nd, outages)
            && snap
                .notices
                .fits(nc, nd, outages, snap.orders.orders().len())
            && snap.reasons.keys().all(|c| c.index() < nc)
            && snap.warnings.orders().iter().all(|w| w.device.index() < nd);
        if !fits {
            return Err(crate::Error::Snapshot(
                "the ticket layer's state does not fit the network or the engine".into(),
            ));
        }
        Ok(CommandCentre {
            plans: PlanDesk::new(&engine, snap.switching),
            engine,
            orders: snap.orders,
            notices: snap.notices,
            reasons: snap.reasons,
            answers: snap.answers,
            changes: Vec::new(),
            order_changes: Vec::new(),
            warnings: snap.warnings,
            watch: snap.watch,
            raised: Vec::new(),
        })
    }
}
