//! Model checks of `stackfirst::SyncArena` with loom: every interleaving of two or three threads
//! allocating (and growing, shrinking and freeing) at once. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p loom-tests --release` (without `--cfg loom` there is
//! nothing to run).
//!
//! The crate's own source is compiled here (`#[path]`), with a `sync` module that gives it
//! loom's atomics instead of `core`'s: the code checked is the code shipped, and loom never
//! enters the published crate's dependencies.
//!
//! The harness here is shared by the real arena and by a deliberately broken one (a
//! load-then-store bump instead of compare-and-swap), whose test must fail: that shows the model
//! can catch the bug it is there for.
#![cfg(loom)]

#[path = "../../src/arena_error.rs"]
#[allow(dead_code)]
mod arena_error;
#[path = "../../src/bump.rs"]
#[allow(dead_code)]
mod bump;
#[path = "../../src/sync_arena.rs"]
mod sync_arena;

/// The shim: what `src/sync.rs` gives the crate, from loom.
mod sync {
    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
}

pub use sync_arena::SyncArena;

use loom::sync::Arc;
use loom::thread;

/// Runs `threads` threads that each ask `alloc` for a block of `sizes[t]` bytes (alignment 1) in
/// an arena of `capacity` bytes, and checks that the blocks handed out never overlap, stay in
/// bounds, and that exactly the requests that did not fit were refused. Returns the arena.
pub fn concurrent_allocs<A, F>(
    make: fn() -> A,
    alloc: F,
    sizes: &'static [usize],
    capacity: usize,
) -> A
where
    A: Send + Sync + 'static,
    F: Fn(&A, usize) -> Result<usize, usize> + Send + Sync + Copy + 'static,
{
    let arena = Arc::new(make());
    let handles: Vec<_> = sizes
        .iter()
        .map(|&size| {
            let arena = arena.clone();
            thread::spawn(move || (size, alloc(&arena, size)))
        })
        .collect();
    let results: Vec<(usize, Result<usize, usize>)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();

    let mut granted: Vec<(usize, usize)> = results
        .iter()
        .filter_map(|&(s, r)| r.ok().map(|o| (o, s)))
        .collect();
    granted.sort();
    for w in granted.windows(2) {
        assert!(
            w[0].0 + w[0].1 <= w[1].0,
            "overlapping blocks {:?} and {:?}",
            w[0],
            w[1]
        );
    }
    let end = granted.last().map_or(0, |&(o, s)| o + s);
    assert!(end <= capacity, "a block past the end");
    let used: usize = granted.iter().map(|&(_, s)| s).sum();
    for &(size, r) in &results {
        if let Err(remaining) = r {
            // Refused only if it really did not fit when it asked, and the arena is still full
            // enough that it would not fit now either.
            assert!(
                size > remaining,
                "refused a request of {size} with {remaining} free"
            );
            assert!(size > capacity - used, "refused a request that fits");
        }
    }
    Arc::try_unwrap(arena).ok().expect("all threads joined")
}
