//! The atomics `SyncArena` uses. The loom-tests crate compiles `sync_arena.rs` with its own
//! version of this module (loom's atomics), so loom stays out of this crate's dependencies.

pub(crate) use core::sync::atomic::{AtomicUsize, Ordering};
