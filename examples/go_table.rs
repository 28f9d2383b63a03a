//! Go's allocation-progression table, measured with this crate: heap allocations and bytes per
//! call for the four patterns Go 1.25/1.26's compiler optimizes, std `Vec` against `StackVec`.
//!
//! Run: `cargo run --release --example go_table` (no tools beyond cargo: a counting global
//! allocator does the measuring; instruction counts are in `benches/`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use stackfirst::StackVec;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged; the counters do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size(), Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation is an allocation in Go's accounting (growslice allocates anew).
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes of one call, averaged over many.
fn per_call(f: impl Fn(usize) -> u64, n: usize) -> (f64, f64) {
    const CALLS: usize = 1000;
    let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    for _ in 0..CALLS {
        black_box(f(black_box(n)));
    }
    let (a1, b1) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    (
        (a1 - a0) as f64 / CALLS as f64,
        (b1 - b0) as f64 / CALLS as f64,
    )
}

const CONST_CAP: usize = 4; // 4 u64 = 32 bytes, the pattern's compile-time capacity

fn vec_const(n: usize) -> u64 {
    let mut v = Vec::with_capacity(CONST_CAP);
    v.extend(0..n as u64);
    v.iter().sum()
}
fn vec_var(n: usize) -> u64 {
    let mut v = Vec::with_capacity(n);
    v.extend(0..n as u64);
    v.iter().sum()
}
fn vec_local(n: usize) -> u64 {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v.iter().sum()
}
#[inline(never)]
fn vec_escape(n: usize) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v
}
fn sv_const(n: usize) -> u64 {
    let mut v: StackVec<u64> = StackVec::new();
    v.extend(0..n as u64);
    v.iter().sum()
}
fn sv_var(n: usize) -> u64 {
    let mut v: StackVec<u64> = StackVec::with_capacity(n);
    v.extend(0..n as u64);
    v.iter().sum()
}
fn sv_local(n: usize) -> u64 {
    let mut v: StackVec<u64> = StackVec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v.iter().sum()
}
#[inline(never)]
fn sv_escape_heap(n: usize) -> Vec<u64> {
    let mut v: StackVec<u64> = StackVec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v.into_heap_exact()
}
#[inline(never)]
fn sv_escape_value(n: usize) -> StackVec<u64> {
    let mut v: StackVec<u64> = StackVec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v
}

fn main() {
    type Row = (
        &'static str,
        &'static str,
        fn(usize) -> u64,
        fn(usize) -> u64,
    );
    let rows: [Row; 5] = [
        ("make([]T, 0, constant)", "new", vec_const, sv_const),
        (
            "make([]T, 0, variable)",
            "with_capacity(n)",
            vec_var,
            sv_var,
        ),
        ("append loop, local", "push", vec_local, sv_local),
        (
            "append loop, returned",
            "into_heap_exact",
            |n| vec_escape(n).iter().sum(),
            |n| sv_escape_heap(n).iter().sum(),
        ),
        (
            "append loop, returned",
            "by value",
            |n| vec_escape(n).iter().sum(),
            |n| sv_escape_value(n).iter().sum(),
        ),
    ];
    println!("Go's allocation-progression table, u64 elements, per call (allocs / bytes).");
    println!("Go 1.26 for n=3: 0, 0, 0, 1 allocation(s). Measured here by a counting allocator.\n");
    for n in [3, 5, 16] {
        println!(
            "n = {n} ({} bytes{})",
            n * 8,
            if n * 8 <= 32 { ", fits 32" } else { "" }
        );
        println!("| pattern | std Vec | StackVec | StackVec API |");
        println!("|---|---|---|---|");
        for (pattern, api, v, s) in rows {
            let (va, vb) = per_call(v, n);
            let (sa, sb) = per_call(s, n);
            println!("| {pattern} | {va} / {vb} B | {sa} / {sb} B | `{api}` |");
        }
        println!();
    }
}
