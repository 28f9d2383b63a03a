//! [`StackVec::splice`] and its iterator.

use core::fmt;
use core::iter::FusedIterator;
use core::ops::RangeBounds;
use core::ptr;

use allocator_api2::alloc::Allocator;

use super::{Drain, StackVec};

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// Replaces the elements in `range` with those of `replace_with`, returning the removed ones
    /// as an iterator, like `Vec::splice`. The replacement happens when the [`Splice`] is dropped
    /// (also if it is never iterated); the vector grows (or spills) if more come in than go out.
    ///
    /// If `replace_with` or a dropped element panics, the vector keeps every element it owns
    /// (the prefix, the replacements written so far, the tail) and drops none twice.
    ///
    /// # Panics
    /// If the range starts after it ends or ends past `len`; on capacity overflow; when the
    /// replacement does not fit a vector that cannot grow (`InlineVec`: "capacity exceeded").
    /// A [`Splice`] dropped while the thread is already panicking (a panic in a loop over it)
    /// does not panic again, which would abort the process: with the `std` feature it drops
    /// the replacements that do not fit; without `std` it cannot tell, and aborts.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    /// let removed: Vec<u8> = v.splice(1..3, [7, 8, 9]).collect();
    /// assert_eq!(removed, [2, 3]);
    /// assert_eq!(v, [1, 7, 8, 9, 4]);
    /// ```
    #[track_caller]
    pub fn splice<R, I>(&mut self, range: R, replace_with: I) -> Splice<'_, I::IntoIter, N, A>
    where
        R: RangeBounds<usize>,
        I: IntoIterator<Item = T>,
    {
        Splice {
            drain: self.drain(range),
            replace_with: replace_with.into_iter(),
        }
    }
}

/// The iterator of [`StackVec::splice`]: yields the removed elements; when dropped, writes the
/// replacements in their place.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<char> = StackVec::from(['a', 'b', 'c']);
/// let mut s = v.splice(..1, ['x', 'y']);
/// assert_eq!(s.next(), Some('a'));
/// drop(s);
/// assert_eq!(v, ['x', 'y', 'b', 'c']);
/// ```
pub struct Splice<'a, I: Iterator + 'a, const N: usize, A: Allocator + 'a> {
    drain: Drain<'a, I::Item, N, A>,
    replace_with: I,
}

impl<I: Iterator, const N: usize, A: Allocator> Iterator for Splice<'_, I, N, A> {
    type Item = I::Item;

    #[inline]
    fn next(&mut self) -> Option<I::Item> {
        self.drain.next()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.drain.size_hint()
    }

    /// `next` in a loop, with `f` dropped and the replacement written (the `Splice` dropped)
    /// before the accumulator is returned: if either panics (writing it, when a vector that
    /// cannot grow has no room), the accumulator is dropped while unwinding, where after the
    /// return it would leak (rust-lang/rust#47949). `last`, `max`, `min` and `reduce` go
    /// through it.
    #[inline]
    fn fold<B, F: FnMut(B, I::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        for item in self.drain.by_ref() {
            acc = f(acc, item);
        }
        drop(f);
        drop(self);
        acc
    }
}

impl<I: Iterator, const N: usize, A: Allocator> DoubleEndedIterator for Splice<'_, I, N, A> {
    #[inline]
    fn next_back(&mut self) -> Option<I::Item> {
        self.drain.next_back()
    }

    /// As [`fold`](Iterator::fold), from the back.
    #[inline]
    fn rfold<B, F: FnMut(B, I::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        while let Some(item) = self.drain.next_back() {
            acc = f(acc, item);
        }
        drop(f);
        drop(self);
        acc
    }
}

impl<I: Iterator, const N: usize, A: Allocator> ExactSizeIterator for Splice<'_, I, N, A> {}

impl<I: Iterator, const N: usize, A: Allocator> FusedIterator for Splice<'_, I, N, A> {}

impl<I: Iterator, const N: usize, A: Allocator> fmt::Debug for Splice<'_, I, N, A>
where
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Splice")
            .field(&self.drain.as_slice())
            .finish()
    }
}

impl<I: Iterator, const N: usize, A: Allocator> Drop for Splice<'_, I, N, A> {
    /// std's strategy: fill the gap in place; while more come, make room for the iterator's
    /// lower bound (at least one, at least doubling, so unknown lengths cost O(log n) tail
    /// moves) and fill again. Room is made only once another element is in hand, so a splice
    /// that does not grow the vector never allocates. The `Drain` (dropped after this, also when
    /// unwinding) moves the tail back behind the vector's length.
    fn drop(&mut self) {
        self.drain.by_ref().for_each(drop);
        let d = &mut self.drain;
        // The drained range first, also without a tail: `extend` would reserve the iterator's
        // lower bound before filling, which a lying `size_hint` makes an allocation.
        // SAFETY (here and for `fill` and `move_tail` below): every element was just yielded.
        if !unsafe { fill(d, &mut self.replace_with) } {
            return;
        }
        if d.tail_len == 0 && !unwinding() {
            // SAFETY: the range is refilled and there is no tail, so the vector (whose length is
            // the range's end) may grow freely; the `Drain` re-reads the length when dropped.
            let vec = unsafe { d.vec.as_mut() };
            vec.extend(self.replace_with.by_ref());
            return;
        }
        let mut grown = 0;
        while let Some(item) = self.replace_with.next() {
            let wanted = self.replace_with.size_hint().0.saturating_add(1).max(grown);
            // SAFETY: as above.
            let Some(moved) = (unsafe { move_tail(d, wanted) }) else {
                // Unwinding, and no room: a second panic would abort the process. This
                // replacement and the rest (dropped with the `Splice`) are not written.
                return;
            };
            grown += moved;
            let mut rest = core::iter::once(item).chain(self.replace_with.by_ref());
            // SAFETY: as above.
            if !unsafe { fill(d, &mut rest) } {
                return;
            }
        }
    }
}

/// Writes elements of `iter` into the gap between the vector's length and the tail, counted in
/// the length also if `iter` panics. `true` if the gap is full, `false` if `iter` ran out.
///
/// # Safety
/// The `Drain` has yielded every element of its range.
unsafe fn fill<T, const N: usize, A: Allocator>(
    d: &mut Drain<'_, T, N, A>,
    iter: &mut impl Iterator<Item = T>,
) -> bool {
    // SAFETY: the `Drain` stands for a unique borrow of the vector, and its own pointer is not
    // used again (every element was yielded: the caller's promise).
    let vec = unsafe { d.vec.as_mut() };
    // The gap ends at `tail_start`, inside the capacity; the tail after it is not touched.
    vec.raw.extend_up_to(iter, d.tail_start)
}

/// Makes room for `additional` more elements in the (empty) gap and moves the tail up by as
/// many; when the hint is too large to reserve, it makes room as `extend` does (amortized for
/// one, then exactly one: it fails only where one more element does not fit). Returns how
/// many. On failure it panics, or, while the thread is already unwinding (where a panic would
/// abort), returns `None` with the tail owned by the vector.
///
/// # Safety
/// As for [`fill`].
unsafe fn move_tail<T, const N: usize, A: Allocator>(
    d: &mut Drain<'_, T, N, A>,
    additional: usize,
) -> Option<usize> {
    // SAFETY: as in `fill`.
    let vec = unsafe { d.vec.as_mut() };
    let len = vec.len();
    debug_assert_eq!(len, d.tail_start, "move_tail with a gap");
    // The gap is empty, so the tail directly follows the elements: the vector owns it while it
    // grows (a spill copies only the first `len` elements), and if growing panics it keeps it,
    // the `Drain` (with no tail left) then only restores the length.
    let tail_len = core::mem::replace(&mut d.tail_len, 0);
    // SAFETY: `0..len + tail_len` are initialized (the gap is empty).
    unsafe { vec.raw.set_len(len + tail_len) };
    if let Err(e) = vec.raw.try_reserve_hinted(additional) {
        if unwinding() {
            return None;
        }
        e.raise()
    }
    let additional = additional.min(vec.raw.spare());
    // SAFETY: there is room for `len + tail_len + additional`; the tail moves up by `additional`
    // (overlapping copy) and the vector's length goes back to `len`, leaving a gap of
    // `additional` uninitialized slots before it. `p` is taken after `set_len`, whose `&mut`
    // of the vector would invalidate a pointer into the inline bytes.
    unsafe {
        vec.raw.set_len(len);
        let p = vec.raw.as_mut_ptr();
        ptr::copy(p.add(len), p.add(len + additional), tail_len);
    }
    d.tail_start = len + additional;
    d.tail_len = tail_len;
    Some(additional)
}

/// Whether the thread is unwinding, so that a `Splice` dropped then does not panic a second
/// time. Without `std` it cannot be told: a splice that finds no room then aborts.
fn unwinding() -> bool {
    #[cfg(feature = "std")]
    return std::thread::panicking();
    #[cfg(not(feature = "std"))]
    false
}
