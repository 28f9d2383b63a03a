//! Vectors built at scale (u64, `n` in [`NS`]), long spilled: the push loop, `collect()` and
//! `extend` from an exact-size and from an unsized iterator, and `extend_from_slice`, for
//! StackVec, smallvec 1.x and `Vec`. Registered like the Go patterns (one call each, `n` known
//! only at run time, the result summed); the report divides by `n`.
//!
//! Host only (the `host` feature): the source array is 800 KB.

use core::hint::black_box;

use crate::{sum, Case, Elem};

/// The element counts of the at-scale rows.
pub const NS: [usize; 2] = [1_000, 100_000];

const MAX: usize = NS[1];

/// The pattern names of the at-scale rows, in table order.
pub const PATTERNS: [&str; 6] = [
    "push loop",
    "collect() of iter().map(f)",
    "extend(iter().map(f))",
    "collect() of iter().filter(p).copied()",
    "extend(iter().filter(p).copied())",
    "extend_from_slice",
];

static SRC: [u64; MAX] = {
    let mut a = [0; MAX];
    let mut i = 0;
    while i < MAX {
        a[i] = i as u64;
        i += 1;
    }
    a
};

/// The first `n` source elements, unknown to the optimizer.
#[inline(always)]
fn src(n: usize) -> &'static [u64] {
    &black_box(&SRC)[..n]
}

/// The exact-size iterator's map.
#[inline(always)]
fn f(x: &u64) -> u64 {
    x + 1
}

/// The unsized iterator's filter: keeps every element, which the optimizer cannot know.
#[inline(always)]
fn p(x: &&u64) -> bool {
    **x != u64::MAX
}

/// One container's case for each pattern, in [`PATTERNS`] order.
type Runs = [fn(&mut crate::Ctx, usize) -> u64; PATTERNS.len()];

/// The cases of one container type `C`.
macro_rules! column {
    ($col:ident, $c:ty) => {
        pub mod $col {
            use super::*;
            type C = $c;

            #[inline(never)]
            pub fn push_loop(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                for i in 0..n {
                    v.push(u64::make(i));
                }
                sum(&v)
            }
            #[inline(never)]
            pub fn collect_map(_: &mut crate::Ctx, n: usize) -> u64 {
                let v: C = src(n).iter().map(f).collect();
                sum(&v)
            }
            #[inline(never)]
            pub fn extend_map(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                v.extend(src(n).iter().map(f));
                sum(&v)
            }
            #[inline(never)]
            pub fn collect_filter(_: &mut crate::Ctx, n: usize) -> u64 {
                let v: C = src(n).iter().filter(p).copied().collect();
                sum(&v)
            }
            #[inline(never)]
            pub fn extend_filter(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                v.extend(src(n).iter().filter(p).copied());
                sum(&v)
            }
            #[inline(never)]
            pub fn extend_from_slice(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                v.extend_from_slice(src(n));
                sum(&v)
            }

            /// This container's cases, in [`PATTERNS`] order.
            pub const RUNS: Runs = [
                push_loop,
                collect_map,
                extend_map,
                collect_filter,
                extend_filter,
                extend_from_slice,
            ];
        }
    };
}

column!(stackvec, stackfirst::StackVec<u64>);
column!(smallvec, ::smallvec::SmallVec<[u64; 4]>);
column!(vec, alloc::vec::Vec<u64>);

/// The columns: implementation name and its cases.
const COLUMNS: [(&str, Runs); 3] = [
    ("StackVec", stackvec::RUNS),
    ("smallvec", smallvec::RUNS),
    ("Vec", vec::RUNS),
];

/// Every at-scale measurement: each pattern, `n` and column.
pub fn cases() -> impl Iterator<Item = (Case, Option<usize>)> {
    PATTERNS.iter().enumerate().flat_map(|(i, &pattern)| {
        NS.into_iter().flat_map(move |n| {
            COLUMNS.iter().map(move |&(imp, runs)| {
                let case = Case {
                    imp,
                    pattern,
                    ty: "u64",
                    run: runs[i],
                };
                (case, Some(n))
            })
        })
    })
}
