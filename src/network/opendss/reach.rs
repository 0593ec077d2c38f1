//! Which buses the source reaches over closed elements: loads elsewhere have no supply
//! and are left out.
//!
//! Buses are the builder's, numbered as they are first met. A bus written with
//! spaces before its node suffix (`"b1 .1"`) is a bus of its own here, as the reader has
//! always taken it, though the builder files it under its trimmed name.

use crate::ids::BusId;
use crate::network::NetworkBuilder;

use super::hashing::FastMap;

/// The flag of a node that is not a builder bus: a place in [`Reach::odd`].
const ODD: u32 = 1 << 31;

/// The buses met, the elements' ends among them, and which the source reaches.
#[derive(Debug, Default)]
pub(super) struct Reach {
    /// Per builder bus: met under its own name (not only through an odd one).
    named: Vec<bool>,
    /// Bus names (lowercase) that end in spaces, and their places in `odd`.
    odd: Vec<String>,
    odd_index: FastMap<String, u32>,
    /// Per element added: the nodes it joins, and whether it is closed.
    pub(super) ends: Vec<([u32; 2], bool)>,
    /// Per node (the builder's buses, then the odd ones): reached from the source.
    reached: Vec<bool>,
}

impl Reach {
    /// The node and builder bus of a bus named `key` (as written, without node
    /// suffixes), the bus added to the builder when new.
    ///
    /// # Complexity
    /// O(1) expected: one hash lookup (an allocation for a new or odd name only).
    pub(super) fn mention(&mut self, b: &mut NetworkBuilder, key: &str) -> (u32, BusId) {
        if key.trim().len() == key.len() {
            let id = b.add_bus(key);
            if self.named.len() <= id.index() {
                self.named.resize(id.index() + 1, false);
            }
            self.named[id.index()] = true;
            return (id.0, id);
        }
        let lower = key.to_ascii_lowercase();
        let id = b.add_bus(&lower);
        let next = self.odd.len() as u32;
        let n = *self.odd_index.entry(lower.clone()).or_insert(next);
        if n == next {
            self.odd.push(lower);
        }
        (ODD | n, id)
    }

    /// The place of a node among all nodes, `buses` being the builder's count.
    fn place(n: u32, buses: usize) -> usize {
        if n & ODD != 0 {
            buses + (n & !ODD) as usize
        } else {
            n as usize
        }
    }

    /// Marks what `source` reaches over the closed elements, `buses` being the number
    /// of the builder's buses; the first two buses of an element only, those it joins.
    ///
    /// # Complexity
    /// O(B + E) for B buses and E elements.
    pub(super) fn spread(&mut self, source: u32, buses: usize) {
        let n = buses + self.odd.len();
        let mut start = vec![0u32; n + 1];
        let closed = || self.ends.iter().filter(|e| e.1).map(|e| e.0);
        for [a, b] in closed() {
            start[Self::place(a, buses) + 1] += 1;
            start[Self::place(b, buses) + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; start[n] as usize];
        for [a, b] in closed() {
            let (a, b) = (Self::place(a, buses), Self::place(b, buses));
            adj[fill[a] as usize] = b as u32;
            fill[a] += 1;
            adj[fill[b] as usize] = a as u32;
            fill[b] += 1;
        }
        drop(fill);
        let mut reached = vec![false; n];
        let s = Self::place(source, buses);
        reached[s] = true;
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            for &y in &adj[start[x] as usize..start[x + 1] as usize] {
                if !reached[y as usize] {
                    reached[y as usize] = true;
                    stack.push(y as usize);
                }
            }
        }
        self.reached = reached;
        self.named.resize(buses, false);
    }

    /// The builder's bus of a bus named `key` (as written, without node suffixes) when
    /// the source reaches it.
    pub(super) fn reached_bus(&self, b: &NetworkBuilder, key: &str) -> Option<BusId> {
        let id = b.bus_id(key)?;
        let node = if key.trim().len() == key.len() {
            self.named[id.index()].then_some(id.index())?
        } else {
            let n = *self.odd_index.get(key.to_ascii_lowercase().as_str())?;
            self.named.len() + n as usize
        };
        self.reached[node].then_some(id)
    }

    /// A node's name, lowercase.
    pub(super) fn node_name<'a>(&'a self, b: &'a NetworkBuilder, n: u32) -> &'a str {
        if n & ODD != 0 {
            &self.odd[(n & !ODD) as usize]
        } else {
            b.bus_name(BusId(n))
        }
    }
}
