//! Differential fuzzing of StackString against std's String: the model of
//! `tests/common/string_model.rs` (every mutating method, indices inside multi-byte chars and
//! past the end with their panics compared, invalid UTF-8 through `from_utf8`, a panicking
//! `retain`, the move to the heap), for three inline budgets (0, 8 and 32 bytes), each spilling
//! into the global heap, a layout-checking allocator and an arena frame.
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::string_model::{run_all, StrOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, Vec<StrOp>)| {
    let (which, ops) = input;
    match which % 3 {
        0 => run_all::<0>(&ops),
        1 => run_all::<8>(&ops),
        _ => run_all::<32>(&ops),
    }
});
