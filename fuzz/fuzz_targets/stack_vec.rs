//! Differential fuzzing of StackVec against std's Vec: the model of `tests/common/differential.rs`
//! (every mutating operation, lying size hints, panicking closures and iterators, conversions,
//! partly consumed and cloned iterators), on two element types (bytes, and a drop-tracking type
//! that fails on any double drop or leak) and two inline budgets (0 and 32 bytes).
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::differential::{run, Op};
use common::Tracked;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (which, ops) = input;
    match which % 4 {
        0 => run::<u8, 0>(&ops),
        1 => run::<u8, 32>(&ops),
        2 => run::<Tracked, 0>(&ops),
        _ => run::<Tracked, 32>(&ops),
    }
});
