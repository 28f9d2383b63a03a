//! StackString: the differential property test against `String` (model in
//! `common::string_model`, shared with the fuzz target), sizes, allocation counts (Go's string
//! table), conversions and traits.

mod common;

use std::alloc::Layout;
use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::ops::Bound;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator, Global};
use common::backing::{Refuse, TestBacking};
use common::string_model::{run_all, StrOp};
use common::{count_heap, extreme_ranges, panic_message, panic_of, quiet, valid};
use proptest::prelude::*;
use stackfirst::{
    stack_concat, stack_format, InlineString, InlineVec, NoHeap, StackString, StackVec,
    TryReserveErrorKind,
};

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
        1 => (idx.clone(), idx.clone()).prop_map(|(a, b)| StrOp::ExtendFromWithin(a, b)),
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
        1 => (any::<i64>(), any::<u8>(), bytes()).prop_map(|(i, w, b)| StrOp::TryFormat(i, w, b)),
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
    // `stack_format!` cannot know the length first: past the budget it grows as `format!`'s
    // `String` does (a spill and a growth for three pieces, 70 bytes), where `stack_concat!`
    // makes one.
    let (f, heap) = count_heap(|| stack_format!("{long}{long}{a}"));
    assert_eq!((f.len(), heap.allocs + heap.reallocs), (70, 2));

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

/// `From<&str>`, `parse` and `StackVec<u8>`'s `From<&str>` at the budget's edges: inline up to
/// the budget, else one allocation of exactly the text's length, and "capacity exceeded" (or
/// `CapacityExceeded`) past a budget that cannot grow.
#[test]
fn from_str_and_parse_at_the_budget_edges() {
    for text in [
        "",
        "é",
        "1234567",
        "añ€xy",
        "añ€xyz",
        "a text past the 8-byte budget",
    ] {
        let spills = text.len() > 8;
        let (allocs, bytes, cap) = if spills {
            (1, text.len(), text.len())
        } else {
            (0, 0, 8)
        };
        let (s, heap) = count_heap(|| StackString::<8>::from(text));
        assert_eq!((s.as_str(), s.spilled(), s.capacity()), (text, spills, cap));
        assert_eq!((heap.allocs, heap.bytes, heap.reallocs), (allocs, bytes, 0));
        let (p, heap) = count_heap(|| text.parse::<StackString<8>>().unwrap());
        assert_eq!((p.as_str(), p.spilled(), p.capacity()), (text, spills, cap));
        assert_eq!(heap.allocs, allocs);
        let (v, heap) = count_heap(|| StackVec::<u8, 8>::from(text));
        assert_eq!(
            (&v[..], v.spilled(), v.capacity()),
            (text.as_bytes(), spills, cap)
        );
        assert_eq!(heap.allocs, allocs);
        let fixed = text.parse::<StackString<8, NoHeap>>();
        if spills {
            assert_eq!(
                fixed.unwrap_err().kind(),
                TryReserveErrorKind::CapacityExceeded
            );
            quiet();
            assert_eq!(
                panic_of(|| drop(InlineString::<8>::from(text))),
                "capacity exceeded"
            );
            assert_eq!(
                panic_of(|| drop(InlineVec::<u8, 8>::from(text))),
                "capacity exceeded"
            );
        } else {
            assert_eq!(fixed.unwrap(), text);
            assert_eq!(InlineVec::<u8, 8>::from(text), text.as_bytes());
        }
    }
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

/// Code units biased toward surrogates (paired, unpaired, reversed) and multi-byte text.
fn utf16_units() -> impl Strategy<Value = Vec<u16>> {
    proptest::collection::vec(
        prop_oneof![
            Just(0x61u16),
            Just(0xE9),
            Just(0x20AC),
            Just(0xD83E),
            Just(0xDD80),
            0xD800u16..0xE000,
            any::<u16>(),
        ],
        0..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    /// `from_utf16` and `from_utf16_lossy` give `String`'s text and errors, inline whenever
    /// the text fits the budget, and into a string that cannot grow exactly when it fits.
    #[test]
    fn from_utf16_agrees_with_string(units in utf16_units()) {
        let std = String::from_utf16(&units);
        let lossy = String::from_utf16_lossy(&units);
        let ours: Result<StackString<8>, _> = StackString::from_utf16(&units);
        match (&ours, &std) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.as_str(), b.as_str());
                prop_assert_eq!(a.spilled(), b.len() > 8);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            _ => prop_assert!(false, "{:?} against {:?}", ours, std),
        }
        let ours = StackString::<32>::from_utf16_lossy(&units);
        prop_assert_eq!(ours.as_str(), lossy.as_str());
        // The text takes at least a byte per code unit.
        if lossy.len() <= 16 {
            prop_assert_eq!(StackString::<16, NoHeap>::from_utf16_lossy_in(&units, NoHeap), lossy);
        } else {
            quiet();
            let fixed = panic_of(|| drop(StackString::<16, NoHeap>::from_utf16_lossy_in(&units, NoHeap)));
            prop_assert_eq!(fixed, "capacity exceeded");
        }
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
    let mut a: StackString = StackString::from("é");
    let mut b = String::from("é");
    assert_eq!(panic_of(|| a.insert(1, 'x')), panic_of(|| b.insert(1, 'x')));
    assert_eq!(panic_of(|| a.truncate(1)), panic_of(|| b.truncate(1)));
    assert_eq!(
        panic_of(|| {
            a.remove(1);
        }),
        panic_of(|| {
            b.remove(1);
        })
    );
    assert_eq!(
        panic_of(|| {
            a.remove(2);
        }),
        panic_of(|| {
            b.remove(2);
        })
    );
    assert_eq!(
        panic_of(|| drop(a.drain(1..))),
        panic_of(|| drop(b.drain(1..)))
    );
    assert_eq!(
        panic_of(|| drop(a.drain(..3))),
        panic_of(|| drop(b.drain(..3)))
    );
    assert_eq!(
        panic_of(|| a.replace_range(..1, "")),
        panic_of(|| b.replace_range(..1, ""))
    );
    assert_eq!(
        panic_of(|| drop(a.split_off(1))),
        panic_of(|| drop(b.split_off(1)))
    );
    assert_eq!(a, b);
}

/// The accessors `String` and `Vec` made `const` (Rust 1.87) are `const` here too: usable in
/// `const fn`s and in the initializers of statics.
#[test]
fn accessors_are_const_like_string_and_vec() {
    const fn facts<const N: usize>(s: &InlineString<N>) -> (usize, bool, usize, bool, &str) {
        assert!(s.as_bytes().len() == s.len());
        (s.len(), s.is_empty(), s.capacity(), s.spilled(), s.as_str())
    }
    const fn shout<const N: usize>(s: &mut InlineString<N>) {
        s.as_mut_str().make_ascii_uppercase();
    }
    const fn bump_first<const N: usize>(v: &mut InlineVec<u8, N>) {
        if let Some(x) = v.as_mut_slice().first_mut() {
            *x += 1;
        }
        // SAFETY: the slot after the length is in the vector's buffer (capacity 4, length 2);
        // nothing reads it.
        unsafe { v.as_mut_ptr().add(2).write(0) };
    }
    static EMPTY: InlineString<8> = InlineString::new();
    static EMPTY_FACTS: (usize, bool, usize, bool) = {
        let (len, empty, cap, spilled, _) = facts(&EMPTY);
        (len, empty, cap, spilled)
    };
    assert_eq!(EMPTY_FACTS, (0, true, 8, false));
    let mut s: InlineString<8> = InlineString::from("héllo");
    shout(&mut s);
    assert_eq!(facts(&s), (6, false, 8, false, "HéLLO"));
    let mut v: InlineVec<u8, 4> = InlineVec::from([1, 2]);
    bump_first(&mut v);
    assert_eq!(v, [2, 2]);
}

/// The std conversions `String` has that `StackString` gained: `Index`/`IndexMut` as traits
/// (panicking as `String`'s do), a clone from `&StackString`, the bytes out as a `StackVec`
/// and back in by `TryFrom`, `Extend`/`FromIterator` of other `StackString`s, and (with `std`)
/// into `OsString` and `PathBuf`.
#[test]
fn index_try_from_and_string_items_like_string() {
    use std::ops::{Index, IndexMut};
    fn first_two<S: Index<std::ops::Range<usize>, Output = str> + ?Sized>(s: &S) -> &str {
        &s[0..2]
    }
    let mut s: StackString = StackString::from("añb");
    let mut t = String::from("añb");
    assert_eq!(&s[1..3], &t[1..3]);
    assert_eq!(s.index(..), "añb");
    assert_eq!(
        first_two(&StackString::<32>::from("abc")),
        first_two(&String::from("abc"))
    );
    s.index_mut(3..).make_ascii_uppercase();
    t[3..].make_ascii_uppercase();
    assert_eq!(s, t);
    let black_box = std::hint::black_box::<&str>;
    assert_eq!(
        panic_of(|| _ = black_box(&s[..2])),
        panic_of(|| _ = black_box(&t[..2]))
    );
    assert_eq!(
        panic_of(|| _ = black_box(&s[..9])),
        panic_of(|| _ = black_box(&t[..9]))
    );
    assert_eq!(
        panic_of(|| _ = s.index_mut(2..)),
        panic_of(|| _ = t.index_mut(2..))
    );

    // From a borrowed StackString: a clone, inline when it fits.
    let long: StackString<8> = StackString::from("longer than eight");
    for src in [StackString::<8>::from("short"), long] {
        let (copy, heap) = count_heap(|| StackString::from(&src));
        assert_eq!(copy, src);
        assert_eq!(
            (copy.spilled(), heap.allocs),
            (src.spilled(), usize::from(src.spilled()))
        );
    }

    // The bytes out, the same buffer; and back by `TryFrom`, as `String::try_from(Vec<u8>)`.
    let spilled: StackString<8> = StackString::from("longer than eight");
    let at = spilled.as_ptr();
    let bytes = StackVec::from(spilled);
    assert_eq!(
        (bytes.as_ptr(), bytes.as_slice()),
        (at, &b"longer than eight"[..])
    );
    let back = StackString::try_from(bytes).unwrap();
    assert_eq!((back.as_ptr(), back.as_str()), (at, "longer than eight"));
    let bad = StackVec::<u8, 8>::from(&b"a\xffb"[..]);
    let err = StackString::try_from(bad).unwrap_err();
    // `String::try_from(Vec<u8>)` (Rust 1.87, after the MSRV) is `from_utf8`.
    let std_err = String::from_utf8(b"a\xffb".to_vec()).unwrap_err();
    assert_eq!(err.utf8_error(), std_err.utf8_error());
    assert_eq!(err.into_bytes(), std_err.into_bytes());
    let fixed: InlineString<4> = InlineString::try_from(InlineVec::<u8, 4>::from("abcd")).unwrap();
    assert_eq!(fixed, "abcd");

    // Extend and collect other StackStrings, of any budget and allocator.
    let mut s: StackString<4> = StackString::from("a");
    s.extend([InlineString::<4>::from("bc"), InlineString::from("")]);
    s.extend(vec![StackString::<64>::from("d€")]);
    assert_eq!(s, "abcd€");
    let words = ["x", "yz", "ñ"].map(StackString::<2>::from);
    let joined: StackString = words.into_iter().collect();
    let std_joined: String = ["x", "yz", "ñ"].map(String::from).into_iter().collect();
    assert_eq!(joined, std_joined);
    let none: InlineString<4> = std::iter::empty::<StackString>().collect();
    assert!(none.is_empty());

    // With `std`: into the OS types, a spilled buffer handed over.
    #[cfg(feature = "std")]
    {
        use std::ffi::OsString;
        use std::path::PathBuf;
        let spilled: StackString<8> = StackString::from("dir/longer/file.txt");
        let at = spilled.as_ptr();
        let os = OsString::from(spilled);
        assert_eq!(os, "dir/longer/file.txt");
        let path = PathBuf::from(os.into_string().map(StackString::<8>::from).unwrap());
        assert_eq!(path.file_name().unwrap(), "file.txt");
        assert_eq!(path.as_os_str().as_encoded_bytes().as_ptr(), at);
        assert_eq!(
            PathBuf::from(StackString::<8>::from("a")),
            PathBuf::from("a")
        );
    }
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
    let mut s = StackString::<4, NoHeap>::new();
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
    assert_eq!(err.downcast_ref::<&str>(), Some(&"capacity exceeded"));
}

/// A `Display` that swallows the error of a piece that did not fit (and one that fails on its
/// own): `format_in` into a string that cannot grow does not return the truncated text.
#[test]
fn format_in_a_string_that_cannot_grow_sees_a_swallowed_error() {
    quiet();
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::format_in(
            format_args!("{Swallows}"),
            NoHeap
        ))),
        "capacity exceeded"
    );
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::format_in(
            format_args!("{Fails}"),
            NoHeap
        ))),
        "a formatting trait implementation returned an error"
    );
    // A string that grows writes every piece.
    let s = StackString::<4>::format_in(format_args!("{Swallows}"), Global);
    assert_eq!(s, "0123456789x");
}

/// `try_format_in`: `format!`'s text whenever the allocator grants the room, else the
/// refusal, with nothing kept; in a fixed frame it succeeds exactly when the text fits what
/// the frame has left (a refused doubling falls back to the exact size), and a `Display` that
/// swallows the refusal does not turn it into a truncated text.
#[test]
fn try_format_in_fails_exactly_when_the_text_cannot_fit() {
    for (n, word) in [
        (0, ""),
        (7, "x"),
        (123_456, "a longer word than the budget holds"),
    ] {
        let ours = StackString::<8, _>::try_format_in(format_args!("{n}:{word}"), Global);
        assert_eq!(ours.unwrap(), format!("{n}:{word}"));
    }
    let mut memory = [std::mem::MaybeUninit::uninit(); 64];
    let mut arena = stackfirst::Arena::from_memory(&mut memory);
    arena.frame(|f| {
        let room = f.remaining();
        assert!(room > 8, "{room}");
        for width in 0..=room + 8 {
            let r = StackString::<8, _>::try_format_in(format_args!("{:>width$}", 7), &f);
            match r {
                Ok(s) => {
                    assert!(width <= room, "{width} > {room}");
                    assert_eq!(s, format!("{:>width$}", 7));
                }
                Err(e) => {
                    assert!(width > room, "{width} <= {room}: {e}");
                    assert_eq!(f.used(), 0, "the refused text is given back");
                }
            }
        }
    });
    let e = StackString::<4, NoHeap>::try_format_in(format_args!("{SwallowsAll}"), NoHeap);
    assert_eq!(e.unwrap_err().kind(), TryReserveErrorKind::CapacityExceeded);
    let fits = StackString::<4, NoHeap>::try_format_in(format_args!("{}", 1234), NoHeap);
    assert_eq!(fits.unwrap(), "1234");
    quiet();
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::try_format_in(
            format_args!("{Fails}"),
            NoHeap
        ))),
        "a formatting trait implementation returned an error"
    );
}

/// `try_write_fmt`: `write!` that appends all or nothing and returns the allocator's refusal,
/// for a string in a fixed arena frame (whose `write!` aborts on the refusal) and for one that
/// cannot grow (whose `write!` keeps the pieces that fitted, here a padded argument's fill).
/// In a frame it succeeds exactly when the text fits what the frame has left. (Found by an
/// embedded review: a log line in a request's frame had no fallible way to append formatted
/// text.)
#[test]
fn try_write_fmt_appends_all_or_nothing() {
    let mut memory = [std::mem::MaybeUninit::uninit(); 64];
    let mut arena = stackfirst::Arena::from_memory(&mut memory);
    arena.frame(|f| {
        let room = f.remaining();
        for width in 0..=room + 8 {
            let mut s = StackString::<8, _>::new_in(&f);
            s.try_write_fmt(format_args!("{}-", 1)).unwrap();
            match s.try_write_fmt(format_args!("{:>width$}", 7)) {
                Ok(()) => {
                    assert!(2 + width <= room, "{width} + 2 > {room}");
                    assert_eq!(s, format!("1-{:>width$}", 7));
                }
                Err(e) => {
                    assert!(2 + width > room, "{width} + 2 <= {room}: {e}");
                    assert!(matches!(e.kind(), TryReserveErrorKind::AllocError { .. }));
                    assert_eq!(s, "1-", "unchanged");
                    s.try_write_fmt(format_args!("{}", 2)).unwrap();
                    assert_eq!(s, "1-2");
                }
            }
        }
    });
    let mut fixed = StackString::<8, NoHeap>::new();
    fixed.push_str("abc");
    let e = fixed
        .try_write_fmt(format_args!("{:>6}", 12345))
        .unwrap_err();
    assert_eq!(e.kind(), TryReserveErrorKind::CapacityExceeded);
    assert_eq!(fixed, "abc", "write! would keep \"abc \"");
    fixed.try_write_fmt(format_args!("{:>5}", 12345)).unwrap();
    assert_eq!(fixed, "abc12345");
    // A `Display` that swallows the refusal does not turn it into a truncated text.
    let mut s = StackString::<4, NoHeap>::new();
    s.push('z');
    let e = s.try_write_fmt(format_args!("{SwallowsAll}")).unwrap_err();
    assert_eq!(
        (e.kind(), s.as_str()),
        (TryReserveErrorKind::CapacityExceeded, "z")
    );
    // A `Display` that fails on its own panics, as `format!` does; one that panics unwinds.
    // Either way the text written before is cut back (regression: only a refusal cut it back,
    // so a panic kept it; helper-80's sweep found it with an allocator that unwinds).
    quiet();
    let mut s = StackString::<8>::from("z");
    assert_eq!(
        panic_of(|| {
            let _ = s.try_write_fmt(format_args!("{}{Fails}", "past eight bytes"));
        }),
        "a formatting trait implementation returned an error"
    );
    assert_eq!(
        panic_of(|| {
            let _ = s.try_write_fmt(format_args!("{}{Panics}", "past eight bytes"));
        }),
        "Display panics"
    );
    assert_eq!(s, "z");
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
    // A spilled string's buffer becomes the owned `Cow`'s.
    let spilled = StackString::<32>::from(long);
    let at = spilled.as_ptr();
    let cow = Cow::<str>::from(spilled);
    assert!(matches!(cow, Cow::Owned(ref s) if s.as_ptr() == at && s == long));
    let mut joined = StackString::<32>::from("a");
    joined.extend([Box::<str>::from("b"), Box::<str>::from("c")]);
    assert_eq!(joined, "abc");
    let collected: StackString = [Box::<str>::from("d"), Box::<str>::from("e")]
        .into_iter()
        .collect();
    assert_eq!(collected, "de");
    // A boxed error reads as `String`'s does.
    let ours: Box<dyn Error + Send + Sync> = short.into();
    let std: Box<dyn Error + Send + Sync> = String::from("short").into();
    assert_eq!(
        (ours.to_string(), format!("{ours:?}")),
        (std.to_string(), format!("{std:?}"))
    );
}

/// `Extend` with owned pieces, as `String` has: `String`s and `Cow`s (borrowed and owned), every
/// piece in order, spilling on the way; and `From<Cow>` copies the text in as `From<&str>`
/// does, also an owned `Cow` (its buffer is not adopted).
#[test]
fn extend_with_strings_and_cows_and_from_an_owned_cow() {
    use std::borrow::Cow;

    let mut s = StackString::<8>::from("a");
    s.extend([String::from("bc"), String::new(), String::from("defghijk")]);
    assert_eq!((s.as_str(), s.spilled()), ("abcdefghijk", true));
    s.extend([
        Cow::Borrowed("l"),
        Cow::Owned(String::from("mn")),
        Cow::Borrowed(""),
    ]);
    assert_eq!(s, "abcdefghijklmn");
    let long = "x".repeat(40);
    let owned = StackString::<32>::from(Cow::Owned(long.clone()));
    let borrowed = StackString::<32>::from(long.as_str());
    assert_eq!(
        (owned.as_str(), owned.capacity()),
        (long.as_str(), borrowed.capacity())
    );
}

/// The borrowing conversions `String` has: a borrowed `Cow` of the text, and the text's socket
/// addresses.
#[test]
fn a_borrowed_cow_and_socket_addresses_as_string_gives_them() {
    use std::borrow::Cow;
    use std::net::ToSocketAddrs;
    for text in ["short", "longer than the thirty-two byte budget"] {
        let s = StackString::<32>::from(text);
        let cow = Cow::from(&s);
        assert!(matches!(cow, Cow::Borrowed(t) if t.as_ptr() == s.as_ptr() && t == text));
    }
    for text in ["127.0.0.1:8080", "[::1]:443", "no port here"] {
        let ours = StackString::<32>::from(text).to_socket_addrs();
        let std = String::from(text).to_socket_addrs();
        match (ours, std) {
            (Ok(a), Ok(b)) => assert!(a.eq(b), "{text}"),
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{text}"),
            (a, b) => panic!("{text}: {a:?} against {b:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Edge cases the model does not reach (adversarial review): extreme range bounds, NoHeap at
// the limit, panicking allocators and closures, leaked drains, conversions, macros, serde
// ---------------------------------------------------------------------------------------------

/// `drain` with any bounds panics exactly when, and as, `String::drain` panics, and leaves the
/// same text.
#[test]
fn drain_extreme_bounds_like_string() {
    quiet();
    let text = "aé€😀z";
    for r in extreme_ranges(text.len()) {
        let mut s: StackString<4> = StackString::from(text);
        let mut v = String::from(text);
        let a = catch_unwind(AssertUnwindSafe(|| s.drain(r).collect::<String>()));
        let b = catch_unwind(AssertUnwindSafe(|| v.drain(r).collect::<String>()));
        match (a, b) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{r:?}"),
            (Err(a), Err(b)) => {
                assert_eq!(panic_message(&*a), panic_message(&*b), "{r:?}");
            }
            (a, b) => panic!(
                "{r:?}: StackString ok={} String ok={}",
                a.is_ok(),
                b.is_ok()
            ),
        }
        assert_eq!(s, v, "{r:?}");
        valid(&s);
    }
}

/// `replace_range` with any bounds panics exactly when `String::replace_range` panics, and
/// leaves the same text.
#[test]
fn replace_range_extreme_bounds_like_string() {
    quiet();
    let text = "aé€😀z";
    for r in extreme_ranges(text.len()) {
        let mut s: StackString<4> = StackString::from(text);
        let mut v = String::from(text);
        let a = catch_unwind(AssertUnwindSafe(|| s.replace_range(r, "ß")));
        let b = catch_unwind(AssertUnwindSafe(|| v.replace_range(r, "ß")));
        assert_eq!(a.is_ok(), b.is_ok(), "{r:?}");
        assert_eq!(s, v, "{r:?}");
        valid(&s);
    }
}

/// A `RangeBounds` that answers differently each time it is asked (rust-lang/rust#81138).
struct Shifty {
    calls: Cell<usize>,
}
impl std::ops::RangeBounds<usize> for Shifty {
    fn start_bound(&self) -> Bound<&usize> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() % 2 == 1 {
            Bound::Included(&1)
        } else {
            Bound::Included(&2)
        }
    }
    fn end_bound(&self) -> Bound<&usize> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() % 2 == 1 {
            Bound::Excluded(&1)
        } else {
            Bound::Excluded(&2)
        }
    }
}

#[test]
fn shifty_range_bounds_cannot_split_a_char() {
    quiet();
    for first in 0..4 {
        let mut s: StackString<4> = StackString::from("aéz");
        let r = Shifty {
            calls: Cell::new(first),
        };
        let _ = catch_unwind(AssertUnwindSafe(|| s.replace_range(r, "xyz")));
        valid(&s);
        let mut s: StackString<4> = StackString::from("aéz");
        let r = Shifty {
            calls: Cell::new(first),
        };
        let _ = catch_unwind(AssertUnwindSafe(|| drop(s.drain(r))));
        valid(&s);
    }
    // `Shifty`'s two bounds, read one after the other, form a range that panics (1..2 or 2..1
    // in "aéz"), so they never reach a second read of the bounds (rust-lang/rust#81138). A
    // range that is valid when first read and splits 'é' when read again does:
    let r = ValidThenSplitting(Cell::new(0));
    let mut s: StackString<4> = StackString::from("aéz");
    s.replace_range(r, "xyz");
    valid(&s);
    assert_eq!(s, "axyzz");
    let r = ValidThenSplitting(Cell::new(0));
    let mut s: StackString<4> = StackString::from("aéz");
    assert_eq!(s.drain(r).collect::<String>(), "é");
    valid(&s);
    assert_eq!(s, "az");
}

/// `1..3` (the 'é' of "aéz") the first time its start is asked, `2..3` (its second byte)
/// afterwards.
struct ValidThenSplitting(Cell<usize>);
impl std::ops::RangeBounds<usize> for ValidThenSplitting {
    fn start_bound(&self) -> Bound<&usize> {
        self.0.set(self.0.get() + 1);
        if self.0.get() == 1 {
            Bound::Included(&1)
        } else {
            Bound::Included(&2)
        }
    }
    fn end_bound(&self) -> Bound<&usize> {
        Bound::Excluded(&3)
    }
}

/// `retain` whose closure panics at every possible call, over multi-byte text, inline and
/// spilled: the result is what `String::retain` leaves.
#[test]
fn retain_panicking_at_every_step_matches_string() {
    quiet();
    let text = "aé€😀zß\u{10ffff}q";
    let nchars = text.chars().count();
    for k in 1..=nchars {
        for keep_mask in 0u32..16 {
            let f = |calls: &mut usize, c: char| {
                *calls += 1;
                if *calls == k {
                    panic!("boom");
                }
                (keep_mask >> (c as u32 % 4)) & 1 == 1
            };
            let mut s: StackString<4> = StackString::from(text);
            let mut v = String::from(text);
            let (mut cs, mut cv) = (0, 0);
            let _ = catch_unwind(AssertUnwindSafe(|| s.retain(|c| f(&mut cs, c))));
            let _ = catch_unwind(AssertUnwindSafe(|| v.retain(|c| f(&mut cv, c))));
            assert_eq!(s, v, "k={k} mask={keep_mask}");
            valid(&s);
        }
    }
}

/// A leaked `Drain` (string or from a partially consumed iterator) leaves valid UTF-8 that can
/// still be used.
#[test]
fn forgotten_drains_leave_usable_utf8() {
    for start in [0, 1, 3, 6, 10] {
        for end in [start, 10, 11] {
            let text = "aé€😀z";
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) || end < start {
                continue;
            }
            for taken in 0..3 {
                let mut s: StackString<4> = StackString::from(text);
                let mut d = s.drain(start..end);
                for _ in 0..taken {
                    d.next_back();
                    d.next();
                }
                std::mem::forget(d);
                valid(&s);
                assert_eq!(s.as_str(), &text[..start]);
                s.push_str("€");
                s.insert(0, 'ß');
                valid(&s);
                s.shrink_to_fit();
                valid(&s);
            }
        }
    }
}

/// Around the inline limit: every length 0..=3N, multi-byte chars straddling the limit, the
/// spill, the move back inline and `into_heap_exact`.
#[test]
fn spill_boundaries_with_straddling_chars() {
    fn run<const N: usize>() {
        for c in ['a', 'é', '€', '😀'] {
            for prefix in 0..=N + 1 {
                let mut s: StackString<N> = StackString::new();
                let mut v = String::new();
                for _ in 0..prefix {
                    s.push('x');
                    v.push('x');
                }
                s.push(c);
                v.push(c);
                assert_eq!(s, v);
                assert_eq!(s.spilled(), v.len() > N);
                s.insert(prefix, c);
                v.insert(prefix, c);
                assert_eq!(s, v);
                assert_eq!(s.pop(), v.pop());
                s.shrink_to_fit();
                assert_eq!(s.spilled(), v.len() > N);
                assert_eq!(s, v);
                let t = s.split_off(prefix);
                let u = v.split_off(prefix);
                assert_eq!((s.as_str(), t.as_str()), (v.as_str(), u.as_str()));
                let h = t.clone().into_heap_exact();
                assert_eq!(h, u);
                let b: Box<str> = t.into_boxed_str();
                assert_eq!(&*b, u);
                valid(&s);
            }
        }
    }
    run::<0>();
    run::<1>();
    run::<3>();
    run::<4>();
    run::<5>();
    run::<32>();
}

/// A full `NoHeap` string: every growing method panics with "capacity exceeded" and leaves the
/// text unchanged; `write!` reports an error without splitting a char.
#[test]
fn no_heap_full_never_truncates_or_splits() {
    quiet();
    let mut s = StackString::<5, NoHeap>::new();
    s.push_str("ab€"); // 5 bytes: full
    let before = s.as_str().to_string();
    assert_eq!(panic_of(|| s.push('x')), "capacity exceeded");
    assert_eq!(panic_of(|| s.push('é')), "capacity exceeded");
    assert_eq!(panic_of(|| s.push_str("y")), "capacity exceeded");
    assert_eq!(panic_of(|| s.insert(0, 'y')), "capacity exceeded");
    assert_eq!(panic_of(|| s.insert_str(2, "y")), "capacity exceeded");
    assert_eq!(
        panic_of(|| s.replace_range(0..1, "yy")),
        "capacity exceeded"
    );
    assert_eq!(panic_of(|| s.extend(['q'])), "capacity exceeded");
    assert_eq!(panic_of(|| s.reserve(1)), "capacity exceeded");
    assert_eq!(panic_of(|| s.reserve_exact(1)), "capacity exceeded");
    assert_eq!(
        panic_of(|| assert!(!s.clone().leak().is_empty())),
        "capacity exceeded"
    );
    assert_eq!(s, before);
    valid(&s);
    // Shrinking replacements still work.
    s.replace_range(2..5, "é");
    assert_eq!(s, "abé");
    let (euro, x) = ('€', 'x'); // variables: literal arguments are joined into the format string
    assert!(write!(s, "{euro}").is_err());
    assert_eq!(s, "abé");
    assert!(write!(s, "{x}").is_ok());
    assert_eq!(s, "abéx");
    valid(&s);

    // One byte short for a 4-byte char.
    let mut t = StackString::<4, NoHeap>::new();
    t.push('a');
    assert!(t.write_char('😀').is_err());
    assert!(write!(t, "{:>4}", "b").is_err());
    valid(&t);
    assert_eq!(t, "a   "); // padding fitted, the piece did not
}

/// A `Display` that ignores the error of a piece that did not fit and goes on writing.
struct Swallows;

impl std::fmt::Display for Swallows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let _ = f.write_str("0123456789");
        f.write_str("x")
    }
}

/// A `Display` that ignores the error of a piece that did not fit and returns `Ok`.
struct SwallowsAll;

impl std::fmt::Display for SwallowsAll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let _ = f.write_str("0123456789");
        Ok(())
    }
}

/// A `Display` that panics, after writing two bytes.
struct Panics;

impl std::fmt::Display for Panics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ab")?;
        panic!("Display panics")
    }
}

/// A `Display` that fails on its own, after writing two bytes.
struct Fails;

impl std::fmt::Display for Fails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ab")?;
        Err(std::fmt::Error)
    }
}

/// `write!` into a string that cannot grow, through a `Display` that swallows the error of a
/// piece that did not fit: an error, and the string keeps only what came before that piece.
/// (Found by review: `Ok(())` and "abx", the ten bytes silently dropped.)
#[test]
fn no_heap_write_reports_a_piece_a_display_swallowed() {
    let mut s: InlineString<4> = InlineString::new();
    assert!(write!(s, "ab{}", Swallows).is_err());
    assert_eq!(s, "ab");
    // Borrowed `NoHeap` too; a piece that fits afterwards is appended as before.
    let mut b: StackString<4, &NoHeap> = StackString::new_in(&NoHeap);
    assert!(write!(b, "{}", Swallows).is_err());
    assert_eq!(b, "");
    assert!(write!(b, "ok").is_ok());
    assert_eq!(b, "ok");
    // A string that grows writes every piece.
    let mut g: StackString<4> = StackString::new();
    assert!(write!(g, "ab{}", Swallows).is_ok());
    assert_eq!(g, "ab0123456789x");
}

#[test]
fn no_heap_macros_and_constructors() {
    quiet();
    let n = 1234;
    let ok = StackString::<4, NoHeap>::format_in(format_args!("{n}"), NoHeap);
    assert_eq!(ok, "1234");
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::format_in(
            format_args!("{n}5"),
            NoHeap
        ))),
        "capacity exceeded"
    );
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::format_in(
            format_args!("12345"),
            NoHeap
        ))),
        "capacity exceeded"
    );
    let c = StackString::<4, NoHeap>::concat_in(&["ab", "é"], NoHeap);
    assert_eq!(c, "abé");
    assert_eq!(
        panic_of(|| drop(StackString::<4, NoHeap>::concat_in(&["ab", "€"], NoHeap))),
        "capacity exceeded"
    );
    let fits = StackString::<6, NoHeap>::from_utf8_lossy_in(b"a\xffb", NoHeap);
    assert_eq!(fits, "a\u{FFFD}b");
}

#[cfg(feature = "serde")]
#[test]
fn serde_no_heap_at_the_limit() {
    // Exactly N bytes, multi-byte.
    let s: StackString<5, NoHeap> = serde_json::from_str(r#""ab€""#).unwrap();
    assert_eq!(s, "ab€");
    // One byte over, the last char multi-byte: error, no partial text.
    let e = serde_json::from_str::<StackString<4, NoHeap>>(r#""ab€""#).unwrap_err();
    assert!(e.to_string().starts_with("capacity exceeded"), "{e}");
    // Escaped input goes through visit_str with an owned buffer.
    let s: StackString<4, NoHeap> = serde_json::from_str(r#""\u00e9\u00e9""#).unwrap();
    assert_eq!(s, "éé");
    let e = serde_json::from_str::<StackString<3, NoHeap>>(r#""\u00e9\u00e9""#).unwrap_err();
    assert!(e.to_string().starts_with("capacity exceeded"), "{e}");
    // Bytes that are not UTF-8.
    let e = serde_json::from_slice::<StackString>(b"\"\xff\"").unwrap_err();
    let f = serde_json::from_slice::<String>(b"\"\xff\"").unwrap_err();
    assert_eq!(e.to_string(), f.to_string());
}

/// An allocator that that refuses, through `serde`: an error, not an abort.
#[cfg(feature = "serde")]
#[test]
fn serde_failing_allocator_is_an_error() {
    let ok: StackString<8, Refuse> = serde_json::from_str(r#""12345678""#).unwrap();
    assert_eq!(ok, "12345678");
    let e = serde_json::from_str::<StackString<8, Refuse>>(r#""123456789""#).unwrap_err();
    assert!(
        e.to_string().contains("memory allocation of 9 bytes"),
        "{e}"
    );
}

/// An allocator over a `TestBacking` (which checks for leaks and double frees) that panics on
/// purpose: `allocate` once `grants` are used up (rather than failing), `deallocate` after
/// freeing while `dealloc_panics` is set.
#[derive(Clone)]
struct Panicky<'a> {
    inner: &'a TestBacking,
    grants: &'a Cell<usize>,
    dealloc_panics: &'a Cell<bool>,
}
// SAFETY: forwards to a TestBacking; the panics happen before a block is handed out, or after
// it is freed.
unsafe impl Allocator for Panicky<'_> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if self.grants.get() == 0 {
            panic!("allocate panicked");
        }
        self.grants.set(self.grants.get() - 1);
        self.inner.allocate(layout)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded.
        unsafe { self.inner.deallocate(ptr, layout) };
        if self.dealloc_panics.get() {
            panic!("deallocate panicked");
        }
    }
}

/// The string is never left pointing at a block it asked to free, so nothing is freed twice.
#[test]
fn panicking_deallocate_frees_once() {
    quiet();
    let backing = TestBacking::new();
    let (grants, panics) = (Cell::new(usize::MAX), Cell::new(false));
    let a = Panicky {
        inner: &backing,
        grants: &grants,
        dealloc_panics: &panics,
    };
    {
        let mut s: StackString<8, Panicky> = StackString::new_in(a.clone());
        s.push_str("0123456789€");
        s.truncate(3);
        panics.set(true);
        assert_eq!(panic_of(|| s.shrink_to_fit()), "deallocate panicked");
        valid(&s);
        assert_eq!(s, "012");
        panics.set(false);
        s.push_str("more than eight bytes");
        panics.set(true);
        let r = catch_unwind(AssertUnwindSafe(|| {
            let mut s = s;
            s.clear();
            drop(s);
        }));
        assert!(r.is_err());
        panics.set(false);
    }
    assert_eq!(backing.live_blocks(), 0);
}

/// Panicking iterators mid-extend leave what was pushed, valid.
#[test]
fn extend_with_panicking_iterators() {
    quiet();
    for n in 0..12 {
        let mut s: StackString<4> = StackString::from("é");
        let it = "a€😀bcdefghijkl".chars().enumerate().map(|(i, c)| {
            if i == n {
                panic!("iter");
            }
            c
        });
        let _ = catch_unwind(AssertUnwindSafe(|| s.extend(it)));
        valid(&s);
        // What was pushed stays: what `String::extend` keeps from the same iterator.
        let mut v = String::from("é");
        v.extend("a€😀bcdefghijkl".chars().take(n));
        assert_eq!(s, v, "chars, panic at {n}");
        let mut s: StackString<4> = StackString::from("é");
        let it = ["a", "€", "😀", "bcdefg", "h"]
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == n {
                    panic!("iter");
                }
                c
            });
        let _ = catch_unwind(AssertUnwindSafe(|| s.extend(it)));
        valid(&s);
        // The same for `Extend<&str>`.
        let mut v = String::from("é");
        v.extend(["a", "€", "😀", "bcdefg", "h"].into_iter().take(n));
        assert_eq!(s, v, "strs, panic at {n}");
    }
}

/// The right-hand side of `<` is inferred from the left, as for `String`.
#[test]
fn ordering_infers_the_right_hand_side() {
    let a: StackString<8> = StackString::from("a");
    let b = StackString::from("b"); // its budget and allocator come from the comparison
    assert!(a < b);
    assert_eq!(
        a.partial_cmp(&"b".parse().unwrap()),
        Some(std::cmp::Ordering::Less)
    );
}

/// Hash, Eq, Ord agree with `str` across budgets, spilled or not.
#[test]
fn hash_eq_ord_agree_with_str() {
    let h = |x: &dyn Fn(&mut DefaultHasher)| {
        let mut s = DefaultHasher::new();
        x(&mut s);
        s.finish()
    };
    let words = [
        "",
        "a",
        "ab",
        "é",
        "\u{7f}",
        "\u{80}",
        "😀",
        "a longer text over the budget",
    ];
    for a in words {
        for b in words {
            let sa: StackString<2> = StackString::from(a);
            let sb: StackString<2> = StackString::from(b);
            assert_eq!(sa.cmp(&sb), a.cmp(b));
            assert_eq!(sa.partial_cmp(&sb), a.partial_cmp(b));
            assert_eq!(sa == sb, a == b);
        }
        let s: StackString<2> = StackString::from(a);
        assert_eq!(h(&|st| s.hash(st)), h(&|st| a.hash(st)));
        let b: &str = std::borrow::Borrow::borrow(&s);
        assert_eq!(b, a);
    }
}

/// Conversions out of a spilled string with spare capacity, and of an empty one.
#[test]
fn conversions_with_spare_capacity_and_empty() {
    use std::borrow::Cow;
    use std::rc::Rc;
    use std::sync::Arc;
    for text in [
        "",
        "é",
        "exactly thirty-two bytes long!!!",
        "more than thirty-two bytes of text",
    ] {
        let mut s: StackString = StackString::with_capacity(100);
        s.push_str(text);
        let b: Box<str> = s.clone().into();
        assert_eq!(&*b, text);
        let st: String = s.clone().into();
        assert_eq!(st, text);
        let v: Vec<u8> = s.clone().into();
        assert_eq!(v, text.as_bytes());
        let r: Rc<str> = s.clone().into();
        assert_eq!(&*r, text);
        let a: Arc<str> = s.clone().into();
        assert_eq!(&*a, text);
        let e: Box<dyn std::error::Error> = s.clone().into();
        assert_eq!(e.to_string(), text);
        let back: StackString<4> = StackString::from(Box::<str>::from(text));
        assert_eq!(back, text);
        let back: StackString<4> = StackString::from(Cow::Borrowed(text));
        assert_eq!(back, text);
        let back: StackString<4> = StackString::from(String::with_capacity(3) + text);
        assert_eq!(back, text);
        let mut back = back;
        back.shrink_to_fit();
        back.push('x');
        valid(&back);
    }
}

#[test]
fn macros_evaluate_each_argument_once_and_in_order() {
    let mut calls = Vec::new();
    let mut part = |x: &'static str| {
        calls.push(x);
        x
    };
    let s = stack_concat!(part("a"), part("é"), part("c"));
    assert_eq!(s, "aéc");
    assert_eq!(calls, ["a", "é", "c"]);
    let s = stack_concat!();
    assert_eq!(s, "");
    let x = "é".repeat(20);
    let f = stack_format!("{x}{x}");
    assert_eq!(f, format!("{x}{x}"));
    let g = stack_format!(in Global; "{x}");
    assert_eq!(g, x);
    let bytes = StackVec::<u8, 8>::from(*b"\xe2\x82");
    assert!(StackString::from_utf8(bytes).is_err());
}

/// Differential model of a string that cannot grow (`NoHeap`) against `String`: every step
/// either does what `String` does (when the result fits `N`), or panics with "capacity
/// exceeded" (`write!`: returns an error), leaving valid UTF-8 and, for the steps that edit in
/// one piece, the text unchanged. Bad indices panic as `String` does.
mod no_heap_model {
    use super::*;

    #[derive(Debug, Clone)]
    pub enum Op {
        Push(char),
        PushStr(String),
        TryPush(char),
        TryPushStr(String),
        Insert(usize, char),
        InsertStr(usize, String),
        Replace(usize, usize, String),
        Write(String, usize),
        Extend(String),
        Pop,
        Remove(usize),
        Truncate(usize),
        Drain(usize, usize),
        Retain(u32),
        SplitOff(usize),
        Clone,
        Lossy(Vec<u8>),
        Concat(Vec<String>),
        Format(String, i32),
        TryFormat(String, i32, usize),
    }

    fn text() -> impl Strategy<Value = String> {
        "[aé€😀]{0,5}"
    }

    fn op() -> impl Strategy<Value = Op> {
        let c = prop_oneof![Just('a'), Just('é'), Just('€'), Just('😀')];
        let i = 0usize..20;
        prop_oneof![
            c.clone().prop_map(Op::Push),
            text().prop_map(Op::PushStr),
            c.clone().prop_map(Op::TryPush),
            text().prop_map(Op::TryPushStr),
            (i.clone(), c).prop_map(|(i, c)| Op::Insert(i, c)),
            (i.clone(), text()).prop_map(|(i, t)| Op::InsertStr(i, t)),
            (i.clone(), i.clone(), text()).prop_map(|(a, b, t)| Op::Replace(a, b, t)),
            (text(), 0usize..8).prop_map(|(t, w)| Op::Write(t, w)),
            text().prop_map(Op::Extend),
            Just(Op::Pop),
            i.clone().prop_map(Op::Remove),
            i.clone().prop_map(Op::Truncate),
            (i.clone(), i.clone()).prop_map(|(a, b)| Op::Drain(a, b)),
            any::<u32>().prop_map(Op::Retain),
            i.clone().prop_map(Op::SplitOff),
            Just(Op::Clone),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(Op::Lossy),
            proptest::collection::vec(text(), 0..3).prop_map(Op::Concat),
            (text(), any::<i32>()).prop_map(|(t, n)| Op::Format(t, n)),
            (text(), any::<i32>(), 0usize..24).prop_map(|(t, n, w)| Op::TryFormat(t, n, w)),
        ]
    }

    pub fn run<const N: usize>(ops: &[Op]) {
        quiet();
        let mut s = StackString::<N, NoHeap>::new();
        let mut v = String::new();
        for op in ops {
            let before = s.as_str().to_string();
            let mut v2 = v.clone();
            // What String does.
            let std_result = catch_unwind(AssertUnwindSafe(|| -> Option<String> {
                match op {
                    Op::Push(c) | Op::TryPush(c) => v2.push(*c),
                    Op::PushStr(t) | Op::TryPushStr(t) => v2.push_str(t),
                    Op::Insert(i, c) => v2.insert(*i, *c),
                    Op::InsertStr(i, t) => v2.insert_str(*i, t),
                    Op::Replace(a, b, t) => v2.replace_range(*a..*b, t),
                    Op::Write(t, w) => write!(v2, "{t:>w$}").unwrap(),
                    Op::Extend(t) => v2.push_str(t),
                    Op::Pop => return v2.pop().map(String::from),
                    Op::Remove(i) => return Some(v2.remove(*i).to_string()),
                    Op::Truncate(i) => v2.truncate(*i),
                    Op::Drain(a, b) => return Some(v2.drain(*a..*b).collect()),
                    Op::Retain(m) => v2.retain(|c| (c as u32 ^ m) % 3 != 0),
                    Op::SplitOff(i) => return Some(v2.split_off(*i)),
                    Op::Clone => return Some(v2.clone()),
                    Op::Lossy(b) => v2 = String::from_utf8_lossy(b).into_owned(),
                    Op::Concat(p) => v2 = p.concat(),
                    Op::Format(t, n) => v2 = format!("{n}{t}"),
                    Op::TryFormat(t, n, w) => v2 = format!("{n:>w$}{t}"),
                }
                None
            }));
            let mut s2 = catch_unwind(AssertUnwindSafe(|| {
                let mut c = StackString::<N, NoHeap>::new();
                c.push_str(&before);
                c
            }))
            .unwrap();
            let mine = catch_unwind(AssertUnwindSafe(|| -> Result<Option<String>, ()> {
                match op {
                    Op::Push(c) => s2.push(*c),
                    Op::PushStr(t) => s2.push_str(t),
                    Op::TryPush(c) => {
                        if s2.try_push(*c).is_err() {
                            return Err(());
                        }
                    }
                    Op::TryPushStr(t) => {
                        if s2.try_push_str(t).is_err() {
                            return Err(());
                        }
                    }
                    Op::Insert(i, c) => s2.insert(*i, *c),
                    Op::InsertStr(i, t) => s2.insert_str(*i, t),
                    Op::Replace(a, b, t) => s2.replace_range(*a..*b, t),
                    Op::Write(t, w) => {
                        if write!(s2, "{t:>w$}").is_err() {
                            return Err(());
                        }
                    }
                    Op::Extend(t) => s2.extend(t.chars()),
                    Op::Pop => return Ok(s2.pop().map(String::from)),
                    Op::Remove(i) => return Ok(Some(s2.remove(*i).to_string())),
                    Op::Truncate(i) => s2.truncate(*i),
                    Op::Drain(a, b) => return Ok(Some(s2.drain(*a..*b).collect())),
                    Op::Retain(m) => s2.retain(|c| (c as u32 ^ m) % 3 != 0),
                    Op::SplitOff(i) => return Ok(Some(s2.split_off(*i).to_string())),
                    Op::Clone => return Ok(Some(s2.clone().to_string())),
                    Op::Lossy(b) => s2 = StackString::from_utf8_lossy_in(b, NoHeap),
                    Op::Concat(p) => {
                        let r: Vec<&str> = p.iter().map(String::as_str).collect();
                        s2 = StackString::concat_in(&r, NoHeap)
                    }
                    Op::Format(t, n) => s2 = StackString::format_in(format_args!("{n}{t}"), NoHeap),
                    Op::TryFormat(t, n, w) => {
                        match StackString::try_format_in(format_args!("{n:>w$}{t}"), NoHeap) {
                            Ok(formatted) => s2 = formatted,
                            Err(_) => return Err(()),
                        }
                    }
                }
                Ok(None)
            }));
            valid(&s2);
            match (std_result, mine) {
                (Ok(a), Ok(Ok(b))) => {
                    assert!(v2.len() <= N, "{op:?}: fit check missed, {:?}", s2);
                    assert_eq!(a, b, "{op:?}");
                    assert_eq!(s2.as_str(), v2, "{op:?}");
                    s = s2;
                    v = v2;
                }
                (Ok(_), Ok(Err(()))) => {
                    // Reported full: String's result must not fit. `write!` keeps a prefix of
                    // String's; the `try_` methods change nothing.
                    assert!(
                        v2.len() > N,
                        "{op:?}: reported full but {} fits {N}",
                        v2.len()
                    );
                    if matches!(op, Op::TryPush(_) | Op::TryPushStr(_) | Op::TryFormat(..)) {
                        assert_eq!(s2.as_str(), before, "{op:?}: changed by a failed try_");
                    } else {
                        assert!(v2.starts_with(s2.as_str()), "{op:?}: {s2:?} vs {v2:?}");
                    }
                }
                (Ok(_), Err(e)) => {
                    let m = panic_message(&*e);
                    assert!(
                        m.starts_with("capacity exceeded"),
                        "{op:?}: panicked with {m:?} though String succeeded"
                    );
                    assert!(
                        v2.len() > N,
                        "{op:?}: panicked though {} fits {N}",
                        v2.len()
                    );
                    if matches!(
                        op,
                        Op::Push(_)
                            | Op::PushStr(_)
                            | Op::Insert(..)
                            | Op::InsertStr(..)
                            | Op::Replace(..)
                    ) {
                        assert_eq!(s2.as_str(), before, "{op:?}: changed by a failed edit");
                    }
                }
                (Err(a), Err(b)) => assert_eq!(panic_message(&*a), panic_message(&*b), "{op:?}"),
                (Err(a), Ok(_)) => panic!(
                    "{op:?}: String panicked ({}), StackString did not",
                    panic_message(&*a)
                ),
            }
            assert_eq!(s.as_str(), v);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2 * ProptestConfig::default().cases, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn no_heap_model_3(ops in proptest::collection::vec(op(), 1..40)) { run::<3>(&ops) }
        #[test]
        fn no_heap_model_7(ops in proptest::collection::vec(op(), 1..40)) { run::<7>(&ops) }
        #[test]
        fn no_heap_model_16(ops in proptest::collection::vec(op(), 1..40)) { run::<16>(&ops) }
    }
}

/// `allocate` panicking (rather than failing) after `budget` grants: every growing method
/// unwinds with the string valid UTF-8, unchanged where the edit is in one piece, and nothing
/// leaked or freed twice.
#[test]
fn panicking_allocate_leaves_valid_text_and_no_leak() {
    quiet();
    let backing = TestBacking::new();
    for budget in 0..3 {
        let (b, no_panic) = (Cell::new(usize::MAX), Cell::new(false));
        let a = Panicky {
            inner: &backing,
            grants: &b,
            dealloc_panics: &no_panic,
        };
        type S<'x> = StackString<4, Panicky<'x>>;
        type Op<'x> = (&'static str, Box<dyn Fn(&mut S<'x>)>);
        let ops: Vec<Op<'_>> = vec![
            ("push_str", Box::new(|s| s.push_str("€€€€€€€€€€€€€€€€€€€€"))),
            ("push", Box::new(|s| (0..40).for_each(|_| s.push('😀')))),
            (
                "insert_str",
                Box::new(|s| s.insert_str(1, "€€€€€€€€€€€€€€€€€€€€")),
            ),
            (
                "replace_range",
                Box::new(|s| s.replace_range(1..3, "€€€€€€€€€€€€€€€€€€€")),
            ),
            ("extend", Box::new(|s| s.extend("😀é€a".repeat(20).chars()))),
            (
                "write",
                Box::new(|s| {
                    let _ = write!(s, "{:>60}", "é");
                }),
            ),
            ("split_off", Box::new(|s| drop(s.split_off(1)))),
            ("clone", Box::new(|s| drop(s.clone()))),
            ("shrink_to", Box::new(|s| s.shrink_to(6))),
            ("reserve_exact", Box::new(|s| s.reserve_exact(100))),
        ];
        for (name, op) in &ops {
            for start in ["aé", "aé€😀 long enough to spill"] {
                b.set(usize::MAX);
                let mut s: S<'_> = StackString::new_in(a.clone());
                s.push_str(start);
                s.reserve(1);
                let before = s.as_str().to_string();
                b.set(budget);
                let r = catch_unwind(AssertUnwindSafe(|| op(&mut s)));
                b.set(usize::MAX);
                valid(&s);
                if r.is_err() && !matches!(*name, "push" | "extend" | "write") {
                    assert_eq!(s, before, "{name} from {start:?} with budget {budget}");
                }
                s.push_str("ok");
                s.shrink_to_fit();
                valid(&s);
            }
        }
    }
    assert_eq!(backing.live_blocks(), 0, "a block leaked");
}

/// `try_push` of a multi-byte char with too little room, and `extend_from_within` to exactly
/// the budget and past it, leave a `NoHeap` string unchanged (review 8).
#[test]
fn inline_string_boundaries_change_nothing_on_failure() {
    let mut s: InlineString<4> = InlineString::new();
    s.push_str("ab");
    assert!(s.try_push('€').is_err());
    assert_eq!(s, "ab");
    s.try_push('é').unwrap();
    assert_eq!(s, "abé");
    assert!(s.try_push('x').is_err());
    let mut t: InlineString<6> = InlineString::from("aé");
    t.extend_from_within(1..);
    assert_eq!(t, "aéé");
    t.extend_from_within(..1);
    assert_eq!(t, "aééa");
    let m = panic_of(|| t.extend_from_within(1..3));
    assert_eq!(m, "capacity exceeded");
    assert_eq!(t, "aééa");
}

/// With an allocator that refuses (not `NoHeap`), `FromStr` reports `AllocError`, and
/// `try_push_str`/`try_push` at the inline boundary are all or nothing (review 8).
#[test]
fn refusing_allocator_parse_and_try_push_are_all_or_nothing() {
    let e = "12345".parse::<StackString<4, Refuse>>().unwrap_err();
    assert!(matches!(e.kind(), TryReserveErrorKind::AllocError { .. }));
    assert_eq!("1234".parse::<StackString<4, Refuse>>().unwrap(), "1234");
    let mut s: StackString<4, Refuse> = StackString::new_in(Refuse);
    s.push_str("ab");
    assert!(s.try_push_str("cde").is_err());
    assert_eq!(s, "ab");
    assert!(s.try_push('€').is_err());
    s.try_push_str("cd").unwrap();
    assert_eq!(s, "abcd");
    assert!(s.try_push_str("").is_ok());
    assert!(write!(s, "").is_ok());
}

/// `extend_from_within` on a full spilled string: the growth moves the buffer before the range
/// is read (lengths 0-39 of 1-4 byte chars, against `String`; review 8).
#[test]
fn extend_from_within_reads_the_source_after_growth_moves_it() {
    for n in 0..40usize {
        let text: String = "aé€😀".chars().cycle().take(n).collect();
        let mut s: StackString<4> = StackString::from(text.as_str());
        s.shrink_to_fit();
        let mut t = text.clone();
        let len = t.len();
        s.extend_from_within(..len);
        t.extend_from_within(..len);
        assert_eq!(s.as_str(), t.as_str());
        s.extend_from_within(1.min(len)..);
        // std panics on a non-boundary; mirror only when it is one
        if t.is_char_boundary(1.min(len)) {
            t.extend_from_within(1.min(len)..);
            assert_eq!(s.as_str(), t.as_str());
        }
    }
}

/// A zero-byte budget: `StackString<0>` spills on the first push, `StackString<0, NoHeap>`
/// takes only empty text (review 8).
#[test]
fn zero_budget_strings() {
    let mut s: StackString<0> = StackString::new();
    s.push('a');
    assert!(s.spilled());
    let mut f: StackString<0, NoHeap> = StackString::new();
    assert!(write!(f, "").is_ok());
    assert!(write!(f, "a").is_err());
    assert!(f.try_push('a').is_err());
    assert_eq!("".parse::<InlineString<0>>().unwrap(), "");
    assert_eq!(f.pop(), None);
    let v: InlineVec<u8, 0> = "".bytes().collect();
    assert!(v.is_empty());
}

/// `clone_from` reuses the string's buffer, as `String`'s does: no allocation when the text
/// fits, whether the buffer is inline or on the heap, and a growth only when it does not.
#[test]
fn clone_from_reuses_the_buffer() {
    let long = StackString::<16>::from("longer than sixteen bytes");
    let short = StackString::<16>::from("short");
    let mut heap = StackString::<16>::with_capacity(64);
    let ptr = heap.as_ptr();
    let ((), h) = count_heap(|| heap.clone_from(&long));
    assert_eq!(
        (heap.as_str(), heap.as_ptr(), h.allocs),
        (long.as_str(), ptr, 0)
    );
    heap.clone_from(&short);
    assert_eq!((heap.as_str(), heap.capacity()), ("short", 64));
    let mut inline = StackString::<16>::new();
    let ((), h) = count_heap(|| inline.clone_from(&short));
    assert_eq!(
        (inline.as_str(), inline.spilled(), h.allocs),
        ("short", false, 0)
    );
    let ((), h) = count_heap(|| inline.clone_from(&long));
    assert_eq!((inline.as_str(), h.allocs), (long.as_str(), 1));
}

/// `stack_string::Drain::last` is the last char of the range, not the first.
#[test]
fn string_drain_last_is_the_final_char() {
    let mut s: StackString = StackString::from("aéz");
    assert_eq!(s.drain(..).last(), Some('z'));
    assert_eq!(s, "");
    let mut s: StackString = StackString::from("xaé€y");
    assert_eq!(s.drain(1..7).last(), Some('€'));
    assert_eq!(s, "xy");
}

/// Two `FromUtf8Error`s are equal only when both their bytes and their errors are.
#[test]
fn from_utf8_errors_with_equal_utf8_errors_but_other_bytes_differ() {
    let a = StackString::from_utf8(StackVec::<u8>::from([0xff])).unwrap_err();
    let b = StackString::from_utf8(StackVec::<u8>::from([0xff, b'a'])).unwrap_err();
    assert_eq!(a.utf8_error(), b.utf8_error());
    assert_ne!(a, b);
    let std_a = String::from_utf8(vec![0xff]).unwrap_err();
    let std_b = String::from_utf8(vec![0xff, b'a']).unwrap_err();
    assert_ne!(std_a, std_b);
}

/// `Extend<char>` reserves the iterator's lower bound, not its upper one: a filter that keeps
/// nothing does not spill the string.
#[test]
fn extend_chars_reserves_only_the_lower_size_hint() {
    let mut s: StackString = StackString::new();
    s.extend((0..100).map(|_| 'a').filter(|_| false));
    assert!(s.is_empty());
    assert!(!s.spilled());
    assert_eq!(s.capacity(), 32);
}

// ---------------------------------------------------------------------------------------------
// Mutation review (round 5): behaviour no test pinned down
// ---------------------------------------------------------------------------------------------

/// `Extend<char>` reserves the iterator's lower size hint once, as `String`'s does: 100 chars
/// into an empty string are one allocation of 100 bytes, not inline-then-doubling.
#[test]
fn extend_chars_reserves_the_lower_size_hint_once() {
    let (s, heap) = count_heap(|| {
        let mut s: StackString = StackString::new();
        s.extend(std::iter::repeat_n('a', 100));
        s
    });
    let mut std_s = String::new();
    std_s.extend(std::iter::repeat_n('a', 100));
    assert_eq!((s.len(), s.capacity()), (100, std_s.capacity()));
    assert_eq!((heap.allocs, heap.reallocs), (1, 0));
}

/// `From<StackString> for Box<str>` hands over an exactly sized heap buffer, as
/// `into_boxed_str` does: no copy.
#[test]
fn box_str_from_a_spilled_string_takes_its_buffer() {
    let long = "longer than the thirty-two byte budget";
    let s = StackString::<32>::from(long);
    assert_eq!(s.capacity(), long.len());
    let at = s.as_ptr();
    let (b, heap) = count_heap(|| Box::<str>::from(s));
    assert_eq!((b.as_ptr(), &*b), (at, long));
    assert_eq!(heap.allocs, 0);
}

/// A `Display` that swallows the error of a piece that did not fit and returns `Ok`: the
/// write into a string that cannot grow is still an error, and the text keeps only what came
/// before the piece.
#[test]
fn no_heap_write_fails_even_when_the_display_returns_ok() {
    quiet();
    let mut s: InlineString<4> = InlineString::new();
    assert!(write!(s, "ab{}", SwallowsAll).is_err());
    assert_eq!(s, "ab");
    let msg = panic_of(|| {
        let _ = StackString::<4, NoHeap>::format_in(format_args!("ab{}", SwallowsAll), NoHeap);
    });
    assert_eq!(msg, "capacity exceeded");
}

/// `stack_format!` of a `Display` that fails panics as `format!` does, naming the formatting
/// trait (not a capacity problem: the string can grow).
#[test]
fn stack_format_of_a_failing_display_names_the_formatting_trait() {
    quiet();
    let msg = panic_of(|| drop(stack_format!("{}", Fails)));
    assert_eq!(msg, "a formatting trait implementation returned an error");
}

/// The string `Drain`'s `Debug` reads as `String`'s: `Drain("..")` of the chars left.
#[test]
fn string_drain_debug_reads_as_strings() {
    let mut s: StackString = StackString::from("añb");
    let mut std_s = String::from("añb");
    let mut d = s.drain(1..);
    let mut std_d = std_s.drain(1..);
    d.next();
    std_d.next();
    assert_eq!(format!("{d:?}"), format!("{std_d:?}"));
    assert_eq!(format!("{d:?}"), "Drain(\"b\")");
}

/// `FromUtf8Error`'s `Debug` reads as `String::from_utf8`'s: the bytes and the `Utf8Error`.
#[test]
fn from_utf8_error_debug_reads_as_strings() {
    let err = StackString::from_utf8(StackVec::<u8>::from([b'a', 0xe2, 0x82])).unwrap_err();
    let std_err = String::from_utf8(vec![b'a', 0xe2, 0x82]).unwrap_err();
    assert_eq!(format!("{err:?}"), format!("{std_err:?}"));
    assert!(format!("{err:?}").contains("bytes: [97, 226, 130]"));
}

/// `FromUtf8Error`'s `Display` reads as `String::from_utf8`'s: the `Utf8Error`'s message.
#[test]
fn from_utf8_error_display_reads_as_strings() {
    let err = StackString::from_utf8(StackVec::<u8>::from([b'a', 0xff])).unwrap_err();
    let std_err = String::from_utf8(vec![b'a', 0xff]).unwrap_err();
    assert_eq!(err.to_string(), std_err.to_string());
    assert_eq!(
        err.to_string(),
        "invalid utf-8 sequence of 1 bytes from index 1"
    );
}

// Mutation review (round 6)

#[test]
fn decoding_reserves_the_input_length_up_front() {
    // `from_utf8_lossy` and `from_utf16` reserve a byte per input unit before decoding, as
    // `String`'s do: 40 ASCII bytes past the 32-byte budget are one exact allocation, and 100
    // ASCII code units one allocation without a reallocation.
    let (s, heap) = count_heap(|| StackString::<32>::from_utf8_lossy(&[b'a'; 40]));
    assert_eq!(
        (s.len(), s.capacity(), heap.allocs, heap.reallocs),
        (40, 40, 1, 0)
    );
    let units = [u16::from(b'z'); 100];
    let (s, heap) = count_heap(|| StackString::<32>::from_utf16(&units).unwrap());
    assert_eq!(
        (s.len(), s.capacity(), heap.allocs, heap.reallocs),
        (100, 100, 1, 0)
    );
    let (s, heap) = count_heap(|| StackString::<32>::from_utf16_lossy(&units));
    assert_eq!(
        (s.len(), s.capacity(), heap.allocs, heap.reallocs),
        (100, 100, 1, 0)
    );
}

/// `truncate` and `clear`: "The capacity is unchanged", so a spilled string keeps its heap
/// buffer and refilling it allocates nothing.
#[test]
fn shortening_or_emptying_a_spilled_string_keeps_its_buffer() {
    let mut s: StackString = StackString::from("a line longer than the 32-byte budget");
    let (cap, buffer) = (s.capacity(), s.as_ptr());
    s.truncate(4);
    assert_eq!((s.spilled(), s.capacity(), s.as_ptr()), (true, cap, buffer));
    s.clear();
    assert_eq!((s.spilled(), s.capacity(), s.as_ptr()), (true, cap, buffer));
    let refill = "x".repeat(cap);
    let ((), heap) = count_heap(|| s.push_str(&refill));
    assert_eq!((heap.allocs, heap.reallocs, s.as_ptr()), (0, 0, buffer));
}
