//! The frame arena and the Sync arena: allocation, frames, the Allocator impl, exhaustion,
//! drop semantics, and a property test of nested frames.

mod common;

use std::alloc::{GlobalAlloc, Layout};
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use allocator_api2::alloc::Allocator;
use common::arena_model::{run_frames, sync_arena_until_exhaustion, ArenaOp};
use common::{count_heap, live, panic_on_clone, Tracked};
use proptest::prelude::*;
use stackfirst::{Arena, ArenaBuf, Frame, FrameBox, StackVec, SyncArena};

#[global_allocator]
static ALLOC: common::CountingAlloc = common::CountingAlloc;

fn memory<const N: usize>() -> [MaybeUninit<u8>; N] {
    [MaybeUninit::uninit(); N]
}

/// The module docs' example: Go's escaping append loop, spilling into the caller's frame.
fn squares<'a, 'f>(frame: &'a Frame<'f>, n: u64) -> StackVec<u64, 32, &'a Frame<'f>> {
    let mut v = StackVec::new_in(frame);
    v.extend((0..n).map(|x| x * x));
    v
}

#[test]
fn stack_vec_spilling_into_a_frame_makes_no_global_allocation() {
    let mut mem = memory::<4096>();
    let mut arena = Arena::new(&mut mem);
    let (total, heap) = count_heap(|| {
        arena.frame(|f| {
            let small = squares(&f, 3);
            let big = squares(&f, 100);
            assert!(!small.spilled() && big.spilled());
            let exact = big.into_heap_exact(); // stays in the frame
            small.iter().sum::<u64>() + exact.iter().sum::<u64>()
        })
    });
    assert_eq!(total, 5 + 328_350);
    assert_eq!(heap.allocs, 0);
    assert_eq!(arena.used(), 0);
}

#[test]
fn into_heap_exact_in_a_frame_points_into_the_frame() {
    let mut mem = memory::<1024>();
    let base = mem.as_ptr() as usize;
    Arena::new(&mut mem).frame(|f| {
        let mut v: StackVec<u32, 32, &Frame> = StackVec::new_in(&f);
        v.extend([1, 2, 3]);
        let heap = v.into_heap_exact();
        assert_eq!(heap.capacity(), 3);
        let p = heap.as_ptr() as usize;
        assert!((base..base + 1024).contains(&p));
    });
}

#[test]
fn allocator_api2_vec_grows_in_place_at_the_tip() {
    let mut mem = memory::<4096>();
    Arena::new(&mut mem).frame(|f| {
        let mut v = allocator_api2::vec::Vec::<u64, _>::with_capacity_in(4, &f);
        let p = v.as_ptr();
        v.extend(0..100);
        assert_eq!(v.as_ptr(), p, "the last block grows in place");
        assert_eq!(f.used(), v.capacity() * 8);
        drop(v);
        assert_eq!(f.used(), 0, "freeing the last block reclaims it");
    });
}

#[test]
fn growing_a_block_that_is_not_last_copies() {
    let mut mem = memory::<4096>();
    Arena::new(&mut mem).frame(|f| {
        let mut a = allocator_api2::vec::Vec::<u8, _>::with_capacity_in(8, &f);
        a.extend_from_slice(b"abcdefgh");
        let _b = f.alloc(1u8); // now `a` is not last
        let p = a.as_ptr();
        a.push(b'i');
        assert_ne!(a.as_ptr(), p);
        assert_eq!(&a[..], b"abcdefghi");
    });
}

#[test]
fn hashbrown_map_in_a_frame() {
    let mut mem = memory::<16384>();
    let (sum, heap) = count_heap(|| {
        Arena::new(&mut mem).frame(|f| {
            let mut m =
                hashbrown::HashMap::with_hasher_in(hashbrown::DefaultHashBuilder::default(), &f);
            for i in 0..200u32 {
                m.insert(i, i * 2);
            }
            m.values().map(|&v| u64::from(v)).sum::<u64>()
        })
    });
    assert_eq!(sum, 2 * 199 * 200 / 2);
    assert_eq!(heap.allocs, 0);
}

#[test]
fn bumpalo_style_alloc_api() {
    let mut mem = memory::<1024>();
    Arena::new(&mut mem).frame(|f| {
        let a = f.alloc(7u32);
        let b = f.alloc_with(|| [1u8; 3]);
        let c = f.alloc_slice_copy(&[1u16, 2, 3]);
        let d = f.alloc_slice_clone(&["x".to_string(), "y".to_string()]);
        let e = f.alloc_slice_fill_with(4, |i| i as u8 * 10);
        let s = f.alloc_str("frame");
        let l = f.alloc_layout(Layout::from_size_align(10, 64).unwrap());
        assert_eq!(
            (*a, *b, &*c, &*e, &*s),
            (
                7,
                [1; 3],
                &[1u16, 2, 3][..],
                &[0u8, 10, 20, 30][..],
                "frame"
            )
        );
        assert_eq!(d.join(","), "x,y");
        assert_eq!(l.as_ptr() as usize % 64, 0);
        assert!(f.used() >= 4 + 3 + 6 + 48 + 4 + 5 + 10);
        assert_eq!(f.used() + f.remaining(), f.capacity());
    });
}

#[test]
fn frame_box_runs_drop_and_leak_opts_out() {
    let mut mem = memory::<1024>();
    Arena::new(&mut mem).frame(|f| {
        let a = f.alloc(Tracked::new(1));
        let b = f.alloc_slice_fill_with(3, |i| Tracked::new(i as u64));
        assert_eq!(live(), 4);
        drop(a);
        drop(b);
        assert_eq!(live(), 0);
        let leaked: &mut Tracked = FrameBox::leak(f.alloc(Tracked::new(2)));
        assert_eq!(leaked.value, 2);
        let inner = FrameBox::into_inner(f.alloc(Tracked::new(3)));
        assert_eq!(live(), 2);
        drop(inner);
    });
    // The leaked value's destructor never ran, on purpose; clean the tracker's books.
    assert_eq!(live(), 1);
}

#[test]
fn clone_panicking_in_alloc_slice_clone_drops_the_clones() {
    let mut mem = memory::<1024>();
    let mut arena = Arena::new(&mut mem);
    let src: Vec<Tracked> = (0..5).map(Tracked::new).collect();
    for k in 1..=5 {
        panic_on_clone(k);
        let r = catch_unwind(AssertUnwindSafe(|| {
            arena.frame(|f| drop(f.alloc_slice_clone(&src)))
        }));
        assert!(r.is_err());
        assert_eq!(live(), 5, "only the source is alive");
        assert_eq!(arena.used(), 0, "a panicking frame still rewinds");
    }
}

#[test]
fn nested_frames_rewind_exactly() {
    let mut mem = memory::<1024>();
    let mut arena = Arena::new(&mut mem);
    arena.frame(|mut f| {
        let x = f.alloc(1u64);
        let mark = f.used();
        f.frame(|mut g| {
            g.alloc([0u8; 100]);
            let inner = g.used();
            g.frame(|h| {
                h.alloc([0u8; 100]);
            });
            assert_eq!(g.used(), inner);
            assert_eq!(*x, 1);
        });
        assert_eq!(f.used(), mark);
        let mut guard = f.frame_guard();
        guard.frame().alloc([0u8; 50]);
        drop(guard);
        assert_eq!(f.used(), mark);
    });
    assert_eq!(arena.used(), 0);
}

#[test]
fn exhaustion_is_an_error_or_a_clear_panic() {
    let mut mem = memory::<64>();
    let mut arena = Arena::new(&mut mem);
    arena.frame(|f| {
        f.alloc([0u8; 60]);
        let e = f.try_alloc(0u64).unwrap_err();
        assert_eq!((e.layout(), e.remaining()), (Layout::new::<u64>(), 4));
        assert!(f.try_alloc_str("hello").is_err());
        assert!(f.try_alloc_slice_copy(&[0u32; 2]).is_err());
        assert!(f.try_alloc_with(|| 0u64).is_err());
        let p = f.try_alloc(1u32).unwrap(); // the failures consumed nothing
        assert_eq!(*p, 1);
    });
    let r = catch_unwind(AssertUnwindSafe(|| {
        arena.frame(|f| drop(f.alloc([0u8; 65])))
    }));
    let msg = r.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(
        *msg,
        "arena exhausted: requested 65 bytes (align 1), 64 remaining"
    );
}

#[test]
fn zero_sized_huge_and_overaligned_layouts() {
    let mut mem = memory::<8192>();
    Arena::new(&mut mem).frame(|f| {
        for align in [1, 2, 8, 64, 4096] {
            let zero = f.alloc_layout(Layout::from_size_align(0, align).unwrap());
            assert_eq!(zero.as_ptr() as usize % align, 0);
            let one = f.alloc_layout(Layout::from_size_align(1, align).unwrap());
            assert_eq!(one.as_ptr() as usize % align, 0);
        }
        let used = f.used();
        for size in [usize::MAX / 2, isize::MAX as usize - 4096, 8193] {
            let l = Layout::from_size_align(size.min(isize::MAX as usize - 4095), 4096).unwrap();
            assert!(f.try_alloc_layout(l).is_err());
        }
        assert!(f.try_alloc_slice_fill_with(usize::MAX, |_| 0u64).is_err());
        assert!(f
            .try_alloc_slice_fill_with(usize::MAX / 2, |_| 0u16)
            .is_err());
        assert_eq!(f.used(), used, "failed requests consumed nothing");
        let units = f.alloc_slice_fill_with(1_000_000, |_| ());
        assert_eq!(units.len(), 1_000_000);
        assert_eq!(f.used(), used);
    });
}

#[test]
fn a_childs_handle_never_frees_or_resizes_the_parents_blocks() {
    // Bump-scope's advisory class: a parent's block freed or grown while a child is alive.
    // Through the safe API it does not compile (see `Frame`'s compile_fail doctest); through
    // the raw trait on a child handle it is refused at run time by the frame's mark.
    let mut mem = memory::<1024>();
    Arena::new(&mut mem).frame(|mut f| {
        let layout = Layout::new::<[u8; 16]>();
        let parent_block = f.allocate(layout).unwrap().cast::<u8>();
        // SAFETY: the block is 16 bytes, ours.
        unsafe { parent_block.as_ptr().write_bytes(0xAB, 16) };
        f.frame(|g| {
            // SAFETY (for the test): misuse on purpose; the frame must ignore it.
            unsafe { g.deallocate(parent_block, layout) };
            // SAFETY: as above.
            let grown = unsafe { g.grow(parent_block, layout, Layout::new::<[u8; 32]>()) }.unwrap();
            assert_ne!(
                grown.cast::<u8>(),
                parent_block,
                "not grown in place over the child"
            );
            let child_block = g.allocate(layout).unwrap().cast::<u8>();
            // SAFETY: writing the child's own fresh block.
            unsafe { child_block.as_ptr().write_bytes(0xCD, 16) };
        });
        // SAFETY: reading the parent's block, still live.
        let bytes = unsafe { std::slice::from_raw_parts(parent_block.as_ptr(), 16) };
        assert!(bytes.iter().all(|&b| b == 0xAB));
    });
}

#[test]
fn arena_buf_in_a_static_is_taken_once() {
    static BUF: ArenaBuf<256> = ArenaBuf::new();
    let mut arena = BUF.take().unwrap();
    assert!(BUF.take().is_none());
    arena.frame(|f| assert_eq!(*f.alloc(3u16), 3));
    let mut local = ArenaBuf::<32>::new();
    let mut a = local.arena();
    a.frame(|f| assert!(f.try_alloc([0u8; 33]).is_err()));
}

// ---- SyncArena ----

#[test]
fn sync_arena_threads_get_disjoint_blocks_until_exhaustion() {
    let layouts: Vec<Layout> = (0..4)
        .map(|t| Layout::from_size_align(8 + t * 4, 1 << t).unwrap())
        .collect();
    sync_arena_until_exhaustion(&layouts);
}

#[test]
fn sync_arena_as_global_alloc_reclaims_and_grows_the_last_block() {
    let mut arena = SyncArena::<256>::new();
    let l8 = Layout::from_size_align(8, 8).unwrap();
    // SAFETY: standard GlobalAlloc use; every pointer is used within its size.
    unsafe {
        let a = GlobalAlloc::alloc(&arena, l8);
        a.write_bytes(1, 8);
        let a2 = GlobalAlloc::realloc(&arena, a, l8, 64);
        assert_eq!(a2, a, "last block grows in place");
        assert_eq!(arena.used(), 64);
        let b = GlobalAlloc::alloc(&arena, l8);
        let a3 = GlobalAlloc::realloc(&arena, a2, Layout::from_size_align(64, 8).unwrap(), 128);
        assert_ne!(a3, a2, "not last: moved");
        assert_eq!(std::slice::from_raw_parts(a3, 8), &[1; 8]);
        GlobalAlloc::dealloc(&arena, a3, Layout::from_size_align(128, 8).unwrap());
        assert_eq!(arena.used(), 72, "the last block was reclaimed");
        assert!(GlobalAlloc::alloc(&arena, Layout::from_size_align(1024, 8).unwrap()).is_null());
        let _ = b;
    }
    arena.reset();
    assert_eq!(arena.used(), 0);
}

// ---- property test: nested frames through the Allocator API (model shared with the fuzzer) ----

fn op() -> impl Strategy<Value = ArenaOp> {
    prop_oneof![
        4 => (0usize..96, 0u8..8).prop_map(|(s, a)| ArenaOp::Alloc(s, a)),
        2 => (0usize..40).prop_map(ArenaOp::AllocSlice),
        2 => (0usize..8, 1usize..64).prop_map(|(i, n)| ArenaOp::Grow(i, n)),
        1 => (0usize..8, 0usize..64).prop_map(|(i, n)| ArenaOp::Shrink(i, n)),
        2 => (0usize..8).prop_map(ArenaOp::Dealloc),
        2 => Just(ArenaOp::Enter),
        2 => Just(ArenaOp::Exit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn nested_frames_keep_blocks_disjoint_aligned_and_intact(ops in proptest::collection::vec(op(), 1..120)) {
        run_frames(&ops);
    }
}
