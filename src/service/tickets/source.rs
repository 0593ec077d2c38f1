//! What the ticket layer reads from the inference: the [`OutageSource`] trait, which the
//! [`Engine`] implements.

use crate::ids::{CustomerId, OutageDeviceId};
use crate::inference::{CallClassification, Engine, Outage, OutageId};
use crate::network::Network;
use crate::time::Timestamp;
use crate::topology::EnergizationView;

/// What the ticket layer reads from the inference: the outages, the clock and how a
/// customer's call classifies, over a network. [`Engine`] implements it; a scripted
/// implementation lets tests (or another engine) drive the ticket layer.
pub trait OutageSource {
    /// The network.
    fn network(&self) -> &Network;
    /// The energization view the outages are located on.
    fn view(&self) -> &EnergizationView;
    /// The clock: the latest event time seen.
    fn clock(&self) -> Timestamp;
    /// An outage by id, open or closed.
    fn outage(&self, id: OutageId) -> Option<&Outage>;
    /// Whether the customer reported a wire down.
    fn wire_down(&self, c: CustomerId) -> bool;
    /// Whether a customer below the device reported a wire down. The default asks
    /// each customer below.
    fn wire_down_below(&self, d: OutageDeviceId) -> bool {
        self.view()
            .customers_below(d)
            .iter()
            .any(|&c| self.wire_down(c))
    }
    /// How a call from the customer classifies now: the disconnection, planned or
    /// fault outage that explains it.
    fn classify(&self, c: CustomerId) -> CallClassification;
}

impl OutageSource for Engine {
    fn network(&self) -> &Network {
        Engine::network(self)
    }
    fn view(&self) -> &EnergizationView {
        Engine::view(self)
    }
    fn clock(&self) -> Timestamp {
        Engine::clock(self)
    }
    fn outage(&self, id: OutageId) -> Option<&Outage> {
        Engine::outage(self, id)
    }
    fn wire_down(&self, c: CustomerId) -> bool {
        Engine::wire_down(self, c)
    }
    fn wire_down_below(&self, d: OutageDeviceId) -> bool {
        Engine::wire_down_below(self, d)
    }
    fn classify(&self, c: CustomerId) -> CallClassification {
        Engine::classify(self, c)
    }
}
