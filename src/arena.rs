//! A bump arena whose memory is reclaimed frame by frame, as Go reclaims a stack frame.
//!
//! An [`Arena`] bumps a pointer through memory you give it (a stack array, a `static`, a linker
//! section; no global allocator needed). Allocation happens in a [`Frame`]; when the frame ends
//! the pointer goes back to where the frame started, in O(1) however much it allocated. Frames
//! nest, and lifetimes make sure nothing allocated in a frame outlives it:
//!
//! ```text
//!  base                                                                  base + capacity
//!  |----- used by outer frame -----|--- used by inner frame ---|---------- free ----------|
//!  ^                               ^                           ^
//!  outer frame's mark              inner frame's mark          bump pointer (`used()`)
//!                                  (the pointer returns here
//!                                   when the inner frame ends)
//! ```
//!
//! * [`Arena::frame`] / [`Frame::frame`] run a closure in a child frame;
//!   [`Arena::frame_guard`] / [`Frame::frame_guard`] return a guard that ends the frame when
//!   dropped (its [`FrameGuard::frame`] is the handle that allocates).
//! * Values come back as [`FrameBox`](crate::FrameBox)es, which run `Drop` (or [`FrameBox::leak`](crate::FrameBox::leak) to opt out
//!   explicitly); `Copy` slices and strings come back as plain `&mut` references.
//! * `&Frame` is an [`allocator_api2::alloc::Allocator`]: a [`StackVec`](crate::StackVec), an
//!   `allocator_api2` `Vec` or a hashbrown map can grow inside a frame. The last block is freed,
//!   grown and shrunk in place.
//!
//! # Example: Go's escaping append loop, without the global heap
//! ```
//! use core::mem::MaybeUninit;
//! use stackfirst::{Arena, Frame, StackVec};
//!
//! // Collects into a StackVec that spills into the caller's frame, not the global heap.
//! fn squares<'a, 'f>(frame: &'a Frame<'f>, n: u64) -> StackVec<u64, 32, &'a Frame<'f>> {
//!     let mut v = StackVec::new_in(frame);
//!     v.extend((0..n).map(|x| x * x));
//!     v
//! }
//!
//! let mut memory = [MaybeUninit::uninit(); 1024];
//! let mut arena = Arena::new(&mut memory);
//! let total = arena.frame(|f| {
//!     let small = squares(&f, 3); // inline: touches neither the arena nor the heap
//!     let big = squares(&f, 100); // spills into the frame
//!     assert!(!small.spilled() && big.spilled());
//!     small.iter().sum::<u64>() + big.iter().sum::<u64>()
//! });
//! assert_eq!(total, 5 + 328_350);
//! assert_eq!(arena.used(), 0); // the frame ended: everything reclaimed
//! ```

use core::alloc::Layout;
use core::cell::{Cell, UnsafeCell};
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::bump::{fit, ArenaExhausted};
use crate::frame::{Frame, FrameGuard};

/// The bump state that an arena and all of its frames share, as addresses: bumping is then a
/// couple of additions and one compare, with no offset arithmetic.
///
/// Invariants: `base..end` is memory this region may hand out for as long as it lives (borrowed
/// for the arena's `'m`); `base <= cur <= end`; the bytes `cur..end` are not part of any live
/// block. Blocks below `cur` belong to the frames whose marks are below them. Handed-out
/// pointers carry `base`'s provenance.
pub(crate) struct Region {
    base: NonNull<u8>,
    end: usize,
    cur: Cell<usize>,
}

impl Region {
    /// Bumps a block of `layout`. Zero-sized requests never touch the region.
    #[inline]
    pub(crate) fn try_alloc(&self, layout: Layout) -> Result<NonNull<u8>, ArenaExhausted> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        let cur = self.cur.get();
        match fit(cur, self.end, layout) {
            Some((start, stop)) => {
                self.cur.set(stop);
                // SAFETY: `base <= cur <= start < stop <= end`: inside the region, so non-null.
                Ok(unsafe { NonNull::new_unchecked(self.base.as_ptr().with_addr(start)) })
            }
            None => Err(ArenaExhausted::new(layout, self.end - cur)),
        }
    }

    /// The address of a block of `size` bytes that ends at the bump pointer and starts at or
    /// after `floor` (a frame's mark).
    #[inline]
    fn tip(&self, ptr: NonNull<u8>, size: usize, floor: usize) -> Option<usize> {
        let addr = ptr.as_ptr() as usize;
        (size != 0 && addr >= floor && addr.checked_add(size) == Some(self.cur.get()))
            .then_some(addr)
    }

    /// Frees a block if it is the last one and was allocated at or after `floor`; otherwise its
    /// bytes stay used until the frame that made them ends.
    #[inline]
    pub(crate) fn free(&self, ptr: NonNull<u8>, size: usize, floor: usize) {
        if let Some(addr) = self.tip(ptr, size, floor) {
            self.cur.set(addr);
        }
    }

    /// Resizes the last block in place (if `ptr` is it, is aligned for `new`, and the new size
    /// fits). Returns whether it did.
    #[inline]
    pub(crate) fn resize_in_place(
        &self,
        ptr: NonNull<u8>,
        old_size: usize,
        new: Layout,
        floor: usize,
    ) -> bool {
        match self.tip(ptr, old_size, floor) {
            Some(addr) if addr % new.align() == 0 && new.size() <= self.end - addr => {
                self.cur.set(addr + new.size());
                true
            }
            _ => false,
        }
    }

    /// Bytes in use.
    #[inline]
    pub(crate) fn used(&self) -> usize {
        self.cur.get() - self.base.as_ptr() as usize
    }

    /// Bytes still free.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.end - self.cur.get()
    }

    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.end - self.base.as_ptr() as usize
    }

    /// Opens a frame: the guard puts the bump pointer back here when dropped.
    #[inline]
    pub(crate) fn guard(&self) -> FrameGuard<'_> {
        FrameGuard::new(self, self.cur.get())
    }

    /// Ends a frame whose mark is `mark` (a bump pointer it saw).
    #[inline]
    pub(crate) fn rewind(&self, mark: usize) {
        debug_assert!(mark <= self.cur.get());
        self.cur.set(mark);
    }

    /// Reclaims everything.
    #[inline]
    pub(crate) fn reset(&self) {
        self.cur.set(self.base.as_ptr() as usize);
    }
}

/// A well-aligned, non-null pointer for a zero-sized block.
#[inline]
pub(crate) fn dangling(layout: Layout) -> NonNull<u8> {
    // SAFETY: an alignment is never zero.
    unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(layout.align())) }
}

/// A bump arena over memory the caller provides; allocate from it through [frames](Frame).
///
/// See the [module documentation](crate::arena) for the picture and an example.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::Arena;
///
/// let mut memory = [MaybeUninit::uninit(); 256];
/// let mut arena = Arena::new(&mut memory);
/// arena.frame(|mut f| {
///     let mut x = f.alloc(41u32);
///     f.frame(|g| {
///         *x += 1; // the parent's values are usable in a child frame
///         let _tmp = g.alloc_slice_copy(&[0u8; 100]);
///     });
///     assert_eq!(*x, 42);
/// });
/// assert_eq!(arena.used(), 0);
/// ```
pub struct Arena<'m> {
    region: Region,
    _memory: PhantomData<&'m mut [MaybeUninit<u8>]>,
}

// SAFETY: an `Arena` is the unique owner of its borrowed bytes, like a `&mut [u8]`; frames that
// share its `Cell` borrow it, so none can be alive when it moves to another thread.
unsafe impl Send for Arena<'_> {}

impl<'m> Arena<'m> {
    /// An arena over `memory`. Nothing is written to the memory until it is allocated.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let arena = Arena::new(&mut memory);
    /// assert_eq!(arena.capacity(), 64);
    /// ```
    pub fn new(memory: &'m mut [MaybeUninit<u8>]) -> Self {
        let len = memory.len();
        let base = NonNull::from(memory).cast::<u8>();
        let start = base.as_ptr() as usize;
        Self {
            region: Region {
                base,
                // A slice never wraps around the address space.
                end: start + len,
                cur: Cell::new(start),
            },
            _memory: PhantomData,
        }
    }

    /// Runs `f` in a new frame; everything it allocated is reclaimed when it returns (or
    /// unwinds). Nothing allocated in the frame can be returned from it.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// let sum = arena.frame(|f| f.alloc_slice_copy(&[1u32, 2, 3]).iter().sum::<u32>());
    /// assert_eq!((sum, arena.used()), (6, 0));
    /// ```
    ///
    /// Frame allocations cannot escape:
    /// ```compile_fail
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// let escaped = arena.frame(|f| f.alloc(1u32)); // error: borrowed data escapes the closure
    /// ```
    #[inline]
    pub fn frame<R>(&mut self, f: impl for<'f> FnOnce(Frame<'f>) -> R) -> R {
        let mut guard = self.region.guard();
        f(guard.frame())
    }

    /// Opens a frame that ends when the returned guard is dropped. Allocate through
    /// [`FrameGuard::frame`].
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// {
    ///     let mut guard = arena.frame_guard();
    ///     let f = guard.frame();
    ///     let s = f.alloc_str("hello");
    ///     assert_eq!(s, "hello");
    /// }
    /// assert_eq!(arena.used(), 0);
    /// ```
    ///
    /// A reference cannot be kept past the guard's drop:
    /// ```compile_fail
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// let mut guard = arena.frame_guard();
    /// let s = guard.frame().alloc_str("hello");
    /// drop(guard); // error: cannot move out of `guard` because it is borrowed
    /// assert_eq!(s, "hello");
    /// ```
    #[inline]
    pub fn frame_guard(&mut self) -> FrameGuard<'_> {
        self.region.guard()
    }

    /// Bytes in use (including alignment padding). Zero whenever no frame is open.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let arena = Arena::new(&mut memory);
    /// assert_eq!(arena.used(), 0);
    /// ```
    #[inline]
    pub fn used(&self) -> usize {
        self.region.used()
    }

    /// Bytes still free (before any alignment padding a request may need).
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// assert_eq!(Arena::new(&mut memory).remaining(), 64);
    /// ```
    #[inline]
    pub fn remaining(&self) -> usize {
        self.region.remaining()
    }

    /// The size of the memory the arena manages.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// assert_eq!(Arena::new(&mut memory).capacity(), 64);
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.region.capacity()
    }

    /// Reclaims everything, including what frames leaked with `mem::forget` on a guard.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// core::mem::forget(arena.frame_guard()); // its frame never ends...
    /// arena.reset(); // ...but this reclaims it
    /// assert_eq!(arena.used(), 0);
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.region.reset();
    }
}

/// Inline memory for an [`Arena`]: `const`-constructible, so it can be a `static` (or live in a
/// linker section via `#[link_section]`), or a local.
///
/// # Examples
/// ```
/// use stackfirst::ArenaBuf;
///
/// static SCRATCH: ArenaBuf<1024> = ArenaBuf::new();
///
/// let mut arena = SCRATCH.take().expect("taken once");
/// assert!(SCRATCH.take().is_none()); // a second taker would alias the memory
/// arena.frame(|f| assert_eq!(*f.alloc(7u8), 7));
///
/// let mut local = ArenaBuf::<64>::new();
/// assert_eq!(local.arena().capacity(), 64);
/// ```
pub struct ArenaBuf<const BYTES: usize> {
    bytes: UnsafeCell<[MaybeUninit<u8>; BYTES]>,
    taken: core::sync::atomic::AtomicBool,
}

// SAFETY: the bytes are reachable only through the single `Arena` that `take` hands out (the
// atomic flag makes sure of that across threads) or through `&mut self`.
unsafe impl<const BYTES: usize> Sync for ArenaBuf<BYTES> {}

impl<const BYTES: usize> ArenaBuf<BYTES> {
    /// Uninitialized memory, not yet taken.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// static BUF: ArenaBuf<4096> = ArenaBuf::new();
    /// ```
    #[inline]
    pub const fn new() -> Self {
        Self {
            bytes: UnsafeCell::new([MaybeUninit::uninit(); BYTES]),
            taken: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The arena over a `static` buffer: `Some` the first time, `None` after (on any thread).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// static BUF: ArenaBuf<64> = ArenaBuf::new();
    /// assert!(BUF.take().is_some());
    /// assert!(BUF.take().is_none());
    /// ```
    #[cfg(target_has_atomic = "8")]
    pub fn take(&'static self) -> Option<Arena<'static>> {
        if self.taken.swap(true, core::sync::atomic::Ordering::Acquire) {
            return None;
        }
        // SAFETY: the flag was false and is now true for good: this is the only reference to the
        // bytes that will ever exist, and they live for `'static`.
        Some(Arena::new(unsafe { &mut *self.bytes.get() }))
    }

    /// The arena over this buffer, borrowed.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut buf = ArenaBuf::<128>::new();
    /// let mut arena = buf.arena();
    /// arena.frame(|f| assert_eq!(f.alloc_str("go"), "go"));
    /// ```
    pub fn arena(&mut self) -> Arena<'_> {
        Arena::new(self.bytes.get_mut())
    }
}

impl<const BYTES: usize> Default for ArenaBuf<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}
