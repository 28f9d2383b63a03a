//! The crate built without `alloc` (no heap, no `Global`), as a microcontroller without an
//! allocator uses it: fixed-capacity vectors and strings, arena frames over caller memory, and
//! vectors and strings that spill into such a frame. CI runs it with
//! `cargo test --no-default-features --test no_alloc` (with `alloc` on it compiles to nothing).
#![cfg(not(feature = "alloc"))]

use core::fmt::Write;
use core::mem::MaybeUninit;

use stackfirst::{
    bytes_for, stack_concat, stack_format, stack_vec, Arena, ArenaBuf, ArenaErrorKind, Frame,
    InlineString, InlineVec, NoHeap, StackString, StackVec, TryReserveErrorKind,
};

#[test]
fn inline_vec_is_a_fixed_capacity_vector() {
    static EMPTY: InlineVec<u32, 16> = InlineVec::new();
    let mut v: InlineVec<u32, { bytes_for::<u32>(3) }> = InlineVec::new();
    v.extend([1, 2]);
    v.push(3);
    let err = v.try_push(4).unwrap_err();
    assert_eq!(err.error().kind(), TryReserveErrorKind::CapacityExceeded);
    assert_eq!(
        (err.into_value(), v.as_slice(), EMPTY.capacity()),
        (4, &[1, 2, 3][..], 4)
    );
    let w: InlineVec<u8, 4> = stack_vec![7; 4];
    assert!(w.is_full() && !w.spilled());
    let panic = std::panic::catch_unwind(|| {
        let mut full: InlineVec<u8, 1> = InlineVec::new();
        full.extend([1, 2]);
    })
    .unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"capacity exceeded"));
}

#[test]
fn inline_string_is_a_fixed_capacity_string() {
    let mut s: InlineString<8> = InlineString::new();
    s.try_push_str("añ").unwrap();
    write!(s, "{}", 42).unwrap();
    assert_eq!(s, "añ42"); // 5 bytes
    let before = s.clone();
    assert_eq!(
        s.try_push_str("€€").unwrap_err().kind(),
        TryReserveErrorKind::CapacityExceeded
    );
    assert!(write!(s, "{}", 1234).is_err());
    assert_eq!(s, before);
    assert!("too long to fit".parse::<InlineString<8>>().is_err());
    let n = 7;
    let f = stack_format!(in NoHeap; "n={n}");
    let c = stack_concat!(in NoHeap; "ab", "cd");
    assert_eq!((f.as_str(), c.as_str()), ("n=7", "abcd"));
}

#[test]
fn vectors_and_strings_spill_into_a_frame() {
    let mut memory = [MaybeUninit::uninit(); 256];
    Arena::from_memory(&mut memory).frame(|f| {
        let mut v: StackVec<u64, 16, &Frame> = StackVec::new_in(&f);
        v.extend(0..10); // 2 inline, then into the frame
        assert!(v.spilled());
        assert_eq!(v.iter().sum::<u64>(), 45);
        let mut s: StackString<4, &Frame> = StackString::new_in(&f);
        s.push_str("longer than four bytes");
        assert!(s.spilled() && s == "longer than four bytes");
        assert!(f.used() >= 10 * 8 + 22);
    });
}

#[test]
fn an_arena_over_a_static_buffer_reports_exhaustion() {
    static BUF: ArenaBuf<64> = ArenaBuf::new();
    let mut arena = BUF.take().unwrap();
    arena.frame(|f| {
        let a = f.alloc([1u8; 48]);
        let err = f.try_alloc([0u64; 4]).unwrap_err();
        assert_eq!(err.kind(), ArenaErrorKind::Exhausted);
        let mut v: StackVec<u64, 8, &Frame> = StackVec::new_in(&f);
        v.push(1);
        assert_eq!(
            v.try_reserve(8).unwrap_err().kind(),
            TryReserveErrorKind::AllocError {
                layout: core::alloc::Layout::array::<u64>(9).unwrap()
            }
        );
        assert_eq!(a[47], 1);
    });
    assert_eq!(arena.used(), 0);
}

/// A log line in a request's frame: `try_write_fmt` appends formatted text all or nothing and
/// reports the exhausted frame, where `write!` would panic.
#[test]
fn a_log_line_in_a_frame_appends_fallibly() {
    static BUF: ArenaBuf<32> = ArenaBuf::new();
    let mut arena = BUF.take().unwrap();
    arena.frame(|f| {
        let mut line: StackString<8, &Frame> = StackString::new_in(&f);
        let (tick, what) = (42, "sensor 3 ok");
        line.try_write_fmt(format_args!("[{tick:>4}] {what}"))
            .unwrap();
        assert!(line.spilled() && line == "[  42] sensor 3 ok");
        let e = line
            .try_write_fmt(format_args!(" {:>20}", what))
            .unwrap_err();
        assert!(matches!(e.kind(), TryReserveErrorKind::AllocError { .. }));
        assert_eq!(line, "[  42] sensor 3 ok");
    });
}

/// Without `alloc` there is no `handle_alloc_error`: a spill the allocator refuses panics with
/// std's message, naming the size of the block that was asked for.
#[test]
fn a_refused_spill_panics_with_the_requested_size() {
    let mut buf = [MaybeUninit::uninit(); 16];
    let mut arena = Arena::from_memory(&mut buf);
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        arena.frame(|f| {
            // 4 inline, then a spill of 8 u64 (64 bytes), which the 16-byte memory cannot hold.
            let mut v: StackVec<u64, 32, _> = StackVec::new_in(&f);
            for i in 0..5 {
                v.push(i);
            }
        })
    }))
    .unwrap_err();
    let msg = panic.downcast_ref::<String>().map(String::as_str);
    assert_eq!(msg, Some("memory allocation of 64 bytes failed"));
}
