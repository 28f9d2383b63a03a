//! [`StackVec::extract_if`] and its iterator.

use core::fmt;
use core::iter::FusedIterator;
use core::ops::{Range, RangeBounds};
use core::ptr;

use allocator_api2::alloc::Allocator;

use super::range::slice_range;
use super::StackVec;

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// Removes the elements of `range` for which `filter` returns `true` and yields them, in
    /// order, like `Vec::extract_if`. `filter` may mutate every element it sees. Elements after
    /// the iterator stops (dropped early, or `filter` panicked) are kept; nothing is dropped
    /// twice.
    ///
    /// # Panics
    /// If the range starts after it ends or ends past `len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4, 5, 6]);
    /// let evens: Vec<u8> = v.extract_if(.., |x| *x % 2 == 0).collect();
    /// assert_eq!((evens.as_slice(), v.as_slice()), (&[2, 4, 6][..], &[1, 3, 5][..]));
    /// ```
    #[track_caller]
    pub fn extract_if<F, R>(&mut self, range: R, filter: F) -> ExtractIf<'_, T, F, N, A>
    where
        F: FnMut(&mut T) -> bool,
        R: RangeBounds<usize>,
    {
        let Range { start, end } = slice_range(range, self.len());
        let old_len = self.len();
        // SAFETY: zero is a valid length. While the iterator lives the vector owns nothing, so
        // leaking it (`mem::forget`) leaks the elements but never exposes a moved-out slot.
        unsafe { self.raw.set_len(0) };
        ExtractIf {
            vec: self,
            idx: start,
            end,
            del: 0,
            old_len,
            filter,
        }
    }
}

/// The iterator of [`StackVec::extract_if`].
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<i32> = StackVec::from([-1, 2, -3]);
/// let mut it = v.extract_if(.., |x| *x < 0);
/// assert_eq!(it.next(), Some(-1));
/// drop(it); // stops early: -3 stays
/// assert_eq!(v, [2, -3]);
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct ExtractIf<'a, T, F, const N: usize, A: Allocator> {
    vec: &'a mut StackVec<T, N, A>,
    /// The next element to test.
    idx: usize,
    /// Where the tested range ends.
    end: usize,
    /// How many were extracted so far: kept elements move down by this much.
    del: usize,
    old_len: usize,
    filter: F,
}

impl<T, F, const N: usize, A: Allocator> Iterator for ExtractIf<'_, T, F, N, A>
where
    F: FnMut(&mut T) -> bool,
{
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let p = self.vec.raw.as_mut_ptr();
        while self.idx < self.end {
            let i = self.idx;
            // SAFETY: `i < end <= old_len`: initialized and not yet moved (the kept ones move
            // only to slots below `i`).
            let cur = unsafe { &mut *p.add(i) };
            let take = (self.filter)(cur);
            // Counted after `filter`, so a panic there keeps `cur` (the drop moves it down).
            self.idx += 1;
            if take {
                self.del += 1;
                // SAFETY: `cur` leaves the vector: counted in `del`, it is never read again.
                return Some(unsafe { ptr::read(cur) });
            }
            if self.del > 0 {
                // SAFETY: slot `i - del` is free (its element was extracted or moved down).
                unsafe { ptr::copy_nonoverlapping(p.add(i), p.add(i - self.del), 1) };
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.end - self.idx))
    }
}

impl<T, F, const N: usize, A: Allocator> FusedIterator for ExtractIf<'_, T, F, N, A> where
    F: FnMut(&mut T) -> bool
{
}

impl<T, F, const N: usize, A: Allocator> Drop for ExtractIf<'_, T, F, N, A> {
    fn drop(&mut self) {
        let p = self.vec.raw.as_mut_ptr();
        // SAFETY: `idx..old_len` are the untested (initialized) elements and `idx - del` the
        // first free slot; after the move the first `old_len - del` are initialized.
        unsafe {
            if self.del > 0 {
                ptr::copy(
                    p.add(self.idx),
                    p.add(self.idx - self.del),
                    self.old_len - self.idx,
                );
            }
            self.vec.raw.set_len(self.old_len - self.del);
        }
    }
}

impl<T: fmt::Debug, F, const N: usize, A: Allocator> fmt::Debug for ExtractIf<'_, T, F, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The untested elements: the ones before `idx` may have moved.
        // SAFETY: `idx..old_len` are initialized and not moved.
        let rest = unsafe {
            core::slice::from_raw_parts(
                self.vec.raw.as_ptr().add(self.idx),
                self.old_len - self.idx,
            )
        };
        f.debug_struct("ExtractIf")
            .field("rest", &rest)
            .finish_non_exhaustive()
    }
}
