//! The examples' command line: the shared parser's rules (the unit tests of
//! `examples/common/cli.rs`, compiled here), and every built example answering `--help`
//! with its usage and exit 0, a bad option with one line and exit 2, a closed standard
//! output quietly and a full one with one line and exit 1.
//!
//! The examples are built by `cargo test` before the tests run; a targeted run
//! (`cargo test --test examples_cli`) uses whatever is in `target/<profile>/examples`
//! and leaves out binaries older than the shared parser. Under CI every example must be
//! there and fresh.

#[path = "../examples/common/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The examples' names, from the source folder: `examples/NAME.rs` and
/// `examples/NAME/main.rs`.
fn example_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the examples folder")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let p = e.path();
            let stem = p.file_stem()?.to_str()?.to_string();
            let example = p.extension().is_some_and(|x| x == "rs") || p.join("main.rs").is_file();
            example.then_some(stem)
        })
        .collect();
    names.sort();
    names
}

/// The built examples that are newer than the shared parser, by name.
fn built_examples() -> Vec<(String, PathBuf)> {
    let exe = std::env::current_exe().expect("the test binary");
    // target/<profile>/deps/examples_cli-HASH → target/<profile>/examples/NAME
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join("examples");
    let parser = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/common/cli.rs");
    let parser_time = std::fs::metadata(parser).and_then(|m| m.modified()).ok();
    let names = example_names();
    let built: Vec<(String, PathBuf)> = names
        .iter()
        .map(|n| (n.clone(), dir.join(n)))
        .filter(|(_, p)| {
            let t = std::fs::metadata(p).and_then(|m| m.modified()).ok();
            t.is_some() && t >= parser_time
        })
        .collect();
    if std::env::var_os("CI").is_some() {
        assert_eq!(
            built.len(),
            names.len(),
            "every example built and fresh under CI"
        );
    } else if built.len() < names.len() {
        eprintln!(
            "{} of {} examples built and fresh in {}; the others are left out",
            built.len(),
            names.len(),
            dir.display()
        );
    }
    built
}

#[test]
fn every_example_answers_help_with_its_usage_and_exit_0() {
    for (name, exe) in built_examples() {
        let out = Command::new(&exe).arg("--help").output().expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name} --help: {:?}", out.status);
        assert!(
            stdout.starts_with(&format!("usage: {name}")),
            "{name}: {stdout}"
        );
        assert!(
            out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_example_answers_a_bad_option_with_one_line_and_exit_2() {
    for (name, exe) in built_examples() {
        let out = Command::new(&exe)
            .arg("--no-such-option")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with(&format!("{name}: ")), "{name}: {stderr}");
        assert!(stderr.contains("--no-such-option"), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
    }
}

fn inspect() -> Option<PathBuf> {
    built_examples()
        .into_iter()
        .find(|(n, _)| n == "inspect")
        .map(|(_, p)| p)
}

const MODEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/ieee123/eval_master.dss"
);

#[test]
fn a_closed_standard_output_ends_an_example_quietly() {
    let Some(exe) = inspect() else { return };
    let mut child = Command::new(exe)
        .arg(MODEL)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // The reader goes away before the example writes its report.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_output_that_cannot_be_written_is_one_line_and_exit_1() {
    let Some(exe) = inspect() else { return };
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let out = Command::new(exe)
        .arg(MODEL)
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("inspect: standard output: "), "{stderr}");
}

#[test]
fn a_missing_input_is_one_line_naming_it() {
    let Some(exe) = inspect() else { return };
    let out = Command::new(exe)
        .arg("no/such/model.dss")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no/such/model.dss"), "{stderr}");
}
