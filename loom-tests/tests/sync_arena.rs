#![cfg(loom)]

use std::alloc::Layout;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom_tests::concurrent_allocs;
use stackfirst::SyncArena;

const CAP: usize = 24;

fn arena() -> SyncArena<CAP> {
    SyncArena::new()
}

#[test]
fn two_threads_get_disjoint_blocks() {
    loom::model(|| {
        concurrent_allocs(arena, offset_alloc, &[8, 12], CAP);
    });
}

#[test]
fn three_threads_get_disjoint_blocks() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(|| {
        concurrent_allocs(arena, offset_alloc, &[8, 8, 8], CAP);
    });
}

#[test]
fn exhaustion_goes_to_exactly_the_threads_that_do_not_fit() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(|| {
        let a = concurrent_allocs(arena, offset_alloc, &[10, 10, 10], CAP);
        assert_eq!(
            a.used(),
            20,
            "two fit, the bump pointer is not corrupted by the refusal"
        );
    });
}

#[test]
fn reset_after_join_leaves_the_arena_empty() {
    loom::model(|| {
        let mut a = concurrent_allocs(arena, offset_alloc, &[8, 16], CAP);
        assert_eq!(a.used(), 24);
        a.reset();
        assert_eq!((a.used(), a.remaining()), (0, CAP));
        assert!(a
            .try_alloc_layout(Layout::from_size_align(CAP, 1).unwrap())
            .is_ok());
    });
}

/// The block's offset from the arena's base.
fn offset_alloc(a: &SyncArena<CAP>, size: usize) -> Result<usize, usize> {
    let base = a as *const SyncArena<CAP> as usize;
    match a.try_alloc_layout(Layout::from_size_align(size, 1).unwrap()) {
        Ok(p) => Ok(p.as_ptr() as usize - base),
        Err(e) => Err(e.remaining()),
    }
}

/// A bump arena with the bug compare-and-swap prevents: read the pointer, then write it.
struct LoadThenStore {
    pos: AtomicUsize,
}

fn broken() -> LoadThenStore {
    LoadThenStore {
        pos: AtomicUsize::new(0),
    }
}

fn broken_alloc(a: &LoadThenStore, size: usize) -> Result<usize, usize> {
    let pos = a.pos.load(Ordering::Acquire);
    if pos + size > CAP {
        return Err(CAP - pos);
    }
    a.pos.store(pos + size, Ordering::Release);
    Ok(pos)
}

#[test]
#[should_panic(expected = "overlapping blocks")]
fn the_model_catches_a_load_then_store_bump() {
    loom::model(|| {
        concurrent_allocs(broken, broken_alloc, &[8, 12], CAP);
    });
}
