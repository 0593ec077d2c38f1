//! The CIM XML reader against hostile input: the IEEE 13 export (`fixtures/cim`)
//! mutated at random (lines and whole objects deleted, duplicated, swapped, truncated or
//! garbled, markup spliced in), and regression cases named by what they catch
//! (dangling references, terminals on no node, equipment without terminals, duplicate
//! mRIDs, XML that breaks off, entity bombs, external entities, oversized items,
//! nesting, loops). The reader must never panic; what it cannot use is a warning naming
//! the object and its line, and only a model without topology is an error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use outage_locator::network::{
    ImportOptions, ImportReport, import_cim, import_cim_str, import_cim_str_with, import_cim_with,
};
use outage_locator::{CimError, EnergizationView, ImportError, Network};
use proptest::prelude::*;

fn ieee13() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cim/IEEE13.xml");
    std::fs::read_to_string(path).expect("the fixture is there")
}

/// One change to the file (indices are taken modulo the number of lines or objects).
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Keep this share (in 1/256) of the line's bytes.
    TruncateLine(usize, u8),
    /// Insert a piece of markup into a line.
    Splice(usize, usize, &'static str),
    /// Overwrite a byte of a line.
    Garble(usize, usize, u8),
    /// Delete a whole object (a top-level element).
    DeleteObject(usize),
    /// Copy a whole object next to itself (a duplicate mRID).
    DuplicateObject(usize),
    /// Cut the file at this share (in 1/65536) of its bytes.
    Cut(u16),
}

/// Markup that matters to the parser and to the reader.
const PIECES: &[&str] = &[
    "<",
    ">",
    "&",
    "&amp;",
    "&bogus;",
    "&#0;",
    "&#x10FFFF;",
    "\"",
    "'",
    "/>",
    "</cim:Terminal>",
    "<cim:Terminal>",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "<?pi x?>",
    "<!DOCTYPE r [<!ENTITY e \"x\">]>",
    " rdf:resource=\"#_nowhere\"",
    " rdf:about=\"urn:uuid:00000000-0000-0000-0000-000000000000\"",
    "<cim:Terminal.ConnectivityNode rdf:resource=\"#_x\"/>",
    "<cim:ACDCTerminal.sequenceNumber>7</cim:ACDCTerminal.sequenceNumber>",
    "<cim:Switch.normalOpen>maybe</cim:Switch.normalOpen>",
    "<cim:EnergyConsumer.p>NaN</cim:EnergyConsumer.p>",
    "<a><b><c><d></d></c></b></a>",
    "\u{e9}\u{4e2d}",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::SwapLines(i, j)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, k)| Mutation::TruncateLine(i, k)),
        (any::<usize>(), any::<usize>(), prop::sample::select(PIECES))
            .prop_map(|(i, j, p)| Mutation::Splice(i, j, p)),
        (any::<usize>(), any::<usize>(), 0x20u8..0x7f)
            .prop_map(|(i, j, b)| Mutation::Garble(i, j, b)),
        any::<usize>().prop_map(Mutation::DeleteObject),
        any::<usize>().prop_map(Mutation::DuplicateObject),
        (1u16..).prop_map(Mutation::Cut),
    ]
}

/// The lines `[start, end)` of each top-level object (`<cim:X ...>` to `</cim:X>`).
fn objects(lines: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, l) in lines.iter().enumerate() {
        match &open {
            None if l.starts_with("<cim:") && !l.ends_with("/>") => {
                let name: String = l[1..].chars().take_while(|c| !c.is_whitespace()).collect();
                open = Some((i, name));
            }
            Some((s, name)) if l.starts_with(&format!("</{name}")) => {
                out.push((*s, i + 1));
                open = None;
            }
            _ => {}
        }
    }
    out
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cut = None;
    for m in muts {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        let at_char = |l: &str, j: usize| {
            let cs: Vec<usize> = l.char_indices().map(|(i, _)| i).chain([l.len()]).collect();
            cs[j % cs.len()]
        };
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => lines.insert(i % n, lines[i % n].clone()),
            Mutation::SwapLines(i, j) => lines.swap(i % n, j % n),
            Mutation::TruncateLine(i, k) => {
                let l = &mut lines[i % n];
                let keep = at_char(l, l.len() * *k as usize / 256);
                l.truncate(keep);
            }
            Mutation::Splice(i, j, p) => {
                let l = &mut lines[i % n];
                let j = at_char(l, *j);
                l.insert_str(j, p);
            }
            Mutation::Garble(i, j, b) => {
                let l = &mut lines[i % n];
                let j = at_char(l, *j);
                if j < l.len() {
                    let len = l[j..].chars().next().map_or(0, char::len_utf8);
                    l.replace_range(j..j + len, &(*b as char).to_string());
                }
            }
            Mutation::DeleteObject(k) | Mutation::DuplicateObject(k) => {
                let objs = objects(&lines);
                if objs.is_empty() {
                    continue;
                }
                let (s, e) = objs[k % objs.len()];
                if matches!(m, Mutation::DeleteObject(_)) {
                    lines.drain(s..e);
                } else {
                    let copy: Vec<String> = lines[s..e].to_vec();
                    lines.splice(e..e, copy);
                }
            }
            Mutation::Cut(share) => cut = Some(*share),
        }
    }
    let mut out = lines.join("\n");
    if let Some(share) = cut {
        let at = out.len() * share as usize / 65536;
        let at = (0..=at)
            .rev()
            .find(|&i| out.is_char_boundary(i))
            .unwrap_or(0);
        out.truncate(at);
    }
    out
}

/// What every import must satisfy: a radial network that agrees with its report,
/// warnings that each name the file and a line; or an error of a model without
/// topology.
fn check(
    result: Result<(Network, ImportReport), ImportError>,
    file: &Path,
) -> Result<(), TestCaseError> {
    match result {
        Ok((net, report)) => {
            prop_assert_eq!(report.customers, net.customers().len());
            prop_assert_eq!(report.warning_count, report.warning_list.len());
            prop_assert!(report.sources >= 1);
            for w in &report.warning_list {
                prop_assert!(w.at.line > 0, "warning without a line: {}", w);
                prop_assert_eq!(w.at.file.as_deref().map(PathBuf::as_path), Some(file));
            }
            let view = EnergizationView::normal(&net);
            prop_assert!(view.is_ok(), "the network is radial");
            let view = view.unwrap();
            for c in 0..net.customers().len() {
                prop_assert!(view.is_supplied(outage_locator::CustomerId::from(c)));
            }
        }
        Err(ImportError::Cim(CimError::Malformed { .. } | CimError::NoSource { .. })) => {}
        Err(ImportError::NoCustomers { .. }) => {}
        Err(e) => prop_assert!(false, "unexpected error: {}", e),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Mutations of the IEEE 13 export, read from memory (accepting partial models or
    /// not): no panic, every warning names its line.
    #[test]
    fn mutated_text_never_panics_and_warnings_name_lines(
        muts in prop::collection::vec(mutation(), 1..16),
        accept_partial: bool,
    ) {
        let text = mutate(&ieee13(), &muts);
        let opts = ImportOptions { accept_partial, ..ImportOptions::default() };
        check(import_cim_str_with(&text, &opts), Path::new("<memory>"))?;
    }

    /// Arbitrary bytes (invalid UTF-8 included) spliced into the file and read from
    /// disk.
    #[test]
    fn mutated_bytes_from_disk_never_panic(
        splices in prop::collection::vec((any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8)), 1..6),
    ) {
        let mut bytes = ieee13().into_bytes();
        for (at, piece) in splices {
            let at = at.index(bytes.len());
            bytes.splice(at..at, piece);
        }
        let path = scratch_file();
        std::fs::write(&path, &bytes).expect("the temporary folder is writable");
        let result = import_cim_with(&path, &partial());
        let _ = std::fs::remove_file(&path);
        check(result, &path)?;
    }
}

/// A fresh file name under the system's temporary folder.
fn scratch_file() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "outage-locator-cim-fuzz-{}-{}.xml",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

// Hand-made models for the regression cases: a source, a breaker, a line, a fused
// lateral and a distribution transformer, with ids written `rdf:ID="_x"` and
// referred to as `#_x`.

fn doc(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF xmlns:cim=\"http://iec.ch/TC57/CIM100#\" \
         xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n{body}</rdf:RDF>\n"
    )
}

fn obj(class: &str, id: &str, name: &str, props: &str) -> String {
    format!(
        "<cim:{class} rdf:ID=\"_{id}\">\n  <cim:IdentifiedObject.name>{name}</cim:IdentifiedObject.name>\n{props}</cim:{class}>\n"
    )
}

fn node(id: &str) -> String {
    obj("ConnectivityNode", id, id, "")
}

fn terminal(eq: &str, seq: u32, node: &str) -> String {
    obj(
        "Terminal",
        &format!("{eq}_t{seq}"),
        &format!("{eq}_T{seq}"),
        &format!(
            "  <cim:Terminal.ConductingEquipment rdf:resource=\"#_{eq}\"/>\n  \
             <cim:ACDCTerminal.sequenceNumber>{seq}</cim:ACDCTerminal.sequenceNumber>\n  \
             <cim:Terminal.ConnectivityNode rdf:resource=\"#_{node}\"/>\n"
        ),
    )
}

/// Two-terminal equipment with its terminals.
fn two(class: &str, id: &str, a: &str, b: &str, props: &str) -> String {
    obj(class, id, id, props) + &terminal(id, 1, a) + &terminal(id, 2, b)
}

/// One-terminal equipment with its terminal.
fn one(class: &str, id: &str, at: &str, props: &str) -> String {
    obj(class, id, id, props) + &terminal(id, 1, at)
}

fn ends(id: &str, kv: [f64; 2]) -> String {
    (1..=2)
        .map(|k| {
            obj(
                "PowerTransformerEnd",
                &format!("{id}_e{k}"),
                &format!("{id}_End_{k}"),
                &format!(
                    "  <cim:PowerTransformerEnd.PowerTransformer rdf:resource=\"#_{id}\"/>\n  \
                     <cim:PowerTransformerEnd.ratedU>{}</cim:PowerTransformerEnd.ratedU>\n  \
                     <cim:PowerTransformerEnd.ratedS>50000</cim:PowerTransformerEnd.ratedS>\n  \
                     <cim:TransformerEnd.endNumber>{k}</cim:TransformerEnd.endNumber>\n  \
                     <cim:TransformerEnd.Terminal rdf:resource=\"#_{id}_t{k}\"/>\n",
                    kv[k - 1] * 1000.0
                ),
            )
        })
        .collect()
}

/// The small feeder: `extra` is added before the closing tag.
fn feeder(extra: &str) -> String {
    let mut body = String::new();
    for n in ["n0", "n1", "n2", "n3", "n4", "n5"] {
        body += &node(n);
    }
    body += &one("EnergySource", "src", "n0", "");
    body += &two("Breaker", "brk", "n0", "n1", "");
    body += &two("ACLineSegment", "l1", "n1", "n2", "");
    body += &two("PowerTransformer", "t1", "n2", "n3", "");
    body += &ends("t1", [12.47, 0.24]);
    body += &one("EnergyConsumer", "c1", "n3", "");
    body += &two("Fuse", "f1", "n1", "n4", "");
    body += &two("ACLineSegment", "l2", "n4", "n5", "");
    body += &one("EnergyConsumer", "c2", "n5", "");
    body += extra;
    doc(&body)
}

fn ok(text: &str) -> (Network, ImportReport) {
    import_cim_str(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Options that accept a partial model: XML that breaks off gives what was read.
fn partial() -> ImportOptions {
    ImportOptions {
        accept_partial: true,
        ..ImportOptions::default()
    }
}

fn ok_partial(text: &str) -> (Network, ImportReport) {
    import_cim_str_with(text, &partial()).unwrap_or_else(|e| panic!("{e}"))
}

fn is_malformed(text: &str) -> bool {
    matches!(
        import_cim_str(text),
        Err(ImportError::Cim(CimError::Malformed { .. }))
    )
}

fn messages(r: &ImportReport) -> Vec<String> {
    r.warning_list.iter().map(|w| w.message.clone()).collect()
}

/// Asserts that some warning holds all of `words`, listing the warnings if none does.
fn assert_warned(r: &ImportReport, words: &[&str]) {
    let all = |m: &String| words.iter().all(|w| m.contains(w));
    assert!(
        messages(r).iter().any(all),
        "{words:?} in {:?}",
        messages(r)
    );
}

fn chain(net: &Network, load: &str) -> Vec<String> {
    let view = EnergizationView::normal(net).unwrap();
    let d = net.outage_device_by_name(load).unwrap();
    view.upstream(d)
        .map(|x| net.outage_device_name(x).to_string())
        .collect()
}

#[test]
fn the_hand_made_feeder_reads_whole() {
    let (net, r) = ok(&feeder(""));
    assert_eq!(r.warning_list, vec![]);
    assert_eq!(
        (r.customers, r.breakers, r.fuses, r.transformers),
        (2, 1, 1, 1)
    );
    assert_eq!(
        chain(&net, "load.c1"),
        ["load.c1", "transformer.t1", "breaker.brk", "circuit.src"]
    );
    assert_eq!(
        chain(&net, "load.c2"),
        ["load.c2", "fuse.f1", "breaker.brk", "circuit.src"]
    );
}

#[test]
fn urn_uuid_and_hash_underscore_references_read_alike() {
    // The same feeder with every id a UUID, written urn:uuid: in rdf:about and #_ in
    // references, in mixed case.
    let uuids: Vec<(String, String)> = [
        "n0", "n1", "n2", "n3", "n4", "n5", "src", "brk", "l1", "t1", "c1", "f1", "l2",
    ]
    .iter()
    .enumerate()
    .map(|(i, id)| {
        (
            id.to_string(),
            format!("{:08X}-0000-4000-8000-{:012x}", i + 1, i + 1),
        )
    })
    .collect();
    let mut text = feeder("");
    for (id, u) in &uuids {
        text = text
            .replace(
                &format!("rdf:ID=\"_{id}\""),
                &format!("rdf:about=\"urn:uuid:{u}\""),
            )
            .replace(
                &format!("\"#_{id}\""),
                &format!("\"#_{}\"", u.to_lowercase()),
            );
    }
    assert!(text.contains("urn:uuid:"));
    let (net, r) = ok(&text);
    assert_eq!(r.warning_list, vec![]);
    assert_eq!(
        chain(&net, "load.c2"),
        ["load.c2", "fuse.f1", "breaker.brk", "circuit.src"]
    );
}

#[test]
fn a_dangling_reference_is_a_warning_naming_the_terminal() {
    let text = feeder("").replacen("\"#_n5\"", "\"#_nowhere\"", 1);
    let (net, r) = ok(&text);
    assert_warned(
        &r,
        &[
            "Terminal l2_t2",
            "ConnectivityNode nowhere is not in the file",
        ],
    );
    assert_warned(
        &r,
        &["line.l2", "1 of its terminals on a connectivity node"],
    );
    assert_warned(&r, &["load.c2", "no path to the source"]);
    assert_eq!(net.customers().len(), 1);
}

#[test]
fn a_terminal_on_no_node_is_a_warning() {
    let text = feeder("").replace(
        "  <cim:Terminal.ConnectivityNode rdf:resource=\"#_n3\"/>\n",
        "",
    );
    let (_, r) = ok(&text);
    assert_warned(&r, &["Terminal", "no ConnectivityNode"]);
    assert_eq!(r.customers, 1);
    let line = r.warning_list[0].at.line;
    assert!(line > 1, "the warning names the terminal's line");
}

#[test]
fn equipment_without_terminals_is_a_warning() {
    let (_, r) = ok(&feeder(&obj("Fuse", "f9", "F9", "")));
    assert_eq!(messages(&r), ["fuse.f9: no terminals, left out"]);
    assert_eq!(r.fuses, 1);
}

#[test]
fn a_duplicate_mrid_keeps_the_first_object() {
    let (net, r) = ok(&feeder(&obj("ACLineSegment", "l1", "other", "")));
    assert_eq!(
        messages(&r),
        ["ACLineSegment l1: duplicate mRID, left out (the first object with it is kept)"]
    );
    assert!(net.element_by_name("line.l1").is_some());
    assert!(net.element_by_name("line.other").is_none());
}

#[test]
fn a_name_met_twice_names_the_second_by_its_mrid() {
    let text = feeder("").replace(">c2<", ">c1<");
    let (net, r) = ok(&text);
    assert_eq!(
        messages(&r),
        ["load.c1: name taken before, this one is load.c2"]
    );
    assert_eq!(net.customers().len(), 2);
}

#[test]
fn unknown_classes_are_counted_and_skipped() {
    let extra = "<cim:LinearShuntCompensator rdf:ID=\"_cap\"/>\n<cim:Foo rdf:ID=\"_foo\"><cim:Foo.bar>1</cim:Foo.bar></cim:Foo>\n";
    let extra = format!("{extra}{}", terminal("cap", 1, "n2"));
    let (_, r) = ok(&feeder(&extra));
    assert_eq!(
        r.warning_list,
        vec![],
        "a terminal of skipped equipment is no warning"
    );
    assert_eq!(r.skipped.get("Foo"), Some(&1));
    assert_eq!(r.skipped.get("LinearShuntCompensator"), Some(&1));
}

#[test]
fn xml_that_breaks_off_after_the_source_is_a_partial_model() {
    let text = feeder("");
    let cut = &text[..text.find("<cim:Fuse").unwrap() + 12];
    assert!(is_malformed(cut), "refused by default");
    let (net, r) = ok_partial(cut);
    assert_warned(&r, &["malformed XML", "the rest of the file is left out"]);
    assert_eq!(net.customers().len(), 1);
}

#[test]
fn xml_that_breaks_off_before_the_source_is_an_error() {
    let text = feeder("");
    let cut = text.find("<cim:EnergySource").unwrap() + 5;
    match import_cim_str_with(&text[..cut], &partial()) {
        Err(ImportError::Cim(CimError::Malformed { at, .. })) => assert!(at.line > 1),
        other => panic!("{:?}", other.map(|x| x.1)),
    }
}

#[test]
fn a_model_without_a_source_is_an_error() {
    let text = feeder("").replace("EnergySource", "Bogus");
    assert!(matches!(
        import_cim_str(&text),
        Err(ImportError::Cim(CimError::NoSource { .. }))
    ));
    for junk in ["", "not xml at all", "<a/>", "\u{0}\u{1}<<<>>>"] {
        assert!(
            matches!(import_cim_str(junk), Err(ImportError::Cim(_))),
            "{junk:?}"
        );
    }
}

#[test]
fn an_entity_bomb_is_refused_at_once() {
    let mut dtd = String::from("<!DOCTYPE rdf:RDF [\n<!ENTITY a0 \"lol\">\n");
    for i in 1..10 {
        let prev = format!("&a{};", i - 1);
        dtd += &format!("<!ENTITY a{i} \"{}\">\n", prev.repeat(10));
    }
    dtd += "]>\n";
    let text = feeder("")
        .replacen("<rdf:RDF", &format!("{dtd}<rdf:RDF"), 1)
        .replace(">c1<", ">&a9;<");
    let t0 = Instant::now();
    match import_cim_str(&text) {
        Err(ImportError::Cim(CimError::Malformed { message, .. })) => {
            assert!(message.contains("DTD"), "{message}")
        }
        other => panic!("{:?}", other.map(|x| x.1)),
    }
    assert!(t0.elapsed() < Duration::from_secs(1));
}

#[test]
fn an_entity_is_never_expanded_nor_a_file_read() {
    let text = feeder("").replace(">c1<", ">&xxe;<");
    let (net, r) = ok(&text);
    assert_warned(
        &r,
        &["IdentifiedObject.name holds &xxe;, which is not expanded"],
    );
    // The name is what is left of the text: empty, so the consumer is named by its id.
    assert!(net.customer_by_name("load.c1").is_some());
    let external = "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n";
    let text = feeder("").replacen("<rdf:RDF", &format!("{external}<rdf:RDF"), 1);
    assert!(matches!(
        import_cim_str(&text),
        Err(ImportError::Cim(CimError::Malformed { .. }))
    ));
}

#[test]
fn an_item_over_the_bound_stops_the_reading() {
    let huge = "x".repeat(2 << 20);
    let text = feeder(&obj("ACLineSegment", "big", &huge, ""));
    assert!(is_malformed(&text));
    let (net, r) = ok_partial(&text);
    assert_warned(&r, &["longer than 1048576 bytes"]);
    assert_eq!(net.customers().len(), 2);
}

#[test]
fn deep_nesting_stops_the_reading() {
    let deep = format!("{}{}", "<x>".repeat(200), "</x>".repeat(200));
    let text = feeder(&obj("Foo", "deep", "d", &deep));
    assert!(is_malformed(&text));
    let (_, r) = ok_partial(&text);
    assert_warned(&r, &["nested deeper than 64"]);
}

#[test]
fn a_loop_is_opened_at_a_switchable_element_with_a_warning() {
    // The tie closes the loop n1-n2-n5-n4: it is opened at the fuse, the loop's one
    // switchable element, and the fused lateral is fed through the tie.
    let (net, r) = ok(&feeder(&two("ACLineSegment", "tie", "n5", "n2", "")));
    assert_eq!(
        messages(&r),
        [
            "line.fuse.f1: closes a loop (buses n1 and n4 are fed along other paths too), treated as open"
        ]
    );
    assert!(
        net.element(net.element_by_name("line.fuse.f1").unwrap())
            .normally_open
    );
    assert_eq!(
        chain(&net, "load.c2"),
        ["load.c2", "breaker.brk", "circuit.src"]
    );
}

#[test]
fn switch_states_normal_open_and_in_service() {
    let sw = |normal: &str, open: &str| {
        two(
            "LoadBreakSwitch",
            "sw",
            "n5",
            "n2",
            &format!(
                "  <cim:Switch.normalOpen>{normal}</cim:Switch.normalOpen>\n  <cim:Switch.open>{open}</cim:Switch.open>\n"
            ),
        )
    };
    let (net, r) = ok(&feeder(&sw("true", "true")));
    assert_eq!(r.warning_list, vec![]);
    assert_eq!((r.switches, r.open_switches), (1, 1));
    assert!(net.outage_device_by_name("switch.sw").is_some());
    let (_, r) = ok(&feeder(&sw("true", "false")));
    assert_eq!(
        messages(&r),
        ["switch.sw: closed now but normally open; the normal state is used"]
    );
    let out = "  <cim:Equipment.normallyInService>false</cim:Equipment.normallyInService>\n";
    let text = feeder("").replace(
        "<cim:IdentifiedObject.name>l2</cim:IdentifiedObject.name>\n",
        &format!("<cim:IdentifiedObject.name>l2</cim:IdentifiedObject.name>\n{out}"),
    );
    let (net, r) = ok(&text);
    assert!(
        net.element(net.element_by_name("line.l2").unwrap())
            .normally_open
    );
    assert_warned(&r, &["load.c2", "no path to the source"]);
}

#[test]
fn bad_values_are_warnings_naming_the_property() {
    let text = feeder("").replace(
        "<cim:ACDCTerminal.sequenceNumber>1</cim:ACDCTerminal.sequenceNumber>",
        "<cim:ACDCTerminal.sequenceNumber>one</cim:ACDCTerminal.sequenceNumber>",
    );
    let (_, r) = ok(&text);
    assert_warned(
        &r,
        &[
            "Terminal",
            "ACDCTerminal.sequenceNumber \"one\" is not a whole number",
        ],
    );
}

#[test]
fn a_missing_file_or_a_folder_is_refused() {
    assert!(matches!(
        import_cim("/nonexistent/model.xml"),
        Err(ImportError::Io { .. })
    ));
    assert!(matches!(
        import_cim(std::env::temp_dir()),
        Err(ImportError::NotAFile { .. })
    ));
    let small = ImportOptions {
        max_file_bytes: 1000,
        ..ImportOptions::default()
    };
    assert!(matches!(
        import_cim_str_with(&feeder(""), &small),
        Err(ImportError::FileTooLarge { limit: 1000, .. })
    ));
}

#[test]
fn invalid_utf8_stops_the_reading() {
    let mut bytes = feeder("").into_bytes();
    let at = String::from_utf8_lossy(&bytes).find(">c2<").unwrap() + 1;
    bytes[at] = 0xff;
    let path = scratch_file();
    std::fs::write(&path, &bytes).unwrap();
    let refused = import_cim(&path);
    let partial = import_cim_with(&path, &partial());
    let _ = std::fs::remove_file(&path);
    assert!(matches!(
        refused,
        Err(ImportError::Cim(CimError::Malformed { .. }))
    ));
    let (_, r) = partial.unwrap();
    assert_warned(&r, &["malformed XML", "in EnergyConsumer c2"]);
}

#[test]
fn every_switch_class_and_a_transformer_by_its_tanks() {
    // A disconnector, a sectionaliser and a jumper in series on the fused lateral,
    // and a single-tank transformer whose terminals name the tank, with its voltages
    // in the tank's catalogue entry.
    let mut extra = String::new();
    for n in ["n6", "n7", "n8", "n9", "n10"] {
        extra += &node(n);
    }
    extra += &two("Disconnector", "d1", "n5", "n6", "");
    extra += &two("Sectionaliser", "s1", "n6", "n7", "");
    extra += &two("Jumper", "j1", "n7", "n8", "");
    extra += &obj("PowerTransformer", "t2", "t2", "");
    extra += &obj(
        "TransformerTank",
        "t2a",
        "t2a",
        "  <cim:TransformerTank.PowerTransformer rdf:resource=\"#_t2\"/>\n  \
         <cim:TransformerTank.TransformerTankInfo rdf:resource=\"#_info\"/>\n",
    );
    extra += &obj("TransformerTankInfo", "info", "info", "");
    for (k, u) in [(1, 7200), (2, 120)] {
        extra += &obj(
            "TransformerEndInfo",
            &format!("info{k}"),
            "x",
            &format!(
                "  <cim:TransformerEndInfo.TransformerTankInfo rdf:resource=\"#_info\"/>\n  \
                 <cim:TransformerEndInfo.endNumber>{k}</cim:TransformerEndInfo.endNumber>\n  \
                 <cim:TransformerEndInfo.ratedU>{u}</cim:TransformerEndInfo.ratedU>\n  \
                 <cim:TransformerEndInfo.ratedS>25000</cim:TransformerEndInfo.ratedS>\n"
            ),
        );
        extra += &obj(
            "TransformerTankEnd",
            &format!("t2e{k}"),
            "x",
            &format!(
                "  <cim:TransformerTankEnd.TransformerTank rdf:resource=\"#_t2a\"/>\n  \
                 <cim:TransformerEnd.endNumber>{k}</cim:TransformerEnd.endNumber>\n  \
                 <cim:TransformerEnd.Terminal rdf:resource=\"#_t2a_t{k}\"/>\n"
            ),
        );
    }
    // The terminals name the tank, not the transformer.
    extra += &terminal("t2a", 1, "n8");
    extra += &terminal("t2a", 2, "n9");
    extra += &one("EnergyConsumer", "c3", "n9", "");
    let (net, r) = ok(&feeder(&extra));
    assert_eq!(r.warning_list, vec![]);
    assert_eq!(
        (r.switches, r.transformers, r.distribution_transformers),
        (2, 2, 2)
    );
    assert_eq!(
        chain(&net, "load.c3"),
        [
            "load.c3",
            "transformer.t2",
            "switch.s1",
            "switch.d1",
            "fuse.f1",
            "breaker.brk",
            "circuit.src"
        ]
    );
    let t2 = net.element(net.element_by_name("transformer.t2").unwrap());
    assert_eq!(
        (t2.lowest_kv, t2.rated_kv, t2.rated_kva),
        (Some(0.12), Some(7.2), Some(25.0))
    );
    assert!(net.element_by_name("jumper.j1").is_some());
}
