//! The bump-pointer arithmetic shared by [`Arena`](crate::Arena) and
//! [`SyncArena`](crate::SyncArena).

use core::alloc::Layout;
use core::ptr::{self, NonNull};

/// The alignment of heap chunks (and so of their ends), and the largest alignment the
/// add-then-compare fit test takes.
pub(crate) const END_ALIGN: usize = 16;

/// Requests of at most this many bytes (with an alignment of at most [`END_ALIGN`]) take the
/// add-then-compare fit test: ends are kept at most [`MAX_END`], so the sum cannot wrap.
pub(crate) const SMALL: usize = 4096;

/// The highest end a region may have: `MAX_END + (END_ALIGN - 1) + SMALL` still fits a `usize`.
pub(crate) const MAX_END: usize = (usize::MAX - SMALL - (END_ALIGN - 1)) & !(END_ALIGN - 1);

/// Where a block of `layout` goes when the free space runs from address `cur` to address `end`:
/// the block's `(start, stop)` addresses, or `None` if it does not fit. All arithmetic is
/// checked, so no request can wrap around the address space; any `cur <= end` will do.
#[inline(always)]
pub(crate) fn fit(cur: usize, end: usize, layout: Layout) -> Option<(usize, usize)> {
    let start = cur.checked_add(layout.align() - 1)? & !(layout.align() - 1);
    // `size <= end - start` rather than `start + size <= end`: no sum that could wrap.
    let room = end.checked_sub(start)?;
    if layout.size() <= room {
        Some((start, start + layout.size()))
    } else {
        None
    }
}

/// [`fit`] for a region whose `end` is at most [`MAX_END`], `cur <= end`, and whose chunk is at
/// most `isize::MAX` bytes. For the usual modestly aligned layouts (`align` is a constant, so
/// the test folds away) it is round up, then one compare:
/// * `size` a small constant: add, then compare with `end` (the sum cannot wrap:
///   `start + size <= MAX_END + 15 + SMALL`);
/// * otherwise: subtract, then a signed compare. Rounding up may pass an `end` that is not a
///   multiple of the alignment by at most 15 bytes, which makes the difference negative; it
///   lies in `-15..=isize::MAX`, and a layout's size is at most `isize::MAX`.
#[inline(always)]
pub(crate) fn bump(cur: usize, end: usize, layout: Layout) -> Option<(usize, usize)> {
    let (size, align) = (layout.size(), layout.align());
    if align > END_ALIGN {
        return fit(cur, end, layout);
    }
    // No wrap: `cur <= MAX_END`.
    let start = (cur + (align - 1)) & !(align - 1);
    let fits = if size <= SMALL {
        start + size <= end
    } else {
        size as isize <= end.wrapping_sub(start) as isize
    };
    fits.then(|| (start, start + size))
}

/// [`bump`] for a size known only at run time: always the subtract-and-compare form, so no test
/// of the size is paid.
#[inline(always)]
pub(crate) fn bump_dyn(cur: usize, end: usize, layout: Layout) -> Option<(usize, usize)> {
    let (size, align) = (layout.size(), layout.align());
    if align > END_ALIGN {
        return fit(cur, end, layout);
    }
    let start = (cur + (align - 1)) & !(align - 1);
    // Signed, as in `bump`.
    (size as isize <= end.wrapping_sub(start) as isize).then(|| (start, start + size))
}

/// A well-aligned, non-null pointer for a zero-sized block.
#[inline]
pub(crate) fn dangling(layout: Layout) -> NonNull<u8> {
    // SAFETY: an alignment is never zero.
    unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(layout.align())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn fit_aligns_and_never_wraps() {
        assert_eq!(fit(0x1001, 0x1040, l(8, 8)), Some((0x1008, 0x1010)));
        assert_eq!(fit(0x1003, 0x1040, l(1, 1)), Some((0x1003, 0x1004)));
        assert_eq!(fit(0x103c, 0x1040, l(8, 8)), None);
        assert_eq!(fit(0x1000, 0x1040, l(0, 4096)), Some((0x1000, 0x1000)));
        assert_eq!(fit(0x1001, 0x1040, l(0, 4096)), None);
        assert_eq!(fit(0x1008, 0x1040, l(isize::MAX as usize - 7, 8)), None);
        assert_eq!(fit(usize::MAX - 64, usize::MAX, l(usize::MAX / 4, 1)), None);
        assert_eq!(fit(usize::MAX - 2, usize::MAX, l(1, 8)), None);
    }

    #[test]
    fn bump_agrees_with_fit_up_to_the_highest_end() {
        let ends = [0, 0x40, 0x1003, MAX_END - 5, MAX_END];
        for end in ends {
            for back in [0, 1, 3, 15, 16, 17, 64, SMALL] {
                let cur = end.saturating_sub(back);
                for (size, align) in [
                    (0, 1),
                    (0, 16),
                    (isize::MAX as usize - 15, 16),
                    (1, 1),
                    (4, 4),
                    (16, 16),
                    (SMALL, 8),
                    (SMALL + 1, 1),
                    (8, 64),
                ] {
                    let layout = l(size, align);
                    let want = fit(cur, end, layout);
                    let (b, d) = (bump(cur, end, layout), bump_dyn(cur, end, layout));
                    assert_eq!((b, d), (want, want), "cur {cur:#x} end {end:#x} {layout:?}");
                }
            }
        }
        assert_eq!(MAX_END % END_ALIGN, 0);
        assert!(MAX_END.checked_add(END_ALIGN - 1 + SMALL).is_some());
    }
}
