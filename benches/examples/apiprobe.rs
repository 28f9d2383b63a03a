//! The `Vec` API the benchmarks do not cover, measured per operation with callgrind's
//! `--toggle-collect` (benches/apiprobe.sh): `StackVec` and `InlineVec` against smallvec 1.x,
//! arrayvec and std `Vec`; and `write!` into `InlineString` against `ArrayString` and heapless.
//!
//! Every (operation, container, element type, size) is one `#[inline(never)]` function named
//! `apiprobe::<container>_<type>_<size>::<operation>`, whose body is one generic function shared
//! by all containers (so the work, the inputs and the `black_box` placement are identical). The
//! input vector is built, and dropped, by the driver outside the measured function; only the
//! operation (and, where noted, dropping what it made) is inside.
//!
//!   apiprobe list                 prints every case, one a line: `<module>::<operation>`
//!   apiprobe run <module>::<op>   calls that case's function ITERS times
//!
//! Sizes: `s` stays inline in the 32-byte budget (u64: n = 3, of 4 inline; the 16-byte struct:
//! n = 2, of 2 inline; `insert` then starts from n - 1 for the struct so that it stays inline);
//! `l` is spilled (u64: n = 32, the struct: n = 16) and built with capacity 2n, so that no
//! operation grows it. arrayvec and InlineVec hold 16 elements for `s`, 2n for `l`.

use std::hint::black_box;
use std::ops::{Deref, DerefMut};

use arrayvec::{ArrayString, ArrayVec};
use smallvec::{smallvec, SmallVec};
use stackfirst::{stack_vec, InlineString, InlineVec, StackVec};
use stackfirst_benches::{Elem, Pair};

/// Calls of each measured function per run.
pub const ITERS: usize = 1000;

/// An element: the benches' `Elem` plus what the operations need.
pub trait Item: Elem + PartialEq + std::fmt::Debug + 'static {
    fn sort(s: &mut [Self]);
    #[inline(always)]
    #[allow(clippy::manual_is_multiple_of)] // the brief's `x % 2 == 0`; MSRV 1.85
    fn keep(&self) -> bool {
        self.weight() % 2 == 0
    }
}
impl Item for u64 {
    #[inline(always)]
    fn sort(s: &mut [Self]) {
        s.sort_unstable()
    }
}
impl Item for Pair {
    #[inline(always)]
    fn sort(s: &mut [Self]) {
        s.sort_unstable_by_key(|p| (p.a, p.b))
    }
}

/// One container, each method forwarding to its own API (all inlined).
pub trait Probe: Sized + Deref<Target = [Self::T]> + DerefMut {
    type T: Item;
    const HAS_DEDUP: bool = true;
    const HAS_SPLIT_OFF: bool = true;
    const HAS_MACRO: bool = true;
    /// The input, built outside the measurement: capacity at least `cap`, elements `src`.
    fn build(src: &[Self::T], cap: usize) -> Self;
    fn insert(&mut self, i: usize, x: Self::T);
    fn remove(&mut self, i: usize) -> Self::T;
    fn swap_remove(&mut self, i: usize) -> Self::T;
    fn pop(&mut self) -> Option<Self::T>;
    fn truncate(&mut self, k: usize);
    fn retain_keep(&mut self);
    fn dedup(&mut self);
    fn drain_front_sum(&mut self, k: usize) -> u64;
    fn extend_slice(&mut self, s: &[Self::T]);
    /// Appends `x`, reporting instead of panicking when it cannot (`try_push`; smallvec 1.x and
    /// std, which have none: `try_reserve(1)`, then `push`).
    fn try_push1(&mut self, x: Self::T) -> bool;
    fn at(&self, i: usize) -> &Self::T;
    fn clone_v(&self) -> Self;
    fn into_iter_sum(self) -> u64;
    fn split_off(&mut self, at: usize) -> Self;
    /// `From<&[T]>` (arrayvec: `TryFrom`, std: `Vec::from`).
    fn from_slice(s: &[Self::T]) -> Self;
    /// The cheapest slice constructor the container has (smallvec: `from_slice`).
    #[inline(always)]
    fn from_slice_best(s: &[Self::T]) -> Self {
        Self::from_slice(s)
    }
    fn default_v() -> Self;
    fn len_v(&self) -> usize;
    /// The container's literal macro with the first `K` elements of `a`.
    fn mac<const K: usize>(a: &[Self::T; 64]) -> Self;
}

/// `$m![a[0], .., a[K - 1]]` for the `K`s the cases use.
macro_rules! literal {
    ($m:ident, $a:ident, $k:expr) => {
        match $k {
            2 => $m![$a[0], $a[1]],
            3 => $m![$a[0], $a[1], $a[2]],
            16 => $m![
                $a[0], $a[1], $a[2], $a[3], $a[4], $a[5], $a[6], $a[7], $a[8], $a[9], $a[10],
                $a[11], $a[12], $a[13], $a[14], $a[15]
            ],
            32 => $m![
                $a[0], $a[1], $a[2], $a[3], $a[4], $a[5], $a[6], $a[7], $a[8], $a[9], $a[10],
                $a[11], $a[12], $a[13], $a[14], $a[15], $a[16], $a[17], $a[18], $a[19], $a[20],
                $a[21], $a[22], $a[23], $a[24], $a[25], $a[26], $a[27], $a[28], $a[29], $a[30],
                $a[31]
            ],
            _ => unreachable!(),
        }
    };
}

/// The methods every container forwards the same way, to its own API named `$C`.
macro_rules! shared_methods {
    ($C:ident) => {
        #[inline(always)]
        fn insert(&mut self, i: usize, x: T) {
            $C::insert(self, i, x)
        }
        #[inline(always)]
        fn remove(&mut self, i: usize) -> T {
            $C::remove(self, i)
        }
        #[inline(always)]
        fn swap_remove(&mut self, i: usize) -> T {
            $C::swap_remove(self, i)
        }
        #[inline(always)]
        fn pop(&mut self) -> Option<T> {
            $C::pop(self)
        }
        #[inline(always)]
        fn truncate(&mut self, k: usize) {
            $C::truncate(self, k)
        }
        #[inline(always)]
        fn retain_keep(&mut self) {
            self.retain(|x| x.keep())
        }
        #[inline(always)]
        fn drain_front_sum(&mut self, k: usize) -> u64 {
            self.drain(..k).map(|x| x.weight()).sum()
        }
        #[inline(always)]
        fn at(&self, i: usize) -> &T {
            &self[i]
        }
        #[inline(always)]
        fn clone_v(&self) -> Self {
            self.clone()
        }
        #[inline(always)]
        fn into_iter_sum(self) -> u64 {
            self.into_iter().map(|x| x.weight()).sum()
        }
        #[inline(always)]
        fn default_v() -> Self {
            Self::default()
        }
        #[inline(always)]
        fn len_v(&self) -> usize {
            self.len()
        }
    };
}

/// `try_push1` for the containers without `try_push` (smallvec 1.x, std): `try_reserve(1)`, then
/// `push`.
macro_rules! reserve_then_push {
    () => {
        #[inline(always)]
        fn try_push1(&mut self, x: T) -> bool {
            let fits = self.try_reserve(1).is_ok();
            if fits {
                self.push(x);
            }
            fits
        }
    };
}

/// `StackVec` and `InlineVec` (the same type with another allocator).
macro_rules! stackvec_probe {
    ($A:ty) => {
        impl<T: Item, const N: usize> Probe for StackVec<T, N, $A> {
            type T = T;
            #[inline(always)]
            fn build(src: &[T], cap: usize) -> Self {
                let mut v = Self::with_capacity_in(cap, Default::default());
                v.extend_from_slice(src);
                v
            }
            shared_methods!(StackVec);
            #[inline(always)]
            fn dedup(&mut self) {
                StackVec::dedup(self)
            }
            #[inline(always)]
            fn extend_slice(&mut self, s: &[T]) {
                self.extend_from_slice(s)
            }
            #[inline(always)]
            fn try_push1(&mut self, x: T) -> bool {
                self.try_push(x).is_ok()
            }
            #[inline(always)]
            fn split_off(&mut self, at: usize) -> Self {
                StackVec::split_off(self, at)
            }
            #[inline(always)]
            fn from_slice(s: &[T]) -> Self {
                Self::from(s)
            }
            #[inline(always)]
            fn mac<const K: usize>(a: &[T; 64]) -> Self {
                literal!(stack_vec, a, K)
            }
        }
    };
}
stackvec_probe!(stackfirst::allocator_api2::alloc::Global);
stackvec_probe!(stackfirst::NoHeap);

impl<T: Item, C: smallvec::Array<Item = T>> Probe for SmallVec<C> {
    type T = T;
    #[inline(always)]
    fn build(src: &[T], cap: usize) -> Self {
        let mut v = Self::with_capacity(cap);
        v.extend_from_slice(src);
        v
    }
    shared_methods!(SmallVec);
    #[inline(always)]
    fn dedup(&mut self) {
        SmallVec::dedup(self)
    }
    #[inline(always)]
    fn extend_slice(&mut self, s: &[T]) {
        self.extend_from_slice(s)
    }
    reserve_then_push!();
    const HAS_SPLIT_OFF: bool = false;
    fn split_off(&mut self, _: usize) -> Self {
        unreachable!()
    }
    #[inline(always)]
    fn from_slice(s: &[T]) -> Self {
        Self::from(s)
    }
    #[inline(always)]
    fn from_slice_best(s: &[T]) -> Self {
        SmallVec::from_slice(s)
    }
    #[inline(always)]
    fn mac<const K: usize>(a: &[T; 64]) -> Self {
        literal!(smallvec, a, K)
    }
}

impl<T: Item, const C: usize> Probe for ArrayVec<T, C> {
    type T = T;
    const HAS_DEDUP: bool = false;
    const HAS_SPLIT_OFF: bool = false;
    const HAS_MACRO: bool = false;
    #[inline(always)]
    fn build(src: &[T], _cap: usize) -> Self {
        let mut v = Self::new();
        v.try_extend_from_slice(src).unwrap();
        v
    }
    shared_methods!(ArrayVec);
    fn dedup(&mut self) {
        unreachable!()
    }
    #[inline(always)]
    fn extend_slice(&mut self, s: &[T]) {
        self.try_extend_from_slice(s).unwrap()
    }
    #[inline(always)]
    fn try_push1(&mut self, x: T) -> bool {
        self.try_push(x).is_ok()
    }
    fn split_off(&mut self, _: usize) -> Self {
        unreachable!()
    }
    #[inline(always)]
    fn from_slice(s: &[T]) -> Self {
        Self::try_from(s).unwrap()
    }
    fn mac<const K: usize>(_: &[T; 64]) -> Self {
        unreachable!()
    }
}

impl<T: Item> Probe for Vec<T> {
    type T = T;
    #[inline(always)]
    fn build(src: &[T], cap: usize) -> Self {
        let mut v = Self::with_capacity(cap);
        v.extend_from_slice(src);
        v
    }
    shared_methods!(Vec);
    #[inline(always)]
    fn dedup(&mut self) {
        Vec::dedup(self)
    }
    #[inline(always)]
    fn extend_slice(&mut self, s: &[T]) {
        self.extend_from_slice(s)
    }
    reserve_then_push!();
    #[inline(always)]
    fn split_off(&mut self, at: usize) -> Self {
        Vec::split_off(self, at)
    }
    #[inline(always)]
    fn from_slice(s: &[T]) -> Self {
        Self::from(s)
    }
    #[inline(always)]
    fn mac<const K: usize>(a: &[T; 64]) -> Self {
        literal!(vec, a, K)
    }
}

/// The operations, written once. Each takes its input from the driver (never a constant) and
/// returns what it computes.
mod body {
    use super::*;

    #[inline(always)]
    pub fn insert0<V: Probe>(v: &mut V, x: V::T) {
        v.insert(0, x)
    }
    #[inline(always)]
    pub fn remove0<V: Probe>(v: &mut V) -> V::T {
        v.remove(0)
    }
    #[inline(always)]
    pub fn swap_remove0<V: Probe>(v: &mut V) -> V::T {
        v.swap_remove(0)
    }
    #[inline(always)]
    pub fn pop_loop<V: Probe>(v: &mut V) -> u64 {
        let mut s = 0;
        while let Some(x) = v.pop() {
            s += x.weight();
        }
        s
    }
    #[inline(always)]
    pub fn pop1<V: Probe>(v: &mut V) -> u64 {
        v.pop().map_or(0, |x| x.weight())
    }
    #[inline(always)]
    pub fn truncate<V: Probe>(v: &mut V, k: usize) {
        v.truncate(k)
    }
    #[inline(always)]
    pub fn retain<V: Probe>(v: &mut V) {
        v.retain_keep()
    }
    #[inline(always)]
    pub fn dedup<V: Probe>(v: &mut V) {
        v.dedup()
    }
    #[inline(always)]
    pub fn drain_sum<V: Probe>(v: &mut V, k: usize) -> u64 {
        v.drain_front_sum(k)
    }
    #[inline(always)]
    pub fn extend_from_slice<V: Probe>(v: &mut V, s: &[V::T]) {
        v.extend_slice(s)
    }
    #[inline(always)]
    pub fn try_push1<V: Probe>(v: &mut V, x: V::T) -> bool {
        v.try_push1(x)
    }
    #[inline(always)]
    pub fn iter_sum<V: Probe>(v: &V) -> u64 {
        v.iter().map(|x| x.weight()).sum()
    }
    #[inline(always)]
    pub fn index_loop<V: Probe>(v: &V, n: usize) -> u64 {
        let mut s = 0;
        for i in 0..n {
            s += v.at(i).weight();
        }
        s
    }
    #[inline(always)]
    pub fn sort<V: Probe>(v: &mut V) {
        V::T::sort(v)
    }
    #[inline(always)]
    pub fn contains<V: Probe>(v: &V, x: &V::T) -> bool {
        v.contains(x)
    }
    #[inline(always)]
    pub fn clone_drop<V: Probe>(v: &V) -> usize {
        let c = v.clone_v();
        black_box(&c);
        c.len_v()
    }
    #[inline(always)]
    pub fn into_iter_sum<V: Probe>(v: V) -> u64 {
        v.into_iter_sum()
    }
    #[inline(always)]
    pub fn split_off_drop<V: Probe>(v: &mut V, at: usize) -> usize {
        let t = v.split_off(at);
        black_box(&t);
        t.len_v()
    }
    #[inline(always)]
    pub fn from_slice_drop<V: Probe>(s: &[V::T]) -> usize {
        let v = V::from_slice(s);
        black_box(&v);
        v.len_v()
    }
    #[inline(always)]
    pub fn from_slice_best_drop<V: Probe>(s: &[V::T]) -> usize {
        let v = V::from_slice_best(s);
        black_box(&v);
        v.len_v()
    }
    #[inline(always)]
    pub fn macro_drop<V: Probe, const K: usize>(a: &[V::T; 64]) -> usize {
        let v = V::mac::<K>(a);
        black_box(&v);
        v.len_v()
    }
    #[inline(always)]
    pub fn default_len<V: Probe>() -> usize {
        let v = V::default_v();
        black_box(&v);
        v.len_v()
    }
}

/// The source elements: `make(i)`, `make(i / 2)` (for `dedup`) and `make(n - 1 - i)` (for
/// `sort`), built once, outside every measurement.
struct Src<T: Item> {
    up: [T; 64],
    pairs: [T; 64],
}
impl<T: Item> Src<T> {
    fn new() -> &'static Self {
        Box::leak(Box::new(Src {
            up: std::array::from_fn(T::make),
            pairs: std::array::from_fn(|i| T::make(i / 2)),
        }))
    }
    fn down(&self, n: usize) -> Vec<T> {
        (0..n).map(|i| T::make(n - 1 - i)).collect()
    }
}

/// A case: its operation name, the address of its measured function (functions with the same
/// code are folded into one, under one of their names) and the driver that calls the measured
/// function `ITERS` times.
type Case = (&'static str, usize, fn());

/// Runs `op` on a fresh input `ITERS` times; building and dropping the input are not measured.
#[inline(never)]
fn drive<V: Probe, R>(make: impl Fn() -> V, op: impl Fn(&mut V) -> R) {
    for _ in 0..ITERS {
        let mut v = make();
        black_box(op(black_box(&mut v)));
        black_box(&v);
    }
}

/// Runs a constructor case `ITERS` times.
#[inline(never)]
fn drive0<R>(op: impl Fn() -> R) {
    for _ in 0..ITERS {
        black_box(op());
    }
}

/// One module of cases: container `$V` of `$T`, `n` elements, inputs built with capacity `cap`.
macro_rules! cases {
    ($m:ident, $V:ty, $T:ty, $n:expr, $cap:expr, $ins_n:expr) => {
        pub mod $m {
            use super::*;
            pub type V = $V;
            pub type T = $T;
            /// Elements in the input.
            pub const N: usize = $n;
            /// Capacity asked of the input.
            pub const CAP: usize = $cap;
            /// Elements before `insert` (one fewer for the inline struct, so it stays inline).
            pub const INS_N: usize = $ins_n;

            #[inline(never)]
            pub fn insert0(v: &mut V, x: T) {
                body::insert0(v, x)
            }
            #[inline(never)]
            pub fn remove0(v: &mut V) -> T {
                body::remove0(v)
            }
            #[inline(never)]
            pub fn swap_remove0(v: &mut V) -> T {
                body::swap_remove0(v)
            }
            #[inline(never)]
            pub fn pop_loop(v: &mut V) -> u64 {
                body::pop_loop(v)
            }
            /// The same body as `extend_from_slice`, measured on a one-element slice.
            #[inline(never)]
            pub fn extend_from_slice_1(v: &mut V, s: &[T]) {
                body::extend_from_slice(v, s)
            }
            #[inline(never)]
            pub fn pop1(v: &mut V) -> u64 {
                body::pop1(v)
            }
            #[inline(never)]
            pub fn try_push1(v: &mut V, x: T) -> bool {
                body::try_push1(v, x)
            }
            #[inline(never)]
            pub fn truncate(v: &mut V, k: usize) {
                body::truncate(v, k)
            }
            #[inline(never)]
            pub fn retain(v: &mut V) {
                body::retain(v)
            }
            #[inline(never)]
            pub fn dedup(v: &mut V) {
                body::dedup(v)
            }
            #[inline(never)]
            pub fn drain_sum(v: &mut V, k: usize) -> u64 {
                body::drain_sum(v, k)
            }
            #[inline(never)]
            pub fn extend_from_slice(v: &mut V, s: &[T]) {
                body::extend_from_slice(v, s)
            }
            #[inline(never)]
            pub fn iter_sum(v: &V) -> u64 {
                body::iter_sum(v)
            }
            #[inline(never)]
            pub fn index_loop(v: &V, n: usize) -> u64 {
                body::index_loop(v, n)
            }
            #[inline(never)]
            pub fn sort(v: &mut V) {
                body::sort(v)
            }
            #[inline(never)]
            pub fn contains(v: &V, x: &T) -> bool {
                body::contains(v, x)
            }
            #[inline(never)]
            pub fn clone_drop(v: &V) -> usize {
                body::clone_drop(v)
            }
            #[inline(never)]
            pub fn into_iter_sum(v: V) -> u64 {
                body::into_iter_sum(v)
            }
            #[inline(never)]
            pub fn split_off_drop(v: &mut V, at: usize) -> usize {
                body::split_off_drop(v, at)
            }
            #[inline(never)]
            pub fn from_slice_drop(s: &[T]) -> usize {
                body::from_slice_drop::<V>(s)
            }
            #[inline(never)]
            pub fn from_slice_best_drop(s: &[T]) -> usize {
                body::from_slice_best_drop::<V>(s)
            }
            #[inline(never)]
            pub fn macro_drop(a: &[T; 64]) -> usize {
                body::macro_drop::<V, N>(a)
            }
            #[inline(never)]
            pub fn default_len() -> usize {
                body::default_len::<V>()
            }

            fn src() -> &'static Src<T> {
                static S: std::sync::OnceLock<&'static Src<T>> = std::sync::OnceLock::new();
                S.get_or_init(Src::<T>::new)
            }
            fn up(n: usize) -> V {
                V::build(&src().up[..n], CAP)
            }

            pub fn cases() -> Vec<Case> {
                let mut c: Vec<Case> = vec![
                    ("insert0", insert0 as *const () as usize, || {
                        drive(|| up(INS_N), |v| insert0(v, black_box(T::make(999))))
                    }),
                    ("remove0", remove0 as *const () as usize, || {
                        drive(|| up(N), |v| remove0(v))
                    }),
                    ("swap_remove0", swap_remove0 as *const () as usize, || {
                        drive(|| up(N), |v| swap_remove0(v))
                    }),
                    ("pop_loop", pop_loop as *const () as usize, || {
                        drive(|| up(N), |v| pop_loop(v))
                    }),
                    ("truncate", truncate as *const () as usize, || {
                        drive(|| up(N), |v| truncate(v, black_box(N / 2)))
                    }),
                    ("retain", retain as *const () as usize, || {
                        drive(|| up(N), |v| retain(v))
                    }),
                    ("drain_sum", drain_sum as *const () as usize, || {
                        drive(|| up(N), |v| drain_sum(v, black_box(N / 2)))
                    }),
                    (
                        "extend_from_slice",
                        extend_from_slice as *const () as usize,
                        || {
                            let tail = &src().up[N / 2..N];
                            drive(|| up(N / 2), |v| extend_from_slice(v, black_box(tail)))
                        },
                    ),
                    (
                        "extend_from_slice_1",
                        extend_from_slice_1 as *const () as usize,
                        || {
                            let one = &src().up[N - 1..N];
                            drive(|| up(N - 1), |v| extend_from_slice_1(v, black_box(one)))
                        },
                    ),
                    ("pop1", pop1 as *const () as usize, || {
                        drive(|| up(N), |v| pop1(v))
                    }),
                    ("try_push1", try_push1 as *const () as usize, || {
                        drive(|| up(INS_N), |v| try_push1(v, black_box(T::make(999))))
                    }),
                    ("iter_sum", iter_sum as *const () as usize, || {
                        drive(|| up(N), |v| iter_sum(v))
                    }),
                    ("index_loop", index_loop as *const () as usize, || {
                        drive(|| up(N), |v| index_loop(v, black_box(N)))
                    }),
                    ("sort", sort as *const () as usize, || {
                        let down = src().down(N);
                        drive(|| V::build(&down, CAP), |v| sort(v))
                    }),
                    ("contains", contains as *const () as usize, || {
                        let absent = T::make(10_000);
                        drive(|| up(N), |v| contains(v, black_box(&absent)))
                    }),
                    ("clone_drop", clone_drop as *const () as usize, || {
                        drive(|| up(N), |v| clone_drop(v))
                    }),
                    ("into_iter_sum", into_iter_sum as *const () as usize, || {
                        for _ in 0..ITERS {
                            let v = up(N);
                            black_box(into_iter_sum(black_box(v)));
                        }
                    }),
                    (
                        "from_slice_drop",
                        from_slice_drop as *const () as usize,
                        || drive0(|| from_slice_drop(black_box(&src().up[..N]))),
                    ),
                    (
                        "from_slice_best_drop",
                        from_slice_best_drop as *const () as usize,
                        || drive0(|| from_slice_best_drop(black_box(&src().up[..N]))),
                    ),
                    ("default_len", default_len as *const () as usize, || {
                        drive0(|| default_len())
                    }),
                ];
                if <V as Probe>::HAS_DEDUP {
                    c.push(("dedup", dedup as *const () as usize, || {
                        drive(|| V::build(&src().pairs[..N], CAP), |v| dedup(v))
                    }));
                }
                if <V as Probe>::HAS_SPLIT_OFF {
                    c.push((
                        "split_off_drop",
                        split_off_drop as *const () as usize,
                        || drive(|| up(N), |v| split_off_drop(v, black_box(N / 2))),
                    ));
                }
                if <V as Probe>::HAS_MACRO {
                    c.push(("macro_drop", macro_drop as *const () as usize, || {
                        drive0(|| macro_drop(black_box(&src().up)))
                    }));
                }
                c
            }
        }
    };
}

// Inline sizes: u64 n = 3 (4 inline), the 16-byte struct n = 2 (2 inline).
cases!(stackvec_u64_s, StackVec<u64>, u64, 3, 4, 3);
cases!(smallvec_u64_s, SmallVec<[u64; 4]>, u64, 3, 4, 3);
cases!(arrayvec_u64_s, ArrayVec<u64, 16>, u64, 3, 4, 3);
cases!(vec_u64_s, Vec<u64>, u64, 3, 4, 3);
cases!(inlinevec_u64_s, InlineVec<u64, 128>, u64, 3, 4, 3);
cases!(stackvec_pair_s, StackVec<Pair>, Pair, 2, 2, 1);
cases!(smallvec_pair_s, SmallVec<[Pair; 2]>, Pair, 2, 2, 1);
cases!(arrayvec_pair_s, ArrayVec<Pair, 16>, Pair, 2, 2, 1);
cases!(vec_pair_s, Vec<Pair>, Pair, 2, 2, 1);
cases!(inlinevec_pair_s, InlineVec<Pair, 256>, Pair, 2, 2, 1);
// Spilled sizes, built with capacity 2n: u64 n = 32, the struct n = 16.
cases!(stackvec_u64_l, StackVec<u64>, u64, 32, 64, 32);
cases!(smallvec_u64_l, SmallVec<[u64; 4]>, u64, 32, 64, 32);
cases!(arrayvec_u64_l, ArrayVec<u64, 64>, u64, 32, 64, 32);
cases!(vec_u64_l, Vec<u64>, u64, 32, 64, 32);
cases!(inlinevec_u64_l, InlineVec<u64, 512>, u64, 32, 64, 32);
cases!(stackvec_pair_l, StackVec<Pair>, Pair, 16, 32, 16);
cases!(smallvec_pair_l, SmallVec<[Pair; 2]>, Pair, 16, 32, 16);
cases!(arrayvec_pair_l, ArrayVec<Pair, 32>, Pair, 16, 32, 16);
cases!(vec_pair_l, Vec<Pair>, Pair, 16, 32, 16);
cases!(inlinevec_pair_l, InlineVec<Pair, 512>, Pair, 16, 32, 16);

/// `write!` into a string that cannot grow (built inside the measured function): `fits` writes a number and a 6-byte text into 32 bytes; `overflows`
/// writes a number and an 11-byte text into 8 bytes (`$Small`), so a piece is refused (the
/// containers keep what fitted before it).
macro_rules! str_cases {
    ($m:ident, $S:ty, $Small:ty) => {
        pub mod $m {
            use super::*;
            use core::fmt::Write;

            fn write_len<S: Write + Deref<Target = str>>(mut s: S, n: u32, tail: &str) -> usize {
                let _ = write!(s, "{n}-{tail}");
                s.len()
            }
            #[inline(never)]
            pub fn fits(n: u32, tail: &str) -> usize {
                write_len(<$S>::new(), n, tail)
            }
            #[inline(never)]
            pub fn overflows(n: u32, tail: &str) -> usize {
                write_len(<$Small>::new(), n, tail)
            }
            pub fn cases() -> Vec<Case> {
                vec![
                    ("write_fits", fits as *const () as usize, || {
                        drive0(|| fits(black_box(1234), black_box("abcdef")))
                    }),
                    ("write_overflows", overflows as *const () as usize, || {
                        drive0(|| overflows(black_box(1234), black_box("abcdefghijk")))
                    }),
                ]
            }
        }
    };
}

str_cases!(inlinestring_str_s, InlineString<32>, InlineString<8>);
str_cases!(arraystring_str_s, ArrayString<32>, ArrayString<8>);
str_cases!(heapless_str_s, heapless::String<32>, heapless::String<8>);

fn modules() -> Vec<(&'static str, Vec<Case>)> {
    macro_rules! all {
        ($($m:ident),*) => { vec![$((stringify!($m), $m::cases())),*] };
    }
    all!(
        inlinestring_str_s,
        arraystring_str_s,
        heapless_str_s,
        stackvec_u64_s,
        smallvec_u64_s,
        arrayvec_u64_s,
        vec_u64_s,
        inlinevec_u64_s,
        stackvec_pair_s,
        smallvec_pair_s,
        arrayvec_pair_s,
        vec_pair_s,
        inlinevec_pair_s,
        stackvec_u64_l,
        smallvec_u64_l,
        arrayvec_u64_l,
        vec_u64_l,
        inlinevec_u64_l,
        stackvec_pair_l,
        smallvec_pair_l,
        arrayvec_pair_l,
        vec_pair_l,
        inlinevec_pair_l
    )
}

/// The benchmarks' cases of this crate's vectors.
fn existing() -> Vec<(stackfirst_benches::Case, Option<usize>)> {
    stackfirst_benches::host::indexed_cases()
        .into_iter()
        .filter(|(c, _)| c.imp.contains("StackVec") || c.imp.contains("InlineVec"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("list") => {
            // `<module>::<op>` and the offset of its measured function from `main`.
            let main_addr = main as fn() as usize;
            for (m, cases) in modules() {
                for (op, f, _) in cases {
                    println!("{m}::{op}\t{}", f as isize - main_addr as isize);
                }
            }
        }
        Some("run") => {
            let want = args.get(2).expect("run <module>::<op>");
            for (m, cases) in modules() {
                for (op, _, run) in cases {
                    if format!("{m}::{op}") == *want {
                        run();
                        return;
                    }
                }
            }
            panic!("no case {want}");
        }
        // The benchmarks' own StackVec and InlineVec cases (benches/src), to check that a change
        // leaves them as they were: `existing` prints each one's index, name and the offset of
        // its function from `main` (so its symbol can be found); `run-existing <index>` calls
        // it ITERS times after one warm-up call, as the benchmark does.
        Some("existing") => {
            let main_addr = main as fn() as usize;
            for (i, (case, n)) in existing().into_iter().enumerate() {
                let offset = case.run as usize as isize - main_addr as isize;
                println!(
                    "{i}\t{}\t{}\t{}\t{}\t{offset}",
                    case.imp,
                    case.pattern,
                    case.ty,
                    n.map_or("-".to_string(), |n| n.to_string())
                );
            }
        }
        Some("run-existing") => {
            let i: usize = args
                .get(2)
                .and_then(|a| a.parse().ok())
                .expect("run-existing <index>");
            let (case, n) = existing()[i];
            let ctx = stackfirst_benches::host::leaked_ctx();
            let arg = n.unwrap_or(0);
            ctx.prepare();
            black_box((case.run)(ctx, black_box(arg)));
            for _ in 0..ITERS {
                ctx.prepare();
                black_box((case.run)(ctx, black_box(arg)));
            }
        }
        _ => {
            eprintln!("usage: apiprobe list | run <module>::<op> | existing | run-existing <index>")
        }
    }
}
