//! Topology views: for a set of switch states, the radial energization view of a
//! [`Network`](crate::Network): who feeds whom, pre-order intervals over the
//! outage-device tree, and the customers a set of open devices de-energizes.
//!
//! The rooms:
//!
//! - `view`: [`EnergizationView`] and its queries, and [`Upstream`].
//! - `build`: a view made from scratch for a set of switch states.
//! - `switching`: [`SwitchState`], [`SwitchStates`] and [`SwitchingOp`], and the view
//!   after a switching.
//! - `rebuild`: the incremental rebuild a switching makes the new view with.
//! - `loops`: the loop a closing would form, for the error that refuses it.

mod build;
mod loops;
mod rebuild;
mod switching;
mod view;

pub use switching::{SwitchState, SwitchStates, SwitchingOp};
pub use view::{EnergizationView, Upstream};
