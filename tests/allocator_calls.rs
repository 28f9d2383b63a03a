//! Every call into the allocator happens with the vector in a consistent state, so an allocator
//! that unwinds or runs out of room cannot leave a vector that frees, reads or writes the wrong
//! memory afterwards; and the vector makes the calls it should, no more (`Rec` records them).

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{Arena, StackVec};

thread_local! {
    static UNWIND_ON_DEALLOCATE: Cell<bool> = const { Cell::new(false) };
    static DEALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn deallocations() -> usize {
    DEALLOCATIONS.with(Cell::get)
}

/// The global heap, except that `deallocate` unwinds (after freeing, so nothing leaks) while
/// `UNWIND_ON_DEALLOCATE` is set. Counts this thread's deallocations.
#[derive(Clone, Copy, Default)]
struct UnwindingDeallocate;

// SAFETY: every block comes from and goes back to `Global` unchanged.
unsafe impl Allocator for UnwindingDeallocate {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Global.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded from the caller, who holds `Allocator::deallocate`'s contract.
        unsafe { Global.deallocate(ptr, layout) };
        DEALLOCATIONS.with(|d| d.set(d.get() + 1));
        if UNWIND_ON_DEALLOCATE.with(|u| u.replace(false)) {
            panic!("deallocate unwinds");
        }
    }
}

#[test]
fn shrink_back_inline_with_a_deallocate_that_unwinds() {
    let mut v: StackVec<u64, 32, UnwindingDeallocate> = StackVec::new_in(UnwindingDeallocate);
    v.extend(10..16);
    assert!(v.spilled());
    v.truncate(2);
    UNWIND_ON_DEALLOCATE.with(|u| u.set(true));
    let before = deallocations();
    let unwound = catch_unwind(AssertUnwindSafe(|| v.shrink_to_fit()));
    assert!(unwound.is_err());
    assert_eq!(deallocations(), before + 1);
    // The elements were moved inline before the allocator ran: the vector is inline, intact,
    // and usable; dropping it must not free anything again.
    assert!(!v.spilled());
    assert_eq!(v, [10, 11]);
    v.push(12);
    assert_eq!(v, [10, 11, 12]);
    drop(v);
    assert_eq!(
        deallocations(),
        before + 1,
        "the heap buffer was freed once"
    );
}

#[test]
fn drop_with_a_deallocate_that_unwinds_frees_once() {
    let mut v: StackVec<String, 32, UnwindingDeallocate> = StackVec::new_in(UnwindingDeallocate);
    v.extend((0..5).map(|i| i.to_string()));
    assert!(v.spilled());
    UNWIND_ON_DEALLOCATE.with(|u| u.set(true));
    let before = deallocations();
    assert!(catch_unwind(AssertUnwindSafe(move || drop(v))).is_err());
    assert_eq!(deallocations(), before + 1);
}

/// `extend` from an iterator with no useful hint, in a frame with room for 12 `u64` but not for
/// the 16 that doubling asks for: it must grow by exactly what fits instead of aborting (before
/// the fix its fallback doubled, and the process aborted at the ninth element).
#[test]
fn extend_in_a_small_frame_grows_by_what_fits() {
    let mut mem = [MaybeUninit::<u64>::uninit(); 12];
    // SAFETY: `MaybeUninit<u64>` and `MaybeUninit<u8>` have no validity requirements; the byte
    // view covers exactly the array.
    let bytes = unsafe { std::slice::from_raw_parts_mut(mem.as_mut_ptr().cast(), 96) };
    Arena::from_memory(bytes).frame(|f| {
        let mut v: StackVec<u64, 0, _> = StackVec::new_in(&f);
        v.extend((0..96).filter(|x| x % 8 == 0)); // 12 values, size hint 0
        assert_eq!(v, (0..96).step_by(8).collect::<Vec<u64>>());
        assert_eq!(v.capacity(), 12);
    });
}

thread_local! {
    /// Every request made to `Rec` on this thread: ("allocate" | "grow" | "shrink", new size).
    static CALLS: RefCell<Vec<(&'static str, usize)>> = const { RefCell::new(Vec::new()) };
    /// While set, `Rec` refuses every allocation (and growth).
    static REFUSE: Cell<bool> = const { Cell::new(false) };
}

fn calls() -> Vec<(&'static str, usize)> {
    CALLS.with(|c| c.borrow().clone())
}

fn reset(refuse: bool) {
    CALLS.with(|c| c.borrow_mut().clear());
    REFUSE.with(|r| r.set(refuse));
}

/// The global heap, recording every request and refusing all of them while `REFUSE` is set.
#[derive(Clone, Copy, Default)]
struct Rec;

// SAFETY: every block comes from and goes back to `Global` with the layouts it was asked for.
unsafe impl Allocator for Rec {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        CALLS.with(|c| c.borrow_mut().push(("allocate", layout.size())));
        if REFUSE.with(Cell::get) {
            return Err(AllocError);
        }
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { Global.deallocate(ptr, layout) }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        CALLS.with(|c| c.borrow_mut().push(("grow", new.size())));
        if REFUSE.with(Cell::get) {
            return Err(AllocError);
        }
        // SAFETY: forwarded from the caller.
        unsafe { Global.grow(ptr, old, new) }
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        CALLS.with(|c| c.borrow_mut().push(("shrink", new.size())));
        // SAFETY: forwarded from the caller.
        unsafe { Global.shrink(ptr, old, new) }
    }
}

/// raw.rs `grow_fallible`: the exact retry after a refused amortized growth is made only when
/// it asks for less (`amortized(required) > required`). When the amortized capacity already is
/// exactly what is needed, a refusal is final: one request, not the same one twice.
#[test]
fn refused_try_reserve_is_not_retried_with_the_same_size() {
    let mut v = StackVec::<u8, 32, Rec>::new_in(Rec);
    reset(true);
    // amortized(100) = max(100, 2 * 32, 8) = 100: nothing smaller to retry with.
    assert!(v.try_reserve(100).is_err());
    assert_eq!(calls(), [("allocate", 100)]);
    // A request that doubling rounds up is retried exactly.
    reset(true);
    assert!(v.try_reserve(40).is_err());
    assert_eq!(calls(), [("allocate", 64), ("allocate", 40)]);
    reset(false);
    assert!(!v.spilled());
}

/// raw.rs `shrink_to`: a spilled vector whose heap capacity already is the target makes no
/// allocator call (`target >= heap.cap` returns early).
#[test]
fn shrink_to_fit_at_the_exact_heap_capacity_does_not_call_the_allocator() {
    reset(false);
    let mut v = StackVec::<u8, 32, Rec>::with_capacity_in(40, Rec);
    v.extend(0..40u8);
    assert_eq!((v.len(), v.capacity(), v.spilled()), (40, 40, true));
    assert_eq!(calls(), [("allocate", 40)]);
    v.shrink_to_fit();
    v.shrink_to(40);
    v.shrink_to(10);
    assert_eq!(calls(), [("allocate", 40)]);
    assert_eq!(v.capacity(), 40);
    assert!(v.iter().copied().eq(0..40u8));
}

/// traits.rs `collect_spilled`: collecting an iterator whose lower bound exceeds the inline
/// capacity makes one exact allocation of that bound, as `Vec` does (not an amortized one:
/// doubling the 32-byte inline capacity would give 64).
#[test]
fn collect_past_the_inline_capacity_allocates_the_lower_bound_exactly() {
    let v: StackVec<u8> = (0..40u8).collect();
    let w: Vec<u8> = (0..40u8).collect();
    assert_eq!((v.capacity(), w.capacity()), (40, 40));
    assert!(v.iter().copied().eq(0..40u8));
    reset(false);
    let r = StackVec::<u8, 32, Rec>::from_iter_in(0..40u8, Rec);
    assert_eq!((r.len(), r.capacity()), (40, 40));
    assert_eq!(calls(), [("allocate", 40)]);
}

/// into_iter.rs `Clone for IntoIter`: the clone holds only the remaining elements, with room
/// for them alone (`back - front`); when they fit inline it makes no allocation.
#[test]
fn cloning_a_partly_consumed_into_iter_sizes_the_clone_by_what_remains() {
    reset(false);
    let mut v = StackVec::<u8, 32, Rec>::with_capacity_in(40, Rec);
    v.extend(0..40u8);
    let mut it = v.into_iter();
    assert!(it.by_ref().take(20).eq(0..20u8));
    reset(false);
    let clone = it.clone();
    // 20 bytes fit the 32 inline bytes: no request to the allocator.
    assert_eq!(calls(), []);
    assert!(clone.eq(20..40u8));
    assert!(it.eq(20..40u8));
}
