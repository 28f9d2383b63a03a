//! [`StackString`]: UTF-8 text over [`StackVec<u8>`](crate::StackVec), the string side of Go's
//! 32-byte stack buffer (`tmpBuf` in the runtime's `concatstrings` and `slicebytetostring`).
//!
//! Its iterator and errors live in this module: [`Drain`], [`FromUtf8Error`] and
//! [`FromUtf16Error`].

#[cfg(feature = "alloc")]
mod convert;
mod drain;
mod error;
mod format;
mod traits;

use core::ops::{Range, RangeBounds};
use core::{fmt, ptr, str};

use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;

pub use self::drain::Drain;
pub use self::error::{FromUtf16Error, FromUtf8Error};
use crate::const_allocator::ConstAllocator;
use crate::error::TryReserveError;
use crate::no_heap::is_no_heap;
use crate::StackVec;

with_stack_vec_defaults! {
    /// A UTF-8 string with an inline buffer of `N` bytes (32 by default, Go's `tmpStringBufSize`)
    /// that moves to a heap buffer from `A` when the text no longer fits: `String`'s API over a
    /// [`StackVec<u8, N, A>`](StackVec), whose storage, growth and spilling it uses unchanged.
    ///
    /// * **Invariant**: the bytes are valid UTF-8. Every method keeps it; only the `unsafe` ones
    ///   ([`from_utf8_unchecked`](Self::from_utf8_unchecked), [`as_mut_vec`](Self::as_mut_vec))
    ///   hand that duty to the caller.
    /// * Size: that of `StackVec<u8, N, A>` (48 bytes on 64-bit targets, 40 on 32-bit ones, for the
    ///   default budget and allocator).
    /// * Indices are byte offsets; one that is not on a char boundary panics as it does for `String`.
    /// * [`stack_format!`](crate::stack_format) and [`stack_concat!`](crate::stack_concat) build one
    ///   with no allocation when the result fits; when it does not, `stack_concat!` allocates once
    ///   (it adds up the lengths first) and `stack_format!` grows as `push_str` does (formatting
    ///   does not know the length in advance). [`into_heap_exact`](Self::into_heap_exact) is the
    ///   move to the heap, one exact allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::new();
    /// s.push_str("user:");
    /// s.push_str("1234");
    /// assert_eq!(s, "user:1234");
    /// assert!(!s.spilled()); // 9 bytes: inline
    /// s.push_str(" logged in from 192.168.100.200");
    /// assert!(s.spilled()); // 40 bytes: one heap allocation
    /// let heap: String = s.into_heap_exact(); // already on the heap: handed over
    /// assert_eq!(heap.len(), 40);
    /// ```
    pub struct StackString<const N: usize, A: Allocator> {
        vec: StackVec<u8, N, A>,
    }
}

impl<const N: usize, A: ConstAllocator> StackString<N, A> {
    /// An empty string, inline. Never allocates. The allocator is the one value of `A`: the
    /// global heap by default, or [`NoHeap`](crate::NoHeap) for a string that never allocates
    /// (see [`ConstAllocator`]); [`new_in`](Self::new_in) takes any other.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{NoHeap, StackString};
    ///
    /// const EMPTY: StackString = StackString::new();
    /// assert_eq!((EMPTY.len(), EMPTY.capacity()), (0, 32));
    /// let mut fixed: StackString<4, NoHeap> = StackString::new();
    /// assert!(fixed.try_reserve(5).is_err()); // 4 bytes, and no heap
    /// fixed.push_str("1234");
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            vec: StackVec::new(),
        }
    }
}

#[cfg(feature = "alloc")]
impl<const N: usize> StackString<N, Global> {
    /// An empty string with room for at least `capacity` bytes: inline when they fit the
    /// budget, else one heap allocation of exactly `capacity` bytes.
    ///
    /// # Panics
    /// With "capacity overflow" when `capacity` exceeds `isize::MAX`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// assert!(!StackString::<32>::with_capacity(20).spilled());
    /// assert_eq!(StackString::<32>::with_capacity(50).capacity(), 50);
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_in(capacity, Global)
    }

    /// Decodes `v`, replacing each invalid sequence with U+FFFD (std's
    /// `String::from_utf8_lossy`, always copying).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from_utf8_lossy(b"ok \xF0\x90\x80 done");
    /// assert_eq!(s, "ok \u{FFFD} done");
    /// ```
    #[track_caller]
    #[must_use]
    pub fn from_utf8_lossy(v: &[u8]) -> Self {
        Self::from_utf8_lossy_in(v, Global)
    }

    /// Decodes UTF-16 code units (std's `String::from_utf16`): inline when the text fits.
    ///
    /// # Errors
    /// [`FromUtf16Error`] if `v` holds an unpaired surrogate.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let units: Vec<u16> = "Grüße 🦀".encode_utf16().collect();
    /// let s: StackString = StackString::from_utf16(&units).unwrap();
    /// assert_eq!((s.as_str(), s.spilled()), ("Grüße 🦀", false));
    /// assert!(StackString::<32>::from_utf16(&[0xDC00]).is_err());
    /// ```
    #[track_caller]
    pub fn from_utf16(v: &[u16]) -> Result<Self, FromUtf16Error> {
        Self::from_utf16_in(v, Global)
    }

    /// Decodes UTF-16 code units, replacing each unpaired surrogate with U+FFFD (std's
    /// `String::from_utf16_lossy`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from_utf16_lossy(&[0x61, 0xD800, 0x62]);
    /// assert_eq!(s, "a\u{FFFD}b");
    /// ```
    #[track_caller]
    #[must_use]
    pub fn from_utf16_lossy(v: &[u16]) -> Self {
        Self::from_utf16_lossy_in(v, Global)
    }

    /// **The explicit `runtime.move2heap`** for text: std's `String`, with exactly one
    /// allocation of `len` bytes if the text was inline (none if it is empty), the heap buffer
    /// handed over as is if it had spilled.
    ///
    /// Returning the `StackString` itself by value needs no allocation at all; use this when
    /// the result must be a `String`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{stack_format, StackString};
    ///
    /// fn key(id: u32) -> String {
    ///     stack_format!("user:{id}").into_heap_exact() // Go's escaping `"user:" + id`
    /// }
    /// let k = key(42);
    /// assert_eq!((k.as_str(), k.capacity()), ("user:42", 7));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn into_heap_exact(self) -> alloc::string::String {
        // SAFETY: the bytes are valid UTF-8 (the type's invariant).
        unsafe { alloc::string::String::from_utf8_unchecked(self.vec.into_heap_exact()) }
    }

    /// Same as [`into_heap_exact`](Self::into_heap_exact).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("abc");
    /// assert_eq!(s.into_string(), "abc");
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn into_string(self) -> alloc::string::String {
        self.into_heap_exact()
    }

    /// The text as std's `Box<str>`, exactly sized: inline text takes one exact allocation, a
    /// spilled buffer with spare capacity is shrunk by the allocator.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("boxed");
    /// let b: Box<str> = s.into_boxed_str();
    /// assert_eq!(&*b, "boxed");
    /// ```
    #[track_caller]
    #[must_use]
    pub fn into_boxed_str(self) -> alloc::boxed::Box<str> {
        // SAFETY: the bytes are valid UTF-8 (the type's invariant).
        unsafe { alloc::str::from_boxed_utf8_unchecked(self.vec.into_boxed_slice()) }
    }
}

impl<const N: usize, A: Allocator> StackString<N, A> {
    /// How many bytes fit inline: `N`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// assert_eq!(StackString::<24>::INLINE_CAPACITY, 24);
    /// ```
    pub const INLINE_CAPACITY: usize = N;

    /// An empty inline string that will spill into `alloc`.
    ///
    /// # Examples
    /// ```
    /// use core::fmt::Write;
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, Frame, StackString};
    ///
    /// let mut memory = [MaybeUninit::uninit(); 256];
    /// let mut arena = Arena::from_memory(&mut memory);
    /// arena.frame(|f| {
    ///     let mut s: StackString<16, &Frame> = StackString::new_in(&f);
    ///     write!(s, "{}", "longer than sixteen bytes").unwrap(); // spills into the frame
    ///     assert!(s.spilled() && f.used() > 0);
    /// });
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    pub const fn new_in(alloc: A) -> Self {
        Self {
            vec: StackVec::new_in(alloc),
        }
    }

    /// [`with_capacity`](StackString::with_capacity) with an allocator.
    ///
    /// # Panics
    /// With "capacity overflow" when `capacity` exceeds `isize::MAX`, and with "capacity
    /// exceeded" when it exceeds `N` for a string that cannot grow ([`NoHeap`](crate::NoHeap)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s: StackString<8, _> = StackString::with_capacity_in(40, &bump);
    /// assert_eq!((s.spilled(), s.capacity()), (true, 40));
    /// ```
    #[inline]
    #[track_caller]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Self {
        Self {
            vec: StackVec::with_capacity_in(capacity, alloc),
        }
    }

    /// Takes `vec` as the string's bytes if they are valid UTF-8, without copying; otherwise
    /// gives them back inside the error, as `String::from_utf8` does.
    ///
    /// # Errors
    /// [`FromUtf8Error`] (with the [`Utf8Error`](core::str::Utf8Error) std reports) when `vec`
    /// is not valid UTF-8.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let ok = StackString::from_utf8(StackVec::<u8>::from(*b"hi")).unwrap();
    /// assert_eq!(ok, "hi");
    /// let err = StackString::from_utf8(StackVec::<u8>::from([b'a', 0xff])).unwrap_err();
    /// assert_eq!(err.utf8_error().valid_up_to(), 1);
    /// assert_eq!(err.into_bytes(), [b'a', 0xff]);
    /// ```
    pub fn from_utf8(vec: StackVec<u8, N, A>) -> Result<Self, FromUtf8Error<N, A>> {
        match str::from_utf8(&vec) {
            Ok(_) => Ok(Self { vec }),
            Err(error) => Err(FromUtf8Error::new(vec, error)),
        }
    }

    /// [`from_utf8_lossy`](StackString::from_utf8_lossy) into a string of `alloc`.
    ///
    /// # Panics
    /// With "capacity exceeded" when the text (each invalid sequence replaced by the three
    /// bytes of U+FFFD) does not fit a string that cannot grow ([`NoHeap`](crate::NoHeap)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s: StackString<32, _> = StackString::from_utf8_lossy_in(b"a\xffb", &bump);
    /// assert_eq!(s, "a\u{FFFD}b");
    /// ```
    #[track_caller]
    pub fn from_utf8_lossy_in(v: &[u8], alloc: A) -> Self {
        let mut s = Self::with_capacity_in(v.len(), alloc);
        for chunk in v.utf8_chunks() {
            s.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                s.push(char::REPLACEMENT_CHARACTER);
            }
        }
        s
    }

    /// [`from_utf16`](StackString::from_utf16) into a string of `alloc`.
    ///
    /// # Errors
    /// [`FromUtf16Error`] if `v` holds an unpaired surrogate.
    ///
    /// # Panics
    /// With "capacity exceeded" when the text does not fit a string that cannot grow
    /// ([`NoHeap`](crate::NoHeap)); an unpaired surrogate is reported first, as an error.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{InlineString, NoHeap, StackString};
    ///
    /// let s: InlineString<8> = StackString::from_utf16_in(&[0x6F, 0x6B], NoHeap).unwrap();
    /// assert_eq!(s, "ok");
    /// ```
    #[track_caller]
    pub fn from_utf16_in(v: &[u16], alloc: A) -> Result<Self, FromUtf16Error> {
        Self::decode_utf16_in(v, alloc, |_| Err(FromUtf16Error(())))
    }

    /// [`from_utf16_lossy`](StackString::from_utf16_lossy) into a string of `alloc`.
    ///
    /// # Panics
    /// With "capacity exceeded" when the text (each unpaired surrogate replaced by the three
    /// bytes of U+FFFD) does not fit a string that cannot grow ([`NoHeap`](crate::NoHeap)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s: StackString<32, _> = StackString::from_utf16_lossy_in(&[0xD834, 0x61], &bump);
    /// assert_eq!(s, "\u{FFFD}a");
    /// ```
    #[track_caller]
    pub fn from_utf16_lossy_in(v: &[u16], alloc: A) -> Self {
        let Ok(s) = Self::decode_utf16_in(v, alloc, |_| {
            Ok::<_, core::convert::Infallible>(char::REPLACEMENT_CHARACTER)
        });
        s
    }

    /// Decodes `v` into a string with room for `v.len()` bytes, as `String` reserves (the text
    /// takes at least a byte per code unit); `unpaired` decides what an unpaired surrogate
    /// becomes, or stops the decoding with its error.
    #[track_caller]
    fn decode_utf16_in<E>(
        v: &[u16],
        alloc: A,
        unpaired: impl Fn(core::char::DecodeUtf16Error) -> Result<char, E>,
    ) -> Result<Self, E> {
        if is_no_heap::<A>() {
            // A string that cannot grow may run out of room before the decoding reaches an
            // unpaired surrogate: a bad input is reported first, as `String` reports it. (For
            // the lossy form nothing can fail, and the loop folds away.)
            for c in char::decode_utf16(v.iter().copied()) {
                if let Err(e) = c {
                    unpaired(e)?;
                }
            }
        }
        let mut s = Self::with_capacity_in(v.len(), alloc);
        for c in char::decode_utf16(v.iter().copied()) {
            s.push(c.or_else(&unpaired)?);
        }
        Ok(s)
    }

    /// Takes `vec` as the string's bytes without checking them.
    ///
    /// # Safety
    /// `vec` holds valid UTF-8.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let v: StackVec<u8> = StackVec::from(*b"ok");
    /// // SAFETY: ASCII is UTF-8.
    /// let s = unsafe { StackString::from_utf8_unchecked(v) };
    /// assert_eq!(s, "ok");
    /// ```
    #[inline]
    pub const unsafe fn from_utf8_unchecked(vec: StackVec<u8, N, A>) -> Self {
        Self { vec }
    }

    /// The bytes, as the `StackVec` they live in (no copy).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("hi");
    /// assert_eq!(s.into_bytes(), *b"hi");
    /// ```
    #[inline]
    pub fn into_bytes(self) -> StackVec<u8, N, A> {
        self.vec
    }

    /// The bytes.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("é");
    /// assert_eq!(s.as_bytes(), &[0xc3, 0xa9]);
    /// ```
    #[inline]
    pub const fn as_bytes(&self) -> &[u8] {
        self.vec.as_slice()
    }

    /// The text.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("text");
    /// assert_eq!(s.as_str(), "text");
    /// ```
    #[inline]
    pub const fn as_str(&self) -> &str {
        // SAFETY: the bytes are valid UTF-8 (the type's invariant).
        unsafe { str::from_utf8_unchecked(self.vec.as_slice()) }
    }

    /// The text, mutably (`make_ascii_uppercase` and the like).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("shout");
    /// s.as_mut_str().make_ascii_uppercase();
    /// assert_eq!(s, "SHOUT");
    /// ```
    #[inline]
    pub const fn as_mut_str(&mut self) -> &mut str {
        // SAFETY: the bytes are valid UTF-8, and `&mut str` can only keep them so.
        unsafe { str::from_utf8_unchecked_mut(self.vec.as_mut_slice()) }
    }

    /// The bytes, as the mutable `StackVec` they live in.
    ///
    /// # Safety
    /// The bytes must be valid UTF-8 again when the borrow ends (as for
    /// `String::as_mut_vec`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("abc");
    /// // SAFETY: one ASCII byte replaced by another.
    /// unsafe { s.as_mut_vec()[0] = b'x' };
    /// assert_eq!(s, "xbc");
    /// ```
    #[inline]
    pub unsafe fn as_mut_vec(&mut self) -> &mut StackVec<u8, N, A> {
        &mut self.vec
    }

    /// The length in bytes.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// assert_eq!(StackString::<32>::from("né").len(), 3);
    /// ```
    #[inline]
    pub const fn len(&self) -> usize {
        self.vec.len()
    }

    /// `true` when the string holds no bytes.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// assert!(StackString::<32>::new().is_empty());
    /// ```
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.vec.is_empty()
    }

    /// How many bytes fit without (re)allocating: `N` while inline, the heap buffer's capacity
    /// once spilled.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString<8> = StackString::new();
    /// assert_eq!(s.capacity(), 8);
    /// s.push_str("123456789");
    /// assert_eq!(s.capacity(), 16);
    /// ```
    #[inline]
    pub const fn capacity(&self) -> usize {
        self.vec.capacity()
    }

    /// `true` when the text lives in a heap buffer rather than inline.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString<4> = StackString::from("abcd");
    /// assert!(!s.spilled());
    /// s.push('e');
    /// assert!(s.spilled());
    /// ```
    #[inline]
    pub const fn spilled(&self) -> bool {
        self.vec.spilled()
    }

    /// The allocator the string spills into.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s: StackString<32, &bumpalo::Bump> = StackString::new_in(&bump);
    /// assert!(core::ptr::eq(*s.allocator(), &bump));
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        self.vec.allocator()
    }

    /// Appends `s`. While the string is inline and `s` fits, that is one check of the length
    /// word and one copy, in line; everything else (spilled, growing) is out of line.
    ///
    /// # Panics
    /// With "capacity overflow" when the length would exceed `isize::MAX`, and with "capacity
    /// exceeded" when a string that cannot grow ([`NoHeap`](crate::NoHeap)) is full: see
    /// [`try_push_str`](Self::try_push_str).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("stack");
    /// s.push_str("-first");
    /// assert_eq!(s, "stack-first");
    /// ```
    #[inline]
    #[track_caller]
    pub fn push_str(&mut self, s: &str) {
        // Appending whole `str`s keeps the bytes UTF-8.
        self.vec.extend_from_copy_slice(s.as_bytes())
    }

    /// Appends one char (one to four bytes).
    ///
    /// # Panics
    /// With "capacity overflow" when the length would exceed `isize::MAX`, and with "capacity
    /// exceeded" when a string that cannot grow ([`NoHeap`](crate::NoHeap)) is full: see
    /// [`try_push`](Self::try_push).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::new();
    /// s.push('a');
    /// s.push('é');
    /// assert_eq!(s, "aé");
    /// ```
    #[inline]
    #[track_caller]
    pub fn push(&mut self, ch: char) {
        match ch.len_utf8() {
            1 => self.vec.push(ch as u8),
            _ => self.push_str(ch.encode_utf8(&mut [0; 4])),
        }
    }

    /// [`push_str`](Self::push_str) that reports failure instead of panicking or aborting:
    /// heapless's `push_str` and arrayvec's `try_push_str`, for a string that cannot grow
    /// ([`NoHeap`](crate::NoHeap)) or one in a fixed arena frame. All or nothing.
    ///
    /// # Errors
    /// [`TryReserveError`] when `s` does not fit and the string cannot grow by its length
    /// ([`TryReserveErrorKind::CapacityExceeded`](crate::TryReserveErrorKind) for [`NoHeap`](crate::NoHeap));
    /// the string is unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{NoHeap, StackString};
    ///
    /// let mut s: StackString<8, NoHeap> = StackString::new();
    /// s.try_push_str("héllo").unwrap(); // 6 bytes
    /// assert!(s.try_push_str("!!!").is_err());
    /// s.try_push_str("!!").unwrap();
    /// assert_eq!(s, "héllo!!");
    /// ```
    #[inline]
    pub fn try_push_str(&mut self, s: &str) -> Result<(), TryReserveError> {
        self.vec.try_reserve(s.len())?;
        self.push_str(s);
        Ok(())
    }

    /// [`push`](Self::push) that reports failure instead of panicking or aborting.
    ///
    /// # Errors
    /// [`TryReserveError`] when the char's bytes do not fit and the string cannot grow; the
    /// string is unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{NoHeap, StackString};
    ///
    /// let mut s: StackString<2, NoHeap> = StackString::new();
    /// s.try_push('a').unwrap();
    /// assert!(s.try_push('é').is_err()); // two bytes, one left
    /// s.try_push('b').unwrap();
    /// assert_eq!(s, "ab");
    /// ```
    #[inline]
    pub fn try_push(&mut self, ch: char) -> Result<(), TryReserveError> {
        match ch.len_utf8() {
            1 => self.vec.try_push(ch as u8).map_err(|e| e.error()),
            _ => self.try_push_str(ch.encode_utf8(&mut [0; 4])),
        }
    }

    /// Inserts `ch` at byte index `idx`, shifting the rest right.
    ///
    /// # Panics
    /// If `idx` is past the end or not on a char boundary, or on capacity overflow
    /// ("capacity exceeded" when a string that cannot grow, [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("ac");
    /// s.insert(1, 'b');
    /// assert_eq!(s, "abc");
    /// ```
    #[track_caller]
    pub fn insert(&mut self, idx: usize, ch: char) {
        assert!(self.is_char_boundary(idx));
        self.splice_bytes(idx, idx, ch.encode_utf8(&mut [0; 4]).as_bytes());
    }

    /// Inserts `string` at byte index `idx`, shifting the rest right.
    ///
    /// # Panics
    /// If `idx` is past the end or not on a char boundary, or on capacity overflow
    /// ("capacity exceeded" when a string that cannot grow, [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("stackfirst");
    /// s.insert_str(5, "-");
    /// assert_eq!(s, "stack-first");
    /// ```
    #[track_caller]
    pub fn insert_str(&mut self, idx: usize, string: &str) {
        assert!(self.is_char_boundary(idx));
        self.splice_bytes(idx, idx, string.as_bytes());
    }

    /// Appends a copy of the bytes in `src`, a range of this string (`String::extend_from_within`).
    ///
    /// # Panics
    /// If the range is out of bounds or its ends are not on char boundaries, or on capacity
    /// overflow ("capacity exceeded" when a string that cannot grow, [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("ab€");
    /// s.extend_from_within(1..);
    /// assert_eq!(s, "ab€b€");
    /// ```
    #[track_caller]
    pub fn extend_from_within<R: RangeBounds<usize>>(&mut self, src: R) {
        let Range { start, end } = crate::range::resolve(src, self.len());
        // std's messages, as `drain`'s.
        assert!(self.is_char_boundary(start));
        assert!(self.is_char_boundary(end));
        // Whole chars of the string, appended: still UTF-8.
        self.vec.extend_from_within(start..end);
    }

    /// Removes and returns the last char, or `None` if empty.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("aé");
    /// assert_eq!(s.pop(), Some('é'));
    /// assert_eq!(s.pop(), Some('a'));
    /// assert_eq!(s.pop(), None);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<char> {
        let ch = self.chars().next_back()?;
        self.vec.truncate(self.len() - ch.len_utf8());
        Some(ch)
    }

    /// Removes and returns the char at byte index `idx`, shifting the rest left.
    ///
    /// # Panics
    /// If `idx` is not on a char boundary or is at or past the end.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("héllo");
    /// assert_eq!(s.remove(1), 'é');
    /// assert_eq!(s, "hllo");
    /// ```
    #[track_caller]
    pub fn remove(&mut self, idx: usize) -> char {
        let ch = match self[idx..].chars().next() {
            Some(ch) => ch,
            None => panic!("cannot remove a char from the end of a string"),
        };
        self.splice_bytes(idx, idx + ch.len_utf8(), &[]);
        ch
    }

    /// Shortens the string to `new_len` bytes; no effect if `new_len >= len`. The capacity is
    /// unchanged.
    ///
    /// # Panics
    /// If `new_len` is not on a char boundary.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("hello");
    /// s.truncate(2);
    /// assert_eq!(s, "he");
    /// ```
    #[inline]
    #[track_caller]
    pub fn truncate(&mut self, new_len: usize) {
        if new_len <= self.len() {
            assert!(self.is_char_boundary(new_len));
            self.vec.truncate(new_len);
        }
    }

    /// Empties the string. The capacity is unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("x");
    /// s.clear();
    /// assert!(s.is_empty());
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.vec.clear()
    }

    /// Keeps only the chars for which `f` returns `true`, in order.
    ///
    /// If `f` panics, the string keeps the chars it had already kept and loses the rest (as
    /// `String::retain` does); it is valid UTF-8 either way.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("a1b2c3");
    /// s.retain(|c| c.is_ascii_alphabetic());
    /// assert_eq!(s, "abc");
    /// ```
    pub fn retain<F: FnMut(char) -> bool>(&mut self, mut f: F) {
        /// Cuts the string to what was kept, also when `f` unwinds.
        struct Kept<'a, const N: usize, A: Allocator> {
            vec: &'a mut StackVec<u8, N, A>,
            read: usize,
            deleted: usize,
        }
        impl<const N: usize, A: Allocator> Drop for Kept<'_, N, A> {
            fn drop(&mut self) {
                self.vec.truncate(self.read - self.deleted);
            }
        }
        let len = self.len();
        let mut g = Kept {
            vec: &mut self.vec,
            read: 0,
            deleted: 0,
        };
        while g.read < len {
            // SAFETY: `read..len` is untouched original text starting on a char boundary, so
            // it is valid UTF-8 (the kept prefix is moved down, never over it).
            let ch = unsafe { str::from_utf8_unchecked(&g.vec[g.read..len]) }
                .chars()
                .next()
                .unwrap_or_else(|| unreachable!("read < len"));
            let ch_len = ch.len_utf8();
            if f(ch) {
                if g.deleted > 0 {
                    g.vec
                        .copy_within(g.read..g.read + ch_len, g.read - g.deleted);
                }
            } else {
                g.deleted += ch_len;
            }
            g.read += ch_len;
        }
    }

    /// Removes the byte range `range` and returns its chars as an iterator. The range is
    /// removed when the iterator is dropped, even if it was not consumed.
    ///
    /// # Panics
    /// If the range starts after it ends, ends past the string, or either end is not on a char
    /// boundary.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("α is alpha");
    /// let taken: String = s.drain(..3).collect();
    /// assert_eq!((taken.as_str(), s.as_str()), ("α ", "is alpha"));
    /// ```
    #[track_caller]
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> Drain<'_, N, A> {
        let range = crate::range::resolve(range, self.len());
        let (start, end) = (range.start, range.end);
        assert!(self.is_char_boundary(start));
        assert!(self.is_char_boundary(end));
        Drain::new(self.vec.drain(range))
    }

    /// Splits the string at byte index `at`: returns `[at, len)` as a new string (inline if it
    /// fits), keeping `[0, at)`.
    ///
    /// # Panics
    /// If `at` is past the end or not on a char boundary.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("key=value");
    /// let value = s.split_off(4);
    /// assert_eq!((s.as_str(), value.as_str()), ("key=", "value"));
    /// ```
    #[track_caller]
    pub fn split_off(&mut self, at: usize) -> Self
    where
        A: Clone,
    {
        assert!(self.is_char_boundary(at));
        Self {
            vec: self.vec.split_off(at),
        }
    }

    /// Replaces the byte range `range` with `replace_with` (of any length).
    ///
    /// # Panics
    /// If the range starts after it ends, ends past the string, or either end is not on a char
    /// boundary; or on capacity overflow ("capacity exceeded" when a string that cannot grow,
    /// [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("Go 1.24");
    /// s.replace_range(3.., "1.26");
    /// assert_eq!(s, "Go 1.26");
    /// ```
    #[track_caller]
    pub fn replace_range<R: RangeBounds<usize>>(&mut self, range: R, replace_with: &str) {
        let range = crate::range::resolve(range, self.len());
        assert!(
            self.is_char_boundary(range.start),
            "start of range should be a character boundary"
        );
        assert!(
            self.is_char_boundary(range.end),
            "end of range should be a character boundary"
        );
        self.splice_bytes(range.start, range.end, replace_with.as_bytes());
    }

    /// Replaces the bytes `start..end` with `bytes`.
    ///
    /// Called with `start <= end <= len`, both on char boundaries, and UTF-8 `bytes`, so the
    /// result is UTF-8.
    #[track_caller]
    fn splice_bytes(&mut self, start: usize, end: usize, bytes: &[u8]) {
        let len = self.len();
        debug_assert!(start <= end && end <= len);
        if bytes.len() > end - start {
            self.vec.reserve(bytes.len() - (end - start));
        }
        let p = self.vec.as_mut_ptr();
        // SAFETY: the capacity covers `start + bytes.len() + (len - end)` (reserved above, or the
        // result is no longer than now); the tail `end..len` moves with an overlapping copy, then
        // `bytes` (a different borrow, so disjoint from the buffer) fills the gap; plain bytes
        // need no drop and are all initialized before the length covers them.
        unsafe {
            ptr::copy(p.add(end), p.add(start + bytes.len()), len - end);
            ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(start), bytes.len());
            self.vec.set_len(start + bytes.len() + len - end);
        }
    }

    /// Makes room for at least `additional` more bytes (amortized growth, as for
    /// [`StackVec::reserve`]).
    ///
    /// # Panics
    /// With "capacity overflow" when the capacity would exceed `isize::MAX`
    /// ("capacity exceeded" when a string that cannot grow, [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::new();
    /// s.reserve(10);
    /// assert!(!s.spilled());
    /// s.reserve(40);
    /// assert!(s.capacity() >= 40);
    /// ```
    #[inline]
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        self.vec.reserve(additional)
    }

    /// Makes room for exactly `additional` more bytes when they do not fit.
    ///
    /// # Panics
    /// With "capacity overflow" when the capacity would exceed `isize::MAX`
    /// ("capacity exceeded" when a string that cannot grow, [`NoHeap`](crate::NoHeap), has no room).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::new();
    /// s.reserve_exact(40);
    /// assert_eq!(s.capacity(), 40);
    /// ```
    #[inline]
    #[track_caller]
    pub fn reserve_exact(&mut self, additional: usize) {
        self.vec.reserve_exact(additional)
    }

    /// [`reserve`](Self::reserve) that reports failure instead of panicking; the string is
    /// unchanged on error.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("x");
    /// assert!(s.try_reserve(usize::MAX).is_err());
    /// assert!(s.try_reserve(100).is_ok());
    /// ```
    #[inline]
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.vec.try_reserve(additional)
    }

    /// [`reserve_exact`](Self::reserve_exact) that reports failure instead of panicking.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::new();
    /// s.try_reserve_exact(50).unwrap();
    /// assert_eq!(s.capacity(), 50);
    /// ```
    #[inline]
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.vec.try_reserve_exact(additional)
    }

    /// Gives back unused heap capacity: moves the text back inline when it fits there,
    /// otherwise shrinks the heap buffer to `len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("a string longer than thirty-two bytes");
    /// s.truncate(5);
    /// s.shrink_to_fit();
    /// assert!(!s.spilled());
    /// assert_eq!(s, "a str");
    /// ```
    #[track_caller]
    pub fn shrink_to_fit(&mut self) {
        self.vec.shrink_to_fit()
    }

    /// Shrinks the capacity to `max(len, min_capacity)`, moving back inline when that fits.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::with_capacity(100);
    /// s.push_str("abc");
    /// s.shrink_to(50);
    /// assert_eq!(s.capacity(), 50);
    /// ```
    #[track_caller]
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.vec.shrink_to(min_capacity)
    }

    /// Leaks the text, returning a `&mut str` that lives as long as the allocator. Inline text
    /// is first moved to one exact allocation.
    ///
    /// # Panics
    /// With "capacity exceeded" for a non-empty [`InlineString`](crate::InlineString), whose text
    /// has no heap to go to; on allocation failure, see [`StackVec`]'s
    /// [Allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s: StackString = StackString::from("forever");
    /// let leaked: &'static mut str = s.leak();
    /// assert_eq!(leaked, "forever");
    /// ```
    #[track_caller]
    pub fn leak<'a>(self) -> &'a mut str
    where
        A: 'a,
    {
        // SAFETY: the bytes are valid UTF-8 (the type's invariant).
        unsafe { str::from_utf8_unchecked_mut(self.vec.leak()) }
    }
}

impl<const N: usize, A: Allocator> StackString<N, A> {
    /// Whether `bytes` more cannot be written: only a string that cannot grow ([`NoHeap`](crate::NoHeap)) is
    /// ever full (the test folds away for every other allocator).
    #[inline(always)]
    fn full_for(&self, bytes: usize) -> bool {
        is_no_heap::<A>() && bytes > self.vec.remaining_capacity()
    }
}

/// `write!` appends. A string that cannot grow ([`NoHeap`](crate::NoHeap)) returns [`fmt::Error`] for a piece
/// that does not fit, keeping what was written before it (as `ArrayString` does), also when
/// the `Display` that wrote the piece swallowed the error and returned `Ok`; the others
/// grow, and abort on allocation failure as `String` does. The pieces are the `write_str` and
/// `write_char` calls that formatting makes: the literal text between arguments (the compiler
/// may fold constant arguments into it), and each argument's output as its implementation
/// writes it. That is one piece for a plain `{}` of a `str`, a `char` or an integer, but
/// several for a padded argument (the fill is written a char at a time), a `Debug` of a slice
/// or a struct, or a `Display` that writes in parts: such an argument can be cut partway, its
/// first pieces kept. For all or nothing, append with
/// [`try_write_fmt`](StackString::try_write_fmt), or build with
/// [`format_in`](StackString::format_in), which panics, or
/// [`try_format_in`](StackString::try_format_in), which returns the allocator's refusal.
///
/// # Examples
/// ```
/// use core::fmt::Write;
/// use stackfirst::{NoHeap, StackString};
///
/// let mut s = StackString::<32>::new();
/// write!(s, "{}-{}", 1, 2).unwrap();
/// assert_eq!(s, "1-2");
/// let mut fixed = StackString::<4, NoHeap>::new();
/// let (a, b) = ("abc", "de");
/// assert!(write!(fixed, "{a}{b}").is_err());
/// assert_eq!(fixed, "abc");
///
/// // A padded argument is its fill, a char at a time, then its digits: cut after the fill.
/// let mut line = StackString::<8, NoHeap>::new();
/// assert!(write!(line, "abc{:>6}", 12345).is_err());
/// assert_eq!(line, "abc ");
/// // All or nothing:
/// let mut line = StackString::<8, NoHeap>::new();
/// line.push_str("abc");
/// assert!(line.try_write_fmt(format_args!("{:>6}", 12345)).is_err());
/// assert_eq!(line, "abc");
/// ```
impl<const N: usize, A: Allocator> fmt::Write for StackString<N, A> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.full_for(s.len()) {
            return Err(fmt::Error);
        }
        self.push_str(s);
        Ok(())
    }

    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        if self.full_for(c.len_utf8()) {
            return Err(fmt::Error);
        }
        self.push(c);
        Ok(())
    }

    /// `write!`: for a string that cannot grow, the error of a piece that did not fit is
    /// returned even when a `Display` swallowed it (`let _ = f.write_str(..)`) and returned
    /// `Ok`, and nothing after that piece is appended; the others write every piece.
    #[inline]
    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        if is_no_heap::<A>() {
            return format::write_recorded(self, args).map_err(|_| fmt::Error);
        }
        match args.as_str() {
            Some(s) => self.write_str(s),
            None => fmt::write(self, args),
        }
    }
}
