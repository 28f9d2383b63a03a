//! [`SyncArena`]: a lock-free bump arena for several threads or interrupt handlers.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator};

use crate::arena_error::{ArenaError, ArenaErrorKind, OrRaise};
use crate::bump::{dangling, fit};
use crate::sync::{AtomicUsize, Ordering};

/// A `Sync` bump arena over `BYTES` bytes of inline memory (a `static`, usually): one atomic bump
/// pointer, advanced by compare-and-swap, so any thread or interrupt handler can allocate
/// without a lock. Exists wherever the target has pointer-sized compare-and-swap (thumbv7em,
/// x86_64, ...; not thumbv6m, the Cortex-M0).
///
/// Memory comes back all at once with [`reset`](Self::reset), which needs `&mut self`: no
/// allocation can be alive then. [`dealloc`](Self::dealloc) reclaims only the most recent block.
/// So a `static` one, which no one can borrow mutably, suits blocks that live for the program
/// or are freed last-in-first-out; for memory reclaimed per request, give each context an
/// [`Arena`](crate::Arena) of its own (behind a critical section where an interrupt handler
/// shares it) and allocate in its frames.
///
/// # As a `#[global_allocator]`
/// `SyncArena` implements [`GlobalAlloc`], giving a bump-only heap: allocation is a few
/// instructions and never fragments, but `dealloc` only reclaims the last block (and `realloc`
/// grows only the last block in place), so a long-running program that frees and reallocates
/// will run out. Fit for firmware that allocates at start-up, or for a phase that ends in a
/// reset. Allocation failure returns null, which the runtime turns into `handle_alloc_error`.
/// The blocks borrow nothing: called directly on an arena that is not a `static`, these methods
/// give blocks that stay valid only while the arena is not moved, reset or dropped.
///
/// # As an `Allocator`
/// `&SyncArena` is an [`Allocator`]: a [`StackVec`](crate::StackVec) or an `allocator_api2`
/// `Vec` can spill into it from any thread; the most recent block grows in place.
///
/// ```
/// use stackfirst::{StackVec, SyncArena};
///
/// static SHARED: SyncArena<4096> = SyncArena::new();
/// let mut v: StackVec<u64, 32, &SyncArena<4096>> = StackVec::new_in(&SHARED);
/// v.extend(0..100);
/// assert!(v.spilled() && SHARED.used() >= 800);
/// ```
///
/// The buffer is the first field (`#[repr(C)]`): a block's offset is its address minus the
/// arena's. It is aligned to 16 bytes, so that what an arena holds does not depend on where the
/// linker places it: blocks aligned to at most 16 need no padding at its start (a
/// `SyncArena<16>` holds two `u64`s on every target, also where a word is aligned to 4 and a
/// `u64` to 8, as on Cortex-M).
///
/// Invariants: `pos <= BYTES`; bytes `pos..BYTES` belong to no live block; every block handed
/// out lies in `0..pos` and no two overlap.
///
/// # Examples
/// ```
/// use stackfirst::SyncArena;
///
/// static ARENA: SyncArena<4096> = SyncArena::new();
///
/// std::thread::scope(|s| {
///     for t in 0..4u32 {
///         s.spawn(move || {
///             let x: &mut u32 = ARENA.alloc(t);
///             *x += 1;
///         });
///     }
/// });
/// assert_eq!(ARENA.used(), 16);
/// ```
// The buffer first: block offsets are addresses relative to the arena's own.
#[repr(C, align(16))]
pub struct SyncArena<const BYTES: usize> {
    bytes: UnsafeCell<[MaybeUninit<u8>; BYTES]>,
    pos: AtomicUsize,
}

// SAFETY: the bytes are only reached through blocks handed out by the compare-and-swap, which
// never hands out overlapping ones (invariants above); `reset` needs `&mut self`.
unsafe impl<const BYTES: usize> Sync for SyncArena<BYTES> {}

impl<const BYTES: usize> SyncArena<BYTES> {
    /// An empty arena; `const`, so it can be a `static` or a `#[global_allocator]`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// static HEAP: SyncArena<1024> = SyncArena::new();
    /// assert_eq!(HEAP.remaining(), 1024);
    /// ```
    #[cfg(not(loom))]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            pos: AtomicUsize::new(0),
            bytes: UnsafeCell::new([MaybeUninit::uninit(); BYTES]),
        }
    }

    /// An empty arena (loom's atomics cannot be built in a `const`).
    #[cfg(loom)]
    pub fn new() -> Self {
        Self {
            pos: AtomicUsize::new(0),
            bytes: UnsafeCell::new([MaybeUninit::uninit(); BYTES]),
        }
    }

    #[inline]
    fn base(&self) -> *mut u8 {
        self.bytes.get().cast()
    }

    /// Bumps a block of `layout`, from any thread. Zero-sized layouts never consume memory.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit; the arena is unchanged then.
    ///
    /// # Examples
    /// ```
    /// use core::alloc::Layout;
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<16>::new();
    /// assert!(arena.try_alloc_layout(Layout::new::<[u64; 2]>()).is_ok());
    /// assert!(arena.try_alloc_layout(Layout::new::<[u64; 4]>()).is_err());
    /// ```
    #[inline]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, ArenaError> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        let base = self.base();
        let addr = base as usize;
        let mut pos = self.pos.load(Ordering::Relaxed);
        loop {
            // The buffer never wraps around the address space, so `addr + BYTES` does not
            // overflow; offsets come back by subtracting `addr`.
            let Some((start, stop)) = fit(addr + pos, addr + BYTES, layout) else {
                return Err(ArenaError::new(
                    ArenaErrorKind::Exhausted,
                    layout,
                    BYTES - pos,
                ));
            };
            // Acquire: a block freed by another thread (Release in `dealloc`) is reused only
            // after that thread's last writes to it.
            match self.pos.compare_exchange_weak(
                pos,
                stop - addr,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                // SAFETY: `addr <= start < stop <= addr + BYTES`: inside the buffer, so non-null;
                // the swap made `start..stop` this caller's alone.
                Ok(_) => return Ok(unsafe { NonNull::new_unchecked(base.with_addr(start)) }),
                Err(now) => pos = now,
            }
        }
    }

    /// [`try_alloc_layout`](Self::try_alloc_layout) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: requested N bytes (align A), M remaining`.
    ///
    /// # Examples
    /// ```
    /// use core::alloc::Layout;
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<64>::new();
    /// let p = arena.alloc_layout(Layout::new::<u32>());
    /// assert_eq!(p.as_ptr() as usize % 4, 0);
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.try_alloc_layout(layout).or_raise()
    }

    /// Moves `value` into the arena. Its destructor never runs (like `Box::leak`): the arena
    /// frees memory only in bulk. The reference borrows the arena, so `reset` waits for it.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit; `value` is dropped then.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<4>::new();
    /// assert!(arena.try_alloc(1u32).is_ok());
    /// assert!(arena.try_alloc(2u32).is_err());
    /// ```
    #[inline]
    #[allow(clippy::mut_from_ref)] // each call returns a distinct block, like `Bump::alloc`
    pub fn try_alloc<T>(&self, value: T) -> Result<&mut T, ArenaError> {
        let p = self.try_alloc_layout(Layout::new::<T>())?.cast::<T>();
        // SAFETY: a fresh block for one `T`, owned by this caller alone, valid while the arena
        // is borrowed.
        unsafe {
            p.as_ptr().write(value);
            Ok(&mut *p.as_ptr())
        }
    }

    /// [`try_alloc`](Self::try_alloc) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<64>::new();
    /// let x = arena.alloc([1u16, 2, 3]);
    /// x[0] = 7;
    /// assert_eq!(*x, [7, 2, 3]);
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    #[allow(clippy::mut_from_ref)] // each call returns a distinct block, like `Bump::alloc`
    pub fn alloc<T>(&self, value: T) -> &mut T {
        self.try_alloc(value).or_raise()
    }

    /// Frees a block if it is the most recent one; otherwise it stays used until `reset`.
    ///
    /// # Safety
    /// `ptr` was returned by this arena for `layout` and is not used afterwards.
    ///
    /// # Examples
    /// ```
    /// use core::alloc::Layout;
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<64>::new();
    /// let layout = Layout::new::<u64>();
    /// let p = arena.alloc_layout(layout);
    /// // SAFETY: `p` came from this arena for `layout` and is not used again.
    /// unsafe { arena.dealloc(p, layout) };
    /// assert_eq!(arena.used(), 0);
    /// ```
    #[inline]
    pub unsafe fn dealloc(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() == 0 {
            return;
        }
        let start = (ptr.as_ptr() as usize).wrapping_sub(self.base() as usize);
        // Release: our writes to the block happen before whoever allocates it next.
        let _ = self.pos.compare_exchange(
            start + layout.size(),
            start,
            Ordering::Release,
            Ordering::Relaxed,
        );
    }

    /// Grows or shrinks the most recent block in place. Returns whether it could.
    ///
    /// # Safety
    /// `ptr` was returned by this arena for a block of `old_size` bytes, still in use.
    unsafe fn resize_in_place(&self, ptr: NonNull<u8>, old_size: usize, new_size: usize) -> bool {
        let start = (ptr.as_ptr() as usize).wrapping_sub(self.base() as usize);
        match start.checked_add(new_size) {
            Some(end) if end <= BYTES => self
                .pos
                .compare_exchange(start + old_size, end, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok(),
            _ => false,
        }
    }

    /// Resizes a block to `new`. Where it is aligned for `new`, it stays in place if it is the
    /// most recent one, or if it shrinks (reclaiming its tail only if it is the most recent);
    /// otherwise the first `min(old, new)` bytes are copied into a new block and the old one is
    /// freed (which reclaims it only if it is the most recent). `None` when the new block does
    /// not fit; the old one is untouched then.
    ///
    /// # Safety
    /// `ptr` is a live block of this arena for `old`.
    unsafe fn resize(&self, ptr: NonNull<u8>, old: Layout, new: Layout) -> Option<NonNull<u8>> {
        if ptr.as_ptr() as usize % new.align() == 0 {
            // SAFETY: the caller's contract; a zero-sized block has no place in the arena to
            // resize.
            let in_place =
                old.size() != 0 && unsafe { self.resize_in_place(ptr, old.size(), new.size()) };
            if in_place {
                // With the buffer's provenance: `ptr` (from a reference to the old block, say)
                // may not cover the grown bytes.
                // SAFETY: `ptr`'s address, non-null.
                return Some(unsafe {
                    NonNull::new_unchecked(self.base().with_addr(ptr.as_ptr() as usize))
                });
            }
            if new.size() <= old.size() {
                return Some(ptr);
            }
        }
        let fresh = self.try_alloc_layout(new).ok()?;
        // SAFETY: both blocks are live, distinct, and at least `min(old, new)` bytes long; the
        // old one is not used again.
        unsafe {
            ptr::copy_nonoverlapping(ptr.as_ptr(), fresh.as_ptr(), old.size().min(new.size()));
            self.dealloc(ptr, old);
        }
        Some(fresh)
    }

    /// Reclaims everything. `&mut self` proves no allocation is alive.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// let mut arena = SyncArena::<64>::new();
    /// let _ = arena.alloc(1u64);
    /// arena.reset();
    /// assert_eq!(arena.used(), 0);
    /// ```
    ///
    /// What the arena handed out borrows it, so `reset` waits for it:
    /// ```compile_fail,E0502
    /// use stackfirst::SyncArena;
    ///
    /// let mut arena = SyncArena::<64>::new();
    /// let x = arena.alloc(1u64);
    /// arena.reset(); // error: cannot borrow `arena` as mutable because it is also borrowed
    /// *x += 1;
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.pos.store(0, Ordering::Relaxed);
    }

    /// Bytes in use, including padding (a snapshot while other threads allocate).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<64>::new();
    /// let _ = arena.alloc(1u8);
    /// assert_eq!(arena.used(), 1);
    /// ```
    #[inline]
    pub fn used(&self) -> usize {
        self.pos.load(Ordering::Relaxed)
    }

    /// Bytes still free (a snapshot while other threads allocate).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// let arena = SyncArena::<64>::new();
    /// assert_eq!(arena.remaining(), 64);
    /// ```
    #[inline]
    pub fn remaining(&self) -> usize {
        BYTES - self.used()
    }

    /// `BYTES`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::SyncArena;
    ///
    /// assert_eq!(SyncArena::<64>::new().capacity(), 64);
    /// ```
    #[inline]
    pub const fn capacity(&self) -> usize {
        BYTES
    }
}

impl<const BYTES: usize> Default for SyncArena<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY (the `GlobalAlloc` contract): blocks never overlap and stay valid until freed
// (invariants above), or until the arena is moved, reset or dropped, which a `static` never is
// (the type's documentation says so for other uses); failure returns null; `realloc` keeps the
// first `min(old, new)` bytes.
unsafe impl<const BYTES: usize> GlobalAlloc for SyncArena<BYTES> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.try_alloc_layout(layout)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a pointer this allocator returned (so non-null) for `layout`.
        unsafe { SyncArena::dealloc(self, NonNull::new_unchecked(ptr), layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is non-zero and, rounded to the alignment, fits `isize` (the
        // caller's contract for `realloc`).
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: the caller passes a live, non-null block of `layout` from here.
        unsafe { self.resize(NonNull::new_unchecked(ptr), layout, new) }
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }
}

// SAFETY (the `Allocator` contract): blocks never overlap and stay valid until freed or until
// `reset`, which needs `&mut SyncArena` and so waits for every `&SyncArena` (this allocator)
// to be gone; `grow`/`shrink` keep the first `min(old, new)` bytes. Only `&SyncArena` is an
// allocator: a `SyncArena` moved by value would move its blocks' memory.
unsafe impl<const BYTES: usize> Allocator for &SyncArena<BYTES> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        match self.try_alloc_layout(layout) {
            Ok(p) => Ok(NonNull::slice_from_raw_parts(p, layout.size())),
            Err(_) => Err(AllocError),
        }
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller passes a live block of this arena for `layout`.
        unsafe { SyncArena::dealloc(self, ptr, layout) }
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller passes a live block of this arena for `old`.
        match unsafe { self.resize(ptr, old, new) } {
            Some(p) => Ok(NonNull::slice_from_raw_parts(p, new.size())),
            None => Err(AllocError),
        }
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller passes a live block of this arena for `old`. (`resize` keeps an
        // aligned block in place, so only an alignment change can fail.)
        unsafe { self.grow(ptr, old, new) }
    }
}

impl<const BYTES: usize> fmt::Debug for SyncArena<BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncArena")
            .field("used", &self.used())
            .field("capacity", &BYTES)
            .finish_non_exhaustive()
    }
}
