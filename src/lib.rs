//! **Stack-first allocation for Rust, after Go 1.25/1.26.**
//!
//! Go's compiler keeps a 32-byte buffer in the stack frame: `make([]T, 0, n)` with a run-time
//! `n` uses it when the data fits, an append loop grows inside it before touching the heap, and
//! a slice that escapes is moved to the heap once, at its exact size (`runtime.move2heap`).
//! Per call, for a small slice:
//!
//! | pattern (fits 32 bytes)          | Go 1.24    | Go 1.26            | stackfirst                         |
//! |----------------------------------|------------|--------------------|------------------------------------|
//! | `make([]T, 0, constant)`         | 0 allocs   | 0 allocs           | [`StackVec::new`]: 0               |
//! | `make([]T, 0, variable)`         | 1 alloc    | 0 allocs           | [`StackVec::with_capacity`]: 0     |
//! | append loop, slice stays local   | 3-4 allocs | 0 allocs           | [`StackVec::push`]: 0              |
//! | append loop, slice returned      | 3-4 allocs | 1 alloc, exact     | [`StackVec::into_heap_exact`]: 1, exact; by value: 0 |
//!
//! * [`StackVec<T, N = 32, A = Global>`](StackVec): `N` bytes of elements inline, then a heap
//!   buffer from any [`allocator_api2`] allocator (std's heap, `bumpalo` with its
//!   `allocator-api2` feature, or this crate's arena frames). **`N` counts bytes, not
//!   elements**: "8 `u32` inline" is `StackVec<u32, { bytes_for::<u32>(8) }>` ([`bytes_for`]),
//!   and `StackVec<u32, 8>` holds two.
//! * [`InlineVec<T, N>`](InlineVec) (`StackVec<T, N, NoHeap>`): never allocates; a full vector
//!   refuses (`try_push` hands the value back, `push` panics). Needs no heap and no `alloc`.
//! * [`StackVec::into_heap_exact`]: the explicit `move2heap`.
//! * [`StackString<N = 32, A = Global>`](StackString): `String`'s API over a `StackVec<u8>`,
//!   Go's stack buffer for strings; [`stack_format!`] and [`stack_concat!`] build one without
//!   allocating when the result fits. Past the budget [`stack_concat!`] allocates once, exactly
//!   (Go's `concatstrings`), and [`stack_format!`] grows as the vector does (doubling from the
//!   budget).
//! * [`Arena`] and its [`Frame`]s: a bump arena that grows by chunks from any allocator, or
//!   works over memory you provide (no heap needed), whose allocations are reclaimed when their
//!   frame ends, as Go reclaims a stack frame; lifetimes keep anything from outliving its frame.
//!   `&Frame` is an allocator, so a `StackVec` can spill into the caller's frame. [`SyncArena`] is its lock-free, thread-safe sibling (and a
//!   bump-only `#[global_allocator]`).
//!
//! # Example
//! ```
//! use stackfirst::StackVec;
//!
//! fn words(line: &str) -> StackVec<&str> {
//!     // Two `&str` (16 bytes each on 64-bit targets; four fit on 32-bit ones) stay in the 32
//!     // inline bytes.
//!     line.split_whitespace().collect()
//! }
//! let w = words("stack first");
//! assert_eq!(w, ["stack", "first"]);
//! assert!(!w.spilled()); // no heap allocation happened
//! ```
//!
//! # Features
//! * `alloc` (default): `StackVec`'s heap path (`Global` is the default allocator) and the
//!   conversions to std's heap types. Without it, for targets with no heap at all, the arenas and
//!   `StackVec` remain (with an explicit allocator: [`NoHeap`] or an arena [`Frame`]).
//! * `std`: `std::io::Write` for `StackVec<u8, N, A>`.
//! * `serde`, `zeroize`, `defmt`: the traits of those crates for `StackVec` and `StackString`.
//! * `spill-report`: per-call-site spill statistics and the inline budget each site needs
//!   (`stackfirst::spill_report()`); absent (no field, no instruction) when off. It adds two
//!   words to every `StackVec` (64 bytes instead of 48 for `StackVec<u64>` on 64-bit targets;
//!   padded to `T`'s alignment if that is larger): enable it in the final binary, not in a
//!   library. Its lock-free table needs atomic compare-and-swap, which some targets lack (the
//!   Cortex-M0's `thumbv6m-none-eabi`, `riscv32imc-unknown-none-elf`): there the feature is a
//!   compile error.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without `alloc` the heap items that the docs link to (`Global`, `into_heap_exact`, ...) do not
// exist; the links are for the documented build (docs.rs: all features).
#![cfg_attr(not(feature = "alloc"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Declares `$item` (generic over `T, const N: usize, A: Allocator`) with `StackVec`'s defaults
/// `N = 32, A = Global` when `alloc` is on. Without it `Global` does not exist, and a default may
/// not precede a parameter without one, so then neither has a default.
macro_rules! with_stack_vec_defaults {
    ($(#[$m:meta])* $vis:vis struct $name:ident<$($lt:lifetime,)? T, const N: usize, A: Allocator> $body:tt) => {
        #[cfg(feature = "alloc")]
        $(#[$m])*
        $vis struct $name<$($lt,)? T, const N: usize = 32, A: Allocator = allocator_api2::alloc::Global> $body
        #[cfg(not(feature = "alloc"))]
        $(#[$m])*
        $vis struct $name<$($lt,)? T, const N: usize, A: Allocator> $body
    };
    // The same for a type without an element type (`StackString`).
    ($(#[$m:meta])* $vis:vis struct $name:ident<const N: usize, A: Allocator> $body:tt) => {
        #[cfg(feature = "alloc")]
        $(#[$m])*
        $vis struct $name<const N: usize = 32, A: Allocator = allocator_api2::alloc::Global> $body
        #[cfg(not(feature = "alloc"))]
        $(#[$m])*
        $vis struct $name<const N: usize, A: Allocator> $body
    };
}

pub mod arena;
mod arena_buf;
mod arena_error;
mod bump;
mod chunk;
mod const_allocator;
mod error;
mod features;
mod frame;
mod frame_box;
mod frame_guard;
#[cfg(feature = "alloc")]
mod into_heap;
mod no_heap;
mod range;
mod raw;
mod region;
#[cfg(feature = "spill-report")]
pub mod spill_report;
#[cfg(all(feature = "spill-report", not(target_has_atomic = "ptr")))]
compile_error!(
    "the `spill-report` feature needs atomic compare-and-swap on pointers \
     (`target_has_atomic = \"ptr\"`), which this target does not have"
);
pub mod stack_string;
mod stack_vec;
#[cfg(target_has_atomic = "ptr")]
mod sync;
#[cfg(target_has_atomic = "ptr")]
mod sync_arena;
mod tip_buf;

pub use allocator_api2;
pub use arena::Arena;
pub use arena_buf::ArenaBuf;
pub use arena_error::{ArenaError, ArenaErrorKind};
pub use const_allocator::ConstAllocator;
pub use error::{TryPushError, TryReserveError, TryReserveErrorKind};
pub use frame::Frame;
pub use frame_box::FrameBox;
pub use frame_guard::FrameGuard;
#[cfg(feature = "alloc")]
pub use into_heap::IntoHeap;
pub use no_heap::{InlineString, InlineVec, NoHeap};
#[cfg(feature = "spill-report")]
pub use spill_report::{spill_report, SiteStats, SpillReport};
pub use stack_string::StackString;
pub use stack_vec::{bytes_for, Drain, ExtractIf, IntoIter, Splice, StackVec};
#[cfg(target_has_atomic = "ptr")]
pub use sync_arena::SyncArena;

/// The README's examples are tested too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
