//! StackVec's documented behaviour: sizes, allocation counts (Go's table), growth, bad input,
//! panic safety with user code that panics, and regressions for the anchors' known bug classes.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{count_heap, live, panic_on_clone, panic_on_drop, LyingIter, Pair, Tracked};
use stackfirst::{
    bytes_for, stack_vec, Arena, InlineString, InlineVec, NoHeap, StackString, StackVec,
    TryReserveErrorKind,
};

#[global_allocator]
static ALLOC: common::CountingAlloc = common::CountingAlloc;

#[test]
fn sizes_are_two_words_over_the_buffer() {
    // The spill report adds its call-site pointer and the high-water mark; without it the
    // layout is exactly this.
    let site = if cfg!(feature = "spill-report") {
        2 * size_of::<usize>()
    } else {
        0
    };
    #[cfg(target_pointer_width = "64")]
    {
        assert_eq!(size_of::<StackVec<u64>>(), 48 + site);
        assert_eq!(size_of::<StackVec<u8>>(), 48 + site);
        assert_eq!(size_of::<StackVec<u64, 0>>(), 24 + site); // Vec's size
        assert_eq!(size_of::<StackVec<u8, 64>>(), 80 + site);
        // As documented on `InlineVec`: a buffer of at least one word, and two words beside it.
        assert_eq!(size_of::<stackfirst::InlineVec<u8, 4>>(), 24 + site);
    }
    #[cfg(target_pointer_width = "32")]
    {
        assert_eq!(size_of::<StackVec<u32>>(), 40 + site);
    }
    // A zero-sized allocator costs nothing; a borrowed one costs its pointer. (For word-aligned
    // elements: where a `u64` is aligned to 8 and a word to 4, as on armv7, the pointer may take
    // the place of padding.)
    assert_eq!(
        size_of::<StackVec<u8, 32, &bumpalo::Bump>>(),
        size_of::<StackVec<u8>>() + size_of::<usize>()
    );
}

#[test]
#[cfg_attr(
    feature = "spill-report",
    ignore = "the report's two words are padded separately"
)]
fn sizes_of_over_aligned_elements_and_options() {
    #[repr(align(32))]
    struct Align32(#[allow(dead_code)] [u8; 32]);
    #[repr(align(64))]
    struct Align64(#[allow(dead_code)] u8);
    /// As documented on `StackVec`: the inline bytes (at least a word), padded to `T`'s
    /// alignment, then the length and capacity words, the whole padded again.
    fn documented<T>(n: usize) -> usize {
        let word = size_of::<usize>();
        let align = align_of::<T>().max(word);
        let pad = |bytes: usize| bytes.div_ceil(align) * align;
        pad(pad(n.max(word)) + 2 * word)
    }
    assert_eq!(size_of::<StackVec<u64>>(), documented::<u64>(32));
    // With no budget, a vector of word-aligned elements is `Vec`'s size; a `u64` is aligned to
    // more than a word on armv7 and Cortex-M, where its vector is padded (16 bytes, `Vec` 12).
    assert_eq!(size_of::<StackVec<usize, 0>>(), size_of::<Vec<usize>>());
    assert_eq!(size_of::<StackVec<u64, 0>>(), documented::<u64>(0));
    // A budget that is not whole words is rounded up to them.
    assert_eq!(size_of::<StackVec<u8, 33>>(), documented::<u8>(33));
    const WHOLE_WORDS: usize = 33usize.next_multiple_of(size_of::<usize>()); // 40 or 36
    assert_eq!(
        size_of::<StackVec<u8, 33>>(),
        size_of::<StackVec<u8, WHOLE_WORDS>>()
    );
    assert_eq!(size_of::<StackVec<u128, 0>>(), documented::<u128>(0));
    assert_eq!(
        size_of::<StackVec<Align32, 32>>(),
        documented::<Align32>(32)
    );
    assert_eq!(size_of::<StackVec<Align64, 0>>(), documented::<Align64>(0));
    #[cfg(target_pointer_width = "64")]
    {
        assert_eq!(size_of::<StackVec<Align32, 32>>(), 64);
        assert_eq!(size_of::<StackVec<Align64, 0>>(), 128);
    }
    // No niche: an `Option` adds the vector's alignment.
    let word = size_of::<usize>();
    assert_eq!(
        size_of::<Option<StackVec<u64>>>(),
        size_of::<StackVec<u64>>() + align_of::<u64>().max(word)
    );
    assert_eq!(
        size_of::<Option<StackVec<u128>>>(),
        size_of::<StackVec<u128>>() + align_of::<u128>().max(word)
    );
    assert_eq!(
        size_of::<Option<StackVec<Align64, 0>>>(),
        size_of::<StackVec<Align64, 0>>() + 64
    );
    // A borrowed allocator's reference is a niche.
    assert_eq!(
        size_of::<Option<StackVec<u64, 32, &bumpalo::Bump>>>(),
        size_of::<StackVec<u64, 32, &bumpalo::Bump>>()
    );
}

#[test]
fn inline_capacity() {
    assert_eq!(StackVec::<u64>::INLINE_CAPACITY, 4);
    assert_eq!(StackVec::<u32>::INLINE_CAPACITY, 8);
    assert_eq!(StackVec::<Pair>::INLINE_CAPACITY, 2);
    assert_eq!(StackVec::<[u8; 33]>::INLINE_CAPACITY, 0);
    assert_eq!(StackVec::<(), 0>::INLINE_CAPACITY, usize::MAX);
}

/// The four rows of Go's table, counted by the global allocator.
#[test]
fn go_table_allocations() {
    // make([]T, 0, constant) and make([]T, 0, variable): no allocation when it fits.
    let n = std::hint::black_box(3);
    let (sum, heap) = count_heap(|| {
        let mut v: StackVec<u64> = StackVec::with_capacity(n);
        v.extend(0..n as u64);
        v.iter().sum::<u64>()
    });
    assert_eq!((sum, heap.allocs), (3, 0));

    // Append loop, local: no allocation.
    let (_, heap) = count_heap(|| {
        let mut v: StackVec<u64> = StackVec::new();
        for i in 0..n as u64 {
            v.push(i);
        }
        std::hint::black_box(&v);
    });
    assert_eq!(heap.allocs, 0);

    // Append loop, escaping via into_heap_exact: one allocation, exactly len elements.
    let (heap_vec, heap) = count_heap(|| {
        let mut v: StackVec<u64> = StackVec::new();
        v.extend(0..n as u64);
        v.into_heap_exact()
    });
    assert_eq!((heap.allocs, heap.reallocs, heap.bytes), (1, 0, 3 * 8));
    assert_eq!((heap_vec.len(), heap_vec.capacity()), (3, 3));

    // Escaping by value: zero allocations.
    let (v, heap) = count_heap(|| {
        let v: StackVec<u64> = (0..n as u64).collect();
        v
    });
    assert_eq!((heap.allocs, v.len()), (0, 3));
}

#[test]
fn into_heap_exact_from_spilled_is_identity() {
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(0..5);
    let (ptr, cap) = (v.as_ptr(), v.capacity());
    let (heap_vec, heap) = count_heap(|| v.into_heap_exact());
    assert_eq!((heap.allocs, heap.reallocs), (0, 0));
    assert_eq!((heap_vec.as_ptr(), heap_vec.capacity()), (ptr, cap));
    assert_eq!(cap, 8); // capacity may exceed len, as in Go
}

#[test]
fn cow_and_vec_deque_take_a_spilled_buffer_without_copying() {
    use std::borrow::Cow;
    use std::collections::VecDeque;
    let v: StackVec<u64> = (0..10).collect();
    let at = v.as_ptr();
    let cow = Cow::<[u64]>::from(v.clone());
    assert!(matches!(cow, Cow::Owned(_)));
    assert_eq!(&*cow, &v[..]);
    let mut deque = VecDeque::from(v);
    assert_eq!(deque.as_slices().0.as_ptr(), at);
    assert!(deque.iter().copied().eq(0..10));
    // And back, not starting at the buffer's start: `Vec::from` moves the elements to it.
    deque.rotate_left(3);
    let (back, heap) = count_heap(|| StackVec::<u64>::from(deque));
    assert_eq!((back.as_ptr(), heap.allocs), (at, 0));
    assert_eq!(back, [3, 4, 5, 6, 7, 8, 9, 0, 1, 2]);
    // Compared like `Vec` from the other side too.
    assert!(Cow::Borrowed(&[3u64, 4, 5, 6, 7, 8, 9, 0, 1, 2][..]) == back);
    let mut items = back.to_vec();
    let items: &mut [u64] = &mut items;
    assert!(items == back);
}

/// The rest of `Vec`'s std conversions and comparisons: `AsRef`/`AsMut` of itself, from a
/// `&mut` array, to and from a `BinaryHeap` (its buffer adopted), to a boxed array (the vector
/// given back unchanged on a length mismatch), and `VecDeque == StackVec` across the deque's
/// wrap.
#[test]
fn binary_heap_boxed_array_and_self_conversions_like_vec() {
    use std::collections::{BinaryHeap, VecDeque};
    fn sum(v: impl AsRef<StackVec<u64>>) -> u64 {
        v.as_ref().iter().sum()
    }
    fn push(mut v: impl AsMut<StackVec<u64>>) -> StackVec<u64> {
        v.as_mut().push(9);
        std::mem::take(v.as_mut())
    }
    assert_eq!(sum(StackVec::from([1, 2, 3])), 6);
    assert_eq!(push(StackVec::from([1])), [1, 9]);

    let mut array = [1u64, 2];
    let (v, heap) = count_heap(|| StackVec::<u64>::from(&mut array));
    assert_eq!(
        (v.as_slice(), v.spilled(), heap.allocs),
        (&[1, 2][..], false, 0)
    );

    // Into a heap through `Vec`, and back adopting the heap's buffer.
    let v: StackVec<u64> = (0..10).rev().collect();
    let at = v.as_ptr();
    let heap = BinaryHeap::from(v);
    assert_eq!(heap.peek(), Some(&9));
    let (mut back, counts) = count_heap(|| StackVec::<u64>::from(heap));
    assert_eq!(
        (back.as_ptr(), counts.allocs, back.spilled()),
        (at, 0, true)
    );
    back.sort_unstable();
    assert!(back.iter().copied().eq(0..10));
    let inline: BinaryHeap<u64> = StackVec::<u64>::from([2, 7, 1]).into();
    assert_eq!(inline.into_sorted_vec(), [1, 2, 7]);
    let (empty, counts) = count_heap(|| StackVec::<u64>::from(BinaryHeap::new()));
    assert_eq!((empty.len(), empty.spilled(), counts.allocs), (0, false, 0));

    // A boxed array, as `Box<[T; M]>: TryFrom<Vec<T>>`: inline or spilled, else the vector back.
    let b: Box<[u64; 3]> = StackVec::<u64>::from([1, 2, 3]).try_into().unwrap();
    assert_eq!(*b, [1, 2, 3]);
    let spilled: StackVec<u64> = (0..10).collect();
    let b: Box<[u64; 10]> = spilled.try_into().unwrap();
    assert!(b.iter().copied().eq(0..10));
    let std_err = Box::<[u64; 3]>::try_from(vec![1u64, 2]).unwrap_err();
    let (err, counts) = count_heap(|| Box::<[u64; 3]>::try_from(StackVec::<u64>::from([1, 2])));
    let err = err.unwrap_err();
    assert_eq!(
        (err.as_slice(), err.spilled(), counts.allocs),
        (&std_err[..], false, 0)
    );
    let mut spilled: StackVec<u64> = (0..10).collect();
    spilled.reserve(50);
    let (at, cap) = (spilled.as_ptr(), spilled.capacity());
    let err = Box::<[u64; 3]>::try_from(spilled).unwrap_err();
    assert_eq!((err.as_ptr(), err.capacity(), err.len()), (at, cap, 10));

    // `VecDeque == StackVec`, as `VecDeque == Vec`, also when the deque wraps its buffer.
    let mut deque = VecDeque::with_capacity(4);
    deque.extend([3u64, 4]);
    deque.push_front(2);
    deque.push_front(1);
    assert_eq!(deque.as_slices(), (&[1, 2][..], &[3, 4][..])); // wrapped: two halves
    for other in [
        vec![1u64, 2, 3, 4],
        vec![1, 2, 3],
        vec![9, 2, 3, 4],
        vec![1, 2, 4, 4],
        vec![],
    ] {
        let v = StackVec::<u64>::from(&other[..]);
        assert_eq!(deque == v, deque == other, "{deque:?} == {other:?}");
    }
    assert!(VecDeque::<u64>::new() == StackVec::<u64>::new());
}

/// The conversions `Vec` has from a borrowed `Vec` and to a borrowed `Cow`, and an empty
/// owning iterator by `Default`.
#[test]
fn borrowed_conversions_and_an_empty_owning_iterator_as_vec_gives_them() {
    use std::borrow::Cow;
    let short = vec![1u64, 2];
    let (v, heap) = count_heap(|| StackVec::<u64>::from(&short));
    assert_eq!(
        (v.as_slice(), v.spilled(), heap.allocs),
        (&short[..], false, 0)
    );
    let long: Vec<u64> = (0..10).collect();
    let (v, heap) = count_heap(|| StackVec::<u64>::from(&long));
    assert_eq!(
        (v.as_slice(), v.capacity(), heap.allocs),
        (&long[..], 10, 1)
    );
    for v in [StackVec::<u64>::from(&short), v] {
        let cow = Cow::from(&v);
        assert!(matches!(cow, Cow::Borrowed(s) if s.as_ptr() == v.as_ptr() && s == v));
    }
    let mut it = stackfirst::IntoIter::<String, 32>::default();
    assert_eq!((it.len(), it.as_slice().len(), it.next()), (0, 0, None));
    let mut it = stackfirst::IntoIter::<u8, 4, NoHeap>::default();
    assert_eq!((it.next_back(), it.size_hint()), (None, (0, Some(0))));
}

#[test]
fn into_heap_exact_edge_cases() {
    let (v, heap) = count_heap(|| StackVec::<u64>::new().into_heap_exact());
    assert_eq!((v.len(), heap.allocs), (0, 0));
    let (v, heap) = count_heap(|| {
        let mut z: StackVec<()> = StackVec::new();
        z.extend(std::iter::repeat_n((), 1000));
        z.into_heap_exact()
    });
    assert_eq!((v.len(), heap.allocs), (1000, 0));
}

/// `into_heap_exact`, and `Vec::from` of a borrowed-allocator or `NoHeap` vector: one
/// allocation of exactly `len` for inline elements (also after spilling and shrinking back),
/// none for an emptied one; a borrowed allocator's elements take one exact `Vec` block.
#[test]
fn into_heap_exact_allocates_once_exactly_or_not_at_all() {
    let exact = |v: StackVec<u64>| count_heap(|| v.into_heap_exact());
    let (h, heap) = exact(StackVec::from([1, 2, 3]));
    assert_eq!((h.capacity(), heap.allocs), (3, 1));
    let mut v: StackVec<u64> = StackVec::from_iter(0..9);
    v.truncate(2);
    v.shrink_to_fit();
    let (h, heap) = exact(v);
    assert_eq!((h.capacity(), heap.allocs), (2, 1));
    let mut v: StackVec<u64> = StackVec::from_iter(0..9);
    v.clear();
    let (h, heap) = exact(v);
    assert_eq!((h.len(), heap.allocs + heap.reallocs), (0, 0));

    let bump = bumpalo::Bump::new();
    for n in [0u64, 3, 9] {
        let v: StackVec<u64, 32, _> = StackVec::from_iter_in(0..n, &bump);
        let (h, heap) = count_heap(|| Vec::from(v));
        assert_eq!(
            (h.len(), h.capacity(), heap.allocs),
            (n as usize, n as usize, usize::from(n > 0)),
            "n {n}"
        );
    }
    let v: InlineVec<u64> = InlineVec::from_iter(0..3);
    let (h, heap) = count_heap(|| Vec::from(v));
    assert_eq!((h.capacity(), heap.allocs), (3, 1));
}

#[test]
fn growth_sequence_is_documented_one() {
    let mut v: StackVec<u64> = StackVec::new();
    let mut caps = vec![v.capacity()];
    for i in 0..33 {
        v.push(i);
        if *caps.last().unwrap() != v.capacity() {
            caps.push(v.capacity());
        }
    }
    assert_eq!(caps, [4, 8, 16, 32, 64]);
    // Zero inline capacity behaves like Vec: 4 first for 8-byte elements, 8 for bytes.
    let mut w: StackVec<u64, 0> = StackVec::new();
    w.push(1);
    assert_eq!(w.capacity(), 4);
    let mut b: StackVec<u8, 0> = StackVec::new();
    b.push(1);
    assert_eq!(b.capacity(), 8);
}

#[test]
fn with_capacity_is_inline_or_one_exact_allocation() {
    let (v, heap) = count_heap(|| StackVec::<u64>::with_capacity(4));
    assert_eq!((v.spilled(), heap.allocs), (false, 0));
    let (v, heap) = count_heap(|| StackVec::<u64>::with_capacity(5));
    assert_eq!(
        (v.spilled(), v.capacity(), heap.allocs, heap.bytes),
        (true, 5, 1, 40)
    );
}

#[test]
fn global_heap_moves_small_blocks_and_reallocates_large_ones() {
    let mut v: StackVec<u64> = StackVec::new();
    let (_, heap) = count_heap(|| (0..9).for_each(|i| v.push(i)));
    // inline 4 -> heap 8 (allocation) -> 16 (a new block: the 64-byte one goes back to malloc's
    // cache instead of being grown in place).
    assert_eq!((heap.allocs, heap.reallocs), (2, 0));
    let (_, heap) = count_heap(|| (9..300).for_each(|i| v.push(i)));
    // 16 -> 32 -> 64 -> 128 -> 256 move (old blocks up to 1 KiB), 256 -> 512 reallocates.
    assert_eq!((heap.allocs, heap.reallocs), (4, 1));
    assert!(v.iter().copied().eq(0..300));
}

#[test]
fn from_vec_adopts_the_buffer() {
    let vec = vec![1u32, 2, 3];
    let ptr = vec.as_ptr();
    let (v, heap) = count_heap(|| StackVec::<u32>::from(vec));
    assert_eq!((heap.allocs, v.as_ptr(), v.spilled()), (0, ptr, true));
    let v: StackVec<u32> = StackVec::from(Vec::new());
    assert!(!v.spilled());
}

#[test]
fn shrink_to_fit_moves_back_inline_and_frees() {
    let mut v: StackVec<String> = ["a", "b", "c", "d"].map(String::from).into();
    assert!(v.spilled()); // 4 * 24 bytes > 32
    v.truncate(1);
    v.shrink_to_fit();
    assert!(!v.spilled());
    assert_eq!(v, ["a"]);
    // Shrinking to zero frees a zero-inline vector's buffer instead of leaking it.
    let mut z: StackVec<u64, 0> = StackVec::from([1, 2]);
    z.clear();
    z.shrink_to_fit();
    assert!(!z.spilled() && z.capacity() == 0);
}

#[test]
fn growing_to_the_same_capacity_is_a_no_op() {
    let mut v: StackVec<u64> = StackVec::with_capacity(10);
    v.extend(0..10);
    let ptr = v.as_ptr();
    let (_, heap) = count_heap(|| {
        v.reserve(0);
        v.reserve_exact(0);
        v.try_reserve(0).unwrap();
    });
    assert_eq!(
        (heap.allocs, heap.reallocs, v.as_ptr(), v.capacity()),
        (0, 0, ptr, 10)
    );
}

#[test]
fn try_reserve_reports_overflow_and_loses_nothing() {
    let mut v: StackVec<u64> = StackVec::from([1, 2, 3, 4, 5]);
    for additional in [usize::MAX, usize::MAX / 8, isize::MAX as usize] {
        let err = v.try_reserve(additional).unwrap_err();
        assert_eq!(err.kind(), TryReserveErrorKind::CapacityOverflow);
        let err = v.try_reserve_exact(additional).unwrap_err();
        assert_eq!(err.kind(), TryReserveErrorKind::CapacityOverflow);
    }
    assert_eq!(v, [1, 2, 3, 4, 5]);
    let mut z: StackVec<()> = StackVec::new();
    z.push(());
    assert!(z.try_reserve(usize::MAX).is_err());
}

#[test]
fn allocator_failure_is_an_error_not_a_loss() {
    // A bump arena that may not allocate at all: every spill fails.
    let bump = bumpalo::Bump::new();
    bump.set_allocation_limit(Some(0));
    let mut v: StackVec<u64, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
    v.extend([1, 2, 3]);
    let err = v.try_reserve(10).unwrap_err();
    // 3 + 10 elements, more than double the inline 4: exactly 13 u64 were asked for.
    let expected = std::alloc::Layout::array::<u64>(13).unwrap();
    assert_eq!(
        err.kind(),
        TryReserveErrorKind::AllocError { layout: expected }
    );
    assert_eq!(v, [1, 2, 3]);
    assert!(!v.spilled());
}

#[test]
#[should_panic(expected = "capacity overflow")]
fn reserve_panics_with_capacity_overflow() {
    let mut v: StackVec<u64> = StackVec::new();
    v.reserve(usize::MAX);
}

#[test]
#[should_panic(expected = "capacity overflow")]
fn zst_push_past_usize_max_panics() {
    let mut v: StackVec<()> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization; the capacity is usize::MAX.
    unsafe { v.set_len(usize::MAX) };
    v.push(());
}

#[test]
#[should_panic(expected = "insertion index (is 3) should be <= len (is 2)")]
fn insert_out_of_bounds() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    v.insert(3, 0);
}

#[test]
#[should_panic(expected = "removal index (is 2) should be < len (is 2)")]
fn remove_out_of_bounds() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    v.remove(2);
}

#[test]
#[should_panic(expected = "swap_remove index (is 5) should be < len (is 2)")]
fn swap_remove_out_of_bounds() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    v.swap_remove(5);
}

#[test]
#[should_panic(expected = "`at` split index (is 3) should be <= len (is 2)")]
fn split_off_out_of_bounds() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    let _ = v.split_off(3);
}

#[test]
#[should_panic(expected = "range end index 4 out of range for slice of length 2")]
fn drain_out_of_bounds() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    v.drain(1..4);
}

#[test]
#[should_panic(expected = "slice index starts at 2 but ends at 1")]
fn drain_reversed() {
    let mut v: StackVec<u8> = StackVec::from([1, 2]);
    #[allow(clippy::reversed_empty_ranges)]
    v.drain(2..1);
}

#[test]
fn zero_sized_types_never_allocate() {
    let (v, heap) = count_heap(|| {
        let mut v: StackVec<(), 0> = StackVec::new();
        for _ in 0..10_000 {
            v.push(());
        }
        v.insert(5, ());
        v.remove(0);
        v.retain(|_| true);
        v.shrink_to_fit();
        v
    });
    assert_eq!(
        (v.len(), v.capacity(), v.spilled(), heap.allocs),
        (10_000, usize::MAX, false, 0)
    );
}

#[test]
fn over_aligned_elements_are_aligned_inline_and_on_the_heap() {
    let mut v: StackVec<common::Aligned, 128> = StackVec::new();
    for i in 0..5 {
        v.push(common::Aligned(i));
        assert_eq!(v.as_ptr() as usize % 64, 0);
    }
    assert!(v.spilled());
}

#[test]
fn bumpalo_as_the_spill_allocator() {
    let bump = bumpalo::Bump::new();
    let (v, heap) = count_heap(|| {
        let mut v: StackVec<u64, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
        v.extend(0..100);
        v
    });
    // bumpalo's first chunk comes from the global heap; the vector's buffer is in the bump.
    assert!(heap.allocs <= 2, "{heap:?}");
    assert!(bump.allocated_bytes() >= 100 * 8);
    let h = v.into_heap_exact();
    assert_eq!(h.iter().sum::<u64>(), 4950);
    let v: StackVec<u64, 32, &bumpalo::Bump> = StackVec::from_iter_in([1, 2], &bump);
    let b = v.into_boxed_slice();
    assert_eq!(&*b, &[1, 2]);
}

#[test]
fn traits_follow_vec() {
    let a: StackVec<i32> = stack_vec![1, 2, 3];
    let b: StackVec<i32, 4> = stack_vec![1, 2, 3];
    assert_eq!(a, b);
    assert_eq!(a, [1, 2, 3]);
    assert_eq!(a, vec![1, 2, 3]);
    assert_eq!(vec![1, 2, 3], a);
    assert_eq!(a, &[1, 2, 3][..]);
    assert_eq!([1, 2, 3], a);
    assert!(a < stack_vec![1, 2, 4] as StackVec<i32>);
    assert_eq!(a.cmp(&a.clone()), std::cmp::Ordering::Equal);
    let hash = |x: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        x(&mut h);
        h.finish()
    };
    assert_eq!(hash(&|h| a.hash(h)), hash(&|h| vec![1, 2, 3].hash(h)));
    assert_eq!(format!("{a:?}"), "[1, 2, 3]");
    let d: StackVec<i32> = Default::default();
    assert!(d.is_empty());
    let r: &[i32] = a.as_ref();
    assert_eq!(r.len(), 3);
    let c: StackVec<u8> = stack_vec![7; 3];
    assert_eq!(c, [7, 7, 7]);
    let mut e: StackVec<u8> = StackVec::new();
    e.extend(&[1u8, 2]);
    assert_eq!(e, [1, 2]);
    for x in &mut e {
        *x += 1;
    }
    assert_eq!((&e).into_iter().copied().collect::<Vec<_>>(), [2, 3]);
    let from_slice: StackVec<String> = StackVec::from(&["x".to_string()][..]);
    assert_eq!(from_slice, ["x".to_string()]);
}

#[test]
fn send_and_sync_follow_vec() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<StackVec<u8>>();
    send_sync::<stackfirst::IntoIter<u8, 32, allocator_api2::alloc::Global>>();
    send_sync::<InlineVec<String, 64>>();
    send_sync::<stackfirst::Drain<'static, String, 32, allocator_api2::alloc::Global>>();
    send_sync::<
        stackfirst::Splice<'static, std::vec::IntoIter<String>, 32, allocator_api2::alloc::Global>,
    >();
    send_sync::<stackfirst::stack_string::Drain<'static, 32, allocator_api2::alloc::Global>>();
    send_sync::<StackString>();
    send_sync::<InlineString>();
    // `Rc` is neither: checked by compile_fail doctests on `StackVec` and `Drain`.
}

#[test]
#[cfg(feature = "std")]
fn io_write_appends() {
    use std::io::Write;
    let mut v: StackVec<u8> = StackVec::new();
    v.write_all(b"hello ").unwrap();
    write!(v, "{}", 42).unwrap();
    assert_eq!(v.as_slice(), b"hello 42");
    assert!(!v.spilled());
    // Past the budget it grows, as `Vec<u8>` does.
    let long = [7u8; 40];
    assert_eq!(v.write(&long).unwrap(), 40);
    assert!(v.spilled());
    assert_eq!(v.len(), 48);
}

/// A vector that cannot grow reports a full buffer through `io::Result` (found by adversarial
/// review: it panicked with "capacity exceeded"): `write` takes what fits, `write_all` and
/// `write!` fail with `WriteZero` and keep what was written before.
#[test]
#[cfg(feature = "std")]
fn io_write_into_a_full_inline_vec_is_an_error() {
    use std::io::{ErrorKind, Write};
    let mut v: InlineVec<u8, 4> = InlineVec::new();
    assert_eq!(v.write(b"ab").unwrap(), 2);
    assert_eq!(v.write(b"cdef").unwrap(), 2);
    assert_eq!(v.as_slice(), b"abcd");
    assert_eq!(v.write(b"g").unwrap(), 0);
    assert_eq!(v.write(b"").unwrap(), 0);
    v.write_all(b"").unwrap();
    let err = v.write_all(b"g").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteZero);
    v.clear();
    let n = 12345;
    let err = write!(v, "{n}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteZero);
    assert_eq!(v.as_slice(), b"1234");
    // The same through a borrowed `&NoHeap`.
    let no_heap = NoHeap;
    let mut b: StackVec<u8, 2, &NoHeap> = StackVec::new_in(&no_heap);
    assert_eq!(b.write(b"xyz").unwrap(), 2);
    assert_eq!(b.as_slice(), b"xy");
}

#[test]
#[cfg(feature = "serde")]
fn serde_round_trip_and_untrusted_hint() {
    let v: StackVec<u32> = (0..10).collect();
    let s = serde_json::to_string(&v).unwrap();
    assert_eq!(s, "[0,1,2,3,4,5,6,7,8,9]");
    let back: StackVec<u32> = serde_json::from_str(&s).unwrap();
    assert_eq!(back, v);
    assert!(serde_json::from_str::<StackVec<u32>>("{}").is_err());

    // A length hint is only a hint: at most 1 MiB of elements is reserved for it, and a fixed
    // capacity that cannot take it still takes the elements that arrive.
    use serde::de::value::{Error, SeqDeserializer};
    use serde::Deserialize;
    let lying = || {
        SeqDeserializer::<_, Error>::new(LyingIter {
            inner: 0..3u32,
            hint: (usize::MAX, Some(usize::MAX)),
        })
    };
    let big = StackVec::<u32>::deserialize(lying()).unwrap();
    assert_eq!((big.as_slice(), big.capacity()), (&[0, 1, 2][..], 1 << 18));
    assert_eq!(
        InlineVec::<u32, 16>::deserialize(lying()).unwrap(),
        [0, 1, 2]
    );
    // More elements than a fixed capacity holds: an error, not a panic.
    let err = serde_json::from_str::<InlineVec<u32, 8>>("[1,2,3]").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("capacity exceeded after 2 elements"),
        "{err}"
    );
}

#[test]
#[cfg(feature = "zeroize")]
fn zeroize_wipes_spare_and_stale_inline_bytes() {
    use zeroize::Zeroize;
    let mut v: StackVec<u8, 16> = StackVec::from([0xAA; 20]);
    assert!(v.spilled());
    v.zeroize();
    assert!(v.is_empty());
    // SAFETY: u8 needs no drop; the capacity is at least 20 and the buffer was zeroed.
    unsafe { v.set_len(20) };
    assert!(v.iter().all(|&b| b == 0));
}

#[test]
fn leak_moves_inline_data_to_the_heap() {
    let v: StackVec<u64> = StackVec::from([1, 2]);
    let (s, heap) = count_heap(|| v.leak());
    assert_eq!((&*s, heap.allocs), (&[1u64, 2][..], 1));
    // SAFETY: `s` is the only reference to that leaked block of two u64.
    drop(unsafe { Box::from_raw(s as *mut [u64]) });
}

// ---- panic safety: user code that panics never causes a double drop, a leak or bad memory ----

fn tracked(n: u64) -> StackVec<Tracked> {
    (0..n).map(Tracked::new).collect()
}

fn must_panic(f: impl FnOnce()) {
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
    panic_on_clone(0);
    panic_on_drop(0);
    assert_eq!(live(), 0, "a value leaked");
}

#[test]
fn clone_is_inline_when_the_elements_fit_else_one_exact_allocation() {
    for n in 0..20u64 {
        let mut v: StackVec<u64> = (0..n).collect();
        v.reserve(100);
        for keep in [n, n.min(5), n.min(4)] {
            v.truncate(keep as usize);
            let (c, heap) = count_heap(|| v.clone());
            assert_eq!(c, v);
            if keep <= 4 {
                assert_eq!(
                    (c.spilled(), c.capacity(), heap.allocs),
                    (false, 4, 0),
                    "{keep}"
                );
            } else {
                let exact = (true, keep as usize, 1, keep as usize * 8);
                assert_eq!((c.spilled(), c.capacity(), heap.allocs, heap.bytes), exact);
            }
        }
    }
}

#[test]
fn clone_panicking_midway() {
    for n in [1, 3, 5] {
        for k in 1..=n {
            must_panic(|| {
                let v = tracked(n as u64);
                panic_on_clone(k);
                let _ = v.clone();
            });
            must_panic(|| {
                let mut v = tracked(2);
                let src = tracked(n as u64);
                panic_on_clone(k);
                v.extend_from_slice(&src);
            });
            must_panic(|| {
                let mut v = tracked(1);
                panic_on_clone(k);
                v.resize(n + 2, Tracked::new(9));
            });
            if n > 1 {
                // One taken: `n - 1` left to clone.
                must_panic(|| {
                    let v = tracked(n as u64);
                    let mut it = v.into_iter();
                    it.next();
                    panic_on_clone(k.min(n - 1));
                    let _ = it.clone();
                });
            }
        }
    }
}

/// No drop glue, and a `clone` that panics on the `k`-th call (counted in the thread).
#[derive(Debug, PartialEq)]
struct FragileCopy(u32);

thread_local! {
    static CLONES_LEFT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

impl Clone for FragileCopy {
    fn clone(&self) -> Self {
        let left = CLONES_LEFT.with(|c| c.replace(c.get().saturating_sub(1)));
        assert!(left != 1, "clone failed");
        FragileCopy(self.0)
    }
}

#[test]
fn clone_panicking_midway_without_drop_glue_keeps_the_vector_as_it_was() {
    // Elements that need no drop are counted once, after the whole slice is cloned: a panic
    // leaves the length as it was (the clones made so far need no dropping). The inline budget
    // is 4 elements: (2, 1) and (4, 0) stay inline (the unrolled copy), the rest grow.
    for (n, budget) in [(2, 1), (4, 0), (3, 2), (3, 8), (6, 2)] {
        for k in 1..=n {
            let mut v: StackVec<FragileCopy, 16> = (0..budget).map(FragileCopy).collect();
            let src: Vec<FragileCopy> = (100..100 + n as u32).map(FragileCopy).collect();
            CLONES_LEFT.with(|c| c.set(k));
            let r = catch_unwind(AssertUnwindSafe(|| v.extend_from_slice(&src)));
            CLONES_LEFT.with(|c| c.set(usize::MAX));
            assert!(r.is_err());
            let before: Vec<FragileCopy> = (0..budget).map(FragileCopy).collect();
            assert_eq!(
                v.as_slice(),
                before.as_slice(),
                "n {n} budget {budget} k {k}"
            );
            v.extend_from_slice(&src);
            assert_eq!(v.len(), budget as usize + n);
            assert_eq!(v[budget as usize + n - 1], FragileCopy(99 + n as u32));
        }
    }
}

#[test]
fn drop_panicking_midway() {
    for n in [3u64, 6] {
        for k in 1..=n as usize {
            must_panic(|| {
                let v = tracked(n);
                panic_on_drop(k);
                drop(v);
            });
            must_panic(|| {
                let mut v = tracked(n);
                panic_on_drop(k);
                v.truncate(0);
            });
            must_panic(|| {
                let v = tracked(n);
                let mut it = v.into_iter();
                it.next();
                panic_on_drop(k.min(n as usize - 1));
                drop(it);
            });
            must_panic(|| {
                let mut v = tracked(n);
                panic_on_drop(k);
                drop(v.drain(1..));
            });
            must_panic(|| {
                let mut v = tracked(n);
                panic_on_drop(k.min(2));
                v.retain(|t| t.value % 3 == 0);
            });
        }
    }
}

#[test]
fn retain_closure_panicking_keeps_the_rest() {
    for k in 0..6u64 {
        let mut v = tracked(6);
        let r = catch_unwind(AssertUnwindSafe(|| {
            v.retain(|t| {
                if t.value == k {
                    panic!("retain closure panics");
                }
                t.value % 2 == 0
            })
        }));
        assert!(r.is_err());
        // Visited elements were filtered, the rest (from k on) kept, in order.
        let expect: Vec<u64> = (0..k).filter(|x| x % 2 == 0).chain(k..6).collect();
        assert_eq!(v.iter().map(|t| t.value).collect::<Vec<_>>(), expect);
        drop(v);
        assert_eq!(live(), 0);
    }
}

#[test]
fn dedup_by_panicking_keeps_the_rest() {
    for k in 1..6u64 {
        let mut v: StackVec<Tracked> = [0, 0, 1, 1, 2, 2].into_iter().map(Tracked::new).collect();
        let mut calls = 0;
        let r = catch_unwind(AssertUnwindSafe(|| {
            v.dedup_by(|a, b| {
                calls += 1;
                if calls == k {
                    panic!("dedup closure panics");
                }
                a.value == b.value
            })
        }));
        assert!(r.is_err());
        let values: Vec<u64> = v.iter().map(|t| t.value).collect();
        let mut sorted = values.clone();
        sorted.sort();
        assert_eq!(values, sorted, "order kept");
        assert_eq!(
            values
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            3
        );
        drop(v);
        assert_eq!(live(), 0);
    }
}

#[test]
fn iterator_panicking_inside_extend() {
    for k in 0..8 {
        let mut v = tracked(2);
        let r = catch_unwind(AssertUnwindSafe(|| {
            v.extend((0..8).map(|i| {
                if i == k {
                    panic!("iterator panics");
                }
                Tracked::new(i)
            }))
        }));
        assert!(r.is_err());
        assert_eq!(v.len(), 2 + k as usize);
        drop(v);
        assert_eq!(live(), 0);
    }
}

#[test]
fn resize_with_closure_panicking() {
    let mut v = tracked(1);
    let mut i = 0;
    let r = catch_unwind(AssertUnwindSafe(|| {
        v.resize_with(10, || {
            i += 1;
            if i == 6 {
                panic!("resize_with closure panics");
            }
            Tracked::new(i)
        })
    }));
    assert!(r.is_err());
    assert_eq!(v.len(), 6);
    drop(v);
    assert_eq!(live(), 0);
}

// ---- regressions for bug classes of smallvec / arrayvec / allocator-api2 ----

#[test]
fn size_hint_that_lies_in_both_directions() {
    for (claimed, actual) in [
        (0, 40),
        (100, 3),
        (usize::MAX / 64, 5),
        (usize::MAX, 6),
        (2, 2),
        (1, 17),
    ] {
        let mut v: StackVec<u64> = StackVec::from([9]);
        let items = 0..actual as u64;
        v.extend(LyingIter {
            inner: items.clone(),
            hint: (claimed, Some(claimed)),
        });
        let mut expect = vec![9];
        expect.extend(items);
        assert_eq!(v, expect, "claimed {claimed}, yielded {actual}");
    }
}

#[test]
fn cloning_a_partly_consumed_into_iter() {
    for spill in [false, true] {
        let n = if spill { 10 } else { 4 };
        let v: StackVec<String, 96> = (0..n).map(|i| i.to_string()).collect(); // 4 inline
        assert_eq!(v.spilled(), spill);
        let mut it = v.into_iter();
        it.next();
        it.next_back();
        let c = it.clone();
        assert_eq!(c.as_slice(), it.as_slice());
        let a: Vec<String> = it.collect();
        let b: Vec<String> = c.collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), n - 2);
    }
}

#[test]
fn into_iter_moves_with_inline_data() {
    let v: StackVec<u64> = StackVec::from([1, 2, 3]);
    let mut it = v.into_iter();
    it.next();
    let moved = Box::new(it); // moves the inline buffer along with the indices
    assert_eq!(moved.collect::<Vec<_>>(), [2, 3]);
}

#[test]
fn split_off_zero_keeps_self_usable() {
    let mut v: StackVec<u64> = (0..10).collect();
    let tail = v.split_off(0);
    assert!(v.is_empty());
    assert_eq!(tail.len(), 10);
    v.push(1);
    assert_eq!(v, [1]);
}

#[test]
fn zst_into_iter_with_aligned_zst_drops_each_once() {
    #[derive(Clone)]
    #[repr(align(16))]
    struct AlignedZst;
    impl Drop for AlignedZst {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    thread_local!(static DROPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
    let v: StackVec<AlignedZst> = std::iter::repeat_n(AlignedZst, 5).collect();
    DROPS.with(|d| d.set(0));
    let mut it = v.into_iter();
    drop(it.next());
    drop(it);
    assert_eq!(DROPS.with(|d| d.get()), 5);
}

#[test]
fn drain_forget_does_not_expose_moved_slots() {
    let mut v = tracked(5);
    let mut d = v.drain(1..3);
    let x = d.next().unwrap();
    std::mem::forget(d);
    assert_eq!(v.len(), 1); // the range and tail are leaked, never double-dropped
    drop(x);
    drop(v);
    // Leaked by the forget: elements 2, 3, 4.
    assert_eq!(live(), 3);
}

#[test]
fn exhausted_frame_is_recoverable_through_the_try_api() {
    // Today's abort ("memory allocation of 512 bytes failed") as errors: a StackVec<Tracked>
    // (16-byte elements, 2 inline) in a frame of 64 bytes.
    // Aligned, so that what fits does not depend on where a byte array lands.
    let mut buf = stackfirst::ArenaBuf::<64>::new();
    let mut arena = buf.arena();
    arena.frame(|f| {
        let mut v: StackVec<Tracked, 32, _> = StackVec::new_in(&f);
        let mut pushed = 0;
        let err = loop {
            match v.try_push(Tracked::new(pushed)) {
                Ok(()) => pushed += 1,
                Err(e) => break e,
            }
        };
        // 2 inline, then a spill to 4 (64 bytes) fits; growing to 8 does not, nor exactly to
        // 5, the request the error names.
        assert_eq!(pushed, 4);
        let layout = std::alloc::Layout::array::<Tracked>(5).unwrap();
        assert_eq!(
            err.error().kind(),
            TryReserveErrorKind::AllocError { layout }
        );
        assert_eq!(err.into_value().value, 4);
        assert!(v.try_insert(0, Tracked::new(9)).is_err());
        assert!(v.try_extend_from_slice(&[Tracked::new(9)]).is_err());
        assert!(v.try_resize(5, Tracked::new(9)).is_err());
        assert!(v.try_reserve(1).is_err());
        assert!(StackVec::<u64, 32, _>::try_with_capacity_in(5, &f).is_err());
        assert_eq!(v.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 1, 2, 3]);
        // Within capacity everything still works.
        v.pop();
        v.try_insert(0, Tracked::new(7)).unwrap();
        assert!(v.is_full() && v.remaining_capacity() == 0);
    });
    assert_eq!(live(), 0);
    // Inline elements that cannot get their exact heap block come back with the error.
    arena.frame(|f| {
        let _fill = f.alloc_slice_copy(&[0u8; 60]);
        let v: StackVec<u64, 32, _> = StackVec::from_iter_in([1, 2], &f);
        let (v, err) = v.try_into_heap_exact().unwrap_err();
        assert!(matches!(err.kind(), TryReserveErrorKind::AllocError { .. }));
        assert_eq!(v, [1, 2]);
    });
}

#[test]
fn no_heap_never_allocates_and_refuses_clearly() {
    let ((), heap) = count_heap(|| {
        let mut v: InlineVec<u32, { bytes_for::<u32>(3) }> = InlineVec::new_in(NoHeap);
        assert_eq!(v.capacity(), 3);
        for i in 0..3 {
            v.try_push(i).unwrap();
        }
        let err = v.try_push(3).unwrap_err();
        assert_eq!(err.error().kind(), TryReserveErrorKind::CapacityExceeded);
        assert_eq!(err.into_value(), 3);
        assert_eq!(
            v.try_reserve(1).unwrap_err().kind(),
            TryReserveErrorKind::CapacityExceeded
        );
        assert!(v.try_extend_from_slice(&[4]).is_err());
        assert_eq!(v.push_within_capacity(4), Err(4));
        // A splice that does not grow the vector never asks the allocator.
        v.splice(1..2, [5]);
        v.shrink_to_fit();
        let w = v.clone();
        assert_eq!(w, [0, 5, 2]);
        let c: InlineVec<u8, 4> = (0..4).collect();
        assert_eq!(c, [0, 1, 2, 3]);
    });
    assert_eq!((heap.allocs, heap.reallocs), (0, 0));
    assert_eq!(
        TryReserveErrorKind::CapacityExceeded,
        StackVec::<u8, 0, NoHeap>::default()
            .try_push(1)
            .unwrap_err()
            .error()
            .kind()
    );
}

#[test]
fn no_heap_overflow_panics_with_capacity_exceeded_and_loses_nothing() {
    for case in 0..4 {
        let mut v: InlineVec<Tracked, { bytes_for::<Tracked>(2) }> =
            stack_vec![Tracked::new(1), Tracked::new(2)];
        let err = catch_unwind(AssertUnwindSafe(|| match case {
            0 => v.push(Tracked::new(3)),
            1 => v.extend([Tracked::new(3)]),
            2 => v.insert(0, Tracked::new(3)),
            _ => drop(v.splice(1..1, [Tracked::new(3), Tracked::new(4)])),
        }))
        .unwrap_err();
        assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity exceeded"));
        assert_eq!(v.iter().map(|t| t.value).collect::<Vec<_>>(), [1, 2]);
        drop(v);
        assert_eq!(live(), 0);
    }
    let collect = catch_unwind(|| (0..5).collect::<InlineVec<u8, 4>>()).unwrap_err();
    assert_eq!(collect.downcast_ref::<&str>(), Some(&"capacity exceeded"));
}

#[test]
fn bytes_for_sizes_in_elements() {
    assert_eq!(bytes_for::<u32>(8), 32);
    assert_eq!(StackVec::<u32, { bytes_for::<u32>(8) }>::INLINE_CAPACITY, 8);
    assert_eq!(StackVec::<u32, 8>::INLINE_CAPACITY, 2);
    assert_eq!(bytes_for::<()>(usize::MAX), 0);
    assert!(catch_unwind(|| bytes_for::<u64>(usize::MAX)).is_err());
}

#[test]
fn order_across_budgets_and_allocators() {
    let bump = bumpalo::Bump::new();
    let a: StackVec<u8, 8> = StackVec::from([1, 2]);
    let b: StackVec<u8, 32, &bumpalo::Bump> = StackVec::from_iter_in([1, 3], &bump);
    assert!(a < b);
    assert_eq!(a.partial_cmp(&b), [1u8, 2].partial_cmp(&[1u8, 3]));
    let c: InlineVec<u8> = stack_vec![1, 2];
    assert_eq!(a.partial_cmp(&c), Some(std::cmp::Ordering::Equal));
}

#[test]
fn splice_growing_past_the_inline_buffer_spills_once() {
    let mut v: StackVec<u64> = StackVec::from([1, 2, 3]);
    let ((), heap) = count_heap(|| drop(v.splice(1..2, [7, 8, 9, 10, 11])));
    assert_eq!(v, [1, 7, 8, 9, 10, 11, 3]);
    assert_eq!((heap.allocs, heap.reallocs), (1, 0));
    // An iterator with no size hint: amortized room, same result as Vec.
    let mut w: Vec<u64> = vec![1, 2, 3];
    let mut s: StackVec<u64> = StackVec::from([1, 2, 3]);
    let items = || (0..100).filter(|x| x % 3 == 0);
    w.splice(1..1, items());
    s.splice(1..1, items());
    assert_eq!(s, w);
}

#[test]
fn accessors_are_const() {
    const fn summary(v: &StackVec<u8>) -> (usize, bool, usize, bool, usize) {
        (
            v.len(),
            v.is_empty(),
            v.capacity(),
            v.spilled(),
            v.as_slice().len(),
        )
    }
    let v: StackVec<u8> = StackVec::from([1, 2, 3]);
    assert_eq!(summary(&v), (3, false, 32, false, 3));
}

/// What `as_ptr`'s docs promise: once spilled, pointers from earlier calls stay usable after
/// later calls, as `Vec`'s do; inline, pointers derived from one call are (there a later call
/// borrows the elements too and invalidates earlier pointers under the aliasing rules, which a
/// run cannot show, so that use is not exercised).
#[test]
fn raw_pointers_as_documented() {
    let mut v: StackVec<u64> = (0..6).collect();
    assert!(v.spilled());
    let first = v.as_mut_ptr();
    let second = v.as_mut_ptr();
    let shared = v.as_ptr();
    // SAFETY: all three point to the live heap buffer of 6 elements, which the calls did not
    // borrow, and no reference to it exists while they are used.
    unsafe {
        first.write(40);
        second.add(1).write(41);
        assert_eq!((*shared, *shared.add(1)), (40, 41));
    }
    assert_eq!(&v[..2], [40, 41]);

    let mut w: StackVec<u64> = (0..2).collect();
    assert!(!w.spilled());
    let p = w.as_mut_ptr();
    let q = p.wrapping_add(1);
    // SAFETY: `p` and `q` come from one call and point to the 2 inline elements; nothing
    // borrows `w` while they are used.
    unsafe {
        p.write(40);
        q.write(41);
        assert_eq!((*p, *q), (40, 41));
    }
    assert_eq!(&w[..], [40, 41]);
}

/// A `NoHeap` vector cannot move its elements to a heap: `leak` says so with the capacity
/// message instead of reporting an allocation failure (which would abort the process).
#[test]
#[should_panic(expected = "capacity exceeded")]
fn inline_vec_cannot_leak_its_elements() {
    let v: stackfirst::InlineVec<u8, 4> = stack_vec![1, 2];
    let _ = v.leak();
}

/// The room test (`spare`) in every state: up to the capacity nothing allocates, one more grows.
#[test]
fn room_up_to_the_capacity_never_allocates_in_any_state() {
    // Inline: 4 slots.
    let mut v: StackVec<u64> = StackVec::from([1]);
    let (_, heap) = count_heap(|| v.extend_from_slice(&[2, 3, 4]));
    assert_eq!((heap.allocs, heap.reallocs, v.spilled()), (0, 0, false));
    assert!(v.try_reserve(0).is_ok());
    let (_, heap) = count_heap(|| v.extend_from_slice(&[5]));
    assert_eq!((heap.allocs, v.spilled(), v.capacity()), (1, true, 8));

    // Spilled, with room: exactly the spare capacity, then one more.
    let mut v: StackVec<u64> = StackVec::with_capacity(10);
    v.extend_from_slice(&[1, 2, 3]);
    let (_, heap) = count_heap(|| {
        v.try_reserve_exact(7).unwrap();
        v.extend_from_slice(&[4; 7]);
    });
    assert_eq!((heap.allocs, heap.reallocs, v.capacity()), (0, 0, 10));
    let (_, heap) = count_heap(|| v.extend_from_slice(&[11]));
    assert_eq!(heap.allocs + heap.reallocs, 1);
    assert_eq!((v.len(), v.capacity()), (11, 20));

    // Zero-sized: the spare capacity is `usize::MAX - len`.
    let mut z: StackVec<()> = StackVec::from([(), ()]);
    assert!(z.try_reserve(usize::MAX - 2).is_ok());
    assert_eq!(
        z.try_reserve(usize::MAX - 1).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
}

static S1: InlineVec<u16, 8> = InlineVec::new();
const C1: StackVec<u64> = StackVec::new();
static S2: InlineString<8> = InlineString::new();
const C2: StackString = StackString::new();

/// `new()` is generic over `ConstAllocator`: the ways of naming the type that worked when it was
/// `Global`-only still infer it (a function generic over the allocator must now name it).
#[test]
fn new_inference_patterns() {
    let v: StackVec<u64> = StackVec::new();
    let w = StackVec::<u64>::new();
    let x = StackVec::<u64, 16>::new();
    let s: StackString = StackString::new();
    let t = StackString::<8>::new();
    let d: StackVec<u8> = Default::default();
    let e: StackString<8> = Default::default();
    let i: InlineVec<u8, 4> = InlineVec::new();
    let j = InlineString::<4>::new();
    assert!(v.is_empty() && w.is_empty() && x.is_empty() && s.is_empty() && t.is_empty());
    assert!(d.is_empty() && e.is_empty() && i.is_empty() && j.is_empty());
    assert!(S1.is_empty() && C1.is_empty() && S2.is_empty() && C2.is_empty());
    fn takes(v: StackVec<u32, 8>) -> usize {
        v.len()
    }
    assert_eq!(takes(StackVec::new()), 0);
    struct Holder {
        v: StackVec<u8>,
        s: StackString,
    }
    let h = Holder {
        v: StackVec::new(),
        s: StackString::new(),
    };
    assert!(h.v.is_empty() && h.s.is_empty());
}

/// `collect` of an iterator of known length past the inline capacity makes one exact
/// allocation, as `Vec` does; a lower bound the allocator cannot give (here a small frame) is
/// only a hint, and the vector grows as `extend` grows instead. (That the bound is reserved
/// before the first element, rather than after it, shows only in instruction counts: the
/// benchmarks guard it.)
#[test]
fn collect_of_a_known_length_allocates_once_and_an_unavailable_bound_is_a_hint() {
    let (v, heap) = count_heap(|| (0..100u64).map(|x| x * 2).collect::<StackVec<u64>>());
    assert_eq!((v.len(), v.capacity(), v[99]), (100, 100, 198));
    assert_eq!((heap.allocs, heap.reallocs, heap.bytes), (1, 0, 800));

    let mut buf = [std::mem::MaybeUninit::uninit(); 256];
    let mut arena = Arena::from_memory(&mut buf);
    arena.frame(|f| {
        for hint in [
            (1000, None),
            (usize::MAX / 8, None),
            (usize::MAX, Some(usize::MAX)),
        ] {
            let it = LyingIter {
                inner: 0..10u64,
                hint,
            };
            let v: StackVec<u64, 32, _> = StackVec::from_iter_in(it, &f);
            assert_eq!(v.as_slice(), (0..10).collect::<Vec<_>>(), "{hint:?}");
        }
    });
}

/// raw.rs `min_heap_capacity`: as std's `Vec`, elements of up to 1024 bytes start with a heap
/// capacity of 4 (only larger ones start at 1). 1024 is the boundary.
#[test]
#[allow(clippy::vec_init_then_push)] // `Vec` grows by `push`, as the vector beside it
fn first_heap_capacity_of_1024_byte_elements_is_four_like_vec() {
    let mut v: StackVec<[u8; 1024]> = StackVec::new();
    v.push([1; 1024]);
    let mut w: Vec<[u8; 1024]> = Vec::new();
    w.push([1; 1024]);
    assert_eq!((v.capacity(), w.capacity()), (4, 4));
    let mut big: StackVec<[u8; 1025]> = StackVec::new();
    big.push([1; 1025]);
    assert_eq!(big.capacity(), 1);
}

/// A spilled vector's buffer is handed over as is by `try_into_heap_exact` (no copy, same
/// capacity), as by `into_heap_exact`.
#[test]
fn try_into_heap_exact_hands_over_a_spilled_buffer() {
    let mut v: StackVec<u8, 4> = StackVec::with_capacity(100);
    v.extend(0..50);
    assert!(v.spilled());
    let ptr = v.as_ptr();
    let heap: Vec<u8> = v.try_into_heap_exact().unwrap();
    assert_eq!(heap.capacity(), 100);
    assert_eq!(heap.as_ptr(), ptr);
    assert_eq!(heap, (0..50).collect::<Vec<u8>>());
}

/// `clone_in` sizes the clone by the length: a short vector with a large heap buffer clones
/// inline.
#[test]
fn clone_in_of_a_short_spilled_vector_is_inline() {
    let mut v: StackVec<u8> = StackVec::with_capacity(100);
    v.extend([1, 2, 3]);
    assert!(v.spilled());
    let bump = bumpalo::Bump::new();
    let w: StackVec<u8, 32, &bumpalo::Bump> = v.clone_in(&bump);
    assert_eq!(w, [1, 2, 3]);
    assert!(!w.spilled());
    assert_eq!(w.capacity(), 32);
}

/// `stack_vec![in alloc; elem; n]` makes one exact allocation of `n` elements.
#[test]
fn stack_vec_elem_in_alloc_is_one_exact_allocation() {
    let bump = bumpalo::Bump::new();
    let v: StackVec<u64, 32, &bumpalo::Bump> = stack_vec![in &bump; 7u64; 5];
    assert_eq!(v, [7, 7, 7, 7, 7]);
    assert!(v.spilled());
    assert_eq!(v.capacity(), 5);
}

/// An iterator whose lower bound (at most `cap`) is honest but not exact.
struct CappedHint {
    next: u64,
    end: u64,
    cap: usize,
}

impl Iterator for CappedHint {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.end - self.next) as usize;
        (left.min(self.cap), Some(left))
    }
}

/// `extend` fills the spare capacity at once when the iterator's lower bound fits it, and grows
/// by the hint only once the vector is full (u64: 4 inline; 4 -> 9 -> 18 -> 36 for an iterator
/// that promises 4 more at a time).
#[test]
fn extend_fills_the_spare_capacity_before_it_grows_by_the_hint() {
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(CappedHint {
        next: 0,
        end: 20,
        cap: 4,
    });
    assert_eq!(v, (0..20).collect::<Vec<u64>>());
    assert_eq!(v.capacity(), 36);

    // A lower bound that fits the spare capacity is written in place: no growth, even when
    // fewer elements come (the hint only sizes growth).
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(LyingIter {
        inner: [1u64, 0].into_iter(),
        hint: (4, None),
    });
    assert_eq!((v.as_slice(), v.spilled()), (&[1, 0][..], false));
}

/// A hint that cannot be reserved falls back to amortized growth by one (doubling), not to
/// exact growth by one (which would reallocate at every element).
#[test]
fn an_unsatisfiable_hint_falls_back_to_amortized_growth() {
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(LyingIter {
        inner: 0..10u64,
        hint: (usize::MAX, None),
    });
    assert_eq!(v.len(), 10);
    assert_eq!(v.capacity(), 16);
}

/// `Ord` is lexicographic like the slices' (`PartialOrd` agrees with it), so ordered
/// collections and `max` order vectors as they order slices.
#[test]
fn ord_is_the_slices_order() {
    use std::cmp::Ordering;
    use std::collections::BTreeSet;

    let a: StackVec<u64> = StackVec::from([1, 2]);
    let b: StackVec<u64> = StackVec::from([1, 3]);
    let c: StackVec<u64> = (0..9).collect(); // spilled
    assert_eq!(Ord::cmp(&a, &b), Ordering::Less);
    assert_eq!(Ord::cmp(&b, &a), Ordering::Greater);
    assert_eq!(Ord::cmp(&c, &a), Ordering::Less);
    assert_eq!(Ord::cmp(&a, &a.clone()), Ordering::Equal);
    assert_eq!(Ord::cmp(&a, &b), a.partial_cmp(&b).unwrap());
    assert_eq!(Ord::max(a.clone(), b.clone()), b);
    let set: BTreeSet<StackVec<u64>> = [b.clone(), c.clone(), a.clone()].into_iter().collect();
    assert_eq!(set.into_iter().collect::<Vec<_>>(), [c, a, b]);
}

// ---------------------------------------------------------------------------------------------
// Mutation review (round 5): behaviour no test pinned down
// ---------------------------------------------------------------------------------------------

/// A clone of a partly consumed `IntoIter` holds the remaining elements only: sized by them, so
/// two left of a spilled vector of ten clone inline, with no allocation.
#[test]
fn into_iter_clone_is_sized_by_the_remaining_elements() {
    let v: StackVec<u64> = (0..10).collect(); // 4 inline: spilled
    assert!(v.spilled());
    let mut it = v.into_iter();
    assert_eq!(it.nth(7), Some(7));
    let (c, heap) = count_heap(|| it.clone());
    assert_eq!(heap.allocs, 0, "two u64 fit the clone's inline buffer");
    assert_eq!(c.as_slice(), [8, 9]);
    assert_eq!(c.collect::<Vec<_>>(), [8, 9]);
}

/// `IntoIter`'s `Debug` reads as `Vec`'s: `IntoIter([..])` of the elements not yet yielded.
#[test]
fn into_iter_debug_reads_as_vecs() {
    let mut it = StackVec::<u8>::from([1, 2, 3]).into_iter();
    let mut std_it = vec![1u8, 2, 3].into_iter();
    it.next();
    std_it.next();
    assert_eq!(format!("{it:?}"), format!("{std_it:?}"));
    assert_eq!(format!("{it:?}"), "IntoIter([2, 3])");
}

/// `rfold` (and so `rev()` with `collect`, `for_each`, `sum`...) goes from the back.
#[test]
fn into_iter_rfold_and_rev_go_back_to_front() {
    let v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    let pushed = |mut a: Vec<u8>, x| {
        a.push(x);
        a
    };
    assert_eq!(
        v.clone().into_iter().rfold(Vec::new(), pushed),
        [4, 3, 2, 1]
    );
    assert_eq!(
        v.clone().into_iter().rev().collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );
    let mut it = v.into_iter();
    it.next();
    it.next_back();
    assert_eq!(it.rfold(Vec::new(), pushed), [3, 2]);
}

/// `clone_in` of a vector that needs the heap makes one exact allocation, as documented.
#[test]
fn clone_in_of_a_long_vector_is_one_exact_allocation() {
    let v: StackVec<u64> = StackVec::from([1, 2, 3, 4, 5]);
    let bump = bumpalo::Bump::new();
    let w: StackVec<u64, 32, &bumpalo::Bump> = v.clone_in(&bump);
    assert_eq!(w, v);
    assert!(w.spilled());
    assert_eq!(w.capacity(), 5);
}

/// `From<&[T]>` of elements that need the heap: one exact allocation, as documented.
#[test]
fn from_slice_that_spills_is_one_exact_allocation() {
    let (v, heap) = count_heap(|| StackVec::<u64>::from(&[1u64, 2, 3, 4, 5][..]));
    assert_eq!((v.as_slice(), v.capacity()), (&[1, 2, 3, 4, 5][..], 5));
    assert_eq!(heap.allocs, 1);
}

/// `extend` with an iterator that promises nothing (`size_hint` 0) grows by exactly the one
/// element in hand when the amortized minimum is one (`T` over 1 KiB), as `Vec` does.
#[test]
fn extend_without_a_hint_grows_large_elements_by_one_like_vec() {
    let one = || std::iter::once([1u8; 1025]).filter(|_| true);
    let mut v: StackVec<[u8; 1025], 0> = StackVec::new();
    v.extend(one());
    let mut std_v: Vec<[u8; 1025]> = Vec::new();
    std_v.extend(one());
    assert_eq!((v.len(), v.capacity()), (1, std_v.capacity()));
    assert_eq!(v.capacity(), 1);
}

/// An empty vector needs no allocation to become a heap vector, so `try_into_heap_exact`
/// succeeds even with an allocator that refuses everything (as documented).
#[test]
fn try_into_heap_exact_of_an_empty_vector_asks_the_allocator_nothing() {
    let v: StackVec<u8, 8, &NoHeap> = StackVec::new_in(&NoHeap);
    let heap = v
        .try_into_heap_exact()
        .expect("an empty vector needs no allocation");
    assert!(heap.is_empty());
    let bump = bumpalo::Bump::new();
    let w: StackVec<u64, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
    let heap = w.try_into_heap_exact().unwrap();
    assert_eq!(
        (heap.len(), bump.allocated_bytes_including_metadata()),
        (0, 0)
    );
}

/// Zero-sized elements need no allocation either: `try_into_heap_exact` succeeds with an
/// allocator that refuses every request, zero bytes too.
#[test]
fn try_into_heap_exact_of_zero_sized_elements_asks_the_allocator_nothing() {
    let mut z: StackVec<(), 8, &NoHeap> = StackVec::new_in(&NoHeap);
    z.extend(std::iter::repeat_n((), 5));
    let heap = z
        .try_into_heap_exact()
        .expect("zero-sized elements need no allocation");
    assert_eq!(heap.len(), 5);
}

/// `into_heap_exact` in a borrowed allocator: zero-sized elements keep their count, and a
/// spilled buffer is handed over with its capacity (as for the global heap).
#[test]
fn into_heap_exact_in_a_borrowed_allocator_keeps_zst_length_and_spilled_capacity() {
    let bump = bumpalo::Bump::new();
    let z: StackVec<(), 8, &bumpalo::Bump> =
        StackVec::from_iter_in(std::iter::repeat_n((), 5), &bump);
    let heap = z.into_heap_exact();
    assert_eq!(heap.len(), 5);
    let mut v: StackVec<u64, 32, &bumpalo::Bump> = StackVec::with_capacity_in(100, &bump);
    v.extend(0..50);
    assert!(v.spilled());
    let ptr = v.as_ptr();
    let heap = v.into_heap_exact();
    assert_eq!((heap.capacity(), heap.as_ptr()), (100, ptr));
    assert_eq!(heap[..], (0..50).collect::<Vec<u64>>()[..]);
}

/// `TryPushError`'s `Debug` shows the reason and marks the value as left out.
#[test]
fn try_push_error_debug_shows_the_reason_only() {
    let mut v: InlineVec<u32, 4> = InlineVec::new();
    v.push(1);
    let err = v.try_push(2).unwrap_err();
    assert_eq!(
        format!("{err:?}"),
        "TryPushError { error: TryReserveError { kind: CapacityExceeded }, .. }"
    );
}

/// `pop_if` removes the last element exactly when the predicate holds, as `Vec::pop_if`.
#[test]
fn pop_if_pops_only_what_the_predicate_accepts_like_vec() {
    for start in [&[][..], &[1u64][..], &[1, 2, 3, 4, 5, 6][..]] {
        for pick in [0u64, 1] {
            let mut ours: StackVec<u64> = StackVec::from(start);
            let mut std_v = start.to_vec();
            let odd = |x: &mut u64| *x % 2 == pick;
            assert_eq!(ours.pop_if(odd), std_v.pop_if(odd), "{start:?} {pick}");
            assert_eq!(ours, std_v);
        }
    }
}

// Mutation review (round 6)

#[test]
fn resize_clones_one_fewer_than_it_adds_and_moves_the_value_last() {
    // `resize(3, value)` on an empty vector makes two clones and moves `value` into the last
    // slot, as `Vec::resize` does: a third clone would panic here.
    let mut v: StackVec<Tracked> = StackVec::new();
    panic_on_clone(3);
    v.resize(3, Tracked::new(7));
    panic_on_clone(0);
    assert_eq!(v.iter().map(|t| t.value).collect::<Vec<_>>(), [7, 7, 7]);
    drop(v);
    assert_eq!(live(), 0);
}

#[test]
fn dedup_by_passes_the_current_element_first_and_the_kept_one_second() {
    let mut seen = Vec::new();
    let mut v: StackVec<u8> = StackVec::from([1, 2, 2, 3]);
    v.dedup_by(|a, b| {
        seen.push((*a, *b));
        a == b
    });
    assert_eq!(v, [1, 2, 3]);
    let mut model = vec![1u8, 2, 2, 3];
    let mut expected = Vec::new();
    model.dedup_by(|a, b| {
        expected.push((*a, *b));
        a == b
    });
    assert_eq!(seen, expected);
    assert_eq!(seen, [(2, 1), (2, 2), (3, 2)]);
    // An asymmetric predicate: drop an element that is larger than the one kept before it.
    let mut v: StackVec<u8> = StackVec::from([3, 5, 1, 4]);
    v.dedup_by(|cur, prev| cur > prev);
    assert_eq!(v, [3, 1]);
}

/// A vector moves to another thread and back, inline (the elements move with it) and spilled
/// (the heap buffer is freed on the thread that drops it); its drain and owning iterator go too.
#[test]
fn vectors_move_between_threads_inline_and_spilled() {
    let inline: StackVec<String, 64> = ["a", "b"].map(String::from).into();
    let spilled: StackVec<u64> = (0..100).collect();
    assert!(!inline.spilled() && spilled.spilled());
    let (mut inline, mut spilled) = std::thread::spawn(move || {
        let mut inline = inline;
        inline.push("c".to_string());
        (inline, spilled)
    })
    .join()
    .unwrap();
    assert_eq!(inline, ["a", "b", "c"]);
    std::thread::scope(|s| {
        let d = inline.drain(1..);
        s.spawn(move || assert_eq!(d.collect::<Vec<_>>(), ["b", "c"]));
        let d = spilled.drain(..90);
        s.spawn(move || assert_eq!(d.sum::<u64>(), (0..90u64).sum::<u64>()));
    });
    assert_eq!(
        (inline.len(), spilled.as_slice()),
        (1, &(90..100).collect::<Vec<_>>()[..])
    );
    let it = spilled.into_iter();
    let sum = std::thread::spawn(move || it.sum::<u64>()).join().unwrap();
    assert_eq!(sum, (90..100u64).sum::<u64>());
    let s: StackString = StackString::from("x".repeat(100).as_str());
    assert_eq!(std::thread::spawn(move || s.len()).join().unwrap(), 100);
}

/// A vector of `Cell`s crosses `catch_unwind` by value, as a `Vec` of them does (`Cell` is
/// `UnwindSafe` but not `RefUnwindSafe`).
#[test]
fn vectors_of_unwind_safe_elements_are_unwind_safe_like_vec() {
    use std::cell::Cell;
    let v: StackVec<Cell<u8>> = stack_vec![Cell::new(1), Cell::new(2)];
    let spilled: StackVec<Cell<u8>, 1> = stack_vec![Cell::new(3), Cell::new(0)];
    assert!(spilled.spilled());
    let r = std::panic::catch_unwind(move || {
        v[0].set(5);
        v.iter().chain(&spilled).map(Cell::get).sum::<u8>()
    });
    assert_eq!(r.ok(), Some(10));
}

/// `StackVec`, its `IntoIter` and its `Drain` are covariant in `T`, as `Vec`, `vec::IntoIter`
/// and `vec::Drain` are.
#[test]
fn vectors_are_covariant_like_vec() {
    fn shorter<'a>(v: StackVec<&'static str>) -> StackVec<&'a str> {
        v
    }
    fn shorter_iter<'a>(
        it: stackfirst::IntoIter<&'static str, 32>,
    ) -> stackfirst::IntoIter<&'a str, 32> {
        it
    }
    fn shorter_drain<'d, 'a>(
        d: stackfirst::Drain<'d, &'static str, 32>,
    ) -> stackfirst::Drain<'d, &'a str, 32> {
        d
    }
    let local = String::from("local");
    let mut v = shorter(stack_vec!["static"]);
    v.push(&local);
    assert_eq!(shorter_iter(stack_vec!["x"].into_iter()).next(), Some("x"));
    let mut statics: StackVec<&'static str> = stack_vec!["a", "b", "c"];
    let mut d = shorter_drain(statics.drain(..2));
    assert_eq!(d.next(), Some("a"));
    let from_drain: Vec<&str> = d.chain([local.as_str()]).collect();
    assert_eq!((from_drain, statics), (vec!["b", "local"], stack_vec!["c"]));
    assert_eq!(v, ["static", "local"]);
}

/// "The capacity is unchanged" (`truncate`, `clear`) and `append`'s "its capacity is kept": a
/// spilled vector that is shortened or emptied keeps its heap buffer, so refilling it up to
/// that capacity allocates nothing.
#[test]
fn shortening_or_emptying_a_spilled_vector_keeps_its_buffer() {
    let mut v: StackVec<u64> = (0..20).collect();
    let (cap, buffer) = (v.capacity(), v.as_ptr());
    v.truncate(2);
    assert_eq!((v.spilled(), v.capacity(), v.as_ptr()), (true, cap, buffer));
    v.clear();
    assert_eq!((v.spilled(), v.capacity(), v.as_ptr()), (true, cap, buffer));
    let mut into: StackVec<u64> = StackVec::new();
    let mut other: StackVec<u64> = (0..20).collect();
    let (cap, buffer) = (other.capacity(), other.as_ptr());
    into.append(&mut other);
    assert_eq!(
        (other.len(), other.capacity(), other.as_ptr()),
        (0, cap, buffer)
    );
    let ((), heap) = count_heap(|| {
        v.extend(0..cap as u64);
        other.extend(0..cap as u64);
    });
    assert_eq!(heap.allocs + heap.reallocs, 0);
}
