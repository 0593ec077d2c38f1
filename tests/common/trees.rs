//! Generated feeder trees that shrink: a proptest strategy over tree shapes, and the
//! shape built into a [`Network`] through the public [`NetworkBuilder`] or written as
//! OpenDSS text.
//!
//! A shape is a list of nodes, each hung below an earlier node or below a source bus,
//! with what joins it to its parent: a plain line, a line under a breaker, a recloser
//! or a fuse, a closed switch line, or a distribution transformer with its customers.
//! Normally-open tie switches join pairs of buses. Shapes are generated as nested
//! subtrees and flattened, so that when a property fails proptest shrinks the shape by
//! dropping subtrees, children and ties, simplifying kinds towards a plain line and
//! customers towards none, down to a small network that still fails; a `u64` seed fed
//! to a generator has no such neighbours.
//!
//! ```text
//! s0 ── n0 (breaker) ─┬─ n1 (fuse) ── n3 (transformer: 2 customers)
//!                     └─ n2 (transformer: 3 customers)
//! ```
//!
//! is `TreeShape { sources: 1, nodes: [(0, Breaker), (1, Fuse), (1, Transformer(3)),
//! (2, Transformer(2))], ties: [] }`: bus indices count the source buses first.

use std::fmt::Write;

use outage_locator::network::{DeviceKind, LineOptions};
use outage_locator::{Network, NetworkBuilder};
use proptest::prelude::*;
use proptest::sample::Index;

/// What joins a node's bus to its parent's bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A line section, no outage device.
    Line,
    /// A line under a breaker (an OpenDSS `Relay`).
    Breaker,
    /// A line under a recloser.
    Recloser,
    /// A line under a fuse.
    Fuse,
    /// A closed switch line (`switch=yes`).
    Switch,
    /// A distribution transformer with that many customers on its secondary bus.
    Transformer(u8),
}

/// A forest of feeders below one or more source buses (a source bus may feed none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeShape {
    /// Source buses `s0`, `s1`, …, one substation each.
    pub sources: usize,
    /// Node `i` (bus `n{i}`): the bus it hangs below and its link to it. Buses are
    /// numbered with the source buses first, so node `i` is bus `sources + i`, and its
    /// parent bus is always a lower number.
    pub nodes: Vec<(usize, Link)>,
    /// Normally-open tie switches between two distinct buses.
    pub ties: Vec<(usize, usize)>,
}

/// A link, shrinking towards a plain line.
fn link() -> impl Strategy<Value = Link> {
    prop_oneof![
        3 => Just(Link::Line),
        1 => Just(Link::Breaker),
        1 => Just(Link::Recloser),
        2 => Just(Link::Fuse),
        1 => Just(Link::Switch),
        4 => (0u8..=4).prop_map(Link::Transformer),
    ]
}

/// A node and everything below it: how shapes are generated and shrunk. Dropping a
/// subtree or a child leaves every other node where it was, so a failing shape
/// shrinks to the few nodes that matter (a flat list of parent indices would move the
/// later nodes whenever an earlier one is dropped).
#[derive(Debug, Clone)]
struct Subtree {
    link: Link,
    children: Vec<Subtree>,
}

/// Subtrees of `size` nodes or so at most, up to 10 levels deep.
fn subtree(size: u32) -> impl Strategy<Value = Subtree> {
    let leaf = link().prop_map(|link| Subtree {
        link,
        children: Vec::new(),
    });
    leaf.prop_recursive(10, 2 * size, 3, |inner| {
        (link(), prop::collection::vec(inner, 1..4))
            .prop_map(|(link, children)| Subtree { link, children })
    })
}

/// Feeder trees of `size` nodes or so at most (for 40: 15 on average, 6 levels at the
/// deepest), in one or two feeders, each below a source bus picked among 1 to
/// `max_sources`, with up to `max_ties` normally-open ties between distinct buses.
pub fn tree_shape(
    max_sources: usize,
    size: u32,
    max_ties: usize,
) -> impl Strategy<Value = TreeShape> {
    (
        1..=max_sources,
        prop::collection::vec((any::<Index>(), subtree(size)), 1..=2),
        prop::collection::vec((any::<Index>(), any::<Index>()), 0..=max_ties),
    )
        .prop_map(|(sources, feeders, raw_ties)| {
            let mut shape = TreeShape {
                sources,
                nodes: Vec::new(),
                ties: Vec::new(),
            };
            for (source, feeder) in &feeders {
                shape.push(source.index(sources), feeder);
            }
            let buses = sources + shape.nodes.len();
            shape.ties = raw_ties
                .into_iter()
                .map(|(a, b)| {
                    let a = a.index(buses);
                    // Any bus but `a`: skip over it.
                    let b = b.index(buses - 1);
                    (a, if b >= a { b + 1 } else { b })
                })
                .collect();
            shape
        })
}

impl TreeShape {
    /// Appends `tree` below bus `parent`, in pre-order.
    fn push(&mut self, parent: usize, tree: &Subtree) {
        self.nodes.push((parent, tree.link));
        let bus = self.sources + self.nodes.len() - 1;
        for child in &tree.children {
            self.push(bus, child);
        }
    }

    /// The name of bus `b`.
    pub fn bus(&self, b: usize) -> String {
        if b < self.sources {
            format!("s{b}")
        } else {
            format!("n{}", b - self.sources)
        }
    }

    /// The customers of node `i`'s transformer, by name without the `load.` prefix.
    pub fn customers_of(&self, i: usize) -> Vec<String> {
        match self.nodes[i].1 {
            Link::Transformer(k) => (0..k).map(|c| format!("c{i}_{c}")).collect(),
            _ => Vec::new(),
        }
    }

    /// How many customers the shape has.
    pub fn customer_count(&self) -> usize {
        (0..self.nodes.len())
            .map(|i| self.customers_of(i).len())
            .sum()
    }

    /// The network, built through [`NetworkBuilder`]. Elements are `line.n{i}` or
    /// `transformer.n{i}` and the ties `line.tie{j}`; devices are `relay.n{i}`,
    /// `recloser.n{i}` and `fuse.n{i}`; customers `load.c{i}_{k}`.
    ///
    /// # Panics
    ///
    /// Never for a shape of [`tree_shape`]: every bus is named before it is used, and a
    /// tree with open ties is radial.
    pub fn network(&self) -> Network {
        let mut b = NetworkBuilder::new("tree");
        for bus in 0..self.sources + self.nodes.len() {
            b.add_bus(&self.bus(bus));
        }
        for s in 0..self.sources {
            b.add_source(&format!("circuit.s{s}"), &self.bus(s))
                .expect("the source bus exists");
        }
        for (i, &(parent, link)) in self.nodes.iter().enumerate() {
            let (from, to) = (self.bus(parent), self.bus(self.sources + i));
            let line = format!("line.n{i}");
            let device = match link {
                Link::Transformer(_) => {
                    b.add_transformer(&format!("transformer.n{i}"), &from, &to, 0.24, 25.0)
                        .expect("both buses exist");
                    for name in self.customers_of(i) {
                        b.add_customer(&name, &to).expect("the bus exists");
                    }
                    None
                }
                Link::Switch => {
                    let switch = LineOptions {
                        switch: true,
                        ..LineOptions::default()
                    };
                    b.add_line_with(&line, &from, &to, switch)
                        .expect("both buses exist");
                    None
                }
                Link::Line => {
                    b.add_line(&line, &from, &to).expect("both buses exist");
                    None
                }
                Link::Breaker => Some(("relay", DeviceKind::Breaker)),
                Link::Recloser => Some(("recloser", DeviceKind::Recloser)),
                Link::Fuse => Some(("fuse", DeviceKind::Fuse)),
            };
            if let Some((class, kind)) = device {
                b.add_line(&line, &from, &to).expect("both buses exist");
                b.add_device(&format!("{class}.n{i}"), kind, &line)
                    .expect("the line was just added");
            }
        }
        let tie = LineOptions {
            switch: true,
            normally_open: true,
            ..LineOptions::default()
        };
        for (j, &(x, y)) in self.ties.iter().enumerate() {
            b.add_line_with(&format!("line.tie{j}"), &self.bus(x), &self.bus(y), tie)
                .expect("both buses exist");
        }
        b.build().expect("a tree with open ties is a valid network")
    }

    /// The same network as an OpenDSS model, for the reader: the circuit `s0`, lines,
    /// transformers from 12.47 kV to 0.24 kV, loads, `Relay`/`Recloser`/`Fuse` objects
    /// monitoring their line, and the ties opened by `Open` commands.
    ///
    /// # Panics
    ///
    /// For a shape of more than one source: a model has one circuit.
    pub fn opendss(&self) -> String {
        assert_eq!(self.sources, 1, "an OpenDSS model has one circuit");
        let mut out = String::from("Clear\nNew Circuit.s0 bus1=s0 basekv=12.47\n");
        // Writing to a String cannot fail.
        let mut w = |text: std::fmt::Arguments<'_>| out.write_fmt(text).unwrap();
        for (i, &(parent, link)) in self.nodes.iter().enumerate() {
            let (from, to) = (self.bus(parent), self.bus(self.sources + i));
            match link {
                Link::Transformer(_) => {
                    w(format_args!(
                        "New Transformer.n{i} phases=1 buses=[{from} {to}] kvs=[12.47 0.24] kvas=[25 25]\n"
                    ));
                    for name in self.customers_of(i) {
                        w(format_args!("New Load.{name} bus1={to} kv=0.24 kw=5\n"));
                    }
                }
                Link::Switch => w(format_args!(
                    "New Line.n{i} bus1={from} bus2={to} switch=yes\n"
                )),
                _ => w(format_args!("New Line.n{i} bus1={from} bus2={to}\n")),
            }
            let class = match link {
                Link::Breaker => "Relay",
                Link::Recloser => "Recloser",
                Link::Fuse => "Fuse",
                _ => continue,
            };
            w(format_args!("New {class}.n{i} MonitoredObj=Line.n{i}\n"));
        }
        for (j, &(x, y)) in self.ties.iter().enumerate() {
            let (x, y) = (self.bus(x), self.bus(y));
            w(format_args!(
                "New Line.tie{j} bus1={x} bus2={y} switch=yes\nOpen Line.tie{j}\n"
            ));
        }
        out
    }
}
