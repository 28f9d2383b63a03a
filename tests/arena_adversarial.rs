//! Adversarial tests of the arena (frames, chunks, limits, the `Allocator` interface) and of
//! `SyncArena`: a backing allocator that allocates in the arena it backs, panicking `Display`s
//! and iterators, lying lengths, forgotten guards, and vectors spilling into frames.

mod common;

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{Arena, ArenaErrorKind, Frame};

// ---------------------------------------------------------------------------------------------
// A backing allocator that allocates from the arena it backs (safe code can: the arena, the
// guard and the frame leaked to get `'static` handles into a thread-local).

thread_local! {
    static HOOK: Cell<Option<&'static Frame<'static>>> = const { Cell::new(None) };
    static HOOK_RAN: Cell<bool> = const { Cell::new(false) };
    static STASH: RefCell<Option<&'static mut [u8]>> = const { RefCell::new(None) };
    static REFUSED: Cell<Option<ArenaErrorKind>> = const { Cell::new(None) };
}

/// The global heap, except that while `HOOK` holds a frame, the next chunk request first
/// allocates 64 bytes of 0xAA in that frame (and keeps them, if the arena grants them: refusing
/// a request made from inside its own backing allocator would be a fine answer; `REFUSED` keeps
/// the refusal's kind).
struct Reentrant;

// SAFETY: every block comes from and goes back to `Global` unchanged.
unsafe impl Allocator for Reentrant {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if let Some(f) = HOOK.with(Cell::take) {
            HOOK_RAN.with(|r| r.set(true));
            match f.try_alloc_slice_fill_copy(64, 0xAAu8) {
                Ok(s) => STASH.with(|st| *st.borrow_mut() = Some(s)),
                Err(e) => REFUSED.with(|r| r.set(Some(e.kind()))),
            }
        }
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// An arena, its frame guard and a frame at `'static` (what `Box::leak` gives safe code), so
/// that the backing allocator reaches the frame through a thread-local; given back when dropped,
/// so that the test leaks nothing (AddressSanitizer and valgrind check).
struct StaticFrame {
    frame: &'static Frame<'static>,
    free: Option<Box<dyn FnOnce()>>,
}

impl Drop for StaticFrame {
    fn drop(&mut self) {
        if let Some(free) = self.free.take() {
            free();
        }
    }
}

fn static_frame(limit: Option<usize>) -> StaticFrame {
    let arena = Box::into_raw(Box::new(Arena::new_in(Reentrant)));
    // SAFETY: the three boxes are reached only through these pointers and the frame reference,
    // and given back once, child first, when the `StaticFrame` is dropped at the test's end
    // (after the frame's last use; the hook and the stash are cleared first).
    unsafe {
        (*arena).set_allocation_limit(limit);
        let guard = Box::into_raw(Box::new((*arena).frame_guard()));
        let frame = Box::into_raw(Box::new((*guard).frame()));
        StaticFrame {
            frame: &*frame,
            free: Some(Box::new(move || {
                HOOK.with(Cell::take);
                STASH.with(|s| s.borrow_mut().take());
                drop(Box::from_raw(frame));
                drop(Box::from_raw(guard));
                drop(Box::from_raw(arena));
            })),
        }
    }
}

/// Fills several more chunks, then fails if the block the backing allocator stashed shares a
/// byte with any of them or was overwritten.
fn fill_chunks_and_check_the_stash(f: &Frame<'_>) {
    let others: Vec<&[u8]> = (0..40)
        .map(|_| &*f.alloc_slice_fill_copy(100, 0x55u8))
        .collect();
    STASH.with(|s| {
        let s = s.borrow();
        let Some(stash) = s.as_deref() else { return };
        let (a, b) = (stash.as_ptr() as usize, stash.as_ptr() as usize + stash.len());
        for (i, x) in others.iter().enumerate() {
            let (c, d) = (x.as_ptr() as usize, x.as_ptr() as usize + x.len());
            assert!(
                b <= c || d <= a,
                "live block {a:#x}..{b:#x} (allocated during the chunk request) overlaps block #{i} {c:#x}..{d:#x}, handed out later"
            );
        }
        assert!(
            stash.iter().all(|&b| b == 0xAA),
            "the block allocated during the chunk request was overwritten: {:x?}",
            &stash[..8]
        );
    });
}

#[test]
fn a_backing_allocator_that_allocates_in_its_own_arena_keeps_blocks_disjoint() {
    let arena = static_frame(None);
    let f = arena.frame;
    HOOK.with(|h| h.set(Some(f)));
    // The first chunk: the backing allocator allocates in the arena while it is asked for it.
    let first = f.alloc_slice_fill_copy(100, 0x11u8);
    assert!(HOOK_RAN.with(Cell::get), "the hook ran");
    // There is no chunk yet: the hook's request needs one, and is refused as the backing
    // allocator's failure (`ArenaErrorKind::BackingFailed` documents it), not as exhaustion.
    assert_eq!(
        REFUSED.with(Cell::take),
        Some(ArenaErrorKind::BackingFailed)
    );
    // Fill several more chunks.
    fill_chunks_and_check_the_stash(f);
    assert!(first.iter().all(|&b| b == 0x11));
}

#[test]
fn a_backing_allocator_that_allocates_in_its_own_arena_keeps_blocks_disjoint_past_the_first_chunk()
{
    let arena = static_frame(None);
    let f = arena.frame;
    // The first chunk, taken without the hook, and nearly filled: the hook's 64 bytes do not
    // fit what is left of it.
    let first = f.alloc_slice_fill_copy(450, 0x11u8);
    HOOK.with(|h| h.set(Some(f)));
    // Outgrows the first chunk: the backing allocator allocates in the arena meanwhile.
    let second = f.alloc_slice_fill_copy(1000, 0x22u8);
    assert!(HOOK_RAN.with(Cell::get), "the hook ran");
    fill_chunks_and_check_the_stash(f);
    assert!(first.iter().all(|&b| b == 0x11) && second.iter().all(|&b| b == 0x22));
}

#[test]
fn a_backing_allocator_that_allocates_in_its_own_arena_cannot_pass_the_limit() {
    // Room under the limit for one first chunk (512) but not two.
    let arena = static_frame(Some(768));
    let f = arena.frame;
    HOOK.with(|h| h.set(Some(f)));
    let _first = f.try_alloc_slice_copy(&[0x11u8; 100]);
    assert!(HOOK_RAN.with(Cell::get), "the hook ran");
    assert!(
        f.capacity() <= 768,
        "chunks of {} bytes under a limit of 768",
        f.capacity()
    );
}

// ---------------------------------------------------------------------------------------------
// The arena's callbacks, the `Allocator` interface, and vectors spilling into frames.

use std::fmt;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::backing::{Shifted, TestBacking};
use common::{live, LyingIter, Rng, Tracked};
use stackfirst::{StackVec, SyncArena};

/// Writes `.0` bytes of text, then panics.
struct PanickingDisplay(usize);
impl fmt::Display for PanickingDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&"z".repeat(self.0))?;
        panic!("display panics");
    }
}

#[test]
fn alloc_fmt_with_a_panicking_display_gives_its_bytes_back() {
    let backing = TestBacking::new();
    let mut arena = Arena::with_capacity_in(32, &backing);
    arena.frame(|f| {
        let keep = f.alloc_str("kept");
        for n in [0, 3, 31, 32, 33, 5000] {
            let before = f.used();
            let r = catch_unwind(AssertUnwindSafe(|| {
                let _ = f.alloc_fmt(format_args!("ab{}", PanickingDisplay(n)));
            }));
            assert!(r.is_err());
            // The block is freed when it is the last one in its chunk (in a fresh chunk the
            // bytes before it were left behind in the previous one).
            assert!(
                f.used() <= before + 64,
                "n={n}: used {} -> {}",
                before,
                f.used()
            );
            let s = f.alloc_fmt(format_args!("after {n}"));
            assert_eq!(&*s, format!("after {n}"));
        }
        assert_eq!(keep, "kept");
    });
    assert_eq!(arena.used(), 0);
    drop(arena);
    assert_eq!(backing.live_blocks(), 0);
}

#[test]
fn alloc_iter_with_an_iterator_that_allocates_and_frees_in_the_same_frame() {
    let mut arena = Arena::with_capacity_in(64, TestBacking::new());
    arena.frame(|f| {
        let mut side: Vec<&mut [u8]> = Vec::new();
        let mut scratch = stackfirst::allocator_api2::vec::Vec::<u8, _>::new_in(&f);
        let collected = f.alloc_iter((0..200u64).map(|i| {
            // A block after the collecting buffer, kept...
            side.push(f.alloc_slice_fill_copy((i % 7) as usize + 1, i as u8));
            // ...and a vector at the tip that grows, then shrinks away.
            scratch.extend(std::iter::repeat_n(i as u8, (i % 5) as usize));
            if i % 3 == 0 {
                scratch = stackfirst::allocator_api2::vec::Vec::new_in(&f);
            }
            Tracked::new(i)
        }));
        assert!(collected.iter().map(|t| t.value).eq(0..200));
        for (i, s) in side.iter().enumerate() {
            assert!(s.iter().all(|&b| b == i as u8), "side block {i} intact");
        }
        drop(collected);
        assert_eq!(live(), 0);
    });
}

#[test]
fn alloc_iter_exact_with_lying_lengths_and_a_panicking_iterator_drops_exactly() {
    let mut mem = [MaybeUninit::uninit(); 4096];
    Arena::from_memory(&mut mem).frame(|f| {
        // Says 10, yields 3.
        struct Liar(u64, u64);
        impl Iterator for Liar {
            type Item = Tracked;
            fn next(&mut self) -> Option<Tracked> {
                if self.0 == self.1 {
                    return None;
                }
                self.0 += 1;
                if self.0 == 100 {
                    panic!("liar panics");
                }
                Some(Tracked::new(self.0))
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                (10, Some(10))
            }
        }
        impl ExactSizeIterator for Liar {}
        let short = f.alloc_iter_exact(Liar(0, 3));
        assert_eq!(short.len(), 3);
        let long = f.alloc_iter_exact(Liar(0, 50));
        assert_eq!(long.len(), 10, "not drained past the reported length");
        assert_eq!(live(), 13);
        let r = catch_unwind(AssertUnwindSafe(|| {
            drop(f.alloc_iter_exact(Liar(95, 1000)))
        }));
        assert!(r.is_err());
        assert_eq!(live(), 13, "the four made before the panic were dropped");
        drop((short, long));
        assert_eq!(live(), 0);
    });
}

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Page(u64);

#[test]
fn frame_allocator_grows_over_aligned_blocks_across_refusing_and_granting_chunks() {
    // Where in a page each chunk starts decides which blocks grow in place and so the chunk
    // sizes: every placement, in steps of the chunks' alignment.
    for shift in (0..4096).step_by(16) {
        grow_over_aligned_blocks_across_refusing_chunks(TestBacking::over(Shifted(shift)));
    }
}

fn grow_over_aligned_blocks_across_refusing_chunks(backing: TestBacking<Shifted>) {
    let mut arena = Arena::with_capacity_in(100, &backing);
    arena.frame(|f| {
        let mut v = stackfirst::allocator_api2::vec::Vec::<Page, _>::new_in(&f);
        let mut small: StackVec<u8, 3, _> = StackVec::new_in(&f);
        for i in 0..40u64 {
            if i % 9 == 4 {
                backing.fail_next(1); // the next chunk is refused once
            }
            // Refused for good only when the refused chunk was already the smallest that holds
            // the block, which depends on where the backing put the chunks (page alignment):
            // then nothing changed, and asking again is granted.
            if v.try_reserve(1).is_err() {
                v.try_reserve(1).expect("granted once the refusal is spent");
            }
            if small.try_reserve(1).is_err() {
                small
                    .try_reserve(1)
                    .expect("granted once the refusal is spent");
            }
            assert!(v.iter().map(|p| p.0).eq(0..i) && small.iter().copied().eq(0..i as u8));
            v.push(Page(i));
            small.push(i as u8);
            assert_eq!(v.as_ptr() as usize % 4096, 0);
            assert!(v.iter().map(|p| p.0).eq(0..=i));
            assert!(small.iter().copied().eq(0..=i as u8));
        }
        assert!(backing.refused() >= 1, "the refusals reached the backing");
        backing.fail_next(0);
        v.shrink_to(3);
        assert!(v.iter().map(|p| p.0).eq(0..40));
        small.truncate(2);
        small.shrink_to_fit();
        assert_eq!(small, [0, 1]);
    });
    arena.reset();
    arena.shrink_to_fit();
    assert_eq!(backing.live_blocks(), 1, "only home is kept");
    drop(arena);
    assert_eq!(backing.live_blocks(), 0);
}

#[test]
fn forgotten_guards_nested_over_chunks_then_reset_and_shrink() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    for round in 0..3u8 {
        {
            let mut outer = arena.frame_guard();
            let mut o = outer.frame();
            let a = o.alloc_slice_fill_copy(300, round);
            {
                let mut inner = o.frame_guard();
                let g = inner.frame();
                let _ = g.alloc_slice_fill_copy(5000, 0xEEu8);
                std::mem::forget(inner); // its blocks stay until `outer` ends
            }
            let b = o.alloc_slice_fill_copy(700, round + 1);
            assert!(a.iter().all(|&x| x == round) && b.iter().all(|&x| x == round + 1));
            if round == 1 {
                std::mem::forget(outer); // reclaimed by `reset` only
            }
        }
        if round == 1 {
            assert!(arena.used() > 0);
            arena.reset();
        }
        assert_eq!(arena.used(), 0);
        arena.shrink_to_fit();
        assert_eq!(backing.live_blocks(), 1);
    }
}

#[test]
fn allocation_limit_lowered_between_frames_and_raised_again() {
    let backing = TestBacking::new();
    let mut arena = Arena::new_in(&backing);
    arena.frame(|f| {
        let _ = f.alloc_slice_fill_copy(3000, 1u8);
    });
    let had = arena.allocated_bytes();
    arena.set_allocation_limit(Some(had / 2)); // below what is held
    arena.frame(|f| {
        // Spares are reused past the limit; no new chunk is taken.
        let x = f.alloc_slice_fill_copy(3000, 2u8);
        assert!(x.iter().all(|&b| b == 2));
        let err = f.try_alloc_slice_copy(&[0u8; 100_000]).unwrap_err();
        assert_eq!(err.kind(), stackfirst::ArenaErrorKind::LimitReached);
    });
    assert_eq!(arena.allocated_bytes(), had);
    arena.shrink_to_fit();
    assert!(arena.allocated_bytes() <= had);
    arena.set_allocation_limit(None);
    arena.frame(|f| {
        let _ = f.alloc_slice_fill_copy(100_000, 3u8);
    });
    assert!(arena.allocated_bytes() >= 100_000);
}

// ---- `collect`'s lower bound and `io::Write`, into frames and fixed vectors ----

/// Panics on the first `allocate` while armed.
#[derive(Clone, Copy)]
struct PanicsOnce<'a>(&'a Cell<bool>);
// SAFETY: forwards to `Global`.
unsafe impl Allocator for PanicsOnce<'_> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if self.0.replace(false) {
            panic!("allocate panics");
        }
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

#[test]
fn collect_with_a_large_lying_lower_bound_into_frames_and_panicking_allocators() {
    // A fixed arena too small for the bound: the bound is ignored, the vector grows.
    let mut mem = [MaybeUninit::uninit(); 1024];
    Arena::from_memory(&mut mem).frame(|f| {
        let v: StackVec<u64, 16, _> = StackVec::from_iter_in(
            LyingIter {
                inner: 0..20u64,
                hint: (1000, None),
            },
            &f,
        );
        assert!(v.iter().copied().eq(0..20));
        // A bound that fits but overstates: capacity for the bound, contents exact.
        let w: StackVec<u32, 8, _> = StackVec::from_iter_in(
            LyingIter {
                inner: 0..3u32,
                hint: (40, Some(40)),
            },
            &f,
        );
        assert_eq!(w, [0, 1, 2]);
        // Understates: grows past it.
        let x: StackVec<u32, 8, _> = StackVec::from_iter_in(
            LyingIter {
                inner: 0..60u32,
                hint: (5, Some(5)),
            },
            &f,
        );
        assert!(x.iter().copied().eq(0..60));
    });
    // An allocator that panics in the reservation: the iterator's items are dropped exactly.
    let armed = Cell::new(true);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _v: StackVec<Tracked, 16, _> =
            StackVec::from_iter_in((0..10).map(Tracked::new), PanicsOnce(&armed));
    }));
    assert!(r.is_err());
    assert_eq!(live(), 0);
    // Panics on a later growth instead (the bound is reserved, then the iterator overruns).
    let armed = Cell::new(false);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut it = (0..100u64).map(Tracked::new);
        let lying = LyingIter {
            inner: std::iter::from_fn(|| {
                let x = it.next();
                if x.as_ref().is_some_and(|t| t.value == 10) {
                    armed.set(true);
                }
                x
            }),
            hint: (4, None),
        };
        let _v: StackVec<Tracked, 16, _> = StackVec::from_iter_in(lying, PanicsOnce(&armed));
    }));
    assert!(r.is_err());
    assert_eq!(live(), 0);
}

#[test]
#[cfg(feature = "std")]
fn io_write_into_frame_backed_and_inline_vectors() {
    use stackfirst::InlineVec;
    use std::io::Write;
    let mut mem = [MaybeUninit::uninit(); 256];
    Arena::from_memory(&mut mem).frame(|f| {
        let mut v: StackVec<u8, 4, _> = StackVec::new_in(&f);
        let (n, text) = (12345, "abc");
        write!(v, "{n}-{text}").unwrap();
        assert_eq!(v, *b"12345-abc");
        assert!(v.spilled());
    });
    let mut fixed: InlineVec<u8, 5> = InlineVec::new();
    assert_eq!(fixed.write(b"").unwrap(), 0);
    assert_eq!(fixed.write(b"ab").unwrap(), 2);
    let err = write!(fixed, "{}", 12345).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WriteZero);
    assert_eq!(fixed, *b"ab123");
    assert_eq!(fixed.write(b"x").unwrap(), 0);
    assert!(fixed.write_all(b"").is_ok());
    let mut v0: InlineVec<u8, 0> = InlineVec::new();
    assert_eq!(v0.write(b"abc").unwrap(), 0);
}

#[test]
fn sync_arena_vectors_grow_and_free_concurrently_without_overlap() {
    static ARENA: SyncArena<{ 1 << 20 }> = SyncArena::new();
    std::thread::scope(|s| {
        for t in 0..4u8 {
            s.spawn(move || {
                for round in 0..200usize {
                    let mut v = stackfirst::allocator_api2::vec::Vec::<u8, _>::new_in(&ARENA);
                    let fill = t.wrapping_mul(50).wrapping_add(round as u8);
                    for _ in 0..(round % 97 + 1) {
                        v.push(fill);
                    }
                    v.shrink_to_fit();
                    let mut w: StackVec<u64, 8, _> = StackVec::new_in(&ARENA);
                    w.extend(0..(round as u64 % 13));
                    assert!(v.iter().all(|&b| b == fill), "thread {t} round {round}");
                    assert!(w.iter().copied().eq(0..(round as u64 % 13)));
                }
            });
        }
    });
}

#[test]
fn sync_arena_global_realloc_shrinks_a_block_that_is_not_the_last_in_place() {
    use std::alloc::GlobalAlloc;
    let arena = SyncArena::<64>::new();
    let l32 = Layout::from_size_align(32, 8).unwrap();
    // SAFETY: valid layouts; the blocks are used only while the arena lives.
    unsafe {
        let a = GlobalAlloc::alloc(&arena, l32);
        let b = GlobalAlloc::alloc(&arena, l32);
        assert!(!a.is_null() && !b.is_null());
        a.write_bytes(7, 32);
        assert_eq!(arena.remaining(), 0, "full");
        // The `Allocator` interface keeps the block where it is...
        let kept = (&arena).shrink(
            NonNull::new(a).unwrap(),
            l32,
            Layout::from_size_align(8, 8).unwrap(),
        );
        assert_eq!(kept.map(|p| p.cast::<u8>().as_ptr()), Ok(a));
        // ...as `GlobalAlloc::realloc` must too: a smaller block always fits where it is (a
        // null here is `handle_alloc_error` for `Vec::shrink_to_fit` under a
        // `#[global_allocator] SyncArena`).
        let shrunk = GlobalAlloc::realloc(&arena, a, Layout::from_size_align(8, 8).unwrap(), 4);
        assert!(
            !shrunk.is_null(),
            "realloc to a smaller size failed on a full arena"
        );
        assert_eq!(*shrunk, 7);
    }
}

// ---- a randomized walk: nested guards (some forgotten), refusing chunks, alignments to 4096 ----

struct Live {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
    level: usize,
}

fn check(blocks: &[Live]) {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for b in blocks {
        assert_eq!(b.ptr.as_ptr() as usize % b.layout.align(), 0);
        if b.layout.size() == 0 {
            continue;
        }
        // SAFETY: a live block we filled.
        let bytes = unsafe { std::slice::from_raw_parts(b.ptr.as_ptr(), b.layout.size()) };
        assert!(bytes.iter().all(|&x| x == b.fill), "contents changed");
        spans.push((b.ptr.as_ptr() as usize, b.layout.size()));
    }
    spans.sort();
    for w in spans.windows(2) {
        assert!(w[0].0 + w[0].1 <= w[1].0, "blocks overlap");
    }
}

fn walk<B: Allocator>(
    f: &mut Frame<'_>,
    rng: &mut Rng,
    blocks: &mut Vec<Live>,
    level: usize,
    backing: &TestBacking<B>,
    fill: &mut u8,
) {
    for _ in 0..rng.below(16) {
        match rng.below(10) {
            0..=3 => {
                let align = 1usize << rng.below(13);
                let size = [0, 1, 7, 64, 300, 2000, 9000][rng.below(7)];
                let layout = Layout::from_size_align(size, align).unwrap();
                if rng.below(8) == 0 {
                    backing.fail_next(1 + rng.below(2));
                }
                if let Ok(p) = (*f).allocate(layout) {
                    *fill = fill.wrapping_add(1).max(1);
                    let p = p.cast::<u8>();
                    // SAFETY: fresh block of `size` bytes.
                    unsafe { p.as_ptr().write_bytes(*fill, size) };
                    blocks.push(Live {
                        ptr: p,
                        layout,
                        fill: *fill,
                        level,
                    });
                }
                backing.fail_next(0);
            }
            4 | 5 => {
                // Resize one of this frame's blocks.
                let mine: Vec<usize> = (0..blocks.len())
                    .filter(|&i| blocks[i].level == level)
                    .collect();
                if let Some(&i) = mine.get(rng.below(mine.len() + 1)) {
                    let b = &blocks[i];
                    let new_size = rng.below(3000);
                    let new_align = 1usize << rng.below(13);
                    let new = Layout::from_size_align(new_size, new_align).unwrap();
                    // SAFETY: a live block of this frame with this layout.
                    let r = unsafe {
                        if new_size >= b.layout.size() {
                            (*f).grow(b.ptr, b.layout, new)
                        } else {
                            (*f).shrink(b.ptr, b.layout, new)
                        }
                    };
                    if let Ok(p) = r {
                        let p = p.cast::<u8>();
                        let keep = b.layout.size().min(new_size);
                        let old_fill = b.fill;
                        // SAFETY: the first `keep` bytes were kept; the block holds `new_size`.
                        unsafe {
                            let kept = std::slice::from_raw_parts(p.as_ptr(), keep);
                            assert!(kept.iter().all(|&x| x == old_fill), "resize lost bytes");
                            p.as_ptr().write_bytes(old_fill, new_size);
                        }
                        blocks[i].ptr = p;
                        blocks[i].layout = new;
                    }
                }
            }
            6 => {
                let mine: Vec<usize> = (0..blocks.len())
                    .filter(|&i| blocks[i].level == level)
                    .collect();
                if let Some(&i) = mine.get(rng.below(mine.len() + 1)) {
                    let b = blocks.swap_remove(i);
                    // SAFETY: a live block of this frame, not used again.
                    unsafe { (*f).deallocate(b.ptr, b.layout) };
                }
            }
            7 if level < 4 => {
                let forget = rng.below(4) == 0;
                let mut guard = f.frame_guard();
                let mut child = guard.frame();
                walk(&mut child, rng, blocks, level + 1, backing, fill);
                if forget {
                    // The child's blocks stay until this frame ends: they become this level's.
                    for b in blocks.iter_mut().filter(|b| b.level > level) {
                        b.level = level;
                    }
                    std::mem::forget(guard);
                } else {
                    blocks.retain(|b| b.level <= level);
                    drop(guard);
                }
            }
            _ => {}
        }
        check(blocks);
    }
}

#[test]
fn randomized_nested_guards_forgotten_guards_refusing_chunks_and_page_alignment() {
    // Miri is ~1000x slower, and `check` takes time in proportion to the live bytes: under it,
    // nine cheap seeds that still cover every kind of arena (heap or bump chunks, fixed memory
    // or not, a limit or not), refused chunk requests in five of the kinds, and guards nested
    // four deep (36, 55, 65).
    const MIRI_SEEDS: [u64; 9] = [6, 15, 16, 19, 33, 36, 38, 55, 65];
    for seed in 1..1000u64 {
        if cfg!(miri) && !MIRI_SEEDS.contains(&seed) {
            continue;
        }
        // Chunks from the heap, or from a bump allocator (downward: later chunks lie below).
        if seed % 4 == 1 {
            let bump = bumpalo::Bump::new();
            randomized_run(seed, TestBacking::over(&bump));
        } else {
            randomized_run(seed, TestBacking::new());
        }
    }
}

fn randomized_run<B: Allocator>(seed: u64, backing: TestBacking<B>) {
    let mut mem = [MaybeUninit::uninit(); 700];
    let mut arena = if seed % 2 == 0 {
        Arena::from_memory_in(&mut mem, &backing)
    } else {
        Arena::new_in(&backing)
    };
    arena.set_allocation_limit((seed % 3 == 0).then_some(40_000));
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut fill = 0u8;
    for round in 0..4 {
        let mut blocks = Vec::new();
        {
            let mut guard = arena.frame_guard();
            let mut f = guard.frame();
            walk(&mut f, &mut rng, &mut blocks, 0, &backing, &mut fill);
            blocks.clear();
            if round == 2 {
                std::mem::forget(guard);
            }
        }
        match rng.below(3) {
            0 => arena.reset(),
            1 => {
                arena.reset();
                arena.shrink_to_fit();
            }
            _ => arena.shrink_to_fit(),
        }
        if let Some(l) = arena.allocation_limit() {
            assert!(arena.allocated_bytes() <= l, "seed {seed}");
        }
    }
    drop(arena);
    assert_eq!(backing.live_blocks(), 0, "seed {seed}");
}

#[test]
fn degenerate_arenas_zero_capacity_home_one_byte_memory_and_empty_memory() {
    // No first chunk for zero bytes; a first chunk with the least room (one byte asked): home,
    // then real chunks after it.
    let backing = TestBacking::new();
    let empty = Arena::with_capacity_in(0, &backing);
    assert_eq!((empty.remaining(), backing.live_blocks()), (0, 0));
    let mut arena = Arena::with_capacity_in(1, &backing);
    assert!((1..64).contains(&arena.remaining()));
    for _ in 0..3 {
        arena.frame(|f| {
            let z = f.alloc_layout(Layout::from_size_align(0, 4096).unwrap());
            assert_eq!(z.as_ptr() as usize % 4096, 0);
            let a = f.alloc_slice_fill_copy(10, 1u8);
            let b = f.alloc_slice_fill_copy(3000, 2u8);
            assert!(a.iter().all(|&x| x == 1) && b.iter().all(|&x| x == 2));
        });
        arena.shrink_to_fit();
        assert_eq!(backing.live_blocks(), 1);
    }
    drop(arena);
    assert_eq!(backing.live_blocks(), 0);

    // One byte of caller memory in a growing arena: the byte stays unused, chunks come from
    // the backing allocator.
    let backing = TestBacking::new();
    let mut one = [MaybeUninit::uninit(); 1];
    let mut arena = Arena::from_memory_in(&mut one, &backing);
    assert_eq!(arena.capacity(), 0);
    arena.frame(|f| {
        let x = f.alloc(7u8);
        assert!(backing.contains(&*x as *const u8 as usize, 1));
    });
    arena.shrink_to_fit();
    arena.frame(|f| assert_eq!(*f.alloc(9u64), 9));
    drop(arena);
    assert_eq!(backing.live_blocks(), 0);

    // No memory at all, fixed: only zero-sized requests succeed.
    let mut none: [MaybeUninit<u8>; 0] = [];
    Arena::from_memory(&mut none).frame(|f| {
        assert!(f.try_alloc(1u8).is_err());
        let z = f.alloc_layout(Layout::from_size_align(0, 64).unwrap());
        assert_eq!(z.as_ptr() as usize % 64, 0);
        assert_eq!(f.alloc_iter(std::iter::empty::<u32>()).len(), 0);
        assert_eq!(f.alloc_fmt(format_args!("")), "");
        let v: StackVec<u8, 4, _> = StackVec::from_iter_in(0..4u8, &f);
        assert_eq!(v, [0, 1, 2, 3]);
    });
}

// ---------------------------------------------------------------------------------------------
// A result built while the caller's iterator or closure is still to be dropped: if that drop
// unwinds, Rust leaks the result without dropping it (rust-lang/rust#47949), and with it every
// element a `FrameBox` or a vector owns. (Found by review: all three leaked their elements.)

/// Yields `.0` tracked values, reports its length exactly, and panics when dropped.
struct PanicsOnDrop(usize);
impl Iterator for PanicsOnDrop {
    type Item = Tracked;
    fn next(&mut self) -> Option<Tracked> {
        self.0 = self.0.checked_sub(1)?;
        Some(Tracked::new(self.0 as u64))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0, Some(self.0))
    }
}
impl ExactSizeIterator for PanicsOnDrop {}
impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("the iterator panics when dropped");
    }
}

/// Captured by a closure: panics when the closure is dropped.
struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("a value the closure captured panics when dropped");
    }
}

#[test]
fn results_drop_their_elements_when_the_callers_iterator_or_closure_panics_on_drop() {
    let mut memory = [MaybeUninit::uninit(); 256];
    let mut arena = Arena::from_memory(&mut memory);
    type Case = fn(&Frame<'_>);
    let cases: [(&str, Case); 3] = [
        ("alloc_iter_exact", |f| {
            let _b = f.alloc_iter_exact(PanicsOnDrop(3));
        }),
        ("alloc_slice_fill_with", |f| {
            let bomb = Bomb;
            let _b = f.alloc_slice_fill_with(3, move |i| {
                let _keep = &bomb;
                Tracked::new(i as u64)
            });
        }),
        ("from_iter_in, inline", |f| {
            // Two 16-byte elements fit the 32-byte inline buffer: the in-line path.
            let _v: StackVec<Tracked, 32, _> = StackVec::from_iter_in(PanicsOnDrop(2), f);
        }),
    ];
    for (name, case) in cases {
        let unwound = catch_unwind(AssertUnwindSafe(|| arena.frame(|f| case(&f))));
        assert!(unwound.is_err(), "{name}: the drop's panic was lost");
        assert_eq!(live(), 0, "{name}: its elements were never dropped");
    }
}

/// A backing allocator over the global heap that counts its calls and never holds two blocks
/// of 256 MiB or more at once (it refuses the second), so that a test never has more than one
/// gigabyte-sized block alive in the 4 GiB address space.
#[cfg(target_pointer_width = "32")]
struct OneBigBlock {
    calls: Cell<usize>,
    big_live: Cell<bool>,
}

#[cfg(target_pointer_width = "32")]
const BIG: usize = 256 << 20;

#[cfg(target_pointer_width = "32")]
// SAFETY: forwards to `Global`, or refuses; `deallocate` gets back only what `Global` granted.
unsafe impl Allocator for OneBigBlock {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.calls.set(self.calls.get() + 1);
        if layout.size() >= BIG {
            if self.big_live.get() {
                return Err(AllocError);
            }
            let block = Global.allocate(layout)?;
            self.big_live.set(true);
            return Ok(block);
        }
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() >= BIG {
            self.big_live.set(false);
        }
        // SAFETY: a block `Global` granted with this layout (the caller's contract).
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// Each chunk of a growing arena is at most `isize::MAX` bytes (a valid `Layout`), but not
/// their total: on a 32-bit target, an arena holding a 1.06 GiB chunk asks its backing allocator
/// for another of 1 GiB, which a 32-bit process can hold (an arena used to cap the total at
/// `isize::MAX` and reported `BackingFailed` without asking; a limit of 3 GiB changed nothing).
/// This backing allocator refuses the second block, to keep one gigabyte alive at a time.
#[cfg(target_pointer_width = "32")]
#[test]
fn arena_asks_the_backing_allocator_once_its_chunks_total_past_isize_max() {
    let backing = OneBigBlock {
        calls: Cell::new(0),
        big_live: Cell::new(false),
    };
    let first = Layout::from_size_align((1 << 30) + (64 << 20), 16).unwrap();
    let second = Layout::from_size_align(1 << 30, 16).unwrap();
    let mut arena = Arena::new_in(&backing);
    arena.frame(|f| {
        f.try_alloc_layout(first)
            .expect("precondition: this 32-bit process could not allocate 1.06 GiB");
        assert!(f.capacity() > (1 << 30));
        let before = backing.calls.get();
        let err = f.try_alloc_layout(second).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::BackingFailed);
        assert!(
            backing.calls.get() > before,
            "{err}: the backing allocator was never asked for a chunk of {} bytes (the arena \
             holds {} bytes of chunks; their total, not one chunk, passes isize::MAX)",
            second.size(),
            f.capacity(),
        );
    });
    // With a limit that the two chunks stay well under, the same: no `LimitReached`, and the
    // backing allocator must be asked.
    arena.set_allocation_limit(Some(3 << 30));
    arena.frame(|f| {
        f.try_alloc_layout(first).unwrap(); // the spare chunk, reused
        let before = backing.calls.get();
        let err = f.try_alloc_layout(second).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::BackingFailed);
        assert!(
            backing.calls.get() > before,
            "{err}: with a limit of 3 GiB, the backing allocator was never asked"
        );
    });
}
