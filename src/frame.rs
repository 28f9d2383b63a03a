//! [`Frame`], the allocating handle of an arena frame, and [`FrameGuard`], which ends a frame
//! when dropped.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator};

use crate::arena::Region;
use crate::bump::ArenaExhausted;
use crate::frame_box::FrameBox;

/// The allocating handle of an arena frame. Everything it allocates lives for `'f`, the frame's
/// lifetime, and is reclaimed when the frame ends.
///
/// * Values allocated here may be used in child frames (they borrow the frame's lifetime, not
///   the handle), but the handle itself is mutably borrowed while a child frame is open, so
///   nothing can allocate, grow or free in a parent while its child is alive.
/// * `&Frame` is an [`Allocator`]: blocks come from the tip; freeing the last block reclaims
///   it; growing or shrinking the last block happens in place; growing any other block
///   allocates a new one and copies (the old bytes stay used until the frame ends).
///
/// A `Frame` is neither `Send` nor `Sync`: use [`SyncArena`](crate::SyncArena) across threads.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::{Arena, StackVec};
///
/// let mut memory = [MaybeUninit::uninit(); 512];
/// let mut arena = Arena::new(&mut memory);
/// arena.frame(|f| {
///     let mut v: StackVec<u32, 32, _> = StackVec::new_in(&f);
///     v.extend(0..20); // spills into the frame
///     let heap = v.into_heap_exact(); // still in the frame: an allocator_api2 Vec<u32, &Frame>
///     assert_eq!(heap.len(), 20);
/// });
/// ```
///
/// A parent's allocator cannot be used while a child frame is alive:
/// ```compile_fail
/// use core::mem::MaybeUninit;
/// use stackfirst::Arena;
///
/// let mut memory = [MaybeUninit::uninit(); 512];
/// let mut arena = Arena::new(&mut memory);
/// arena.frame(|mut f| {
///     let mut v = allocator_api2::vec::Vec::new_in(&f);
///     v.push(1u32);
///     f.frame(|_g| {
///         v.push(2); // error: `f` is borrowed by `v` and mutably by the child frame
///     });
/// });
/// ```
pub struct Frame<'f> {
    region: &'f Region,
    /// The frame's mark (an address): blocks below it belong to parent frames and are never
    /// freed or resized through this handle.
    start: usize,
    _invariant: PhantomData<fn(&'f ()) -> &'f ()>,
}

impl<'f> Frame<'f> {
    /// Bumps a block of `layout` (zero-sized layouts never consume memory).
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::{alloc::Layout, mem::MaybeUninit};
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8192];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let page = f.try_alloc_layout(Layout::from_size_align(64, 4096).unwrap()).unwrap();
    ///     assert_eq!(page.as_ptr() as usize % 4096, 0);
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, ArenaExhausted> {
        self.region.try_alloc(layout)
    }

    /// [`try_alloc_layout`](Self::try_alloc_layout) that panics when the arena is exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: requested N bytes (align A), M remaining`.
    ///
    /// # Examples
    /// ```
    /// use core::{alloc::Layout, mem::MaybeUninit};
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let p = f.alloc_layout(Layout::new::<u64>());
    ///     assert_eq!(p.as_ptr() as usize % 8, 0);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.try_alloc_layout(layout).unwrap_or_else(|e| e.raise())
    }

    /// Moves `value` into the frame.
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit; `value` is dropped then.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8];
    /// Arena::new(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc(1u64).is_ok());
    ///     assert!(f.try_alloc(2u64).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc<T>(&self, value: T) -> Result<FrameBox<'f, T>, ArenaExhausted> {
        self.try_alloc_with(|| value)
    }

    /// Moves `value` into the frame.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let mut x = f.alloc(1u64);
    ///     *x += 1;
    ///     assert_eq!(*x, 2);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc<T>(&self, value: T) -> FrameBox<'f, T> {
        self.try_alloc(value).unwrap_or_else(|e| e.raise())
    }

    /// Reserves room, then writes `f()` straight into it (so a large value need not be built
    /// on the stack first).
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit; `f` is not called then.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 16];
    /// Arena::new(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_with(|| [0u8; 64]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_with<T>(
        &self,
        f: impl FnOnce() -> T,
    ) -> Result<FrameBox<'f, T>, ArenaExhausted> {
        let p = self.try_alloc_layout(Layout::new::<T>())?.cast::<T>();
        // SAFETY: `p` is a fresh block of this frame, sized and aligned for `T`, written before
        // it is owned; if `f` panics the block just stays unused until the frame ends.
        unsafe {
            p.as_ptr().write(f());
            Ok(FrameBox::from_raw(p))
        }
    }

    /// [`try_alloc_with`](Self::try_alloc_with) that panics when the arena is exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 256];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let table = f.alloc_with(|| [7u16; 100]);
    ///     assert_eq!(table[99], 7);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_with<T>(&self, f: impl FnOnce() -> T) -> FrameBox<'f, T> {
        self.try_alloc_with(f).unwrap_or_else(|e| e.raise())
    }

    /// Copies a slice into the frame. `Copy` types have no destructor, so a plain reference is
    /// returned.
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 4];
    /// Arena::new(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_copy(&[1u8; 4]).is_ok());
    ///     assert!(f.try_alloc_slice_copy(&[1u8]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_slice_copy<T: Copy>(&self, src: &[T]) -> Result<&'f mut [T], ArenaExhausted> {
        let p = self
            .try_alloc_layout(array_layout::<T>(src.len()))?
            .cast::<T>();
        // SAFETY: a fresh block for `src.len()` elements, distinct from `src`; `T: Copy`.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), p.as_ptr(), src.len());
            Ok(core::slice::from_raw_parts_mut(p.as_ptr(), src.len()))
        }
    }

    /// [`try_alloc_slice_copy`](Self::try_alloc_slice_copy) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let s = f.alloc_slice_copy(&[1u32, 2, 3]);
    ///     s[0] = 9;
    ///     assert_eq!(s, &[9, 2, 3]);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &'f mut [T] {
        self.try_alloc_slice_copy(src).unwrap_or_else(|e| e.raise())
    }

    /// Clones a slice into the frame.
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit. If a `clone` panics, the clones already made are
    /// dropped.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8];
    /// Arena::new(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_clone(&[String::new()]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_slice_clone<T: Clone>(
        &self,
        src: &[T],
    ) -> Result<FrameBox<'f, [T]>, ArenaExhausted> {
        self.try_alloc_slice_fill_with(src.len(), |i| src[i].clone())
    }

    /// [`try_alloc_slice_clone`](Self::try_alloc_slice_clone) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 128];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let names = f.alloc_slice_clone(&["go".to_string(), "rust".to_string()]);
    ///     assert_eq!(names[1], "rust");
    /// }); // the Strings are dropped here, with the FrameBox
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_clone<T: Clone>(&self, src: &[T]) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_clone(src)
            .unwrap_or_else(|e| e.raise())
    }

    /// A slice of `len` elements, element `i` being `f(i)`.
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit (`f` is not called then). If `f` panics, the
    /// elements already made are dropped.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8];
    /// Arena::new(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_fill_with(usize::MAX, |i| i as u8).is_err());
    /// });
    /// ```
    pub fn try_alloc_slice_fill_with<T>(
        &self,
        len: usize,
        mut f: impl FnMut(usize) -> T,
    ) -> Result<FrameBox<'f, [T]>, ArenaExhausted> {
        /// Drops the initialized prefix if `f` panics.
        struct Prefix<T> {
            p: *mut T,
            len: usize,
        }
        impl<T> Drop for Prefix<T> {
            fn drop(&mut self) {
                // SAFETY: the first `len` elements were written and are owned by nobody else.
                unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.p, self.len)) }
            }
        }
        let p = self.try_alloc_layout(array_layout::<T>(len))?.cast::<T>();
        let mut prefix = Prefix {
            p: p.as_ptr(),
            len: 0,
        };
        while prefix.len < len {
            // SAFETY: the block holds `len` elements; each slot is written once, then counted.
            unsafe { p.as_ptr().add(prefix.len).write(f(prefix.len)) };
            prefix.len += 1;
        }
        mem::forget(prefix);
        // SAFETY: all `len` elements are initialized, and the block belongs to this frame.
        Ok(unsafe { FrameBox::from_raw(NonNull::slice_from_raw_parts(p, len)) })
    }

    /// [`try_alloc_slice_fill_with`](Self::try_alloc_slice_fill_with) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let squares = f.alloc_slice_fill_with(5, |i| i * i);
    ///     assert_eq!(&*squares, &[0, 1, 4, 9, 16]);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_slice_fill_with<T>(
        &self,
        len: usize,
        f: impl FnMut(usize) -> T,
    ) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_fill_with(len, f)
            .unwrap_or_else(|e| e.raise())
    }

    /// Copies a string into the frame.
    ///
    /// # Errors
    /// [`ArenaExhausted`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 2];
    /// Arena::new(&mut memory).frame(|f| assert!(f.try_alloc_str("abc").is_err()));
    /// ```
    #[inline]
    pub fn try_alloc_str(&self, s: &str) -> Result<&'f mut str, ArenaExhausted> {
        let bytes = self.try_alloc_slice_copy(s.as_bytes())?;
        // SAFETY: a byte-for-byte copy of a `str` is valid UTF-8.
        Ok(unsafe { core::str::from_utf8_unchecked_mut(bytes) })
    }

    /// [`try_alloc_str`](Self::try_alloc_str) that panics when exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: ...` when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 16];
    /// Arena::new(&mut memory).frame(|f| {
    ///     let s = f.alloc_str("stack");
    ///     s.make_ascii_uppercase();
    ///     assert_eq!(s, "STACK");
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_str(&self, s: &str) -> &'f mut str {
        self.try_alloc_str(s).unwrap_or_else(|e| e.raise())
    }

    /// Runs `f` in a child frame, reclaimed when it returns. The handle is mutably borrowed
    /// meanwhile, so the parent cannot allocate; its values stay usable.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|mut f| {
    ///     let before = f.used();
    ///     f.frame(|g| {
    ///         g.alloc([0u8; 32]);
    ///     });
    ///     assert_eq!(f.used(), before);
    /// });
    /// ```
    #[inline]
    pub fn frame<R>(&mut self, f: impl for<'g> FnOnce(Frame<'g>) -> R) -> R {
        let mut guard = self.region.guard();
        f(guard.frame())
    }

    /// Opens a child frame that ends when the guard is dropped.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|mut f| {
    ///     let mut child = f.frame_guard();
    ///     child.frame().alloc(1u64);
    ///     drop(child);
    ///     assert_eq!(f.used(), 0);
    /// });
    /// ```
    #[inline]
    pub fn frame_guard(&mut self) -> FrameGuard<'_> {
        self.region.guard()
    }

    /// Bytes in use in the whole arena (this frame, its parents, and padding).
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| {
    ///     f.alloc(0u32);
    ///     assert_eq!(f.used(), 4);
    /// });
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
    /// Arena::new(&mut memory).frame(|f| {
    ///     f.alloc(0u32);
    ///     assert_eq!(f.remaining(), 60);
    /// });
    /// ```
    #[inline]
    pub fn remaining(&self) -> usize {
        self.region.remaining()
    }

    /// The size of the arena's memory.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::new(&mut memory).frame(|f| assert_eq!(f.capacity(), 64));
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.region.capacity()
    }
}

impl Frame<'_> {
    /// `grow` and `shrink` when they cannot stay in place: a new block of `new`, the first
    /// `bytes` copied over; the old block stays used until the frame ends.
    ///
    /// # Safety
    /// `ptr` is readable for `bytes <= new.size()` bytes.
    unsafe fn move_to_new_block(
        &self,
        ptr: NonNull<u8>,
        bytes: usize,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let fresh = self.allocate(new)?;
        // SAFETY: the caller guarantees `ptr` is readable for `bytes`; the fresh block holds at
        // least that many and is distinct memory.
        unsafe { ptr::copy_nonoverlapping(ptr.as_ptr(), fresh.cast::<u8>().as_ptr(), bytes) };
        Ok(fresh)
    }
}

/// `len` elements of `T`, saturated to the largest layout when the size overflows (such a
/// request can never fit, and its error still names a layout at least as large as it).
#[inline]
fn array_layout<T>(len: usize) -> Layout {
    Layout::array::<T>(len).unwrap_or_else(|_| {
        let align = mem::align_of::<T>();
        // SAFETY: `isize::MAX + 1 - align` is a multiple of the power-of-two `align` and does
        // not exceed `isize::MAX` rounded to `align`.
        unsafe { Layout::from_size_align_unchecked(isize::MAX as usize + 1 - align, align) }
    })
}

// SAFETY (the `Allocator` contract): blocks come from the frame's region and stay valid until
// they are freed through this frame or the frame ends; no handle of the frame can outlive it
// (`'f`), and the parent's handle is mutably borrowed while a child frame lives, so a block is
// only ever freed or resized through the frame that allocated it. Freeing and resizing touch
// only the last block, and never blocks below the frame's mark.
unsafe impl Allocator for Frame<'_> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        match self.region.try_alloc(layout) {
            Ok(p) => Ok(NonNull::slice_from_raw_parts(p, layout.size())),
            Err(_) => Err(AllocError),
        }
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.region.free(ptr, layout.size(), self.start);
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if self
            .region
            .resize_in_place(ptr, old.size(), new, self.start)
        {
            return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
        }
        // SAFETY: the caller guarantees `ptr` is a live block of `old.size()` bytes, fewer than
        // the new block's.
        unsafe { self.move_to_new_block(ptr, old.size(), new) }
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if self
            .region
            .resize_in_place(ptr, old.size(), new, self.start)
            || ptr.as_ptr() as usize % new.align() == 0
        {
            // In place: either the last block got smaller, or the block is kept as it is.
            return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
        }
        // SAFETY: `ptr` is a live block of at least `new.size()` bytes (the caller's contract).
        unsafe { self.move_to_new_block(ptr, new.size(), new) }
    }
}

/// Ends a frame when dropped: the bump pointer goes back to the frame's mark, in O(1).
/// [`frame`](Self::frame) gives the handle that allocates; what it allocates borrows the guard,
/// so the guard cannot be dropped while any of it is alive.
///
/// Forgetting a guard (`mem::forget`) only delays the reclaim to the parent frame's end (or
/// [`Arena::reset`](crate::Arena::reset)).
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::Arena;
///
/// let mut memory = [MaybeUninit::uninit(); 64];
/// let mut arena = Arena::new(&mut memory);
/// let mut guard = arena.frame_guard();
/// let f = guard.frame();
/// let a = f.alloc(1u32);
/// assert_eq!(*a, 1);
/// drop(a);
/// drop(guard);
/// assert_eq!(arena.used(), 0);
/// ```
pub struct FrameGuard<'g> {
    region: &'g Region,
    mark: usize,
    _invariant: PhantomData<fn(&'g ()) -> &'g ()>,
}

impl<'g> FrameGuard<'g> {
    #[inline]
    pub(crate) fn new(region: &'g Region, mark: usize) -> Self {
        Self {
            region,
            mark,
            _invariant: PhantomData,
        }
    }

    /// The frame's allocating handle. It (and everything it allocates) borrows the guard.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// let mut arena = Arena::new(&mut memory);
    /// let mut guard = arena.frame_guard();
    /// assert_eq!(*guard.frame().alloc(5u8), 5);
    /// ```
    #[inline]
    pub fn frame(&mut self) -> Frame<'_> {
        Frame {
            region: self.region,
            start: self.mark,
            _invariant: PhantomData,
        }
    }
}

impl Drop for FrameGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.region.rewind(self.mark);
    }
}
