//! Adversarial review of `StackString` (src/stack_string*), the Vec-API methods of `StackVec`
//! (src/stack_vec.rs, drain, splice, extract_if, into_iter, vec_extras) and the spill report.
//!
//! The reference is std: `String` for text, `Vec` for what is kept, dropped or leaked when user
//! code (a closure, `Clone`, `Drop`, an iterator) panics midway. Every element is a
//! `common::Tracked`, so a double drop or a leak fails the test.

// std's `extract_if` is newer than the crate's MSRV.
#![allow(clippy::incompatible_msrv)]

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use stackfirst::{InlineString, NoHeap, StackString, StackVec};

mod common;
use common::{caught, live, panic_on_clone, panic_on_drop, valid, Rng, Tracked};

// ---------------------------------------------------------------------------------------------
// Vec-API methods against std `Vec`, with a panic injected at every possible point
// ---------------------------------------------------------------------------------------------

/// The operations whose panic behaviour is specified to match `Vec`'s.
#[derive(Clone, Copy, Debug)]
enum Op {
    RetainMut,
    DedupBy,
    ExtractIfRange,
    DrainPartial,
    ExtendFromWithin,
    ResizeWith,
    Truncate,
    Clone,
    CloneFrom,
    SplitOff,
    IntoIterPartial,
    PopIf,
    Resize,
}

const OPS: [Op; 13] = [
    Op::RetainMut,
    Op::DedupBy,
    Op::ExtractIfRange,
    Op::DrainPartial,
    Op::ExtendFromWithin,
    Op::ResizeWith,
    Op::Truncate,
    Op::Clone,
    Op::CloneFrom,
    Op::SplitOff,
    Op::IntoIterPartial,
    Op::PopIf,
    Op::Resize,
];

/// Where the panic comes from: the k-th call of the operation's closure, or the k-th `clone`,
/// or the k-th `drop` of a `Tracked`.
#[derive(Clone, Copy, Debug)]
enum Source {
    Closure(usize),
    Clone(usize),
    Drop(usize),
}

/// A countdown for closures: the call that brings it to zero panics.
struct Countdown(Cell<usize>);

impl Countdown {
    fn tick(&self) {
        match self.0.get() {
            0 => {}
            1 => {
                self.0.set(0);
                panic!("closure panics");
            }
            k => self.0.set(k - 1),
        }
    }
}

/// The values `0, 0, 1, 2, 2, 2, 3, 4, 5, 5` (duplicates for `dedup_by`).
const START: [u64; 10] = [0, 0, 1, 2, 2, 2, 3, 4, 5, 5];

/// Applies `op` to a `Vec` or a `StackVec` (through the macro below, one body for both), and
/// returns what is left in it plus whatever the operation produced, as values.
macro_rules! apply {
    ($v:expr, $op:expr, $c:expr, $mk:expr) => {{
        let v = $v;
        let c: &Countdown = $c;
        let mut out: Vec<u64> = Vec::new();
        match $op {
            Op::RetainMut => v.retain_mut(|t| {
                c.tick();
                t.value += 10;
                t.value % 2 == 0
            }),
            Op::DedupBy => v.dedup_by(|a, b| {
                c.tick();
                a.value == b.value
            }),
            Op::ExtractIfRange => {
                let got: Vec<Tracked> = v
                    .extract_if(2..8, |t| {
                        c.tick();
                        t.value % 2 == 1
                    })
                    .collect();
                out.extend(got.iter().map(|t| t.value));
            }
            Op::DrainPartial => {
                let mut d = v.drain(2..7);
                c.tick();
                let a = d.next().unwrap();
                c.tick();
                let b = d.next_back().unwrap();
                out.extend([a.value, b.value]);
                drop((a, b));
                c.tick();
                drop(d);
            }
            Op::ExtendFromWithin => v.extend_from_within(3..9),
            Op::ResizeWith => {
                let mut n = 100;
                v.resize_with(16, || {
                    c.tick();
                    n += 1;
                    $mk(n)
                })
            }
            Op::Truncate => v.truncate(3),
            Op::Clone => {
                let w = v.clone();
                out.extend(w.iter().map(|t| t.value));
            }
            Op::CloneFrom => {
                let mut w = v.clone();
                w.truncate(2);
                w.clone_from(&*v);
                out.extend(w.iter().map(|t| t.value));
            }
            Op::SplitOff => {
                let w = v.split_off(4);
                c.tick();
                out.extend(w.iter().map(|t| t.value));
            }
            Op::IntoIterPartial => {
                let mut it = std::mem::take(v).into_iter();
                let a = it.next().unwrap();
                c.tick();
                out.push(a.value);
                drop(a);
                let b = it.next_back().unwrap();
                out.push(b.value);
                drop(b);
                c.tick();
                drop(it);
            }
            Op::PopIf => {
                let p = v.pop_if(|t| {
                    c.tick();
                    t.value == 5
                });
                out.extend(p.map(|t| t.value));
            }
            Op::Resize => v.resize(15, $mk(77)),
        }
        out
    }};
}

/// What one run left: whether it panicked, the vector's values, the operation's output.
type Outcome = (bool, Vec<u64>, Vec<u64>);

fn run_std(op: Op, src: Source) -> Outcome {
    assert_eq!(live(), 0);
    let mut v: Vec<Tracked> = START.iter().map(|&x| Tracked::new(x)).collect();
    let c = Countdown(Cell::new(0));
    let out = Cell::new(Vec::new());
    arm(src, &c);
    let r = caught(|| out.set(apply!(&mut v, op, &c, Tracked::new)));
    disarm(&c);
    let left = v.iter().map(|t| t.value).collect();
    drop(v);
    assert_eq!(live(), 0, "std leaked: {op:?} {src:?}");
    (r.is_err(), left, out.take())
}

fn run_ours<const N: usize>(op: Op, src: Source) -> Outcome {
    assert_eq!(live(), 0);
    let mut v: StackVec<Tracked, N> = START.iter().map(|&x| Tracked::new(x)).collect();
    let c = Countdown(Cell::new(0));
    let out = Cell::new(Vec::new());
    arm(src, &c);
    let r = caught(|| out.set(apply!(&mut v, op, &c, Tracked::new)));
    disarm(&c);
    let left = v.iter().map(|t| t.value).collect();
    assert!(v.len() <= v.capacity());
    drop(v);
    assert_eq!(live(), 0, "StackVec<_, {N}> leaked: {op:?} {src:?}");
    (r.is_err(), left, out.take())
}

fn arm(src: Source, c: &Countdown) {
    match src {
        Source::Closure(k) => c.0.set(k),
        Source::Clone(k) => panic_on_clone(k),
        Source::Drop(k) => panic_on_drop(k),
    }
}

fn disarm(c: &Countdown) {
    c.0.set(0);
    panic_on_clone(0);
    panic_on_drop(0);
}

fn compare<const N: usize>() {
    let mut panicked = 0;
    for op in OPS {
        for k in 1..=20 {
            for src in [Source::Closure(k), Source::Clone(k), Source::Drop(k)] {
                let a = run_std(op, src);
                let b = run_ours::<N>(op, src);
                assert_eq!(a, b, "StackVec<Tracked, {N}> vs Vec: {op:?} {src:?}");
                panicked += usize::from(a.0);
            }
        }
    }
    // The injections reach every operation (a sanity check of the harness).
    assert!(panicked > 140, "{panicked}");
}

/// Every panic point of the Vec-API methods, inline (the 10 elements fit), spilling midway
/// (4 inline) and always on the heap: what is kept, what is produced and that nothing leaks or
/// drops twice are exactly `Vec`'s.
#[test]
fn panics_midway_keep_and_drop_what_vec_does_inline() {
    compare::<{ 16 * 32 }>();
}

#[test]
fn panics_midway_keep_and_drop_what_vec_does_spilling() {
    compare::<64>();
}

#[test]
fn panics_midway_keep_and_drop_what_vec_does_on_the_heap() {
    compare::<0>();
}

// ---------------------------------------------------------------------------------------------
// StackString against String at every byte index
// ---------------------------------------------------------------------------------------------

/// The panic message, or "?".
fn message(e: &(dyn std::any::Any + Send)) -> String {
    common::panic_message(e)
}

/// Whether to run the next case: always, except under Miri (~1000x slower, and slower still at
/// unwinding, which most of these cases do), where one in `every`, spread over texts, indices,
/// bounds, methods and budgets.
fn sampled(every: usize) -> bool {
    thread_local! {
        static CASES: Cell<usize> = const { Cell::new(0) };
    }
    let n = CASES.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    !cfg!(miri) || n % every == 0
}

/// Runs `f` on a `String` and on a `StackString<N>` holding `text`: both panic with the same
/// message or both return the same thing, and leave the same, valid, text.
fn same<const N: usize, R: PartialEq + std::fmt::Debug>(
    text: &str,
    what: &str,
    f: impl Fn(&mut String) -> R,
    g: impl Fn(&mut StackString<N>) -> R,
) {
    let mut v = String::from(text);
    let mut s: StackString<N> = StackString::from(text);
    let a = caught(|| f(&mut v));
    let b = caught(|| g(&mut s));
    match (a, b) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what} on {text:?} (N = {N})"),
        (Err(a), Err(b)) => assert_eq!(message(&*a), message(&*b), "{what} on {text:?} (N = {N})"),
        (a, b) => panic!(
            "{what} on {text:?} (N = {N}): String ok={} StackString ok={}",
            a.is_ok(),
            b.is_ok()
        ),
    }
    valid(&s);
    assert_eq!(s, v, "{what} on {text:?} (N = {N})");
}

fn every_index<const N: usize>() {
    use std::ops::Bound::{self, *};
    for text in ["", "a", "é", "aé€😀z", "\u{10ffff}ab", "😀😀😀😀😀"] {
        let len = text.len();
        let idx: Vec<usize> = (0..=len + 1).chain([usize::MAX]).collect();
        for &i in &idx {
            if sampled(3) {
                same::<N, _>(
                    text,
                    &format!("insert({i})"),
                    |v| v.insert(i, 'ß'),
                    |s| s.insert(i, 'ß'),
                );
                same::<N, _>(
                    text,
                    &format!("insert_str({i})"),
                    |v| v.insert_str(i, "€x"),
                    |s| s.insert_str(i, "€x"),
                );
                same::<N, _>(
                    text,
                    &format!("remove({i})"),
                    |v| v.remove(i),
                    |s| s.remove(i),
                );
                same::<N, _>(
                    text,
                    &format!("truncate({i})"),
                    |v| v.truncate(i),
                    |s| s.truncate(i),
                );
                same::<N, _>(
                    text,
                    &format!("split_off({i})"),
                    |v| v.split_off(i),
                    |s| s.split_off(i).to_string(),
                );
            }
            for &j in &idx {
                let bounds: [(Bound<usize>, Bound<usize>); 4] = [
                    (Included(i), Excluded(j)),
                    (Included(i), Included(j)),
                    (Excluded(i), Excluded(j)),
                    (Excluded(i), Unbounded),
                ];
                for r in bounds {
                    if !sampled(29) {
                        continue;
                    }
                    same::<N, _>(
                        text,
                        &format!("extend_from_within({r:?})"),
                        |v| v.extend_from_within(r),
                        |s| s.extend_from_within(r),
                    );
                    same::<N, _>(
                        text,
                        &format!("drain({r:?}) dropped"),
                        |v| drop(v.drain(r)),
                        |s| drop(s.drain(r)),
                    );
                    same::<N, _>(
                        text,
                        &format!("drain({r:?}) collected backwards"),
                        |v| v.drain(r).rev().collect::<String>(),
                        |s| s.drain(r).rev().collect::<String>(),
                    );
                    same::<N, _>(
                        text,
                        &format!("replace_range({r:?})"),
                        |v| v.replace_range(r, "ñ"),
                        |s| s.replace_range(r, "ñ"),
                    );
                }
            }
        }
    }
}

/// Every byte index (on and off char boundaries, one past the end, `usize::MAX`) and every
/// `Bound` combination through the index-taking methods: the same panics (message included) and
/// the same text as `String`, inline, spilling and with no inline room (under Miri, a sample of
/// them: see `sampled`).
#[test]
fn every_index_and_bound_like_string() {
    every_index::<0>();
    every_index::<3>();
    every_index::<8>();
    every_index::<64>();
}

// ---------------------------------------------------------------------------------------------
// The spill report: what it records
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "spill-report")]
mod report {
    use std::sync::Arc;

    use stackfirst::allocator_api2::alloc::Global;
    use stackfirst::{spill_report, InlineVec, SiteStats, StackVec};

    /// This file's record on line `line`, if any.
    fn site(line: u32) -> Option<SiteStats> {
        spill_report()
            .sites()
            .iter()
            .find(|s| s.file.ends_with("string_adversarial.rs") && s.line == line)
            .cloned()
    }

    /// The bucket of a length (`SiteStats::lengths`).
    fn bucket(len: usize) -> usize {
        (usize::BITS - len.leading_zeros()) as usize
    }

    /// The conversions that move the elements out and then free the emptied storage
    /// (`move_in`, `TryFrom<StackVec> for [T; M]`, `From<StackVec> for Rc<[T]>`/`Arc<[T]>`, and
    /// the `From<StackVec<T, N, &B>>`/`From<InlineVec>` for `Vec<T>` built on `move_in`) record
    /// the vector's real length, as `into_iter`, `into_heap_exact` and `leak` do: otherwise its
    /// site's histogram says "empty" and `budget_for` recommends 0 bytes.
    #[test]
    fn conversions_that_move_the_elements_out_record_their_length() {
        let bump = bumpalo::Bump::new();
        let mut lines = Vec::new();
        for _ in 0..4 {
            let v: StackVec<u64, 32, _> = StackVec::from_iter_in([1, 2, 3], &bump);
            lines.push(line!() - 1);
            drop(v.move_in(Global));

            let v: StackVec<u64> = StackVec::from([1, 2, 3]);
            lines.push(line!() - 1);
            let _: [u64; 3] = v.try_into().unwrap();

            let v: StackVec<u64> = StackVec::from([1, 2, 3]);
            lines.push(line!() - 1);
            let _: Arc<[u64]> = v.into();

            let v: StackVec<u64> = StackVec::from([1, 2, 3]);
            lines.push(line!() - 1);
            let _: std::rc::Rc<[u64]> = v.into();

            let v: StackVec<u64, 32, _> = StackVec::from_iter_in([1, 2, 3], &bump);
            lines.push(line!() - 1);
            let _: Vec<u64> = v.into();

            let v: InlineVec<u64> = InlineVec::from([1, 2, 3]);
            lines.push(line!() - 1);
            let _: Vec<u64> = v.into();

            // The reference: a conversion through `into_raw`.
            let v: StackVec<u64> = StackVec::from([1, 2, 3]);
            lines.push(line!() - 1);
            let _: Vec<u64> = v.into_iter().collect();
        }
        lines.sort();
        lines.dedup();
        let mut wrong = Vec::new();
        for line in lines {
            let s = site(line).unwrap_or_else(|| panic!("no record on line {line}"));
            if (s.created, s.max_len, s.lengths[bucket(3)]) != (4, 3, 4) {
                wrong.push(format!(
                    "line {line}: created {}, max_len {}, lengths {:?}",
                    s.created, s.max_len, s.lengths
                ));
            }
        }
        assert!(wrong.is_empty(), "recorded as empty:\n{}", wrong.join("\n"));
    }

    /// A vector that spilled and then moved back inline (`shrink_to_fit`, which
    /// `StackString`'s README advertises) counts as having spilled to the heap.
    #[test]
    fn a_vector_that_spilled_then_moved_back_inline_counts_as_spilled() {
        let mut line = 0;
        for _ in 0..3 {
            let mut v: StackVec<u64> = StackVec::new();
            line = line!() - 1;
            v.extend(0..10);
            assert!(v.spilled());
            v.truncate(2);
            v.shrink_to_fit();
            assert!(!v.spilled());
        }
        let s = site(line).unwrap();
        assert_eq!(
            (s.created, s.spilled),
            (3, 3),
            "3 vectors that spilled: {s:?}"
        );
    }

    /// Cloning an owning iterator records its vector at the caller's line, not at a site inside
    /// stackfirst (`IntoIter::clone` builds a `StackVec`).
    #[test]
    fn cloning_an_into_iter_records_no_site_inside_the_library() {
        let v: StackVec<u32> = StackVec::from([1, 2, 3]);
        let it = v.into_iter();
        let c = it.clone();
        assert_eq!(c.count(), 3);
        super::common::assert_no_site_in("into_iter.rs");
    }

    /// Threads racing to claim and count the same and colliding sites lose no count.
    #[test]
    fn threads_racing_on_sites_lose_no_count() {
        const THREADS: usize = 4;
        const EACH: usize = 500;
        let lines: Vec<u32> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        let mut lines = [0; 3];
                        for i in 0..EACH {
                            let a: StackVec<u8> = StackVec::new();
                            lines[0] = line!() - 1;
                            let mut b: StackVec<u16, 4> = StackVec::new();
                            lines[1] = line!() - 1;
                            b.extend(0..(i % 5) as u16);
                            let c: StackVec<u32> = StackVec::from_iter(0..(i % 11) as u32);
                            lines[2] = line!() - 1;
                            drop((a, b, c));
                        }
                        lines
                    })
                })
                .collect();
            let all: Vec<[u32; 3]> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            all[0].to_vec()
        });
        let [a, b, c] = [lines[0], lines[1], lines[2]].map(|l| site(l).unwrap());
        assert_eq!(
            (a.created, b.created, c.created),
            (THREADS * EACH, THREADS * EACH, THREADS * EACH)
        );
        // `b` spills when it holds 3 or 4 `u16` (2 inline): i % 5 in {3, 4}.
        assert_eq!(b.spilled, THREADS * EACH * 2 / 5);
        assert_eq!(c.max_len, 10);
        assert_eq!(a.lengths.iter().sum::<usize>(), THREADS * EACH);
    }

    /// An element whose `Drop` makes and drops vectors of its own (the report's records nest
    /// inside a record's drop): every vector is counted once.
    #[test]
    fn drops_that_make_vectors_are_counted_once_each() {
        struct MakesVectors(u32);
        static INNER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        impl Drop for MakesVectors {
            fn drop(&mut self) {
                let v: StackVec<u64> = StackVec::from_iter(0..u64::from(self.0));
                INNER.store(line!() - 1, std::sync::atomic::Ordering::Relaxed);
                drop(v);
            }
        }
        let outer: StackVec<MakesVectors, 0> = StackVec::from_iter((0..6).map(MakesVectors));
        let outer_line = line!() - 1;
        drop(outer);
        let inner = site(INNER.load(std::sync::atomic::Ordering::Relaxed)).unwrap();
        let outer = site(outer_line).unwrap();
        assert_eq!((outer.created, outer.spilled, outer.max_len), (1, 1, 6));
        assert_eq!((inner.created, inner.spilled, inner.max_len), (6, 1, 5));
    }
}

// ---------------------------------------------------------------------------------------------
// StackString against String: equality, order and hash across budgets, edits at every kind of
// index, conversions and collections
// ---------------------------------------------------------------------------------------------

fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn texts() -> Vec<String> {
    vec![
        String::new(),
        "a".into(),
        "ab".into(),
        "é".into(),
        "aé".into(),
        "日本語".into(),
        "🦀🦀x".into(),
        "x".repeat(40),
        "é".repeat(30),
        "a\u{0}b".into(),
        "\u{10FFFF}".into(),
    ]
}

fn compare_budgets<const N: usize, const M: usize>() {
    for a in texts() {
        for b in texts() {
            let sa: StackString<N> = StackString::from(a.as_str());
            let sb: StackString<M> = StackString::from(b.as_str());
            let sb_n: StackString<N> = StackString::from(b.as_str());
            assert_eq!(sa == sb, a == b);
            assert_eq!(sa.cmp(&sb_n), a.cmp(&b));
            assert_eq!(sa.partial_cmp(&sb_n), a.partial_cmp(&b));
            assert_eq!(hash_of(&sa), hash_of(&a));
            assert_eq!(hash_of(&sb), hash_of(&b));
            assert_eq!(sa == *b.as_str(), a == b);
            assert_eq!(sa == b, a == b);
        }
    }
}

#[test]
fn eq_ord_hash_agree_with_string_across_budgets() {
    compare_budgets::<0, 32>();
    compare_budgets::<1, 7>();
    compare_budgets::<64, 3>();
}

fn edit_ops<const N: usize>() {
    let mut rng = Rng(12345 + N as u64);
    // Miri is ~1000x slower: under it, 500 edits per budget.
    let edits = if cfg!(miri) { 500 } else { 3000 };
    for _ in 0..edits {
        let base = &texts()[rng.below(texts().len())];
        let mut s: StackString<N> = StackString::from(base.as_str());
        let mut m = base.clone();
        let idx = rng.below(m.len() + 2);
        let ok = m.is_char_boundary(idx);
        let ch = ['z', 'é', '日', '🦀'][rng.below(4)];
        match rng.below(7) {
            0 => {
                let r =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.insert(idx, ch)));
                assert_eq!(r.is_ok(), ok);
                if ok {
                    m.insert(idx, ch);
                }
            }
            1 => {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    s.insert_str(idx, "é🦀")
                }));
                assert_eq!(r.is_ok(), ok);
                if ok {
                    m.insert_str(idx, "é🦀");
                }
            }
            2 => {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.remove(idx)));
                let ok = ok && idx < m.len();
                assert_eq!(r.is_ok(), ok);
                if ok {
                    assert_eq!(r.unwrap(), m.remove(idx));
                }
            }
            3 => {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.split_off(idx)));
                assert_eq!(r.is_ok(), ok);
                if ok {
                    assert_eq!(r.unwrap(), m.split_off(idx));
                }
            }
            4 => {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.truncate(idx)));
                let ok = ok || idx > m.len();
                assert_eq!(r.is_ok(), ok);
                if ok {
                    m.truncate(idx);
                }
            }
            5 => {
                let end = idx + rng.below(4);
                let ok = ok && m.is_char_boundary(end);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut d = s.drain(idx..end);
                    let first = d.next();
                    let last = d.next_back();
                    (first, last, d.as_str().to_string())
                }));
                assert_eq!(r.is_ok(), ok);
                if ok {
                    let got = r.unwrap();
                    let drained: String = m.drain(idx..end).collect();
                    let mut d = drained.chars();
                    let first = d.next();
                    let last = d.next_back();
                    assert_eq!(got, (first, last, d.as_str().to_string()));
                }
            }
            _ => {
                let k = rng.below(6);
                let mut calls = 0;
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    s.retain(|c| {
                        calls += 1;
                        if calls == k {
                            panic!("predicate");
                        }
                        c != 'é' && c != 'a'
                    })
                }));
                let mut mcalls = 0;
                let mr = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    m.retain(|c| {
                        mcalls += 1;
                        if mcalls == k {
                            panic!("predicate");
                        }
                        c != 'é' && c != 'a'
                    })
                }));
                assert_eq!(r.is_ok(), mr.is_ok());
            }
        }
        common::valid(&s);
        assert_eq!(s.as_str(), m.as_str());
    }
}

#[test]
fn edits_at_every_kind_of_index_match_string() {
    common::quiet();
    edit_ops::<0>();
    edit_ops::<2>();
    edit_ops::<5>();
    edit_ops::<32>();
}

#[test]
fn conversions_and_collections_match_string() {
    let mut rng = Rng(777);
    // Miri is ~1000x slower: under it, 400 byte strings.
    let byte_strings = if cfg!(miri) { 400 } else { 2000 };
    for _ in 0..byte_strings {
        let n = rng.below(40);
        let bytes: Vec<u8> = (0..n)
            .map(|_| match rng.below(5) {
                0 => 0xC3,
                1 => 0xA9,
                2 => 0xF0,
                3 => 0x9F,
                _ => b'a' + rng.below(26) as u8,
            })
            .collect();
        let lossy: StackString<8> = StackString::from_utf8_lossy(&bytes);
        assert_eq!(lossy.as_str(), String::from_utf8_lossy(&bytes));
        let sv: StackVec<u8, 8> = StackVec::from(&bytes[..]);
        match (StackString::from_utf8(sv), String::from_utf8(bytes.clone())) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => {
                assert_eq!(a.utf8_error(), b.utf8_error());
                assert_eq!(a.as_bytes(), b.as_bytes());
            }
            (a, b) => panic!("{:?} vs {:?}", a.is_ok(), b.is_ok()),
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let a: StackString<4> = text.parse().unwrap();
        assert_eq!(a, text);
        let b: StackString<4> = text.chars().collect();
        assert_eq!(b, text);
        let c: StackString<4> = text.split('a').collect();
        assert_eq!(c, text.split('a').collect::<String>());
        let mut d: StackString<4> = StackString::new();
        d.extend(text.chars().rev());
        d.extend(["x", "é"]);
        assert_eq!(d, text.chars().rev().collect::<String>() + "xé");
        let inline: Result<InlineString<8>, _> = text.parse();
        assert_eq!(inline.is_ok(), text.len() <= 8);
    }
}

// ---------------------------------------------------------------------------------------------
// UTF-16 against String
// ---------------------------------------------------------------------------------------------

/// `from_utf16(_lossy)` against `String` on adversarial units, inline and spilled, and
/// `from_utf16_lossy_in` into `NoHeap` strings of every small capacity.
#[test]
fn from_utf16_like_string() {
    let pieces: [&[u16]; 9] = [
        &[0xD800],
        &[0xDC00],
        &[0xDC00, 0xD800],
        &[0xD83E, 0xDD80],
        &[0x61],
        &[0x20AC],
        &[0xDBFF, 0xDFFF],
        &[0xFFFF],
        &[0xD800, 0xD800],
    ];
    let mut rng = Rng(5);
    // Miri is ~1000x slower: under it, 400 unit sequences.
    let sequences = if cfg!(miri) { 400 } else { 3000 };
    for _ in 0..sequences {
        let mut units = Vec::new();
        for _ in 0..rng.below(30) {
            units.extend_from_slice(pieces[rng.below(pieces.len())]);
        }
        let std = String::from_utf16(&units);
        let ours = StackString::<16>::from_utf16(&units);
        match (&std, &ours) {
            (Ok(a), Ok(b)) => assert_eq!(a.as_str(), b.as_str()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("{units:x?}: {std:?} vs {ours:?}"),
        }
        let lossy = String::from_utf16_lossy(&units);
        assert_eq!(StackString::<4>::from_utf16_lossy(&units).as_str(), lossy);
        let bump = bumpalo::Bump::new();
        assert_eq!(
            StackString::<0, _>::from_utf16_lossy_in(&units, &bump).as_str(),
            lossy
        );
        macro_rules! caps {
            ($($n:literal)*) => {$(
                let r = caught(|| StackString::<$n, NoHeap>::from_utf16_lossy_in(&units, NoHeap));
                match r {
                    Ok(s) => assert_eq!(s.as_str(), lossy),
                    Err(_) => assert!(lossy.len() > $n),
                }
            )*};
        }
        caps!(0 1 2 3 4 5 6 7 8 12 16);
    }
}

/// `from_utf16_in` into a string that cannot grow reports an unpaired surrogate as
/// `FromUtf16Error` (as `String::from_utf16` does) even where the valid text before it would
/// not fit. Regression: the valid part ran out of room first and panicked.
#[test]
fn from_utf16_in_reports_a_lone_surrogate_instead_of_panicking_when_units_fit() {
    // Three code units: '€' (3 UTF-8 bytes), '€', then a lone high surrogate.
    let units = [0x20AC, 0x20AC, 0xD800];
    assert!(String::from_utf16(&units).is_err());
    for_each_capacity(&units);
}

fn for_each_capacity(units: &[u16]) {
    macro_rules! at {
        ($($n:literal)*) => {$(
            assert!(units.len() <= $n);
            let r = caught(|| InlineString::<$n>::from_utf16_in(units, NoHeap).map(|s| s.len()));
            match r {
                Ok(Err(e)) => assert_eq!(e.to_string(), String::from_utf16(units).unwrap_err().to_string()),
                Ok(Ok(len)) => panic!("capacity {}: Ok({len}) for invalid UTF-16", $n),
                Err(p) => panic!(
                    "capacity {}: panicked ({}) instead of returning FromUtf16Error",
                    $n,
                    common::panic_message(&*p)
                ),
            }
        )*};
    }
    at!(3 4 5);
}

/// `clone_from` keeps the text whole when the growth it needs panics. Regression: the common
/// prefix was overwritten first, and a source char cut at its end was left behind.
#[test]
fn clone_from_keeps_valid_text_when_the_allocator_panics() {
    use std::alloc::Layout;
    use std::ptr::NonNull;

    use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};

    /// `Global`, but `allocate` panics once its grants run out.
    #[derive(Clone)]
    struct Grants<'a>(&'a Cell<usize>);

    // SAFETY: forwards to `Global`; the panic comes before any block is handed out.
    unsafe impl Allocator for Grants<'_> {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            let left = self.0.get();
            assert!(left > 0, "allocate panics on purpose");
            self.0.set(left - 1);
            Global.allocate(layout)
        }
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            // SAFETY: allocated by `Global` with `layout` (the caller's contract).
            unsafe { Global.deallocate(ptr, layout) }
        }
    }

    let grants = Cell::new(usize::MAX);
    let mut source: StackString<4, Grants> = StackString::new_in(Grants(&grants));
    source.push_str("ab€ and more than four bytes");
    let mut s: StackString<4, Grants> = StackString::new_in(Grants(&grants));
    s.push_str("aé");
    grants.set(0);
    assert!(caught(|| s.clone_from(&source)).is_err());
    grants.set(usize::MAX);
    valid(&s);
    assert_eq!(s, "aé");
    s.clone_from(&source);
    assert_eq!(s, source);
}
