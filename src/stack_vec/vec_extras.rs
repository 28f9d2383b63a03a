//! The rest of `Vec`'s API: `pop_if`, `extend_from_within`, `into_flattened`.

use core::mem::ManuallyDrop;
use core::ops::RangeBounds;
use core::ptr;

use allocator_api2::alloc::Allocator;

use super::{Exit, StackVec};
use crate::raw::RawStackVec;

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// Removes and returns the last element if `predicate` returns `true` for it.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    /// assert_eq!(v.pop_if(|x| *x % 2 == 0), Some(4));
    /// assert_eq!(v.pop_if(|x| *x % 2 == 0), None);
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    pub fn pop_if(&mut self, predicate: impl FnOnce(&mut T) -> bool) -> Option<T> {
        let last = self.last_mut()?;
        if predicate(last) {
            self.pop()
        } else {
            None
        }
    }

    /// Clones the elements of `src` and appends them.
    ///
    /// # Panics
    /// If the range starts after it ends or ends past `len`; on capacity overflow. If a `clone`
    /// panics, the clones made so far stay in the vector.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<char> = StackVec::from(['a', 'b', 'c']);
    /// v.extend_from_within(1..);
    /// assert_eq!(v, ['a', 'b', 'c', 'b', 'c']);
    /// ```
    #[track_caller]
    pub fn extend_from_within<R: RangeBounds<usize>>(&mut self, src: R)
    where
        T: Clone,
    {
        let range = crate::range::resolve(src, self.len());
        self.reserve(range.len());
        self.raw.fill(|p, guard, _| {
            for i in range {
                // SAFETY: `i < len <= guard.len`: an initialized element, distinct from the slot
                // `guard.len` being written (inside the reserved room); each clone is counted
                // once written.
                unsafe { p.add(guard.len).write((*p.add(i)).clone()) };
                guard.len += 1;
            }
        })
    }
}

impl<T, const M: usize, const N: usize, A: Allocator> StackVec<[T; M], N, A> {
    /// Turns a vector of arrays into a vector of their elements, in place (no allocation, no
    /// copy of a heap buffer; inline elements stay inline: they occupy the same bytes).
    ///
    /// # Panics
    /// If the length in elements overflows `usize` (only for zero-sized `T`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<[u8; 2]> = StackVec::from([[1, 2], [3, 4]]);
    /// let flat: StackVec<u8> = v.into_flattened();
    /// assert_eq!(flat, [1, 2, 3, 4]);
    /// ```
    #[track_caller]
    pub fn into_flattened(self) -> StackVec<T, N, A> {
        let len = self.len();
        let new_len = len.checked_mul(M).expect("vec len overflow");
        let raw = self.into_raw(Exit::Converted);
        if raw.spilled() {
            // A spilled `[T; M]` is not zero-sized, so neither is `T`, and `M > 0`.
            let (buf, _, alloc) = raw.into_heap_parts();
            let (ptr, cap) = buf.expect("a spilled vector has a heap buffer");
            // SAFETY: `Layout::array::<[T; M]>(cap)` and `Layout::array::<T>(cap * M)` are the
            // same layout (size and alignment), allocated by `alloc`, which does not have
            // `NoHeap`'s signature (the vector spilled: invariant 4); its `len` arrays are
            // `len * M` initialized elements.
            return StackVec::from_raw(unsafe {
                RawStackVec::from_heap_parts(ptr.cast(), new_len, cap * M, alloc)
            });
        }
        let raw = ManuallyDrop::new(raw);
        // SAFETY: `raw` is never used or dropped again: the allocator moves out once, and the
        // elements move out below (inline storage owns no memory to free).
        let alloc = unsafe { ptr::read(&raw.alloc) };
        let mut out = StackVec::new_in(alloc);
        // SAFETY: the `len` arrays are `new_len` initialized `T`s, which fit the inline bytes of
        // `out` (`new_len * size_of::<T>() <= N`, or `T` is zero-sized and the capacity is
        // `usize::MAX`); they move, so `raw` is not dropped.
        unsafe {
            ptr::copy_nonoverlapping(raw.as_ptr().cast::<T>(), out.as_mut_ptr(), new_len);
            out.set_len(new_len);
        }
        out
    }
}
