//! Switching: the open/closed state of the elements, the operations that change it,
//! and the view after a switching, made by the incremental rebuild.

use crate::error::SwitchingError;
use crate::ids::{ElementId, OutageDeviceId};
use crate::network::Network;

use super::EnergizationView;
use super::rebuild::Rebuild;

/// Whether an element is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchState {
    /// Carries no current.
    Open,
    /// Carries current.
    Closed,
}

/// The open/closed state of every element of a network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SwitchStates {
    pub(super) open: Vec<bool>,
}

impl SwitchStates {
    /// The model's normal state: elements opened or disabled in the model, and elements
    /// carrying a normally-open device, are open.
    pub fn normal(net: &Network) -> Self {
        let mut open: Vec<bool> = net.elements().iter().map(|e| e.normally_open).collect();
        for d in net.devices() {
            if d.normally_open {
                open[d.element.index()] = true;
            }
        }
        SwitchStates { open }
    }

    /// The state of an element.
    pub fn state(&self, e: ElementId) -> SwitchState {
        if self.open[e.index()] {
            SwitchState::Open
        } else {
            SwitchState::Closed
        }
    }

    /// Sets the state of an element.
    pub fn set(&mut self, e: ElementId, s: SwitchState) {
        self.open[e.index()] = s == SwitchState::Open;
    }

    pub(super) fn is_open(&self, e: ElementId) -> bool {
        self.open[e.index()]
    }
}

/// One switching operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchingOp {
    /// Open an element (a switch, or the element of a protective device).
    Open(ElementId),
    /// Close an element.
    Close(ElementId),
    /// A transfer: open one point and close another (typically a normally-open tie).
    Transfer {
        /// The element opened.
        open: ElementId,
        /// The element closed.
        close: ElementId,
    },
}

impl EnergizationView {
    /// A new view after switching; `self` is unchanged. Refuses a state that closes a
    /// loop, and operations on elements that cannot be switched. The result is the view
    /// [`build`](Self::build) makes for the new states, field for field.
    ///
    /// # Complexity
    /// O(A log A) for the A buses and devices whose supply changes, plus a few linear
    /// passes that copy and shift the view's arrays (no graph search outside the
    /// affected part). Most of the time of a switching on a large network goes to
    /// fresh memory for the new view: see [`switch_reusing`](Self::switch_reusing).
    pub fn switch(&self, net: &Network, ops: &[SwitchingOp]) -> Result<Self, SwitchingError> {
        self.switch_impl(net, ops, None).map(|(v, _)| v)
    }

    /// [`switch`](Self::switch), recycling the memory of `spare`, a view of the same
    /// network that is no longer needed (typically the view before the previous
    /// switching). The result is the same; only the memory is reused, which saves the
    /// operating system's page faults on tens of megabytes at a million customers.
    ///
    /// ```
    /// use outage_locator::{EnergizationView};
    /// use outage_locator::topology::{SwitchingOp};
    /// use outage_locator::bench::synth::{SyntheticNetworkOptions, synthetic_network};
    /// let net = synthetic_network(&SyntheticNetworkOptions { customers: 5_000, ..Default::default() });
    /// let sw = net.element_by_name("line.f1_sw").unwrap();
    /// let mut view = EnergizationView::normal(&net).unwrap();
    /// let mut spare = view.clone();
    /// for op in [SwitchingOp::Open(sw), SwitchingOp::Close(sw)] {
    ///     let next = view.switch_reusing(&net, &[op], spare).unwrap();
    ///     spare = std::mem::replace(&mut view, next);
    /// }
    /// assert!(view == EnergizationView::normal(&net).unwrap());
    /// ```
    pub fn switch_reusing(
        &self,
        net: &Network,
        ops: &[SwitchingOp],
        spare: EnergizationView,
    ) -> Result<Self, SwitchingError> {
        self.switch_impl(net, ops, Some(spare)).map(|(v, _)| v)
    }

    /// [`switch_reusing`](Self::switch_reusing), also returning the outage devices
    /// whose supply or parent may have changed (a device can be listed twice): every
    /// other device keeps its parent, so what hangs below it changes only where one of
    /// these lies below it, in the old view or the new. Same complexity.
    pub(crate) fn switch_moved(
        &self,
        net: &Network,
        ops: &[SwitchingOp],
        spare: EnergizationView,
    ) -> Result<(Self, Vec<OutageDeviceId>), SwitchingError> {
        let (view, moved) = self.switch_impl(net, ops, Some(spare))?;
        Ok((view, moved.into_iter().map(OutageDeviceId).collect()))
    }

    /// Whether closing one of `closes` (each open now) joins two buses that both
    /// have supply: a loop, which [`switch`](Self::switch) refuses, told without
    /// making a new view. O(k) for k elements.
    pub(crate) fn closing_joins_live_buses(&self, net: &Network, closes: &[ElementId]) -> bool {
        closes.iter().any(|&e| {
            let e = net.bundle_representative(e);
            let el = net.element(e);
            net.is_switchable(e)
                && self.states.is_open(e)
                && el.from != el.to
                && self.is_bus_energized(el.from)
                && self.is_bus_energized(el.to)
        })
    }

    /// The maximal subtrees of this view rooted at the given devices (those energized,
    /// without one of the others above them), in pre-order. O(k log k) for k devices.
    pub(crate) fn subtree_roots(&self, devices: &[OutageDeviceId]) -> Vec<OutageDeviceId> {
        let mut live: Vec<(u32, OutageDeviceId)> = devices
            .iter()
            .filter_map(|&d| self.preorder_index(d).map(|p| (p, d)))
            .collect();
        live.sort_unstable_by_key(|x| x.0);
        let mut roots = Vec::new();
        let mut end = 0;
        for (p, d) in live {
            if p >= end {
                end = self.end_of(d.0);
                roots.push(d);
            }
        }
        roots
    }

    fn switch_impl(
        &self,
        net: &Network,
        ops: &[SwitchingOp],
        spare: Option<EnergizationView>,
    ) -> Result<(Self, Vec<u32>), SwitchingError> {
        let mut states = self.states.clone();
        let check = |e: ElementId| {
            if net.is_switchable(e) {
                Ok(net.bundle_representative(e))
            } else {
                Err(SwitchingError::NotSwitchable {
                    element: net.element(e).name.clone(),
                })
            }
        };
        let mut touched = Vec::with_capacity(2 * ops.len());
        let mut set = |states: &mut SwitchStates, e: ElementId, s: SwitchState| {
            states.set(e, s);
            touched.push(e);
        };
        for op in ops {
            match *op {
                SwitchingOp::Open(e) => set(&mut states, check(e)?, SwitchState::Open),
                SwitchingOp::Close(e) => set(&mut states, check(e)?, SwitchState::Closed),
                SwitchingOp::Transfer { open, close } => {
                    set(&mut states, check(open)?, SwitchState::Open);
                    set(&mut states, check(close)?, SwitchState::Closed);
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        touched.retain(|&e| states.is_open(e) != self.states.is_open(e));
        if touched.is_empty() {
            let view = match spare {
                Some(mut v) => {
                    v.clone_from(self);
                    v
                }
                None => self.clone(),
            };
            return Ok((view, Vec::new()));
        }
        Rebuild::new(self, net, states, spare.unwrap_or_default()).run(&touched)
    }
}
