//! Which heap vector a [`StackVec`](crate::StackVec) becomes: `alloc::vec::Vec<T>` for the
//! global allocator, `allocator_api2::vec::Vec<T, &A>` for a borrowed allocator (a
//! `bumpalo::Bump`, an arena [`Frame`](crate::Frame), ...).

use core::alloc::Layout;
use core::ptr::NonNull;

use allocator_api2::alloc::{Allocator, Global};

mod sealed {
    pub trait Sealed {}
    impl Sealed for allocator_api2::alloc::Global {}
    impl<A: ?Sized> Sealed for &A {}
}

/// An allocator whose buffers [`StackVec::into_heap_exact`](crate::StackVec::into_heap_exact),
/// [`into_boxed_slice`](crate::StackVec::into_boxed_slice) and [`leak`](crate::StackVec::leak)
/// can hand over. Implemented for [`Global`] (giving std's `Vec<T>` and `Box<[T]>`) and for every
/// borrowed allocator `&A` that is an allocator (`&bumpalo::Bump`, `&Frame`, `&Global`: giving `allocator_api2`'s `Vec<T, &A>` and `Box<[T], &A>`).
///
/// Those types are allocator-api2's, with its defects (measured in 0.2.21): the `IntoIter` of
/// its `Vec` drops zero-sized elements aligned to more than 1 twice when taken from the back
/// (`next_back`), and its `shrink_to_fit` of an empty vector leaks the buffer. `StackVec`'s own
/// methods do neither.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let bump = bumpalo::Bump::new();
/// let mut v: StackVec<u32, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
/// v.extend([1, 2, 3]);
/// let heap: allocator_api2::vec::Vec<u32, &bumpalo::Bump> = v.into_heap_exact();
/// assert_eq!(heap.capacity(), 3);
/// ```
pub trait IntoHeap: Allocator + Sized + sealed::Sealed {
    /// The growable heap vector of this allocator.
    type Vec<T>;
    /// The boxed slice of this allocator.
    type BoxedSlice<T>;

    /// Builds the vector from a buffer of this allocator: `Some((ptr, cap))`, or `None` for an
    /// empty buffer holding `len` zero-sized elements (or none at all).
    ///
    /// # Safety
    /// With `Some((ptr, cap))`: `ptr` was allocated by `self` with `Layout::array::<T>(cap)` and
    /// holds `len <= cap` initialized elements. With `None`: `len == 0` or `T` is zero-sized.
    #[doc(hidden)]
    unsafe fn vec_from_parts<T>(
        buf: Option<(NonNull<T>, usize)>,
        len: usize,
        alloc: Self,
    ) -> Self::Vec<T>;

    /// Turns the vector into a boxed slice; called only with `capacity == len`, so nothing moves.
    #[doc(hidden)]
    fn vec_into_boxed_slice<T>(vec: Self::Vec<T>) -> Self::BoxedSlice<T>;
}

impl IntoHeap for Global {
    type Vec<T> = alloc::vec::Vec<T>;
    type BoxedSlice<T> = alloc::boxed::Box<[T]>;

    unsafe fn vec_from_parts<T>(
        buf: Option<(NonNull<T>, usize)>,
        len: usize,
        _: Self,
    ) -> Self::Vec<T> {
        match buf {
            // SAFETY: the caller passes a block of the global allocator (which
            // `allocator_api2::alloc::Global` forwards to) with this array layout and `len`
            // initialized elements: std `Vec`'s own contract for `from_raw_parts`.
            Some((ptr, cap)) => unsafe { alloc::vec::Vec::from_raw_parts(ptr.as_ptr(), len, cap) },
            // Zero-sized elements occupy no memory to initialize.
            #[allow(clippy::uninit_vec)]
            None => {
                let mut v = alloc::vec::Vec::new();
                // SAFETY: `len == 0`, or `T` is zero-sized and an empty vector's capacity is
                // `usize::MAX`; zero-sized values need no initialization of memory.
                unsafe { v.set_len(len) };
                v
            }
        }
    }

    fn vec_into_boxed_slice<T>(vec: Self::Vec<T>) -> Self::BoxedSlice<T> {
        vec.into_boxed_slice()
    }
}

impl<'a, B: ?Sized> IntoHeap for &'a B
where
    &'a B: Allocator,
{
    type Vec<T> = allocator_api2::vec::Vec<T, &'a B>;
    type BoxedSlice<T> = allocator_api2::boxed::Box<[T], &'a B>;

    unsafe fn vec_from_parts<T>(
        buf: Option<(NonNull<T>, usize)>,
        len: usize,
        alloc: Self,
    ) -> Self::Vec<T> {
        match buf {
            // SAFETY: the caller passes a block of `alloc` with this array layout and `len`
            // initialized elements: `from_raw_parts_in`'s contract.
            Some((ptr, cap)) => unsafe {
                allocator_api2::vec::Vec::from_raw_parts_in(ptr.as_ptr(), len, cap, alloc)
            },
            #[allow(clippy::uninit_vec)]
            None => {
                let mut v = allocator_api2::vec::Vec::new_in(alloc);
                // SAFETY: `len == 0`, or `T` is zero-sized and an empty vector's capacity is
                // `usize::MAX`.
                unsafe { v.set_len(len) };
                v
            }
        }
    }

    fn vec_into_boxed_slice<T>(vec: Self::Vec<T>) -> Self::BoxedSlice<T> {
        if vec.capacity() * size_of::<T>() != 0 {
            return vec.into_boxed_slice();
        }
        // allocator-api2's `Box` hands even a zero-sized block to `deallocate` when dropped, and
        // the vector's pointer is dangling, never allocated: so the box takes a zero-sized block
        // of `alloc`. An allocator that refuses one (`NoHeap`) gets the dangling pointer back,
        // as it does from allocator-api2's own boxes of zero-sized values. Asked while the
        // vector still owns its elements, which it drops if the allocator unwinds.
        let block = vec.allocator().allocate(Layout::new::<[T; 0]>());
        let (dangling, len, _, alloc) = vec.into_raw_parts_with_alloc();
        let ptr = block.map_or(dangling, |block| block.cast::<T>().as_ptr());
        let slice = core::ptr::slice_from_raw_parts_mut(ptr, len);
        // SAFETY: `ptr` is non-null and aligned for `T` (a block of `alloc` with the layout of
        // `[T; 0]`, or the vector's dangling pointer), and `[T; len]` has size 0 (`len` is 0 or
        // `T` is zero-sized), the layout the box frees it with; the `len` zero-sized elements
        // were the vector's, which `into_raw_parts_with_alloc` gave up, and need no memory.
        unsafe { allocator_api2::boxed::Box::from_raw_in(slice, alloc) }
    }
}
