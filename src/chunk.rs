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
use core::ptr::NonNull;

use allocator_api2::alloc::Allocator;

use crate::arena_error::{ArenaError, ArenaErrorKind};
use crate::bump::{fit, END_ALIGN, MAX_END};
use crate::region::{Mark, Region};

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

/// Doubling stops here (a quarter of the address space), well below `isize::MAX`.
const MAX_DOUBLED: usize = 1 << (usize::BITS - 2);

const FOOTER: usize = mem::size_of::<Footer>();
const _: () = assert!(mem::align_of::<Footer>() == END_ALIGN && FOOTER % END_ALIGN == 0);

impl Footer {
    /// The footer at address `end`, reached from `cur`, a pointer into the same chunk.
    #[inline]
    pub(crate) fn at(cur: *mut u8, end: usize) -> NonNull<Footer> {
        // SAFETY: the caller passes a chunk's end, which is a footer's (non-null) address.
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

    /// Whether the empty chunk can hold a block of `layout`.
    fn holds(&self, layout: Layout) -> bool {
        let space = self.free_space();
        fit(space.cur as usize, space.end, layout).is_some()
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
        let layout = Layout::from_size_align(bytes, 1).map_err(|_| self.too_large(bytes))?;
        let chunk = self.new_chunk(layout, 0)?;
        // SAFETY: just made, live.
        let space = unsafe { chunk.as_ref() }.free_space();
        self.region.chunks.set(Some(chunk));
        self.region.home.set(space);
        self.region.rewind(space);
        Ok(())
    }

    fn too_large(&self, bytes: usize) -> ArenaError {
        ArenaError::new(
            ArenaErrorKind::BackingFailed,
            Layout::from_size_align(bytes.min(isize::MAX as usize), 1)
                .unwrap_or(Layout::new::<()>()),
            self.region.remaining(),
        )
    }

    /// A new chunk for `layout` of `size` bytes, or the request's own size if larger; within
    /// the limit and what the backing allocator grants, falling back to the smallest chunk
    /// that holds the request.
    fn new_chunk(&self, layout: Layout, size: usize) -> Result<NonNull<Footer>, ArenaError> {
        let r = &self.region;
        let fail = |kind| ArenaError::new(kind, layout, r.remaining());
        // The smallest chunk that holds the request whatever the allocation's address.
        let padding = layout.align().saturating_sub(END_ALIGN);
        let min = layout
            .size()
            .checked_add(padding + FOOTER + END_ALIGN - 1)
            .map(|n| n & !(END_ALIGN - 1))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| fail(ArenaErrorKind::BackingFailed))?;
        let headroom = r.limit.get().saturating_sub(r.allocated.get());
        if min > headroom {
            return Err(fail(ArenaErrorKind::LimitReached));
        }
        // A multiple of END_ALIGN, so the footer at the end is aligned (`min` is one already).
        let want = size.min(MAX_DOUBLED).max(min).next_multiple_of(END_ALIGN);
        let want = if want > headroom { min } else { want };
        let alloc = |size| {
            // SAFETY: `size` is a non-zero multiple of END_ALIGN, at most `isize::MAX`.
            let layout = unsafe { Layout::from_size_align_unchecked(size, END_ALIGN) };
            self.backing
                .allocate(layout)
                .ok()
                .map(|p| (p.cast::<u8>(), size))
        };
        let (base, size) = alloc(want)
            .or_else(|| if want > min { alloc(min) } else { None })
            .ok_or_else(|| fail(ArenaErrorKind::BackingFailed))?;
        let footer = base.as_ptr().wrapping_add(size - FOOTER);
        if footer as usize > MAX_END {
            // Too high in the address space for the fast path's arithmetic (never in practice).
            // SAFETY: just allocated with this layout.
            unsafe {
                self.backing
                    .deallocate(base, Layout::from_size_align_unchecked(size, END_ALIGN))
            };
            return Err(fail(ArenaErrorKind::BackingFailed));
        }
        let footer = footer.cast::<Footer>();
        // SAFETY: the footer's bytes are the last `FOOTER` of the fresh allocation, aligned (size
        // and base are multiples of END_ALIGN), and nothing else uses them.
        unsafe {
            footer.write(Footer {
                base,
                size,
                next: Cell::new(None),
                used_before: Cell::new(0),
            });
        }
        r.allocated.set(r.allocated.get() + size);
        // SAFETY: non-null: inside the allocation.
        Ok(unsafe { NonNull::new_unchecked(footer) })
    }

    /// Gives a chunk back to the backing allocator.
    ///
    /// # Safety
    /// `chunk` is one of this arena's, no longer in its list, holding no live block.
    unsafe fn release(&self, chunk: NonNull<Footer>) {
        // SAFETY: live until deallocated just below.
        let (base, layout) = unsafe { (chunk.as_ref().base, chunk.as_ref().layout()) };
        self.region
            .allocated
            .set(self.region.allocated.get() - layout.size());
        // SAFETY: allocated by `backing` with this layout (the footer's invariant).
        unsafe { self.backing.deallocate(base, layout) };
    }

    /// Frees every chunk after the current one (spares hold no live block).
    pub(crate) fn release_spares(&self) {
        let r = &self.region;
        let link = match r.current_chunk() {
            None => &r.chunks,
            // SAFETY: the current chunk is live for as long as `self` is borrowed.
            Some(f) => unsafe { &(*f.as_ptr()).next },
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
        let mut next = self.region.chunks.take();
        while let Some(chunk) = next {
            // SAFETY: live until released just below.
            next = unsafe { chunk.as_ref() }.next.get();
            // SAFETY: the caller's promise.
            unsafe { self.release(chunk) };
        }
    }
}

/// The region's slow path: the current chunk cannot hold `layout`. Takes the next spare if it
/// holds the request, otherwise a new chunk, inserted before that spare.
///
/// # Safety
/// As [`Grow`](crate::region::Grow): `region` points into a live `Backed<A>`.
unsafe fn grow<A: Allocator>(
    region: NonNull<Region>,
    layout: Layout,
) -> Result<NonNull<u8>, ArenaError> {
    // SAFETY: the caller's promise; `Backed` is `repr(C)` with the region first, and the pointer
    // was derived from a reference to the whole `Backed`.
    let this = unsafe { region.cast::<Backed<A>>().as_ref() };
    let r = &this.region;
    let used = r.used();
    let current = r.current_chunk();
    let (link, previous) = match current {
        None => (&r.chunks, r.fixed.end - r.fixed.cur as usize),
        // SAFETY: the current chunk is live while the arena is.
        Some(f) => unsafe { (&(*f.as_ptr()).next, f.as_ref().size) },
    };
    let chunk = match link.get() {
        // SAFETY: chunks in the list are live.
        Some(spare) if unsafe { spare.as_ref() }.holds(layout) => spare,
        spares => {
            // Twice the last chunk: the number of chunks stays logarithmic in the total. A spare
            // too small for this request stays after the new chunk: a repeated frame finds each
            // chunk where it left it, so a loop of frames stops allocating.
            let size = previous.saturating_mul(2).clamp(FIRST_CHUNK, MAX_DOUBLED);
            let fresh = this.new_chunk(layout, size)?;
            // SAFETY: just made, not shared yet.
            unsafe { fresh.as_ref() }.next.set(spares);
            link.set(Some(fresh));
            if r.home.get().end == 0 {
                // The first chunk of an arena without memory of its own: `reset` comes here.
                // SAFETY: just made.
                r.home.set(unsafe { fresh.as_ref() }.free_space());
            }
            fresh
        }
    };
    // SAFETY: live (in the list).
    let c = unsafe { chunk.as_ref() };
    c.used_before.set(used);
    let space = c.free_space();
    let (start, stop) = fit(space.cur as usize, space.end, layout)
        .expect("a fresh or chosen chunk holds the request");
    r.rewind(Mark {
        cur: space.cur.with_addr(stop),
        end: space.end,
    });
    // SAFETY: inside the chunk, so non-null.
    Ok(unsafe { NonNull::new_unchecked(space.cur.with_addr(start)) })
}
