//! Fault injection into the arena, as `tests/fault_injection.rs` does for the vectors. Two kinds
//! of fault, each at its k-th chance, for every k until a run gives it none:
//! * the backing allocator of a growing arena: its k-th call unwinds (before doing anything), or
//!   fails (alone, or with every later one), or (`deallocate` only) frees the chunk and then
//!   unwinds;
//! * the user code the arena calls (closures, `Clone`, `Default`, iterators, `Display`, the
//!   elements' `Drop`, a frame's closure): its k-th call unwinds.
//!
//! Each operation runs in a child frame of a frame that holds live values, from each starting
//! arena. The fault is armed for the operation, for a `shrink_to_fit` after the frame and a
//! `reset`, and for the arena's drop (so that every chunk release is hit too), and disarmed for
//! the checks between them: the operation returned what it returns without a fault, or a
//! documented error, or unwound with the fault's panic; the parent's values are intact, `used()`
//! is back, new blocks lie in live memory and apart from the live ones; `allocated_bytes()` is
//! what the backing allocator holds; the arena still allocates; once it is dropped every chunk
//! was freed once with its layout (`TestBacking` checks that), and no `Tracked` is leaked or
//! dropped twice.

mod common;

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::mem::{self, MaybeUninit};
use std::panic::{panic_any, resume_unwind};
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator};
use stackfirst::allocator_api2::vec::Vec as AVec;
use stackfirst::{Arena, ArenaError, ArenaErrorKind, Frame, FrameBox, StackVec, SyncArena};

use common::backing::{Heap, TestBacking};
use common::fault_sweep::{assert_none, Sweep};
use common::{caught, live, panic_message, Aligned, Deliberate, Elem, Tracked};

/// What an armed fault does to the call it hits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Mode {
    /// A backing call unwinds on entry.
    Panic,
    /// A backing `deallocate` frees the chunk, then unwinds.
    PanicAfterFree,
    /// A backing `allocate` returns `Err`.
    Fail,
    /// Every backing `allocate` from the k-th on returns `Err` (the arena retries a refused
    /// chunk with the smallest that holds the request: one refusal alone rarely reaches the
    /// caller).
    FailFrom,
    /// User code unwinds.
    User,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Allocate,
    Deallocate,
    User,
}

impl Mode {
    fn hits(self, call: Call) -> bool {
        match self {
            Mode::Panic => call != Call::User,
            Mode::PanicAfterFree => call == Call::Deallocate,
            Mode::Fail | Mode::FailFrom => call == Call::Allocate,
            Mode::User => call == Call::User,
        }
    }
}

#[derive(Default)]
struct Book {
    fault: Option<(Mode, usize)>,
    armed: bool,
    /// The calls the armed fault could have hit so far.
    hits: usize,
}

thread_local! {
    static BOOK: RefCell<Book> = RefCell::new(Book::default());
}

/// Notes `call`; the fault's mode when it is the k-th call the fault can hit.
fn fault(call: Call) -> Option<Mode> {
    BOOK.with(|b| {
        let mut b = b.borrow_mut();
        let (mode, k) = b.fault?;
        if !b.armed || !mode.hits(call) {
            return None;
        }
        b.hits += 1;
        (b.hits == k + 1 || (mode == Mode::FailFrom && b.hits > k)).then_some(mode)
    })
}

/// Whether the armed fault has hit a call.
fn fired() -> bool {
    BOOK.with(|b| {
        let b = b.borrow();
        b.fault.is_some_and(|(_, k)| b.hits > k)
    })
}

fn arm(on: bool) {
    BOOK.with(|b| b.borrow_mut().armed = on);
}

/// Every call of user code goes through here.
fn user() {
    if fault(Call::User).is_some() {
        panic_any(Deliberate);
    }
}

/// Where a growing arena's chunks come from: the heap, or a `SyncArena` (which places them next
/// to each other).
enum Chunks<'s> {
    Heap,
    Sync(&'s SyncArena<SYNC>),
}

const SYNC: usize = 1 << 14;

// SAFETY: forwards to `Heap` or the `SyncArena`, which keep their blocks valid until freed.
unsafe impl Allocator for Chunks<'_> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        match self {
            Chunks::Heap => Heap.allocate(layout),
            Chunks::Sync(s) => s.allocate(layout),
        }
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe {
            match self {
                Chunks::Heap => Heap.deallocate(ptr, layout),
                Chunks::Sync(s) => s.deallocate(ptr, layout),
            }
        }
    }
}

/// The backing allocator under fault: `TestBacking` (which checks every free against its live
/// blocks and their layouts) behind the fault.
struct Faulty<'s> {
    inner: TestBacking<Chunks<'s>>,
    /// Chunks whose `deallocate` unwound before freeing them: the arena gave them up, and must
    /// not free them again. The run frees them at its end.
    given_up: RefCell<Vec<(NonNull<u8>, Layout)>>,
}

impl Faulty<'_> {
    fn given_up_bytes(&self) -> usize {
        self.given_up.borrow().iter().map(|(_, l)| l.size()).sum()
    }

    fn free_given_up(&self) {
        for (p, l) in self.given_up.take() {
            // SAFETY: a live block of `inner` with this layout, not freed.
            unsafe { self.inner.deallocate(p, l) };
        }
    }
}

// SAFETY: every block comes from `inner`, and goes back to it once.
unsafe impl Allocator for Faulty<'_> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        match fault(Call::Allocate) {
            Some(Mode::Panic) => panic_any(Deliberate),
            Some(_) => Err(AllocError),
            None => self.inner.allocate(layout),
        }
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let mode = fault(Call::Deallocate);
        assert!(
            self.given_up.borrow().iter().all(|&(p, _)| p != ptr),
            "freed a chunk again after its deallocate unwound"
        );
        if mode == Some(Mode::Panic) {
            self.given_up.borrow_mut().push((ptr, layout));
        } else {
            // SAFETY: the caller's contract; `TestBacking` checks it.
            unsafe { self.inner.deallocate(ptr, layout) };
        }
        if mode.is_some() {
            panic_any(Deliberate);
        }
    }
}

/// An element whose `Clone`, `Default` and `Drop` are user code that may unwind; the layout of
/// `T`'s.
#[derive(Debug)]
#[repr(transparent)]
struct Probe<T>(T);

impl<T: Elem + 'static> Probe<T> {
    fn make(seed: usize) -> Self {
        Probe(T::make(seed as u8))
    }
}

impl<T: Elem + 'static> Clone for Probe<T> {
    fn clone(&self) -> Self {
        user();
        Probe(self.0.clone())
    }
}

impl<T: Elem + 'static> Default for Probe<T> {
    fn default() -> Self {
        user();
        Probe(T::make(7))
    }
}

impl<T> Drop for Probe<T> {
    fn drop(&mut self) {
        // A second panic while unwinding would abort; only one fault fires per run anyway.
        if !std::thread::panicking() {
            user();
        }
    }
}

/// Yields `Probe(T::make(i))` for `i` in `0..n`, calling user code each time, and claims `claim`
/// as its lower bound and length (`None`: the truth).
struct Items<T> {
    next: usize,
    n: usize,
    claim: Option<usize>,
    _t: PhantomData<T>,
}

fn items<T>(n: usize, claim: Option<usize>) -> Items<T> {
    Items {
        next: 0,
        n,
        claim,
        _t: PhantomData,
    }
}

impl<T: Elem + 'static> Iterator for Items<T> {
    type Item = Probe<T>;
    fn next(&mut self) -> Option<Probe<T>> {
        (self.next < self.n).then(|| {
            user();
            self.next += 1;
            Probe::make(self.next - 1)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.next;
        self.claim.map_or((left, Some(left)), |c| (c, None))
    }
}

impl<T: Elem + 'static> ExactSizeIterator for Items<T> {
    fn len(&self) -> usize {
        self.claim.unwrap_or(self.n - self.next)
    }
}

/// Writes its text word by word, calling user code before each word.
struct Pieces(&'static str);

impl fmt::Display for Pieces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in self.0.split_inclusive(' ') {
            user();
            f.write_str(piece)?;
        }
        Ok(())
    }
}

/// What an op made (its elements' keys, or bytes), or its refusal (`None`: an `AllocError`).
type Out = Result<Vec<u8>, Option<ArenaErrorKind>>;

struct Op {
    name: &'static str,
    /// A refusal is an `Err` (a `try_` method), not a panic.
    fallible: bool,
    run: fn(&mut Frame<'_>) -> Out,
}

fn op(name: &'static str, fallible: bool, run: fn(&mut Frame<'_>) -> Out) -> Op {
    Op {
        name,
        fallible,
        run,
    }
}

fn refused(e: ArenaError) -> Option<ArenaErrorKind> {
    Some(e.kind())
}

/// The keys of `value`, which is then dropped (its elements' `Drop` may unwind).
fn made<B>(value: B, keys: impl FnOnce(&B) -> Vec<u8>) -> Out {
    let k = keys(&value);
    drop(value);
    Ok(k)
}

fn keys<'a, T: Elem + 'static>(it: impl IntoIterator<Item = &'a Probe<T>>) -> Vec<u8> {
    it.into_iter().map(|p| p.0.key()).collect()
}

/// Elements per op: enough bytes to pass a few small chunks.
const fn n<T>() -> usize {
    match mem::size_of::<T>() {
        0 => 8,
        s => 260 / s + 5,
    }
}

/// Boxes `n` single values, one call each (`make(f, i)`), the way the single-value methods do.
fn singles<'f, T: Elem + 'static>(
    mut make: impl FnMut(usize) -> Result<FrameBox<'f, Probe<T>>, ArenaError>,
) -> Out {
    let mut boxes = Vec::new();
    for i in 0..n::<T>() {
        boxes.push(make(i).map_err(refused)?);
    }
    made(boxes, |b| keys(b.iter().map(|b| &**b)))
}

/// `alloc_iter` / `try_alloc_iter` of `n` elements claiming `CLAIM` as lower bound (`usize::MAX`:
/// the truth; 1 and 0: too few; a half of the address space: too many).
fn collect<T: Elem + 'static, const CLAIM: usize, const TRY: bool>(f: &mut Frame<'_>) -> Out {
    let claim = (CLAIM != usize::MAX).then_some(CLAIM);
    let it = items::<T>(n::<T>(), claim);
    let b = if TRY {
        f.try_alloc_iter(it).map_err(refused)?
    } else {
        f.alloc_iter(it)
    };
    made(b, |b| keys(&**b))
}

/// `alloc_iter_exact` claiming `n + EXTRA - LESS` elements: a shorter slice when it claims more,
/// and no more taken than claimed; nothing taken when refused.
fn collect_exact<T: Elem + 'static, const EXTRA: usize, const LESS: usize, const TRY: bool>(
    f: &mut Frame<'_>,
) -> Out {
    let (n, claim) = (n::<T>(), n::<T>() + EXTRA - LESS);
    let mut it = items::<T>(n, Some(claim));
    let b = if TRY {
        f.try_alloc_iter_exact(&mut it).map_err(|e| {
            assert_eq!(
                it.next, 0,
                "try_alloc_iter_exact took items, then was refused"
            );
            refused(e)
        })?
    } else {
        f.alloc_iter_exact(&mut it)
    };
    assert_eq!(it.next, n.min(claim), "items taken");
    made(b, |b| keys(&**b))
}

fn elem_ops<T: Elem + 'static>() -> Vec<Op> {
    vec![
        op("alloc, one by one", false, |f| {
            singles::<T>(|i| Ok(f.alloc(Probe::make(i))))
        }),
        op("try_alloc, one by one", true, |f| {
            singles::<T>(|i| f.try_alloc(Probe::make(i)))
        }),
        op("alloc_with, one by one", false, |f| {
            singles::<T>(|i| {
                Ok(f.alloc_with(|| {
                    user();
                    Probe::make(i)
                }))
            })
        }),
        // Documented: `f` is not called when refused.
        op("try_alloc_with, one by one", true, |f| {
            singles::<T>(|i| {
                let called = Cell::new(false);
                f.try_alloc_with(|| {
                    called.set(true);
                    user();
                    Probe::make(i)
                })
                .inspect_err(|_| assert!(!called.get(), "f called, then refused"))
            })
        }),
        // The source is dropped before the return: a value being returned is leaked when a
        // later destructor unwinds (rust-lang/rust#47949), here an element's.
        op("alloc_slice_clone", false, |f| {
            let src: Vec<Probe<T>> = (0..n::<T>()).map(Probe::make).collect();
            let out = made(f.alloc_slice_clone(&src), |b| keys(&**b));
            drop(src);
            out
        }),
        op("try_alloc_slice_clone", true, |f| {
            let src: Vec<Probe<T>> = (0..n::<T>()).map(Probe::make).collect();
            let out = f.try_alloc_slice_clone(&src).map_err(refused);
            let out = out.and_then(|b| made(b, |b| keys(&**b)));
            drop(src);
            out
        }),
        op("alloc_slice_fill_with", false, |f| {
            let b = f.alloc_slice_fill_with(n::<T>(), |i| {
                user();
                Probe::<T>::make(i)
            });
            made(b, |b| keys(&**b))
        }),
        op("try_alloc_slice_fill_with", true, |f| {
            let called = Cell::new(false);
            let b = f
                .try_alloc_slice_fill_with(n::<T>(), |i| {
                    called.set(true);
                    user();
                    Probe::<T>::make(i)
                })
                .map_err(|e| {
                    assert!(!called.get(), "f called, then refused");
                    refused(e)
                })?;
            made(b, |b| keys(&**b))
        }),
        op("alloc_slice_fill_clone", false, |f| {
            let b = f.alloc_slice_fill_clone(n::<T>(), &Probe::<T>::make(3));
            made(b, |b| keys(&**b))
        }),
        op("try_alloc_slice_fill_clone", true, |f| {
            let b = f
                .try_alloc_slice_fill_clone(n::<T>(), &Probe::<T>::make(3))
                .map_err(refused)?;
            made(b, |b| keys(&**b))
        }),
        op("alloc_slice_fill_default", false, |f| {
            let b = f.alloc_slice_fill_default::<Probe<T>>(n::<T>());
            made(b, |b| keys(&**b))
        }),
        op("try_alloc_slice_fill_default", true, |f| {
            let b = f
                .try_alloc_slice_fill_default::<Probe<T>>(n::<T>())
                .map_err(refused)?;
            made(b, |b| keys(&**b))
        }),
        op(
            "alloc_iter, true hint",
            false,
            collect::<T, { usize::MAX }, false>,
        ),
        op("alloc_iter, lower bound 1", false, collect::<T, 1, false>),
        op(
            "alloc_iter, huge lower bound",
            false,
            collect::<T, { usize::MAX / 2 }, false>,
        ),
        op(
            "try_alloc_iter, true hint",
            true,
            collect::<T, { usize::MAX }, true>,
        ),
        op("try_alloc_iter, lower bound 0", true, collect::<T, 0, true>),
        op(
            "try_alloc_iter, huge lower bound",
            true,
            collect::<T, { usize::MAX / 2 }, true>,
        ),
        op("alloc_iter_exact", false, collect_exact::<T, 0, 0, false>),
        op(
            "alloc_iter_exact, claims 3 more",
            false,
            collect_exact::<T, 3, 0, false>,
        ),
        op("try_alloc_iter_exact", true, collect_exact::<T, 0, 0, true>),
        op(
            "try_alloc_iter_exact, claims 2 fewer",
            true,
            collect_exact::<T, 0, 2, true>,
        ),
        // `grow` of `&Frame`: two vectors, so one grows in place and the other moves.
        op("allocator_api2 Vecs in &Frame", true, |f| {
            let (mut a, mut b) = (AVec::new_in(&*f), AVec::new_in(&*f));
            for i in 0..n::<T>() {
                for v in [&mut a, &mut b] {
                    v.try_reserve(1).map_err(|_| None)?;
                    v.push(Probe::<T>::make(i));
                }
            }
            a.shrink_to_fit();
            made((a, b), |(a, b)| keys(a.iter().chain(b)))
        }),
        op("StackVec in &Frame", true, |f| {
            let mut v: StackVec<Probe<T>, 8, _> = StackVec::new_in(&*f);
            for i in 0..n::<T>() {
                v.try_push(Probe::make(i)).map_err(|_| None)?;
            }
            made(v, |v| keys(v.iter()))
        }),
        // A child frame whose closure unwinds: it ends, giving back what it took.
        op("frame", false, |f| {
            let before = f.used();
            let r = caught(|| {
                f.frame(|g| {
                    let b = singles::<T>(|i| Ok(g.alloc(Probe::make(i))));
                    user();
                    b
                })
            });
            assert_eq!(f.used(), before, "a child frame that unwound");
            r.unwrap_or_else(|p| resume_unwind(p))
        }),
        op("frame_guard", false, |f| {
            let before = f.used();
            let mut g = f.frame_guard();
            let b = g.frame().alloc_iter(items::<T>(n::<T>(), Some(1)));
            let k = made(b, |b| keys(&**b));
            drop(g);
            assert_eq!(f.used(), before, "a guard's frame");
            k
        }),
        // Reclaimed when the op's frame ends.
        op("frame_guard, forgotten", false, |f| {
            let mut g = f.frame_guard();
            let k = made(
                g.frame()
                    .alloc_slice_fill_with(n::<T>(), |i| Probe::<T>::make(i)),
                |b| keys(&**b),
            );
            mem::forget(g);
            k
        }),
    ]
}

/// Three copies, each larger than the last chunk held.
fn copies<C: Elem + Copy + 'static, const TRY: bool>(f: &mut Frame<'_>) -> Out {
    let mut out = Vec::new();
    for i in 1..4 {
        let src: Vec<C> = (0..i * n::<C>() / 2).map(|i| C::make(i as u8)).collect();
        let copied = if TRY {
            f.try_alloc_slice_copy(&src).map_err(refused)?
        } else {
            f.alloc_slice_copy(&src)
        };
        out.extend(copied.iter().map(C::key));
    }
    Ok(out)
}

fn fill_copy<C: Elem + Copy + 'static, const TRY: bool>(f: &mut Frame<'_>) -> Out {
    let copied = if TRY {
        f.try_alloc_slice_fill_copy(n::<C>(), C::make(5))
            .map_err(refused)?
    } else {
        f.alloc_slice_fill_copy(n::<C>(), C::make(5))
    };
    Ok(copied.iter().map(C::key).collect())
}

const TEXT: &str = "a frame-scoped bump arena, reclaimed at once when the frame ends, \
                    as Go reclaims a stack frame ";

/// Writes `bytes` at `p` (the next block's seed), then reads them back.
///
/// # Safety
/// `p` is a block of at least `bytes` bytes.
unsafe fn stamp(p: NonNull<[u8]>, bytes: usize, seed: u8) -> Vec<u8> {
    let p = p.cast::<u8>().as_ptr();
    // SAFETY: the caller's promise.
    unsafe {
        (0..bytes).for_each(|i| p.add(i).write(seed.wrapping_add(i as u8)));
        std::slice::from_raw_parts(p, bytes).to_vec()
    }
}

fn byte_ops() -> Vec<Op> {
    vec![
        op("alloc_slice_copy of u8", false, copies::<u8, false>),
        op("try_alloc_slice_copy of u8", true, copies::<u8, true>),
        op(
            "alloc_slice_copy of Aligned",
            false,
            copies::<Aligned, false>,
        ),
        op(
            "try_alloc_slice_copy of Aligned",
            true,
            copies::<Aligned, true>,
        ),
        op("alloc_slice_copy of ()", false, copies::<(), false>),
        op("alloc_slice_fill_copy of u8", false, fill_copy::<u8, false>),
        op(
            "try_alloc_slice_fill_copy of Aligned",
            true,
            fill_copy::<Aligned, true>,
        ),
        op("alloc_str", false, |f| {
            let s = [f.alloc_str(TEXT), f.alloc_str(&TEXT[..40])];
            Ok(s.concat().into_bytes())
        }),
        op("try_alloc_str", true, |f| {
            let a = f.try_alloc_str(TEXT).map_err(refused)?;
            let b = f.try_alloc_str(&TEXT[..40]).map_err(refused)?;
            Ok([a, b].concat().into_bytes())
        }),
        op("alloc_fmt", false, |f| {
            let s = f.alloc_fmt(format_args!("{}{:>60}", Pieces(TEXT), 1));
            Ok(s.as_bytes().to_vec())
        }),
        op("try_alloc_fmt", true, |f| {
            let s = f
                .try_alloc_fmt(format_args!("{}{:>60}", Pieces(TEXT), 1))
                .map_err(refused)?;
            Ok(s.as_bytes().to_vec())
        }),
        // The `Allocator` calls on `&Frame` themselves: a block that is not the last grows by
        // moving, the last one in place or by moving to a new chunk, a shrink to a larger
        // alignment may move.
        op("Allocator for &Frame", true, |f| {
            let a = &*f;
            let l = |size, align| Layout::from_size_align(size, align).unwrap();
            // SAFETY: each block is used within its size, resized and freed with the layout it
            // has, and not used afterwards.
            unsafe {
                let x = a.allocate(l(24, 64)).map_err(|_| None)?;
                let mut out = stamp(x, 24, 1);
                let y = a.allocate(l(8, 8)).map_err(|_| None)?;
                out.extend(stamp(y, 8, 2));
                let x = a.grow(x.cast(), l(24, 64), l(300, 64)).map_err(|_| None)?;
                out.extend(std::slice::from_raw_parts(x.cast::<u8>().as_ptr(), 24));
                let x = a.grow(x.cast(), l(300, 64), l(700, 64)).map_err(|_| None)?;
                out.extend(stamp(x, 700, 3));
                let x = a
                    .shrink(x.cast(), l(700, 64), l(40, 128))
                    .map_err(|_| None)?;
                out.extend(std::slice::from_raw_parts(x.cast::<u8>().as_ptr(), 40));
                a.deallocate(y.cast(), l(8, 8));
                a.deallocate(x.cast(), l(40, 128));
                Ok(out)
            }
        }),
    ]
}

/// The arena an op runs in.
#[derive(Clone, Copy, Debug)]
enum Start {
    /// `from_memory`: only user code can fail.
    Fixed,
    /// `new_in`, its parent frame holding nothing: the op's frame takes the first chunk.
    Fresh,
    /// `with_capacity_in(16)`: chunks of 48, 96, 192, ... bytes.
    Small,
    /// `Small` after a frame that took chunks: spares to reuse, or too small to.
    Spares,
    /// `new_in` after a frame that took the first chunk and put back the empty start (home is
    /// the first chunk).
    EmptyHome,
    /// `from_memory_in` 64 bytes, then chunks.
    MemoryThenChunks,
    /// `Small` over a `SyncArena` that places the chunks next to each other.
    SyncChunks,
}

const STARTS: [Start; 7] = [
    Start::Fixed,
    Start::Fresh,
    Start::Small,
    Start::Spares,
    Start::EmptyHome,
    Start::MemoryThenChunks,
    Start::SyncChunks,
];

impl Start {
    fn modes(self) -> &'static [Mode] {
        match self {
            Start::Fixed => &[Mode::User],
            _ => &[
                Mode::Panic,
                Mode::PanicAfterFree,
                Mode::Fail,
                Mode::FailFrom,
                Mode::User,
            ],
        }
    }
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)*) => {
        if !$cond {
            return Err(format!($($msg)*));
        }
    };
}

struct Ran {
    product: Vec<u8>,
    fired: bool,
    /// What the op did (`Ok`, `Err`, or unwound), and where the fault hit.
    seen: String,
}

/// A growing arena in the state `start` names.
fn growing<'a, 's>(
    start: Start,
    backing: &'a Faulty<'s>,
    memory: &'a mut [MaybeUninit<u8>],
) -> Arena<'a, &'a Faulty<'s>> {
    let mut arena = match start {
        Start::Fresh | Start::EmptyHome => Arena::new_in(backing),
        Start::MemoryThenChunks => Arena::from_memory_in(&mut memory[..64], backing),
        _ => Arena::with_capacity_in(16, backing),
    };
    arena.frame(|f| match start {
        Start::Spares => (1..30).for_each(|i| {
            let _ = f.alloc_slice_fill_copy(i * 12, 0u8);
        }),
        Start::EmptyHome => drop(f.alloc(1u8)),
        _ => {}
    });
    arena
}

/// One run of `op` from `start` with `fault` armed; `reference` is the run without one.
fn run_case(
    start: Start,
    op: &Op,
    fault: Option<(Mode, usize)>,
    reference: Option<&Ran>,
) -> Result<Ran, String> {
    let tracked = live();
    BOOK.with(|b| {
        *b.borrow_mut() = Book {
            fault,
            ..Book::default()
        }
    });
    let sync = SyncArena::<SYNC>::new();
    let backing = Faulty {
        inner: TestBacking::over(match start {
            Start::SyncChunks => Chunks::Sync(&sync),
            _ => Chunks::Heap,
        }),
        given_up: RefCell::default(),
    };
    let mut memory = vec![MaybeUninit::<u8>::uninit(); 4096];
    let mem = memory.as_ptr() as usize;
    let mem = mem..mem + memory.len();
    let inside = |addr: usize, size: usize| {
        backing.inner.contains(addr, size) || (mem.start <= addr && addr + size <= mem.end)
    };
    let held = if matches!(start, Start::Fresh) { 0 } else { 3 };
    let ran = match start {
        Start::Fixed => drive(Arena::from_memory(&mut memory), op, held, &inside, None),
        _ => {
            let arena = growing(start, &backing, &mut memory);
            drive(arena, op, held, &inside, Some(&backing))
        }
    };
    arm(false);
    backing.free_given_up();
    ensure!(
        backing.inner.live_blocks() == 0,
        "{} chunk(s) leaked",
        backing.inner.live_blocks()
    );
    ensure!(live() == tracked, "{} Tracked leaked", live() - tracked);
    let (result, seen) = ran?;
    let fired = fired();
    let (fault_mode, fail) = match fault {
        Some((mode, _)) if fired => (Some(mode), matches!(mode, Mode::Fail | Mode::FailFrom)),
        _ => (None, false),
    };
    let product = match result {
        Ok(Ok(p)) => {
            if let Some(r) = reference {
                ensure!(
                    p == r.product,
                    "Ok({p:?}); without a fault Ok({:?})",
                    r.product
                );
            }
            p
        }
        Ok(Err(kind)) => {
            ensure!(fail && op.fallible, "Err({kind:?}) without a refusal");
            ensure!(
                kind.is_none_or(|k| k == ArenaErrorKind::BackingFailed),
                "Err({kind:?}) for a backing allocator's refusal"
            );
            vec![]
        }
        Err(msg) => {
            let ok = if msg == "deliberate" {
                fault_mode.is_some() && !fail
            } else {
                // Documented: the panicking methods raise the error, at the caller's location.
                fail && !op.fallible
                    && msg.starts_with("arena's backing allocator failed")
                    && msg.contains(file!())
            };
            ensure!(ok, "panicked: {msg}");
            vec![]
        }
    };
    Ok(Ran {
        product,
        fired,
        seen,
    })
}

/// The op's result (a panic as its message) and `Ran::seen`, or a failed check.
type Driven = Result<(Result<Out, String>, String), String>;

/// The op in a child of a frame holding `held` live values (and `8 * held` bytes), then
/// `shrink_to_fit` and the drop, all armed; the checks between them disarmed.
fn drive<A: Allocator>(
    mut arena: Arena<'_, A>,
    op: &Op,
    held: usize,
    inside: &dyn Fn(usize, usize) -> bool,
    backing: Option<&Faulty>,
) -> Driven {
    ensure!(arena.used() == 0, "used before the run");
    let result = arena.frame(|mut parent| -> Result<_, String> {
        let kept = parent.alloc_slice_fill_with(held, |i| Tracked::new(1000 + i as u64));
        let bytes = parent.alloc_slice_fill_copy(held * 8, 0xa5u8);
        let used = parent.used();
        arm(true);
        let result = caught(|| parent.frame(|mut child| (op.run)(&mut child)));
        arm(false);
        ensure!(
            parent.used() == used,
            "used {} after the child frame, {used} before",
            parent.used()
        );
        // The arena still allocates, across chunks, apart from the live blocks.
        let more = parent.alloc_slice_fill_with(2, |i| Tracked::new(2000 + i as u64));
        let big = parent.alloc_slice_fill_copy(700, 0x5au8);
        let wide = parent.alloc(Aligned(9));
        let span = |p: *const u8, bytes: usize| (p as usize, bytes);
        let mut blocks = vec![
            span(kept.as_ptr().cast(), mem::size_of_val(&*kept)),
            span(bytes.as_ptr(), bytes.len()),
            span(more.as_ptr().cast(), mem::size_of_val(&*more)),
            span(big.as_ptr(), big.len()),
            span((&raw const *wide).cast(), 64),
        ];
        blocks.retain(|b| b.1 > 0); // zero-sized ones (a parent holding nothing) need no memory
        ensure!(
            blocks.iter().all(|&(a, s)| inside(a, s)),
            "a block outside the arena's memory: {blocks:x?}"
        );
        blocks.sort();
        ensure!(
            blocks.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0),
            "overlapping blocks: {blocks:x?}"
        );
        ensure!(
            kept.iter().map(|t| t.value).eq(1000..1000 + held as u64)
                && bytes.iter().all(|&b| b == 0xa5)
                && big.iter().all(|&b| b == 0x5a)
                && (&raw const *wide) as usize % 64 == 0
                && wide.0 == 9,
            "a live value changed"
        );
        Ok(result.map_err(|p| panic_message(&*p)))
    });
    let result = result?;
    ensure!(arena.used() == 0, "used {} after the frame", arena.used());
    let outcome = match &result {
        Ok(Ok(_)) => "Ok",
        Ok(Err(_)) => "Err",
        Err(_) => "unwound",
    };
    let mut seen = fired().then(|| format!("{outcome} (op)"));
    let allocated = |arena: &Arena<'_, A>| -> Result<(), String> {
        let held = backing.map_or(0, |b| b.inner.live_bytes() - b.given_up_bytes());
        ensure!(
            arena.allocated_bytes() == held,
            "allocated_bytes {}, chunks held {held}",
            arena.allocated_bytes()
        );
        Ok(())
    };
    allocated(&arena)?;
    arena.reset();
    arm(true);
    let shrunk = caught(|| arena.shrink_to_fit()).map_err(|p| panic_message(&*p));
    arm(false);
    seen = seen.or_else(|| fired().then(|| format!("{outcome} (shrink_to_fit)")));
    ensure!(
        shrunk.as_ref().err().is_none_or(|m| m == "deliberate"),
        "shrink_to_fit panicked: {shrunk:?}"
    );
    allocated(&arena)?;
    // Documented: after `reset`, `shrink_to_fit` leaves only the first chunk.
    let chunks = backing.map_or(0, |b| b.inner.live_blocks() - b.given_up.borrow().len());
    ensure!(
        shrunk.is_err() || chunks <= 1,
        "{chunks} chunks after reset and shrink_to_fit"
    );
    arena.frame(|f| {
        let x = f.alloc_slice_fill_copy(300, 7u64);
        ensure!(x.iter().all(|&v| v == 7), "a fresh block changed");
        Ok(())
    })?;
    ensure!(arena.used() == 0, "used after a frame");
    arm(true);
    let dropped = caught(|| drop(arena)).map_err(|p| panic_message(&*p));
    ensure!(
        dropped.as_ref().err().is_none_or(|m| m == "deliberate"),
        "the drop panicked: {dropped:?}"
    );
    let seen = seen.unwrap_or_else(|| format!("{outcome} (drop)"));
    Ok((result, seen))
}

/// Runs every op from every start without a fault, then with each mode at every k (see
/// [`Sweep::faults`]). Returns the failures; prints what the faults made the ops do.
fn sweep(label: &str, ops: &[Op]) -> Vec<String> {
    let mut sweep = Sweep::new();
    // The quiet panic hook and the first `Tracked` allocate for good: made before any run.
    let _ = caught(|| panic_any(Deliberate));
    drop(Tracked::new(0));
    for start in STARTS {
        for op in ops {
            let at = format!("{label} from {start:?}: {}", op.name);
            let run = |fault, reference| {
                caught(|| run_case(start, op, fault, reference))
                    .unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&*p))))
            };
            let Some(reference) = sweep.reference(&at, run(None, None)) else {
                continue;
            };
            for &mode in start.modes() {
                sweep.faults(&at, op.name, mode, 1000, |k| {
                    run(Some((mode, k)), Some(&reference)).map(|r| (r.fired, r.seen))
                });
            }
        }
    }
    sweep.finish(label)
}

#[test]
fn arena_of_u8() {
    assert_none(sweep("u8", &elem_ops::<u8>()));
}

#[test]
fn arena_of_tracked() {
    assert_none(sweep("Tracked", &elem_ops::<Tracked>()));
}

#[test]
fn arena_of_zero_sized() {
    assert_none(sweep("()", &elem_ops::<()>()));
}

#[test]
fn arena_of_64_byte_aligned() {
    assert_none(sweep("Aligned", &elem_ops::<Aligned>()));
}

#[test]
fn arena_bytes_text_and_allocator_calls() {
    assert_none(sweep("bytes", &byte_ops()));
}
