//! The frame arena and the Sync arena: allocation, frames, the Allocator impl, exhaustion,
//! drop semantics, and a property test of nested frames.

mod common;

use std::alloc::{GlobalAlloc, Layout};
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use allocator_api2::alloc::{Allocator, Global};
use common::arena_model::{
    run_bump_backed, run_frames, run_growing, sync_arena_until_exhaustion, ArenaOp,
};
use common::backing::TestBacking;
use common::{caught, count_heap, live, panic_message, panic_on_clone, LyingIter, Tracked};
use proptest::prelude::*;
use stackfirst::{Arena, ArenaBuf, ArenaErrorKind, Frame, FrameBox, StackVec, SyncArena};

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
    let mut arena = Arena::from_memory(&mut mem);
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
    Arena::from_memory(&mut mem).frame(|f| {
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
    // Aligned, so that the exact sizes below do not depend on where a byte array lands.
    let mut mem = ArenaBuf::<4096>::new();
    mem.arena().frame(|f| {
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
    Arena::from_memory(&mut mem).frame(|f| {
        let mut a = allocator_api2::vec::Vec::<u8, _>::with_capacity_in(8, &f);
        a.extend_from_slice(b"abcdefgh");
        let _b = f.alloc(1u8); // now `a` is not last
        let p = a.as_ptr();
        a.push(b'i');
        assert_ne!(a.as_ptr(), p);
        assert_eq!(&a[..], b"abcdefghi");
    });
}

/// An arena over memory from a bump allocator, growing from the same allocator: its first chunk
/// starts where the caller's memory ends. While that chunk is current and empty, a block that
/// ended with the caller's memory would end at the bump pointer without being the chunk's last
/// block: growing it in place would make one block of both, and freeing it would move the bump
/// pointer out of the current chunk. So the memory's last byte is never handed out.
#[test]
fn no_block_ends_where_the_next_chunk_starts() {
    let mut outer_mem: ArenaBuf<4096> = ArenaBuf::new();
    outer_mem.arena().frame(|outer| {
        let mem = outer.alloc_slice_fill_copy(256, MaybeUninit::<u8>::uninit());
        let (start, boundary) = (mem.as_ptr() as usize, mem.as_ptr() as usize + 256);
        let mut arena = Arena::from_memory_in(mem, &outer);
        assert_eq!(arena.capacity(), 255);
        arena.frame(|f| {
            // All the caller's memory the arena hands out.
            let mut x: StackVec<u8, 0, &Frame> = StackVec::with_capacity_in(f.remaining(), &f);
            x.push(1);
            assert_eq!((x.as_ptr() as usize, f.remaining()), (start, 0));
            // The first chunk, freed at once: the bump pointer is back at its start.
            let first_in_chunk: StackVec<u8, 0, &Frame> = StackVec::with_capacity_in(1, &f);
            // The test's premise: the first chunk starts at the boundary.
            assert_eq!(first_in_chunk.as_ptr() as usize, boundary);
            drop(first_in_chunk);
            x.extend([3; 300]);
            let (a, b) = (x.as_ptr() as usize, x.as_ptr() as usize + x.capacity());
            assert!(
                b <= boundary || a >= boundary,
                "{a:#x}..{b:#x} spans the boundary {boundary:#x}"
            );
            assert_eq!((x.len(), x[0], x[300]), (301, 1, 3));
            let used = f.used();
            let capacity = x.capacity();
            drop(x);
            assert_eq!(
                f.used(),
                used - capacity,
                "the moved block was the last one"
            );
        });
    });
}

/// A frame that has moved on to a chunk at lower addresses than its mark (the heap below the
/// stack, or a backing allocator that bumps downward, as bumpalo does) still frees and grows
/// its last block in place there.
#[test]
fn the_last_block_is_freed_and_grown_in_place_in_a_chunk_below_the_frames_mark() {
    let bump = bumpalo::Bump::with_capacity(1 << 16);
    let mut arena = Arena::with_capacity_in(256, &bump);
    arena.frame(|f| {
        let mark = &*f.alloc(0u8) as *const u8 as usize;
        let layout = Layout::from_size_align(300, 1).unwrap();
        // Does not fit the first chunk: a second one, below it.
        let p = f.allocate(layout).unwrap().cast::<u8>();
        assert!(
            (p.as_ptr() as usize) < mark,
            "premise: the second chunk is below"
        );
        let used = f.used();
        for _ in 0..100 {
            let q = f.allocate(layout).unwrap().cast::<u8>();
            // SAFETY: allocated just above with this layout, and not used afterwards.
            unsafe { f.deallocate(q, layout) };
        }
        assert_eq!(f.used(), used, "freeing the last block reclaims it");
        let mut v = allocator_api2::vec::Vec::<u8, _>::with_capacity_in(8, &f);
        let at = v.as_ptr();
        v.extend_from_slice(&[1; 64]);
        assert_eq!(v.as_ptr(), at, "the last block grew in place");
        assert_eq!(f.used(), used + v.capacity());
    });
}

/// A closure's frame has a lifetime of its own, yet values that borrow the caller's data go
/// into it: a `FrameBox` is bounded by its value's lifetimes, not the value by the frame's.
#[test]
fn a_closure_frame_holds_values_that_borrow_the_callers_data() {
    let request = String::from("GET /index.html HTTP/1.1");
    let mut arena = Arena::new();
    let (words, method) = arena.frame(|f| {
        let words = f.alloc_iter(request.split(' '));
        let method = f.alloc(&request[..3]);
        let clones = f.alloc_slice_clone(&words);
        assert_eq!(*clones, *words);
        (words.len(), *method == "GET")
    });
    assert_eq!((words, method), (3, true));
}

#[test]
fn hashbrown_map_in_a_frame() {
    let mut mem = memory::<16384>();
    let (sum, heap) = count_heap(|| {
        Arena::from_memory(&mut mem).frame(|f| {
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
    Arena::from_memory(&mut mem).frame(|f| {
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
        assert!(f.used() >= 4 + 3 + 6 + 2 * size_of::<String>() + 4 + 5 + 10);
        assert_eq!(f.used() + f.remaining(), f.capacity());
    });
}

#[test]
fn frame_box_runs_drop_and_leak_opts_out() {
    let mut mem = memory::<1024>();
    Arena::from_memory(&mut mem).frame(|f| {
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
    let mut arena = Arena::from_memory(&mut mem);
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
    let mut arena = Arena::from_memory(&mut mem);
    arena.frame(|mut f| {
        let x = f.alloc(1u64);
        let mark = f.used();
        f.frame(|mut g| {
            let _ = g.alloc([0u8; 100]);
            let inner = g.used();
            g.frame(|h| {
                let _ = h.alloc([0u8; 100]);
            });
            assert_eq!(g.used(), inner);
            assert_eq!(*x, 1);
        });
        assert_eq!(f.used(), mark);
        let mut guard = f.frame_guard();
        let _ = guard.frame().alloc([0u8; 50]);
        drop(guard);
        assert_eq!(f.used(), mark);
    });
    assert_eq!(arena.used(), 0);
}

#[test]
fn exhaustion_is_an_error_or_a_clear_panic() {
    // Aligned, so that the exact sizes below do not depend on where a byte array lands.
    let mut mem = ArenaBuf::<64>::new();
    let mut arena = mem.arena();
    arena.frame(|f| {
        let _full = f.alloc([0u8; 60]);
        let e = f.try_alloc(0u64).unwrap_err();
        assert_eq!((e.layout(), e.remaining()), (Layout::new::<u64>(), 4));
        assert!(f.try_alloc_str("hello").is_err());
        assert!(f.try_alloc_slice_copy(&[0u32; 2]).is_err());
        assert!(f.try_alloc_with(|| 0u64).is_err());
        let p = f.try_alloc(1u32).unwrap(); // the failures consumed nothing
        assert_eq!(*p, 1);
    });
    let mut line = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        arena.frame(|f| {
            line = line!() + 1; // the next statement's
            drop(f.alloc([0u8; 65]));
        })
    }));
    let msg = r.unwrap_err().downcast::<String>().unwrap();
    let (what, at) = msg.split_once(" (at ").unwrap();
    assert_eq!(
        what,
        "arena exhausted: requested 65 bytes (align 1), 64 remaining"
    );
    // The message names the call that failed.
    assert!(at.starts_with(&format!("{}:{line}:", file!())), "{msg}");
}

/// Every panicking allocation method names the caller's line in its message, as `ArenaError`
/// documents (`... (at file:line:column)`: a panic's own location cannot be set from one passed
/// along, so the message carries it).
#[test]
fn allocation_panics_name_the_callers_line() {
    let mut mem = memory::<16>();
    let (n, text, bytes) = (100, "x".repeat(100), [0u8; 100]);
    let mut cases = Vec::new();
    macro_rules! case {
        ($call:expr) => {
            cases.push((
                line!(),
                panic_message(&*caught(|| $call).expect_err("a panic")),
            ))
        };
    }
    Arena::from_memory(&mut mem).frame(|f| {
        case!(f.alloc(bytes));
        case!(f.alloc_with(|| bytes));
        case!(f.alloc_layout(Layout::new::<[u8; 100]>()));
        case!(f.alloc_slice_copy(&bytes));
        case!(f.alloc_slice_clone(&bytes));
        case!(f.alloc_slice_fill_with(n, |_| 0u8));
        case!(f.alloc_str(&text));
        case!(f.alloc_slice_fill_copy(n, 0u8));
        case!(f.alloc_slice_fill_clone(n, &0u8));
        case!(f.alloc_slice_fill_default::<u8>(n));
        case!(f.alloc_iter(bytes)); // the iterator's lower bound, not the last step
        case!(f.alloc_iter_exact(bytes));
        case!(f.alloc_fmt(format_args!("{text}")));
    });
    let sync = SyncArena::<16>::new();
    case!(sync.alloc(bytes));
    case!(sync.alloc_layout(Layout::new::<[u8; 100]>()));
    case!(Arena::with_capacity_in(100, common::backing::Refuse));
    assert_eq!(cases.len(), 16);
    for (line, message) in cases {
        let what = message.split(" (at ").next().unwrap();
        assert!(
            what.starts_with("arena exhausted: requested 100 bytes (align 1)")
                || what.starts_with("arena's backing allocator failed: requested 100 bytes"),
            "{message}"
        );
        let call = format!("(at {}:{line}:", file!());
        assert!(message.contains(&call), "{message}");
    }
}

#[test]
fn zero_sized_huge_and_overaligned_layouts() {
    let mut mem = memory::<8192>();
    Arena::from_memory(&mut mem).frame(|f| {
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
    Arena::from_memory(&mut mem).frame(|mut f| {
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
        2 => Just(ArenaOp::AllocRest),
        2 => (0usize..8, 1usize..64).prop_map(|(i, n)| ArenaOp::Grow(i, n)),
        1 => (0usize..8, 0usize..64).prop_map(|(i, n)| ArenaOp::Shrink(i, n)),
        2 => (0usize..8).prop_map(ArenaOp::Dealloc),
        2 => Just(ArenaOp::Enter),
        2 => Just(ArenaOp::Exit),
        1 => (0usize..200, 0usize..256).prop_map(|(n, h)| ArenaOp::AllocIter(n, h)),
        1 => (0usize..200).prop_map(ArenaOp::AllocFmt),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn nested_frames_keep_blocks_disjoint_aligned_and_intact(ops in proptest::collection::vec(op(), 1..120)) {
        run_frames(&ops);
    }
}

// ---- the growing arena ----

fn growing_op() -> impl Strategy<Value = ArenaOp> {
    op()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn growing_arena_with_tiny_chunks_keeps_blocks_in_chunks_and_reaches_a_steady_state(
        ops in proptest::collection::vec(growing_op(), 1..120),
        first in proptest::option::of(prop_oneof![Just(0usize), Just(16), 1usize..256]),
        limit in proptest::option::of(0usize..8192),
    ) {
        run_growing(&ops, first, limit);
    }
}

proptest! {
    // Four times the default cases (PROPTEST_CASES scales them): only about one case in a
    // hundred fills the caller's memory to its very end and then empties the chunk after it.
    #![proptest_config(ProptestConfig {
        cases: 4 * ProptestConfig::default().cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    /// Chunks from a bump allocator touch each other and the caller's memory, or lie below the
    /// frame's mark: whether a block is the last one of its chunk must not be decided by
    /// comparing addresses alone. Mostly multiples of 16 bytes of caller memory, which put the
    /// first chunk right after it.
    #[test]
    fn arena_over_a_bump_allocator_keeps_blocks_in_their_chunks(
        ops in proptest::collection::vec(op(), 1..120),
        fixed in prop_oneof![3 => (0usize..40).prop_map(|k| 16 * k), 1 => 0usize..1024],
    ) {
        // Every allocator, with caller memory and with a first chunk: the same steps in each.
        for backing in 0..6 {
            run_bump_backed(&ops, fixed, backing);
        }
    }
}

#[test]
fn growing_arena_allocates_nothing_until_used_and_gives_everything_back() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    assert_eq!((arena.allocated_bytes(), backing.allocs()), (0, 0));
    arena.frame(|f| {
        let a = f.alloc(7u32);
        let big = f.alloc_slice_fill_copy(10_000, 1u8); // its own chunk
        let c = f.alloc_str("after the big one");
        assert_eq!((*a, big[9_999], &*c), (7, 1, "after the big one"));
        assert!(f.used() >= 4 + 10_000 + 17);
    });
    assert_eq!(arena.used(), 0);
    assert!(backing.allocs() >= 2);
    assert_eq!(arena.allocated_bytes(), backing.live_bytes());
    assert!(arena.capacity() >= 10_000);
    drop(arena);
    assert_eq!(backing.live_blocks(), 0);
}

#[test]
fn a_loop_of_frames_stops_allocating_after_its_first_iteration() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    let mut per_iteration = Vec::new();
    for round in 0..6u64 {
        let before = backing.allocs();
        arena.frame(|mut f| {
            let kept = f.alloc_slice_fill_with(300, |i| i as u64 + round);
            f.frame(|g| {
                for i in 0..50 {
                    let v = g.alloc_iter((0..i).map(|x| x * 3));
                    assert_eq!(v.len() as u64, i);
                }
                let _s = g.alloc_fmt(format_args!("round {round}"));
            });
            let mut v = allocator_api2::vec::Vec::new_in(&f);
            v.extend(0..2000u32);
            assert_eq!(kept[299], 299 + round);
        });
        assert_eq!(arena.used(), 0);
        per_iteration.push(backing.allocs() - before);
    }
    assert!(
        per_iteration[0] >= 2,
        "the first iteration took chunks: {per_iteration:?}"
    );
    assert!(
        per_iteration[1..].iter().all(|&n| n == 0),
        "{per_iteration:?}"
    );
    assert_eq!(backing.frees(), 0, "nothing given back while looping");
}

#[test]
fn a_loop_of_resets_stops_allocating_and_the_global_arena_too() {
    let mut arena = Arena::new();
    let mut per_iteration = Vec::new();
    for _ in 0..5 {
        let ((), heap) = count_heap(|| {
            let mut guard = arena.frame_guard();
            let f = guard.frame();
            for i in 0..100u64 {
                let _ = f.alloc([i; 8]);
            }
            core::mem::forget(guard); // leaked: only `reset` reclaims it
        });
        assert!(arena.used() >= 6400);
        arena.reset();
        assert_eq!(arena.used(), 0);
        per_iteration.push(heap.allocs);
    }
    assert!(
        per_iteration[0] > 0 && per_iteration[1..].iter().all(|&n| n == 0),
        "{per_iteration:?}"
    );
}

#[test]
fn frames_rewind_across_chunks_and_keep_the_parents_values() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|mut f| {
        let x = f.alloc(1234u64);
        let s = f.alloc_str("parent");
        let mark = f.used();
        f.frame(|g| {
            for i in 0..200u64 {
                let b = g.alloc([i; 16]); // many chunks
                assert_eq!(b[15], i);
            }
            assert!(g.used() >= mark + 200 * 128, "{} {}", g.used(), mark);
        });
        assert_eq!(f.used(), mark, "rewound into the first chunk");
        assert_eq!((*x, &*s), (1234, "parent"));
        let y = f.alloc(5u8); // continues right after the parent's blocks
        assert_eq!(*y, 5);
        assert_eq!(f.used(), mark + 1);
    });
}

#[test]
fn the_last_block_grows_in_place_in_a_growing_arena_and_moves_when_its_chunk_is_full() {
    let mut arena = Arena::with_capacity(4096);
    arena.frame(|f| {
        let mut v = allocator_api2::vec::Vec::<u64, _>::with_capacity_in(4, &f);
        let p = v.as_ptr();
        v.extend(0..400); // 3200 bytes: still the first chunk
        assert_eq!(v.as_ptr(), p, "grown in place");
        v.extend(400..2000); // past the chunk: moved once into a new one
        assert_ne!(v.as_ptr(), p);
        assert!(v.iter().copied().eq(0..2000));
    });
}

#[test]
fn allocator_failure_at_every_step_is_an_error_and_nothing_leaks() {
    for fail_from in 0..12 {
        let backing = TestBacking::failing_from(fail_from);
        let mut arena = Arena::new_in(&backing);
        let outcomes = arena.frame(|f| {
            let mut outcomes = Vec::new();
            let mut note = |r: Result<(), stackfirst::ArenaError>| {
                if let Err(e) = r {
                    assert_eq!(e.kind(), ArenaErrorKind::BackingFailed, "{e}");
                    assert!(e
                        .to_string()
                        .starts_with("arena's backing allocator failed"));
                }
                outcomes.push(r.is_ok());
            };
            for i in 0..4u64 {
                note(f.try_alloc(Tracked::new(i)).map(drop));
                note(f.try_alloc_slice_copy(&[i; 100]).map(drop));
                note(f.try_alloc_iter((0..300).map(Tracked::new)).map(drop));
                note(
                    f.try_alloc_iter_exact((0..200u32).map(|i| Tracked::new(i.into())))
                        .map(drop),
                );
                note(
                    f.try_alloc_slice_fill_clone(150, &Tracked::new(i))
                        .map(drop),
                );
                note(f.try_alloc_fmt(format_args!("{:>600}", i)).map(drop));
                note(f.try_alloc_str(&"x".repeat(700)).map(drop));
                note(
                    f.try_alloc_layout(Layout::from_size_align(900, 64).unwrap())
                        .map(drop),
                );
                let mut v = allocator_api2::vec::Vec::<u8, _>::new_in(&f);
                note(v.try_reserve(5000).map_err(|_| {
                    stackfirst::ArenaError::clone(
                        &f.try_alloc_layout(Layout::new::<[u8; 1 << 20]>())
                            .unwrap_err(),
                    )
                }));
            }
            outcomes
        });
        assert_eq!(live(), 0, "every Tracked was dropped");
        if fail_from < 3 {
            assert!(
                outcomes.iter().any(|ok| !ok),
                "failures surfaced at {fail_from}"
            );
        }
        assert!(backing.refused() > 0 || outcomes.iter().all(|&ok| ok));
        drop(arena);
        assert_eq!(
            backing.live_blocks(),
            0,
            "no chunk leaked (fail_from {fail_from})"
        );
    }
}

#[test]
fn the_allocation_limit_caps_chunks_and_reports_itself() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    arena.set_allocation_limit(Some(2000));
    assert_eq!(arena.allocation_limit(), Some(2000));
    arena.frame(|f| {
        let mut n = 0;
        let err = loop {
            match f.try_alloc([0u8; 100]) {
                Ok(_) => n += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), ArenaErrorKind::LimitReached);
        assert!(err
            .to_string()
            .starts_with("arena allocation limit reached: requested 100 bytes"));
        assert!(n >= 10, "used most of the limit ({n} blocks)");
    });
    assert!(arena.allocated_bytes() <= 2000);
    let r = catch_unwind(AssertUnwindSafe(|| {
        arena.frame(|f| drop(f.alloc([0u8; 4000])))
    }));
    let msg = r.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.starts_with("arena allocation limit reached: requested 4000 bytes (align 1)"),
        "{msg}"
    );
    // Chunks given back make room under the limit again.
    arena.reset();
    arena.shrink_to_fit();
    let kept = arena.allocated_bytes();
    assert!(kept < 2000);
    arena.frame(|f| {
        let big = [1u8; 1000];
        assert!(2000 - kept >= 1000 + 64, "kept {kept}");
        assert!(f.try_alloc(big).is_ok());
    });
    arena.set_allocation_limit(None);
    arena.frame(|f| assert_eq!(f.alloc([1u8; 4000])[3999], 1));
}

#[test]
fn requests_no_chunk_can_hold_fail_without_asking_the_backing_allocator() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    // Set limits read back as set, even above what any chunk could be.
    for limit in [None, Some(usize::MAX), Some(isize::MAX as usize + 5)] {
        arena.set_allocation_limit(limit);
        assert_eq!(arena.allocation_limit(), limit);
        arena.frame(|f| {
            let asked = backing.allocs() + backing.refused();
            for align in [1, 16, 4096] {
                let huge = Layout::from_size_align(isize::MAX as usize + 1 - align, align).unwrap();
                let err = f.try_alloc_layout(huge).unwrap_err();
                assert_eq!(err.kind(), ArenaErrorKind::BackingFailed, "{err}");
                assert_eq!(err.layout(), huge);
            }
            let now = backing.allocs() + backing.refused();
            assert_eq!(now, asked, "nothing impossible was asked of the allocator");
            // Without a limit, a large request that is a valid layout is still served.
            if limit.is_none() {
                let big = Layout::from_size_align(1 << 20, 8).unwrap();
                assert!(f.try_alloc_layout(big).is_ok());
            }
        });
    }
    let mut limited = Arena::new_in(&backing);
    limited.set_allocation_limit(Some(1000));
    limited.frame(|f| {
        let err = f.try_alloc_layout(Layout::from_size_align(1 << 20, 8).unwrap());
        assert_eq!(err.unwrap_err().kind(), ArenaErrorKind::LimitReached);
    });
}

#[test]
fn a_refused_chunk_is_retried_smaller_only_when_smaller_is_possible() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    arena.frame(|f| {
        let _ = f.alloc(1u8); // the first chunk
        let chunks = backing.live_blocks();
        // Larger than a doubled chunk: the smallest chunk that holds it is the only size to
        // ask for, so one refusal is the answer (no second request, nothing left behind).
        backing.fail_next(1);
        let err = f.try_alloc([0u8; 4096]).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::BackingFailed);
        assert_eq!(backing.live_blocks(), chunks, "no chunk taken and lost");
        // Smaller than a doubled chunk: the refused doubled size is retried as the smallest.
        let _ = f.alloc_layout(Layout::from_size_align(f.remaining(), 1).unwrap());
        let bytes = backing.live_bytes();
        backing.fail_next(1);
        let small = f.try_alloc([7u8; 100]).unwrap();
        assert_eq!(small[99], 7);
        assert_eq!(backing.live_blocks(), chunks + 1);
        let chunk = backing.live_bytes() - bytes;
        assert!(
            (100..=100 + 64).contains(&chunk),
            "the smallest chunk: {chunk} bytes"
        );
    });
    assert_eq!(backing.refused(), 2);
}

#[test]
fn a_request_no_layout_can_hold_is_not_blamed_on_a_limit_that_is_not_set() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    arena.frame(|f| {
        // A first chunk, so some bytes are allocated.
        let _ = f.alloc(1u8);
        // A valid layout, but not once a chunk's footer is added.
        let huge = Layout::from_size_align(isize::MAX as usize - 8, 1).unwrap();
        let err = f.try_alloc_layout(huge).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::BackingFailed, "{err}");
    });
    arena.set_allocation_limit(Some(1 << 20));
    arena.frame(|f| {
        let huge = Layout::from_size_align(isize::MAX as usize - 200, 1).unwrap();
        let err = f.try_alloc_layout(huge).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::LimitReached, "{err}");
    });
}

/// Allocates `value` in a new frame and checks that the block lies in a chunk the backing
/// allocator still holds (not in one it freed).
fn assert_allocates_in_a_live_chunk<T: Copy + PartialEq + std::fmt::Debug + 'static>(
    arena: &mut Arena<'_, &TestBacking>,
    backing: &TestBacking,
    value: T,
) {
    arena.frame(|f| {
        let x = f.alloc(value);
        let addr = &*x as *const T as usize;
        assert!(
            backing.contains(addr, size_of::<T>()),
            "{addr:#x} is in no live chunk"
        );
        assert_eq!(*x, value);
    });
}

#[test]
fn shrink_to_fit_keeps_the_first_chunk_that_a_finished_frame_made_home() {
    // The first chunk is made inside a frame, which puts the empty start back when it ends:
    // the chunk is home, not a spare, and the next frame allocates in it.
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    arena.frame(|f| assert_eq!(*f.alloc(1u64), 1));
    arena.shrink_to_fit();
    assert_eq!(backing.live_blocks(), 1, "home kept");
    assert_eq!(arena.allocated_bytes(), backing.live_bytes());
    assert_allocates_in_a_live_chunk(&mut arena, &backing, 7u64);
    assert_eq!(backing.allocs(), 1, "no second chunk");
    // With a spare behind home, only the spare goes.
    arena.frame(|f| drop(f.alloc([0u8; 4096])));
    assert_eq!(backing.live_blocks(), 2);
    arena.shrink_to_fit();
    assert_eq!(backing.live_blocks(), 1);
    assert_eq!(arena.allocated_bytes(), backing.live_bytes());
    assert_allocates_in_a_live_chunk(&mut arena, &backing, 3u32); // home, not the freed spare
    assert_eq!(backing.allocs(), 2, "home served the frame");
}

#[test]
fn a_fixed_arena_falls_back_to_its_backing_allocator_when_full() {
    let backing = TestBacking::new();
    let mut mem = memory::<128>();
    let base = mem.as_ptr() as usize;
    let mut arena = Arena::from_memory_in(&mut mem, &backing);
    arena.frame(|f| {
        let a = f.alloc([1u8; 100]);
        assert!((base..base + 128).contains(&(a.as_ptr() as usize)));
        let b = f.alloc([2u8; 100]);
        assert!(backing.contains(b.as_ptr() as usize, 100));
        assert_eq!((a[99], b[99]), (1, 2));
    });
    assert_eq!(backing.allocs(), 1);
    arena.frame(|f| {
        let a = f.alloc([3u8; 100]);
        assert!(
            (base..base + 128).contains(&(a.as_ptr() as usize)),
            "home is the fixed memory"
        );
        let _b = f.alloc([4u8; 100]); // the spare chunk, no new allocation
    });
    assert_eq!(backing.allocs(), 1);
    arena.shrink_to_fit();
    assert_eq!(backing.live_blocks(), 0);
}

#[test]
fn alloc_iter_survives_lying_size_hints_and_panicking_iterators() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|f| {
        let low = f.alloc_iter(LyingIter {
            inner: 0..100u32,
            hint: (0, Some(0)),
        });
        assert!(low.iter().copied().eq(0..100));
        let high = f.alloc_iter(LyingIter {
            inner: 0..3u32,
            hint: (usize::MAX, None),
        });
        assert_eq!(&*high, &[0, 1, 2]);
        let short = f.alloc_iter_exact(ShortExact(5, 2));
        assert_eq!(&*short, &[0, 1]);
        let units = f.alloc_iter(std::iter::repeat_n((), 1000));
        assert_eq!(units.len(), 1000);
    });
    arena.frame(|f| {
        let before = f.used();
        let r = catch_unwind(AssertUnwindSafe(|| {
            let _ = f.alloc_iter((0..10).map(|i| {
                if i == 7 {
                    panic!("boom")
                } else {
                    Tracked::new(i)
                }
            }));
        }));
        assert!(r.is_err());
        assert_eq!(live(), 0, "the collected elements were dropped");
        assert_eq!(f.used(), before, "and their block given back");
    });
}

/// Claims `.0` elements, yields `.1`.
struct ShortExact(usize, u32);
impl Iterator for ShortExact {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        (self.1 > 0).then(|| {
            self.1 -= 1;
            1 - self.1.min(1)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0, Some(self.0))
    }
}
impl ExactSizeIterator for ShortExact {}

#[test]
fn alloc_fmt_and_fill_helpers() {
    let mut arena = Arena::with_capacity(16);
    arena.frame(|f| {
        let s = f.alloc_fmt(format_args!("{}-{:>5}-{:?}", 1, "go", [1, 2]));
        assert_eq!(s, "1-   go-[1, 2]");
        let long = f.alloc_fmt(format_args!("{}", "y".repeat(5000)));
        assert_eq!(long.len(), 5000);
        assert_eq!(f.alloc_slice_fill_copy(3, 9u16), &[9, 9, 9]);
        assert_eq!(&*f.alloc_slice_fill_default::<u32>(2), &[0, 0]);
        let names = f.alloc_slice_fill_clone(3, &String::from("x"));
        assert_eq!(names.concat(), "xxx");
    });
    panic_on_clone(2);
    let src = Tracked::new(1);
    let r = catch_unwind(AssertUnwindSafe(|| {
        arena.frame(|f| drop(f.alloc_slice_fill_clone(4, &src)))
    }));
    assert!(r.is_err());
    assert_eq!(live(), 1, "only the source is alive");
}

#[test]
fn debug_shows_the_arena_state() {
    let mut arena = Arena::with_capacity(100);
    let text = format!("{arena:?}");
    assert!(text.starts_with("Arena { used: 0, remaining: "), "{text}");
    assert!(text.contains("allocated_bytes: "), "{text}");
    let mut guard = arena.frame_guard();
    assert!(format!("{guard:?}").starts_with("FrameGuard {"));
    {
        let f = guard.frame();
        let _x = f.alloc(1u8);
        assert!(format!("{f:?}").starts_with("Frame { used: 1, remaining: "));
    }
    drop(guard);
    let mut buf = ArenaBuf::<32>::new();
    assert_eq!(format!("{buf:?}"), "ArenaBuf { bytes: 32, taken: false }");
    let _ = buf.arena();
    let sync = SyncArena::<64>::new();
    assert_eq!(
        format!("{sync:?}"),
        "SyncArena { used: 0, capacity: 64, .. }"
    );
}

#[test]
fn sync_arena_is_an_allocator_for_vectors_on_several_threads() {
    let arena: Box<SyncArena<65536>> = Box::new(SyncArena::new());
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let arena = &*arena;
            s.spawn(move || {
                let mut v: StackVec<u64, 32, &SyncArena<65536>> = StackVec::new_in(arena);
                v.extend((0..500).map(|i| i * t));
                assert!(v.spilled());
                assert!(v.iter().copied().eq((0..500).map(|i| i * t)));
            });
        }
    });
    let mut v = allocator_api2::vec::Vec::<u32, _>::with_capacity_in(2, &*arena);
    let p = v.as_ptr();
    v.extend(0..1000);
    assert_eq!(v.as_ptr(), p, "the most recent block grows in place");
    v.truncate(10);
    v.shrink_to_fit();
    assert_eq!(v.as_ptr(), p);
    let used = arena.used();
    drop(v);
    assert_eq!(
        arena.used(),
        used - 40,
        "freeing the last block reclaims it"
    );
}

/// `FrameBox`'s `Hash` and `Ord` agree with `Box`'s, and it works as a set key (review 8).
#[test]
fn frame_box_traits_agree_with_box() {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashSet;
    use std::hash::{Hash, Hasher};
    let mut mem = [core::mem::MaybeUninit::uninit(); 512];
    let mut arena = stackfirst::Arena::from_memory(&mut mem);
    arena.frame(|f| {
        let a = f.alloc_slice_clone(&[1u32, 2, 3]);
        let b: Box<[u32]> = Box::new([1, 2, 3]);
        let h = |x: &dyn Fn(&mut DefaultHasher)| {
            let mut s = DefaultHasher::new();
            x(&mut s);
            s.finish()
        };
        assert_eq!(h(&|s| a.hash(s)), h(&|s| b.hash(s)));
        let c = f.alloc_slice_clone(&[1u32, 2, 4]);
        assert!(a < c);
        assert_eq!(a.cmp(&c), b.cmp(&Box::from([1u32, 2, 4])));
        let mut set = HashSet::new();
        set.insert(f.alloc(String::from("k")));
        assert!(set.contains(&String::from("k")));
        let sum: u32 = (&a).into_iter().sum();
        assert_eq!(sum, 6);
    });
}

/// The README's arena example: "The chunk the first request took is reused by the next ones:
/// no allocation per request", checked on the global heap (the README checks the arena's
/// chunk memory).
#[test]
fn readme_arena_requests_after_the_first_allocate_nothing() {
    let mut arena = Arena::new();
    let mut per_request = Vec::new();
    for request in ["GET /a", "GET /bb", "POST /ccc", "GET /a"] {
        let ((), heap) = count_heap(|| {
            arena.frame(|f| {
                let words = f.alloc_iter(request.split(' '));
                let mut path: StackVec<u8, 32, _> = StackVec::new_in(&f);
                path.extend_from_slice(words[1].as_bytes());
                let line = f.alloc_fmt(format_args!("{} {}", words[0], path.len()));
                assert!(line.starts_with(words[0]));
            })
        });
        per_request.push(heap.allocs + heap.reallocs);
    }
    assert_eq!(&per_request[1..], [0, 0, 0], "{per_request:?}");
    assert_eq!(arena.used(), 0);
}

/// `ArenaError`'s rule: a failed request changes nothing in the arena, except that a collecting
/// one that outgrew a chunk first leaves the block it outgrew in use until the frame ends. In
/// caller memory (one chunk) the failed collections change nothing; in a growing arena the one
/// that moved on leaves only the block it outgrew, less than the first chunk, and the frame's
/// end reclaims it.
#[test]
fn a_failed_collection_changes_nothing_but_the_block_it_outgrew() {
    let mut memory = ArenaBuf::<256>::new();
    memory.arena().frame(|f| {
        let _kept = f.alloc(7u64);
        let (used, remaining) = (f.used(), f.remaining());
        assert!(f.try_alloc_iter((0..1000u64).filter(|_| true)).is_err());
        assert!(f.try_alloc_fmt(format_args!("{:>300}", 1)).is_err());
        assert_eq!((f.used(), f.remaining()), (used, remaining));
    });

    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(512 + 1024)); // the first chunk and one doubling
    arena.frame(|f| {
        assert!(f.try_alloc_iter((0..10_000u64).filter(|_| true)).is_err());
        assert!(f.used() > 0 && f.used() < 512, "{} in use", f.used());
    });
    assert_eq!((arena.used(), arena.allocated_bytes()), (0, 512 + 1024));
}

/// A collection of unknown length grows in place while its chunk holds what it needs, before it
/// moves: 100 `u32` (400 bytes) fill the first chunk (480 bytes of room), where doubling the
/// 64 collected so far (512 bytes) would not fit; a move would take a second chunk and leave
/// 256 bytes behind.
#[test]
fn a_collection_grows_in_place_as_far_as_its_chunk_holds() {
    let mut arena = Arena::new();
    arena.frame(|f| {
        let v = f.alloc_iter((0..100u32).filter(|_| true));
        assert_eq!(v.len(), 100);
        assert!(v.iter().copied().eq(0..100));
        assert_eq!(f.used(), 400);
        let s = f.alloc_fmt(format_args!("{:>70}", 1)); // the 80 bytes left
        assert_eq!(s.len(), 70);
    });
    assert_eq!(arena.allocated_bytes(), 512);
}

/// tip_buf.rs `grow_in_place`: a block grown in place takes the doubled capacity (as far as the
/// chunk holds), not just the one more element it needs, so a value the iterator allocates
/// behind it later does not force it to move. 8 `u32` in 4 then 8 slots: 32 bytes and the one
/// byte behind them, nothing left behind by a moved block.
#[test]
fn a_block_grown_in_place_keeps_its_doubled_room_when_the_iterator_allocates_behind_it() {
    let mut memory = ArenaBuf::<64>::new();
    memory.arena().frame(|f| {
        let got = f.alloc_iter((0..8u32).filter(|&x| {
            if x == 5 {
                let _ = f.alloc_slice_copy(&[7u8]);
            }
            true
        }));
        assert!(got.iter().copied().eq(0..8));
        assert_eq!(f.used(), 33);
    });
}

/// tip_buf.rs `reserve`: when the doubled capacity does not fit, the buffer falls back to
/// exactly what it needs (`Err(_) if doubled > need => self.move_to(need)`). Twelve bytes hold
/// three `u32`, not the four a first doubling asks for.
#[test]
fn frame_collect_falls_back_to_the_exact_need_when_doubling_does_not_fit() {
    let mut memory = ArenaBuf::<12>::new();
    memory.arena().frame(|f| {
        // `filter`: lower bound 0, so every element goes through `push` (first: need 1, doubled 4).
        let got = f.try_alloc_iter((0..3u32).filter(|_| true)).unwrap();
        assert_eq!(&*got, &[0, 1, 2]);
    });
}

/// tip_buf.rs `grow_in_place`: the last block grows in place when the room left in the chunk is
/// exactly what is needed (`room < need` refuses, `room == need` does not).
#[test]
fn frame_text_grows_in_place_to_exactly_the_end_of_the_memory() {
    let mut memory = ArenaBuf::<8>::new();
    memory.arena().frame(|f| {
        let (a, b) = ("abcd", "efgh");
        // Two pieces: the first takes a block of 4 bytes, the second needs all 8 in place.
        let s = f.try_alloc_fmt(format_args!("{a}{b}")).unwrap();
        assert_eq!(s, "abcdefgh");
    });
}

/// chunk.rs `grow`, the first heap chunk after the caller's memory: its size is twice the
/// memory's, but at least the first chunk's (`.max(FIRST_CHUNK / 2)` before doubling), so a tiny
/// buffer does not make the arena start with tiny chunks.
#[test]
fn tiny_caller_memory_overflows_into_a_first_chunk_of_full_size() {
    let mut memory = [MaybeUninit::uninit(); 64];
    let mut arena = Arena::from_memory_in(&mut memory, Global);
    arena.frame(|f| {
        let big = f.alloc([1u8; 100]); // does not fit 63 bytes: the first heap chunk
        assert_eq!(big[99], 1);
    });
    // 512 (`FIRST_CHUNK`): `max(48, 256) * 2`, not `48 * 2` raised to the request's 144.
    assert_eq!(arena.allocated_bytes(), 512);
}

/// chunk.rs `Footer::capacity`: a heap chunk's capacity is its size less the footer, so with a
/// single chunk `used + remaining == capacity`, and the capacity is below the bytes allocated.
#[test]
fn a_heap_chunks_capacity_excludes_its_footer() {
    let mut arena = Arena::new();
    arena.frame(|f| {
        let _x = f.alloc(1u8);
        assert_eq!(f.used() + f.remaining(), f.capacity());
    });
    assert_eq!(arena.allocated_bytes(), 512);
    assert!(arena.capacity() < arena.allocated_bytes());
    arena.reset(); // back to the first chunk, home
    assert_eq!(arena.capacity(), arena.remaining());
}

/// frame.rs `Frame::frame`: a child frame's memory is reclaimed when its closure unwinds, not
/// only when it returns (the guard's `Drop` does the rewind).
#[test]
fn a_child_frame_that_panics_is_reclaimed() {
    let mut arena = Arena::new();
    arena.frame(|mut f| {
        let kept = f.alloc(7u64);
        let used = f.used();
        let r = catch_unwind(AssertUnwindSafe(|| {
            f.frame(|g| {
                let _tmp = g.alloc_slice_copy(&[0u8; 64]);
                panic!("child frame unwinds");
            })
        }));
        assert!(r.is_err());
        assert_eq!(f.used(), used, "the child's 64 bytes were reclaimed");
        assert_eq!(*kept, 7);
    });
    assert_eq!(arena.used(), 0);
}

/// frame.rs `try_alloc_iter_exact`: the iterator is dropped while the prefix guard still owns
/// the elements, so an iterator whose `Drop` panics does not leak the elements collected.
#[test]
fn alloc_iter_exact_drops_the_elements_when_the_iterators_drop_panics() {
    struct PanicsOnDrop(u64);
    impl Iterator for PanicsOnDrop {
        type Item = Tracked;
        fn next(&mut self) -> Option<Tracked> {
            (self.0 > 0).then(|| {
                self.0 -= 1;
                Tracked::new(self.0)
            })
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            (self.0 as usize, Some(self.0 as usize))
        }
    }
    impl ExactSizeIterator for PanicsOnDrop {}
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("the iterator's drop panics");
        }
    }

    let mut arena = Arena::new();
    arena.frame(|f| {
        let r = caught(|| f.alloc_iter_exact(PanicsOnDrop(3)));
        assert!(r.is_err());
        assert_eq!(live(), 0, "the three collected elements were dropped");
    });
}

/// sync_arena.rs `resize_in_place`: the most recent block grows in place up to exactly the end
/// of the buffer (`end <= BYTES`).
#[test]
fn sync_arena_grows_the_last_block_in_place_to_exactly_its_end() {
    let arena = SyncArena::<16>::new();
    let a = &arena;
    let l8 = Layout::from_size_align(8, 1).unwrap();
    let l16 = Layout::from_size_align(16, 1).unwrap();
    let p = a.allocate(l8).unwrap().cast::<u8>();
    // SAFETY: our 8-byte block.
    unsafe { p.as_ptr().write_bytes(0x5A, 8) };
    // SAFETY: a live block of this arena for `l8`.
    let q = unsafe { a.grow(p, l8, l16) }.expect("8 more bytes fit in place");
    assert_eq!(q.cast::<u8>(), p);
    assert_eq!(arena.used(), 16);
    // SAFETY: the grown block keeps its first 8 bytes.
    assert!(
        unsafe { std::slice::from_raw_parts(q.cast::<u8>().as_ptr(), 8) }
            .iter()
            .all(|&b| b == 0x5A)
    );
}

/// chunk.rs `reserve_first`: a first chunk too large for any layout is reported with the
/// request capped at `isize::MAX`, not as a request of 0 bytes.
#[test]
fn an_impossible_first_chunk_names_the_capped_request() {
    let err = Arena::try_with_capacity_in(usize::MAX, Global).unwrap_err();
    assert_eq!(err.kind(), ArenaErrorKind::BackingFailed);
    assert_eq!(err.layout().size(), isize::MAX as usize);
    assert!(
        err.to_string().starts_with(&format!(
            "arena's backing allocator failed: requested {} bytes",
            isize::MAX
        )),
        "{err}"
    );
}

/// A `SyncArena`'s buffer is aligned to 16 wherever the arena lies. It had its atomic word's
/// alignment: two arenas side by side in an array, 24 bytes apart on x86_64, could not both
/// start a 16-aligned block without padding, and on armv7 a first `u64` was padded by 4 bytes
/// in half the placements.
#[test]
fn sync_arena_buffers_are_aligned_to_16_wherever_they_lie() {
    assert_eq!(align_of::<SyncArena<1>>(), 16);
    let arenas = [SyncArena::<16>::new(), SyncArena::<16>::new()];
    for arena in &arenas {
        arena
            .try_alloc_layout(Layout::from_size_align(16, 16).unwrap())
            .unwrap();
        assert_eq!(arena.remaining(), 0);
    }
}

/// sync_arena.rs: exhaustion reports what is left of the buffer, not the whole buffer (loom
/// checked it under threads; this checks it in every test run).
#[test]
fn sync_arena_exhaustion_reports_what_remains() {
    let arena = SyncArena::<16>::new();
    arena.try_alloc_layout(Layout::new::<u64>()).unwrap();
    let e = arena
        .try_alloc_layout(Layout::new::<[u64; 2]>())
        .unwrap_err();
    assert_eq!((e.kind(), e.remaining()), (ArenaErrorKind::Exhausted, 8));
}

/// A `FrameBox` formats as its value, as `Box` does: `Display` as the value's `Display`,
/// `Debug` as its `Debug`.
#[test]
fn frame_box_formats_as_its_value() {
    let mut mem = [MaybeUninit::uninit(); 256];
    Arena::from_memory(&mut mem).frame(|f| {
        let b = f.alloc(String::from("go"));
        let std_b = Box::new(String::from("go"));
        assert_eq!(format!("{b}"), format!("{std_b}"));
        assert_eq!(format!("{b}|{b:?}"), "go|\"go\"");
    });
}

/// An `ArenaBuf`'s `Debug` says whether its arena has been taken.
#[test]
fn arena_buf_debug_shows_it_taken() {
    static BUF: ArenaBuf<64> = ArenaBuf::new();
    assert_eq!(format!("{BUF:?}"), "ArenaBuf { bytes: 64, taken: false }");
    let _arena = BUF.take().unwrap();
    assert_eq!(format!("{BUF:?}"), "ArenaBuf { bytes: 64, taken: true }");
}

// ---------------------------------------------------------------------------------------------
// Type-level guarantees that must keep holding (the ones that must not compile are
// `compile_fail` doctests on `Frame`, `FrameGuard`, `FrameBox`, `Arena`, `ArenaBuf`,
// `SyncArena`, `StackVec::leak` and `Drain`).

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

/// The arena types are `Send`/`Sync` where std's equivalents are: an `Arena` moves like the
/// `Vec` of chunks it owns (with a `Send` backing allocator, over a heap or caller memory), a
/// `FrameBox` like a `Box`, and `SyncArena` and `ArenaBuf` are shared.
#[test]
fn arena_types_are_send_and_sync_where_std_equivalents_are() {
    assert_send::<Arena<'static>>();
    assert_send::<Arena<'static, &'static SyncArena<64>>>();
    assert_send::<FrameBox<'static, String>>();
    assert_sync::<FrameBox<'static, String>>();
    assert_send::<SyncArena<64>>();
    assert_sync::<SyncArena<64>>();
    assert_send::<ArenaBuf<64>>();
    assert_sync::<ArenaBuf<64>>();
    assert_send::<StackVec<u64, 32, &'static SyncArena<64>>>();
    assert_sync::<StackVec<u64, 32, &'static SyncArena<64>>>();
}

/// A growing arena with chunks, and one over caller memory, move to another thread and back,
/// and work on each.
#[test]
fn an_arena_moves_between_threads_with_its_chunks() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|f| assert_eq!(f.alloc_slice_fill_copy(1000, 7u8).len(), 1000));
    let chunks = arena.allocated_bytes();
    let mut arena = std::thread::spawn(move || {
        arena.frame(|f| {
            let words = f.alloc_iter(0..500u64);
            assert_eq!(words.iter().sum::<u64>(), 124_750);
        });
        arena
    })
    .join()
    .unwrap();
    assert!(arena.allocated_bytes() >= chunks);
    arena.frame(|f| assert_eq!(f.alloc_str("home again"), "home again"));

    let mut mem = memory::<256>();
    let mut fixed = Arena::from_memory(&mut mem);
    std::thread::scope(|s| {
        s.spawn(|| fixed.frame(|f| assert_eq!(*f.alloc(5u64), 5)));
    });
    assert_eq!(fixed.used(), 0);
}

/// A `FrameBox` and a `&mut [T]` from a frame go to other threads (scoped: they cannot outlive
/// the frame) while the frame's own thread keeps allocating: only the handle is tied to its
/// thread.
#[test]
fn frame_values_go_to_scoped_threads_while_the_frame_allocates() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|f| {
        let mut boxed = f.alloc(vec![1u32, 2, 3]);
        let slice = f.alloc_slice_fill_copy(100, 1u8);
        std::thread::scope(|s| {
            s.spawn(|| boxed.push(4));
            s.spawn(|| slice.iter_mut().for_each(|b| *b += 1));
            // Meanwhile this thread takes new chunks from the same frame.
            for i in 0..50u64 {
                assert_eq!(f.alloc([i; 16])[15], i);
            }
        });
        assert_eq!(*boxed, [1, 2, 3, 4]);
        assert!(slice.iter().all(|&b| b == 2));
    });
    assert_eq!(arena.used(), 0);
}

/// `FrameBox` is covariant in its frame and its value, as `Box` is in its value: a box of the
/// frame passes for one of a shorter frame and of shorter-lived values.
#[test]
fn frame_box_is_covariant_like_box() {
    fn shorter<'short, 'long: 'short>(
        b: FrameBox<'long, &'long str>,
    ) -> FrameBox<'short, &'short str> {
        b
    }
    let mut arena = Arena::new();
    arena.frame(|f| {
        let b: FrameBox<'_, &'static str> = f.alloc("static");
        assert_eq!(*shorter(b), "static");
    });
}

/// Forgetting a child guard only delays its reclaim to the parent's end: the parent's values
/// from before the child, the forgotten child's abandoned blocks, and what the parent
/// allocates after it (in a chunk the child took) never share a byte.
#[test]
fn a_forgotten_child_guard_leaves_the_parent_values_alone() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|mut f| {
        let before = f.alloc_slice_fill_copy(40, 0x11u8);
        let used_before = f.used();
        {
            let mut child = f.frame_guard();
            let g = child.frame();
            for _ in 0..10 {
                let _ = g.alloc_slice_fill_copy(200, 0x22u8); // takes new chunks
            }
            core::mem::forget(child);
        }
        assert!(
            f.used() >= used_before + 2000,
            "the child's blocks stay used"
        );
        let after: Vec<&mut [u8]> = (0..20)
            .map(|_| f.alloc_slice_fill_copy(100, 0x33u8))
            .collect();
        {
            let mut child = f.frame_guard();
            let _ = child.frame().alloc_slice_fill_copy(5000, 0x44u8);
        }
        assert!(before.iter().all(|&b| b == 0x11));
        assert!(after.iter().all(|s| s.iter().all(|&b| b == 0x33)));
        let mut spans: Vec<(usize, usize)> = after
            .iter()
            .map(|s| (s.as_ptr() as usize, s.len()))
            .chain([(before.as_ptr() as usize, before.len())])
            .collect();
        spans.sort_unstable();
        assert!(spans.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0));
    });
    assert_eq!(
        arena.used(),
        0,
        "the parent's end reclaims the forgotten child too"
    );
}

/// arena.rs, `Arena`'s docs: `new` and `new_in` allocate nothing until the first request, nor
/// does `with_capacity(0)` (as `Vec::with_capacity(0)`), but `with_capacity` takes its first
/// chunk at once (so that it can panic, or `try_with_capacity_in` fail, up front); a first frame
/// that fits in it allocates nothing more.
#[test]
fn with_capacity_takes_its_first_chunk_at_once_and_new_takes_none() {
    let ((), heap) = count_heap(|| {
        let _ = Arena::new();
        let _ = Arena::new_in(Global);
        let _ = Arena::with_capacity(0);
        let _ = Arena::try_with_capacity_in(0, Global).unwrap();
    });
    assert_eq!(heap.allocs, 0);
    let (mut arena, heap) = count_heap(|| Arena::with_capacity(1000));
    assert_eq!(heap.allocs, 1);
    assert!(arena.allocated_bytes() >= 1000 && arena.remaining() >= 1000);
    let ((), heap) = count_heap(|| {
        arena.frame(|f| {
            let _ = f.alloc_slice_fill_copy(1000, 7u8);
        })
    });
    assert_eq!(heap.allocs, 0, "the first frame fits the first chunk");
}

/// frame.rs `try_alloc_with` and `try_alloc_slice_fill_with`: when the block does not fit, the
/// closure is not called (it may be costly, or have effects), and nothing is consumed.
#[test]
fn a_refused_value_or_slice_never_calls_its_closure() {
    let mut mem = ArenaBuf::<16>::new();
    mem.arena().frame(|f| {
        let calls = std::cell::Cell::new(0);
        let e = f
            .try_alloc_with(|| {
                calls.set(calls.get() + 1);
                [0u64; 3]
            })
            .unwrap_err();
        assert_eq!(e.kind(), ArenaErrorKind::Exhausted);
        let e = f
            .try_alloc_slice_fill_with(3, |i| {
                calls.set(calls.get() + 1);
                i as u64
            })
            .unwrap_err();
        assert_eq!(e.kind(), ArenaErrorKind::Exhausted);
        assert_eq!((calls.get(), f.used()), (0, 0));
        let two = f.try_alloc_slice_fill_with(2, |i| i as u64).unwrap();
        assert_eq!(&*two, &[0, 1]);
    });
}

/// frame.rs `try_alloc_iter_exact`: "nothing is taken from the iterator" when `len()` elements
/// do not fit, so a caller that passed `&mut iter` still has every element.
#[test]
fn a_refused_exact_collection_takes_nothing_from_the_iterator() {
    let mut mem = ArenaBuf::<16>::new();
    mem.arena().frame(|f| {
        let mut it = (0..10u32).map(|i| Tracked::new(i.into()));
        assert!(f.try_alloc_iter_exact(&mut it).is_err());
        assert_eq!((it.len(), live(), f.used()), (10, 0, 0));
        let rest: Vec<u64> = it.map(|t| t.value).collect();
        assert_eq!(rest, (0..10).collect::<Vec<u64>>());
    });
}
