//! Every call into the allocator happens with the vector in a consistent state, so an allocator
//! that unwinds or runs out of room cannot leave a vector that frees, reads or writes the wrong
//! memory afterwards.

use std::alloc::Layout;
use std::cell::Cell;
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
