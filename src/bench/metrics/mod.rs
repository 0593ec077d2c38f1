//! The judge's scoring: an engine's conclusions (its [`Record`](crate::Record)s, or the
//! JSON Lines output of any engine under the replay contract) scored against what
//! really happened on a day, its [`Truth`](crate::bench::simulate::Truth).
//!
//! [`score`] counts one scenario into a [`ScenarioScore`]; [`aggregate`] sums the
//! counts of any number of scenarios into a [`Summary`] (counts are summed before rates
//! are taken, so a storm weighs more than a blue-sky day); [`table`] prints summaries
//! side by side over [`ROWS`]; [`diagnose`] tells, device class by device class, where
//! an engine goes wrong. The rules are those of the evaluation's own scorer, and the
//! numbers agree with it to the printed precision on the shared feeders; they are
//! defined below.
//!
//! ```
//! use std::sync::Arc;
//! use outage_locator::bench::metrics::{Conclusions, aggregate, score};
//! use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
//! use outage_locator::{EngineOptions, Replay};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let net = Arc::new(outage_locator::import_opendss(path).unwrap().0);
//! let sim = Simulator::new(&net).unwrap();
//! let s = sim.run(&SimulationOptions::for_profile(Profile::Busy), 1);
//! let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
//! // A replay's records borrow it until its next step: count them in as they come.
//! let mut conclusions = Conclusions::default();
//! for &e in &s.events {
//!     conclusions.extend(replay.feed(e));
//! }
//! conclusions.extend(replay.finish());
//! let raw = score(&net, sim.view(), &s.truth, &conclusions, Some(&s.events));
//! let m = aggregate(&[raw]);
//! assert!(m.precision >= 0.0 && m.precision <= 1.0);
//! ```
//!
//! # Scoring rules
//!
//! ## Checkpoints
//!
//! An engine is judged at checkpoints, the moments listed in the truth
//! ([`Truth::checkpoints`](crate::bench::simulate::Truth::checkpoints)): each true fault outage's start + 5, + 15 and + 30 min, and
//! one per scenario 30 min after the last fault began (the four
//! [`CheckpointKind`](crate::bench::simulate::CheckpointKind)s). At a checkpoint at time *t* the engine *holds* the devices of
//! its outages that are open and caused by a `fault` after all of its outage records
//! timed at or before *t* (`open` and `update` set an outage's device and cause, `close`
//! ends it; a record whose time does not read is left out). A true fault outage is
//! *active* at *t* when its start ≤ *t* < its end (without an end: to the end of the
//! day).
//!
//! ## Canonical devices
//!
//! Devices that hold off exactly the same customers (a fuse with a single transformer
//! below it, say) cannot be told apart by any evidence, so they count as one device,
//! named by the topmost of them in the energized network. A device the network does
//! not have, or that is not energized, is its own canonical name. Names are compared
//! lowercase. The *strict* variants compare names exactly as given instead.
//!
//! ## Device precision, recall and F1
//!
//! At each checkpoint, with *T* the canonical devices of the active true fault outages
//! and *P* those the engine holds: true positives |*T* ∩ *P*|, false positives
//! |*P* \ *T*|, false negatives |*T* \ *P*|. They are summed over every checkpoint of
//! every scenario before the rates are taken (micro-averaged). Precision is
//! tp / (tp + fp), or, when the engine held nothing, 1 if nothing was missed and 0
//! otherwise; recall is tp / (tp + fn), or 1 when nothing was out; F1 is their
//! harmonic mean (0 when both are 0). `f1@+5m`, `f1@+15m`, `f1@+30m` and
//! `f1@scenario` are the F1 over the checkpoints of one kind; `f1_strict` uses the
//! names as given.
//!
//! ## Recall ceiling
//!
//! A true fault outage is *observable* at a checkpoint *t* when it had evidence of its
//! own by *t*: a SCADA `device_open` of its device at or after its start, or a report
//! from one of its customers (a call, a last gasp, a ping answering *off*; timed by the
//! row's own time, late arrival or not) at or after its start and no later than *t* nor
//! than the start of any larger active outage whose customers include all of its own
//! (from then on its reports are explained by the larger one). At each checkpoint,
//! `obs` counts the canonical devices of the observable active outages and `tp_obs`
//! those of them the engine holds. The *recall ceiling* is Σ obs / Σ (tp + fn): the
//! share of truly out devices that any engine could have found, against which recall
//! is judged (`ceiling@…` per checkpoint kind); the *recall of those with evidence* is
//! Σ tp_obs / Σ obs. Both need the scenario's events.
//!
//! ## Customer Jaccard
//!
//! At each checkpoint: *A*, the customers below the devices the engine holds, against
//! *B*, those below the devices of the active true fault outages: |*A* ∩ *B*| /
//! |*A* ∪ *B*|, and 1 when both are empty. `jaccard` is the mean of these values over
//! all checkpoints (`jaccard@…` over the checkpoints of one kind). Customers that
//! operators switched to a tie during an active fault outage, by a transfer done at or
//! before the checkpoint, are left out of both sides.
//!
//! ## Time to detect
//!
//! For each true fault outage: from its start (for a nested outage, from the later of
//! its start and the restoration of the outage above it, before which no evidence could
//! show it) to the first moment, at or after then and before the outage ends, at which
//! its canonical device is among the devices the engine holds. An outage that ended
//! before that start is left out; one never held is *missed*. `ttd_median_s` and
//! `ttd_p90_s` are the median and 90th percentile over the detected outages (linear
//! interpolation between order statistics); `detected` is detected / (detected +
//! missed).
//!
//! ## Tickets per fault
//!
//! Tickets opened, less those closed as merged into another, per true fault outage.
//! The ideal is 1.00, but a fault that nobody reported cannot get an honest ticket,
//! so work orders are also judged one by one.
//!
//! ## Work orders, one by one
//!
//! An order is a ticket of the engine's output that is not closed as merged into
//! another and that some `open` or `update` record put at a device (records whose time
//! does not read, or without a ticket, are left out). Its life at one device is a
//! *stretch*: from the record that put it there to the next such record, or else to its
//! `close` (without one, to the end of time). An order is *at a true fault* when in
//! some stretch at device *d*, from *t* to *t'*, a true fault outage of the same
//! canonical device as *d* was active at some moment of it (its start ≤ *t'* and *t* <
//! its end) and *t* is not after the order's close; such an outage is *found* by the
//! order, and an order may find several.
//!
//! * *Orders at a true fault* (`orders_right`): the share of orders that are.
//! * *Orders per fault they found* (`orders_per_covered_fault`): over the fault
//!   outages that some order found, the number of (outage, order) pairs per outage;
//!   above 1.00 the crews got duplicates.
//! * *Reported faults given an order* (`evidenced_faults_covered`): the share of the
//!   fault outages with evidence of their own at some time while they lasted (as for
//!   the recall ceiling, taken at the outage's end, or a day after its start without
//!   one, against the fault outages that overlapped it) that an order found. It needs
//!   the scenario's events.
//!
//! Each is summed over scenarios before the ratio is taken, and is `None` when there
//! is nothing to divide by.
//!
//! ## Pings sent per fault outage
//!
//! The engine's `ping` records (pings it asked the AMI head-end to send,
//! [replay contract](crate::Replay) version 2) per true fault outage
//! (`pings_per_fault`). Pings cost: a head-end answers a few thousand an hour.
//!
//! ## Transfers followed
//!
//! On days with operator switching, a true fault outage lists its *transfers*
//! ([`TruthTransfer`](crate::bench::simulate::TruthTransfer)): the customers moved to a
//! tie and when the tie closed. Each transfer whose tie closed at least 5 min before
//! the outage ended is judged at *t* = the tie's close + 5 min: the engine's open
//! outages are those after every outage record timed at or before *t*, taken in output
//! order. It is *followed* when one of them is a `fault` outage at the faulted device
//! (canonical names) whose `customers` is the outage's customer count less those
//! moved by this transfer and the ones listed before it. `transfers_followed` is the
//! share followed; `transfers` counts those judged. The simulator's `storm_switching`
//! days and the shared `storm_switching` samples have them.
//!
//! ## Call classification
//!
//! Each call in the truth is matched with the engine's `call` records in order per
//! customer: the engine's *n*-th record for a customer answers that customer's *n*-th
//! call (customers compared lowercase, with the `load.` prefix). It is right when the
//! causes are equal (`fault`, `planned`, `disconnect` or `none`); a call without a
//! record is `missing`, and wrong. `call_accuracy` is right / calls; the confusion
//! counts the `truth->engine` pairs.
//!
//! ## Momentary false positives
//!
//! For each true momentary interruption at *t₀*: the engine's fault outages opened
//! between *t₀* and *t₀* + 2 min, still open at *t₀* + 5 min, holding off no customer of
//! a true fault outage active at *t₀* + 5 min (a mislocated real fault is not a false
//! positive of the momentary), and whose customers all lie below the momentary's
//! device. Summed over momentaries.

mod conclusions;
mod diagnose;
mod intern;
mod orders;
mod score;
mod summary;

pub use conclusions::Conclusions;
pub use diagnose::{ClassOutcome, diagnose};
pub use score::{CheckpointCounts, ScenarioScore, score};
pub use summary::{ROWS, Summary, aggregate, table};
