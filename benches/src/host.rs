//! Host-only helpers shared by the benchmark, the allocation counter and the report.

extern crate std;

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use stackfirst::Arena;

use crate::{bulk, minimal, scale, table_cases, u64s, Case, Ctx};

/// The host's cases, in benchmark-id order: the table's (u64 and the 16-byte struct), the bulk
/// inline rows, the floor probe's rows (targets 2 and 3), the at-scale rows, then the strings.
pub fn indexed_cases() -> Vec<(Case, Option<usize>)> {
    table_cases(u64s::CASES)
        .chain(bulk::u64s::cases())
        .chain(bulk::pairs::cases())
        .chain(minimal::U64)
        .chain(minimal::ordered::cases())
        .chain(scale::cases())
        .chain(crate::strings::host_cases())
        .collect()
}

fn leaked_arena(bytes: usize) -> Arena<'static> {
    Arena::from_memory(Box::leak(
        vec![MaybeUninit::uninit(); bytes].into_boxed_slice(),
    ))
}

/// A context that lives for the rest of the process.
pub fn leaked_ctx() -> &'static mut Ctx {
    let micro = Box::leak(Box::new(leaked_arena(1 << 16)));
    Box::leak(Box::new(Ctx::new(leaked_arena(1 << 16), micro)))
}
