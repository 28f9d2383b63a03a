//! Construction in a given allocator (`&bumpalo::Bump`, an arena `&Frame`, ...), where the
//! `Default`-based paths (`collect`, `From`, `stack_vec!`) cannot make one.

use allocator_api2::alloc::Allocator;

use super::StackVec;
use crate::raw::RawStackVec;

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// `collect` into a vector that spills into `alloc`. An iterator whose lower size bound
    /// exceeds the inline capacity gets that many slots at once (so one of known length costs
    /// one exact allocation, as for `Vec`); the bound only sizes that first allocation, and one
    /// that cannot be had is ignored.
    ///
    /// # Panics
    /// On capacity overflow; allocator failure aborts (as for `Vec`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let v: StackVec<u64, 32, _> = StackVec::from_iter_in(0..10, &bump);
    /// assert!(v.spilled());
    /// assert_eq!((v.iter().sum::<u64>(), v.capacity()), (45, 10)); // one exact allocation
    /// ```
    #[track_caller]
    #[inline]
    pub fn from_iter_in<I: IntoIterator<Item = T>>(iter: I, alloc: A) -> Self {
        let mut iter = iter.into_iter();
        if iter.size_hint().0 > Self::INLINE_CAPACITY {
            return Self::collect_spilled(iter, alloc);
        }
        let mut v = Self::new_in(alloc);
        match v.fill_spare(&mut iter) {
            // The iterator is dropped while `v` is a local: if its destructor unwinds, `v` and
            // its elements are dropped. A vector on its way out would be leaked
            // (rust-lang/rust#47949).
            None => {
                drop(iter);
                v
            }
            Some(item) => v.collect_growing(item, iter),
        }
    }

    /// `stack_vec![in alloc; ..]`. The macros take the allocator as a call's first argument, so
    /// that it is evaluated first, where the caller wrote it, and the elements' temporaries live
    /// to the end of the caller's statement (a `match` on the allocator would end them with its
    /// arm, and its binding would clash with a `static` of the caller's named like it).
    #[doc(hidden)]
    #[track_caller]
    #[inline]
    pub fn __in_from_iter<I: IntoIterator<Item = T>>(alloc: A, iter: I) -> Self {
        Self::from_iter_in(iter, alloc)
    }

    /// `vec![elem; n]` in an allocator, for [`stack_vec!`](crate::stack_vec) (the allocator
    /// first, as in `__in_from_iter`).
    #[doc(hidden)]
    #[track_caller]
    pub fn __in_from_elem(alloc: A, elem: T, n: usize) -> Self
    where
        T: Clone,
    {
        let mut v = Self::with_capacity_in(n, alloc);
        v.resize(n, elem);
        v
    }

    /// Clones the elements into a new vector that spills into `alloc`: inline when they fit,
    /// else one exact allocation from `alloc`.
    ///
    /// # Panics
    /// On capacity overflow, with "capacity exceeded" when the elements do not fit a
    /// [`NoHeap`](crate::NoHeap) vector's inline buffer, and if a `clone` panics (as
    /// [`extend_from_slice`](Self::extend_from_slice) says); allocator failure aborts (as for
    /// `Vec`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let v: StackVec<u8> = StackVec::from([1, 2]);
    /// let w: StackVec<u8, 32, &bumpalo::Bump> = v.clone_in(&bump);
    /// assert_eq!(v, w);
    /// ```
    #[track_caller]
    #[must_use]
    pub fn clone_in<B: Allocator>(&self, alloc: B) -> StackVec<T, N, B>
    where
        T: Clone,
    {
        let mut v = StackVec::with_capacity_in(self.len(), alloc);
        v.extend_from_slice(self);
        v
    }

    /// Moves the elements into a new vector that spills into `alloc`: inline when they fit,
    /// else one exact allocation from `alloc`. This is how a vector leaves an arena frame (or a
    /// `Bump`) without cloning; its old heap buffer, if any, goes back to its allocator.
    ///
    /// # Panics
    /// On capacity overflow; allocator failure aborts (as for `Vec`).
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, StackVec};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 256];
    /// let kept: StackVec<String, 32> = Arena::from_memory(&mut buf).frame(|f| {
    ///     let v: StackVec<String, 32, _> = StackVec::from_iter_in((0..3).map(|i| i.to_string()), &f);
    ///     assert!(v.spilled()); // into the frame, which ends with the closure
    ///     v.move_in(allocator_api2::alloc::Global)
    /// });
    /// assert_eq!(kept, ["0", "1", "2"]);
    /// ```
    #[track_caller]
    pub fn move_in<B: Allocator>(self, alloc: B) -> StackVec<T, N, B> {
        let mut v = StackVec::with_capacity_in(self.len(), alloc);
        // SAFETY: `v` is empty with room for `self.len()` elements.
        unsafe { self.move_into(&mut v.raw, super::Exit::Converted) };
        v
    }

    /// `move_in(Global).into_heap_exact()`, for the `From<StackVec<T, N, A>> for Vec<T>`
    /// conversions, without the intermediate `StackVec`: the spill report would count that as a
    /// second vector, created on the conversion's line (or, through `.into()`, in `core`).
    #[cfg(feature = "alloc")]
    #[track_caller]
    pub(super) fn into_global_vec(self) -> alloc::vec::Vec<T> {
        use allocator_api2::alloc::Global;

        use crate::into_heap::IntoHeap;

        let len = self.len();
        let mut to = match RawStackVec::<T, N, Global>::try_with_capacity_in(len, Global) {
            Ok(raw) => raw,
            Err(e) => e.raise(),
        };
        let exit = self.heap_exit(super::Exit::Converted);
        // SAFETY: `to` is empty with room for `len` elements.
        unsafe { self.move_into(&mut to, exit) };
        let (buf, len, alloc) = to.into_heap_parts();
        // SAFETY: `into_heap_parts` returns a block of `Global` with this array layout holding
        // `len` initialized elements, or `None` when empty or zero-sized.
        unsafe { Global::vec_from_parts(buf, len, alloc) }
    }

    /// Moves the elements into `to` and frees this vector's buffer; `exit` is what the spill
    /// report records for this vector.
    ///
    /// # Safety
    /// `to` is empty and has room for `self.len()` elements.
    #[track_caller]
    unsafe fn move_into<B: Allocator>(self, to: &mut RawStackVec<T, N, B>, exit: super::Exit) {
        let len = self.len();
        let mut raw = self.into_raw(exit);
        // SAFETY: `to` has room for `len` (the caller's contract); the elements move (the
        // buffers are distinct: `to` is borrowed mutably while `self` is owned here) and leave
        // `raw` by its length, which is zero before anything else can observe it.
        unsafe {
            core::ptr::copy_nonoverlapping(raw.as_ptr(), to.as_mut_ptr(), len);
            raw.set_len(0);
            to.set_len(len);
        }
        // Freed while `to` belongs to the caller's local: if `deallocate` unwinds, the caller's
        // vector is dropped with the elements. A value on its way out of a function would be
        // leaked (rust-lang/rust#47949).
        drop(raw);
    }
}
