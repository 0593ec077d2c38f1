//! The ratings the OpenDSS reader keeps for service restoration: line ampacities (the
//! line's, its line code's, or OpenDSS's defaults, counted), transformer winding
//! voltages, the source's voltage and each load's kW and kvar, with warnings where a
//! model gives none.

use outage_locator::Network;
use outage_locator::network::import_opendss_str;

fn element<'n>(net: &'n Network, name: &str) -> &'n outage_locator::network::Element {
    net.elements()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn load(net: &Network, name: &str) -> (Option<f64>, Option<f64>) {
    let c = net.customer(net.customer_by_name(name).expect("a customer"));
    (c.kw, c.kvar)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
}

/// A line's own ampacity wins over its line code's, a line code's (abbreviated,
/// positional or a braced expression, as IEEE 8500 writes them) is taken, and a line
/// that neither rates gets OpenDSS's 400 A / 600 A, counted by property.
#[test]
fn line_ampacities_come_from_the_line_its_code_or_opendss_defaults() {
    let text = "New Circuit.c bus1=s basekv=12.47\n\
                New Linecode.a nphases=3 normamps=300 emergamps=350\n\
                New Linecode.b nphases=1\n\
                ~ Normamps=156  {156 1.25 *}\n\
                New Line.own bus1=s bus2=a linecode=a normamps=500\n\
                New Line.coded bus1=a bus2=b linecode=a\n\
                New Line.braced bus1=b bus2=c linecode=b\n\
                New Line.bare bus1=c bus2=d\n\
                New Load.l bus1=d kw=1 kvar=0\n";
    let (net, report) = import_opendss_str(text).expect("imports");
    let amps = |name: &str| {
        let e = element(&net, name);
        (e.normal_amps, e.emergency_amps)
    };
    assert_eq!(amps("line.own"), (Some(500.0), Some(350.0)));
    assert_eq!(amps("line.coded"), (Some(300.0), Some(350.0)));
    assert_eq!(amps("line.braced"), (Some(156.0), Some(195.0)));
    assert_eq!(amps("line.bare"), (Some(400.0), Some(600.0)));
    assert_eq!(report.defaulted.get("line normamps"), Some(&1));
    assert_eq!(report.defaulted.get("line emergamps"), Some(&1));
    assert_eq!(report.warning_list, vec![]);
}

/// A line code that is not defined, and a rating that is not a number, are warnings
/// naming the line; the defaults apply.
#[test]
fn an_unknown_line_code_or_an_unreadable_rating_is_a_warning() {
    let text = "New Circuit.c bus1=s basekv=12.47\n\
                New Line.a bus1=s bus2=a linecode=nowhere\n\
                New Line.b bus1=a bus2=b normamps=lots\n\
                New Load.l bus1=b kw=1 kvar=0\n";
    let (net, report) = import_opendss_str(text).expect("imports");
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [2, 3], "{:?}", report.warning_list);
    assert!(
        report.warning_list[0]
            .message
            .contains("unknown linecode nowhere")
    );
    assert!(report.warning_list[1].message.contains("normamps=lots"));
    assert_eq!(element(&net, "line.b").normal_amps, Some(400.0));
}

/// A transformer keeps its highest winding voltage (the primary's) beside its lowest
/// and its kVA, from itself or its code; one without any winding voltage or kVA has
/// none, with a warning for each naming it.
#[test]
fn transformers_keep_their_primary_and_lowest_kv() {
    let text = "New Circuit.c bus1=s basekv=12.47\n\
                New XfmrCode.ct phases=1 windings=3 kvs=[7.2 0.12 0.12] kvas=[25 25 25]\n\
                New Transformer.sub buses=[s a] kvs=[115 12.47] kvas=[5000 5000]\n\
                New Transformer.dist xfmrcode=ct buses=[a x.1 x.2]\n\
                New Transformer.bare buses=[a y]\n\
                New Load.l bus1=x kv=0.24 kw=1 kvar=0\n";
    let (net, report) = import_opendss_str(text).expect("imports");
    let t = element(&net, "transformer.sub");
    assert_eq!(
        (t.rated_kv, t.lowest_kv, t.rated_kva),
        (Some(115.0), Some(12.47), Some(5000.0))
    );
    let t = element(&net, "transformer.dist");
    assert_eq!(
        (t.rated_kv, t.lowest_kv, t.rated_kva),
        (Some(7.2), Some(0.12), Some(25.0))
    );
    assert_eq!((t.normal_amps, t.emergency_amps), (None, None));
    let bare = element(&net, "transformer.bare");
    assert_eq!((bare.rated_kv, bare.rated_kva), (None, None));
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [5, 5], "{:?}", report.warning_list);
}

/// The source's voltage: the circuit's `basekv`, a `Vsource.source` edit of it, or
/// OpenDSS's 115 kV (as IEEE 8500 relies on), counted.
#[test]
fn the_source_voltage_is_the_circuits_its_edit_or_the_default() {
    let body = "New Line.a bus1=s bus2=a\nNew Load.l bus1=a kw=1 kvar=0\n";
    for (head, kv, defaulted) in [
        ("New Circuit.c bus1=s basekv=4.16\n", 4.16, None),
        (
            "New Circuit.c bus1=s basekv=4.16\nEdit Vsource.source basekv=13.2\n",
            13.2,
            None,
        ),
        ("New Circuit.c bus1=s\n~ pu=1.05\n", 115.0, Some(&1)),
    ] {
        let (net, report) = import_opendss_str(&format!("{head}{body}")).expect("imports");
        assert_eq!(net.sources()[0].base_kv, Some(kv), "{head}");
        assert_eq!(report.defaulted.get("circuit basekv"), defaulted, "{head}");
    }
}

/// A load's kW and kvar: from `kw` and `kvar`, `kw` and `pf` (leading when negative),
/// `kw` alone (OpenDSS's 0.88, counted), or `kva` and `pf`; a load with neither `kw`
/// nor `kva` has none, with a warning naming it.
#[test]
fn loads_keep_kw_and_kvar_from_any_pair_the_model_gives() {
    let text = "New Circuit.c bus1=s basekv=12.47\n\
                New Line.a bus1=s bus2=a\n\
                New Load.both bus1=a kw=10 kvar=4\n\
                New Load.pf bus1=a kw=10 pf=0.8\n\
                New Load.leading bus1=a kw=10 pf=-0.8\n\
                New Load.alone bus1=a kw=10\n\
                New Load.kva bus1=a kva=10 pf=0.6\n\
                New Load.none bus1=a\n";
    let (net, report) = import_opendss_str(text).expect("imports");
    assert_eq!(load(&net, "both"), (Some(10.0), Some(4.0)));
    let (kw, kvar) = load(&net, "pf");
    assert!(close(kw, 10.0) && close(kvar, 7.5), "{kw:?} {kvar:?}");
    let (_, kvar) = load(&net, "leading");
    assert!(close(kvar, -7.5), "{kvar:?}");
    let (_, kvar) = load(&net, "alone");
    assert!(
        close(kvar, 10.0 * (1.0 / (0.88f64 * 0.88) - 1.0).sqrt()),
        "{kvar:?}"
    );
    let (kw, kvar) = load(&net, "kva");
    assert!(close(kw, 6.0) && close(kvar, 8.0), "{kw:?} {kvar:?}");
    assert_eq!(load(&net, "none"), (None, None));
    assert_eq!(report.defaulted.get("load pf"), Some(&1));
    let lines: Vec<u32> = report.warning_list.iter().map(|w| w.at.line).collect();
    assert_eq!(lines, [8], "{:?}", report.warning_list);
    assert_eq!(report.customers, 6);
}
