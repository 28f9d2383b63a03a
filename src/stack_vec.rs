//! [`StackVec`]: a vector that keeps its first `N` bytes of elements inline and spills to the
//! heap only when they no longer fit.

mod alloc_in;
mod convert;
mod drain;
mod extract_if;
mod fallible;
mod into_iter;
mod splice;
mod traits;
mod vec_extras;

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::ops::RangeBounds;
use core::ptr::{self, NonNull};
use core::slice;

use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;

pub use self::drain::Drain;
pub use self::extract_if::ExtractIf;
pub use self::into_iter::IntoIter;
pub use self::splice::Splice;
use crate::const_allocator::ConstAllocator;
use crate::error::TryReserveError;
#[cfg(feature = "alloc")]
use crate::into_heap::IntoHeap;
use crate::raw::{Growth, RawStackVec};

/// How a vector ends, for the spill report (without that feature it is computed by nobody and
/// compiled out).
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "spill-report"), allow(dead_code))]
pub(crate) enum Exit {
    Dropped,
    /// Into an iterator, a leaked slice, or an empty or zero-sized `into_heap_exact`.
    Converted,
    /// `into_heap_exact` of a spilled vector: the heap buffer handed over.
    IntoHeapIdentity,
    /// `into_heap_exact` of inline elements: one exact allocation and a copy.
    IntoHeapCopy,
}

with_stack_vec_defaults! {
/// A vector with an inline buffer of `N` bytes (32 by default, the budget Go's compiler keeps in
/// the stack frame) that moves its elements to a heap buffer from `A` when they no longer fit.
///
/// * **`N` counts bytes, not elements**: inline capacity
///   [`INLINE_CAPACITY`](Self::INLINE_CAPACITY) `= N / size_of::<T>()` elements (zero is fine:
///   the vector then behaves like `Vec`). "8 `u32` inline" is `StackVec<u32, 32>`, or
///   `StackVec<u32, { bytes_for::<u32>(8) }>` with [`bytes_for`]; `StackVec<u32, 8>` holds two. Zero-sized `T` never allocate
///   and have capacity `usize::MAX`.
/// * Growth: inline, then the first spill allocates `max(2 * INLINE_CAPACITY, needed, 4)`
///   elements (8 for one-byte `T`, 1 for `T` over 1 KiB), then doubling. For `u64` with the
///   default budget: inline 4 -> heap 8 -> 16 -> 32 ... When the allocator refuses that (a
///   small arena frame, a capped allocator), the fallible methods (`try_push`, `try_reserve`,
///   ...) and `extend`/`collect` ask for exactly what is needed instead, so they fail only when
///   that does not fit either; the panicking methods grow as `Vec`'s do.
/// * Size: `N` bytes rounded up to whole words (at least one: the heap pointer shares the
///   inline bytes), plus a length word and a capacity word: `size_of::<StackVec<u64>>()` is 48
///   on 64-bit targets, `size_of::<StackVec<u32>>()` is 40 on 32-bit ones, and with `N = 0` it
///   is `Vec`'s size. For `T` aligned to more than a word, `N = 0` included, the inline bytes and
///   then the whole are padded to `T`'s alignment (`StackVec<u128, 0>` is 32 bytes on x86_64,
///   `Vec<u128>` 24; `StackVec<u64, 0>` is 16 on Cortex-M, `Vec<u64>` 12). A zero-sized allocator
///   (such as [`Global`]) costs nothing. With one there is no niche: an `Option<StackVec<T>>` is
///   larger than the vector by its alignment (a word, or `T`'s if larger), where `Option<Vec<T>>`
///   is not larger at all. (All this without the `spill-report` feature, whose two words come on
///   top, padded to `T`'s alignment, and whose call-site pointer is a niche.)
///
/// The storage invariants are written down once, in the `raw` module that owns them.
///
/// # Cost
///
/// An inline `push` is one compare with the inline capacity, the store and the length. A push
/// on a spilled vector fails that compare before its capacity compare, and its length word
/// carries the spilled flag, so a long push loop costs more per element than `Vec`'s (1.3x-1.4x
/// in instructions, measured in the crate's `benches/RESULTS.md`). `extend`, `collect` and
/// `extend_from_slice` fill the spare capacity in one loop and cost what `Vec`'s do at any
/// size: prefer them for vectors that grow large, or use a `Vec` for those.
///
/// # Allocation failure
///
/// As for `Vec`: the methods that may allocate (`push`, `insert`, `extend`, `reserve`,
/// `with_capacity`, `resize`, `clone`, `into_heap_exact`, ...) panic with "capacity overflow"
/// when the capacity would exceed `isize::MAX` bytes, and when the allocator fails they call
/// [`handle_alloc_error`](https://doc.rust-lang.org/alloc/alloc/fn.handle_alloc_error.html),
/// which aborts the process by default (without the `alloc` feature: they panic with
/// "memory allocation of N bytes failed"). The `try_` methods ([`try_push`](Self::try_push),
/// [`try_reserve`](Self::try_reserve), [`try_extend_from_slice`](Self::try_extend_from_slice),
/// [`try_with_capacity_in`](Self::try_with_capacity_in), [`try_resize`](Self::try_resize),
/// [`try_insert`](Self::try_insert), [`try_into_heap_exact`](Self::try_into_heap_exact)) return an
/// error instead and leave the vector unchanged: use them with an allocator that can run out,
/// such as a fixed arena frame. A [`NoHeap`](crate::NoHeap) vector that is full panics with
/// "capacity exceeded".
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let mut v: StackVec<u64> = StackVec::new(); // 32 bytes: 4 u64 inline
/// v.extend([1, 2, 3, 4]);
/// assert!(!v.spilled());
/// v.push(5); // the fifth no longer fits: one heap allocation of 8
/// assert!(v.spilled());
/// assert_eq!(v.capacity(), 8);
/// assert_eq!(v, [1, 2, 3, 4, 5]);
/// ```
///
/// It is `Send` and `Sync` exactly when `Vec<T>` would be:
/// ```compile_fail,E0277
/// fn send<T: Send>() {}
/// send::<stackfirst::StackVec<std::rc::Rc<u8>>>();
/// ```
pub struct StackVec<T, const N: usize, A: Allocator> {
    pub(crate) raw: RawStackVec<T, N, A>,
    /// Where the vector was created, for the spill report.
    #[cfg(feature = "spill-report")]
    site: crate::spill_report::Site,
}
}

/// The inline budget `N` (in bytes) that holds `elements` values of `T`: write
/// `StackVec<T, { bytes_for::<T>(8) }>` for "8 elements inline". `N` counts bytes by design (Go's
/// 32-byte budget is the default), so `StackVec<u32, 8>` holds two `u32`, not eight.
///
/// The element type must be concrete: in code generic over `T`, `{ bytes_for::<T>(8) }` is
/// refused by stable Rust (a const argument cannot depend on a generic parameter); take the
/// budget as a `const N: usize` parameter of your own instead. Nor can it name a generic
/// lifetime: for `(&'a str, &'a str)`, write `bytes_for::<(&'static str, &'static str)>(8)`
/// (lifetimes do not change a size). A type larger than the budget has no inline room at all
/// (`INLINE_CAPACITY` 0: every non-empty vector allocates).
///
/// # Panics
/// On overflow (a compile-time error when used as a const argument).
///
/// # Examples
/// ```
/// use stackfirst::{bytes_for, StackVec};
///
/// let v: StackVec<u32, { bytes_for::<u32>(8) }> = (0..8).collect();
/// assert_eq!(StackVec::<u32, { bytes_for::<u32>(8) }>::INLINE_CAPACITY, 8);
/// assert!(!v.spilled());
/// ```
#[must_use]
pub const fn bytes_for<T>(elements: usize) -> usize {
    match elements.checked_mul(mem::size_of::<T>()) {
        Some(bytes) => bytes,
        None => panic!("capacity overflow"),
    }
}

impl<T, const N: usize, A: ConstAllocator> StackVec<T, N, A> {
    /// An empty vector, inline. Never allocates. The allocator is the one value of `A`: the
    /// global heap by default, [`NoHeap`](crate::NoHeap) for an [`InlineVec`](crate::InlineVec)
    /// (see [`ConstAllocator`]); [`new_in`](Self::new_in) takes any other. Name the type
    /// (`StackVec<u8>`, `<StackVec<u8>>::new()`): Rust does not infer `N` and `A` from their
    /// defaults, so `let v = StackVec::new();` asks for them (E0284).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{InlineVec, StackVec};
    ///
    /// const EMPTY: StackVec<u8> = StackVec::new();
    /// assert_eq!(EMPTY.capacity(), 32);
    /// static FIXED: InlineVec<u16, 8> = InlineVec::new(); // 4 u16, never allocates
    /// assert_eq!(FIXED.capacity(), 4);
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    #[must_use]
    pub const fn new() -> Self {
        Self::from_raw(RawStackVec::new_const())
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> StackVec<T, N, Global> {
    /// An empty vector with room for at least `capacity` elements: inline when
    /// `capacity <= INLINE_CAPACITY` (Go 1.25's variable-size `make`), otherwise one heap
    /// allocation of exactly `capacity` elements.
    ///
    /// # Panics
    /// With "capacity overflow" when `capacity` elements exceed `isize::MAX` bytes.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let n = 3; // known only at run time
    /// let v: StackVec<u64> = StackVec::with_capacity(n);
    /// assert!(!v.spilled());
    /// let w: StackVec<u64> = StackVec::with_capacity(10);
    /// assert_eq!((w.spilled(), w.capacity()), (true, 10));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_in(capacity, Global)
    }

    /// Same as [`into_heap_exact`](Self::into_heap_exact): std's `Vec`, with exactly one
    /// allocation of `len` elements if they were inline, none if they had spilled.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let heap: Vec<u8> = v.into_vec();
    /// assert_eq!((heap.len(), heap.capacity()), (3, 3));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn into_vec(self) -> alloc::vec::Vec<T> {
        self.into_heap_exact()
    }
}

impl<T, const N: usize, A: Allocator> StackVec<T, N, A> {
    /// How many elements fit inline: `N / size_of::<T>()`, or `usize::MAX` for zero-sized `T`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// assert_eq!(StackVec::<u64>::INLINE_CAPACITY, 4);
    /// assert_eq!(StackVec::<u8, 16>::INLINE_CAPACITY, 16);
    /// assert_eq!(StackVec::<[u8; 40]>::INLINE_CAPACITY, 0);
    /// assert_eq!(StackVec::<()>::INLINE_CAPACITY, usize::MAX);
    /// ```
    pub const INLINE_CAPACITY: usize = RawStackVec::<T, N, A>::INLINE_CAPACITY;

    /// An empty inline vector that will spill into `alloc`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let mut v: StackVec<u64, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
    /// v.extend(0..10); // spills into the bump arena, not the global heap
    /// assert!(v.spilled());
    /// assert_eq!(v.iter().sum::<u64>(), 45);
    /// ```
    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    #[must_use]
    pub const fn new_in(alloc: A) -> Self {
        Self::from_raw(RawStackVec::new_in(alloc))
    }

    #[inline]
    #[cfg_attr(feature = "spill-report", track_caller)]
    pub(crate) const fn from_raw(raw: RawStackVec<T, N, A>) -> Self {
        Self {
            raw,
            #[cfg(feature = "spill-report")]
            site: crate::spill_report::Site::new(core::panic::Location::caller()),
        }
    }

    /// Gives up the storage without dropping it: the conversions' way out. With the spill report
    /// on, the vector is counted for its site here rather than when dropped.
    #[inline]
    pub(super) fn into_raw(self, #[allow(unused_variables)] exit: Exit) -> RawStackVec<T, N, A> {
        #[cfg(not(feature = "spill-report"))]
        return self.raw;
        #[cfg(feature = "spill-report")]
        {
            let this = mem::ManuallyDrop::new(self);
            this.record(exit);
            // SAFETY: `this` is never used or dropped again, so the storage is moved out once.
            unsafe { ptr::read(&this.raw) }
        }
    }

    /// How a vector that leaves for an exact heap `Vec` ends, for the spill report: `spilled`
    /// when it had spilled (its buffer handed over, or copied into another allocator's), no copy
    /// when there is nothing to allocate, else one exact allocation and a copy.
    #[cfg(feature = "alloc")]
    #[inline(always)]
    pub(super) fn heap_exit(&self, spilled: Exit) -> Exit {
        if self.spilled() {
            spilled
        } else if self.is_empty() || RawStackVec::<T, N, A>::IS_ZST {
            Exit::Converted
        } else {
            Exit::IntoHeapCopy
        }
    }

    #[cfg(feature = "spill-report")]
    fn record(&self, exit: Exit) {
        crate::spill_report::record(
            self.site,
            mem::size_of::<T>(),
            mem::align_of::<T>(),
            Self::INLINE_CAPACITY,
            self.raw.peak(),
            self.spilled(),
            exit,
        );
    }

    /// [`with_capacity`](StackVec::with_capacity) with an allocator.
    ///
    /// # Panics
    /// With "capacity overflow" when `capacity` elements exceed `isize::MAX` bytes.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let v: StackVec<u64, 32, _> = StackVec::with_capacity_in(6, &bump);
    /// assert_eq!((v.spilled(), v.capacity()), (true, 6));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn with_capacity_in(capacity: usize, alloc: A) -> Self {
        match RawStackVec::try_with_capacity_in(capacity, alloc) {
            Ok(raw) => Self::from_raw(raw),
            Err(e) => e.raise(),
        }
    }

    /// The number of elements.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<i32> = StackVec::from([1, 2]);
    /// assert_eq!(v.len(), 2);
    /// ```
    #[inline]
    #[must_use]
    pub const fn len(&self) -> usize {
        self.raw.len()
    }

    /// `true` when there are no elements.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<i32> = StackVec::new();
    /// assert!(v.is_empty());
    /// v.push(1);
    /// assert!(!v.is_empty());
    /// ```
    #[inline]
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many elements fit without (re)allocating: `INLINE_CAPACITY` while inline, the heap
    /// buffer's capacity once spilled.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u32> = StackVec::new();
    /// assert_eq!(v.capacity(), 8);
    /// v.extend(0..9);
    /// assert_eq!(v.capacity(), 16);
    /// ```
    #[inline]
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.raw.capacity()
    }

    /// `true` when the elements live in a heap buffer rather than inline.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::from([1, 2, 3, 4]);
    /// assert!(!v.spilled());
    /// v.push(5);
    /// assert!(v.spilled());
    /// ```
    #[inline]
    #[must_use]
    pub const fn spilled(&self) -> bool {
        self.raw.spilled()
    }

    /// The elements as a slice.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2]);
    /// assert_eq!(v.as_slice(), &[1, 2]);
    /// ```
    #[inline]
    #[must_use]
    pub const fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` elements at `as_ptr` are initialized (invariant 3), and the
        // pointer is non-null and aligned even when `len == 0`.
        unsafe { slice::from_raw_parts(self.raw.as_ptr(), self.len()) }
    }

    /// The elements as a mutable slice.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2]);
    /// v.as_mut_slice()[0] = 7;
    /// assert_eq!(v, [7, 2]);
    /// ```
    #[inline]
    pub const fn as_mut_slice(&mut self) -> &mut [T] {
        let len = self.len();
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        unsafe { slice::from_raw_parts_mut(self.raw.as_mut_ptr(), len) }
    }

    /// A pointer to the first element (or to where it would go).
    ///
    /// Like `Vec`'s, `as_ptr` and [`as_mut_ptr`](Self::as_mut_ptr) do not create a reference to
    /// the elements. Once the vector has spilled, its elements are in the heap block, not in
    /// the vector, so, as with `Vec`, calling them does not invalidate pointers obtained
    /// earlier: several raw pointers from them may be used in turn. While it is inline, the
    /// elements are inside the vector, and every borrow of the vector (these calls included)
    /// borrows them too: under Rust's aliasing rules a later call invalidates the pointers an
    /// earlier one returned, so take one pointer and derive the others from it (`p.add(i)`). In
    /// both states, what changes the buffer invalidates every such pointer: growing, shrinking,
    /// spilling, moving back inline, and, while inline, moving the vector.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([9, 8]);
    /// // SAFETY: index 1 is in bounds.
    /// assert_eq!(unsafe { *v.as_ptr().add(1) }, 8);
    /// ```
    #[inline]
    #[must_use]
    pub const fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
    }

    /// A mutable pointer to the first element (or to where it would go); see
    /// [`as_ptr`](Self::as_ptr).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::with_capacity(4);
    /// // SAFETY: capacity 4 (inline 32), the two elements are written before `set_len`.
    /// unsafe {
    ///     v.as_mut_ptr().write(1);
    ///     v.as_mut_ptr().add(1).write(2);
    ///     v.set_len(2);
    /// }
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[inline]
    pub const fn as_mut_ptr(&mut self) -> *mut T {
        self.raw.as_mut_ptr()
    }

    /// The allocator the vector spills into.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let v: StackVec<u8, 32, &bumpalo::Bump> = StackVec::new_in(&bump);
    /// assert!(core::ptr::eq(*v.allocator(), &bump));
    /// ```
    #[inline]
    #[must_use]
    pub const fn allocator(&self) -> &A {
        &self.raw.alloc
    }

    /// Appends an element, spilling or growing when full.
    ///
    /// # Panics
    /// With "capacity overflow" when the new capacity exceeds `isize::MAX` bytes.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure); a full
    /// [`InlineVec`](crate::InlineVec) panics with "capacity exceeded" (see [`try_push`](Self::try_push)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::new();
    /// v.push(3);
    /// assert_eq!(v, [3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn push(&mut self, value: T) {
        self.raw.push(value)
    }

    /// [`push`](Self::push) that returns the new element, as `Vec::push_mut` does.
    ///
    /// # Panics
    /// As [`push`](Self::push).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::from([1]);
    /// *v.push_mut(2) *= 10;
    /// assert_eq!(v, [1, 20]);
    /// ```
    #[inline]
    #[track_caller]
    #[must_use = "use `push` to only append"]
    pub fn push_mut(&mut self, value: T) -> &mut T {
        let len = self.len();
        self.push(value);
        // SAFETY: the push made slot `len` the last initialized one of the (possibly new)
        // buffer, and the reference borrows `self` mutably.
        unsafe { &mut *self.raw.as_mut_ptr().add(len) }
    }

    /// Removes and returns the last element, or `None` if empty.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2]);
    /// assert_eq!(v.pop(), Some(2));
    /// assert_eq!(v.pop(), Some(1));
    /// assert_eq!(v.pop(), None);
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        self.raw.pop()
    }

    /// Inserts `element` at `index`, shifting the rest right.
    ///
    /// # Panics
    /// If `index > len`, or on capacity overflow. On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<char> = StackVec::from(['a', 'c']);
    /// v.insert(1, 'b');
    /// assert_eq!(v, ['a', 'b', 'c']);
    /// ```
    #[inline]
    #[track_caller]
    pub fn insert(&mut self, index: usize, element: T) {
        let _ = self.insert_mut(index, element);
    }

    /// [`insert`](Self::insert) that returns the new element, as `Vec::insert_mut` does.
    ///
    /// # Panics
    /// As [`insert`](Self::insert).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<char> = StackVec::from(['a', 'c']);
    /// v.insert_mut(1, 'b').make_ascii_uppercase();
    /// assert_eq!(v, ['a', 'B', 'c']);
    /// ```
    #[inline]
    #[track_caller]
    #[must_use = "use `insert` to only insert"]
    pub fn insert_mut(&mut self, index: usize, element: T) -> &mut T {
        let len = self.len();
        if index > len {
            insert_failed(index, len);
        }
        if self.raw.spare() == 0 {
            self.raw.grow_for_insert();
        }
        let p = self.raw.as_mut_ptr();
        // SAFETY: `index <= len < capacity`: the shifted range and slot `index` are in the
        // buffer; the shift keeps every initialized element exactly once, and slot `index`,
        // now initialized, makes the one more the length counts.
        unsafe {
            let p = p.add(index);
            ptr::copy(p, p.add(1), len - index);
            p.write(element);
            self.raw.add_len(1);
        }
        // SAFETY: slot `index` is below the new length. The pointer is taken afresh: the
        // `&mut` that `add_len` took of the vector invalidated `p` into the inline bytes. The
        // reference borrows `self` mutably.
        unsafe { &mut *self.raw.as_mut_ptr().add(index) }
    }

    /// Removes and returns the element at `index`, shifting the rest left.
    ///
    /// # Panics
    /// If `index >= len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// assert_eq!(v.remove(0), 1);
    /// assert_eq!(v, [2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn remove(&mut self, index: usize) -> T {
        let len = self.len();
        if index >= len {
            remove_failed(index, len);
        }
        let p = self.raw.as_mut_ptr();
        // SAFETY: `index < len`; the element is read out once and the tail shifted over it.
        unsafe {
            let p = p.add(index);
            let out = p.read();
            ptr::copy(p.add(1), p, len - index - 1);
            self.raw.sub_len(1);
            out
        }
    }

    /// Removes and returns the element at `index`, replacing it with the last one (O(1)).
    ///
    /// # Panics
    /// If `index >= len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    /// assert_eq!(v.swap_remove(0), 1);
    /// assert_eq!(v, [4, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn swap_remove(&mut self, index: usize) -> T {
        let len = self.len();
        if index >= len {
            swap_remove_failed(index, len);
        }
        let p = self.raw.as_mut_ptr();
        // SAFETY: `index < len`; the element is read out, the last one moved into its slot (a
        // no-op copy when they are the same), and the length shortened by one.
        unsafe {
            let out = p.add(index).read();
            ptr::copy(p.add(len - 1), p.add(index), 1);
            self.raw.sub_len(1);
            out
        }
    }

    /// Keeps the first `len` elements and drops the rest; no effect if `len >= self.len()`.
    /// The capacity is unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// v.truncate(1);
    /// assert_eq!(v, [1]);
    /// ```
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        let old_len = self.len();
        if len >= old_len {
            return;
        }
        // SAFETY: the length shrinks first, so a panicking `Drop` below cannot cause the tail to
        // be dropped again; the tail `len..old_len` was initialized.
        unsafe {
            self.raw.sub_len(old_len - len);
            let tail = ptr::slice_from_raw_parts_mut(self.raw.as_mut_ptr().add(len), old_len - len);
            ptr::drop_in_place(tail);
        }
    }

    /// Drops every element. The capacity is unchanged.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// v.clear();
    /// assert!(v.is_empty());
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.truncate(0)
    }

    /// Resizes to `new_len`, filling with clones of `value` or truncating.
    ///
    /// # Panics
    /// On capacity overflow. On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1]);
    /// v.resize(3, 0);
    /// assert_eq!(v, [1, 0, 0]);
    /// v.resize(1, 9);
    /// assert_eq!(v, [1]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn resize(&mut self, new_len: usize, value: T)
    where
        T: Clone,
    {
        let len = self.len();
        if new_len <= len {
            self.truncate(new_len);
            return;
        }
        self.reserve(new_len - len);
        self.raw.fill(|p, guard, _| {
            while guard.len + 1 < new_len {
                // SAFETY: `reserve` made room up to `new_len`; the guard counts each element
                // as soon as it is written.
                unsafe { p.add(guard.len).write(value.clone()) };
                guard.len += 1;
            }
            // SAFETY: as above, for the last slot, which gets `value` itself.
            unsafe { p.add(guard.len).write(value) };
            guard.len += 1;
        })
    }

    /// Resizes to `new_len`, filling with values returned by `f` or truncating.
    ///
    /// # Panics
    /// On capacity overflow. If `f` panics, the values made so far stay in the vector.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut n = 0;
    /// let mut v: StackVec<u8> = StackVec::new();
    /// v.resize_with(3, || { n += 1; n });
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn resize_with<F: FnMut() -> T>(&mut self, new_len: usize, mut f: F) {
        let len = self.len();
        if new_len <= len {
            self.truncate(new_len);
            return;
        }
        self.reserve(new_len - len);
        self.raw.fill(|p, guard, _| {
            while guard.len < new_len {
                // SAFETY: `reserve` made room up to `new_len`; each slot is counted once written.
                unsafe { p.add(guard.len).write(f()) };
                guard.len += 1;
            }
        })
    }

    /// Clones and appends every element of `other`.
    ///
    /// # Panics
    /// On capacity overflow. If a `clone` panics, the clones made so far stay in the vector
    /// when `T` needs dropping; otherwise (nothing to drop) none of them do, and the length is
    /// as before. On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1]);
    /// v.extend_from_slice(&[2, 3]);
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn extend_from_slice(&mut self, other: &[T])
    where
        T: Clone,
    {
        if other.len() > self.raw.spare() {
            // Growth and the copy that follows it go out of line together, so the in-line
            // path has no call after which registers must survive.
            return self.extend_from_slice_growing(other);
        }
        // SAFETY: there is room for `other.len()` more elements.
        unsafe { self.extend_from_slice_unchecked(other) }
    }

    /// [`extend_from_slice`](Self::extend_from_slice) of `Copy` elements (a string's bytes): one
    /// `copy_nonoverlapping`, where the clone loop becomes a `memcpy` behind a test for an empty
    /// slice (`push_str` of two parts 101 -> 96 instructions, benches/analysis.md).
    #[inline]
    #[track_caller]
    pub(crate) fn extend_from_copy_slice(&mut self, other: &[T])
    where
        T: Copy,
    {
        if other.len() > self.raw.spare() {
            return self.extend_from_slice_growing(other);
        }
        self.raw.fill(|p, guard, _| {
            // SAFETY: there is room for `other.len()` elements past `guard.len`, and `other`
            // cannot overlap them: it is borrowed shared while `self` is borrowed mutably.
            unsafe { ptr::copy_nonoverlapping(other.as_ptr(), p.add(guard.len), other.len()) };
            guard.len += other.len();
        })
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn extend_from_slice_growing(&mut self, other: &[T])
    where
        T: Clone,
    {
        // The caller found too little room, so this grows, and the copy after it knows the
        // vector has spilled: it is the heap's copy alone, a `memcpy` for `Copy` elements. (After
        // `reserve`, whose test for room may skip the growth, the inline budget's indexed copy
        // (see below) stayed beside it, and LLVM then left the heap's copy a loop: 1.33x `Vec`
        // at 1,000 `u64`.)
        self.raw.grow_in_line(other.len(), Growth::Amortized);
        // SAFETY: the growth made room for `other.len()` more elements.
        unsafe { self.extend_from_slice_unchecked(other) }
    }

    /// Clones `other` onto the end.
    ///
    /// # Safety
    /// There is room for `other.len()` more elements.
    #[inline(always)]
    pub(super) unsafe fn extend_from_slice_unchecked(&mut self, other: &[T])
    where
        T: Clone,
    {
        // Into an inline budget of a few elements, the copy indexes the inline slots with a
        // bounds check: the check's exit keeps LLVM from turning the loop into a `memcpy` call
        // (on Cortex-M4 `__aeabi_memcpy8`), and once the index is known to be below the
        // constant capacity the check goes and the loop unrolls to a few loads and stores
        // (benches/analysis.md). Up to 8 slots (`u32` in the default 32 bytes): a byte budget
        // would unroll into 32 compares, where the `memcpy` call is cheaper.
        let few_inline = !self.raw.spilled() && Self::INLINE_CAPACITY <= 8;
        self.raw.fill(|p, guard, _| {
            if !mem::needs_drop::<T>() {
                // Nothing to drop, so nothing to count as it is made: a panicking `clone` only
                // forgets clones that need no dropping. The length is added once, and for
                // `Copy` elements the loop is unrolled (above) or one `memcpy`.
                if few_inline {
                    // SAFETY: inline, so `p` is the start of the inline buffer, aligned and
                    // valid for `INLINE_CAPACITY` slots, and nothing else refers to them while
                    // `slots` lives (`guard` borrows the tag only). Writes go past the length.
                    let slots = unsafe {
                        core::slice::from_raw_parts_mut(
                            p.cast::<mem::MaybeUninit<T>>(),
                            Self::INLINE_CAPACITY,
                        )
                    };
                    for (i, item) in other.iter().enumerate() {
                        slots[guard.len + i].write(item.clone());
                    }
                } else {
                    // SAFETY: `guard.len` is at most the capacity: inside the buffer or one past.
                    let dst = unsafe { p.add(guard.len) };
                    for (i, item) in other.iter().enumerate() {
                        // SAFETY: the caller made room for `other.len()` elements past the length.
                        unsafe { dst.add(i).write(item.clone()) };
                    }
                }
                guard.len += other.len();
                return;
            }
            for item in other {
                // SAFETY: the caller made room for `other.len()` elements past the length; each
                // is counted as soon as it is written, so a panicking `clone` keeps what was made.
                unsafe { p.add(guard.len).write(item.clone()) };
                guard.len += 1;
            }
        })
    }

    /// Moves every element of `other` to the end of `self`, leaving `other` empty (its capacity
    /// is kept).
    ///
    /// # Panics
    /// On capacity overflow. On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut a: StackVec<u8> = StackVec::from([1]);
    /// let mut b: StackVec<u8, 8> = StackVec::from([2, 3]);
    /// a.append(&mut b);
    /// assert_eq!((a.as_slice(), b.len()), (&[1, 2, 3][..], 0));
    /// ```
    #[track_caller]
    pub fn append<const M: usize, B: Allocator>(&mut self, other: &mut StackVec<T, M, B>) {
        let count = other.len();
        self.reserve(count);
        let len = self.len();
        // SAFETY: `reserve` made room for `count` more; the two vectors are distinct (two `&mut`),
        // and `other` gives up its elements by setting its length to zero.
        unsafe {
            ptr::copy_nonoverlapping(other.as_ptr(), self.raw.as_mut_ptr().add(len), count);
            other.raw.set_len(0);
            self.raw.set_len(len + count);
        }
    }

    /// Splits off the elements from `at` on into a new vector (inline if they fit), keeping
    /// `[0, at)` in `self`.
    ///
    /// # Panics
    /// If `at > len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// let tail = v.split_off(1);
    /// assert_eq!((v.as_slice(), tail.as_slice()), (&[1][..], &[2, 3][..]));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use = "use `.truncate()` if you don't need the other half"]
    pub fn split_off(&mut self, at: usize) -> Self
    where
        A: Clone,
    {
        let len = self.len();
        if at > len {
            split_off_failed(at, len);
        }
        let count = len - at;
        let mut other = Self::with_capacity_in(count, self.raw.alloc.clone());
        // SAFETY: `other` is empty with room for `count`; the elements `at..len` move to it and
        // leave `self` by its shorter length.
        unsafe {
            self.raw.sub_len(count);
            ptr::copy_nonoverlapping(self.raw.as_ptr().add(at), other.raw.as_mut_ptr(), count);
            other.raw.add_len(count);
        }
        other
    }

    /// Removes the elements in `range` and returns them as an iterator. Whatever the iterator
    /// does not yield is dropped with it; the tail then moves down.
    ///
    /// # Panics
    /// If the range starts after it ends or ends past `len`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    /// let taken: Vec<u8> = v.drain(1..3).collect();
    /// assert_eq!((taken, v.as_slice()), (vec![2, 3], &[1, 4][..]));
    /// ```
    #[track_caller]
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> Drain<'_, T, N, A> {
        let range = crate::range::resolve(range, self.len());
        Drain::new(self, range.start, range.end)
    }

    /// Keeps only the elements for which `f` returns `true`, in order.
    ///
    /// If `f` or an element's `Drop` panics, the elements not yet visited are kept, the removed
    /// ones are dropped exactly once, and nothing is leaked.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3, 4]);
    /// v.retain(|x| x % 2 == 0);
    /// assert_eq!(v, [2, 4]);
    /// ```
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.retain_mut(|x| f(x))
    }

    /// [`retain`](Self::retain) with mutable access to each element.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// v.retain_mut(|x| { *x *= 10; *x > 10 });
    /// assert_eq!(v, [20, 30]);
    /// ```
    pub fn retain_mut<F: FnMut(&mut T) -> bool>(&mut self, mut f: F) {
        let len = self.len();
        if len == 0 {
            return;
        }
        let mut g = Compact::new(self, 0);
        // Two loops, as std's `Vec::retain_mut` has: until the first deletion nothing moves, so
        // the first loop only reads; after it each kept element moves to `write`. One loop that
        // tested for a deletion before each move measured twice `Vec`'s count (32 `u64`: 416
        // instructions, `Vec` 193; benches/apiprobe.sh).
        while g.read != len {
            // SAFETY: `read < len`: an initialized element not yet visited.
            let cur = unsafe { &mut *g.p.add(g.read) };
            // If `f` panics, `cur` is still unvisited and the guard moves nothing (`write ==
            // read`): every element stays.
            if !f(cur) {
                // Counted before the drop, so a panicking `Drop` does not drop it again.
                g.read += 1;
                // SAFETY: `cur` is initialized and, now in neither `0..write` nor `read..len`,
                // never touched again.
                unsafe { ptr::drop_in_place(cur) };
                break;
            }
            g.read += 1;
            g.write += 1;
        }
        while g.read != len {
            // SAFETY: as above.
            let cur = unsafe { &mut *g.p.add(g.read) };
            if f(cur) {
                // SAFETY: slot `write < read` is free (its element was dropped or moved), so
                // the two do not overlap; once counted in `0..write` and out of `read..len`,
                // the element is there exactly once.
                unsafe { ptr::copy_nonoverlapping(cur, g.p.add(g.write), 1) };
                g.write += 1;
                g.read += 1;
            } else {
                // Counted before the drop, so a panicking `Drop` does not drop it again.
                g.read += 1;
                // SAFETY: `cur` is initialized and, now out of `read..len`, never touched again.
                unsafe { ptr::drop_in_place(cur) };
            }
        }
    }

    /// Removes consecutive repeated elements (by `==`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 1, 2, 2, 2, 1]);
    /// v.dedup();
    /// assert_eq!(v, [1, 2, 1]);
    /// ```
    pub fn dedup(&mut self)
    where
        T: PartialEq,
    {
        self.dedup_by(|a, b| a == b)
    }

    /// Removes consecutive elements that map to the same key.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<i32> = StackVec::from([1, -1, 2, -2, 3]);
    /// v.dedup_by_key(|x| x.abs());
    /// assert_eq!(v, [1, 2, 3]);
    /// ```
    pub fn dedup_by_key<K: PartialEq, F: FnMut(&mut T) -> K>(&mut self, mut key: F) {
        self.dedup_by(|a, b| key(a) == key(b))
    }

    /// Removes consecutive elements for which `same_bucket(current, previous_kept)` is `true`.
    ///
    /// If `same_bucket` or a `Drop` panics, the vector keeps every element not yet removed,
    /// in order, and drops none twice.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<&str, 64> = StackVec::from(["a", "A", "b", "B", "b"]);
    /// v.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    /// assert_eq!(v, ["a", "b"]);
    /// ```
    pub fn dedup_by<F: FnMut(&mut T, &mut T) -> bool>(&mut self, mut same_bucket: F) {
        let len = self.len();
        if len <= 1 {
            return;
        }
        let mut g = Compact::new(self, 1);
        while g.read < len {
            // SAFETY: `read < len` is unvisited and `write - 1 < read` is kept: both initialized
            // and distinct.
            let (cur, prev) = unsafe { (&mut *g.p.add(g.read), &mut *g.p.add(g.write - 1)) };
            if same_bucket(cur, prev) {
                g.read += 1;
                // SAFETY: counted as visited first, so it is never touched again.
                unsafe { ptr::drop_in_place(cur) };
            } else {
                // SAFETY: slot `write <= read` is free or is `read` itself.
                unsafe { ptr::copy(cur, g.p.add(g.write), 1) };
                g.write += 1;
                g.read += 1;
            }
        }
    }

    /// Makes room for at least `additional` more elements, amortized (see the type's docs for
    /// the growth sequence). Does nothing if they already fit.
    ///
    /// # Panics
    /// With "capacity overflow" when the capacity would exceed `isize::MAX` bytes.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::new();
    /// v.reserve(2);
    /// assert!(!v.spilled());
    /// v.reserve(5);
    /// assert_eq!(v.capacity(), 8);
    /// ```
    #[inline]
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        self.raw.reserve(additional)
    }

    /// Makes room for exactly `additional` more elements when they do not fit.
    ///
    /// # Panics
    /// With "capacity overflow" when the capacity would exceed `isize::MAX` bytes.
    /// On allocator failure: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::new();
    /// v.reserve_exact(5);
    /// assert_eq!(v.capacity(), 5);
    /// ```
    #[inline]
    #[track_caller]
    pub fn reserve_exact(&mut self, additional: usize) {
        self.raw.reserve_exact(additional)
    }

    /// [`reserve`](Self::reserve) that reports failure instead of panicking; the vector is
    /// unchanged on error.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::from([1, 2]);
    /// assert!(v.try_reserve(usize::MAX / 2).is_err());
    /// assert_eq!(v, [1, 2]);
    /// assert!(v.try_reserve(10).is_ok());
    /// ```
    #[inline]
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.raw.try_reserve(additional)
    }

    /// [`reserve_exact`](Self::reserve_exact) that reports failure instead of panicking.
    ///
    /// # Errors
    /// [`TryReserveError`] on capacity overflow or when the allocator fails.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::new();
    /// v.try_reserve_exact(6).unwrap();
    /// assert_eq!(v.capacity(), 6);
    /// ```
    #[inline]
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.raw.try_reserve_exact(additional)
    }

    /// Gives back unused heap capacity: moves the elements back inline when they fit there,
    /// otherwise shrinks the heap buffer to `len`.
    ///
    /// # Panics
    /// When the allocator fails to shrink the buffer: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::from([1, 2, 3, 4, 5]);
    /// v.pop();
    /// v.shrink_to_fit();
    /// assert!(!v.spilled());
    /// assert_eq!(v, [1, 2, 3, 4]);
    /// ```
    #[track_caller]
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0)
    }

    /// Shrinks the capacity to `max(len, min_capacity)`, moving back inline when that fits.
    ///
    /// # Panics
    /// When the allocator fails to shrink the buffer: see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u64> = StackVec::with_capacity(20);
    /// v.extend([1, 2, 3, 4, 5]);
    /// v.shrink_to(10);
    /// assert_eq!(v.capacity(), 10);
    /// ```
    #[track_caller]
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.shrink_storage(min_capacity, true);
    }

    /// The storage's `shrink_to`, telling the spill report when a spilled vector moves back
    /// inline (an empty one always does).
    fn shrink_storage(&mut self, min_capacity: usize, allow_inline: bool) {
        #[cfg(feature = "spill-report")]
        let spilled = self.spilled();
        self.raw.shrink_to(min_capacity, allow_inline);
        #[cfg(feature = "spill-report")]
        if spilled && !self.spilled() {
            self.site.mark_moved_back();
        }
    }

    /// The unused capacity, for writing elements before [`set_len`](Self::set_len).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8, 4> = StackVec::new();
    /// let spare = v.spare_capacity_mut();
    /// spare[0].write(7);
    /// // SAFETY: the first element was just written.
    /// unsafe { v.set_len(1) };
    /// assert_eq!(v, [7]);
    /// ```
    #[inline]
    pub fn spare_capacity_mut(&mut self) -> &mut [MaybeUninit<T>] {
        let (len, spare) = (self.len(), self.raw.spare());
        let p = self.raw.as_mut_ptr();
        // SAFETY: slots `len..len + spare` (`spare = capacity - len`) are inside the buffer;
        // `MaybeUninit` needs no initialization.
        unsafe { slice::from_raw_parts_mut(p.add(len).cast(), spare) }
    }

    /// Sets the length without dropping or initializing anything.
    ///
    /// # Safety
    /// `new_len <= self.capacity()`, and the elements at `0..new_len` are initialized.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let mut v: StackVec<u8> = StackVec::from([1, 2, 3]);
    /// // SAFETY: shrinking keeps the first two initialized (u8 needs no drop).
    /// unsafe { v.set_len(2) };
    /// assert_eq!(v, [1, 2]);
    /// ```
    #[inline]
    pub unsafe fn set_len(&mut self, new_len: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.raw.set_len(new_len) }
    }

    /// **The explicit `runtime.move2heap`.** Returns the elements as the allocator's heap
    /// vector (std `Vec<T>` for [`Global`], `allocator_api2::vec::Vec<T, &A>` for a borrowed
    /// allocator):
    ///
    /// * still inline: exactly one allocation of exactly `len` elements (capacity == len), one
    ///   copy, no reallocation (no allocation at all when empty or zero-sized);
    /// * already spilled: the heap buffer is handed over as is, zero allocations (its capacity
    ///   may exceed `len`, as in Go).
    ///
    /// A vector that spilled into an arena frame stays in that frame: the result borrows the
    /// frame like the `StackVec` did.
    ///
    /// Often you do not need this at all: returning a `StackVec` **by value** moves it out of
    /// the frame with zero allocations, which Go cannot do. Use `into_heap_exact` when the
    /// result must be a `Vec` (to store it, or to pass it to an API that wants one).
    ///
    /// # Panics
    /// With "capacity exceeded" for a non-empty inline vector of `&NoHeap`, whose elements have
    /// no heap to go to; on allocator failure, see [allocation failure](StackVec#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// // Go's escaping append loop: one allocation, exact size.
    /// fn evens(limit: u64) -> Vec<u64> {
    ///     let mut v: StackVec<u64> = StackVec::new();
    ///     v.extend((0..limit).filter(|x| x % 2 == 0));
    ///     v.into_heap_exact()
    /// }
    /// let e = evens(6);
    /// assert_eq!((e.as_slice(), e.capacity()), (&[0, 2, 4][..], 3));
    ///
    /// // The zero-allocation escape: return the StackVec itself.
    /// fn evens_by_value(limit: u64) -> StackVec<u64> {
    ///     (0..limit).filter(|x| x % 2 == 0).collect()
    /// }
    /// let v = evens_by_value(6);
    /// assert!(!v.spilled());
    /// assert_eq!(v, [0, 2, 4]);
    /// ```
    #[cfg(feature = "alloc")]
    #[track_caller]
    #[must_use]
    pub fn into_heap_exact(self) -> A::Vec<T>
    where
        A: IntoHeap,
    {
        let exit = self.heap_exit(Exit::IntoHeapIdentity);
        let (buf, len, alloc) = self.into_raw(exit).into_heap_parts();
        // SAFETY: `into_heap_parts` returns a block of `alloc` with this array layout holding
        // `len` initialized elements, or `None` when empty or zero-sized.
        unsafe { A::vec_from_parts(buf, len, alloc) }
    }

    /// The elements as the allocator's boxed slice, exactly sized: a spilled buffer with spare
    /// capacity is shrunk in place by the allocator, inline elements take one exact allocation.
    /// With a borrowed allocator, a box that takes no memory (no elements, or zero-sized ones)
    /// holds a zero-sized block of the allocator, since allocator-api2's `Box` gives its block
    /// back when dropped even when it has no size (if the allocator refuses that block, as
    /// [`NoHeap`](crate::NoHeap) does, it gets a dangling pointer back, as from allocator-api2's
    /// own boxes of zero-sized values).
    ///
    /// # Panics
    /// As [`into_heap_exact`](Self::into_heap_exact).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u16> = StackVec::from([1, 2, 3]);
    /// let b: Box<[u16]> = v.into_boxed_slice();
    /// assert_eq!(&*b, &[1, 2, 3]);
    /// ```
    #[cfg(feature = "alloc")]
    #[track_caller]
    #[must_use]
    pub fn into_boxed_slice(mut self) -> A::BoxedSlice<T>
    where
        A: IntoHeap,
    {
        self.shrink_storage(0, false);
        A::vec_into_boxed_slice(self.into_heap_exact())
    }

    /// Leaks the elements, returning a mutable slice that lives as long as the allocator.
    /// Inline elements are first moved to one exact heap allocation (they cannot outlive the
    /// vector otherwise).
    ///
    /// # Panics
    /// With "capacity exceeded" for a non-empty [`InlineVec`](crate::InlineVec), whose elements
    /// have no heap to go to; on allocation failure, see [Allocation failure](Self#allocation-failure).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackVec;
    ///
    /// let v: StackVec<u8> = StackVec::from([1, 2]);
    /// let s: &'static mut [u8] = v.leak();
    /// s[0] = 5;
    /// assert_eq!(s, &[5, 2]);
    /// ```
    ///
    /// The slice lives no longer than the allocator (`A: 'a`): leaked into an arena frame
    /// through `&f`, it borrows that handle, not the frame's lifetime `'f` (for a slice that a
    /// function over `&Frame<'f>` returns as `&'f [T]`, build it with the frame's own
    /// [`alloc_iter`](crate::Frame::alloc_iter) or
    /// [`alloc_slice_copy`](crate::Frame::alloc_slice_copy)), and it keeps the frame open:
    /// ```compile_fail,E0505
    /// use stackfirst::{Arena, StackVec};
    ///
    /// let mut arena = Arena::new();
    /// let mut guard = arena.frame_guard();
    /// let f = guard.frame();
    /// let v: StackVec<u64, 8, _> = StackVec::from_iter_in(0..100, &f);
    /// let leaked: &mut [u64] = v.leak(); // spilled into the frame
    /// drop(guard); // error: cannot move out of `guard` because it is borrowed
    /// assert_eq!(leaked[99], 99);
    /// ```
    #[track_caller]
    pub fn leak<'a>(self) -> &'a mut [T]
    where
        A: 'a,
    {
        let (buf, len, alloc) = self.into_raw(Exit::Converted).into_heap_parts();
        mem::forget(alloc);
        let p = buf.map_or(ptr::NonNull::dangling(), |(p, _)| p);
        // SAFETY: `p` holds `len` initialized elements (or is dangling and aligned when empty or
        // zero-sized); the buffer is never freed since the allocator handle is forgotten and
        // `A: 'a` keeps the memory it owns alive for `'a`.
        unsafe { slice::from_raw_parts_mut(p.as_ptr(), len) }
    }

    /// `vec![elem; n]` for [`stack_vec!`](crate::stack_vec).
    #[doc(hidden)]
    #[track_caller]
    pub fn from_elem(elem: T, n: usize) -> Self
    where
        T: Clone,
        A: Default,
    {
        Self::__in_from_elem(A::default(), elem, n)
    }

    /// Takes the elements out of an array.
    #[inline]
    #[track_caller]
    fn from_array_in<const M: usize>(array: [T; M], alloc: A) -> Self {
        let mut v = Self::with_capacity_in(M, alloc);
        let array = ManuallyDrop::new(array);
        // SAFETY: room for `M` was reserved; the array's elements move in and it is not dropped.
        unsafe {
            ptr::copy_nonoverlapping(array.as_ptr(), v.raw.as_mut_ptr(), M);
            v.raw.set_len(M);
        }
        v
    }
}

/// The state of an in-place compaction (`retain_mut`, `dedup_by`): `0..write` are the kept
/// elements, `read..len` the unvisited ones, and the slots between are free. The vector's length
/// is 0 while user code runs, so a panic can never expose a dropped or moved-out slot; dropping
/// the guard, also when unwinding, moves the unvisited tail down to `write` and sets the length.
///
/// The vector is held by a raw pointer, not a `&mut`: moving a `&mut` (returning the guard from
/// `new`) retags it, which would invalidate `p` into the inline bytes. Nothing but the guard
/// touches the vector until it is dropped, and `p` is not used after its drop sets the length.
struct Compact<'a, T, const N: usize, A: Allocator> {
    v: NonNull<StackVec<T, N, A>>,
    p: *mut T,
    read: usize,
    write: usize,
    len: usize,
    _borrow: PhantomData<&'a mut StackVec<T, N, A>>,
}

impl<'a, T, const N: usize, A: Allocator> Compact<'a, T, N, A> {
    /// Takes over `v`'s elements, the first `kept` of them already kept.
    #[inline(always)]
    fn new(v: &'a mut StackVec<T, N, A>, kept: usize) -> Self {
        let len = v.len();
        debug_assert!(kept <= len);
        let mut v = NonNull::from(v);
        // SAFETY: `v` is the caller's unique borrow. Shortening to 0 only hides elements; the
        // guard restores the length. `p` is derived from the pointer the guard keeps.
        let p = unsafe {
            let v = v.as_mut();
            v.raw.set_len(0);
            v.raw.as_mut_ptr()
        };
        Compact {
            v,
            p,
            read: kept,
            write: kept,
            len,
            _borrow: PhantomData,
        }
    }
}

impl<T, const N: usize, A: Allocator> Drop for Compact<'_, T, N, A> {
    fn drop(&mut self) {
        // SAFETY: `0..write` are kept and `read..len` unvisited (initialized) elements; `copy`
        // handles the overlap, and leaves `write + (len - read)` initialized elements in front.
        // The vector is the guard's unique borrow (`'a`).
        unsafe {
            if self.write != self.read {
                ptr::copy(
                    self.p.add(self.read),
                    self.p.add(self.write),
                    self.len - self.read,
                );
            }
            self.v
                .as_mut()
                .raw
                .set_len(self.write + self.len - self.read);
        }
    }
}

/// `insert`'s panic, out of line (as std's `Vec::insert` does): formatting its message in line
/// gave every call a stack frame.
#[cold]
#[inline(never)]
#[track_caller]
fn insert_failed(index: usize, len: usize) -> ! {
    panic!("insertion index (is {index}) should be <= len (is {len})");
}

/// `remove`'s panic, out of line (see [`insert_failed`]).
#[cold]
#[inline(never)]
#[track_caller]
fn remove_failed(index: usize, len: usize) -> ! {
    panic!("removal index (is {index}) should be < len (is {len})");
}

/// `split_off`'s panic, out of line (see [`insert_failed`]).
#[cold]
#[inline(never)]
#[track_caller]
fn split_off_failed(at: usize, len: usize) -> ! {
    panic!("`at` split index (is {at}) should be <= len (is {len})");
}

/// `swap_remove`'s panic, out of line (see [`insert_failed`]).
#[cold]
#[inline(never)]
#[track_caller]
fn swap_remove_failed(index: usize, len: usize) -> ! {
    panic!("swap_remove index (is {index}) should be < len (is {len})");
}

/// Builds a [`StackVec`] like `vec!` builds a `Vec`. The inline budget and allocator come from
/// the context (a type annotation, a return type, a field).
///
/// # Examples
/// ```
/// use stackfirst::{stack_vec, StackVec};
///
/// let a: StackVec<i32> = stack_vec![1, 2, 3];
/// let b: StackVec<u8, 8> = stack_vec![0; 5];
/// let c: StackVec<String> = stack_vec![];
/// assert_eq!((a.len(), b.as_slice(), c.is_empty()), (3, &[0u8; 5][..], true));
/// ```
///
/// With an allocator that is not `Default` (bumpalo's `vec![in &b; ...]` shape):
/// ```
/// use stackfirst::{stack_vec, StackVec};
///
/// let bump = bumpalo::Bump::new();
/// let a: StackVec<u64, 32, _> = stack_vec![in &bump; 1, 2, 3, 4, 5];
/// let b: StackVec<u8, 32, _> = stack_vec![in &bump; 7; 3];
/// let c: StackVec<u8, 32, _> = stack_vec![in &bump];
/// assert!(a.spilled());
/// assert_eq!((a.len(), b.as_slice(), c.len()), (5, &[7u8; 3][..], 0));
/// ```
#[macro_export]
macro_rules! stack_vec {
    (in $alloc:expr $(;)?) => {
        $crate::StackVec::new_in($alloc)
    };
    // The allocator first, where it is written (see `StackVec::__in_from_iter`).
    (in $alloc:expr; $elem:expr; $n:expr) => {
        $crate::StackVec::__in_from_elem($alloc, $elem, $n)
    };
    (in $alloc:expr; $($x:expr),+ $(,)?) => {
        $crate::StackVec::__in_from_iter($alloc, [$($x),+])
    };
    () => {
        $crate::StackVec::new_in(::core::default::Default::default())
    };
    ($elem:expr; $n:expr) => {
        $crate::StackVec::from_elem($elem, $n)
    };
    ($($x:expr),+ $(,)?) => {
        $crate::StackVec::from([$($x),+])
    };
}
