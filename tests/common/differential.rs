//! The differential model of `StackVec` against `std::vec::Vec`: the same code runs as the
//! property tests (`tests/differential.rs`, proptest) and as the coverage-guided fuzz target
//! (`fuzz/fuzz_targets/stack_vec.rs`, libFuzzer).

use std::panic::{catch_unwind, AssertUnwindSafe};

use stackfirst::StackVec;

use super::{Elem, LyingIter};

/// The payload of the model's deliberate panics (from user closures and iterators).
pub struct Deliberate;

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
    Pop,
    Insert(usize, u8),
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
    /// Consume `k` from the owned iterator, clone it, collect the clone, drop the original.
    IntoIterPartial(usize),
    SpareCapacityWrite(u8),
    FromIter(Vec<u8>),
    /// `retain` whose closure panics on its `k`-th call (both vectors must agree afterwards).
    RetainPanicking(u8, usize),
    /// `extend` from an iterator that panics before its `k`-th item.
    ExtendPanicking(Vec<u8>, usize),
}

fn clamp(i: usize, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        i % (len + 1)
    }
}

fn check<T: Elem, const N: usize>(s: &StackVec<T, N>, v: &[T]) {
    assert_eq!(s.as_slice(), v);
    assert!(s.len() <= s.capacity());
    if !s.spilled() {
        assert_eq!(s.capacity(), StackVec::<T, N>::INLINE_CAPACITY);
    }
    assert_eq!(s.as_ptr() as usize % std::mem::align_of::<T>(), 0);
}

/// Runs `ops` on a `StackVec<T, N>` and a `Vec<T>` side by side, comparing after every step;
/// with `Tracked` elements, checks at the end that every value was dropped exactly once.
pub fn run<T: Elem, const N: usize>(ops: &[Op]) {
    quiet_deliberate_panics();
    let mut s: StackVec<T, N> = StackVec::new();
    let mut v: Vec<T> = Vec::new();
    let mk = |b: &[u8]| b.iter().map(|&x| T::make(x)).collect::<Vec<T>>();
    for op in ops {
        let len = v.len();
        match op.clone() {
            Op::Push(x) => {
                s.push(T::make(x));
                v.push(T::make(x));
            }
            Op::Pop => assert_eq!(s.pop(), v.pop()),
            Op::Insert(i, x) => {
                let i = clamp(i, len);
                s.insert(i, T::make(x));
                v.insert(i, T::make(x));
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
            Op::IntoHeapExact => {
                let was_spilled = s.spilled();
                let cap = s.capacity();
                let heap = std::mem::take(&mut s).into_heap_exact();
                if was_spilled {
                    assert_eq!(heap.capacity(), cap);
                } else if std::mem::size_of::<T>() != 0 {
                    assert_eq!(heap.capacity(), len);
                }
                s = StackVec::from(heap);
            }
            Op::IntoBoxedSlice => {
                let b = std::mem::take(&mut s).into_boxed_slice();
                assert_eq!(&*b, v.as_slice());
                s = StackVec::from(b.into_vec());
            }
            Op::Clone => {
                let c = s.clone();
                assert_eq!(c.spilled(), len > StackVec::<T, N>::INLINE_CAPACITY);
                s = c;
            }
            Op::IntoIterPartial(k) => {
                let k = k % 10;
                let mut it = std::mem::take(&mut s).into_iter();
                let mut itv = std::mem::take(&mut v).into_iter();
                for _ in 0..k {
                    assert_eq!(it.next(), itv.next());
                }
                let clone = it.clone();
                assert_eq!(clone.as_slice(), it.as_slice());
                drop(it);
                s = clone.collect();
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
                s = mk(&b).into_iter().collect();
                v = mk(&b);
            }
        }
        check(&s, &v);
    }
    drop(s);
    drop(v);
    assert_eq!(super::live(), 0, "a Tracked value leaked");
}
