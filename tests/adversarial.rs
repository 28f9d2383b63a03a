//! Adversarial tests of the storage core (`src/raw.rs`) and its users: odd element types,
//! lying iterators, panicking user code, and allocators that fail or unwind.
//!
//! Every element here is a `common::Tracked` (a double drop or a leak fails the test), every test allocator counts its live
//! blocks, so a double drop, a leak or a double free fails the test (and ASan/valgrind see the
//! memory side).

use std::alloc::Layout;
use std::cell::Cell;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{Arena, StackVec, TryReserveErrorKind};

mod common;
use common::{live, panic_on_clone, panic_on_drop, Tracked};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn values<const N: usize, A: Allocator>(v: &StackVec<Tracked, N, A>) -> Vec<u64> {
    v.iter().map(|e| e.value).collect()
}

fn quiet<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    catch_unwind(AssertUnwindSafe(f))
}

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

/// Runs the body of test `name` in a child process (for behaviour that aborts), and returns
/// whether the child exited successfully. In the child, runs `body` and exits.
fn in_child(name: &str, body: impl FnOnce()) -> bool {
    const VAR: &str = "STACKFIRST_ADVERSARIAL_CHILD";
    if std::env::var(VAR).as_deref() == Ok(name) {
        body();
        std::process::exit(0);
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
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
    let err = quiet(|| v.push(())).unwrap_err();
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
    let err = quiet(|| StackVec::<u64>::with_capacity(usize::MAX / 8 + 1)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity overflow"));
    let err = quiet(|| v.reserve(usize::MAX)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity overflow"));
    assert_eq!(v, [1, 2, 3]);
}

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
    let r = quiet(|| {
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
// Panics in user code
// ---------------------------------------------------------------------------------------------

#[test]
fn iterator_panicking_midway_keeps_what_was_stored() {
    for stop in [0u64, 1, 3, 4, 5, 8, 9, 20] {
        for pre in [0u64, 3, 4, 10] {
            let mut v: StackVec<Tracked, 128> = (0..pre).map(Tracked::new).collect();
            let r = quiet(|| {
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
            assert!(quiet(|| v.clone()).is_err(), "n {n}, k {k}");
            assert_eq!(live(), n as usize, "n {n}, k {k}");

            let mut w: StackVec<Tracked, 128> = (0..2).map(Tracked::new).collect();
            panic_on_clone(k);
            assert!(quiet(|| w.extend_from_slice(&v)).is_err());
            assert_eq!(w.len(), 2 + k - 1);

            panic_on_clone(k);
            let r = quiet(|| w.resize(w.len() + n as usize + 1, Tracked::new(99)));
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
    let r = quiet(|| {
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
        assert!(quiet(|| v.truncate(0)).is_err());
        assert_eq!(v.len(), 0);
        drop(v);
        assert_eq!(live(), 0, "truncate, k {k}");

        let v = make();
        panic_on_drop(k);
        assert!(quiet(|| drop(v)).is_err());
        assert_eq!(live(), 0, "drop, k {k}");

        let mut it = make().into_iter();
        it.next();
        panic_on_drop(k);
        let r = quiet(|| drop(it));
        assert_eq!(r.is_err(), k < 10, "into_iter, k {k}");
        panic_on_drop(0);
        assert_eq!(live(), 0, "into_iter, k {k}");

        let mut v = make();
        panic_on_drop(k);
        let r = quiet(|| drop(v.drain(2..7)));
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
            let r = quiet(|| {
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
            assert!(quiet(|| v.shrink_to(7)).is_err());
            alloc.panic_in_shrink.set(false);
            assert_eq!((v.len(), v.capacity()), (6, cap));
            alloc.panic_in_grow.set(true);
            assert!(quiet(|| v.reserve(cap * 4)).is_err());
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
        assert!(quiet(|| v.shrink_to_fit()).is_err());
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
    assert!(quiet(|| drop(v)).is_err());
    alloc.panic_in_dealloc.set(false);
    assert_eq!(live(), 0);
}

#[test]
fn drop_panicking_still_frees_the_heap_buffer() {
    let alloc = Flaky::default();
    {
        let mut v: StackVec<Tracked, 64, &Flaky> = StackVec::new_in(&alloc);
        v.extend((0..9).map(Tracked::new));
        panic_on_drop(3);
        assert!(quiet(|| drop(v)).is_err());
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
        let taken: Vec<u64> = v.drain(1..n as usize - 1).map(|e| e.value).collect();
        assert_eq!(taken, (1..n - 1).collect::<Vec<_>>());
        v.push(Tracked::new(100));
        let mut d = v.drain(..);
        assert_eq!(d.next_back().map(|e| e.value), Some(100));
        std::mem::forget(d);
        // A forgotten drain leaks the rest; the vector is empty and usable.
        assert_eq!(v.len(), 0);
        v.extend((0..5).map(Tracked::new));
        assert_eq!(values(&v), [0, 1, 2, 3, 4]);
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
