//! Host-only helpers shared by the benchmark, the allocation counter and the report.

extern crate std;

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use stackfirst::Arena;

use crate::{empty, host_cases, Case, Ctx};

/// The floor case first (index 0), then every host case: the order benchmark ids refer to.
pub fn indexed_cases() -> Vec<(Case, Option<usize>)> {
    let floor = Case {
        imp: "harness floor",
        pattern: "empty",
        ty: "-",
        run: empty,
    };
    core::iter::once((floor, Some(3)))
        .chain(host_cases())
        .collect()
}

fn leaked_arena(bytes: usize) -> Arena<'static> {
    Arena::new(Box::leak(
        vec![MaybeUninit::uninit(); bytes].into_boxed_slice(),
    ))
}

/// A context that lives for the rest of the process.
pub fn leaked_ctx() -> &'static mut Ctx {
    let micro = Box::leak(Box::new(leaked_arena(1 << 16)));
    Box::leak(Box::new(Ctx::new(leaked_arena(1 << 16), micro)))
}
