//! The loop a closing would form, named element by element for the error.

use crate::error::SwitchingError;
use crate::ids::{BusId, ElementId, NONE};
use crate::network::Network;

/// The bus feeding `x` in a view whose feeding elements are `bpe`.
fn parent_bus(net: &Network, bpe: &[u32], x: u32) -> u32 {
    match bpe[x as usize] {
        NONE => NONE,
        e => {
            let el = net.element(ElementId(e));
            if el.to.0 == x { el.from.0 } else { el.to.0 }
        }
    }
}

/// The loop that closing `closing` between the energized buses `a` and `b` would form:
/// `closing`, then the feeding elements from `a` up to where the two paths meet, then
/// down to `b`. Buses fed from different sources meet at no bus: both paths go up to
/// their sources.
pub(super) fn loop_error(
    net: &Network,
    bpe: &[u32],
    a: BusId,
    b: BusId,
    closing: ElementId,
) -> SwitchingError {
    let up = |mut x: u32| {
        let mut v = vec![x];
        loop {
            x = parent_bus(net, bpe, x);
            if x == NONE {
                return v;
            }
            v.push(x);
        }
    };
    let pa = up(a.0);
    let pb = up(b.0);
    let set_b: std::collections::HashSet<u32> = pb.iter().copied().collect();
    let mut elements = vec![net.element(closing).name.clone()];
    let mut meet = NONE;
    // A source bus has no feeding element: the two paths end there when they do not
    // meet.
    let feeding = |x: u32| {
        (bpe[x as usize] != NONE).then(|| net.element(ElementId(bpe[x as usize])).name.clone())
    };
    for &x in &pa {
        if set_b.contains(&x) {
            meet = x;
            break;
        }
        elements.extend(feeding(x));
    }
    let mut right = Vec::new();
    for &x in &pb {
        if x == meet {
            break;
        }
        right.extend(feeding(x));
    }
    elements.extend(right.into_iter().rev());
    SwitchingError::ClosesLoop {
        closing: net.element(closing).name.clone(),
        elements,
    }
}
