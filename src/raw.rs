//! The storage core of [`StackVec`](crate::StackVec): inline bytes or a heap pointer, a word that
//! holds the length and the "spilled" flag, and a word that holds the capacity and the flag.
//!
//! # Invariants of `RawStackVec<T, N, A>`
//!
//! Written once here; every `// SAFETY:` comment in the crate that touches a `RawStackVec` relies
//! on these and nothing else.
//!
//! 1. **Spilled** means `T` is not zero-sized and the top bit of `tag` is set. Then `data.ptr` is
//!    the active union field, `limit` is `cap | SPILLED` with `cap > 0`, and `data.ptr` was
//!    allocated by `self.alloc` with `Layout::array::<T>(cap)`.
//! 2. Otherwise `data.inline` is the active field and `limit` is the capacity,
//!    `INLINE_CAPACITY` (`N / size_of::<T>()`, or `usize::MAX` for zero-sized `T`, which never
//!    allocate). So in both states `tag < limit` means "room for one more", and `tag >=
//!    INLINE_CAPACITY && tag < limit` means "spilled, with room": push needs no flag test.
//!    The one exception: a [`NoHeap`](crate::NoHeap) vector made by `new_const` has `limit` 0
//!    (an empty `static` is then all zeros). No `NoHeap` vector reads its `limit` but `push`,
//!    which refuses a full one before the `limit` test: its capacity is the constant
//!    (invariant 4).
//! 3. The length is `tag` without its top bit (the whole `tag` for zero-sized `T`, so they can
//!    count to `usize::MAX` like `Vec`). `len <= capacity`, and the first `len` slots of the
//!    active buffer are initialized. A heap layout never exceeds `isize::MAX` bytes, so the
//!    length of a non-zero-sized `T` never reaches the top bit.
//! 4. A vector whose allocator has [`NoHeap`](crate::NoHeap)'s size and alignment
//!    (`NEVER_SPILLS`) is never spilled: the only ways to the heap, `with_capacity_unnoted` and
//!    `grow_body`, refuse it (as every allocator taken for `NoHeap`, `is_no_heap`) before they
//!    call the allocator, whatever the allocator would do; `into_heap_parts`, which moves the
//!    elements to a heap block of their own, refuses it too.
//!    So for `InlineVec` the flag tests of `spilled`, `len`, `capacity`, `as_ptr`, `spare` and
//!    `pop` are constants and fold away, as they are absent from arrayvec.
//!
//! Dropping a `RawStackVec` drops its `len` elements and frees its heap buffer, if any.
//!
//! With the `spill-report` feature, `peak` is at least every length the vector had before it
//! last got shorter (every shortening goes through `set_len` or `sub_len`, which note the length
//! first; the report counts a vector before its storage is dropped) and every length room was
//! asked for (`with_capacity`, `reserve`, granted inline or on the heap: with a smaller budget a
//! request spills the vector before it is that long), so `peak()` is the most the vector has had
//! to hold.

use core::alloc::Layout;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::panic::UnwindSafe;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::Allocator;

use crate::error::{TryReserveError, TryReserveErrorKind};
use crate::no_heap::{has_no_heap_signature, is_no_heap};
use crate::ConstAllocator;

const SPILLED: usize = 1 << (usize::BITS - 1);

/// `N` bytes, aligned for `T`.
#[repr(C)]
struct Inline<T, const N: usize> {
    _align: [T; 0],
    bytes: [MaybeUninit<u8>; N],
}

/// A spilled vector's buffer, read from (and written to) the union and `limit`.
struct Heap<T> {
    ptr: NonNull<T>,
    cap: usize,
}

// Manual impls: the derives would require `T: Copy`.
impl<T> Clone for Heap<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Heap<T> {}

union Data<T, const N: usize> {
    inline: ManuallyDrop<Inline<T, N>>,
    ptr: NonNull<T>,
}

pub(crate) struct RawStackVec<T, const N: usize, A: Allocator> {
    data: Data<T, N>,
    tag: usize,
    limit: usize,
    #[cfg(feature = "spill-report")]
    peak: usize,
    pub(crate) alloc: A,
}

// SAFETY: the storage owns its `T`s and its allocator like `Vec<T, A>` does (the pointer in the
// union is an owning pointer), so it can be sent when they can; `StackVec` and its owning
// iterator inherit this.
unsafe impl<T: Send, const N: usize, A: Allocator + Send> Send for RawStackVec<T, N, A> {}
// SAFETY: through `&` only `&[T]` and `&A` are reachable.
unsafe impl<T: Sync, const N: usize, A: Allocator + Sync> Sync for RawStackVec<T, N, A> {}
// An owning pointer, as `Vec`'s: the storage is unwind-safe when its `T`s and its allocator are
// (the auto trait would also ask `T: RefUnwindSafe`, for the `NonNull<T>` in the union).
impl<T: UnwindSafe, const N: usize, A: Allocator + UnwindSafe> UnwindSafe for RawStackVec<T, N, A> {}

impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
    pub(crate) const IS_ZST: bool = mem::size_of::<T>() == 0;

    /// Whether `A` has [`NoHeap`](crate::NoHeap)'s signature: its vectors never spill
    /// (invariant 4). An associated constant, not a call, so that the accessors' tests for it
    /// leave no trace in the code of any other allocator's vectors. (`is_no_heap`'s name test
    /// there changed rustc's and LLVM's decisions in the code around it, even where it folded:
    /// an index loop 30 -> 38 instructions, a `pop` loop 18 -> 28; so did a call through a
    /// constant function pointer.)
    const NEVER_SPILLS: bool = has_no_heap_signature::<A>();

    pub(crate) const INLINE_CAPACITY: usize = match mem::size_of::<T>() {
        0 => usize::MAX,
        size => N / size,
    };

    #[inline]
    pub(crate) const fn new_in(alloc: A) -> Self {
        Self {
            data: Data {
                inline: ManuallyDrop::new(Inline {
                    _align: [],
                    bytes: [MaybeUninit::uninit(); N],
                }),
            },
            tag: 0,
            limit: Self::INLINE_CAPACITY,
            #[cfg(feature = "spill-report")]
            peak: 0,
            alloc,
        }
    }

    /// An empty vector of the allocator's one value: [`new_in`](Self::new_in), with the
    /// capacity word zero for [`NoHeap`](crate::NoHeap) (invariant 2), so that a `static` of it
    /// is zeroed memory (`.bss`, no flash), as heapless's is.
    #[inline]
    pub(crate) const fn new_const() -> Self
    where
        A: ConstAllocator,
    {
        let mut raw = Self::new_in(A::VALUE);
        if A::NO_HEAP.is_some() {
            raw.limit = 0;
        }
        raw
    }

    /// Room for at least `capacity` elements: inline when they fit, else one heap block of
    /// exactly `capacity`. Built from values rather than by growing a vector in place, so that
    /// the caller's vector never has its address taken (no copy of it, no reloads).
    #[inline]
    pub(crate) fn try_with_capacity_in(capacity: usize, alloc: A) -> Result<Self, TryReserveError> {
        let raw = Self::with_capacity_unnoted(capacity, alloc)?;
        // Room for `capacity` was asked for, inline or on the heap.
        #[cfg(feature = "spill-report")]
        let raw = {
            let mut raw = raw;
            raw.peak = capacity;
            raw
        };
        Ok(raw)
    }

    /// [`try_with_capacity_in`](Self::try_with_capacity_in) without the spill report's note.
    /// Its two returns are two values: merged into one (an `if` whose arms build the vector)
    /// the compiler stored a zero over the inline buffer's first word at every `new` (measured:
    /// +1 on the inline rows).
    #[inline(always)]
    fn with_capacity_unnoted(capacity: usize, alloc: A) -> Result<Self, TryReserveError> {
        if capacity <= Self::INLINE_CAPACITY {
            return Ok(Self::new_in(alloc));
        }
        let layout =
            Layout::array::<T>(capacity).map_err(|_| TryReserveErrorKind::CapacityOverflow)?;
        if is_no_heap::<A>() {
            // Refused before the allocator is asked (invariant 4), after the arithmetic, as in
            // `grow_body`.
            return Err(TryReserveErrorKind::CapacityExceeded.into());
        }
        let ptr = alloc
            .allocate(layout)
            .map_err(|_| crate::no_heap::refused::<A>(layout))?;
        // SAFETY: `T` is not zero-sized (its inline capacity would be `usize::MAX`), `A` does
        // not have `NoHeap`'s signature (`is_no_heap` refused it above), and `ptr` is a fresh
        // block of `alloc` with `Layout::array::<T>(capacity)`, `capacity > 0`, holding no
        // elements.
        Ok(unsafe { Self::from_heap_parts(ptr.cast(), 0, capacity, alloc) })
    }

    /// Takes over a heap buffer.
    ///
    /// # Safety
    /// `T` is not zero-sized, `A` does not have `NoHeap`'s signature (invariant 4), `cap > 0`,
    /// `ptr` was allocated by `alloc` with `Layout::array::<T>(cap)`, and its first
    /// `len <= cap` elements are initialized.
    #[inline]
    pub(crate) unsafe fn from_heap_parts(
        ptr: NonNull<T>,
        len: usize,
        cap: usize,
        alloc: A,
    ) -> Self {
        debug_assert!(!Self::IS_ZST && !Self::NEVER_SPILLS && cap > 0 && len <= cap);
        Self {
            data: Data { ptr },
            tag: len | SPILLED,
            limit: cap | SPILLED,
            #[cfg(feature = "spill-report")]
            peak: 0,
            alloc,
        }
    }

    /// The heap buffer.
    ///
    /// # Safety
    /// The vector is spilled.
    #[inline]
    unsafe fn heap(&self) -> Heap<T> {
        Heap {
            // SAFETY: spilled, so `ptr` is the active field (invariant 1).
            ptr: unsafe { self.data.ptr },
            cap: self.limit & !SPILLED,
        }
    }

    /// Makes `heap` the buffer, with the tag's length, and the vector spilled.
    #[inline]
    fn set_heap(&mut self, heap: Heap<T>) {
        self.data.ptr = heap.ptr;
        self.limit = heap.cap | SPILLED;
        self.tag |= SPILLED;
    }

    #[inline]
    pub(crate) const fn spilled(&self) -> bool {
        !Self::IS_ZST && !Self::NEVER_SPILLS && self.tag & SPILLED != 0
    }

    #[inline]
    pub(crate) const fn len(&self) -> usize {
        if Self::IS_ZST {
            self.tag
        } else if Self::NEVER_SPILLS {
            // SAFETY: never spilled (invariant 4), so `len <= INLINE_CAPACITY` (invariant 3).
            // Said to the compiler, a slice of the vector has a constant bound: sorting a small
            // `InlineVec` links only core's small-slice sort, not its whole quicksort.
            unsafe { core::hint::assert_unchecked(self.tag <= Self::INLINE_CAPACITY) };
            self.tag
        } else {
            self.tag & !SPILLED
        }
    }

    /// Sets the length, keeping the spilled flag.
    ///
    /// # Safety
    /// `len <= self.capacity()` and the first `len` elements are initialized.
    #[inline]
    pub(crate) unsafe fn set_len(&mut self, len: usize) {
        debug_assert!(len <= self.capacity());
        // The length may drop: the spill report counts the longest the vector has been.
        #[cfg(feature = "spill-report")]
        {
            self.peak = self.peak.max(self.len());
        }
        self.tag = if Self::IS_ZST || Self::NEVER_SPILLS {
            len
        } else {
            len | (self.tag & SPILLED)
        };
    }

    /// Lengthens by `k`, keeping the spilled flag: the tag is the length plus the flag, and the
    /// length never reaches the flag's bit (invariant 3), so one addition does what
    /// `set_len(len + k)` does with a mask and an `or`.
    ///
    /// # Safety
    /// `k <= self.spare()`, and the `k` elements past the length are initialized.
    #[inline]
    pub(crate) unsafe fn add_len(&mut self, k: usize) {
        debug_assert!(k <= self.spare());
        self.tag += k;
    }

    /// Shortens by `k`, keeping the spilled flag (see [`add_len`](Self::add_len)).
    ///
    /// # Safety
    /// `k <= self.len()`; the `k` elements past the new length are no longer the vector's.
    #[inline]
    pub(crate) unsafe fn sub_len(&mut self, k: usize) {
        debug_assert!(k <= self.len());
        // As in `set_len`: the spill report counts the longest the vector has been.
        #[cfg(feature = "spill-report")]
        {
            self.peak = self.peak.max(self.len());
        }
        self.tag -= k;
    }

    /// The most the vector has had to hold (the spill report's measure).
    #[cfg(feature = "spill-report")]
    pub(crate) fn peak(&self) -> usize {
        self.peak.max(self.len())
    }

    #[inline]
    pub(crate) const fn capacity(&self) -> usize {
        if Self::IS_ZST {
            usize::MAX
        } else {
            // Invariants 1 and 2: spilled, `limit` is the capacity with the flag; inline, the
            // capacity is the constant (`limit` may be 0 for `NoHeap`).
            if self.spilled() {
                self.limit & !SPILLED
            } else {
                Self::INLINE_CAPACITY
            }
        }
    }

    #[inline]
    pub(crate) const fn as_ptr(&self) -> *const T {
        if self.spilled() {
            // SAFETY: spilled, so `ptr` is the active field (invariant 1).
            unsafe { self.data.ptr.as_ptr() }
        } else {
            // Taking the address of a union field is safe; it is aligned for `T` by `_align`.
            ptr::addr_of!(self.data).cast()
        }
    }

    #[inline]
    pub(crate) const fn as_mut_ptr(&mut self) -> *mut T {
        if self.spilled() {
            // SAFETY: spilled, so `ptr` is the active field (invariant 1).
            unsafe { self.data.ptr.as_ptr() }
        } else {
            ptr::addr_of_mut!(self.data).cast()
        }
    }

    /// Appends `value`: the hot path of `push` and `extend`. A spilled tag has its top bit set,
    /// so one unsigned compare of the tag with `INLINE_CAPACITY` means "inline and not full"
    /// (zero-sized `T` never spill). Past it, `tag < limit` means "spilled, with room"
    /// (invariant 2): one more compare, no flag test, and no masking of the length for
    /// elements whose size is even (the flag shifts out of the offset). Only growing goes out
    /// of line.
    #[inline(always)]
    #[track_caller] // a full `InlineVec`'s panic names the caller's line (free once inlined)
    pub(crate) fn push(&mut self, value: T) {
        let tag = self.tag;
        if tag < Self::INLINE_CAPACITY {
            // SAFETY: inline (the flag is clear) and `len = tag < INLINE_CAPACITY`: slot `tag` is
            // inside the inline bytes and uninitialized. `tag + 1` cannot overflow.
            unsafe { self.as_mut_ptr_inline().add(tag).write(value) };
            self.tag = tag + 1;
            return;
        }
        if is_no_heap::<A>() && !Self::IS_ZST {
            // A fixed-capacity vector (it never spills): the overflow does not return, so, as
            // for arrayvec, the caller's loop saves no registers for a growth call and unrolls.
            // (Zero-sized elements get here only at `usize::MAX`, where the growth reports a
            // capacity overflow, as every other way of adding one does.)
            TryReserveError::from(TryReserveErrorKind::CapacityExceeded).raise()
        }
        let mut tag = tag;
        if tag >= self.limit {
            // Full: spill or grow, out of line. The growth then shares the heap path's store,
            // so the in-line store is the one that falls through to the caller's loop (measured:
            // five instructions fewer at n = 3, one more per push on a spilled vector;
            // benches/analysis.md).
            self.grow_for_push();
            tag = self.tag;
        }
        // SAFETY: `INLINE_CAPACITY <= tag < limit` (after a growth too: zero-sized `T` only get
        // here at length `usize::MAX`, where the growth panics), so spilled (invariant 2) with
        // `len < cap`: `ptr` is the active field and slot `len` is inside the heap buffer and
        // uninitialized. The flag stays set and the length cannot reach it (invariant 3).
        unsafe { Self::heap_slot(self.data.ptr, tag).write(value) };
        self.tag = tag + 1;
    }

    /// [`push`](Self::push) that hands the value back with the reason when the vector cannot
    /// grow (`StackVec::try_push`): the same path, with the fallible growth.
    #[inline(always)]
    pub(crate) fn try_push(&mut self, value: T) -> Result<(), (T, TryReserveError)> {
        self.push_or(
            value,
            || TryReserveErrorKind::CapacityExceeded.into(),
            |raw| raw.grow_fallible(1),
        )
    }

    /// [`push`](Self::push) that never grows: the value comes back when the vector is full
    /// (`StackVec::push_within_capacity`).
    #[inline(always)]
    pub(crate) fn push_within_capacity(&mut self, value: T) -> Result<(), T> {
        self.push_or(value, || (), |_| Err(()))
            .map_err(|(value, ())| value)
    }

    /// [`push`](Self::push)'s path for the pushes that hand the value back: `full` makes the
    /// error of a full [`NoHeap`] vector, which is decided without reading `limit` (0 in a
    /// `const`-made one: invariant 2); `grow` makes room for one more, or fails (a full vector
    /// is left as it is). Zero-sized elements get past the inline test only at length
    /// `usize::MAX`, where every growth reports a capacity overflow. `push` keeps its own copy:
    /// built on this one, its code changed (`Result` and closures in place of a call that does
    /// not return; Cortex-M4: inline rows in a frame up to 12 instructions more, the raise of a
    /// full `NoHeap` vector a function of its own).
    #[inline(always)]
    fn push_or<E>(
        &mut self,
        value: T,
        full: impl FnOnce() -> E,
        grow: impl FnOnce(&mut Self) -> Result<(), E>,
    ) -> Result<(), (T, E)> {
        let tag = self.tag;
        if tag < Self::INLINE_CAPACITY {
            // SAFETY: inline (the flag is clear) and `len = tag < INLINE_CAPACITY`: slot `tag` is
            // inside the inline bytes and uninitialized. `tag + 1` cannot overflow.
            unsafe { self.as_mut_ptr_inline().add(tag).write(value) };
            self.tag = tag + 1;
            return Ok(());
        }
        if is_no_heap::<A>() && !Self::IS_ZST {
            return Err((value, full()));
        }
        let mut tag = tag;
        if tag >= self.limit {
            if let Err(e) = grow(self) {
                return Err((value, e));
            }
            tag = self.tag;
        }
        // SAFETY: `INLINE_CAPACITY <= tag < limit` (after a growth too: zero-sized `T` only get
        // here at length `usize::MAX`, where the growth fails), so spilled (invariant 2) with
        // `len < cap`: `ptr` is the active field and slot `len` is inside the heap buffer and
        // uninitialized. The flag stays set and the length cannot reach it (invariant 3).
        unsafe { Self::heap_slot(self.data.ptr, tag).write(value) };
        self.tag = tag + 1;
        Ok(())
    }

    /// Slot `len` of the heap buffer at `ptr`, from the flagged tag `len | SPILLED`. For an even
    /// element size the flag (the top bit) shifts out of `tag * size_of::<T>()`, so the offset
    /// needs no mask; the multiplication wraps on purpose, which `add`'s in-bounds arithmetic
    /// would not allow.
    #[inline(always)]
    fn heap_slot(ptr: NonNull<T>, tag: usize) -> *mut T {
        let size = mem::size_of::<T>();
        if size % 2 == 0 {
            // `tag * size` wraps to `len * size`, which is inside the buffer's allocation
            // (`len < cap`, and a layout never exceeds `isize::MAX` bytes).
            ptr.as_ptr()
                .cast::<u8>()
                .wrapping_add(tag.wrapping_mul(size))
                .cast()
        } else {
            ptr.as_ptr().wrapping_add(tag & !SPILLED)
        }
    }

    /// The heap layout of `cap` elements.
    ///
    /// # Safety
    /// `Layout::array::<T>(cap)` is valid (`cap` was allocated, or is at most the inline
    /// capacity).
    #[inline]
    unsafe fn heap_layout(cap: usize) -> Layout {
        // SAFETY: the caller's promise.
        unsafe {
            Layout::from_size_align_unchecked(cap * mem::size_of::<T>(), mem::align_of::<T>())
        }
    }

    /// How many more elements fit without growing: `limit - tag`, which needs no masks because
    /// both words carry the spilled flag or neither does (invariants 1 and 2; for zero-sized `T`,
    /// `usize::MAX - len`). A `NoHeap` vector's capacity is the constant (invariant 4), so its
    /// `limit`, which may be 0 (invariant 2), is not read.
    #[inline]
    pub(crate) fn spare(&self) -> usize {
        let limit = if Self::NEVER_SPILLS {
            Self::INLINE_CAPACITY
        } else {
            self.limit
        };
        limit - self.tag
    }

    /// Notes for the spill report that room for `additional` more was asked for and is there:
    /// with a smaller budget the request would have spilled the vector. (A growth notes its
    /// request itself.)
    #[inline(always)]
    fn note_request(&mut self, additional: usize) {
        #[cfg(feature = "spill-report")]
        {
            self.peak = self.peak.max(self.len().saturating_add(additional));
        }
        #[cfg(not(feature = "spill-report"))]
        let _ = additional;
    }

    /// Makes room for `additional` more elements for the fallible API: amortized (doubling),
    /// or, if the allocator refuses that, exactly `additional` more (a small arena or a capped
    /// allocator may still have room for what is needed). The panicking methods grow as `Vec`'s
    /// do, amortized only.
    #[inline]
    pub(crate) fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        if self.spare() >= additional {
            self.note_request(additional);
            return Ok(());
        }
        if is_no_heap::<A>() {
            // It refuses every request: one is enough, and its growth (the error's arithmetic)
            // stays in line.
            return self.grow(additional, Growth::Amortized);
        }
        self.grow_fallible(additional)
    }

    /// [`try_reserve`](Self::try_reserve)'s growth, out of line: only the fallible API pays
    /// for the second request.
    #[cold]
    #[inline(never)]
    fn grow_fallible(&mut self, additional: usize) -> Result<(), TryReserveError> {
        // Room for one more was missing, so the vector is full (`try_push`, `try_insert`): its
        // spill copies the whole buffer, as `push`'s does (Cortex-M4: 63 instructions fewer).
        let growth = if additional == 1 {
            Growth::Full
        } else {
            Growth::Amortized
        };
        let amortized = self.grow(additional, growth);
        match self.len().checked_add(additional) {
            // Exactly what is needed is a smaller request only if doubling asked for more.
            Some(required) if amortized.is_err() && self.amortized(required) > required => {
                self.grow(additional, Growth::Exact)
            }
            _ => amortized,
        }
    }

    /// Makes room for exactly `additional` more elements.
    #[inline]
    pub(crate) fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        if self.spare() >= additional {
            self.note_request(additional);
            return Ok(());
        }
        self.grow(additional, Growth::Exact)
    }

    #[inline]
    #[track_caller]
    pub(crate) fn reserve(&mut self, additional: usize) {
        if self.spare() >= additional {
            self.note_request(additional);
            return;
        }
        if let Err(e) = self.grow(additional, Growth::Amortized) {
            e.raise()
        }
        // SAFETY: a growth that succeeds leaves the vector spilled (`set_heap`). Knowing it where
        // `grow` is not inlined, LLVM keeps the caller's writes after a growth apart from the
        // inline ones (`resize` of two 16-byte elements: 63 -> 55 instructions).
        unsafe { core::hint::assert_unchecked(self.spilled()) };
    }

    #[inline]
    #[track_caller]
    pub(crate) fn reserve_exact(&mut self, additional: usize) {
        if let Err(e) = self.try_reserve_exact(additional) {
            e.raise()
        }
    }

    /// Room for one more slot, amortized, for `insert` on a full buffer: out of line. In line,
    /// the growth kept `insert` from being inlined and made every call save six registers and
    /// set up a stack frame (62 instructions for an inline `insert(0, x)` into 3 `u64`,
    /// smallvec 41; benches/apiprobe.sh).
    #[cold]
    #[inline(never)]
    #[track_caller]
    pub(crate) fn grow_for_insert(&mut self) {
        self.grow_in_line(1, Growth::Full);
    }

    /// Room for one more slot, amortized, for `push`: out of line, and without `#[track_caller]`
    /// (a location argument would hold a register in the caller's loop; `push` tracks its
    /// caller only for the fixed-capacity panic, in line). On hosted targets `#[inline]` gives
    /// each codegen unit that pushes a copy of its own, called directly; another unit's copy is
    /// called through the GOT, and LLVM holds the entry's address in a saved register across
    /// the caller's loop (3 instructions per call of the caller; benches/analysis.md). Cold and holding the growth's body, it is not
    /// inlined. Bare-metal code is not position-independent, so there is no GOT to avoid, and a
    /// copy per crate would only cost flash.
    #[cold]
    #[cfg_attr(not(target_os = "none"), inline)]
    #[cfg_attr(target_os = "none", inline(never))]
    fn grow_for_push(&mut self) {
        self.grow_in_line(1, Growth::Full);
    }

    /// Spills or grows (amortized, or [`Full`](Growth::Full)) so that `additional` more elements
    /// fit, with the growth's body in line, for out-of-line paths that found too little room. The
    /// vector is spilled after it, which the code that follows knows.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn grow_in_line(&mut self, additional: usize, growth: Growth) {
        if let Err(e) = self.grow_body(additional, growth) {
            e.raise()
        }
    }

    /// Spills or grows so that `additional` more elements fit. The capacity arithmetic is here,
    /// where `T`'s size and alignment are constants; the allocation and copy are type-erased
    /// ([`spill_erased`], [`grow_erased`]), compiled once per allocator rather than once per `T`,
    /// except a full buffer's spill, which is one allocator call and a copy of constant size.
    ///
    /// The new capacity: see [`Growth`]. On error nothing changes.
    ///
    /// Whether LLVM inlines it depends on how the caller's crate is split into codegen units;
    /// the paths whose code must not depend on that use its body,
    /// [`grow_in_line`](Self::grow_in_line) and `grow_in_steps`.
    fn grow(&mut self, additional: usize, growth: Growth) -> Result<(), TryReserveError> {
        self.grow_body(additional, growth)
    }

    /// [`grow`](Self::grow)'s body.
    #[inline(always)]
    fn grow_body(&mut self, additional: usize, growth: Growth) -> Result<(), TryReserveError> {
        if Self::IS_ZST {
            // Capacity is already `usize::MAX`: asking for more is an overflow.
            return Err(TryReserveErrorKind::CapacityOverflow.into());
        }
        let len = self.len();
        let required = len
            .checked_add(additional)
            .ok_or(TryReserveErrorKind::CapacityOverflow)?;
        // Always more than the capacity (amortized growth at least doubles it, or takes the
        // smallest heap capacity): the new layout is larger than the old, as `grow_erased`
        // requires, and never zero-sized, as `spill_erased` requires, whatever the caller asks.
        let cap = if growth == Growth::Exact {
            required.max(self.growth_base() + 1)
        } else {
            self.amortized(required)
        };
        let layout = Layout::array::<T>(cap).map_err(|_| TryReserveErrorKind::CapacityOverflow)?;
        if is_no_heap::<A>() {
            // A fixed capacity: refused without asking the allocator (invariant 4; so a growth
            // in line is this arithmetic alone, and keeps no registers).
            return Err(TryReserveErrorKind::CapacityExceeded.into());
        }
        let ptr = if self.spilled() {
            // SAFETY: spilled, so `ptr` is the active field, allocated by `self.alloc` with
            // the layout of `heap.cap` (invariant 1), which is not zero-sized (`cap > 0`, and
            // `T` is not zero-sized); the new layout is larger (`cap` exceeds the capacity),
            // with the same alignment.
            unsafe {
                let heap = self.heap();
                grow_erased(
                    &self.alloc,
                    heap.ptr.cast(),
                    Self::heap_layout(heap.cap),
                    layout,
                )
            }
        } else if growth == Growth::Full {
            debug_assert_eq!(len, Self::INLINE_CAPACITY);
            // Allocated here, not through `spill_erased`: that function's own frame (registers
            // saved around the global allocator's two calls) cost 16-18 instructions a spill.
            // SAFETY: `T` is not zero-sized and `cap` exceeds the capacity, so `cap > 0`. Said,
            // it spares the allocator's zero-size test.
            unsafe { core::hint::assert_unchecked(layout.size() != 0) };
            let new = self.alloc.allocate(layout).ok().map(NonNull::cast::<u8>);
            if let Some(new) = new {
                let src = self.as_mut_ptr_inline();
                // SAFETY: inline, so the source is the inline buffer's `INLINE_CAPACITY` slots;
                // the fresh block holds `cap` of them, more, and is distinct memory. The copy is
                // of bytes, so it holds even if the vector is not full (uninitialized slots are
                // copied as such, and the length stays `len`).
                unsafe {
                    ptr::copy_nonoverlapping(src, new.as_ptr().cast(), Self::INLINE_CAPACITY)
                };
            }
            new
        } else {
            let src = self.as_mut_ptr_inline().cast();
            // SAFETY: the inline bytes hold `len` initialized elements, which fit the new layout,
            // and that is not zero-sized: `T` is not, and `cap` exceeds the capacity.
            unsafe { spill_erased(&self.alloc, src, len * mem::size_of::<T>(), layout) }
        };
        let ptr = ptr.ok_or_else(|| crate::no_heap::refused::<A>(layout))?;
        self.set_heap(Heap {
            ptr: ptr.cast(),
            cap,
        });
        // What the vector was asked to hold, not the amortized capacity.
        #[cfg(feature = "spill-report")]
        {
            self.peak = self.peak.max(required);
        }
        Ok(())
    }

    /// The capacity a growth starts from, without `capacity`'s selection of the inline constant:
    /// `limit` holds the capacity for every vector but a `NoHeap` one, whose capacity is the
    /// constant (invariant 4). (Measured: the selection cost each growth 3 instructions.)
    #[inline(always)]
    fn growth_base(&self) -> usize {
        if Self::NEVER_SPILLS {
            Self::INLINE_CAPACITY
        } else {
            self.limit & !SPILLED
        }
    }

    /// The capacity of an amortized growth to hold `required` elements.
    #[inline(always)]
    fn amortized(&self, required: usize) -> usize {
        required
            .max(self.growth_base().saturating_mul(2))
            .max(min_heap_capacity(mem::size_of::<T>()))
    }

    /// Growth for an iterator that says at least `additional` more are coming. The hint may lie
    /// or be unsatisfiable: then it grows amortized by one, and in a small arena by exactly one,
    /// so a hint can neither corrupt the vector nor fail where one more element would fit. The
    /// error is the last request's, when not even one more fits.
    #[cold]
    #[inline(never)]
    pub(crate) fn try_reserve_hinted(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.grow_in_steps([
            (additional, Growth::Amortized),
            (1, Growth::Amortized),
            (1, Growth::Exact),
        ])
    }

    /// Tries each growth in turn until one has room: one copy of `grow`'s body. The last error,
    /// if none succeeds.
    #[inline(always)]
    fn grow_in_steps<const K: usize>(
        &mut self,
        steps: [(usize, Growth); K],
    ) -> Result<(), TryReserveError> {
        let mut result = Ok(());
        for (additional, growth) in steps {
            if self.spare() >= additional {
                return Ok(());
            }
            result = self.grow_body(additional, growth);
            if result.is_ok() {
                return result;
            }
        }
        result
    }

    /// Appends items of `iter` while the length is below `end` and the capacity, with the length
    /// in a local written back once (also when `next` panics) into the tag word alone (so a
    /// pointer into the inline bytes stays valid), so the loop keeps it in a register and, for
    /// iterators over slices, runs as straight vector copies. Every write is bounded by the
    /// capacity; slots from `end` on are not touched (a splice's tail lies there). Returns
    /// `true` when it stopped at that bound (the iterator may have more), `false` when the
    /// iterator ended.
    #[inline(always)]
    pub(crate) fn extend_up_to<I: Iterator<Item = T>>(&mut self, iter: &mut I, end: usize) -> bool {
        self.fill(|ptr, guard, cap| {
            let end = end.min(cap);
            while guard.len < end {
                let Some(item) = iter.next() else {
                    return false;
                };
                // SAFETY: `guard.len < end <= cap`: the slot is inside the buffer and past the
                // length, so uninitialized; it is counted as soon as it is written.
                unsafe { ptr.add(guard.len).write(item) };
                guard.len += 1;
            }
            true
        })
    }

    /// Shrinks the capacity to `max(len, min_capacity)`, moving back inline when that fits and
    /// `allow_inline` is set.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, allow_inline: bool) {
        if !self.spilled() {
            return;
        }
        let len = self.len();
        // SAFETY: spilled.
        let heap = unsafe { self.heap() };
        let target = len.max(min_capacity);
        let to_inline = (allow_inline && target <= Self::INLINE_CAPACITY) || target == 0;
        if !to_inline && target >= heap.cap {
            return;
        }
        // SAFETY: the heap buffer's capacity (invariant 1).
        let old_layout = unsafe { Self::heap_layout(heap.cap) };
        if to_inline {
            // Back inline: copy the elements into the inline bytes (over the heap pointer, which
            // `heap` keeps) and become inline *before* calling the allocator, so that a
            // `deallocate` that unwinds leaves a consistent inline vector (and leaks the block).
            // SAFETY: `len <= target <= INLINE_CAPACITY` (or `len == 0`), so the inline bytes
            // hold `len` elements; the heap buffer and the inline bytes are distinct memory.
            unsafe { ptr::copy_nonoverlapping(heap.ptr.as_ptr(), self.as_mut_ptr_inline(), len) };
            self.tag = len;
            self.limit = Self::INLINE_CAPACITY;
            // SAFETY: `heap.ptr` was allocated by `self.alloc` with `old_layout` (invariant 1)
            // and nothing refers to it any more.
            unsafe { self.alloc.deallocate(heap.ptr.cast(), old_layout) };
            return;
        }
        // SAFETY: `target < heap.cap`, which was allocated.
        let new_layout = unsafe { Self::heap_layout(target) };
        // SAFETY: `heap.ptr` was allocated by `self.alloc` with `old_layout` (invariant 1); the
        // new layout has the same alignment and a smaller, non-zero size.
        match unsafe { self.alloc.shrink(heap.ptr.cast(), old_layout, new_layout) } {
            Ok(ptr) => self.set_heap(Heap {
                ptr: ptr.cast(),
                cap: target,
            }),
            Err(_) => TryReserveError::from(TryReserveErrorKind::AllocError { layout: new_layout })
                .raise(),
        }
    }

    /// Removes the last element and returns it: `StackVec::pop`.
    ///
    /// The state is told by `limit`'s flag, not the tag's (the same, invariants 1 and 2): the tag
    /// changes with every pop, `limit` does not, so a pop loop is split into an inline loop and a
    /// heap loop. The heap pointer, loaded from the vector, cannot alias it, and the inline index
    /// is bounded by the inline capacity, so neither loop stores the tag per element.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<T> {
        if !Self::IS_ZST && !Self::NEVER_SPILLS && self.limit & SPILLED != 0 {
            let len = self.tag & !SPILLED;
            if len == 0 {
                return None;
            }
            // SAFETY: spilled, so `ptr` is the active field (invariant 1) and its first `len`
            // elements are initialized (invariant 3); the last one leaves the vector with the
            // length, which drops first (keeping the flag: `len > 0`), so it is read out once.
            unsafe {
                self.sub_len(1);
                Some(self.data.ptr.as_ptr().add(len - 1).read())
            }
        } else {
            // Inline: `limit`'s flag is clear (invariants 1 and 2), or the vector never spills
            // (zero-sized `T`, invariant 1; `NoHeap`'s signature, invariant 4, whose `limit`
            // is not read). Either way the tag is the length (invariant 3; for zero-sized `T`
            // its top bit is part of it).
            let len = self.tag;
            if len == 0 {
                return None;
            }
            // SAFETY: inline, so `len <= capacity = INLINE_CAPACITY` and the first `len` slots of
            // the inline buffer are initialized (invariants 2 and 3); the last one is read out
            // once, as above.
            unsafe {
                core::hint::assert_unchecked(len <= Self::INLINE_CAPACITY);
                self.sub_len(1);
                Some(self.as_mut_ptr_inline().add(len - 1).read())
            }
        }
    }

    #[inline]
    fn as_mut_ptr_inline(&mut self) -> *mut T {
        ptr::addr_of_mut!(self.data).cast()
    }

    /// Gives up the buffer as heap parts `(ptr, len, cap)`, allocating exactly `len` elements
    /// first if they are still inline. `None` when there is nothing to allocate (no elements, or
    /// zero-sized ones): the caller builds an empty heap vector and sets its length.
    #[track_caller]
    pub(crate) fn into_heap_parts(self) -> (Option<(NonNull<T>, usize)>, usize, A) {
        let len = self.len();
        let parts = if self.spilled() {
            // SAFETY: spilled.
            let heap = unsafe { self.heap() };
            Some((heap.ptr, heap.cap))
        } else if len == 0 || Self::IS_ZST {
            None
        } else {
            // SAFETY: `len <= INLINE_CAPACITY` elements fit a layout (the inline bytes).
            let layout = unsafe { Self::heap_layout(len) };
            if is_no_heap::<A>() {
                // Refused before the allocator is asked (invariant 4).
                TryReserveError::from(TryReserveErrorKind::CapacityExceeded).raise();
            }
            // SAFETY: `len > 0` elements of a `T` that is not zero-sized. Said, it spares the
            // allocator's zero-size test.
            unsafe { core::hint::assert_unchecked(layout.size() != 0) };
            let ptr = match self.alloc.allocate(layout) {
                Ok(p) => p.cast::<T>(),
                Err(_) => TryReserveError::from(TryReserveErrorKind::AllocError { layout }).raise(),
            };
            // SAFETY: the new block holds `len` elements and does not overlap the inline bytes,
            // whose first `len` elements are initialized (invariant 3).
            unsafe { ptr::copy_nonoverlapping(self.as_ptr(), ptr.as_ptr(), len) };
            Some((ptr, len))
        };
        let me = ManuallyDrop::new(self);
        // SAFETY: `me` is never used or dropped again, so the allocator is moved out once; the
        // elements now belong to the returned parts.
        let alloc = unsafe { ptr::read(&me.alloc) };
        (parts, len, alloc)
    }

    /// Runs `write` on the active buffer: its pointer, a guard that owns the length until it is
    /// dropped (writers bump `guard.len` after each element, so a panic in user code keeps
    /// exactly the elements written so far), and the capacity. `write` is instantiated twice,
    /// once for the inline state, where pointer and capacity are constants (small loops unroll
    /// and need no setup), once for the heap.
    #[inline(always)]
    pub(crate) fn fill<R>(
        &mut self,
        write: impl FnOnce(*mut T, &mut SetLenOnDrop<'_>, usize) -> R,
    ) -> R {
        if self.spilled() {
            // SAFETY: spilled.
            let heap = unsafe { self.heap() };
            let mut guard = SetLenOnDrop {
                len: self.tag & !SPILLED,
                tag: &mut self.tag,
                flag: SPILLED,
            };
            write(heap.ptr.as_ptr(), &mut guard, heap.cap)
        } else {
            let ptr = self.as_mut_ptr_inline();
            let mut guard = SetLenOnDrop {
                len: self.tag,
                tag: &mut self.tag,
                flag: 0,
            };
            write(ptr, &mut guard, Self::INLINE_CAPACITY)
        }
    }

    /// The inline bytes that a spilled vector does not use (those past the heap pointer and
    /// capacity): they still hold what was inline before the spill. Empty while inline.
    #[cfg(feature = "zeroize")]
    pub(crate) fn stale_inline_bytes(&mut self) -> &mut [MaybeUninit<u8>] {
        let used = if self.spilled() {
            mem::size_of::<NonNull<T>>()
        } else {
            N
        };
        let base = ptr::addr_of_mut!(self.data).cast::<MaybeUninit<u8>>();
        // SAFETY: the union is at least `N` bytes; bytes `used..N` are not part of the active
        // field, and `MaybeUninit<u8>` accepts any content.
        unsafe { core::slice::from_raw_parts_mut(base.add(used.min(N)), N.saturating_sub(used)) }
    }

    /// Frees the heap buffer, if any, without touching the elements, and becomes inline and
    /// empty.
    fn free_heap(&mut self) {
        if self.spilled() {
            // SAFETY: spilled.
            let heap = unsafe { self.heap() };
            // Inline and empty before the allocator runs: a `deallocate` that unwinds must not
            // leave a vector that frees the block again.
            self.tag = 0;
            self.limit = Self::INLINE_CAPACITY;
            // SAFETY: `heap.ptr` was allocated by `self.alloc` with the layout of `heap.cap`
            // (invariant 1), and the vector no longer refers to it.
            unsafe {
                self.alloc
                    .deallocate(heap.ptr.cast(), Self::heap_layout(heap.cap))
            };
        }
    }
}

impl<T, const N: usize, A: Allocator> Drop for RawStackVec<T, N, A> {
    fn drop(&mut self) {
        /// Frees the heap buffer even if an element's `Drop` panics.
        struct FreeOnDrop<'a, T, const N: usize, A: Allocator>(&'a mut RawStackVec<T, N, A>);
        impl<T, const N: usize, A: Allocator> Drop for FreeOnDrop<'_, T, N, A> {
            fn drop(&mut self) {
                self.0.free_heap();
            }
        }
        let guard = FreeOnDrop(self);
        let len = guard.0.len();
        let elems = ptr::slice_from_raw_parts_mut(guard.0.as_mut_ptr(), len);
        // SAFETY: the first `len` elements are initialized (invariant 3) and are dropped once:
        // the vector is being dropped. `drop_in_place` on a slice keeps dropping the rest if
        // one element panics.
        unsafe { ptr::drop_in_place(elems) };
    }
}

/// See [`RawStackVec::fill`].
pub(crate) struct SetLenOnDrop<'a> {
    tag: &'a mut usize,
    pub(crate) len: usize,
    flag: usize,
}

impl Drop for SetLenOnDrop<'_> {
    #[inline]
    fn drop(&mut self) {
        *self.tag = self.len | self.flag;
    }
}

/// How a growth sizes the new buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Growth {
    /// `max(2 * capacity, len + additional, 8/4/1 by element size)`, as `Vec`'s.
    Amortized,
    /// Exactly `len + additional`, and at least one more than the capacity.
    Exact,
    /// Amortized, for a vector that holds `capacity()` elements (`push`, `insert`, their `try_`
    /// forms). Its spill copies `INLINE_CAPACITY` elements, a constant, which LLVM copies with a
    /// few loads and stores; the length it otherwise copies is a call to `memcpy` (on Cortex-M4
    /// to compiler_builtins', 66 instructions for 32 bytes: benches/analysis.md).
    Full,
}

/// The smallest heap capacity worth allocating, as std's `Vec` chooses it.
const fn min_heap_capacity(elem_size: usize) -> usize {
    if elem_size == 1 {
        8
    } else if elem_size <= 1024 {
        4
    } else {
        1
    }
}

/// Moves `bytes` of inline elements to a new heap block of `layout`: the spill.
///
/// # Safety
/// `layout` is not zero-sized, and `src` is valid for reading `bytes <= layout.size()` bytes
/// and is not inside the new block (it cannot be: the block is fresh).
#[inline(never)]
unsafe fn spill_erased<A: Allocator>(
    alloc: &A,
    src: *const u8,
    bytes: usize,
    layout: Layout,
) -> Option<NonNull<u8>> {
    // SAFETY: the caller's promise. Said, it spares the allocator's zero-size test.
    unsafe { core::hint::assert_unchecked(layout.size() != 0) };
    let new = alloc.allocate(layout).ok()?.cast::<u8>();
    // `with_capacity` spills an empty buffer: skip the call to `memcpy`.
    if bytes != 0 {
        // SAFETY: the caller guarantees `src` is readable for `bytes`; the fresh block holds
        // `layout.size() >= bytes` bytes and is distinct memory.
        unsafe { ptr::copy_nonoverlapping(src, new.as_ptr(), bytes) };
    }
    Some(new)
}

/// Heap blocks up to this size grow by allocate, copy, free (see [`moves_small_blocks`]).
const SMALL_BLOCK: usize = 1024;

/// Whether `A` is `B` or a reference to it (`&B`, `&&B`: generic code borrows the allocator it
/// was given), for choosing a policy by allocator type. A name comparison because `A` need not
/// be `'static` (no `TypeId`); `type_name` is a constant for each type, so it folds away at
/// compile time. Two types share a name across versions of their crate, and a crate named like
/// this one can name a type like one of its own: so a wrong answer must only ever change a
/// policy or a message, never what memory is written.
#[inline(always)]
pub(crate) fn is_allocator<A: Allocator, B: Allocator>() -> bool {
    let (a, b) = (
        core::any::type_name::<A>().as_bytes(),
        core::any::type_name::<B>().as_bytes(),
    );
    a.ends_with(b) && a[..a.len() - b.len()].iter().all(|&c| c == b'&')
}

/// Whether growth of a small block should move it instead of calling `Allocator::grow`: true for
/// the global allocator (borrowed too) only. A `realloc` that grows a small block in place keeps
/// it out of malloc's per-size caches (glibc's tcache holds blocks up to 1032 bytes), so the next
/// vector of that size misses the cache: measured on the n = 16 rows, about 130 instructions per
/// call (benches/analysis.md). Bump allocators (bumpalo, this crate's frames) must keep growing the
/// last block in place, so every other allocator keeps `grow`. A wrong answer changes speed, or,
/// for a type that only shares `Global`'s name and whose `deallocate` unwinds, aborts
/// ([`AbortOnUnwind`]).
#[inline(always)]
#[cfg_attr(not(feature = "alloc"), allow(clippy::extra_unused_type_parameters))]
fn moves_small_blocks<A: Allocator>() -> bool {
    // Without `alloc` there is no global allocator (nor its type).
    #[cfg(not(feature = "alloc"))]
    return false;
    #[cfg(feature = "alloc")]
    return is_allocator::<A, allocator_api2::alloc::Global>();
}

/// Aborts the process when dropped during unwinding (by panicking again): held across a call
/// that must not unwind for the caller's state to stay sound, and forgotten after it.
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        panic!("an allocator named like the global one unwound in `deallocate` while a block was moved");
    }
}

/// Grows a heap block: in place where the allocator can, or, for a small block of the global
/// allocator, by moving it (see [`moves_small_blocks`]).
///
/// # Safety
/// `ptr` was allocated by `alloc` with `old`, which is not zero-sized; `new` is at least as
/// large, with the same alignment.
#[inline(never)]
unsafe fn grow_erased<A: Allocator>(
    alloc: &A,
    ptr: NonNull<u8>,
    old: Layout,
    new: Layout,
) -> Option<NonNull<u8>> {
    // SAFETY: the caller's promise. Said, it spares the allocator's tests of a zero size and of
    // a change of alignment.
    unsafe {
        core::hint::assert_unchecked(
            old.size() != 0 && new.size() >= old.size() && new.align() == old.align(),
        )
    };
    if moves_small_blocks::<A>() && old.size() <= SMALL_BLOCK {
        let moved = alloc.allocate(new).ok()?.cast::<u8>();
        // SAFETY: `ptr` is readable for `old.size()` bytes (it was allocated with `old`; copying
        // bytes that may be uninitialized is fine), the fresh block holds `new.size() >=
        // old.size()` bytes and is distinct; the old block goes back with its own layout.
        unsafe { ptr::copy_nonoverlapping(ptr.as_ptr(), moved.as_ptr(), old.size()) };
        // The vector still points at the old block: if `deallocate` unwound, its drop would
        // free it again. The global allocator's cannot (a `GlobalAlloc` must not unwind, so
        // the guard compiles to nothing); a type that only shares its name might.
        let abort = AbortOnUnwind;
        // SAFETY: allocated by `alloc` with `old` (the caller's promise), and not used again.
        // Said again on its own, the size spares the allocator's test of it (LLVM does not use
        // the parts of the `&&` above here: measured, 2 instructions a growth).
        unsafe {
            core::hint::assert_unchecked(old.size() != 0);
            alloc.deallocate(ptr, old);
        }
        mem::forget(abort);
        return Some(moved);
    }
    // SAFETY: forwarded from this function's contract, which is `Allocator::grow`'s.
    unsafe { alloc.grow(ptr, old, new) }.ok().map(NonNull::cast)
}
