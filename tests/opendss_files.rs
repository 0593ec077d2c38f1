//! Model files read safely: `Redirect` chains nested on a stack with a depth limit,
//! files confined to the master's folder tree (and the roots allowed), only regular
//! files, bounded sizes and lines, and partial models refused unless accepted. Each
//! refusal is a typed error, or with `accept_partial` a warning naming the file and line
//! of the statement; nothing of a file outside the allowed folders is ever quoted.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::scratch::Scratch;
use outage_locator::network::{ImportOptions, import_opendss_str, import_opendss_with};
use outage_locator::{
    FileRefusal, ImportError, ImportReport, Network, import_opendss, load_network,
};

/// A feeder with one customer.
const FEEDER: &str = "New Circuit.c bus1=s basekv=12.47\n\
                      New Line.l1 bus1=s bus2=a\n\
                      New Load.c1 bus1=a kw=1 kvar=0\n";

/// Content of files outside the model's folder that must never be echoed.
const SECRET: &str = "secret-content-7f3a";

fn partial() -> ImportOptions {
    ImportOptions {
        accept_partial: true,
        ..ImportOptions::default()
    }
}

/// Imports on another thread, failing the test (rather than hanging it) when the import
/// does not finish within ten seconds, as reading a pipe would.
fn import_within(
    path: PathBuf,
    opts: ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(import_opendss_with(&path, &opts));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the import finishes (a pipe must not be opened)")
}

/// The refusal of an include, with the line of the statement that named it.
fn refusal(r: Result<(Network, ImportReport), ImportError>) -> (FileRefusal, u32, String) {
    match r {
        Err(ImportError::Include { at, name, reason }) => (reason, at.line, name),
        other => panic!("expected a refused include, got {:?}", other.map(|x| x.1)),
    }
}

/// A chain of 6,000 files, each redirecting to the next, is a typed error at the
/// statement that would pass the depth limit (it used to overflow the stack); a chain
/// within the limit is read whole.
#[test]
fn a_redirect_chain_past_the_depth_limit_is_a_typed_error_not_a_stack_overflow() {
    let dir = Scratch::new("chain");
    let n = 6000;
    dir.write(
        "f0.dss",
        "New Circuit.c bus1=s basekv=12.47\nNew Line.l1 bus1=s bus2=a\nRedirect f1.dss\n",
    );
    for i in 1..n {
        dir.write(
            &format!("f{i}.dss"),
            format!("New Load.c{i} bus1=a kw=1\nRedirect f{}.dss\n", i + 1),
        );
    }
    dir.write(&format!("f{n}.dss"), "New Load.last bus1=a kw=1\n");
    match import_opendss(dir.path().join("f0.dss")) {
        Err(ImportError::RedirectTooDeep { at, limit }) => {
            assert_eq!(limit, 64);
            assert_eq!(at.line, 2);
            let file = at.file.expect("a file");
            assert!(file.ends_with("f64.dss"), "{}", file.display());
        }
        other => panic!("expected too deep, got {:?}", other.map(|x| x.1)),
    }
    let opts = ImportOptions {
        max_redirect_depth: n,
        ..ImportOptions::default()
    };
    let (net, report) = import_opendss_with(dir.path().join("f0.dss"), &opts).expect("reads");
    assert_eq!(net.customers().len(), n);
    assert_eq!(report.files, n + 1);
}

/// The depth limit counts the files below the master.
#[test]
fn the_depth_limit_counts_files_below_the_master() {
    let dir = Scratch::new("depth");
    dir.write("m.dss", format!("{FEEDER}Redirect a.dss\n"));
    dir.write("a.dss", "Redirect b.dss\n");
    dir.write("b.dss", "New Load.c2 bus1=a kw=1\n");
    let at = |d| ImportOptions {
        max_redirect_depth: d,
        ..ImportOptions::default()
    };
    let too_deep = import_opendss_with(dir.path().join("m.dss"), &at(1));
    assert!(matches!(
        too_deep,
        Err(ImportError::RedirectTooDeep { limit: 1, .. })
    ));
    let (net, _) = import_opendss_with(dir.path().join("m.dss"), &at(2)).expect("two deep");
    assert_eq!(net.customers().len(), 2);
}

/// `Redirect ../outside.dss` is refused, naming the master's line, without reading the
/// file; with `accept_partial` it is a warning and the file's loads stay out; with its
/// folder allowed, it is read.
#[test]
fn a_file_outside_the_masters_folder_is_refused_unless_its_root_is_allowed() {
    let dir = Scratch::new("roots");
    dir.write(
        "outside.dss",
        format!("New Load.stranger bus1=a kw=1\n{SECRET}\n"),
    );
    let master = dir.write(
        "model/master.dss",
        format!("{FEEDER}Redirect ../outside.dss\n"),
    );
    let (reason, line, name) = refusal(import_opendss(&master));
    assert_eq!(
        (reason, line, name.as_str()),
        (FileRefusal::OutsideRoots, 4, "../outside.dss")
    );
    let err = import_opendss(&master).expect_err("refused").to_string();
    assert!(
        err.contains("master.dss:4") && !err.contains(SECRET),
        "{err}"
    );

    let (net, report) = import_opendss_with(&master, &partial()).expect("accepted");
    assert_eq!(net.customers().len(), 1);
    assert_eq!(report.warning_count, 1);
    let w = &report.warning_list[0];
    assert_eq!(w.at.line, 4);
    assert!(w.message.contains("../outside.dss"), "{w}");

    let opts = ImportOptions {
        allowed_roots: vec![dir.path().to_path_buf()],
        ..ImportOptions::default()
    };
    let warned = import_opendss_with(&master, &opts).map(|(net, r)| (net.customers().len(), r));
    let (customers, report) = warned.expect("allowed");
    assert_eq!(customers, 2);
    // The allowed file is read, and its line that is no statement is warned about.
    assert!(
        report
            .warning_list
            .iter()
            .any(|w| w.message.contains(SECRET))
    );
}

/// `/etc/passwd`, `/proc/self/environ` and a climb of `..` to them are refused and
/// nothing they hold is quoted, even when accepted as a partial model.
#[test]
fn system_files_are_never_read_nor_quoted() {
    let dir = Scratch::new("system");
    let master = dir.write(
        "master.dss",
        format!(
            "{FEEDER}Redirect ../../../../../../../../etc/passwd\n\
             Redirect /proc/self/environ\n\
             Redirect /etc/passwd\n"
        ),
    );
    let (reason, line, _) = refusal(import_opendss(&master));
    assert_eq!((reason, line), (FileRefusal::OutsideRoots, 4));
    let (net, report) = import_opendss_with(&master, &partial()).expect("accepted");
    assert_eq!(net.customers().len(), 1);
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [4, 5, 6]);
    let path = std::env::var("PATH").unwrap_or_default();
    for w in &report.warning_list {
        let text = w.to_string();
        assert!(!text.contains("root:") && !text.contains(&path), "{text}");
        assert!(text.contains("outside the folders"), "{text}");
    }
}

/// A symbolic link inside the model's folder to a file or folder outside it is refused.
#[test]
fn a_symbolic_link_out_of_the_folder_is_refused() {
    let dir = Scratch::new("symlink");
    let outside = dir.write(
        "outside/loads.dss",
        format!("New Load.x bus1=a kw=1\n{SECRET}\n"),
    );
    let model = dir.path().join("model");
    std::fs::create_dir_all(&model).expect("writable");
    std::os::unix::fs::symlink(&outside, model.join("link.dss")).expect("a link");
    std::os::unix::fs::symlink(dir.path().join("outside"), model.join("sub")).expect("a link");
    for target in ["link.dss", "sub/loads.dss", "SUB/LOADS.DSS"] {
        let master = dir.write("model/master.dss", format!("{FEEDER}Redirect {target}\n"));
        let (reason, line, _) = refusal(import_opendss(&master));
        assert_eq!((reason, line), (FileRefusal::OutsideRoots, 4), "{target}");
    }
}

/// Only regular files are read: a folder, `/dev/zero` or a pipe as the master is a
/// typed error, and as a `Redirect` a refusal; a pipe is never opened (which would wait
/// for a writer).
#[test]
fn only_regular_files_are_read() {
    let dir = Scratch::new("special");
    for master in [dir.path().to_path_buf(), PathBuf::from("/dev/zero")] {
        let r = import_within(master.clone(), ImportOptions::default());
        assert!(
            matches!(r, Err(ImportError::NotAFile { .. })),
            "{}",
            master.display()
        );
    }
    std::fs::create_dir_all(dir.path().join("folder.dss")).expect("writable");
    let master = dir.write("m.dss", format!("{FEEDER}Redirect folder.dss\n"));
    assert_eq!(refusal(import_opendss(&master)).0, FileRefusal::NotAFile);
    let dev = ImportOptions {
        allowed_roots: vec![PathBuf::from("/dev")],
        ..ImportOptions::default()
    };
    let master = dir.write("z.dss", format!("{FEEDER}Redirect /dev/zero\n"));
    assert_eq!(refusal(import_within(master, dev)).0, FileRefusal::NotAFile);

    let fifo = dir.path().join("pipe.dss");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let r = import_within(fifo.clone(), ImportOptions::default());
        assert!(matches!(r, Err(ImportError::NotAFile { .. })));
        let master = dir.write("p.dss", format!("{FEEDER}Redirect pipe.dss\n"));
        let r = import_within(master, ImportOptions::default());
        assert_eq!(refusal(r).0, FileRefusal::NotAFile);
    }
}

/// Sizes are bounded per file and for the model's files together; the bounds are
/// options.
#[test]
fn file_and_model_sizes_are_bounded() {
    let dir = Scratch::new("sizes");
    let pad = format!("! {}\n", "x".repeat(400));
    let master = dir.write(
        "m.dss",
        format!("{FEEDER}{pad}Redirect a.dss\nRedirect b.dss\n"),
    );
    dir.write("a.dss", format!("{pad}New Load.c2 bus1=a kw=1\n"));
    dir.write("b.dss", format!("{pad}{pad}New Load.c3 bus1=a kw=1\n"));
    let bounds = |file: u64, total: u64| ImportOptions {
        max_file_bytes: file,
        max_total_bytes: total,
        ..ImportOptions::default()
    };
    let r = import_opendss_with(&master, &bounds(100, 10_000));
    assert!(matches!(
        r,
        Err(ImportError::FileTooLarge { limit: 100, .. })
    ));
    let r = import_opendss_with(&master, &bounds(700, 10_000));
    match r {
        Err(ImportError::FileTooLarge { path, limit: 700 }) => assert!(path.ends_with("b.dss")),
        other => panic!("expected b.dss too large, got {:?}", other.map(|x| x.1)),
    }
    let r = import_opendss_with(&master, &bounds(1000, 1200));
    match r {
        Err(ImportError::ModelTooLarge { path, limit: 1200 }) => assert!(path.ends_with("b.dss")),
        other => panic!("expected the model too large, got {:?}", other.map(|x| x.1)),
    }
    let (net, _) = import_opendss_with(&master, &bounds(1000, 2000)).expect("fits");
    assert_eq!(net.customers().len(), 3);
}

/// A line longer than the bound is skipped with a warning naming it; the rest of the
/// model is read (a 100 MB line of commas used to take 1 GB).
#[test]
fn a_line_past_the_bound_is_a_warning_and_the_rest_is_read() {
    let dir = Scratch::new("long-line");
    let long = ",".repeat(3 << 20);
    let master = dir.write(
        "m.dss",
        format!("New Circuit.c bus1=s basekv=12.47\n{long}\nNew Line.l1 bus1=s bus2=a\nNew Load.c1 bus1=a kw=1\n"),
    );
    let (net, report) = import_opendss(&master).expect("reads");
    assert_eq!(net.customers().len(), 1);
    assert_eq!(report.warning_count, 1);
    assert_eq!(report.warning_list[0].at.line, 2);
    assert!(
        report.warning_list[0]
            .message
            .contains("longer than 1048576 bytes")
    );
}

/// A missing `Redirect`ed file makes a partial model: an error naming the statement,
/// or with `accept_partial` a warning. Missing bus coordinates are only a warning.
#[test]
fn a_missing_redirected_file_is_an_error_unless_partial_models_are_accepted() {
    let dir = Scratch::new("missing");
    let master = dir.write("m.dss", format!("{FEEDER}Redirect missing.dss\n"));
    let (reason, line, name) = refusal(import_opendss(&master));
    assert_eq!(
        (reason, line, name.as_str()),
        (FileRefusal::NotFound, 4, "missing.dss")
    );
    let (net, report) = import_opendss_with(&master, &partial()).expect("accepted");
    assert_eq!(net.customers().len(), 1);
    assert_eq!(report.warning_list.len(), 1);
    let coords = dir.write("c.dss", format!("{FEEDER}Buscoords nowhere.csv\n"));
    let (_, report) = import_opendss(&coords).expect("coordinates are not topology");
    assert_eq!(report.warning_list.len(), 1);
}

/// A model without customers is an error (it used to import, and its replay skipped
/// every row), or with `accept_partial` a warning; a JSON network likewise.
#[test]
fn a_model_without_customers_is_an_error_unless_partial_models_are_accepted() {
    let text = "New Circuit.c bus1=s basekv=12.47\nNew Line.l1 bus1=s bus2=a\n";
    assert!(matches!(
        import_opendss_str(text),
        Err(ImportError::NoCustomers { .. })
    ));
    let (net, report) =
        outage_locator::network::import_opendss_str_with(text, &partial()).expect("ok");
    assert_eq!(net.customers().len(), 0);
    assert_eq!(report.warning_list[0].at.line, 1);

    let dir = Scratch::new("no-customers");
    let (net, _) = outage_locator::network::import_opendss_str_with(text, &partial()).expect("ok");
    let json = dir.write(
        "empty.json",
        serde_json::to_string(&net).expect("serializes"),
    );
    assert!(matches!(
        load_network(&json),
        Err(ImportError::NoCustomers { .. })
    ));
    let r = outage_locator::network::load_network_with(&json, &partial());
    assert_eq!(r.expect("accepted").0.customers().len(), 0);
}

/// Text given in memory reads no file unless its folder is allowed.
#[test]
fn text_in_memory_reads_no_file_unless_allowed() {
    let dir = Scratch::new("memory");
    let loads = dir.write("loads.dss", "New Load.c2 bus1=a kw=1\n");
    let text = format!("{FEEDER}Redirect {}\n", loads.display());
    let (reason, line, _) = refusal(import_opendss_str(&text));
    assert_eq!((reason, line), (FileRefusal::OutsideRoots, 4));
    let opts = ImportOptions {
        allowed_roots: vec![dir.path().to_path_buf()],
        ..ImportOptions::default()
    };
    let (net, _) = outage_locator::network::import_opendss_str_with(&text, &opts).expect("allowed");
    assert_eq!(net.customers().len(), 2);
}

/// Every fixture redirects only within its folder: each imports with the default
/// options and no warning.
#[test]
fn the_fixtures_import_with_the_default_options() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for m in [
        "ieee123/eval_master.dss",
        "ieee13/eval_master.dss",
        "ieee34/eval_master.dss",
        "radial_feeder/master.dss",
        "feeder_with_tie/master.dss",
        "substation_three_feeders/master.dss",
    ] {
        let (_, report) = import_opendss(root.join(m)).unwrap_or_else(|e| panic!("{m}: {e}"));
        assert_eq!(report.warning_list, vec![], "{m}");
    }
}
