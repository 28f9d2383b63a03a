//! Heap chunks: how a growing arena takes memory from its backing allocator and gives it back.
//!
//! A chunk is one allocation of the backing allocator (alignment [`END_ALIGN`]) whose last
//! bytes hold its [`Footer`]; the free space ends where the footer starts, so a region's `end`
//! is the address of the current chunk's footer. Chunk sizes double (from [`FIRST_CHUNK`]);
//! a request larger than that gets a chunk of its own size. Chunks are given back only when the
//! arena is dropped or [`Arena::shrink_to_fit`](crate::Arena::shrink_to_fit) frees the spares.

use core::alloc::Layout;
use core::cell::Cell;
use core::mem;
use core::panic::Location;
use core::ptr::NonNull;

use allocator_api2::alloc::Allocator;

use crate::arena_error::{ArenaError, ArenaErrorKind};
use crate::bump::{fit, END_ALIGN, MAX_END};
use crate::region::{fail, Mark, Region, EMPTY};

/// The size of a growing arena's first chunk (footer included), unless asked otherwise.
pub(crate) const FIRST_CHUNK: usize = 512;

/// The end of a heap chunk.
///
/// Invariant: it sits at the end of the live allocation `base..base + size` (layout
/// `(size, END_ALIGN)`) of the arena's backing allocator, whose free space is `base..self`.
#[repr(C, align(16))]
pub(crate) struct Footer {
    base: NonNull<u8>,
    size: usize,
    /// The next chunk in the arena's order.
    pub(crate) next: Cell<Option<NonNull<Footer>>>,
    /// Bytes in use in the chunks before this one when it became current.
    pub(crate) used_before: Cell<usize>,
}

const FOOTER: usize = mem::size_of::<Footer>();
const _: () = assert!(mem::align_of::<Footer>() == END_ALIGN && FOOTER % END_ALIGN == 0);

impl Footer {
    /// The footer at address `end`, reached from `cur`, a pointer into the same chunk.
    ///
    /// # Safety
    /// `end` is not zero.
    #[inline]
    pub(crate) unsafe fn at(cur: *mut u8, end: usize) -> NonNull<Footer> {
        // SAFETY: `end` is not zero (the caller's promise).
        unsafe { NonNull::new_unchecked(cur.with_addr(end).cast()) }
    }

    /// The start of the chunk's free space (with the chunk's provenance).
    #[inline]
    pub(crate) fn start(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    /// The bytes the chunk can hand out.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.size - FOOTER
    }

    fn layout(&self) -> Layout {
        // SAFETY: the layout the chunk was allocated with (the type's invariant).
        unsafe { Layout::from_size_align_unchecked(self.size, END_ALIGN) }
    }

    fn free_space(&self) -> Mark {
        Mark {
            cur: self.start(),
            end: self as *const Self as usize,
        }
    }
}

/// A region and the allocator its chunks come from. `repr(C)`, region first: a
/// [`RegionRef`](crate::region::RegionRef) made from a `&Backed<A>` can be cast back to it.
#[repr(C)]
pub(crate) struct Backed<A: Allocator> {
    pub(crate) region: Region,
    pub(crate) backing: A,
}

impl<A: Allocator> Backed<A> {
    /// The region's `grow` for this allocator.
    pub(crate) const GROW: crate::region::Grow = grow::<A>;

    /// Takes a first chunk that holds at least `bytes`, and makes it the current one and home.
    pub(crate) fn reserve_first(&self, bytes: usize) -> Result<(), ArenaError> {
        let chunk = Layout::from_size_align(bytes, 1)
            .map_err(|_| ArenaErrorKind::BackingFailed)
            .and_then(|layout| self.new_chunk(layout, 0, &self.region.chunks, 0));
        let space = chunk.map_err(|kind| {
            let shown = Layout::from_size_align(bytes.min(isize::MAX as usize), 1);
            ArenaError::new(kind, shown.unwrap_or(Layout::new::<()>()), 0)
        })?;
        self.region.home.set(space);
        self.region.rewind(space);
        Ok(())
    }

    /// A new chunk for `layout` of `size` bytes (a multiple of [`END_ALIGN`]), or the request's
    /// own size if larger; within the ceiling and what the backing allocator grants, falling
    /// back to the smallest chunk that holds the request. Inserted into the list at `link`;
    /// returns its free space.
    #[inline(always)]
    fn new_chunk(
        &self,
        layout: Layout,
        size: usize,
        link: &Cell<Option<NonNull<Footer>>>,
        used_before: usize,
    ) -> Result<Mark, ArenaErrorKind> {
        let r = &self.region;
        let min = min_chunk(layout);
        // Both multiples of END_ALIGN, so the footer at the end is aligned. At most the
        // headroom, so at most `isize::MAX`: a valid layout size.
        let mut want = size.max(min);
        if want > r.headroom.get() {
            // The headroom may have fallen short (the region's invariants): exact again, here
            // rather than on every chunk taken.
            r.update_headroom();
            let headroom = r.headroom.get();
            if min > headroom {
                // The limit's fault only if the chunk could be a layout at all and the limit
                // as set is what it would pass (the headroom is also capped at what any layout
                // can be).
                let allocated = r.allocated.get();
                let limited = min <= isize::MAX as usize
                    && r.limit
                        .get()
                        .is_some_and(|limit| min > limit.saturating_sub(allocated));
                return Err(if limited {
                    ArenaErrorKind::LimitReached
                } else {
                    ArenaErrorKind::BackingFailed
                });
            }
            if want > headroom {
                want = min;
            }
        }
        // SAFETY (both calls): `want` and `min` are multiples of END_ALIGN, at least `min_chunk`
        // (more than a footer, so not zero), and at most the headroom, so at most `isize::MAX`.
        let (base, size) = match unsafe { self.allocate(want) } {
            Some(base) => (base, want),
            None => {
                // `min` recomputed rather than kept across the call: fewer registers to save.
                let min = min_chunk(layout);
                // Asked only if smaller than what was refused (a block granted and then
                // dropped would leak).
                match (want > min)
                    .then(|| unsafe { self.allocate(min) })
                    .flatten()
                {
                    Some(base) => (base, min),
                    None => return Err(ArenaErrorKind::BackingFailed),
                }
            }
        };
        let footer = base.as_ptr().wrapping_add(size - FOOTER);
        if footer as usize > MAX_END {
            // Too high in the address space for the fast path's arithmetic (never in practice).
            // SAFETY: just allocated with this layout.
            unsafe {
                self.backing
                    .deallocate(base, Layout::from_size_align_unchecked(size, END_ALIGN))
            };
            return Err(ArenaErrorKind::BackingFailed);
        }
        r.allocated.set(r.allocated.get() + size);
        r.headroom.set(r.headroom.get() - size);
        let footer = footer.cast::<Footer>();
        // SAFETY: the footer's bytes are the last `FOOTER` of the fresh allocation, aligned (size
        // and base are multiples of END_ALIGN), and nothing else uses them.
        // `link` is read only now, not kept across the allocation.
        unsafe {
            footer.write(Footer {
                base,
                size,
                next: Cell::new(link.get()),
                used_before: Cell::new(used_before),
            });
        }
        // SAFETY: non-null: inside the allocation.
        link.set(Some(unsafe { NonNull::new_unchecked(footer) }));
        Ok(Mark {
            cur: base.as_ptr(),
            end: footer as usize,
        })
    }

    /// `size` bytes from the backing allocator, aligned for a chunk. Growth is refused during
    /// the call (the region's `in_backing`), also if it unwinds.
    ///
    /// # Safety
    /// `size` is a non-zero multiple of [`END_ALIGN`], at most `isize::MAX`.
    unsafe fn allocate(&self, size: usize) -> Option<NonNull<u8>> {
        struct Done<'a>(&'a Cell<bool>);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        // SAFETY: a valid layout (the caller's promise). Saying that the size is not zero
        // spares the allocator's zero-size test.
        let layout = unsafe {
            core::hint::assert_unchecked(size != 0);
            Layout::from_size_align_unchecked(size, END_ALIGN)
        };
        self.region.in_backing.set(true);
        let _done = Done(&self.region.in_backing);
        self.backing.allocate(layout).ok().map(NonNull::cast)
    }

    /// Gives a chunk back to the backing allocator.
    ///
    /// # Safety
    /// `chunk` is one of this arena's, no longer in its list, holding no live block.
    unsafe fn release(&self, chunk: NonNull<Footer>) {
        // SAFETY: live until deallocated just below.
        let (base, layout) = unsafe { (chunk.as_ref().base, chunk.as_ref().layout()) };
        let r = &self.region;
        r.allocated.set(r.allocated.get() - layout.size());
        r.update_headroom();
        // SAFETY: allocated by `backing` with this layout (the footer's invariant).
        unsafe { self.backing.deallocate(base, layout) };
    }

    /// Frees every chunk after the current one (spares hold no live block).
    pub(crate) fn release_spares(&self) {
        let r = &self.region;
        let link = match r.current_chunk() {
            // SAFETY: the current chunk is live for as long as `self` is borrowed.
            Some(f) => unsafe { &(*f.as_ptr()).next },
            // Before the first heap chunk (in the caller's memory, or at the empty start that
            // a frame opened before the first chunk put back): every heap chunk is a spare but
            // the first one when it is home, which `reset` and the next request come back to.
            None => match r.chunks.get() {
                // SAFETY: chunks in the list are live.
                Some(first) if r.home.get().end != r.fixed.end => unsafe {
                    &(*first.as_ptr()).next
                },
                _ => &r.chunks,
            },
        };
        while let Some(spare) = link.take() {
            // SAFETY: live; unlinked here, then released.
            link.set(unsafe { spare.as_ref() }.next.get());
            // SAFETY: unlinked, and spares hold no live block (the region's invariant).
            unsafe { self.release(spare) };
        }
    }

    /// Frees every chunk.
    ///
    /// # Safety
    /// No block of the arena is used afterwards, and the region is not used again.
    pub(crate) unsafe fn release_all(&self) {
        /// The chunks not released yet. If a `deallocate` unwinds, dropping it releases the
        /// rest (a second one that unwinds then aborts, as in `drop_in_place` of a slice).
        struct Rest<'a, A: Allocator>(&'a Backed<A>, Option<NonNull<Footer>>);
        impl<A: Allocator> Rest<'_, A> {
            fn release(&mut self) {
                while let Some(chunk) = self.1 {
                    // SAFETY: live until released just below.
                    self.1 = unsafe { chunk.as_ref() }.next.get();
                    // SAFETY: `release_all`'s caller's promise; unlinked from `Rest` first, so
                    // released once.
                    unsafe { self.0.release(chunk) };
                }
            }
        }
        impl<A: Allocator> Drop for Rest<'_, A> {
            fn drop(&mut self) {
                self.release();
            }
        }
        Rest(self, self.region.chunks.take()).release();
    }
}

/// The region's slow path: the current chunk cannot hold `layout`. Takes the next spare if it
/// holds the request, otherwise a new chunk, inserted before that spare. Fails as [`fail`]
/// does.
///
/// # Safety
/// As [`Grow`](crate::region::Grow): `region` points into a live `Backed<A>`.
unsafe fn grow<A: Allocator>(
    region: NonNull<Region>,
    layout: Layout,
    raise: Option<&'static Location<'static>>,
) -> Option<NonNull<u8>> {
    // SAFETY: the caller's promise; `Backed` is `repr(C)` with the region first, and the pointer
    // was derived from a reference to the whole `Backed`.
    let this = unsafe { region.cast::<Backed<A>>().as_ref() };
    let r = &this.region;
    if r.in_backing.get() {
        // Asked from inside the backing allocator while it is asked for a chunk: the list and
        // the headroom are being changed around that call (the region's invariants).
        return fail(r, ArenaErrorKind::BackingFailed, layout, raise);
    }
    let cur = r.cur.get() as usize;
    // The link to the chunks after the current one, the size to double for a new chunk, and
    // the bytes in use (which become the next chunk's `used_before`).
    let (link, previous, used) = match r.current_chunk() {
        None => {
            let home = r.home.get();
            if home.end == EMPTY.end {
                // The arena's first chunk: `reset` will come back to it.
                return first_chunk(this, layout, raise);
            }
            if home.end != r.fixed.end {
                // No memory of its own, and home is the first heap chunk: a frame opened before
                // it existed ended and put the empty start back. Nothing is live, so home is
                // the place, or else it counts as the current chunk, full: what follows goes
                // after it, so that it stays first in the list.
                if let Some(p) = enter(r, home, layout) {
                    return Some(p);
                }
                // SAFETY: home is a live heap chunk (the region's invariant), so its footer is at
                // its end, which is not zero.
                let f = unsafe { &*Footer::at(home.cur, home.end).as_ptr() };
                (&f.next, f.size, 0)
            } else {
                let fixed = r.fixed.cur as usize;
                // No wrap, here or when doubled: the caller's memory is at most `isize::MAX`
                // bytes. At least half the first chunk, so that doubling needs no lower bound.
                let size = ((r.fixed.end - fixed) & !(END_ALIGN - 1)).max(FIRST_CHUNK / 2);
                (&r.chunks, size, cur - fixed)
            }
        }
        Some(f) => {
            // SAFETY: the current chunk is live while the arena is.
            let f = unsafe { &*f.as_ptr() };
            (
                &f.next,
                f.size,
                f.used_before.get() + (cur - f.start() as usize),
            )
        }
    };
    if let Some(spare) = link.get() {
        // SAFETY: chunks in the list are live.
        let s = unsafe { spare.as_ref() };
        if let Some(p) = enter(r, s.free_space(), layout) {
            s.used_before.set(used);
            return Some(p);
        }
    }
    // Twice the last chunk (no wrap: `previous` is at most `isize::MAX`; `new_chunk` caps the
    // result at the ceiling): the number of chunks stays logarithmic in the total. A spare too
    // small for this request stays after the new chunk: a repeated frame finds each chunk where
    // it left it, so a loop of frames stops allocating.
    let size = previous * 2;
    match this.new_chunk(layout, size, link, used) {
        Ok(space) => Some(enter_fresh(r, space, layout)),
        Err(kind) => fail(r, kind, layout, raise),
    }
}

/// [`grow`] for an arena that has never had memory: its first chunk, which becomes home.
#[cold]
fn first_chunk<A: Allocator>(
    this: &Backed<A>,
    layout: Layout,
    raise: Option<&'static Location<'static>>,
) -> Option<NonNull<u8>> {
    let r = &this.region;
    match this.new_chunk(layout, FIRST_CHUNK, &r.chunks, 0) {
        Ok(space) => {
            r.home.set(space);
            Some(enter_fresh(r, space, layout))
        }
        Err(kind) => fail(r, kind, layout, raise),
    }
}

/// The smallest chunk (footer included) that holds `layout` at any alignment of its
/// (END_ALIGN-aligned) start. No wrap: a layout's size is at most `isize::MAX + 1 - align`, so
/// the sum exceeds `isize::MAX` by at most 47.
#[inline(always)]
fn min_chunk(layout: Layout) -> usize {
    (layout.size() + (layout.align() - 1) + FOOTER + END_ALIGN - 1) & !(END_ALIGN - 1)
}

/// [`enter`] for a chunk made for `layout`, which therefore holds it: round up and add.
/// `space` is the chunk's whole free space, from its base (allocated aligned to `END_ALIGN`).
#[inline(always)]
fn enter_fresh(r: &Region, space: Mark, layout: Layout) -> NonNull<u8> {
    let align = layout.align();
    debug_assert_eq!(space.cur as usize % END_ALIGN, 0);
    // The base is aligned to `END_ALIGN`, so only a larger alignment rounds up: tested, and
    // out of line, rather than rounded, which kept `align - 1` in a register across the
    // allocation (benches/analysis.md). No wrap: the chunk holds `align - 1 + size` bytes past
    // its start (`new_chunk`'s `min`).
    let start = if align <= END_ALIGN {
        space.cur as usize
    } else {
        round_up(space.cur as usize, align)
    };
    r.rewind(Mark {
        cur: space.cur.with_addr(start + layout.size()),
        end: space.end,
    });
    // SAFETY: inside the chunk, so non-null.
    unsafe { NonNull::new_unchecked(space.cur.with_addr(start)) }
}

/// `addr` rounded up to `align`, a power of two, without wrapping (the caller's promise). Out of
/// line and cold: in line, LLVM computes it on both paths and selects.
#[cold]
#[inline(never)]
fn round_up(addr: usize, align: usize) -> usize {
    (addr + (align - 1)) & !(align - 1)
}

/// Makes the empty chunk `space` current and bumps `layout` in it, if it fits (a spare may be
/// too small; then nothing changes).
#[inline(always)]
fn enter(r: &Region, space: Mark, layout: Layout) -> Option<NonNull<u8>> {
    let (start, stop) = fit(space.cur as usize, space.end, layout)?;
    r.rewind(Mark {
        cur: space.cur.with_addr(stop),
        end: space.end,
    });
    // SAFETY: inside the chunk, so non-null.
    Some(unsafe { NonNull::new_unchecked(space.cur.with_addr(start)) })
}
