//! Radiality: the check that closed elements form no loop and reach every customer,
//! and the closed elements to open to cut a meshed network's loops.

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

/// The closed elements to open so that no loop is left among the closed elements the
/// sources reach, in id order: the complement of one spanning forest grown from the
/// sources.
///
/// The forest gives each bus the path from a source with the fewest switchable
/// elements (switch lines, or elements carrying a protective device), then the fewest
/// elements. So a loop is opened at a switchable element where it has one (the place
/// an operator could close it again), and otherwise where the two shortest paths
/// around it meet: its far side from the source. Elements between the same two buses
/// as a forest element are parallel (bundled at build), not loops; elements the
/// sources do not reach are left as they are (the build reports their customers).
///
/// # Complexity
/// O(B + E log B) for B buses and E elements: a compressed adjacency, then a
/// shortest-path search with a binary heap keyed by (switchable elements, elements).
pub(super) fn loop_openings(data: &NetworkData) -> Vec<ElementId> {
    use std::cmp::Reverse;
    let nb = data.buses.len();
    let joins = |e: &super::Element| !e.normally_open && e.from != e.to;
    let mut switchable: Vec<bool> = data.elements.iter().map(|e| e.switch).collect();
    for d in &data.devices {
        if let Some(s) = switchable.get_mut(d.element.index()) {
            *s = true;
        }
    }
    let mut start = vec![0u32; nb + 1];
    for e in data.elements.iter().filter(|e| joins(e)) {
        start[e.from.index() + 1] += 1;
        start[e.to.index() + 1] += 1;
    }
    for b in 0..nb {
        start[b + 1] += start[b];
    }
    let mut fill = start[..nb].to_vec();
    let mut adj = vec![(0u32, 0u32); start[nb] as usize];
    for (i, e) in data.elements.iter().enumerate().filter(|(_, e)| joins(e)) {
        for (a, b) in [(e.from, e.to), (e.to, e.from)] {
            adj[fill[a.index()] as usize] = (b.0, i as u32);
            fill[a.index()] += 1;
        }
    }
    drop(fill);
    // (switchable elements, elements) on the best path found so far, and its last step.
    let mut best = vec![(u32::MAX, u32::MAX); nb];
    let mut parent: Vec<(u32, u32)> = vec![(NONE, NONE); nb];
    let mut heap = std::collections::BinaryHeap::new();
    for s in &data.sources {
        best[s.bus.index()] = (0, 0);
        heap.push(Reverse(((0u32, 0u32), s.bus.0)));
    }
    while let Some(Reverse((key, b))) = heap.pop() {
        if key > best[b as usize] {
            continue;
        }
        let b = b as usize;
        for &(to, e) in &adj[start[b] as usize..start[b + 1] as usize] {
            let k = (key.0 + switchable[e as usize] as u32, key.1 + 1);
            if k < best[to as usize] {
                best[to as usize] = k;
                parent[to as usize] = (b as u32, e);
                heap.push(Reverse((k, to)));
            }
        }
    }
    let mut in_tree = vec![false; data.elements.len()];
    for &(_, e) in parent.iter().filter(|p| p.1 != NONE) {
        in_tree[e as usize] = true;
    }
    let reached = |b: BusId| best[b.index()].0 != u32::MAX;
    let parallel = |e: &super::Element| {
        parent[e.to.index()].0 == e.from.0 || parent[e.from.index()].0 == e.to.0
    };
    (data.elements.iter().enumerate())
        .filter(|&(i, e)| joins(e) && reached(e.from) && !in_tree[i] && !parallel(e))
        .map(|(i, _)| ElementId::from(i))
        .collect()
}
