//! Test support: a counting global allocator, an element type that tracks every live value, and
//! an iterator whose `size_hint` lies. Each test binary that wants them says `mod common;`.
#![allow(dead_code)]

pub mod arena_model;
pub mod backing;
pub mod child;
pub mod differential;
pub mod fault_sweep;
pub mod model_alloc;
pub mod string_model;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::ops::Bound;

use stackfirst::allocator_api2::alloc::Allocator;
use stackfirst::{StackString, StackVec};

/// Counts this thread's allocations (tests run in parallel threads, each counts its own).
pub struct CountingAlloc;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static REALLOCS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>, by: usize) {
    let _ = counter.try_with(|c| c.set(c.get() + by));
}

// SAFETY: forwards every call to `System` unchanged; the counters are allocation-free.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&REALLOCS, 1);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Heap activity of one closure on this thread.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Heap {
    pub allocs: usize,
    pub reallocs: usize,
    pub bytes: usize,
}

pub fn count_heap<R>(f: impl FnOnce() -> R) -> (R, Heap) {
    let get = || Heap {
        allocs: ALLOCS.with(Cell::get),
        reallocs: REALLOCS.with(Cell::get),
        bytes: BYTES.with(Cell::get),
    };
    let before = get();
    let r = f();
    let after = get();
    let heap = Heap {
        allocs: after.allocs - before.allocs,
        reallocs: after.reallocs - before.reallocs,
        bytes: after.bytes - before.bytes,
    };
    (r, heap)
}

thread_local! {
    static LIVE: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    /// Countdowns: the call that brings one to zero panics (0 = off).
    static PANIC_ON_CLONE: Cell<usize> = const { Cell::new(0) };
    static PANIC_ON_DROP: Cell<usize> = const { Cell::new(0) };
}

/// A value whose every instance is registered while alive: dropping one twice, or dropping one
/// that was never created, fails the test; `live()` finds leaks. Clones and drops can be set to
/// panic on the k-th call.
#[derive(Debug)]
pub struct Tracked {
    pub value: u64,
    id: u64,
}

impl Tracked {
    pub fn new(value: u64) -> Self {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        LIVE.with(|l| assert!(l.borrow_mut().insert(id)));
        Tracked { value, id }
    }
}

/// The payload of deliberate panics (from `Tracked`'s `clone` and `drop`, and from the models'
/// closures and iterators): the fuzz targets' panic hook keeps them quiet, and reports any
/// other panic as a crash.
pub struct Deliberate;

/// The message a panic carries (`panic!` with a literal or with formatting), "deliberate" for
/// [`Deliberate`], "?" for any other payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if payload.is::<Deliberate>() {
        "deliberate".into()
    } else {
        "?".into()
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// The file and line of this thread's last quiet panic.
    static LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// Silences this test thread's panics from here on (other tests still report theirs).
pub fn quiet() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info)
            } else if let Some(at) = info.location() {
                LOCATION.with(|l| *l.borrow_mut() = Some((at.file().to_string(), at.line())));
            }
        }))
    });
    QUIET.with(|q| q.set(true));
}

/// `catch_unwind`, with the expected panic kept quiet.
pub fn caught<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    quiet();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r
}

/// Where `f` panicked: the file and line its panic reports.
pub fn panic_location(f: impl FnOnce()) -> (String, u32) {
    LOCATION.with(|l| l.borrow_mut().take());
    caught(f).expect_err("expected a panic");
    LOCATION
        .with(|l| l.borrow_mut().take())
        .expect("a panic with a location")
}

/// The values of a vector of [`Tracked`].
pub fn values<const N: usize, A: Allocator>(v: &StackVec<Tracked, N, A>) -> Vec<u64> {
    v.iter().map(|t| t.value).collect()
}

/// The string's bytes are UTF-8 and within its capacity.
pub fn valid<const N: usize, A: Allocator>(s: &StackString<N, A>) {
    assert!(
        std::str::from_utf8(s.as_bytes()).is_ok(),
        "invalid UTF-8: {:?}",
        s.as_bytes()
    );
    assert!(s.len() <= s.capacity());
}

/// Runs `f`, which must panic, and returns the panic's message.
pub fn panic_of(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    panic_message(&*payload)
}

fn countdown(c: &'static std::thread::LocalKey<Cell<usize>>) -> bool {
    c.with(|c| match c.get() {
        0 => false,
        1 => {
            c.set(0);
            true
        }
        k => {
            c.set(k - 1);
            false
        }
    })
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        if countdown(&PANIC_ON_CLONE) {
            std::panic::panic_any(Deliberate);
        }
        Tracked::new(self.value)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let was_live = LIVE.with(|l| l.borrow_mut().remove(&self.id));
        assert!(was_live, "double drop of Tracked #{}", self.id);
        if countdown(&PANIC_ON_DROP) && !std::thread::panicking() {
            std::panic::panic_any(Deliberate);
        }
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// How many `Tracked` and `Zst` values are alive on this thread.
pub fn live() -> usize {
    LIVE.with(|l| l.borrow().len()) + ZSTS.with(Cell::get)
}

thread_local! {
    static ZSTS: Cell<usize> = const { Cell::new(0) };
}

/// Zero-sized, aligned to 8, with drop glue, and counted while alive (in [`live`]): a leak or a
/// drop too many shows there, as for `Tracked` (in aggregate only: it has no identity).
#[derive(Debug, PartialEq)]
#[repr(align(8))]
pub struct Zst;

impl Zst {
    pub fn new() -> Self {
        ZSTS.with(|z| z.set(z.get() + 1));
        Zst
    }
}

impl Clone for Zst {
    fn clone(&self) -> Self {
        Zst::new()
    }
}

impl Drop for Zst {
    fn drop(&mut self) {
        let left = ZSTS.with(Cell::get).checked_sub(1);
        ZSTS.with(|z| z.set(left.expect("a zero-sized value dropped more often than made")));
    }
}

pub fn panic_on_clone(k: usize) {
    PANIC_ON_CLONE.with(|c| c.set(k));
}

pub fn panic_on_drop(k: usize) {
    PANIC_ON_DROP.with(|c| c.set(k));
}

/// A xorshift generator for the randomized tests: reproducible from its seed (not zero).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Below `n`, or 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Yields `items` while claiming `hint` as its size.
pub struct LyingIter<I> {
    pub inner: I,
    pub hint: (usize, Option<usize>),
}

impl<I: Iterator> Iterator for LyingIter<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

/// Element types of the differential tests, made from a seed.
pub trait Elem: Clone + PartialEq + std::fmt::Debug {
    fn make(seed: u8) -> Self;
    fn key(&self) -> u8;
}

impl Elem for u8 {
    fn make(seed: u8) -> Self {
        seed
    }
    fn key(&self) -> u8 {
        *self
    }
}

impl Elem for u64 {
    fn make(seed: u8) -> Self {
        u64::from(seed) * 0x0101_0101_0101
    }
    fn key(&self) -> u8 {
        *self as u8
    }
}

/// 16 bytes, like the benchmark's struct.
#[derive(Clone, PartialEq, Debug)]
pub struct Pair {
    pub a: u64,
    pub b: u64,
}

impl Elem for Pair {
    fn make(seed: u8) -> Self {
        Pair {
            a: seed.into(),
            b: !u64::from(seed),
        }
    }
    fn key(&self) -> u8 {
        self.a as u8
    }
}

/// Zero-sized, but with a value (its seed is lost, so every key is 0).
impl Elem for () {
    fn make(_: u8) -> Self {}
    fn key(&self) -> u8 {
        0
    }
}

impl Elem for Zst {
    fn make(_: u8) -> Self {
        Zst::new()
    }
    fn key(&self) -> u8 {
        0
    }
}

impl Elem for Tracked {
    fn make(seed: u8) -> Self {
        Tracked::new(seed.into())
    }
    fn key(&self) -> u8 {
        self.value as u8
    }
}

impl Elem for String {
    fn make(seed: u8) -> Self {
        format!("s{seed}")
    }
    fn key(&self) -> u8 {
        self[1..].parse().unwrap()
    }
}

/// 64-byte aligned: checks over-aligned inline storage (`Copy`, for the arena's copying methods).
#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(align(64))]
pub struct Aligned(pub u8);

impl Elem for Aligned {
    fn make(seed: u8) -> Self {
        Aligned(seed)
    }
    fn key(&self) -> u8 {
        self.0
    }
}

/// Every pair of extreme range bounds (included, excluded or unbounded at each end) for a
/// sequence of `len`: 0, 1, 2, `len - 1`, `len`, `len + 1`, `usize::MAX - 1` and `usize::MAX`.
pub fn extreme_ranges(len: usize) -> Vec<(Bound<usize>, Bound<usize>)> {
    use Bound::{Excluded, Included, Unbounded};
    let points = [
        0,
        1,
        2,
        len.saturating_sub(1),
        len,
        len + 1,
        usize::MAX - 1,
        usize::MAX,
    ];
    let ends = |i| [Included(i), Excluded(i), Unbounded];
    let mut out = vec![];
    for &a in &points {
        for &b in &points {
            for start in ends(a) {
                out.extend(ends(b).map(|end| (start, end)));
            }
        }
    }
    out
}

/// The spill report's records of the call sites in `file` (a test's `file!()`) on lines
/// `first..=last`, in line order; fails, showing the report, when there is none.
#[cfg(feature = "spill-report")]
pub fn sites_between(file: &str, first: u32, last: u32) -> Vec<stackfirst::SiteStats> {
    let report = stackfirst::spill_report();
    let mut found: Vec<stackfirst::SiteStats> = report
        .sites()
        .iter()
        .filter(|s| s.file == file && (first..=last).contains(&s.line))
        .cloned()
        .collect();
    found.sort_by_key(|s| s.line);
    assert!(
        !found.is_empty(),
        "no record in {file} on lines {first}..={last}:\n{report}"
    );
    found
}

/// Fails, showing the rows, if the spill report has one in a file whose path contains `part`: a
/// vector the library (or `core`) builds on the user's behalf, counted as a call site of its own.
#[cfg(feature = "spill-report")]
pub fn assert_no_site_in(part: &str) {
    let report = stackfirst::spill_report();
    let inner: Vec<_> = report
        .sites()
        .iter()
        .filter(|s| s.file.contains(part))
        .collect();
    assert!(inner.is_empty(), "rows in {part}: {inner:#?}");
}
