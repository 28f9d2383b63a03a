//! Differential fuzzing of StackVec against std's Vec: the model of `tests/common/differential.rs`
//! (every mutating operation, lying size hints, panicking closures and iterators, conversions,
//! partly consumed and cloned iterators), on bytes and a drop-tracking type (that fails on any
//! double drop or leak) with inline budgets of 0 and 32 bytes, and on the property tests' odd
//! element types: zero-sized (0 and 32 bytes; and one with drop glue, counted), 64-byte-aligned
//! (64), a 16-byte pair (32: two inline) and `String` (32: one inline). Each input runs three
//! times: spilling into the global heap, into a ledger that checks every block is freed once
//! with its layout, and into an arena frame.
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::differential::{run_all as run, Op};
use common::{Aligned, Pair, Tracked, Zst};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (which, ops) = input;
    match which % 10 {
        0 => run::<u8, 0>(&ops),
        1 => run::<u8, 32>(&ops),
        2 => run::<Tracked, 0>(&ops),
        3 => run::<Tracked, 32>(&ops),
        4 => run::<(), 0>(&ops),
        5 => run::<(), 32>(&ops),
        6 => run::<Aligned, 64>(&ops),
        7 => run::<Pair, 32>(&ops),
        8 => run::<String, 32>(&ops),
        _ => run::<Zst, 0>(&ops),
    }
});
