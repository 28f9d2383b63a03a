//! Go's four allocation patterns, written once for every implementation the benchmarks compare,
//! as a registry of `fn(&mut Ctx, usize) -> u64` cases. `no_std`: the host benchmarks and the
//! Cortex-M4 firmware run the same code.
//!
//! Patterns (each `#[inline(never)]`, `n` only known at run time):
//! 1. `const`: capacity fixed at compile time (the 32-byte budget), push `n`, sum locally.
//! 2. `var`: capacity `n` from run time, push `n`, sum locally.
//! 3. `local`: start empty, push `n`, sum locally.
//! 4. `escape`: start empty, push `n`, return the collection; the caller sums and drops it
//!    (both counted).
#![no_std]

extern crate alloc;

use core::hint::black_box;

use stackfirst::{Arena, Frame, StackVec};

/// The element counts of the table: fits the 32-byte budget (for 8-byte elements), just over,
/// well over.
pub const NS: [usize; 3] = [3, 5, 16];

/// The fixed capacity of arrayvec and heapless: enough for every `n`, so they are the no-spill
/// floors.
pub const FIXED: usize = 16;

/// What the allocator-backed cases need besides `n`: a bumpalo `Bump` and the crate's arena, both
/// reset between measured calls, and the arenas of the micro-benchmarks.
pub struct Ctx {
    pub bump: bumpalo::Bump,
    pub arena: Arena<'static>,
    pub micro: micro::Micro,
}

impl Ctx {
    /// `patterns` serves the frame patterns, `micro` (a fixed arena) the arena micro-benchmarks.
    pub fn new(patterns: Arena<'static>, micro: &'static mut Arena<'static>) -> Self {
        Ctx {
            bump: bumpalo::Bump::with_capacity(4096),
            arena: patterns,
            micro: micro::Micro::new(micro),
        }
    }

    /// Before each measured call: empty bump and arenas, outside the measurement.
    pub fn prepare(&mut self) {
        self.bump.reset();
        self.arena.reset();
        self.micro.prepare();
    }
}

/// One measured function: an implementation of one pattern for one element type.
#[derive(Clone, Copy)]
pub struct Case {
    pub imp: &'static str,
    pub pattern: &'static str,
    pub ty: &'static str,
    pub run: fn(&mut Ctx, usize) -> u64,
}

/// The elements: 8-byte, 4-byte (the Cortex-M4 word) and a 16-byte struct.
pub trait Elem: Copy {
    fn make(i: usize) -> Self;
    fn weight(&self) -> u64;
}

impl Elem for u64 {
    #[inline(always)]
    fn make(i: usize) -> Self {
        i as u64
    }
    #[inline(always)]
    fn weight(&self) -> u64 {
        *self
    }
}

impl Elem for u32 {
    #[inline(always)]
    fn make(i: usize) -> Self {
        i as u32
    }
    #[inline(always)]
    fn weight(&self) -> u64 {
        u64::from(*self)
    }
}

/// The 16-byte struct.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pair {
    pub a: u64,
    pub b: u64,
}

impl Elem for Pair {
    #[inline(always)]
    fn make(i: usize) -> Self {
        Pair { a: i as u64, b: 1 }
    }
    #[inline(always)]
    fn weight(&self) -> u64 {
        self.a + self.b
    }
}

#[inline(always)]
fn sum<T: Elem>(s: &[T]) -> u64 {
    s.iter().map(Elem::weight).sum()
}

/// Generates the module of cases for one element type with a 32-byte budget of `$budget`
/// elements (the compile-time capacity of the `const` pattern and smallvec's inline array).
macro_rules! cases_for {
    ($m:ident, $t:ty, $name:literal, $budget:literal) => {
        pub mod $m {
            use super::*;
            use alloc::boxed::Box;
            use alloc::vec::Vec;

            type T = $t;
            const BUDGET: usize = $budget;
            type Small = smallvec::SmallVec<[T; $budget]>;
            type BVec<'b> = bumpalo::collections::Vec<'b, T>;
            type FrameVec<'a, 'f> = StackVec<T, 32, &'a Frame<'f>>;

            macro_rules! fill {
                ($v:ident, $n:ident) => {
                    for i in 0..$n {
                        $v.push(T::make(i));
                    }
                };
            }

            // std Vec
            #[inline(never)]
            pub fn vec_const(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Vec::with_capacity(BUDGET);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn vec_var(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Vec::with_capacity(n);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn vec_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Vec::new();
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            fn vec_escaping(n: usize) -> Vec<T> {
                let mut v = Vec::new();
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn vec_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&vec_escaping(black_box(n)))
            }
            #[inline(never)]
            fn vec_box_escaping(n: usize) -> Box<[T]> {
                let mut v = Vec::new();
                fill!(v, n);
                v.into_boxed_slice()
            }
            #[inline(never)]
            pub fn vec_box_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&vec_box_escaping(black_box(n)))
            }

            // smallvec 1.x, same 32-byte inline budget
            #[inline(never)]
            pub fn smallvec_const(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Small::new();
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn smallvec_var(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Small::with_capacity(n);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn smallvec_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Small::new();
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            fn smallvec_escaping(n: usize) -> Small {
                let mut v = Small::new();
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn smallvec_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&smallvec_escaping(black_box(n)))
            }

            // arrayvec 0.7 and heapless 0.9: fixed capacity, never allocate
            #[inline(never)]
            pub fn arrayvec_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = arrayvec::ArrayVec::<T, FIXED>::new();
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            fn arrayvec_escaping(n: usize) -> arrayvec::ArrayVec<T, FIXED> {
                let mut v = arrayvec::ArrayVec::new();
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn arrayvec_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&arrayvec_escaping(black_box(n)))
            }
            // InlineVec, the crate's fixed-capacity vector, holding as many as arrayvec
            type Fixed = stackfirst::InlineVec<T, { stackfirst::bytes_for::<T>(FIXED) }>;
            #[inline(never)]
            pub fn inlinevec_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = Fixed::new_in(stackfirst::NoHeap);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            fn inlinevec_escaping(n: usize) -> Fixed {
                let mut v = Fixed::new_in(stackfirst::NoHeap);
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn inlinevec_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&inlinevec_escaping(black_box(n)))
            }
            #[inline(never)]
            pub fn heapless_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = heapless::Vec::<T, FIXED>::new();
                for i in 0..n {
                    if v.push(T::make(i)).is_err() {
                        unreachable!("n <= FIXED");
                    }
                }
                sum(&v)
            }
            #[inline(never)]
            fn heapless_escaping(n: usize) -> heapless::Vec<T, FIXED> {
                let mut v = heapless::Vec::new();
                for i in 0..n {
                    if v.push(T::make(i)).is_err() {
                        unreachable!("n <= FIXED");
                    }
                }
                v
            }
            #[inline(never)]
            pub fn heapless_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&heapless_escaping(black_box(n)))
            }

            // bumpalo 3, in a reset Bump
            #[inline(never)]
            pub fn bumpalo_const(c: &mut Ctx, n: usize) -> u64 {
                let mut v = BVec::with_capacity_in(BUDGET, &c.bump);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn bumpalo_var(c: &mut Ctx, n: usize) -> u64 {
                let mut v = BVec::with_capacity_in(n, &c.bump);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn bumpalo_local(c: &mut Ctx, n: usize) -> u64 {
                let mut v = BVec::new_in(&c.bump);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            fn bumpalo_escaping(bump: &bumpalo::Bump, n: usize) -> BVec<'_> {
                let mut v = BVec::new_in(bump);
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn bumpalo_escape(c: &mut Ctx, n: usize) -> u64 {
                sum(&bumpalo_escaping(&c.bump, black_box(n)))
            }

            // StackVec, default 32-byte budget
            #[inline(never)]
            pub fn stackvec_const(_: &mut Ctx, n: usize) -> u64 {
                let mut v = StackVec::<T>::with_capacity(BUDGET);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn stackvec_var(_: &mut Ctx, n: usize) -> u64 {
                let mut v = StackVec::<T>::with_capacity(n);
                fill!(v, n);
                sum(&v)
            }
            #[inline(never)]
            pub fn stackvec_local(_: &mut Ctx, n: usize) -> u64 {
                let mut v = StackVec::<T>::new();
                fill!(v, n);
                sum(&v)
            }
            /// Escapes by value: the inline buffer moves to the caller.
            #[inline(never)]
            fn stackvec_escaping(n: usize) -> StackVec<T> {
                let mut v = StackVec::new();
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn stackvec_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&stackvec_escaping(black_box(n)))
            }
            /// Escapes through `into_heap_exact`: Go 1.26's move2heap.
            #[inline(never)]
            fn stackvec_heap_escaping(n: usize) -> Vec<T> {
                let mut v = StackVec::<T>::new();
                fill!(v, n);
                v.into_heap_exact()
            }
            #[inline(never)]
            pub fn stackvec_heap_escape(_: &mut Ctx, n: usize) -> u64 {
                sum(&stackvec_heap_escaping(black_box(n)))
            }

            // StackVec spilling into a frame of the crate's arena (frame enter and exit counted)
            #[inline(never)]
            pub fn frame_const(c: &mut Ctx, n: usize) -> u64 {
                c.arena.frame(|f| {
                    let mut v = FrameVec::with_capacity_in(BUDGET, &f);
                    fill!(v, n);
                    sum(&v)
                })
            }
            #[inline(never)]
            pub fn frame_var(c: &mut Ctx, n: usize) -> u64 {
                c.arena.frame(|f| {
                    let mut v = FrameVec::with_capacity_in(n, &f);
                    fill!(v, n);
                    sum(&v)
                })
            }
            #[inline(never)]
            pub fn frame_local(c: &mut Ctx, n: usize) -> u64 {
                c.arena.frame(|f| {
                    let mut v = FrameVec::new_in(&f);
                    fill!(v, n);
                    sum(&v)
                })
            }
            #[inline(never)]
            fn frame_escaping<'a, 'f>(f: &'a Frame<'f>, n: usize) -> FrameVec<'a, 'f> {
                let mut v = FrameVec::new_in(f);
                fill!(v, n);
                v
            }
            #[inline(never)]
            pub fn frame_escape(c: &mut Ctx, n: usize) -> u64 {
                c.arena.frame(|f| sum(&frame_escaping(&f, black_box(n))))
            }

            /// Every case of this element type.
            pub const CASES: &[Case] = &[
                Case {
                    imp: "Vec",
                    pattern: "const",
                    ty: $name,
                    run: vec_const,
                },
                Case {
                    imp: "Vec",
                    pattern: "var",
                    ty: $name,
                    run: vec_var,
                },
                Case {
                    imp: "Vec",
                    pattern: "local",
                    ty: $name,
                    run: vec_local,
                },
                Case {
                    imp: "Vec",
                    pattern: "escape",
                    ty: $name,
                    run: vec_escape,
                },
                Case {
                    imp: "Vec->Box",
                    pattern: "escape",
                    ty: $name,
                    run: vec_box_escape,
                },
                Case {
                    imp: "smallvec",
                    pattern: "const",
                    ty: $name,
                    run: smallvec_const,
                },
                Case {
                    imp: "smallvec",
                    pattern: "var",
                    ty: $name,
                    run: smallvec_var,
                },
                Case {
                    imp: "smallvec",
                    pattern: "local",
                    ty: $name,
                    run: smallvec_local,
                },
                Case {
                    imp: "smallvec",
                    pattern: "escape",
                    ty: $name,
                    run: smallvec_escape,
                },
                Case {
                    imp: "arrayvec",
                    pattern: "const",
                    ty: $name,
                    run: arrayvec_local,
                },
                Case {
                    imp: "arrayvec",
                    pattern: "local",
                    ty: $name,
                    run: arrayvec_local,
                },
                Case {
                    imp: "arrayvec",
                    pattern: "escape",
                    ty: $name,
                    run: arrayvec_escape,
                },
                Case {
                    imp: "InlineVec",
                    pattern: "const",
                    ty: $name,
                    run: inlinevec_local,
                },
                Case {
                    imp: "InlineVec",
                    pattern: "local",
                    ty: $name,
                    run: inlinevec_local,
                },
                Case {
                    imp: "InlineVec",
                    pattern: "escape",
                    ty: $name,
                    run: inlinevec_escape,
                },
                Case {
                    imp: "heapless",
                    pattern: "const",
                    ty: $name,
                    run: heapless_local,
                },
                Case {
                    imp: "heapless",
                    pattern: "local",
                    ty: $name,
                    run: heapless_local,
                },
                Case {
                    imp: "heapless",
                    pattern: "escape",
                    ty: $name,
                    run: heapless_escape,
                },
                Case {
                    imp: "bumpalo",
                    pattern: "const",
                    ty: $name,
                    run: bumpalo_const,
                },
                Case {
                    imp: "bumpalo",
                    pattern: "var",
                    ty: $name,
                    run: bumpalo_var,
                },
                Case {
                    imp: "bumpalo",
                    pattern: "local",
                    ty: $name,
                    run: bumpalo_local,
                },
                Case {
                    imp: "bumpalo",
                    pattern: "escape",
                    ty: $name,
                    run: bumpalo_escape,
                },
                Case {
                    imp: "StackVec",
                    pattern: "const",
                    ty: $name,
                    run: stackvec_const,
                },
                Case {
                    imp: "StackVec",
                    pattern: "var",
                    ty: $name,
                    run: stackvec_var,
                },
                Case {
                    imp: "StackVec",
                    pattern: "local",
                    ty: $name,
                    run: stackvec_local,
                },
                Case {
                    imp: "StackVec",
                    pattern: "escape",
                    ty: $name,
                    run: stackvec_escape,
                },
                Case {
                    imp: "StackVec in frame",
                    pattern: "const",
                    ty: $name,
                    run: frame_const,
                },
                Case {
                    imp: "StackVec in frame",
                    pattern: "var",
                    ty: $name,
                    run: frame_var,
                },
                Case {
                    imp: "StackVec in frame",
                    pattern: "local",
                    ty: $name,
                    run: frame_local,
                },
                Case {
                    imp: "StackVec in frame",
                    pattern: "escape",
                    ty: $name,
                    run: frame_escape,
                },
                Case {
                    imp: "StackVec into_heap_exact",
                    pattern: "escape",
                    ty: $name,
                    run: stackvec_heap_escape,
                },
            ];
        }
    };
}

cases_for!(u64s, u64, "u64", 4);
cases_for!(u32s, u32, "u32", 8);
cases_for!(pairs, Pair, "16-byte struct", 2);

/// The harness floor: an empty case, measured like the others and subtracted from them.
#[inline(never)]
pub fn empty(_: &mut Ctx, n: usize) -> u64 {
    n as u64
}

/// Arena micro-benchmarks: the crate's fixed arena (over a leaked buffer) and growing arena
/// (over the global heap) against bumpalo 3 and bump-scope 2 (`n` is ignored). Every column
/// gets the same inputs through the same `black_box`.
pub mod micro {
    use super::*;
    use alloc::boxed::Box;
    use core::alloc::Layout;
    use core::mem;
    use stackfirst::allocator_api2::vec::Vec as AVec;

    /// The arenas: an open frame of the fixed arena and of a growing one, a growing arena for
    /// whole frames, bump-scope's `Bump`, and for the new-chunk row one arena of each kind
    /// whose chunk `prepare` leaves full.
    pub struct Micro {
        pub open: Frame<'static>,
        pub grow_open: Frame<'static>,
        pub growing: &'static mut Arena<'static>,
        pub scope: bump_scope::Bump,
        pub full: &'static mut Arena<'static>,
        pub bump_full: bumpalo::Bump,
        pub scope_full: bump_scope::Bump,
    }

    fn open_frame(arena: &'static mut Arena<'static>) -> Frame<'static> {
        Box::leak(Box::new(arena.frame_guard())).frame()
    }

    impl Micro {
        pub fn new(fixed: &'static mut Arena<'static>) -> Self {
            let full = Box::leak(Box::new(Arena::new()));
            fill_first_chunk(full);
            Micro {
                open: open_frame(fixed),
                grow_open: open_frame(Box::leak(Box::new(Arena::new()))),
                growing: Box::leak(Box::new(Arena::new())),
                scope: bump_scope::Bump::new(),
                full,
                bump_full: full_bumpalo(),
                scope_full: full_bump_scope(),
            }
        }

        /// Empties the arenas that the cases enter frames of or allocate from directly. The
        /// open frames (`open`, `grow_open`) are not emptied: a case's 33 calls (32 warm-ups,
        /// then the measured one) fit the fixed arena, and in the growing arena the warm-ups
        /// take whatever chunks they need, so the measured call bumps inside one (a new chunk
        /// would cost about 150 more, as the new-chunk row shows). The new-chunk arenas are put
        /// back to one full chunk only if a new-chunk case took a second one: that frees and
        /// allocates, which must not change the heap's state before every other case.
        pub fn prepare(&mut self) {
            self.growing.reset();
            self.scope.reset();
            if self.full.allocated_bytes() > FIRST_CHUNK_BYTES {
                self.full.reset();
                self.full.shrink_to_fit();
                fill_first_chunk(self.full);
            }
            if self.bump_full.iter_allocated_chunks().count() > 1 {
                self.bump_full = full_bumpalo();
            }
            if self.scope_full.stats().count() > 1 {
                self.scope_full = full_bump_scope();
            }
        }
    }

    /// The heap bytes of a growing arena's first chunk (512, bookkeeping included).
    const FIRST_CHUNK_BYTES: usize = 512;

    /// Fills the arena's first chunk in a frame that never ends (until the next `reset`).
    fn fill_first_chunk(arena: &mut Arena<'static>) {
        let mut guard = arena.frame_guard();
        let f = guard.frame();
        let _ = f.alloc(0u8); // takes the first chunk if there is none yet
        let rest = Layout::from_size_align(f.remaining(), 1).unwrap();
        let _ = f.alloc_layout(rest);
        mem::forget(guard);
    }

    fn full_bumpalo() -> bumpalo::Bump {
        let bump = bumpalo::Bump::with_capacity(256);
        let rest = Layout::from_size_align(bump.chunk_capacity(), 1).unwrap();
        let _ = bump.alloc_layout(rest);
        bump
    }

    fn full_bump_scope() -> bump_scope::Bump {
        let bump = bump_scope::Bump::new();
        let _ = bump.alloc_uninit_slice::<u8>(bump.stats().remaining());
        bump
    }

    #[inline(never)]
    pub fn frame_alloc_u32(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.micro.open.alloc(black_box(7u32)))
    }
    #[inline(never)]
    pub fn growing_alloc_u32(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.micro.grow_open.alloc(black_box(7u32)))
    }
    #[inline(never)]
    pub fn bumpalo_alloc_u32(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.bump.alloc(black_box(7u32)))
    }
    #[inline(never)]
    pub fn scope_alloc_u32(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.micro.scope.alloc(black_box(7u32)))
    }

    #[inline(never)]
    pub fn frame_alloc_slice(c: &mut Ctx, _: usize) -> u64 {
        c.micro.open.alloc_slice_copy(black_box(&[1u64; 4]))[3]
    }
    #[inline(never)]
    pub fn growing_alloc_slice(c: &mut Ctx, _: usize) -> u64 {
        c.micro.grow_open.alloc_slice_copy(black_box(&[1u64; 4]))[3]
    }
    #[inline(never)]
    pub fn bumpalo_alloc_slice(c: &mut Ctx, _: usize) -> u64 {
        c.bump.alloc_slice_copy(black_box(&[1u64; 4]))[3]
    }
    #[inline(never)]
    pub fn scope_alloc_slice(c: &mut Ctx, _: usize) -> u64 {
        c.micro.scope.alloc_slice_copy(black_box(&[1u64; 4]))[3]
    }

    #[inline(never)]
    pub fn frame_alloc_str(c: &mut Ctx, _: usize) -> u64 {
        c.micro.open.alloc_str(black_box("hello world")).len() as u64
    }
    #[inline(never)]
    pub fn growing_alloc_str(c: &mut Ctx, _: usize) -> u64 {
        c.micro.grow_open.alloc_str(black_box("hello world")).len() as u64
    }
    #[inline(never)]
    pub fn bumpalo_alloc_str(c: &mut Ctx, _: usize) -> u64 {
        c.bump.alloc_str(black_box("hello world")).len() as u64
    }
    #[inline(never)]
    pub fn scope_alloc_str(c: &mut Ctx, _: usize) -> u64 {
        c.micro.scope.alloc_str(black_box("hello world")).len() as u64
    }

    #[inline(never)]
    pub fn frame_enter_exit(c: &mut Ctx, _: usize) -> u64 {
        c.arena.frame(|f| {
            black_box(&f);
            0
        })
    }
    #[inline(never)]
    pub fn growing_enter_exit(c: &mut Ctx, _: usize) -> u64 {
        c.micro.growing.frame(|f| {
            black_box(&f);
            0
        })
    }

    #[inline(never)]
    pub fn frame_enter_alloc_exit(c: &mut Ctx, _: usize) -> u64 {
        c.arena.frame(|f| u64::from(*f.alloc(black_box(7u32))))
    }
    #[inline(never)]
    pub fn growing_enter_alloc_exit(c: &mut Ctx, _: usize) -> u64 {
        c.micro
            .growing
            .frame(|f| u64::from(*f.alloc(black_box(7u32))))
    }
    /// bumpalo has no scopes: allocate, then reset.
    #[inline(never)]
    pub fn bumpalo_enter_alloc_exit(c: &mut Ctx, _: usize) -> u64 {
        let x = u64::from(*c.bump.alloc(black_box(7u32)));
        c.bump.reset();
        x
    }
    #[inline(never)]
    pub fn scope_enter_alloc_exit(c: &mut Ctx, _: usize) -> u64 {
        c.micro
            .scope
            .scoped(|b| u64::from(*b.alloc(black_box(7u32))))
    }

    /// An allocator_api2 `Vec<u64>` pushed to 100 elements (growing the last block).
    #[inline(always)]
    fn push_100<A: stackfirst::allocator_api2::alloc::Allocator>(a: A) -> u64 {
        let mut v = AVec::new_in(a);
        for i in 0..black_box(100u64) {
            v.push(i);
        }
        v[99]
    }
    #[inline(never)]
    pub fn frame_vec_100(c: &mut Ctx, _: usize) -> u64 {
        push_100(&c.micro.open)
    }
    #[inline(never)]
    pub fn growing_vec_100(c: &mut Ctx, _: usize) -> u64 {
        push_100(&c.micro.grow_open)
    }
    #[inline(never)]
    pub fn bumpalo_vec_100(c: &mut Ctx, _: usize) -> u64 {
        push_100(&c.bump)
    }
    #[inline(never)]
    pub fn scope_vec_100(c: &mut Ctx, _: usize) -> u64 {
        push_100(&c.micro.scope)
    }

    #[inline(never)]
    pub fn arena_reset(c: &mut Ctx, _: usize) -> u64 {
        c.arena.reset();
        0
    }
    #[inline(never)]
    pub fn growing_reset(c: &mut Ctx, _: usize) -> u64 {
        c.micro.growing.reset();
        0
    }
    #[inline(never)]
    pub fn bumpalo_reset(c: &mut Ctx, _: usize) -> u64 {
        c.bump.reset();
        0
    }
    #[inline(never)]
    pub fn scope_reset(c: &mut Ctx, _: usize) -> u64 {
        c.micro.scope.reset();
        0
    }

    /// The first chunk is full: the allocation takes a second one from the heap. Ours runs in
    /// a frame (entered and left in the count); bumpalo and bump-scope allocate directly.
    #[inline(never)]
    pub fn growing_new_chunk(c: &mut Ctx, _: usize) -> u64 {
        c.micro.full.frame(|f| u64::from(*f.alloc(black_box(7u32))))
    }
    #[inline(never)]
    pub fn bumpalo_new_chunk(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.micro.bump_full.alloc(black_box(7u32)))
    }
    #[inline(never)]
    pub fn scope_new_chunk(c: &mut Ctx, _: usize) -> u64 {
        u64::from(*c.micro.scope_full.alloc(black_box(7u32)))
    }

    /// The rows, in order.
    pub const ROWS: [&str; 8] = [
        "alloc one u32",
        "alloc 4-u64 slice copy",
        "alloc 11-byte str",
        "frame enter+exit",
        "enter+alloc u32+exit",
        "Vec<u64> pushed to 100",
        "reset",
        "alloc u32, chunk full",
    ];

    /// The columns.
    pub const COLUMNS: [&str; 4] = ["frame arena", "growing arena", "bumpalo", "bump-scope"];

    const fn case(
        imp: &'static str,
        pattern: &'static str,
        run: fn(&mut Ctx, usize) -> u64,
    ) -> Case {
        Case {
            imp,
            pattern,
            ty: "-",
            run,
        }
    }

    pub const CASES: &[Case] = &[
        case("frame arena", ROWS[0], frame_alloc_u32),
        case("growing arena", ROWS[0], growing_alloc_u32),
        case("bumpalo", ROWS[0], bumpalo_alloc_u32),
        case("bump-scope", ROWS[0], scope_alloc_u32),
        case("frame arena", ROWS[1], frame_alloc_slice),
        case("growing arena", ROWS[1], growing_alloc_slice),
        case("bumpalo", ROWS[1], bumpalo_alloc_slice),
        case("bump-scope", ROWS[1], scope_alloc_slice),
        case("frame arena", ROWS[2], frame_alloc_str),
        case("growing arena", ROWS[2], growing_alloc_str),
        case("bumpalo", ROWS[2], bumpalo_alloc_str),
        case("bump-scope", ROWS[2], scope_alloc_str),
        case("frame arena", ROWS[3], frame_enter_exit),
        case("growing arena", ROWS[3], growing_enter_exit),
        case("frame arena", ROWS[4], frame_enter_alloc_exit),
        case("growing arena", ROWS[4], growing_enter_alloc_exit),
        case("bumpalo", ROWS[4], bumpalo_enter_alloc_exit),
        case("bump-scope", ROWS[4], scope_enter_alloc_exit),
        case("frame arena", ROWS[5], frame_vec_100),
        case("growing arena", ROWS[5], growing_vec_100),
        case("bumpalo", ROWS[5], bumpalo_vec_100),
        case("bump-scope", ROWS[5], scope_vec_100),
        case("frame arena", ROWS[6], arena_reset),
        case("growing arena", ROWS[6], growing_reset),
        case("bumpalo", ROWS[6], bumpalo_reset),
        case("bump-scope", ROWS[6], scope_reset),
        case("growing arena", ROWS[7], growing_new_chunk),
        case("bumpalo", ROWS[7], bumpalo_new_chunk),
        case("bump-scope", ROWS[7], scope_new_chunk),
    ];
}

/// The harness floor's case: measured like the others and subtracted from them.
pub const FLOOR: Case = Case {
    imp: "harness floor",
    pattern: "empty",
    ty: "-",
    run: empty,
};

/// Every measurement of one platform's table, in order: the floor, then each pattern case of
/// its word-sized element (`u64s` on the host, `u32s` on Cortex-M4) and of the 16-byte struct
/// for every `n` in [`NS`], then the micro cases (no `n`). Benchmark ids index this order.
pub fn table_cases(word: &'static [Case]) -> impl Iterator<Item = (Case, Option<usize>)> {
    let patterns = word
        .iter()
        .chain(pairs::CASES)
        .flat_map(|&c| NS.map(|n| (c, Some(n))));
    core::iter::once((FLOOR, Some(3)))
        .chain(patterns)
        .chain(micro::CASES.iter().map(|&c| (c, None)))
}

#[cfg(feature = "bulk-rows")]
pub mod bulk;
#[cfg(feature = "bulk-rows")]
pub mod minimal;
pub mod strings;

#[cfg(feature = "host")]
pub mod host;
#[cfg(feature = "host")]
pub mod scale;
