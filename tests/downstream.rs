//! A downstream crate's view: code written against std's traits (the bounds a `Vec` satisfies)
//! takes a `StackVec` that spills into the global heap, into a `&bumpalo::Bump`, into an arena
//! frame, or never (`NoHeap`).

use std::mem::MaybeUninit;
use std::ops::{Index, IndexMut};

use stackfirst::{stack_vec, Arena, InlineVec, NoHeap, StackVec};

/// Everything a generic container user might ask of a `Vec<u32>`, except construction.
fn exercise<C>(mut c: C) -> Vec<u32>
where
    C: Index<usize, Output = u32>
        + IndexMut<usize>
        + Index<std::ops::Range<usize>, Output = [u32]>
        + AsRef<[u32]>
        + AsMut<[u32]>
        + Extend<u32>
        + for<'x> Extend<&'x u32>
        + IntoIterator<Item = u32>
        + Into<Vec<u32>>,
    for<'r> &'r C: IntoIterator<Item = &'r u32>,
{
    c.extend([3, 4, 5]);
    c.extend(&[6]);
    c[0] = 10;
    assert_eq!(c[0], 10);
    assert_eq!(&c[1..3], &[2, 3]);
    c.as_mut()[1] = 20;
    assert_eq!(c.as_ref(), [10, 20, 3, 4, 5, 6]);
    assert_eq!((&c).into_iter().copied().max(), Some(20));
    c.into()
}

/// And construction, for allocators that have a default value.
fn collect_generic<C: FromIterator<u32> + IntoIterator<Item = u32>>(n: u32) -> Vec<u32> {
    let c: C = (1..=n).collect();
    c.into_iter().collect()
}

#[test]
fn global_heap() {
    let v: StackVec<u32> = stack_vec![1, 2];
    assert_eq!(exercise(v), [10, 20, 3, 4, 5, 6]);
    assert_eq!(
        collect_generic::<StackVec<u32>>(20),
        (1..=20).collect::<Vec<_>>()
    );
    assert_eq!(collect_generic::<StackVec<u32, 0>>(3), [1, 2, 3]);
}

#[test]
fn bumpalo() {
    let bump = bumpalo::Bump::new();
    let v: StackVec<u32, 8, _> = stack_vec![in &bump; 1, 2];
    // Spills into the bump; `Into<Vec>` moves the elements out of it.
    let out = exercise(v);
    drop(bump);
    assert_eq!(out, [10, 20, 3, 4, 5, 6]);
}

#[test]
fn arena_frame() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let out = Arena::from_memory(&mut buf).frame(|f| {
        let v: StackVec<u32, 8, _> = StackVec::from_iter_in([1, 2], &f);
        exercise(v)
    });
    assert_eq!(out, [10, 20, 3, 4, 5, 6]);
}

#[test]
fn no_heap() {
    let v: InlineVec<u32> = InlineVec::new_in(NoHeap);
    let mut v = v;
    v.extend([1, 2]);
    assert_eq!(exercise(v), [10, 20, 3, 4, 5, 6]);
    assert_eq!(
        collect_generic::<InlineVec<u32>>(8),
        (1..=8).collect::<Vec<_>>()
    );
}

#[test]
fn iterator_types_have_the_vectors_defaults() {
    let it: stackfirst::IntoIter<u64> = StackVec::<u64>::from([1, 2]).into_iter();
    assert_eq!(it.len(), 2);
    let mut v: StackVec<u64> = StackVec::from([1, 2, 3]);
    let d: stackfirst::Drain<'_, u64> = v.drain(1..);
    assert_eq!(d.collect::<Vec<_>>(), [2, 3]);
}
