//! Heap allocations per call of every case, counted by a global allocator (a reallocation counts,
//! as in Go's accounting). Prints one JSON object per line: imp, pattern, ty, n, allocs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use stackfirst_benches::host::{indexed_cases, leaked_ctx};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    const CALLS: usize = 100;
    for (case, n) in indexed_cases() {
        let ctx = leaked_ctx();
        let arg = n.unwrap_or(0);
        // One unmeasured call first, like the benchmark's warm-up (the `clone()` cases build
        // their source on the first call).
        ctx.prepare();
        black_box((case.run)(ctx, black_box(arg)));
        let mut total = 0;
        for _ in 0..CALLS {
            ctx.prepare();
            let before = ALLOCS.load(Relaxed);
            black_box((case.run)(ctx, black_box(arg)));
            total += ALLOCS.load(Relaxed) - before;
        }
        let n = n.map_or("null".to_string(), |n| n.to_string());
        println!(
            r#"{{"imp":"{}","pattern":"{}","ty":"{}","n":{},"allocs":{}}}"#,
            case.imp,
            case.pattern,
            case.ty,
            n,
            total as f64 / CALLS as f64
        );
    }
}
