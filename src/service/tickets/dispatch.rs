//! Crews and dispatch: the roster, what each crew is doing and where, and when it is
//! expected on site.

use serde::{Deserialize, Serialize};

use super::audit::AuditEvent;
use super::lifecycle::TicketError;
use super::order::{OrderState, WorkOrderId};
use super::{WorkOrders, idx};
use crate::service::crews::{Crew, CrewId, position_on_trip};
use crate::time::Timestamp;

/// What a crew is doing, derived from the order it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "crew", rename_all = "snake_case")]
pub enum CrewState {
    /// Not on duty.
    OffDuty,
    /// Free to dispatch.
    Available,
    /// On an open order.
    Assigned {
        /// The order.
        order: WorkOrderId,
        /// The order's state (dispatched, en route, on site, restored).
        state: OrderState,
    },
}

impl WorkOrders {
    /// Adds a crew to the roster.
    pub fn add_crew(&mut self, crew: Crew) -> CrewId {
        self.crews.push(crew);
        CrewId(self.crews.len() as u32)
    }

    /// A crew, if it exists.
    pub fn crew(&self, id: CrewId) -> Option<&Crew> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.crews.get(i))
    }

    /// The roster.
    pub fn crews(&self) -> impl Iterator<Item = (CrewId, &Crew)> {
        self.crews
            .iter()
            .enumerate()
            .map(|(i, c)| (CrewId(i as u32 + 1), c))
    }

    /// Puts a crew on or off duty (a busy crew finishes its order first: only its
    /// availability for new orders changes).
    pub fn set_on_duty(&mut self, id: CrewId, on: bool) -> Result<(), TicketError> {
        self.crew_mut(id)?.on_duty = on;
        Ok(())
    }

    /// Sets a crew's last known position (for example from its vehicle's GPS).
    pub fn set_crew_position(&mut self, id: CrewId, position: [f64; 2]) -> Result<(), TicketError> {
        self.crew_mut(id)?.position = position;
        Ok(())
    }

    /// A crew to change.
    fn crew_mut(&mut self, id: CrewId) -> Result<&mut Crew, TicketError> {
        (id.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.crews.get_mut(i))
            .ok_or(TicketError::UnknownCrew(id))
    }

    /// What a crew is doing.
    pub fn crew_state(&self, id: CrewId) -> CrewState {
        if let Some(&w) = self.assignment.get(&id) {
            return CrewState::Assigned {
                order: w,
                state: self.order(w).state,
            };
        }
        match self.crew(id) {
            Some(c) if c.on_duty => CrewState::Available,
            _ => CrewState::OffDuty,
        }
    }

    /// Where a crew is at `now`: on the straight line to its site while en route.
    pub fn crew_position(&self, id: CrewId, now: Timestamp) -> Option<[f64; 2]> {
        let crew = self.crew(id)?;
        if let Some(&w) = self.assignment.get(&id) {
            let o = self.order(w);
            if o.state == OrderState::EnRoute
                && let (Some(from), Some(to), Some(left)) =
                    (o.crew_origin, o.position, o.time_of(OrderState::EnRoute))
            {
                let travel = crew.travel_time(self.opts.geometry.distance_m(from, to));
                return Some(position_on_trip(from, to, left, travel, now));
            }
        }
        Some(crew.position)
    }

    /// When the order's crew is expected on site: turnout plus the straight-line trip
    /// after dispatch, the trip after leaving, or the arrival itself.
    pub fn crew_eta(&self, id: WorkOrderId) -> Option<Timestamp> {
        let o = self.get(id)?;
        if let Some(t) = o.time_of(OrderState::OnSite) {
            return Some(t);
        }
        let crew = self.crew(o.crew?)?;
        let travel = crew.travel_time(self.opts.geometry.distance_m(o.crew_origin?, o.position?));
        match o.state {
            OrderState::Dispatched => {
                Some(o.time_of(OrderState::Dispatched)? + self.opts.turnout + travel)
            }
            OrderState::EnRoute => Some(o.time_of(OrderState::EnRoute)? + travel),
            _ => None,
        }
    }

    /// Puts a free crew on duty on an order (taking over from the crew on it, if
    /// any); nothing when the crew is already on it.
    pub(super) fn dispatch(
        &mut self,
        id: WorkOrderId,
        crew: CrewId,
        at: Timestamp,
    ) -> Result<(), TicketError> {
        let c = self.crew(crew).ok_or(TicketError::UnknownCrew(crew))?;
        if !c.on_duty {
            return Err(TicketError::CrewOffDuty(crew));
        }
        match self.assignment.get(&crew) {
            Some(&o) if o == id => return Ok(()),
            Some(&o) => return Err(TicketError::CrewBusy { crew, order: o }),
            None => {}
        }
        let origin = c.position;
        let department = c.department.clone();
        if let Some(old) = self.orders[idx(id)].crew {
            self.assignment.remove(&old);
            self.orders[idx(id)].crew = Some(crew);
            self.log(at, id, AuditEvent::Reassigned { from: old });
        }
        let w = &mut self.orders[idx(id)];
        w.crew = Some(crew);
        w.department = Some(department);
        w.crew_origin = Some(origin);
        self.assignment.insert(crew, id);
        self.step(id, OrderState::Dispatched, at);
        Ok(())
    }

    /// The order's crew leaves for the site, from where it is now.
    pub(super) fn leave(&mut self, id: WorkOrderId, at: Timestamp) {
        let crew = self.orders[idx(id)].crew;
        let origin = crew.and_then(|c| self.crew(c)).map(|c| c.position);
        self.orders[idx(id)].crew_origin = origin;
        self.step(id, OrderState::EnRoute, at);
    }

    /// The order's crew arrives: it is now where the device is.
    pub(super) fn arrive(&mut self, id: WorkOrderId, at: Timestamp) -> Result<(), TicketError> {
        let w = &self.orders[idx(id)];
        if let (Some(crew), Some(p)) = (w.crew, w.position) {
            self.crew_mut(crew)?.position = p;
        }
        self.step(id, OrderState::OnSite, at);
        Ok(())
    }
}
