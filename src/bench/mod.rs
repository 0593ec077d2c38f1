//! The yardstick shipped with the crate: a day simulator with its truth, the classic
//! roll-up rule, the scorer's metrics and synthetic networks.

pub mod metrics;
pub mod rollup;
pub mod simulate;
pub mod synth;
