//! [`TipBuf`]: a buffer that grows at a frame's tip, for collecting an iterator of unknown
//! length or formatted text straight into the frame.

use core::fmt;
use core::mem;
use core::ptr::{self, NonNull};

use crate::arena_error::ArenaError;
use crate::frame::{array_layout, Frame};
use crate::frame_box::FrameBox;

/// Elements `0..len` of a block of `cap` elements in `frame`, owned by the buffer.
///
/// Invariants: `ptr` is a block of the frame holding `cap` elements (dangling while `cap == 0`,
/// and for zero-sized `T`, whose `cap` is `usize::MAX`); its first `len <= cap` are initialized.
pub(crate) struct TipBuf<'a, 'f, T> {
    frame: &'a Frame<'f>,
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
}

impl<'a, 'f, T> TipBuf<'a, 'f, T> {
    pub(crate) fn new(frame: &'a Frame<'f>) -> Self {
        Self {
            frame,
            ptr: NonNull::dangling(),
            len: 0,
            cap: if mem::size_of::<T>() == 0 {
                usize::MAX
            } else {
                0
            },
        }
    }

    /// Makes room for `additional` more elements: in place while the block is the frame's last
    /// and its chunk holds them, otherwise in a new block (doubling, or exactly what is needed if
    /// doubling fails).
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), ArenaError> {
        if self.cap - self.len >= additional {
            return Ok(());
        }
        let need = self.len.saturating_add(additional);
        let doubled = need.max(self.cap.saturating_mul(2)).max(4);
        if self.grow_in_place(need, doubled) {
            return Ok(());
        }
        match self.move_to(doubled) {
            Err(_) if doubled > need => self.move_to(need),
            r => r,
        }
    }

    /// Grows the block in place to `wanted` elements, or to all its chunk holds if that is at
    /// least `need`: a block moves (leaving its bytes in use until the frame ends) only when it
    /// cannot hold what is needed where it is.
    fn grow_in_place(&mut self, need: usize, wanted: usize) -> bool {
        let size = mem::size_of::<T>();
        if size == 0 || self.cap == 0 {
            return false;
        }
        let (region, floor) = (self.frame.region.get(), self.frame.floor);
        let old_size = self.cap * size;
        let room = region.room_in_place(self.ptr.cast(), old_size, floor) / size;
        if room < need {
            return false;
        }
        let cap = wanted.min(room);
        match region.resize_in_place(self.ptr.cast(), old_size, array_layout::<T>(cap), floor) {
            Some(grown) => {
                self.ptr = grown.cast();
                self.cap = cap;
                true
            }
            None => false,
        }
    }

    /// Moves the elements to a new block of `cap`.
    fn move_to(&mut self, cap: usize) -> Result<(), ArenaError> {
        let fresh = self
            .frame
            .try_alloc_layout(array_layout::<T>(cap))?
            .cast::<T>();
        // SAFETY: the first `len` elements are initialized; the fresh block holds `cap >= len`
        // and is distinct. They are moved: the old block is not read again.
        unsafe { ptr::copy_nonoverlapping(self.ptr.as_ptr(), fresh.as_ptr(), self.len) };
        self.ptr = fresh;
        self.cap = cap;
        Ok(())
    }

    pub(crate) fn push(&mut self, value: T) -> Result<(), ArenaError> {
        self.reserve(1)?;
        // SAFETY: `len < cap` after `reserve`; the slot is uninitialized.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        self.len += 1;
        Ok(())
    }

    /// The elements, now owned by the returned box; the rest of the block is given back if it
    /// is the frame's last.
    pub(crate) fn finish(self) -> FrameBox<'f, [T]> {
        let this = mem::ManuallyDrop::new(self);
        if mem::size_of::<T>() != 0 && this.cap > this.len {
            let region = this.frame.region.get();
            let size = this.cap * mem::size_of::<T>();
            // Shrinking the last block to `len` elements always fits when it is the last.
            let _ = region.resize_in_place(
                this.ptr.cast(),
                size,
                array_layout::<T>(this.len),
                this.frame.floor,
            );
        }
        // SAFETY: `len` initialized elements in a block of the frame (`'f`), owned by nobody
        // else once the buffer is forgotten; while `cap == 0`, or for zero-sized `T`, `ptr` is
        // dangling and aligned and the slice is zero bytes, which needs no block (the type's
        // invariant; `FrameBox::from_raw`).
        unsafe { FrameBox::from_raw(NonNull::slice_from_raw_parts(this.ptr, this.len)) }
    }
}

impl<T> Drop for TipBuf<'_, '_, T> {
    /// Drops what was collected (an iterator or a formatter panicked, or an allocation failed),
    /// and gives the block back if it is the frame's last.
    fn drop(&mut self) {
        // SAFETY: the first `len` elements are initialized and owned by the buffer.
        unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.len)) };
        if mem::size_of::<T>() != 0 && self.cap != 0 {
            let size = self.cap * mem::size_of::<T>();
            self.frame
                .region
                .get()
                .free(self.ptr.cast(), size, self.frame.floor);
        }
    }
}

/// Formatting into the buffer; an allocation failure is kept for the caller.
pub(crate) struct TipWriter<'a, 'f> {
    pub(crate) buf: TipBuf<'a, 'f, u8>,
    pub(crate) failed: Option<ArenaError>,
}

impl fmt::Write for TipWriter<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let r = self.buf.reserve(s.len()).map(|()| {
            // SAFETY: room for `s.len()` more bytes, distinct from `s` (a fresh frame block or
            // one `s` cannot borrow, since the buffer owns it).
            unsafe {
                ptr::copy_nonoverlapping(
                    s.as_ptr(),
                    self.buf.ptr.as_ptr().add(self.buf.len),
                    s.len(),
                );
            }
            self.buf.len += s.len();
        });
        r.map_err(|e| {
            self.failed = Some(e);
            fmt::Error
        })
    }
}
