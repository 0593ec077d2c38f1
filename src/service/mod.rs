//! What the command centre does with the engine's conclusions: work orders with their
//! time limits and supervision, crews, outage notices, call answers, and the
//! [`CommandCentre`](crate::CommandCentre) that drives them together.
//!
//! The rooms, in the order the engine's changes flow through them:
//!
//! - [`tickets`]: work orders ([`WorkOrders`](crate::WorkOrders)) that follow the
//!   engine's outages, with the crew lifecycle, the time limits and the audit trail.
//! - [`supervision`]: the promise watched across orders: warnings and breaches by zone
//!   and crew, department statistics, the nearest crews to send.
//! - [`crews`]: a crew ([`Crew`](crate::Crew)) and how it travels.
//! - [`notices`]: what affected customers are told, and when
//!   ([`Notices`](crate::Notices)).
//! - [`answers`]: what a call-centre agent tells a caller
//!   ([`CallAnswer`](crate::CallAnswer)).
//! - [`centre`]: the [`CommandCentre`](crate::CommandCentre) that drives them together
//!   event by event.

pub(crate) mod answers;
pub(crate) mod centre;
pub(crate) mod crews;
pub(crate) mod notices;
pub(crate) mod supervision;
pub(crate) mod tickets;
