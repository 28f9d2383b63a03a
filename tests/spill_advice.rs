//! What the spill report counts a vector as needing, and the budget it advises from that, in
//! the cases where a vector's length is not the whole story: a spill caused by a requested
//! capacity, a spilled vector that moves back inline on its way out, vectors that `core` builds,
//! lengths past the last bucket, a generic site's element sizes, over-aligned elements, and
//! vectors that conversions build inside the crate. (A test binary of its own: without `std` the
//! report tracks 32 call sites, and tests/spill_report.rs uses most of them.)
#![cfg(feature = "spill-report")]

mod common;

use common::{assert_no_site_in, sites_between};
use stackfirst::{spill_report, InlineVec, SiteStats, StackVec};

/// A spilled vector that `into_boxed_slice` (or `into_boxed_str`) moves back inline on the way
/// out, because it was emptied, still counts as spilled (found by review: it counted as never
/// spilled, and a `with_capacity(100)` one as needing nothing).
#[test]
fn an_emptied_spilled_vector_boxed_counts_as_spilled() {
    let first = line!();
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(0..10);
    v.clear();
    assert!(v.into_boxed_slice().is_empty());
    let w: StackVec<u64> = StackVec::with_capacity(100);
    drop(w.into_boxed_slice());
    let mut s = stackfirst::StackString::<32>::from("a string longer than thirty-two bytes");
    s.clear();
    drop(s.into_boxed_str());
    let found = sites_between(file!(), first, line!());
    let got: Vec<_> = found
        .iter()
        .map(|s| (s.created, s.spilled, s.max_len))
        .collect();
    assert_eq!(got, [(1, 1, 10), (1, 1, 100), (1, 1, 37)], "{found:?}");
}

/// Only what `core` builds from iterators shares the `collect()` row (`collect`, `partition`,
/// and through the tuple's `Default`, `unzip`): vectors that `core` makes through `Default`
/// (`mem::take`) or `Clone` (`Option::clone`) are rows of their own (found by review: every
/// line of `core` was labelled `collect()`, then, once fixed, `unzip` was not).
#[test]
fn only_iterator_code_is_labelled_collect() {
    let mut kept: StackVec<u64> = StackVec::new();
    kept.extend(0..9);
    let taken = std::mem::take(&mut kept); // `kept` is now a `Default::default()` of `core`'s
    drop((taken, kept));
    drop(Some(StackVec::<u16>::from([1, 2])).clone());
    let collected: StackVec<u8> = (0..3).collect();
    let (evens, odds): (StackVec<u8>, StackVec<u8>) = (0..9).partition(|x| x % 2 == 0);
    let (a, b): (StackVec<u8>, StackVec<u8>) = (0..3u8).map(|x| (x, x)).unzip();
    let (c, d): (StackVec<u16>, StackVec<u16>) = (0..3u16).map(|x| (x, x)).collect();
    drop((collected, evens, odds, a, b, c, d));
    let report = spill_report();
    let core_rows: Vec<&SiteStats> = report
        .sites()
        .iter()
        .filter(|s| s.file.contains("core/src/") || s.file.contains("core\\src\\"))
        .collect();
    assert!(
        core_rows.iter().any(|s| s.file.contains("mem"))
            && core_rows.iter().any(|s| s.file.contains("option")),
        "{report}"
    );
    for s in &core_rows {
        let iterator_code = s.file.contains("iter") || s.file.contains("tuple");
        assert_eq!(s.is_collect(), iterator_code, "{}:{}", s.file, s.line);
    }
    assert!(core_rows.iter().any(|s| s.is_collect()), "{report}");
}

/// A vector that spilled because it was asked for room (`with_capacity`, `reserve`), not
/// because of its length, needs that room inline: the advised budget must keep it there
/// (found by review: it was advised 40 bytes, with which `with_capacity(16)` still spills).
#[test]
fn a_requested_capacity_is_what_the_budget_must_hold() {
    let first = line!();
    for _ in 0..10 {
        let mut v: StackVec<u64> = StackVec::with_capacity(16);
        v.extend([1, 2]);
        let mut w: StackVec<u64> = StackVec::new();
        w.push(1);
        w.reserve(11); // room for 12: spills
    }
    let found = sites_between(file!(), first, line!());
    let got: Vec<_> = found
        .iter()
        .map(|s| (s.created, s.spilled, s.max_len, s.budget_for(100)))
        .collect();
    // 16 and 12 u64, and the vectors of those budgets keep the calls inline.
    assert_eq!(got, [(10, 10, 16, 128), (10, 10, 12, 96)], "{found:?}");
    let mut kept: StackVec<u64, 96> = StackVec::new();
    kept.push(1);
    kept.reserve(11);
    assert!(!StackVec::<u64, 128>::with_capacity(16).spilled() && !kept.spilled());
}

/// The last length bucket has no upper bound of its own: a site whose vectors are longer than
/// 2^15 is advised their longest length (found by review: it was advised 2^16 bytes for
/// vectors of 100,000).
#[test]
fn the_budget_covers_vectors_past_the_last_bucket() {
    let first = line!();
    for _ in 0..3 {
        let v: StackVec<u8> = StackVec::from_iter((0..100_000u32).map(|i| i as u8));
        assert_eq!(v.len(), 100_000);
    }
    let s = &sites_between(file!(), first, line!())[0];
    assert_eq!((s.created, s.max_len), (3, 100_000), "{s:?}");
    assert_eq!(s.budget_for(100), 100_000);
}

/// Room asked for and granted without an allocation (a `with_capacity` that fits inline, a
/// `reserve` the heap block already covers) counts too: with the budget advised without it, the
/// same calls spill (found by review).
#[test]
fn room_granted_without_an_allocation_counts() {
    let first = line!();
    for _ in 0..10 {
        let mut v: StackVec<u64> = StackVec::with_capacity(4);
        v.extend([1, 2]);
        let mut w: StackVec<u64> = StackVec::new();
        w.extend(0..5);
        w.reserve(3);
        let mut x: StackVec<u64> = StackVec::new();
        assert!(x.try_reserve(usize::MAX / 4).is_err()); // refused: no room, nothing to count
    }
    let found = sites_between(file!(), first, line!());
    let got: Vec<_> = found
        .iter()
        .map(|s| (s.line - first, s.max_len, s.budget_for(100)))
        .collect();
    assert_eq!(got, [(2, 4, 32), (4, 8, 64), (7, 0, 0)], "{found:?}");
    // The advised budgets keep the same calls inline.
    let v: StackVec<u64, 32> = StackVec::with_capacity(4);
    let mut w: StackVec<u64, 64> = StackVec::new();
    w.extend(0..5);
    w.reserve(3);
    assert!(!v.spilled() && !w.spilled());
}

/// `Vec::from` of a vector that spills into a borrowed allocator (or of an `InlineVec`) is one
/// vector, created on its own line: it must be counted once, there. It was counted twice: once
/// at its site, and once more as a second vector "created" on the conversion's line (or, through
/// `.into()`, on a line of `core`), the temporary `move_in(Global)` the conversion builds.
#[test]
fn converting_a_borrowed_allocator_vector_to_vec_counts_it_once() {
    let bump = bumpalo::Bump::new();
    let first = line!();
    for n in [2u64, 9] {
        let v: StackVec<u64, 32, _> = StackVec::from_iter_in(0..n, &bump);
        let heap = Vec::from(v);
        assert_eq!(heap.len() as u64, n);
        let w: InlineVec<u64> = InlineVec::from_iter(0..2);
        let heap = Vec::from(w);
        assert_eq!(heap.capacity(), 2);
    }
    let sites = sites_between(file!(), first, line!());
    let rows: Vec<(u32, usize)> = sites.iter().map(|s| (s.line - first, s.created)).collect();
    // The two vectors' lines, two vectors each, and nothing on the conversions' lines.
    assert_eq!(rows, [(2, 2), (5, 2)], "{sites:#?}");
    // Through `.into()` (which is not `#[track_caller]`): no row appears in `core`.
    let v: StackVec<u64, 32, _> = StackVec::from_iter_in(0..3, &bump);
    let _: Vec<u64> = v.into();
    assert_no_site_in("convert");
}

/// Generic code has one call site for every element type it is instantiated with, and budgets
/// are in bytes: each element size gets a row of its own, advised a budget that holds its own
/// vectors. (One row took the longest length of any type times the size of whichever was
/// recorded last, and advised 16 bytes for `u64` vectors of 10 elements, which still spill.)
/// Threads record the site at once: whatever slots the race to claim them leaves, the report
/// has one row per element size with every vector.
#[test]
fn a_generic_site_has_a_row_and_a_budget_for_each_element_size() {
    use std::sync::Barrier;

    let first = line!();
    fn filled<T: Default + Clone>(n: usize) -> StackVec<T> {
        let mut v = StackVec::new();
        v.resize(n, T::default());
        v
    }
    let barrier = Barrier::new(8);
    std::thread::scope(|s| {
        for t in 0..8 {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for i in 0..100 {
                    if (t + i) % 2 == 0 {
                        drop(filled::<u64>(10)); // 80 bytes: spills the 32-byte default
                    } else {
                        drop(filled::<u16>(3));
                    }
                }
            });
        }
    });
    let sites = sites_between(file!(), first, first + 3);
    let mut rows: Vec<_> = sites
        .iter()
        .map(|s| {
            (
                s.line - first,
                s.elem_size,
                s.created,
                s.spilled,
                s.max_len,
                s.budget_for(100),
            )
        })
        .collect();
    rows.sort_unstable();
    // Budgets are whole words: 3 `u16` (6 bytes) take 8.
    assert_eq!(
        rows,
        [(2, 2, 400, 0, 3, 8), (2, 8, 400, 400, 10, 80)],
        "{sites:#?}"
    );
}

/// `StackString::from_str` (and so `str::parse`) builds the string inside stackfirst: it was
/// counted on a line of stackfirst's own source, not on the caller's.
#[test]
fn from_str_is_counted_at_the_callers_line() {
    use std::str::FromStr;

    let first = line!();
    let s = stackfirst::StackString::<32>::from_str("parsed").unwrap();
    drop(s);
    assert_no_site_in("stack_string");
    assert_eq!(sites_between(file!(), first, line!())[0].created, 1);
}

/// `stack_cost` is what a `StackVec` with the advised budget occupies: a type's size is a
/// multiple of its alignment, so for elements aligned past the word (a cache-line padded type)
/// it cannot be the budget plus two words. It said 80 bytes for `StackVec<Line, 64>` (64-byte
/// aligned elements), which occupies 128.
#[test]
fn stack_cost_counts_the_padding_of_over_aligned_elements() {
    #[derive(Clone, Copy)]
    #[repr(align(64))]
    struct Line(#[allow(dead_code)] [u8; 64]);

    let first = line!();
    drop(StackVec::<Line, 64>::from_iter([Line([0; 64])]));
    let s = &sites_between(file!(), first, line!())[0];
    let budget = s.budget_for(100);
    assert_eq!(budget, 64);
    let cost = s.stack_cost(budget);
    assert_eq!(
        cost % align_of::<Line>(),
        0,
        "{cost} bytes for a type aligned to {}",
        align_of::<Line>()
    );
    // With the report off the vector has two words fewer: 64 inline bytes, the length and the
    // capacity words, padded to the alignment.
    assert_eq!(cost, 128);
}
