//! [`FrameGuard`]: ends an arena frame when dropped.

use core::fmt;
use core::marker::PhantomData;

use crate::frame::Frame;
use crate::region::{Mark, RegionRef};

/// Ends a frame when dropped: the bump pointer goes back to the frame's mark, in O(1), even if
/// the frame took new chunks (they stay with the arena as spares).
/// [`frame`](Self::frame) gives the handle that allocates; what it allocates borrows the guard,
/// so the guard cannot be dropped while any of it is alive.
///
/// Forgetting a guard (`mem::forget`) only delays the reclaim to the parent frame's end (or
/// [`Arena::reset`](crate::Arena::reset)).
///
/// # Examples
/// ```
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
/// let mut guard = arena.frame_guard();
/// let f = guard.frame();
/// let a = f.alloc(1u32);
/// assert_eq!(*a, 1);
/// drop(a);
/// drop(guard);
/// assert_eq!(arena.used(), 0);
/// ```
///
/// Guards end in order: a parent's guard cannot be dropped (or forgotten) while a child frame
/// is open, since the child borrows the parent's handle, which borrows the parent's guard:
/// ```compile_fail,E0505
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
/// let mut parent = arena.frame_guard();
/// let mut f = parent.frame();
/// let child = f.frame_guard();
/// drop(parent); // error: cannot move out of `parent` because it is borrowed
/// drop(child);
/// ```
#[must_use = "the frame ends as soon as the guard is dropped"]
pub struct FrameGuard<'g> {
    region: RegionRef<'g>,
    mark: Mark,
    _invariant: PhantomData<fn(&'g ()) -> &'g ()>,
}

impl<'g> FrameGuard<'g> {
    /// Opens a frame at the region's bump pointer.
    #[inline]
    pub(crate) fn open(region: RegionRef<'g>) -> Self {
        Self {
            region,
            mark: region.get().mark(),
            _invariant: PhantomData,
        }
    }

    /// The frame's allocating handle. It (and everything it allocates) borrows the guard.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// let mut guard = arena.frame_guard();
    /// assert_eq!(*guard.frame().alloc(5u8), 5);
    /// ```
    #[inline]
    pub fn frame(&mut self) -> Frame<'_> {
        Frame {
            region: self.region,
            floor: self.mark.cur as usize,
            _invariant: PhantomData,
        }
    }
}

impl Drop for FrameGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.region.get().rewind(self.mark);
    }
}

impl fmt::Debug for FrameGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameGuard")
            .field("mark", &self.mark.cur)
            .field("used", &self.region.get().used())
            .finish_non_exhaustive()
    }
}
