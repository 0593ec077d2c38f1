//! What the command centre does with the engine's conclusions: work orders with their
//! time limits and supervision, crews, outage notices, call answers, and the
//! [`CommandCentre`](crate::CommandCentre) that drives them together.

pub(crate) mod answers;
pub(crate) mod centre;
pub(crate) mod crews;
pub(crate) mod notices;
pub(crate) mod supervision;
pub(crate) mod tickets;
