//! The fallible API: every way to add elements, with allocator failure (or a full
//! [`NoHeap`](crate::NoHeap) vector) reported as an error instead of a panic or an abort. On
//! error the vector is unchanged, but for [`try_extend`](StackVec::try_extend), which keeps
//! what it appended (an iterator cannot be taken back).

use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;

use super::StackVec;
use crate::error::{TryPushError, TryReserveError};
use crate::raw::RawStackVec;

#[cfg(feature = "alloc")]
impl<T, const N: usize> StackVec<T, N, Global> {
    /// [`with_capacity`](Self::with_capacity) that reports failure instead of panicking or
    /// aborting.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u64> = StackVec::try_with_capacity(3).unwrap();
    /// assert!(!v.spilled());
    /// assert!(StackVec::<u64>::try_with_capacity(usize::MAX).is_err());
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    pub fn try_with_capacity(capacity: usize) -> Result<Self, TryReserveError> {
        Self::try_with_capacity_in(capacity, Global)
    }
}

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// [`with_capacity_in`](Self::with_capacity_in) that reports failure instead of panicking or
    /// aborting.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, StackVec};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut buf).frame(|f| {
    ///     assert!(StackVec::<u64, 32, _>::try_with_capacity_in(100, &f).is_err());
    ///     let v = StackVec::<u64, 32, _>::try_with_capacity_in(6, &f).unwrap();
    ///     assert_eq!(v.capacity(), 6);
    /// });
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    pub fn try_with_capacity_in(capacity: usize, alloc: A) -> Result<Self, TryReserveError> {
        // A `match`, not `map(Self::from_raw)`: the spill report's caller location does not
        // survive a call through a function pointer.
        match RawStackVec::try_with_capacity_in(capacity, alloc) {
            Ok(raw) => Ok(Self::from_raw(raw)),
            Err(e) => Err(e),
        }
    }

    /// `true` when the next [`push`](Self::push) needs to spill or grow (for a
    /// [`NoHeap`](crate::NoHeap) vector: would fail).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64, 16> = StackVec::from([1]);
    /// assert!(!v.is_full());
    /// v.push(2);
    /// assert!(v.is_full());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.raw.spare() == 0
    }

    /// How many more elements fit without spilling or growing: `capacity() - len()`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u64> = StackVec::from([1]);
    /// assert_eq!(v.remaining_capacity(), 3);
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining_capacity(&self) -> usize {
        self.raw.spare()
    }

    /// Appends `value` if it fits the current capacity, never allocating; otherwise hands it
    /// back (std's unstable `Vec::push_within_capacity`).
    ///
    /// # Errors
    /// `Err(value)` when the vector is full.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64, 8> = StackVec::new();
    /// assert_eq!(v.push_within_capacity(1), Ok(()));
    /// assert_eq!(v.push_within_capacity(2), Err(2));
    /// assert!(!v.spilled());
    /// ```
    #[inline]
    pub fn push_within_capacity(&mut self, value: T) -> Result<(), T> {
        self.raw.push_within_capacity(value)
    }

    /// [`push`](Self::push) that reports failure instead of panicking or aborting: when the
    /// vector cannot grow (allocator failure, an exhausted arena frame, capacity overflow, a full
    /// [`NoHeap`](crate::NoHeap) vector), the value comes back inside the error.
    ///
    /// # Errors
    /// [`TryPushError`] holding `value` and the reason.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, StackVec};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 16];
    /// Arena::from_memory(&mut buf).frame(|f| {
    ///     // 4 inline, then a spill of 8 u64 (64 bytes) that the 16-byte frame cannot hold.
    ///     let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
    ///     for i in 0..4 {
    ///         v.try_push(i).unwrap();
    ///     }
    ///     let err = v.try_push(4).unwrap_err();
    ///     assert_eq!(err.into_value(), 4);
    ///     assert_eq!(v, [0, 1, 2, 3]);
    /// });
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), TryPushError<T>> {
        self.raw
            .try_push(value)
            .map_err(|(value, e)| TryPushError::new(value, e))
    }

    /// [`insert`](Self::insert) that reports failure to grow instead of panicking or aborting.
    ///
    /// # Errors
    /// [`TryPushError`] holding `element` when the vector is full and cannot grow.
    ///
    /// # Panics
    /// If `index > len` (a bug in the caller, as for `insert`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::InlineVec;
    ///
    /// let mut v: InlineVec<u8, 2> = InlineVec::new();
    /// v.try_insert(0, 2).unwrap();
    /// v.try_insert(0, 1).unwrap();
    /// assert_eq!(v.try_insert(1, 9).unwrap_err().into_value(), 9);
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_insert(&mut self, index: usize, element: T) -> Result<(), TryPushError<T>> {
        let len = self.len();
        if index > len {
            super::insert_failed(index, len);
        }
        if self.is_full() {
            if let Err(e) = self.raw.try_reserve(1) {
                return Err(TryPushError::new(element, e));
            }
        }
        self.insert(index, element);
        Ok(())
    }

    /// [`extend_from_slice`](Self::extend_from_slice) that reports failure instead of panicking
    /// or aborting. All or nothing: room for every element is made before the first is cloned.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails; nothing is appended.
    ///
    /// # Panics
    /// If a `clone` panics; what stays appended is as [`extend_from_slice`](Self::extend_from_slice) says.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::InlineVec;
    ///
    /// let mut v: InlineVec<u8, 4> = InlineVec::new();
    /// v.try_extend_from_slice(&[1, 2, 3]).unwrap();
    /// assert!(v.try_extend_from_slice(&[4, 5]).is_err());
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_extend_from_slice(&mut self, other: &[T]) -> Result<(), TryReserveError>
    where
        T: Clone,
    {
        self.try_reserve(other.len())?;
        self.extend_from_slice(other);
        Ok(())
    }

    /// [`extend`](Extend::extend) that reports failure instead of panicking or aborting. It
    /// appends the iterator's elements in order until the vector cannot make room for one: that
    /// element comes back in the error, the elements before it stay appended, and the rest stay
    /// in the iterator (pass `&mut iter` to go on with them). For all or nothing, truncate to
    /// the old length on error. Growth is as `extend`'s: sized by the iterator's `size_hint`,
    /// and exactly one more element when that is all that fits.
    ///
    /// # Errors
    /// [`TryPushError`] holding the first element that did not fit, and the reason.
    ///
    /// # Examples
    /// Drain a stream through a fixed buffer, a batch at a time:
    /// ```
    /// use stackfirst::InlineVec;
    ///
    /// let mut stream = 1..=10u8;
    /// let mut batch: InlineVec<u8, 4> = InlineVec::new();
    /// let mut sums = vec![];
    /// while let Err(e) = batch.try_extend(&mut stream) {
    ///     sums.push(batch.iter().sum::<u8>());
    ///     batch.clear();
    ///     batch.push(e.into_value());
    /// }
    /// sums.push(batch.iter().sum());
    /// assert_eq!(sums, [10, 26, 19]); // 1..=4, 5..=8, 9..=10
    /// ```
    #[inline]
    pub fn try_extend<I: IntoIterator<Item = T>>(
        &mut self,
        iter: I,
    ) -> Result<(), TryPushError<T>> {
        let mut iter = iter.into_iter();
        let result = match self.fill_spare(&mut iter) {
            Some(item) => self.try_extend_growing(item, &mut iter),
            None => Ok(()),
        };
        // Dropped while the result is a local: if its `Drop` unwinds, the element in the error
        // is dropped too (a value being returned would leak, rust-lang/rust#47949).
        drop(iter);
        result
    }

    /// [`resize`](Self::resize) that reports failure instead of panicking or aborting.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails; the vector is
    /// unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1]);
    /// v.try_resize(3, 0).unwrap();
    /// assert_eq!(v, [1, 0, 0]);
    /// assert!(v.try_resize(usize::MAX, 0).is_err());
    /// assert_eq!(v, [1, 0, 0]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn try_resize(&mut self, new_len: usize, value: T) -> Result<(), TryReserveError>
    where
        T: Clone,
    {
        if let Some(extra) = new_len.checked_sub(self.len()) {
            self.try_reserve(extra)?;
        }
        self.resize(new_len, value);
        Ok(())
    }

    /// [`into_heap_exact`](Self::into_heap_exact) that reports allocator failure instead of
    /// aborting, handing the vector back unchanged.
    ///
    /// # Errors
    /// The vector and a [`TryReserveError`] when the one exact allocation for inline elements
    /// fails (a spilled, empty or zero-sized vector needs none and always succeeds).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{ArenaBuf, StackVec};
    ///
    /// let mut buf = ArenaBuf::<16>::new(); // aligned: all 16 bytes hold `u64`s
    /// buf.arena().frame(|f| {
    ///     let v: StackVec<u64, 32, _> = StackVec::from_iter_in([1, 2, 3], &f);
    ///     let (v, err) = v.try_into_heap_exact().unwrap_err(); // 24 bytes > 16
    ///     let expected = format!("memory allocation of 24 bytes (align {}) failed", align_of::<u64>());
    ///     assert_eq!((v.as_slice(), err.to_string()), (&[1, 2, 3][..], expected));
    ///     let mut v = v;
    ///     v.pop();
    ///     let heap = v.try_into_heap_exact().unwrap();
    ///     assert_eq!((heap.as_slice(), heap.capacity()), (&[1, 2][..], 2));
    /// });
    /// ```
    #[cfg(feature = "alloc")]
    #[allow(clippy::type_complexity)]
    pub fn try_into_heap_exact(self) -> Result<A::Vec<T>, (Self, TryReserveError)>
    where
        A: crate::IntoHeap,
    {
        use core::alloc::Layout;
        use core::ptr;

        use crate::error::TryReserveErrorKind;

        let len = self.len();
        if self.spilled() || len == 0 || core::mem::size_of::<T>() == 0 {
            // Nothing to allocate.
            return Ok(self.into_heap_exact());
        }
        // Allocated first, so that failure returns the vector untouched.
        let layout = match Layout::array::<T>(len) {
            Ok(layout) => layout,
            Err(_) => return Err((self, TryReserveErrorKind::CapacityOverflow.into())),
        };
        let block = match self.allocator().allocate(layout) {
            Ok(block) => block.cast::<T>(),
            Err(_) => {
                let kind = crate::no_heap::refused::<A>(layout);
                return Err((self, kind.into()));
            }
        };
        // SAFETY: the fresh block holds `len` elements and does not overlap the vector.
        unsafe { ptr::copy_nonoverlapping(self.as_ptr(), block.as_ptr(), len) };
        let mut raw = self.into_raw(super::Exit::IntoHeapCopy);
        // SAFETY: zero is a valid length; the elements were moved to `block` by the copy above.
        unsafe { raw.set_len(0) };
        // Inline and empty: gives back only the allocator.
        let (_, _, alloc) = raw.into_heap_parts();
        // SAFETY: `block` was allocated by `alloc` with `Layout::array::<T>(len)` and holds `len`
        // initialized elements.
        Ok(unsafe { A::vec_from_parts(Some((block, len)), len, alloc) })
    }
}
