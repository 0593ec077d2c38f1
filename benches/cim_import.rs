//! The CIM XML reader's speed: a 100 k-customer synthetic network written as CIM
//! (`synth::write_cim`) to a file in a temporary folder, imported from that file, and
//! the shared IEEE 123 export for scale.
//!
//!     cargo bench --bench cim_import            # about a minute on two cores
//!     cargo bench --bench cim_import -- --test  # each once, as CI does
//!
//! `cim_import_bytes` reports MB/s of XML; `cim_import_customers` the same import per
//! customer (its time divided by 100 000 is the time per customer).

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use outage_locator::bench::synth::write_cim;
use outage_locator::network::import_cim;

/// Customers of the synthetic network.
const CUSTOMERS: usize = 100_000;

/// The synthetic network written as CIM to a file of its own; its path and size.
fn cim_file() -> (PathBuf, u64) {
    let dir = std::env::temp_dir().join(format!("outage-locator-cim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    let path = dir.join(format!("synthetic-{CUSTOMERS}.xml"));
    let net = common::fresh(CUSTOMERS);
    let file = std::fs::File::create(&path).expect("the temporary folder is writable");
    write_cim(&net, file).expect("the temporary folder is writable");
    let size = std::fs::metadata(&path).expect("just written").len();
    (path, size)
}

fn import(c: &mut Criterion) {
    let (path, size) = cim_file();
    for (group, throughput) in [
        ("cim_import_bytes", Throughput::Bytes(size)),
        (
            "cim_import_customers",
            Throughput::Elements(CUSTOMERS as u64),
        ),
    ] {
        let mut g = c.benchmark_group(group);
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(8))
            .throughput(throughput);
        g.bench_function(format!("synthetic_{CUSTOMERS}"), |b| {
            b.iter_with_large_drop(|| import_cim(black_box(&path)).expect("imports"))
        });
        g.finish();
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }

    let ieee123 = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cim/IEEE123.xml");
    let size = std::fs::metadata(ieee123)
        .expect("the fixture is there")
        .len();
    let mut g = c.benchmark_group("cim_import_bytes");
    g.throughput(Throughput::Bytes(size));
    g.bench_function("ieee123", |b| {
        b.iter_with_large_drop(|| import_cim(black_box(ieee123)).expect("imports"))
    });
    g.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
