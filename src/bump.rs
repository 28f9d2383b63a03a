//! The bump-pointer arithmetic shared by [`Arena`](crate::Arena) and
//! [`SyncArena`](crate::SyncArena), and the error both report when a request does not fit.

use core::alloc::Layout;
use core::fmt;

/// Where a block of `layout` goes when the free space runs from address `cur` to address `end`:
/// the block's `(start, stop)` addresses, or `None` if it does not fit. All arithmetic is
/// checked, so no request can wrap around the address space.
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

/// An arena had no room for a request. `try_*` methods return it; the panicking ones panic with
/// its message: `arena exhausted: requested N bytes (align A), M remaining`.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::Arena;
///
/// let mut buf = [MaybeUninit::uninit(); 16];
/// let mut arena = Arena::new(&mut buf);
/// arena.frame(|f| {
///     let err = f.try_alloc([0u64; 4]).unwrap_err();
///     assert_eq!(err.layout().size(), 32);
///     assert_eq!(err.to_string(), format!("arena exhausted: requested 32 bytes (align 8), {} remaining", err.remaining()));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArenaExhausted {
    layout: Layout,
    remaining: usize,
}

impl ArenaExhausted {
    pub(crate) fn new(layout: Layout, remaining: usize) -> Self {
        Self { layout, remaining }
    }

    /// The layout that was requested.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// Arena::new(&mut buf).frame(|f| {
    ///     assert_eq!(f.try_alloc(1u64).unwrap_err().layout(), core::alloc::Layout::new::<u64>());
    /// });
    /// ```
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The free bytes the arena had (before alignment padding).
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// Arena::new(&mut buf).frame(|f| {
    ///     assert_eq!(f.try_alloc(1u64).unwrap_err().remaining(), 4);
    /// });
    /// ```
    pub fn remaining(&self) -> usize {
        self.remaining
    }

    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        panic!("{self}")
    }
}

impl fmt::Display for ArenaExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arena exhausted: requested {} bytes (align {}), {} remaining",
            self.layout.size(),
            self.layout.align(),
            self.remaining
        )
    }
}

impl core::error::Error for ArenaExhausted {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_aligns_and_never_wraps() {
        let l = |size, align| Layout::from_size_align(size, align).unwrap();
        assert_eq!(fit(0x1001, 0x1040, l(8, 8)), Some((0x1008, 0x1010)));
        assert_eq!(fit(0x1003, 0x1040, l(1, 1)), Some((0x1003, 0x1004)));
        assert_eq!(fit(0x103c, 0x1040, l(8, 8)), None);
        assert_eq!(fit(0x1000, 0x1040, l(0, 4096)), Some((0x1000, 0x1000)));
        assert_eq!(fit(0x1001, 0x1040, l(0, 4096)), None);
        assert_eq!(fit(0x1008, 0x1040, l(isize::MAX as usize - 7, 8)), None);
        assert_eq!(fit(usize::MAX - 64, usize::MAX, l(usize::MAX / 4, 1)), None);
        assert_eq!(fit(usize::MAX - 2, usize::MAX, l(1, 8)), None);
    }
}
