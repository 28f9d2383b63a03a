//! [`NoHeap`], the allocator that never allocates, and [`InlineVec`] and [`InlineString`], the
//! fixed-capacity `StackVec` and `StackString` it makes (arrayvec's and heapless's job, without
//! a second crate).

use core::alloc::Layout;
use core::mem;
use core::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator};

use crate::error::TryReserveErrorKind;
use crate::raw::is_allocator;
use crate::{StackString, StackVec};

/// An allocator that refuses every request. A `StackVec<T, N, NoHeap>` (alias [`InlineVec`])
/// never leaves its inline buffer: [`try_push`](StackVec::try_push) hands the value back when it
/// is full, [`push`](StackVec::push) panics with "capacity exceeded", and no heap, not even the
/// `alloc` crate, is needed. Borrowed (`&NoHeap`, `&&NoHeap`) it is the same.
///
/// `NoHeap` is zero-sized and aligned to 2 bytes, and vectors tell it by that signature at
/// compile time (so that `InlineVec`'s accessors have no spilled state to test): a zero-sized
/// allocator of your own with that alignment, such as a wrapper of `NoHeap`, is taken for it.
/// It is never asked for memory, and its vectors and strings behave as `NoHeap`'s. Any other
/// allocator that refuses is one that fails: a full vector's `push` then reports an allocation
/// failure (`handle_alloc_error`), as on out-of-memory.
///
/// # Examples
/// ```
/// use stackfirst::InlineVec;
///
/// let mut v: InlineVec<u16, 4> = InlineVec::new(); // 4 bytes: two u16
/// v.push(1);
/// v.push(2);
/// assert!(v.is_full());
/// assert_eq!(v.try_push(3).unwrap_err().into_value(), 3);
/// assert_eq!(v, [1, 2]);
/// ```
///
/// ```should_panic
/// use stackfirst::InlineVec;
///
/// let mut v: InlineVec<u8, 1> = InlineVec::new();
/// v.push(1);
/// v.push(2); // panics: capacity exceeded
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
// Size 0 and alignment 2: a signature that sets it apart from the global allocator (alignment 1)
// and borrowed allocators at compile time (`RawStackVec::NEVER_SPILLS`). Every vector has a
// word-aligned field, so its layout is unchanged.
#[repr(align(2))]
pub struct NoHeap;

// SAFETY: `allocate` never returns a block, so no block can be misused, and `deallocate` is
// never called with a valid one (its precondition cannot be met).
unsafe impl Allocator for NoHeap {
    #[inline]
    fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Err(AllocError)
    }

    #[inline]
    unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {
        // Unreachable: no block was ever allocated by this allocator.
    }
}

/// A `StackVec` that never allocates: `N` bytes of elements inline, and nothing else. Build one
/// with `InlineVec::new()`, `Default`, `collect` or `stack_vec!`; size it in elements
/// with [`bytes_for`](crate::bytes_for).
///
/// It has `StackVec`'s layout, so it shares its code: two words beside the buffer (the length
/// and the capacity word a spilled vector needs), and a buffer of at least one word (it shares
/// its bytes with the heap pointer). For small buffers that is more than arrayvec's and
/// heapless's (a length beside the buffer): `InlineVec<u8, 4>` is 24 bytes on 64-bit targets
/// (without the `spill-report` feature, which adds two words). `InlineVec::new()` leaves those
/// words zero, so an empty `static InlineVec` is zeroed memory (`.bss`: RAM, but no flash), as
/// heapless's is (with the spill report, its call-site word makes it initialized data).
///
/// Filling it past its capacity is an error through the `try_` methods (`try_push`,
/// `try_extend`, `try_extend_from_slice`, `try_insert`, ...) and panics with "capacity
/// exceeded" through the others, including `From<&[T]>` and the `TryFrom` that Rust derives
/// from it (its error is `Infallible`). Zero-sized elements are the exception: their capacity is
/// `usize::MAX`, and past it every method reports a capacity overflow, as `Vec`'s do.
///
/// # Examples
/// ```
/// use stackfirst::{bytes_for, stack_vec, InlineVec};
///
/// // unicode-normalization's `ArrayVec<[char; 2]>`:
/// let mut pair: InlineVec<char, { bytes_for::<char>(2) }> = stack_vec!['a'];
/// pair.push('b');
/// assert!(pair.try_push('c').is_err());
/// assert_eq!(pair, ['a', 'b']);
/// ```
pub type InlineVec<T, const N: usize = 32> = StackVec<T, N, NoHeap>;

/// A `StackString` that never allocates: `N` bytes of UTF-8 inline, and nothing else (arrayvec's
/// `ArrayString`, heapless's `String`), without the `alloc` feature too. Appending past `N`
/// bytes is an error through [`try_push_str`](StackString::try_push_str), `write!` and `parse`,
/// and panics with "capacity exceeded" through [`push_str`](StackString::push_str) and
/// `From<&str>` (and the `TryFrom` that Rust derives from it). `write!` keeps the pieces of the
/// formatting that fitted before the one that did not; for all or nothing, use
/// [`try_write_fmt`](StackString::try_write_fmt).
///
/// # Examples
/// ```
/// use core::fmt::Write;
/// use stackfirst::InlineString;
///
/// static EMPTY: InlineString<8> = InlineString::new();
/// let mut line: InlineString<8> = InlineString::new();
/// write!(line, "{}°C", 21).unwrap(); // 5 bytes
/// assert!(line.try_push_str(" warm").is_err()); // would be 10: nothing appended
/// assert_eq!((line.as_str(), EMPTY.len()), ("21°C", 0));
/// ```
pub type InlineString<const N: usize = 32> = StackString<N, NoHeap>;

/// Whether `A` has [`NoHeap`]'s signature, size 0 and alignment 2: a constant, which tells
/// the vectors that never spill apart at compile time (invariant 4 of `RawStackVec`).
pub(crate) const fn has_no_heap_signature<A>() -> bool {
    mem::size_of::<A>() == 0 && mem::align_of::<A>() == mem::align_of::<NoHeap>()
}

/// Whether `A` is taken for [`NoHeap`]: it has its signature, or is `NoHeap` borrowed. Such a
/// vector can never grow, and its refusal is its fixed capacity. Folds to a constant for every
/// `A`.
#[inline(always)]
pub(crate) fn is_no_heap<A: Allocator>() -> bool {
    has_no_heap_signature::<A>() || is_allocator::<A, NoHeap>()
}

/// The error of a spill that `alloc` refused: "capacity exceeded" for [`NoHeap`] (its refusal is
/// the vector's fixed capacity, not an allocation failure), an allocation error otherwise.
#[cold]
pub(crate) fn refused<A: Allocator>(layout: Layout) -> TryReserveErrorKind {
    if is_no_heap::<A>() {
        TryReserveErrorKind::CapacityExceeded
    } else {
        TryReserveErrorKind::AllocError { layout }
    }
}
