//! Bulk operations on a vector that stays inline: `extend_from_slice`, `extend` and `collect()`
//! from exact-size iterators, `From<[T; M]>`, `clone()` and `resize`, each a registered case
//! like the Go patterns (`#[inline(never)]`, `n` known only at run time, the result summed).
//!
//! Every column does the same work from the same source: a static array read through
//! `black_box`, so no column can see the values. Where a container has no such API the case is
//! absent and the table shows `–`: arrayvec has no `From<[T; M]>` for `M` below its capacity
//! and no `resize`; smallvec 1.x has no `From<[T; M]>` for `M` below its inline size.

use core::hint::black_box;
use core::sync::atomic::{AtomicPtr, Ordering};

use alloc::boxed::Box;

use crate::{sum, Case, Elem, Pair, FIXED};

/// The pattern names of the bulk rows, in table order.
pub const PATTERNS: [&str; 8] = [
    "extend_from_slice",
    "extend(iter().copied())",
    "extend((0..n).map(f))",
    "From<[T; n]>",
    "collect() of iter().copied()",
    "collect() of (0..n).map(f)",
    "clone()",
    "resize(n, x) from empty",
];

/// The elements the cases read: element `i` equals `Elem::make(i)`, built at compile time so
/// that reading them costs no instructions of the measured call.
pub trait Source: Elem {
    const SRC: [Self; FIXED];
}

/// `[make(0), .., make(FIXED - 1)]` for a `const` element constructor.
macro_rules! source_array {
    ($i:ident => $make:expr) => {{
        let mut a = [{
            let $i: usize = 0;
            $make
        }; FIXED];
        let mut $i: usize = 1;
        while $i < FIXED {
            a[$i] = $make;
            $i += 1;
        }
        a
    }};
}

impl Source for u64 {
    const SRC: [u64; FIXED] = source_array!(i => i as u64);
}
impl Source for u32 {
    const SRC: [u32; FIXED] = source_array!(i => i as u32);
}
impl Source for Pair {
    const SRC: [Pair; FIXED] = source_array!(i => Pair { a: i as u64, b: 1 });
}

/// Pairs each case with its row's `n`.
pub fn at(cases: &'static [Case], n: usize) -> impl Iterator<Item = (Case, Option<usize>)> {
    cases.iter().map(move |&c| (c, Some(n)))
}

/// The container a `clone()` case clones: built and leaked by the case's first (unmeasured,
/// warm-up) call, so the measured call only loads a pointer before cloning. A case is always
/// called with the same `n`, so the first call's container is the right one. Never inlined, so
/// that every column pays the same call: left to the optimizer it was inlined into some columns
/// and not others, differently from one build to the next (arrayvec's `clone()` read 64 or 76).
#[inline(never)]
fn source<C: Sync + 'static>(slot: &'static AtomicPtr<C>, make: impl FnOnce() -> C) -> &'static C {
    let ptr = slot.load(Ordering::Acquire);
    if ptr.is_null() {
        let leaked: &'static C = Box::leak(Box::new(make()));
        slot.store(leaked as *const C as *mut C, Ordering::Release);
        return leaked;
    }
    // SAFETY: a non-null pointer in `slot` was stored above from a leaked `Box`, so it points to
    // a live `C` for the rest of the process; nothing ever writes through it, and `C: Sync` makes
    // the shared reference sound from any thread.
    unsafe { &*ptr }
}

/// `extend_from_slice` and `resize`, for the containers that have them by these
/// names, in a `common!` module.
macro_rules! vec_like {
    () => {
        #[inline(never)]
        pub fn extend_from_slice(_: &mut crate::Ctx, n: usize) -> u64 {
            let mut v = C::new();
            v.extend_from_slice(src(n));
            sum(&v)
        }
        #[inline(never)]
        pub fn resize(_: &mut crate::Ctx, n: usize) -> u64 {
            let mut v = C::new();
            v.resize(n, black_box(SRC[1]));
            sum(&v)
        }
    };
}

/// The cases every container has, in a module `$col` for a container type `$c`, plus
/// `vec_like`'s where asked. Expanded inside a `bulk_for!` module, whose `T`, `SRC`, `src`
/// they use.
macro_rules! common {
    ($col:ident, $c:ty $(, $more:ident)?) => {
        pub mod $col {
            use super::*;
            type C = $c;
            $($more!();)?

            #[inline(never)]
            pub fn extend_copied(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                v.extend(src(n).iter().copied());
                sum(&v)
            }
            #[inline(never)]
            pub fn extend_map(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = C::new();
                v.extend((0..n).map(T::make));
                sum(&v)
            }
            #[inline(never)]
            pub fn collect_copied(_: &mut crate::Ctx, n: usize) -> u64 {
                let v: C = src(n).iter().copied().collect();
                sum(&v)
            }
            #[inline(never)]
            pub fn collect_map(_: &mut crate::Ctx, n: usize) -> u64 {
                let v: C = (0..n).map(T::make).collect();
                sum(&v)
            }
            #[inline(never)]
            pub fn clone(_: &mut crate::Ctx, n: usize) -> u64 {
                static SOURCE: AtomicPtr<C> = AtomicPtr::new(core::ptr::null_mut());
                let v = source(&SOURCE, || src(n).iter().copied().collect::<C>())
                    .clone();
                sum(&v)
            }
        }
    };
}

/// The bulk cases of one element type whose `n` elements fit StackVec's default 32-byte budget
/// (`$budget` elements, also smallvec's inline size).
macro_rules! bulk_for {
    ($m:ident, $t:ty, $name:literal, $budget:literal, $n:literal) => {
        pub mod $m {
            use super::*;
            use alloc::vec::Vec;
            use stackfirst::StackVec;

            type T = $t;
            /// The row's element count: inline in every container but `Vec`.
            pub const N: usize = $n;

            static SRC: [T; FIXED] = <T as Source>::SRC;

            /// The first `n` source elements, unknown to the optimizer (also the floor probe's,
            /// in `minimal.rs`).
            #[inline(always)]
            pub(crate) fn src(n: usize) -> &'static [T] {
                &black_box(&SRC)[..n]
            }

            common!(stackvec, StackVec<T>, vec_like);
            common!(arrayvec, ::arrayvec::ArrayVec<T, FIXED>);
            common!(smallvec, ::smallvec::SmallVec<[T; $budget]>, vec_like);
            common!(vec, Vec<T>, vec_like);

            static ARRAY: [T; N] = {
                let mut a = [SRC[0]; N];
                let mut i = 0;
                while i < N {
                    a[i] = SRC[i];
                    i += 1;
                }
                a
            };

            #[inline(never)]
            pub fn arrayvec_extend_from_slice(_: &mut crate::Ctx, n: usize) -> u64 {
                let mut v = ::arrayvec::ArrayVec::<T, FIXED>::new();
                if v.try_extend_from_slice(src(n)).is_err() {
                    unreachable!("n <= FIXED");
                }
                sum(&v)
            }
            /// `n` is the array's length, `N`.
            #[inline(never)]
            pub fn stackvec_from_array(_: &mut crate::Ctx, _: usize) -> u64 {
                sum(&StackVec::<T>::from(*black_box(&ARRAY)))
            }
            #[inline(never)]
            pub fn vec_from_array(_: &mut crate::Ctx, _: usize) -> u64 {
                sum(&Vec::from(*black_box(&ARRAY)))
            }

            const fn case(
                imp: &'static str,
                pattern: usize,
                run: fn(&mut crate::Ctx, usize) -> u64,
            ) -> Case {
                Case {
                    imp,
                    pattern: PATTERNS[pattern],
                    ty: $name,
                    run,
                }
            }

            /// Every bulk case of this element type, in [`PATTERNS`] order.
            pub const CASES: &[Case] = &[
                case("StackVec", 0, stackvec::extend_from_slice),
                case("arrayvec", 0, arrayvec_extend_from_slice),
                case("smallvec", 0, smallvec::extend_from_slice),
                case("Vec", 0, vec::extend_from_slice),
                case("StackVec", 1, stackvec::extend_copied),
                case("arrayvec", 1, arrayvec::extend_copied),
                case("smallvec", 1, smallvec::extend_copied),
                case("Vec", 1, vec::extend_copied),
                case("StackVec", 2, stackvec::extend_map),
                case("arrayvec", 2, arrayvec::extend_map),
                case("smallvec", 2, smallvec::extend_map),
                case("Vec", 2, vec::extend_map),
                case("StackVec", 3, stackvec_from_array),
                case("Vec", 3, vec_from_array),
                case("StackVec", 4, stackvec::collect_copied),
                case("arrayvec", 4, arrayvec::collect_copied),
                case("smallvec", 4, smallvec::collect_copied),
                case("Vec", 4, vec::collect_copied),
                case("StackVec", 5, stackvec::collect_map),
                case("arrayvec", 5, arrayvec::collect_map),
                case("smallvec", 5, smallvec::collect_map),
                case("Vec", 5, vec::collect_map),
                case("StackVec", 6, stackvec::clone),
                case("arrayvec", 6, arrayvec::clone),
                case("smallvec", 6, smallvec::clone),
                case("Vec", 6, vec::clone),
                case("StackVec", 7, stackvec::resize),
                case("smallvec", 7, smallvec::resize),
                case("Vec", 7, vec::resize),
            ];

            /// The cases with their row's `n`.
            pub fn cases() -> impl Iterator<Item = (Case, Option<usize>)> {
                at(CASES, N)
            }
        }
    };
}

bulk_for!(u64s, u64, "u64", 4, 3);
bulk_for!(u32s, u32, "u32", 8, 3);
bulk_for!(pairs, Pair, "16-byte struct", 2, 2);
