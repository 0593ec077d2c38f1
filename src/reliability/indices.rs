//! The IEEE 1366 indices over a period and a grouping, planned apart from unplanned,
//! counted per customer from a merged [`Ledger`].

use serde::{Deserialize, Serialize};

use super::ledger::{InterruptionKind, Ledger, Span};
use super::med::day_of;
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{Network, ServiceZone};
use crate::time::{MINUTE, Millis, Timestamp};
use crate::topology::EnergizationView;

use super::SUSTAINED_AFTER;

/// Which interruptions count: those starting in `[from, to)`, except on the excluded
/// days (major event days, by their UTC day number, see [`day_of`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// First instant.
    pub from: Timestamp,
    /// End (excluded).
    pub to: Timestamp,
    /// UTC day numbers left out, sorted.
    pub excluded_days: Vec<i64>,
}

impl Selection {
    /// Every interruption starting in `[from, to)`.
    pub fn new(from: Timestamp, to: Timestamp) -> Self {
        Selection {
            from,
            to,
            excluded_days: Vec::new(),
        }
    }

    /// The same period without the given days (for example the major event days).
    pub fn without_days(mut self, days: &[i64]) -> Self {
        self.excluded_days.extend_from_slice(days);
        self.excluded_days.sort_unstable();
        self.excluded_days.dedup();
        self
    }

    fn holds(&self, t: Timestamp) -> bool {
        t >= self.from && t < self.to && self.excluded_days.binary_search(&day_of(t)).is_err()
    }

    /// Minutes in the period, the excluded days left out.
    fn minutes(&self) -> f64 {
        let days = self.excluded_days.len() as f64 * 1440.0;
        ((self.to.0 - self.from.0) as f64 / MINUTE as f64 - days).max(0.0)
    }
}

/// The thresholds of the per-customer indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndexOptions {
    /// CEMI_n counts customers with more than `n` sustained interruptions.
    pub cemi_n: u32,
    /// CELID counts customers whose interruption (CELID-s: one of them; CELID-t: all
    /// together) lasted this long or longer.
    pub celid_t: Millis,
}

impl Default for IndexOptions {
    /// CEMI_3 and CELID_8h.
    fn default() -> Self {
        IndexOptions {
            cemi_n: 3,
            celid_t: 8 * 60 * MINUTE,
        }
    }
}

/// How customers are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One group: the whole network.
    Network,
    /// By the topmost outage device above the customer (its source).
    Substation,
    /// By the outage device right below the source (the feeder's breaker).
    Feeder,
    /// By service zone (urban, rural, remote).
    Zone,
}

impl Grouping {
    /// The groups' names and each customer's group.
    ///
    /// # Complexity
    /// O(N × depth) for N customers.
    pub fn table(self, net: &Network, view: &EnergizationView) -> (Vec<String>, Vec<u32>) {
        let n = net.customers().len();
        match self {
            Grouping::Network => (vec![net.name().to_string()], vec![0; n]),
            Grouping::Zone => {
                let names = ServiceZone::ALL.iter().map(|z| z.to_string()).collect();
                let of = (0..n)
                    .map(|c| {
                        let z = net.customer_zone(CustomerId(c as u32));
                        ServiceZone::ALL.iter().position(|&x| x == z).unwrap_or(0) as u32
                    })
                    .collect();
                (names, of)
            }
            Grouping::Substation | Grouping::Feeder => {
                let mut names: Vec<String> = Vec::new();
                let mut index = std::collections::HashMap::new();
                let mut of = Vec::with_capacity(n);
                for c in 0..n as u32 {
                    let head = head_of(view, OutageDeviceId(c), self == Grouping::Feeder);
                    let g = *index.entry(head).or_insert_with(|| {
                        names.push(
                            head.map_or("unsupplied", |d| net.outage_device_name(d))
                                .into(),
                        );
                        names.len() as u32 - 1
                    });
                    of.push(g);
                }
                (names, of)
            }
        }
    }
}

/// The topmost device above a service, or the one right below it for a feeder; `None`
/// for a service the view does not supply.
fn head_of(view: &EnergizationView, svc: OutageDeviceId, feeder: bool) -> Option<OutageDeviceId> {
    let (mut top, mut below_top) = (None, None);
    for d in view.upstream(svc) {
        below_top = top;
        top = Some(d);
    }
    if top == Some(svc) && !view.is_energized(svc) {
        return None;
    }
    if feeder { below_top.or(top) } else { top }
}

/// The indices of one kind of interruption over one group of customers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Indices {
    /// Customers served (N_T).
    pub customers_served: u32,
    /// Distinct customers with a sustained interruption (CN).
    pub customers_interrupted: u32,
    /// Customer interruptions, sustained (Σ N_i).
    pub customer_interruptions: u64,
    /// Customer minutes, sustained (Σ r_i N_i).
    pub customer_minutes: f64,
    /// Customer momentary interruptions (Σ ID_E N_mi).
    pub customer_momentaries: u64,
    /// Σ N_i / N_T.
    pub saifi: f64,
    /// Σ r_i N_i / N_T, minutes.
    pub saidi: f64,
    /// SAIDI / SAIFI, minutes (0 without interruptions).
    pub caidi: f64,
    /// Σ N_i / CN.
    pub caifi: f64,
    /// Σ r_i N_i / CN, minutes.
    pub ctaidi: f64,
    /// Share of customer minutes with supply.
    pub asai: f64,
    /// Σ ID_E N_mi / N_T.
    pub maifi_e: f64,
    /// Share of customers with more than n sustained interruptions.
    pub cemi_n: f64,
    /// Share of customers with one sustained interruption of t or longer (CELID-s).
    pub celid_s: f64,
    /// Share of customers off t or longer in all (CELID-t).
    pub celid_t: f64,
}

/// Sums over one group, turned into [`Indices`] at the end.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    served: u32,
    interrupted: u32,
    ci: u64,
    minutes: f64,
    momentary: u64,
    cemi: u32,
    celid_s: u32,
    celid_t: u32,
}

impl Sums {
    fn indices(&self, period_minutes: f64) -> Indices {
        let n = f64::from(self.served.max(1));
        let cn = f64::from(self.interrupted.max(1));
        let ci = self.ci as f64;
        Indices {
            customers_served: self.served,
            customers_interrupted: self.interrupted,
            customer_interruptions: self.ci,
            customer_minutes: self.minutes,
            customer_momentaries: self.momentary,
            saifi: ci / n,
            saidi: self.minutes / n,
            caidi: if self.ci == 0 { 0.0 } else { self.minutes / ci },
            caifi: ci / cn,
            ctaidi: self.minutes / cn,
            asai: 1.0 - self.minutes / (n * period_minutes.max(1.0)),
            maifi_e: self.momentary as f64 / n,
            cemi_n: f64::from(self.cemi) / n,
            celid_s: f64::from(self.celid_s) / n,
            celid_t: f64::from(self.celid_t) / n,
        }
    }
}

/// The indices of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupIndices {
    /// The group's name (a device, a zone, the network).
    pub group: String,
    /// Unplanned interruptions.
    pub unplanned: Indices,
    /// Planned interruptions.
    pub planned: Indices,
}

/// The indices over a selection: the whole network and each group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The grouping of `groups`.
    pub grouping: Grouping,
    /// The thresholds used.
    pub options: IndexOptions,
    /// Unplanned interruptions, whole network.
    pub unplanned: Indices,
    /// Planned interruptions, whole network.
    pub planned: Indices,
    /// By group.
    pub groups: Vec<GroupIndices>,
}

impl Ledger {
    /// The indices over `sel`, for the whole network and by `names`/`group_of` (from
    /// [`Grouping::table`]). Momentary events (momentary records, and merged spans of
    /// five minutes or less) count in MAIFI_E of their kind; momentary records are
    /// unplanned.
    ///
    /// # Panics
    /// When the ledger is not merged ([`Ledger::merge`]).
    ///
    /// # Complexity
    /// O(S + M + N) for S spans, M customer momentaries and N customers (one group:
    /// O(1) per momentary event).
    pub fn report(
        &self,
        view: &EnergizationView,
        sel: &Selection,
        grouping: Grouping,
        (names, group_of): (&[String], &[u32]),
        opts: IndexOptions,
    ) -> Report {
        let g = names.len();
        let mut sums = vec![[Sums::default(); 2]; g];
        for &k in group_of.iter().take(self.customers() as usize) {
            sums[k as usize][0].served += 1;
            sums[k as usize][1].served += 1;
        }
        let spans = self.spans();
        let mut i = 0;
        while i < spans.len() {
            let (c, kind) = (spans[i].customer, spans[i].kind);
            let j = i + spans[i..]
                .iter()
                .position(|s| s.customer != c || s.kind != kind)
                .unwrap_or(spans.len() - i);
            let s = &mut sums[group_of[c.index()] as usize][kind as usize];
            customer_run(&spans[i..j], sel, opts, s);
            i = j;
        }
        for &(c, t) in self.momentaries() {
            if sel.holds(t) {
                sums[group_of[c.index()] as usize][0].momentary += 1;
            }
        }
        for m in self.momentary_events().iter().filter(|m| sel.holds(m.time)) {
            if g == 1 {
                sums[0][0].momentary += u64::from(view.customer_count_below(m.device));
                continue;
            }
            for &c in view.customers_below(m.device) {
                if let Some(&k) = group_of.get(c.index()) {
                    sums[k as usize][0].momentary += 1;
                }
            }
        }
        let minutes = sel.minutes();
        let mut total = [Sums::default(); 2];
        let groups = names
            .iter()
            .zip(&sums)
            .map(|(name, s)| {
                for k in 0..2 {
                    add(&mut total[k], &s[k]);
                }
                GroupIndices {
                    group: name.clone(),
                    unplanned: s[0].indices(minutes),
                    planned: s[1].indices(minutes),
                }
            })
            .collect();
        Report {
            grouping,
            options: opts,
            unplanned: total[0].indices(minutes),
            planned: total[1].indices(minutes),
            groups,
        }
    }

    /// Unplanned sustained customer minutes per customer served on each UTC day from
    /// `first` to `last` (inclusive), by the day each interruption began: the daily
    /// SAIDI the major-event method reads.
    ///
    /// # Complexity
    /// O(S + days).
    pub fn daily_saidi(&self, first: i64, last: i64) -> Vec<(i64, f64)> {
        let mut out: Vec<(i64, f64)> = (first..=last).map(|d| (d, 0.0)).collect();
        let n = f64::from(self.customers().max(1));
        for s in self.spans() {
            let d = day_of(s.start);
            if s.kind == InterruptionKind::Unplanned
                && is_sustained(s)
                && (first..=last).contains(&d)
            {
                out[(d - first) as usize].1 += s.minutes() / n;
            }
        }
        out
    }
}

fn is_sustained(s: &Span) -> bool {
    s.end.0 - s.start.0 > SUSTAINED_AFTER
}

/// Adds one customer's interruptions of one kind (its run of merged spans) to its
/// group's sums.
fn customer_run(run: &[Span], sel: &Selection, opts: IndexOptions, s: &mut Sums) {
    let (mut n, mut total, mut longest, mut momentary) = (0u32, 0i64, 0i64, 0u64);
    for sp in run.iter().filter(|sp| sel.holds(sp.start)) {
        let len = sp.end.0 - sp.start.0;
        if is_sustained(sp) {
            n += 1;
            total += len;
            longest = longest.max(len);
        } else {
            momentary += 1;
        }
    }
    s.momentary += momentary;
    if n == 0 {
        return;
    }
    s.interrupted += 1;
    s.ci += u64::from(n);
    s.minutes += total as f64 / MINUTE as f64;
    s.cemi += u32::from(n > opts.cemi_n);
    s.celid_s += u32::from(longest >= opts.celid_t);
    s.celid_t += u32::from(total >= opts.celid_t);
}

fn add(a: &mut Sums, b: &Sums) {
    a.served += b.served;
    a.interrupted += b.interrupted;
    a.ci += b.ci;
    a.minutes += b.minutes;
    a.momentary += b.momentary;
    a.cemi += b.cemi;
    a.celid_s += b.celid_s;
    a.celid_t += b.celid_t;
}
