//! The frame: the model's bus coordinates scaled into the map area (y up), and greedy
//! placement of labels that keeps them clear of each other.

use crate::Network;

use super::{LEGEND_W, MARGIN};

/// The positioned buses scaled into the map area, keeping the aspect ratio, centred.
pub(super) struct Frame {
    minx: f64,
    maxy: f64,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Frame {
    /// The frame of a map `w` by `h` pixels (the legend at the right, the title at
    /// the top).
    pub(super) fn new(net: &Network, w: f64, h: f64) -> Self {
        let pts: Vec<[f64; 2]> = net.buses().iter().filter_map(|b| b.position).collect();
        let (minx, maxx, miny, maxy) = pts.iter().fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), p| (a.min(p[0]), b.max(p[0]), c.min(p[1]), d.max(p[1])),
        );
        let map_w = (w - LEGEND_W - 2.0 * MARGIN).max(10.0);
        let map_h = (h - 2.0 * MARGIN - 30.0).max(10.0);
        let scale = if pts.is_empty() {
            1.0
        } else {
            (map_w / (maxx - minx).max(1e-9)).min(map_h / (maxy - miny).max(1e-9))
        };
        Frame {
            minx,
            maxy,
            scale,
            ox: MARGIN + (map_w - (maxx - minx) * scale) / 2.0,
            oy: MARGIN + 30.0 + (map_h - (maxy - miny) * scale) / 2.0,
        }
    }

    /// Where a point of the model goes on the map.
    pub(super) fn at(&self, p: [f64; 2]) -> (f64, f64) {
        (
            self.ox + (p[0] - self.minx) * self.scale,
            self.oy + (self.maxy - p[1]) * self.scale,
        )
    }
}

/// Greedy label placement: a label that would overlap one already placed moves down
/// (then up) a line at a time.
#[derive(Default)]
pub(super) struct Labels {
    /// The boxes taken, `[x0, y0, x1, y1]`.
    pub(super) boxes: Vec<[f64; 4]>,
}

impl Labels {
    /// The y at which a label of `chars` characters at (x, y) goes.
    pub(super) fn place(&mut self, x: f64, y: f64, chars: usize, char_w: f64) -> f64 {
        let w = chars as f64 * char_w;
        let h = 12.0;
        let free = |yy: f64, boxes: &[[f64; 4]]| {
            boxes
                .iter()
                .all(|b| x + w <= b[0] || b[2] <= x || yy <= b[1] || b[3] <= yy - h)
        };
        let mut chosen = y;
        for k in [0.0, 1.0, -1.0, 2.0, -2.0, 3.0] {
            let yy = y + k * (h + 1.0);
            if free(yy, &self.boxes) {
                chosen = yy;
                break;
            }
        }
        self.boxes.push([x, chosen - h, x + w, chosen]);
        chosen
    }
}
