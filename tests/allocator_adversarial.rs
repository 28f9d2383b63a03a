//! Adversarial review of the `Allocator` contract of `&Frame`, `Frame`, `&SyncArena` and
//! `NoHeap` (random walks over every trait method, alignments up to 4096, blocks that are not
//! the last, out-of-order frees, `SyncArena`'s `GlobalAlloc` side), of allocator_api2's `Vec`
//! and `Box` on frames, and of frames under unwinding.
mod common;

use core::alloc::Layout;
use core::ptr::NonNull;

use common::Rng;
use stackfirst::allocator_api2::alloc::Allocator;
use stackfirst::allocator_api2::boxed::Box as ABox;
use stackfirst::allocator_api2::vec::Vec as AVec;
use stackfirst::{Arena, ArenaBuf, Frame, NoHeap, StackVec, SyncArena};

/// A live block of the model: address, the length the allocator returned, the layout it was
/// asked for, and the byte pattern written over its requested size.
struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    len: usize,
    tag: u8,
}

/// Replaces block `i` by its resized copy at `ptr`, whose first `kept` bytes must have survived
/// the move, and writes `tag`'s pattern over it.
fn replace(blocks: &mut [Block], i: usize, moved: Block, kept: usize, tag: u8) {
    let moved = Block {
        tag: blocks[i].tag,
        ..moved
    };
    check_content(&moved, kept);
    let b = Block { tag, ..moved };
    fill(&b);
    blocks[i] = b;
}

/// The last block or any other, evenly.
fn pick(rng: &mut Rng, len: usize) -> usize {
    if rng.below(2) == 0 {
        len - 1
    } else {
        rng.below(len)
    }
}

/// Asserts that bytes `from..to` at `p` are zero.
fn assert_zeroed(p: NonNull<u8>, from: usize, to: usize) {
    for j in from..to {
        // SAFETY: the caller's block holds `to` bytes, all initialized (zeroed or written).
        assert_eq!(
            unsafe { p.as_ptr().add(j).read() },
            0,
            "byte {j} not zeroed"
        );
    }
}

fn byte(tag: u8, i: usize) -> u8 {
    tag.wrapping_mul(31).wrapping_add(i as u8)
}

fn fill(b: &Block) {
    for i in 0..b.layout.size() {
        // SAFETY: a live block of the model holds at least `layout.size()` bytes.
        unsafe { b.ptr.as_ptr().add(i).write(byte(b.tag, i)) };
    }
}

fn check_content(b: &Block, upto: usize) {
    for i in 0..upto {
        // SAFETY: callers pass `upto` at most the block's size, whose bytes were written.
        let got = unsafe { b.ptr.as_ptr().add(i).read() };
        assert_eq!(got, byte(b.tag, i), "byte {i} of a block of {:?}", b.layout);
    }
}

/// No two live blocks overlap, and each still holds its pattern.
fn check_blocks(blocks: &[Block]) {
    check_disjoint(blocks);
    for b in blocks {
        check_content(b, b.layout.size());
    }
}

fn check_disjoint(blocks: &[Block]) {
    let mut spans: Vec<(usize, usize)> = blocks
        .iter()
        .filter(|b| b.layout.size() != 0)
        .map(|b| {
            (
                b.ptr.as_ptr() as usize,
                b.ptr.as_ptr() as usize + b.layout.size(),
            )
        })
        .collect();
    spans.sort();
    for w in spans.windows(2) {
        assert!(
            w[0].1 <= w[1].0,
            "overlapping live blocks {:x?} and {:x?}",
            w[0],
            w[1]
        );
    }
}

fn random_layout(rng: &mut Rng) -> Layout {
    let size = match rng.below(6) {
        0 => 0,
        1 => 1 + rng.below(8),
        2 => 1 + rng.below(64),
        _ => rng.below(400),
    };
    let align = 1usize
        << if rng.below(5) == 0 {
            rng.below(13)
        } else {
            rng.below(5)
        };
    Layout::from_size_align(size, align).unwrap()
}

fn accept(
    r: Result<NonNull<[u8]>, stackfirst::allocator_api2::alloc::AllocError>,
    layout: Layout,
) -> Option<(NonNull<u8>, usize)> {
    let s = r.ok()?;
    let p = s.cast::<u8>();
    assert_eq!(
        p.as_ptr() as usize % layout.align(),
        0,
        "misaligned block for {layout:?}"
    );
    assert!(s.len() >= layout.size(), "short block for {layout:?}");
    Some((p, s.len()))
}

/// A random walk over the whole `Allocator` interface, checking alignment, lengths, contents,
/// zeroing and disjointness after every step.
fn contract_walk<A: Allocator>(a: &A, seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut blocks: Vec<Block> = Vec::new();
    let mut tag = 0u8;
    for _ in 0..steps {
        tag = tag.wrapping_add(1);
        match rng.below(8) {
            0 | 1 => {
                let layout = random_layout(&mut rng);
                let zeroed = rng.below(2) == 0;
                let r = if zeroed {
                    a.allocate_zeroed(layout)
                } else {
                    a.allocate(layout)
                };
                if let Some((ptr, len)) = accept(r, layout) {
                    if zeroed {
                        assert_zeroed(ptr, 0, len);
                    }
                    let b = Block {
                        ptr,
                        layout,
                        len,
                        tag,
                    };
                    fill(&b);
                    blocks.push(b);
                }
            }
            2 if !blocks.is_empty() => {
                // Out of order, or the last one.
                let b = blocks.swap_remove(pick(&mut rng, blocks.len()));
                check_content(&b, b.layout.size());
                let size = b.layout.size() + rng.below(b.len - b.layout.size() + 1);
                let l = Layout::from_size_align(size, b.layout.align()).unwrap();
                // SAFETY: a live block of `a`; the size fits it (between the requested size and
                // the returned length), with the alignment it was allocated or resized with.
                unsafe { a.deallocate(b.ptr, l) };
            }
            3 | 4 if !blocks.is_empty() => {
                let i = pick(&mut rng, blocks.len());
                let old = blocks[i].layout;
                let extra = rng.below(300);
                let align = if rng.below(3) == 0 {
                    1usize << rng.below(13)
                } else {
                    old.align()
                };
                let new = Layout::from_size_align(old.size() + extra, align).unwrap();
                let zeroed = rng.below(2) == 0;
                // SAFETY: a live block of `a` with layout `old`; `new` is at least as large.
                let r = unsafe {
                    if zeroed {
                        a.grow_zeroed(blocks[i].ptr, old, new)
                    } else {
                        a.grow(blocks[i].ptr, old, new)
                    }
                };
                if let Some((ptr, len)) = accept(r, new) {
                    if zeroed {
                        assert_zeroed(ptr, old.size(), len);
                    }
                    let moved = Block {
                        ptr,
                        layout: new,
                        len,
                        tag,
                    };
                    replace(&mut blocks, i, moved, old.size(), tag);
                } else {
                    check_content(&blocks[i], old.size());
                }
            }
            5 | 6 if !blocks.is_empty() => {
                let i = pick(&mut rng, blocks.len());
                let old = blocks[i].layout;
                let size = if rng.below(4) == 0 {
                    0
                } else {
                    rng.below(old.size() + 1)
                };
                let align = if rng.below(3) == 0 {
                    1usize << rng.below(13)
                } else {
                    old.align()
                };
                let new = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a live block of `a` with layout `old`; `new` is no larger.
                let r = unsafe { a.shrink(blocks[i].ptr, old, new) };
                if let Some((ptr, len)) = accept(r, new) {
                    let moved = Block {
                        ptr,
                        layout: new,
                        len,
                        tag,
                    };
                    replace(&mut blocks, i, moved, size, tag);
                } else {
                    check_content(&blocks[i], old.size());
                }
            }
            _ => {}
        }
        check_blocks(&blocks);
    }
    for b in blocks.drain(..).rev() {
        // SAFETY: a live block of `a`, freed once, with its layout.
        unsafe { a.deallocate(b.ptr, b.layout) };
    }
}

#[test]
fn frame_allocator_contract_random_walk_fixed_memory() {
    // Miri is ~1000x slower, and the walk's checks take time in proportion to the live bytes:
    // under it, 3 seeds in a quarter of the memory (which then runs out in every seed).
    const SIZE: usize = if cfg!(miri) { 1 << 14 } else { 1 << 16 };
    let mut mem = Box::new(ArenaBuf::<SIZE>::new());
    let mut arena = mem.arena();
    let seeds = if cfg!(miri) { 1..4 } else { 1..40u64 };
    for seed in seeds {
        arena.frame(|f| contract_walk(&f, seed * 7919, 300));
        assert_eq!(arena.used(), 0);
    }
}

#[test]
fn frame_allocator_contract_random_walk_growing_arena() {
    let mut arena = Arena::new();
    // Miri is ~1000x slower: under it, 3 seeds of half the steps (the first and the third still
    // take new chunks).
    let (seeds, steps) = if cfg!(miri) {
        (1..4, 100)
    } else {
        (1..40u64, 200)
    };
    for seed in seeds {
        arena.frame(|mut f| {
            contract_walk(&f, seed * 104729, steps);
            f.frame(|g| contract_walk(&g, seed * 31 + 5, steps));
            // By value too.
            contract_walk(&f, seed + 3, 50);
        });
        assert_eq!(arena.used(), 0);
    }
}

#[test]
fn frame_allocator_contract_random_walk_in_a_child_frame_over_live_parent_blocks() {
    let mut arena = Arena::new();
    arena.frame(|mut f| {
        let parent: Vec<&mut [u8]> = (0..20)
            .map(|i| f.alloc_slice_fill_copy(i * 13 + 1, i as u8))
            .collect();
        // Pointers, not addresses: under Miri, reads through them are checked against the
        // blocks' own provenance (an integer cast back would take any exposed one).
        let parent_ptrs: Vec<(*const u8, usize, u8)> = parent
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_ptr(), s.len(), i as u8))
            .collect();
        drop(parent);
        // Miri is ~1000x slower: under it, 5 seeds.
        let seeds = if cfg!(miri) { 1..6 } else { 1..20 };
        for seed in seeds {
            f.frame(|g| contract_walk(&g, seed * 13 + 1, 150));
        }
        for (p, len, v) in parent_ptrs {
            // SAFETY: the parent's slices live until the end of `f`'s frame; only child frames
            // allocated since, and they may not touch the parent's blocks (what this checks).
            let s = unsafe { std::slice::from_raw_parts(p, len) };
            assert!(s.iter().all(|&b| b == v));
        }
    });
}

#[test]
fn sync_arena_allocator_contract_random_walk() {
    // Miri is ~1000x slower, and the walk's checks take time in proportion to the live bytes:
    // under it, 4 seeds in a quarter of the memory (which then runs out in every seed).
    const SIZE: usize = if cfg!(miri) { 1 << 14 } else { 1 << 16 };
    let arena: Box<SyncArena<SIZE>> = Box::new(SyncArena::new());
    let mut arena = arena;
    let seeds = if cfg!(miri) { 1..5 } else { 1..40u64 };
    for seed in seeds {
        contract_walk(&&*arena, seed * 7, 300);
        arena.reset();
    }
}

#[test]
fn no_heap_refuses_every_request_including_zero_sized_ones() {
    for layout in [
        Layout::new::<()>(),
        Layout::from_size_align(0, 4096).unwrap(),
        Layout::new::<u64>(),
    ] {
        assert!(NoHeap.allocate(layout).is_err());
        assert!(NoHeap.allocate_zeroed(layout).is_err());
    }
    let mut v: StackVec<u8, 4, NoHeap> = StackVec::new_in(NoHeap);
    v.extend([1, 2, 3, 4]);
    assert!(v.try_reserve(1).is_err());
    assert_eq!(v, [1, 2, 3, 4]);
    // Zero-sized elements never ask.
    let mut z: StackVec<(), 0, NoHeap> = StackVec::new_in(NoHeap);
    for _ in 0..1000 {
        z.push(());
    }
    assert_eq!(z.len(), 1000);
}

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Page(u64);

#[repr(align(64))]
#[derive(Clone, Debug, PartialEq)]
struct Line(u64, String);

#[test]
fn allocator_api2_vec_and_box_on_frames_match_std() {
    let mut arena = Arena::new();
    arena.frame(|f| {
        let mut pages: AVec<Page, &Frame<'_>> = AVec::new_in(&f);
        let mut model = Vec::new();
        let mut lines: AVec<Line, &Frame<'_>> = AVec::new_in(&f);
        let mut lmodel = Vec::new();
        let mut rng = Rng(99);
        for step in 0..2000u64 {
            match rng.below(7) {
                0 | 1 => {
                    pages.push(Page(step));
                    model.push(Page(step));
                }
                2 => {
                    lines.push(Line(step, step.to_string()));
                    lmodel.push(Line(step, step.to_string()));
                }
                3 => {
                    let n = rng.below(pages.len() + 1);
                    pages.truncate(n);
                    model.truncate(n);
                    pages.shrink_to_fit();
                }
                4 => {
                    lines.shrink_to(rng.below(10));
                    let k = rng.below(lines.len() + 1);
                    lines.truncate(k);
                    lmodel.truncate(k);
                }
                5 => {
                    let b: ABox<[Page], &Frame<'_>> = pages.clone().into_boxed_slice();
                    assert_eq!(&*b, &model[..]);
                    assert_eq!(b.as_ptr() as usize % 4096, 0);
                }
                _ => {
                    let b = ABox::new_in(Line(step, "x".repeat(rng.below(50))), &f);
                    assert_eq!(&*b as *const Line as usize % 64, 0);
                    lines.reserve(rng.below(20));
                }
            }
            assert_eq!(&pages[..], &model[..]);
            assert_eq!(&lines[..], &lmodel[..]);
            assert_eq!(pages.as_ptr() as usize % 4096, 0);
            assert_eq!(lines.as_ptr() as usize % 64, 0);
        }
    });
    assert_eq!(arena.used(), 0);
}

#[test]
fn stack_vecs_spilling_into_sync_arena_and_frames_with_big_alignment() {
    let sa: Box<SyncArena<{ 1 << 18 }>> = Box::new(SyncArena::new());
    let mut v: StackVec<Page, 0, &SyncArena<{ 1 << 18 }>> = StackVec::new_in(&*sa);
    for i in 0..20 {
        v.push(Page(i));
        assert_eq!(v.as_ptr() as usize % 4096, 0);
    }
    v.truncate(3);
    v.shrink_to_fit();
    assert_eq!(v.iter().map(|p| p.0).collect::<Vec<_>>(), [0, 1, 2]);
    let heap = v.into_heap_exact();
    assert_eq!(heap.len(), 3);
    drop(heap);

    let mut arena = Arena::new();
    arena.frame(|f| {
        let mut v: StackVec<Page, 4096, &Frame<'_>> = StackVec::new_in(&f);
        for i in 0..10 {
            v.push(Page(i));
        }
        let b = v.into_boxed_slice();
        assert_eq!(b.len(), 10);
        assert_eq!(b.as_ptr() as usize % 4096, 0);
    });
}

#[test]
fn panics_in_frames_nested_frames_and_guards_leave_the_arena_reusable() {
    let mut arena = Arena::new();
    let mut mem = Box::new(ArenaBuf::<4096>::new());
    let mut fixed = mem.arena();
    for round in 0..20usize {
        let r = common::caught(|| {
            arena.frame(|mut f| {
                let _a = f.alloc_slice_fill_copy(100 + round * 50, 1u8);
                f.frame(|mut g| {
                    let _b = g.alloc_slice_fill_copy(700, 2u8);
                    let mut guard = g.frame_guard();
                    let h = guard.frame();
                    let mut v = AVec::new_in(&h);
                    v.extend(0..(round as u64 * 100));
                    if round % 3 == 0 {
                        panic!("inside");
                    }
                });
                if round % 3 == 1 {
                    panic!("after the child");
                }
            })
        });
        assert_eq!(r.is_err(), round % 3 != 2);
        assert_eq!(arena.used(), 0);
        let _ = common::caught(|| {
            fixed.frame(|mut f| {
                let _a = f.alloc_slice_fill_copy(64, 1u8);
                let mut g = f.frame_guard();
                let gf = g.frame();
                let _ = gf.alloc_slice_fill_copy(5000, 0u8); // exhausted: panics
            })
        });
        assert_eq!(fixed.used(), 0);
        arena.frame(|f| {
            let xs: Vec<&mut [u64]> = (0..10).map(|i| f.alloc_slice_fill_copy(50, i)).collect();
            for (i, x) in xs.iter().enumerate() {
                assert!(x.iter().all(|&v| v == i as u64));
            }
        });
        if round % 5 == 0 {
            arena.shrink_to_fit();
        }
        if round % 7 == 0 {
            arena.reset();
        }
    }
}

/// `SyncArena`'s `GlobalAlloc` side: a random walk of `alloc`, `alloc_zeroed`, `realloc` (up and
/// down, of the last block and of others) and out-of-order `dealloc`, checking alignment,
/// contents, zeroing, disjointness and that every live block lies below the bump offset after
/// every step.
#[test]
fn sync_arena_global_alloc_random_walk() {
    use std::alloc::GlobalAlloc;
    // Miri is ~1000x slower, and the walk's checks take time in proportion to the live bytes:
    // under it, 400 steps in half the memory (which runs out from about step 250).
    const SIZE: usize = if cfg!(miri) { 1 << 15 } else { 1 << 16 };
    let arena: Box<SyncArena<SIZE>> = Box::new(SyncArena::new());
    let mut rng = Rng(4242);
    let mut blocks: Vec<Block> = Vec::new();
    let mut tag = 0u8;
    let steps = if cfg!(miri) { 400 } else { 3000 };
    for _ in 0..steps {
        tag = tag.wrapping_add(1);
        match rng.below(6) {
            0 | 1 => {
                let mut layout = random_layout(&mut rng);
                if layout.size() == 0 {
                    layout = Layout::from_size_align(1, layout.align()).unwrap();
                }
                let zeroed = rng.below(2) == 0;
                // SAFETY: the layout is not zero-sized.
                let p = unsafe {
                    if zeroed {
                        GlobalAlloc::alloc_zeroed(&*arena, layout)
                    } else {
                        GlobalAlloc::alloc(&*arena, layout)
                    }
                };
                if let Some(ptr) = NonNull::new(p) {
                    assert_eq!(p as usize % layout.align(), 0);
                    if zeroed {
                        assert_zeroed(ptr, 0, layout.size());
                    }
                    let b = Block {
                        ptr,
                        layout,
                        len: layout.size(),
                        tag,
                    };
                    fill(&b);
                    blocks.push(b);
                }
            }
            2 if !blocks.is_empty() => {
                let b = blocks.swap_remove(rng.below(blocks.len()));
                check_content(&b, b.layout.size());
                // SAFETY: a live block of the arena, freed once, with its layout.
                unsafe { GlobalAlloc::dealloc(&*arena, b.ptr.as_ptr(), b.layout) };
            }
            3 | 4 if !blocks.is_empty() => {
                let i = pick(&mut rng, blocks.len());
                let old = blocks[i].layout;
                let new_size = 1 + rng.below(old.size() * 2 + 64);
                // SAFETY: a live block of the arena with layout `old`; the new size is not zero.
                let p =
                    unsafe { GlobalAlloc::realloc(&*arena, blocks[i].ptr.as_ptr(), old, new_size) };
                if let Some(ptr) = NonNull::new(p) {
                    assert_eq!(p as usize % old.align(), 0);
                    let moved = Block {
                        ptr,
                        layout: Layout::from_size_align(new_size, old.align()).unwrap(),
                        len: new_size,
                        tag,
                    };
                    replace(&mut blocks, i, moved, old.size().min(new_size), tag);
                } else {
                    check_content(&blocks[i], old.size());
                }
            }
            _ => {}
        }
        check_blocks(&blocks);
        for b in &blocks {
            let off = b.ptr.as_ptr() as usize - (&*arena as *const _ as usize);
            assert!(off + b.layout.size() <= arena.used());
        }
    }
    blocks.sort_by_key(|b| b.ptr.as_ptr() as usize);
    let used_by_live = blocks.last().map_or(0, |b| {
        b.ptr.as_ptr() as usize + b.layout.size() - (&*arena as *const _ as usize)
    });
    assert!(arena.used() >= used_by_live);
    for b in blocks.drain(..).rev() {
        // SAFETY: a live block of the arena, freed once, with its layout.
        unsafe { GlobalAlloc::dealloc(&*arena, b.ptr.as_ptr(), b.layout) };
    }
}

/// A zero-sized layout (`try_alloc_layout`, `alloc_layout`, `alloc_slice_fill_with` of none)
/// takes no memory, as typed zero-sized values do; an empty slice copy takes at most its
/// alignment's padding (documented on `Frame`). Regression: the layout paths moved the bump
/// pointer to the layout's alignment.
#[test]
fn zero_sized_layouts_consume_no_memory_in_a_frame() {
    let mut mem = Box::new(ArenaBuf::<64>::new());
    mem.arena().frame(|mut f| {
        let _one = f.alloc_slice_copy(&[1u8]);
        assert_eq!(f.used(), 1);
        let p = f
            .try_alloc_layout(Layout::from_size_align(0, 16).unwrap())
            .unwrap();
        assert_eq!(p.as_ptr() as usize % 16, 0);
        assert_eq!(
            f.used(),
            1,
            "try_alloc_layout of a zero-sized layout consumed memory"
        );
        let _ = f.alloc_layout(Layout::from_size_align(0, 32).unwrap());
        assert_eq!(
            f.used(),
            1,
            "alloc_layout of a zero-sized layout consumed memory"
        );
        let none = f.alloc_slice_fill_with(0, |i| [i as u128; 2]);
        assert!(none.is_empty());
        assert_eq!(f.used(), 1, "an empty slice of a fill consumed memory");
        f.frame(|g| {
            // All 63 remaining bytes are still there.
            assert!(g.try_alloc_slice_copy(&[7u8; 63]).is_ok());
        });
        let empty: &mut [u64] = f.alloc_slice_copy(&[]);
        assert!(empty.is_empty());
        assert_eq!(
            f.used(),
            core::mem::align_of::<u64>(),
            "an empty slice copy takes at most its alignment's padding"
        );
    });
}

/// Through the `Allocator` interface, `allocate` of a zero-sized layout leaves the bump pointer
/// where it is: the block before it stays the last one (so it still grows in place and is
/// reclaimed when freed, as `&Frame`'s documentation promises for the last block). Regression:
/// it moved the pointer up to the layout's alignment.
#[test]
fn a_zero_sized_allocate_keeps_the_last_block_last() {
    let mut mem = Box::new(ArenaBuf::<256>::new());
    mem.arena().frame(|f| {
        let frame: &Frame<'_> = &f;
        let mut v: AVec<u8, &Frame<'_>> = AVec::with_capacity_in(3, frame);
        v.extend([1, 2, 3]);
        let before = v.as_ptr();
        let zst = frame
            .allocate(Layout::from_size_align(0, 64).unwrap())
            .unwrap();
        assert_eq!(zst.len(), 0);
        assert_eq!(f.used(), 3, "a zero-sized block consumed memory");
        v.reserve_exact(200);
        assert_eq!(v.as_ptr(), before, "the last block no longer grew in place");
        drop(v);
        assert_eq!(f.used(), 0, "the last block was not reclaimed");
    });
}

/// Zero-sized blocks of a frame (growing `Arena::new()` still at its empty position, then with
/// chunks; a child frame; fixed memory) are dangling and aligned, take no memory, and passed
/// back to `deallocate`, `grow`, `grow_zeroed` and `shrink` never free, resize in place or hand
/// out memory of a live block.
#[test]
fn zero_sized_frame_blocks_round_trip_through_every_allocator_method() {
    fn exercise(f: &Frame<'_>, live: &[u8], aligns: &[usize]) {
        let live_range = live.as_ptr() as usize..live.as_ptr() as usize + live.len();
        for &align in aligns {
            let z = Layout::from_size_align(0, align).unwrap();
            let used = f.used();
            let p = f.allocate(z).unwrap().cast::<u8>();
            assert_eq!(p.as_ptr() as usize % align, 0);
            assert_eq!(f.used(), used);
            // SAFETY: a block of `f` with layout `z`, freed once (so are the blocks below).
            unsafe { f.deallocate(p, z) };
            assert_eq!(f.used(), used);
            let p = f.allocate(z).unwrap().cast::<u8>();
            let big = Layout::from_size_align(24, align).unwrap();
            // SAFETY: a block of `f` with layout `z`; `big` is larger, with the same alignment.
            let g = unsafe { f.grow_zeroed(p, z, big) }.unwrap();
            let g0 = g.cast::<u8>().as_ptr() as usize;
            assert!(!live_range.contains(&g0) && !(g0..g0 + 24).contains(&live_range.start));
            // SAFETY: `g` is a live block of 24 zeroed bytes.
            assert!(unsafe { g.as_ref() }.iter().all(|&b| b == 0));
            // SAFETY: as above.
            unsafe { f.deallocate(g.cast(), big) };
            let p = f.allocate(z).unwrap().cast::<u8>();
            // SAFETY: a block of `f` with layout `z`; the new layout is no larger.
            let s = unsafe { f.shrink(p, z, Layout::from_size_align(0, 64).unwrap()) }.unwrap();
            assert_eq!(s.cast::<u8>().as_ptr() as usize % 64, 0);
            let p = f.alloc_layout(z);
            // SAFETY: a block of `f` with layout `z`; the new one is larger, same alignment.
            let g = unsafe { f.grow(p, z, Layout::from_size_align(8, align).unwrap()) }.unwrap();
            // SAFETY: `g` is a live block of 8 bytes.
            unsafe { g.cast::<u8>().as_ptr().write_bytes(0xAB, 8) };
            assert!(live.iter().all(|&b| b == 7));
        }
    }
    let mut arena = Arena::new();
    arena.frame(|mut f| {
        const ALL: [usize; 5] = [1, 8, 16, 32, 4096];
        exercise(&f, &[], &ALL);
        let live = f.alloc_slice_fill_copy(40, 7u8);
        exercise(&f, live, &ALL);
        f.frame(|g| exercise(&g, live, &ALL));
        assert!(live.iter().all(|&b| b == 7));
    });
    let mut mem = Box::new(ArenaBuf::<1024>::new());
    mem.arena().frame(|mut f| {
        let live = f.alloc_slice_fill_copy(40, 7u8);
        f.frame(|g| exercise(&g, live, &[1, 8, 16, 32]));
        assert!(live.iter().all(|&b| b == 7));
    });
}

/// `into_boxed_slice` on a borrowed allocator, of no elements (never spilled, or spilled and
/// emptied) and of zero-sized ones: allocator-api2's `Box` hands even a zero-sized block to
/// `deallocate` when dropped, so the box must hold one the allocator gave out. Regression (found
/// by the differential model over a ledger): it held the vector's dangling pointer, and the
/// allocator was asked to free a block it never allocated.
#[test]
fn boxed_slices_of_nothing_free_only_what_the_allocator_gave() {
    let ledger = common::backing::TestBacking::any_size();
    let mut spilled = StackVec::<u64, 0, _>::new_in(&ledger);
    spilled.push(1);
    spilled.clear();
    let mut zsts = StackVec::<(), 0, _>::new_in(&ledger);
    zsts.extend([(); 5]);
    let boxes = (
        StackVec::<u64, 32, _>::new_in(&ledger).into_boxed_slice(),
        spilled.into_boxed_slice(),
        zsts.into_boxed_slice(),
    );
    assert_eq!((boxes.0.len(), boxes.1.len(), boxes.2.len()), (0, 0, 5));
    assert_eq!(ledger.live_blocks(), 3, "one zero-sized block per box");
    drop(boxes);
    // `deallocate` asserts that each block is live, with the layout it was allocated with.
    assert_eq!(
        (ledger.live_blocks(), ledger.allocs(), ledger.frees()),
        (0, 4, 4)
    );
}

/// allocator_api2 `Vec` and `Box` of zero-sized (also over-aligned) types on frames.
#[test]
fn allocator_api2_zero_sized_on_frames() {
    #[derive(Debug, PartialEq, Clone)]
    #[repr(align(256))]
    struct Big0;
    let mut arena = Arena::new();
    arena.frame(|f| {
        let mut v: AVec<Big0, &Frame<'_>> = AVec::new_in(&f);
        for _ in 0..100 {
            v.push(Big0);
        }
        v.shrink_to_fit();
        let b = v.into_boxed_slice();
        assert_eq!(b.len(), 100);
        let one = ABox::new_in(Big0, &f);
        assert_eq!(&*one as *const Big0 as usize % 256, 0);
        let unit = ABox::new_in((), &f);
        drop((one, unit));
        let bytes: AVec<u8, &Frame<'_>> = AVec::with_capacity_in(0, &f);
        assert_eq!(f.used(), 0);
        drop(bytes);
    });
}

/// An allocator whose type merely has `NoHeap`'s name (a crate named `stackfirst`, here a
/// binary, with a `no_heap::NoHeap` of its own that allocates) passes the name test that picks
/// `NoHeap`'s policies, and `InlineVec`'s accessors skip the spilled-flag tests on that test
/// alone: so its vectors must never spill, whatever the allocator would do. Every way to the
/// heap refuses it before asking the allocator (which counts its calls); its room is the inline
/// room. (Found by review, before: `spare()` trusted the name and, spilled, wrapped to 2^63 + 3
/// slots of an 8-slot block.) The test builds that crate against this one and reads what it
/// prints.
#[test]
fn an_allocator_merely_named_no_heap_is_never_asked_for_memory() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("named-no-heap");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"named-no-heap\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [[bin]]\nname = \"stackfirst\"\npath = \"src/main.rs\"\n\n\
         [dependencies]\nsf = {{ package = \"stackfirst\", path = {:?} }}\n\n[workspace]\n",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        r#"mod no_heap {
    use core::alloc::Layout;
    use core::ptr::NonNull;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use sf::allocator_api2::alloc::{AllocError, Allocator, Global};

    pub static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[derive(Clone, Copy)]
    pub struct NoHeap;

    // SAFETY: every call is forwarded unchanged to `Global`, which upholds the contract.
    unsafe impl Allocator for NoHeap {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            CALLS.fetch_add(1, Ordering::Relaxed);
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: `ptr` came from `Global` with `layout` (the caller's contract).
            unsafe { Global.deallocate(ptr, layout) }
        }
    }
}

fn main() {
    type V = sf::StackVec<u64, 32, no_heap::NoHeap>;
    // 4 u64 inline: asking for 8, then pushing, reserving and extending past 4 are refused.
    let refused = V::try_with_capacity_in(8, no_heap::NoHeap).is_err();
    let mut v = V::new_in(no_heap::NoHeap);
    v.extend_from_slice(&[1, 2, 3]);
    let fourth = v.try_push(4).is_ok();
    let fifth = v.try_push(5).is_err() && v.try_reserve(1).is_err();
    let extend = v.try_extend_from_slice(&[5]).is_err();
    println!(
        "{} {} {} {} {} {} {} {} {} {:?} {}",
        core::any::type_name::<no_heap::NoHeap>(),
        refused,
        fourth,
        fifth,
        extend,
        v.spilled(),
        v.capacity(),
        v.remaining_capacity(),
        v.spare_capacity_mut().len(),
        v.as_slice(),
        no_heap::CALLS.load(core::sync::atomic::Ordering::Relaxed)
    );
}
"#,
    )
    .unwrap();
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["run", "--offline", "-q"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "stackfirst::no_heap::NoHeap true true true true false 4 0 0 [1, 2, 3, 4] 0"
    );
}

/// A zero-sized allocator aligned to 2 has `NoHeap`'s signature, which is what tells the
/// vectors that never spill apart at compile time (their accessors skip the spilled-flag tests
/// on it alone): so, whatever it would do, a vector never asks it for memory. It is a
/// fixed-capacity vector, refusing as `NoHeap` does; this one forwards to the global heap and
/// counts the calls it gets.
#[test]
fn an_allocator_with_no_heaps_size_and_alignment_is_never_asked_for_memory() {
    use stackfirst::allocator_api2::alloc::{AllocError, Global};
    use stackfirst::TryReserveErrorKind;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);
    #[derive(Clone, Copy)]
    #[repr(align(2))]
    struct Aligned2;
    // SAFETY: every call is forwarded unchanged to `Global`, which upholds the contract.
    unsafe impl Allocator for Aligned2 {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            CALLS.fetch_add(1, Ordering::Relaxed);
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: `ptr` came from `Global` with `layout` (the caller's contract).
            unsafe { Global.deallocate(ptr, layout) }
        }
    }
    type V = StackVec<u64, 32, Aligned2>;
    let exceeded = TryReserveErrorKind::CapacityExceeded;
    assert_eq!(
        V::try_with_capacity_in(8, Aligned2).unwrap_err().kind(),
        exceeded
    );
    let mut v = V::new_in(Aligned2);
    v.extend_from_slice(&[1, 2, 3]);
    v.push(4);
    assert_eq!(v.try_push(5).unwrap_err().error().kind(), exceeded);
    assert_eq!(v.try_reserve(1).unwrap_err().kind(), exceeded);
    assert_eq!(v.try_extend_from_slice(&[5]).unwrap_err().kind(), exceeded);
    let message = common::panic_message(&*common::caught(|| v.clone().push(5)).unwrap_err());
    assert_eq!(message, "capacity exceeded");
    // `leak` moves inline elements to a heap block of their own: refused as well.
    let message = common::panic_message(&*common::caught(|| v.clone().leak().len()).unwrap_err());
    assert_eq!(message, "capacity exceeded");
    assert_eq!(
        (
            v.spilled(),
            v.capacity(),
            v.remaining_capacity(),
            v.as_slice()
        ),
        (false, 4, 0, &[1, 2, 3, 4][..])
    );
    assert_eq!(v.spare_capacity_mut().len(), 0);
    v.truncate(1);
    assert_eq!((v.pop(), v.pop(), v.len()), (Some(1), None, 0));
    // Its strings and byte vectors behave as `NoHeap`'s: a full one takes what fits.
    let mut text: stackfirst::StackString<4, Aligned2> = stackfirst::StackString::new_in(Aligned2);
    let (a, b) = (String::from("abc"), String::from("de"));
    assert!(std::fmt::Write::write_fmt(&mut text, format_args!("{a}{b}")).is_err());
    assert_eq!(text, "abc");
    let message = common::panic_message(&*common::caught(|| text.leak().len()).unwrap_err());
    assert_eq!(message, "capacity exceeded");
    #[cfg(feature = "std")]
    {
        let mut bytes: StackVec<u8, 4, Aligned2> = StackVec::new_in(Aligned2);
        assert_eq!(std::io::Write::write(&mut bytes, b"abcdef").unwrap(), 4);
        assert_eq!(bytes, *b"abcd");
    }
    assert_eq!(CALLS.load(Ordering::Relaxed), 0);
}
