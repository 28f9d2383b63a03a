//! The bump region: the state an arena and all of its frames share, and its fast paths.
//!
//! The free space of the current chunk runs from the bump pointer `cur` up to `end`. The
//! "chunks" are the caller's memory (if any; possibly empty) followed by a list of heap chunks
//! from the backing allocator ([`chunk`](crate::chunk)). A frame remembers `(cur, end)` when it
//! opens and puts both back when it ends, in O(1) however many chunks it added: those chunks
//! stay in the list, after the current one, as spares that the next request to outgrow the
//! current chunk reuses before it asks the backing allocator for anything.

use core::alloc::Layout;
use core::cell::Cell;
use core::convert::Infallible;
use core::marker::PhantomData;
use core::panic::Location;
use core::ptr::NonNull;

use crate::arena_error::{ArenaError, ArenaErrorKind};
use crate::bump::{bump, bump_dyn, dangling, END_ALIGN, MAX_END};
use crate::chunk::Footer;

/// Takes a new chunk (or a spare) for a request the current chunk cannot hold, and allocates
/// it there; an arena that does not grow has [`refuse`] instead.
///
/// On failure it records the reason in the region's `failure` and returns
/// `None`, or, given the panicking caller's location, panics (see [`fail`]); so the panicking
/// methods call it directly and get the block back where their fast path has it.
///
/// # Safety
/// The pointer is a [`RegionRef`]'s: it points to the `region` field of a live
/// [`Backed<A>`](crate::chunk::Backed) whose `A` is the one this function was made for. The
/// layout's size is not zero.
pub(crate) type Grow =
    unsafe fn(NonNull<Region>, Layout, Option<&'static Location<'static>>) -> Option<NonNull<u8>>;

/// The position of an arena without memory of its own before its first chunk: an empty chunk
/// at a non-null address (so a zero-sized block bumped there is not null) that cannot be a
/// real chunk's end (nothing lives at address 16).
pub(crate) const EMPTY: Mark = Mark {
    cur: core::ptr::without_provenance_mut(END_ALIGN),
    end: END_ALIGN,
};

/// A bump position: the pointer (carrying its chunk's provenance) and the end of that chunk's
/// free space. A frame's mark, and the arena's home.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    pub(crate) cur: *mut u8,
    pub(crate) end: usize,
}

/// The bump state.
///
/// Invariants:
/// * `cur <= end <= MAX_END`; `cur..end` belongs to no live block; `cur` carries the
///   provenance of the chunk it points into.
/// * No block ends where another chunk starts, so a block that ends at `cur` is in the current
///   chunk: a heap chunk's blocks end before its footer, and a growing arena leaves the last
///   byte of the caller's memory unused (a backing bump allocator may put a chunk right after
///   it).
/// * The current chunk is the caller's memory when `end == fixed.end`, otherwise the heap
///   chunk whose footer is at address `end`.
/// * Every chunk after the current one in the order (caller's memory, then `chunks`,
///   following `next`) holds no live block.
/// * `home` is where [`reset`](Self::reset) starts over: the caller's memory, or the first heap
///   chunk of an arena without caller memory (or `fixed` while it has none).
/// * `allocated` is the size of all heap chunks held; no chunk is taken that would bring it
///   past `limit` (none: `usize::MAX`). A limit set below `allocated` only stops further
///   chunks.
/// * `headroom` is at most `limit` minus `allocated` (zero if that is negative) capped at
///   `isize::MAX`: what the next chunk may take, kept so that taking one is one compare, and a
///   valid `Layout` size. [`update_headroom`](Self::update_headroom) makes it exactly that;
///   taking a chunk subtracts the chunk's size, which falls short where the cap, not the limit,
///   was what bound it, so a chunk is refused only after an update. (The cap is on each chunk,
///   not on their total: on a 32-bit target, chunks of more than 2 GiB in all fit in the
///   address space.)
/// * `in_backing` is set while the backing allocator is being asked for a chunk, and the slow
///   path refuses every request meanwhile: a backing allocator that allocates in this very
///   arena must not take or enter a chunk while the list is changed around its call.
pub(crate) struct Region {
    pub(crate) cur: Cell<*mut u8>,
    pub(crate) end: Cell<usize>,
    /// The caller's memory (start pointer, capped end), or [`EMPTY`].
    pub(crate) fixed: Mark,
    pub(crate) home: Cell<Mark>,
    /// The first heap chunk.
    pub(crate) chunks: Cell<Option<NonNull<Footer>>>,
    pub(crate) allocated: Cell<usize>,
    /// The limit as [`Arena::set_allocation_limit`](crate::Arena::set_allocation_limit) set it.
    pub(crate) limit: Cell<Option<usize>>,
    pub(crate) headroom: Cell<usize>,
    /// See the invariants: growth is refused while this is set.
    pub(crate) in_backing: Cell<bool>,
    /// Called through a pointer, so that frames need not know the backing allocator's type.
    pub(crate) grow: Grow,
    /// Why the last request that `grow` could not serve failed (the caller has the request).
    pub(crate) failure: Cell<ArenaErrorKind>,
}

/// The [`Grow`] of an arena that never asks a backing allocator.
///
/// # Safety
/// As [`Grow`].
pub(crate) unsafe fn refuse(
    region: NonNull<Region>,
    layout: Layout,
    raise: Option<&'static Location<'static>>,
) -> Option<NonNull<u8>> {
    // SAFETY: the caller's promise: a live region.
    fail(
        unsafe { region.as_ref() },
        ArenaErrorKind::Exhausted,
        layout,
        raise,
    )
}

/// A [`Grow`] that cannot serve `layout`: records why, then returns `None`, or panics with the
/// error and the location of the panicking method's caller. (A panic cannot be placed at a
/// given location, so the location goes into the message.)
#[cold]
#[inline(never)]
pub(crate) fn fail(
    r: &Region,
    kind: ArenaErrorKind,
    layout: Layout,
    raise: Option<&'static Location<'static>>,
) -> Option<NonNull<u8>> {
    r.failure.set(kind);
    if let Some(at) = raise {
        r.error(layout).raise_at(at);
    }
    None
}

impl Region {
    /// A region over `memory` (`None`: no memory of its own), growing with `grow`.
    pub(crate) fn new(memory: Option<NonNull<[u8]>>, grow: Grow) -> Self {
        let fixed = memory
            .and_then(|m| {
                let start = m.cast::<u8>().as_ptr();
                let addr = start as usize;
                // A slice never wraps around the address space; the cap loses nothing in practice.
                let end = (addr + m.len()).min(MAX_END);
                (end > addr).then_some(Mark { cur: start, end })
            })
            .unwrap_or(EMPTY);
        Self {
            cur: Cell::new(fixed.cur),
            end: Cell::new(fixed.end),
            fixed,
            home: Cell::new(fixed),
            chunks: Cell::new(None),
            allocated: Cell::new(0),
            limit: Cell::new(None),
            headroom: Cell::new(isize::MAX as usize),
            in_backing: Cell::new(false),
            grow,
            failure: Cell::new(ArenaErrorKind::Exhausted),
        }
    }

    /// Where the bump pointer is.
    #[inline]
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            cur: self.cur.get(),
            end: self.end.get(),
        }
    }

    /// Goes back to a mark taken earlier (a frame's, or `home`): everything allocated since is
    /// reclaimed, and chunks taken since stay as spares.
    #[inline]
    pub(crate) fn rewind(&self, mark: Mark) {
        self.cur.set(mark.cur);
        self.end.set(mark.end);
    }

    /// Reclaims everything; every chunk is kept for reuse.
    #[inline]
    pub(crate) fn reset(&self) {
        self.rewind(self.home.get());
    }

    /// The footer of the current chunk, `None` while it is the caller's memory.
    #[inline]
    pub(crate) fn current_chunk(&self) -> Option<NonNull<Footer>> {
        let end = self.end.get();
        // The invariant: a heap chunk's footer sits at its `end`, with the chunk's provenance.
        // SAFETY: an end is at least its bump pointer, which is never null.
        (end != self.fixed.end).then(|| unsafe { Footer::at(self.cur.get(), end) })
    }

    /// Bytes in use, across all chunks (padding included, free tails of left chunks excluded).
    #[inline]
    pub(crate) fn used(&self) -> usize {
        let cur = self.cur.get() as usize;
        match self.current_chunk() {
            None => cur - self.fixed.cur as usize,
            // SAFETY: a live footer (the invariant of `current_chunk`).
            Some(f) => {
                unsafe { f.as_ref() }.used_before.get()
                    + (cur - unsafe { f.as_ref() }.start() as usize)
            }
        }
    }

    /// Free bytes in the current chunk.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.end.get() - self.cur.get() as usize
    }

    /// The error of `layout`, the last request `grow` could not serve.
    #[cold]
    fn error(&self, layout: Layout) -> ArenaError {
        ArenaError::new(self.failure.get(), layout, self.remaining())
    }

    /// Sets `headroom` exactly from `limit` and `allocated` (after either changed other than by
    /// taking a chunk, and before a chunk is refused).
    pub(crate) fn update_headroom(&self) {
        let ceiling = self.limit.get().unwrap_or(usize::MAX);
        self.headroom.set(
            ceiling
                .saturating_sub(self.allocated.get())
                .min(isize::MAX as usize),
        );
    }

    /// Bytes the caller's memory and every heap chunk can hold.
    pub(crate) fn capacity(&self) -> usize {
        let mut total = self.fixed.end - self.fixed.cur as usize;
        let mut next = self.chunks.get();
        while let Some(f) = next {
            // SAFETY: chunks in the list are live.
            let f = unsafe { f.as_ref() };
            total += f.capacity();
            next = f.next.get();
        }
        total
    }

    /// The address of a block of `size` bytes that ends at the bump pointer (the current
    /// chunk's last block, by the invariants) and was allocated after `floor` (a frame's mark).
    /// In the mark's chunk that is `addr >= floor`, and the bump pointer is at or above the
    /// mark; every block of a later chunk was allocated after the mark, and the chunks are
    /// disjoint, so such a chunk lies wholly above the mark (the test passes) or wholly below
    /// it, and then so does the bump pointer.
    #[inline]
    fn tip(&self, ptr: NonNull<u8>, size: usize, floor: usize) -> Option<usize> {
        let (addr, cur) = (ptr.as_ptr() as usize, self.cur.get() as usize);
        let after_mark = addr >= floor || cur < floor;
        (size != 0 && after_mark && addr.checked_add(size) == Some(cur)).then_some(addr)
    }

    /// The bytes from a block's start to its chunk's end if it is the last block and was
    /// allocated after `floor` (what it may grow to in place), else 0.
    #[inline]
    pub(crate) fn room_in_place(&self, ptr: NonNull<u8>, size: usize, floor: usize) -> usize {
        self.tip(ptr, size, floor)
            .map_or(0, |addr| self.end.get() - addr)
    }

    /// Frees a block if it is the last one and was allocated after `floor`; otherwise its
    /// bytes stay used until the frame that made them ends.
    #[inline]
    pub(crate) fn free(&self, ptr: NonNull<u8>, size: usize, floor: usize) {
        if let Some(addr) = self.tip(ptr, size, floor) {
            self.cur.set(self.cur.get().with_addr(addr));
        }
    }

    /// Resizes the last block in place (if `ptr` is it, was allocated after `floor`, is aligned
    /// for `new`, and the new size fits the current chunk). Returns the block, or `None` if it
    /// did not: a pointer with the chunk's provenance, as `ptr` (from a reference to the old
    /// block, say) may not cover the grown bytes.
    #[inline]
    pub(crate) fn resize_in_place(
        &self,
        ptr: NonNull<u8>,
        old_size: usize,
        new: Layout,
        floor: usize,
    ) -> Option<NonNull<u8>> {
        match self.tip(ptr, old_size, floor) {
            Some(addr) if addr % new.align() == 0 && new.size() <= self.end.get() - addr => {
                let cur = self.cur.get();
                self.cur.set(cur.with_addr(addr + new.size()));
                // SAFETY: `addr` is `ptr`'s address, non-null.
                Some(unsafe { NonNull::new_unchecked(cur.with_addr(addr)) })
            }
            _ => None,
        }
    }
}

/// A shared handle to a [`Region`] that can also reach its backing allocator: derived from a
/// reference to the whole [`Backed`](crate::chunk::Backed), so the slow path may cast back to it.
///
/// Invariant: `ptr` points to the `region` of a `Backed<A>` that lives (and does not move) for
/// `'a`, and whose region's `grow` was made for that `A`.
#[derive(Clone, Copy)]
pub(crate) struct RegionRef<'a> {
    ptr: NonNull<Region>,
    _life: PhantomData<&'a Region>,
}

impl<'a> RegionRef<'a> {
    /// # Safety
    /// `ptr` satisfies the type's invariant for `'a`.
    #[inline]
    pub(crate) unsafe fn new(ptr: NonNull<Region>) -> Self {
        Self {
            ptr,
            _life: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn get(self) -> &'a Region {
        // SAFETY: live for `'a` (the invariant); a region is only ever shared.
        unsafe { self.ptr.as_ref() }
    }

    /// Bumps a block of `layout`, taking a new chunk when the current one is full. For layouts
    /// whose size is a constant (typed values): zero-sized ones never touch the region, small
    /// ones take the add-then-compare test.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn alloc_const<F: OnFailure>(self, layout: Layout) -> Result<NonNull<u8>, F::Error> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        let r = self.get();
        self.take::<F, true>(layout, bump(r.cur.get() as usize, r.end.get(), layout))
    }

    /// Bumps a block of `layout` whose size is known only at run time (slices, strings, the
    /// `Allocator` interface): subtract, then one compare.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn alloc<F: OnFailure>(self, layout: Layout) -> Result<NonNull<u8>, F::Error> {
        let r = self.get();
        self.take::<F, false>(layout, bump_dyn(r.cur.get() as usize, r.end.get(), layout))
    }

    /// [`alloc`](Self::alloc) for a layout of the caller's, which may be zero-sized: such a
    /// block takes no memory, not even the padding to its alignment, so the last block stays
    /// the last (it still grows in place and is reclaimed when freed). Slices and strings skip
    /// this test (two instructions per copy): an empty one may take its alignment's padding.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn alloc_layout<F: OnFailure>(
        self,
        layout: Layout,
    ) -> Result<NonNull<u8>, F::Error> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        self.alloc::<F>(layout)
    }

    /// Takes the block `fit` found in the current chunk, or goes the slow way (`SIZED`: the
    /// layout's size is known not to be zero).
    #[inline(always)]
    #[track_caller]
    fn take<F: OnFailure, const SIZED: bool>(
        self,
        layout: Layout,
        fit: Option<(usize, usize)>,
    ) -> Result<NonNull<u8>, F::Error> {
        let r = self.get();
        let cur = r.cur.get();
        match fit {
            Some((start, stop)) => {
                r.cur.set(cur.with_addr(stop));
                // SAFETY: `cur <= start <= stop <= end`: inside the current chunk (or at
                // `EMPTY`), so non-null.
                Ok(unsafe { NonNull::new_unchecked(cur.with_addr(start)) })
            }
            None => F::slow::<SIZED>(self, layout),
        }
    }

    /// Takes a new chunk (or a spare) for the `try_` methods. Out of line, so the fast path
    /// keeps no more registers than the bump needs.
    #[cold]
    #[inline(never)]
    fn alloc_slow(self, layout: Layout) -> Result<NonNull<u8>, ArenaError> {
        if layout.size() == 0 {
            // Rounding up passed the end of the current chunk: no need for a chunk.
            return Ok(dangling(layout));
        }
        // SAFETY: `self.ptr` is a `RegionRef`'s, `grow` was made for its `Backed`, and the size
        // is not zero.
        unsafe { (self.get().grow)(self.ptr, layout, None) }.ok_or_else(|| self.get().error(layout))
    }

    /// Takes a new chunk (or a spare) for the panicking methods, or panics. Out of line and
    /// cold, so the fast path keeps its registers.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn alloc_or_raise(self, layout: Layout) -> NonNull<u8> {
        if layout.size() == 0 {
            // As in `alloc_slow`.
            return dangling(layout);
        }
        self.grow_or_raise(layout)
    }

    /// [`alloc_or_raise`](Self::alloc_or_raise) for a layout whose size is not zero. Its own
    /// cost is a jump: `grow` raises the error itself, so the call to it is a tail call.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn grow_or_raise(self, layout: Layout) -> NonNull<u8> {
        debug_assert!(layout.size() != 0);
        // SAFETY: `self.ptr` is a `RegionRef`'s, `grow` was made for its `Backed`, and the size
        // is not zero (the callers' check, or a typed value's size).
        let block = unsafe { (self.get().grow)(self.ptr, layout, Some(Location::caller())) };
        // SAFETY: given a location, `grow` panics rather than return `None`.
        unsafe { block.unwrap_unchecked() }
    }
}

/// What a request that cannot be served turns into: the `try_` methods' error, or the panicking
/// methods' panic (whose slow path then returns a plain pointer).
pub(crate) trait OnFailure {
    type Error;
    /// `SIZED`: the layout's size is known not to be zero.
    fn slow<const SIZED: bool>(
        region: RegionRef<'_>,
        layout: Layout,
    ) -> Result<NonNull<u8>, Self::Error>;
}

/// `try_` methods: an [`ArenaError`].
pub(crate) enum Fallible {}

impl OnFailure for Fallible {
    type Error = ArenaError;
    #[inline(always)]
    fn slow<const SIZED: bool>(
        region: RegionRef<'_>,
        layout: Layout,
    ) -> Result<NonNull<u8>, ArenaError> {
        region.alloc_slow(layout)
    }
}

/// Panicking methods: the slow path raises the error, so the caller gets a plain pointer back.
pub(crate) enum Panics {}

impl OnFailure for Panics {
    type Error = Infallible;
    #[inline(always)]
    #[track_caller]
    fn slow<const SIZED: bool>(
        region: RegionRef<'_>,
        layout: Layout,
    ) -> Result<NonNull<u8>, Infallible> {
        Ok(if SIZED {
            region.grow_or_raise(layout)
        } else {
            region.alloc_or_raise(layout)
        })
    }
}

/// The value of a result that cannot fail.
#[inline(always)]
pub(crate) fn never_fails<T>(r: Result<T, Infallible>) -> T {
    match r {
        Ok(x) => x,
        Err(never) => match never {},
    }
}
