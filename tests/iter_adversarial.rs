//! Adversarial review of the draining, splicing and owning iterators (`drain.rs`, `splice.rs`,
//! `extract_if.rs`, `into_iter.rs`), `vec_extras.rs` and the Vec-API paths of `stack_vec.rs`:
//! differential tests
//! against `std::vec::Vec` (results, lengths, panic messages), panicking `Drop`s, predicates and
//! iterators with `Tracked` drop accounting, `mem::forget` of the borrowing iterators, the
//! inline/heap boundary (exactly full, one past, shrunk back inline), tiny and over-aligned
//! budgets, zero-sized and over-aligned zero-sized elements, `NoHeap` overflow, a frame
//! allocator with interleaved allocations, and extreme `Bound`s.
// The models compare with std's `extract_if`, newer than the crate's MSRV.
#![allow(clippy::incompatible_msrv)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use stackfirst::StackVec;

mod common;
use common::{
    caught, extreme_ranges, live, panic_message, panic_on_clone, panic_on_drop, values, LyingIter,
    Rng, Tracked,
};

fn msg_of<R>(f: impl FnOnce() -> R) -> Option<String> {
    caught(f).err().map(|p| panic_message(&*p))
}

/// `drain` over every combination of extreme bounds (0, len±1, `usize::MAX - 1`, `usize::MAX`;
/// included, excluded, unbounded) panics exactly when `Vec::drain` does, with the same message.
#[test]
fn drain_range_panics_like_vec() {
    let mut bad = vec![];
    for len in [0usize, 1, 3] {
        for r in extreme_ranges(len) {
            let a = msg_of(|| {
                let mut v: Vec<u8> = (0..len as u8).collect();
                let d: Vec<u8> = v.drain(r).collect();
                (d, v)
            });
            let b = msg_of(|| {
                let mut v: StackVec<u8> = (0..len as u8).collect();
                let d: Vec<u8> = v.drain(r).collect();
                (d, v.to_vec())
            });
            if a != b {
                bad.push(format!("len {len} {r:?}: std {a:?} vs {b:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The same bounds, at and around the inline capacity: drained items and what remains match `Vec`.
#[test]
fn drain_range_results_like_vec() {
    for len in [0usize, 1, 3, 8, 9] {
        for r in extreme_ranges(len) {
            let a = catch_unwind(AssertUnwindSafe(|| {
                let mut v: Vec<u8> = (0..len as u8).collect();
                let d: Vec<u8> = v.drain(r).collect();
                (d, v)
            }));
            common::quiet();
            let b = catch_unwind(AssertUnwindSafe(|| {
                let mut v: StackVec<u8, 8> = (0..len as u8).collect();
                let d: Vec<u8> = v.drain(r).collect();
                (d, v.to_vec())
            }));
            assert_eq!(a.is_ok(), b.is_ok(), "len {len} {r:?}");
            if let (Ok(a), Ok(b)) = (a, b) {
                assert_eq!(a, b, "len {len} {r:?}");
            }
        }
    }
}

/// `extract_if` and `extend_from_within` resolve extreme bounds as `Vec` does (results and panic messages).
#[test]
fn extract_if_and_extend_from_within_ranges_like_vec() {
    let mut bad = vec![];
    for len in [0usize, 1, 3] {
        for r in extreme_ranges(len) {
            let a = msg_of(|| {
                let mut v: Vec<u8> = (0..len as u8).collect();
                let d: Vec<u8> = v.extract_if(r, |x| *x % 2 == 0).collect();
                (d, v)
            });
            let b = msg_of(|| {
                let mut v: StackVec<u8> = (0..len as u8).collect();
                let d: Vec<u8> = v.extract_if(r, |x| *x % 2 == 0).collect();
                (d, v.to_vec())
            });
            if a != b {
                bad.push(format!("extract_if len {len} {r:?}: std {a:?} vs {b:?}"));
            }
            let a = msg_of(|| {
                let mut v: Vec<u8> = (0..len as u8).collect();
                v.extend_from_within(r);
                v
            });
            let b = msg_of(|| {
                let mut v: StackVec<u8> = (0..len as u8).collect();
                v.extend_from_within(r);
                v.to_vec()
            });
            if a != b {
                bad.push(format!("efw len {len} {r:?}: std {a:?} vs {b:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------------------------

fn tv(r: std::ops::Range<u64>) -> Vec<Tracked> {
    r.map(Tracked::new).collect()
}

/// `mem::forget` of a `Drain` leaves the vector at the range's start and leaks exactly the
/// unyielded part of the range and the tail (no double drop, no exposed moved-out slot).
#[test]
fn drain_forget_leaks_but_never_double_drops() {
    for len in [0usize, 3, 4, 5, 9] {
        for start in 0..=len {
            for end in start..=len {
                let before = live();
                {
                    let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
                    let mut d = v.drain(start..end);
                    d.next();
                    std::mem::forget(d);
                    assert_eq!(values(&v), (0..start as u64).collect::<Vec<_>>());
                }
                let yielded = usize::from(end > start);
                assert_eq!(live() - before, (end - start - yielded) + (len - end));
            }
        }
    }
}

/// A `Drain` consumed from both ends, then dropped: items, `len`, `as_slice` and the remaining vector
/// match `Vec`; every `Tracked` is dropped once.
#[test]
fn drain_partial_both_ends_like_vec() {
    let mut rng = Rng(0x1234_5678);
    for _ in 0..3000 {
        let len = rng.below(12);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let fronts = rng.below(5);
        let backs = rng.below(5);
        let before = live();
        let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
        let mut w: Vec<u64> = (0..len as u64).collect();
        {
            let mut d = v.drain(start..end);
            let mut e = w.drain(start..end);
            for _ in 0..fronts {
                assert_eq!(d.next().map(|t| t.value), e.next());
            }
            for _ in 0..backs {
                assert_eq!(d.next_back().map(|t| t.value), e.next_back());
            }
            assert_eq!(d.len(), e.len());
            assert_eq!(
                d.as_slice().iter().map(|t| t.value).collect::<Vec<_>>(),
                e.as_slice()
            );
        }
        assert_eq!(values(&v), w);
        drop(v);
        assert_eq!(live(), before);
    }
}

/// A `Drain` dropped with unyielded elements whose k-th `Drop` panics: every element is dropped
/// once and the vector keeps prefix and tail.
#[test]
fn drain_with_panicking_drop_drops_each_once_and_keeps_tail() {
    with_panicking_drop_in_range(10, |v, r| drop(v.drain(r)));
}

/// Runs `op` on a vector of `0..len` (every `len` below `max_len`) for every range and every
/// k-th `Drop` of a removed element panicking: the panic comes out, the vector keeps prefix and
/// tail, and every element is dropped once.
fn with_panicking_drop_in_range(
    max_len: usize,
    op: impl Fn(&mut StackVec<Tracked, 32>, std::ops::Range<usize>),
) {
    for len in 1..max_len {
        for start in 0..len {
            for end in start + 1..=len {
                for k in 1..=(end - start) {
                    let before = live();
                    let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
                    panic_on_drop(k);
                    let r = caught(|| op(&mut v, start..end));
                    panic_on_drop(0);
                    assert!(r.is_err());
                    let mut expect: Vec<u64> = (0..len as u64).collect();
                    expect.drain(start..end);
                    assert_eq!(values(&v), expect);
                    drop(v);
                    assert_eq!(live(), before);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// splice

struct Hint<I> {
    inner: I,
    lo: usize,
    panic_at: Option<usize>,
    n: usize,
}
impl<I: Iterator> Iterator for Hint<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        if Some(self.n) == self.panic_at {
            panic!("iter panic");
        }
        self.n += 1;
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.lo, None)
    }
}

/// Randomized `splice` (inline, spilled, shrunk back inline; honest, lying and `usize::MAX` hints;
/// partially consumed) against `Vec::splice`, with drop accounting.
#[test]
fn splice_random_like_vec() {
    let mut rng = Rng(0xdead_beef);
    for i in 0..6000 {
        let len = rng.below(14);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let rep = rng.below(14) as u64;
        let lo = match rng.below(4) {
            0 => 0,
            1 => rep as usize,
            2 => rng.below(30),
            _ => usize::MAX,
        };
        let take = rng.below(4);
        let before = live();
        let mut v: StackVec<Tracked, 40> = tv(0..len as u64).into_iter().collect();
        if i % 3 == 0 {
            v.reserve(rng.below(10));
        }
        if i % 5 == 0 {
            v.shrink_to_fit();
        }
        let mut w: Vec<u64> = (0..len as u64).collect();
        let got: Vec<u64>;
        let exp: Vec<u64>;
        {
            let mut s = v.splice(
                start..end,
                Hint {
                    inner: (100..100 + rep).map(Tracked::new),
                    lo,
                    panic_at: None,
                    n: 0,
                },
            );
            let mut t = w.splice(start..end, 100..100 + rep);
            got = s.by_ref().take(take).map(|t| t.value).collect();
            exp = t.by_ref().take(take).collect();
        }
        assert_eq!(got, exp);
        assert_eq!(values(&v), w, "len {len} {start}..{end} rep {rep} lo {lo}");
        assert!(v.len() <= v.capacity());
        drop(v);
        assert_eq!(live(), before);
    }
}

/// A replacement iterator that panics midway: the vector holds prefix, the replacements written,
/// and the tail, each once.
#[test]
fn splice_with_panicking_iterator_keeps_each_once() {
    let mut rng = Rng(0xfeed);
    for _ in 0..4000 {
        let len = rng.below(12);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let rep = 1 + rng.below(12);
        let panic_at = rng.below(rep);
        let lo = [0, 1, rep, 50][rng.below(4)];
        let before = live();
        let mut v: StackVec<Tracked, 40> = tv(0..len as u64).into_iter().collect();
        let r = caught(|| {
            drop(v.splice(
                start..end,
                Hint {
                    inner: (100..100 + rep as u64).map(Tracked::new),
                    lo,
                    panic_at: Some(panic_at),
                    n: 0,
                },
            ))
        });
        assert!(r.is_err());
        // Prefix, then the replacements made, then the tail.
        let vals = values(&v);
        assert_eq!(&vals[..start], &(0..start as u64).collect::<Vec<_>>()[..]);
        assert_eq!(
            &vals[vals.len() - (len - end)..],
            &(end as u64..len as u64).collect::<Vec<_>>()[..]
        );
        assert_eq!(vals.len(), start + panic_at + (len - end));
        drop(v);
        assert_eq!(live(), before);
    }
}

/// `mem::forget` of a `Splice` leaves only the prefix (no replacement written, nothing exposed).
#[test]
fn splice_forget_never_exposes_moved_out() {
    for len in 0..10usize {
        for start in 0..=len {
            for end in start..=len {
                let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
                let mut s = v.splice(start..end, (50..53).map(Tracked::new));
                s.next();
                std::mem::forget(s);
                assert_eq!(values(&v), (0..start as u64).collect::<Vec<_>>());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// extract_if

/// Randomized `extract_if` over subranges, with a mutating and sometimes panicking filter and early
/// drop, against `Vec::extract_if`.
#[test]
fn extract_if_random_like_vec_with_panics() {
    let mut rng = Rng(77);
    for _ in 0..4000 {
        let len = rng.below(12);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let mask = rng.next();
        let panic_at = if rng.below(3) == 0 {
            Some(rng.below(len + 1))
        } else {
            None
        };
        let take = rng.below(len + 2);
        let before = live();
        let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
        let mut w: Vec<u64> = (0..len as u64).collect();
        let mut seen = 0;
        let ra = caught(|| {
            v.extract_if(start..end, |x| {
                if Some(seen) == panic_at {
                    panic!("pred");
                }
                seen += 1;
                x.value += 1000;
                mask >> (x.value % 64) & 1 == 1
            })
            .take(take)
            .map(|t| t.value)
            .collect::<Vec<_>>()
        });
        let mut seen = 0;
        let rb = caught(|| {
            w.extract_if(start..end, |x| {
                if Some(seen) == panic_at {
                    panic!("pred");
                }
                seen += 1;
                *x += 1000;
                mask >> (*x % 64) & 1 == 1
            })
            .take(take)
            .collect::<Vec<_>>()
        });
        assert_eq!(ra.is_ok(), rb.is_ok());
        if let (Ok(a), Ok(b)) = (ra, rb) {
            assert_eq!(a, b);
        }
        assert_eq!(values(&v), w);
        drop(v);
        assert_eq!(live(), before);
    }
}

/// `mem::forget` of an `ExtractIf` leaves an empty vector.
#[test]
fn extract_if_forget_leaves_empty() {
    let mut v: StackVec<Tracked, 32> = tv(0..5).into_iter().collect();
    let mut it = v.extract_if(.., |x| x.value == 1);
    assert_eq!(it.next().map(|t| t.value), Some(1));
    std::mem::forget(it);
    assert_eq!(v.len(), 0);
}

// ---------------------------------------------------------------------------------------------
// into_iter

/// `IntoIter` consumed from both ends, cloned (`as_slice`, `len`, reversed contents match
/// `vec::IntoIter`), dropped with a panicking `Drop`: every `Tracked` dropped once.
#[test]
fn into_iter_clone_and_both_ends() {
    let mut rng = Rng(99);
    for _ in 0..2000 {
        let len = rng.below(14);
        let before = live();
        let v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
        let mut it = v.into_iter();
        let mut wi = (0..len as u64).collect::<Vec<_>>().into_iter();
        for _ in 0..rng.below(6) {
            if rng.below(2) == 0 {
                assert_eq!(it.next().map(|t| t.value), wi.next());
            } else {
                assert_eq!(it.next_back().map(|t| t.value), wi.next_back());
            }
        }
        let c = it.clone();
        assert_eq!(
            c.as_slice().iter().map(|t| t.value).collect::<Vec<_>>(),
            wi.as_slice()
        );
        assert_eq!(c.len(), wi.len());
        let cv: Vec<u64> = c.rev().map(|t| t.value).collect();
        let wv: Vec<u64> = wi.clone().rev().collect();
        assert_eq!(cv, wv);
        if rng.below(2) == 0 {
            panic_on_drop(1 + rng.below(3));
            let _ = caught(|| drop(it));
            panic_on_drop(0);
        } else {
            drop(it);
        }
        assert_eq!(live(), before);
    }
}

/// `AsRef` of the borrowing and owning iterators, as std's (`vec::Drain`, `vec::IntoIter`:
/// `AsRef<[T]>`; `string::Drain`: `AsRef<str>` and `AsRef<[u8]>`): the unyielded rest, after
/// random `next`/`next_back`, inline and spilled, equal to std's at every step.
#[test]
fn iterators_as_ref_the_rest_like_std() {
    let mut rng = Rng(31);
    for _ in 0..500 {
        let len = rng.below(12);
        let items: Vec<u64> = (0..len as u64).collect();
        let mut v: StackVec<u64, 32> = items.iter().copied().collect();
        let mut w = items.clone();
        let start = rng.below(len + 1);
        let mut d = v.drain(start..);
        let mut wd = w.drain(start..);
        let mut it: stackfirst::IntoIter<u64, 32> = items
            .iter()
            .copied()
            .collect::<StackVec<u64, 32>>()
            .into_iter();
        let mut wi = items.clone().into_iter();
        loop {
            assert_eq!(AsRef::<[u64]>::as_ref(&d), AsRef::<[u64]>::as_ref(&wd));
            assert_eq!(AsRef::<[u64]>::as_ref(&it), AsRef::<[u64]>::as_ref(&wi));
            let back = rng.below(2) == 0;
            let (a, b) = if back {
                (d.next_back(), wd.next_back())
            } else {
                (d.next(), wd.next())
            };
            assert_eq!(a, b);
            let (x, y) = if back {
                (it.next_back(), wi.next_back())
            } else {
                (it.next(), wi.next())
            };
            assert_eq!(x, y);
            if a.is_none() && x.is_none() {
                break;
            }
        }
    }
    let text = "añb€😀z, longer than the thirty-two inline bytes";
    for end in [7, text.len()] {
        let mut s: stackfirst::StackString = stackfirst::StackString::from(&text[..end]);
        let mut t = String::from(&text[..end]);
        let mut d = s.drain(1..);
        let mut td = t.drain(1..);
        let mut k = 0;
        loop {
            assert_eq!(AsRef::<str>::as_ref(&d), AsRef::<str>::as_ref(&td));
            assert_eq!(AsRef::<[u8]>::as_ref(&d), AsRef::<[u8]>::as_ref(&td));
            k += 1;
            let (a, b) = if k % 3 == 0 {
                (d.next_back(), td.next_back())
            } else {
                (d.next(), td.next())
            };
            assert_eq!(a, b);
            if a.is_none() {
                break;
            }
        }
    }
}

/// `fold` (behind `for_each`, `sum`, `collect`) after some `next`/`next_back`, with a closure that
/// panics on its k-th call: the closure sees the same items as `vec::IntoIter`'s, in order, and
/// every `Tracked` is dropped once (the yielded ones by the closure, the rest with the iterator),
/// inline and spilled.
#[test]
fn into_iter_fold_with_panics_like_vec() {
    let mut rng = Rng(7);
    for _ in 0..3000 {
        let len = rng.below(14);
        let panic_at = if rng.below(2) == 0 {
            Some(rng.below(len + 1))
        } else {
            None
        };
        let before = live();
        let v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
        let mut it = v.into_iter();
        let mut wi = (0..len as u64).collect::<Vec<_>>().into_iter();
        for _ in 0..rng.below(3) {
            if rng.below(2) == 0 {
                assert_eq!(it.next().map(|t| t.value), wi.next());
            } else {
                assert_eq!(it.next_back().map(|t| t.value), wi.next_back());
            }
        }
        let (mut seen, mut n) = (vec![], 0);
        let ra = caught(|| {
            it.for_each(|t| {
                if Some(n) == panic_at {
                    panic!("p")
                }
                n += 1;
                seen.push(t.value);
            })
        });
        let (mut expected, mut m) = (vec![], 0);
        let rb = caught(|| {
            wi.for_each(|x| {
                if Some(m) == panic_at {
                    panic!("p")
                }
                m += 1;
                expected.push(x);
            })
        });
        assert_eq!(ra.is_ok(), rb.is_ok());
        assert_eq!(seen, expected);
        assert_eq!(live(), before);
    }
}

#[repr(align(64))]
#[derive(Clone, Debug, PartialEq)]
struct Z64;

/// Over-aligned zero-sized elements keep aligned pointers through `drain`, `into_iter` and its clone.
#[test]
fn zst_over_aligned_iters() {
    let mut v: StackVec<Z64, 8> = StackVec::new();
    for _ in 0..5 {
        v.push(Z64);
    }
    assert_eq!(v.as_ptr() as usize % 64, 0);
    let d: Vec<Z64> = v.drain(1..3).collect();
    assert_eq!(d.len(), 2);
    assert_eq!(v.len(), 3);
    let mut it = v.into_iter();
    assert_eq!(it.as_slice().as_ptr() as usize % 64, 0);
    it.next();
    assert_eq!(it.as_slice().as_ptr() as usize % 64, 0);
    let c = it.clone();
    assert_eq!(c.len(), 2);
    assert_eq!(c.as_slice().as_ptr() as usize % 64, 0);
}

/// Zero-sized elements at length `usize::MAX`: `drain` of the end and `into_iter` keep exact counts.
#[test]
fn zst_huge_len_into_iter_and_drain() {
    let mut v: StackVec<(), 8> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization, and any length is within capacity.
    unsafe { v.set_len(usize::MAX) };
    let mut d = v.drain(usize::MAX - 3..);
    assert_eq!(d.len(), 3);
    assert_eq!(d.next_back(), Some(()));
    drop(d);
    assert_eq!(v.len(), usize::MAX - 3);
    let mut it = v.into_iter();
    assert_eq!(it.len(), usize::MAX - 3);
    it.next_back();
    assert_eq!(it.size_hint(), (usize::MAX - 4, Some(usize::MAX - 4)));
}

// ---------------------------------------------------------------------------------------------
// retain / dedup / split_off / append / insert etc.

/// `retain_mut` and `dedup_by` with panicking closures leave the same elements as `Vec`.
#[test]
fn retain_and_dedup_with_panics_like_vec() {
    let mut rng = Rng(5);
    for _ in 0..3000 {
        let len = rng.below(12);
        let panic_at = if rng.below(2) == 0 {
            Some(rng.below(len + 1))
        } else {
            None
        };
        let mask = rng.next();
        let vals: Vec<u64> = (0..len).map(|_| rng.below(3) as u64).collect();
        let before = live();
        let mut v: StackVec<Tracked, 32> = vals.iter().map(|&x| Tracked::new(x)).collect();
        let mut w = vals.clone();
        let mut n = 0;
        let ra = caught(|| {
            v.retain_mut(|x| {
                if Some(n) == panic_at {
                    panic!("p")
                }
                n += 1;
                x.value += 10;
                mask >> n & 1 == 1
            })
        });
        let mut n = 0;
        let rb = caught(|| {
            w.retain_mut(|x| {
                if Some(n) == panic_at {
                    panic!("p")
                }
                n += 1;
                *x += 10;
                mask >> n & 1 == 1
            })
        });
        assert_eq!(ra.is_ok(), rb.is_ok());
        assert_eq!(values(&v), w);
        let mut n = 0;
        let ra = caught(|| {
            v.dedup_by(|a, b| {
                if Some(n) == panic_at {
                    panic!("p")
                }
                n += 1;
                a.value == b.value
            })
        });
        let mut n = 0;
        let rb = caught(|| {
            w.dedup_by(|a, b| {
                if Some(n) == panic_at {
                    panic!("p")
                }
                n += 1;
                a == b
            })
        });
        assert_eq!(ra.is_ok(), rb.is_ok());
        assert_eq!(values(&v), w);
        drop(v);
        assert_eq!(live(), before);
    }
}

/// Random sequences of push/insert/remove/swap_remove/truncate/resize_with/split_off/
/// extend_from_within/shrink_to_fit/append/drain around an inline capacity of 4, against `Vec`.
#[test]
fn vec_ops_at_inline_boundary_like_vec() {
    let mut rng = Rng(31337);
    for _ in 0..20000 {
        // u64 with N = 32: inline capacity 4.
        let mut v: StackVec<u64, 32> = StackVec::new();
        let mut w: Vec<u64> = Vec::new();
        for step in 0..20 {
            let op = rng.below(12);
            let x = rng.next() % 100;
            let len = w.len();
            match op {
                0 | 1 => {
                    v.push(x);
                    w.push(x);
                }
                2 => {
                    let i = rng.below(len + 1);
                    v.insert(i, x);
                    w.insert(i, x);
                }
                3 if len > 0 => {
                    let i = rng.below(len);
                    assert_eq!(v.remove(i), w.remove(i));
                }
                4 if len > 0 => {
                    let i = rng.below(len);
                    assert_eq!(v.swap_remove(i), w.swap_remove(i));
                }
                5 => {
                    let n = rng.below(len + 2);
                    v.truncate(n);
                    w.truncate(n);
                }
                6 => {
                    let n = rng.below(10);
                    let mut k = 0;
                    v.resize_with(n, || {
                        k += 1;
                        k
                    });
                    let mut k = 0;
                    w.resize_with(n, || {
                        k += 1;
                        k
                    });
                }
                7 => {
                    let at = rng.below(len + 1);
                    let a = v.split_off(at);
                    let b = w.split_off(at);
                    assert_eq!(a, b);
                    assert!(a.len() <= a.capacity());
                }
                8 => {
                    let s = rng.below(len + 1);
                    let e = s + rng.below(len - s + 1);
                    v.extend_from_within(s..e);
                    w.extend_from_within(s..e);
                }
                9 => {
                    v.shrink_to_fit();
                }
                10 => {
                    let mut o: StackVec<u64, 16> = (0..rng.below(6) as u64).collect();
                    let mut p: Vec<u64> = o.to_vec();
                    v.append(&mut o);
                    w.append(&mut p);
                    assert!(o.is_empty());
                }
                _ => {
                    let s = rng.below(len + 1);
                    let e = s + rng.below(len - s + 1);
                    let a: Vec<u64> = v.drain(s..e).collect();
                    let b: Vec<u64> = w.drain(s..e).collect();
                    assert_eq!(a, b);
                }
            }
            assert_eq!(v, w, "step {step} op {op}");
            assert!(v.len() <= v.capacity());
        }
    }
}

/// `extend_from_within` whose k-th `clone` panics keeps the k - 1 clones made, each dropped once.
#[test]
fn extend_from_within_clone_panic_keeps_clones() {
    for len in 1..10usize {
        for k in 1..=len {
            let before = live();
            let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
            panic_on_clone(k);
            let r = caught(|| v.extend_from_within(..));
            panic_on_clone(0);
            assert!(r.is_err());
            assert_eq!(v.len(), len + k - 1);
            drop(v);
            assert_eq!(live(), before);
        }
    }
}

/// `StackString::drain` yields multi-byte chars from both ends; forgetting it cuts the string at
/// the range's start.
#[test]
fn string_drain_forget_and_both_ends() {
    use stackfirst::StackString;
    let mut s: StackString<8> = StackString::from("añ€😀b");
    let mut d = s.drain(1..);
    assert_eq!(d.next_back(), Some('b'));
    assert_eq!(d.next(), Some('ñ'));
    assert_eq!(d.as_str(), "€😀");
    assert_eq!(d.next_back(), Some('😀'));
    drop(d);
    assert_eq!(s, "a");
    let mut s: StackString<8> = StackString::from("añ€😀b");
    std::mem::forget(s.drain(3..));
    assert_eq!(s, "añ");
}

// ---------------------------------------------------------------------------------------------
// batch 2

#[derive(Debug, Clone, PartialEq)]
#[repr(align(64))]
struct Big(u64);

fn splice_generic<const N: usize>(seed: u64, iters: usize) {
    let mut rng = Rng(seed);
    for _ in 0..iters {
        let len = rng.below(10);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let rep = rng.below(10) as u64;
        let lo = [0, 1, rep as usize, 100, usize::MAX][rng.below(5)];
        let mut v: StackVec<Big, N> = (0..len as u64).map(Big).collect();
        if rng.below(2) == 0 {
            v.reserve(rng.below(8));
            v.shrink_to_fit();
        }
        let mut w: Vec<Big> = (0..len as u64).map(Big).collect();
        let a: Vec<Big> = v
            .splice(
                start..end,
                Hint {
                    inner: (100..100 + rep).map(Big),
                    lo,
                    panic_at: None,
                    n: 0,
                },
            )
            .collect();
        let b: Vec<Big> = w.splice(start..end, (100..100 + rep).map(Big)).collect();
        assert_eq!(a, b);
        assert_eq!(v, w);
        assert_eq!(v.as_ptr() as usize % 64, 0);
    }
}

/// `splice` of 64-byte-aligned elements with budgets of 0, 63, 64 and 192 bytes matches `Vec` and
/// keeps the buffer aligned.
#[test]
fn splice_over_aligned_and_tiny_budgets() {
    splice_generic::<0>(1, 2000);
    splice_generic::<63>(2, 2000);
    splice_generic::<64>(3, 2000);
    splice_generic::<192>(4, 2000);
}

/// `splice` of zero-sized elements with lying hints, and at `usize::MAX - 1` (capacity overflow with
/// a consistent length).
#[test]
fn splice_zst_lying_hints() {
    for lo in [0, 1, 5, usize::MAX] {
        let mut v: StackVec<(), 8> = StackVec::new();
        v.extend([(); 6]);
        let mut w = vec![(); 6];
        let a = v
            .splice(
                2..4,
                Hint {
                    inner: std::iter::repeat_n((), 7),
                    lo,
                    panic_at: None,
                    n: 0,
                },
            )
            .count();
        let b = w.splice(2..4, std::iter::repeat_n((), 7)).count();
        assert_eq!(a, b);
        assert_eq!(v.len(), w.len());
    }
    let mut v: StackVec<(), 8> = StackVec::new();
    // SAFETY: zero-sized elements need no initialization, and any length is within capacity.
    unsafe { v.set_len(usize::MAX - 1) };
    let r = msg_of(|| drop(v.splice(0..1, [(), (), ()])));
    assert_eq!(r.as_deref(), Some("capacity overflow"));
    // Two of the three replacements fit: MAX - 1 - 1 + 2.
    assert_eq!(v.len(), usize::MAX);
}

/// `InlineVec` splices that overflow panic ("capacity exceeded") and keep prefix and tail, each once.
#[test]
fn inline_vec_splice_overflow_keeps_each_once() {
    use stackfirst::InlineVec;
    for len in 0..=4usize {
        for start in 0..=len {
            for end in start..=len {
                for rep in 0..8u64 {
                    let before = live();
                    let mut v: InlineVec<Tracked, 64> = tv(0..len as u64).into_iter().collect();
                    let r =
                        caught(|| drop(v.splice(start..end, (100..100 + rep).map(Tracked::new))));
                    let fits = len - (end - start) + rep as usize <= 4;
                    assert_eq!(r.is_ok(), fits, "{len} {start}..{end} {rep}");
                    let vals = values(&v);
                    assert_eq!(&vals[..start], &(0..start as u64).collect::<Vec<_>>()[..]);
                    assert_eq!(
                        &vals[vals.len() - (len - end)..],
                        &(end as u64..len as u64).collect::<Vec<_>>()[..]
                    );
                    drop(v);
                    assert_eq!(live(), before);
                }
            }
        }
    }
}

/// `retain` and `dedup` whose k-th `Drop` panics: removed ones dropped once, unvisited ones kept.
#[test]
fn retain_dedup_with_panicking_drop() {
    for len in 1..9usize {
        for k in 1..=len {
            let before = live();
            let mut v: StackVec<Tracked, 32> = tv(0..len as u64).into_iter().collect();
            panic_on_drop(k);
            let r = caught(|| v.retain(|x| x.value % 3 == 1));
            panic_on_drop(0);
            let mut w: Vec<u64> = (0..len as u64).collect();
            if r.is_err() {
                // every element removed before the panicking one and it are gone; the rest kept
                let mut dropped = 0;
                w.retain(|x| {
                    let keep = x % 3 == 1;
                    if !keep {
                        dropped += 1;
                    }
                    keep || dropped > k
                });
            } else {
                w.retain(|x| x % 3 == 1);
            }
            assert_eq!(values(&v), w, "len {len} k {k}");
            drop(v);
            assert_eq!(live(), before);

            let mut v: StackVec<Tracked, 32> =
                (0..len as u64).map(|x| Tracked::new(x / 2)).collect();
            panic_on_drop(k);
            let r = caught(|| v.dedup());
            panic_on_drop(0);
            let vals = values(&v);
            // What `Vec::dedup` keeps under the same panicking drop.
            let mut w: Vec<Tracked> = (0..len as u64).map(|x| Tracked::new(x / 2)).collect();
            panic_on_drop(k);
            let rw = caught(|| w.dedup());
            panic_on_drop(0);
            assert_eq!(r.is_err(), rw.is_err(), "len {len} k {k}");
            assert_eq!(
                vals,
                w.iter().map(|t| t.value).collect::<Vec<_>>(),
                "len {len} k {k}"
            );
            drop(w);
            drop(v);
            assert_eq!(live(), before);
        }
    }
}

/// `into_flattened` inline, spilled, of `[T; 0]`, of zero-sized arrays and of over-aligned elements.
#[test]
fn into_flattened_like_vec() {
    let v: StackVec<[u8; 3], 32> = (0..12u8).map(|i| [i, i, i]).collect();
    let w: Vec<[u8; 3]> = (0..12u8).map(|i| [i, i, i]).collect();
    assert_eq!(v.into_flattened().to_vec(), w.into_flattened());
    let v: StackVec<[u8; 3], 32> = (0..10u8).map(|i| [i, i, i]).collect();
    assert!(!v.spilled());
    let f = v.into_flattened();
    assert_eq!(f.len(), 30);
    let v: StackVec<[u64; 0], 8> = std::iter::repeat_n([], 5).collect();
    assert_eq!(v.into_flattened().len(), 0);
    let v: StackVec<[(); 4], 8> = std::iter::repeat_n([(); 4], 5).collect();
    assert_eq!(v.into_flattened().len(), 20);
    let mut v: StackVec<[Big; 2], 128> = StackVec::new();
    v.push([Big(1), Big(2)]);
    let f = v.into_flattened();
    assert_eq!(f, [Big(1), Big(2)]);
    assert_eq!(f.as_ptr() as usize % 64, 0);
}

/// `into_iter` and its clone after a spilled vector was shrunk back inline.
#[test]
fn into_iter_after_shrink_back_inline() {
    let mut v: StackVec<Tracked, 32> = tv(0..5).into_iter().collect();
    assert!(v.spilled());
    v.truncate(2);
    v.shrink_to_fit();
    assert!(!v.spilled());
    let mut it = v.into_iter();
    assert_eq!(it.next_back().map(|t| t.value), Some(1));
    let c = it.clone();
    drop(it);
    assert_eq!(c.map(|t| t.value).collect::<Vec<_>>(), [0]);
}

/// `splice` in an arena frame whose replacement iterator allocates from the same frame (so the
/// vector's block is no longer last when it grows): results match `Vec`, other blocks intact.
#[test]
fn splice_in_a_frame_with_interleaved_allocations() {
    use stackfirst::Arena;
    let mut rng = Rng(4242);
    for _ in 0..300 {
        let mut arena = Arena::new();
        let len = rng.below(12);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let rep = rng.below(20) as u64;
        let lo = [0, 1, rep as usize, 100][rng.below(4)];
        let interleave = rng.below(2) == 0;
        arena.frame(|f| {
            let before = live();
            let mut v: StackVec<Tracked, 32, _> = StackVec::new_in(&f);
            v.extend((0..len as u64).map(Tracked::new));
            let mut w: Vec<u64> = (0..len as u64).collect();
            let keep = std::cell::RefCell::new(Vec::new());
            let removed: Vec<u64> = v
                .splice(
                    start..end,
                    Hint {
                        inner: (100..100 + rep).map(|x| {
                            if interleave {
                                keep.borrow_mut().push(f.alloc([x; 3]));
                            }
                            Tracked::new(x)
                        }),
                        lo,
                        panic_at: None,
                        n: 0,
                    },
                )
                .map(|t| t.value)
                .collect();
            let r2: Vec<u64> = w.splice(start..end, 100..100 + rep).collect();
            assert_eq!(removed, r2);
            assert_eq!(values(&v), w);
            for b in keep.borrow().iter() {
                assert_eq!(b[0], b[2]);
            }
            let it = v.into_iter();
            let c = it.clone();
            drop(it);
            assert_eq!(c.map(|t| t.value).collect::<Vec<_>>(), w);
            drop(keep);
            assert_eq!(live(), before);
        });
    }
}

/// A `splice` whose removed element's `Drop` panics keeps prefix and tail and writes no replacement.
#[test]
fn splice_with_panicking_element_drop() {
    with_panicking_drop_in_range(8, |v, r| drop(v.splice(r, tv(100..103))));
}

thread_local! {
    static ZLIVE: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}
#[repr(align(32))]
#[derive(Debug, PartialEq)]
struct ZD;
impl ZD {
    fn new() -> ZD {
        ZLIVE.with(|c| c.set(c.get() + 1));
        ZD
    }
}
impl Clone for ZD {
    fn clone(&self) -> ZD {
        ZD::new()
    }
}
impl Drop for ZD {
    fn drop(&mut self) {
        ZLIVE.with(|c| c.set(c.get() - 1));
    }
}
fn zlive() -> isize {
    ZLIVE.with(|c| c.get())
}

/// Over-aligned zero-sized elements with a `Drop` count: `drain`, `splice` (lying hints),
/// `extract_if`, `into_iter` + clone, `retain`/`dedup`/`split_off` drop exactly as `Vec` does.
#[test]
fn zst_with_drop_counts_through_every_iterator() {
    let mut rng = Rng(808);
    for _ in 0..3000 {
        let len = rng.below(12);
        let start = rng.below(len + 1);
        let end = start + rng.below(len - start + 1);
        let base = zlive();
        let mut v: StackVec<ZD, 0> = (0..len).map(|_| ZD::new()).collect();
        let mut w: Vec<ZD> = (0..len).map(|_| ZD::new()).collect();
        match rng.below(5) {
            0 => {
                let k = rng.below(4);
                let a = v.drain(start..end).take(k).count();
                let b = w.drain(start..end).take(k).count();
                assert_eq!(a, b);
            }
            1 => {
                let rep = rng.below(8);
                let lo = [0, 1, rep, 50, usize::MAX][rng.below(5)];
                let a = v
                    .splice(
                        start..end,
                        Hint {
                            inner: (0..rep).map(|_| ZD::new()),
                            lo,
                            panic_at: None,
                            n: 0,
                        },
                    )
                    .count();
                let b = w.splice(start..end, (0..rep).map(|_| ZD::new())).count();
                assert_eq!(a, b);
            }
            2 => {
                let mut i = 0;
                let mut j = 0;
                let m = 1 + rng.below(3);
                let a = v
                    .extract_if(start..end, |_| {
                        i += 1;
                        i % m == 0
                    })
                    .count();
                let b = w
                    .extract_if(start..end, |_| {
                        j += 1;
                        j % m == 0
                    })
                    .count();
                assert_eq!(a, b);
            }
            3 => {
                let mut it = v.into_iter();
                let mut wi = std::mem::take(&mut w).into_iter();
                it.next();
                wi.next();
                it.next_back();
                wi.next_back();
                let c = it.clone();
                let d = wi.clone();
                assert_eq!(c.len(), d.len());
                assert_eq!(c.as_slice().as_ptr() as usize % 32, 0);
                drop((it, wi));
                v = c.collect();
                w = d.collect();
            }
            _ => {
                let mut k = 0;
                v.retain(|_| {
                    k += 1;
                    k % 2 == 0
                });
                let mut k = 0;
                w.retain(|_| {
                    k += 1;
                    k % 2 == 0
                });
                v.dedup();
                w.dedup();
                let t = v.split_off(v.len() / 2);
                let u = w.split_off(w.len() / 2);
                assert_eq!(t.len(), u.len());
            }
        }
        assert_eq!(v.len(), w.len());
        drop(v);
        drop(w);
        assert_eq!(zlive(), base);
    }
}

/// A splice that removes as many elements as it inserts does not allocate, whatever the
/// replacement's `size_hint` says, as `Vec::splice` does not reallocate there. Regression: with
/// a range that reached the end (no tail), the splice went straight to `extend`, which reserves
/// the iterator's lower bound when it exceeds the spare capacity, so a lying bound of 100
/// spilled an inline vector of 5.
#[test]
fn splice_of_the_end_that_does_not_grow_never_allocates() {
    for with_tail in [true, false] {
        let mut v: StackVec<u8, 8> = StackVec::from([1, 2, 3, 4, 5]);
        let mut w: Vec<u8> = Vec::with_capacity(8);
        w.extend([1, 2, 3, 4, 5]);
        let (w_cap, w_ptr) = (w.capacity(), w.as_ptr());
        let end = if with_tail { 4 } else { 5 };
        // Removes `2..end` and puts back exactly as many, claiming 100 more.
        let items = || LyingIter {
            inner: (10..10 + (end - 2) as u8).collect::<Vec<u8>>().into_iter(),
            hint: (100, None),
        };
        let removed: Vec<u8> = v.splice(2..end, items()).collect();
        let removed_std: Vec<u8> = w.splice(2..end, items()).collect();
        assert_eq!(removed, removed_std);
        assert_eq!(v, w);
        if !with_tail {
            // std keeps its buffer here (with a tail, std's `move_tail` reserves the claimed
            // bound before an element is in hand, which this crate's splice avoids).
            assert_eq!((w.capacity(), w.as_ptr()), (w_cap, w_ptr));
        }
        assert!(
            !v.spilled() && v.capacity() == 8,
            "with_tail = {with_tail}: a splice that does not grow the vector spilled it (capacity {})",
            v.capacity()
        );
    }
}

/// `Splice` against `Vec::splice` on every range of short vectors, with honest, larger and
/// smaller hints and partial consumption, for bytes and zero-sized elements.
#[test]
fn splice_every_range_like_vec() {
    for n in 0..7usize {
        for a in 0..=n {
            for b in a..=n {
                for rep in 0..6u8 {
                    for lo in [0usize, 1, rep as usize, 9, usize::MAX] {
                        for take in 0..2 {
                            let items = || LyingIter {
                                inner: (50..50 + rep).collect::<Vec<u8>>().into_iter(),
                                hint: (lo, None),
                            };
                            let mut v: StackVec<u8, 6> = (0..n as u8).collect();
                            let mut w: Vec<u8> = (0..n as u8).collect();
                            let mut s = v.splice(a..b, items());
                            let mut t = w.splice(a..b, 50..50 + rep);
                            for _ in 0..take {
                                assert_eq!(s.next(), t.next());
                            }
                            assert_eq!(s.collect::<Vec<_>>(), t.collect::<Vec<_>>());
                            assert_eq!(&v[..], &w[..]);
                            let mut z: StackVec<(), 0> = core::iter::repeat_n((), n).collect();
                            z.splice(a..b, items().map(|_| ()));
                            assert_eq!(z.len(), w.len());
                        }
                    }
                }
            }
        }
    }
}

/// `ExtractIf::size_hint`'s upper bound is what is left of the range, not of the vector.
#[test]
fn extract_if_size_hint_is_bounded_by_the_range() {
    let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    let mut it = v.extract_if(2..5, |x| *x == 3);
    assert_eq!(it.size_hint(), (0, Some(3)));
    assert_eq!(it.next(), Some(3));
    assert_eq!(it.size_hint(), (0, Some(2)));
    let rest: Vec<u8> = it.collect();
    assert!(rest.is_empty());
    assert_eq!(v, [1, 2, 4, 5, 6, 7, 8, 9, 10]);
}

// Mutation review (round 6)

/// Counts its `size_hint` calls and claims to know nothing about its length.
struct HintCounting<'c, I> {
    inner: I,
    hints: &'c std::cell::Cell<usize>,
}

impl<I: Iterator> Iterator for HintCounting<'_, I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hints.set(self.hints.get() + 1);
        (0, None)
    }
}

#[test]
fn splice_without_a_hint_moves_the_tail_a_logarithmic_number_of_times() {
    // Each tail move asks the replacement iterator for its size once; with a hint of 0 the gap
    // still grows by at least what was inserted so far, so 1000 replacements before a tail
    // take about log2(1000) moves, not one per element.
    let hints = std::cell::Cell::new(0);
    let mut v: StackVec<u32> = (0..20).collect();
    let removed: Vec<u32> = v
        .splice(
            5..6,
            HintCounting {
                inner: 1000..2000,
                hints: &hints,
            },
        )
        .collect();
    assert_eq!(removed, [5]);
    let mut model: Vec<u32> = (0..20).collect();
    model.splice(5..6, 1000..2000);
    assert_eq!(v.as_slice(), model.as_slice());
    assert!(hints.get() <= 20, "{} tail moves", hints.get());
}

/// Yields its items, with `None` where the slice has one: not fused.
struct Unfused<'c> {
    items: Vec<Option<u32>>,
    calls: &'c std::cell::Cell<usize>,
}

impl Iterator for Unfused<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        self.calls.set(self.calls.get() + 1);
        if self.items.is_empty() {
            None
        } else {
            self.items.remove(0)
        }
    }
}

/// Splices `items` (through [`Unfused`]) over `range` of `0..len`, in a `StackVec` and in a
/// `Vec`: each result with the number of `next` calls it made.
fn splice_unfused(
    len: u32,
    range: std::ops::Range<usize>,
    items: &[Option<u32>],
) -> [(Vec<u32>, usize); 2] {
    let calls = std::cell::Cell::new(0);
    let mut v: StackVec<u32> = (0..len).collect();
    let unfused = |calls| Unfused {
        items: items.to_vec(),
        calls,
    };
    drop(v.splice(range.clone(), unfused(&calls)));
    let model_calls = std::cell::Cell::new(0);
    let mut model: Vec<u32> = (0..len).collect();
    drop(model.splice(range, unfused(&model_calls)));
    [(v.to_vec(), calls.get()), (model, model_calls.get())]
}

#[test]
fn splice_stops_at_the_first_none_of_an_unfused_iterator() {
    // As `Vec::splice`: the replacements end where the iterator first returns `None`, with a
    // tail and without one.
    for (range, len) in [(1..4, 6u32), (1..6, 6)] {
        let [got, model] = splice_unfused(len, range, &[Some(10), None, Some(11), Some(12)]);
        assert_eq!(got, model);
        assert_eq!(got.1, 2);
    }
}

#[test]
fn splice_stops_at_a_none_that_comes_after_the_range_is_refilled() {
    // The first `None` arrives once the range is full: while the vector grows behind a tail
    // (at any step of the growth), or while it is extended past its end without one.
    for (range, len) in [(1..2, 6u32), (1..6, 6)] {
        for n in 1..=9 {
            let mut items: Vec<Option<u32>> = (10..10 + n).map(Some).collect();
            items.extend([None, Some(99), Some(98)]);
            let [got, model] = splice_unfused(len, range.clone(), &items);
            assert_eq!(got, model, "{range:?}, {n} items");
            assert_eq!(got.1, n as usize + 1);
        }
    }
}

#[test]
fn extract_if_debug_shows_every_untested_element_up_to_the_old_end() {
    // The untested elements run from the next index to the vector's old length, past the end
    // of the range too.
    let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4, 5]);
    let mut it = v.extract_if(1..3, |x| *x == 2);
    assert_eq!(format!("{it:?}"), "ExtractIf { rest: [2, 3, 4, 5], .. }");
    assert_eq!(it.next(), Some(2));
    assert_eq!(format!("{it:?}"), "ExtractIf { rest: [3, 4, 5], .. }");
    drop(it);
    assert_eq!(v, [1, 3, 4, 5]);
}
