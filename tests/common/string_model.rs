//! The differential model of `StackString` against `std::string::String`: the same code runs as
//! the property tests (`tests/stack_string.rs`, proptest) and as the coverage-guided fuzz target
//! (`fuzz/fuzz_targets/stack_string.rs`, libFuzzer).
//!
//! Every mutating method runs on both strings with the same arguments, including indices that
//! are past the end or inside a multi-byte char: then both must panic with the same message and
//! stay unchanged. Text comes from arbitrary bytes (valid, multi-byte and invalid UTF-8 alike:
//! the invalid ones go through `from_utf8` and `from_utf8_lossy`).

// The model compares with `String::extend_from_within`, newer than the crate's MSRV; the
// library itself does not use it.
#![allow(clippy::incompatible_msrv)]

use std::cell::Cell;
use std::fmt::Write as _;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use allocator_api2::alloc::{Allocator, Global};
use stackfirst::{Arena, Frame, StackString, StackVec};

use super::backing::TestBacking;
use super::differential::quiet_deliberate_panics;
use super::model_alloc::ModelAlloc;
use super::{panic_message, Deliberate};

/// One step of the string model. Indices and sizes are reduced by [`run`], so any value (a
/// proptest strategy's or a fuzzer's) is a valid step.
#[derive(Debug, Clone)]
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
pub enum StrOp {
    Push(u32),
    PushStr(Vec<u8>),
    /// `try_push_str`, which never fails for these growing allocators: `push_str` in `String`.
    TryPushStr(Vec<u8>),
    Insert(usize, u32),
    InsertStr(usize, Vec<u8>),
    Pop,
    Remove(usize),
    Truncate(usize),
    Clear,
    Retain(u8),
    /// `retain` whose closure panics on its `k`-th call.
    RetainPanicking(u8, usize),
    /// Drain `a..b`, take `k` chars from the front and `j` from the back, drop the rest.
    Drain(usize, usize, usize, usize),
    /// Drain `a..=b`.
    DrainInclusive(usize, usize),
    SplitOff(usize),
    /// `extend_from_within(a..b)`.
    ExtendFromWithin(usize, usize),
    ReplaceRange(usize, usize, Vec<u8>),
    Reserve(usize),
    ReserveExact(usize),
    /// `try_reserve` of `n`, or of an impossible size when `n` is odd and large.
    TryReserve(usize),
    /// `try_reserve_exact`, likewise.
    TryReserveExact(usize),
    ShrinkToFit,
    ShrinkTo(usize),
    /// `from_utf8` of arbitrary bytes (the whole string is replaced when they are UTF-8).
    FromUtf8(Vec<u8>),
    FromUtf8Lossy(Vec<u8>),
    /// The move to the heap and back.
    IntoHeapExact,
    Clone,
    ExtendChars(Vec<u32>),
    CollectStrs(Vec<Vec<u8>>),
    AddAssign(Vec<u8>),
    WriteFmt(u32, Vec<u8>),
    Concat(Vec<Vec<u8>>),
    Format(i64, Vec<u8>),
    /// `try_format_in` with a padded number (written a char at a time), which never fails for
    /// these growing allocators: `format!` in `String`.
    TryFormat(i64, u8, Vec<u8>),
    AsciiUppercase,
}

/// Chars worth testing: ASCII, two-, three- and four-byte sequences, and their edges.
const CHARS: [char; 12] = [
    'a',
    'Z',
    '\0',
    '\u{7f}',
    '\u{80}',
    'é',
    '\u{7ff}',
    '\u{800}',
    '€',
    '\u{ffff}',
    '😀',
    '\u{10ffff}',
];

fn ch(x: u32) -> char {
    CHARS[x as usize % CHARS.len()]
}

/// Arbitrary bytes as text: lossy, so invalid input turns into (three-byte) U+FFFD.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

thread_local! {
    static EXPECTING_PANIC: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the model's expected panics (bad indices) quiet, and out of libFuzzer's crash hook.
fn quiet_expected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    quiet_deliberate_panics();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING_PANIC.with(Cell::get) {
                previous(info)
            }
        }));
    });
}

/// Runs `f` on the StackString and `g` on the String: both return the same value, or both
/// panic with the same message.
fn same<S, V, R: PartialEq + std::fmt::Debug>(
    s: &mut S,
    v: &mut V,
    f: impl FnOnce(&mut S) -> R,
    g: impl FnOnce(&mut V) -> R,
) {
    EXPECTING_PANIC.with(|e| e.set(true));
    let a = catch_unwind(AssertUnwindSafe(|| f(s)));
    let b = catch_unwind(AssertUnwindSafe(|| g(v)));
    EXPECTING_PANIC.with(|e| e.set(false));
    match (a, b) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(panic_message(&*a), panic_message(&*b)),
        (a, b) => panic!(
            "StackString {}, String {}",
            a.map_or_else(
                |p| format!("panicked: {}", panic_message(&*p)),
                |r| format!("{r:?}")
            ),
            b.map_or_else(
                |p| format!("panicked: {}", panic_message(&*p)),
                |r| format!("{r:?}")
            ),
        ),
    }
}

/// A size for the `try_reserve*` steps: small, or (for large odd `n`) impossible.
fn try_size(n: usize) -> usize {
    if n % 2 == 1 && n > 1 << 20 {
        usize::MAX - n % 7
    } else {
        n % 70
    }
}

fn check<const N: usize, A: Allocator>(s: &StackString<N, A>, v: &str) {
    assert_eq!(s.as_str(), v);
    assert!(std::str::from_utf8(s.as_bytes()).is_ok());
    assert!(s.len() <= s.capacity());
    if !s.spilled() {
        assert_eq!(s.capacity(), N);
    }
}

/// Runs `ops` on a `StackString<N, A>` spilling into `alloc` and on a `String`, comparing after
/// every step.
pub fn run<const N: usize, A: ModelAlloc>(ops: &[StrOp], alloc: A) {
    quiet_expected_panics();
    let mut s: StackString<N, A> = StackString::new_in(alloc.clone());
    let mut v = String::new();
    for op in ops {
        let len = v.len();
        // Past the end now and then, inside multi-byte chars often.
        let idx = |i: usize| i % (len + 2);
        match op.clone() {
            StrOp::Push(c) => same(&mut s, &mut v, |s| s.push(ch(c)), |v| v.push(ch(c))),
            StrOp::PushStr(b) => {
                let t = text(&b);
                same(&mut s, &mut v, |s| s.push_str(&t), |v| v.push_str(&t));
            }
            StrOp::TryPushStr(b) => {
                let t = text(&b);
                same(
                    &mut s,
                    &mut v,
                    |s| s.try_push_str(&t).is_ok(),
                    |v| {
                        v.push_str(&t);
                        true
                    },
                );
            }
            StrOp::Insert(i, c) => same(
                &mut s,
                &mut v,
                |s| s.insert(idx(i), ch(c)),
                |v| v.insert(idx(i), ch(c)),
            ),
            StrOp::InsertStr(i, b) => {
                let t = text(&b);
                same(
                    &mut s,
                    &mut v,
                    |s| s.insert_str(idx(i), &t),
                    |v| v.insert_str(idx(i), &t),
                );
            }
            StrOp::Pop => same(&mut s, &mut v, |s| s.pop(), |v| v.pop()),
            StrOp::Remove(i) => same(&mut s, &mut v, |s| s.remove(idx(i)), |v| v.remove(idx(i))),
            StrOp::Truncate(i) => same(
                &mut s,
                &mut v,
                |s| s.truncate(idx(i)),
                |v| v.truncate(idx(i)),
            ),
            StrOp::Clear => same(&mut s, &mut v, |s| s.clear(), |v| v.clear()),
            StrOp::Retain(m) => {
                let keep = |c: char| (c as u32) % u32::from(1 + m % 4) != 0;
                same(&mut s, &mut v, |s| s.retain(keep), |v| v.retain(keep));
            }
            StrOp::RetainPanicking(m, k) => {
                let k = k % (len + 1);
                let keep = |calls: &mut usize, c: char| {
                    *calls += 1;
                    if *calls == k {
                        std::panic::panic_any(Deliberate);
                    }
                    (c as u32) % u32::from(1 + m % 4) != 0
                };
                let (mut cs, mut cv) = (0, 0);
                same(
                    &mut s,
                    &mut v,
                    |s| s.retain(|c| keep(&mut cs, c)),
                    |v| v.retain(|c| keep(&mut cv, c)),
                );
            }
            StrOp::Drain(a, b, k, j) => {
                let (a, b) = (idx(a), idx(b));
                let take = |d: &mut dyn DoubleEndedIterator<Item = char>| {
                    let front: String = (&mut *d).take(k % 6).collect();
                    let back: String = (0..j % 6).filter_map(|_| d.next_back()).collect();
                    (front, back)
                };
                same(
                    &mut s,
                    &mut v,
                    |s| {
                        let mut d = s.drain(a..b);
                        let out = take(&mut d);
                        (out, d.as_str().to_string())
                    },
                    |v| {
                        let mut d = v.drain(a..b);
                        let out = take(&mut d);
                        (out, d.as_str().to_string())
                    },
                );
            }
            StrOp::DrainInclusive(a, b) => {
                let (a, b) = (idx(a), idx(b));
                same(
                    &mut s,
                    &mut v,
                    |s| s.drain(a..=b).collect::<String>(),
                    |v| v.drain(a..=b).collect::<String>(),
                );
            }
            StrOp::SplitOff(i) => same(
                &mut s,
                &mut v,
                |s| {
                    let tail = s.split_off(idx(i));
                    if tail.len() <= N {
                        assert!(!tail.spilled());
                    }
                    tail.to_string()
                },
                |v| v.split_off(idx(i)),
            ),
            StrOp::ExtendFromWithin(a, b) => same(
                &mut s,
                &mut v,
                |s| s.extend_from_within(idx(a)..idx(b)),
                |v| v.extend_from_within(idx(a)..idx(b)),
            ),
            StrOp::ReplaceRange(a, b, with) => {
                let (a, b, t) = (idx(a), idx(b), text(&with));
                same(
                    &mut s,
                    &mut v,
                    |s| s.replace_range(a..b, &t),
                    |v| v.replace_range(a..b, &t),
                );
            }
            StrOp::Reserve(n) => {
                let n = n % 70;
                s.reserve(n);
                v.reserve(n);
                assert!(s.capacity() >= len + n);
            }
            StrOp::ReserveExact(n) => {
                let n = n % 70;
                let cap = s.capacity();
                s.reserve_exact(n);
                v.reserve_exact(n);
                assert_eq!(s.capacity(), cap.max(len + n));
            }
            StrOp::TryReserve(n) => {
                let n = try_size(n);
                let r = s.try_reserve(n).is_ok();
                assert_eq!(r, v.try_reserve(n).is_ok());
            }
            StrOp::TryReserveExact(n) => {
                let n = try_size(n);
                let cap = s.capacity();
                let r = s.try_reserve_exact(n).is_ok();
                assert_eq!(r, v.try_reserve_exact(n).is_ok());
                if r {
                    assert_eq!(s.capacity(), cap.max(len + n));
                } else {
                    assert_eq!(s.capacity(), cap);
                }
            }
            StrOp::ShrinkToFit => {
                s.shrink_to_fit();
                v.shrink_to_fit();
                assert_eq!(s.spilled(), len > N);
                if s.spilled() {
                    assert_eq!(s.capacity(), len);
                }
            }
            StrOp::ShrinkTo(n) => {
                let n = n % 70;
                s.shrink_to(n);
                v.shrink_to(n);
                if len.max(n) <= N {
                    assert!(!s.spilled());
                }
            }
            StrOp::FromUtf8(b) => {
                let mut bytes = StackVec::<u8, N, A>::new_in(alloc.clone());
                bytes.extend_from_slice(&b);
                let mine = StackString::from_utf8(bytes);
                match (mine, String::from_utf8(b.clone())) {
                    (Ok(a), Ok(b)) => {
                        s = a;
                        v = b;
                    }
                    (Err(a), Err(b)) => {
                        assert_eq!(a.utf8_error(), b.utf8_error());
                        assert_eq!(a.to_string(), b.to_string());
                        assert_eq!(a.into_bytes().as_slice(), b.into_bytes().as_slice());
                    }
                    (a, b) => panic!("from_utf8 disagrees: {:?} vs {:?}", a.is_ok(), b.is_ok()),
                }
            }
            StrOp::FromUtf8Lossy(b) => {
                s = StackString::from_utf8_lossy_in(&b, alloc.clone());
                v = String::from_utf8_lossy(&b).into_owned();
            }
            StrOp::IntoHeapExact => {
                s = A::escape_string(std::mem::replace(
                    &mut s,
                    StackString::new_in(alloc.clone()),
                ))
            }
            StrOp::Clone => {
                let c = s.clone();
                assert_eq!(c.spilled(), len > N);
                s = c;
            }
            StrOp::ExtendChars(cs) => {
                s.extend(cs.iter().map(|&c| ch(c)));
                v.extend(cs.iter().map(|&c| ch(c)));
            }
            StrOp::CollectStrs(parts) => {
                let parts: Vec<String> = parts.iter().map(|b| text(b)).collect();
                let mut c = StackString::new_in(alloc.clone());
                c.extend(parts.iter().map(String::as_str));
                s = c;
                v = parts.concat();
            }
            StrOp::AddAssign(b) => {
                let t = text(&b);
                s += &t;
                v += &t;
            }
            StrOp::WriteFmt(c, b) => {
                let t = text(&b);
                write!(s, "[{}|{t:>8}]", ch(c)).unwrap();
                write!(v, "[{}|{t:>8}]", ch(c)).unwrap();
            }
            StrOp::Concat(parts) => {
                let parts: Vec<String> = parts.iter().map(|b| text(b)).collect();
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                s = StackString::concat_in(&refs, alloc.clone());
                v = refs.concat();
                // Go's concatstrings: inline, or one allocation of exactly the total length.
                assert_eq!(s.capacity(), if v.len() <= N { N } else { v.len() });
            }
            StrOp::Format(i, b) => {
                let t = text(&b);
                s = StackString::format_in(format_args!("{i}:{t}"), alloc.clone());
                v = format!("{i}:{t}");
            }
            StrOp::TryFormat(i, w, b) => {
                let (t, w) = (text(&b), usize::from(w % 48));
                s = StackString::try_format_in(format_args!("{i:>w$}:{t}"), alloc.clone())
                    .expect("the model's allocators grant every request");
                v = format!("{i:>w$}:{t}");
            }
            StrOp::AsciiUppercase => {
                s.make_ascii_uppercase();
                v.make_ascii_uppercase();
            }
        }
        check(&s, &v);
    }
}

/// The model with each allocator: the global heap, a [`TestBacking`] (no leak, no layout
/// mismatch), and an arena frame.
pub fn run_all<const N: usize>(ops: &[StrOp]) {
    run::<N, Global>(ops, Global);
    let ledger = TestBacking::any_size();
    run::<N, &TestBacking>(ops, &ledger);
    assert_eq!(ledger.live_blocks(), 0, "a block leaked");
    let mut memory = vec![MaybeUninit::uninit(); 1 << 20];
    let mut arena = Arena::from_memory(&mut memory);
    arena.frame(|f| run::<N, &Frame>(ops, &f));
    assert_eq!(arena.used(), 0);
}
