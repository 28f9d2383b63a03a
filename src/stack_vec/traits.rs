//! The standard traits, with `Vec`'s semantics.

use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use core::slice;

use allocator_api2::alloc::{Allocator, Global};

use super::{IntoIter, StackVec};
use crate::raw::RawStackVec;

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
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone(&self) -> Self {
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

impl<T: PartialOrd, const N: usize, A: Allocator> PartialOrd for StackVec<T, N, A> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
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
    ([$($generics:tt)*] $lhs:ty, $rhs:ty) => {
        impl<T, U, $($generics)*> PartialEq<$rhs> for $lhs
        where
            T: PartialEq<U>,
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
impl_slice_eq! { [const N: usize, A: Allocator] StackVec<T, N, A>, alloc::vec::Vec<U> }
impl_slice_eq! { [const N: usize, A: Allocator] [T], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator] &[T], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator, const M: usize] [T; M], StackVec<U, N, A> }
impl_slice_eq! { [const N: usize, A: Allocator] alloc::vec::Vec<T>, StackVec<U, N, A> }

impl<T, const N: usize> From<alloc::vec::Vec<T>> for StackVec<T, N, Global> {
    /// Adopts the `Vec`'s heap buffer without copying (the vector counts as spilled even if its
    /// capacity would fit inline); an unallocated `Vec` becomes an inline `StackVec`.
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(vec: alloc::vec::Vec<T>) -> Self {
        let mut vec = ManuallyDrop::new(vec);
        let (len, cap) = (vec.len(), vec.capacity());
        if RawStackVec::<T, N, Global>::IS_ZST || cap == 0 {
            let mut v = Self::new();
            // SAFETY: `len == 0`, or `T` is zero-sized with capacity `usize::MAX`; the `Vec`
            // owned no memory, and its (zero-sized) elements are now this vector's.
            unsafe { v.raw.set_len(len) };
            return v;
        }
        // SAFETY: the pointer of an allocated `Vec` is non-null.
        let ptr = unsafe { NonNull::new_unchecked(vec.as_mut_ptr()) };
        // SAFETY: a `Vec` with `cap > 0` of a non-zero-sized `T` owns a block of the global
        // allocator with layout `Layout::array::<T>(cap)` holding `len` elements, which the
        // forgotten `Vec` gives up.
        Self::from_raw(unsafe { RawStackVec::from_heap_parts(ptr, len, cap, Global) })
    }
}

impl<T, const N: usize, A: Allocator + Default, const M: usize> From<[T; M]> for StackVec<T, N, A> {
    /// Moves the elements in: inline when `M <= INLINE_CAPACITY`, else one exact allocation.
    #[track_caller]
    fn from(array: [T; M]) -> Self {
        Self::from_array_in(array, A::default())
    }
}

impl<T: Clone, const N: usize, A: Allocator + Default> From<&[T]> for StackVec<T, N, A> {
    /// Clones the elements in: inline when they fit, else one exact allocation.
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
        let mut v = Self::new_in(A::default());
        v.extend(iter);
        v
    }
}

impl<T, const N: usize, A: Allocator> Extend<T> for StackVec<T, N, A> {
    /// Fills the spare capacity in a tight loop, then grows by the iterator's `size_hint`. The
    /// hint only sizes growth: every write is bounded by the capacity. A hint too large to
    /// reserve falls back to growth by one, so a lying iterator can neither corrupt the vector
    /// nor abort the process (std's `Vec` aborts on an unsatisfiable hint).
    #[inline]
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter();
        let (lower, _) = iter.size_hint();
        if lower > self.raw.spare() {
            self.raw.reserve_hinted(lower);
        }
        while self.raw.extend_within_capacity(&mut iter) {
            let Some(item) = iter.next() else {
                return;
            };
            self.raw
                .reserve_hinted(iter.size_hint().0.saturating_add(1));
            self.raw.push(item);
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
