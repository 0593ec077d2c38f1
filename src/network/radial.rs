//! The radial check: no loop among closed elements, and a path to a source for every
//! customer.

use crate::error::NetworkError;
use crate::ids::{BusId, ElementId, NONE};

use super::model::{Derived, NetworkData};

/// Loops among closed elements and customers without supply.
///
/// # Complexity
/// O(B + E) for B buses and E elements: one breadth-first walk from the sources, and
/// on a loop O(B) more to name its elements.
pub(super) fn check_radial(data: &NetworkData, d: &Derived) -> Result<(), NetworkError> {
    let nb = data.buses.len();
    let mut parent: Vec<(u32, u32)> = vec![(NONE, NONE); nb];
    let mut seen = vec![false; nb];
    let mut queue = std::collections::VecDeque::new();
    for s in &data.sources {
        if !seen[s.bus.index()] {
            seen[s.bus.index()] = true;
            queue.push_back(s.bus);
        }
    }
    while let Some(b) = queue.pop_front() {
        let s = d.adj_start[b.index()] as usize;
        let t = d.adj_start[b.index() + 1] as usize;
        for &(nb2, e) in &d.adj[s..t] {
            if data.elements[e.index()].normally_open {
                continue;
            }
            if parent[b.index()].1 == e.0 {
                continue;
            }
            if seen[nb2.index()] {
                // A second path to nb2: the loop is the two tree paths plus e.
                let mut left = vec![e];
                let path_up = |mut x: BusId| {
                    let mut v = Vec::new();
                    while parent[x.index()].0 != NONE {
                        v.push((x, ElementId(parent[x.index()].1)));
                        x = BusId(parent[x.index()].0);
                    }
                    v
                };
                let pa = path_up(b);
                let pb = path_up(nb2);
                let in_b: std::collections::HashSet<u32> = pb.iter().map(|(x, _)| x.0).collect();
                let mut meet = None;
                for (x, el) in &pa {
                    if in_b.contains(&x.0) {
                        meet = Some(*x);
                        break;
                    }
                    left.push(*el);
                }
                let mut right = Vec::new();
                for (x, el) in &pb {
                    if Some(*x) == meet {
                        break;
                    }
                    right.push(*el);
                }
                // Buses reached from two different sources also count (the meet is None).
                left.extend(right.into_iter().rev());
                return Err(NetworkError::Loop {
                    elements: left
                        .iter()
                        .map(|e| data.elements[e.index()].name.clone())
                        .collect(),
                });
            }
            seen[nb2.index()] = true;
            parent[nb2.index()] = (b.0, e.0);
            queue.push_back(nb2);
        }
    }
    for c in &data.customers {
        if !seen[c.bus.index()] {
            return Err(NetworkError::Unsupplied {
                customer: c.name.clone(),
                at: c.at.clone(),
            });
        }
    }
    Ok(())
}
