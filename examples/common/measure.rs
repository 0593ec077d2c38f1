//! What a stage of an example cost: processor time and resident memory, read from
//! `/proc` (Linux; `None` elsewhere). On a shared machine processor time is the
//! steadier figure than the wall clock.
// Each example uses the parts it needs.
#![allow(dead_code)]

/// A field of `/proc/self/status` in kB, e.g. `"VmHWM:"` or `"VmRSS:"`.
fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The process's peak resident size so far (VmHWM), bytes.
pub fn peak_resident_bytes() -> Option<u64> {
    status_kb("VmHWM:").map(|kb| kb * 1024)
}

/// The process's resident size now (VmRSS), bytes.
pub fn resident_bytes() -> Option<u64> {
    status_kb("VmRSS:").map(|kb| kb * 1024)
}

/// The processor time the process has spent so far, user and system, all threads,
/// seconds (fields 14 and 15 of `/proc/self/stat`, in ticks of 1/100 s).
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces: fields are counted after its closing ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut f = rest.split_whitespace().skip(11);
    let user: f64 = f.next()?.parse().ok()?;
    let system: f64 = f.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The time the calling thread has run on a processor, seconds
/// (`/proc/thread-self/schedstat`, in nanoseconds).
pub fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}
