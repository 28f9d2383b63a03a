//! Adversarial tests of the frame-facing types: `Frame` (its methods and its `Allocator`
//! impl), `FrameGuard`, `FrameBox`, the tip buffer behind `alloc_iter` / `alloc_fmt`,
//! `ArenaBuf`, and vectors and strings that spill into a frame and leave it
//! (`into_heap_exact`, `into_boxed_slice`, `leak`, `move_in`).

mod common;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{live, panic_on_clone, panic_on_drop, Tracked};
use stackfirst::allocator_api2::vec::Vec as AVec;
use stackfirst::{Arena, ArenaBuf, Frame, FrameBox, StackString, StackVec};

/// `a..a+n` and `b..b+m` share no byte.
fn disjoint(a: *const u8, n: usize, b: *const u8, m: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    n == 0 || m == 0 || a + n <= b || b + m <= a
}

// ---------------------------------------------------------------------------------------------
// `try_alloc_fmt`: a `Display` that swallows the arena's error.

/// Writes a long piece whose error it ignores, then a short one (a `Display` written with
/// `let _ = write!(f, ...)`).
struct Swallows(usize);
impl fmt::Display for Swallows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f.write_str(&"x".repeat(self.0));
        f.write_str("end")
    }
}

#[test]
fn try_alloc_fmt_reports_a_piece_that_did_not_fit_even_if_the_display_swallowed_it() {
    let mut memory = ArenaBuf::<64>::new();
    memory.arena().frame(|f| {
        let r = f.try_alloc_fmt(format_args!("{}", Swallows(100)));
        // The text is 103 bytes; a 64-byte arena cannot hold it. Returning `Ok("end")` is a
        // silently truncated string.
        assert!(
            r.is_err(),
            "the text does not fit, yet try_alloc_fmt returned Ok({:?})",
            r.unwrap()
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Zero-sized and over-aligned elements in a frame, and the exits to the allocator's own types.

#[repr(align(4096))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Page(u64);

/// Zero-sized, counted while alive.
struct Zst;
thread_local! {
    static ZST_LIVE: Cell<isize> = const { Cell::new(0) };
}
impl Zst {
    fn new() -> Self {
        ZST_LIVE.with(|c| c.set(c.get() + 1));
        Zst
    }
}
impl Drop for Zst {
    fn drop(&mut self) {
        ZST_LIVE.with(|c| c.set(c.get() - 1));
    }
}
fn zst_live() -> isize {
    ZST_LIVE.with(Cell::get)
}

#[test]
fn zero_sized_elements_in_frame_methods_and_vector_exits() {
    let mut memory = ArenaBuf::<64>::new();
    memory.arena().frame(|f| {
        let used = f.used();
        let a = f.alloc_iter((0..1000).map(|_| Zst::new()));
        let b = f.alloc_slice_fill_with(1000, |_| Zst::new());
        let c = f.alloc_iter_exact((0..10).map(|_| Zst::new()));
        let d = f.alloc(Zst::new());
        assert_eq!((a.len(), b.len(), c.len()), (1000, 1000, 10));
        assert_eq!(zst_live(), 2011);
        assert_eq!(f.used(), used, "zero-sized values take no frame memory");
        drop((a, b, c, d));
        assert_eq!(zst_live(), 0);

        let mut v: StackVec<Zst, 8, _> = StackVec::new_in(&f);
        v.extend((0..100).map(|_| Zst::new()));
        assert!(!v.spilled());
        let heap = v.into_heap_exact();
        assert_eq!((heap.len(), zst_live()), (100, 100));
        drop(heap);
        assert_eq!(zst_live(), 0);

        let mut v: StackVec<Zst, 8, _> = StackVec::new_in(&f);
        v.extend((0..5).map(|_| Zst::new()));
        let boxed = v.into_boxed_slice();
        assert_eq!((boxed.len(), zst_live()), (5, 5));
        drop(boxed);
        assert_eq!(zst_live(), 0);
        assert_eq!(f.used(), used);
    });
    let mut v: StackVec<Zst> = StackVec::new();
    v.extend((0..5).map(|_| Zst::new()));
    let boxed: Box<[Zst]> = v.into_boxed_slice();
    assert_eq!((boxed.len(), zst_live()), (5, 5));
    drop(boxed);
    assert_eq!(zst_live(), 0);
}

#[test]
fn page_aligned_elements_spill_grow_and_leave_a_frame_aligned() {
    let mut arena = Arena::with_capacity(64);
    arena.frame(|f| {
        let one = f.alloc(Page(7));
        assert_eq!(&*one as *const Page as usize % 4096, 0);
        let mut v: StackVec<Page, 32, _> = StackVec::new_in(&f);
        for i in 0..20 {
            v.push(Page(i));
            assert_eq!(v.as_ptr() as usize % 4096, 0);
        }
        let keep = f.alloc_slice_copy(&[Page(99); 3]);
        v.shrink_to_fit(); // not the last block: kept where it is
        v.push(Page(20)); // grows by moving
        assert!(v.iter().map(|p| p.0).eq(0..21));
        let boxed = v.into_boxed_slice();
        assert_eq!(boxed.as_ptr() as usize % 4096, 0);
        assert!(boxed.iter().map(|p| p.0).eq(0..21));
        let leaked: &mut [Page] = StackVec::<Page, 0, _>::from_iter_in((0..3).map(Page), &f).leak();
        assert_eq!(leaked.as_ptr() as usize % 4096, 0);
        assert_eq!(keep, &[Page(99); 3]);
        assert_eq!(*one, Page(7));
        let spans = [
            ((&*one as *const Page).cast::<u8>(), 4096),
            (boxed.as_ptr().cast::<u8>(), 21 * 4096),
            (keep.as_ptr().cast::<u8>(), 3 * 4096),
            (leaked.as_ptr().cast::<u8>(), 3 * 4096),
        ];
        for (i, &(a, n)) in spans.iter().enumerate() {
            for &(b, m) in &spans[i + 1..] {
                assert!(disjoint(a, n, b, m), "live blocks overlap");
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Destructors: panicking `Clone` and `Drop`, forgotten boxes, exhaustion in the middle of a
// collection. `Tracked` fails on a double drop; `live()` finds leaks.

#[test]
fn frame_boxes_drop_exactly_once_through_panics_forget_and_exhaustion() {
    let mut memory = ArenaBuf::<2048>::new();
    memory.arena().frame(|f| {
        // A clone that panics half-way: the clones made so far are dropped, the source kept.
        let src: Vec<Tracked> = (0..8).map(Tracked::new).collect();
        panic_on_clone(5);
        let r = catch_unwind(AssertUnwindSafe(|| drop(f.alloc_slice_clone(&src))));
        assert!(r.is_err());
        assert_eq!(live(), 8);
        panic_on_clone(3);
        let r = catch_unwind(AssertUnwindSafe(|| {
            drop(f.alloc_slice_fill_clone(6, &src[0]))
        }));
        assert!(r.is_err());
        assert_eq!(live(), 8);

        // A slice whose third element panics when dropped: the others are dropped anyway.
        let boxed = f.alloc_slice_clone(&src);
        assert_eq!(live(), 16);
        panic_on_drop(3);
        let r = catch_unwind(AssertUnwindSafe(|| drop(boxed)));
        assert!(r.is_err());
        assert_eq!(live(), 8);

        // Forgotten: never dropped (the memory is reclaimed with the frame).
        let forgotten = f.alloc(Tracked::new(100));
        std::mem::forget(forgotten);
        assert_eq!(live(), 9);
        let leaked = FrameBox::leak(f.alloc(Tracked::new(101)));
        assert_eq!(leaked.value, 101);
        assert_eq!(live(), 10);

        // Moved out: dropped once, by its new owner.
        let moved = FrameBox::into_inner(f.alloc(Tracked::new(102)));
        assert_eq!(live(), 11);
        drop(moved);
        assert_eq!(live(), 10);

        // Exhaustion in the middle of `alloc_iter`: what was collected, the item that did not
        // fit and the rest of the iterator are all dropped, once.
        let r = f.try_alloc_iter((0..10_000).map(Tracked::new));
        assert!(r.is_err());
        assert_eq!(live(), 10);
        let r = f.try_alloc_iter_exact((0..10_000u32).map(|i| Tracked::new(i.into())));
        assert!(r.is_err());
        assert_eq!(live(), 10);
        drop(src);
        assert_eq!(live(), 2, "the forgotten and the leaked one");
    });
}

/// A frame box holding a vector that spills into the same frame, after the box's own block:
/// the vector grows, takes another box's elements, and leaves both the box and the frame, each
/// element dropped once and the child frame's memory all given back.
#[test]
fn frame_boxes_holding_vectors_that_spill_into_the_same_frame() {
    let mut arena = Arena::new();
    arena.frame(|mut f| {
        f.frame(|g| {
            let mut b: FrameBox<'_, StackVec<Tracked, 0, &Frame<'_>>> =
                g.alloc(StackVec::new_in(&g));
            b.extend((0..20).map(Tracked::new));
            let mut c = g.alloc_with(|| {
                let mut v: StackVec<Tracked, 0, &Frame<'_>> = StackVec::new_in(&g);
                v.extend((100..105).map(Tracked::new));
                v
            });
            c.append(&mut b);
            assert!(b.is_empty());
            b.extend((200..203).map(Tracked::new));
            assert_eq!(live(), 28);
            let all: Vec<u64> = FrameBox::into_inner(c)
                .into_iter()
                .map(|t| t.value)
                .collect();
            assert!(all.iter().copied().eq((100..105).chain(0..20)));
            let heap: Vec<Tracked> = Vec::from(FrameBox::into_inner(b));
            assert!(heap.iter().map(|t| t.value).eq(200..203));
            drop(heap);
            assert_eq!(live(), 0);
        });
        assert_eq!(f.used(), 0);
    });
}

/// A value whose `Drop` pushes into a frame vector (reentrancy into the frame's allocator while
/// another vector of the frame is being dropped or shrunk).
struct PushOnDrop<'a, 'b, 'f> {
    side: &'a RefCell<StackVec<u64, 0, &'b Frame<'f>>>,
    value: u64,
}
impl Drop for PushOnDrop<'_, '_, '_> {
    fn drop(&mut self) {
        let mut side = self.side.borrow_mut();
        for k in 0..=self.value % 5 {
            side.push(self.value * 10 + k);
        }
    }
}

#[test]
fn element_destructors_that_grow_another_frame_vector_during_drop_truncate_and_shrink() {
    let mut arena = Arena::with_capacity(256);
    arena.frame(|f| {
        let side = RefCell::new(StackVec::<u64, 0, _>::new_in(&f));
        let mut expected = Vec::new();
        let push = |value: u64, expected: &mut Vec<u64>| {
            for k in 0..=value % 5 {
                expected.push(value * 10 + k);
            }
        };
        let mut v: StackVec<PushOnDrop<'_, '_, '_>, 16, _> = StackVec::new_in(&f);
        for value in 0..40 {
            v.push(PushOnDrop { side: &side, value });
        }
        // The side vector's block is now after `v`'s: each drop grows it at the tip.
        v.truncate(30);
        (30..40).for_each(|x| push(x, &mut expected));
        v.shrink_to_fit();
        let w: Vec<u64> = v.iter().map(|p| p.value).collect();
        assert!(w.iter().copied().eq(0..30));
        let drained: Vec<_> = v.drain(5..10).collect();
        drop(drained);
        (5..10).for_each(|x| push(x, &mut expected));
        drop(v);
        (0..5).chain(10..30).for_each(|x| push(x, &mut expected));
        assert_eq!(side.borrow().as_slice(), expected.as_slice());
    });
}

// ---------------------------------------------------------------------------------------------
// Reentrancy into the tip buffer: formatting and collecting that allocate in the same frame.

/// Formats by collecting and formatting into the same frame while it is being formatted into.
struct Reenters<'a, 'f> {
    frame: &'a Frame<'f>,
    depth: u32,
}
impl fmt::Display for Reenters<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut scratch = AVec::<u8, _>::new_in(self.frame);
        for i in 0..3 {
            f.write_str("<")?;
            if self.depth > 0 {
                let inner = self.frame.alloc_fmt(format_args!(
                    "{}",
                    Reenters {
                        frame: self.frame,
                        depth: self.depth - 1
                    }
                ));
                f.write_str(inner)?;
            }
            scratch.extend_from_slice(&[b'a' + i as u8; 40]);
            let words = self.frame.alloc_iter((0..i).map(|k| k * 7));
            write!(f, "{}{:?}", scratch.len(), &*words)?;
            f.write_str(">")?;
        }
        // Freed at the tip (or not) while the outer buffer is still growing.
        drop(scratch);
        Ok(())
    }
}

/// What `Reenters` formats, computed on the heap.
fn reenters_expected(depth: u32) -> String {
    let mut s = String::new();
    for i in 0..3u32 {
        s.push('<');
        if depth > 0 {
            s.push_str(&reenters_expected(depth - 1));
        }
        let words: Vec<u32> = (0..i).map(|k| k * 7).collect();
        s.push_str(&format!("{}{:?}>", 40 * (i + 1), words));
    }
    s
}

#[test]
fn alloc_fmt_whose_display_formats_collects_and_frees_in_the_same_frame() {
    for capacity in [16, 200, 4096] {
        let mut arena = Arena::with_capacity(capacity);
        arena.frame(|f| {
            let before = f.alloc_str("before");
            let s = f.alloc_fmt(format_args!(
                "{}",
                Reenters {
                    frame: &f,
                    depth: 3
                }
            ));
            let after = f.alloc_str("after");
            assert_eq!(&*s, reenters_expected(3));
            assert_eq!((&*before, &*after), ("before", "after"));
            assert!(disjoint(s.as_ptr(), s.len(), after.as_ptr(), after.len()));
        });
    }
}

#[test]
fn alloc_iter_whose_iterator_collects_into_the_same_frame_and_fails_inside() {
    let mut memory = ArenaBuf::<4096>::new();
    memory.arena().frame(|f| {
        let mut inner_failures = 0;
        let outer = f.alloc_iter((0..50u64).map(|i| {
            // An inner collection that fits, one that cannot (its buffer is given back), and a
            // boxed value between them.
            let ok = f.alloc_iter((0..i % 4).map(|k| Tracked::new(i * 100 + k)));
            if f.try_alloc_iter((0..100_000u64).map(Tracked::new)).is_err() {
                inner_failures += 1;
            }
            let sum: u64 = ok.iter().map(|t| t.value).sum();
            (Tracked::new(i), ok, sum)
        }));
        assert_eq!(inner_failures, 50);
        for (i, (t, ok, sum)) in outer.iter().enumerate() {
            let i = i as u64;
            assert_eq!(t.value, i);
            assert!(ok
                .iter()
                .map(|t| t.value)
                .eq((0..i % 4).map(|k| i * 100 + k)));
            assert_eq!(*sum, ok.iter().map(|t| t.value).sum::<u64>());
        }
        drop(outer);
        assert_eq!(live(), 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Vectors and strings leaving a frame: handed over in place, shrunk in place or kept, moved to
// the global heap; and what is allocated afterwards must not overlap them.

#[test]
fn frame_vectors_leave_as_frame_vecs_boxes_and_global_vecs_without_overlap() {
    let mut memory = ArenaBuf::<4096>::new();
    memory.arena().frame(|f| {
        // Spilled and the last block: handed over, then shrunk in place by `into_boxed_slice`.
        let mut a: StackVec<u32, 8, _> = StackVec::new_in(&f);
        a.extend(0..10);
        let cap = a.capacity();
        let heap = a.into_heap_exact();
        assert_eq!((heap.len(), heap.capacity()), (10, cap));
        let boxed = StackVec::<u32, 8, _>::from_iter_in(heap, &f).into_boxed_slice();
        let after = f.alloc_slice_fill_copy(64, 0xEEu8);
        assert!(disjoint(
            boxed.as_ptr().cast(),
            boxed.len() * 4,
            after.as_ptr(),
            after.len()
        ));
        // Spilled and not the last block: `into_boxed_slice` keeps the block, shorter.
        let mut b: StackVec<u32, 8, _> = StackVec::new_in(&f);
        b.extend(100..120);
        let blocker = f.alloc_slice_fill_copy(16, 0xBBu8);
        b.truncate(5);
        let b = b.into_boxed_slice();
        let more = f.alloc_slice_fill_copy(200, 0xCCu8);
        assert!(disjoint(b.as_ptr().cast(), 20, more.as_ptr(), 200));
        assert!(b.iter().copied().eq(100..105));
        // Inline: one exact block of the frame.
        let c: StackVec<u64, 32, _> = StackVec::from_iter_in([1, 2, 3], &f);
        let c = c.into_heap_exact();
        assert_eq!((c.len(), c.capacity()), (3, 3));
        // To the global heap, from spilled and from inline.
        let d: StackVec<Tracked, 16, _> = StackVec::from_iter_in((0..9).map(Tracked::new), &f);
        assert!(d.spilled());
        let d: Vec<Tracked> = d.into();
        let e: StackVec<Tracked, 16, _> = StackVec::from_iter_in((9..10).map(Tracked::new), &f);
        let e: Vec<Tracked> = e.into();
        assert_eq!((d.len(), e.len(), live()), (9, 1, 10));
        drop((d, e));
        assert_eq!(live(), 0);
        // A string spilled into the frame, leaked there.
        let mut s: StackString<8, _> = StackString::new_in(&f);
        use std::fmt::Write;
        write!(s, "{:>20}", "right").unwrap();
        let leaked: &mut str = s.leak();
        let tail = f.alloc_str("tail");
        assert_eq!((&*leaked, &*tail), ("               right", "tail"));
        assert!(disjoint(leaked.as_ptr(), 20, tail.as_ptr(), 4));
        assert!(after.iter().all(|&x| x == 0xEE));
        assert!(blocker.iter().all(|&x| x == 0xBB));
        assert!(more.iter().all(|&x| x == 0xCC));
        assert!(boxed.iter().copied().eq(0..10));
    });
}

#[test]
fn try_into_heap_exact_in_a_full_frame_gives_the_vector_back_intact() {
    let mut memory = ArenaBuf::<48>::new();
    memory.arena().frame(|f| {
        let v: StackVec<Tracked, 128, _> = StackVec::from_iter_in((0..5).map(Tracked::new), &f);
        assert!(!v.spilled());
        let _fill = f.alloc([0u8; 40]);
        let (v, err) = v.try_into_heap_exact().unwrap_err();
        assert!(err.to_string().contains("memory allocation"), "{err}");
        assert!(v.iter().map(|t| t.value).eq(0..5));
        assert_eq!(live(), 5);
        drop(v);
        assert_eq!(live(), 0);
    });
}

// ---------------------------------------------------------------------------------------------
// A randomized walk over the frame-facing API at once: vectors spilling and shrinking in a
// frame, boxes, collections whose iterators allocate in the same frame, child frames (some
// guards forgotten), in a fixed and in a growing arena. Every live value is checked after every
// step, so a block handed out twice shows as changed contents.

thread_local! {
    /// Successful collections (4) and round trips through the frame's own types (7).
    static DONE: Cell<[usize; 2]> = const { Cell::new([0; 2]) };
}

fn done(k: usize) {
    DONE.with(|d| {
        let mut v = d.get();
        v[k] += 1;
        d.set(v);
    });
}

struct Walk<'a, 'f> {
    f: &'a Frame<'f>,
    vecs: Vec<StackVec<u64, 16, &'a Frame<'f>>>,
    boxes: Vec<FrameBox<'f, [u64]>>,
    strs: Vec<(&'f mut str, String)>,
}

/// The value a vector holds at index `i` (its tag is its first element).
fn at(tag: u64, i: usize) -> u64 {
    tag.wrapping_mul(1_000_003).wrapping_add(i as u64)
}

impl Walk<'_, '_> {
    fn check(&self) {
        for v in &self.vecs {
            if let Some(&tag) = v.first() {
                assert!(v
                    .iter()
                    .enumerate()
                    .all(|(i, &x)| i == 0 || x == at(tag, i)));
            }
        }
        for b in &self.boxes {
            if let Some(&tag) = b.first() {
                assert!(b
                    .iter()
                    .enumerate()
                    .all(|(i, &x)| i == 0 || x == at(tag, i)));
            }
        }
        for (s, want) in &self.strs {
            assert_eq!(&**s, want.as_str());
        }
    }
}

fn random_steps(w: &mut Walk<'_, '_>, rng: &mut common::Rng, tag: &mut u64, steps: usize) {
    for _ in 0..steps {
        *tag += 1;
        let t = *tag;
        match rng.below(9) {
            0 => {
                let mut v = StackVec::new_in(w.f);
                let n = rng.below(40);
                if v.try_reserve(n).is_ok() {
                    v.push(t);
                    v.extend((1..n).map(|i| at(t, i)));
                    w.vecs.push(v);
                }
            }
            1 => {
                if let Some(v) = w.vecs.last_mut() {
                    let tag = v.first().copied().unwrap_or(t);
                    let n = v.len().max(1);
                    if v.try_reserve(8).is_ok() {
                        if v.is_empty() {
                            v.push(tag);
                        }
                        v.extend((n..n + 7).map(|i| at(tag, i)));
                    }
                }
            }
            2 => {
                let k = rng.below(w.vecs.len() + 1);
                if let Some(v) = w.vecs.get_mut(k) {
                    v.truncate(rng.below(v.len() + 1));
                    v.shrink_to_fit();
                }
            }
            3 => {
                let k = rng.below(w.vecs.len() + 1);
                if k < w.vecs.len() {
                    drop(w.vecs.swap_remove(k));
                }
            }
            4 => {
                // A collection whose iterator allocates and frees in the frame meanwhile.
                let f = w.f;
                let n = rng.below(30);
                let r = f.try_alloc_iter((0..n).map(|i| {
                    let mut scratch = AVec::<u8, _>::new_in(f);
                    if scratch.try_reserve(9).is_ok() {
                        scratch.extend_from_slice(&[i as u8; 9]);
                    }
                    if i % 4 == 1 {
                        let _ = f.try_alloc_str("noise");
                    }
                    if i == 0 {
                        t
                    } else {
                        at(t, i)
                    }
                }));
                if let Ok(b) = r {
                    done(0);
                    w.boxes.push(b);
                }
            }
            5 => {
                let want = format!("{t}:{}", "s".repeat(rng.below(50)));
                if let Ok(s) = w.f.try_alloc_fmt(format_args!("{want}")) {
                    w.strs.push((s, want));
                }
            }
            6 => {
                let k = rng.below(w.boxes.len() + 1);
                if k < w.boxes.len() {
                    drop(w.boxes.swap_remove(k));
                }
            }
            7 => {
                // Into the frame's own vector and box types, and back into a `StackVec` (these
                // do not fail softly: only with room for three copies).
                let room = |v: &StackVec<u64, 16, _>| w.f.remaining() >= 3 * 8 * v.len() + 64;
                if let Some(v) = w
                    .vecs
                    .last()
                    .is_some_and(room)
                    .then(|| w.vecs.pop().unwrap())
                {
                    let heap = v.into_heap_exact();
                    let again: StackVec<u64, 16, _> = StackVec::from_iter_in(heap, w.f);
                    let boxed = again.into_boxed_slice();
                    done(1);
                    w.vecs.push(StackVec::from_iter_in(boxed.into_vec(), w.f));
                }
            }
            _ => {}
        }
        w.check();
    }
}

fn random_frames(f: &mut Frame<'_>, rng: &mut common::Rng, tag: &mut u64, depth: usize) {
    {
        let mut w = Walk {
            f: &*f,
            vecs: Vec::new(),
            boxes: Vec::new(),
            strs: Vec::new(),
        };
        random_steps(&mut w, rng, tag, 20);
    }
    for _ in 0..rng.below(3) {
        if depth < 3 {
            let forget = rng.below(3) == 0;
            let mut guard = f.frame_guard();
            random_frames(&mut guard.frame(), rng, tag, depth + 1);
            if forget {
                std::mem::forget(guard);
            }
        }
    }
    // Boxes and strings made before a child frame (they borrow the frame, not the handle),
    // checked after it.
    let (boxes, strs) = {
        let mut w = Walk {
            f: &*f,
            vecs: Vec::new(),
            boxes: Vec::new(),
            strs: Vec::new(),
        };
        random_steps(&mut w, rng, tag, 10);
        (std::mem::take(&mut w.boxes), std::mem::take(&mut w.strs))
    };
    let mut child = f.frame_guard();
    random_frames_leaf(&mut child.frame(), rng, tag);
    drop(child);
    let w = Walk {
        f: &*f,
        vecs: Vec::new(),
        boxes,
        strs,
    };
    w.check();
}

fn random_frames_leaf(f: &mut Frame<'_>, rng: &mut common::Rng, tag: &mut u64) {
    let mut w = Walk {
        f: &*f,
        vecs: Vec::new(),
        boxes: Vec::new(),
        strs: Vec::new(),
    };
    random_steps(&mut w, rng, tag, 15);
}

#[test]
fn randomized_vectors_boxes_collections_and_child_frames_keep_their_contents() {
    // Miri is ~1000x slower: under it, 16 seeds (half in a fixed arena, half in a growing one).
    let seeds = if cfg!(miri) { 1..17 } else { 1..300u64 };
    for seed in seeds {
        let mut rng = common::Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut tag = seed << 32;
        if seed % 2 == 0 {
            let mut memory = ArenaBuf::<8192>::new();
            let mut arena = memory.arena();
            let mut guard = arena.frame_guard();
            random_frames(&mut guard.frame(), &mut rng, &mut tag, 0);
        } else {
            let mut arena = Arena::with_capacity(64);
            for _ in 0..2 {
                let mut guard = arena.frame_guard();
                random_frames(&mut guard.frame(), &mut rng, &mut tag, 0);
                drop(guard);
                assert_eq!(arena.used(), 0);
            }
        }
    }
    let [collected, round_trips] = DONE.with(Cell::get);
    // (559 and 167 with Miri's 16 seeds.)
    let enough = if cfg!(miri) { 100 } else { 1000 };
    assert!(
        collected > enough && round_trips > enough,
        "{collected} {round_trips}"
    );
}
