//! Seeded generators of realistic synthetic networks, shared by tests, benches and the
//! accuracy benchmark.
//!
//! [`synthetic_network`] lays out substations on a 20 km grid, each a source
//! `circuit.subN` behind a substation transformer, with 2–10 feeders radiating from it.
//! A feeder leaves the substation through a breaker (`relay.fG`), runs a backbone cut by
//! one or more reclosers (`recloser.fG_rK`) and a normally closed sectionalizing switch,
//! and feeds fused laterals (`fuse.fN`); distribution transformers (0.24 kV
//! secondaries) serve 1–15 customers each, most on laterals, some straight off the
//! backbone. Some feeders end in a normally-open tie switch to the end of the previous
//! feeder, so that a transfer (open the sectionalizer, close the tie) moves the far end
//! of a feeder to its neighbour. Customers are mostly residential, with commercial,
//! industrial, agricultural and public ones in proportions that depend on the zone
//! (urban, rural, remote: by substation, remote at the far end of rural feeders), and a
//! few critical ones. Every bus has coordinates in metres, on a 0.1 m grid (so that they
//! print short and read back from JSON exactly).
//!
//! The same options and seed give the same network, on every platform. A network has
//! about 0.2 buses and 0.2 elements per customer with the default options.
//!
//! [`utility_network`] shapes feeders as utilities build them, for judging accuracy on
//! networks like theirs: a substation's feeders each leave through a breaker, run a
//! backbone cut by reclosers in series and sectionalizing switches, with normally-open
//! ties to the next feeder, and serve a few thousand customers through fused laterals
//! and the fused sub-laterals below them; a distribution transformer serves one to four
//! customers, some six to ten. A customer's chain of outage devices is seven or more
//! deep (source, breaker, recloser, fuse, fuse, transformer, service). Every shape
//! parameter is a range in [`UtilityNetworkOptions`].
//!
//! [`storm_events`] draws a storm of events on any network for speed measurements
//! (without the truth the [`simulate`](crate::bench::simulate) module keeps), and
//! [`middle_transfer`] picks a transfer for switching benchmarks. [`SplitMix64`] is the
//! crate's one random generator, which all of them draw from.
//!
//! # Runtime and memory
//! About 0.3 s and 180 bytes a customer (network and view) for a million customers on
//! one core of the development machine; see `examples/scale.rs`.
//!
//! ```
//! use outage_locator::bench::synth::{SyntheticNetworkOptions, synthetic_network};
//! use outage_locator::EnergizationView;
//!
//! let opts = SyntheticNetworkOptions { customers: 2_000, seed: 7, ..Default::default() };
//! let net = synthetic_network(&opts);
//! assert_eq!(net.customers().len(), 2_000);
//! assert_eq!(net, synthetic_network(&opts));
//!
//! let view = EnergizationView::normal(&net).unwrap();
//! let c = net.customer_by_name("load.c0").unwrap();
//! let chain: Vec<&str> = view
//!     .upstream(net.outage_device_by_name("load.c0").unwrap())
//!     .map(|d| net.outage_device_name(d))
//!     .collect();
//! assert!(view.is_supplied(c));
//! assert_eq!(chain.first(), Some(&"load.c0"));
//! assert_eq!(chain.last(), Some(&"circuit.sub0"));
//! ```

mod cim;
mod kit;
mod network;
mod storm;
mod utility;

use std::ops::RangeInclusive;

pub use crate::rng::SplitMix64;
pub use cim::write_cim;
pub use network::{middle_transfer, synthetic_network};
pub use storm::storm_events;
pub use utility::{UtilityNetworkOptions, utility_network};

/// What [`synthetic_network`] generates.
///
/// Ranges are inclusive and drawn uniformly; an empty or reversed range is read as its
/// start.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticNetworkOptions {
    /// Exactly how many customers the network has.
    pub customers: usize,
    /// The seed: the same options and seed give the same network.
    pub seed: u64,
    /// Feeders leaving each substation (at least one; the last substation may have
    /// fewer when few customers are left).
    pub feeders_per_substation: RangeInclusive<u32>,
    /// Mean customers on a feeder; each feeder draws between half and one and a half
    /// times this.
    pub customers_per_feeder: u32,
    /// Customers on each distribution transformer (at least one).
    pub customers_per_transformer: RangeInclusive<u32>,
    /// Distribution transformers on each fused lateral (at least one).
    pub transformers_per_lateral: RangeInclusive<u32>,
    /// Reclosers along each feeder backbone (at least one).
    pub reclosers_per_feeder: RangeInclusive<u32>,
    /// The share of feeders whose far end has a normally-open tie to another feeder.
    pub tie_share: f64,
    /// The share of customers that are critical (hospitals, life support).
    pub critical_share: f64,
}

impl Default for SyntheticNetworkOptions {
    fn default() -> Self {
        SyntheticNetworkOptions {
            customers: 10_000,
            seed: 0,
            feeders_per_substation: 2..=10,
            customers_per_feeder: 1_500,
            customers_per_transformer: 1..=15,
            transformers_per_lateral: 2..=12,
            reclosers_per_feeder: 1..=3,
            tie_share: 0.6,
            critical_share: 0.002,
        }
    }
}
