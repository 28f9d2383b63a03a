//! The spill report against workloads whose lengths are known.
#![cfg(feature = "spill-report")]

mod common;

use common::sites_between;
use stackfirst::{spill_report, stack_vec, SiteStats, StackVec};

#[test]
fn counts_and_recommendations_for_known_lengths() {
    // 100 vectors of u64 (4 inline): 90 of length 2, 9 of length 6, 1 of length 40.
    let lengths = std::iter::repeat_n(2, 90)
        .chain(std::iter::repeat_n(6, 9))
        .chain([40]);
    let first = line!();
    for n in lengths {
        let mut v: StackVec<u64> = StackVec::new();
        v.extend(0..n);
    }
    let s = &sites_between(file!(), first, line!())[0];
    assert_eq!(
        (s.created, s.spilled, s.max_len, s.elem_size),
        (100, 10, 40, 8)
    );
    assert_eq!(s.lengths[2], 90); // 2..4
    assert_eq!(s.lengths[3], 9); // 4..8
    assert_eq!(s.lengths[6], 1); // 32..64

    // 95% and 99% are covered by lengths below 8: 7 u64 = 56 bytes, and the length and
    // capacity words on the stack.
    assert_eq!(
        (s.budget_for(95), s.stack_cost(s.budget_for(95))),
        (56, 56 + 2 * size_of::<usize>())
    );
    assert_eq!(s.budget_for(99), 56);
    assert_eq!(s.budget_for(100), 320); // everything needs the longest: 40 u64
    assert_eq!(s.budget_for(50), 24); // lengths 2..4: 3 u64
}

/// The record of the vector built and shortened on the macro's line: `(spilled, max_len)`.
macro_rules! peak_of {
    ($n:expr, |$v:ident| $shrink:expr) => {{
        {
            let mut $v: StackVec<u64> = StackVec::new();
            $v.extend(0..$n);
            $shrink;
        }
        let s = &sites_between(file!(), line!(), line!())[0];
        assert_eq!(s.created, 1);
        (s.spilled, s.max_len)
    }};
}

/// A vector made on a line of its own, away from the sites `peak_of!` reads.
fn elsewhere() -> StackVec<u64> {
    StackVec::new()
}

/// A vector counts with the longest it has been, whatever shortened it before it was dropped
/// (u64: 4 inline). Counted at the length at drop, a stack popped empty asked for no budget.
#[test]
fn vectors_count_with_their_high_water_mark() {
    assert_eq!(peak_of!(3, |v| while v.pop().is_some() {}), (0, 3));
    assert_eq!(peak_of!(9, |v| v.truncate(1)), (1, 9));
    assert_eq!(peak_of!(4, |v| v.clear()), (0, 4));
    assert_eq!(peak_of!(6, |v| v.drain(..).count()), (1, 6));
    assert_eq!(peak_of!(3, |v| v.retain(|_| false)), (0, 3));
    assert_eq!(peak_of!(3, |v| (v.remove(0), v.swap_remove(0))), (0, 3));
    assert_eq!(peak_of!(4, |v| v.dedup_by_key(|_| 0)), (0, 4));
    assert_eq!(peak_of!(7, |v| v.extract_if(.., |_| true).count()), (1, 7));
    assert_eq!(peak_of!(7, |v| v.splice(1.., []).count()), (1, 7));
    assert_eq!(peak_of!(3, |v| elsewhere().append(&mut v)), (0, 3)); // `v` is emptied
    assert_eq!(peak_of!(9, |v| v.shrink_to_fit()), (1, 9));
    assert_eq!(peak_of!(9, |v| (v.truncate(2), v.shrink_to_fit())), (1, 9));
    // Growing again after shortening: the longer of the two.
    assert_eq!(peak_of!(3, |v| (v.truncate(1), v.push(7))), (0, 3));
    assert_eq!(peak_of!(2, |v| (v.clear(), v.extend(0..3))), (0, 3));

    // A depth-first stack that never holds more than 3, popped empty: its budget holds 3.
    let first = line!();
    for _ in 0..10 {
        let mut stack: StackVec<u64> = stack_vec![0];
        let mut visited = 0;
        while let Some(depth) = stack.pop() {
            visited += 1;
            if depth < 2 {
                stack.extend([depth + 1, depth + 1]);
            }
        }
        assert_eq!(visited, 7);
    }
    let s = &sites_between(file!(), first, line!())[0];
    assert_eq!((s.created, s.spilled, s.max_len), (10, 0, 3));
    assert_eq!(s.budget_for(100), 3 * 8);

    // The strings' bytes too.
    let first = line!();
    let mut s = stackfirst::StackString::<32>::from("twenty bytes of text");
    s.clear();
    drop(s);
    assert_eq!(sites_between(file!(), first, line!())[0].max_len, 20);
}

/// Inline elements are one exact allocation and a copy, a spilled buffer is handed over, an
/// empty vector is neither; `try_into_heap_exact` counts as `into_heap_exact` does.
#[test]
fn into_heap_exact_identity_and_copy() {
    let first = line!();
    for n in [0, 2, 3, 10] {
        let v: StackVec<u32> = StackVec::from_iter(0..n);
        assert_eq!(v.into_heap_exact().len(), n as usize);
        let v: StackVec<u32> = StackVec::from_iter(0..n);
        assert_eq!(v.try_into_heap_exact().unwrap().len(), n as usize);
    }
    let sites = sites_between(file!(), first, line!());
    assert_eq!(sites.len(), 2);
    for s in &sites {
        assert_eq!(
            (s.created, s.spilled, s.into_heap_copy, s.into_heap_identity),
            (4, 1, 2, 1)
        );
    }
}

#[test]
fn the_macro_and_clones_are_attributed_to_their_call_sites() {
    let first = line!();
    let v: StackVec<u8> = stack_vec![1, 2, 3];
    let w = v.clone();
    drop((v, w));
    let sites = sites_between(file!(), first, line!());
    assert_eq!(sites.len(), 2, "the macro's site and the clone's");
    assert!(sites.iter().all(|s| s.created == 1 && s.spilled == 0));

    // A clone too long for the inline buffer goes to the heap out of line: still its own site.
    let v: StackVec<u8, 4> = (0..9).collect();
    let first = line!();
    let w = v.clone();
    assert_eq!(w, v);
    drop((v, w));
    let sites = sites_between(file!(), first, line!());
    assert_eq!(
        (sites.len(), sites[0].line, sites[0].created),
        (1, first + 1, 1)
    );
}

#[test]
fn the_table_is_sorted_by_spills_and_names_the_budgets() {
    let first = line!();
    for _ in 0..3 {
        let mut v: StackVec<u8, 4> = StackVec::new();
        v.extend([0; 9]);
    }
    let s = &sites_between(file!(), first, line!())[0];
    let text = spill_report().to_string();
    let row = text
        .lines()
        .find(|l| l.contains(&format!("spill_report.rs:{}:", s.line)))
        .unwrap();
    assert!(row.contains("3 (100%)"), "{row}");
    // 9 bytes sit in the 8..16 bucket, capped at the longest (9 bytes), rounded up to whole
    // words (16 bytes on 64-bit targets, 12 on 32-bit); plus the length and capacity words.
    let word = size_of::<usize>();
    let budget = 9usize.next_multiple_of(word);
    assert!(
        row.contains(&format!("{budget} B ({} B stack)", budget + 2 * word)),
        "{row}"
    );
    let report = spill_report();
    assert!(report
        .sites()
        .windows(2)
        .all(|w| w[0].spilled >= w[1].spilled));
    // The table itself (the `Display` text) in the same order: its rows' spill counts.
    let text = report.to_string();
    let spills: Vec<usize> = text
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("collect() is") && !l.contains("were not tracked"))
        .map(|row| {
            let words: Vec<&str> = row.split_whitespace().collect();
            let pct = words.iter().position(|w| w.ends_with("%)")).unwrap();
            words[pct - 1].parse().unwrap()
        })
        .collect();
    assert_eq!(spills.len(), report.sites().len(), "{text}");
    assert!(
        spills.windows(2).all(|w| w[0] >= w[1]),
        "table not sorted by spills: {spills:?}\n{text}"
    );
}

#[test]
fn collect_sites_share_one_labelled_row_and_columns_stay_aligned() {
    let v: StackVec<u16> = (0..3).collect();
    drop(v);
    let w: StackVec<u16> = StackVec::from_iter(0..3);
    drop(w);
    let report = spill_report();
    assert!(report.sites().iter().any(SiteStats::is_collect));
    assert!(report
        .sites()
        .iter()
        .any(|s| !s.is_collect() && s.file.ends_with("spill_report.rs")));
    let text = report.to_string();
    assert!(text.contains("collect() (all sites, see below)"), "{text}");
    assert!(text.contains("StackVec::from_iter(iter)"), "{text}");
    assert!(!text.contains("iterator.rs"), "{text}");
    // Every row's second column starts where the header's does.
    let rows: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("collect() is"))
        .collect();
    let col = rows[0].find(" elem").unwrap();
    for row in &rows[1..] {
        assert_eq!(
            row.as_bytes()[col],
            b' ',
            "misaligned row {row:?} in\n{text}"
        );
    }
}

/// `collect`, `partition` and `unzip` build their vectors at different lines of `core`
/// (`partition` and `unzip` at two each): one `collect()` row for them all.
#[test]
fn collect_partition_and_unzip_share_the_collect_row() {
    #[derive(Clone, Copy)]
    struct E37(#[allow(dead_code)] [u8; 37]); // a size no other test uses
    let e = |x: u8| E37([x; 37]);
    drop((0..3u8).map(e).collect::<StackVec<E37>>());
    let (a, b): (StackVec<E37>, StackVec<E37>) = (0..4u8).map(e).partition(|x| x.0[0] % 2 == 0);
    drop((a, b));
    let (c, d): (StackVec<E37>, StackVec<E37>) = (0..3u8).map(|x| (e(x), e(x))).unzip();
    drop((c, d));
    let report = spill_report();
    let rows: Vec<&SiteStats> = report
        .sites()
        .iter()
        .filter(|s| s.elem_size == 37)
        .collect();
    assert_eq!(rows.len(), 1, "{report}");
    assert!(rows[0].is_collect());
    assert_eq!((rows[0].created, rows[0].max_len), (5, 3));
    let text = report.to_string();
    let lines = text.lines().filter(|l| l.contains(" 37 B ")).count();
    assert_eq!(lines, 1, "{text}");
}

/// The report's two words are padded to an over-aligned `T`'s alignment, and its call-site
/// pointer is a niche (as the crate docs say; `tests/stack_vec.rs` has the sizes without it).
#[test]
#[cfg(target_pointer_width = "64")]
fn the_reports_words_are_padded_and_a_niche() {
    use std::mem::size_of;
    assert_eq!(size_of::<StackVec<u64>>(), 64);
    assert_eq!(size_of::<Option<StackVec<u64>>>(), 64);
    assert_eq!(size_of::<StackVec<u128, 0>>(), 32 + 32);
}

#[test]
fn budget_for_is_checked() {
    let first = line!();
    drop(StackVec::<u64>::from_iter(0..3));
    let mut s = sites_between(file!(), first, line!())[0].clone();
    assert_eq!(s.budget_for(100), 24);
    // Counts near usize::MAX do not overflow.
    s.created = usize::MAX;
    s.lengths[0] = 1;
    s.lengths[2] = usize::MAX;
    assert_eq!(s.budget_for(100), 24);
    let err = std::panic::catch_unwind(|| s.budget_for(usize::MAX)).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("at most 100"), "{msg}");
}

/// Room asked for with `reserve_exact`/`try_reserve_exact` and granted without an allocation
/// counts for the spill report as `reserve`'s does: with a smaller budget the call spills.
#[test]
fn reserve_exact_granted_in_place_counts_for_the_spill_report() {
    let first = line!();
    {
        let mut v: StackVec<u64> = StackVec::new();
        v.reserve_exact(3);
        v.push(1);
    }
    {
        let mut w: StackVec<u64> = StackVec::new();
        w.try_reserve_exact(4).unwrap();
    }
    let sites = sites_between(file!(), first, line!());
    let got: Vec<_> = sites.iter().map(|s| (s.line - first, s.max_len)).collect();
    assert_eq!(got, [(2, 3), (7, 4)], "{sites:?}");
}

/// Shrinking a vector that never spilled does not count it as one that spilled and moved back
/// inline.
#[test]
fn shrinking_a_vector_that_never_spilled_is_not_a_spill() {
    let first = line!();
    {
        let mut v: StackVec<u64> = StackVec::from([1, 2]);
        v.shrink_to_fit();
        v.shrink_to(3);
    }
    let sites = sites_between(file!(), first, line!());
    let got: Vec<_> = sites
        .iter()
        .map(|s| (s.line - first, s.created, s.spilled))
        .collect();
    assert_eq!(got, [(2, 1, 0)], "{sites:?}");
}

/// `Vec::from` a vector of a borrowed allocator or of `NoHeap` whose elements are inline copies
/// them into one exact allocation: counted as an `into_heap_copy` of its site, as
/// `into_heap_exact` of inline elements is.
#[test]
fn vec_from_inline_elements_of_another_allocator_counts_as_a_copy() {
    let bump = bumpalo::Bump::new();
    let first = line!();
    for n in [2u32, 3] {
        let v: StackVec<u32, 32, &bumpalo::Bump> = StackVec::from_iter_in(0..n, &bump);
        assert_eq!(Vec::from(v).len(), n as usize);
    }
    let fixed: stackfirst::InlineVec<u32> = stack_vec![1, 2];
    assert_eq!(Vec::from(fixed), [1, 2]);
    let sites = sites_between(file!(), first, line!());
    assert_eq!(sites.len(), 2);
    assert_eq!(
        (sites[0].created, sites[0].spilled, sites[0].into_heap_copy),
        (2, 0, 2)
    );
    assert_eq!((sites[1].created, sites[1].into_heap_copy), (1, 1));
}

// Mutation review (round 6)

#[test]
fn an_adopted_vec_buffer_counts_as_needing_one_more_than_the_inline_capacity() {
    // `From<Vec>` adopts the heap buffer: spilled with two elements where four fit inline, so
    // the site needs at least 5 (the 4..8 bucket), not 2.
    let first = line!();
    let v: StackVec<u64> = StackVec::from(vec![1u64, 2]);
    assert!(v.spilled());
    drop(v);
    let s = &sites_between(file!(), first, line!())[0];
    assert_eq!((s.created, s.spilled, s.max_len), (1, 1, 5));
    assert_eq!((s.lengths[2], s.lengths[3]), (0, 1));
}

#[test]
fn rows_with_as_many_spills_are_ordered_by_vectors_made() {
    let first = line!();
    drop(StackVec::<u16>::from_iter([1u16]));
    for _ in 0..3 {
        drop(StackVec::<u16>::from_iter([1u16]));
    }
    let lines: Vec<u32> = spill_report()
        .sites()
        .iter()
        .filter(|s| s.file == file!() && (first..first + 5).contains(&s.line))
        .map(|s| s.line - first)
        .collect();
    assert_eq!(lines, [3, 1], "the site of three vectors first");
}

#[test]
fn no_untracked_line_when_every_site_was_tracked() {
    drop(StackVec::<u8>::from_iter([1u8]));
    let report = spill_report();
    assert_eq!(
        report.untracked(),
        0,
        "this suite's sites fit the report's table"
    );
    let text = report.to_string();
    assert!(!text.contains("were not tracked"), "{text}");
}

/// `collect()`'s rows (one per line of `core`) merge into one: their `into_heap_exact` copies
/// add up, the longest length and the largest alignment are kept whichever row comes first.
#[test]
fn the_merged_collect_row_sums_copies_and_keeps_the_largest_length_and_alignment() {
    #[derive(Clone, Copy)]
    struct E11(#[allow(dead_code)] [u8; 11]); // sizes no other test here uses
    #[derive(Clone, Copy)]
    struct Al1<const K: usize>(#[allow(dead_code)] [u8; K]);
    #[derive(Clone, Copy)]
    #[repr(C, align(8))]
    struct Al8<const K: usize>(#[allow(dead_code)] [u8; K]);

    let e = |x: u8| E11([x; 11]);
    let v: StackVec<E11> = (0..2).map(e).collect();
    assert_eq!(v.into_heap_exact().len(), 2);
    let (a, b): (StackVec<E11>, StackVec<E11>) = (0..2).map(|x| (e(x), e(x))).unzip();
    assert_eq!(
        (a.into_heap_exact().len(), b.into_heap_exact().len()),
        (2, 2)
    );
    let row = |size: usize| {
        let report = spill_report();
        let rows: Vec<SiteStats> = report
            .sites()
            .iter()
            .filter(|s| s.elem_size == size)
            .cloned()
            .collect();
        assert_eq!(rows.len(), 1, "{report}");
        assert!(rows[0].is_collect());
        rows[0].clone()
    };
    let s = row(11);
    assert_eq!((s.created, s.into_heap_copy), (3, 3));

    // The long, over-aligned vectors at `collect`'s line for one size, at `unzip`'s for the
    // next: whatever the order of the rows, both must merge to 5 elements and alignment 8.
    drop((0..5).map(|_| Al8([0; 208])).collect::<StackVec<_>>());
    let (a, b): (StackVec<Al1<208>>, StackVec<Al1<208>>) =
        [(Al1([0; 208]), Al1([0; 208]))].into_iter().unzip();
    drop((a, b));
    drop([Al1([0; 216])].into_iter().collect::<StackVec<_>>());
    let (a, b): (StackVec<Al8<216>>, StackVec<Al8<216>>) =
        (0..5).map(|_| (Al8([0; 216]), Al8([0; 216]))).unzip();
    drop((a, b));
    for size in [208, 216] {
        let s = row(size);
        assert_eq!(
            (s.created, s.max_len, s.elem_align),
            (3, 5, 8),
            "size {size}"
        );
    }
}

// Mutation review (round 7)

/// `move_in` moves the elements into another `StackVec` (inline when they fit): no exact heap
/// `Vec` is made, so neither vector counts an `into_heap_copy` (nor an identity hand-over).
#[test]
fn move_in_of_inline_elements_is_not_an_into_heap_copy() {
    let bump = bumpalo::Bump::new();
    let first = line!();
    for n in [2u32, 3] {
        let v: StackVec<u32, 32, &bumpalo::Bump> = StackVec::from_iter_in(0..n, &bump);
        let moved: StackVec<u32> = v.move_in(allocator_api2::alloc::Global);
        assert_eq!((moved.len(), moved.spilled()), (n as usize, false));
    }
    let sites = sites_between(file!(), first, line!());
    assert_eq!(sites.len(), 2);
    for s in &sites {
        assert_eq!(
            (s.created, s.spilled, s.into_heap_copy, s.into_heap_identity),
            (2, 0, 0, 0)
        );
    }
}

/// Only where `usize` is 32 bits: on 64-bit targets the overflow below needs 1.8e17 spills.
#[cfg(target_pointer_width = "32")]
mod thirty_two_bit {
    use core::alloc::Layout;
    use core::ptr::NonNull;

    use stackfirst::allocator_api2::alloc::{AllocError, Allocator};
    use stackfirst::StackVec;

    /// Hands out one static block for every request and frees nothing: a spill as cheap as it
    /// gets, so that tens of millions of them take seconds.
    #[derive(Clone, Copy)]
    struct OneStaticBlock;

    #[repr(align(16))]
    struct Block {
        _bytes: [u8; 64],
    }
    static mut BLOCK: Block = Block { _bytes: [0; 64] };

    // SAFETY: the block is never used for anything but the zero or one `u8` these vectors
    // hold, and only from this one test thread.
    unsafe impl Allocator for OneStaticBlock {
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            assert!(layout.size() <= 64 && layout.align() <= 16);
            let p = NonNull::new(core::ptr::addr_of_mut!(BLOCK).cast::<u8>()).unwrap();
            Ok(NonNull::slice_from_raw_parts(p, 64))
        }
        unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {}
    }

    #[inline(never)]
    fn spill_once() -> u32 {
        let line = line!() + 1;
        let v = StackVec::<u8, 0, OneStaticBlock>::try_with_capacity_in(1, OneStaticBlock);
        assert!(v.unwrap().spilled());
        line
    }

    /// A site's spilled percentage survives 43 million spills: `spilled * 100` overflowed a
    /// 32-bit `usize` there, so printing the report panicked in a debug build ("attempt to
    /// multiply with overflow") and showed a wrapped percentage in a release build.
    #[test]
    fn spill_percentage_survives_43_million_spills() {
        const N: usize = (u32::MAX / 100) as usize + 1; // 42,949,673
        let mut line = 0;
        for _ in 0..N {
            line = spill_once();
        }
        let report = stackfirst::spill_report();
        let site = report
            .sites()
            .iter()
            .find(|s| s.file == file!() && s.line == line)
            .expect("the site is tracked");
        assert_eq!((site.created, site.spilled), (N, N));
        let text = report.to_string();
        let row = text
            .lines()
            .find(|l| l.contains(&format!("spill_report.rs:{line}:")))
            .expect("the site's row");
        assert!(row.contains(&format!("{N} (100%)")), "{row}");
    }
}
