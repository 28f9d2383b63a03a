//! Conversions to and from the std types a `Vec` converts to and from.

#[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
use alloc::sync::Arc;
#[cfg(feature = "alloc")]
use alloc::{
    borrow::Cow,
    boxed::Box,
    collections::{BinaryHeap, VecDeque},
    rc::Rc,
    string::String,
    vec::Vec,
};
use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;
#[cfg(feature = "alloc")]
use core::{mem::ManuallyDrop, ptr::NonNull};

use super::StackVec;
#[cfg(feature = "alloc")]
use crate::raw::RawStackVec;

impl<T: Clone, const N: usize, A: Allocator + Default, const M: usize> From<&[T; M]>
    for StackVec<T, N, A>
{
    /// Clones the elements in: inline when they fit, else one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(&[1, 2]);
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[track_caller]
    fn from(array: &[T; M]) -> Self {
        Self::from(&array[..])
    }
}

impl<T: Clone, const N: usize, A: Allocator + Default, const M: usize> From<&mut [T; M]>
    for StackVec<T, N, A>
{
    /// Clones the elements in: inline when they fit, else one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(&mut [1, 2]);
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[track_caller]
    fn from(array: &mut [T; M]) -> Self {
        Self::from(&array[..])
    }
}

impl<T: Clone, const N: usize, A: Allocator + Default> From<&mut [T]> for StackVec<T, N, A> {
    /// Clones the elements in: inline when they fit, else one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(&mut [1, 2][..]);
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[track_caller]
    fn from(s: &mut [T]) -> Self {
        Self::from(&*s)
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone, const N: usize, A: Allocator + Default> From<&Vec<T>> for StackVec<T, N, A> {
    /// Clones the elements in: inline when they fit, else one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(&vec![1, 2]);
    /// assert_eq!((v.as_slice(), v.spilled()), (&[1, 2][..], false));
    /// ```
    #[track_caller]
    fn from(vec: &Vec<T>) -> Self {
        Self::from(vec.as_slice())
    }
}

#[cfg(feature = "alloc")]
impl<'a, T: Clone, const N: usize, A: Allocator> From<&'a StackVec<T, N, A>> for Cow<'a, [T]> {
    /// A borrowed `Cow` of the elements, as `Cow::from(&Vec<T>)`.
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2]);
    /// let c = Cow::from(&v);
    /// assert!(matches!(c, Cow::Borrowed(s) if s.as_ptr() == v.as_ptr() && s == [1, 2]));
    /// ```
    fn from(vec: &'a StackVec<T, N, A>) -> Self {
        Cow::Borrowed(vec.as_slice())
    }
}

impl<const N: usize, A: Allocator + Default> From<&str> for StackVec<u8, N, A> {
    /// The string's bytes: inline when they fit, else one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from("hi");
    /// assert_eq!(v, *b"hi");
    /// ```
    #[track_caller]
    fn from(s: &str) -> Self {
        Self::from(s.as_bytes())
    }
}

impl<T, const N: usize, A: Allocator, const M: usize> TryFrom<StackVec<T, N, A>> for [T; M] {
    type Error = StackVec<T, N, A>;

    /// The elements as an array when there are exactly `M` of them; otherwise the vector
    /// comes back unchanged (as for `Vec`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let a: [u8; 3] = v.try_into().unwrap();
    /// assert_eq!(a, [1, 2, 3]);
    /// let w: StackVec<u8> = StackVec::from([1, 2]);
    /// let back = <[u8; 3]>::try_from(w).unwrap_err();
    /// assert_eq!(back, [1, 2]);
    /// ```
    fn try_from(vec: StackVec<T, N, A>) -> Result<Self, Self::Error> {
        if vec.len() != M {
            return Err(vec);
        }
        let mut raw = vec.into_raw(super::Exit::Converted);
        // SAFETY: exactly `M` initialized elements; the length drops to zero first, so they
        // move out once and the storage (freeing only its buffer) is dropped after.
        let array = unsafe {
            raw.set_len(0);
            raw.as_ptr().cast::<[T; M]>().read()
        };
        // Freed while `array` is a local, which an unwinding `deallocate` drops (see `move_in`).
        drop(raw);
        Ok(array)
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<StackVec<T, N, Global>> for Vec<T> {
    /// [`into_heap_exact`](StackVec::into_heap_exact): adopts the heap buffer, or makes one
    /// exact allocation for inline elements.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: Vec<u8> = StackVec::<u8>::from([1, 2]).into();
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, Global>) -> Self {
        vec.into_heap_exact()
    }
}

#[cfg(feature = "alloc")]
impl<'a, T, const N: usize, B: ?Sized> From<StackVec<T, N, &'a B>> for Vec<T>
where
    &'a B: Allocator,
{
    /// Moves the elements out of a borrowed allocator (a bump arena, an arena frame) into one
    /// exact allocation on the global heap, so they outlive it; the old buffer goes back to its
    /// allocator.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let v: StackVec<u64, 32, _> = StackVec::from_iter_in(0..10, &bump);
    /// let heap: Vec<u64> = v.into();
    /// drop(bump);
    /// assert_eq!((heap.len(), heap.capacity()), (10, 10));
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, &'a B>) -> Self {
        vec.into_global_vec()
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<StackVec<T, N, crate::NoHeap>> for Vec<T> {
    /// Moves the inline elements into one exact allocation on the global heap.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{stack_vec, InlineVec};
    ///
    /// let v: InlineVec<u8> = stack_vec![1, 2];
    /// let heap: Vec<u8> = v.into();
    /// assert_eq!((heap.len(), heap.capacity()), (2, 2));
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, crate::NoHeap>) -> Self {
        vec.into_global_vec()
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<StackVec<T, N, Global>> for Box<[T]> {
    /// [`into_boxed_slice`](StackVec::into_boxed_slice).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let b: Box<[u8]> = StackVec::<u8>::from([1, 2]).into();
    /// assert_eq!(&*b, &[1, 2]);
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, Global>) -> Self {
        vec.into_boxed_slice()
    }
}

#[cfg(feature = "alloc")]
impl<'a, T: Clone, const N: usize> From<StackVec<T, N, Global>> for Cow<'a, [T]> {
    /// An owned `Cow` of the vector as a `Vec` (see `From<StackVec<T, N>> for Vec<T>`).
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackVec;
    ///
    /// let c: Cow<[u8]> = StackVec::<u8>::from([1, 2]).into();
    /// assert!(matches!(c, Cow::Owned(_)));
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, Global>) -> Self {
        Cow::Owned(vec.into())
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<StackVec<T, N, Global>> for VecDeque<T> {
    /// Through `Vec` (see `From<StackVec<T, N>> for Vec<T>`): a spilled vector's buffer is
    /// handed over without copying.
    ///
    /// # Examples
    /// ```
    /// use std::collections::VecDeque;
    /// use stackfirst::StackVec;
    ///
    /// let d: VecDeque<u8> = StackVec::<u8>::from([1, 2]).into();
    /// assert_eq!(d, [1, 2]);
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, Global>) -> Self {
        Vec::from(vec).into()
    }
}

#[cfg(feature = "alloc")]
impl<T: Ord, const N: usize> From<StackVec<T, N, Global>> for BinaryHeap<T> {
    /// Through `Vec` (see `From<StackVec<T, N>> for Vec<T>`), then heapified in place, as
    /// `BinaryHeap::from(Vec<T>)`.
    ///
    /// # Examples
    /// ```
    /// use std::collections::BinaryHeap;
    /// use stackfirst::StackVec;
    ///
    /// let h: BinaryHeap<u8> = StackVec::<u8>::from([1, 3, 2]).into();
    /// assert_eq!(h.into_sorted_vec(), [1, 2, 3]);
    /// ```
    #[track_caller]
    fn from(vec: StackVec<T, N, Global>) -> Self {
        Vec::from(vec).into()
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize, const M: usize> TryFrom<StackVec<T, N, Global>> for Box<[T; M]> {
    type Error = StackVec<T, N, Global>;

    /// The elements as a boxed array when there are exactly `M` of them (through
    /// [`into_boxed_slice`](StackVec::into_boxed_slice)); otherwise the vector comes back
    /// unchanged, as for `Vec`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let b: Box<[u8; 3]> = StackVec::<u8>::from([1, 2, 3]).try_into().unwrap();
    /// assert_eq!(*b, [1, 2, 3]);
    /// let back = Box::<[u8; 3]>::try_from(StackVec::<u8>::from([1, 2])).unwrap_err();
    /// assert_eq!((back.as_slice(), back.spilled()), (&[1, 2][..], false));
    /// ```
    #[track_caller]
    fn try_from(vec: StackVec<T, N, Global>) -> Result<Self, Self::Error> {
        if vec.len() != M {
            return Err(vec);
        }
        let slice = Box::<[T]>::from(vec);
        Ok(slice
            .try_into()
            .unwrap_or_else(|_| unreachable!("the length is `M`")))
    }
}

/// `From<StackVec>` for a shared slice: one allocation of the final size, the elements moved
/// into it (no intermediate `Vec`).
macro_rules! into_shared_slice {
    ($(#[$cfg:meta])* $rc:ident in $module:ident) => {
        $(#[$cfg])*
        impl<T, const N: usize, A: Allocator> From<StackVec<T, N, A>> for $rc<[T]> {
            /// Moves the elements into one allocation of exactly their size.
            ///
            /// # Examples
            /// ```
            /// use stackfirst::StackVec;
            #[doc = concat!("use std::", stringify!($module), "::", stringify!($rc), ";")]
            ///
            #[doc = concat!("let s: ", stringify!($rc), "<[u8]> = StackVec::<u8>::from([1, 2]).into();")]
            /// assert_eq!(&*s, &[1, 2]);
            /// ```
            #[track_caller]
            fn from(vec: StackVec<T, N, A>) -> Self {
                let len = vec.len();
                let mut shared = $rc::<[T]>::new_uninit_slice(len);
                let dst = $rc::get_mut(&mut shared).expect("a new allocation is unique");
                let mut raw = vec.into_raw(super::Exit::Converted);
                // SAFETY: `dst` holds `len` slots; the elements move there and leave the storage
                // by its length, so the storage (freeing only its buffer) drops none of them.
                let shared = unsafe {
                    core::ptr::copy_nonoverlapping(raw.as_ptr(), dst.as_mut_ptr().cast::<T>(), len);
                    raw.set_len(0);
                    shared.assume_init()
                };
                // Freed while `shared` is a local (see `move_in`).
                drop(raw);
                shared
            }
        }
    };
}

into_shared_slice!(#[cfg(feature = "alloc")] Rc in rc);
into_shared_slice!(#[cfg(all(feature = "alloc", target_has_atomic = "ptr"))] Arc in sync);

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<Box<[T]>> for StackVec<T, N, Global> {
    /// Adopts the box's buffer without copying (as `From<Vec<T>>`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(vec![1, 2].into_boxed_slice());
    /// assert!(v.spilled());
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(b: Box<[T]>) -> Self {
        Self::from(b.into_vec())
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone, const N: usize> From<Cow<'_, [T]>> for StackVec<T, N, Global> {
    /// Adopts an owned `Vec` without copying, or clones borrowed elements in.
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(Cow::Borrowed(&[1, 2][..]));
    /// assert!(!v.spilled());
    /// let w: StackVec<u8> = StackVec::from(Cow::<[u8]>::Owned(vec![1, 2]));
    /// assert_eq!(v, w);
    /// ```
    #[track_caller]
    fn from(cow: Cow<'_, [T]>) -> Self {
        match cow {
            Cow::Borrowed(s) => Self::from(s),
            Cow::Owned(v) => Self::from(v),
        }
    }
}

#[cfg(feature = "alloc")]
impl<const N: usize> From<String> for StackVec<u8, N, Global> {
    /// Adopts the string's buffer without copying.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from(String::from("hi"));
    /// assert_eq!(v, *b"hi");
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(s: String) -> Self {
        Self::from(s.into_bytes())
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<Vec<T>> for StackVec<T, N, Global> {
    /// Adopts the `Vec`'s heap buffer without copying (the vector counts as spilled even if its
    /// capacity would fit inline); an unallocated `Vec` becomes an inline `StackVec`.
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(vec: Vec<T>) -> Self {
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
        // allocator (not `NoHeap`'s signature: it is aligned to 1) with layout
        // `Layout::array::<T>(cap)` holding `len` elements, which the forgotten `Vec` gives up.
        Self::from_raw(unsafe { RawStackVec::from_heap_parts(ptr, len, cap, Global) })
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<VecDeque<T>> for StackVec<T, N, Global> {
    /// Through `Vec` (`Vec::from` of a `VecDeque` reuses its buffer): adopted without
    /// another allocation.
    ///
    /// # Examples
    /// ```
    /// use std::collections::VecDeque;
    /// use stackfirst::StackVec;
    ///
    /// let mut d = VecDeque::from([2, 3]);
    /// d.push_front(1);
    /// assert_eq!(StackVec::<u8>::from(d), [1, 2, 3]);
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(deque: VecDeque<T>) -> Self {
        Self::from(Vec::from(deque))
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> From<BinaryHeap<T>> for StackVec<T, N, Global> {
    /// Through `Vec` (`BinaryHeap::into_vec` hands its buffer over): adopted without another
    /// allocation, the elements in the heap's internal order.
    ///
    /// # Examples
    /// ```
    /// use std::collections::BinaryHeap;
    /// use stackfirst::StackVec;
    ///
    /// let mut v = StackVec::<u8>::from(BinaryHeap::from([1, 3, 2]));
    /// v.sort();
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(heap: BinaryHeap<T>) -> Self {
        Self::from(heap.into_vec())
    }
}
