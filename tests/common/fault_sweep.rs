//! The loop both fault-injection sweeps share (`tests/fault_injection.rs` for the vectors and
//! strings, `tests/arena_fault_injection.rs` for the arena): a fault at its k-th chance for
//! k = 0, 1, ... until it no longer fires, the failures collected, and a summary of what the
//! faults made each operation do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{Debug, Write as _};

/// The tally of a sweep, with fault modes `M` and outcomes `S`.
pub struct Sweep<M, S> {
    runs: usize,
    failures: Vec<String>,
    seen: BTreeMap<&'static str, BTreeSet<(M, S)>>,
}

impl<M: Copy + Ord + Debug, S: Ord + Debug> Sweep<M, S> {
    pub fn new() -> Self {
        Self {
            runs: 0,
            failures: Vec::new(),
            seen: BTreeMap::new(),
        }
    }

    /// The run of an operation without a fault: its result, or `None` with the failure noted.
    pub fn reference<R>(&mut self, at: &str, run: Result<R, String>) -> Option<R> {
        self.runs += 1;
        run.map_err(|e| self.failures.push(format!("{at}, no fault: {e}")))
            .ok()
    }

    /// `run(k)` with the fault in `mode` at its k-th chance, for k = 0, 1, ... (every
    /// `FAULT_INJECTION_STRIDE`-th k: `.ci/run` sets it under valgrind, where a whole sweep
    /// takes minutes) until the fault no longer fires. `run` says whether it fired, and what
    /// the run left, or how it failed.
    pub fn faults(
        &mut self,
        at: &str,
        op: &'static str,
        mode: M,
        limit: usize,
        mut run: impl FnMut(usize) -> Result<(bool, S), String>,
    ) {
        let stride = std::env::var("FAULT_INJECTION_STRIDE").map_or(1, |s| s.parse().unwrap());
        for k in (0..).step_by(stride) {
            self.runs += 1;
            match run(k) {
                Ok((false, _)) => break,
                Ok((true, seen)) => {
                    self.seen.entry(op).or_default().insert((mode, seen));
                }
                Err(e) => self
                    .failures
                    .push(format!("{at}, {mode:?} at call {k}: {e}")),
            }
            if k >= limit {
                self.failures
                    .push(format!("{at}, {mode:?}: more than {limit} calls"));
                break;
            }
        }
    }

    /// Prints the summary under `label`; returns the failures.
    pub fn finish(self, label: &str) -> Vec<String> {
        let mut summary = format!(
            "{label}: {} runs, {} failures\n",
            self.runs,
            self.failures.len()
        );
        for (name, s) in &self.seen {
            let _ = writeln!(summary, "  {label} {name}: {s:?}");
        }
        eprint!("{summary}");
        self.failures
    }
}

pub fn assert_none(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
