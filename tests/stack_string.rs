//! StackString: the differential property test against `String` (model in
//! `common::string_model`, shared with the fuzz target), sizes, allocation counts (Go's string
//! table), conversions and traits.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::mem::size_of;

use common::count_heap;
use common::string_model::{run_all, StrOp};
use proptest::prelude::*;
use stackfirst::{stack_concat, stack_format, NoHeap, StackString, StackVec};

#[global_allocator]
static ALLOC: common::CountingAlloc = common::CountingAlloc;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    // Mostly UTF-8 text with multi-byte chars, sometimes arbitrary (often invalid) bytes.
    prop_oneof![
        3 => "[a-zé€😀]{0,12}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..16),
    ]
}

fn op() -> impl Strategy<Value = StrOp> {
    let idx = 0usize..80;
    let parts = || proptest::collection::vec(bytes(), 0..4);
    prop_oneof![
        4 => any::<u32>().prop_map(StrOp::Push),
        4 => bytes().prop_map(StrOp::PushStr),
        1 => bytes().prop_map(StrOp::TryPushStr),
        2 => (idx.clone(), any::<u32>()).prop_map(|(i, c)| StrOp::Insert(i, c)),
        2 => (idx.clone(), bytes()).prop_map(|(i, b)| StrOp::InsertStr(i, b)),
        2 => Just(StrOp::Pop),
        2 => idx.clone().prop_map(StrOp::Remove),
        1 => idx.clone().prop_map(StrOp::Truncate),
        1 => Just(StrOp::Clear),
        1 => any::<u8>().prop_map(StrOp::Retain),
        1 => (any::<u8>(), 0usize..12).prop_map(|(m, k)| StrOp::RetainPanicking(m, k)),
        2 => (idx.clone(), idx.clone(), 0usize..6, 0usize..6)
            .prop_map(|(a, b, k, j)| StrOp::Drain(a, b, k, j)),
        1 => (idx.clone(), idx.clone()).prop_map(|(a, b)| StrOp::DrainInclusive(a, b)),
        1 => idx.clone().prop_map(StrOp::SplitOff),
        2 => (idx.clone(), idx.clone(), bytes()).prop_map(|(a, b, t)| StrOp::ReplaceRange(a, b, t)),
        1 => (0usize..70).prop_map(StrOp::Reserve),
        1 => (0usize..70).prop_map(StrOp::ReserveExact),
        1 => any::<usize>().prop_map(StrOp::TryReserve),
        1 => any::<usize>().prop_map(StrOp::TryReserveExact),
        1 => Just(StrOp::ShrinkToFit),
        1 => (0usize..70).prop_map(StrOp::ShrinkTo),
        1 => bytes().prop_map(StrOp::FromUtf8),
        1 => bytes().prop_map(StrOp::FromUtf8Lossy),
        1 => Just(StrOp::IntoHeapExact),
        1 => Just(StrOp::Clone),
        1 => proptest::collection::vec(any::<u32>(), 0..12).prop_map(StrOp::ExtendChars),
        1 => parts().prop_map(StrOp::CollectStrs),
        1 => bytes().prop_map(StrOp::AddAssign),
        1 => (any::<u32>(), bytes()).prop_map(|(c, b)| StrOp::WriteFmt(c, b)),
        1 => parts().prop_map(StrOp::Concat),
        1 => (any::<i64>(), bytes()).prop_map(|(i, b)| StrOp::Format(i, b)),
        1 => Just(StrOp::AsciiUppercase),
    ]
}

macro_rules! differential {
    ($($name:ident: $n:literal;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $name(ops in proptest::collection::vec(op(), 1..50)) {
                    run_all::<$n>(&ops);
                }
            )*
        }
    };
}

differential! {
    budget_0: 0; budget_1: 1; budget_3: 3; budget_8: 8; budget_24: 24; budget_32: 32; budget_64: 64;
}

#[test]
fn same_size_as_the_byte_vector() {
    assert_eq!(size_of::<StackString>(), size_of::<StackVec<u8>>());
    assert_eq!(size_of::<StackString<64>>(), size_of::<StackVec<u8, 64>>());
    #[cfg(all(target_pointer_width = "64", not(feature = "spill-report")))]
    assert_eq!(size_of::<StackString>(), 48);
}

/// Go's string table: no allocation when the result fits 32 bytes, one exact allocation when a
/// result escapes to the heap.
#[test]
fn allocations_follow_go() {
    let (a, b) = ("0123456789", "abcdefghijklmn"); // 10 + 14 = 24 bytes
    let (s, heap) = count_heap(|| stack_concat!(a, b));
    assert_eq!((s.len(), s.spilled(), heap.allocs), (24, false, 0));

    let long = "x".repeat(30);
    let (s, heap) = count_heap(|| stack_concat!(a, long, b));
    assert_eq!((heap.allocs, heap.bytes, heap.reallocs), (1, 54, 0));
    assert_eq!(s.capacity(), 54);

    let id = 12345;
    let (s, heap) = count_heap(|| stack_format!("user:{id}/{a}"));
    assert_eq!((s.as_str(), heap.allocs), ("user:12345/0123456789", 0));

    // The escape: one allocation of exactly `len`, then nothing more when it had spilled.
    let (heap_string, heap) = count_heap(|| s.into_heap_exact());
    assert_eq!((heap.allocs, heap.bytes), (1, 21));
    assert_eq!(heap_string.capacity(), 21);
    let mut big: StackString = StackString::new();
    big.push_str(&long);
    big.push_str(b);
    let (big_heap, heap) = count_heap(|| big.into_heap_exact());
    assert_eq!((heap.allocs, big_heap.len()), (0, 44));

    // `string(b)`: validated bytes into the inline buffer.
    let bytes = b"a valid byte string".to_vec();
    let (s, heap) = count_heap(|| StackString::<32>::from(std::str::from_utf8(&bytes).unwrap()));
    assert_eq!((s.len(), heap.allocs), (19, 0));
    // Longer than the budget: one allocation of exactly its length, as `String::from` makes.
    let bytes = b"a valid byte string, forty bytes long..".to_vec();
    let (s, heap) = count_heap(|| StackString::<32>::from(std::str::from_utf8(&bytes).unwrap()));
    assert_eq!((heap.allocs, heap.bytes, heap.reallocs), (1, 39, 0));
    assert_eq!((s.as_bytes(), s.capacity()), (&bytes[..], 39));
}

#[test]
fn shrink_to_fit_moves_back_inline() {
    let mut s: StackString = StackString::from("a string that is longer than thirty-two bytes");
    assert!(s.spilled());
    s.truncate(10);
    let (_, heap) = count_heap(|| s.shrink_to_fit());
    assert_eq!(heap.allocs, 0);
    assert!(!s.spilled());
    assert_eq!(s, "a string t");
}

#[test]
fn spills_into_a_frame() {
    use std::fmt::Write;
    let mut memory = [std::mem::MaybeUninit::uninit(); 256];
    let mut arena = stackfirst::Arena::from_memory(&mut memory);
    let (_, heap) = count_heap(|| {
        arena.frame(|f| {
            let mut line: StackString<16, _> = StackString::new_in(&f);
            write!(line, "{:<6}|{:>5}", "temp", 21).unwrap();
            assert!(!line.spilled());
            write!(line, " degrees, sensor {}", 7).unwrap();
            assert!(line.spilled() && f.used() >= line.len());
            assert_eq!(line, "temp  |   21 degrees, sensor 7");
            let concat = stack_concat!(in &f; line, "|", line);
            assert_eq!(concat.capacity(), 2 * line.len() + 1); // exact, in the frame
        })
    });
    assert_eq!(heap.allocs, 0);
    assert_eq!(arena.used(), 0);
}

#[test]
fn from_utf8_reports_what_string_reports() {
    for bad in [
        &[0xff][..],
        b"ok\xe2\x82",
        b"\xc3\x28",
        b"a\xf0\x90\x80\x41",
    ] {
        let mine = StackString::from_utf8(StackVec::<u8>::from(bad)).unwrap_err();
        let std = String::from_utf8(bad.to_vec()).unwrap_err();
        assert_eq!(mine.utf8_error(), std.utf8_error());
        assert_eq!(mine.to_string(), std.to_string());
        assert_eq!(mine.as_bytes(), bad);
        assert_eq!(
            StackString::<8>::from_utf8_lossy(bad),
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn traits_agree_with_str_and_string() {
    let s: StackString = "key".parse().unwrap();
    let hash = |x: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        x(&mut h);
        h.finish()
    };
    assert_eq!(hash(&|h| s.hash(h)), hash(&|h| "key".hash(h)));
    assert_eq!(hash(&|h| s.hash(h)), hash(&|h| String::from("key").hash(h)));
    let mut map: HashMap<StackString, u32> = HashMap::new();
    map.insert(s.clone(), 7);
    assert_eq!(map.get("key"), Some(&7));
    let set: BTreeSet<StackString<4>> = ["b", "a", "a long one"]
        .into_iter()
        .map(Into::into)
        .collect();
    assert_eq!(
        set.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["a", "a long one", "b"]
    );

    let (std_key, str_key): (String, &str) = ("key".into(), "key");
    assert_eq!(s, str_key);
    assert_eq!(str_key, s);
    assert_eq!(s, *str_key);
    assert_eq!(std_key, s);
    assert_eq!(s, std_key);
    assert_eq!(s, StackString::<8>::from("key"));
    assert_eq!(format!("{s}|{s:>5}|{s:?}"), "key|  key|\"key\"");
    assert_eq!(&s[1..], "ey");
    let added = s.clone() + "-" + "suffix";
    assert_eq!(added, "key-suffix");
    let from_char: StackString = StackString::from('€');
    assert_eq!(from_char.len(), 3);
    let collected: StackString = ["a", "b", "c"].into_iter().collect();
    assert_eq!(collected, "abc");
    let chars: StackString = "héllo".chars().rev().collect();
    assert_eq!(chars, "olléh");
    let std_string: String = collected.into();
    assert_eq!(std_string, "abc");
    let boxed: Box<str> = StackString::<8>::from("boxed").into();
    assert_eq!(&*boxed, "boxed");
    // From<String> adopts the heap buffer: no copy, no allocation.
    let owned = String::from("adopt me, I am on the heap already");
    let (adopted, heap) = count_heap(|| StackString::<32>::from(owned));
    assert_eq!((heap.allocs, adopted.spilled()), (0, true));
    #[cfg(feature = "std")]
    {
        let path: &std::path::Path = s.as_ref();
        assert_eq!(path, std::path::Path::new("key"));
    }
}

#[test]
fn drain_yields_chars_and_removes_on_drop() {
    let mut s: StackString = StackString::from("aé€😀z");
    let d = s.drain(1..10);
    assert_eq!(d.size_hint(), (3, Some(9)));
    drop(d);
    assert_eq!(s, "az");
    let mut s: StackString = StackString::from("aé€😀z");
    std::mem::forget(s.drain(3..));
    assert_eq!(s, "aé"); // a leaked drain leaves the string cut at the start, still UTF-8
}

#[test]
fn bad_indices_panic_like_string() {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let msg = |f: &mut dyn FnMut()| {
        let e = catch_unwind(AssertUnwindSafe(f)).unwrap_err();
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap()
    };
    let mut a: StackString = StackString::from("é");
    let mut b = String::from("é");
    assert_eq!(msg(&mut || a.insert(1, 'x')), msg(&mut || b.insert(1, 'x')));
    assert_eq!(msg(&mut || a.truncate(1)), msg(&mut || b.truncate(1)));
    assert_eq!(
        msg(&mut || {
            a.remove(1);
        }),
        msg(&mut || {
            b.remove(1);
        })
    );
    assert_eq!(
        msg(&mut || {
            a.remove(2);
        }),
        msg(&mut || {
            b.remove(2);
        })
    );
    assert_eq!(
        msg(&mut || drop(a.drain(1..))),
        msg(&mut || drop(b.drain(1..)))
    );
    assert_eq!(
        msg(&mut || drop(a.drain(..3))),
        msg(&mut || drop(b.drain(..3)))
    );
    assert_eq!(
        msg(&mut || a.replace_range(..1, "")),
        msg(&mut || b.replace_range(..1, ""))
    );
    assert_eq!(
        msg(&mut || drop(a.split_off(1))),
        msg(&mut || drop(b.split_off(1)))
    );
    assert_eq!(a, b);
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let s: StackString<8> = StackString::from("naïve and long");
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, serde_json::to_string("naïve and long").unwrap());
    let back: StackString<8> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<StackString>("[1]").is_err());
    // Longer than a string that cannot grow holds: an error, not a panic.
    let long = serde_json::from_str::<StackString<4, NoHeap>>(r#""hello""#).unwrap_err();
    assert!(long.to_string().starts_with("capacity exceeded"), "{long}");
    let fits: StackString<8, NoHeap> = serde_json::from_str(r#""hello""#).unwrap();
    assert_eq!(fits, "hello");
}

#[test]
fn write_into_a_string_that_cannot_grow_reports_it_full() {
    use std::fmt::Write;
    let mut s = StackString::<4, NoHeap>::new_in(NoHeap);
    let (a, b) = ("ab", "cde"); // variables: the macro would join literals into one piece
    assert!(write!(s, "{a}{b}").is_err());
    assert_eq!(s, "ab", "what fit before the error is kept");
    assert!(s.write_char('é').is_ok()); // two bytes: fits exactly
    assert!(s.write_char('x').is_err());
    assert_eq!(s, "abé");
    let err = std::panic::catch_unwind(|| {
        let n = 12345;
        StackString::<4, NoHeap>::format_in(format_args!("{n}"), NoHeap)
    })
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"capacity exceeded, or a formatting trait implementation returned an error")
    );
}

/// `&NoHeap` cannot grow either: full, not out of memory (which would abort the process).
#[test]
fn a_borrowed_no_heap_string_is_full_too() {
    use std::fmt::Write;
    static NO_HEAP: NoHeap = NoHeap;
    let mut s = StackString::<4, &NoHeap>::new_in(&NO_HEAP);
    let (a, b) = ("ab", "cde");
    assert!(write!(s, "{a}{b}").is_err());
    assert_eq!(s, "ab");
    assert_eq!(
        s.try_push_str("cde").unwrap_err().kind(),
        stackfirst::TryReserveErrorKind::CapacityExceeded
    );
    let err = std::panic::catch_unwind(move || s.push_str("cde")).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity exceeded"));
}

/// The fallible ways into a string that cannot grow: all or nothing, the error says why.
#[test]
fn try_push_str_and_parse_report_a_full_string() {
    use stackfirst::TryReserveErrorKind::CapacityExceeded;
    let mut s: StackString<5, NoHeap> = StackString::new();
    s.try_push_str("añ").unwrap(); // 3 bytes
    assert_eq!(s.try_push_str("€").unwrap_err().kind(), CapacityExceeded); // 3 more: no
    assert_eq!(s.try_push('€').unwrap_err().kind(), CapacityExceeded);
    assert_eq!(s, "añ");
    s.try_push('é').unwrap();
    assert_eq!((s.as_str(), s.len()), ("añé", 5));
    assert_eq!(
        "123456"
            .parse::<StackString<5, NoHeap>>()
            .unwrap_err()
            .kind(),
        CapacityExceeded
    );
    assert_eq!("12345".parse::<StackString<5, NoHeap>>().unwrap(), "12345");
    // A growing string parses with one exact allocation, as `From<&str>` does.
    let (long, allocs) = count_heap(|| "a text longer than the budget".parse::<StackString<8>>());
    let long = long.unwrap();
    assert_eq!((allocs.allocs, long.capacity()), (1, long.len()));
}

#[cfg(feature = "spill-report")]
#[test]
fn spill_report_counts_string_sites() {
    let line = line!() + 2;
    for n in [3usize, 20, 50] {
        let s = stack_concat!("x".repeat(n), "!");
        drop(s);
    }
    let report = stackfirst::spill_report();
    let site = report
        .sites()
        .iter()
        .find(|s| s.file.ends_with("stack_string.rs") && s.line == line)
        .unwrap_or_else(|| panic!("no record on line {line}:\n{report}"));
    assert_eq!((site.created, site.spilled, site.elem_size), (3, 1, 1));
}

#[test]
fn conversions_to_and_from_what_string_converts_to_and_from() {
    use std::borrow::Cow;
    use std::error::Error;
    use std::rc::Rc;
    use std::sync::Arc;

    let long = "longer than the thirty-two byte budget";
    // Owned buffers are adopted or handed over, not copied.
    let boxed = Box::<str>::from(long);
    let at = boxed.as_ptr();
    let s = StackString::<32>::from(boxed);
    assert_eq!((s.as_ptr(), s.as_str()), (at, long));
    let bytes = Vec::<u8>::from(s);
    assert_eq!((bytes.as_ptr(), &bytes[..]), (at, long.as_bytes()));
    // Inline text is copied out exactly.
    let short = StackString::<32>::from(Cow::Owned(String::from("short")));
    assert!(!short.spilled());
    assert_eq!(String::from(&short), "short");
    assert_eq!(&*Rc::<str>::from(short.clone()), "short");
    assert_eq!(&*Arc::<str>::from(short.clone()), "short");
    // A boxed error reads as `String`'s does.
    let ours: Box<dyn Error + Send + Sync> = short.into();
    let std: Box<dyn Error + Send + Sync> = String::from("short").into();
    assert_eq!(
        (ours.to_string(), format!("{ours:?}")),
        (std.to_string(), format!("{std:?}"))
    );
}
