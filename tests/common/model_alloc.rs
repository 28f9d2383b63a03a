//! What the differential models do differently per allocator: the conversions whose types
//! name it. `Global`'s go through std's `Vec`, `Box` and `String` (spilled buffers adopted as
//! they are); a borrowed allocator's through allocator-api2's types, and back by copying.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use allocator_api2::alloc::{Allocator, Global};
use stackfirst::{IntoHeap, StackString, StackVec};

use super::Elem;

/// `into_heap_exact`'s promise: a spilled buffer is handed over as it is, inline elements take
/// one allocation of exactly their number (zero-sized ones none: the capacity is unbounded).
fn assert_exact<T>(heap_capacity: usize, (len, cap, spilled): (usize, usize, bool)) {
    if spilled {
        assert_eq!(heap_capacity, cap, "the spilled buffer was not handed over");
    } else if size_of::<T>() != 0 {
        assert_eq!(heap_capacity, len, "the escape is not exact");
    }
}

fn shape<T, const N: usize, A: Allocator>(s: &StackVec<T, N, A>) -> (usize, usize, bool) {
    (s.len(), s.capacity(), s.spilled())
}

pub trait ModelAlloc: Allocator + Clone + IntoHeap {
    /// `into_heap_exact` of a string, and back.
    fn escape_string<const N: usize>(s: StackString<N, Self>) -> StackString<N, Self>;
    /// `into_heap_exact` of a vector, and back.
    fn escape_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self>;
    /// `into_boxed_slice`, and back.
    fn boxed_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self>;
    /// Into a std type chosen by `how`, and back.
    fn convert_vec<T: Elem, const N: usize>(
        s: StackVec<T, N, Self>,
        how: u8,
    ) -> StackVec<T, N, Self>;
}

impl ModelAlloc for Global {
    fn escape_string<const N: usize>(s: StackString<N, Self>) -> StackString<N, Self> {
        let shape = (s.len(), s.capacity(), s.spilled());
        let heap: String = s.into_heap_exact();
        assert_exact::<u8>(heap.capacity(), shape);
        StackString::from(heap)
    }

    fn escape_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self> {
        let shape = shape(&s);
        let heap: Vec<T> = s.into_heap_exact();
        assert_exact::<T>(heap.capacity(), shape);
        StackVec::from(heap)
    }

    fn boxed_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self> {
        StackVec::from(s.into_boxed_slice().into_vec())
    }

    fn convert_vec<T: Elem, const N: usize>(
        s: StackVec<T, N, Self>,
        how: u8,
    ) -> StackVec<T, N, Self> {
        match how % 7 {
            0 => StackVec::from(Vec::from(s)),
            1 => StackVec::from(Box::<[T]>::from(s)),
            2 => StackVec::from(&Rc::<[T]>::from(s)[..]),
            3 => StackVec::from(&mut Arc::<[T]>::from(s).to_vec()[..]),
            4 => StackVec::from(Cow::<[T]>::Owned(s.into_vec())),
            5 => StackVec::from(Cow::Borrowed(&s[..])),
            _ => StackVec::from(VecDeque::from(s)),
        }
    }
}

impl<'a, B: ?Sized> ModelAlloc for &'a B
where
    &'a B: Allocator,
{
    fn escape_string<const N: usize>(s: StackString<N, Self>) -> StackString<N, Self> {
        let bytes = Self::escape_vec(s.into_bytes());
        StackString::from_utf8(bytes).expect("UTF-8 went in")
    }

    fn escape_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self> {
        let (shape, alloc) = (shape(&s), *s.allocator());
        let heap = s.into_heap_exact();
        assert_exact::<T>(heap.capacity(), shape);
        // Copied back: allocator-api2's `IntoIter` drops aligned zero-sized elements twice.
        let mut back = StackVec::new_in(alloc);
        back.extend_from_slice(&heap);
        back
    }

    fn boxed_vec<T: Elem, const N: usize>(s: StackVec<T, N, Self>) -> StackVec<T, N, Self> {
        let alloc = *s.allocator();
        let boxed = s.into_boxed_slice();
        let mut back = StackVec::new_in(alloc);
        back.extend_from_slice(&boxed);
        back
    }

    fn convert_vec<T: Elem, const N: usize>(
        s: StackVec<T, N, Self>,
        how: u8,
    ) -> StackVec<T, N, Self> {
        let alloc = *s.allocator();
        match how % 3 {
            0 => StackVec::from_iter_in(Vec::from(s), alloc),
            1 => StackVec::from_iter_in(Rc::<[T]>::from(s).iter().cloned(), alloc),
            _ => StackVec::from_iter_in(Arc::<[T]>::from(s).iter().cloned(), alloc),
        }
    }
}
