use core::fmt;
use core::iter::FusedIterator;
use core::ptr;
use core::slice;

use allocator_api2::alloc::Allocator;

use super::{Exit, StackVec};
use crate::raw::RawStackVec;

with_stack_vec_defaults! {
/// The owning iterator of a [`StackVec`] (from `into_iter()`).
///
/// It owns the vector's buffer, inline or heap, and tracks the unyielded elements by index, so
/// it can be moved freely even while the elements are inline. It is `Clone` when `T` and `A`
/// are: the clone holds clones of the remaining elements only.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let v: StackVec<String> = ["a", "b", "c"].map(String::from).into();
/// let mut it = v.into_iter();
/// assert_eq!(it.next().as_deref(), Some("a"));
/// let rest: Vec<String> = it.clone().collect();
/// assert_eq!(rest, ["b", "c"]);
/// assert_eq!(it.as_slice(), ["b", "c"]);
/// ```
pub struct IntoIter<T, const N: usize, A: Allocator> {
    /// The buffer, with length 0: the elements `front..back` belong to the iterator.
    raw: RawStackVec<T, N, A>,
    front: usize,
    back: usize,
}
}

impl<T, const N: usize, A: Allocator> IntoIter<T, N, A> {
    pub(super) fn new(vec: StackVec<T, N, A>) -> Self {
        let back = vec.len();
        let mut raw = vec.into_raw(Exit::Converted);
        // SAFETY: zero is always a valid length; the elements now belong to the iterator.
        unsafe { raw.set_len(0) };
        Self {
            raw,
            front: 0,
            back,
        }
    }

    /// The elements not yet yielded.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let mut it = v.into_iter();
    /// it.next_back();
    /// assert_eq!(it.as_slice(), &[1, 2]);
    /// ```
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `front..back` are initialized elements owned by the iterator.
        unsafe { slice::from_raw_parts(self.raw.as_ptr().add(self.front), self.back - self.front) }
    }

    /// The elements not yet yielded, mutably.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2]);
    /// let mut it = v.into_iter();
    /// it.as_mut_slice()[1] = 9;
    /// assert_eq!(it.collect::<Vec<_>>(), [1, 9]);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, uniquely borrowed.
        unsafe {
            slice::from_raw_parts_mut(
                self.raw.as_mut_ptr().add(self.front),
                self.back - self.front,
            )
        }
    }

    /// The allocator of the underlying buffer.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::new();
    /// let _global: &allocator_api2::alloc::Global = v.into_iter().allocator();
    /// ```
    pub fn allocator(&self) -> &A {
        &self.raw.alloc
    }
}

impl<T, const N: usize, A: Allocator> AsRef<[T]> for IntoIter<T, N, A> {
    /// [`as_slice`](IntoIter::as_slice), as `vec::IntoIter`'s `AsRef<[T]>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut it = StackVec::<u8>::from([1, 2, 3]).into_iter();
    /// it.next();
    /// let rest: &[u8] = it.as_ref();
    /// assert_eq!(rest, &[2, 3]);
    /// ```
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, const N: usize, A: Allocator> Iterator for IntoIter<T, N, A> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        // SAFETY: `front - 1` was unyielded and is now out of the range: read once.
        Some(unsafe { self.raw.as_ptr().add(self.front - 1).read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    /// `next` in a loop, but with the buffer pointer read once and the cursor in a local that is
    /// written back once (also when `f` panics). Through `next`, `front` was stored after every
    /// element: the elements may be inline, inside the iterator itself, so the compiler could
    /// not move the store past the next read (`into_iter().sum()` of 32 `u64`: 254
    /// instructions, `Vec` 180; benches/apiprobe.sh). `sum`, `for_each`, `collect` and the
    /// other consuming adapters go through `fold`.
    #[inline]
    fn fold<B, F: FnMut(B, T) -> B>(mut self, init: B, mut f: F) -> B {
        /// Writes the cursor back, so that dropping the iterator drops only what was not
        /// yielded.
        struct Front<'a> {
            front: &'a mut usize,
            at: usize,
        }
        impl Drop for Front<'_> {
            #[inline]
            fn drop(&mut self) {
                *self.front = self.at;
            }
        }
        let p = self.raw.as_ptr();
        let back = self.back;
        let mut cursor = Front {
            at: self.front,
            front: &mut self.front,
        };
        let mut acc = init;
        while cursor.at != back {
            // SAFETY: `at` is in the unyielded range `front..back` of initialized elements, and
            // leaves it (the cursor moves past it) before `f` can run: read once.
            let item = unsafe { p.add(cursor.at).read() };
            cursor.at += 1;
            acc = f(acc, item);
        }
        drop(cursor);
        // `f` and the buffer are dropped here, not after `acc` has moved into the return slot:
        // a `Drop` of `f`'s captures or a `deallocate` that unwinds would leak it there
        // (rust-lang/rust#47949).
        drop(f);
        drop(self);
        acc
    }
}

impl<T, const N: usize, A: Allocator> DoubleEndedIterator for IntoIter<T, N, A> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        // SAFETY: `back` was unyielded and is now out of the range: read once.
        Some(unsafe { self.raw.as_ptr().add(self.back).read() })
    }

    /// `next_back` in a loop, with `f` and the buffer dropped before the accumulator is
    /// returned, as in [`fold`](Iterator::fold).
    #[inline]
    fn rfold<B, F: FnMut(B, T) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        while let Some(item) = self.next_back() {
            acc = f(acc, item);
        }
        drop(f);
        drop(self);
        acc
    }
}

impl<T, const N: usize, A: Allocator> ExactSizeIterator for IntoIter<T, N, A> {}

impl<T, const N: usize, A: Allocator> FusedIterator for IntoIter<T, N, A> {}

impl<T, const N: usize, A: Allocator + Default> Default for IntoIter<T, N, A> {
    /// An empty iterator, as `vec::IntoIter`'s `Default`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::IntoIter;
    ///
    /// let mut it: IntoIter<u8, 32> = IntoIter::default();
    /// assert_eq!((it.len(), it.next()), (0, None));
    /// ```
    fn default() -> Self {
        StackVec::default().into_iter()
    }
}

impl<T: Clone, const N: usize, A: Allocator + Clone> Clone for IntoIter<T, N, A> {
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone(&self) -> Self {
        let mut v = StackVec::with_capacity_in(self.back - self.front, self.raw.alloc.clone());
        v.extend_from_slice(self.as_slice());
        Self::new(v)
    }
}

impl<T, const N: usize, A: Allocator> Drop for IntoIter<T, N, A> {
    fn drop(&mut self) {
        let (front, back) = (self.front, self.back);
        self.front = back;
        // SAFETY: `front..back` are the unyielded elements, now marked yielded so none is
        // dropped twice; the buffer itself is freed by `self.raw` (length 0) afterwards, even if
        // a destructor panics.
        unsafe {
            let rest =
                ptr::slice_from_raw_parts_mut(self.raw.as_mut_ptr().add(front), back - front);
            ptr::drop_in_place(rest);
        }
    }
}

impl<T: fmt::Debug, const N: usize, A: Allocator> fmt::Debug for IntoIter<T, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}
