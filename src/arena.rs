//! A bump arena whose memory is reclaimed frame by frame, as Go reclaims a stack frame.
//!
//! An [`Arena`] bumps a pointer through chunks of memory: chunks it takes from a backing
//! allocator as it needs them ([`Arena::new`], the global heap by default), or memory you give
//! it (a stack array, a `static`, a linker section: [`Arena::from_memory`], no heap needed).
//! Allocation happens in a [`Frame`]; when the frame ends the pointer goes back to where the
//! frame started, in O(1) however much it allocated. Frames nest, and lifetimes make sure
//! nothing allocated in a frame outlives it:
//!
//! ```text
//!  chunk 1 (full)              chunk 2 (current)                           chunk 3 (spare)
//!  |-- outer frame --|  ...    |-- outer --|-- inner frame --|-- free --|  |---- free ----|
//!                                          ^                 ^
//!                              inner frame's mark            bump pointer
//!                              (the pointer returns here when the inner frame ends)
//! ```
//!
//! * [`Arena::frame`] / [`Frame::frame`] run a closure in a child frame;
//!   [`Arena::frame_guard`] / [`Frame::frame_guard`] return a guard that ends the frame when
//!   dropped (its [`FrameGuard::frame`] is the handle that allocates).
//! * A frame that took new chunks leaves them to the arena as spares when it ends; the next
//!   frames reuse them before asking the backing allocator for anything, so a loop of frames
//!   allocates only until it has seen its largest iteration. [`Arena::reset`] keeps them too;
//!   [`Arena::shrink_to_fit`] gives the spares back.
//! * Values come back as [`FrameBox`](crate::FrameBox)es, which run `Drop` (or
//!   [`FrameBox::leak`](crate::FrameBox::leak) to opt out explicitly); `Copy` slices and
//!   strings come back as plain `&mut` references.
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
//! let mut arena = Arena::from_memory(&mut memory);
//! let total = arena.frame(|f| {
//!     let small = squares(&f, 3); // inline: touches neither the arena nor the heap
//!     let big = squares(&f, 100); // spills into the frame
//!     assert!(!small.spilled() && big.spilled());
//!     small.iter().sum::<u64>() + big.iter().sum::<u64>()
//! });
//! assert_eq!(total, 5 + 328_350);
//! assert_eq!(arena.used(), 0); // the frame ended: everything reclaimed
//! ```
//!
//! # Example: a growing arena in a loop
//! ```
//! use stackfirst::Arena;
//!
//! let mut arena = Arena::new(); // nothing allocated yet
//! let mut taken = [0; 3]; // the chunk memory after each round
//! for round in 0..3 {
//!     arena.frame(|f| {
//!         let words = f.alloc_slice_fill_with(1000, |i| (i * round) as u64);
//!         assert_eq!(words[999], 999 * round as u64);
//!     });
//!     assert_eq!(arena.used(), 0);
//!     taken[round] = arena.allocated_bytes();
//! }
//! // The chunks the first round took were reused by the others.
//! assert!(taken[0] >= 8000);
//! assert_eq!(taken, [taken[0]; 3]);
//! ```

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;

use crate::arena_error::{ArenaError, OrRaise};
use crate::chunk::Backed;
use crate::frame::Frame;
use crate::frame_guard::FrameGuard;
use crate::region::{refuse, Region, RegionRef};

/// The backing allocator of an [`Arena`] that names none: the global heap with the `alloc`
/// feature, [`NoHeap`](crate::NoHeap) (which refuses every request) without.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::arena::{Arena, DefaultBacking};
///
/// let mut memory = [MaybeUninit::uninit(); 16];
/// // `Arena<'_>` is `Arena<'_, DefaultBacking>`: over the heap, it grows past the 16 bytes.
/// let backing = DefaultBacking::default();
/// let mut arena: Arena<'_, DefaultBacking> = Arena::from_memory_in(&mut memory, backing);
/// arena.frame(|f| assert_eq!(f.alloc_slice_copy(&[7u64; 8]).len(), 8));
/// ```
#[cfg(feature = "alloc")]
pub type DefaultBacking = Global;
/// The backing allocator of an [`Arena`] that names none: the global heap with the `alloc`
/// feature, [`NoHeap`](crate::NoHeap) (which refuses every request) without.
#[cfg(not(feature = "alloc"))]
pub type DefaultBacking = crate::NoHeap;

/// A bump arena: allocate from it through [frames](Frame).
///
/// * [`Arena::new`] / [`Arena::with_capacity`] (and `_in` for another backing allocator): grows
///   by chunks from the backing allocator, doubling in size. `new` allocates nothing until the
///   first request; `with_capacity` takes its first chunk at once (of a non-zero size).
/// * [`Arena::from_memory`]: a fixed arena over memory you provide; when it is full, requests
///   fail ([`ArenaErrorKind::Exhausted`](crate::ArenaErrorKind::Exhausted)).
///   [`Arena::from_memory_in`] falls back to a backing allocator instead.
///
/// See the [module documentation](crate::arena) for the picture and more examples.
///
/// # Examples
/// ```
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
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
///
/// An open frame borrows the arena mutably, so the arena cannot be dropped (its chunks freed),
/// moved, or [`reset`](Self::reset) while anything allocated in it is alive:
/// ```compile_fail,E0505
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
/// let mut guard = arena.frame_guard();
/// let s = guard.frame().alloc_str("in a chunk");
/// drop(arena); // error: cannot move out of `arena` because it is borrowed
/// assert_eq!(s, "in a chunk");
/// ```
///
/// An `Arena` is `Send` only when its backing allocator is (it calls it from the thread it is
/// on); a `&bumpalo::Bump` is not:
/// ```compile_fail,E0277
/// use stackfirst::Arena;
///
/// let bump = bumpalo::Bump::new();
/// let mut arena = Arena::new_in(&bump);
/// std::thread::scope(|s| {
///     s.spawn(move || arena.frame(|f| *f.alloc(1u32))); // error: `&Bump` cannot be sent
/// });
/// ```
pub struct Arena<'m, A: Allocator = DefaultBacking> {
    raw: Backed<A>,
    _memory: PhantomData<&'m mut [MaybeUninit<u8>]>,
}

// SAFETY: an `Arena` uniquely owns its chunks and its borrowed bytes (like a `&mut [u8]` and a
// `Vec`), and its allocator; frames that share its `Cell`s borrow it, so none can be alive
// when it moves to another thread.
unsafe impl<A: Allocator + Send> Send for Arena<'_, A> {}

#[cfg(feature = "alloc")]
impl Arena<'static> {
    /// A growing arena over the global heap. Nothing is allocated until the first request;
    /// the first chunk holds 512 bytes (less its bookkeeping), each next one twice the last
    /// (a chunk is larger when a request needs it).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// assert_eq!(arena.allocated_bytes(), 0);
    /// arena.frame(|f| assert_eq!(*f.alloc(7u8), 7));
    /// assert!(arena.allocated_bytes() > 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::new_in(Global)
    }

    /// A growing arena whose first chunk holds at least `bytes`, allocated at once (none for
    /// zero bytes, as [`new`](Self::new)).
    ///
    /// # Panics
    /// If the chunk cannot be allocated (use [`try_with_capacity_in`](Self::try_with_capacity_in)
    /// to get an error instead).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let arena = Arena::with_capacity(4096);
    /// assert!(arena.remaining() >= 4096);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn with_capacity(bytes: usize) -> Self {
        Self::with_capacity_in(bytes, Global)
    }
}

#[cfg(feature = "alloc")]
impl Default for Arena<'static> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'m> Arena<'m> {
    /// A fixed arena over `memory`: when it is full, requests fail. Nothing is written to the
    /// memory until it is allocated. Blocks are aligned inside it, so a byte array that is not
    /// aligned for the first block loses the padding: [`ArenaBuf`](crate::ArenaBuf) is aligned
    /// to 16.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let arena = Arena::from_memory(&mut memory);
    /// assert_eq!(arena.capacity(), 64);
    /// assert_eq!(arena.allocated_bytes(), 0);
    /// ```
    #[must_use]
    pub fn from_memory(memory: &'m mut [MaybeUninit<u8>]) -> Self {
        Self::build(Some(memory), DefaultBacking::default(), false)
    }
}

impl<'m, A: Allocator> Arena<'m, A> {
    fn build(memory: Option<&'m mut [MaybeUninit<u8>]>, backing: A, grows: bool) -> Self {
        let memory = memory.map(|m| NonNull::from(m) as NonNull<[MaybeUninit<u8>]>);
        // A growing arena leaves the last byte unused, so that no block ends where a chunk that
        // `backing` placed right after the memory starts (the region's invariants).
        let memory = memory.map(|m| {
            let len = m.len() - usize::from(grows && !m.is_empty());
            NonNull::slice_from_raw_parts(m.cast::<u8>(), len)
        });
        Self {
            raw: Backed {
                region: Region::new(memory, if grows { Backed::<A>::GROW } else { refuse }),
                backing,
            },
            _memory: PhantomData,
        }
    }

    /// A growing arena whose chunks come from `backing`. Nothing is allocated until the first
    /// request.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let mut arena = Arena::new_in(&bump);
    /// arena.frame(|f| assert_eq!(f.alloc_str("chunks from a Bump"), "chunks from a Bump"));
    /// ```
    #[must_use]
    pub fn new_in(backing: A) -> Self {
        Self::build(None, backing, true)
    }

    /// A growing arena over `backing` whose first chunk holds at least `bytes`, allocated at
    /// once (none for zero bytes, as [`new_in`](Self::new_in)).
    ///
    /// # Panics
    /// If the chunk cannot be allocated.
    ///
    /// # Examples
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use stackfirst::Arena;
    ///
    /// let arena = Arena::with_capacity_in(100, Global);
    /// assert!(arena.remaining() >= 100);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn with_capacity_in(bytes: usize, backing: A) -> Self {
        Self::try_with_capacity_in(bytes, backing).or_raise()
    }

    /// A growing arena over `backing` whose first chunk holds at least `bytes`.
    ///
    /// # Errors
    /// When the backing allocator refuses the chunk (or `bytes` is too large for any).
    ///
    /// # Examples
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use stackfirst::{Arena, ArenaErrorKind};
    ///
    /// assert!(Arena::try_with_capacity_in(1 << 12, Global).is_ok());
    /// let err = Arena::try_with_capacity_in(usize::MAX, Global).unwrap_err();
    /// assert_eq!(err.kind(), ArenaErrorKind::BackingFailed);
    /// ```
    pub fn try_with_capacity_in(bytes: usize, backing: A) -> Result<Self, ArenaError> {
        let arena = Self::build(None, backing, true);
        if bytes != 0 {
            arena.raw.reserve_first(bytes)?;
        }
        Ok(arena)
    }

    /// An arena over `memory` that takes chunks from `backing` once the memory is full.
    ///
    /// The memory's last byte stays unused: `backing` may place a chunk right after the memory
    /// (a bump allocator does), and a block that ended where the chunk begins could be taken
    /// for the chunk's own.
    ///
    /// # Examples
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::from_memory_in(&mut memory, Global);
    /// assert_eq!(arena.capacity(), 63);
    /// arena.frame(|f| {
    ///     let big = f.alloc([1u8; 1000]); // does not fit 64 bytes: a chunk from the heap
    ///     assert_eq!(big[999], 1);
    /// });
    /// assert!(arena.allocated_bytes() >= 1000);
    /// ```
    #[must_use]
    pub fn from_memory_in(memory: &'m mut [MaybeUninit<u8>], backing: A) -> Self {
        Self::build(Some(memory), backing, true)
    }

    /// The region, reachable with its backing allocator.
    #[inline]
    fn region(&self) -> RegionRef<'_> {
        // SAFETY: derived from a reference to the whole `Backed`, which the borrow keeps alive
        // and in place; its region's `grow` was made for `A` (`build`).
        unsafe { RegionRef::new(NonNull::from(&self.raw).cast::<Region>()) }
    }

    /// Runs `f` in a new frame; everything it allocated is reclaimed when it returns (or
    /// unwinds). Nothing allocated in the frame can be returned from it.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// let sum = arena.frame(|f| f.alloc_slice_copy(&[1u32, 2, 3]).iter().sum::<u32>());
    /// assert_eq!((sum, arena.used()), (6, 0));
    /// ```
    ///
    /// Frame allocations cannot escape:
    /// ```compile_fail
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// let escaped = arena.frame(|f| f.alloc(1u32)); // error: borrowed data escapes the closure
    /// ```
    ///
    /// Not even from a frame that took a new chunk:
    /// ```compile_fail
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::with_capacity(16);
    /// let escaped = arena.frame(|f| {
    ///     let _grows = f.alloc([0u8; 4096]); // a second chunk
    ///     f.alloc_str("in the new chunk") // error: borrowed data escapes the closure
    /// });
    /// ```
    ///
    /// Data borrowed from outside the closure (`&str`s into the caller's `String`, say) goes
    /// into the frame through the methods that return a [`FrameBox`](crate::FrameBox)
    /// ([`Frame::alloc`], [`Frame::alloc_iter`], [`Frame::alloc_slice_clone`], ...) or a vector
    /// that spills into it. The methods that return a plain `&'f mut` reference
    /// ([`Frame::alloc_slice_copy`], [`Frame::alloc_slice_fill_copy`]) cannot take it: the
    /// closure accepts a frame of any lifetime, and what a reference into it points to must
    /// outlive that, so be `'static`. A frame opened with [`frame_guard`](Self::frame_guard)
    /// lives for a borrow of the guard and has no such limit:
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let request = String::from("GET /index.html");
    /// let mut arena = Arena::new();
    /// arena.frame(|f| {
    ///     let words = f.alloc_iter(request.split(' '));
    ///     assert_eq!(&*words, ["GET", "/index.html"]);
    /// });
    /// let mut guard = arena.frame_guard();
    /// let copied = guard.frame().alloc_slice_copy(&[request.as_str()]);
    /// assert_eq!(copied, ["GET /index.html"]);
    /// ```
    #[inline]
    pub fn frame<R>(&mut self, f: impl for<'f> FnOnce(Frame<'f>) -> R) -> R {
        let mut guard = self.frame_guard();
        f(guard.frame())
    }

    /// Opens a frame that ends when the returned guard is dropped. Allocate through
    /// [`FrameGuard::frame`].
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
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
    /// ```compile_fail,E0505
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// let mut guard = arena.frame_guard();
    /// let s = guard.frame().alloc_str("hello");
    /// drop(guard); // error: cannot move out of `guard` because it is borrowed
    /// assert_eq!(s, "hello");
    /// ```
    #[inline]
    pub fn frame_guard(&mut self) -> FrameGuard<'_> {
        FrameGuard::open(self.region())
    }

    /// Bytes in use, in all chunks (including alignment padding). Zero whenever no frame is
    /// open, except what a forgotten [`FrameGuard`] left: that stays in use until
    /// [`reset`](Self::reset).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let arena = Arena::new();
    /// assert_eq!(arena.used(), 0);
    /// ```
    #[inline]
    #[must_use]
    pub fn used(&self) -> usize {
        self.raw.region.used()
    }

    /// Bytes still free in the current chunk (before any alignment padding a request may
    /// need); a growing arena takes another chunk when they run out.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut buf = ArenaBuf::<64>::new();
    /// assert_eq!(buf.arena().remaining(), 64);
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.raw.region.remaining()
    }

    /// The bytes the arena can hold without asking its backing allocator: its own memory plus
    /// every chunk it holds.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut buf = ArenaBuf::<64>::new();
    /// assert_eq!(buf.arena().capacity(), 64);
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.raw.region.capacity()
    }

    /// The bytes of all chunks taken from the backing allocator and not yet given back
    /// (bookkeeping included); zero for memory the caller gave.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let arena = Arena::with_capacity(1000);
    /// assert!(arena.allocated_bytes() >= 1000);
    /// ```
    #[inline]
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        self.raw.region.allocated.get()
    }

    /// Caps [`allocated_bytes`](Self::allocated_bytes): a request that would need a chunk
    /// past the limit fails with [`ArenaErrorKind::LimitReached`](crate::ArenaErrorKind)
    /// (chunks shrink to the request's size before that). `None` removes the cap. A limit
    /// below what is already allocated only stops further chunks.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{Arena, ArenaErrorKind};
    ///
    /// let mut arena = Arena::new();
    /// arena.set_allocation_limit(Some(1024));
    /// arena.frame(|f| {
    ///     assert!(f.try_alloc([0u8; 512]).is_ok());
    ///     let err = f.try_alloc([0u8; 2048]).unwrap_err();
    ///     assert_eq!(err.kind(), ArenaErrorKind::LimitReached);
    /// });
    /// assert!(arena.allocated_bytes() <= 1024);
    /// ```
    pub fn set_allocation_limit(&mut self, limit: Option<usize>) {
        let r = &self.raw.region;
        r.limit.set(limit);
        r.update_headroom();
    }

    /// The limit set by [`set_allocation_limit`](Self::set_allocation_limit).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// assert_eq!(arena.allocation_limit(), None);
    /// arena.set_allocation_limit(Some(4096));
    /// assert_eq!(arena.allocation_limit(), Some(4096));
    /// ```
    #[must_use]
    pub fn allocation_limit(&self) -> Option<usize> {
        self.raw.region.limit.get()
    }

    /// Reclaims everything, including what frames leaked with `mem::forget` on a guard. Chunks
    /// are kept for reuse, in order (see [`shrink_to_fit`](Self::shrink_to_fit)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// core::mem::forget(arena.frame_guard()); // its frame never ends...
    /// arena.reset(); // ...but this reclaims it
    /// assert_eq!(arena.used(), 0);
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.raw.region.reset();
    }

    /// Gives every spare chunk (those after the bump pointer's) back to the backing allocator.
    /// After [`reset`](Self::reset), that leaves only the first chunk.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::with_capacity(64);
    /// arena.frame(|f| drop(f.alloc([0u8; 10_000]))); // takes a second chunk
    /// let before = arena.allocated_bytes();
    /// arena.shrink_to_fit();
    /// assert!(arena.allocated_bytes() < before);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.raw.release_spares();
    }

    /// The backing allocator.
    ///
    /// # Examples
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use stackfirst::Arena;
    ///
    /// let arena = Arena::new_in(Global);
    /// let _: &Global = arena.allocator();
    /// ```
    #[must_use]
    pub fn allocator(&self) -> &A {
        &self.raw.backing
    }
}

impl<A: Allocator> Drop for Arena<'_, A> {
    fn drop(&mut self) {
        // SAFETY: `&mut self` at drop: no frame, and so no block, outlives this.
        unsafe { self.raw.release_all() };
    }
}

impl<A: Allocator> fmt::Debug for Arena<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("used", &self.used())
            .field("remaining", &self.remaining())
            .field("capacity", &self.capacity())
            .field("allocated_bytes", &self.allocated_bytes())
            .field("allocation_limit", &self.allocation_limit())
            .finish_non_exhaustive()
    }
}
