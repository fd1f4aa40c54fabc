//! CPU time and minor page faults of the calling thread, for the bench's per-call split.
//!
//! wasmtime runs the guest on the thread that calls it, so the usage of that thread around one
//! call is the call's: user time (the guest's code and the host's), system time (the kernel
//! mapping, faulting in and tearing down a fresh instance's memory) and minor page faults (pages
//! touched for the first time). Linux only (`RUSAGE_THREAD`); elsewhere there is no split.

use serde::Serialize;

/// One call's usage, or the average of many.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct CpuPerCall {
    pub user_us: f64,
    pub system_us: f64,
    pub minor_faults: f64,
}

/// A reading of the thread's counters.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    user_us: i64,
    system_us: i64,
    minor_faults: i64,
}

impl Snapshot {
    /// The calling thread's counters now, or `None` where the system does not give them.
    #[cfg(target_os = "linux")]
    pub fn now() -> Option<Self> {
        use nix::sys::resource::{UsageWho, getrusage};
        use nix::sys::time::TimeValLike as _;
        let usage = getrusage(UsageWho::RUSAGE_THREAD).ok()?;
        Some(Self {
            user_us: usage.user_time().num_microseconds(),
            system_us: usage.system_time().num_microseconds(),
            minor_faults: usage.minor_page_faults(),
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn now() -> Option<Self> {
        None
    }
}

/// Sums the usage of many calls of one module.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    calls: u64,
    user_us: i64,
    system_us: i64,
    minor_faults: i64,
    /// A call without both readings makes the whole tally unknown.
    incomplete: bool,
}

impl Tally {
    pub fn add(&mut self, before: Option<Snapshot>, after: Option<Snapshot>) {
        let (Some(before), Some(after)) = (before, after) else {
            self.incomplete = true;
            return;
        };
        self.calls += 1;
        self.user_us += after.user_us - before.user_us;
        self.system_us += after.system_us - before.system_us;
        self.minor_faults += after.minor_faults - before.minor_faults;
    }

    /// The average per call, when every call was read.
    pub fn per_call(&self) -> Option<CpuPerCall> {
        if self.incomplete || self.calls == 0 {
            return None;
        }
        let n = self.calls as f64;
        Some(CpuPerCall {
            user_us: self.user_us as f64 / n,
            system_us: self.system_us as f64 / n,
            minor_faults: self.minor_faults as f64 / n,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(user_us: i64, system_us: i64, minor_faults: i64) -> Option<Snapshot> {
        Some(Snapshot { user_us, system_us, minor_faults })
    }

    #[test]
    fn a_tally_averages_the_differences() {
        let mut t = Tally::default();
        assert_eq!(t.per_call(), None);
        t.add(at(100, 10, 5), at(160, 30, 9));
        t.add(at(500, 50, 50), at(520, 60, 52));
        assert_eq!(t.per_call(), Some(CpuPerCall { user_us: 40.0, system_us: 15.0, minor_faults: 3.0 }));
        t.add(None, at(1, 1, 1));
        assert_eq!(t.per_call(), None, "one unread call makes the average unknown");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_counters_move_with_work_and_fresh_pages() {
        let before = Snapshot::now().unwrap();
        // Touch 64 fresh pages and spin a little.
        let mut pages = vec![0u8; 64 * 4096];
        for i in (0..pages.len()).step_by(4096) {
            pages[i] = 1;
        }
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        std::hint::black_box(&pages);
        let after = Snapshot::now().unwrap();
        let mut t = Tally::default();
        t.add(Some(before), Some(after));
        let per = t.per_call().unwrap();
        assert!(per.minor_faults >= 1.0, "{per:?}");
        assert!(per.user_us + per.system_us > 0.0, "{per:?}");
    }
}
