//! Adversarial tests of the optional features (`serde`, `zeroize`, `io::Write`, `defmt`), the
//! conversions (`convert.rs`, `vec_extras.rs`, `alloc_in.rs`), the fallible `try_*` API and
//! `SyncArena`'s `GlobalAlloc` and `Allocator` contracts, from safe code: hostile
//! deserializers, allocators that fail, unwind or hand out bigger blocks than asked, panicking
//! `Drop`s, zero-sized and over-aligned types, several threads.
//!
//! Every element is a `common::Tracked` where drops matter (a double drop panics, `live()`
//! finds leaks), and every test allocator counts its live blocks; run under ASan and valgrind
//! for the memory side.

use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
#[cfg(any(feature = "serde", feature = "std", feature = "defmt"))]
use stackfirst::InlineVec;
use stackfirst::{NoHeap, StackString, StackVec, SyncArena, TryReserveErrorKind};

mod common;
use common::{caught, live, panic_on_drop, values, Rng, Tracked};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// An allocator over `Global` that remembers every live block with the layout it really
/// allocated (it may hand out `slack` more bytes than asked, as the `Allocator` contract
/// allows), can refuse everything, unwind after freeing, and check on `deallocate` that a block
/// holds only zeros (every byte of the layout it is freed with).
#[derive(Default)]
struct Watch {
    live: RefCell<HashMap<usize, Layout>>,
    slack: usize,
    refuse: Cell<bool>,
    /// Requests refused while `refuse` was on.
    refusals: Cell<usize>,
    panic_in_dealloc: Cell<bool>,
    check_zero: Cell<bool>,
    /// Blocks freed while `check_zero` was on that still held a non-zero byte.
    dirty_frees: Cell<usize>,
    /// Blocks freed while `check_zero` was on.
    checked_frees: Cell<usize>,
}

impl Watch {
    fn with_slack(slack: usize) -> Self {
        Watch {
            slack,
            ..Watch::default()
        }
    }

    fn live_blocks(&self) -> usize {
        self.live.borrow().len()
    }
}

// SAFETY: every block comes from `Global` with the layout recorded for it and goes back with
// that layout; a refusal changes nothing; the unwinding `deallocate` frees first.
unsafe impl Allocator for Watch {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if self.refuse.get() {
            self.refusals.set(self.refusals.get() + 1);
            return Err(AllocError);
        }
        let real = Layout::from_size_align(layout.size() + self.slack, layout.align()).unwrap();
        let p = Global.allocate(real)?;
        self.live
            .borrow_mut()
            .insert(p.cast::<u8>().as_ptr() as usize, real);
        Ok(p)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let real = self
            .live
            .borrow_mut()
            .remove(&(ptr.as_ptr() as usize))
            .expect("freed a block that is not live");
        assert!(layout.size() <= real.size() && layout.size() + self.slack >= real.size());
        assert_eq!(layout.align(), real.align(), "freed with another alignment");
        if self.check_zero.get() {
            // SAFETY: the block is live until the `deallocate` below and at least
            // `layout.size()` long. (The slack past it never held data.)
            let bytes = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), layout.size()) };
            self.checked_frees.set(self.checked_frees.get() + 1);
            if bytes.iter().any(|&b| b != 0) {
                self.dirty_frees.set(self.dirty_frees.get() + 1);
            }
        }
        // SAFETY: allocated by `Global` with `real`.
        unsafe { Global.deallocate(ptr, real) };
        if self.panic_in_dealloc.get() {
            panic!("deallocate unwinds on purpose");
        }
    }
}

thread_local! {
    /// The largest block `Budget` grants on this thread.
    static BUDGET: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// A `Default` allocator (so `collect`, `From` and `Deserialize` can make it) over `Global`
/// that refuses any block larger than this thread's `BUDGET`: a fixed region that can still
/// grant a small request.
#[derive(Clone, Copy, Default, Debug)]
struct Budget;

fn budget(bytes: usize) {
    BUDGET.with(|b| b.set(bytes));
}

// SAFETY: forwards to `Global`; a refusal happens before any block changes hands.
unsafe impl Allocator for Budget {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() > BUDGET.with(Cell::get) {
            return Err(AllocError);
        }
        Global.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { Global.deallocate(ptr, layout) }
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if new.size() > BUDGET.with(Cell::get) {
            return Err(AllocError);
        }
        // SAFETY: forwarded contract.
        unsafe { Global.grow(ptr, old, new) }
    }
}

#[cfg(feature = "zeroize")]
/// The offset of a vector's inline bytes inside the `StackVec` value (read while inline, where
/// `as_ptr` is their address); the same for every value of the type.
fn inline_offset<T, const N: usize, A: Allocator>(v: &StackVec<T, N, A>) -> usize {
    assert!(!v.spilled());
    v.as_ptr() as usize - v as *const StackVec<T, N, A> as usize
}

#[cfg(feature = "zeroize")]
/// The `N` inline bytes of `v`, read from the value itself (whatever its state).
fn inline_bytes<T, const N: usize, A: Allocator>(v: &StackVec<T, N, A>, offset: usize) -> Vec<u8> {
    let base = (v as *const StackVec<T, N, A>).cast::<u8>();
    // SAFETY: `offset..offset + N` is inside the value (the union holds at least `N` bytes);
    // every test fills the inline buffer completely before it reads it, so the bytes were
    // written (by the elements, the heap pointer, or zeroize).
    (0..N)
        .map(|i| unsafe { base.add(offset + i).read_volatile() })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// serde
// ---------------------------------------------------------------------------------------------

/// A deserialized `Tracked`: `u64` input, and a panic for the value 999.
#[cfg(feature = "serde")]
#[derive(Debug)]
struct De(Tracked);

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for De {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(d)?;
        if v == 999 {
            panic!("element deserializer panics on purpose");
        }
        Ok(De(Tracked::new(v)))
    }
}

/// A sequence that yields `items` (ending in an error at `fail_at`) while reporting `hint`.
#[cfg(feature = "serde")]
struct HostileSeq {
    items: std::vec::IntoIter<u64>,
    hint: Option<usize>,
    fail_at: Option<usize>,
    served: usize,
}

#[cfg(feature = "serde")]
impl HostileSeq {
    fn new(items: impl IntoIterator<Item = u64>, hint: Option<usize>) -> Self {
        HostileSeq {
            items: items.into_iter().collect::<Vec<_>>().into_iter(),
            hint,
            fail_at: None,
            served: 0,
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::de::SeqAccess<'de> for HostileSeq {
    type Error = serde::de::value::Error;

    fn next_element_seed<S: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        use serde::de::Error as _;
        if self.fail_at == Some(self.served) {
            return Err(Self::Error::custom("input ends mid-sequence"));
        }
        self.served += 1;
        match self.items.next() {
            None => Ok(None),
            Some(x) => seed
                .deserialize(serde::de::value::U64Deserializer::<Self::Error>::new(x))
                .map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.hint
    }
}

#[cfg(feature = "serde")]
fn de_seq<T: for<'de> serde::Deserialize<'de>>(
    seq: HostileSeq,
) -> Result<T, serde::de::value::Error> {
    T::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
}

/// Lying hints (none, far too small, far too large, `usize::MAX`) never change the result:
/// the elements arrive in order, a `StackVec` spills only when they do not fit inline (two
/// 16-byte elements in 32 bytes), an `InlineVec` takes exactly its capacity and fails on the
/// next one, dropping each built element once.
#[test]
#[cfg(feature = "serde")]
fn serde_lying_size_hints_give_the_same_vector() {
    for hint in [
        None,
        Some(0),
        Some(1),
        Some(3),
        Some(1000),
        Some(usize::MAX),
    ] {
        for n in [0u64, 1, 3, 4, 5, 40] {
            let v: StackVec<De, 32> = de_seq(HostileSeq::new(0..n, hint)).unwrap();
            assert!(v.iter().map(|d| d.0.value).eq(0..n), "{hint:?} {n}");
            if hint.is_none_or(|h| h <= 2) {
                // Without a hint past the inline capacity, only the elements decide.
                assert_eq!(v.spilled(), n > 2, "{hint:?} {n}");
            }
            drop(v);
            let fixed = de_seq::<InlineVec<De, 32>>(HostileSeq::new(0..n, hint));
            match fixed {
                Ok(f) => {
                    assert!(n <= 2);
                    assert!(f.iter().map(|d| d.0.value).eq(0..n));
                }
                Err(e) => {
                    assert!(n > 2);
                    assert_eq!(e.to_string(), "capacity exceeded after 2 elements");
                }
            }
            assert_eq!(live(), 0, "{hint:?} {n}");
        }
    }
    // A zero-sized element with a huge hint: nothing to reserve, every element counted.
    let z: StackVec<(), 0> = de_seq(HostileSeq::new([0; 0], Some(usize::MAX))).unwrap();
    assert!(z.is_empty());
}

/// An error from the input, or from an element, after some elements were built drops each of
/// them exactly once, inline and spilled, and a panicking element deserializer too.
#[test]
#[cfg(feature = "serde")]
fn serde_errors_and_panics_mid_sequence_drop_each_element_once() {
    for fail_at in 0..12 {
        let mut seq = HostileSeq::new(0..12, Some(12));
        seq.fail_at = Some(fail_at);
        let e = de_seq::<StackVec<De, 16>>(seq).unwrap_err();
        assert_eq!(e.to_string(), "input ends mid-sequence");
        assert_eq!(live(), 0, "fail at {fail_at}");
    }
    // An element of the wrong type, after 6 elements (spilled: one fits inline).
    let e = serde_json::from_str::<StackVec<De, 16>>(r#"[1,2,3,4,5,6,"x",8]"#).unwrap_err();
    assert!(e.to_string().contains("invalid type"), "{e}");
    assert_eq!(live(), 0);
    // Truncated input.
    assert!(serde_json::from_str::<StackVec<De, 16>>("[1,2,3").is_err());
    assert_eq!(live(), 0);
    // More than an `InlineVec` holds: the refused element is dropped too.
    let e = serde_json::from_str::<InlineVec<De, 16>>("[1,2,3]").unwrap_err();
    assert!(e
        .to_string()
        .starts_with("capacity exceeded after 1 elements"));
    assert_eq!(live(), 0);
    // A panicking element deserializer, inline and spilled.
    for input in ["[1,999]", "[1,2,3,4,5,999,7]"] {
        let r = caught(|| serde_json::from_str::<StackVec<De, 16>>(input));
        assert!(r.is_err(), "{input}");
        assert_eq!(live(), 0, "{input}");
    }
}

/// `InlineVec<T, 0>` and budgets below one element refuse the first element; an `InlineVec`
/// exactly full succeeds.
#[test]
#[cfg(feature = "serde")]
fn serde_inline_vec_zero_capacity_and_exactly_full() {
    let e = serde_json::from_str::<InlineVec<u64, 0>>("[1]").unwrap_err();
    assert!(e
        .to_string()
        .starts_with("capacity exceeded after 0 elements"));
    let e = serde_json::from_str::<InlineVec<u64, 7>>("[1]").unwrap_err();
    assert!(e
        .to_string()
        .starts_with("capacity exceeded after 0 elements"));
    assert!(serde_json::from_str::<InlineVec<u64, 0>>("[]")
        .unwrap()
        .is_empty());
    let full: InlineVec<u16, 8> = serde_json::from_str("[1,2,3,4]").unwrap();
    assert!(full.is_full());
}

/// Strings: invalid UTF-8 through every bytes path is an error, valid bytes are accepted, a
/// fixed capacity is exact to the byte (multi-byte chars included), and a refusing allocator
/// is an error, not an abort.
#[test]
#[cfg(feature = "serde")]
fn serde_strings_from_bytes_and_at_the_byte_limit() {
    use serde::de::value::{BorrowedBytesDeserializer, BytesDeserializer, Error};
    use serde::de::IntoDeserializer;
    use serde::Deserialize;
    let bad: &[u8] = b"ok\xF0\x90\x80";
    assert!(StackString::<32>::deserialize(BytesDeserializer::<Error>::new(bad)).is_err());
    assert!(StackString::<32>::deserialize(BorrowedBytesDeserializer::<Error>::new(bad)).is_err());
    let buf: serde_bytes_like::ByteBuf = serde_bytes_like::ByteBuf(bad.to_vec());
    assert!(StackString::<32>::deserialize(buf.into_deserializer()).is_err());
    let good: &[u8] = "naïve".as_bytes();
    let s = StackString::<6, NoHeap>::deserialize(BytesDeserializer::<Error>::new(good)).unwrap();
    assert_eq!(s, "naïve");
    assert!(StackString::<5, NoHeap>::deserialize(BytesDeserializer::<Error>::new(good)).is_err());
    // `visit_string` and `visit_char` paths.
    let owned: StackString<4, NoHeap> = StackString::deserialize(
        serde::de::value::StringDeserializer::<Error>::new(String::from("€")),
    )
    .unwrap();
    assert_eq!(owned, "€");
    let c: StackString<4, NoHeap> =
        StackString::deserialize(serde::de::value::CharDeserializer::<Error>::new('€')).unwrap();
    assert_eq!(c, "€");
    assert!(StackString::<2, NoHeap>::deserialize(
        serde::de::value::CharDeserializer::<Error>::new('€')
    )
    .is_err());
    // A refusing allocator: an error for a string past the inline bytes.
    budget(0);
    let r = serde_json::from_str::<StackString<4, Budget>>(r#""hello""#);
    budget(usize::MAX);
    assert!(r
        .unwrap_err()
        .to_string()
        .starts_with("memory allocation of 5 bytes"));
}

/// A minimal owned-bytes value whose deserializer calls `visit_byte_buf`.
#[cfg(feature = "serde")]
mod serde_bytes_like {
    use serde::de::{Deserializer, IntoDeserializer, Visitor};

    pub struct ByteBuf(pub Vec<u8>);
    pub struct ByteBufDeserializer(Vec<u8>);

    impl<'de> IntoDeserializer<'de, serde::de::value::Error> for ByteBuf {
        type Deserializer = ByteBufDeserializer;
        fn into_deserializer(self) -> ByteBufDeserializer {
            ByteBufDeserializer(self.0)
        }
    }

    impl<'de> Deserializer<'de> for ByteBufDeserializer {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
            v.visit_byte_buf(self.0)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
            identifier ignored_any
        }
    }
}

/// Deserializing takes what the allocator grants: five `u64` in an allocator of 40 bytes,
/// as `collect` gets them (`visit_seq` pushes with `try_push`, whose growth falls back to
/// exactly what is needed when doubling is refused).
#[test]
#[cfg(feature = "serde")]
fn serde_takes_the_elements_its_allocator_grants() {
    budget(40);
    let collected: StackVec<u64, 32, Budget> = (1..=5).collect();
    assert_eq!((collected.len(), collected.capacity()), (5, 5));
    let r = serde_json::from_str::<StackVec<u64, 32, Budget>>("[1,2,3,4,5]");
    budget(usize::MAX);
    let v = r.unwrap_or_else(|e| panic!("five u64 fit the allocator, yet: {e}"));
    assert_eq!(v, [1, 2, 3, 4, 5]);
}

// ---------------------------------------------------------------------------------------------
// zeroize: every byte that held data is zero afterwards (inline bytes, stale inline bytes
// after a spill, the whole heap block including what the allocator gave beyond the capacity)
// ---------------------------------------------------------------------------------------------

/// Inline, after `truncate`, `pop` and `drain`: all `N` inline bytes are zero.
#[test]
#[cfg(feature = "zeroize")]
fn zeroize_inline_after_truncate_and_drain_clears_every_inline_byte() {
    use zeroize::Zeroize;
    let mut v: StackVec<u8, 32> = StackVec::new();
    let off = inline_offset(&v);
    v.extend([0xA5; 32]);
    v.truncate(20);
    v.drain(3..9);
    v.pop();
    assert!(!v.spilled());
    v.zeroize();
    assert!(v.is_empty() && !v.spilled());
    assert_eq!(inline_bytes(&v, off), [0; 32]);
    // Elements of 8 bytes, 32-byte budget.
    let mut w: StackVec<u64, 32> = StackVec::from([u64::MAX; 4]);
    let off = inline_offset(&w);
    w.truncate(1);
    w.zeroize();
    assert_eq!(inline_bytes(&w, off), [0; 32]);
}

/// Spilled: the inline bytes past the heap pointer (the copy left by the spill) are zero, and
/// so is every byte of the heap block's capacity, also when the allocator handed out a bigger
/// block than asked.
#[test]
#[cfg(feature = "zeroize")]
fn zeroize_spilled_clears_stale_inline_copy_and_the_whole_heap_block() {
    use zeroize::Zeroize;
    for slack in [0, 24] {
        let a = Watch::with_slack(slack);
        let mut v: StackVec<u8, 64, &Watch> = StackVec::new_in(&a);
        let off = inline_offset(&v);
        v.extend([0xA5; 64]);
        v.push(0xA5); // spill: the inline bytes still hold the 64 bytes
        v.extend([0x5A; 30]);
        v.truncate(40);
        v.drain(..10);
        assert!(v.spilled());
        v.zeroize();
        assert!(v.is_empty() && v.spilled());
        let inline = inline_bytes(&v, off);
        assert_eq!(&inline[8..], &[0; 56][..], "stale inline bytes");
        a.check_zero.set(true);
        drop(v);
        assert_eq!((a.checked_frees.get(), a.dirty_frees.get()), (1, 0));
        assert_eq!(a.live_blocks(), 0);
    }
}

/// Spilled, then shrunk back inline: the inline bytes are all zero after `zeroize`.
#[test]
#[cfg(feature = "zeroize")]
fn zeroize_after_shrinking_back_inline() {
    use zeroize::Zeroize;
    let mut v: StackVec<u32, 32> = StackVec::new();
    let off = inline_offset(&v);
    v.extend([u32::MAX; 20]);
    v.truncate(3);
    v.shrink_to_fit();
    assert!(!v.spilled());
    v.zeroize();
    assert_eq!(inline_bytes(&v, off), [0; 32]);
}

/// Over-aligned elements (64-byte aligned, 64 bytes each, two inline) and a budget smaller
/// than the heap pointer: the stale inline copy is still wiped, the heap block is clean.
#[test]
#[cfg(feature = "zeroize")]
fn zeroize_over_aligned_and_tiny_budgets() {
    use zeroize::Zeroize;
    #[derive(Clone, Copy)]
    #[repr(C, align(64))]
    struct Block([u8; 64]);
    impl Zeroize for Block {
        fn zeroize(&mut self) {
            self.0.zeroize();
        }
    }
    let a = Watch::default();
    let mut v: StackVec<Block, 128, &Watch> = StackVec::new_in(&a);
    let off = inline_offset(&v);
    assert_eq!(off % 64, 0);
    v.extend([Block([0xEE; 64]); 2]);
    v.push(Block([0xEE; 64]));
    assert!(v.spilled());
    v.zeroize();
    assert_eq!(&inline_bytes(&v, off)[8..], &[0; 120][..]);
    a.check_zero.set(true);
    drop(v);
    assert_eq!((a.checked_frees.get(), a.dirty_frees.get()), (1, 0));

    // Four inline bytes, less than the heap pointer: the spill overwrites all of them.
    let b = Watch::default();
    let mut t: StackVec<u8, 4, &Watch> = StackVec::new_in(&b);
    t.extend([0xC3; 9]);
    assert!(t.spilled());
    t.zeroize();
    b.check_zero.set(true);
    drop(t);
    assert_eq!((b.checked_frees.get(), b.dirty_frees.get()), (1, 0));
}

/// `StackString`: inline and spilled, after `truncate`, `remove` and `insert_str` moved bytes
/// around; a vector of secrets zeroizes each element's own buffer.
#[test]
#[cfg(feature = "zeroize")]
fn zeroize_strings_and_nested_vectors() {
    use zeroize::Zeroize;
    let a = Watch::default();
    let mut s: StackString<16, &Watch> = StackString::new_in(&a);
    // SAFETY: only read (the bytes' vector, for its inline offset); the text stays UTF-8.
    let off = inline_offset(unsafe { s.as_mut_vec() });
    s.push_str("hunter2-hunter2!"); // exactly 16: inline
    s.insert_str(0, "pw:"); // spills
    s.remove(3);
    s.truncate(5);
    s.zeroize();
    assert!(s.is_empty());
    // The stale inline copy of the secret (its bytes past the heap pointer) is wiped too.
    // SAFETY: as above.
    let inline = inline_bytes(unsafe { s.as_mut_vec() }, off);
    assert_eq!(
        &inline[8..],
        &[0; 8][..],
        "stale inline bytes of the string"
    );
    a.check_zero.set(true);
    drop(s);
    assert_eq!((a.checked_frees.get(), a.dirty_frees.get()), (1, 0));

    let b = Watch::default();
    let mut outer: StackVec<StackVec<u8, 8, &Watch>, 0> = StackVec::new();
    for i in 0..3u8 {
        let mut inner = StackVec::new_in(&b);
        inner.extend([0x11 * (i + 1); 20]);
        outer.push(inner);
    }
    // The inner vectors are zeroized before they are dropped: clean blocks.
    b.check_zero.set(true);
    outer.zeroize();
    assert_eq!((b.checked_frees.get(), b.dirty_frees.get()), (3, 0));
}

// ---------------------------------------------------------------------------------------------
// io::Write
// ---------------------------------------------------------------------------------------------

/// A fixed vector, by value and behind `&NoHeap`, takes what fits; `write_all` and `write!`
/// keep the prefix and fail with `WriteZero`; a growing one takes everything.
#[test]
#[cfg(feature = "std")]
fn io_write_fixed_and_growing() {
    use std::io::{ErrorKind, IoSlice, Write};
    let nh = NoHeap;
    let mut b: StackVec<u8, 5, &NoHeap> = StackVec::new_in(&nh);
    let e = b.write_all(b"abcdefg").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WriteZero);
    assert_eq!(b, *b"abcde");
    let mut f: InlineVec<u8, 6> = InlineVec::new();
    let n = f
        .write_vectored(&[
            IoSlice::new(b""),
            IoSlice::new(b"xyz"),
            IoSlice::new(b"uvw"),
        ])
        .unwrap();
    assert_eq!((n, f.as_slice()), (6, &b"xyzuvw"[..]));
    f.truncate(3);
    let e = write!(f, "{}{}", 12, 345).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WriteZero);
    assert_eq!(f, *b"xyz123");
    f.truncate(4);
    // Across buffers, what fits in order, then nothing: the count says where it stopped.
    let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"c")];
    assert_eq!(f.write_vectored(&bufs).unwrap(), 2);
    assert_eq!(f, *b"xyz1ab");
    assert_eq!(f.write_vectored(&bufs).unwrap(), 0);
    f.flush().unwrap();
    let mut g: StackVec<u8, 4> = StackVec::new();
    g.write_all(&[9; 1000]).unwrap();
    assert_eq!((g.len(), g.spilled()), (1000, true));
    // A growing vector writes every buffer with one reservation, as `Vec<u8>` does.
    let mut v: StackVec<u8, 4> = StackVec::new();
    let bufs = [
        IoSlice::new(b"abc"),
        IoSlice::new(b""),
        IoSlice::new(&[7; 40]),
    ];
    assert_eq!(v.write_vectored(&bufs).unwrap(), 43);
    let mut w = Vec::new();
    assert_eq!(w.write_vectored(&bufs).unwrap(), 43);
    assert_eq!((v.as_slice(), v.capacity()), (w.as_slice(), 43));
}

// ---------------------------------------------------------------------------------------------
// defmt (compile only)
// ---------------------------------------------------------------------------------------------

// The `defmt::Format` impls exist for the vector and the string: checked when this file compiles
// (no defmt logger is linked in tests, so there is nothing to run).
#[cfg(feature = "defmt")]
const _: () = {
    fn format<T: defmt::Format>() {}
    let _ = format::<StackVec<u8>>;
    let _ = format::<StackString<8>>;
    let _ = format::<InlineVec<u16, 8>>;
};

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

/// `[T; M]::try_from`: a wrong length gives the vector back untouched (inline and spilled), the
/// right one moves each element out once and frees the buffer.
#[test]
fn try_from_array_moves_once_or_gives_back_unchanged() {
    let a = Watch::default();
    for n in [0u64, 2, 4, 7] {
        let mut v: StackVec<Tracked, 48, &Watch> = StackVec::new_in(&a); // 3 inline
        v.extend((0..n).map(Tracked::new));
        let (spilled, cap) = (v.spilled(), v.capacity());
        let back = <[Tracked; 3]>::try_from(v).unwrap_err();
        assert_eq!((back.spilled(), back.capacity()), (spilled, cap));
        assert!(values(&back).into_iter().eq(0..n));
        drop(back);
        assert_eq!((live(), a.live_blocks()), (0, 0));
    }
    let mut v: StackVec<Tracked, 48, &Watch> = StackVec::new_in(&a);
    v.extend((0..3).map(Tracked::new));
    let arr: [Tracked; 3] = v.try_into().unwrap();
    assert_eq!(arr.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(a.live_blocks(), 0);
    drop(arr);
    assert_eq!(live(), 0);
    let mut v: StackVec<Tracked, 16, &Watch> = StackVec::new_in(&a);
    v.extend((0..3).map(Tracked::new));
    assert!(v.spilled());
    let arr: [Tracked; 3] = v.try_into().unwrap();
    assert_eq!(a.live_blocks(), 0);
    drop(arr);
    assert_eq!(live(), 0);
}

/// `Rc<[T]>` / `Arc<[T]>` from inline and spilled vectors: every element is in the shared
/// slice once, the buffer freed once; zero-sized elements keep their count.
#[test]
fn shared_slices_take_each_element_once() {
    use std::rc::Rc;
    use std::sync::Arc;
    let a = Watch::default();
    for n in [0u64, 1, 2, 9] {
        let mut v: StackVec<Tracked, 32, &Watch> = StackVec::new_in(&a);
        v.extend((0..n).map(Tracked::new));
        let r: Rc<[Tracked]> = v.into();
        assert!(r.iter().map(|t| t.value).eq(0..n));
        drop(r);
        let mut w: StackVec<Tracked, 32, &Watch> = StackVec::new_in(&a);
        w.extend((0..n).map(Tracked::new));
        let s: Arc<[Tracked]> = w.into();
        assert!(s.iter().map(|t| t.value).eq(0..n));
        drop(s);
        assert_eq!((live(), a.live_blocks()), (0, 0), "{n}");
    }
    // Zero-sized elements by the billion: no memory, the count kept.
    let many = usize::MAX / 2;
    let mut z: StackVec<(), 0> = StackVec::new();
    // SAFETY: zero-sized values need no initialization.
    unsafe { z.set_len(many) };
    let rz: Rc<[()]> = z.into();
    assert_eq!(rz.len(), many);
}

/// The by-value conversions move the elements into their result, then free the emptied
/// source. When the source allocator's `deallocate` unwinds there, the result must still be
/// dropped: rustc does not drop a value already being returned when a local's destructor
/// unwinds (rust-lang/rust#47949), so the source is freed while the result is a local.
/// `move_in`, `From<StackVec<T, N, &B>> for Vec<T>` (through it), `TryFrom<StackVec> for
/// [T; M]` and `From<StackVec> for Rc<[T]>` / `Arc<[T]>`.
#[test]
fn conversions_drop_the_moved_elements_when_the_source_deallocate_unwinds() {
    use std::rc::Rc;
    use std::sync::Arc;
    type V<'a> = StackVec<Tracked, 16, &'a Watch>;
    type Case = (&'static str, fn(V<'_>));
    let cases: [Case; 5] = [
        ("move_in", |v| drop(v.move_in(Global))),
        ("Vec::from", |v| drop(Vec::<Tracked>::from(v))),
        ("<[T; 3]>::try_from", |v| drop(<[Tracked; 3]>::try_from(v))),
        ("Rc::from", |v| drop(Rc::<[Tracked]>::from(v))),
        ("Arc::from", |v| drop(Arc::<[Tracked]>::from(v))),
    ];
    let mut leaked = Vec::new();
    for (name, convert) in cases {
        let before = live();
        let a = Watch::default();
        let mut v: V<'_> = StackVec::new_in(&a);
        v.extend((0..3).map(Tracked::new));
        assert!(v.spilled());
        a.panic_in_dealloc.set(true);
        assert!(caught(|| convert(v)).is_err(), "{name}");
        assert_eq!(a.live_blocks(), 0, "{name}: the source block is freed once");
        if live() != before {
            leaked.push((name, live() - before));
        }
    }
    assert!(leaked.is_empty(), "elements never dropped: {leaked:?}");
}

/// `move_in` into a refusing allocator panics before anything moves ("capacity exceeded" for
/// `NoHeap`); the source drops its elements once.
#[test]
fn move_in_refused_drops_the_source_once() {
    let mut v: StackVec<Tracked, 16> = StackVec::new();
    v.extend((0..5).map(Tracked::new));
    let r = caught(|| v.move_in(NoHeap));
    assert_eq!(common::panic_message(&*r.unwrap_err()), "capacity exceeded");
    assert_eq!(live(), 0);
}

/// Adopting std buffers: zero-sized `Vec`s keep their count, an allocated empty `Vec` stays
/// spilled and usable, a boxed slice is adopted, and the way back hands the same buffer over.
#[test]
fn adopting_std_buffers_and_handing_them_back() {
    let z: StackVec<(), 8> = StackVec::from(vec![(); 1000]);
    assert_eq!((z.len(), z.spilled()), (1000, false));
    let mut e: StackVec<u64, 32> = StackVec::from(Vec::with_capacity(3));
    assert!(e.spilled() && e.is_empty());
    assert_eq!(e.capacity(), 3);
    e.extend(0..10);
    assert_eq!(e, (0..10).collect::<Vec<_>>());
    let p = e.as_ptr();
    let back: Vec<u64> = e.into();
    assert_eq!(back.as_ptr(), p);
    let b: StackVec<String, 32> = StackVec::from(vec![String::from("x")].into_boxed_slice());
    assert!(b.spilled());
    let boxed: Box<[String]> = b.into();
    assert_eq!(&*boxed, &[String::from("x")]);
    let s = StackString::<32>::from(String::with_capacity(100));
    assert_eq!((s.capacity(), s.spilled()), (100, true));
}

/// `into_flattened` of a spilled vector whose allocator gave more than asked, then growth and
/// shrinking of the flattened vector: each block is freed with a layout the allocator accepts.
#[test]
fn into_flattened_with_slack_blocks() {
    let a = Watch::with_slack(40);
    let mut v: StackVec<[Tracked; 2], 32, &Watch> = StackVec::new_in(&a); // 1 array inline
    for i in 0..5 {
        v.push([Tracked::new(2 * i), Tracked::new(2 * i + 1)]);
    }
    let cap = v.capacity();
    let mut f: StackVec<Tracked, 32, &Watch> = v.into_flattened();
    assert_eq!(f.capacity(), 2 * cap);
    assert!(values(&f).into_iter().eq(0..10));
    f.extend((10..40).map(Tracked::new));
    f.truncate(2);
    f.shrink_to_fit();
    assert!(!f.spilled());
    assert_eq!(a.live_blocks(), 0);
    drop(f);
    assert_eq!(live(), 0);
}

/// `extend_from_within` and `pop_if` at the edges: zero-sized elements near `usize::MAX`,
/// a panicking predicate changes nothing.
#[test]
fn extend_from_within_and_pop_if_edges() {
    let mut z: StackVec<(), 0> = StackVec::new();
    // SAFETY: zero-sized values need no initialization.
    unsafe { z.set_len(usize::MAX - 3) };
    let m = common::panic_message(&*caught(|| z.extend_from_within(..4)).unwrap_err());
    assert_eq!(m, "capacity overflow");
    assert_eq!(z.len(), usize::MAX - 3);
    z.extend_from_within(..3);
    assert_eq!(z.len(), usize::MAX);

    let mut v: StackVec<Tracked, 16> = (0..3).map(Tracked::new).collect();
    assert!(caught(|| v.pop_if(|_| panic!("predicate panics"))).is_err());
    assert_eq!(values(&v), [0, 1, 2]);
    assert_eq!(v.pop_if(|t| t.value == 2).map(|t| t.value), Some(2));
    drop(v);
    assert_eq!(live(), 0);
}

// ---------------------------------------------------------------------------------------------
// The fallible API: succeed fully, or return an error with the vector unchanged
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
struct Snapshot {
    values: Vec<u64>,
    len: usize,
    cap: usize,
    spilled: bool,
    ptr: usize,
}

fn snap<const N: usize, A: Allocator>(v: &StackVec<Tracked, N, A>) -> Snapshot {
    Snapshot {
        values: values(v),
        len: v.len(),
        cap: v.capacity(),
        spilled: v.spilled(),
        // Inline elements move with the vector; a heap buffer must stay where it is.
        ptr: if v.spilled() { v.as_ptr() as usize } else { 0 },
    }
}

/// Every `try_` on a full vector (inline, then spilled) with a refusing allocator returns an
/// error, hands back what it was given, and changes nothing; the value handed back and the
/// clones made are dropped once.
#[test]
fn every_try_method_refused_leaves_the_vector_unchanged() {
    let a = Watch::default();
    for fill in [1u64, 7] {
        let mut v: StackVec<Tracked, 16, &Watch> = StackVec::new_in(&a); // 1 inline
        v.extend((0..fill).map(Tracked::new));
        while !v.is_full() {
            v.push(Tracked::new(99));
        }
        a.refuse.set(true);
        let before = snap(&v);
        let e = v.try_push(Tracked::new(100)).unwrap_err();
        assert!(matches!(
            e.error().kind(),
            TryReserveErrorKind::AllocError { .. }
        ));
        assert_eq!(e.into_value().value, 100);
        assert_eq!(
            v.try_insert(0, Tracked::new(101))
                .unwrap_err()
                .into_value()
                .value,
            101
        );
        let src = [Tracked::new(1), Tracked::new(2)];
        assert!(v.try_extend_from_slice(&src).is_err());
        drop(src);
        assert!(v.try_resize(v.len() + 1, Tracked::new(5)).is_err());
        assert!(v.try_reserve(1).is_err());
        assert!(v.try_reserve_exact(1).is_err());
        assert!(v.push_within_capacity(Tracked::new(6)).is_err());
        assert_eq!(snap(&v), before);
        // Within capacity the same calls succeed without the allocator.
        v.try_resize(1, Tracked::new(7)).unwrap();
        v.pop();
        v.try_push(Tracked::new(8)).unwrap();
        assert_eq!(values(&v), [8]);
        a.refuse.set(false);
        drop(v);
        assert_eq!((live(), a.live_blocks()), (0, 0));
    }
    assert!(StackVec::<Tracked, 16, &Watch>::try_with_capacity_in(3, &a).is_ok());
    a.refuse.set(true);
    assert!(StackVec::<Tracked, 16, &Watch>::try_with_capacity_in(3, &a).is_err());
    assert!(StackVec::<Tracked, 16, &Watch>::try_with_capacity_in(1, &a).is_ok());
    // `try_into_heap_exact` of inline elements: the vector comes back untouched.
    let mut v: StackVec<Tracked, 16, &Watch> = StackVec::new_in(&a);
    v.push(Tracked::new(1));
    let before = snap(&v);
    let (v, e) = v.try_into_heap_exact().unwrap_err();
    assert!(matches!(e.kind(), TryReserveErrorKind::AllocError { .. }));
    assert_eq!(snap(&v), before);
    a.refuse.set(false);
    let heap = v.try_into_heap_exact().unwrap();
    assert_eq!((heap.len(), heap.capacity()), (1, 1));
    drop(heap);
    assert_eq!((live(), a.live_blocks()), (0, 0));
}

/// Capacity overflow for every `try_`, for zero-sized elements at `usize::MAX` too: an error,
/// nothing changed.
#[test]
fn try_methods_on_capacity_overflow() {
    let mut z: StackVec<(), 0> = StackVec::new();
    // SAFETY: zero-sized values need no initialization.
    unsafe { z.set_len(usize::MAX) };
    assert_eq!(
        z.try_push(()).unwrap_err().error().kind(),
        TryReserveErrorKind::CapacityOverflow
    );
    assert!(z.try_insert(0, ()).is_err());
    assert!(z.try_extend_from_slice(&[()]).is_err());
    assert!(z.try_reserve(1).is_err());
    assert_eq!(z.len(), usize::MAX);
    z.try_extend_from_slice(&[]).unwrap();
    let mut v: StackVec<u64> = StackVec::from([1, 2]);
    assert!(v.try_resize(usize::MAX / 4, 0).is_err());
    assert!(v.try_extend_from_slice(&[0; 3][..]).is_ok());
    assert!(StackVec::<u64>::try_with_capacity(usize::MAX / 8 + 1).is_err());
    assert_eq!(v, [1, 2, 0, 0, 0]);
}

/// When the allocator refuses the amortized growth (a spill to 8 `u64`, 64 bytes) but grants
/// exactly what is needed (40 bytes), the `try_` methods take that (their error means "the
/// vector cannot grow"), as `extend` does; the panicking methods grow as `Vec`'s do.
#[test]
fn try_methods_take_exactly_what_is_needed_when_doubling_is_refused() {
    budget(40);
    let mut w: StackVec<u64, 32, Budget> = StackVec::from([1, 2, 3, 4]);
    w.extend([5]);
    assert_eq!((w.as_slice(), w.capacity()), (&[1, 2, 3, 4, 5][..], 5));
    let four = || StackVec::<u64, 32, Budget>::from([1, 2, 3, 4]);
    let mut refused = Vec::new();
    if four().try_push(5).is_err() {
        refused.push("try_push");
    }
    if four().try_insert(0, 5).is_err() {
        refused.push("try_insert");
    }
    if four().try_extend_from_slice(&[5]).is_err() {
        refused.push("try_extend_from_slice");
    }
    if four().try_resize(5, 0).is_err() {
        refused.push("try_resize");
    }
    if four().try_reserve(1).is_err() {
        refused.push("try_reserve");
    }
    budget(33);
    let mut s: StackString<32, Budget> = StackString::new_in(Budget);
    s.push_str("0123456789abcdef0123456789abcdef");
    if s.try_push_str("!").is_err() {
        refused.push("StackString::try_push_str");
    }
    budget(usize::MAX);
    assert!(
        refused.is_empty(),
        "refused growth by one that the allocator grants: {refused:?}"
    );
}

/// The fallible API's second request is made only when it is smaller: a reservation whose
/// amortized capacity is exactly what is needed asks once, a full inline vector twice (8, then
/// 5 elements).
#[test]
fn try_methods_ask_again_only_for_less() {
    let w = Watch::default();
    w.refuse.set(true);
    let mut v: StackVec<u64, 32, &Watch> = StackVec::new_in(&w);
    assert!(v.try_reserve(100).is_err());
    assert_eq!(w.refusals.get(), 1);
    v.extend([1, 2, 3, 4]);
    assert!(v.try_push(5).is_err());
    assert_eq!(w.refusals.get(), 3);
    assert_eq!(v, [1, 2, 3, 4]);
}

// ---------------------------------------------------------------------------------------------
// SyncArena: the GlobalAlloc and Allocator contracts
// ---------------------------------------------------------------------------------------------

/// Zero-sized requests: aligned, non-null, consume nothing, succeed on a full arena, and can
/// be freed, grown and shrunk through both interfaces.
#[test]
fn sync_arena_zero_sized_blocks() {
    let arena = SyncArena::<64>::new();
    for align in [1, 8, 64, 4096, 1 << 20] {
        let l = Layout::from_size_align(0, align).unwrap();
        let p = (&arena).allocate(l).unwrap();
        assert_eq!(p.len(), 0);
        assert_eq!(p.cast::<u8>().as_ptr() as usize % align, 0);
        // SAFETY: just allocated with `l`.
        unsafe { (&arena).deallocate(p.cast(), l) };
    }
    assert_eq!(arena.used(), 0);
    let full = (&arena).allocate(Layout::new::<[u8; 64]>()).unwrap();
    let l0 = Layout::from_size_align(0, 16).unwrap();
    let z = (&arena).allocate(l0).unwrap().cast::<u8>();
    // SAFETY: blocks of this arena with these layouts.
    unsafe {
        // Growing a zero-sized block on a full arena fails and changes nothing.
        assert!((&arena).grow(z, l0, Layout::new::<u8>()).is_err());
        // Shrinking the full block to nothing reclaims it; the zero-sized block then grows.
        let s = (&arena)
            .shrink(
                full.cast(),
                Layout::new::<[u8; 64]>(),
                Layout::new::<[u8; 0]>(),
            )
            .unwrap();
        assert_eq!(arena.used(), 0);
        let g = (&arena)
            .grow(z, l0, Layout::from_size_align(32, 16).unwrap())
            .unwrap();
        assert_eq!(g.cast::<u8>().as_ptr() as usize % 16, 0);
        g.cast::<u8>().as_ptr().write_bytes(3, 32);
        (&arena).deallocate(s.cast(), Layout::new::<[u8; 0]>());
        (&arena).deallocate(g.cast(), Layout::from_size_align(32, 16).unwrap());
    }
    // Only the padding before the 16-aligned block stays used.
    assert!(arena.used() < 16, "{}", arena.used());
}

/// `GlobalAlloc::realloc` to a bigger, smaller and equal size, for the last block and one that
/// is not, and `dealloc` of a block that is not the last: contents kept, only the last block
/// reclaimed, a failed realloc leaves the block valid.
#[test]
fn sync_arena_global_realloc_every_direction() {
    use std::alloc::GlobalAlloc;
    let arena = SyncArena::<256>::new();
    let l = |size| Layout::from_size_align(size, 8).unwrap();
    // SAFETY: the `GlobalAlloc` contract: blocks of this arena, used within their sizes.
    unsafe {
        let a = GlobalAlloc::alloc(&arena, l(16));
        a.write_bytes(0xA1, 16);
        let b = GlobalAlloc::alloc(&arena, l(16));
        b.write_bytes(0xB2, 16);
        // Not the last: equal and smaller stay in place, bigger moves and copies.
        assert_eq!(GlobalAlloc::realloc(&arena, a, l(16), 16), a);
        assert_eq!(GlobalAlloc::realloc(&arena, a, l(16), 8), a);
        let used = arena.used();
        let a2 = GlobalAlloc::realloc(&arena, a, l(8), 40);
        assert_ne!(a2, a);
        assert_eq!(std::slice::from_raw_parts(a2, 8), &[0xA1; 8]);
        assert!(arena.used() >= used + 40);
        assert_eq!(std::slice::from_raw_parts(b, 16), &[0xB2; 16]);
        // The last: equal stays, smaller gives back the tail, bigger grows in place.
        let last = a2;
        assert_eq!(GlobalAlloc::realloc(&arena, last, l(40), 40), last);
        let used = arena.used();
        assert_eq!(GlobalAlloc::realloc(&arena, last, l(40), 24), last);
        assert_eq!(arena.used(), used - 16);
        assert_eq!(GlobalAlloc::realloc(&arena, last, l(24), 64), last);
        assert_eq!(std::slice::from_raw_parts(last, 8), &[0xA1; 8]);
        // Too big: null, the block untouched and still the last.
        let used = arena.used();
        assert!(GlobalAlloc::realloc(&arena, last, l(64), 4096).is_null());
        assert_eq!(arena.used(), used);
        assert_eq!(std::slice::from_raw_parts(last, 8), &[0xA1; 8]);
        // `dealloc` of `b` (not the last) reclaims nothing; of the last, its bytes.
        GlobalAlloc::dealloc(&arena, b, l(16));
        assert_eq!(arena.used(), used);
        GlobalAlloc::dealloc(&arena, last, l(64));
        assert_eq!(arena.used(), used - 64);
        // `alloc_zeroed` over reclaimed, written bytes gives zeros.
        let z = GlobalAlloc::alloc_zeroed(&arena, l(64));
        assert_eq!(std::slice::from_raw_parts(z, 64), &[0; 64]);
    }
}

/// The `Allocator` interface with changing alignments: a block moved for a larger alignment is
/// aligned and keeps its bytes; a shrink to a larger alignment on a full arena fails cleanly.
#[test]
fn sync_arena_allocator_alignment_changes() {
    let arena = SyncArena::<512>::new();
    let l = |size, align| Layout::from_size_align(size, align).unwrap();
    // SAFETY: blocks of this arena with the layouts they were made with.
    unsafe {
        let pad = (&arena).allocate(l(1, 1)).unwrap().cast::<u8>();
        let a = (&arena).allocate(l(24, 1)).unwrap().cast::<u8>();
        a.as_ptr().write_bytes(0x77, 24);
        // Misaligned for 64 (it starts at offset 1): grow moves it.
        let g = (&arena).grow(a, l(24, 1), l(48, 64)).unwrap().cast::<u8>();
        assert_eq!(g.as_ptr() as usize % 64, 0);
        assert_eq!(std::slice::from_raw_parts(g.as_ptr(), 24), &[0x77; 24]);
        let s = (&arena)
            .shrink(g, l(48, 64), l(16, 128))
            .unwrap()
            .cast::<u8>();
        assert_eq!(s.as_ptr() as usize % 128, 0);
        assert_eq!(std::slice::from_raw_parts(s.as_ptr(), 16), &[0x77; 16]);
        let rest_layout = l(arena.remaining(), 1);
        let rest = (&arena).allocate(rest_layout).unwrap().cast::<u8>();
        assert_eq!(arena.remaining(), 0);
        let moved = if s.as_ptr() as usize % 4096 == 0 {
            None
        } else {
            Some((&arena).shrink(s, l(16, 128), l(8, 4096)))
        };
        if let Some(r) = moved {
            assert!(r.is_err(), "no room for an aligned copy");
            assert_eq!(std::slice::from_raw_parts(s.as_ptr(), 16), &[0x77; 16]);
        }
        (&arena).deallocate(rest, rest_layout);
        (&arena).deallocate(pad, l(1, 1));
    }
}

/// A randomized walk through the `Allocator` interface: allocations of alignments up to 4096
/// and sizes from 0, grows and shrinks (alignment changes included), frees in any order (most
/// not the last); after every step the live blocks are aligned, disjoint, inside the arena, and
/// hold what was written.
#[test]
fn sync_arena_randomized_allocator_walk() {
    struct Blk {
        p: NonNull<u8>,
        l: Layout,
        fill: u8,
    }
    let mut arena: Box<SyncArena<{ 1 << 16 }>> = Box::new(SyncArena::new());
    let base = &*arena as *const SyncArena<{ 1 << 16 }> as usize;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut blocks: Vec<Blk> = Vec::new();
    let mut fill = 0u8;
    let check = |blocks: &[Blk]| {
        let mut spans = Vec::new();
        for b in blocks {
            assert_eq!(b.p.as_ptr() as usize % b.l.align(), 0);
            if b.l.size() == 0 {
                continue;
            }
            let start = b.p.as_ptr() as usize;
            assert!(start >= base && start + b.l.size() <= base + (1 << 16));
            // SAFETY: a live block we wrote.
            let bytes = unsafe { std::slice::from_raw_parts(b.p.as_ptr(), b.l.size()) };
            assert!(bytes.iter().all(|&x| x == b.fill), "contents changed");
            spans.push((start, start + b.l.size()));
        }
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0, "blocks overlap");
        }
    };
    for step in 0..20_000 {
        fill = fill.wrapping_add(1).max(1);
        let size = [0, 1, 3, 8, 24, 100, 700][rng.below(7)];
        let l = Layout::from_size_align(size, 1 << rng.below(13)).unwrap();
        match rng.below(6) {
            0 | 1 => {
                if let Ok(p) = (&*arena).allocate(l) {
                    let p = p.cast::<u8>();
                    // SAFETY: a fresh block of `size` bytes.
                    unsafe { p.as_ptr().write_bytes(fill, size) };
                    blocks.push(Blk { p, l, fill });
                }
            }
            2 | 3 if !blocks.is_empty() => {
                let i = rng.below(blocks.len());
                let b = &mut blocks[i];
                let grow = l.size() >= b.l.size();
                // SAFETY: a live block of this arena with layout `b.l`.
                let r = unsafe {
                    if grow {
                        (&*arena).grow(b.p, b.l, l)
                    } else {
                        (&*arena).shrink(b.p, b.l, l)
                    }
                };
                if let Ok(p) = r {
                    let p = p.cast::<u8>();
                    // SAFETY: the first `min` bytes were kept; rewrite the whole block.
                    unsafe {
                        let kept = std::slice::from_raw_parts(p.as_ptr(), b.l.size().min(size));
                        assert!(kept.iter().all(|&x| x == b.fill), "step {step}: lost bytes");
                        p.as_ptr().write_bytes(fill, size);
                    }
                    *b = Blk { p, l, fill };
                }
            }
            _ if !blocks.is_empty() => {
                let i = if rng.below(2) == 0 {
                    blocks.len() - 1
                } else {
                    rng.below(blocks.len())
                };
                let b = blocks.swap_remove(i);
                // SAFETY: a live block of this arena, freed once.
                unsafe { (&*arena).deallocate(b.p, b.l) };
            }
            _ => {}
        }
        if step % 64 == 0 {
            check(&blocks);
        }
        if arena.remaining() < 2048 {
            check(&blocks);
            while let Some(b) = blocks.pop() {
                // SAFETY: as above.
                unsafe { (&*arena).deallocate(b.p, b.l) };
            }
            arena.reset();
        }
    }
    check(&blocks);
}

/// Several threads through `GlobalAlloc`: allocate, grow and shrink with `realloc`, free in
/// any order, with the blocks' contents checked: no block is ever handed out twice.
#[test]
fn sync_arena_global_alloc_from_several_threads() {
    use std::alloc::GlobalAlloc;
    static ARENA: SyncArena<{ 1 << 20 }> = SyncArena::new();
    std::thread::scope(|s| {
        for t in 0..6u64 {
            s.spawn(move || {
                let mut rng = Rng(0x1234_5678 + t);
                let mut mine: Vec<(*mut u8, Layout, u8)> = Vec::new();
                let fill = (t as u8 + 1) * 17;
                for _ in 0..4000 {
                    match rng.below(4) {
                        0 | 1 => {
                            let l = Layout::from_size_align(1 + rng.below(64), 1 << rng.below(7))
                                .unwrap();
                            // SAFETY: a non-zero-sized layout.
                            let p = unsafe { GlobalAlloc::alloc(&ARENA, l) };
                            if !p.is_null() {
                                // SAFETY: a fresh block of `l.size()` bytes.
                                unsafe { p.write_bytes(fill, l.size()) };
                                mine.push((p, l, fill));
                            }
                        }
                        2 if !mine.is_empty() => {
                            let i = rng.below(mine.len());
                            let (p, l, f) = mine[i];
                            let new = 1 + rng.below(96);
                            // SAFETY: a live block of `l`; `new` is not zero.
                            let q = unsafe { GlobalAlloc::realloc(&ARENA, p, l, new) };
                            if !q.is_null() {
                                // SAFETY: the first `min` bytes were kept.
                                unsafe {
                                    let kept = std::slice::from_raw_parts(q, l.size().min(new));
                                    assert!(kept.iter().all(|&x| x == f));
                                    q.write_bytes(fill, new);
                                }
                                let nl = Layout::from_size_align(new, l.align()).unwrap();
                                mine[i] = (q, nl, fill);
                            }
                        }
                        _ if !mine.is_empty() => {
                            let i = if rng.below(2) == 0 {
                                mine.len() - 1
                            } else {
                                rng.below(mine.len())
                            };
                            let (p, l, f) = mine.swap_remove(i);
                            // SAFETY: a live block, read within its size, then freed once.
                            unsafe {
                                let bytes = std::slice::from_raw_parts(p, l.size());
                                assert!(bytes.iter().all(|&x| x == f), "another thread wrote");
                                GlobalAlloc::dealloc(&ARENA, p, l);
                            }
                        }
                        _ => {}
                    }
                }
                for (p, l, f) in mine {
                    // SAFETY: as above.
                    unsafe {
                        let bytes = std::slice::from_raw_parts(p, l.size());
                        assert!(bytes.iter().all(|&x| x == f), "another thread wrote");
                        GlobalAlloc::dealloc(&ARENA, p, l);
                    }
                }
            });
        }
    });
}

/// `StackVec`s of `Tracked` spilling into one `SyncArena` from several threads, with drops
/// that unwind: each element dropped once, contents intact.
#[test]
fn sync_arena_vectors_with_panicking_drops_on_several_threads() {
    static ARENA: SyncArena<{ 1 << 22 }> = SyncArena::new();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let arena = &ARENA;
            s.spawn(move || {
                for round in 0..50u64 {
                    let mut v: StackVec<Tracked, 32, _> = StackVec::new_in(arena);
                    v.extend((0..round * 3).map(|i| Tracked::new(i * t)));
                    assert!(v.iter().map(|x| x.value).eq((0..round * 3).map(|i| i * t)));
                    if round % 7 == 3 {
                        panic_on_drop(2);
                        assert!(caught(move || drop(v)).is_err());
                        panic_on_drop(0);
                    } else {
                        drop(v);
                    }
                    assert_eq!(live(), 0);
                }
            });
        }
    });
}

/// The inline arena memory is used only through blocks: an arena on the stack, filled, reset
/// and filled again, never hands out a block past its end.
#[test]
fn sync_arena_on_the_stack_reset_and_refill() {
    let mut arena = SyncArena::<100>::new();
    for _ in 0..3 {
        let mut got = 0;
        while let Ok(p) = arena.try_alloc_layout(Layout::from_size_align(7, 4).unwrap()) {
            let off = p.as_ptr() as usize - &arena as *const SyncArena<100> as usize;
            assert!(off + 7 <= 100);
            got += 1;
        }
        assert_eq!(got, 12); // 4-aligned slots of 7: 0, 8, ..., 88
        assert_eq!(*arena.try_alloc(9u8).unwrap(), 9); // at 95
        assert_eq!(arena.used(), 96);
        assert!(arena.try_alloc([0u8; 5]).is_err());
        arena.reset();
    }
}

/// Deserializing a string past the budget takes one exact allocation, as `String` does.
#[cfg(feature = "serde")]
#[test]
fn deserialized_long_string_has_exact_capacity() {
    let text = "a string longer than the thirty-two inline bytes";
    let json = serde_json::to_string(text).unwrap();
    let s: StackString = serde_json::from_str(&json).unwrap();
    assert_eq!(s, text);
    assert!(s.spilled());
    assert_eq!(s.capacity(), text.len());
}

/// `write_vectored` makes one reservation for all the buffers, as `Vec<u8>`'s does: two of 40
/// bytes into an empty vector are one allocation of 80, not a spill to 64 and a growth to 128.
#[cfg(feature = "std")]
#[test]
fn io_write_vectored_reserves_the_total_once() {
    use std::io::{IoSlice, Write};
    let bufs = [IoSlice::new(&[1; 40]), IoSlice::new(&[2; 40])];
    let mut v: StackVec<u8> = StackVec::new();
    assert_eq!(v.write_vectored(&bufs).unwrap(), 80);
    let mut std_v: Vec<u8> = Vec::new();
    assert_eq!(std_v.write_vectored(&bufs).unwrap(), 80);
    assert_eq!((v.len(), v.capacity()), (80, std_v.capacity()));
    assert_eq!(v.capacity(), 80);
}
