//! The OpenDSS reader, fuzzed with mutated real files (the IEEE 123-bus feeder in
//! `fixtures/ieee123`): lines deleted, duplicated, truncated, swapped or garbled, random
//! bytes inserted, line endings changed; and with hostile additions: `Redirect`s out of
//! the folder (by `..`, absolute paths, symbolic links), to a folder, a pipe, a missing
//! file or back to the master, lines past the bound, bytes that are not UTF-8, a
//! byte-order mark, CR-only endings, redefined elements, self-loops and loops. It must
//! never panic nor hang, never read or quote a file outside the model's folder, and
//! every warning must name the file and line it comes from. Regression cases follow
//! the properties, one per class.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use outage_locator::network::{ImportOptions, import_opendss_str, import_opendss_with};
use outage_locator::{EnergizationView, ImportError, ImportReport, Network, import_opendss};
use proptest::prelude::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ieee123");

/// The files of the fixture, as bytes.
fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("the fixture is there") {
        let entry = entry.expect("readable");
        let name = entry.file_name().to_string_lossy().into_owned();
        out.push((name, std::fs::read(entry.path()).expect("readable")));
    }
    out.sort();
    out
}

/// The evaluation model as one text: the master with its redirects inlined, then the
/// protection overlay (so that no file is needed).
fn inlined_model() -> String {
    let read = |name: &str| {
        std::fs::read_to_string(Path::new(DIR).join(name)).expect("the fixture is there")
    };
    let mut out = String::new();
    for line in read("IEEE123Master.dss").lines() {
        let lower = line.trim().to_ascii_lowercase();
        match lower.strip_prefix("redirect") {
            Some(rest) if !rest.trim().is_empty() => {
                let name = line.trim()["redirect".len()..].trim();
                let file = std::fs::read_dir(DIR)
                    .expect("the fixture is there")
                    .flatten()
                    .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name));
                match file {
                    Some(f) => out.push_str(&std::fs::read_to_string(f.path()).expect("readable")),
                    None => out.push_str(line),
                }
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str(&read("eval_overlay.dss"));
    out
}

/// One change to a file's lines (indices are taken modulo the line count).
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    /// Keep this share (in 1/256) of the line's bytes.
    Truncate(usize, u8),
    /// Overwrite a byte of the line.
    Garble(usize, usize, u8),
    /// Insert bytes into the line.
    Insert(usize, usize, Vec<u8>),
    Swap(usize, usize),
    /// Join the line with the next (a lost line break).
    Join(usize),
}

/// Bytes that matter to the lexer, and anything else.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"=()[]{}\"'!/~.,; \t\r\n*0123456789-e".to_vec()),
        1 => any::<u8>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, k)| Mutation::Truncate(i, k)),
        (any::<usize>(), any::<usize>(), byte()).prop_map(|(i, j, b)| Mutation::Garble(i, j, b)),
        (
            any::<usize>(),
            any::<usize>(),
            prop::collection::vec(byte(), 1..12)
        )
            .prop_map(|(i, j, b)| Mutation::Insert(i, j, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
        any::<usize>().prop_map(Mutation::Join),
    ]
}

fn mutate(text: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    for m in muts {
        if lines.is_empty() {
            lines.push(Vec::new());
        }
        let n = lines.len();
        match m {
            Mutation::Delete(i) => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::Truncate(i, k) => {
                let l = &mut lines[i % n];
                let keep = l.len() * *k as usize / 256;
                l.truncate(keep);
            }
            Mutation::Garble(i, j, b) => {
                let l = &mut lines[i % n];
                if !l.is_empty() {
                    let j = j % l.len();
                    l[j] = *b;
                }
            }
            Mutation::Insert(i, j, bytes) => {
                let l = &mut lines[i % n];
                let j = j % (l.len() + 1);
                l.splice(j..j, bytes.iter().copied());
            }
            Mutation::Swap(i, j) => lines.swap(i % n, j % n),
            Mutation::Join(i) => {
                let i = i % n;
                if i + 1 < n {
                    let next = lines.remove(i + 1);
                    lines[i].extend(next);
                }
            }
        }
    }
    lines.join(&b'\n')
}

/// What every import must satisfy: a network that is radial and agrees with its
/// report, and warnings that each name a file and a line; or one of the errors a model
/// can have when read from a readable file: it defines no circuit, or (a partial
/// model) it has no customers or names a file that is missing.
fn check(
    result: Result<(Network, ImportReport), ImportError>,
    file_of: impl Fn(&Path) -> bool,
) -> Result<(), TestCaseError> {
    match result {
        Ok((net, report)) => {
            prop_assert_eq!(report.customers, net.customers().len());
            prop_assert_eq!(report.warning_count, report.warning_list.len());
            for w in &report.warning_list {
                prop_assert!(w.at.line > 0, "warning without a line: {}", w);
                let file = w.at.file.as_deref().map(PathBuf::as_path);
                prop_assert!(
                    file.is_some_and(&file_of),
                    "warning without its file: {}",
                    w
                );
            }
            prop_assert!(
                EnergizationView::normal(&net).is_ok(),
                "the network is radial"
            );
        }
        Err(
            ImportError::NoCircuit { .. }
            | ImportError::NoCustomers { .. }
            | ImportError::Include { .. },
        ) => {}
        Err(e) => prop_assert!(false, "unexpected error: {}", e),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The in-memory reader never panics on mutations of the evaluation model, and
    /// every warning names its line.
    #[test]
    fn mutated_text_never_panics_and_warnings_name_lines(
        muts in prop::collection::vec(mutation(), 1..24),
        crlf: bool,
    ) {
        let mut text = mutate(inlined_model().as_bytes(), &muts);
        if crlf {
            text = String::from_utf8_lossy(&text).replace('\n', "\r\n").into_bytes();
        }
        let text = String::from_utf8_lossy(&text);
        check(import_opendss_str(&text), |f| f == Path::new("<memory>"))?;
    }

    /// Mutated copies of every file of the model, written to a folder and read from
    /// disk (redirects, bus coordinates and Latin-1 bytes included): no panic, and
    /// every warning names a line of one of those files.
    #[test]
    fn mutated_files_never_panic_and_warnings_name_lines(
        muts in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..24),
    ) {
        let files = fixture_files();
        let scratch = common::scratch::Scratch::new("fuzz");
        let dir = scratch.path();
        let mut per_file: Vec<Vec<Mutation>> = vec![Vec::new(); files.len()];
        for (i, m) in muts {
            per_file[i.index(files.len())].push(m);
        }
        for ((name, bytes), m) in files.iter().zip(&per_file) {
            std::fs::write(dir.join(name), mutate(bytes, m)).expect("the scratch folder is writable");
        }
        let result = import_opendss(dir.join("eval_master.dss"));
        let outcome = match result {
            // The master itself may have been the file garbled beyond reading: only an
            // I/O error cannot happen, the file exists.
            Err(ImportError::Io { .. }) => Err(TestCaseError::fail("the master exists")),
            r => check(r, |f| f.starts_with(dir)),
        };
        outcome?;
    }
}

/// Lines a hostile model holds. The folder beside the model's holds `outside.dss`
/// (a load and the token [`SECRET`]); the model's folder holds `link.dss` (a symbolic
/// link to it), `sub` (a link to the folder beside), `folder.dss` (a folder) and
/// `pipe.dss` (a pipe).
const HOSTILE: &[&str] = &[
    "Redirect ../outside.dss",
    "Redirect ../../../../../../../../../etc/passwd",
    "Redirect /proc/self/environ",
    "Redirect link.dss",
    "Redirect SUB/Outside.dss",
    "Redirect folder.dss",
    "Redirect pipe.dss",
    "Redirect missing.dss",
    "Redirect eval_master.dss",
    "Buscoords ../outside.dss",
    "New Line.selfloop bus1=150 bus2=150.2",
    "New Line.L115 Bus1=149 Bus2=1 LineCode=1 Length=0.4 units=kft",
    "New Line.mesh bus1=13 bus2=18 switch=yes",
];

/// What a file outside the model's folder holds that must never be read or quoted.
const SECRET: &str = "secret-token-5d1c";

/// One hostile change to a file of the model.
#[derive(Debug, Clone)]
enum Hostile {
    /// Insert `HOSTILE[which]` before a line.
    Line(prop::sample::Index, prop::sample::Index),
    /// Insert a line of commas longer than the bound before a line.
    Long(prop::sample::Index),
    /// Insert bytes that are not UTF-8 into a line.
    NotUtf8(prop::sample::Index),
    /// End every line with CR only (`true`) or CRLF.
    Endings(bool),
    /// Put a byte-order mark before the file.
    Bom,
}

fn hostile() -> impl Strategy<Value = Hostile> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(i, w)| Hostile::Line(i, w)),
        1 => any::<prop::sample::Index>().prop_map(Hostile::Long),
        1 => any::<prop::sample::Index>().prop_map(Hostile::NotUtf8),
        1 => any::<bool>().prop_map(Hostile::Endings),
        1 => Just(Hostile::Bom),
    ]
}

/// The bound on lines in the hostile runs (a long line is a little longer).
const MAX_LINE: usize = 4096;

fn harm(text: &[u8], changes: &[Hostile]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let (mut endings, mut bom) = (None, false);
    for h in changes {
        match h {
            Hostile::Line(i, w) => {
                let at = i.index(lines.len() + 1);
                lines.insert(at, HOSTILE[w.index(HOSTILE.len())].as_bytes().to_vec());
            }
            Hostile::Long(i) => lines.insert(i.index(lines.len() + 1), vec![b','; MAX_LINE + 1]),
            Hostile::NotUtf8(i) => {
                let at = i.index(lines.len());
                lines[at].extend_from_slice(b" caf\xe9 \xff\xfe");
            }
            Hostile::Endings(cr) => endings = Some(*cr),
            Hostile::Bom => bom = true,
        }
    }
    let sep: &[u8] = match endings {
        Some(true) => b"\r",
        Some(false) => b"\r\n",
        None => b"\n",
    };
    let mut out = if bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    out.extend(lines.join(sep));
    out
}

/// The model's folder, with the hostile neighbours [`HOSTILE`] names.
fn hostile_folder(root: &common::scratch::Scratch) -> PathBuf {
    root.write(
        "outside.dss",
        format!("New Load.stranger bus1=1 kw=1\n{SECRET}\n"),
    );
    let model = root.path().join("model");
    std::fs::create_dir_all(model.join("folder.dss")).expect("writable");
    std::os::unix::fs::symlink(root.path().join("outside.dss"), model.join("link.dss"))
        .expect("a link");
    std::os::unix::fs::symlink(root.path(), model.join("sub")).expect("a link");
    // Without mkfifo the pipe is left out; the rest still runs.
    let _ = std::process::Command::new("mkfifo")
        .arg(model.join("pipe.dss"))
        .status();
    model
}

/// Imports on another thread; a pipe opened would block it, and fails the case.
fn import_in_time(
    path: PathBuf,
    opts: ImportOptions,
) -> Result<(Network, ImportReport), ImportError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(import_opendss_with(&path, &opts));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the import finishes: no pipe is opened")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Hostile additions to the model's files never make the reader panic or hang, read
    /// or quote a file outside the model's folder, or lose a warning's file and line;
    /// by default a partial model is a typed error, and accepted it is a network.
    #[test]
    fn hostile_files_are_read_safely(
        changes in prop::collection::vec((any::<prop::sample::Index>(), hostile()), 1..12),
    ) {
        let root = common::scratch::Scratch::new("hostile");
        let model = hostile_folder(&root);
        let files = fixture_files();
        let mut per_file: Vec<Vec<Hostile>> = vec![Vec::new(); files.len()];
        for (i, h) in changes {
            per_file[i.index(files.len())].push(h);
        }
        for ((name, bytes), h) in files.iter().zip(&per_file) {
            std::fs::write(model.join(name), harm(bytes, h)).expect("writable");
        }
        let master = model.join("eval_master.dss");
        for accept_partial in [false, true] {
            let opts = ImportOptions { max_line_bytes: MAX_LINE, accept_partial, ..ImportOptions::default() };
            let result = import_in_time(master.clone(), opts);
            if let Err(e) = &result {
                prop_assert!(!e.to_string().contains(SECRET), "{}", e);
            }
            if let Ok((net, report)) = &result {
                prop_assert!(net.customer_by_name("load.stranger").is_none());
                for w in &report.warning_list {
                    let text = w.to_string();
                    prop_assert!(!text.contains(SECRET) && !text.contains("root:"), "{}", text);
                }
            }
            if accept_partial {
                prop_assert!(
                    !matches!(&result, Err(ImportError::Include { .. } | ImportError::NoCustomers { .. })),
                    "a partial model is accepted: {:?}", result.as_ref().err()
                );
            }
            check(result, |f| f.starts_with(&model))?;
        }
    }
}

/// The unmutated model imports as the counts of the replay contract say, with no
/// warning (a baseline for the mutations above).
#[test]
fn unmutated_model_imports_cleanly() {
    let (net, report) = import_opendss_str(&inlined_model()).expect("imports");
    assert_eq!(net.customers().len(), 91);
    assert_eq!(report.fuses, 17);
    assert_eq!(report.breakers, 1);
    assert_eq!(report.warning_list, vec![]);
}

/// Regression: a blank line in a file with Windows line endings counts as a line, so
/// warnings after it name the right line.
#[test]
fn warnings_count_blank_lines_with_windows_line_endings() {
    let text = "New Circuit.c bus1=s\r\n\r\n! comment\r\n\r\nbogus command\r\n\
                New Line.l bus1=s bus2=a\r\nNew Load.c bus1=a kw=1\r\n";
    let (_, report) = import_opendss_str(text).expect("imports");
    assert_eq!(report.warning_list.len(), 1);
    assert_eq!(report.warning_list[0].at.line, 5);
}

/// Regression: a value list that opens or closes with a character of more than one
/// byte is read without slicing inside the character.
#[test]
fn multibyte_characters_at_the_edge_of_a_list_do_not_panic() {
    let text = "New Circuit.c bus1=s\nNew Transformer.t buses=[s é] kvs=[12.47 0.24]\nNew Transformer.u buses=é kvs=é\nNew Load.c bus1=é kw=1\n";
    let (net, _) = import_opendss_str(text).expect("imports");
    assert_eq!(net.sources().len(), 1);
}

/// Regression (found by the fuzzer): a transformer whose windings name three buses
/// joins the first two only, so a load beyond the third is left out with a warning
/// naming its line, not reported as a customer with no supply.
#[test]
fn a_load_beyond_a_third_winding_bus_is_left_out_with_a_warning() {
    let text = "New Circuit.c bus1=s\n\
                New Line.a bus1=s bus2=x\n\
                New Transformer.t buses=[y z x] kvs=[12.47 12.47 0.24] kvas=[25 25 25]\n\
                New Load.l bus1=z kv=0.24 kw=5\n\
                New Load.m bus1=x kv=0.24 kw=5\n";
    let (net, report) = import_opendss_str(text).expect("imports");
    assert_eq!(net.customers().len(), 1);
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [3, 4], "{:?}", report.warning_list);
}

/// `New Circuit` creates the circuit's source as `Vsource.source`: an edit of it (how
/// exported models move the source bus) moves the source, in either form of edit,
/// rather than being dropped as an edit of an unknown object (which left every load
/// without supply).
#[test]
fn an_edit_of_the_circuits_vsource_moves_the_source() {
    let body = "New Line.head bus1=src bus2=b1\n\
                New Transformer.t buses=[b1 s] kvs=[12.47 0.24] kvas=[25 25]\n\
                New Load.l bus1=s kv=0.24 kw=5\n";
    for edit in [
        "Edit \"Vsource.Source\" bus1=src pu=1.0\n",
        "Vsource.source.bus1=src\n",
    ] {
        let text = format!("New Circuit.c basekv=12.47\n{edit}{body}");
        let (net, report) = import_opendss_str(&text).expect("imports");
        assert_eq!(
            net.customers().len(),
            1,
            "{edit}: {:?}",
            report.warning_list
        );
        assert_eq!(report.warning_list, vec![], "{edit}");
    }
}

/// A small feeder: a circuit, a line and a transformer to a named customer.
fn small_feeder(load: &str) -> String {
    format!(
        "New Circuit.c bus1=s basekv=12.47\n\
         New Line.l1 bus1=s bus2=a\n\
         New Transformer.t buses=[a x] kvs=[12.47 0.24] kvas=[25 25]\n\
         New Load.{load} bus1=x kv=0.24 kw=2 kvar=1\n"
    )
}

/// Regression: a byte-order mark before `New Circuit` is no part of the statement
/// (it gave "no circuit defined"), in memory or in a file.
#[test]
fn a_byte_order_mark_before_the_circuit_is_read_as_utf8() {
    let text = format!("\u{feff}{}", small_feeder("c1"));
    let (net, report) = import_opendss_str(&text).expect("imports");
    assert_eq!(net.customers().len(), 1);
    assert_eq!(report.warning_list, vec![]);
    let dir = common::scratch::Scratch::new("bom");
    let master = dir.write("m.dss", text.as_bytes());
    let (net, _) = import_opendss(&master).expect("imports");
    assert_eq!(net.customers().len(), 1);
}

/// Regression: models are UTF-8, so a name with a character of more than one byte is
/// the name written (it was read as Latin-1 and could not be matched).
#[test]
fn a_utf8_name_matches_as_written() {
    let dir = common::scratch::Scratch::new("utf8");
    let master = dir.write("m.dss", small_feeder("Café_Ñandú"));
    let (net, report) = import_opendss(&master).expect("imports");
    // Names match case-insensitively in their ASCII letters, as before.
    let c = net
        .customer_by_name("Load.Café_Ñandú")
        .expect("the name as written");
    assert_eq!(net.customer(c).name, "load.café_Ñandú");
    assert_eq!(report.warning_list, vec![]);
}

/// Regression: a line that is not UTF-8 is read as Latin-1 with a warning naming it,
/// and the rest of the file is read as UTF-8.
#[test]
fn a_line_that_is_not_utf8_falls_back_to_latin1_with_a_warning() {
    let dir = common::scratch::Scratch::new("latin1");
    let mut bytes = small_feeder("c1").into_bytes();
    bytes.extend_from_slice(b"New Load.caf\xe9 bus1=x kv=0.24 kw=1 kvar=0\nNew Load.\xc3\xa9t\xc3\xa9 bus1=x kw=1 kvar=0\n");
    let master = dir.write("m.dss", bytes);
    let (net, report) = import_opendss(&master).expect("imports");
    assert!(net.customer_by_name("load.café").is_some());
    assert!(net.customer_by_name("load.été").is_some());
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [5], "{:?}", report.warning_list);
    assert!(report.warning_list[0].message.contains("not UTF-8"));
}

/// Regression: CR-only, CRLF and mixed line endings give the network LF gives, with
/// the same line numbers.
#[test]
fn cr_crlf_and_mixed_line_endings_read_as_lf() {
    let lf = format!("{}bogus\n", small_feeder("c1"));
    let (want, report) = import_opendss_str(&lf).expect("imports");
    assert_eq!(report.warning_list[0].at.line, 5);
    let mut mixed = String::new();
    for (i, line) in lf.lines().enumerate() {
        mixed.push_str(line);
        mixed.push_str(["\r", "\r\n", "\n"][i % 3]);
    }
    for text in [lf.replace('\n', "\r"), lf.replace('\n', "\r\n"), mixed] {
        let dir = common::scratch::Scratch::new("endings");
        let (net, report) = import_opendss(dir.write("m.dss", &text)).expect("imports");
        let names = |n: &Network| {
            n.customers()
                .iter()
                .map(|c| (c.name.clone(), c.bus))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&net), names(&want), "{text:?}");
        assert_eq!(net.elements().len(), want.elements().len(), "{text:?}");
        let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
        assert_eq!(lines, [5], "{text:?}");
    }
}

/// Regression: an element defined twice is a warning naming both definitions (the
/// second replaced the first silently).
#[test]
fn a_redefined_element_is_a_warning_naming_both_definitions() {
    let text = format!("{}New Line.L1 bus1=s bus2=a phases=1\n", small_feeder("c1"));
    let (net, report) = import_opendss_str(&text).expect("imports");
    assert_eq!(
        net.elements()
            .iter()
            .filter(|e| e.name == "line.l1")
            .count(),
        1
    );
    assert_eq!(report.warning_list.len(), 1, "{:?}", report.warning_list);
    let w = &report.warning_list[0];
    assert_eq!(w.at.line, 5);
    assert!(
        w.message.contains("line.l1") && w.message.contains("<memory>:2"),
        "{w}"
    );
}

/// Regression: a line from a bus to itself (whatever its nodes) and a transformer
/// with every winding on one bus are warnings naming them and their buses (they were
/// dropped silently).
#[test]
fn a_self_loop_is_a_warning_naming_its_ends() {
    let text = format!(
        "{}New Line.loop bus1=a.1 bus2=A.2\nNew Transformer.same buses=[x x]\n",
        small_feeder("c1")
    );
    let (net, report) = import_opendss_str(&text).expect("imports");
    assert_eq!(net.elements().len(), 2);
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [5, 6], "{:?}", report.warning_list);
    let m = &report.warning_list[0].message;
    assert!(
        m.contains("line.loop") && m.contains("bus1=a.1") && m.contains("bus2=A.2"),
        "{m}"
    );
}

/// Regression: a meshed model has each loop opened in one pass, each with a warning
/// naming the line opened and its definition (the network was built again for every
/// loop: a 100 × 100 grid took 36 s); every customer keeps its supply.
#[test]
fn a_meshed_grid_has_each_loop_opened_with_a_warning_naming_the_line() {
    let n = 40;
    let mut text = String::from("New Circuit.grid bus1=b0_0 basekv=12.47\n");
    for r in 0..n {
        for c in 0..n {
            if c + 1 < n {
                text.push_str(&format!(
                    "New Line.h{r}_{c} bus1=b{r}_{c} bus2=b{r}_{}\n",
                    c + 1
                ));
            }
            if r + 1 < n {
                text.push_str(&format!(
                    "New Line.v{r}_{c} bus1=b{r}_{c} bus2=b{}_{c}\n",
                    r + 1
                ));
            }
            text.push_str(&format!("New Load.c{r}_{c} bus1=b{r}_{c} kw=1 kvar=0\n"));
        }
    }
    let (net, report) = import_opendss_str(&text).expect("imports");
    assert_eq!(net.customers().len(), n * n);
    assert_eq!(report.warning_count, (n - 1) * (n - 1));
    let opened: Vec<&str> = net
        .elements()
        .iter()
        .filter(|e| e.normally_open)
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(opened.len(), report.warning_count);
    for w in &report.warning_list {
        let line = w.message.split(':').next().unwrap_or_default();
        let e = net
            .elements()
            .iter()
            .find(|e| e.name == line)
            .expect("names a line");
        assert!(e.normally_open && e.at == w.at, "{w}");
        assert!(w.message.contains("closes a loop"), "{w}");
    }
    assert!(EnergizationView::normal(&net).is_ok());
}
