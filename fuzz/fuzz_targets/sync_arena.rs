//! Several threads allocating from one `SyncArena` until exhaustion, with layouts from the input:
//! blocks must be disjoint, aligned and intact, and each thread must stop only when its layout
//! truly no longer fits (`tests/common/arena_model.rs`).
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::alloc::Layout;

use common::arena_model::sync_arena_until_exhaustion;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|threads: Vec<(u8, u8)>| {
    let layouts: Vec<Layout> = threads
        .iter()
        .take(4)
        .map(|&(size, align)| Layout::from_size_align(usize::from(size % 96), 1 << (align % 7)).unwrap())
        .collect();
    sync_arena_until_exhaustion(&layouts);
});
