//! Hostile event streams and engine edges, one regression case per class: a storm-rate
//! stream, line endings (CR, CR inside a line, CRLF, a byte-order mark), inputs with
//! nothing usable (a folder, an empty input, every row skipped), a row far ahead of the
//! clock, extreme or misspelt options, ids of another network, equal times in any
//! order, and output that cannot be written. Each must end read correctly, in a typed
//! error, or in a counted warning with the rest intact, never in a panic or a hang.

use std::sync::mpsc;
use std::time::Duration;

use outage_locator::replay::{ReplayError, ReplaySummary, open_events};
use outage_locator::{
    CustomerId, Engine, EngineOptions, Event, Evidence, Network, OutageDeviceId, Replay, Timestamp,
    import_opendss,
};

const IEEE123: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/ieee123/eval_master.dss"
);
const STORM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/scenarios/ieee123-storm-1/events.csv"
);

fn ieee123() -> Network {
    import_opendss(IEEE123).unwrap().0
}

/// A replay of `events` with the given options: its records and counts, or its error.
fn replay_with(
    net: &Network,
    opts: EngineOptions,
    events: &[u8],
) -> (Vec<u8>, Result<ReplaySummary, ReplayError>) {
    let mut out = Vec::new();
    let mut replay = Replay::new(net.clone(), opts).unwrap();
    let result = replay.run(events, &mut out, &mut std::io::sink());
    (out, result)
}

fn replay(net: &Network, events: &[u8]) -> (Vec<u8>, Result<ReplaySummary, ReplayError>) {
    replay_with(net, EngineOptions::default(), events)
}

/// Runs `f` on its own thread: a hang fails the test instead of stalling the suite.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("finishes instead of hanging")
}

/// The records of a replay less its closing summary.
fn records(out: &[u8]) -> Vec<&str> {
    let text = std::str::from_utf8(out).unwrap();
    text.lines()
        .filter(|l| !l.contains(r#""type":"summary""#))
        .collect()
}

/// The issue's hang: 250,000 last gasps 1 ms apart cycling over IEEE 123's meters,
/// each delivered twice. The duplicate window expires by time, so the stream runs in
/// linear time; every second copy is a duplicate and nothing else is lost. (Before,
/// past 200,000 keys the window was rescanned on every event: 80 s for this.)
#[test]
fn a_storm_rate_stream_of_distinct_gasps_runs_through_and_finds_every_duplicate() {
    let (summary, warnings) = within(120, || {
        let net = ieee123();
        let n = net.customers().len();
        let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
        let mut replay = Replay::new(net.clone(), EngineOptions::default()).unwrap();
        for i in 0..250_000usize {
            let ev = Event {
                time: t0 + i as i64,
                evidence: Evidence::LastGasp {
                    meter: CustomerId((i % n) as u32),
                },
            };
            replay.feed(ev);
            replay.feed(ev);
        }
        replay.finish();
        (replay.summary(), replay.engine().warnings())
    });
    assert_eq!((summary.rows, summary.skipped), (500_000, 0));
    assert_eq!(warnings.duplicates, 250_000);
    assert_eq!(warnings.too_late, 0);
}

/// A repeat is found while its original is within twice the late-arrival window, a
/// late duplicate included.
#[test]
fn a_late_duplicate_within_the_window_is_still_a_duplicate() {
    let net = ieee123();
    let mut engine = Engine::new(net.clone(), EngineOptions::default()).unwrap();
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    let gasp = Event {
        time: t0,
        evidence: Evidence::LastGasp {
            meter: CustomerId(3),
        },
    };
    engine.ingest(gasp);
    engine.ingest(Event {
        time: t0 + 7 * 60_000,
        evidence: Evidence::Tick,
    });
    engine.ingest(gasp);
    assert_eq!(engine.warnings().duplicates, 1);
}

/// CR-only line endings, CRLF and a byte-order mark read exactly as LF text.
#[test]
fn cr_only_crlf_and_a_byte_order_mark_read_as_plain_lines() {
    let net = ieee123();
    let lf = std::fs::read(STORM).unwrap();
    let (want, ok) = replay(&net, &lf);
    let want_summary = ok.unwrap();
    let text = String::from_utf8(lf).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for (name, bytes) in [
        ("CR", text.replace('\n', "\r").into_bytes()),
        ("CRLF", text.replace('\n', "\r\n").into_bytes()),
        ("BOM", bom),
    ] {
        let (out, result) = replay(&net, &bytes);
        assert_eq!(result.unwrap(), want_summary, "{name}");
        assert_eq!(out, want, "{name}");
    }
}

/// A CR inside a row splits it into two lines, each reported as skipped: the row is not
/// silently cut short and the rows after it are intact.
#[test]
fn a_cr_inside_a_row_is_reported_never_silently_cut() {
    let net = ieee123();
    let text = "time,kind,id,detail\n\
                2026-07-01T12:00:00Z,last_\rgasp,s1a,\n\
                2026-07-01T12:00:01Z,last_gasp,s1a,\n";
    let rows: Vec<_> = outage_locator::EventReader::new(text.as_bytes(), &net).collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].is_err() && rows[1].is_err(), "{rows:?}");
    assert_eq!(rows[2].as_ref().unwrap().0, 4);
}

/// A folder or a device as the events file is refused by name; read anyway, a folder
/// is an unreadable input, not one skipped row.
#[test]
fn a_folder_or_a_device_as_events_is_a_typed_error() {
    let dir = env!("CARGO_MANIFEST_DIR");
    for path in [dir, "/dev/zero"] {
        match open_events(path) {
            Err(e @ ReplayError::Open { .. }) => assert!(e.to_string().contains(path), "{e}"),
            Err(e) => panic!("{path}: {e}"),
            Ok(_) => panic!("{path} opened"),
        }
    }
    let net = ieee123();
    let mut replay = Replay::new(net.clone(), EngineOptions::default()).unwrap();
    let folder = std::fs::File::open(dir).unwrap();
    let err = replay
        .run(folder, &mut Vec::new(), &mut std::io::sink())
        .unwrap_err();
    assert!(matches!(err, ReplayError::Unreadable(_)), "{err}");
    assert!(err.is_about_events());
}

/// An empty input (a closed standard input) or a header alone holds no row: an error.
#[test]
fn an_empty_input_is_a_typed_error() {
    let net = ieee123();
    for text in ["", "time,kind,id,detail\n", "\n\n"] {
        let (_, result) = replay(&net, text.as_bytes());
        assert!(matches!(result, Err(ReplayError::NoRows)), "{text:?}");
    }
}

/// A file whose every row is skipped is an error naming the first reason: a wrong
/// separator, another model's names, UTF-16 text.
#[test]
fn a_file_whose_every_row_is_skipped_is_a_typed_error() {
    let net = ieee123();
    let lf = std::fs::read_to_string(STORM).unwrap();
    let semicolons = lf.replace(',', ";");
    let other_model = "time,kind,id,detail\n\
                       2026-07-01T12:00:00Z,last_gasp,nobody_here,\n\
                       2026-07-01T12:00:01Z,device_open,relay.nowhere,\n";
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(lf.encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    for (name, bytes) in [
        ("semicolons", semicolons.into_bytes()),
        ("other model", other_model.as_bytes().to_vec()),
        ("UTF-16", utf16),
    ] {
        let (out, result) = replay(&net, &bytes);
        match result {
            Err(ReplayError::NothingUsable { rows, .. }) => assert!(rows > 0, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        // The records still close with the summary.
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains(r#""type":"summary""#)
        );
    }
}

/// One `9999-12-31T23:59:59Z` row is skipped and counted; it does not move the clock,
/// so every other conclusion is that of the file without it.
#[test]
fn a_row_far_ahead_of_the_clock_is_skipped_and_does_not_move_it() {
    let net = ieee123();
    let text = std::fs::read_to_string(STORM).unwrap();
    let (want, ok) = replay(&net, text.as_bytes());
    let want_summary = ok.unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(20, "9999-12-31T23:59:59Z,last_gasp,s1a,");
    let poisoned = lines.join("\n");
    let (out, result) = replay(&net, poisoned.as_bytes());
    let summary = result.unwrap();
    assert_eq!(summary.rows, want_summary.rows + 1);
    assert_eq!(summary.skipped, want_summary.skipped + 1);
    assert_eq!(
        (summary.outages, summary.tickets),
        (want_summary.outages, want_summary.tickets)
    );
    assert_eq!(records(&out), records(&want));

    // Through the engine's own API, the same: counted and ignored.
    let mut engine = Engine::new(net.clone(), EngineOptions::default()).unwrap();
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    engine.ingest(Event {
        time: t0,
        evidence: Evidence::Tick,
    });
    let far: Timestamp = "9999-12-31T23:59:59Z".parse().unwrap();
    engine.ingest(Event {
        time: far,
        evidence: Evidence::Tick,
    });
    assert_eq!(engine.clock(), t0);
    assert_eq!(engine.warnings().far_ahead, 1);
}

/// A misspelt option is refused, and so is a window or probability out of range.
#[test]
fn options_reject_unknown_fields_and_values_out_of_range() {
    let err = serde_json::from_str::<EngineOptions>(r#"{"bogus_field": 1}"#).unwrap_err();
    assert!(err.to_string().contains("bogus_field"), "{err}");
    assert!(serde_json::from_str::<EngineOptions>(r#"{"priors": {"fuze": 0.2}}"#).is_err());
    assert!(EngineOptions::default().validate().is_ok());
    let bad = [
        r#"{"restore_window": 9223372036854775807}"#,
        r#"{"late_window": -1}"#,
        r#"{"refresh_interval": 0}"#,
        r#"{"call_probability": 1.5}"#,
        r#"{"last_gasp_probability": 0}"#,
        r#"{"telemetry_miss_probability": -0.1}"#,
        r#"{"call_delay_sigma": 0}"#,
        r#"{"priors": {"fuse": -1}}"#,
    ];
    for json in bad {
        let o: EngineOptions = serde_json::from_str(json).unwrap();
        assert!(o.validate().is_err(), "{json}");
    }
}

/// Every window at its extremes, unchecked, never hangs nor overflows: the engine's
/// time arithmetic saturates. (`restore_window = i64::MAX` hung the replay.)
#[test]
fn extreme_windows_neither_hang_nor_overflow() {
    let text = std::fs::read(STORM).unwrap();
    let set: [fn(&mut EngineOptions, i64); 10] = [
        |o, v| o.restore_window = v,
        |o, v| o.restore_grace = v,
        |o, v| o.late_window = v,
        |o, v| o.on_memory = v,
        |o, v| o.last_gasp_hold = v,
        |o, v| o.momentary_max = v,
        |o, v| o.burst_window = v,
        |o, v| o.reclose_window = v,
        |o, v| o.refresh_interval = v,
        |o, v| o.call_delay_median = v,
    ];
    let results = within(120, move || {
        let net = ieee123();
        let mut rows = Vec::new();
        for f in set {
            for v in [i64::MAX, i64::MIN, 0] {
                let mut o = EngineOptions::default();
                f(&mut o, v);
                rows.push(replay_with(&net, o, &text).1.map(|s| s.rows));
            }
        }
        rows
    });
    for r in results {
        assert_eq!(r.unwrap(), 470);
    }
}

/// An id of another network is counted and ignored by the engine, never an index
/// panic; the network's checked accessors say `None`.
#[test]
fn ids_of_another_network_are_ignored_and_counted() {
    let net = ieee123();
    let mut engine = Engine::new(net.clone(), EngineOptions::default()).unwrap();
    let t0: Timestamp = "2026-07-01T12:00:00Z".parse().unwrap();
    let foreign = CustomerId(net.customers().len() as u32 + 5);
    let device = OutageDeviceId(u32::MAX);
    for evidence in [
        Evidence::LastGasp { meter: foreign },
        Evidence::Call {
            customer: foreign,
            detail: outage_locator::evidence::CallDetail::WireDown,
        },
        Evidence::DeviceOpen { device },
        Evidence::PlannedOutage {
            device,
            end: t0 + 3_600_000,
        },
    ] {
        assert!(engine.ingest(Event { time: t0, evidence }).is_empty());
    }
    assert_eq!(engine.warnings().foreign_ids, 4);
    assert!(net.get_customer(foreign).is_none());
    assert!(net.get_customer(CustomerId(0)).is_some());
}

/// Output that cannot be written (a full disk, a closed pipe) is an error about the
/// output, not about the events.
#[test]
fn an_output_that_cannot_be_written_is_not_blamed_on_the_events() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let net = ieee123();
    let text = std::fs::read(STORM).unwrap();
    let mut replay = Replay::new(net.clone(), EngineOptions::default()).unwrap();
    let err = replay
        .run(&text[..], &mut Full, &mut std::io::sink())
        .unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError::Write {
                stream: "records",
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_about_events());
    let mut bad_row = b"not,a,row\n".to_vec();
    bad_row.extend_from_slice(&text);
    let err = Replay::new(net.clone(), EngineOptions::default())
        .unwrap()
        .run(&bad_row[..], &mut Vec::new(), &mut Full)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError::Write {
                stream: "diagnostics",
                ..
            }
        ),
        "{err}"
    );
}
