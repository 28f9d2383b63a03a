//! Random alloc / grow / shrink / free / nested frame sequences through the frame arena's
//! `Allocator` interface, in a fixed arena and in a growing one with tiny chunks and a limit:
//! the model of `tests/common/arena_model.rs` checks that live blocks never overlap, stay
//! aligned and inside the arena's memory, keep their contents until their frame ends, that
//! every frame rewinds exactly (across chunks), and that a loop of frames stops taking chunks.
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::arena_model::{run_frames, run_growing, ArenaOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Vec<ArenaOp>, Option<u8>, Option<u16>)| {
    let (ops, first_chunk, limit) = input;
    run_frames(&ops);
    run_growing(&ops, first_chunk.map(usize::from), limit.map(usize::from));
});
