//! The differential model of `StackVec` against `std::vec::Vec`: the same code runs as the
//! property tests (`tests/differential.rs`, proptest) and as the coverage-guided fuzz target
//! (`fuzz/fuzz_targets/stack_vec.rs`, libFuzzer).

// The model compares with std methods newer than the crate's MSRV (`extract_if`, `pop_if`); the
// library itself does not use them.
#![allow(clippy::incompatible_msrv)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use allocator_api2::alloc::{Allocator, Global};
use stackfirst::{Arena, Frame, StackVec};

use super::backing::TestBacking;
use super::model_alloc::ModelAlloc;
use super::{panic_on_clone, panic_on_drop, Deliberate, Elem, LyingIter};

/// Keeps deliberate panics quiet (and, under libFuzzer, from being reported as crashes); every
/// other panic goes to the hook that was there before.
pub fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Deliberate>() {
                previous(info)
            }
        }));
    });
}

/// One step of the differential model. Every field is taken modulo a small bound by [`run`], so
/// any value (a proptest strategy's or a fuzzer's) is a valid step.
#[derive(Debug, Clone)]
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
pub enum Op {
    Push(u8),
    /// `push_mut`, then a write through the returned reference.
    PushMut(u8),
    Pop,
    Insert(usize, u8),
    /// `insert_mut`, then a write through the returned reference.
    InsertMut(usize, u8),
    Remove(usize),
    SwapRemove(usize),
    Truncate(usize),
    Clear,
    Resize(usize, u8),
    ResizeWith(usize, u8),
    ExtendFromSlice(Vec<u8>),
    Extend(Vec<u8>),
    /// Extend from an iterator whose `size_hint` claims `(lo, hi)`.
    ExtendLying(Vec<u8>, usize, Option<usize>),
    Append(Vec<u8>),
    SplitOff(usize),
    /// Drain `a..b`, take `k` from the front and `j` from the back, drop the rest.
    Drain(usize, usize, usize, usize),
    Retain(u8),
    RetainMut(u8),
    Dedup,
    DedupByKey(u8),
    Reserve(usize),
    ReserveExact(usize),
    ShrinkToFit,
    ShrinkTo(usize),
    /// `into_heap_exact`, then back with `From<Vec>`.
    IntoHeapExact,
    IntoBoxedSlice,
    Clone,
    /// Consume `k % 10` from the owned iterator, clone it, collect the clone; the original is
    /// dropped or consumed by `last` or `rev().last()` (`k / 10 % 3`).
    IntoIterPartial(usize),
    SpareCapacityWrite(u8),
    FromIter(Vec<u8>),
    /// `collect` from an iterator claiming `(lo, hi)`, whose `k`-th item panics (never if
    /// `k` is 0): the in-line fill, the growth by value and the out-of-line large collect.
    Collect(Vec<u8>, usize, Option<usize>, usize),
    /// `retain` whose closure panics on its `k`-th call (both vectors must agree afterwards).
    RetainPanicking(u8, usize),
    /// `extend` from an iterator that panics before its `k`-th item.
    ExtendPanicking(Vec<u8>, usize),
    /// `splice(a..b, items)` from an iterator claiming `hint`; take `k % 8` removed ones, then
    /// drop it or consume it by `last` or `rev().last()` (`k / 8 % 3`).
    Splice(usize, usize, Vec<u8>, Option<(usize, Option<usize>)>, usize),
    /// `splice(a..b, items)` whose items panic before the `k`-th, and whose `j`-th drop panics.
    SplicePanicking(usize, usize, Vec<u8>, usize, usize),
    /// `extract_if(a..b, key % m == 0)`: take `k`, drop the iterator.
    ExtractIf(usize, usize, u8, usize),
    /// `extract_if(a..b, ...)` whose filter panics on its `k`-th call.
    ExtractIfPanicking(usize, usize, u8, usize),
    PopIf(u8),
    ExtendFromWithin(usize, usize),
    TryPush(u8),
    TryInsert(usize, u8),
    TryExtendFromSlice(Vec<u8>),
    /// `try_extend` from an iterator claiming `(lo, hi)`.
    TryExtend(Vec<u8>, usize, Option<usize>),
    TryResize(usize, u8),
    PushWithinCapacity(u8),
    /// Through `[T; 3]`, or a std type the allocator allows (`Vec<T>`, `Box<[T]>`, `Rc<[T]>`,
    /// `Arc<[T]>`, `Cow`, `VecDeque`), and back.
    Convert(u8),
    /// `move_in` another allocator type and back, `clone_in`, `from_iter_in`.
    Reallocate(Vec<u8>),
    /// Pairs up the elements (dropping an odd last one) and flattens them again.
    Flatten,
    /// `clone_from` a vector of these items whose `k`-th clone panics (never if `k` is 0; only
    /// `Tracked` clones can): `Vec`'s algorithm, and the buffer kept when the items fit it.
    CloneFrom(Vec<u8>, usize),
}

fn clamp(i: usize, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        i % (len + 1)
    }
}

fn check<T: Elem, const N: usize, A: Allocator>(s: &StackVec<T, N, A>, v: &[T]) {
    assert_eq!(s.as_slice(), v);
    assert!(s.len() <= s.capacity());
    if !s.spilled() {
        assert_eq!(s.capacity(), StackVec::<T, N>::INLINE_CAPACITY);
    }
    assert_eq!(s.as_ptr() as usize % std::mem::align_of::<T>(), 0);
}

/// Runs `ops` on a `StackVec<T, N, A>` spilling into `alloc` and a `Vec<T>` side by side,
/// comparing after every step; with `Tracked` elements, checks at the end that every value was
/// dropped exactly once.
pub fn run<T: Elem, const N: usize, A: ModelAlloc>(ops: &[Op], alloc: A) {
    quiet_deliberate_panics();
    let take = |s: &mut StackVec<T, N, A>| std::mem::replace(s, StackVec::new_in(alloc.clone()));
    let mut s = StackVec::<T, N, A>::new_in(alloc.clone());
    let mut v: Vec<T> = Vec::new();
    let mk = |b: &[u8]| b.iter().map(|&x| T::make(x)).collect::<Vec<T>>();
    for op in ops {
        let len = v.len();
        match op.clone() {
            Op::Push(x) => {
                s.push(T::make(x));
                v.push(T::make(x));
            }
            Op::PushMut(x) => {
                let (a, b) = (s.push_mut(T::make(x)), v.push_mut(T::make(x)));
                assert_eq!(a, b);
                (*a, *b) = (T::make(!x), T::make(!x));
            }
            Op::Pop => assert_eq!(s.pop(), v.pop()),
            Op::Insert(i, x) => {
                let i = clamp(i, len);
                s.insert(i, T::make(x));
                v.insert(i, T::make(x));
            }
            Op::InsertMut(i, x) => {
                let i = clamp(i, len);
                let (a, b) = (s.insert_mut(i, T::make(x)), v.insert_mut(i, T::make(x)));
                assert_eq!(a, b);
                (*a, *b) = (T::make(!x), T::make(!x));
            }
            Op::Remove(i) if len > 0 => assert_eq!(s.remove(i % len), v.remove(i % len)),
            Op::SwapRemove(i) if len > 0 => {
                assert_eq!(s.swap_remove(i % len), v.swap_remove(i % len))
            }
            Op::Remove(_) | Op::SwapRemove(_) => {}
            Op::Truncate(n) => {
                s.truncate(n);
                v.truncate(n);
            }
            Op::Clear => {
                s.clear();
                v.clear();
            }
            Op::Resize(n, x) => {
                let n = n % 80;
                s.resize(n, T::make(x));
                v.resize(n, T::make(x));
            }
            Op::ResizeWith(n, x) => {
                let n = n % 80;
                s.resize_with(n, || T::make(x));
                v.resize_with(n, || T::make(x));
            }
            Op::ExtendFromSlice(b) => {
                let items = mk(&b);
                s.extend_from_slice(&items);
                v.extend_from_slice(&items);
            }
            Op::Extend(b) => {
                s.extend(mk(&b));
                v.extend(mk(&b));
            }
            Op::ExtendLying(b, lo, hi) => {
                // std's Vec would try to reserve an absurd hint (and abort): keep it small.
                let (lo, hi) = (lo % 64, hi.map(|h| h % 64));
                s.extend(LyingIter {
                    inner: mk(&b).into_iter(),
                    hint: (lo, hi),
                });
                v.extend(LyingIter {
                    inner: mk(&b).into_iter(),
                    hint: (lo, hi),
                });
            }
            Op::Append(b) => {
                let mut other: StackVec<T, 16> = mk(&b).into_iter().collect();
                let mut other_v = mk(&b);
                s.append(&mut other);
                v.append(&mut other_v);
                assert!(other.is_empty());
            }
            Op::SplitOff(i) => {
                let i = clamp(i, len);
                let a = s.split_off(i);
                let b = v.split_off(i);
                assert_eq!(a.as_slice(), b.as_slice());
                if b.len() <= StackVec::<T, N>::INLINE_CAPACITY {
                    assert!(!a.spilled());
                }
            }
            Op::Drain(a, b, k, j) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let (k, j) = (k % 8, j % 8);
                let mut ds = s.drain(a..b);
                let mut dv = v.drain(a..b);
                assert_eq!(ds.len(), dv.len());
                for _ in 0..k {
                    assert_eq!(ds.next(), dv.next());
                }
                for _ in 0..j {
                    assert_eq!(ds.next_back(), dv.next_back());
                }
                assert_eq!(ds.as_slice(), dv.as_slice());
            }
            Op::Retain(m) => {
                let m = 1 + m % 4;
                s.retain(|x| x.key() % m != 0);
                v.retain(|x| x.key() % m != 0);
            }
            Op::RetainMut(m) => {
                let m = 1 + m % 4;
                s.retain_mut(|x| x.key() % m == 0);
                v.retain_mut(|x| x.key() % m == 0);
            }
            Op::Dedup => {
                s.dedup();
                v.dedup();
            }
            Op::DedupByKey(m) => {
                let m = 1 + m % 4;
                s.dedup_by_key(|x| x.key() / m);
                v.dedup_by_key(|x| x.key() / m);
            }
            Op::Reserve(n) => {
                let n = n % 70;
                s.reserve(n);
                v.reserve(n);
                assert!(s.capacity() >= len + n);
            }
            Op::ReserveExact(n) => {
                let n = n % 70;
                let spilled_before = s.spilled();
                let cap_before = s.capacity();
                s.reserve_exact(n);
                v.reserve_exact(n);
                if cap_before < len + n {
                    assert_eq!(s.capacity(), len + n);
                } else {
                    assert_eq!((s.spilled(), s.capacity()), (spilled_before, cap_before));
                }
            }
            Op::ShrinkToFit => {
                s.shrink_to_fit();
                v.shrink_to_fit();
                if len <= StackVec::<T, N>::INLINE_CAPACITY {
                    assert!(!s.spilled());
                } else {
                    assert_eq!(s.capacity(), len);
                }
            }
            Op::ShrinkTo(n) => {
                let n = n % 70;
                let cap_before = s.capacity();
                s.shrink_to(n);
                v.shrink_to(n);
                let target = len.max(n);
                if target <= StackVec::<T, N>::INLINE_CAPACITY {
                    assert!(!s.spilled());
                } else {
                    assert_eq!(s.capacity(), target.min(cap_before));
                }
            }
            Op::IntoHeapExact => s = A::escape_vec(take(&mut s)),
            Op::IntoBoxedSlice => s = A::boxed_vec(take(&mut s)),
            Op::Clone => {
                let c = s.clone();
                assert_eq!(c.spilled(), len > StackVec::<T, N>::INLINE_CAPACITY);
                s = c;
            }
            Op::IntoIterPartial(k) => {
                let mut it = take(&mut s).into_iter();
                let mut itv = std::mem::take(&mut v).into_iter();
                for _ in 0..k % 10 {
                    assert_eq!(it.next(), itv.next());
                }
                let clone = it.clone();
                assert_eq!(clone.as_slice(), it.as_slice());
                // Dropped, or consumed by `fold` (`last`) or `rfold` (`rev().last()`).
                match k / 10 % 3 {
                    0 => drop(it),
                    1 => assert_eq!(it.last(), itv.clone().last()),
                    _ => assert_eq!(it.rev().last(), itv.clone().rev().last()),
                }
                s = StackVec::from_iter_in(clone, alloc.clone());
                v = itv.collect();
            }
            Op::SpareCapacityWrite(x) => {
                if let Some(slot) = s.spare_capacity_mut().first_mut() {
                    slot.write(T::make(x));
                    // SAFETY: the first spare slot was just written.
                    unsafe { s.set_len(len + 1) };
                    v.push(T::make(x));
                }
            }
            Op::RetainPanicking(m, k) => {
                let m = 1 + m % 4;
                let k = k % (len + 1);
                let retain = |calls: &mut usize, x: &T| {
                    *calls += 1;
                    if *calls == k {
                        std::panic::panic_any(Deliberate);
                    }
                    x.key() % m != 0
                };
                let (mut cs, mut cv) = (0, 0);
                let rs = catch_unwind(AssertUnwindSafe(|| s.retain(|x| retain(&mut cs, x))));
                let rv = catch_unwind(AssertUnwindSafe(|| v.retain(|x| retain(&mut cv, x))));
                assert_eq!(rs.is_err(), rv.is_err());
            }
            Op::ExtendPanicking(b, k) => {
                let items = mk(&b);
                let k = k % (items.len() + 1);
                let iter = |items: Vec<T>| {
                    items.into_iter().enumerate().map(move |(i, x)| {
                        if i + 1 == k {
                            std::panic::panic_any(Deliberate);
                        }
                        x
                    })
                };
                let rs = catch_unwind(AssertUnwindSafe(|| s.extend(iter(items.clone()))));
                let rv = catch_unwind(AssertUnwindSafe(|| v.extend(iter(items))));
                assert_eq!(rs.is_err(), rv.is_err());
            }
            Op::FromIter(b) => {
                s = StackVec::from_iter_in(mk(&b), alloc.clone());
                v = mk(&b);
            }
            Op::Collect(b, lo, hi, k) => {
                let items = mk(&b);
                let k = k % (items.len() + 2);
                let lying = |items: Vec<T>| LyingIter {
                    inner: items.into_iter().enumerate().map(move |(i, x)| {
                        if i + 1 == k {
                            std::panic::panic_any(Deliberate);
                        }
                        x
                    }),
                    hint: (lo % 64, hi.map(|h| h % 64)),
                };
                let rs = catch_unwind(AssertUnwindSafe(|| {
                    StackVec::<T, N, A>::from_iter_in(lying(items.clone()), alloc.clone())
                }));
                let rv = catch_unwind(AssertUnwindSafe(|| lying(items).collect::<Vec<T>>()));
                match (rs, rv) {
                    (Ok(a), Ok(b)) => {
                        check(&a, &b);
                        (s, v) = (a, b);
                    }
                    (a, b) => assert!(a.is_err() && b.is_err(), "one collect panicked"),
                }
            }
            Op::Splice(a, b, items, hint, k) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let hint = hint.map_or((0, None), |(lo, hi)| (lo % 64, hi.map(|h| h % 64)));
                let lying = |items: Vec<T>| LyingIter {
                    inner: items.into_iter(),
                    hint,
                };
                let mut ss = s.splice(a..b, lying(mk(&items)));
                let mut sv = v.splice(a..b, lying(mk(&items)));
                assert_eq!(ss.len(), sv.len());
                for _ in 0..k % 8 {
                    assert_eq!(ss.next(), sv.next());
                }
                // Dropped, or consumed by `fold` (`last`) or `rfold` (`rev().last()`).
                match k / 8 % 3 {
                    0 => {}
                    1 => assert_eq!(ss.last(), sv.last()),
                    _ => assert_eq!(ss.rev().last(), sv.rev().last()),
                }
            }
            Op::SplicePanicking(a, b, items, k, j) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let k = k % (items.len() + 2);
                let j = j % (b - a + 2);
                // Exact size hints: std then writes every item before pulling the next, as we do.
                let iter = |items: Vec<T>| {
                    items.into_iter().enumerate().map(move |(i, x)| {
                        if i + 1 == k {
                            std::panic::panic_any(Deliberate);
                        }
                        x
                    })
                };
                let splice_s = || drop(s.splice(a..b, iter(mk(&items))));
                let splice_v = || drop(v.splice(a..b, iter(mk(&items))));
                panic_on_drop(j);
                let rs = catch_unwind(AssertUnwindSafe(splice_s));
                panic_on_drop(j);
                let rv = catch_unwind(AssertUnwindSafe(splice_v));
                panic_on_drop(0);
                assert_eq!(rs.is_err(), rv.is_err());
            }
            Op::ExtractIf(a, b, m, k) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let m = 1 + m % 4;
                let mut es = s.extract_if(a..b, |x| x.key() % m == 0);
                let mut ev = v.extract_if(a..b, |x| x.key() % m == 0);
                for _ in 0..k % 8 {
                    assert_eq!(es.next(), ev.next());
                }
            }
            Op::ExtractIfPanicking(a, b, m, k) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let m = 1 + m % 4;
                let k = k % (b - a + 2);
                let filter = |calls: &mut usize, x: &mut T| {
                    *calls += 1;
                    if *calls == k {
                        std::panic::panic_any(Deliberate);
                    }
                    x.key() % m == 0
                };
                let (mut cs, mut cv) = (0, 0);
                let (mut out_s, mut out_v) = (Vec::new(), Vec::new());
                let rs = catch_unwind(AssertUnwindSafe(|| {
                    out_s.extend(s.extract_if(a..b, |x| filter(&mut cs, x)))
                }));
                let rv = catch_unwind(AssertUnwindSafe(|| {
                    out_v.extend(v.extract_if(a..b, |x| filter(&mut cv, x)))
                }));
                assert_eq!(rs.is_err(), rv.is_err());
                assert_eq!(out_s, out_v);
            }
            Op::PopIf(m) => {
                let m = 1 + m % 4;
                assert_eq!(
                    s.pop_if(|x| x.key() % m == 0),
                    v.pop_if(|x| x.key() % m == 0)
                );
            }
            Op::ExtendFromWithin(a, b) => {
                let (a, b) = (clamp(a, len), clamp(b, len));
                let (a, b) = (a.min(b), a.max(b));
                s.extend_from_within(a..b);
                v.extend_from_within(a..b);
            }
            Op::TryPush(x) => {
                s.try_push(T::make(x)).unwrap();
                v.push(T::make(x));
            }
            Op::TryInsert(i, x) => {
                let i = clamp(i, len);
                s.try_insert(i, T::make(x)).unwrap();
                v.insert(i, T::make(x));
            }
            Op::TryExtendFromSlice(b) => {
                let items = mk(&b);
                s.try_extend_from_slice(&items).unwrap();
                v.extend_from_slice(&items);
            }
            Op::TryExtend(b, lo, hi) => {
                let (lo, hi) = (lo % 64, hi.map(|h| h % 64));
                let items = LyingIter {
                    inner: mk(&b).into_iter(),
                    hint: (lo, hi),
                };
                assert!(s.try_extend(items).is_ok());
                v.extend(mk(&b));
            }
            Op::TryResize(n, x) => {
                let n = n % 80;
                s.try_resize(n, T::make(x)).unwrap();
                v.resize(n, T::make(x));
            }
            Op::PushWithinCapacity(x) => {
                let full = s.is_full();
                assert_eq!(s.remaining_capacity(), s.capacity() - len);
                match s.push_within_capacity(T::make(x)) {
                    Ok(()) => {
                        assert!(!full, "pushed past the capacity");
                        v.push(T::make(x));
                    }
                    Err(back) => assert!(full && back == T::make(x)),
                }
            }
            Op::Convert(how) => {
                let taken = take(&mut s);
                s = match how % 8 {
                    7 => match (<[T; 3]>::try_from(taken), <[T; 3]>::try_from(v.clone())) {
                        (Ok(a), Ok(b)) => {
                            assert_eq!(a, b);
                            StackVec::from_iter_in(a, alloc.clone())
                        }
                        (Err(back), Err(_)) => back,
                        _ => panic!("TryFrom<StackVec> for [T; 3] disagrees with Vec's"),
                    },
                    _ => A::convert_vec(taken, how),
                };
            }
            Op::Reallocate(b) => {
                let moved: StackVec<T, N, &Global> = take(&mut s).move_in(&Global);
                assert_eq!(moved.spilled(), len > StackVec::<T, N>::INLINE_CAPACITY);
                let cloned: StackVec<T, N, &Global> = moved.clone_in(&Global);
                assert_eq!(cloned, moved);
                s = moved.move_in(alloc.clone());
                s.extend(StackVec::<T, 8, &Global>::from_iter_in(mk(&b), &Global));
                v.extend(mk(&b));
            }
            Op::Flatten => {
                let pairs = |x: &[T]| {
                    x.chunks_exact(2)
                        .map(|c| [c[0].clone(), c[1].clone()])
                        .collect::<Vec<_>>()
                };
                let ps = StackVec::<[T; 2], N, A>::from_iter_in(pairs(&s), alloc.clone());
                s = ps.into_flattened();
                v = pairs(&v).into_flattened();
            }
            Op::CloneFrom(b, k) => {
                let source = StackVec::<T, N, A>::from_iter_in(mk(&b), alloc.clone());
                let (cap, buffer) = (s.capacity(), s.as_ptr());
                panic_on_clone(k % 8);
                let rs = catch_unwind(AssertUnwindSafe(|| s.clone_from(&source)));
                panic_on_clone(k % 8);
                let rv = catch_unwind(AssertUnwindSafe(|| v.clone_from(&mk(&b))));
                panic_on_clone(0);
                assert_eq!(rs.is_err(), rv.is_err());
                if b.len() <= cap {
                    assert_eq!((s.capacity(), s.as_ptr()), (cap, buffer));
                }
            }
        }
        check(&s, &v);
    }
    drop(s);
    drop(v);
    assert_eq!(super::live(), 0, "a Tracked value leaked");
}

/// The model with each allocator: the global heap, a [`TestBacking`] (no leak, no layout
/// mismatch; its `grow` and `shrink` are the trait's, which allocate, copy and free), and a
/// frame of a growing arena (growth in place at the tip, chunk changes, shrinking in place).
pub fn run_all<T: Elem, const N: usize>(ops: &[Op]) {
    run::<T, N, Global>(ops, Global);
    let ledger = TestBacking::any_size();
    run::<T, N, &TestBacking>(ops, &ledger);
    assert_eq!(ledger.live_blocks(), 0, "a block leaked");
    let mut arena = Arena::new();
    arena.frame(|f| run::<T, N, &Frame>(ops, &f));
    assert_eq!(arena.used(), 0);
}
