//! The engine's options, and the prior odds of each device they imply.
//!
//! A device's prior odds are its class's share of faults ([`OutageDevicePriors`])
//! times the fault intensity (expected concurrent faults), over the number of devices
//! of its class. The intensity starts from a calm day ([`EngineOptions::calm_faults`])
//! and rises with the fault outages the engine holds.

use serde::{Deserialize, Serialize};

use super::Engine;
use crate::error::OptionsError;
use crate::ids::OutageDeviceId;
use crate::network::{Network, OutageDeviceClass};
use crate::time::{MINUTE, Millis, SECOND};

/// Each class's share of faults: a device's prior odds are its class's share times the
/// current fault intensity (expected concurrent faults, see
/// [`EngineOptions::calm_faults`]), over the number of devices of that class.
/// Normalising by class size keeps the ratios between classes on any network: a lone
/// report means less where there are more customers who could have sent it, and a
/// fuse is likelier to be the cause than any one of the many services below it. The
/// shares of classes a network does not have (a feeder with no recloser, or with its
/// loads on the primary and no distribution transformer) go to the classes it has, in
/// proportion: the faults happen somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutageDevicePriors {
    /// Customers' own service drops.
    pub service: f64,
    /// Distribution transformers.
    pub transformer: f64,
    /// Fuses.
    pub fuse: f64,
    /// Sectionalizers.
    pub sectionalizer: f64,
    /// Switches (switches do not operate on faults: they are rarely the cause).
    pub switch: f64,
    /// Reclosers.
    pub recloser: f64,
    /// Breakers.
    pub breaker: f64,
    /// Loss of a source itself.
    pub source: f64,
}

impl Default for OutageDevicePriors {
    fn default() -> Self {
        // Typical shares of distribution faults by the device that clears them.
        OutageDevicePriors {
            service: 0.35,
            transformer: 0.30,
            fuse: 0.25,
            sectionalizer: 0.02,
            switch: 0.0005,
            recloser: 0.07,
            breaker: 0.03,
            source: 0.002,
        }
    }
}

impl OutageDevicePriors {
    /// The share of a class.
    pub fn of(&self, class: OutageDeviceClass) -> f64 {
        match class {
            OutageDeviceClass::Service => self.service,
            OutageDeviceClass::Transformer => self.transformer,
            OutageDeviceClass::Fuse => self.fuse,
            OutageDeviceClass::Sectionalizer => self.sectionalizer,
            OutageDeviceClass::Switch => self.switch,
            OutageDeviceClass::Recloser => self.recloser,
            OutageDeviceClass::Breaker => self.breaker,
            OutageDeviceClass::Source => self.source,
        }
    }
}

/// The engine's options: priors, initial rates (re-estimated online), and windows.
///
/// Their JSON form names every field it sets (missing fields take their defaults); an
/// unknown field is an error, so that a misspelt option is not silently ignored.
/// [`EngineOptions::validate`] checks the ranges.
///
/// ```
/// use outage_locator::EngineOptions;
/// let o: EngineOptions = serde_json::from_str(r#"{"late_window": 60000}"#).unwrap();
/// assert!(o.validate().is_ok());
/// assert!(serde_json::from_str::<EngineOptions>(r#"{"late_windw": 60000}"#).is_err());
/// let o: EngineOptions = serde_json::from_str(r#"{"restore_window": 9223372036854775807}"#).unwrap();
/// assert!(o.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineOptions {
    /// Shares of faults by class (normalised by class size into per-device priors).
    pub priors: OutageDevicePriors,
    /// Expected concurrent faults on a calm day, at least: the scale of the priors
    /// (the fault intensity) on a network of up to `calm_faults /
    /// calm_faults_per_customer` customers.
    pub calm_faults: f64,
    /// Expected concurrent faults per customer on a calm day: the intensity of a
    /// larger network.
    pub calm_faults_per_customer: f64,
    /// The fault intensity never exceeds this many faults per customer (on a small
    /// network the class shares would otherwise make every device likely out).
    pub max_faults_per_customer: f64,
    /// Raise the fault intensity with the outages the engine holds (a storm makes
    /// every report likelier to be real), re-estimated at every refresh.
    pub adapt_intensity: bool,
    /// Initial probability that an off customer calls (estimated online).
    pub call_probability: f64,
    /// Initial probability that an off meter's last gasp arrives (estimated online).
    pub last_gasp_probability: f64,
    /// Initial probability that a restored meter's power restore arrives.
    pub power_restore_probability: f64,
    /// Probability that an on customer calls about no power within an outage's span.
    pub background_call_probability: f64,
    /// Probability that an on meter sends a false last gasp within an outage's span.
    pub false_last_gasp_probability: f64,
    /// Median delay of an affected customer's call.
    pub call_delay_median: Millis,
    /// Log-normal spread (sigma) of call delays.
    pub call_delay_sigma: f64,
    /// Probability that a telemetered device's opening is not reported by SCADA.
    pub telemetry_miss_probability: f64,
    /// A last gasp counts only after this hold (the AMI momentary filter).
    pub last_gasp_hold: Millis,
    /// A last gasp followed by a power restore within this is a momentary.
    pub momentary_max: Millis,
    /// Last gasps this close to a momentary in the same zone belong to it (a
    /// momentary's meters lose power at one instant and gasp within seconds; a
    /// sustained fault's last gasp a few seconds later is its own).
    pub burst_window: Millis,
    /// A SCADA open followed by a close within this is a reclose (momentary).
    pub reclose_window: Millis,
    /// Events older than the clock by more than this are counted as too late (they are
    /// still applied).
    pub late_window: Millis,
    /// After a restoration, customers that stay silent this long count as still off.
    pub restore_grace: Millis,
    /// After a restoration, power restores from below it count against nested outages
    /// for this long.
    pub restore_window: Millis,
    /// A power restore or ping answering on counts against outages for this long;
    /// after it the customer is simply silent again.
    pub on_memory: Millis,
    /// Re-estimate the rates from confirmed outages.
    pub estimate_rates: bool,
    /// How often the clock-dependent terms of every device with evidence are
    /// recomputed (a path is always current after its own event).
    pub refresh_interval: Millis,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            priors: OutageDevicePriors::default(),
            calm_faults: 20.0,
            calm_faults_per_customer: 0.001,
            max_faults_per_customer: 0.1,
            adapt_intensity: true,
            call_probability: 0.15,
            last_gasp_probability: 0.5,
            power_restore_probability: 0.7,
            background_call_probability: 0.002,
            false_last_gasp_probability: 0.001,
            call_delay_median: 8 * MINUTE,
            call_delay_sigma: 1.0,
            telemetry_miss_probability: 0.3,
            last_gasp_hold: MINUTE,
            momentary_max: 90 * SECOND,
            burst_window: 5 * SECOND,
            reclose_window: 30 * SECOND,
            late_window: 5 * MINUTE,
            restore_grace: 2 * MINUTE,
            on_memory: 2 * MINUTE,
            restore_window: 30 * MINUTE,
            estimate_rates: true,
            refresh_interval: 5 * MINUTE,
        }
    }
}

impl EngineOptions {
    /// The longest window an option may set: a week.
    pub const MAX_WINDOW: Millis = 7 * 24 * 60 * MINUTE;

    /// Checks every option against its range: probabilities in (0, 1) (the telemetry
    /// miss probability in [0, 1]), fault shares and intensities finite and not
    /// negative, the call-delay spread positive, windows from 0 (the call-delay median
    /// and the refresh interval from 1 ms) to [`EngineOptions::MAX_WINDOW`]. The engine
    /// does not hang or overflow on options that fail (its time arithmetic saturates),
    /// but its conclusions mean little.
    ///
    /// # Errors
    /// [`OptionsError`] naming the first option out of range.
    pub fn validate(&self) -> Result<(), OptionsError> {
        let open = [
            ("call_probability", self.call_probability),
            ("last_gasp_probability", self.last_gasp_probability),
            ("power_restore_probability", self.power_restore_probability),
            (
                "background_call_probability",
                self.background_call_probability,
            ),
            (
                "false_last_gasp_probability",
                self.false_last_gasp_probability,
            ),
        ];
        for (name, value) in open {
            if !(value > 0.0 && value < 1.0) {
                let range = "(0, 1)";
                return Err(OptionsError::Probability { name, value, range });
            }
        }
        let value = self.telemetry_miss_probability;
        if !(0.0..=1.0).contains(&value) {
            let (name, range) = ("telemetry_miss_probability", "[0, 1]");
            return Err(OptionsError::Probability { name, value, range });
        }
        let p = &self.priors;
        let scales = [
            ("priors.service", p.service),
            ("priors.transformer", p.transformer),
            ("priors.fuse", p.fuse),
            ("priors.sectionalizer", p.sectionalizer),
            ("priors.switch", p.switch),
            ("priors.recloser", p.recloser),
            ("priors.breaker", p.breaker),
            ("priors.source", p.source),
            ("calm_faults", self.calm_faults),
            ("calm_faults_per_customer", self.calm_faults_per_customer),
            ("max_faults_per_customer", self.max_faults_per_customer),
        ];
        for (name, value) in scales {
            if !(value.is_finite() && value >= 0.0) {
                return Err(OptionsError::Scale {
                    name,
                    value,
                    range: ">= 0",
                });
            }
        }
        let value = self.call_delay_sigma;
        if !(value.is_finite() && value > 0.0) {
            let name = "call_delay_sigma";
            return Err(OptionsError::Scale {
                name,
                value,
                range: "> 0",
            });
        }
        let windows = [
            ("call_delay_median", self.call_delay_median, 1),
            ("refresh_interval", self.refresh_interval, 1),
            ("last_gasp_hold", self.last_gasp_hold, 0),
            ("momentary_max", self.momentary_max, 0),
            ("burst_window", self.burst_window, 0),
            ("reclose_window", self.reclose_window, 0),
            ("late_window", self.late_window, 0),
            ("restore_grace", self.restore_grace, 0),
            ("restore_window", self.restore_window, 0),
            ("on_memory", self.on_memory, 0),
        ];
        for (name, value, min) in windows {
            let max = Self::MAX_WINDOW;
            if !(min..=max).contains(&value) {
                return Err(OptionsError::Window {
                    name,
                    value,
                    min,
                    max,
                });
            }
        }
        Ok(())
    }
}

/// How many faults each held fault outage stands for when estimating the intensity
/// (some have no evidence yet, others are lost under larger ones).
const INTENSITY_PER_OUTAGE: f64 = 1.5;

/// The calm-day fault intensity of a network.
pub(super) fn calm_intensity(net: &Network, opts: &EngineOptions) -> f64 {
    let n = net.customers().len() as f64;
    (opts.calm_faults_per_customer * n)
        .max(opts.calm_faults)
        .min(opts.max_faults_per_customer * n)
        .max(1e-6)
}

/// Per-device prior log-odds: the odds of a device are its class's expected out
/// devices times the intensity, over the number of devices of that class (so the
/// ratios between classes hold at any intensity): that of a service, and those of the
/// devices above the services (index minus the customer count). O(devices).
pub(super) fn log_priors(net: &Network, opts: &EngineOptions, intensity: f64) -> (f64, Vec<f32>) {
    let nd = net.outage_device_count();
    let mut per_class = [0u32; OutageDeviceClass::ALL.len()];
    let class_of = |d: OutageDeviceId| net.outage_device_class(d);
    for i in 0..nd {
        per_class[class_of(OutageDeviceId::from(i)) as usize] += 1;
    }
    // The shares of classes the network does not have go to those it has (a feeder
    // with no recloser still has as many faults).
    let share = |present: bool| {
        OutageDeviceClass::ALL
            .iter()
            .filter(|&&c| !present || per_class[c as usize] > 0)
            .map(|&c| opts.priors.of(c))
            .sum::<f64>()
    };
    let scale = share(false) / share(true).max(1e-12);
    let prior = |d: OutageDeviceId| {
        let class = class_of(d);
        let n = per_class[class as usize].max(1) as f64;
        let mut odds = opts.priors.of(class) * scale * intensity / n;
        if net.is_telemetered(d) {
            odds *= opts.telemetry_miss_probability;
        }
        odds.clamp(1e-9, 1.0).ln()
    };
    let nc = net.customers().len();
    let service = if nc > 0 {
        prior(OutageDeviceId(0))
    } else {
        0.0
    };
    let rest = (nc..nd)
        .map(|i| prior(OutageDeviceId::from(i)) as f32)
        .collect();
    (service, rest)
}

impl Engine {
    /// Re-estimates the fault intensity from `held` fault outages (network-wide, as of
    /// the boundary): each stands for more that have no evidence yet. Priors move only
    /// on a change of more than 10 %. O(devices) when they move.
    pub(super) fn adapt_intensity(&mut self, held: usize) {
        if !self.opts.adapt_intensity {
            return;
        }
        let calm = calm_intensity(&self.net, &self.opts);
        let held = held as f64 * INTENSITY_PER_OUTAGE;
        let most = self.opts.max_faults_per_customer * self.net.customers().len() as f64;
        let new = calm.max(held.min(most));
        if (new / self.st.intensity).ln().abs() > 0.1 {
            self.st.intensity = new;
            // The refresh that follows recomputes every device with evidence.
            (self.lp_service, self.lp) = log_priors(&self.net, &self.opts, new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fault shares of classes a network does not have go to those it has, in
    /// proportion: on a feeder with a breaker, one transformer and two services (no
    /// fuse, recloser, sectionalizer or switch), a service's prior odds are its class's
    /// share over the shares present, times the intensity, over the two services.
    #[test]
    fn the_shares_of_missing_classes_go_to_the_classes_present() {
        let text = "New Circuit.c bus1=s\n\
                    New Line.head bus1=s bus2=b\n\
                    New Relay.brk MonitoredObj=Line.head MonitoredTerm=1\n\
                    New Transformer.t buses=[b lv] kvs=[12.47 0.24]\n\
                    New Load.a bus1=lv kv=0.24 kw=5\n\
                    New Load.b bus1=lv kv=0.24 kw=5\n";
        let (net, _) = crate::network::import_opendss_str(text).unwrap();
        let opts = EngineOptions::default();
        let p = opts.priors;
        let present = p.service + p.transformer + p.breaker + p.source;
        let all: f64 = OutageDeviceClass::ALL.iter().map(|&c| p.of(c)).sum();
        let (lp_service, _) = log_priors(&net, &opts, 2.0);
        let want = (p.service * all / present * 2.0 / 2.0).ln();
        assert!((lp_service - want).abs() < 1e-9, "{lp_service} vs {want}");
    }
}
