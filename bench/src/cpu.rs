//! How much CPU the machine's hypervisor took away during a phase (`steal` in `/proc/stat`).
//! On a shared virtual machine it can be a quarter of the cores, and the figures of a phase
//! only mean something next to it.

use std::fs;

/// The machine's CPU time counters, in clock ticks, at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTimes {
    total: u64,
    steal: u64,
}

impl CpuTimes {
    /// Zero everywhere `/proc/stat` cannot be read; the share then reads as unknown.
    pub fn now() -> Self {
        fs::read_to_string("/proc/stat").ok().and_then(|stat| parse(&stat)).unwrap_or_default()
    }

    /// The share of all CPU time, since `earlier`, that was stolen; None when unknown.
    pub fn steal_since(&self, earlier: &CpuTimes) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total).filter(|t| *t > 0)?;
        Some(self.steal.saturating_sub(earlier.steal) as f64 / total as f64)
    }
}

/// The first line: `cpu user nice system idle iowait irq softirq steal …`.
fn parse(stat: &str) -> Option<CpuTimes> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
    let total = fields.iter().take(8).sum();
    Some(CpuTimes { total, steal: *fields.get(7)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_is_a_share_of_all_ticks() {
        let before = parse("cpu  100 0 50 800 0 0 0 50 0 0\ncpu0 1 2 3").unwrap();
        let after = parse("cpu  200 0 100 900 0 0 0 150 30 0\n").unwrap();
        assert_eq!(after.steal_since(&before), Some(100.0 / 350.0));
        assert_eq!(before.steal_since(&before), None, "no time passed");
        assert!(parse("intr 1 2 3").is_none());
    }
}
