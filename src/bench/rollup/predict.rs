//! The roll-up's prediction: bottom-up over the protective-device tree, the topmost
//! device out holds the outage; and the refresh that turns a new prediction into
//! opened, updated, merged and closed outages.

use std::collections::HashMap;

use super::Rollup;
use super::records::{outage_record, round3};
use crate::ids::{CustomerId, NONE, OutageDeviceId};
use crate::inference::{OutageCause, OutageId, OutageStatus};
use crate::network::OutageDeviceClass;
use crate::replay::RecordOp;

impl<'n> Rollup<'n> {
    /// The predicted devices, topmost first: (device, confidence, status).
    fn predict(&mut self) -> Vec<(OutageDeviceId, f64, OutageStatus)> {
        self.promote_last_gasps();
        let now = self.now();
        let o = self.opts;
        let scada_hold = o.scada_hold;
        let scada: Vec<OutageDeviceId> = self
            .scada_open
            .iter()
            .filter(|&(_, &t)| now.0 - t.0 >= scada_hold)
            .map(|(&d, _)| d)
            .collect();
        let is_scada = |d: OutageDeviceId| scada.binary_search(&d).is_ok();
        let nc = self.net.customers().len() as u32;
        for &d in self.topdown.iter().rev() {
            let i = d.index();
            let out = if d.0 < nc {
                let c = CustomerId(d.0);
                let rep = self.reports[i].is_some() && self.known_cause(c).is_none();
                self.nrep[i] = rep as u32;
                rep
            } else {
                let n = self.view.customer_count_below(d);
                let nrep = self.nrep[i];
                let npk = self.npk[i];
                let out = if n == 0 {
                    false
                } else if self.net.outage_device_class(d) == OutageDeviceClass::Transformer {
                    nrep >= o.xfmr_min.min(n)
                } else {
                    (npk >= o.child_min
                        && npk as f64 >= o.child_frac * self.kids_with_cust[i] as f64)
                        || nrep as f64 >= o.share_min * n as f64
                };
                out || is_scada(d)
            };
            self.out[i] = out;
            let p = self.tree_parent[i];
            if p != NONE {
                self.nrep[p as usize] += self.nrep[i];
                self.npk[p as usize] += out as u32;
            }
        }
        // On the way down `out` becomes "held": the topmost device out holds the outage,
        // and every device below it is held by it.
        let mut pred = Vec::new();
        for &d in &self.topdown {
            let i = d.index();
            let p = self.tree_parent[i];
            if p != NONE && self.out[p as usize] {
                self.out[i] = true;
                continue;
            }
            if self.out[i] {
                if is_scada(d) {
                    pred.push((d, 1.0, OutageStatus::Confirmed));
                } else {
                    let n = self.view.customer_count_below(d).max(1) as f64;
                    pred.push((
                        d,
                        (0.5 + 0.5 * self.nrep[i] as f64 / n).min(0.99),
                        OutageStatus::Predicted,
                    ));
                }
            }
        }
        for &d in &self.topdown {
            self.nrep[d.index()] = 0;
            self.npk[d.index()] = 0;
        }
        pred
    }

    pub(super) fn refresh(&mut self) {
        let pred = self.predict();
        let in_pred: HashMap<OutageDeviceId, (f64, OutageStatus)> =
            pred.iter().map(|&(d, c, s)| (d, (c, s))).collect();
        let mut new: Vec<OutageDeviceId> = pred
            .iter()
            .map(|p| p.0)
            .filter(|d| !self.open_dev.contains_key(d))
            .collect();
        let gone: Vec<OutageId> = self
            .open
            .values()
            .filter(|r| !in_pred.contains_key(&r.device))
            .map(|r| r.id)
            .collect();
        // Outages that disappear because an ancestor now holds them merge into it.
        let anc_of: Vec<Option<OutageDeviceId>> = gone
            .iter()
            .map(|n| {
                let d = self.open[n].device;
                self.view
                    .upstream(d)
                    .skip(1)
                    .find(|p| in_pred.contains_key(p))
            })
            .collect();
        new.sort_by_key(|&d| std::cmp::Reverse(self.view.customer_count_below(d)));
        for &d in &new {
            let (conf, status) = in_pred[&d];
            let rec = self.open_outage(d, OutageCause::Fault, status, conf, true);
            self.open_dev.insert(d, rec.id);
            self.open.insert(rec.id, rec);
        }
        for (n, anc) in gone.into_iter().zip(anc_of) {
            let rec = self.open.remove(&n).expect("gone outages are open");
            self.open_dev.remove(&rec.device);
            let merged = anc
                .and_then(|p| self.open_dev.get(&p))
                .and_then(|m| self.open[m].ticket);
            if let Some(w) = merged {
                self.close_outage(rec, OutageStatus::Retracted, Some(w));
            } else {
                let restored = self
                    .view
                    .customers_below(rec.device)
                    .iter()
                    .any(|c| self.restored[c.index()].is_some_and(|x| x >= rec.since));
                let status = if restored {
                    OutageStatus::Restored
                } else {
                    OutageStatus::Retracted
                };
                self.close_outage(rec, status, None);
            }
        }
        let at = self.now();
        for (d, conf, status) in pred {
            if new.contains(&d) {
                continue;
            }
            let id = self.open_dev[&d];
            let rec = self.open.get_mut(&id).expect("predicted outages are open");
            let conf = round3(conf);
            if status != rec.status || (conf - rec.confidence).abs() >= 0.05 {
                rec.status = status;
                rec.confidence = conf;
                let r = outage_record(self.net, rec, RecordOp::Update, at);
                self.records.push(r);
            }
        }
    }
}
