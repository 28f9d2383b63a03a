//! Go's stack-first string patterns (`concatstrings`, `slicebytetostring` with their 32-byte
//! `tmpBuf`), written once for every string type the benchmarks compare, as registry cases like
//! the vector patterns'. `n` is the result's length in bytes, known only at run time.
//!
//! Patterns (each `#[inline(never)]`; the text is sliced from a `static`, so nothing folds):
//! * `a+b local`, `a+b+c local`: build from two or three parts with `push_str`, use locally;
//! * `a+b returned`: the same two parts, the string returned; the caller uses and drops it;
//! * `string(b) local`: validated bytes into a string (Go does not validate: its `string(b)` is
//!   a copy, Rust's needs `from_utf8`, the same in every Rust column);
//! * `itoa+suffix local`: a two-digit integer and text (`strconv.Itoa(n) + suffix`,
//!   `format!("{n}{suffix}")`).
//!
//! "Use" is the same everywhere: the length plus the last byte.
//!
//! arrayvec's `ArrayString` and heapless' `String` hold 64 bytes (every row fits: the no-spill
//! floors); `smallstr` has the 32-byte budget, `compact_str` its fixed 24 inline bytes.

use alloc::string::String;
use core::fmt::Write;
use core::hint::black_box;

use stackfirst::{stack_concat, stack_format, Frame, StackString};

use crate::{Case, Ctx};

/// The result lengths of the table: fits 24 bytes (and Go's 32), fits 32 only, fits neither.
pub const LENS: [usize; 3] = [11, 24, 40];

/// The fixed capacity of `ArrayString` and heapless' `String`.
const FIXED: usize = 64;

/// The text's bytes at a fixed alignment: `from_utf8` checks ASCII a word at a time from the first
/// aligned address, so its count depends on where the bytes land; unaligned, it moved by 36 between
/// builds of unrelated code (every column alike).
#[repr(align(16))]
struct Aligned([u8; 50]);

static BYTES: Aligned = Aligned(*b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");

static TEXT: &str = match core::str::from_utf8(&BYTES.0) {
    Ok(text) => text,
    Err(_) => panic!("the benchmark text is ASCII"),
};

/// The table's `ty` of every string case.
pub const TY: &str = "string";

#[inline(always)]
fn two(n: usize) -> (&'static str, &'static str) {
    let text = black_box(TEXT);
    (&text[..n / 2], &text[n / 2..n])
}

#[inline(always)]
fn three(n: usize) -> (&'static str, &'static str, &'static str) {
    let text = black_box(TEXT);
    (&text[..n / 3], &text[n / 3..2 * n / 3], &text[2 * n / 3..n])
}

#[inline(always)]
fn bytes(n: usize) -> &'static [u8] {
    &black_box(TEXT).as_bytes()[..n]
}

/// The suffix of `itoa+suffix`: with a two-digit `n`, the result is `n` bytes.
#[inline(always)]
fn suffix(n: usize) -> &'static str {
    &black_box(TEXT)[..n - 2]
}

#[inline(always)]
fn use_str(s: &str) -> u64 {
    s.len() as u64 + u64::from(s.as_bytes()[s.len() - 1])
}

/// Generates one type's five patterns from how it starts empty, appends, and converts.
macro_rules! string_cases {
    (
        $m:ident, $imp:literal, $ty:ty,
        new: $new:expr,
        push: |$s:ident, $part:ident| $push:expr,
        from_str: |$fs:ident| $from_str:expr,
        format: |$n:ident, $suf:ident| $format:expr $(,)?
    ) => {
        pub mod $m {
            use super::*;

            #[inline(always)]
            fn push($s: &mut $ty, $part: &str) {
                $push
            }

            #[inline(never)]
            pub fn concat2(_: &mut Ctx, n: usize) -> u64 {
                let (a, b) = two(n);
                let mut s: $ty = $new;
                push(&mut s, a);
                push(&mut s, b);
                use_str(&s)
            }
            #[inline(never)]
            pub fn concat3(_: &mut Ctx, n: usize) -> u64 {
                let (a, b, c) = three(n);
                let mut s: $ty = $new;
                push(&mut s, a);
                push(&mut s, b);
                push(&mut s, c);
                use_str(&s)
            }
            #[inline(never)]
            fn concat2_escaping(n: usize) -> $ty {
                let (a, b) = two(n);
                let mut s: $ty = $new;
                push(&mut s, a);
                push(&mut s, b);
                s
            }
            #[inline(never)]
            pub fn concat2_returned(_: &mut Ctx, n: usize) -> u64 {
                use_str(&concat2_escaping(black_box(n)))
            }
            #[inline(never)]
            pub fn from_bytes(_: &mut Ctx, n: usize) -> u64 {
                let $fs = core::str::from_utf8(bytes(n)).unwrap_or("?");
                let s: $ty = $from_str;
                use_str(&s)
            }
            #[inline(never)]
            pub fn itoa(_: &mut Ctx, n: usize) -> u64 {
                let ($n, $suf) = (n, suffix(n));
                let s: $ty = $format;
                use_str(&s)
            }

            pub const CASES: &[Case] = &[
                Case {
                    imp: $imp,
                    pattern: "a+b local",
                    ty: TY,
                    run: concat2,
                },
                Case {
                    imp: $imp,
                    pattern: "a+b+c local",
                    ty: TY,
                    run: concat3,
                },
                Case {
                    imp: $imp,
                    pattern: "a+b returned",
                    ty: TY,
                    run: concat2_returned,
                },
                Case {
                    imp: $imp,
                    pattern: "string(b) local",
                    ty: TY,
                    run: from_bytes,
                },
                Case {
                    imp: $imp,
                    pattern: "itoa+suffix local",
                    ty: TY,
                    run: itoa,
                },
            ];
        }
    };
}

string_cases!(
    std_string, "String", String,
    new: String::new(),
    push: |s, part| s.push_str(part),
    from_str: |s| String::from(s),
    format: |n, suffix| alloc::format!("{n}{suffix}"),
);

string_cases!(
    array_string, "ArrayString", arrayvec::ArrayString<FIXED>,
    new: arrayvec::ArrayString::new(),
    push: |s, part| s.push_str(part),
    from_str: |s| arrayvec::ArrayString::from(s).unwrap_or_default(),
    format: |n, suffix| {
        let mut s = arrayvec::ArrayString::new();
        let _ = write!(s, "{n}{suffix}");
        s
    },
);

string_cases!(
    heapless_string, "heapless", heapless::String<FIXED>,
    new: heapless::String::new(),
    push: |s, part| if s.push_str(part).is_err() { unreachable!("parts fit FIXED") },
    from_str: |s| heapless::String::try_from(s).unwrap_or_default(),
    format: |n, suffix| {
        let mut s = heapless::String::new();
        let _ = write!(s, "{n}{suffix}");
        s
    },
);

string_cases!(
    stack_string, "StackString", StackString,
    new: StackString::new(),
    push: |s, part| s.push_str(part),
    from_str: |s| StackString::from(s),
    format: |n, suffix| stack_format!("{n}{suffix}"),
);

#[cfg(feature = "host")]
string_cases!(
    compact, "compact_str", compact_str::CompactString,
    new: compact_str::CompactString::const_new(""),
    push: |s, part| s.push_str(part),
    from_str: |s| compact_str::CompactString::from(s),
    format: |n, suffix| compact_str::format_compact!("{n}{suffix}"),
);

#[cfg(feature = "host")]
string_cases!(
    small, "smallstr", smallstr::SmallString<[u8; 32]>,
    new: smallstr::SmallString::new(),
    push: |s, part| s.push_str(part),
    from_str: |s| smallstr::SmallString::from_str(s),
    format: |n, suffix| {
        let mut s = smallstr::SmallString::new();
        let _ = write!(s, "{n}{suffix}");
        s
    },
);

/// The StackString columns beyond the common patterns: Go's `concatstrings` (`stack_concat!`),
/// the move to the heap, and a line formatted inline that then spills into an arena frame.
pub mod stackfirst_only {
    use super::*;

    #[inline(never)]
    pub fn concat2(_: &mut Ctx, n: usize) -> u64 {
        let (a, b) = two(n);
        use_str(&stack_concat!(a, b))
    }
    #[inline(never)]
    pub fn concat3(_: &mut Ctx, n: usize) -> u64 {
        let (a, b, c) = three(n);
        use_str(&stack_concat!(a, b, c))
    }
    #[inline(never)]
    fn concat2_escaping(n: usize) -> StackString {
        let (a, b) = two(n);
        stack_concat!(a, b)
    }
    #[inline(never)]
    pub fn concat2_returned(_: &mut Ctx, n: usize) -> u64 {
        use_str(&concat2_escaping(black_box(n)))
    }
    /// Go's escaping `a + b`: built inline, then one exact allocation.
    #[inline(never)]
    fn heap_escaping(n: usize) -> String {
        let (a, b) = two(n);
        let mut s: StackString = StackString::new();
        s.push_str(a);
        s.push_str(b);
        s.into_heap_exact()
    }
    #[inline(never)]
    pub fn heap_returned(_: &mut Ctx, n: usize) -> u64 {
        use_str(&heap_escaping(black_box(n)))
    }
    /// A log line formatted with `fmt::Write` into a 32-byte `StackString` that spills into the
    /// caller's frame when the line is longer (frame enter and exit counted).
    #[inline(never)]
    pub fn frame_line(c: &mut Ctx, n: usize) -> u64 {
        c.arena.frame(|f| {
            let mut line: StackString<32, &Frame> = StackString::new_in(&f);
            let _ = write!(line, "{n}{}", suffix(n));
            use_str(&line)
        })
    }

    pub const CASES: &[Case] = &[
        Case {
            imp: "stack_concat!",
            pattern: "a+b local",
            ty: TY,
            run: concat2,
        },
        Case {
            imp: "stack_concat!",
            pattern: "a+b+c local",
            ty: TY,
            run: concat3,
        },
        Case {
            imp: "stack_concat!",
            pattern: "a+b returned",
            ty: TY,
            run: concat2_returned,
        },
        Case {
            imp: "StackString into_heap_exact",
            pattern: "a+b returned",
            ty: TY,
            run: heap_returned,
        },
        Case {
            imp: "StackString in frame",
            pattern: "itoa+suffix local",
            ty: TY,
            run: frame_line,
        },
    ];
}

/// Every string case that runs without `std` (the firmware's), each for every length.
pub fn no_std_cases() -> impl Iterator<Item = (Case, Option<usize>)> {
    [
        std_string::CASES,
        array_string::CASES,
        heapless_string::CASES,
        stack_string::CASES,
        stackfirst_only::CASES,
    ]
    .into_iter()
    .flatten()
    .flat_map(|&c| LENS.map(|n| (c, Some(n))))
}

/// Every string case of the host table, each for every length.
#[cfg(feature = "host")]
pub fn host_cases() -> impl Iterator<Item = (Case, Option<usize>)> {
    no_std_cases().chain(
        [compact::CASES, small::CASES]
            .into_iter()
            .flatten()
            .flat_map(|&c| LENS.map(|n| (c, Some(n)))),
    )
}
