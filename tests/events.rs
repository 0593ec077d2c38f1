//! The event-file reader of the replay contract: bad rows are typed errors with their
//! line, never a panic, and cost nothing but themselves.

use outage_locator::evidence::CallDetail;
use outage_locator::network::DeviceKind;
use outage_locator::{
    EngineOptions, EventError, EventReader, Evidence, Network, NetworkBuilder, Replay,
};
use proptest::prelude::*;
use std::sync::Arc;

/// Two customers on one transformer below a breaker.
fn net() -> Network {
    let mut b = NetworkBuilder::new("events");
    for bus in ["sub", "a", "x"] {
        b.add_bus(bus);
    }
    b.add_source("circuit.events", "sub").unwrap();
    b.add_line("line.head", "sub", "a").unwrap();
    b.add_device("relay.brk", DeviceKind::Breaker, "line.head")
        .unwrap();
    b.add_transformer("transformer.t1", "a", "x", 0.24, 25.0)
        .unwrap();
    b.add_customer("c1", "x").unwrap();
    b.add_customer("c2", "x").unwrap();
    b.build().unwrap()
}

fn read(net: &Network, text: &str) -> Vec<Result<(u64, Evidence), EventError>> {
    EventReader::new(text.as_bytes(), net)
        .map(|r| r.map(|(line, e)| (line, e.evidence)))
        .collect()
}

/// Event kinds and details are read whatever their case, and customer names with or
/// without their `load.` prefix.
#[test]
fn kinds_and_details_are_case_insensitive_and_names_take_or_leave_the_load_prefix() {
    let net = Arc::new(net());
    let rows = read(
        &net,
        "time,kind,id,detail\n\
         2026-07-01T12:00:00Z,LAST_GASP,c1,\n\
         2026-07-01T12:00:01Z,Call,load.C2,Wire_Down\n\
         2026-07-01T12:00:02Z,ping,c1,OFF\n\
         2026-07-01T12:00:03Z,Device_Open,relay.brk,\n",
    );
    let c1 = net.customer_by_name("c1").unwrap();
    let c2 = net.customer_by_name("c2").unwrap();
    let brk = net.outage_device_by_name("relay.brk").unwrap();
    let got: Vec<Evidence> = rows.into_iter().map(|r| r.unwrap().1).collect();
    assert_eq!(
        got,
        vec![
            Evidence::LastGasp { meter: c1 },
            Evidence::Call {
                customer: c2,
                detail: CallDetail::WireDown
            },
            Evidence::Ping {
                meter: c1,
                on: false
            },
            Evidence::DeviceOpen { device: brk },
        ]
    );
}

/// Each bad row (a bad time, an unknown kind, an unknown customer, a bad detail, a kind
/// longer than any keyword, a malformed line) is its own typed error carrying its line
/// number, and the good rows around them still come out; blank lines count as lines and
/// yield nothing.
#[test]
fn each_bad_row_is_a_typed_error_with_its_line_and_the_good_rows_around_it_survive() {
    let net = Arc::new(net());
    let rows = read(
        &net,
        "time,kind,id,detail\n\
         2026-07-01T12:00:00Z,last_gasp,c1,\n\
         yesterday,last_gasp,c1,\n\
         2026-07-01T12:00:02Z,teleport,c1,\n\
         2026-07-01T12:00:03Z,last_gasp,nobody,\n\
         2026-07-01T12:00:04Z,call,c1,shouting\n\
         2026-07-01T12:00:05Z,ping,c2,maybe\n\
         2026-07-01T12:00:06Z,a_kind_far_longer_than_any_keyword,c1,\n\
         garbage\n\
         \n\
         2026-07-01T12:00:07Z,power_restore,c2,\n",
    );
    let lines = |r: &Result<(u64, Evidence), EventError>| match r {
        Ok((l, _)) => *l,
        Err(
            EventError::BadTime { line, .. }
            | EventError::UnknownKind { line, .. }
            | EventError::UnknownId { line, .. }
            | EventError::BadDetail { line, .. }
            | EventError::Malformed { line, .. },
        ) => *line,
        Err(e) => panic!("unexpected error {e}"),
    };
    assert_eq!(
        rows.iter().map(lines).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6, 7, 8, 9, 11]
    );
    assert!(matches!(rows[1], Err(EventError::BadTime { .. })));
    assert!(matches!(rows[2], Err(EventError::UnknownKind { .. })));
    assert!(matches!(
        rows[3],
        Err(EventError::UnknownId {
            what: "customer",
            ..
        })
    ));
    assert!(matches!(rows[4], Err(EventError::BadDetail { .. })));
    assert!(matches!(rows[5], Err(EventError::BadDetail { .. })));
    assert!(matches!(rows[6], Err(EventError::UnknownKind { .. })));
    assert!(matches!(rows[7], Err(EventError::Malformed { .. })));
    assert!(rows[0].is_ok() && rows[8].is_ok());
}

/// A quote left open spoils its own line only (a malformed row), quoted fields are
/// read, and line numbers count blank lines.
#[test]
fn a_quote_left_open_spoils_its_own_line_only_and_line_numbers_survive_blank_lines() {
    let net = Arc::new(net());
    let rows = read(
        &net,
        "time,kind,id,detail\n\n\n\
         2026-07-01T12:00:00Z,call,c1,\"no_power\n\
         2026-07-01T12:00:01Z,\"call\",\"c1\",\"Partial\"\n\
         \n\
         2026-07-01T12:00:02Z,nonsense,c1,\n\
         2026-07-01T12:00:03Z,last_gasp,c2,\n",
    );
    assert!(
        matches!(rows[0], Err(EventError::Malformed { line: 4, .. })),
        "{rows:?}"
    );
    let c1 = net.customer_by_name("c1").unwrap();
    assert!(
        matches!(
            rows[1],
            Ok((
                5,
                Evidence::Call {
                    customer,
                    detail: CallDetail::Partial
                }
            )) if customer == c1
        ),
        "{rows:?}"
    );
    assert!(
        matches!(rows[2], Err(EventError::UnknownKind { line: 7, .. })),
        "{rows:?}"
    );
    assert!(
        matches!(rows[3], Ok((8, Evidence::LastGasp { .. }))),
        "{rows:?}"
    );
}

/// A replay counts the rows it reads and skips, names the skipped lines in its
/// diagnostics, and still locates the transformer outage from the good rows.
#[test]
fn a_replay_counts_the_rows_it_skips_and_concludes_from_the_rest() {
    let net = Arc::new(net());
    let text = "time,kind,id,detail\n\
                2026-07-01T12:00:00Z,last_gasp,c1,\n\
                not a row\n\
                2026-07-01T12:00:00Z,last_gasp,c2,\n\
                2026-07-01T12:00:01Z,last_gasp,ghost,\n\
                2026-07-01T12:10:00Z,tick,,\n";
    let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    let mut out = Vec::new();
    let mut diag = Vec::new();
    let summary = replay.run(text.as_bytes(), &mut out, &mut diag).unwrap();
    assert_eq!(summary.rows, 5);
    assert_eq!(summary.skipped, 2);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("\"device\":\"transformer.t1\""), "{out}");
    let diag = String::from_utf8(diag).unwrap();
    assert!(diag.contains("line 3") && diag.contains("line 5"), "{diag}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes between valid rows: the reader never panics, and every valid row
    /// still comes out, in order.
    #[test]
    fn noise_between_rows_loses_no_valid_row(
        noise in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..12),
    ) {
        let net = Arc::new(net());
        let mut text = b"time,kind,id,detail\n".to_vec();
        let mut want = 0;
        for (i, n) in noise.iter().enumerate() {
            // A noise line: any bytes but a line break (quotes included: an open quote
            // spoils its own line only).
            let n: Vec<u8> = n.iter().copied().filter(|b| !b"\n\r".contains(b)).collect();
            text.extend_from_slice(&n);
            text.push(b'\n');
            text.extend_from_slice(format!("2026-07-01T12:00:{i:02}Z,last_gasp,c1,\n").as_bytes());
            want += 1;
        }
        let rows: Vec<_> = EventReader::new(&text[..], &net).collect();
        let good: Vec<u64> = rows
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|(_, e)| matches!(e.evidence, Evidence::LastGasp { .. }))
            .map(|(_, e)| e.time.millis() as u64)
            .collect();
        // Every valid row comes out (noise cannot spell out a valid last gasp).
        prop_assert_eq!(good.len(), want);
        let mut sorted = good.clone();
        sorted.sort();
        prop_assert_eq!(good, sorted);
    }
}

/// A storm day of several thousand rows (more than one batch of the reader thread),
/// with bad rows among them.
fn long_day(net: &Network) -> String {
    let mut text = String::from("time,kind,id,detail\n");
    for i in 0..5000u32 {
        let (m, s) = (i / 60, i % 60);
        let t = format!("2026-07-01T{:02}:{:02}:{s:02}Z", 12 + m / 60, m % 60);
        let c = if i % 2 == 0 { "c1" } else { "c2" };
        let row = match i % 7 {
            0 => format!("{t},last_gasp,{c},\n"),
            1 => format!("{t},power_restore,{c},\n"),
            2 => format!("{t},call,{c},no_power\n"),
            3 => format!("{t},last_gasp,ghost{i},\n"),
            4 => "not a row\n".to_string(),
            5 => format!("{t},device_open,relay.brk,\n"),
            _ => format!("{t},device_close,relay.brk,\n"),
        };
        text.push_str(&row);
    }
    assert!(net.customer_by_name("c1").is_some());
    text
}

/// A replay that reads ahead on its own thread (a day of 5 000 rows, a seventh of them
/// bad) writes exactly the records, diagnostics and summary of feeding the same rows
/// one by one.
#[test]
fn a_replay_read_ahead_on_its_own_thread_writes_what_feeding_row_by_row_writes() {
    let net = Arc::new(net());
    let text = long_day(&net);
    let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    let (mut out, mut diag) = (Vec::new(), Vec::new());
    let summary = replay.run(text.as_bytes(), &mut out, &mut diag).unwrap();

    let mut by_row = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    let (mut want, mut want_diag) = (Vec::new(), Vec::new());
    let mut write = |records: &[outage_locator::Record]| {
        for r in records {
            serde_json::to_writer(&mut want, r).unwrap();
            want.push(b'\n');
        }
    };
    for row in EventReader::new(text.as_bytes(), &net) {
        match row {
            Ok((_, ev)) => write(by_row.feed(ev)),
            Err(e) => {
                by_row.skip();
                want_diag.extend_from_slice(format!("skipped: {e}\n").as_bytes());
            }
        }
    }
    write(by_row.finish());
    assert_eq!(summary, by_row.summary());
    assert_eq!(summary.rows, 5000);
    assert!(summary.skipped >= 1000, "{summary:?}");
    assert!(out == want, "outputs differ");
    assert!(diag == want_diag, "diagnostics differ");
}

/// A sink that takes `left` bytes, then fails.
struct Failing {
    left: usize,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left < buf.len() {
            return Err(std::io::Error::other("disk full"));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// When the output fails (a disk full after 300 bytes), the replay returns that error
/// and stops early rather than reading the rest.
#[test]
fn a_replay_whose_output_fails_returns_the_error_and_stops_its_reader() {
    let net = Arc::new(net());
    let text = long_day(&net);
    let mut replay = Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap();
    let err = replay
        .run(
            text.as_bytes(),
            &mut Failing { left: 300 },
            &mut std::io::sink(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot write the records: disk full");
    assert!(!err.is_about_events());
    // It stopped early, not after reading everything.
    assert!(replay.summary().rows < 5000, "{:?}", replay.summary());
}

/// On the bundled IEEE 123 storm, a replay of the inference alone prints exactly the
/// outage and call records of the full replay, less the callers' ticket ids: the
/// ticket layer only adds ticket records, it never changes what the engine concludes.
#[test]
fn a_replay_of_the_inference_alone_prints_the_full_replays_outage_and_call_records() {
    let root = env!("CARGO_MANIFEST_DIR");
    let net = Arc::new(
        outage_locator::import_opendss(format!("{root}/fixtures/ieee123/eval_master.dss"))
            .unwrap()
            .0,
    );
    let text = std::fs::read(format!(
        "{root}/fixtures/scenarios/ieee123-storm-1/events.csv"
    ))
    .unwrap();
    let run = |mut replay: Replay| {
        let mut out = Vec::new();
        let summary = replay
            .run(&text[..], &mut out, &mut std::io::sink())
            .unwrap();
        let records: Vec<serde_json::Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        (summary, records)
    };
    let (full_summary, full) =
        run(Replay::new(Arc::clone(&net), EngineOptions::default()).unwrap());
    let (alone_summary, alone) =
        run(Replay::inference_only(Arc::clone(&net), EngineOptions::default()).unwrap());
    assert!(full_summary.tickets > 0, "{full_summary:?}");
    assert_eq!(alone_summary.tickets, 0);
    assert_eq!(alone_summary.outages, full_summary.outages);
    let mut want: Vec<serde_json::Value> = full
        .into_iter()
        // Plans come with the work orders they belong to.
        .filter(|r| r["type"] != "ticket" && r["type"] != "plan" && r["type"] != "summary")
        .collect();
    for r in &mut want {
        if r["type"] == "call" {
            r["ticket"] = serde_json::Value::Null;
        }
    }
    let got: Vec<serde_json::Value> = alone
        .into_iter()
        .filter(|r| r["type"] != "summary")
        .collect();
    assert!(got.iter().any(|r| r["type"] == "outage"));
    assert!(got == want, "the inference-only replay differs");
}
