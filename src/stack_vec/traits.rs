//! The standard traits, with `Vec`'s semantics.

use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut, Index, IndexMut};
use core::slice::{self, SliceIndex};

use allocator_api2::alloc::Allocator;

use super::{IntoIter, StackVec};
use crate::error::TryPushError;

/// Counts the vector for its call site; the storage is dropped by the raw core.
#[cfg(feature = "spill-report")]
impl<T, const N: usize, A: Allocator> Drop for StackVec<T, N, A> {
    fn drop(&mut self) {
        self.record(super::Exit::Dropped);
    }
}

impl<T, const N: usize, A: Allocator> Deref for StackVec<T, N, A> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, const N: usize, A: Allocator> DerefMut for StackVec<T, N, A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

/// As a trait (not only through `Deref`), so a `C: Index<usize>` bound accepts a `StackVec`.
impl<T, I: SliceIndex<[T]>, const N: usize, A: Allocator> Index<I> for StackVec<T, N, A> {
    type Output = I::Output;
    #[inline]
    fn index(&self, index: I) -> &I::Output {
        Index::index(self.as_slice(), index)
    }
}

impl<T, I: SliceIndex<[T]>, const N: usize, A: Allocator> IndexMut<I> for StackVec<T, N, A> {
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut I::Output {
        IndexMut::index_mut(self.as_mut_slice(), index)
    }
}

impl<T, const N: usize, A: Allocator> AsRef<[T]> for StackVec<T, N, A> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T, const N: usize, A: Allocator> AsMut<[T]> for StackVec<T, N, A> {
    fn as_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T, const N: usize, A: Allocator> AsRef<StackVec<T, N, A>> for StackVec<T, N, A> {
    /// The vector itself, as `Vec`'s `AsRef<Vec<T, A>>`, so an `impl AsRef<StackVec<..>>`
    /// parameter accepts it.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// fn total(v: impl AsRef<StackVec<u8>>) -> u32 {
    ///     v.as_ref().iter().map(|&x| u32::from(x)).sum()
    /// }
    /// assert_eq!(total(StackVec::from([1, 2])), 3);
    /// ```
    fn as_ref(&self) -> &Self {
        self
    }
}

impl<T, const N: usize, A: Allocator> AsMut<StackVec<T, N, A>> for StackVec<T, N, A> {
    /// The vector itself, as `Vec`'s `AsMut<Vec<T, A>>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// fn push_one(mut v: impl AsMut<StackVec<u8>>) -> usize {
    ///     v.as_mut().push(1);
    ///     v.as_mut().len()
    /// }
    /// assert_eq!(push_one(StackVec::from([0])), 2);
    /// ```
    fn as_mut(&mut self) -> &mut Self {
        self
    }
}

impl<T, const N: usize, A: Allocator> Borrow<[T]> for StackVec<T, N, A> {
    fn borrow(&self) -> &[T] {
        self
    }
}

impl<T, const N: usize, A: Allocator> BorrowMut<[T]> for StackVec<T, N, A> {
    fn borrow_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Clone, const N: usize, A: Allocator + Clone> Clone for StackVec<T, N, A> {
    /// Clones into the same kind of storage: inline when the elements fit, else one exact heap
    /// allocation. A panicking `clone` drops the clones already made.
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone(&self) -> Self {
        if self.len() > Self::INLINE_CAPACITY {
            return self.clone_spilled();
        }
        let mut v = Self::new_in(self.allocator().clone());
        // SAFETY: the inline buffer has room for `self.len()` elements.
        unsafe { v.extend_from_slice_unchecked(self) };
        v
    }

    /// As `Vec`'s: reuses this vector's buffer (no allocation when `source` fits its capacity)
    /// and keeps its allocator; the common prefix is cloned in place with `T::clone_from`, the
    /// rest appended as by [`extend_from_slice`](StackVec::extend_from_slice), whose `# Panics`
    /// says what a panicking `clone` leaves.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::with_capacity(64);
    /// v.clone_from(&StackVec::from([1, 2, 3, 4, 5, 6]));
    /// assert_eq!((v.as_slice(), v.capacity()), (&[1, 2, 3, 4, 5, 6][..], 64));
    /// ```
    fn clone_from(&mut self, source: &Self) {
        self.truncate(source.len());
        let (init, tail) = source.split_at(self.len());
        self.clone_from_slice(init);
        self.extend_from_slice(tail);
    }
}

impl<T: Clone, const N: usize, A: Allocator + Clone> StackVec<T, N, A> {
    /// `clone` of a vector whose elements need the heap: out of line, so that the inline
    /// clone keeps no registers saved for an allocation.
    #[inline(never)]
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone_spilled(&self) -> Self {
        let mut v = Self::with_capacity_in(self.len(), self.allocator().clone());
        // SAFETY: `v` has room for `self.len()` elements.
        unsafe { v.extend_from_slice_unchecked(self) };
        v
    }
}

impl<T: fmt::Debug, const N: usize, A: Allocator> fmt::Debug for StackVec<T, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T, const N: usize, A: Allocator + Default> Default for StackVec<T, N, A> {
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<T: Hash, const N: usize, A: Allocator> Hash for StackVec<T, N, A> {
    /// Hashes exactly like the slice `&[T]` (and so like `Vec<T>`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        Hash::hash(&**self, state)
    }
}

impl<T: Eq, const N: usize, A: Allocator> Eq for StackVec<T, N, A> {}

/// Lexicographic, like slices, across inline budgets and allocators.
impl<T, const N: usize, A, const M: usize, B> PartialOrd<StackVec<T, M, B>> for StackVec<T, N, A>
where
    T: PartialOrd,
    A: Allocator,
    B: Allocator,
{
    fn partial_cmp(&self, other: &StackVec<T, M, B>) -> Option<Ordering> {
        PartialOrd::partial_cmp(&**self, &**other)
    }
}

impl<T: Ord, const N: usize, A: Allocator> Ord for StackVec<T, N, A> {
    fn cmp(&self, other: &Self) -> Ordering {
        Ord::cmp(&**self, &**other)
    }
}

/// `PartialEq` between a vector-like `$lhs` and `$rhs`, by their slices.
macro_rules! impl_slice_eq {
    ([$($generics:tt)*] $lhs:ty, $rhs:ty $(, $bounded:ident: $bound:path)?) => {
        impl<T, U, $($generics)*> PartialEq<$rhs> for $lhs
        where
            T: PartialEq<U>,
            $($bounded: $bound,)?
        {
            #[inline]
            fn eq(&self, other: &$rhs) -> bool {
                self[..] == other[..]
            }
        }
    };
}

impl_slice_eq! { [const N: usize, const M: usize, A: Allocator, B: Allocator] StackVec<T, N, A>, StackVec<U, M, B> }
impl_slice_eq! { [const N: usize, A: Allocator] StackVec<T, N, A>, [U] }
impl_slice_eq! { [const N: usize, A: Allocator] StackVec<T, N, A>, &[U] }
impl_slice_eq! { [const N: usize, A: Allocator] StackVec<T, N, A>, &mut [U] }
impl_slice_eq! { [const N: usize, A: Allocator, const M: usize] StackVec<T, N, A>, [U; M] }
impl_slice_eq! { [const N: usize, A: Allocator, const M: usize] StackVec<T, N, A>, &[U; M] }
#[cfg(feature = "alloc")]
impl_slice_eq! { [const N: usize, A: Allocator] StackVec<T, N, A>, alloc::vec::Vec<U> }
impl_slice_eq! { [const N: usize, A: Allocator] [T], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator] &[T], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator] &mut [T], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator, const M: usize] [T; M], StackVec<U, N, A> }
#[cfg(feature = "alloc")]
impl_slice_eq! { [const N: usize, A: Allocator] alloc::vec::Vec<T>, StackVec<U, N, A> }
#[cfg(feature = "alloc")]
impl_slice_eq! { [const N: usize, A: Allocator] alloc::borrow::Cow<'_, [T]>, StackVec<U, N, A>, T: Clone }

#[cfg(feature = "alloc")]
impl<T, U, const N: usize, A: Allocator> PartialEq<StackVec<U, N, A>>
    for alloc::collections::VecDeque<T>
where
    T: PartialEq<U>,
{
    /// Element by element, as `VecDeque<T> == Vec<U>` (a deque need not be contiguous, so
    /// this compares its two halves in turn).
    ///
    /// # Examples
    /// ```
    /// use std::collections::VecDeque;
    /// use stackfirst::StackVec;
    ///
    /// let mut d = VecDeque::from([2, 3]);
    /// d.push_front(1);
    /// assert!(d == StackVec::<u8>::from([1, 2, 3]));
    /// assert!(d != StackVec::<u8>::from([1, 2]));
    /// ```
    #[inline]
    fn eq(&self, other: &StackVec<U, N, A>) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let (front, back) = self.as_slices();
        let (other_front, other_back) = other.split_at(front.len());
        front == other_front && back == other_back
    }
}

impl<T, const N: usize, A: Allocator + Default, const M: usize> From<[T; M]> for StackVec<T, N, A> {
    /// Moves the elements in: inline when `M <= INLINE_CAPACITY`, else one exact allocation.
    ///
    /// # Panics
    /// With "capacity exceeded" for an [`InlineVec`](crate::InlineVec) that cannot hold `M`
    /// elements (and as [`with_capacity_in`](StackVec::with_capacity_in) does otherwise).
    #[track_caller]
    fn from(array: [T; M]) -> Self {
        Self::from_array_in(array, A::default())
    }
}

impl<T: Clone, const N: usize, A: Allocator + Default> From<&[T]> for StackVec<T, N, A> {
    /// Clones the elements in: inline when they fit, else one exact allocation.
    ///
    /// # Panics
    /// With "capacity exceeded" for an [`InlineVec`](crate::InlineVec) that cannot hold them
    /// (build it with [`try_extend_from_slice`](StackVec::try_extend_from_slice) instead), and
    /// as [`with_capacity_in`](StackVec::with_capacity_in) does otherwise.
    #[inline]
    #[track_caller]
    fn from(s: &[T]) -> Self {
        let mut v = Self::with_capacity_in(s.len(), A::default());
        v.extend_from_slice(s);
        v
    }
}

impl<T, const N: usize, A: Allocator + Default> FromIterator<T> for StackVec<T, N, A> {
    #[inline]
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from_iter_in(iter, A::default())
    }
}

impl<T, const N: usize, A: Allocator> Extend<T> for StackVec<T, N, A> {
    /// When the iterator's lower bound fits the spare capacity (the usual inline case), fills
    /// it in a tight loop straight away. Otherwise, or once the vector is full, grows by the
    /// iterator's `size_hint`, but only once an element is in hand (as `Vec` does, an iterator
    /// that yields nothing never allocates or fails, whatever its hint says), and fills again.
    /// The hint only sizes growth: every write is bounded by the capacity, and a hint too large
    /// to reserve falls back to growth by one, so a lying iterator can neither corrupt the
    /// vector nor abort the process where one more element fits (std's `Vec` reserves the
    /// lower bound: it panics when that overflows and aborts when the allocation fails).
    #[inline]
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter();
        if let Some(item) = self.fill_spare(&mut iter) {
            self.extend_growing(item, iter);
        }
    }
}

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// The in-line part of `extend` and `collect`: fills the spare capacity when the iterator's
    /// lower bound fits it. Returns the element that has arrived when the vector is full or the
    /// hint asks for more room: growth waits for an element (and an iterator that has just
    /// filled the vector exactly makes no call).
    #[inline(always)]
    pub(crate) fn fill_spare<I: Iterator<Item = T>>(&mut self, iter: &mut I) -> Option<T> {
        if iter.size_hint().0 <= self.raw.spare() && !self.raw.extend_up_to(iter, usize::MAX) {
            return None;
        }
        iter.next()
    }

    /// `collect`'s growth, as [`extend_growing`](Self::extend_growing) but taking and returning
    /// the vector by value: the collecting caller never takes its vector's address, so on the
    /// in-line path the vector is built where it is returned, not copied out of a second stack
    /// slot (measured in benches/analysis.md).
    #[inline(never)]
    #[track_caller]
    pub(crate) fn collect_growing<I: Iterator<Item = T>>(mut self, item: T, iter: I) -> Self {
        self.extend_growing(item, iter);
        self
    }

    /// `collect` of an iterator that says it will not fit inline: the vector is made here, so
    /// the caller hands over no vector to copy, with room for the iterator's lower bound at
    /// once, as `Vec` makes for an iterator of known length. A bound that cannot be had is only
    /// a hint: the vector then grows as `extend` grows.
    #[inline(never)]
    #[track_caller]
    pub(crate) fn collect_spilled<I: Iterator<Item = T>>(iter: I, alloc: A) -> Self {
        let mut v = Self::new_in(alloc);
        let _ = v.raw.try_reserve_exact(iter.size_hint().0);
        v.extend(iter);
        v
    }

    /// [`extend`](Extend::extend) once an element has arrived that the spare capacity may not
    /// hold: out of line, so the in-line part stays small enough to inline (and keeps the
    /// vector out of memory).
    #[inline(never)]
    #[track_caller]
    fn extend_growing<I: Iterator<Item = T>>(&mut self, item: T, mut iter: I) {
        // The iterator outlives the raise: dropped while unwinding, as `Vec` drops it.
        if let Err(e) = self.grow_and_fill(item, &mut iter) {
            e.raise()
        }
    }

    /// [`try_extend`](Self::try_extend)'s growth, as [`extend_growing`](Self::extend_growing)'s.
    #[inline(never)]
    pub(crate) fn try_extend_growing<I: Iterator<Item = T>>(
        &mut self,
        item: T,
        iter: I,
    ) -> Result<(), TryPushError<T>> {
        self.grow_and_fill(item, iter)
    }

    /// Makes room for `item` and as many more as the iterator's hint promises, stores it, and
    /// fills the spare capacity, until the iterator ends. Stops at the element the vector
    /// cannot make room for, and hands it back with the reason; the rest stay in the iterator.
    #[inline(always)]
    fn grow_and_fill<I: Iterator<Item = T>>(
        &mut self,
        mut item: T,
        mut iter: I,
    ) -> Result<(), TryPushError<T>> {
        loop {
            if let Err(e) = self
                .raw
                .try_reserve_hinted(iter.size_hint().0.saturating_add(1))
            {
                return Err(TryPushError::new(item, e));
            }
            self.raw.push(item);
            if !self.raw.extend_up_to(&mut iter, usize::MAX) {
                return Ok(());
            }
            match iter.next() {
                Some(next) => item = next,
                None => return Ok(()),
            }
        }
    }
}

impl<'a, T: Copy + 'a, const N: usize, A: Allocator> Extend<&'a T> for StackVec<T, N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied())
    }
}

impl<T, const N: usize, A: Allocator> IntoIterator for StackVec<T, N, A> {
    type Item = T;
    type IntoIter = IntoIter<T, N, A>;
    fn into_iter(self) -> IntoIter<T, N, A> {
        IntoIter::new(self)
    }
}

impl<'a, T, const N: usize, A: Allocator> IntoIterator for &'a StackVec<T, N, A> {
    type Item = &'a T;
    type IntoIter = slice::Iter<'a, T>;
    fn into_iter(self) -> slice::Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T, const N: usize, A: Allocator> IntoIterator for &'a mut StackVec<T, N, A> {
    type Item = &'a mut T;
    type IntoIter = slice::IterMut<'a, T>;
    fn into_iter(self) -> slice::IterMut<'a, T> {
        self.iter_mut()
    }
}
