//! A vector in every state it reaches: inline, spilled, shrunk back inline, emptied, adopted from
//! a `Vec` or a box, `NoHeap` with a 0 capacity word, zero-sized elements past the flag's bit,
//! in an arena frame or moved between allocators: `pop`, which tells inline from spilled by
//! `limit`'s flag rather than the tag's, compared with `Vec` in each. (From an adversarial
//! review; the moves' drops are in tests/adversarial.rs.)

use std::cell::Cell;
use std::fmt::Debug;

use stackfirst::allocator_api2::alloc::{Allocator, Global};
use stackfirst::{Arena, InlineVec, NoHeap, StackVec};

mod common;
use common::{live, Tracked};

/// Pops `v` empty alongside `model`, checking every popped value and the rest of the vector
/// after each pop; then pushes and pops again (the state must still be usable).
fn pop_all_like_vec<T, const N: usize, A>(v: &mut StackVec<T, N, A>, model: &mut Vec<T>)
where
    T: Clone + PartialEq + Debug,
    A: Allocator,
{
    assert_eq!(v.as_slice(), model.as_slice());
    loop {
        let (got, want) = (v.pop(), model.pop());
        assert_eq!(got, want);
        assert_eq!(v.as_slice(), model.as_slice());
        assert_eq!(v.len(), model.len());
        assert!(v.len() <= v.capacity());
        if want.is_none() {
            break;
        }
    }
    assert_eq!(v.pop(), None);
    assert!(v.is_empty());
}

/// Pushes `items` then pops them back, on both.
fn push_then_pop<T, const N: usize, A>(v: &mut StackVec<T, N, A>, items: &[T])
where
    T: Clone + PartialEq + Debug,
    A: Allocator,
{
    let mut model: Vec<T> = v.to_vec();
    for x in items {
        v.push(x.clone());
        model.push(x.clone());
    }
    pop_all_like_vec(v, &mut model);
}

fn u64s(n: u64) -> Vec<u64> {
    (0..n).map(|i| i * 0x0101_0101 + 7).collect()
}

#[test]
fn pop_inline_spilled_and_at_the_boundary() {
    for n in 0..12u64 {
        let items = u64s(n);
        let mut v: StackVec<u64> = StackVec::new();
        v.extend(items.iter().copied());
        assert_eq!(v.spilled(), n > 4, "n {n}");
        let mut model = items.clone();
        pop_all_like_vec(&mut v, &mut model);
        // The popped-empty vector is still spilled when it was: popping never moves back.
        assert_eq!(v.spilled(), n > 4);
        push_then_pop(&mut v, &u64s(9));
    }
}

#[test]
fn pop_interleaved_with_push_matches_vec() {
    let mut rng = common::Rng(0x9E37_79B9_7F4A_7C15);
    let mut v: StackVec<u32, 16> = StackVec::new();
    let mut model: Vec<u32> = Vec::new();
    for step in 0..4000 {
        match rng.below(7) {
            0..=2 => {
                let x = rng.next() as u32;
                v.push(x);
                model.push(x);
            }
            3 | 4 => assert_eq!(v.pop(), model.pop(), "step {step}"),
            5 => {
                if rng.below(8) == 0 {
                    v.shrink_to_fit();
                    model.shrink_to_fit();
                }
            }
            _ => {
                let k = rng.below(v.len() + 1);
                v.truncate(k);
                model.truncate(k);
            }
        }
        assert_eq!(v.as_slice(), model.as_slice(), "step {step}");
    }
}

#[test]
fn pop_after_shrink_to_fit_moved_back_inline() {
    for n in 0..=4u64 {
        let mut v: StackVec<u64> = StackVec::from_iter(u64s(20));
        assert!(v.spilled());
        v.truncate(n as usize);
        v.shrink_to_fit();
        assert!(!v.spilled(), "n {n}");
        let mut model = u64s(n);
        pop_all_like_vec(&mut v, &mut model);
        push_then_pop(&mut v, &u64s(7));
    }
    // shrink_to with a minimum that still fits inline.
    let mut v: StackVec<u64> = StackVec::with_capacity(40);
    v.extend(u64s(3));
    v.shrink_to(4);
    assert!(!v.spilled());
    pop_all_like_vec(&mut v, &mut u64s(3));
    // shrink_to that stays on the heap with a smaller block.
    let mut v: StackVec<u64> = StackVec::with_capacity(40);
    v.extend(u64s(6));
    v.shrink_to(8);
    assert!(v.spilled());
    pop_all_like_vec(&mut v, &mut u64s(6));
}

#[test]
fn pop_after_clear_split_off_append_and_take() {
    // clear on a spilled vector keeps the heap buffer.
    let mut v: StackVec<u64> = StackVec::from_iter(u64s(10));
    v.clear();
    assert!(v.spilled());
    assert_eq!(v.pop(), None);
    push_then_pop(&mut v, &u64s(12));

    // split_off: the front keeps its state, the back is inline or spilled by its length.
    for at in 0..=10 {
        let mut v: StackVec<u64> = StackVec::from_iter(u64s(10));
        let mut model = u64s(10);
        let mut back = v.split_off(at);
        let mut model_back = model.split_off(at);
        assert_eq!(back.spilled(), 10 - at > 4);
        pop_all_like_vec(&mut back, &mut model_back);
        pop_all_like_vec(&mut v, &mut model);
    }

    // append: from spilled into inline and from inline into spilled, other N and allocator.
    let mut a: StackVec<u64> = StackVec::from_iter(u64s(2));
    let bump = bumpalo::Bump::new();
    let mut b: StackVec<u64, 8, &bumpalo::Bump> = StackVec::from_iter_in(u64s(9), &bump);
    a.append(&mut b);
    assert!(b.spilled() && b.is_empty());
    assert_eq!(b.pop(), None);
    let mut model = u64s(2);
    model.extend(u64s(9));
    pop_all_like_vec(&mut a, &mut model);

    // mem::take leaves a `Default` vector; the taken one keeps its state.
    let mut v: StackVec<u64> = StackVec::from_iter(u64s(9));
    let mut taken = std::mem::take(&mut v);
    assert!(!v.spilled());
    assert_eq!(v.pop(), None);
    push_then_pop(&mut v, &u64s(6));
    pop_all_like_vec(&mut taken, &mut u64s(9));

    let mut d: StackVec<u8, 3> = StackVec::default();
    push_then_pop(&mut d, &[1, 2, 3, 4, 5]);
}

#[test]
fn pop_on_clones_conversions_and_capacity_constructors() {
    for n in [0u64, 1, 4, 5, 9] {
        let src: StackVec<u64> = StackVec::from_iter(u64s(n));
        let mut c = src.clone();
        pop_all_like_vec(&mut c, &mut u64s(n));
        let mut c2: StackVec<u64> = StackVec::new();
        c2.extend(u64s(13));
        c2.clone_from(&src);
        pop_all_like_vec(&mut c2, &mut u64s(n));

        // Adopted `Vec` buffers count as spilled even when their capacity fits inline.
        let mut from_vec: StackVec<u64> = StackVec::from(u64s(n));
        assert_eq!(from_vec.spilled(), n > 0);
        pop_all_like_vec(&mut from_vec, &mut u64s(n));
        let mut with_cap: Vec<u64> = Vec::with_capacity(2);
        with_cap.extend(u64s(n.min(2)));
        let mut adopted: StackVec<u64> = StackVec::from(with_cap);
        assert!(adopted.spilled());
        pop_all_like_vec(&mut adopted, &mut u64s(n.min(2)));
        push_then_pop(&mut adopted, &u64s(6));

        let mut boxed: StackVec<u64> = StackVec::from(u64s(n).into_boxed_slice());
        pop_all_like_vec(&mut boxed, &mut u64s(n));
    }
    for cap in [0usize, 3, 4, 5, 64] {
        let mut v: StackVec<u64> = StackVec::with_capacity(cap);
        assert_eq!(v.spilled(), cap > 4);
        assert_eq!(v.pop(), None);
        push_then_pop(&mut v, &u64s(10));
    }
    // into_flattened, spilled and inline.
    let arrays: StackVec<[u16; 2], 8> = StackVec::from([[1, 2], [3, 4], [5, 6]]);
    assert!(arrays.spilled());
    let mut flat: StackVec<u16, 8> = arrays.into_flattened();
    pop_all_like_vec(&mut flat, &mut vec![1, 2, 3, 4, 5, 6]);
    let arrays: StackVec<[u16; 2], 8> = StackVec::from([[1, 2], [3, 4]]);
    assert!(!arrays.spilled());
    let mut flat: StackVec<u16, 8> = arrays.into_flattened();
    pop_all_like_vec(&mut flat, &mut vec![1, 2, 3, 4]);
}

#[test]
fn pop_on_inline_vec_made_by_new_and_by_default() {
    // `InlineVec::new()` stores a 0 capacity word (`new_const`); `Default` stores the constant.
    let mut a: InlineVec<u64, 32> = InlineVec::new();
    assert_eq!(a.pop(), None);
    push_then_pop(&mut a, &u64s(4));
    let mut b: InlineVec<u64, 32> = InlineVec::default();
    push_then_pop(&mut b, &u64s(4));
    // A `static`'s copy.
    static EMPTY: InlineVec<u16, 8> = InlineVec::new();
    let mut c = EMPTY.clone();
    push_then_pop(&mut c, &[9, 8, 7, 6]);
    assert!(c.try_push(1).is_ok());
    assert_eq!(c.pop(), Some(1));
    // No inline room at all.
    let mut z: InlineVec<u64, 7> = InlineVec::new();
    assert_eq!(z.capacity(), 0);
    assert_eq!(z.pop(), None);
    assert!(z.try_push(1).is_err());
    assert_eq!(z.pop(), None);
    // Odd element size, byte-granular inline buffer.
    let mut d: InlineVec<[u8; 3], 10> = InlineVec::new();
    push_then_pop(&mut d, &[[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    // NoHeap built with new_in too.
    let mut e: StackVec<u32, 12, NoHeap> = StackVec::new_in(NoHeap);
    push_then_pop(&mut e, &[1, 2, 3]);
}

#[test]
fn pop_zero_sized_elements_up_to_huge_lengths() {
    let mut v: StackVec<(), 8> = StackVec::new();
    assert_eq!(v.pop(), None);
    v.extend(std::iter::repeat_n((), 100));
    let mut model = vec![(); 100];
    pop_all_like_vec(&mut v, &mut model);
    // A length with the top bit set (the spilled flag's bit for other types).
    // SAFETY: zero-sized values need no initialization; the capacity is `usize::MAX`.
    unsafe { v.set_len(usize::MAX - 1) };
    assert_eq!(v.pop(), Some(()));
    assert_eq!(v.len(), usize::MAX - 2);
    // SAFETY: as above.
    unsafe { v.set_len((1 << (usize::BITS - 1)) + 1) };
    assert_eq!(v.pop(), Some(()));
    assert_eq!(v.len(), 1 << (usize::BITS - 1));
    assert_eq!(v.pop(), Some(()));
    assert_eq!(v.len(), (1 << (usize::BITS - 1)) - 1);
    // SAFETY: as above.
    unsafe { v.set_len(0) };

    // InlineVec of a zero-sized type: `new_const` stores 0 in the capacity word.
    let mut z: InlineVec<(), 0> = InlineVec::new();
    assert_eq!(z.capacity(), usize::MAX);
    for _ in 0..1000 {
        z.push(());
    }
    let mut model = vec![(); 1000];
    pop_all_like_vec(&mut z, &mut model);

    // Zero-sized values with drop glue are dropped once each.
    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    #[derive(Debug, PartialEq)]
    struct Z;
    impl Drop for Z {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    let mut w: StackVec<Z, 0> = StackVec::new();
    for _ in 0..10 {
        w.push(Z);
    }
    for _ in 0..4 {
        assert_eq!(w.pop(), Some(Z));
    }
    assert_eq!(DROPS.with(Cell::get), 4 + 4); // 4 popped, 4 compared-against
    drop(w);
    assert_eq!(DROPS.with(Cell::get), 8 + 6);
}

#[test]
fn pop_in_arena_frames_bump_and_after_move_in() {
    let mut mem = [std::mem::MaybeUninit::uninit(); 1024];
    let mut arena = Arena::from_memory(&mut mem);
    arena.frame(|f| {
        let mut v: StackVec<u64, 16, _> = StackVec::from_iter_in(u64s(11), &f);
        assert!(v.spilled());
        pop_all_like_vec(&mut v, &mut u64s(11));
        push_then_pop(&mut v, &u64s(5));

        let w: StackVec<u64, 16, _> = StackVec::from_iter_in(u64s(7), &f);
        let mut moved = w.move_in(Global);
        assert!(moved.spilled());
        pop_all_like_vec(&mut moved, &mut u64s(7));

        let small: StackVec<u64, 16, _> = StackVec::from_iter_in(u64s(2), &f);
        let mut moved = small.move_in(Global);
        assert!(!moved.spilled());
        pop_all_like_vec(&mut moved, &mut u64s(2));

        // A spilled vector short enough to be inline in its new home.
        let mut s: StackVec<u64, 16, _> = StackVec::with_capacity_in(10, &f);
        s.extend(u64s(2));
        let mut moved = s.move_in(Global);
        assert!(!moved.spilled());
        pop_all_like_vec(&mut moved, &mut u64s(2));
    });
    let bump = bumpalo::Bump::new();
    let mut b: StackVec<u128, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
    let big: Vec<u128> = (0..9).map(|i| u128::MAX - i).collect();
    push_then_pop(&mut b, &big);
    let mut inline = b.clone().move_in(NoHeap);
    push_then_pop(&mut inline, &big[..2]);
}

#[test]
fn pop_after_drain_retain_extract_and_resize() {
    for n in [3u64, 6, 12] {
        let mut v: StackVec<u64> = StackVec::from_iter(u64s(n));
        let mut model = u64s(n);
        v.drain(1..2);
        model.drain(1..2);
        v.retain(|x| x % 3 != 0);
        model.retain(|x| x % 3 != 0);
        v.resize(v.len() + 2, 42);
        model.resize(model.len() + 2, 42);
        let _: Vec<u64> = v.extract_if(.., |x| *x == 42).collect();
        model.retain(|x| *x != 42);
        v.insert(0, 5);
        model.insert(0, 5);
        pop_all_like_vec(&mut v, &mut model);
    }
    let mut s: StackVec<u8, 4> = StackVec::from(*b"hello world");
    let mut model = b"hello world".to_vec();
    s.dedup();
    model.dedup();
    s.splice(0..3, *b"XY");
    model.splice(0..3, *b"XY");
    pop_all_like_vec(&mut s, &mut model);
}

#[test]
fn pop_drops_each_tracked_value_once() {
    for n in [0u64, 1, 2, 3, 4, 5, 20] {
        let mut v: StackVec<Tracked, 32> = StackVec::new();
        v.extend((0..n).map(Tracked::new));
        for k in (0..n).rev() {
            let t = v.pop().expect("an element");
            assert_eq!(t.value, k);
            drop(t);
            assert_eq!(live() as u64, k);
        }
        assert!(v.pop().is_none());
        assert_eq!(live(), 0);
    }
    let mut v: InlineVec<Tracked, 64> = InlineVec::new();
    v.extend((0..4).map(Tracked::new));
    assert_eq!(v.pop().map(|t| t.value), Some(3));
    drop(v);
    assert_eq!(live(), 0);
}
