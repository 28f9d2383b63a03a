//! The floors of issue 12's targets 2, 3 and 5, measured rather than estimated: the least an
//! inline-first vector that can grow does in an append loop, and in `extend_from_slice`; and
//! (`ordered`) what a spilled push loop costs with either order of the inline and heap tests.
//!
//! `Minimal` keeps its elements inline until they fill the 32-byte budget and leaves for the
//! heap in an out-of-line call that returns. Its push is what any growable push must be: one
//! compare with the inline capacity, the store, and the length stored back (the growth call can
//! read it). Nothing else: no capacity word, no spilled flag (its length alone tells inline from
//! heap, so it can never shrink back or pop), and every push past the budget goes out of line.
//! So it is a measuring probe, not a container, and the append loop of any vector that keeps its
//! buffer inline (so that it can be moved and returned) and can grow costs at least what this
//! one's does: against arrayvec it lacks only what growth forbids (a constant bound to unroll
//! against, and a length kept in a register at no cost; benches/analysis.md). It even gets its
//! growth call direct, being in its caller's codegen unit, where a generic vector's growth is
//! often called through the GOT from a library crate (benches/analysis.md). Its
//! `extend_from_slice` is likewise one compare of the room, the copy and one length store in
//! line, and the rest out of line.

use alloc::alloc::{alloc, dealloc, handle_alloc_error, realloc};
use core::alloc::Layout;
use core::mem::MaybeUninit;
use core::ptr;

use crate::{sum, Case, Ctx, Elem};

/// Invariant: `len <= N` means the first `len` inline slots are initialized and `heap` is
/// unused (uninitialized until the first push past `N`); `len > N` means `heap` holds a block
/// of `Layout::array::<T>(cap)` from the global allocator, `len <= cap`, holding `len`
/// initialized elements.
pub struct Minimal<T: Copy, const N: usize> {
    inline: [MaybeUninit<T>; N],
    len: usize,
    heap: MaybeUninit<(*mut T, usize)>,
}

impl<T: Copy, const N: usize> Minimal<T, N> {
    #[inline(always)]
    fn new() -> Self {
        Minimal {
            inline: [MaybeUninit::uninit(); N],
            len: 0,
            heap: MaybeUninit::uninit(),
        }
    }

    #[inline(always)]
    fn push(&mut self, value: T) {
        let len = self.len;
        if len < N {
            self.inline[len].write(value);
            self.len = len + 1;
        } else {
            // The new length comes back in a register: no reload after the call.
            self.len = self.push_heap(value);
        }
    }

    /// Moves to the heap at the first push past the budget, doubles when full, then appends;
    /// returns the new length.
    #[cold]
    #[inline(never)]
    fn push_heap(&mut self, value: T) -> usize {
        let len = self.len;
        let (mut block, mut cap) = if len == N {
            (ptr::null_mut(), 0)
        } else {
            // SAFETY: past the budget the heap parts are initialized (the invariant).
            unsafe { self.heap.assume_init() }
        };
        if len == N || len == cap {
            let new_cap = 2 * len.max(1);
            let layout = Layout::array::<T>(new_cap).expect("capacity overflow");
            block = if len == N {
                // SAFETY: `T` is not zero-sized in these cases, so `layout` is not empty.
                let block = unsafe { alloc(layout) }.cast::<T>();
                if !block.is_null() {
                    // SAFETY: the `N` inline elements are initialized (the invariant, `len ==
                    // N`); the new block holds `new_cap > N` of them and is distinct from `self`.
                    unsafe { ptr::copy_nonoverlapping(self.inline.as_ptr().cast(), block, N) };
                }
                block
            } else {
                let old = Layout::array::<T>(cap).expect("allocated before");
                // SAFETY: `block` was allocated with `old` (the invariant, `len > N`), and the
                // new size is not zero.
                unsafe { realloc(block.cast(), old, layout.size()) }.cast::<T>()
            };
            if block.is_null() {
                handle_alloc_error(layout);
            }
            cap = new_cap;
            self.heap.write((block, cap));
        }
        // SAFETY: on the heap now, with `len < cap`: slot `len` is inside the block.
        unsafe { block.add(len).write(value) };
        len + 1
    }

    /// Appends `other`: in line while it fits the budget (the copy, then one length store), else
    /// out of line. The copy is the same per-element loop as StackVec's, which the optimizer
    /// unrolls for a budget of a few elements (a `memcpy` call would cost more).
    #[inline(always)]
    fn extend_from_slice(&mut self, other: &[T]) {
        let len = self.len;
        if other.len() <= N - len.min(N) {
            for (i, x) in other.iter().enumerate() {
                self.inline[len + i].write(*x);
            }
            self.len = len + other.len();
        } else {
            self.len = self.extend_heap(other);
        }
    }

    /// [`push_heap`](Self::push_heap) for each element of `other`, out of line.
    #[cold]
    #[inline(never)]
    fn extend_heap(&mut self, other: &[T]) -> usize {
        for &x in other {
            if self.len < N {
                self.inline[self.len].write(x);
                self.len += 1;
            } else {
                self.len = self.push_heap(x);
            }
        }
        self.len
    }

    #[inline(always)]
    fn as_slice(&self) -> &[T] {
        let data = if self.len <= N {
            self.inline.as_ptr().cast()
        } else {
            // SAFETY: past the budget the heap parts are initialized (the invariant).
            unsafe { self.heap.assume_init().0.cast_const() }
        };
        // SAFETY: `len` elements are initialized at `data` (the invariant).
        unsafe { core::slice::from_raw_parts(data, self.len) }
    }
}

impl<T: Copy, const N: usize> Drop for Minimal<T, N> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.len > N {
            // SAFETY: on the heap, so the parts are initialized and the block was allocated
            // with this layout (the invariant); the elements are `Copy`, nothing is dropped.
            unsafe {
                let (block, cap) = self.heap.assume_init();
                dealloc(block.cast(), Layout::array::<T>(cap).unwrap_unchecked())
            }
        }
    }
}

/// The append loop of the `local` pattern over `Minimal` with the 32-byte budget.
macro_rules! minimal_local {
    ($f:ident, $t:ty) => {
        #[inline(never)]
        fn $f(_: &mut Ctx, n: usize) -> u64 {
            let mut v = Minimal::<$t, { 32 / core::mem::size_of::<$t>() }>::new();
            for i in 0..n {
                v.push(<$t as Elem>::make(i));
            }
            sum(v.as_slice())
        }
    };
}
minimal_local!(local_u64, u64);
minimal_local!(local_u32, u32);

/// The bulk table's `extend_from_slice` row over `Minimal`: the same source and sum as the
/// other columns (`bulk.rs`).
macro_rules! minimal_extend_from_slice {
    ($f:ident, $t:ty, $m:ident) => {
        #[inline(never)]
        fn $f(_: &mut Ctx, n: usize) -> u64 {
            let mut v = Minimal::<$t, { 32 / core::mem::size_of::<$t>() }>::new();
            v.extend_from_slice(crate::bulk::$m::src(n));
            sum(v.as_slice())
        }
    };
}
minimal_extend_from_slice!(extend_from_slice_u64, u64, u64s);
minimal_extend_from_slice!(extend_from_slice_u32, u32, u32s);
minimal_extend_from_slice!(extend_from_slice_pair, crate::Pair, pairs);

/// Target 3's `extend_from_slice` row of 16-byte structs (n = 2), on both platforms.
const PAIRS: (Case, Option<usize>) = (
    Case {
        imp: IMP,
        pattern: "extend_from_slice",
        ty: "16-byte struct",
        run: extend_from_slice_pair,
    },
    Some(crate::bulk::pairs::N),
);

/// The probe's column name.
pub const IMP: &str = "minimal growable";

/// The probe's rows with the host's word-sized element: target 2's (`local`, n = 3) and target
/// 3's `extend_from_slice` (n = 3), then the 16-byte structs'.
pub const U64: [(Case, Option<usize>); 3] = [
    (
        Case {
            imp: IMP,
            pattern: "local",
            ty: "u64",
            run: local_u64,
        },
        Some(3),
    ),
    (
        Case {
            imp: IMP,
            pattern: "extend_from_slice",
            ty: "u64",
            run: extend_from_slice_u64,
        },
        Some(crate::bulk::u64s::N),
    ),
    PAIRS,
];

/// The same rows with the Cortex-M4's word-sized element.
pub const U32: [(Case, Option<usize>); 3] = [
    (
        Case {
            imp: IMP,
            pattern: "local",
            ty: "u32",
            run: local_u32,
        },
        Some(3),
    ),
    (
        Case {
            imp: IMP,
            pattern: "extend_from_slice",
            ty: "u32",
            run: extend_from_slice_u32,
        },
        Some(crate::bulk::u32s::N),
    ),
    PAIRS,
];

/// Target 5's floor (host only: it has at-scale rows).
#[cfg(feature = "host")]
pub mod ordered {
    use super::*;

    /// The push loop of a vector that has spilled, for each order of the two tests
    /// a push that can store inline or on the heap makes. `Ordered` keeps a capacity word (0 while
    /// inline) so that the heap store is in line; `SPILLED_FIRST` tests `len < cap` (the heap, one
    /// compare, as `Vec`) before `len < N` (inline), else the other way round. Like `Minimal`, a
    /// probe: it leaves the inline buffer only when it is full, so a spilled vector never has
    /// `len < N` (both orders rely on it), and it has nothing but `push`.
    ///
    /// Invariant: `cap == 0` means inline, with the first `len <= N` inline slots initialized;
    /// otherwise `ptr` holds a block of `Layout::array::<T>(cap)` from the global allocator with
    /// `N <= len <= cap` initialized elements, and `cap > N`.
    pub struct Ordered<T: Copy, const N: usize, const SPILLED_FIRST: bool> {
        inline: [MaybeUninit<T>; N],
        len: usize,
        cap: usize,
        ptr: MaybeUninit<*mut T>,
    }

    impl<T: Copy, const N: usize, const SPILLED_FIRST: bool> Ordered<T, N, SPILLED_FIRST> {
        #[inline(always)]
        fn new() -> Self {
            Ordered {
                inline: [MaybeUninit::uninit(); N],
                len: 0,
                cap: 0,
                ptr: MaybeUninit::uninit(),
            }
        }

        /// The heap store in line, after or before the inline store's test; growth out of line.
        #[inline(always)]
        fn push(&mut self, value: T) {
            let len = self.len;
            if SPILLED_FIRST {
                if len < self.cap {
                    self.store_heap(len, value);
                } else if len < N {
                    self.store_inline(len, value);
                } else {
                    self.len = self.push_grow(value);
                }
            } else if len < N {
                self.store_inline(len, value);
            } else if len < self.cap {
                self.store_heap(len, value);
            } else {
                self.len = self.push_grow(value);
            }
        }

        /// Appends at `len < N` while inline (never spilled then: the invariant).
        #[inline(always)]
        fn store_inline(&mut self, len: usize, value: T) {
            self.inline[len].write(value);
            self.len = len + 1;
        }

        /// Appends at `len < cap` while spilled.
        #[inline(always)]
        fn store_heap(&mut self, len: usize, value: T) {
            // SAFETY: `len < cap` with `cap != 0`, so spilled (the invariant): slot `len` is in the
            // block.
            unsafe { self.ptr.assume_init().add(len).write(value) };
            self.len = len + 1;
        }

        /// Spills (inline and full) or doubles (spilled and full), then appends; returns the new
        /// length.
        #[cold]
        #[inline(never)]
        fn push_grow(&mut self, value: T) -> usize {
            let len = self.len;
            let new_cap = 2 * len;
            let layout = Layout::array::<T>(new_cap).expect("capacity overflow");
            let block = if self.cap == 0 {
                // SAFETY: `T` is not zero-sized in these cases, so `layout` is not empty.
                let block = unsafe { alloc(layout) }.cast::<T>();
                if !block.is_null() {
                    // SAFETY: inline and full: the `N` inline elements are initialized, and the new
                    // block holds `2 * N` of them.
                    unsafe { ptr::copy_nonoverlapping(self.inline.as_ptr().cast(), block, N) };
                }
                block
            } else {
                // SAFETY: spilled and full (`len == cap`): `ptr` holds a block of this layout.
                unsafe {
                    let old = Layout::array::<T>(len).unwrap_unchecked();
                    realloc(self.ptr.assume_init().cast(), old, layout.size()).cast::<T>()
                }
            };
            if block.is_null() {
                handle_alloc_error(layout);
            }
            self.ptr.write(block);
            self.cap = new_cap;
            // SAFETY: `len < new_cap`: slot `len` is in the block.
            unsafe { block.add(len).write(value) };
            len + 1
        }

        #[inline(always)]
        fn as_slice(&self) -> &[T] {
            let data = if self.cap == 0 {
                self.inline.as_ptr().cast()
            } else {
                // SAFETY: spilled: `ptr` is initialized (the invariant).
                unsafe { self.ptr.assume_init().cast_const() }
            };
            // SAFETY: `len` elements are initialized at `data` (the invariant).
            unsafe { core::slice::from_raw_parts(data, self.len) }
        }
    }

    impl<T: Copy, const N: usize, const SPILLED_FIRST: bool> Drop for Ordered<T, N, SPILLED_FIRST> {
        #[inline(always)]
        fn drop(&mut self) {
            if self.cap != 0 {
                // SAFETY: spilled, with a block of this layout (the invariant); the elements are
                // `Copy`, nothing is dropped.
                unsafe {
                    dealloc(
                        self.ptr.assume_init().cast(),
                        Layout::array::<T>(self.cap).unwrap_unchecked(),
                    )
                }
            }
        }
    }

    /// The push loop over `Ordered` (u64, the 32-byte budget): the code of the `local` pattern and
    /// of the at-scale `push loop` (benches/src/scale.rs).
    #[inline(never)]
    fn ordered_push_loop<const SPILLED_FIRST: bool>(_: &mut Ctx, n: usize) -> u64 {
        let mut v = Ordered::<u64, 4, SPILLED_FIRST>::new();
        for i in 0..n {
            v.push(u64::make(i));
        }
        sum(v.as_slice())
    }

    /// The column names of the two orders.
    pub const INLINE_FIRST: &str = "probe: inline first";
    /// See [`INLINE_FIRST`].
    pub const SPILLED_FIRST: &str = "probe: spilled first";

    /// Each order's rows: the inline push loop (`local`, n = 3) and the push loop at scale.
    pub fn cases() -> impl Iterator<Item = (Case, Option<usize>)> {
        type Run = fn(&mut Ctx, usize) -> u64;
        let orders: [(&str, Run); 2] = [
            (INLINE_FIRST, ordered_push_loop::<false>),
            (SPILLED_FIRST, ordered_push_loop::<true>),
        ];
        orders.into_iter().flat_map(|(imp, run)| {
            let rows = [("local", 3)].into_iter().chain(
                crate::scale::NS
                    .into_iter()
                    .map(|n| (crate::scale::PATTERNS[0], n)),
            );
            rows.map(move |(pattern, n)| {
                let case = Case {
                    imp,
                    pattern,
                    ty: "u64",
                    run,
                };
                (case, Some(n))
            })
        })
    }
}
