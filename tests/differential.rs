//! Differential property test: random sequences of every mutating operation run on `StackVec`
//! and `std::vec::Vec` side by side, compared after every step, for several element types and
//! inline budgets. With `Tracked` elements, every value is accounted for at the end.

mod common;

use common::{Elem, LyingIter, Pair, Tracked};
use proptest::prelude::*;
use stackfirst::StackVec;

#[derive(Debug, Clone)]
enum Op {
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
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0usize..80;
    let small = proptest::collection::vec(any::<u8>(), 0..24);
    prop_oneof![
        6 => any::<u8>().prop_map(Op::Push),
        2 => Just(Op::Pop),
        2 => (idx.clone(), any::<u8>()).prop_map(|(i, v)| Op::Insert(i, v)),
        2 => idx.clone().prop_map(Op::Remove),
        1 => idx.clone().prop_map(Op::SwapRemove),
        1 => idx.clone().prop_map(Op::Truncate),
        1 => Just(Op::Clear),
        1 => (idx.clone(), any::<u8>()).prop_map(|(n, v)| Op::Resize(n, v)),
        1 => (idx.clone(), any::<u8>()).prop_map(|(n, v)| Op::ResizeWith(n, v)),
        2 => small.clone().prop_map(Op::ExtendFromSlice),
        2 => small.clone().prop_map(Op::Extend),
        2 => (small.clone(), 0usize..64, proptest::option::of(0usize..64))
            .prop_map(|(v, lo, hi)| Op::ExtendLying(v, lo, hi)),
        1 => small.clone().prop_map(Op::Append),
        1 => idx.clone().prop_map(Op::SplitOff),
        2 => (idx.clone(), idx.clone(), 0usize..8, 0usize..8).prop_map(|(a, b, k, j)| Op::Drain(a, b, k, j)),
        1 => (1u8..5).prop_map(Op::Retain),
        1 => (1u8..5).prop_map(Op::RetainMut),
        1 => Just(Op::Dedup),
        1 => (1u8..5).prop_map(Op::DedupByKey),
        1 => (0usize..70).prop_map(Op::Reserve),
        1 => (0usize..70).prop_map(Op::ReserveExact),
        1 => Just(Op::ShrinkToFit),
        1 => (0usize..70).prop_map(Op::ShrinkTo),
        1 => Just(Op::IntoHeapExact),
        1 => Just(Op::IntoBoxedSlice),
        1 => Just(Op::Clone),
        1 => (0usize..10).prop_map(Op::IntoIterPartial),
        1 => any::<u8>().prop_map(Op::SpareCapacityWrite),
        1 => small.prop_map(Op::FromIter),
    ]
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

fn run<T: Elem, const N: usize>(ops: &[Op]) {
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
                s.resize(n, T::make(x));
                v.resize(n, T::make(x));
            }
            Op::ResizeWith(n, x) => {
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
                s.retain(|x| x.key() % m != 0);
                v.retain(|x| x.key() % m != 0);
            }
            Op::RetainMut(m) => {
                s.retain_mut(|x| x.key() % m == 0);
                v.retain_mut(|x| x.key() % m == 0);
            }
            Op::Dedup => {
                s.dedup();
                v.dedup();
            }
            Op::DedupByKey(m) => {
                s.dedup_by_key(|x| x.key() / m);
                v.dedup_by_key(|x| x.key() / m);
            }
            Op::Reserve(n) => {
                s.reserve(n);
                v.reserve(n);
                assert!(s.capacity() >= len + n);
            }
            Op::ReserveExact(n) => {
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
            Op::FromIter(b) => {
                s = mk(&b).into_iter().collect();
                v = mk(&b);
            }
        }
        check(&s, &v);
    }
    drop(s);
    drop(v);
    assert_eq!(common::live(), 0, "a Tracked value leaked");
}

macro_rules! differential {
    ($($name:ident: $t:ty, $n:literal;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(ops in proptest::collection::vec(op(), 1..60)) {
                    run::<$t, $n>(&ops);
                }
            )*
        }
    };
}

differential! {
    u8_0: u8, 0; u8_8: u8, 8; u8_32: u8, 32; u8_64: u8, 64;
    u64_0: u64, 0; u64_8: u64, 8; u64_32: u64, 32; u64_64: u64, 64;
    pair_0: Pair, 0; pair_8: Pair, 8; pair_32: Pair, 32; pair_64: Pair, 64;
    zst_0: (), 0; zst_32: (), 32;
    tracked_0: Tracked, 0; tracked_8: Tracked, 8; tracked_32: Tracked, 32; tracked_64: Tracked, 64;
    string_0: String, 0; string_8: String, 8; string_32: String, 32; string_64: String, 64;
    aligned_0: common::Aligned, 0; aligned_64: common::Aligned, 64; aligned_256: common::Aligned, 256;
}
