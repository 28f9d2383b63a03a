//! The storage core of [`StackVec`](crate::StackVec): inline bytes or a heap buffer, and one word
//! that holds both the length and the "spilled" flag.
//!
//! # Invariants of `RawStackVec<T, N, A>`
//!
//! Written once here; every `// SAFETY:` comment in the crate that touches a `RawStackVec` relies
//! on these and nothing else.
//!
//! 1. **Spilled** means `T` is not zero-sized and the top bit of `tag` is set. Then `data.heap` is
//!    the active union field: `heap.ptr` was allocated by `self.alloc` with
//!    `Layout::array::<T>(heap.cap)`, and `heap.cap > 0`.
//! 2. Otherwise `data.inline` is the active field and the capacity is `INLINE_CAPACITY`
//!    (`N / size_of::<T>()`, or `usize::MAX` for zero-sized `T`, which never allocate).
//! 3. The length is `tag` without its top bit (the whole `tag` for zero-sized `T`, so they can
//!    count to `usize::MAX` like `Vec`). `len <= capacity`, and the first `len` slots of the
//!    active buffer are initialized. A heap layout never exceeds `isize::MAX` bytes, so the
//!    length of a non-zero-sized `T` never reaches the top bit.
//!
//! Dropping a `RawStackVec` drops its `len` elements and frees its heap buffer, if any.

use core::alloc::Layout;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::ptr::{self, NonNull};

use allocator_api2::alloc::Allocator;

use crate::error::{TryReserveError, TryReserveErrorKind};

const SPILLED: usize = 1 << (usize::BITS - 1);

/// `N` bytes, aligned for `T`.
#[repr(C)]
struct Inline<T, const N: usize> {
    _align: [T; 0],
    bytes: [MaybeUninit<u8>; N],
}

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
    heap: Heap<T>,
}

pub(crate) struct RawStackVec<T, const N: usize, A: Allocator> {
    data: Data<T, N>,
    tag: usize,
    pub(crate) alloc: A,
}

// SAFETY: the storage owns its `T`s and its allocator like `Vec<T, A>` does (the pointer in the
// union is an owning pointer), so it can be sent when they can; `StackVec` and its owning
// iterator inherit this.
unsafe impl<T: Send, const N: usize, A: Allocator + Send> Send for RawStackVec<T, N, A> {}
// SAFETY: through `&` only `&[T]` and `&A` are reachable.
unsafe impl<T: Sync, const N: usize, A: Allocator + Sync> Sync for RawStackVec<T, N, A> {}

impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
    pub(crate) const IS_ZST: bool = mem::size_of::<T>() == 0;

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
            alloc,
        }
    }

    /// Takes over a heap buffer.
    ///
    /// # Safety
    /// `T` is not zero-sized, `cap > 0`, `ptr` was allocated by `alloc` with
    /// `Layout::array::<T>(cap)`, and its first `len <= cap` elements are initialized.
    #[inline]
    pub(crate) unsafe fn from_heap_parts(
        ptr: NonNull<T>,
        len: usize,
        cap: usize,
        alloc: A,
    ) -> Self {
        debug_assert!(!Self::IS_ZST && cap > 0 && len <= cap);
        Self {
            data: Data {
                heap: Heap { ptr, cap },
            },
            tag: len | SPILLED,
            alloc,
        }
    }

    #[inline]
    pub(crate) const fn spilled(&self) -> bool {
        !Self::IS_ZST && self.tag & SPILLED != 0
    }

    #[inline]
    pub(crate) const fn len(&self) -> usize {
        if Self::IS_ZST {
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
        self.tag = if Self::IS_ZST {
            len
        } else {
            len | (self.tag & SPILLED)
        };
    }

    #[inline]
    pub(crate) const fn capacity(&self) -> usize {
        if self.spilled() {
            // SAFETY: spilled, so `heap` is the active field (invariant 1).
            unsafe { self.data.heap.cap }
        } else {
            Self::INLINE_CAPACITY
        }
    }

    #[inline]
    pub(crate) const fn as_ptr(&self) -> *const T {
        if self.spilled() {
            // SAFETY: spilled, so `heap` is the active field (invariant 1).
            unsafe { self.data.heap.ptr.as_ptr() }
        } else {
            // Taking the address of a union field is safe; it is aligned for `T` by `_align`.
            ptr::addr_of!(self.data).cast()
        }
    }

    #[inline]
    pub(crate) fn as_mut_ptr(&mut self) -> *mut T {
        if self.spilled() {
            // SAFETY: spilled, so `heap` is the active field (invariant 1).
            unsafe { self.data.heap.ptr.as_ptr() }
        } else {
            ptr::addr_of_mut!(self.data).cast()
        }
    }

    /// Appends `value`: the hot path of `push` and `extend`. A spilled tag has its top bit set,
    /// so one unsigned compare of the tag with `INLINE_CAPACITY` means "inline and not full"
    /// (zero-sized `T` never spill); a spilled vector with room appends in line too. Only
    /// growing goes out of line.
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) {
        let tag = self.tag;
        if tag < Self::INLINE_CAPACITY {
            // SAFETY: inline (the flag is clear) and `len = tag < INLINE_CAPACITY`: slot `tag` is
            // inside the inline bytes and uninitialized. `tag + 1` cannot overflow.
            unsafe { self.as_mut_ptr_inline().add(tag).write(value) };
            self.tag = tag + 1;
            return;
        }
        if self.spilled() {
            // SAFETY: spilled, so `heap` is the active field (invariant 1).
            let heap = unsafe { self.data.heap };
            let len = tag & !SPILLED;
            if len < heap.cap {
                // SAFETY: `len < cap`: slot `len` is inside the heap buffer and uninitialized.
                // The flag stays set and the length cannot reach it (invariant 3).
                unsafe { heap.ptr.as_ptr().add(len).write(value) };
                self.tag = tag + 1;
                return;
            }
        }
        self.grow_and_push(value);
    }

    /// `push` on a full buffer: grows (or spills), then appends.
    #[cold]
    #[inline(never)]
    fn grow_and_push(&mut self, value: T) {
        self.grow_one();
        // SAFETY: spilled now, with room for one more (zero-sized `T` only get here at length
        // `usize::MAX`, where `grow_one` panics), so `heap` is the active field (invariant 1).
        unsafe {
            let heap = self.data.heap;
            heap.ptr.as_ptr().add(self.tag & !SPILLED).write(value);
        }
        self.tag += 1;
    }

    /// The heap layout of `cap` elements. Only called with capacities that were allocated.
    #[inline]
    fn heap_layout(cap: usize) -> Layout {
        // SAFETY: this capacity was allocated before, so its array layout was valid then.
        unsafe {
            Layout::from_size_align_unchecked(cap * mem::size_of::<T>(), mem::align_of::<T>())
        }
    }

    /// Makes room for `additional` more elements, growing amortized (doubling).
    #[inline]
    pub(crate) fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        if self.capacity() - self.len() >= additional {
            return Ok(());
        }
        self.grow(additional, false)
    }

    /// Makes room for exactly `additional` more elements.
    #[inline]
    pub(crate) fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        if self.capacity() - self.len() >= additional {
            return Ok(());
        }
        self.grow(additional, true)
    }

    #[inline]
    #[track_caller]
    pub(crate) fn reserve(&mut self, additional: usize) {
        if let Err(e) = self.try_reserve(additional) {
            e.raise()
        }
    }

    #[inline]
    #[track_caller]
    pub(crate) fn reserve_exact(&mut self, additional: usize) {
        if let Err(e) = self.try_reserve_exact(additional) {
            e.raise()
        }
    }

    /// Room for one more slot, amortized.
    #[track_caller]
    pub(crate) fn grow_one(&mut self) {
        if let Err(e) = self.grow(1, false) {
            e.raise()
        }
    }

    /// Spills or grows so that `additional` more elements fit. The capacity arithmetic is here,
    /// where `T`'s size and alignment are constants; the allocation itself is type-erased
    /// ([`spill_erased`], [`grow_erased`]), compiled once per allocator rather than once per `T`.
    ///
    /// Growth: `max(2 * capacity, len + additional, 8/4/1 by element size)` (amortized), or
    /// exactly `len + additional` (`exact`). On error nothing changes.
    fn grow(&mut self, additional: usize, exact: bool) -> Result<(), TryReserveError> {
        if Self::IS_ZST {
            // Capacity is already `usize::MAX`: asking for more is an overflow.
            return Err(TryReserveErrorKind::CapacityOverflow.into());
        }
        let len = self.len();
        let required = len
            .checked_add(additional)
            .ok_or(TryReserveErrorKind::CapacityOverflow)?;
        let cap = if exact {
            required
        } else {
            required
                .max(self.capacity().saturating_mul(2))
                .max(min_heap_capacity(mem::size_of::<T>()))
        };
        let layout = Layout::array::<T>(cap).map_err(|_| TryReserveErrorKind::CapacityOverflow)?;
        let ptr = if self.spilled() {
            // SAFETY: spilled, so `heap` is the active field, allocated by `self.alloc` with
            // this layout (invariant 1); the new layout is larger, with the same alignment.
            unsafe {
                let heap = self.data.heap;
                grow_erased(
                    &self.alloc,
                    heap.ptr.cast(),
                    Self::heap_layout(heap.cap),
                    layout,
                )
            }
        } else {
            let src = self.as_mut_ptr_inline().cast();
            // SAFETY: the inline bytes hold `len` initialized elements, which fit the new layout.
            unsafe { spill_erased(&self.alloc, src, len * mem::size_of::<T>(), layout) }
        };
        let ptr = ptr.ok_or_else(|| crate::no_heap::refused::<A>(layout))?;
        self.data.heap = Heap {
            ptr: ptr.cast(),
            cap,
        };
        self.tag = len | SPILLED;
        Ok(())
    }

    /// Shrinks the capacity to `max(len, min_capacity)`, moving back inline when that fits and
    /// `allow_inline` is set.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, allow_inline: bool) {
        if !self.spilled() {
            return;
        }
        let len = self.len();
        // SAFETY: spilled, so `heap` is the active field (invariant 1).
        let heap = unsafe { self.data.heap };
        let target = len.max(min_capacity);
        let to_inline = (allow_inline && target <= Self::INLINE_CAPACITY) || target == 0;
        if !to_inline && target >= heap.cap {
            return;
        }
        let old_layout = Self::heap_layout(heap.cap);
        if to_inline {
            // Back inline: copy the elements into the inline bytes, then free the heap buffer.
            // SAFETY: `len <= target <= INLINE_CAPACITY` (or `len == 0`), so the inline bytes
            // hold `len` elements; the heap buffer and the inline bytes are distinct memory.
            unsafe {
                ptr::copy_nonoverlapping(heap.ptr.as_ptr(), self.as_mut_ptr_inline(), len);
                self.alloc.deallocate(heap.ptr.cast(), old_layout);
            }
            self.tag = len;
            return;
        }
        let new_layout = Self::heap_layout(target);
        // SAFETY: `heap.ptr` was allocated by `self.alloc` with `old_layout` (invariant 1); the
        // new layout has the same alignment and a smaller, non-zero size.
        match unsafe { self.alloc.shrink(heap.ptr.cast(), old_layout, new_layout) } {
            Ok(ptr) => {
                self.data.heap = Heap {
                    ptr: ptr.cast(),
                    cap: target,
                };
            }
            Err(_) => TryReserveError::from(TryReserveErrorKind::AllocError { layout: new_layout })
                .raise(),
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
            // SAFETY: spilled, so `heap` is the active field (invariant 1).
            let heap = unsafe { self.data.heap };
            Some((heap.ptr, heap.cap))
        } else if len == 0 || Self::IS_ZST {
            None
        } else {
            let layout = Self::heap_layout(len);
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

    /// The buffer's pointer and a guard that owns the length until it is dropped: writers bump
    /// `guard.len` after each element, so a panic in user code (`Clone`, a closure) keeps exactly
    /// the elements written so far. The guard borrows only the length word, so the pointer (which
    /// may point into the inline bytes) stays valid while it lives.
    #[inline]
    pub(crate) fn set_len_on_drop(&mut self) -> (*mut T, SetLenOnDrop<'_>) {
        let ptr = self.as_mut_ptr();
        let len = self.len();
        let flag = if Self::IS_ZST { 0 } else { self.tag & SPILLED };
        (
            ptr,
            SetLenOnDrop {
                tag: &mut self.tag,
                len,
                flag,
            },
        )
    }

    /// The inline bytes that a spilled vector does not use (those past the heap pointer and
    /// capacity): they still hold what was inline before the spill. Empty while inline.
    #[cfg(feature = "zeroize")]
    pub(crate) fn stale_inline_bytes(&mut self) -> &mut [MaybeUninit<u8>] {
        let used = if self.spilled() {
            mem::size_of::<Heap<T>>()
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
            // SAFETY: spilled, so `heap` is the active field, allocated by `self.alloc` with
            // this layout (invariant 1).
            unsafe {
                let heap = self.data.heap;
                self.alloc
                    .deallocate(heap.ptr.cast(), Self::heap_layout(heap.cap));
            }
            self.tag = 0;
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

/// See [`RawStackVec::set_len_on_drop`].
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
/// `src` is valid for reading `bytes <= layout.size()` bytes and is not inside the new block
/// (it cannot be: the block is fresh).
#[inline(never)]
unsafe fn spill_erased<A: Allocator>(
    alloc: &A,
    src: *const u8,
    bytes: usize,
    layout: Layout,
) -> Option<NonNull<u8>> {
    let new = alloc.allocate(layout).ok()?.cast::<u8>();
    // `with_capacity` spills an empty buffer: skip the call to `memcpy`.
    if bytes != 0 {
        // SAFETY: the caller guarantees `src` is readable for `bytes`; the fresh block holds
        // `layout.size() >= bytes` bytes and is distinct memory.
        unsafe { ptr::copy_nonoverlapping(src, new.as_ptr(), bytes) };
    }
    Some(new)
}

/// Grows a heap block (in place where the allocator can).
///
/// # Safety
/// `ptr` was allocated by `alloc` with `old`; `new` is at least as large, with the same
/// alignment.
#[inline(never)]
unsafe fn grow_erased<A: Allocator>(
    alloc: &A,
    ptr: NonNull<u8>,
    old: Layout,
    new: Layout,
) -> Option<NonNull<u8>> {
    // SAFETY: forwarded from this function's contract, which is `Allocator::grow`'s.
    unsafe { alloc.grow(ptr, old, new) }.ok().map(NonNull::cast)
}
