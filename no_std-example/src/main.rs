//! stackfirst on a Cortex-M4 (mps2-an386 under QEMU).
//!
//! 1. Checks: StackVec inline, spilling and `into_heap_exact` with a counting global allocator;
//!    the frame arena over a static buffer (no global allocator involved); a `StackString` line
//!    formatted inline with `fmt::Write`, then one spilling into a frame; `SyncArena`.
//! 2. Measures Go's table and the `no_std` string cases (or, with the `bulk-rows` feature, the
//!    bulk inline rows): every case of `stackfirst-benches` for u32 and the 16-byte struct, each
//!    call between `stackfirst_bench_start` and `stackfirst_bench_stop`, which the QEMU plugin in
//!    `qemu-plugin/` watches to count the instructions executed in between. One
//!    `case|imp|pattern|type|n|allocs` line per measurement goes out over semihosting, in the
//!    same order as the plugin's counts.
//!
//! Exits 0 when everything holds, 1 on any failed check or panic.
#![no_std]
#![no_main]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::RefCell;
use core::mem::{size_of, MaybeUninit};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use cortex_m::interrupt::Mutex;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embedded_alloc::LlffHeap;
use stackfirst::{
    bytes_for, ArenaBuf, Frame, FrameBox, InlineVec, StackString, StackVec, SyncArena,
};

/// The heap the spill path uses, behind a counter of allocations.
struct Counting(LlffHeap);

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the heap unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { self.0.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { self.0.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static HEAP: Counting = Counting(LlffHeap::empty());

fn allocs() -> usize {
    ALLOCS.load(Relaxed)
}

/// Everything a check needs to say when it fails.
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            panic!("check failed: {}", stringify!($cond));
        }
    };
}

static FRAME_MEMORY: ArenaBuf<4096> = ArenaBuf::new();
static STRING_FRAME_MEMORY: ArenaBuf<512> = ArenaBuf::new();
static SHARED: SyncArena<1024> = SyncArena::new();
/// A fixed-capacity vector shared with interrupt handlers, as firmware keeps one. Empty, it is
/// all zeros, so it costs RAM (`.bss`) but no flash (run.sh checks its section).
static LOG: Mutex<RefCell<InlineVec<u8, 256>>> = Mutex::new(RefCell::new(InlineVec::new()));

fn check_stack_vec() {
    // 40 bytes: 32 inline, a length word and a capacity word (and two more for the spill
    // report's call site and high-water mark).
    check!(size_of::<StackVec<u32>>() == 40 + if cfg!(feature = "spill-report") { 8 } else { 0 });
    check!(StackVec::<u32>::INLINE_CAPACITY == 8);

    let before = allocs();
    let mut v: StackVec<u32> = StackVec::new();
    v.extend(0..8);
    check!(!v.spilled() && allocs() == before);
    v.push(8); // the ninth u32 spills: one allocation of 16
    check!(v.spilled() && v.capacity() == 16 && allocs() == before + 1);
    let heap = v.into_heap_exact(); // already spilled: handed over as is
    check!(heap.capacity() == 16 && allocs() == before + 1);
    check!(heap.iter().sum::<u32>() == 36);

    let mut w: StackVec<u32> = StackVec::new();
    w.extend([1, 2, 3]);
    let exact = w.into_heap_exact(); // inline: one exact allocation
    check!(exact.capacity() == 3 && allocs() == before + 2);
    hprintln!(
        "StackVec: {} bytes for StackVec<u32>; 8 inline, spill to 16, into_heap_exact exact",
        size_of::<StackVec<u32>>()
    );
}

fn check_inline_vec() {
    // heapless's job: a fixed capacity, no heap; full is an error, not an allocation.
    let before = allocs();
    let mut v: InlineVec<u32, { bytes_for::<u32>(4) }> = InlineVec::new();
    for i in 0..4 {
        check!(v.try_push(i).is_ok());
    }
    check!(v.is_full() && v.try_push(4).err().map(|e| e.into_value()) == Some(4));
    check!(v.iter().sum::<u32>() == 6 && allocs() == before);
    cortex_m::interrupt::free(|cs| {
        let mut log = LOG.borrow(cs).borrow_mut();
        log.extend_from_slice(b"boot ok");
        check!(log.len() == 7 && log.remaining_capacity() == 249);
    });
    hprintln!(
        "InlineVec: {} bytes for 4 u32, full at 4, 0 heap allocations",
        size_of::<InlineVec<u32, 16>>()
    );
}

fn check_frame_arena() {
    let mut arena = FRAME_MEMORY.take().expect("first take");
    let before = allocs();
    let total = arena.frame(|mut f| {
        let mut v: StackVec<u32, 32, &Frame> = StackVec::new_in(&f);
        v.extend(0..100); // spills into the frame, not the heap
        let x = f.alloc(5u32);
        let sum = v.iter().sum::<u32>() + *x;
        drop(v);
        f.frame(|g| {
            let s = g.alloc_str("nested");
            check!(s.len() == 6);
        });
        let kept: FrameBox<[u16]> = f.alloc_slice_fill_with(4, |i| i as u16);
        sum + u32::from(kept[3])
    });
    check!(total == 4950 + 5 + 3);
    check!(allocs() == before && arena.used() == 0);
    hprintln!("frame arena: a StackVec of 100 u32 spilled into a frame of a static buffer, 0 heap allocations");
}

fn check_stack_string() {
    use core::fmt::Write;
    check!(size_of::<StackString>() == size_of::<StackVec<u8>>());
    let before = allocs();
    // A log line formatted inline: 32 bytes in the frame of this function, no heap.
    let mut line: StackString = StackString::new();
    write!(line, "t={} temp={}C", 1234, 21).unwrap();
    check!(line == "t=1234 temp=21C" && !line.spilled() && allocs() == before);
    // A longer one spills into an arena frame over a static buffer, still no heap.
    let mut arena = STRING_FRAME_MEMORY.take().expect("first take");
    let spilled = arena.frame(|f| {
        let mut long: StackString<32, &Frame> = StackString::new_in(&f);
        write!(long, "{line} humidity={}% sensor={}", 40, "kitchen-north").unwrap();
        check!(long.spilled() && f.used() >= long.len());
        long.len()
    });
    check!(spilled == 49 && arena.used() == 0 && allocs() == before);
    // The escape: one allocation of exactly the length.
    let heap = line.into_heap_exact();
    check!(heap.capacity() == heap.len() && allocs() == before + 1);
    hprintln!(
        "StackString: {} bytes; a line formatted inline, a longer one spilled into a frame, into_heap_exact exact",
        size_of::<StackString>()
    );
}

fn check_sync_arena() {
    let a = SHARED.alloc(1u32);
    let b = SHARED.alloc([2u8; 3]);
    let c = SHARED.alloc(3u64);
    check!(*a == 1 && b[2] == 2 && *c == 3);
    check!(c as *const u64 as usize % 8 == 0);
    // 4 + 3 bytes, 1 of padding, 8: the buffer is aligned to 16 wherever the linker put it.
    check!(SHARED.used() == 16);
    check!(SHARED.try_alloc([0u8; 2048]).is_err());
    hprintln!(
        "SyncArena: {} of {} bytes used",
        SHARED.used(),
        SHARED.capacity()
    );
}

/// The instruction-count markers: the QEMU plugin counts what runs between their entries. Each
/// writes its own static, so the two can never be merged into one function.
static mut START_SEEN: u32 = 0;
static mut STOP_SEEN: u32 = 0;

#[no_mangle]
#[inline(never)]
pub extern "C" fn stackfirst_bench_start() {
    // SAFETY: single-threaded firmware; a volatile write to a static nothing else touches.
    unsafe { core::ptr::write_volatile(&raw mut START_SEEN, 1) };
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn stackfirst_bench_stop() {
    // SAFETY: as above.
    unsafe { core::ptr::write_volatile(&raw mut STOP_SEEN, 1) };
}

#[cfg(not(feature = "spill-report"))]
static PATTERN_MEMORY: ArenaBuf<65536> = ArenaBuf::new();
#[cfg(not(feature = "spill-report"))]
static MICRO_MEMORY: ArenaBuf<16384> = ArenaBuf::new();

#[cfg(not(feature = "spill-report"))]
fn measure_table() {
    use alloc::boxed::Box;
    use core::hint::black_box;
    use stackfirst_benches::Ctx;

    let micro = Box::leak(Box::new(MICRO_MEMORY.take().expect("first take")));
    let ctx: &mut Ctx = Box::leak(Box::new(Ctx::new(
        PATTERN_MEMORY.take().expect("first take"),
        micro,
    )));
    // Two firmwares, so that neither's cases change the other's inlining (or the code size).
    #[cfg(not(feature = "bulk-rows"))]
    let cases = stackfirst_benches::table_cases(stackfirst_benches::u32s::CASES)
        .chain(stackfirst_benches::strings::no_std_cases());
    #[cfg(feature = "bulk-rows")]
    let cases = {
        use stackfirst_benches::{bulk, minimal, FLOOR};
        core::iter::once((FLOOR, Some(3)))
            .chain(bulk::u32s::cases())
            .chain(bulk::pairs::cases())
            .chain(minimal::U32)
    };
    for (case, n) in cases {
        let arg = n.unwrap_or(0);
        for _ in 0..4 {
            ctx.prepare();
            black_box((case.run)(ctx, black_box(arg)));
        }
        ctx.prepare();
        let before = allocs();
        stackfirst_bench_start();
        let result = (case.run)(ctx, black_box(arg));
        stackfirst_bench_stop();
        black_box(result);
        let n = n.map_or(-1, |n| n as isize);
        hprintln!(
            "case|{}|{}|{}|{}|{}",
            case.imp,
            case.pattern,
            case.ty,
            n,
            allocs() - before
        );
    }
}

/// A small workload of three call sites with known lengths, then the report.
#[cfg(feature = "spill-report")]
fn spill_report_demo() {
    let words = [
        "a", "stack", "first", "vector", "spills", "rarely", "to", "the", "heap",
    ];
    for n in 0..40usize {
        let line: StackVec<&str> =
            StackVec::from_iter(words.iter().copied().take(1 + n % 3 + n / 36 * 6));
        let mut lengths: StackVec<u32> = StackVec::new();
        lengths.extend(line.iter().map(|w| w.len() as u32));
        let exact = lengths.into_heap_exact();
        check!(exact.len() == line.len());
    }
    let report = stackfirst::spill_report();
    check!(report.sites().len() >= 2 && report.untracked() == 0);
    hprintln!("{}", report);
}

#[entry]
fn main() -> ! {
    static mut HEAP_MEMORY: [MaybeUninit<u8>; 262_144] = [MaybeUninit::uninit(); 262_144];
    // SAFETY: called once, before any allocation, with memory that is the heap's alone
    // (cortex-m-rt makes `HEAP_MEMORY` a unique `&'static mut`).
    unsafe {
        HEAP.0
            .init(HEAP_MEMORY.as_mut_ptr() as usize, HEAP_MEMORY.len())
    };

    hprintln!("stackfirst on Cortex-M4 (mps2-an386)");
    check_stack_vec();
    check_inline_vec();
    check_frame_arena();
    check_stack_string();
    check_sync_arena();
    #[cfg(not(feature = "spill-report"))]
    measure_table();
    #[cfg(feature = "spill-report")]
    spill_report_demo();
    hprintln!("all checks passed");
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("FAILED: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}
