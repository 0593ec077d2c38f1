//! A generated day as files: the event file an engine reads and the truth it is scored
//! against.

use std::io::Write;

use super::Truth;
use crate::evidence::{Event, Evidence};
use crate::ids::{CustomerId, OutageDeviceId};
use crate::network::{DeviceKind, Network, OutageDeviceKind};
use crate::service::SupplyTable;
use crate::time::Timestamp;

/// A generated scenario: the events in file order and the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The events, in the order of the event file (late AMI rows come after rows with
    /// later times).
    pub events: Vec<Event>,
    /// What happened.
    pub truth: Truth,
    /// For each event, whether its row leaves out the `load.` prefix.
    pub short_names: Vec<bool>,
    /// When each meter truly had no supply, for a simulated head-end: (meter, off,
    /// on; `None` when supply had not returned by the end of the day), by time.
    pub supply: Vec<(CustomerId, Timestamp, Option<Timestamp>)>,
}

impl Scenario {
    /// Writes the event file (`time,kind,id,detail`).
    pub fn write_events_csv(&self, net: &Network, out: &mut impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "time,kind,id,detail")?;
        for (i, e) in self.events.iter().enumerate() {
            let short = self.short_names.get(i).copied().unwrap_or(false);
            let cust = |c: CustomerId| {
                let n = net.customer(c).name.as_str();
                if short {
                    n.strip_prefix("load.").unwrap_or(n)
                } else {
                    n
                }
            };
            let dev = |d: OutageDeviceId| net.outage_device_name(d);
            let t = e.time;
            match e.evidence {
                Evidence::Call { customer, detail } => {
                    writeln!(w, "{t},call,{},{}", cust(customer), detail)?
                }
                Evidence::LastGasp { meter } => writeln!(w, "{t},last_gasp,{},", cust(meter))?,
                Evidence::PowerRestore { meter } => {
                    writeln!(w, "{t},power_restore,{},", cust(meter))?
                }
                Evidence::Ping { meter, on } => writeln!(
                    w,
                    "{t},ping,{},{}",
                    cust(meter),
                    if on { "on" } else { "off" }
                )?,
                Evidence::DeviceOpen { device } => writeln!(w, "{t},device_open,{},", dev(device))?,
                Evidence::DeviceClose { device } => {
                    writeln!(w, "{t},device_close,{},", dev(device))?
                }
                Evidence::PlannedOutage { device, end } => {
                    writeln!(w, "{t},planned_outage,{},{end}", dev(device))?
                }
                Evidence::Disconnect { meter } => writeln!(w, "{t},disconnect,{},", cust(meter))?,
                Evidence::Reconnect { meter } => writeln!(w, "{t},reconnect,{},", cust(meter))?,
                Evidence::FaultIndicator { element, passed } => writeln!(
                    w,
                    "{t},fault_indicator,{},{}",
                    net.element(element).name,
                    if passed { "passed" } else { "not_passed" }
                )?,
                Evidence::Tick => writeln!(w, "{t},tick,,")?,
            }
        }
        w.flush()
    }

    /// The supply truth as a head-end reads it.
    pub fn supply_table(&self, net: &Network) -> SupplyTable {
        let mut t = SupplyTable::new(net.customers().len());
        for &(c, off, on) in &self.supply {
            t.add(c, off, on);
        }
        t
    }

    /// Writes the supply file (`meter,off,on`, replay contract version 2).
    pub fn write_supply_csv(&self, net: &Network, out: &mut impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "meter,off,on")?;
        for &(c, off, on) in &self.supply {
            write!(w, "{},{off},", net.customer(c).name)?;
            match on {
                Some(t) => writeln!(w, "{t}")?,
                None => writeln!(w)?,
            }
        }
        w.flush()
    }

    /// Writes `events.csv`, `truth.json` and `supply.csv` into a folder (created if
    /// missing): a scenario folder that `eval/score.py` and `replay --ami` read.
    pub fn write_dir(
        &self,
        net: &Network,
        dir: impl AsRef<std::path::Path>,
    ) -> std::io::Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let mut f = std::fs::File::create(dir.join("events.csv"))?;
        self.write_events_csv(net, &mut f)?;
        let mut f = std::fs::File::create(dir.join("supply.csv"))?;
        self.write_supply_csv(net, &mut f)?;
        let f = std::fs::File::create(dir.join("truth.json"))?;
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, &self.truth).map_err(std::io::Error::other)?;
        writeln!(w)?;
        w.flush()
    }
}

/// The scorer's name for the kind of an outage device.
pub fn scorer_kind(net: &Network, d: OutageDeviceId) -> &'static str {
    match net.outage_device_kind(d) {
        OutageDeviceKind::Service(_) => "load",
        OutageDeviceKind::Transformer(_) => "transformer",
        OutageDeviceKind::Switch(_) => "switch",
        OutageDeviceKind::Source(_) => "circuit",
        OutageDeviceKind::Protective(p) => match net.device(p).kind {
            DeviceKind::Breaker => "relay",
            DeviceKind::Recloser => "recloser",
            DeviceKind::Sectionalizer => "sectionalizer",
            DeviceKind::Fuse => "fuse",
            DeviceKind::Switch => "swtcontrol",
        },
    }
}
