//! Differential property test of `InlineVec` (the `NoHeap` vector) against a `Vec` held to the
//! same capacity. An operation that fits must do what `Vec`'s does; one that does not must fail
//! as documented: the `try_` methods return an error and leave the vector unchanged, the others
//! panic with "capacity exceeded" (`push`, `insert`, `extend_from_slice`, `resize` and `reserve`
//! before changing anything; `extend` after appending what fits). Vectors made by `new()` (whose
//! capacity word is zero: src/raw.rs, invariant 2), by `Default`, by `clone` and by `collect`
//! run the same sequences, and every capacity query is checked after every step.

mod common;

use common::{caught, panic_location, panic_message};
use proptest::prelude::*;
use stackfirst::{InlineString, InlineVec, NoHeap, TryReserveErrorKind};
use std::borrow::Cow;

/// Six `u16`s.
type V = InlineVec<u16, 12>;
const CAP: usize = 6;

#[derive(Clone, Debug)]
enum Op {
    Push(u16),
    TryPush(u16),
    PushWithinCapacity(u16),
    Insert(usize, u16),
    TryInsert(usize, u16),
    Extend(Vec<u16>),
    ExtendFromSlice(Vec<u16>),
    TryExtendFromSlice(Vec<u16>),
    Resize(usize, u16),
    TryResize(usize, u16),
    Reserve(usize),
    TryReserve(usize),
    Pop,
    Remove(usize),
    Truncate(usize),
    Retain(u16),
    Drain(usize, usize),
    SplitOff(usize),
    SpareWrite(u16),
    ShrinkToFit,
    Clear,
    Clone,
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    let items = proptest::collection::vec(any::<u16>(), 0..9);
    prop_oneof![
        3 => any::<u16>().prop_map(Op::Push),
        2 => any::<u16>().prop_map(Op::TryPush),
        1 => any::<u16>().prop_map(Op::PushWithinCapacity),
        1 => (0usize..8, any::<u16>()).prop_map(|(i, x)| Op::Insert(i, x)),
        1 => (0usize..8, any::<u16>()).prop_map(|(i, x)| Op::TryInsert(i, x)),
        1 => items.clone().prop_map(Op::Extend),
        1 => items.clone().prop_map(Op::ExtendFromSlice),
        1 => items.prop_map(Op::TryExtendFromSlice),
        1 => (0usize..9, any::<u16>()).prop_map(|(n, x)| Op::Resize(n, x)),
        1 => (0usize..9, any::<u16>()).prop_map(|(n, x)| Op::TryResize(n, x)),
        1 => (0usize..9).prop_map(Op::Reserve),
        1 => (0usize..9).prop_map(Op::TryReserve),
        2 => Just(Op::Pop),
        1 => (0usize..8).prop_map(Op::Remove),
        1 => (0usize..8).prop_map(Op::Truncate),
        1 => (1u16..4).prop_map(Op::Retain),
        1 => (0usize..8, 0usize..8).prop_map(|(a, b)| Op::Drain(a, b)),
        1 => (0usize..8).prop_map(Op::SplitOff),
        1 => any::<u16>().prop_map(Op::SpareWrite),
        1 => Just(Op::ShrinkToFit),
        1 => Just(Op::Clear),
        1 => Just(Op::Clone),
        1 => Just(Op::Collect),
    ]
}

/// Runs `f`, which must panic with "capacity exceeded".
fn exceeds(f: impl FnOnce()) {
    let payload = caught(f).expect_err("expected a panic");
    assert_eq!(panic_message(&*payload), "capacity exceeded");
}

/// A full vector's `push` panics at the caller's line (`#[track_caller]` down to the panic), as
/// `insert`'s and `extend_from_slice`'s do: without a backtrace (a firmware), the location is
/// all the user gets. (Found by an embedded review: it named a line of `src/raw.rs`; a string's
/// `extend` named its own closure's line.)
#[test]
fn a_full_push_panics_at_the_callers_line() {
    let full = || V::from_iter(0..CAP as u16);
    let here = |line: u32| (file!().to_string(), line);
    assert_eq!(panic_location(|| full().push(1)), here(line!()));
    assert_eq!(panic_location(|| *full().push_mut(1) = 2), here(line!()));
    assert_eq!(panic_location(|| full().insert(0, 1)), here(line!()));
    let mut s = InlineString::<2>::from("ab");
    assert_eq!(panic_location(|| s.push('c')), here(line!()));
    assert_eq!(panic_location(|| s.push('é')), here(line!()));
    assert_eq!(panic_location(|| s.extend(['c'])), here(line!()));
    assert_eq!(panic_location(|| s.extend(["c"])), here(line!()));
    let c = || String::from("c");
    assert_eq!(panic_location(|| s.extend([c()])), here(line!()));
    let boxed = || Box::<str>::from(c());
    assert_eq!(panic_location(|| s.extend([boxed()])), here(line!()));
    assert_eq!(panic_location(|| s.extend([Cow::from(c())])), here(line!()));
}

fn check(v: &V, model: &[u16]) {
    assert_eq!(v.as_slice(), model);
    assert_eq!(v.capacity(), CAP);
    assert_eq!(v.remaining_capacity(), CAP - model.len());
    assert_eq!(v.is_full(), model.len() == CAP);
    assert!(!v.spilled());
}

fn run(mut v: V, ops: &[Op]) {
    let mut m: Vec<u16> = v.to_vec();
    check(&v, &m);
    for op in ops {
        let len = m.len();
        match op.clone() {
            Op::Push(x) if len < CAP => {
                v.push(x);
                m.push(x);
            }
            Op::Push(x) => exceeds(|| v.push(x)),
            Op::TryPush(x) => match v.try_push(x) {
                Ok(()) if len < CAP => m.push(x),
                Ok(()) => panic!("try_push past the capacity"),
                Err(e) => {
                    assert_eq!(e.error().kind(), TryReserveErrorKind::CapacityExceeded);
                    assert_eq!((len, e.into_value()), (CAP, x));
                }
            },
            Op::PushWithinCapacity(x) => match v.push_within_capacity(x) {
                Ok(()) if len < CAP => m.push(x),
                Ok(()) => panic!("push_within_capacity past the capacity"),
                Err(back) => assert_eq!((len, back), (CAP, x)),
            },
            Op::Insert(i, x) => {
                let i = i.min(len);
                if len < CAP {
                    v.insert(i, x);
                    m.insert(i, x);
                } else {
                    exceeds(|| v.insert(i, x));
                }
            }
            Op::TryInsert(i, x) => {
                let i = i.min(len);
                match v.try_insert(i, x) {
                    Ok(()) => m.insert(i, x),
                    Err(e) => assert_eq!((len, e.into_value()), (CAP, x)),
                }
            }
            Op::Extend(items) if len + items.len() <= CAP => {
                v.extend(items.iter().copied());
                m.extend(&items);
            }
            Op::Extend(items) => {
                exceeds(|| v.extend(items.iter().copied()));
                m.extend(&items[..CAP - len]);
            }
            Op::ExtendFromSlice(items) if len + items.len() <= CAP => {
                v.extend_from_slice(&items);
                m.extend(&items);
            }
            Op::ExtendFromSlice(items) => exceeds(|| v.extend_from_slice(&items)),
            Op::TryExtendFromSlice(items) => match v.try_extend_from_slice(&items) {
                Ok(()) => m.extend(&items),
                Err(e) => {
                    assert!(len + items.len() > CAP);
                    assert_eq!(e.kind(), TryReserveErrorKind::CapacityExceeded);
                }
            },
            Op::Resize(n, x) if n <= CAP => {
                v.resize(n, x);
                m.resize(n, x);
            }
            Op::Resize(n, x) => exceeds(|| v.resize(n, x)),
            Op::TryResize(n, x) => match v.try_resize(n, x) {
                Ok(()) => m.resize(n, x),
                Err(e) => {
                    assert!(n > CAP);
                    assert_eq!(e.kind(), TryReserveErrorKind::CapacityExceeded);
                }
            },
            Op::Reserve(n) if len + n <= CAP => v.reserve(n),
            Op::Reserve(n) => exceeds(|| v.reserve(n)),
            Op::TryReserve(n) => match v.try_reserve(n) {
                Ok(()) => assert!(len + n <= CAP),
                Err(e) => {
                    assert!(len + n > CAP);
                    assert_eq!(e.kind(), TryReserveErrorKind::CapacityExceeded);
                }
            },
            Op::Pop => assert_eq!(v.pop(), m.pop()),
            Op::Remove(i) if i < len => assert_eq!(v.remove(i), m.remove(i)),
            Op::Remove(_) => {}
            Op::Truncate(n) => {
                v.truncate(n);
                m.truncate(n);
            }
            Op::Retain(k) => {
                v.retain(|x| x % k == 0);
                m.retain(|x| x % k == 0);
            }
            Op::Drain(a, b) => {
                let (a, b) = (a.min(len), b.min(len));
                let (a, b) = (a.min(b), a.max(b));
                assert!(v.drain(a..b).eq(m.drain(a..b)));
            }
            Op::SplitOff(at) if at <= len => {
                let tail = v.split_off(at);
                assert_eq!(tail.as_slice(), m.split_off(at));
                check(&tail, tail.as_slice());
            }
            Op::SplitOff(_) => {}
            Op::SpareWrite(x) => {
                let spare = v.spare_capacity_mut();
                assert_eq!(spare.len(), CAP - len);
                if let Some(slot) = spare.first_mut() {
                    slot.write(x);
                    // SAFETY: slot `len` is inside the capacity and was just initialized.
                    unsafe { v.set_len(len + 1) };
                    m.push(x);
                }
            }
            Op::ShrinkToFit => v.shrink_to_fit(),
            Op::Clear => {
                v.clear();
                m.clear();
            }
            Op::Clone => v = v.clone(),
            Op::Collect => v = v.iter().copied().collect(),
        }
        check(&v, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn made_by_new(ops in proptest::collection::vec(op(), 1..60)) {
        run(V::new(), &ops);
    }

    #[test]
    fn made_by_default(ops in proptest::collection::vec(op(), 1..60)) {
        run(V::default(), &ops);
    }

    #[test]
    fn made_by_a_static(ops in proptest::collection::vec(op(), 1..60)) {
        // Taken out of the static as it was made there (a clone would be made anew).
        static LOG: std::sync::Mutex<V> = std::sync::Mutex::new(V::new());
        let v = std::mem::replace(&mut *LOG.lock().unwrap(), V::new());
        run(v, &ops);
    }

    #[test]
    fn made_by_collect(start in proptest::collection::vec(any::<u16>(), 0..=CAP),
                       ops in proptest::collection::vec(op(), 1..60)) {
        run(start.iter().copied().collect(), &ops);
    }
}

/// `InlineString::new()` shares the vector's zero capacity word: its capacity, its room and its
/// refusals are those of its budget.
#[test]
fn inline_string_new_knows_its_capacity() {
    const EMPTY: InlineString<8> = InlineString::new();
    let mut s = EMPTY;
    assert_eq!((s.capacity(), s.len()), (8, 0));
    s.push_str("1234567");
    assert!(s.try_push_str("89").is_err());
    assert_eq!(s.as_str(), "1234567");
    s.push('8');
    assert!(s.try_push('9').is_err());
    assert_eq!((s.as_str(), s.capacity()), ("12345678", 8));
}

/// A full `InlineVec` of zero-sized elements (length `usize::MAX`) reports the same failure
/// through every way of adding one: a capacity overflow, as `Vec` does. `push` alone said
/// "capacity exceeded" (found by adversarial review).
#[test]
fn zero_sized_full_fails_alike_everywhere() {
    #[derive(Clone, Copy, Debug, PartialEq)]
    #[repr(align(64))]
    struct Z;
    const EMPTY: InlineVec<Z, 8> = InlineVec::new();
    let mut v = EMPTY;
    // SAFETY: zero-sized elements need no initialization, and a zero-sized `InlineVec`'s
    // capacity is `usize::MAX`.
    unsafe { v.set_len(usize::MAX) };
    assert!(v.is_full());
    let mut failed = |f: &dyn Fn(&mut InlineVec<Z, 8>)| {
        let message = panic_message(&*caught(|| f(&mut v)).unwrap_err());
        assert_eq!(v.len(), usize::MAX);
        message
    };
    for message in [
        failed(&|v| v.push(Z)),
        failed(&|v| v.insert(0, Z)),
        failed(&|v| v.extend([Z])),
        failed(&|v| v.extend_from_slice(&[Z])),
        failed(&|v| v.reserve(1)),
    ] {
        assert_eq!(message, "capacity overflow");
    }
    let kind = v.try_push(Z).unwrap_err().error().kind();
    assert_eq!(kind, TryReserveErrorKind::CapacityOverflow);
    assert_eq!(
        v.try_reserve(1).unwrap_err().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    // SAFETY: zero-sized elements: nothing to drop or initialize.
    unsafe { v.set_len(0) };
}

/// `with_capacity_in` past the fixed capacity is refused as a growth is (the vector never
/// spills, whatever is asked): "capacity exceeded", or "capacity overflow" when no layout holds
/// the request; within it, the vector is the inline one.
#[test]
fn with_capacity_past_the_fixed_capacity_is_refused_like_a_growth() {
    type V = InlineVec<u64, 32>;
    let kind = |n| V::try_with_capacity_in(n, NoHeap).unwrap_err().kind();
    assert_eq!(kind(5), TryReserveErrorKind::CapacityExceeded);
    assert_eq!(
        kind(usize::MAX / 8 + 1),
        TryReserveErrorKind::CapacityOverflow
    );
    let message = panic_message(&*caught(|| V::with_capacity_in(5, NoHeap)).unwrap_err());
    assert_eq!(message, "capacity exceeded");
    let mut v = V::try_with_capacity_in(4, NoHeap).unwrap();
    assert_eq!((v.capacity(), v.spilled()), (4, false));
    v.extend_from_slice(&[1, 2, 3, 4]);
    assert_eq!(
        (v.as_slice(), v.len(), v.is_full()),
        (&[1, 2, 3, 4][..], 4, true)
    );
}

/// `into_heap_exact`, `into_boxed_slice` and `leak` of a `&NoHeap` vector: its elements have no
/// heap to go to, so a non-empty one panics with "capacity exceeded" (as documented), and an
/// empty one converts (the empty box's zero-sized block, refused, is a dangling pointer).
#[test]
fn a_borrowed_no_heap_vector_has_no_heap_to_move_to() {
    type V<'a> = stackfirst::StackVec<u32, 16, &'a NoHeap>;
    let full = || V::from_iter_in([1, 2, 3], &NoHeap);
    for (name, r) in [
        ("into_heap_exact", caught(|| full().into_heap_exact().len())),
        (
            "into_boxed_slice",
            caught(|| full().into_boxed_slice().len()),
        ),
        ("leak", caught(|| full().leak().len())),
    ] {
        assert_eq!(
            panic_message(&*r.unwrap_err()),
            "capacity exceeded",
            "{name}"
        );
    }
    assert_eq!(V::new_in(&NoHeap).into_heap_exact().len(), 0);
    assert_eq!(V::new_in(&NoHeap).into_boxed_slice().len(), 0);
}

/// `try_insert` at `len + 1` is a caller bug and panics, also when the vector is full (it must
/// not be reported as a full vector).
#[test]
#[should_panic(expected = "insertion index (is 3) should be <= len (is 2)")]
fn try_insert_one_past_len_panics_even_when_full() {
    let mut v: InlineVec<u8, 2> = InlineVec::new();
    v.push(1);
    v.push(2);
    let _ = v.try_insert(3, 9);
}
