//! Days whose rates are drawn from ranges: every draw within its range, the same day
//! for the same seed, the drawn rates in the truth, and the fixed profiles untouched.

use outage_locator::bench::simulate::{Profile, SettingRanges, SimulationOptions, Simulator};
use outage_locator::{Evidence, import_opendss};
use proptest::prelude::*;

fn ieee123() -> outage_locator::Network {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ieee123/eval_master.dss"
    );
    import_opendss(path).unwrap().0
}

fn within(x: f64, [lo, hi]: [f64; 2]) -> bool {
    lo <= x && x <= hi
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every ranged rate is drawn within its range and fixed for the day; the rest of
    /// the profile is left as it was.
    #[test]
    fn ranged_draws_stay_within_their_ranges(seed in any::<u64>(), k in 0usize..3) {
        let profile = Profile::ALL[k];
        let base = SimulationOptions::ranged(profile);
        let r = SettingRanges::for_profile(profile);
        let day = r.draw(&base, seed);
        prop_assert_eq!(day.p_call[0], day.p_call[1]);
        prop_assert_eq!(day.p_lg[0], day.p_lg[1]);
        prop_assert!(within(day.p_call[0], r.p_call));
        prop_assert!(within(day.p_lg[0], r.p_lg));
        prop_assert!(within(day.p_pr, r.p_pr));
        prop_assert!(within(day.false_lg_per_kh, r.false_lg_per_kh));
        prop_assert!(within(day.false_lg_restore_p.unwrap(), r.false_lg_restore_p));
        prop_assert!(within(day.late_p, r.late_p));
        prop_assert!(within(day.late_max_s, r.late_max_s));
        prop_assert!(within(day.bg_calls_per_kh, r.bg_calls_per_kh));
        prop_assert_eq!(day.momentaries[0], day.momentaries[1]);
        prop_assert!((r.momentaries[0]..=r.momentaries[1]).contains(&day.momentaries[0]));
        prop_assert_eq!(&day.ranges, &Some(r.clone()));
        prop_assert_eq!(day.n_faults, base.n_faults);
        prop_assert_eq!(day.mix, base.mix);
        prop_assert_eq!(&day, &r.draw(&base, seed));
    }
}

/// The ranges cover the rates of the fixed profiles, so that a ranged day can be as
/// kind as the old ones and far less.
#[test]
fn the_ranges_cover_the_fixed_profiles() {
    for p in Profile::ALL {
        let o = SimulationOptions::for_profile(p);
        let r = SettingRanges::for_profile(p);
        assert!(
            r.p_call[0] <= o.p_call[0] && o.p_call[1] <= r.p_call[1],
            "{p:?}"
        );
        assert!(r.p_lg[0] <= o.p_lg[0] && o.p_lg[1] <= r.p_lg[1], "{p:?}");
        assert!(within(o.p_pr, r.p_pr), "{p:?}");
        assert!(within(o.false_lg_per_kh, r.false_lg_per_kh), "{p:?}");
        assert!(within(o.late_p, r.late_p), "{p:?}");
        assert!(within(o.bg_calls_per_kh, r.bg_calls_per_kh), "{p:?}");
        assert!(r.momentaries[0] <= o.momentaries[0] && o.momentaries[1] <= r.momentaries[1]);
        // About half of false last gasps are never restored.
        assert!(within(0.5, r.false_lg_restore_p));
    }
}

/// Days differ: over 64 seeds the drawn rates spread over most of each range.
#[test]
fn ranged_days_spread_over_their_ranges() {
    let base = SimulationOptions::ranged(Profile::Storm);
    let r = base.ranges.clone().unwrap();
    let days: Vec<SimulationOptions> = (1..=64).map(|s| r.draw(&base, s)).collect();
    let spread = |f: fn(&SimulationOptions) -> f64, [lo, hi]: [f64; 2]| {
        let (a, b) = days
            .iter()
            .map(f)
            .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        (b - a) / (hi - lo)
    };
    assert!(spread(|d| d.p_call[0], r.p_call) > 0.8);
    assert!(spread(|d| d.p_lg[0], r.p_lg) > 0.8);
    assert!(spread(|d| d.false_lg_per_kh, r.false_lg_per_kh) > 0.8);
    assert!(spread(|d| d.false_lg_restore_p.unwrap(), r.false_lg_restore_p) > 0.8);
}

/// A ranged day repeats for its seed, says so in its profile and keeps the rates it
/// drew in the truth's `params`; the fixed profiles write neither ranges nor a
/// restore share of false gasps, so that their truth files stay as they were.
#[test]
fn a_ranged_day_records_what_it_drew() {
    let net = ieee123();
    let sim = Simulator::new(&net).unwrap();
    let opts = SimulationOptions::ranged(Profile::Busy);
    let s = sim.run(&opts, 3);
    assert_eq!(s, sim.run(&opts, 3));
    let day = opts.ranges.as_ref().unwrap().draw(&opts, 3);
    let p = &s.truth.params;
    assert_eq!(s.truth.profile, "busy_ranged");
    assert_eq!(p["p_pr"].as_f64(), Some(day.p_pr));
    assert_eq!(p["false_lg_per_kh"].as_f64(), Some(day.false_lg_per_kh));
    assert_eq!(p["false_lg_restore_p"].as_f64(), day.false_lg_restore_p);
    assert!(p["ranges"].is_object());
    for profile in Profile::ALL {
        let s = sim.run(&SimulationOptions::for_profile(profile), 3);
        assert_eq!(s.truth.profile, profile.to_string());
        assert!(s.truth.params.get("ranges").is_none());
        assert!(s.truth.params.get("false_lg_restore_p").is_none());
    }
}

/// The share of false last gasps followed by a restore changes those restores, and
/// nothing that happens.
#[test]
fn false_gasps_are_restored_as_often_as_asked() {
    let net = ieee123();
    let sim = Simulator::new(&net).unwrap();
    let with = |p: f64| SimulationOptions {
        false_lg_per_kh: 200.0,
        false_lg_restore_p: Some(p),
        p_pr: 1.0,
        ..SimulationOptions::for_profile(Profile::Busy)
    };
    let restores = |s: &outage_locator::bench::simulate::Scenario| {
        s.events
            .iter()
            .filter(|e| matches!(e.evidence, Evidence::PowerRestore { .. }))
            .count() as i64
    };
    let (never, always) = (sim.run(&with(0.0), 4), sim.run(&with(1.0), 4));
    assert_eq!(never.truth.outages, always.truth.outages);
    assert_eq!(never.truth.momentaries, always.truth.momentaries);
    let gasps = always.truth.counts.false_last_gasps as i64;
    assert!(gasps > 20, "{gasps}");
    // The real interruptions' restores are the same on both days; at 1.0 nearly every
    // false gasp adds its own (a few fall past the end of the day or into an
    // interruption), at 0.0 none does.
    assert!(restores(&always) - restores(&never) > gasps * 8 / 10);
}
