use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::slice;

use allocator_api2::alloc::Allocator;

use super::StackVec;

with_stack_vec_defaults! {
/// The iterator of [`StackVec::drain`]: yields the removed range by value.
///
/// While it lives, the vector's length covers only the elements before the range, so leaking
/// the `Drain` (`mem::forget`) leaks the range and the tail but never exposes moved-out slots.
/// When dropped it drops what it did not yield and moves the tail down.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4, 5]);
/// let mut d = v.drain(1..4);
/// assert_eq!(d.next(), Some(2));
/// assert_eq!(d.next_back(), Some(4));
/// assert_eq!(d.as_slice(), &[3]);
/// drop(d);
/// assert_eq!(v, [1, 5]);
/// ```
///
/// It borrows the vector mutably (it holds a raw pointer to it), so the vector is out of reach
/// until it is dropped:
/// ```compile_fail,E0499
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
/// let d = v.drain(..2);
/// v.push(4); // error: cannot borrow `v` as mutable more than once at a time
/// drop(d);
/// ```
///
/// It can be sent to another thread only if the elements can:
/// ```compile_fail,E0277
/// use std::rc::Rc;
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<Rc<u8>> = StackVec::from([Rc::new(1)]);
/// let d = v.drain(..);
/// std::thread::scope(|s| {
///     s.spawn(move || d.count()); // error: `Rc<u8>` cannot be sent between threads safely
/// });
/// ```
pub struct Drain<'a, T, const N: usize, A: Allocator> {
    pub(super) vec: NonNull<StackVec<T, N, A>>,
    /// The buffer, derived from `vec`: it may point into the vector itself (inline). Used only
    /// while elements are unyielded: a `Splice` yields them all first and then changes the
    /// vector (which may move or invalidate this pointer) through pointers of its own, and
    /// `drop` moves the tail through a pointer derived again.
    pub(super) p: NonNull<T>,
    /// The unyielded elements are `front..back`.
    front: usize,
    back: usize,
    /// The kept elements after the range: `tail_start..tail_start + tail_len`. Between the
    /// vector's length and `tail_start` lies the gap (`Splice` fills it).
    pub(super) tail_start: usize,
    pub(super) tail_len: usize,
    /// Covariant in `T` and `A`, as std's `Drain`: it only moves elements out of the vector and
    /// within it, never in (`Splice`, which writes, names its element type through `I::Item`).
    _marker: PhantomData<&'a StackVec<T, N, A>>,
}
}

impl<'a, T, const N: usize, A: Allocator> Drain<'a, T, N, A> {
    /// Called by `StackVec::drain` with `start <= end <= len`.
    pub(super) fn new(vec: &'a mut StackVec<T, N, A>, start: usize, end: usize) -> Self {
        let len = vec.len();
        debug_assert!(start <= end && end <= len);
        let mut vec = NonNull::from(vec);
        // SAFETY: `vec` comes from a live `&mut`; shortening the length to `start` hands the
        // range and the tail to this iterator (initialized: `end <= len`). The buffer pointer is
        // the heap pointer (a `NonNull`) or the address of the inline field: never null.
        let p = unsafe {
            let v = vec.as_mut();
            v.raw.set_len(start);
            NonNull::new_unchecked(v.raw.as_mut_ptr())
        };
        Self {
            vec,
            p,
            front: start,
            back: end,
            tail_start: end,
            tail_len: len - end,
            _marker: PhantomData,
        }
    }

    /// The elements not yet yielded.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let mut d = v.drain(..);
    /// d.next();
    /// assert_eq!(d.as_slice(), &[2, 3]);
    /// ```
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `front..back` are initialized elements owned by this iterator.
        unsafe { slice::from_raw_parts(self.p.as_ptr().add(self.front), self.back - self.front) }
    }
}

impl<T, const N: usize, A: Allocator> AsRef<[T]> for Drain<'_, T, N, A> {
    /// [`as_slice`](Drain::as_slice), as `vec::Drain`'s `AsRef<[T]>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let mut d = v.drain(1..);
    /// d.next();
    /// let rest: &[u8] = d.as_ref();
    /// assert_eq!(rest, &[3]);
    /// ```
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, const N: usize, A: Allocator> Iterator for Drain<'_, T, N, A> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        // SAFETY: `front - 1` was in the unyielded range and is now out of it: read once.
        Some(unsafe { self.p.as_ptr().add(self.front - 1).read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl<T, const N: usize, A: Allocator> DoubleEndedIterator for Drain<'_, T, N, A> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        // SAFETY: `back` was in the unyielded range and is now out of it: read once.
        Some(unsafe { self.p.as_ptr().add(self.back).read() })
    }
}

impl<T, const N: usize, A: Allocator> ExactSizeIterator for Drain<'_, T, N, A> {}

impl<T, const N: usize, A: Allocator> FusedIterator for Drain<'_, T, N, A> {}

impl<T, const N: usize, A: Allocator> Drop for Drain<'_, T, N, A> {
    fn drop(&mut self) {
        /// Moves the tail down and restores the length, also when a dropped element panics.
        struct MoveTail<'r, 'a, T, const N: usize, A: Allocator>(&'r mut Drain<'a, T, N, A>);
        impl<T, const N: usize, A: Allocator> Drop for MoveTail<'_, '_, T, N, A> {
            fn drop(&mut self) {
                let d = &mut *self.0;
                // SAFETY: the vector's first `start` elements are initialized (its length; a
                // `Splice` raises it as it fills the gap) and `tail_start..tail_start + tail_len`
                // are the initialized tail; the drained range is empty now, so `start + tail_len`
                // elements are initialized once the tail moves to `start`. The buffer pointer is
                // derived again from this `&mut`, as std's `Drain` does: inline, the buffer lies
                // inside the vector, and a reference to the vector made after `d.p` (to read the
                // length) would leave `d.p` unfit for writing under Tree Borrows.
                unsafe {
                    let v = d.vec.as_mut();
                    let start = v.len();
                    if d.tail_len != 0 {
                        let p = v.raw.as_mut_ptr();
                        ptr::copy(p.add(d.tail_start), p.add(start), d.tail_len);
                    }
                    v.raw.set_len(start + d.tail_len);
                }
            }
        }
        let (front, back) = (self.front, self.back);
        self.front = back;
        let guard = MoveTail(self);
        if front != back {
            // SAFETY: `front..back` are the unyielded elements, marked yielded above, so they
            // are dropped exactly once even if one of their destructors panics.
            unsafe {
                ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                    guard.0.p.as_ptr().add(front),
                    back - front,
                ))
            };
        }
    }
}

impl<T: fmt::Debug, const N: usize, A: Allocator> fmt::Debug for Drain<'_, T, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Drain").field(&self.as_slice()).finish()
    }
}

// SAFETY: a `Drain` is a unique borrow of the vector: it moves `T`s (and touches `A`) only where
// the `&mut StackVec` it stands for could, so it is `Send`/`Sync` under the same conditions.
unsafe impl<T: Send, const N: usize, A: Allocator + Send> Send for Drain<'_, T, N, A> {}
// SAFETY: as above; through `&Drain` only `&[T]` is reachable.
unsafe impl<T: Sync, const N: usize, A: Allocator + Sync> Sync for Drain<'_, T, N, A> {}
