//! The yardstick shipped with the crate: an accuracy benchmark that runs on any network,
//! with the truth to judge by and the rule to beat.
//!
//! An outage system is usually judged on anecdotes. This crate ships the means to
//! measure it instead, on the shared feeders or on any network a utility brings: every
//! accuracy figure in the README can be made again with these four modules.
//!
//! | module | what it is for |
//! | --- | --- |
//! | [`simulate`] | The simulator: draws days (blue sky, busy, storm, each with fixed rates or with rates drawn per day from ranges that cover utilities) on any network, with faults, momentary interruptions, planned work and remote disconnections, the evidence they leave (calls, last gasps, power restores, SCADA), and their truth to score against. |
//! | [`rollup`] | The roll-up rule of commercial outage management systems: the baseline an engine has to beat, run under the same replay contract as the [`Engine`](crate::Engine). |
//! | [`metrics`] | The judge's scoring: device precision, recall and F1 at checkpoints, the recall ceiling, customer Jaccard, time to detect, tickets per fault, work orders one by one, pings per fault, transfers followed, call classification, momentary false positives; each defined in its [scoring rules](metrics#scoring-rules). |
//! | [`synth`] | Synthetic networks of any size, for scale: substations, feeders, laterals and customers laid out in metres, and storms of events for speed measurements. |
//!
//! A busy day on the IEEE 123-bus feeder, located by the engine and by the roll-up
//! rule, both judged:
//!
//! ```
//! use std::sync::Arc;
//! use outage_locator::bench::metrics::{self, Conclusions};
//! use outage_locator::bench::rollup::{Rollup, RollupOptions};
//! use outage_locator::bench::simulate::{Profile, SimulationOptions, Simulator};
//! use outage_locator::{EngineOptions, Replay};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123/eval_master.dss");
//! let net = Arc::new(outage_locator::import_opendss(path).unwrap().0);
//! let sim = Simulator::new(&net).unwrap();
//! let day = sim.run(&SimulationOptions::for_profile(Profile::Busy), 3);
//!
//! let mut engine = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
//! let mut baseline = Rollup::new(&net, RollupOptions::default()).unwrap();
//! let (mut ours, mut theirs) = (Conclusions::default(), Conclusions::default());
//! for &e in &day.events {
//!     ours.extend(engine.feed(e));
//!     theirs.extend(baseline.feed(e));
//! }
//! ours.extend(engine.finish());
//! theirs.extend(baseline.finish());
//!
//! let judge = |out: &Conclusions| {
//!     metrics::aggregate(&[metrics::score(&net, sim.view(), &day.truth, out, Some(&day.events))])
//! };
//! let (a, b) = (judge(&ours), judge(&theirs));
//! assert_eq!(a.fault_outages, b.fault_outages);
//! println!("{}", metrics::table(&[("engine", &a), ("roll-up", &b)], &metrics::ROWS));
//! ```
//!
//! `examples/accuracy.rs` runs the same comparison over many days of every profile.

pub mod metrics;
pub mod rollup;
pub mod simulate;
pub mod synth;
