//! Adversarial tests of the storage core (`src/raw.rs`) and its users: odd element types,
//! lying iterators, panicking user code, and allocators that fail or unwind.
//!
//! Every element here is a `common::Tracked` (a double drop or a leak fails the test), every test allocator counts its live
//! blocks, so a double drop, a leak or a double free fails the test (and ASan/valgrind see the
//! memory side).

// The randomized model compares with std's `extract_if`, newer than the crate's MSRV.
#![allow(clippy::incompatible_msrv)]

use std::alloc::Layout;
use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{Arena, ArenaBuf, InlineVec, NoHeap, StackString, StackVec, TryReserveErrorKind};

mod common;
use common::{
    caught, live, panic_message, panic_of, panic_on_clone, panic_on_drop, values, LyingIter, Rng,
    Tracked,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// An allocator over the global heap that counts its live blocks and can fail or panic on the
/// k-th call of each method (counted from 1; 0 = never).
#[derive(Default)]
struct Flaky {
    calls: Cell<usize>,
    live: Cell<isize>,
    fail_at: Cell<usize>,
    panic_at: Cell<usize>,
    panic_in_dealloc: Cell<bool>,
    panic_in_shrink: Cell<bool>,
    panic_in_grow: Cell<bool>,
}

impl Flaky {
    fn tick(&self) -> Result<(), AllocError> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        if self.panic_at.get() == n {
            panic!("allocator panics on purpose");
        }
        if self.fail_at.get() != 0 && n >= self.fail_at.get() {
            return Err(AllocError);
        }
        Ok(())
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the layout it was made with;
// failures and panics happen before any block changes hands.
unsafe impl Allocator for Flaky {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.tick()?;
        let p = Global.allocate(layout)?;
        self.live.set(self.live.get() + 1);
        Ok(p)
    }

    /// With `panic_in_dealloc`, frees the block and then unwinds: a caller that still refers
    /// to the block afterwards is caught by ASan/valgrind, and no test leaks real memory.
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.live.set(self.live.get() - 1);
        assert!(self.live.get() >= 0, "double free");
        // SAFETY: forwarded contract.
        unsafe { Global.deallocate(ptr, layout) }
        if self.panic_in_dealloc.get() {
            panic!("deallocate panics on purpose");
        }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if self.panic_in_grow.get() {
            panic!("grow panics on purpose");
        }
        self.tick()?;
        // SAFETY: forwarded contract.
        unsafe { Global.grow(ptr, old, new) }
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if self.panic_in_shrink.get() {
            panic!("shrink panics on purpose");
        }
        self.tick()?;
        // SAFETY: forwarded contract.
        unsafe { Global.shrink(ptr, old, new) }
    }
}

/// An iterator over `items` whose `size_hint` is whatever it is told.
struct Lying<I> {
    items: I,
    hint: (usize, Option<usize>),
}

impl<I: Iterator> Iterator for Lying<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.items.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

fn tracked(r: std::ops::Range<u64>) -> impl Iterator<Item = Tracked> {
    r.map(Tracked::new)
}

/// Runs the body of test `name` in a child process (for behaviour that aborts), and returns
/// whether the child exited successfully. In the child, runs `body` and exits.
fn in_child(name: &str, body: impl FnOnce()) -> bool {
    const VAR: &str = "STACKFIRST_ADVERSARIAL_CHILD";
    if std::env::var(VAR).as_deref() == Ok(name) {
        body();
        std::process::exit(0);
    }
    let status = common::child::this_test_binary()
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env(VAR, name)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    status.success()
}

// ---------------------------------------------------------------------------------------------
// Zero-sized and oddly shaped element types
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(64))]
struct AlignedZst;

#[test]
fn over_aligned_zst_never_allocates_and_keeps_aligned_pointers() {
    let mut v: StackVec<AlignedZst, 0> = StackVec::new();
    for _ in 0..1000 {
        v.push(AlignedZst);
    }
    v.extend(std::iter::repeat_n(AlignedZst, 1000));
    assert_eq!(
        (v.len(), v.capacity(), v.spilled()),
        (2000, usize::MAX, false)
    );
    assert_eq!(v.as_ptr() as usize % 64, 0);
    v.insert(3, AlignedZst);
    assert_eq!(v.drain(10..20).count(), 10);
    let c = v.clone();
    assert_eq!(c.len(), 1991);
    let heap = c.into_heap_exact();
    assert_eq!(heap.len(), 1991);
    assert_eq!(heap.as_ptr() as usize % 64, 0);
    let leaked = v.clone().leak();
    assert_eq!((leaked.len(), leaked.as_ptr() as usize % 64), (1991, 0));
    let boxed = v.into_boxed_slice();
    assert_eq!(boxed.len(), 1991);
}

#[test]
fn zst_counts_to_usize_max_then_push_panics_with_capacity_overflow() {
    let mut v: StackVec<()> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; the capacity is `usize::MAX`.
    unsafe { v.set_len(usize::MAX) };
    assert_eq!(v.len(), usize::MAX);
    assert!(!v.spilled());
    let err = caught(|| v.push(())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity overflow"));
    assert_eq!(v.len(), usize::MAX);
    assert!(v.try_reserve(1).is_err());
    assert!(v.pop().is_some());
    v.push(());
    assert_eq!(v.len(), usize::MAX);
    let mut it = v.into_iter();
    assert_eq!(it.size_hint(), (usize::MAX, Some(usize::MAX)));
    assert_eq!(it.next_back(), Some(()));
}

#[test]
fn zst_drop_count_is_exact() {
    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    struct D;
    impl Drop for D {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    let mut v: StackVec<D, 8> = StackVec::new();
    v.extend((0..100).map(|_| D));
    drop(v.drain(..10));
    assert_eq!(DROPS.with(Cell::get), 10);
    let mut it = v.into_iter();
    it.next();
    drop(it);
    assert_eq!(DROPS.with(Cell::get), 100);
}

#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(32))]
struct Aligned32(u64);

#[test]
fn over_aligned_elements_stay_aligned_through_spill_grow_and_shrink() {
    // 100 bytes inline: 3 elements of 32 bytes (the inline bytes are not a multiple of T).
    let mut v: StackVec<Aligned32, 100> = StackVec::new();
    assert_eq!(v.capacity(), 3);
    for round in 0..3 {
        for i in 0..40 {
            v.push(Aligned32(i));
            assert_eq!(
                v.as_ptr() as usize % 32,
                0,
                "round {round}, len {}",
                v.len()
            );
        }
        assert!(v.spilled());
        v.truncate(2);
        v.shrink_to_fit();
        assert!(!v.spilled());
        assert_eq!(v.as_ptr() as usize % 32, 0);
        assert_eq!(v, [Aligned32(0), Aligned32(1)]);
        v.clear();
    }
    let s = StackVec::<Aligned32, 100>::from([Aligned32(7); 9]);
    let b = s.into_boxed_slice();
    assert_eq!((b.len(), b.as_ptr() as usize % 32), (9, 0));
}

#[test]
fn three_byte_elements_with_inline_budget_not_a_multiple() {
    let mut v: StackVec<[u8; 3], 32> = StackVec::new();
    assert_eq!(v.capacity(), 10);
    let want: Vec<[u8; 3]> = (0..50u8)
        .map(|i| [i, i ^ 0x55, i.wrapping_mul(3)])
        .collect();
    v.extend_from_slice(&want[..10]);
    assert!(!v.spilled());
    v.extend_from_slice(&want[10..11]);
    assert!(v.spilled());
    v.extend(want[11..].iter().copied());
    assert_eq!(v.as_slice(), &want[..]);
    v.truncate(10);
    v.shrink_to_fit();
    assert!(!v.spilled());
    assert_eq!(v.as_slice(), &want[..10]);
    v.push(want[10]);
    assert_eq!(v.as_slice(), &want[..11]);
}

#[test]
fn budget_smaller_than_one_element_always_spills() {
    let mut v: StackVec<u64, 7> = StackVec::new();
    assert_eq!((v.capacity(), v.spilled()), (0, false));
    v.push(1);
    assert!(v.spilled());
    v.pop();
    v.shrink_to_fit();
    assert_eq!((v.capacity(), v.spilled()), (0, false));
    v.resize(5, 9);
    assert_eq!(v, [9; 5]);

    let mut w: StackVec<String, 0> = StackVec::new();
    w.extend(["a", "b", "c"].map(String::from));
    assert_eq!(w, ["a", "b", "c"]);
    let heap = w.into_heap_exact();
    assert_eq!(heap, ["a", "b", "c"]);
}

#[test]
fn large_elements_spill_with_capacity_one() {
    // Trackedents above 1 KiB: std's minimum heap capacity is 1.
    let mut v: StackVec<[u8; 2048], 0> = StackVec::new();
    v.push([1; 2048]);
    assert_eq!(v.capacity(), 1);
    v.push([2; 2048]);
    assert_eq!(v.capacity(), 2);
    assert_eq!((v[0][2047], v[1][0]), (1, 2));
}

// ---------------------------------------------------------------------------------------------
// Capacities near the limits
// ---------------------------------------------------------------------------------------------

#[test]
fn capacity_overflow_is_an_error_and_changes_nothing() {
    let mut v: StackVec<u64> = StackVec::from([1, 2, 3]);
    for n in [
        usize::MAX,
        usize::MAX - 2,
        isize::MAX as usize,
        isize::MAX as usize / 8 - 2,
    ] {
        assert_eq!(
            v.try_reserve(n).unwrap_err().kind(),
            TryReserveErrorKind::CapacityOverflow,
            "{n}"
        );
        assert_eq!(
            v.try_reserve_exact(n).unwrap_err().kind(),
            TryReserveErrorKind::CapacityOverflow,
            "{n}"
        );
        assert_eq!((v.as_slice(), v.spilled()), (&[1, 2, 3][..], false));
    }
    let err = caught(|| StackVec::<u64>::with_capacity(usize::MAX / 8 + 1)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity overflow"));
    let err = caught(|| v.reserve(usize::MAX)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity overflow"));
    assert_eq!(v, [1, 2, 3]);
}

/// 64-bit only: a 32-bit process may well be granted `isize::MAX` bytes (2 GiB).
#[cfg(target_pointer_width = "64")]
#[test]
fn representable_but_impossible_allocation_is_an_alloc_error() {
    // `isize::MAX` bytes is a valid layout that no machine has: the allocator says no.
    let mut v: StackVec<u8, 0> = StackVec::new();
    v.push(0);
    let err = v.try_reserve_exact(isize::MAX as usize - 1).unwrap_err();
    assert!(matches!(err.kind(), TryReserveErrorKind::AllocError { .. }));
    assert_eq!((v.as_slice(), v.capacity()), (&[0][..], 8));
}

// ---------------------------------------------------------------------------------------------
// Lying size_hints
// ---------------------------------------------------------------------------------------------

#[test]
fn lying_hints_never_corrupt() {
    let hints = [
        (0, Some(0)),
        (usize::MAX, None),
        (usize::MAX, Some(0)),
        (1000, Some(1)),
        (isize::MAX as usize / 4, None),
        (7, Some(3)),
    ];
    for hint in hints {
        for len in [0usize, 1, 3, 4, 5, 9, 64] {
            for pre in [0usize, 2, 4, 6] {
                let mut v: StackVec<Tracked, 128> = (0..pre as u64).map(Tracked::new).collect();
                v.extend(Lying {
                    items: (0..len as u64).map(Tracked::new),
                    hint,
                });
                let want: Vec<u64> = (0..pre as u64).chain(0..len as u64).collect();
                assert_eq!(values(&v), want, "hint {hint:?}, len {len}, pre {pre}");
            }
            assert_eq!(live(), 0);
        }
    }
}

#[test]
fn lying_hint_in_a_small_arena_grows_by_exactly_one() {
    // 49 to 56 usable bytes, whatever the array's alignment.
    let mut memory = [MaybeUninit::uninit(); 56];
    Arena::from_memory(&mut memory).frame(|f| {
        // Inline: 4 u64; the arena has room for 5 u64, not for the doubling to 8.
        let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
        v.extend(Lying {
            items: 0..5u64,
            hint: (usize::MAX / 2, None),
        });
        assert_eq!(v, [0, 1, 2, 3, 4]);
        assert_eq!(v.capacity(), 5);
    });
}

/// The same for `splice`: when the replacement's hint cannot be reserved, the tail makes room as
/// `extend` does (exactly one more in the end), not by doubling, which the arena cannot hold.
#[test]
fn splice_with_a_lying_hint_in_a_small_arena_grows_by_exactly_one() {
    let ok = in_child(
        "splice_with_a_lying_hint_in_a_small_arena_grows_by_exactly_one",
        || {
            let mut memory = [MaybeUninit::uninit(); 56];
            Arena::from_memory(&mut memory).frame(|f| {
                let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
                v.extend([0, 1, 2, 3]);
                let removed: Vec<u64> = v
                    .splice(
                        1..1,
                        Lying {
                            items: 10..11u64,
                            hint: (usize::MAX / 2, None),
                        },
                    )
                    .collect();
                assert!(removed.is_empty());
                assert_eq!(v, [0, 10, 1, 2, 3]);
                assert_eq!(v.capacity(), 5);
            });
        },
    );
    assert!(ok, "splice aborted where one more element fits");
}

/// A full vector whose allocator cannot grow, extended by a lying iterator that yields nothing:
/// nothing needs to be stored, so nothing should be allocated. std's `Vec` reserves only when
/// an element arrives and the vector is full (`extend_desugared`), so it is a no-op there.
#[test]
fn extend_with_lying_hint_and_no_items_needs_no_allocation() {
    let ok = in_child(
        "extend_with_lying_hint_and_no_items_needs_no_allocation",
        || {
            let alloc = Flaky::default();
            alloc.fail_at.set(1); // every allocation fails
            let mut v: StackVec<u64, 32, &Flaky> = StackVec::new_in(&alloc);
            v.extend([1, 2, 3, 4]);
            assert_eq!(v.capacity(), 4);
            v.extend(Lying {
                items: core::iter::empty::<u64>(),
                hint: (1, None),
            });
            assert_eq!(v, [1, 2, 3, 4]);
        },
    );
    assert!(ok, "extend of an empty iterator aborted the process");
}

/// The same bug in the arena: an exhausted frame, a full inline vector, a filter whose hint
/// is wrong (`Filter` says `(0, _)`, but an adapter in between may say more).
#[test]
fn extend_with_lying_hint_in_exhausted_frame_does_not_abort() {
    let ok = in_child(
        "extend_with_lying_hint_in_exhausted_frame_does_not_abort",
        || {
            let mut memory = [MaybeUninit::uninit(); 16];
            Arena::from_memory(&mut memory).frame(|f| {
                let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
                v.extend([1, 2, 3, 4]);
                v.extend(Lying {
                    items: core::iter::empty::<u64>(),
                    hint: (3, Some(3)),
                });
                assert_eq!(v, [1, 2, 3, 4]);
            });
        },
    );
    assert!(ok, "extend of an empty iterator aborted the process");
}

/// The same eager reservation, without an abort: collecting an iterator that yields nothing
/// (but claims 5) into a vector with no inline room allocates a heap block, which the empty
/// result then keeps. std's `Vec::from_iter` allocates nothing for an empty iterator.
#[test]
fn collecting_an_empty_iterator_allocates_nothing() {
    let alloc = Flaky::default();
    let mut v: StackVec<u64, 0, &Flaky> = StackVec::new_in(&alloc);
    v.extend(Lying {
        items: core::iter::empty::<u64>(),
        hint: (5, Some(5)),
    });
    assert_eq!(v.len(), 0);
    assert_eq!(
        alloc.calls.get(),
        0,
        "allocator calls for an empty iterator"
    );
    assert!(!v.spilled());
}

/// Items that fit inline are stored even when the allocator fails every call and the hint asks
/// for more than fits (the failed try for the hint is harmless).
#[test]
fn extend_within_inline_room_never_calls_the_allocator() {
    let alloc = Flaky::default();
    alloc.fail_at.set(1);
    let mut v: StackVec<u64, 32, &Flaky> = StackVec::new_in(&alloc);
    v.extend([1, 2]);
    v.extend(Lying {
        items: 3..5u64,
        hint: (100, None),
    });
    v.extend_from_slice(&[]);
    v.resize(4, 0);
    assert_eq!(v, [1, 2, 3, 4]);
    assert_eq!(alloc.live.get(), 0);
    assert!(
        alloc.calls.get() <= 1,
        "at most the failed try for the hint"
    );
    assert!(!v.spilled());
}

/// Zero-sized elements at `usize::MAX`: the same eager reservation panics where std's `Vec`
/// (which reserves only for an element that arrived) does nothing.
#[test]
fn zst_full_extend_with_lying_empty_iterator_is_a_no_op() {
    let mut v: StackVec<()> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization.
    unsafe { v.set_len(usize::MAX) };
    let r = caught(|| {
        v.extend(Lying {
            items: core::iter::empty::<()>(),
            hint: (1, Some(1)),
        })
    });
    assert!(r.is_ok(), "panicked although no element arrived");
    // std's `Vec` for comparison: the same call is a no-op there.
    let mut w: Vec<()> = Vec::new();
    // SAFETY: as above, for std's `Vec`.
    #[allow(clippy::uninit_vec)]
    unsafe {
        w.set_len(usize::MAX)
    };
    w.extend(Lying {
        items: core::iter::empty::<()>(),
        hint: (1, Some(1)),
    });
}

// ---------------------------------------------------------------------------------------------
// try_extend: stops at the first element it cannot store, loses nothing
// ---------------------------------------------------------------------------------------------

/// A fixed capacity: whatever the hint says, `try_extend` stores exactly what fits, hands back
/// the next element, and leaves the rest in the iterator; an iterator that panics keeps what
/// was stored.
#[test]
fn try_extend_into_inline_vec_stores_what_fits_and_returns_the_next() {
    let hints = [
        None,
        Some((0, None)),
        Some((usize::MAX, None)),
        Some((3, Some(3))),
    ];
    for hint in hints {
        for pre in 0..=8u64 {
            for len in 0..=12u64 {
                let mut v: InlineVec<Tracked, 128> = InlineVec::new();
                v.extend(tracked(0..pre));
                let items = tracked(100..100 + len);
                let honest = items.size_hint();
                let mut it = Lying {
                    items,
                    hint: hint.unwrap_or(honest),
                };
                let room = 8 - pre;
                let stored = len.min(room);
                let want: Vec<u64> = (0..pre).chain(100..100 + stored).collect();
                match v.try_extend(&mut it) {
                    Ok(()) => assert!(len <= room, "hint {hint:?} pre {pre} len {len}"),
                    Err(e) => {
                        assert!(len > room, "hint {hint:?} pre {pre} len {len}");
                        assert_eq!(e.error().kind(), TryReserveErrorKind::CapacityExceeded);
                        assert_eq!(e.into_value().value, 100 + room);
                        let rest: Vec<u64> = it.items.map(|t| t.value).collect();
                        assert_eq!(rest, (101 + room..100 + len).collect::<Vec<_>>());
                    }
                }
                assert_eq!(values(&v), want, "hint {hint:?} pre {pre} len {len}");
                drop(v);
                assert_eq!(live(), 0);
            }
        }
    }
    for stop in 0..10u64 {
        let mut v: InlineVec<Tracked, 128> = InlineVec::new();
        let r = caught(|| {
            v.try_extend((0..20u64).map(|i| {
                if i == stop {
                    panic!("iterator panics on purpose");
                }
                Tracked::new(i)
            }))
        });
        match r {
            Err(_) => assert_eq!(values(&v), (0..stop).collect::<Vec<_>>()),
            Ok(r) => {
                assert_eq!(stop, 9, "the 9th item is the first that does not fit");
                assert_eq!(r.unwrap_err().into_value().value, 8);
                assert_eq!(values(&v), (0..8).collect::<Vec<_>>());
            }
        }
        drop(v);
        assert_eq!(live(), 0);
    }
}

/// When the hint's room cannot be had, `try_extend` grows amortized by one, then by exactly one,
/// so it stores every element that fits: under a 100-byte cap, 12 `u64`.
#[test]
fn try_extend_under_a_capped_allocator_grows_to_exactly_what_fits() {
    for honest in [true, false] {
        let alloc = Gate::capped(100);
        let mut v: StackVec<u64, 32, &Gate> = StackVec::new_in(&alloc);
        let mut it = Lying {
            items: 0..1000u64,
            hint: if honest {
                (1000, Some(1000))
            } else {
                (0, None)
            },
        };
        let e = v.try_extend(&mut it).unwrap_err();
        assert!(matches!(
            e.error().kind(),
            TryReserveErrorKind::AllocError { .. }
        ));
        assert_eq!(e.into_value(), 12, "honest hint: {honest}");
        assert_eq!(v, (0..12).collect::<Vec<_>>());
        assert_eq!(v.capacity(), 12);
        assert_eq!(it.next(), Some(13));
        drop(v);
        assert_eq!(alloc.live.get(), 0);
    }
}

/// `try_push` and `try_insert` on a full inline buffer spill it whole; when the cap refuses the
/// doubled block, the spill of exactly one more keeps every element in order and frees nothing
/// twice; the next one is refused with the vector unchanged.
#[test]
fn try_push_and_try_insert_spill_a_full_buffer_to_exactly_one_more_under_a_cap() {
    let size = std::mem::size_of::<Tracked>();
    let inline = 32 / size;
    for insert in [false, true] {
        let alloc = Gate::capped((inline + 1) * size);
        let mut v: StackVec<Tracked, 32, &Gate> = StackVec::new_in(&alloc);
        for i in 0..inline as u64 {
            v.try_push(Tracked::new(i)).unwrap();
        }
        assert!(!v.spilled() && v.is_full());
        let r = if insert {
            v.try_insert(1, Tracked::new(9))
        } else {
            v.try_push(Tracked::new(9))
        };
        assert!(r.is_ok());
        let mut want: Vec<u64> = (0..inline as u64).collect();
        want.insert(if insert { 1 } else { inline }, 9);
        assert_eq!((values(&v), v.capacity()), (want.clone(), inline + 1));
        let e = v.try_push(Tracked::new(10)).unwrap_err();
        assert_eq!(e.into_value().value, 10);
        assert_eq!(values(&v), want);
        assert_eq!(alloc.live.get(), 1);
        assert_eq!(alloc.live_bytes.get() as usize, (inline + 1) * size);
        drop(v);
        assert_eq!((alloc.live.get(), live()), (0, 0));
    }
}

/// The same in an arena frame of 48 bytes (growing in place), and for an allocator that fails
/// from its k-th call: the vector is full when the error comes, holds every element before the
/// one returned, and frees what it allocated.
#[test]
fn try_extend_in_a_small_frame_and_under_a_failing_allocator() {
    let mut buf = ArenaBuf::<48>::new();
    buf.arena().frame(|f| {
        let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
        let mut it = 0..100u64;
        let e = v.try_extend(&mut it).unwrap_err();
        assert_eq!(e.into_value(), 6);
        assert_eq!((v.as_slice(), v.capacity()), (&[0, 1, 2, 3, 4, 5][..], 6));
        assert_eq!(it.next(), Some(7));
    });
    for k in 1..6 {
        let alloc = Flaky::default();
        alloc.fail_at.set(k);
        {
            let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
            // Growth by doubling (no hint): a call per doubling, the k-th fails.
            let e = v
                .try_extend(Lying {
                    items: tracked(0..1000),
                    hint: (0, None),
                })
                .unwrap_err();
            let n = v.len() as u64;
            assert_eq!(v.len(), v.capacity(), "k {k}");
            assert_eq!(e.into_value().value, n);
            assert_eq!(values(&v), (0..n).collect::<Vec<_>>());
        }
        assert_eq!((live(), alloc.live.get()), (0, 0), "k {k}");
    }
}

thread_local! {
    /// Whether the thread was panicking at each drop of a `Witness`.
    static SEEN: std::cell::RefCell<Vec<bool>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records, when dropped, whether a panic was unwinding.
struct Witness<const S: usize>([u8; S]);

impl<const S: usize> Drop for Witness<S> {
    fn drop(&mut self) {
        SEEN.with(|s| s.borrow_mut().push(std::thread::panicking()));
    }
}

fn seen() -> Vec<bool> {
    SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// As for `Vec`, the element `extend` cannot store and the iterator's rest are dropped while
/// the capacity panic unwinds, not before it starts.
#[test]
fn extend_drops_the_rejected_element_and_the_rest_while_unwinding() {
    let mut v: InlineVec<Witness<1>, 2> = InlineVec::new();
    let r = caught(|| v.extend([(); 4].map(|()| Witness([0])))).unwrap_err();
    assert_eq!(panic_message(&*r), "capacity exceeded");
    assert_eq!(v.len(), 2);
    assert_eq!(seen(), [true, true]);
    drop(v);
    assert_eq!(seen(), [false, false]);

    let mut v: StackVec<Witness<0>> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; none is dropped (set back to 0).
    unsafe { v.set_len(usize::MAX) };
    let r = caught(|| v.extend([Witness([]), Witness([])])).unwrap_err();
    assert_eq!(panic_message(&*r), "capacity overflow");
    // SAFETY: as above.
    unsafe { v.set_len(0) };
    let ours = seen();
    let mut w: Vec<Witness<0>> = Vec::new();
    // SAFETY: as above, for std's `Vec`.
    #[allow(clippy::uninit_vec)]
    unsafe {
        w.set_len(usize::MAX)
    };
    let r = caught(|| w.extend([Witness([]), Witness([])])).unwrap_err();
    assert_eq!(panic_message(&*r), "capacity overflow");
    // SAFETY: as above.
    unsafe { w.set_len(0) };
    assert_eq!((ours, seen()), (vec![true, true], vec![true, true]));
}

/// Panics when dropped.
struct Bomb(#[allow(dead_code)] u8);

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("dropped a bomb");
    }
}

/// An element whose `Drop` panics cannot turn `extend`'s abort on allocation failure into a
/// catchable panic: as `Vec` does, it never drops the element it could not store.
#[test]
fn extend_abort_is_not_replaced_by_the_rejected_elements_drop_panic() {
    let exited = in_child(
        "extend_abort_is_not_replaced_by_the_rejected_elements_drop_panic",
        || {
            let alloc = Flaky::default();
            alloc.fail_at.set(1);
            let mut v: StackVec<Bomb, 0, &Flaky> = StackVec::new_in(&alloc);
            let _ = caught(|| v.extend([Bomb(0)]));
            std::mem::forget(v);
        },
    );
    assert!(!exited, "extend's abort became a catchable panic");
}

/// Nor its capacity panic: the element is dropped while that panic unwinds, and a panic during
/// a panic aborts, as for `Vec`.
#[test]
fn extend_capacity_panic_is_not_replaced_by_the_rejected_elements_drop_panic() {
    let exited = in_child(
        "extend_capacity_panic_is_not_replaced_by_the_rejected_elements_drop_panic",
        || {
            let mut v: InlineVec<Bomb, 0> = InlineVec::new();
            let _ = caught(|| v.extend([Bomb(0)]));
            std::mem::forget(v);
        },
    );
    assert!(
        !exited,
        "extend's capacity panic became the element's panic"
    );
}

/// An iterator whose `Drop` panics as `try_extend` returns its error: the element in the error
/// is dropped with everything else, not leaked.
#[test]
fn try_extend_with_an_iterator_whose_drop_panics_leaks_nothing() {
    struct DropPanics<I>(I);
    impl<I: Iterator> Iterator for DropPanics<I> {
        type Item = I::Item;
        fn next(&mut self) -> Option<I::Item> {
            self.0.next()
        }
    }
    impl<I> Drop for DropPanics<I> {
        fn drop(&mut self) {
            panic!("iterator drop panics on purpose");
        }
    }
    let mut v: InlineVec<Tracked, 64> = InlineVec::new();
    for (items, want) in [(0..3, vec![0, 1, 2]), (10..20, vec![0, 1, 2, 10])] {
        assert!(caught(|| v.try_extend(DropPanics(tracked(items)))).is_err());
        assert_eq!(values(&v), want);
    }
    drop(v);
    assert_eq!(live(), 0);
}

#[test]
fn try_extend_of_zero_sized_elements_stops_at_usize_max() {
    let mut v: StackVec<Z16> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; `z_drops` counts from here.
    unsafe { v.set_len(usize::MAX - 1) };
    let drops = z_drops();
    let e = v.try_extend([Z16, Z16, Z16]).unwrap_err();
    assert_eq!(e.error().kind(), TryReserveErrorKind::CapacityOverflow);
    assert_eq!(v.len(), usize::MAX);
    drop(e);
    // The returned element, then the one left in the array's iterator.
    assert_eq!(z_drops(), drops + 2);
    // SAFETY: zero-sized elements; nothing to drop for the test's purpose.
    unsafe { v.set_len(0) };
}

// ---------------------------------------------------------------------------------------------
// Panics in user code
// ---------------------------------------------------------------------------------------------

#[test]
fn iterator_panicking_midway_keeps_what_was_stored() {
    for stop in [0u64, 1, 3, 4, 5, 8, 9, 20] {
        for pre in [0u64, 3, 4, 10] {
            let mut v: StackVec<Tracked, 128> = (0..pre).map(Tracked::new).collect();
            let r = caught(|| {
                v.extend((0..100u64).map(|i| {
                    if i == stop {
                        panic!("iterator panics on purpose");
                    }
                    Tracked::new(i)
                }))
            });
            assert!(r.is_err());
            let want: Vec<u64> = (0..pre).chain(0..stop).collect();
            assert_eq!(values(&v), want, "stop {stop}, pre {pre}");
            drop(v);
            assert_eq!(live(), 0);
        }
    }
}

#[test]
fn clone_panicking_on_the_kth_call_drops_exactly_the_clones_made() {
    for n in [1u64, 4, 5, 40] {
        for k in 1..=n as usize {
            let v: StackVec<Tracked, 128> = (0..n).map(Tracked::new).collect();
            panic_on_clone(k);
            assert!(caught(|| v.clone()).is_err(), "n {n}, k {k}");
            assert_eq!(live(), n as usize, "n {n}, k {k}");

            let mut w: StackVec<Tracked, 128> = (0..2).map(Tracked::new).collect();
            panic_on_clone(k);
            assert!(caught(|| w.extend_from_slice(&v)).is_err());
            assert_eq!(w.len(), 2 + k - 1);

            panic_on_clone(k);
            let r = caught(|| w.resize(w.len() + n as usize + 1, Tracked::new(99)));
            // `resize` clones `n` times and moves the value in last.
            assert!(r.is_err());
            assert_eq!(w.len(), 2 + (k - 1) * 2);
            drop((v, w));
            assert_eq!(live(), 0);
        }
    }
    panic_on_clone(0);
}

#[test]
fn resize_with_panicking_closure_keeps_the_values_made() {
    let mut v: StackVec<Tracked, 64> = StackVec::new();
    let mut n = 0;
    let r = caught(|| {
        v.resize_with(10, || {
            n += 1;
            if n == 7 {
                panic!("closure panics on purpose");
            }
            Tracked::new(n)
        })
    });
    assert!(r.is_err());
    assert_eq!(values(&v), [1, 2, 3, 4, 5, 6]);
    assert!(v.spilled());
    drop(v);
    assert_eq!(live(), 0);
}

#[test]
fn drop_panicking_in_truncate_into_iter_drain_and_drop_drops_each_once() {
    let make = || -> StackVec<Tracked, 64> { (0..10).map(Tracked::new).collect() };
    for k in 1..=10 {
        let mut v = make();
        panic_on_drop(k);
        assert!(caught(|| v.truncate(0)).is_err());
        assert_eq!(v.len(), 0);
        drop(v);
        assert_eq!(live(), 0, "truncate, k {k}");

        let v = make();
        panic_on_drop(k);
        assert!(caught(|| drop(v)).is_err());
        assert_eq!(live(), 0, "drop, k {k}");

        let mut it = make().into_iter();
        it.next();
        panic_on_drop(k);
        let r = caught(|| drop(it));
        assert_eq!(r.is_err(), k < 10, "into_iter, k {k}");
        panic_on_drop(0);
        assert_eq!(live(), 0, "into_iter, k {k}");

        let mut v = make();
        panic_on_drop(k);
        let r = caught(|| drop(v.drain(2..7)));
        assert_eq!(r.is_err(), k <= 5, "drain, k {k}");
        panic_on_drop(0);
        assert_eq!(values(&v), [0, 1, 7, 8, 9], "drain, k {k}");
        drop(v);
        assert_eq!(live(), 0, "drain, k {k}");
    }
}

// ---------------------------------------------------------------------------------------------
// Allocators that fail or unwind
// ---------------------------------------------------------------------------------------------

#[test]
fn failing_allocation_at_every_step_leaves_the_vector_unchanged() {
    for k in 1..8 {
        let alloc = Flaky::default();
        alloc.fail_at.set(k);
        {
            let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
            let mut next = 0;
            loop {
                let before = values(&v);
                let cap = v.capacity();
                if v.try_reserve(1).is_err() {
                    assert_eq!((values(&v), v.capacity()), (before, cap));
                    break;
                }
                v.push(Tracked::new(next));
                next += 1;
            }
            assert!(v.try_reserve_exact(1).is_err());
            assert_eq!(v.len(), next as usize);
        }
        assert_eq!((live(), alloc.live.get()), (0, 0), "k {k}");
    }
}

#[test]
fn panicking_allocate_grow_and_shrink_leave_a_consistent_vector() {
    for k in 1..6 {
        let alloc = Flaky::default();
        alloc.panic_at.set(k);
        {
            let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
            let mut pushed = 0;
            let r = caught(|| {
                for i in 0..100 {
                    v.push(Tracked::new(i));
                    pushed += 1;
                }
            });
            assert!(r.is_err());
            // The element being pushed was dropped by the unwinding.
            assert_eq!(values(&v), (0..pushed).collect::<Vec<_>>());
            assert_eq!(live(), pushed as usize);
            v.extend((0..10).map(Tracked::new));
            v.truncate(6);
            let cap = v.capacity();
            assert!(cap >= 10);
            // Shrinking to 7 (more than the 4 inline) asks the allocator, which unwinds.
            alloc.panic_in_shrink.set(true);
            assert!(caught(|| v.shrink_to(7)).is_err());
            alloc.panic_in_shrink.set(false);
            assert_eq!((v.len(), v.capacity()), (6, cap));
            alloc.panic_in_grow.set(true);
            assert!(caught(|| v.reserve(cap * 4)).is_err());
            alloc.panic_in_grow.set(false);
            assert_eq!((v.len(), v.capacity()), (6, cap));
            v.shrink_to(7);
            assert_eq!(v.capacity(), 7);
        }
        assert_eq!((live(), alloc.live.get()), (0, 0), "k {k}");
    }
}

#[test]
fn deallocate_unwinding_in_shrink_to_fit_leaves_an_inline_vector() {
    let alloc = Flaky::default();
    {
        let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
        v.extend((0..5).map(Tracked::new));
        assert!(v.spilled());
        v.truncate(2);
        alloc.panic_in_dealloc.set(true);
        assert!(caught(|| v.shrink_to_fit()).is_err());
        alloc.panic_in_dealloc.set(false);
        // Documented: the block leaks, the vector is inline and whole.
        assert!(!v.spilled());
        assert_eq!(values(&v), [0, 1]);
        v.push(Tracked::new(2));
        assert_eq!(values(&v), [0, 1, 2]);
    }
    assert_eq!((live(), alloc.live.get()), (0, 0));
}

#[test]
fn deallocate_unwinding_in_drop_drops_every_element_once() {
    let alloc = Flaky::default();
    let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
    v.extend((0..9).map(Tracked::new));
    alloc.panic_in_dealloc.set(true);
    assert!(caught(|| drop(v)).is_err());
    alloc.panic_in_dealloc.set(false);
    assert_eq!(live(), 0);
}

/// `last` (and `max`, `min`, `reduce`) return what `fold` returns; the buffer is freed before
/// that, so a `deallocate` that unwinds drops the result rather than leaking it (a value being
/// returned is not dropped if a local's `Drop` then unwinds: rust-lang/rust#47949). From the
/// back too (`rfold`).
#[test]
fn into_iter_last_drops_its_result_when_deallocate_unwinds() {
    let alloc = Flaky::default();
    for back in [false, true] {
        let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
        v.extend((0..5).map(Tracked::new));
        assert!(v.spilled());
        alloc.panic_in_dealloc.set(true);
        let r = caught(|| {
            let it = v.into_iter();
            if back { it.rev().last() } else { it.last() }.map(|t| t.value)
        });
        alloc.panic_in_dealloc.set(false);
        assert!(r.is_err(), "deallocate should have unwound");
        assert_eq!(live(), 0, "back {back}");
    }
}

/// A splice into a full `InlineVec` that puts in more than it takes out panics with "capacity
/// exceeded" when it writes the replacement; the element `last` took out is dropped, not
/// leaked, and the vector keeps what it owns.
#[test]
#[allow(clippy::double_ended_iterator_last)] // `last` itself (the whole run, in order) is tested
fn splice_last_into_a_full_inline_vec_drops_the_removed_element() {
    for back in [false, true] {
        let mut v: InlineVec<Tracked, 64> = InlineVec::new();
        v.extend(tracked(0..4));
        let r = caught(|| {
            let s = v.splice(0..1, tracked(10..13));
            if back { s.rev().last() } else { s.last() }.map(|t| t.value)
        });
        assert_eq!(panic_message(&*r.unwrap_err()), "capacity exceeded");
        assert_eq!(values(&v), [10, 1, 2, 3], "back {back}");
        drop(v);
        assert_eq!(live(), 0, "back {back}");
    }
}

/// A panic in a loop over a splice into a full `InlineVec` drops the `Splice` while unwinding,
/// where a second panic ("capacity exceeded") would abort. With `std` the replacement that does
/// not fit is dropped and the caller's panic unwinds; without `std` the crate cannot tell that
/// the thread is unwinding, and the process aborts (documented on `splice`).
#[test]
fn splice_into_a_full_inline_vec_dropped_while_unwinding() {
    let ok = in_child(
        "splice_into_a_full_inline_vec_dropped_while_unwinding",
        || {
            let mut v: InlineVec<Tracked, 64> = InlineVec::new();
            v.extend(tracked(0..4));
            let r = caught(|| {
                let mut s = v.splice(0..1, tracked(10..13));
                assert_eq!(s.next().map(|t| t.value), Some(0));
                panic!("the caller's own panic");
            });
            assert_eq!(panic_message(&*r.unwrap_err()), "the caller's own panic");
            assert_eq!(values(&v), [10, 1, 2, 3]);
            drop(v);
            // No tail: the replacements go straight to the end, as many as fit.
            let mut w: InlineVec<Tracked, 64> = InlineVec::new();
            w.extend(tracked(0..2));
            let r = caught(|| {
                let _s = w.splice(2.., tracked(7..10));
                panic!("the caller's own panic");
            });
            assert_eq!(panic_message(&*r.unwrap_err()), "the caller's own panic");
            assert_eq!(values(&w), [0, 1, 7, 8]);
            drop(w);
            assert_eq!(live(), 0);
        },
    );
    assert_eq!(ok, cfg!(feature = "std"));
}

#[test]
fn drop_panicking_still_frees_the_heap_buffer() {
    let alloc = Flaky::default();
    {
        let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
        v.extend((0..9).map(Tracked::new));
        panic_on_drop(3);
        assert!(caught(|| drop(v)).is_err());
    }
    assert_eq!((live(), alloc.live.get()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Allocators that grow in place; shrinking back inline; conversions
// ---------------------------------------------------------------------------------------------

#[test]
fn bump_grows_in_place_shrinks_inline_and_spills_again() {
    let bump = bumpalo::Bump::new();
    let mut v: StackVec<u32, 16, &bumpalo::Bump> = StackVec::new_in(&bump);
    for round in 0..5u32 {
        for i in 0..200 {
            v.push(round * 1000 + i);
        }
        assert!(v.spilled());
        v.truncate(3);
        v.shrink_to_fit();
        assert!(!v.spilled());
        assert_eq!(v, [round * 1000, round * 1000 + 1, round * 1000 + 2]);
        v.clear();
    }
    v.extend(0..100);
    v.shrink_to(50);
    assert_eq!(v.capacity(), 100);
    v.truncate(10);
    v.shrink_to(20);
    assert_eq!(v.capacity(), 20);
    let b = v.into_boxed_slice();
    assert_eq!(&*b, &(0..10).collect::<Vec<_>>()[..]);
}

#[test]
fn frame_grows_in_place_then_shrinks_back_inline_then_pushes() {
    let mut memory = [MaybeUninit::uninit(); 16384];
    Arena::from_memory(&mut memory).frame(|f| {
        let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
        v.extend(0..4);
        v.push(4);
        let spilled_at = v.as_ptr();
        for i in 5..100 {
            v.push(i);
        }
        // The last block grew in place: same address.
        assert_eq!(v.as_ptr(), spilled_at);
        v.truncate(4);
        v.shrink_to_fit();
        assert!(!v.spilled());
        for i in 4..300 {
            v.push(i);
        }
        assert_eq!(v.as_slice(), &(0..300).collect::<Vec<_>>()[..]);
        let heap = v.into_heap_exact();
        assert_eq!(heap.len(), 300);
    });
}

#[test]
fn into_heap_exact_boxed_slice_and_leak_after_spills_and_shrinks() {
    for n in [0u64, 1, 4, 5, 100, 300] {
        let mut v: StackVec<Tracked, 64> = (0..n).map(Tracked::new).collect();
        v.reserve(1000);
        v.shrink_to(n as usize + 3);
        let h = v.clone().into_heap_exact();
        assert_eq!(h.iter().map(|e| e.value).collect::<Vec<_>>(), values(&v));
        let b = v.clone().into_boxed_slice();
        assert_eq!(b.len(), n as usize);
        let l = v.clone().leak();
        assert_eq!(l.len(), n as usize);
        // SAFETY: a clone is exactly sized, so leaking it gave a global block of exactly
        // `len` elements (or a dangling empty slice): the layout of a `Box<[Tracked]>`.
        drop(unsafe { Box::from_raw(l as *mut [Tracked]) });
        drop((h, b, v));
        assert_eq!(live(), 0, "n {n}");
    }
}

#[test]
fn from_vec_with_small_capacity_then_push_and_shrink() {
    let mut src: Vec<u64> = Vec::with_capacity(2);
    src.push(1);
    let mut v: StackVec<u64> = StackVec::from(src);
    assert!(v.spilled());
    assert_eq!(v.capacity(), 2);
    for i in 2..10 {
        v.push(i);
    }
    assert_eq!(v, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    v.truncate(2);
    v.shrink_to_fit();
    assert!(!v.spilled());
    v.push(3);
    let back: Vec<u64> = v.into_heap_exact();
    assert_eq!((back.as_slice(), back.capacity()), (&[1, 2, 3][..], 3));
}

#[test]
fn global_growth_across_the_small_block_threshold_keeps_contents() {
    // Through 1 KiB, growth moves blocks by hand; past it, `realloc`.
    for size in [1usize, 3, 8, 24] {
        let mut v: StackVec<Vec<u8>, 0> = StackVec::new();
        for i in 0..2000usize {
            v.push(vec![i as u8; size]);
        }
        for (i, x) in v.iter().enumerate() {
            assert_eq!(x, &vec![i as u8; size]);
        }
    }
    let mut b: StackVec<[u8; 24], 0> = StackVec::new();
    for i in 0..500usize {
        b.push([i as u8; 24]);
        assert_eq!(b[i / 2], [(i / 2) as u8; 24]);
    }
}

#[test]
fn drain_then_push_reuses_the_buffer_in_both_states() {
    for n in [3u64, 4, 10] {
        let mut v: StackVec<Tracked, 128> = (0..n).map(Tracked::new).collect();
        // Draining keeps the buffer (inline or heap), as `Vec` does.
        let buffer = (v.as_ptr(), v.capacity(), v.spilled());
        let taken: Vec<u64> = v.drain(1..n as usize - 1).map(|e| e.value).collect();
        assert_eq!(taken, (1..n - 1).collect::<Vec<_>>());
        v.push(Tracked::new(100));
        assert_eq!((v.as_ptr(), v.capacity(), v.spilled()), buffer, "n {n}");
        let mut d = v.drain(..);
        assert_eq!(d.next_back().map(|e| e.value), Some(100));
        std::mem::forget(d);
        // A forgotten drain leaks the rest; the vector is empty and usable.
        assert_eq!(v.len(), 0);
        v.extend((0..5).map(Tracked::new));
        assert_eq!(values(&v), [0, 1, 2, 3, 4]);
        assert_eq!((v.as_ptr(), v.capacity(), v.spilled()), buffer, "n {n}");
        drop(v);
    }
}

#[test]
fn clone_of_spilled_and_shrunk_vectors() {
    let mut v: StackVec<Tracked, 128> = (0..20).map(Tracked::new).collect();
    v.truncate(3);
    let c = v.clone();
    assert!(v.spilled());
    assert!(!c.spilled(), "three elements fit inline in the clone");
    assert_eq!(values(&c), [0, 1, 2]);
    let mut it = v.into_iter();
    it.next();
    let ic = it.clone();
    assert_eq!(ic.map(|e| e.value).collect::<Vec<_>>(), [1, 2]);
    drop((c, it));
    assert_eq!(live(), 0);
}

/// An allocator over the global heap that implements only `allocate` and `deallocate`, so the
/// vector's growth and shrinking go through the trait's default `grow`/`shrink` (allocate a new
/// block, copy, deallocate the old one). It counts live blocks, can refuse blocks above a size,
/// refuse every call from the k-th on, and make `deallocate` unwind (before freeing: the block
/// leaks, so a caller that keeps using it is still memory-safe and any double free is counted).
#[derive(Default)]
struct Gate {
    calls: Cell<usize>,
    live: Cell<isize>,
    live_bytes: Cell<isize>,
    fail_from: Cell<usize>,
    max_bytes: Cell<usize>,
    dealloc_panics: Cell<bool>,
    leaked: Cell<usize>,
    /// Every live block. A freed block must be here (else: double or foreign free); what is left
    /// when the allocator is dropped (the blocks a panicking `deallocate` kept, counted in
    /// `live`, which the tests check) is freed then, so that LeakSanitizer stays quiet.
    blocks: std::cell::RefCell<std::collections::HashMap<usize, Layout>>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        for (addr, layout) in self.blocks.borrow_mut().drain() {
            let ptr = NonNull::new(addr as *mut u8).unwrap();
            // SAFETY: a block of `Global` with this layout, which its owner gave up.
            unsafe { Global.deallocate(ptr, layout) }
        }
    }
}

impl Gate {
    fn capped(max_bytes: usize) -> Self {
        let g = Gate::default();
        g.max_bytes.set(max_bytes);
        g
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the layout it was made with;
// refusals and panics happen before any block changes hands.
unsafe impl Allocator for Gate {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        if self.fail_from.get() != 0 && n >= self.fail_from.get() {
            return Err(AllocError);
        }
        if self.max_bytes.get() != 0 && layout.size() > self.max_bytes.get() {
            return Err(AllocError);
        }
        let p = Global.allocate(layout)?;
        self.blocks
            .borrow_mut()
            .insert(p.cast::<u8>().as_ptr() as usize, layout);
        self.live.set(self.live.get() + 1);
        self.live_bytes
            .set(self.live_bytes.get() + layout.size() as isize);
        Ok(p)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if self.dealloc_panics.get() {
            self.leaked.set(self.leaked.get() + 1);
            panic!("deallocate unwinds on purpose (block leaked)");
        }
        self.live.set(self.live.get() - 1);
        self.live_bytes
            .set(self.live_bytes.get() - layout.size() as isize);
        assert!(self.live.get() >= 0, "double free");
        let known = self.blocks.borrow_mut().remove(&(ptr.as_ptr() as usize));
        assert_eq!(
            known,
            Some(layout),
            "freeing a block that is not live, or with another layout"
        );
        // SAFETY: forwarded contract.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// `#[repr(align(16))]` zero-sized, counting its drops.
#[derive(Clone, Debug, PartialEq)]
#[repr(align(16))]
struct Z16;

thread_local! {
    static Z_DROPS: Cell<usize> = const { Cell::new(0) };
}

impl Drop for Z16 {
    fn drop(&mut self) {
        assert_eq!(self as *mut Z16 as usize % 16, 0, "misaligned ZST dropped");
        Z_DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn z_drops() -> usize {
    Z_DROPS.with(Cell::get)
}

/// Three bytes, 1-aligned.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Three([u8; 3]);

/// 32-byte aligned, 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(32))]
struct A32(u8);

// ---------------------------------------------------------------------------------------------
// InlineVec (NoHeap) at its fixed capacity
// ---------------------------------------------------------------------------------------------

#[test]
fn inline_vec_every_growing_path_panics_capacity_exceeded_and_keeps_elements() {
    // 128 bytes of 16-byte Tracked: 8 inline.
    type V = InlineVec<Tracked, 128>;
    let fill = || -> V {
        let mut v: V = InlineVec::new();
        v.extend(tracked(0..8));
        v
    };
    type Case = (&'static str, Box<dyn Fn(&mut V)>);
    let cases: Vec<Case> = vec![
        ("push", Box::new(|v| v.push(Tracked::new(99)))),
        ("insert", Box::new(|v| v.insert(3, Tracked::new(99)))),
        ("extend", Box::new(|v| v.extend(tracked(90..92)))),
        (
            "extend_from_slice",
            Box::new(|v| v.extend_from_slice(&[Tracked::new(99)])),
        ),
        ("resize", Box::new(|v| v.resize(9, Tracked::new(99)))),
        (
            "resize_with",
            Box::new(|v| v.resize_with(9, || Tracked::new(99))),
        ),
        ("reserve", Box::new(|v| v.reserve(1))),
        ("reserve_exact", Box::new(|v| v.reserve_exact(1))),
        (
            "extend_from_within",
            Box::new(|v| v.extend_from_within(..1)),
        ),
        (
            "append",
            Box::new(|v| {
                let mut o: StackVec<Tracked, 16> = StackVec::new();
                o.push(Tracked::new(99));
                v.append(&mut o);
            }),
        ),
        (
            "splice",
            Box::new(|v| drop(v.splice(2..3, tracked(90..92)))),
        ),
        (
            "splice_tail_less",
            Box::new(|v| drop(v.splice(7.., tracked(90..92)))),
        ),
    ];
    for (name, f) in cases {
        let mut v = fill();
        let r = caught(|| f(&mut v));
        let err = r.expect_err(name);
        assert_eq!(panic_message(&*err), "capacity exceeded", "{name}");
        assert!(!v.spilled(), "{name}");
        if name == "splice" {
            // The first replacement fills the gap, the second finds no room.
            assert_eq!(values(&v), [0, 1, 90, 3, 4, 5, 6, 7], "{name}");
        } else if name == "splice_tail_less" {
            assert_eq!(values(&v), [0, 1, 2, 3, 4, 5, 6, 90], "{name}");
        } else {
            assert_eq!(values(&v), (0..8).collect::<Vec<_>>(), "{name}");
        }
        drop(v);
        assert_eq!(live(), 0, "{name}");
    }
}

#[test]
fn inline_vec_try_apis_return_errors_and_change_nothing() {
    let mut v: InlineVec<Tracked, 128> = InlineVec::new();
    v.extend(tracked(0..7));
    assert!(v.try_push(Tracked::new(7)).is_ok());
    let e = v.try_push(Tracked::new(8)).unwrap_err();
    assert_eq!(e.error().kind(), TryReserveErrorKind::CapacityExceeded);
    assert_eq!(e.into_value().value, 8);
    let e = v.try_insert(0, Tracked::new(9)).unwrap_err();
    assert_eq!(e.error().kind(), TryReserveErrorKind::CapacityExceeded);
    drop(e);
    let src = [Tracked::new(10)];
    assert_eq!(
        v.try_extend_from_slice(&src).unwrap_err().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    assert_eq!(
        v.try_resize(9, Tracked::new(11)).unwrap_err().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    assert_eq!(
        v.try_reserve(usize::MAX).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    assert_eq!(
        v.try_reserve_exact(1).unwrap_err().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    assert_eq!(
        v.push_within_capacity(Tracked::new(12)).unwrap_err().value,
        12
    );
    assert_eq!(values(&v), (0..8).collect::<Vec<_>>());
    assert_eq!(v.capacity(), 8);
    drop((v, src));
    assert_eq!(live(), 0);
}

#[test]
fn inline_vec_lying_hints_fill_exactly_to_capacity() {
    for hint in [
        (0, Some(0)),
        (0, None),
        (100, None),
        (usize::MAX, None),
        (usize::MAX, Some(usize::MAX)),
        (3, Some(3)),
    ] {
        for start in 0..=8u64 {
            let mut v: InlineVec<Tracked, 128> = InlineVec::new();
            v.extend(tracked(0..start));
            // Exactly the room left: must succeed whatever the hint says.
            v.extend(LyingIter {
                inner: tracked(100..100 + (8 - start)),
                hint,
            });
            assert_eq!(v.len(), 8, "hint {hint:?} start {start}");
            // Splice that replaces 2 with 2 (no growth) with the same lie.
            let removed: Vec<u64> = v
                .splice(
                    1..3,
                    LyingIter {
                        inner: tracked(200..202),
                        hint,
                    },
                )
                .map(|t| t.value)
                .collect();
            assert_eq!(removed.len(), 2);
            assert_eq!(v.len(), 8);
            assert_eq!(v[1].value, 200);
            assert_eq!(v[2].value, 201);
            // Splice that shrinks by one, with the same lie, then refills with the lie.
            drop(v.splice(
                0..2,
                LyingIter {
                    inner: tracked(300..301),
                    hint,
                },
            ));
            assert_eq!(v.len(), 7);
            drop(v.splice(
                3..3,
                LyingIter {
                    inner: tracked(400..401),
                    hint,
                },
            ));
            assert_eq!(v.len(), 8);
            assert_eq!(v[3].value, 400);
            drop(v);
            assert_eq!(live(), 0);
        }
    }
}

#[test]
fn inline_vec_zero_capacity_and_budget_below_one_element() {
    let mut v: InlineVec<u64, 7> = InlineVec::new();
    assert_eq!(v.capacity(), 0);
    assert!(v.is_full());
    assert!(v.try_push(1).is_err());
    v.extend(std::iter::empty::<u64>());
    v.extend(LyingIter {
        inner: std::iter::empty::<u64>(),
        hint: (usize::MAX, None),
    });
    drop(v.drain(..));
    drop(v.splice(.., std::iter::empty()));
    v.retain(|_| true);
    v.shrink_to_fit();
    let v2 = v.clone();
    assert!(v2.is_empty());
    assert_eq!(v.into_iter().count(), 0);
    let e: InlineVec<u64, 0> = InlineVec::new();
    let leaked: &mut [u64] = e.leak();
    assert!(leaked.is_empty());
    let r = caught(|| {
        let mut v: InlineVec<u64, 7> = InlineVec::new();
        v.push(1);
    });
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity exceeded");
}

#[test]
fn inline_vec_leak_of_elements_panics_and_drops_them_once() {
    let mut v: InlineVec<Tracked, 128> = InlineVec::new();
    v.extend(tracked(0..3));
    let r = caught(|| {
        let _ = v.leak();
    });
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity exceeded");
    assert_eq!(live(), 0);
}

// ---------------------------------------------------------------------------------------------
// Allocators with the trait's default grow/shrink
// ---------------------------------------------------------------------------------------------

#[test]
fn default_grow_and_shrink_keep_contents_through_every_transition() {
    let g = Gate::default();
    {
        let mut v: StackVec<Tracked, 40, &Gate> = StackVec::new_in(&g); // 2 inline
        for round in 0..4u64 {
            v.extend(tracked(round * 100..round * 100 + 40));
            v.truncate(10 + round as usize);
            v.shrink_to(12);
            assert!(v.spilled());
            v.shrink_to_fit();
            v.truncate(2);
            v.shrink_to_fit();
            assert!(!v.spilled());
            v.reserve_exact(5);
            assert!(v.spilled());
            v.insert(0, Tracked::new(7));
            v.truncate(1);
        }
        let h = v.clone().into_heap_exact();
        assert_eq!(h.len(), 1);
        let b = v.clone().into_boxed_slice();
        assert_eq!(b.len(), 1);
        drop((h, b));
    }
    assert_eq!((live(), g.live.get(), g.live_bytes.get()), (0, 0, 0));
}

#[test]
fn deallocate_unwinding_inside_default_grow_leaves_a_usable_vector() {
    let g = Gate::default();
    {
        let mut v: StackVec<Tracked, 16, &Gate> = StackVec::new_in(&g);
        v.extend(tracked(0..5)); // spilled, cap 4 -> grown
        let cap = v.capacity();
        v.extend(tracked(5..cap as u64));
        assert_eq!(v.len(), cap);
        g.dealloc_panics.set(true);
        // Default `grow`: allocate new, copy, deallocate old (unwinds).
        let r = caught(|| v.push(Tracked::new(1000)));
        g.dealloc_panics.set(false);
        assert!(r.is_err());
        // Whatever the vector did, it must hold its elements and be usable.
        assert_eq!(values(&v), (0..cap as u64).collect::<Vec<_>>());
        v.push(Tracked::new(1001));
        v.shrink_to_fit();
        assert_eq!(v.len(), cap + 1);
    }
    assert_eq!(live(), 0);
    assert_eq!(g.live.get(), g.leaked.get() as isize);
}

#[test]
fn deallocate_unwinding_inside_default_shrink_leaves_a_usable_vector() {
    let g = Gate::default();
    {
        let mut v: StackVec<Tracked, 16, &Gate> = StackVec::new_in(&g);
        v.extend(tracked(0..40));
        v.truncate(10);
        g.dealloc_panics.set(true);
        let r = caught(|| v.shrink_to_fit());
        g.dealloc_panics.set(false);
        assert!(r.is_err());
        assert_eq!(values(&v), (0..10).collect::<Vec<_>>());
        v.push(Tracked::new(10));
        assert_eq!(values(&v), (0..11).collect::<Vec<_>>());
    }
    assert_eq!(live(), 0);
    assert_eq!(g.live.get(), g.leaked.get() as isize);
}

#[test]
fn deallocate_unwinding_in_into_boxed_slice_of_a_spilled_empty_vector() {
    let g = Gate::default();
    {
        let mut v: StackVec<Tracked, 16, &Gate> = StackVec::new_in(&g);
        v.extend(tracked(0..9));
        v.clear();
        g.dealloc_panics.set(true);
        let r = caught(|| drop(v.into_boxed_slice()));
        g.dealloc_panics.set(false);
        assert!(r.is_err());
    }
    assert_eq!(live(), 0);
    assert_eq!(g.live.get(), g.leaked.get() as isize);
}

#[test]
fn try_into_heap_exact_refused_returns_the_vector_untouched() {
    let g = Gate::default();
    {
        let mut v: StackVec<Tracked, 128, &Gate> = StackVec::new_in(&g);
        v.extend(tracked(0..5));
        g.fail_from.set(1);
        let (v, e) = v.try_into_heap_exact().unwrap_err();
        assert!(matches!(e.kind(), TryReserveErrorKind::AllocError { .. }));
        assert_eq!(values(&v), [0, 1, 2, 3, 4]);
        assert!(!v.spilled());
        g.fail_from.set(0);
        let h = v.try_into_heap_exact().unwrap();
        assert_eq!((h.len(), h.capacity()), (5, 5));
    }
    assert_eq!((live(), g.live.get()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Size-capped allocators and lying hints: growth must fall back, never corrupt
// ---------------------------------------------------------------------------------------------

/// A splice whose hint cannot be reserved, on a vector that has already spilled: the result
/// (18 `Tracked`, 288 bytes) fits a 300-byte cap, and `splice` must get there as `extend` does,
/// not ask for the doubling (20 elements, 320 bytes) and abort.
#[test]
fn splice_with_unreservable_hint_in_a_capped_allocator_does_not_abort() {
    let run = |use_splice: bool| {
        let g = Gate::capped(300);
        {
            let mut v: StackVec<Tracked, 32, &Gate> = StackVec::with_capacity_in(10, &g);
            v.extend(tracked(0..10));
            let mut model: Vec<u64> = (0..10).collect();
            let items = LyingIter {
                inner: tracked(100..110),
                hint: (1000, None),
            };
            if use_splice {
                let removed: Vec<u64> = v.splice(2..4, items).map(|t| t.value).collect();
                let rm: Vec<u64> = model.splice(2..4, 100..110).collect();
                assert_eq!(removed, rm);
            } else {
                // Same final length (18) as the splice: 2 out, 10 in.
                v.truncate(8);
                model.truncate(8);
                v.extend(items);
                model.extend(100..110);
            }
            assert_eq!(values(&v), model);
        }
        assert_eq!((live(), g.live.get()), (0, 0));
    };
    run(false);
    let ok = in_child(
        "splice_with_unreservable_hint_in_a_capped_allocator_does_not_abort",
        || run(true),
    );
    assert!(
        ok,
        "splice aborted the process where extend of the same items fits"
    );
}

#[test]
fn splice_growth_that_aborts_the_pattern_is_only_for_real_exhaustion() {
    // The tail must survive any number of in-place growths done by `move_tail`.
    for tail in [0usize, 1, 3, 7] {
        for start in [0usize, 1, 4] {
            for count in [0usize, 1, 2, 5, 9, 20] {
                for hint in [
                    (0, None),
                    (1, Some(1)),
                    (count, Some(count)),
                    (usize::MAX, None),
                ] {
                    let mut v: StackVec<Tracked, 32> = StackVec::new();
                    let n = start + 2 + tail;
                    v.extend(tracked(0..n as u64));
                    let mut model: Vec<u64> = (0..n as u64).collect();
                    drop(v.splice(
                        start..start + 2,
                        LyingIter {
                            inner: tracked(500..500 + count as u64),
                            hint,
                        },
                    ));
                    drop(model.splice(start..start + 2, 500..500 + count as u64));
                    assert_eq!(
                        values(&v),
                        model,
                        "tail {tail} start {start} count {count} hint {hint:?}"
                    );
                    drop(v);
                    assert_eq!(live(), 0);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Panics in user code on the splice and drain paths
// ---------------------------------------------------------------------------------------------

#[test]
fn splice_replacement_panicking_during_tail_moves_keeps_everything_once() {
    for inline_n in [0usize, 1] {
        for k in 1..12usize {
            let mut v: StackVec<Tracked, 48> = StackVec::new();
            v.extend(tracked(0..(4 + inline_n as u64 * 2)));
            let len = v.len();
            let mut made = 0usize;
            let it = std::iter::from_fn(|| {
                made += 1;
                if made == k {
                    std::panic::panic_any(common::Deliberate);
                }
                if made > 10 {
                    None
                } else {
                    Some(Tracked::new(1000 + made as u64))
                }
            });
            let r = caught(|| drop(v.splice(1..2, it)));
            let written = (k - 1).min(10);
            assert_eq!(r.is_err(), k <= 11, "k {k}");
            let mut model: Vec<u64> = vec![0];
            model.extend((1..=written as u64).map(|i| 1000 + i));
            model.extend(2..len as u64);
            assert_eq!(values(&v), model, "k {k}");
            drop(v);
            assert_eq!(live(), 0, "k {k}");
        }
    }
}

#[test]
fn splice_size_hint_panicking_keeps_everything_once() {
    struct HintPanics<I> {
        inner: I,
        calls: usize,
        at: usize,
    }
    impl<I: Iterator> Iterator for HintPanics<I> {
        type Item = I::Item;
        fn next(&mut self) -> Option<I::Item> {
            self.calls += 1;
            self.inner.next()
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            // Panics once `next` has been called `at` times.
            if self.calls >= self.at {
                std::panic::panic_any(common::Deliberate);
            }
            (0, None)
        }
    }
    for at in 0..4usize {
        let mut v: StackVec<Tracked, 32> = StackVec::new();
        v.extend(tracked(0..6));
        let it = HintPanics {
            inner: tracked(100..110),
            calls: 0,
            at,
        };
        let r = caught(|| drop(v.splice(2..3, it)));
        assert!(r.is_err());
        // Prefix, the replacements stored before the panic (at least the one that filled the
        // gap), the tail; the item in hand when `size_hint` panicked was dropped.
        let vals = values(&v);
        let written = vals.len() - 5;
        assert!(written >= 1, "at {at}");
        let mut model = vec![0, 1];
        model.extend(100..100 + written as u64);
        model.extend([3, 4, 5]);
        assert_eq!(vals, model, "at {at}");
        drop(v);
        assert_eq!(live(), 0);
    }
}

#[test]
fn forgotten_splice_and_drain_leave_a_usable_vector() {
    for spilled in [false, true] {
        let n = if spilled { 20 } else { 5 };
        let mut v: StackVec<Tracked, 64> = StackVec::new();
        v.extend(tracked(0..n));
        let mut s = v.splice(1..3, tracked(100..110));
        assert_eq!(s.next().map(|t| t.value), Some(1));
        std::mem::forget(s);
        // Leak-amplified: only the prefix is kept.
        assert_eq!(values(&v), [0]);
        v.extend(tracked(200..230));
        v.shrink_to_fit();
        v.insert(0, Tracked::new(7));
        assert_eq!(v.len(), 32);
        drop(v);
        // The leaked elements stay alive; nothing is dropped twice.
        assert!(live() > 0);
    }
}

#[test]
fn dedup_by_drop_panicking_keeps_the_unvisited_elements() {
    for k in 1..6usize {
        let mut v: StackVec<Tracked, 32> = StackVec::new();
        for x in [1u64, 1, 1, 2, 2, 3, 3, 3, 4] {
            v.push(Tracked::new(x));
        }
        panic_on_drop(k);
        let r = caught(|| v.dedup());
        panic_on_drop(0);
        assert!(r.is_err(), "k {k}");
        // What `Vec::dedup` keeps when the same drop panics: the kept prefix and every
        // unvisited element, in order.
        let mut w: Vec<Tracked> = [1u64, 1, 1, 2, 2, 3, 3, 3, 4].map(Tracked::new).into();
        panic_on_drop(k);
        assert!(caught(|| w.dedup()).is_err(), "k {k}");
        panic_on_drop(0);
        assert_eq!(
            values(&v),
            w.iter().map(|t| t.value).collect::<Vec<_>>(),
            "k {k}"
        );
        drop(w);
        drop(v);
        assert_eq!(live(), 0, "k {k}");
    }
}

#[test]
fn extract_if_with_drop_panicking_on_extracted_items() {
    for k in 1..5usize {
        let mut v: StackVec<Tracked, 32> = StackVec::new();
        v.extend(tracked(0..10));
        panic_on_drop(k);
        let r = caught(|| {
            for t in v.extract_if(2..9, |t| t.value % 2 == 0) {
                drop(t);
            }
        });
        panic_on_drop(0);
        assert!(r.is_err());
        // Exactly the evens 2..=2k were extracted (the k-th one's drop panicked); every other
        // element, tested or not, is still there, in order.
        let want: Vec<u64> = (0..10u64)
            .filter(|&x| !(x % 2 == 0 && (2..=2 * k as u64).contains(&x)))
            .collect();
        assert_eq!(values(&v), want, "k {k}");
        drop(v);
        assert_eq!(live(), 0, "k {k}");
    }
}

#[test]
fn clone_panicking_into_inline_vec_and_spilled_clone_in() {
    for k in 1..6usize {
        let mut v: InlineVec<Tracked, 128> = InlineVec::new();
        v.extend(tracked(0..6));
        panic_on_clone(k);
        let r = caught(|| v.clone());
        panic_on_clone(0);
        assert!(r.is_err());
        assert_eq!(live(), 6);
        let g = Gate::default();
        panic_on_clone(k);
        let r = caught(|| {
            let w: StackVec<Tracked, 128, &Gate> = v.clone_in(&g);
            w
        });
        panic_on_clone(0);
        assert!(r.is_err());
        assert_eq!((live(), g.live.get()), (6, 0));
        // extend_from_within, inline and spilled.
        panic_on_clone(k);
        let r = caught(|| v.extend_from_within(..2));
        panic_on_clone(0);
        assert_eq!(r.is_err(), k <= 2);
        assert_eq!(v.len(), 6 + (k - 1).min(2));
        drop(v);
        assert_eq!(live(), 0);
        let mut s: StackVec<Tracked, 16> = StackVec::new();
        s.extend(tracked(0..6));
        panic_on_clone(k);
        let r = caught(|| s.extend_from_within(1..5));
        panic_on_clone(0);
        assert_eq!(r.is_err(), k <= 4);
        assert_eq!(s.len(), 6 + (k - 1).min(4));
        drop(s);
        assert_eq!(live(), 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Zero-sized types, over-aligned, through every iterator
// ---------------------------------------------------------------------------------------------

#[test]
fn over_aligned_zst_through_drain_splice_extract_retain_dedup_into_iter() {
    let base = z_drops();
    let mut v: StackVec<Z16, 0> = StackVec::new();
    v.extend(std::iter::repeat_n(Z16, 10));
    assert_eq!(v.as_ptr() as usize % 16, 0);
    // Drain 3 (yield 1, drop 2).
    let mut d = v.drain(2..5);
    let one = d.next().unwrap();
    drop(d);
    drop(one);
    assert_eq!(v.len(), 7);
    assert_eq!(z_drops() - base, 3);
    // Splice 2 out, 4 in.
    drop(v.splice(1..3, std::iter::repeat_n(Z16, 4)));
    assert_eq!(v.len(), 9);
    assert_eq!(z_drops() - base, 5);
    // Splice with no tail.
    drop(v.splice(8.., std::iter::repeat_n(Z16, 3)));
    assert_eq!((v.len(), z_drops() - base), (11, 6));
    // extract_if every other one in 2..8.
    let mut flip = false;
    let out: Vec<Z16> = v
        .extract_if(2..8, |z| {
            assert_eq!(z as *mut Z16 as usize % 16, 0);
            flip = !flip;
            flip
        })
        .collect();
    assert_eq!((out.len(), v.len()), (3, 8));
    drop(out);
    assert_eq!(z_drops() - base, 9);
    let mut n = 0;
    v.retain(|_| {
        n += 1;
        n % 4 != 0
    });
    assert_eq!((v.len(), z_drops() - base), (6, 11));
    v.dedup();
    assert_eq!((v.len(), z_drops() - base), (1, 16));
    v.extend(std::iter::repeat_n(Z16, 5));
    let mut it = v.into_iter();
    it.next();
    it.next_back();
    assert_eq!(z_drops() - base, 18);
    let c = it.clone();
    assert_eq!(c.as_slice().len(), 4);
    assert_eq!(c.as_slice().as_ptr() as usize % 16, 0);
    drop(it);
    drop(c);
    assert_eq!(z_drops() - base, 26);
}

#[test]
fn zst_at_usize_max_drain_splice_and_insert() {
    let mut v: StackVec<(), 0> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; capacity is usize::MAX.
    unsafe { v.set_len(usize::MAX) };
    assert!(v.is_full());
    let r = caught(|| v.insert(0, ()));
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
    assert_eq!(v.len(), usize::MAX);
    // Splice in one more than goes out: overflow, and the vector keeps its length.
    let r = caught(|| drop(v.splice(5..6, [(), ()])));
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
    assert_eq!(v.len(), usize::MAX);
    let r = caught(|| drop(v.splice(usize::MAX - 1.., [(), ()])));
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
    assert_eq!(v.len(), usize::MAX - 1 + 1);
    let d = v.drain(10..usize::MAX - 10);
    assert_eq!(d.len(), usize::MAX - 20);
    drop(d);
    assert_eq!(v.len(), 20);
    assert_eq!(
        v.try_reserve(usize::MAX).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    assert!(v.try_reserve(usize::MAX - 20).is_ok());
    let mut w: InlineVec<(), 0> = InlineVec::new();
    // SAFETY: as above.
    unsafe { w.set_len(usize::MAX) };
    assert!(w.try_push(()).is_err());
    let r = caught(|| w.push(()));
    assert!(r.is_err());
    assert_eq!(w.len(), usize::MAX);
}

// ---------------------------------------------------------------------------------------------
// into_flattened, odd sizes, alignment above the buffer's
// ---------------------------------------------------------------------------------------------

#[test]
fn into_flattened_corners() {
    // Spilled with spare capacity, then grow and shrink the flattened vector.
    let mut v: StackVec<[Tracked; 3], 96> = StackVec::new(); // 2 arrays inline
    for i in 0..5u64 {
        v.push([
            Tracked::new(3 * i),
            Tracked::new(3 * i + 1),
            Tracked::new(3 * i + 2),
        ]);
    }
    assert!(v.spilled());
    let cap = v.capacity();
    let mut f: StackVec<Tracked, 96> = v.into_flattened(); // 6 inline
    assert_eq!(f.capacity(), cap * 3);
    assert_eq!(values(&f), (0..15).collect::<Vec<_>>());
    f.extend(tracked(15..40));
    f.truncate(4);
    f.shrink_to_fit();
    assert!(!f.spilled());
    assert_eq!(values(&f), [0, 1, 2, 3]);
    drop(f);
    assert_eq!(live(), 0);
    // Arrays of zero length of a non-zero-sized type: a zero-sized element.
    let mut e: StackVec<[u64; 0], 8> = StackVec::new();
    e.extend(std::iter::repeat_n([], 100));
    let fe: StackVec<u64, 8> = e.into_flattened();
    assert!(fe.is_empty());
    assert_eq!(fe.capacity(), 1);
    // Inline, exactly full.
    let i: StackVec<[u16; 2], 8> = StackVec::from([[1, 2], [3, 4]]);
    let fi: StackVec<u16, 8> = i.into_flattened();
    assert_eq!((fi.as_slice(), fi.spilled()), (&[1, 2, 3, 4][..], false));
    // NoHeap.
    let n: InlineVec<[Three; 2], 12> = StackVec::from_iter_in(
        [
            [Three([1; 3]), Three([2; 3])],
            [Three([3; 3]), Three([4; 3])],
        ],
        NoHeap,
    );
    let fnh: InlineVec<Three, 12> = n.into_flattened();
    assert_eq!(fnh.len(), 4);
    assert!(fnh.is_full());
    // Spilled `From<Vec>` with a capacity below the inline one.
    let src = vec![[7u8, 8]]; // capacity 1
    let s: StackVec<[u8; 2], 32> = StackVec::from(src);
    assert!(s.spilled());
    let mut fs: StackVec<u8, 32> = s.into_flattened();
    assert_eq!((fs.as_slice(), fs.capacity()), (&[7, 8][..], 2));
    fs.push(9);
    fs.shrink_to_fit();
    assert_eq!((fs.as_slice(), fs.spilled()), (&[7, 8, 9][..], false));
}

#[test]
fn alignment_above_the_inline_buffer_and_odd_budgets() {
    // 40 bytes of 32-aligned 32-byte elements: one inline, and 8 bytes that are not a slot.
    let mut v: StackVec<A32, 40> = StackVec::new();
    assert_eq!(StackVec::<A32, 40>::INLINE_CAPACITY, 1);
    for i in 0..20u8 {
        v.push(A32(i));
        assert_eq!(v.as_ptr() as usize % 32, 0);
    }
    v.truncate(1);
    v.shrink_to_fit();
    assert!(!v.spilled());
    assert_eq!(v.as_ptr() as usize % 32, 0);
    let w = v.clone();
    assert_eq!(w.as_ptr() as usize % 32, 0);
    let mut it = w.into_iter();
    assert_eq!(it.as_mut_slice().as_ptr() as usize % 32, 0);
    assert_eq!(it.next(), Some(A32(0)));
    // 10 bytes of 3-byte elements: 3 inline.
    let mut t: StackVec<Three, 10> = StackVec::new();
    let mut m: Vec<Three> = Vec::new();
    for i in 0..40u8 {
        t.insert(t.len() / 2, Three([i; 3]));
        m.insert(m.len() / 2, Three([i; 3]));
        if i % 7 == 0 {
            t.truncate(3);
            m.truncate(3);
            t.shrink_to_fit();
            assert!(!t.spilled());
        }
        assert_eq!(t.as_slice(), m.as_slice());
    }
    let h = t.into_heap_exact();
    assert_eq!(h, m);
}

#[test]
fn append_and_split_off_across_budgets_and_allocators() {
    let g = Gate::default();
    for a_len in [0u64, 1, 3, 4, 5, 9] {
        for b_len in [0u64, 1, 4, 5, 8] {
            let mut a: StackVec<Tracked, 32, &Gate> = StackVec::new_in(&g);
            a.extend(tracked(0..a_len));
            let mut b: InlineVec<Tracked, 128> = InlineVec::new();
            b.extend(tracked(100..100 + b_len));
            a.append(&mut b);
            assert!(b.is_empty());
            let mut model: Vec<u64> = (0..a_len).collect();
            model.extend(100..100 + b_len);
            assert_eq!(values(&a), model);
            for at in [0, a.len() / 2, a.len()] {
                let mut c = a.clone();
                let tail = c.split_off(at);
                assert_eq!(values(&c), model[..at]);
                assert_eq!(values(&tail), model[at..]);
                assert_eq!(tail.spilled(), tail.len() > 2);
            }
            let r = caught(|| a.split_off(a.len() + 1));
            assert!(panic_message(&*r.unwrap_err()).contains("should be <= len"));
            drop(a);
            assert_eq!((live(), g.live.get()), (0, 0));
        }
    }
}

#[test]
fn capacity_overflow_messages_and_unchanged_vectors() {
    let mut v: StackVec<u64> = StackVec::from([1, 2, 3]);
    for add in [
        usize::MAX,
        usize::MAX - 2,
        usize::MAX / 8,
        isize::MAX as usize / 8 + 1,
    ] {
        assert_eq!(
            v.try_reserve(add).unwrap_err().kind(),
            TryReserveErrorKind::CapacityOverflow,
            "add {add}"
        );
        assert_eq!(
            v.try_reserve_exact(add).unwrap_err().kind(),
            TryReserveErrorKind::CapacityOverflow
        );
        let r = caught(|| v.reserve(add));
        assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
        let r = caught(|| v.reserve_exact(add));
        assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
        assert_eq!(
            (v.as_slice(), v.spilled(), v.capacity()),
            (&[1, 2, 3][..], false, 4)
        );
    }
    let r = caught(|| StackVec::<u64>::with_capacity(usize::MAX / 4));
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
    let r = caught(|| v.resize(usize::MAX, 0));
    assert_eq!(panic_message(&*r.unwrap_err()), "capacity overflow");
    assert_eq!(
        v.try_resize(usize::MAX, 0).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    let r = caught(|| v.insert(4, 0));
    assert!(
        panic_message(&*r.unwrap_err()).contains("insertion index (is 4) should be <= len (is 3)")
    );
    let r = caught(|| v.remove(3));
    assert!(panic_message(&*r.unwrap_err()).contains("removal index (is 3) should be < len (is 3)"));
    let r = caught(|| v.swap_remove(3));
    assert!(
        panic_message(&*r.unwrap_err()).contains("swap_remove index (is 3) should be < len (is 3)")
    );
    assert_eq!(v, [1, 2, 3]);
    // A spilled vector, same requests.
    v.extend(0..10);
    let (cap, data) = (v.capacity(), v.to_vec());
    assert_eq!(
        v.try_reserve(isize::MAX as usize).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    assert_eq!((v.capacity(), v.to_vec()), (cap, data));
}

// ---------------------------------------------------------------------------------------------
// Randomized differential runs against `Vec` on paths the proptest model does not take:
// fixed-capacity vectors (NoHeap) and allocators with the trait's default grow/shrink.
// ---------------------------------------------------------------------------------------------

/// One random step on `s` and `v`. For operations whose result would exceed `max` (the fixed
/// capacity, or `usize::MAX`), `s` must panic with "capacity exceeded" and is then re-read into
/// the model (what a failed operation keeps is checked by the targeted tests).
fn step<const N: usize, A: Allocator + Clone>(
    rng: &mut Rng,
    s: &mut StackVec<Tracked, N, A>,
    v: &mut Vec<u64>,
    max: usize,
) {
    let len = v.len();
    let op = rng.below(16);
    let a = rng.below(len + 1);
    let b = rng.below(len + 1);
    let (lo, hi) = (a.min(b), a.max(b));
    let k = rng.below(6) as u64;
    let hint = match rng.below(4) {
        0 => (0, None),
        1 => (k as usize, Some(k as usize)),
        2 => (usize::MAX, None),
        _ => (k as usize * 3 + 1, Some(1)),
    };
    let base = rng.next() % 1000;
    let items = move || LyingIter {
        inner: tracked(base..base + k),
        hint,
    };
    let new_len = match op {
        0 | 1 => len + 1,
        2 => len + k as usize,
        3 => len - (hi - lo) + k as usize,
        4 => len + (hi - lo),
        _ => 0,
    };
    if new_len > max && op <= 4 {
        let r = caught(|| match op {
            0 => s.push(Tracked::new(base)),
            1 => s.insert(a, Tracked::new(base)),
            2 => s.extend(items()),
            3 => drop(s.splice(lo..hi, items())),
            _ => s.extend_from_within(lo..hi),
        });
        assert_eq!(
            panic_message(&*r.unwrap_err()),
            "capacity exceeded",
            "op {op}"
        );
        *v = values(s);
        return;
    }
    match op {
        0 => {
            s.push(Tracked::new(base));
            v.push(base);
        }
        1 => {
            s.insert(a, Tracked::new(base));
            v.insert(a, base);
        }
        2 => {
            s.extend(items());
            v.extend(base..base + k);
        }
        3 => {
            let mut sp = s.splice(lo..hi, items());
            let mut vp = v.splice(lo..hi, base..base + k);
            for _ in 0..rng.below(3) {
                assert_eq!(sp.next().map(|t| t.value), vp.next());
            }
            if rng.below(2) == 0 {
                assert_eq!(sp.next_back().map(|t| t.value), vp.next_back());
            }
        }
        4 => {
            s.extend_from_within(lo..hi);
            v.extend_from_within(lo..hi);
        }
        5 => {
            let mut d = s.drain(lo..hi);
            let mut e = v.drain(lo..hi);
            if rng.below(2) == 0 {
                assert_eq!(d.next_back().map(|t| t.value), e.next_back());
            }
            assert_eq!(d.next().map(|t| t.value), e.next());
        }
        6 => {
            let m = k + 2;
            s.retain(|t| t.value % m != 0);
            v.retain(|x| x % m != 0);
        }
        7 => {
            s.dedup_by_key(|t| t.value / 300);
            v.dedup_by_key(|x| *x / 300);
        }
        8 => {
            s.truncate(a);
            v.truncate(a);
        }
        9 => {
            s.shrink_to(k as usize * 2);
            if max == usize::MAX {
                assert!(s.capacity() >= s.len());
            }
        }
        10 => {
            s.shrink_to_fit();
        }
        11 => {
            let t = s.split_off(a);
            let u = v.split_off(a);
            assert_eq!(values(&t), u);
            drop(t);
            v.extend(u.iter().map(|_| 0).take(0));
            // Put them back, through append.
            let mut t2: StackVec<Tracked, 0> = u.iter().map(|&x| Tracked::new(x)).collect();
            if s.len() + t2.len() <= max {
                s.append(&mut t2);
                v.extend(u);
            }
        }
        12 => {
            let m = k + 2;
            let got: Vec<u64> = s
                .extract_if(lo..hi, |t| t.value % m == 0)
                .take(2)
                .map(|t| t.value)
                .collect();
            let want: Vec<u64> = v.extract_if(lo..hi, |x| *x % m == 0).take(2).collect();
            assert_eq!(got, want);
        }
        13 => {
            let c = s.clone();
            assert_eq!(values(&c), *v);
            let mut it = c.into_iter();
            it.next();
            it.next_back();
            let it2 = it.clone();
            assert_eq!(it2.len(), it.len());
        }
        14 => {
            if len > 0 {
                assert_eq!(s.swap_remove(a % len).value, v.swap_remove(a % len));
            }
        }
        _ => {
            if len > 0 {
                assert_eq!(s.remove(a % len).value, v.remove(a % len));
            }
        }
    }
    assert_eq!(values(s), *v, "op {op}");
    assert!(s.len() <= s.capacity());
}

#[test]
fn randomized_inline_vec_against_vec() {
    // Miri is ~1000x slower: under it, a third of the seeds (from seed 25 on, a push, an insert
    // and a splice past the 10 inline elements, not only an extend, have panicked with
    // "capacity exceeded").
    let seeds = if cfg!(miri) { 1..100 } else { 1..300u64 };
    for seed in seeds {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut s: InlineVec<Tracked, 160> = InlineVec::new(); // 10 inline
        let mut v: Vec<u64> = Vec::new();
        for _ in 0..60 {
            step(&mut rng, &mut s, &mut v, 10);
            assert!(!s.spilled());
        }
        drop(s);
        assert_eq!(live(), 0, "seed {seed}");
    }
}

#[test]
fn randomized_default_grow_allocator_against_vec() {
    let g = Gate::default();
    // Miri is ~1000x slower: under it, a third of the seeds.
    let seeds = if cfg!(miri) { 1..100 } else { 1..300u64 };
    for seed in seeds {
        let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
        {
            let mut s: StackVec<Tracked, 48, &Gate> = StackVec::new_in(&g); // 3 inline
            let mut v: Vec<u64> = Vec::new();
            for _ in 0..80 {
                step(&mut rng, &mut s, &mut v, usize::MAX);
            }
        }
        assert_eq!((live(), g.live.get()), (0, 0), "seed {seed}");
    }
}

#[test]
fn dedup_with_panicking_eq_and_clone_from_with_panicking_clone() {
    #[derive(Debug)]
    struct Cmp(Tracked, u32);
    impl PartialEq for Cmp {
        fn eq(&self, other: &Self) -> bool {
            if self.1 == 99 || other.1 == 99 {
                std::panic::panic_any(common::Deliberate);
            }
            self.0.value == other.0.value
        }
    }
    for bad in 1..7usize {
        let mut v: StackVec<Cmp, 64> = StackVec::new();
        for (i, x) in [1u64, 1, 2, 2, 3, 3, 4].into_iter().enumerate() {
            v.push(Cmp(Tracked::new(x), if i == bad { 99 } else { 0 }));
        }
        let r = caught(|| v.dedup());
        assert!(r.is_err());
        let vals: Vec<u64> = v.iter().map(|c| c.0.value).collect();
        assert!(vals.windows(2).all(|w| w[0] <= w[1]), "bad {bad}: {vals:?}");
        assert_eq!(vals.last(), Some(&4));
        drop(v);
        assert_eq!(live(), 0);
    }
    // clone_from (`Vec`'s algorithm: the common prefix cloned in place, then the rest appended)
    // with a clone that panics: what is left is what `Vec` leaves, every value accounted for.
    let g = Gate::default();
    {
        let src: StackVec<Tracked, 32, &Gate> = StackVec::from_iter_in(tracked(0..9), &g);
        let mut dst: StackVec<Tracked, 32, &Gate> = StackVec::from_iter_in(tracked(50..53), &g);
        let model_src: Vec<Tracked> = tracked(0..9).collect();
        let mut model: Vec<Tracked> = tracked(50..53).collect();
        panic_on_clone(5);
        let r = caught(|| dst.clone_from(&src));
        panic_on_clone(5);
        let m = caught(|| model.clone_from(&model_src));
        panic_on_clone(0);
        assert!(r.is_err() && m.is_err());
        let model_values: Vec<u64> = model.iter().map(|t| t.value).collect();
        assert_eq!(values(&dst), model_values);
        assert_eq!(values(&dst), [0, 1, 2, 3]);
        dst.clone_from(&src);
        assert_eq!(values(&dst), (0..9).collect::<Vec<_>>());
    }
    assert_eq!((live(), g.live.get()), (0, 0));
}

#[test]
fn into_iter_of_a_spilled_vector_with_panicking_drop_frees_its_buffer() {
    let g = Gate::default();
    for k in 1..5usize {
        {
            let v: StackVec<Tracked, 32, &Gate> = StackVec::from_iter_in(tracked(0..12), &g);
            let mut it = v.into_iter();
            it.next();
            it.next_back();
            it.as_mut_slice()[0].value = 77;
            assert_eq!(it.as_slice()[0].value, 77);
            panic_on_drop(k);
            let r = caught(|| drop(it));
            panic_on_drop(0);
            assert!(r.is_err());
        }
        assert_eq!((live(), g.live.get()), (0, 0), "k {k}");
    }
}

// ---------------------------------------------------------------------------------------------
// collect: every length, lying hint and panic position, in line, at the spill and after it
// ---------------------------------------------------------------------------------------------

/// Yields `0..n` as Tracked, panicking when asked for item `panic_at` (if any).
struct Src {
    next: u64,
    n: u64,
    panic_at: Option<u64>,
    hint: Option<(usize, Option<usize>)>,
}

impl Src {
    /// `n` values `0..n`; panics when about to yield `panic_at`; claims `hint` (or the truth).
    fn new(n: u64, panic_at: Option<u64>, hint: Option<(usize, Option<usize>)>) -> Self {
        Src {
            next: 0,
            n,
            panic_at,
            hint,
        }
    }
}

impl Iterator for Src {
    type Item = Tracked;
    fn next(&mut self) -> Option<Tracked> {
        if Some(self.next) == self.panic_at {
            panic!("iterator panics at {}", self.next);
        }
        if self.next == self.n {
            return None;
        }
        self.next += 1;
        Some(Tracked::new(self.next - 1))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.hint {
            Some(h) => h,
            None => {
                let r = (self.n - self.next) as usize;
                (r, Some(r))
            }
        }
    }
}

fn hints(n: usize) -> Vec<Option<(usize, Option<usize>)>> {
    vec![
        None,
        Some((0, None)),
        Some((usize::MAX, None)),
        Some((usize::MAX, Some(0))),
        Some((100, Some(1))),
        Some((n + 3, Some(n + 3))),
        Some((n / 2, Some(n / 2))),
        Some((1, Some(1))),
        Some((3, None)),
    ]
}

/// Every length, hint and panic position, against Vec's collect; exact drop accounting.
fn collect_battery<const N: usize, A: Allocator + Clone>(alloc: A) {
    for n in 0..12u64 {
        for hint in hints(n as usize) {
            // no panic: equal to Vec
            let base = live();
            {
                let v: StackVec<Tracked, N, A> =
                    StackVec::from_iter_in(Src::new(n, None, hint), alloc.clone());
                let got: Vec<u64> = v.iter().map(|t| t.value).collect();
                let want: Vec<u64> = (0..n).collect();
                assert_eq!(got, want, "n={n} hint={hint:?}");
                assert_eq!(live(), base + n as usize);
            }
            assert_eq!(live(), base, "leak n={n} hint={hint:?}");
            for k in 0..=n {
                let r = caught(|| {
                    StackVec::<Tracked, N, A>::from_iter_in(
                        Src::new(n, Some(k), hint),
                        alloc.clone(),
                    )
                });
                assert!(r.is_err());
                assert_eq!(live(), base, "leak after panic at {k}, n={n} hint={hint:?}");
            }
        }
    }
}

#[test]
fn collect_global_every_panic_and_hint() {
    collect_battery::<32, Global>(Global);
    collect_battery::<0, Global>(Global);
    collect_battery::<16, Global>(Global);
    collect_battery::<100, Global>(Global);
}

#[test]
fn collect_from_iter_trait_every_panic_and_hint() {
    for n in 0..12u64 {
        for hint in hints(n as usize) {
            let base = live();
            let v: StackVec<Tracked> = Src::new(n, None, hint).collect();
            assert_eq!(v.len(), n as usize);
            assert!(v.iter().map(|t| t.value).eq(0..n));
            drop(v);
            for k in 0..=n {
                let r = caught(|| {
                    let _v: StackVec<Tracked> = Src::new(n, Some(k), hint).collect();
                });
                assert!(r.is_err());
            }
            assert_eq!(live(), base);
        }
    }
}

#[test]
fn collect_inline_vec_every_hint() {
    // InlineVec<Tracked, 64>: 4 slots. Collect up to 4 with lying hints: must succeed.
    for n in 0..=4u64 {
        for hint in hints(n as usize) {
            let base = live();
            let v: InlineVec<Tracked, 64> = Src::new(n, None, hint).collect();
            assert!(v.iter().map(|t| t.value).eq(0..n), "n={n} hint={hint:?}");
            drop(v);
            assert_eq!(live(), base);
        }
    }
    // 5 elements: capacity exceeded panic, nothing leaked
    for hint in hints(5) {
        let base = live();
        let r = caught(|| {
            let _v: InlineVec<Tracked, 64> = Src::new(5, None, hint).collect();
        });
        assert!(r.is_err());
        assert_eq!(live(), base);
    }
}

/// `collect` and `extend` of six values into an `InlineVec` of four, under every kind of hint:
/// "capacity exceeded", the first four kept in order, each value dropped once (review 8).
#[test]
fn inline_vec_collect_and_extend_past_capacity_with_lying_hints() {
    for hint in [
        (0, None),
        (3, Some(3)),
        (4, Some(4)),
        (5, None),
        (usize::MAX, None),
    ] {
        let before = live();
        let it = LyingIter {
            inner: (0..6).map(Tracked::new),
            hint,
        };
        let m = panic_of(|| {
            let _v: InlineVec<Tracked, { 4 * 16 }> = it.collect();
        });
        assert_eq!(m, "capacity exceeded", "{hint:?}");
        assert_eq!(live(), before, "{hint:?}");
        // extend into a partly full one
        let mut v: InlineVec<Tracked, { 4 * 16 }> = InlineVec::new();
        v.push(Tracked::new(100));
        let it = LyingIter {
            inner: (0..6).map(Tracked::new),
            hint,
        };
        let m = panic_of(|| v.extend(it));
        assert_eq!(m, "capacity exceeded", "{hint:?}");
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].value, 100);
        assert_eq!(v[3].value, 2);
        drop(v);
        assert_eq!(live(), before, "{hint:?}");
    }
}

/// `&NoHeap` and `&&NoHeap` (generic code borrowing the allocator it was given) behave as
/// `NoHeap` through every growing path of a vector and a string (review 8).
#[test]
fn borrowed_no_heap_vector_and_string_report_capacity_exceeded() {
    let nh = NoHeap;
    assert_eq!(Vec::from(fixed_through(&nh)), [7, 8]);
    assert_eq!(Vec::from(fixed_through(&&nh)), [7, 8]);
}

/// Runs the growing paths on a full fixed vector and string; returns a vector of `[7, 8]`.
fn fixed_through<A: Allocator + Copy>(nh: A) -> StackVec<u32, 8, A> {
    let mut v: StackVec<u32, 8, A> = StackVec::new_in(nh);
    v.push(1);
    v.push(2);
    assert_eq!(
        v.try_push(3).unwrap_err().error().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    assert_eq!(panic_of(|| v.push(3)), "capacity exceeded");
    assert_eq!(panic_of(|| v.insert(0, 3)), "capacity exceeded");
    assert_eq!(panic_of(|| v.extend([3])), "capacity exceeded");
    assert_eq!(v, [1, 2]);
    assert_eq!(
        v.try_reserve(1).unwrap_err().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    let w: StackVec<u32, 8, A> = StackVec::from_iter_in([7, 8], nh);
    assert_eq!(w, [7, 8]);
    let m = panic_of(|| {
        let _w: StackVec<u32, 8, A> = StackVec::from_iter_in([7, 8, 9], nh);
    });
    assert_eq!(m, "capacity exceeded");
    let mut s: StackString<3, A> = StackString::new_in(nh);
    assert!(std::fmt::Write::write_fmt(&mut s, format_args!("ab{}", 'é')).is_err());
    assert_eq!(s, "ab");
    let m = panic_of(|| {
        let _ = StackString::<3, A>::format_in(format_args!("{}", 1234), nh);
    });
    assert!(m.starts_with("capacity exceeded"), "{m}");
    w
}

/// A `splice` that overflows an `InlineVec` keeps its tail element exactly once (review 8).
#[test]
fn inline_vec_splice_past_capacity_keeps_the_tail_once() {
    let before = live();
    let mut v: InlineVec<Tracked, { 4 * 16 }> = InlineVec::new();
    v.extend((0..3).map(Tracked::new));
    let m = panic_of(|| {
        v.splice(1..2, (10..13).map(Tracked::new)).for_each(drop);
    });
    assert_eq!(m, "capacity exceeded");
    assert!(v.len() <= 4);
    let vals: Vec<u64> = v.iter().map(|t| t.value).collect();
    // The tail element 2 must still be there exactly once.
    assert_eq!(vals.iter().filter(|&&x| x == 2).count(), 1, "{vals:?}");
    assert_eq!(vals[0], 0);
    drop(v);
    assert_eq!(live(), before);
}

/// `From<[T; M]>` and `stack_vec![x; n]` past an `InlineVec`'s capacity drop every value once
/// (review 8).
#[test]
fn inline_vec_from_array_and_elem_past_capacity_drop_once() {
    let before = live();
    let m = panic_of(|| {
        let _v: InlineVec<Tracked, 16> = InlineVec::from([Tracked::new(1), Tracked::new(2)]);
    });
    assert_eq!(m, "capacity exceeded");
    assert_eq!(live(), before);
    let m = panic_of(|| {
        let _v: InlineVec<Tracked, 16> = stackfirst::stack_vec![Tracked::new(1); 2];
    });
    assert_eq!(m, "capacity exceeded");
    assert_eq!(live(), before);
    let v: InlineVec<Tracked, 32> = stackfirst::stack_vec![Tracked::new(1); 2];
    assert_eq!(v.len(), 2);
    let arr: [Tracked; 2] = v.try_into().ok().unwrap();
    drop(arr);
    assert_eq!(live(), before);
    let _ = Global;
}

// ---------------------------------------------------------------------------------------------
// Random walks over every growth path against a `Vec` model: several element types (zero-sized,
// over-aligned, odd-sized, owning) and allocators (the heap, bumpalo, frames, `NoHeap`, and one
// that hands out larger blocks and refuses from its k-th call). A false `assert_unchecked` in
// `src/raw.rs` aborts a debug build.
// ---------------------------------------------------------------------------------------------

/// Forwards to `Global`, returns blocks `extra` bytes larger than asked, and refuses every
/// allocation or growth from call number `refuse_from` on.
#[derive(Clone)]
struct Quirky<'a> {
    calls: &'a Cell<usize>,
    refuse_from: usize,
    extra: usize,
}

// SAFETY: every block comes from `Global` with its size grown by `extra`, and goes back to it
// with that same layout (the caller's size plus `extra`); refusals happen before any block
// changes hands.
unsafe impl Allocator for Quirky<'_> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        assert!(layout.size() != 0, "zero-sized allocate");
        let k = self.calls.get();
        self.calls.set(k + 1);
        if k >= self.refuse_from {
            return Err(AllocError);
        }
        let big = Layout::from_size_align(layout.size() + self.extra, layout.align()).unwrap();
        let p = Global.allocate(big)?;
        Ok(NonNull::slice_from_raw_parts(p.cast(), big.size()))
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        assert!(layout.size() != 0);
        let big = Layout::from_size_align(layout.size() + self.extra, layout.align()).unwrap();
        // SAFETY: the caller's block came from `Global` with `big` (see `allocate`).
        unsafe { Global.deallocate(ptr, big) }
    }
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        assert!(old.size() != 0 && new.size() >= old.size() && new.align() == old.align());
        let p = self.allocate(new)?;
        // SAFETY: the old block holds `old.size()` bytes, the fresh one at least that many; the
        // old block is the caller's, given back once.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.as_ptr(), p.cast::<u8>().as_ptr(), old.size());
            self.deallocate(ptr, old);
        }
        Ok(p)
    }
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        assert!(new.size() != 0 && new.size() <= old.size());
        let unrefused = Quirky {
            refuse_from: usize::MAX,
            ..self.clone()
        };
        let p = unrefused.allocate(new)?;
        // SAFETY: the old block holds at least `new.size()` bytes, and so does the fresh one;
        // the old block is the caller's, given back once.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.as_ptr(), p.cast::<u8>().as_ptr(), new.size());
            self.deallocate(ptr, old);
        }
        Ok(p)
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
#[repr(align(64))]
struct Al(u8);

#[derive(Clone, Debug, PartialEq, Default)]
struct Z;

trait Make: Clone + PartialEq + core::fmt::Debug {
    fn make(i: u64) -> Self;
}
impl Make for u8 {
    fn make(i: u64) -> Self {
        i as u8
    }
}
impl Make for u64 {
    fn make(i: u64) -> Self {
        i
    }
}
impl Make for Al {
    fn make(i: u64) -> Self {
        Al(i as u8)
    }
}
impl Make for Z {
    fn make(_: u64) -> Self {
        Z
    }
}
impl Make for [u8; 3] {
    fn make(i: u64) -> Self {
        [i as u8; 3]
    }
}
impl Make for String {
    fn make(i: u64) -> Self {
        i.to_string()
    }
}

fn walk<T: Make, const N: usize, A: Allocator + Clone>(alloc: A, seed: u64, steps: usize) {
    walk_in::<T, N, A>(alloc, seed, steps, false)
}

/// `fallible`: only the methods that report allocation failure (and shrinking, truncation).
fn walk_in<T: Make, const N: usize, A: Allocator + Clone>(
    alloc: A,
    seed: u64,
    steps: usize,
    fallible: bool,
) {
    const SAFE: [usize; 9] = [4, 5, 6, 7, 13, 18, 19, 20, 21];
    let mut rng = Rng(seed);
    let mut v: StackVec<T, N, A> = StackVec::new_in(alloc.clone());
    let mut m: Vec<T> = Vec::new();
    for step in 0..steps {
        let s = step as u64;
        let op = if fallible {
            SAFE[rng.below(SAFE.len())]
        } else {
            rng.below(22)
        };
        let r = caught(|| match op {
            0 | 1 => {
                v.push(T::make(s));
                m.push(T::make(s));
            }
            2 => {
                let n = rng.below(9);
                v.reserve(n);
                assert!(v.capacity() - v.len() >= n);
            }
            3 => {
                let n = rng.below(9);
                v.reserve_exact(n);
                assert!(v.capacity() - v.len() >= n);
            }
            4 | 5 => {
                let n = rng.below(9);
                let cap = v.capacity();
                let r = if op == 4 {
                    v.try_reserve(n)
                } else {
                    v.try_reserve_exact(n)
                };
                match r {
                    Ok(()) => assert!(v.capacity() - v.len() >= n),
                    Err(_) => assert_eq!(v.capacity(), cap, "a refused reservation changed it"),
                }
            }
            6 => v.shrink_to(rng.below(12)),
            7 => v.shrink_to_fit(),
            8 => {
                let i = rng.below(m.len() + 1);
                v.insert(i, T::make(s));
                m.insert(i, T::make(s));
            }
            9 => {
                let n = rng.below(40);
                v.resize(n, T::make(s));
                m.resize(n, T::make(s));
            }
            10 => {
                let k = rng.below(20);
                v.extend((0..k as u64).map(T::make));
                m.extend((0..k as u64).map(T::make));
            }
            11 => {
                let k = rng.below(m.len() + 1);
                let tail = v.split_off(k);
                let mt = m.split_off(k);
                assert_eq!(&tail[..], &mt[..]);
                let mut tail = tail;
                v.append(&mut tail);
                m.extend(mt);
            }
            12 => {
                let c = v.clone();
                assert_eq!(&c[..], &m[..]);
                v = c;
            }
            13 => {
                let n = rng.below(m.len() + 1);
                v.truncate(n);
                m.truncate(n);
            }
            14 => {
                let k = rng.below(6);
                let mut w: StackVec<T, N, A> = StackVec::with_capacity_in(k, alloc.clone());
                w.extend((0..k as u64).map(T::make));
                v.append(&mut w);
                m.extend((0..k as u64).map(T::make));
            }
            15 => {
                let k = rng.below(6);
                let it = LyingIter {
                    inner: (0..k as u64).map(T::make),
                    hint: (rng.below(3) * 7, None),
                };
                v.extend(it);
                m.extend((0..k as u64).map(T::make));
            }
            16 => {
                let a = rng.below(m.len() + 1);
                let b = a + rng.below(m.len() - a + 1);
                let k = rng.below(6);
                let got: Vec<T> = v.splice(a..b, (0..k as u64).map(T::make)).collect();
                let want: Vec<T> = m.splice(a..b, (0..k as u64).map(T::make)).collect();
                assert_eq!(got, want);
            }
            17 => {
                let k = rng.below(6);
                let w: StackVec<T, N, A> = StackVec::with_capacity_in(k, alloc.clone());
                drop(w);
            }
            // A refusal leaves the vector as it was (the model is compared below).
            18 => {
                let i = rng.below(m.len() + 1);
                match v.try_insert(i, T::make(s)) {
                    Ok(()) => m.insert(i, T::make(s)),
                    Err(e) => assert_eq!(e.into_value(), T::make(s)),
                }
            }
            19 => {
                let more = [T::make(s), T::make(s + 1)];
                if v.try_extend_from_slice(&more).is_ok() {
                    m.extend_from_slice(&more);
                }
            }
            20 => {
                let n = rng.below(20);
                if v.try_resize(n, T::make(s)).is_ok() {
                    m.resize(n, T::make(s));
                }
            }
            _ => {
                v.clear();
                m.clear();
            }
        });
        // Only the fixed-capacity refusal may end a step early; a failed check of
        // the walk itself (or any other panic) must fail the test, not resync the model.
        if let Err(p) = r {
            let msg = panic_message(&*p);
            assert_eq!(
                msg, "capacity exceeded",
                "step {step} op {op}: unexpected panic"
            );
            m = v.to_vec();
        }
        assert_eq!(&v[..], &m[..], "step {step} op {op}");
        assert!(v.len() <= v.capacity());
    }
}

fn walk_fallible<A: Allocator + Clone>(a: A, seed: u64) {
    walk_in::<u8, 0, A>(a.clone(), seed, 300, true);
    walk_in::<u8, 5, A>(a.clone(), seed, 300, true);
    walk_in::<u64, 32, A>(a.clone(), seed, 300, true);
    walk_in::<Al, 64, A>(a.clone(), seed, 300, true);
    walk_in::<Al, 0, A>(a.clone(), seed, 300, true);
    walk_in::<[u8; 3], 8, A>(a.clone(), seed, 300, true);
    walk_in::<String, 24, A>(a.clone(), seed, 300, true);
}

fn walk_all<A: Allocator + Clone>(a: A, seed: u64) {
    walk::<u8, 0, A>(a.clone(), seed, 400);
    walk::<u8, 5, A>(a.clone(), seed, 400);
    walk::<u64, 32, A>(a.clone(), seed, 400);
    walk::<u64, 7, A>(a.clone(), seed, 400);
    walk::<Al, 64, A>(a.clone(), seed, 300);
    walk::<Al, 0, A>(a.clone(), seed, 300);
    walk::<Al, 100, A>(a.clone(), seed, 300);
    walk::<Z, 0, A>(a.clone(), seed, 300);
    walk::<[u8; 3], 8, A>(a.clone(), seed, 400);
    walk::<String, 24, A>(a.clone(), seed, 300);
}

/// Every growth path keeps the `assert_unchecked` facts true with the global allocator.
#[test]
fn raw_random_walk_global() {
    for seed in 1..6 {
        walk_all(Global, seed);
    }
}

/// With an allocator that returns larger blocks and refuses from the k-th call.
#[test]
fn raw_random_walk_quirky() {
    for seed in 1..4 {
        for refuse_from in [0, 1, 2, 3, 5, 8, 13, usize::MAX] {
            let calls = Cell::new(0);
            walk_fallible(
                Quirky {
                    calls: &calls,
                    refuse_from,
                    extra: 24,
                },
                seed,
            );
        }
        let calls = Cell::new(0);
        walk_all(
            Quirky {
                calls: &calls,
                refuse_from: usize::MAX,
                extra: 24,
            },
            seed,
        );
    }
}

/// On bumpalo and frames.
#[test]
fn raw_random_walk_bump_and_frames() {
    let bump = bumpalo::Bump::new();
    walk_all(&bump, 7);
    let mut arena = Arena::new();
    arena.frame(|f| walk_all(&f, 8));
    let mut mem = Box::new(ArenaBuf::<4096>::new());
    mem.arena().frame(|f| walk_fallible(&f, 9));
    walk_all(NoHeap, 10);
}

// ---------------------------------------------------------------------------------------------
// Moves between allocators (`move_in`, `Vec::from(StackVec<T, N, &B>)`, `Vec::from(InlineVec)`):
// every element dropped once and every block freed once, also when `deallocate` unwinds
// ---------------------------------------------------------------------------------------------

type Lv<'a> = StackVec<Tracked, 32, &'a Flaky>;

/// Source vectors in every state, one at a time (`i` in `0..SOURCES`): empty inline, inline,
/// full inline, spilled, spilled but short enough to be inline, spilled and empty (cleared).
const SOURCES: usize = 6;

fn source(l: &Flaky, i: usize) -> (&'static str, Lv<'_>, Vec<u64>) {
    let mk = |n: u64| -> Lv<'_> { StackVec::from_iter_in((0..n).map(Tracked::new), l) };
    match i {
        0 => ("empty", mk(0), vec![]),
        1 => ("inline", mk(1), vec![0]),
        2 => ("full inline", mk(2), vec![0, 1]),
        3 => ("spilled", mk(9), (0..9).collect()),
        4 => {
            let mut short: Lv<'_> = StackVec::with_capacity_in(10, l);
            short.extend((0..2).map(Tracked::new));
            ("spilled short", short, vec![0, 1])
        }
        _ => {
            let mut cleared = mk(9);
            cleared.clear();
            ("spilled empty", cleared, vec![])
        }
    }
}

#[test]
fn vec_from_borrowed_allocator_vector_moves_each_element_once() {
    let l = Flaky::default();
    for (name, v, want) in (0..SOURCES).map(|i| source(&l, i)) {
        let out: Vec<Tracked> = Vec::from(v);
        assert_eq!(
            out.iter().map(|t| t.value).collect::<Vec<_>>(),
            want,
            "{name}"
        );
        assert_eq!(out.capacity(), out.len(), "{name}: exact");
        assert_eq!(l.live.get(), 0, "{name}: the source block is freed");
        assert_eq!(live(), want.len(), "{name}");
        drop(out);
        assert_eq!(live(), 0, "{name}");
    }
}

#[test]
fn move_in_moves_each_element_once_in_every_state() {
    let l = Flaky::default();
    let to = Flaky::default();
    for (name, v, want) in (0..SOURCES).map(|i| source(&l, i)) {
        let mut out: StackVec<Tracked, 32, &Flaky> = v.move_in(&to);
        assert_eq!(values(&out), want, "{name}");
        assert_eq!(out.spilled(), want.len() > 2, "{name}");
        assert_eq!(l.live.get(), 0, "{name}");
        // pop in the new home, then drop the rest.
        if let Some(last) = want.last() {
            assert_eq!(out.pop().map(|t| t.value), Some(*last));
        }
        drop(out);
        assert_eq!(live(), 0, "{name}");
        assert_eq!(to.live.get(), 0, "{name}");
    }
}

#[test]
fn move_and_vec_from_drop_once_when_the_source_deallocate_unwinds() {
    type Conv = fn(Lv<'_>) -> usize;
    let convs: [(&str, Conv); 3] = [
        ("Vec::from", |v| Vec::<Tracked>::from(v).len()),
        ("move_in(Global)", |v| v.move_in(Global).len()),
        ("move_in(NoHeap)", |v| v.move_in(NoHeap).len()),
    ];
    for (conv_name, conv) in convs {
        let l = Flaky::default();
        for (name, v, want) in (0..SOURCES).map(|i| source(&l, i)) {
            if conv_name == "move_in(NoHeap)" && want.len() > 2 {
                continue;
            }
            let frees_a_block = v.spilled();
            l.panic_in_dealloc.set(true);
            let r = caught(|| conv(v));
            l.panic_in_dealloc.set(false);
            assert_eq!(r.is_err(), frees_a_block, "{conv_name} {name}");
            if let Ok(len) = r {
                assert_eq!(len, want.len());
            }
            assert_eq!(l.live.get(), 0, "{conv_name} {name}: freed once");
            assert_eq!(live(), 0, "{conv_name} {name}: every element dropped once");
        }
    }
}

#[test]
fn vec_from_inline_vec_and_zero_sized_moves() {
    for n in 0..=4u64 {
        let mut v: InlineVec<Tracked, 64> = InlineVec::new();
        v.extend((0..n).map(Tracked::new));
        let out: Vec<Tracked> = Vec::from(v);
        assert_eq!(out.len() as u64, n);
        assert_eq!(out.capacity() as u64, n);
        assert!(out.iter().map(|t| t.value).eq(0..n));
        drop(out);
        assert_eq!(live(), 0);
    }
    // Zero-sized: lengths past any inline capacity, nothing allocated, drops counted.
    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    struct Z;
    impl Drop for Z {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    let l = Flaky::default();
    let mut z: StackVec<Z, 8, &Flaky> = StackVec::new_in(&l);
    z.extend((0..1000).map(|_| Z));
    let out: Vec<Z> = Vec::from(z);
    assert_eq!((out.len(), l.calls.get()), (1000, 0));
    assert_eq!(DROPS.with(Cell::get), 0);
    drop(out);
    assert_eq!(DROPS.with(Cell::get), 1000);
    let mut z: StackVec<Z, 8, &Flaky> = StackVec::new_in(&l);
    z.extend((0..300).map(|_| Z));
    let mut moved = z.move_in(Global);
    assert_eq!(moved.len(), 300);
    assert!(moved.pop().is_some());
    drop(moved);
    assert_eq!(DROPS.with(Cell::get), 1300);
    let zi: InlineVec<Z, 0> = InlineVec::from_iter((0..5).map(|_| Z));
    let out: Vec<Z> = Vec::from(zi);
    assert_eq!(out.len(), 5);
    drop(out);
    assert_eq!(DROPS.with(Cell::get), 1305);
}

/// `extend_from_slice`'s documented rule for an element without drop glue (`try_extend_from_slice`
/// and `clone_from` refer to it): a panicking `clone` leaves none of the clones appended, the
/// length as before (it is added once, after the copy). Every path of the copy: an inline budget
/// of many slots, of a few (the unrolled copy), and a spill; from an empty and a non-empty vector.
#[test]
fn a_panicking_clone_of_an_element_without_drop_glue_appends_nothing() {
    thread_local!(static CLONES_LEFT: Cell<usize> = const { Cell::new(usize::MAX) });
    #[derive(Debug, PartialEq)]
    struct Plain(u32);
    impl Clone for Plain {
        fn clone(&self) -> Self {
            let left = CLONES_LEFT.with(|c| c.replace(c.get().saturating_sub(1)));
            assert!(left != 0, "clone panics on purpose");
            Plain(self.0)
        }
    }
    fn check<const N: usize>(start: usize) {
        let src: Vec<Plain> = (10..13).map(Plain).collect();
        let source: StackVec<Plain, N> = src.iter().cloned().collect();
        let before: Vec<Plain> = (0..start as u32).map(Plain).collect();
        for call in 0..3 {
            let mut v: StackVec<Plain, N> = before.iter().cloned().collect();
            // The second appended clone panics (`clone_from` first clones `start` over the old).
            CLONES_LEFT.with(|c| c.set(if call == 2 { start + 1 } else { 1 }));
            let r = common::caught(|| match call {
                0 => v.extend_from_slice(&src),
                1 => v.try_extend_from_slice(&src).unwrap(),
                _ => v.clone_from(&source),
            });
            CLONES_LEFT.with(|c| c.set(usize::MAX));
            assert!(r.is_err(), "N={N} start={start} call {call}");
            let kept = if call == 2 {
                &src[..start]
            } else {
                &before[..]
            };
            assert_eq!(v.as_slice(), kept, "N={N} start={start} call {call}");
        }
    }
    assert!(!std::mem::needs_drop::<Plain>());
    for start in [0, 1] {
        check::<64>(start); // 16 slots
        check::<16>(start); // 4 slots: the unrolled copy
        check::<4>(start); // 1 slot: spills
    }
}

/// `into_flattened` whose length in elements overflows `usize` (only zero-sized elements get
/// there) panics as `Vec`'s does, rather than wrapping to a wrong length.
#[test]
fn into_flattened_length_overflow_panics_like_vec() {
    let mut v: StackVec<[(); 2], 0> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; the capacity is `usize::MAX`.
    unsafe { v.set_len(usize::MAX) };
    match caught(move || v.into_flattened()) {
        Ok(f) => panic!("no panic: length {}", f.len()),
        Err(e) => assert_eq!(panic_message(&*e), "vec len overflow"),
    }
}
