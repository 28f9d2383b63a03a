//! Fault injection into every allocator call of `StackVec` and `StackString`. A ledger over
//! `Global` records every live block with its layout and checks each block handed back; armed, it
//! unwinds at its k-th call (before doing anything, or, for `deallocate` and `shrink`, after
//! freeing the block), or fails it. Each operation runs from each starting state with the fault
//! at k = 0, 1, ... until a run makes no more calls than k; after every run the container must
//! own a live block of its layout (or be inline), hold the state before, after or a documented
//! intermediate one, stay usable, and leave no block or `Tracked` behind once dropped.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::mem;
use std::panic::panic_any;
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{stack_concat, stack_format, stack_vec, StackString, StackVec};

use common::fault_sweep::{assert_none, Sweep};
use common::{caught, live, panic_message, Deliberate, Elem, LyingIter, Pair, Tracked};

/// The system allocator, counting this thread's live blocks: a value the crate leaks on the
/// global heap (one being returned when a destructor unwinds) is not the ledger's to see.
struct Counting;

thread_local! {
    static GLOBAL_BLOCKS: Cell<isize> = const { Cell::new(0) };
}

fn count(by: isize) {
    let _ = GLOBAL_BLOCKS.try_with(|c| c.set(c.get() + by));
}

fn global_blocks() -> isize {
    GLOBAL_BLOCKS.with(Cell::get)
}

// SAFETY: forwards every call to `System` unchanged; the counter does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(1);
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(1);
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-1);
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What an armed fault does to the call it hits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Mode {
    /// Unwinds on entry, before the allocator does anything.
    Panic,
    /// Hits `deallocate` only: frees the block, then unwinds. (A `shrink` that unwinds is taken
    /// to have left the block as it was, as std's `Vec` takes it: the `Allocator` trait does not
    /// say, and either reading breaks the allocators that do the other.)
    PanicAfterFree,
    /// Returns `Err` (hits every call but `deallocate`).
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Call {
    Allocate,
    AllocateZeroed,
    Grow,
    GrowZeroed,
    Shrink,
    Deallocate,
}

impl Mode {
    fn hits(self, call: Call) -> bool {
        match self {
            Mode::Panic => true,
            Mode::PanicAfterFree => call == Call::Deallocate,
            Mode::Fail => call != Call::Deallocate,
        }
    }
}

/// The layout asked of `Global`: at least one byte, so that zero-sized blocks (an empty boxed
/// slice's) have addresses of their own, as the ledger's keys.
fn padded(layout: Layout) -> Layout {
    Layout::from_size_align(layout.size().max(1), layout.align()).unwrap()
}

#[derive(Default)]
struct Book {
    live: HashMap<usize, Layout>,
    /// Blocks the caller gave up, but still allocated: those whose `deallocate` unwound before
    /// freeing them. Any later use is a violation; the run frees them at its end.
    given_up: HashMap<usize, Layout>,
    violations: Vec<String>,
    fault: Option<(Mode, usize)>,
    /// The calls of the run so far.
    calls: Vec<Call>,
}

thread_local! {
    static BOOK: RefCell<Book> = RefCell::new(Book::default());
}

fn book<R>(f: impl FnOnce(&mut Book) -> R) -> R {
    BOOK.with(|b| f(&mut b.borrow_mut()))
}

/// The ledger: zero-sized and `Default` (the `From` and `collect` paths make their allocator),
/// used mostly as `&'static Ledger` (`into_heap_exact` takes `Global` or a borrowed allocator).
#[derive(Clone, Copy, Default, Debug)]
struct Ledger;

static LEDGER: Ledger = Ledger;
type L = &'static Ledger;

impl Ledger {
    /// Notes `call`; the armed mode when it is the k-th call the fault hits.
    fn fault(call: Call) -> Option<Mode> {
        book(|b| {
            b.calls.push(call);
            let (mode, k) = b.fault?;
            let hit = b.calls.iter().filter(|&&c| mode.hits(c)).count();
            (mode.hits(call) && hit == k + 1).then_some(mode)
        })
    }

    fn violation(msg: String) {
        book(|b| b.violations.push(msg));
    }

    /// Takes `ptr` out of the live blocks: the layout it was allocated with, if it was live.
    fn take(call: Call, ptr: NonNull<u8>, layout: Layout) -> Option<Layout> {
        let addr = ptr.as_ptr() as usize;
        let recorded = book(|b| b.live.remove(&addr));
        match recorded {
            None => Self::violation(format!("{call:?} of {addr:#x} ({layout:?}): not live")),
            Some(r) if r != layout => Self::violation(format!(
                "{call:?} of {addr:#x} with {layout:?}, allocated with {r:?}"
            )),
            Some(_) => {}
        }
        recorded
    }

    fn fresh(
        call: Call,
        layout: Layout,
        f: impl FnOnce(Layout) -> Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        match Self::fault(call) {
            Some(Mode::Panic) => panic_any(Deliberate),
            Some(_) => return Err(AllocError),
            None => {}
        }
        let block = f(padded(layout))?;
        book(|b| b.live.insert(block.as_ptr().cast::<u8>() as usize, layout));
        Ok(block)
    }

    /// `grow`, `grow_zeroed` and `shrink`: `f` is `Global`'s.
    unsafe fn resize(
        call: Call,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
        f: impl FnOnce(NonNull<u8>, Layout, Layout) -> Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let fault = Self::fault(call);
        match fault {
            Some(Mode::Panic) => panic_any(Deliberate),
            Some(Mode::Fail) => return Err(AllocError),
            _ => {}
        }
        let grows = call != Call::Shrink;
        if new.align() != old.align() || (new.size() >= old.size()) != grows {
            Self::violation(format!("{call:?} from {old:?} to {new:?}"));
            return Err(AllocError);
        }
        match Self::take(call, ptr, old) {
            Some(l) if l == old => {}
            Some(l) => {
                book(|b| b.live.insert(ptr.as_ptr() as usize, l));
                return Err(AllocError);
            }
            None => return Err(AllocError),
        }
        match f(ptr, padded(old), padded(new)) {
            Ok(block) => {
                book(|b| b.live.insert(block.as_ptr().cast::<u8>() as usize, new));
                Ok(block)
            }
            Err(e) => {
                book(|b| b.live.insert(ptr.as_ptr() as usize, old));
                Err(e)
            }
        }
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the layout it was allocated
// with (a caller's wrong layout or a block that is not live is recorded, never passed on).
unsafe impl Allocator for Ledger {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Self::fresh(Call::Allocate, layout, |l| Global.allocate(l))
    }

    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Self::fresh(Call::AllocateZeroed, layout, |l| Global.allocate_zeroed(l))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let fault = Self::fault(Call::Deallocate);
        let Some(recorded) = Self::take(Call::Deallocate, ptr, layout) else {
            return;
        };
        if fault == Some(Mode::Panic) {
            book(|b| b.given_up.insert(ptr.as_ptr() as usize, recorded));
            panic_any(Deliberate);
        }
        // SAFETY: live, allocated by `Global` with `padded(recorded)`.
        unsafe { Global.deallocate(ptr, padded(recorded)) };
        if fault.is_some() {
            panic_any(Deliberate);
        }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: checked by `resize`, then forwarded.
        unsafe { Self::resize(Call::Grow, ptr, old, new, |p, o, n| Global.grow(p, o, n)) }
    }

    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as `grow`.
        unsafe {
            Self::resize(Call::GrowZeroed, ptr, old, new, |p, o, n| {
                Global.grow_zeroed(p, o, n)
            })
        }
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as `grow`.
        unsafe {
            Self::resize(Call::Shrink, ptr, old, new, |p, o, n| {
                Global.shrink(p, o, n)
            })
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

/// A container under test.
trait Subject: Sized {
    fn empty() -> Self;
    /// One byte per element (its key), or the string's bytes.
    fn contents(&self) -> Vec<u8>;
    /// Its buffer is a live block of its layout, or inside it; `len <= capacity`, UTF-8.
    fn check(&self) -> Result<(), String>;
    /// Pushes past the capacity, shrinks back and clones, checking the contents at each step.
    fn exercise(&mut self) -> Result<(), String>;
}

fn check_buffer<C>(c: &C, spilled: bool, ptr: *const u8, layout: Layout) -> Result<(), String> {
    let addr = ptr as usize;
    if spilled {
        match book(|b| b.live.get(&addr).copied()) {
            Some(l) if l == layout => Ok(()),
            Some(l) => Err(format!("owns {addr:#x} as {layout:?}, allocated as {l:?}")),
            None => Err(format!("owns {addr:#x} ({layout:?}), which is not live")),
        }
    } else {
        let start = c as *const C as usize;
        ensure!(
            (start..=start + mem::size_of::<C>()).contains(&addr),
            "inline, with its buffer {addr:#x} outside it"
        );
        Ok(())
    }
}

fn take<S: Subject>(s: &mut S) -> S {
    mem::replace(s, S::empty())
}

type V<E, const N: usize> = StackVec<E, N, L>;

impl<E: Elem, const N: usize> Subject for V<E, N> {
    fn empty() -> Self {
        StackVec::new_in(&LEDGER)
    }
    fn contents(&self) -> Vec<u8> {
        self.iter().map(Elem::key).collect()
    }
    fn check(&self) -> Result<(), String> {
        ensure!(self.len() <= self.capacity(), "len > capacity");
        let layout = Layout::array::<E>(self.capacity()).unwrap_or(Layout::new::<()>());
        check_buffer(self, self.spilled(), self.as_ptr().cast(), layout)
    }
    fn exercise(&mut self) -> Result<(), String> {
        let mut want = self.contents();
        let more = (self.capacity() - self.len()).min(40) + 3;
        for i in 0..more {
            let x = E::make(200u8.wrapping_add(i as u8));
            want.push(x.key());
            self.push(x);
        }
        self.check()?;
        ensure!(self.contents() == want, "pushes after the run");
        self.truncate(want.len() - more);
        self.shrink_to_fit();
        self.check()?;
        want.truncate(want.len() - more);
        ensure!(self.contents() == want, "shrink after the run");
        ensure!(self.clone().contents() == want, "clone after the run");
        Ok(())
    }
}

type S<const N: usize> = StackString<N, L>;

impl<const N: usize> Subject for S<N> {
    fn empty() -> Self {
        StackString::new_in(&LEDGER)
    }
    fn contents(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
    fn check(&self) -> Result<(), String> {
        ensure!(self.len() <= self.capacity(), "len > capacity");
        let layout = Layout::array::<u8>(self.capacity()).unwrap();
        check_buffer(self, self.spilled(), self.as_bytes().as_ptr(), layout)?;
        ensure!(std::str::from_utf8(self.as_bytes()).is_ok(), "not UTF-8");
        Ok(())
    }
    fn exercise(&mut self) -> Result<(), String> {
        let want = self.as_str().to_string();
        let more = "é".repeat((self.capacity() - self.len()) / 2 + 2);
        self.push_str(&more);
        self.check()?;
        ensure!(*self == format!("{want}{more}"), "push_str after the run");
        self.truncate(want.len());
        self.shrink_to_fit();
        self.check()?;
        ensure!(*self == *want, "shrink after the run");
        ensure!(self.clone() == *want, "clone after the run");
        Ok(())
    }
}

/// The states a run may leave, besides the one before (and, but for `Consumed`, the one after).
#[derive(Clone, Copy)]
enum Outcome {
    /// Nothing else; an `Err` leaves the state before.
    Atomic,
    /// The head of the state after, then the last `tail(before)` elements of the state before:
    /// elements added one at a time (at the end, or in the middle: then the tail), a splice.
    Partial(fn(&[u8]) -> usize),
    /// A subsequence of the state before that holds the state after (`retain`, ...).
    Between,
    /// The op takes the container, leaving an empty one; an `Err` puts it back.
    Consumed,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Seen {
    Before,
    After,
    Between,
    Empty,
}

fn allowed(outcome: Outcome, before: &[u8], after: &[u8], got: &[u8], err: bool) -> Option<Seen> {
    let subseq = |a: &[u8], b: &[u8]| {
        let mut b = b.iter();
        a.iter().all(|x| b.any(|y| y == x))
    };
    match outcome {
        Outcome::Consumed if err => (got == before).then_some(Seen::Before),
        Outcome::Consumed => got.is_empty().then_some(Seen::Empty),
        _ if got == before => Some(Seen::Before),
        Outcome::Atomic if err => None,
        _ if got == after => Some(Seen::After),
        Outcome::Atomic => None,
        Outcome::Partial(tail) => {
            let t = tail(before);
            let (Some(bh), Some(ah), Some(gh)) = (
                before.len().checked_sub(t),
                after.len().checked_sub(t),
                got.len().checked_sub(t),
            ) else {
                return None;
            };
            let head = before.iter().zip(after).take_while(|(x, y)| x == y).count();
            (got[gh..] == before[bh..] && after[..ah].starts_with(&got[..gh]) && gh >= head.min(bh))
                .then_some(Seen::Between)
        }
        Outcome::Between => (subseq(after, got) && subseq(got, before)).then_some(Seen::Between),
    }
}

/// An operation: `run` returns what it made (keys), or `Err` for a `try_` method's error.
struct Op<S> {
    name: &'static str,
    outcome: Outcome,
    /// Whether `Fail` runs apply: a `try_` method, or one that retries a refused growth; any
    /// other method hands a failure to `handle_alloc_error`, which aborts.
    fallible: bool,
    run: fn(&mut S) -> Result<Vec<u8>, ()>,
}

fn op<S>(
    name: &'static str,
    outcome: Outcome,
    fallible: bool,
    run: fn(&mut S) -> Result<Vec<u8>, ()>,
) -> Op<S> {
    Op {
        name,
        outcome,
        fallible,
        run,
    }
}

/// `Ok(f(&value))`, with `value` dropped before the result is made: a value being returned is
/// leaked when a later destructor unwinds (rust-lang/rust#47949), here the ledger's `deallocate`.
fn made<T>(value: T, f: impl FnOnce(&T) -> Vec<u8>) -> Result<Vec<u8>, ()> {
    let made = f(&value);
    drop(value);
    Ok(made)
}

type State<S> = (&'static str, fn() -> Option<S>);

struct Ran {
    after: Vec<u8>,
    product: Vec<u8>,
    fired: bool,
    seen: Seen,
}

fn free_given_up() {
    for (addr, layout) in book(|b| mem::take(&mut b.given_up)) {
        // SAFETY: a block of `Global` with this layout, padded, given up but not freed.
        unsafe { Global.deallocate(NonNull::new(addr as *mut u8).unwrap(), padded(layout)) };
    }
}

/// One run of `op` from `make`'s state, with `fault` armed; `reference` is the run without one.
fn run_case<S: Subject>(
    make: fn() -> Option<S>,
    op: &Op<S>,
    fault: Option<(Mode, usize)>,
    reference: Option<&Ran>,
) -> Result<Ran, String> {
    let tracked = live();
    free_given_up();
    // A failed run may have left live blocks behind (possibly freed): forget them.
    book(|b| *b = Book::default());
    let global = global_blocks();
    let mut s = make().expect("a state that exists");
    let before = s.contents();
    book(|b| {
        b.calls.clear();
        b.fault = fault;
    });
    let result = caught(|| (op.run)(&mut s));
    let calls = book(|b| {
        b.fault = None;
        mem::take(&mut b.calls)
    });
    let fired = fault.is_some_and(|(mode, k)| calls.iter().filter(|&&c| mode.hits(c)).count() > k);
    if let Err(e) = s.check() {
        // Its buffer may be freed: touch nothing.
        mem::forget(s);
        return Err(e);
    }
    let got = s.contents();
    let (err, product) = match result {
        Err(p) => {
            ensure!(p.is::<Deliberate>(), "panicked: {}", panic_message(&*p));
            ensure!(fired, "unwound without a fault");
            (false, None)
        }
        Ok(Err(())) => {
            ensure!(
                fired && fault.is_some_and(|(m, _)| m == Mode::Fail),
                "Err without a failed call"
            );
            (true, None)
        }
        Ok(Ok(product)) => (false, Some(product)),
    };
    let seen = match (reference, &product) {
        (None, None) => return Err("no Ok without a fault".into()),
        (None, Some(_)) => Seen::After,
        (Some(r), Some(p)) => {
            ensure!(
                got == r.after && *p == r.product,
                "Ok({p:?}) leaving {got:?}; without a fault Ok({:?}) leaving {:?}",
                r.product,
                r.after
            );
            Seen::After
        }
        (Some(r), None) => allowed(op.outcome, &before, &r.after, &got, err).ok_or_else(|| {
            format!(
                "left {got:?}: neither {before:?} (before) nor {:?} (after){}",
                r.after,
                if err { ", with Err" } else { "" }
            )
        })?,
    };
    let violations = book(|b| mem::take(&mut b.violations));
    ensure!(violations.is_empty(), "{violations:?}");
    s.exercise()?;
    drop(s);
    free_given_up();
    let (blocks, violations) = book(|b| (b.live.len(), mem::take(&mut b.violations)));
    ensure!(violations.is_empty(), "on drop: {violations:?}");
    ensure!(blocks == 0, "{blocks} block(s) leaked");
    ensure!(live() == tracked, "{} Tracked leaked", live() - tracked);
    drop((before, calls));
    let product = product.unwrap_or_default();
    book(|b| *b = Book::default());
    // What the run still holds: its record of the state after and the product.
    let held = [got.capacity(), product.capacity()].map(|c| isize::from(c > 0));
    let leaked = global_blocks() - global - held.iter().sum::<isize>();
    ensure!(leaked == 0, "{leaked} block(s) of the global heap leaked");
    Ok(Ran {
        after: got,
        product,
        fired,
        seen,
    })
}

/// The quiet panic hook keeps the last panic's location, and the first `Tracked` makes the root
/// of their registry: both stay allocated, so they are made before any run counts blocks.
fn warm_up<S: Subject>(states: &[State<S>]) {
    let _ = caught(|| panic_any(Deliberate));
    states.iter().for_each(|(_, make)| drop(make()));
}

/// Runs every op from every state without a fault, then with each mode at every k (see
/// [`Sweep::faults`]). Returns the failures; prints which states the faults left.
fn sweep<S: Subject>(label: &str, states: &[State<S>], ops: &[Op<S>]) -> Vec<String> {
    let mut sweep = Sweep::new();
    warm_up(states);
    for &(state, make) in states {
        if make().is_none() {
            continue;
        }
        for op in ops {
            let at = format!("{label} from {state}: {}", op.name);
            let Some(reference) = sweep.reference(&at, run_case(make, op, None, None)) else {
                continue;
            };
            for mode in [Mode::Panic, Mode::PanicAfterFree, Mode::Fail] {
                if mode == Mode::Fail && !op.fallible {
                    continue;
                }
                sweep.faults(&at, op.name, mode, 100, |k| {
                    run_case(make, op, Some((mode, k)), Some(&reference)).map(|r| (r.fired, r.seen))
                });
            }
        }
    }
    sweep.finish(label)
}

const fn inline_cap<E, const N: usize>() -> usize {
    match mem::size_of::<E>() {
        0 => usize::MAX,
        size => N / size,
    }
}

/// Enough elements to spill (or grow) from every state.
const fn extra<E, const N: usize>() -> usize {
    match mem::size_of::<E>() {
        0 => 9,
        _ => inline_cap::<E, N>() + 9,
    }
}

fn adds<E: Elem, const N: usize>() -> impl Iterator<Item = E> {
    (0..extra::<E, N>()).map(|i| E::make(100 + i as u8))
}

fn filled<E: Elem, const N: usize>(n: usize) -> V<E, N> {
    let mut v = V::empty();
    v.extend((0..n).map(|i| E::make(i as u8)));
    v
}

fn vec_states<E: Elem, const N: usize>() -> Vec<State<V<E, N>>> {
    vec![
        ("empty", || Some(filled(0))),
        ("inline, part full", || {
            let cap = inline_cap::<E, N>();
            (cap >= 2).then(|| filled(cap.min(6) / 2))
        }),
        ("inline, full", || {
            let cap = inline_cap::<E, N>();
            (cap > 0 && cap < usize::MAX).then(|| filled(cap))
        }),
        ("spilled", || {
            let cap = inline_cap::<E, N>();
            (cap < usize::MAX).then(|| filled(cap + 1))
        }),
        ("spilled, short", || {
            let cap = inline_cap::<E, N>();
            (cap < usize::MAX).then(|| {
                let mut v = filled(cap + 1);
                v.truncate(cap.min(1));
                v
            })
        }),
    ]
}

fn keys<'a, E: Elem + 'a>(it: impl IntoIterator<Item = &'a E>) -> Vec<u8> {
    it.into_iter().map(Elem::key).collect()
}

fn no_tail(_: &[u8]) -> usize {
    0
}

fn vec_ops<E: Elem, const N: usize>() -> Vec<Op<V<E, N>>> {
    use Outcome::{Atomic, Between, Consumed, Partial};
    // `insert` at the middle, one after another: the second half of the state before stays last.
    let half = |b: &[u8]| b.len() - b.len() / 2;
    let after_one = |b: &[u8]| b.len() - (b.len() / 2 + 1).min(b.len());
    vec![
        op("push", Partial(no_tail), false, |v| {
            adds::<E, N>().for_each(|x| v.push(x));
            Ok(vec![])
        }),
        op("push_mut", Atomic, false, |v| {
            Ok(vec![v.push_mut(E::make(100)).key()])
        }),
        op("try_push", Partial(no_tail), true, |v| {
            for x in adds::<E, N>() {
                v.try_push(x).map_err(drop)?;
            }
            Ok(vec![])
        }),
        op("insert", Partial(half), false, |v| {
            let at = v.len() / 2;
            adds::<E, N>()
                .enumerate()
                .for_each(|(i, x)| v.insert(at + i, x));
            Ok(vec![])
        }),
        op("insert_mut", Atomic, false, |v| {
            let at = v.len() / 2;
            Ok(vec![v.insert_mut(at, E::make(100)).key()])
        }),
        op("try_insert", Partial(half), true, |v| {
            let at = v.len() / 2;
            for (i, x) in adds::<E, N>().enumerate() {
                v.try_insert(at + i, x).map_err(drop)?;
            }
            Ok(vec![])
        }),
        op("extend", Partial(no_tail), true, |v| {
            v.extend(adds::<E, N>());
            Ok(vec![])
        }),
        op("extend, no hint", Partial(no_tail), true, |v| {
            v.extend(adds::<E, N>().filter(|_| true));
            Ok(vec![])
        }),
        op("extend, lying hint", Partial(no_tail), true, |v| {
            let hint = (usize::MAX / 2, None);
            v.extend(LyingIter {
                inner: adds::<E, N>(),
                hint,
            });
            Ok(vec![])
        }),
        op("try_extend", Partial(no_tail), true, |v| {
            v.try_extend(adds::<E, N>()).map(|_| vec![]).map_err(drop)
        }),
        op("extend_from_slice", Atomic, false, |v| {
            v.extend_from_slice(&adds::<E, N>().collect::<Vec<_>>());
            Ok(vec![])
        }),
        op("try_extend_from_slice", Atomic, true, |v| {
            let s: Vec<E> = adds::<E, N>().collect();
            v.try_extend_from_slice(&s).map(|_| vec![]).map_err(drop)
        }),
        op("extend_from_within", Atomic, false, |v| {
            v.extend_from_within(..);
            Ok(vec![])
        }),
        op("resize", Atomic, false, |v| {
            v.resize(v.len() + extra::<E, N>(), E::make(100));
            Ok(vec![])
        }),
        op("resize_with", Atomic, false, |v| {
            let mut i = 100;
            v.resize_with(v.len() + extra::<E, N>(), || {
                i += 1;
                E::make(i)
            });
            Ok(vec![])
        }),
        op("try_resize", Atomic, true, |v| {
            let n = v.len() + extra::<E, N>();
            v.try_resize(n, E::make(100)).map(|_| vec![]).map_err(drop)
        }),
        op("reserve", Atomic, false, |v| {
            v.reserve(extra::<E, N>());
            Ok(vec![])
        }),
        op("reserve_exact", Atomic, false, |v| {
            v.reserve_exact(extra::<E, N>());
            Ok(vec![])
        }),
        op("try_reserve", Atomic, true, |v| {
            v.try_reserve(extra::<E, N>()).map(|_| vec![]).map_err(drop)
        }),
        op("try_reserve_exact", Atomic, true, |v| {
            let n = extra::<E, N>();
            v.try_reserve_exact(n).map(|_| vec![]).map_err(drop)
        }),
        op("shrink_to_fit", Atomic, false, |v| {
            v.shrink_to_fit();
            Ok(vec![])
        }),
        op("shrink_to", Atomic, false, |v| {
            v.shrink_to(v.len() + 1);
            Ok(vec![])
        }),
        op("clone", Atomic, false, |v| {
            made(v.clone(), Subject::contents)
        }),
        // `Vec`'s order: truncate, clone over the prefix, then grow for the rest, so an
        // unwinding growth leaves the source's head (a `Partial` state).
        op("clone_from", Partial(no_tail), false, |v| {
            let source = filled::<E, N>(v.len() + extra::<E, N>());
            v.clone_from(&source);
            Ok(vec![])
        }),
        op("clone_in", Atomic, false, |v| {
            made(v.clone_in(&LEDGER), Subject::contents)
        }),
        op("move_in", Consumed, false, |v| {
            made(take(v).move_in(&LEDGER), Subject::contents)
        }),
        op("append", Atomic, false, |v| {
            let mut other: StackVec<E, 8, L> = StackVec::new_in(&LEDGER);
            other.extend(adds::<E, N>());
            v.append(&mut other);
            made(other, |o| keys(o))
        }),
        op("split_off", Atomic, false, |v| {
            let at = v.len() / 2;
            made(v.split_off(at), Subject::contents)
        }),
        op("splice", Partial(after_one), false, |v| {
            let (at, n) = (v.len() / 2, v.len());
            Ok(keys(
                &v.splice(at..(at + 1).min(n), adds::<E, N>())
                    .collect::<Vec<_>>(),
            ))
        }),
        op("splice to the end", Partial(no_tail), false, |v| {
            let at = v.len() / 2;
            Ok(keys(&v.splice(at.., adds::<E, N>()).collect::<Vec<_>>()))
        }),
        op("drain into from_iter_in", Atomic, false, |v| {
            let n = v.len();
            let d: StackVec<E, 0, L> = StackVec::from_iter_in(v.drain(n / 3..n - n / 3), &LEDGER);
            made(d, |d| keys(d))
        }),
        op("extract_if into from_iter_in", Between, false, |v| {
            let out: StackVec<E, 0, L> =
                StackVec::from_iter_in(v.extract_if(.., |x| x.key() % 2 == 1), &LEDGER);
            made(out, |o| keys(o))
        }),
        op("retain, pushing elsewhere", Between, false, |v| {
            let mut out: StackVec<E, 0, L> = StackVec::new_in(&LEDGER);
            v.retain(|x| {
                x.key() % 2 == 0 || {
                    out.push(x.clone());
                    false
                }
            });
            made(out, |o| keys(o))
        }),
        op("dedup_by, pushing elsewhere", Between, false, |v| {
            let mut out: StackVec<E, 0, L> = StackVec::new_in(&LEDGER);
            v.dedup_by(|a, b| {
                out.push(a.clone());
                a.key() / 2 == b.key() / 2
            });
            made(out, |o| keys(o))
        }),
        op("IntoIter::clone", Consumed, false, |v| {
            let mut it = take(v).into_iter();
            let first = it.next();
            let clone = it.clone();
            made((first, it, clone), |(f, _, c)| {
                keys(f.iter().chain(c.as_slice()))
            })
        }),
        op("into_heap_exact", Consumed, false, |v| {
            made(take(v).into_heap_exact(), |h| keys(&**h))
        }),
        op("try_into_heap_exact", Consumed, true, |v| {
            match take(v).try_into_heap_exact() {
                Ok(heap) => made(heap, |h| keys(&**h)),
                Err((back, _)) => {
                    *v = back;
                    Err(())
                }
            }
        }),
        op("into_boxed_slice", Consumed, false, |v| {
            made(take(v).into_boxed_slice(), |h| keys(&**h))
        }),
        op("Vec::from", Consumed, false, |v| {
            Ok(keys(&Vec::from(take(v))))
        }),
        op("from_iter_in", Atomic, true, |v| {
            let items = v.iter().cloned().chain(adds::<E, N>());
            made(
                StackVec::<E, N, L>::from_iter_in(items, &LEDGER),
                Subject::contents,
            )
        }),
        op("collect, no hint", Atomic, true, |v| {
            let items = v.iter().cloned().chain(adds::<E, N>()).filter(|_| true);
            made(items.collect::<StackVec<E, N, Ledger>>(), |w| keys(w))
        }),
        op("From<&[T]>", Atomic, false, |v| {
            made(StackVec::<E, N, Ledger>::from(&v[..]), |w| keys(w))
        }),
        op("From<[T; 12]>", Atomic, false, |_| {
            let array: [E; 12] = std::array::from_fn(|i| E::make(100 + i as u8));
            made(StackVec::<E, N, Ledger>::from(array), |w| keys(w))
        }),
        op("stack_vec![in a; x; n]", Atomic, false, |v| {
            let w: V<E, N> = stack_vec![in &LEDGER; E::make(9); v.len() + extra::<E, N>()];
            made(w, Subject::contents)
        }),
        op("with_capacity_in", Atomic, false, |v| {
            let n = v.len() + extra::<E, N>();
            made(V::<E, N>::with_capacity_in(n, &LEDGER), |w| {
                vec![w.len() as u8]
            })
        }),
        op("try_with_capacity_in", Atomic, true, |v| {
            let n = v.len() + extra::<E, N>();
            V::<E, N>::try_with_capacity_in(n, &LEDGER)
                .map_err(drop)
                .and_then(|w| made(w, |w| vec![w.len() as u8]))
        }),
    ]
}

fn sweep_vec<E: Elem, const N: usize>(label: &str) -> Vec<String> {
    sweep(
        &format!("StackVec<{label}, {N}>"),
        &vec_states::<E, N>(),
        &vec_ops::<E, N>(),
    )
}

fn sweep_vecs<E: Elem>(label: &str) {
    let mut failures = sweep_vec::<E, 0>(label);
    failures.extend(sweep_vec::<E, 8>(label));
    failures.extend(sweep_vec::<E, 32>(label));
    assert_none(failures);
}

#[test]
fn stack_vec_of_u8() {
    sweep_vecs::<u8>("u8");
}

#[test]
fn stack_vec_of_tracked() {
    sweep_vecs::<Tracked>("Tracked");
}

#[test]
fn stack_vec_of_zero_sized() {
    sweep_vecs::<()>("()");
    sweep_vecs::<common::Zst>("Zst");
}

#[test]
fn stack_vec_of_16_bytes() {
    sweep_vecs::<Pair>("Pair");
}

/// Exactly `bytes` bytes of one-, two-, three- and four-byte chars, starting at the `from`-th.
fn text(bytes: usize, from: usize) -> String {
    let mut s = String::new();
    for c in ['a', 'é', '€', '😀', 'b'].into_iter().cycle().skip(from) {
        if s.len() + c.len_utf8() > bytes {
            break;
        }
        s.push(c);
    }
    while s.len() < bytes {
        s.push('z');
    }
    s
}

/// What the string ops add: enough to spill from every state.
fn piece<const N: usize>() -> String {
    text(N + 11, 1)
}

/// The char boundary at or before the middle.
fn mid(s: &str) -> usize {
    (0..=s.len() / 2)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap()
}

fn string_of<const N: usize>(t: &str) -> S<N> {
    let mut s = S::empty();
    s.push_str(t);
    s
}

fn string_states<const N: usize>() -> Vec<State<S<N>>> {
    vec![
        ("empty", || Some(S::empty())),
        ("inline, part full", || {
            (N >= 2).then(|| string_of(&text(N.min(12) / 2, 0)))
        }),
        ("inline, full", || (N > 0).then(|| string_of(&text(N, 0)))),
        ("spilled", || Some(string_of(&text(N + 1, 0)))),
        ("spilled, short", || {
            let mut s = string_of(&text(N + 1, 0));
            s.truncate(N.min(1));
            Some(s)
        }),
    ]
}

fn string_ops<const N: usize>() -> Vec<Op<S<N>>> {
    use Outcome::{Atomic, Consumed, Partial};
    let mid_tail = |b: &[u8]| b.len() - mid(std::str::from_utf8(b).unwrap());
    vec![
        op("push", Partial(no_tail), false, |s| {
            piece::<N>().chars().for_each(|c| s.push(c));
            Ok(vec![])
        }),
        op("try_push", Partial(no_tail), true, |s| {
            for c in piece::<N>().chars() {
                s.try_push(c).map_err(drop)?;
            }
            Ok(vec![])
        }),
        op("push_str", Atomic, false, |s| {
            s.push_str(&piece::<N>());
            Ok(vec![])
        }),
        op("try_push_str", Atomic, true, |s| {
            s.try_push_str(&piece::<N>()).map(|_| vec![]).map_err(drop)
        }),
        op("+=", Atomic, false, |s| {
            *s += &piece::<N>();
            Ok(vec![])
        }),
        op("+", Consumed, false, |s| {
            made(take(s) + &piece::<N>(), Subject::contents)
        }),
        op("insert", Partial(mid_tail), false, |s| {
            let mut at = mid(s);
            for c in piece::<N>().chars() {
                s.insert(at, c);
                at += c.len_utf8();
            }
            Ok(vec![])
        }),
        op("insert_str", Atomic, false, |s| {
            s.insert_str(mid(s), &piece::<N>());
            Ok(vec![])
        }),
        op("replace_range", Atomic, false, |s| {
            let at = mid(s);
            let end = s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            s.replace_range(at..end, &piece::<N>());
            Ok(vec![])
        }),
        op("extend_from_within", Atomic, false, |s| {
            s.extend_from_within(..);
            Ok(vec![])
        }),
        op("extend chars", Partial(no_tail), false, |s| {
            s.extend(piece::<N>().chars());
            Ok(vec![])
        }),
        op("extend &strs", Partial(no_tail), false, |s| {
            s.extend(piece::<N>().split_inclusive('€'));
            Ok(vec![])
        }),
        op("extend Strings", Partial(no_tail), false, |s| {
            s.extend(piece::<N>().split_inclusive('€').map(String::from));
            Ok(vec![])
        }),
        op("write!", Partial(no_tail), false, |s| {
            write!(s, "{}{:>w$}", 1, "é", w = N + 9).map_err(drop)?;
            Ok(vec![])
        }),
        op("try_write_fmt", Atomic, true, |s| {
            s.try_write_fmt(format_args!("{}{:>w$}", 1, "é", w = N + 9))
                .map(|_| vec![])
                .map_err(drop)
        }),
        op("reserve", Atomic, false, |s| {
            s.reserve(N + 9);
            Ok(vec![])
        }),
        op("reserve_exact", Atomic, false, |s| {
            s.reserve_exact(N + 9);
            Ok(vec![])
        }),
        op("try_reserve", Atomic, true, |s| {
            s.try_reserve(N + 9).map(|_| vec![]).map_err(drop)
        }),
        op("try_reserve_exact", Atomic, true, |s| {
            s.try_reserve_exact(N + 9).map(|_| vec![]).map_err(drop)
        }),
        op("shrink_to_fit", Atomic, false, |s| {
            s.shrink_to_fit();
            Ok(vec![])
        }),
        op("shrink_to", Atomic, false, |s| {
            s.shrink_to(s.len() + 1);
            Ok(vec![])
        }),
        op("clone", Atomic, false, |s| {
            made(s.clone(), Subject::contents)
        }),
        // Documented to grow first, so that an unwinding growth keeps the text whole.
        op("clone_from", Atomic, false, |s| {
            let source = string_of::<N>(&text(s.len() + N + 5, 2));
            s.clone_from(&source);
            Ok(vec![])
        }),
        op("split_off", Atomic, false, |s| {
            made(s.split_off(mid(s)), Subject::contents)
        }),
        op("drain, collected", Atomic, false, |s| {
            let t: StackString<N, Ledger> = s.drain(mid(s)..).collect();
            made(t, |t| t.as_bytes().to_vec())
        }),
        op("String::from", Consumed, false, |s| {
            Ok(String::from(take(s)).into_bytes())
        }),
        op("into_bytes().into_heap_exact()", Consumed, false, |s| {
            made(take(s).into_bytes().into_heap_exact(), |h| h.to_vec())
        }),
        op("into_bytes().into_boxed_slice()", Consumed, false, |s| {
            made(take(s).into_bytes().into_boxed_slice(), |h| h.to_vec())
        }),
        op("from_utf8_lossy_in", Atomic, false, |s| {
            let bytes = [s.as_bytes(), b"\xff", piece::<N>().as_bytes()].concat();
            made(
                S::<N>::from_utf8_lossy_in(&bytes, &LEDGER),
                Subject::contents,
            )
        }),
        op("from_utf16_in", Atomic, false, |s| {
            let wide: Vec<u16> = format!("{s}{}", piece::<N>()).encode_utf16().collect();
            made(
                S::<N>::from_utf16_in(&wide, &LEDGER).unwrap(),
                Subject::contents,
            )
        }),
        op("from_utf16_lossy_in", Atomic, false, |s| {
            let mut wide: Vec<u16> = s.encode_utf16().collect();
            wide.push(0xd800);
            wide.extend(piece::<N>().encode_utf16());
            made(
                S::<N>::from_utf16_lossy_in(&wide, &LEDGER),
                Subject::contents,
            )
        }),
        op("format_in", Atomic, false, |s| {
            let args = format_args!("{s}{:>w$}", "é", w = N + 9);
            made(S::<N>::format_in(args, &LEDGER), Subject::contents)
        }),
        op("try_format_in", Atomic, true, |s| {
            let args = format_args!("{s}{:>w$}", "é", w = N + 9);
            S::<N>::try_format_in(args, &LEDGER)
                .map_err(drop)
                .and_then(|t| made(t, Subject::contents))
        }),
        op("stack_format!(in a; ...)", Atomic, false, |s| {
            made(
                stack_format!(in &LEDGER; "{s}{:>40}", "é"),
                Subject::contents,
            )
        }),
        op("stack_concat!(in a; ...)", Atomic, false, |s| {
            made(
                stack_concat!(in &LEDGER; s.as_str(), piece::<N>(), "!"),
                Subject::contents,
            )
        }),
        op("with_capacity_in", Atomic, false, |s| {
            made(S::<N>::with_capacity_in(s.len() + N + 9, &LEDGER), |t| {
                vec![t.len() as u8]
            })
        }),
        op("From<&str>", Atomic, false, |s| {
            let t = StackString::<N, Ledger>::from(format!("{s}{}", piece::<N>()).as_str());
            made(t, |t| t.as_bytes().to_vec())
        }),
        op("FromStr", Atomic, true, |s| {
            format!("{s}{}", piece::<N>())
                .parse::<StackString<N, Ledger>>()
                .map_err(drop)
                .and_then(|t| made(t, |t| t.as_bytes().to_vec()))
        }),
        op("collect &strs", Atomic, false, |s| {
            let p = piece::<N>();
            let t: StackString<N, Ledger> = [s.as_str(), &p, &p].into_iter().collect();
            made(t, |t| t.as_bytes().to_vec())
        }),
    ]
}

#[test]
fn stack_string() {
    let mut failures = sweep("StackString<0>", &string_states::<0>(), &string_ops::<0>());
    failures.extend(sweep(
        "StackString<8>",
        &string_states::<8>(),
        &string_ops::<8>(),
    ));
    failures.extend(sweep(
        "StackString<32>",
        &string_states::<32>(),
        &string_ops::<32>(),
    ));
    assert_none(failures);
}

/// One run of the sweep: op `name` from `state` with `fault` armed.
fn case<S: Subject>(
    states: Vec<State<S>>,
    ops: Vec<Op<S>>,
    state: &str,
    name: &str,
    fault: (Mode, usize),
) -> Result<(), String> {
    warm_up(&states);
    let (_, make) = *states.iter().find(|s| s.0 == state).unwrap();
    let op = ops.iter().find(|o| o.name == name).unwrap();
    let reference = run_case(make, op, None, None)?;
    let ran = run_case(make, op, Some(fault), Some(&reference))?;
    assert!(ran.fired, "the fault did not fire");
    Ok(())
}

// The failing cases of the sweep, one per cause.

/// Regression (found by the sweep): format.rs `try_write_fmt` promises the text "all or
/// nothing", but truncated only on `Err`: an allocator that unwound between two pieces left the
/// first ones appended.
#[test]
fn try_write_fmt_with_an_unwinding_allocator_appends_nothing() {
    let r = case(
        string_states::<8>(),
        string_ops::<8>(),
        "inline, part full",
        "try_write_fmt",
        (Mode::Panic, 0),
    );
    assert_eq!(r, Ok(()));
}

/// Regression (found by the sweep): convert.rs `From<StackString<N, &B>> for String` made the
/// `String` and then dropped the `StackString`; when its `deallocate` unwound, the `String` being
/// returned was leaked (rust-lang/rust#47949), a block of the global heap the ledger cannot see.
#[test]
fn string_from_a_string_whose_deallocate_unwinds_leaks_nothing() {
    let r = case(
        string_states::<8>(),
        string_ops::<8>(),
        "spilled",
        "String::from",
        (Mode::Panic, 0),
    );
    assert_eq!(r, Ok(()));
}
