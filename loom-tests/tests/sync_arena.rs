#![cfg(loom)]

use std::alloc::Layout;

use allocator_api2::alloc::Allocator;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use loom_tests::{concurrent_allocs, SyncArena};

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

/// `&SyncArena` as an `Allocator`: one thread grows its block (in place if it is still the most
/// recent, by copying otherwise) while another allocates. The blocks never overlap, the grown
/// block keeps its bytes, and the bump pointer ends exactly past what is live.
#[test]
fn growing_the_last_block_races_with_an_allocation() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(|| {
        let arena = Arc::new(arena());
        let grower = {
            let arena = arena.clone();
            thread::spawn(move || {
                let a: &SyncArena<CAP> = &arena;
                let l4 = Layout::from_size_align(4, 1).unwrap();
                let p = a.allocate(l4).unwrap().cast::<u8>();
                // SAFETY: our 4-byte block.
                unsafe { p.as_ptr().write_bytes(0xA5, 4) };
                let l8 = Layout::from_size_align(8, 1).unwrap();
                // SAFETY: a live block of this arena for `l4`.
                let q = unsafe { a.grow(p, l4, l8) }.map(|q| q.cast::<u8>());
                let q = q.expect("8 + 4 + 8 bytes fit 24");
                // SAFETY: the first 4 bytes were kept by `grow`.
                let kept = unsafe { std::slice::from_raw_parts(q.as_ptr(), 4) };
                assert!(
                    kept.iter().all(|&x| x == 0xA5),
                    "grow lost the block's bytes"
                );
                offset(a, q.as_ptr())
            })
        };
        let other = {
            let arena = arena.clone();
            thread::spawn(move || {
                let a: &SyncArena<CAP> = &arena;
                let p = a.allocate(Layout::from_size_align(8, 1).unwrap()).unwrap();
                offset(a, p.cast::<u8>().as_ptr())
            })
        };
        let g = grower.join().unwrap();
        let o = other.join().unwrap();
        assert!(
            g + 8 <= o || o + 8 <= g,
            "overlap: grown block at {g}, other at {o}"
        );
        let used = arena.used();
        assert!(
            used == 16 || used == 20,
            "in place (16) or moved past a 4-byte hole (20): {used}"
        );
        assert_eq!(
            used,
            g.max(o) + 8,
            "the bump pointer ends past the last block"
        );
    });
}

/// `&SyncArena` as an `Allocator`: one thread shrinks its block and frees it (each reclaims
/// memory only while the block is the most recent) while another allocates and fills a block.
/// Whatever the interleaving, the live block keeps its bytes, an allocation made after it lies
/// past it, and the bump pointer ends exactly past the last live block.
#[test]
fn shrinking_and_freeing_the_last_block_race_with_an_allocation() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(|| {
        let arena = Arc::new(arena());
        let freer = {
            let arena = arena.clone();
            thread::spawn(move || {
                let a: &SyncArena<CAP> = &arena;
                let (l8, l4) = (
                    Layout::from_size_align(8, 1).unwrap(),
                    Layout::from_size_align(4, 1).unwrap(),
                );
                let p = a.allocate(l8).unwrap().cast::<u8>();
                // SAFETY: our 8-byte block.
                unsafe { p.as_ptr().write_bytes(0xA5, 8) };
                // SAFETY: a live block of this arena for `l8`.
                let p = unsafe { a.shrink(p, l8, l4) }.unwrap().cast::<u8>();
                // SAFETY: our 4-byte block; then freed, not used again.
                unsafe {
                    p.as_ptr().write_bytes(0xA5, 4);
                    a.deallocate(p, l4);
                }
            })
        };
        let filler = {
            let arena = arena.clone();
            thread::spawn(move || {
                let a: &SyncArena<CAP> = &arena;
                let q = a.allocate(Layout::from_size_align(8, 1).unwrap()).unwrap();
                let q = q.cast::<u8>().as_ptr();
                // SAFETY: our 8-byte block, kept live.
                unsafe { q.write_bytes(0x5A, 8) };
                offset(a, q)
            })
        };
        freer.join().unwrap();
        let q = filler.join().unwrap();
        let a: &SyncArena<CAP> = &arena;
        let r = a.allocate(Layout::from_size_align(8, 1).unwrap()).unwrap();
        let r = r.cast::<u8>().as_ptr();
        // SAFETY: the new 8-byte block.
        unsafe { r.write_bytes(0xC3, 8) };
        let r = offset(&arena, r);
        assert!(
            r >= q + 8,
            "a later block at {r} overlaps the live one at {q}"
        );
        let base = a as *const SyncArena<CAP> as *const u8;
        // SAFETY: `q..q + 8` is the filler's live block, inside the arena.
        let kept = unsafe { std::slice::from_raw_parts(base.add(q), 8) };
        assert!(
            kept.iter().all(|&x| x == 0x5A),
            "the live block lost its bytes"
        );
        assert_eq!(
            arena.used(),
            r + 8,
            "the bump pointer ends past the last block"
        );
    });
}

fn offset(a: &SyncArena<CAP>, p: *mut u8) -> usize {
    p as usize - a as *const SyncArena<CAP> as usize
}
