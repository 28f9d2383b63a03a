//! Random alloc / grow / shrink / free / nested frame sequences through the frame arena's
//! `Allocator` interface: the model of `tests/common/arena_model.rs` checks that live blocks never
//! overlap, stay aligned and in bounds, keep their contents until their frame ends, and that every
//! frame rewinds exactly.
#![no_main]

#[path = "../../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::arena_model::{run_frames, ArenaOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<ArenaOp>| run_frames(&ops));
