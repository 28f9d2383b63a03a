//! [`Frame`], the allocating handle of an arena frame.

use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator};

use crate::arena_error::{ArenaError, OrRaise};
use crate::frame_box::FrameBox;
use crate::frame_guard::FrameGuard;
use crate::region::{never_fails, Fallible, OnFailure, Panics, RegionRef};
use crate::tip_buf::{TipBuf, TipWriter};

/// The allocating handle of an arena frame. Everything it allocates lives for `'f`, the frame's
/// lifetime, and is reclaimed when the frame ends.
///
/// * Values allocated here may be used in child frames (they borrow the frame's lifetime, not
///   the handle), but the handle itself is mutably borrowed while a child frame is open, so
///   nothing can allocate, grow or free in a parent while its child is alive.
/// * `&Frame` is an [`Allocator`]: blocks come from the tip; freeing the last block reclaims
///   it; growing or shrinking the last block happens in place; growing any other block
///   allocates a new one and copies (the old bytes stay used until the frame ends).
/// * Zero-sized values and layouts take no memory. An empty slice or string takes no bytes but
///   may take the padding up to its element alignment (the slice methods do not test for an
///   empty slice, which would cost every copy two instructions).
///
/// A `Frame` is neither `Send` nor `Sync`: use [`SyncArena`](crate::SyncArena) across threads.
/// Its arena's bump state is in `Cell`s, and its backing allocator need not be `Send`.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::{Arena, StackVec};
///
/// let mut memory = [MaybeUninit::uninit(); 512];
/// let mut arena = Arena::from_memory(&mut memory);
/// arena.frame(|f| {
///     let mut v: StackVec<u32, 32, _> = StackVec::new_in(&f);
///     v.extend(0..20); // spills into the frame
///     let heap = v.into_heap_exact(); // (`alloc` feature) still in the frame: a Vec<u32, &Frame>
///     assert_eq!(heap.len(), 20);
/// });
/// ```
///
/// A frame cannot move to another thread (`Frame` is not `Send`), which would take its arena's
/// bump state (and backing allocator) there; what it allocates can, when the value is `Send`:
/// ```compile_fail,E0277
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
/// arena.frame(|f| {
///     std::thread::scope(|s| {
///         s.spawn(move || f.alloc(1u32).to_string()); // error: `Frame` cannot be sent
///     });
/// });
/// ```
///
/// Nor can a vector that spills into it (`Frame` is not `Sync`, so `&Frame` is not `Send`): two
/// threads would bump the same pointer.
/// ```compile_fail,E0277
/// use stackfirst::{Arena, StackVec};
///
/// let mut arena = Arena::new();
/// arena.frame(|f| {
///     let mut v: StackVec<u64, 8, _> = StackVec::new_in(&f);
///     std::thread::scope(|s| {
///         s.spawn(move || v.extend(0..100)); // error: `&Frame` cannot be sent
///     });
/// });
/// ```
///
/// A parent's allocator cannot be used while a child frame is alive:
/// ```compile_fail,E0502
/// use core::mem::MaybeUninit;
/// use stackfirst::Arena;
///
/// let mut memory = [MaybeUninit::uninit(); 512];
/// let mut arena = Arena::from_memory(&mut memory);
/// arena.frame(|mut f| {
///     let mut v = allocator_api2::vec::Vec::new_in(&f);
///     v.push(1u32);
///     f.frame(|_g| {
///         v.push(2); // error: `f` is borrowed by `v` and mutably by the child frame
///     });
/// });
/// ```
pub struct Frame<'f> {
    pub(crate) region: RegionRef<'f>,
    /// The frame's mark (an address): blocks below it in its chunk belong to parent frames and
    /// are never freed or resized through this handle (a chunk taken later holds only blocks of
    /// this frame or of its ended children, even if it lies lower).
    pub(crate) floor: usize,
    pub(crate) _invariant: PhantomData<fn(&'f ()) -> &'f ()>,
}

impl<'f> Frame<'f> {
    /// Bumps a block of `layout` (zero-sized layouts never consume memory).
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::{alloc::Layout, mem::MaybeUninit};
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8192];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let page = f.try_alloc_layout(Layout::from_size_align(64, 4096).unwrap()).unwrap();
    ///     assert_eq!(page.as_ptr() as usize % 4096, 0);
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, ArenaError> {
        self.region.alloc_layout::<Fallible>(layout)
    }

    /// [`try_alloc_layout`](Self::try_alloc_layout) that panics when the arena is exhausted.
    ///
    /// # Panics
    /// With `arena exhausted: requested N bytes (align A), M remaining (at <your call>)`.
    ///
    /// # Examples
    /// ```
    /// use core::{alloc::Layout, mem::MaybeUninit};
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let p = f.alloc_layout(Layout::new::<u64>());
    ///     assert_eq!(p.as_ptr() as usize % align_of::<u64>(), 0);
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        never_fails(self.region.alloc_layout::<Panics>(layout))
    }

    /// Moves `value` into the frame.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit; `value` is dropped then.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// // 8 bytes, aligned (a byte array might not be: the padding would come out of it).
    /// let mut memory = ArenaBuf::<8>::new();
    /// memory.arena().frame(|f| {
    ///     assert!(f.try_alloc(1u64).is_ok());
    ///     assert!(f.try_alloc(2u64).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc<T>(&self, value: T) -> Result<FrameBox<'f, T>, ArenaError> {
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let mut x = f.alloc(1u64);
    ///     *x += 1;
    ///     assert_eq!(*x, 2);
    /// });
    /// ```
    ///
    /// Dropping the box at once (which also drops the value) is almost always a mistake, so it
    /// warns (`#[must_use]`):
    /// ```compile_fail
    /// #![deny(unused_must_use)]
    /// stackfirst::Arena::new().frame(|f| {
    ///     f.alloc(1u32); // error: unused `FrameBox` that must be used
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc<T>(&self, value: T) -> FrameBox<'f, T> {
        never_fails(self.value_with::<Panics, T>(|| value))
    }

    /// Reserves room, then writes `f()` straight into it (so a large value need not be built
    /// on the stack first).
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit; `f` is not called then.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 16];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_with(|| [0u8; 64]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_with<T>(&self, f: impl FnOnce() -> T) -> Result<FrameBox<'f, T>, ArenaError> {
        self.value_with::<Fallible, T>(f)
    }

    /// The body of `alloc_with` and `try_alloc_with`.
    #[inline(always)]
    #[track_caller]
    fn value_with<F: OnFailure, T>(
        &self,
        f: impl FnOnce() -> T,
    ) -> Result<FrameBox<'f, T>, F::Error> {
        let p = self
            .region
            .alloc_const::<F>(Layout::new::<T>())?
            .cast::<T>();
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let table = f.alloc_with(|| [7u16; 100]);
    ///     assert_eq!(table[99], 7);
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_with<T>(&self, f: impl FnOnce() -> T) -> FrameBox<'f, T> {
        never_fails(self.value_with::<Panics, T>(f))
    }

    /// Copies a slice into the frame. `Copy` types have no destructor, so a plain reference is
    /// returned.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 4];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_copy(&[1u8; 4]).is_ok());
    ///     assert!(f.try_alloc_slice_copy(&[1u8]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_slice_copy<T: Copy>(&self, src: &[T]) -> Result<&'f mut [T], ArenaError> {
        self.slice_copy::<Fallible, T>(src)
    }

    /// The body of `alloc_slice_copy` and `try_alloc_slice_copy`.
    #[inline(always)]
    #[track_caller]
    fn slice_copy<F: OnFailure, T: Copy>(&self, src: &[T]) -> Result<&'f mut [T], F::Error> {
        let p = self
            .region
            .alloc::<F>(array_layout::<T>(src.len()))?
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let s = f.alloc_slice_copy(&[1u32, 2, 3]);
    ///     s[0] = 9;
    ///     assert_eq!(s, &[9, 2, 3]);
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &'f mut [T] {
        never_fails(self.slice_copy::<Panics, T>(src))
    }

    /// Clones a slice into the frame.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit. If a `clone` panics, the clones already made are
    /// dropped.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_clone(&[String::new()]).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_slice_clone<T: Clone>(
        &self,
        src: &[T],
    ) -> Result<FrameBox<'f, [T]>, ArenaError> {
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let names = f.alloc_slice_clone(&["go".to_string(), "rust".to_string()]);
    ///     assert_eq!(names[1], "rust");
    /// }); // the Strings are dropped here, with the FrameBox
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_clone<T: Clone>(&self, src: &[T]) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_clone(src).or_raise()
    }

    /// A slice of `len` elements, element `i` being `f(i)`.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit (`f` is not called then). If `f` panics, the
    /// elements already made are dropped.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 8];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     assert!(f.try_alloc_slice_fill_with(usize::MAX, |i| i as u8).is_err());
    /// });
    /// ```
    pub fn try_alloc_slice_fill_with<T>(
        &self,
        len: usize,
        mut f: impl FnMut(usize) -> T,
    ) -> Result<FrameBox<'f, [T]>, ArenaError> {
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
        // Dropped while `prefix` still owns the elements: if its destructor (the captured
        // values') unwinds, they are dropped. Dropped after the box is made, it would leak the
        // box unwinding past the return (rust-lang/rust#47949).
        drop(f);
        mem::forget(prefix);
        // SAFETY: all `len` elements are initialized, and the block belongs to this frame; no
        // code of the caller's runs between here and the return, so nothing unwinds past the box.
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let squares = f.alloc_slice_fill_with(5, |i| i * i);
    ///     assert_eq!(&*squares, &[0, 1, 4, 9, 16]);
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_fill_with<T>(
        &self,
        len: usize,
        f: impl FnMut(usize) -> T,
    ) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_fill_with(len, f).or_raise()
    }

    /// Copies a string into the frame.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 2];
    /// Arena::from_memory(&mut memory).frame(|f| assert!(f.try_alloc_str("abc").is_err()));
    /// ```
    #[inline]
    pub fn try_alloc_str(&self, s: &str) -> Result<&'f mut str, ArenaError> {
        self.str_copy::<Fallible>(s)
    }

    /// The body of `alloc_str` and `try_alloc_str`.
    #[inline(always)]
    #[track_caller]
    fn str_copy<F: OnFailure>(&self, s: &str) -> Result<&'f mut str, F::Error> {
        let bytes = self.slice_copy::<F, u8>(s.as_bytes())?;
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
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let s = f.alloc_str("stack");
    ///     s.make_ascii_uppercase();
    ///     assert_eq!(s, "STACK");
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_str(&self, s: &str) -> &'f mut str {
        never_fails(self.str_copy::<Panics>(s))
    }

    /// Fills a slice of `len` copies of `value`.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<16>::new();
    /// memory.arena().frame(|f| {
    ///     assert_eq!(f.try_alloc_slice_fill_copy(4, 7u32).unwrap(), &[7; 4]);
    ///     assert!(f.try_alloc_slice_fill_copy(4, 7u32).is_err());
    /// });
    /// ```
    #[inline]
    pub fn try_alloc_slice_fill_copy<T: Copy>(
        &self,
        len: usize,
        value: T,
    ) -> Result<&'f mut [T], ArenaError> {
        self.try_alloc_slice_fill_with(len, |_| value)
            .map(FrameBox::leak)
    }

    /// [`try_alloc_slice_fill_copy`](Self::try_alloc_slice_fill_copy) that panics when it does
    /// not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| assert_eq!(f.alloc_slice_fill_copy(3, b'x'), b"xxx"));
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_fill_copy<T: Copy>(&self, len: usize, value: T) -> &'f mut [T] {
        self.try_alloc_slice_fill_copy(len, value).or_raise()
    }

    /// Fills a slice of `len` clones of `value`.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit. If a `clone` panics, the clones already made are
    /// dropped.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<8>::new();
    /// memory.arena().frame(|f| assert!(f.try_alloc_slice_fill_clone(2, &String::new()).is_err()));
    /// ```
    #[inline]
    pub fn try_alloc_slice_fill_clone<T: Clone>(
        &self,
        len: usize,
        value: &T,
    ) -> Result<FrameBox<'f, [T]>, ArenaError> {
        self.try_alloc_slice_fill_with(len, |_| value.clone())
    }

    /// [`try_alloc_slice_fill_clone`](Self::try_alloc_slice_fill_clone) that panics when it
    /// does not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| {
    ///     let names = f.alloc_slice_fill_clone(2, &"go".to_string());
    ///     assert_eq!(names.concat(), "gogo");
    /// });
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_fill_clone<T: Clone>(&self, len: usize, value: &T) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_fill_clone(len, value).or_raise()
    }

    /// A slice of `len` default values.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<8>::new();
    /// memory.arena().frame(|f| assert!(f.try_alloc_slice_fill_default::<u64>(2).is_err()));
    /// ```
    #[inline]
    pub fn try_alloc_slice_fill_default<T: Default>(
        &self,
        len: usize,
    ) -> Result<FrameBox<'f, [T]>, ArenaError> {
        self.try_alloc_slice_fill_with(len, |_| T::default())
    }

    /// [`try_alloc_slice_fill_default`](Self::try_alloc_slice_fill_default) that panics when
    /// it does not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| assert_eq!(&*f.alloc_slice_fill_default::<u8>(3), &[0, 0, 0]));
    /// ```
    #[inline]
    #[must_use]
    #[track_caller]
    pub fn alloc_slice_fill_default<T: Default>(&self, len: usize) -> FrameBox<'f, [T]> {
        self.try_alloc_slice_fill_default(len).or_raise()
    }

    /// Collects an iterator into a slice in the frame. The slice grows at the frame's tip (in
    /// place while it is the last block), so its length need not be known; the iterator's
    /// `size_hint` only sets the first capacity.
    ///
    /// # Errors
    /// [`ArenaError`] when it does not fit; the elements collected so far are dropped. It names
    /// the iterator's lower bound when that was refused too, else the growth that failed. A
    /// slice that outgrew a chunk before it failed leaves its block there in use until the frame
    /// ends (see [`ArenaError`]).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<64>::new();
    /// memory.arena().frame(|f| {
    ///     let evens = f.try_alloc_iter((0..10u32).filter(|x| x % 2 == 0)).unwrap();
    ///     assert_eq!(&*evens, &[0, 2, 4, 6, 8]);
    ///     let e = f.try_alloc_iter(0..100u64).unwrap_err();
    ///     assert_eq!(e.layout().size(), 800);
    /// });
    /// ```
    pub fn try_alloc_iter<T>(
        &self,
        iter: impl IntoIterator<Item = T>,
    ) -> Result<FrameBox<'f, [T]>, ArenaError> {
        let iter = iter.into_iter();
        let mut buf = TipBuf::new(self);
        // Only a first guess: a lower bound too large to fit is not an error.
        let refused = buf.reserve(iter.size_hint().0).err();
        for x in iter {
            if let Err(e) = buf.push(x) {
                // Name the larger request: when the lower bound was refused too, that one (a
                // push names only the step that failed, maybe a few bytes).
                return Err(match refused {
                    Some(first) if first.layout().size() > e.layout().size() => first,
                    _ => e,
                });
            }
        }
        Ok(buf.finish())
    }

    /// [`try_alloc_iter`](Self::try_alloc_iter) that panics when it does not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| {
    ///     let words = f.alloc_iter("stack first".split(' ').map(str::len));
    ///     assert_eq!(&*words, &[5, 5]);
    /// });
    /// ```
    #[must_use]
    #[track_caller]
    pub fn alloc_iter<T>(&self, iter: impl IntoIterator<Item = T>) -> FrameBox<'f, [T]> {
        self.try_alloc_iter(iter).or_raise()
    }

    /// Collects an exact-size iterator into a slice allocated once, at its reported length. An
    /// iterator that yields fewer elements than it reported gives a shorter slice; one that
    /// yields more is not drained past the length.
    ///
    /// # Errors
    /// [`ArenaError`] when `len()` elements do not fit (nothing is taken from the iterator).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<16>::new();
    /// memory.arena().frame(|f| {
    ///     assert_eq!(&*f.try_alloc_iter_exact([1u32, 2].into_iter()).unwrap(), &[1, 2]);
    ///     assert!(f.try_alloc_iter_exact([0u64; 4].into_iter()).is_err());
    /// });
    /// ```
    pub fn try_alloc_iter_exact<T, I>(&self, iter: I) -> Result<FrameBox<'f, [T]>, ArenaError>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        let mut iter = iter.into_iter();
        let len = iter.len();
        let p = self.try_alloc_layout(array_layout::<T>(len))?.cast::<T>();
        let mut filled = Prefix {
            p: p.as_ptr(),
            len: 0,
        };
        while filled.len < len {
            let Some(x) = iter.next() else { break };
            // SAFETY: the block holds `len` elements; slot `filled.len < len` is written once.
            unsafe { p.as_ptr().add(filled.len).write(x) };
            filled.len += 1;
        }
        // Dropped while `filled` still owns the elements, as in `try_alloc_slice_fill_with`.
        drop(iter);
        let n = filled.len;
        mem::forget(filled);
        // SAFETY: `n` elements are initialized, in a block of this frame; the iterator is gone,
        // so nothing of the caller's unwinds past the box.
        Ok(unsafe { FrameBox::from_raw(NonNull::slice_from_raw_parts(p, n)) })
    }

    /// [`try_alloc_iter_exact`](Self::try_alloc_iter_exact) that panics when it does not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| assert_eq!(&*f.alloc_iter_exact((1..4u8).map(|x| x * 2)), &[2, 4, 6]));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn alloc_iter_exact<T, I>(&self, iter: I) -> FrameBox<'f, [T]>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        self.try_alloc_iter_exact(iter).or_raise()
    }

    /// Formats into the frame (the arena's `format!`): the text grows at the frame's tip.
    ///
    /// # Errors
    /// [`ArenaError`] when the text does not fit (a text that outgrew a chunk before it failed
    /// leaves its block there in use until the frame ends).
    ///
    /// # Panics
    /// If a `Display` (or other formatting) implementation returns an error of its own, as
    /// `format!` does.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<16>::new();
    /// memory.arena().frame(|f| {
    ///     assert_eq!(f.try_alloc_fmt(format_args!("{}+{}", 1, 2)).unwrap(), "1+2");
    ///     assert!(f.try_alloc_fmt(format_args!("{:>40}", "x")).is_err());
    /// });
    /// ```
    pub fn try_alloc_fmt(&self, args: fmt::Arguments<'_>) -> Result<&'f mut str, ArenaError> {
        let mut w = TipWriter {
            buf: TipBuf::new(self),
            failed: None,
        };
        let written = fmt::Write::write_fmt(&mut w, args);
        // A piece that did not fit is an error even if a `Display` swallowed it and went on.
        if let Some(e) = w.failed {
            return Err(e);
        }
        if written.is_err() {
            panic!("a formatting trait implementation returned an error unexpectedly");
        }
        let bytes = FrameBox::leak(w.buf.finish());
        // SAFETY: only whole `str`s were written.
        Ok(unsafe { core::str::from_utf8_unchecked_mut(bytes) })
    }

    /// [`try_alloc_fmt`](Self::try_alloc_fmt) that panics when the text does not fit.
    ///
    /// # Panics
    /// With `arena exhausted: ...` (or the limit's or backing allocator's message), and, as
    /// `try_alloc_fmt`, if a `Display` (or other formatting) implementation returns an error of
    /// its own.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| {
    ///     let s = f.alloc_fmt(format_args!("frame {}", 7));
    ///     assert_eq!(s, "frame 7");
    /// });
    /// ```
    #[must_use]
    #[track_caller]
    pub fn alloc_fmt(&self, args: fmt::Arguments<'_>) -> &'f mut str {
        self.try_alloc_fmt(args).or_raise()
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
    /// Arena::from_memory(&mut memory).frame(|mut f| {
    ///     let before = f.used();
    ///     f.frame(|g| {
    ///         let _zeros = g.alloc([0u8; 32]);
    ///     });
    ///     assert_eq!(f.used(), before);
    /// });
    /// ```
    ///
    /// What the child allocates cannot be kept in the parent (the child's frame lifetime is
    /// the closure's own):
    /// ```compile_fail,E0521
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// arena.frame(|mut f| {
    ///     let mut kept = None;
    ///     f.frame(|g| kept = Some(g.alloc(1u32))); // error: borrowed data escapes the closure
    ///     assert_eq!(kept.as_deref(), Some(&1));
    /// });
    /// ```
    #[inline]
    pub fn frame<R>(&mut self, f: impl for<'g> FnOnce(Frame<'g>) -> R) -> R {
        let mut guard = FrameGuard::open(self.region);
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
    /// Arena::from_memory(&mut memory).frame(|mut f| {
    ///     let mut child = f.frame_guard();
    ///     child.frame().alloc(1u64);
    ///     drop(child);
    ///     assert_eq!(f.used(), 0);
    /// });
    /// ```
    ///
    /// What the child allocates borrows the child's guard, so it cannot outlive it:
    /// ```compile_fail,E0597
    /// use stackfirst::Arena;
    ///
    /// let mut arena = Arena::new();
    /// arena.frame(|mut f| {
    ///     let kept;
    ///     {
    ///         let mut child = f.frame_guard();
    ///         kept = child.frame().alloc(1u32); // error: `child` does not live long enough
    ///     }
    ///     assert_eq!(*kept, 1);
    /// });
    /// ```
    #[inline]
    pub fn frame_guard(&mut self) -> FrameGuard<'_> {
        FrameGuard::open(self.region)
    }

    /// Bytes in use in the whole arena (this frame, its parents, and padding).
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let _x = f.alloc(0u32);
    ///     assert_eq!(f.used(), 4);
    /// });
    /// ```
    #[inline]
    #[must_use]
    pub fn used(&self) -> usize {
        self.region.get().used()
    }

    /// Bytes still free (before any alignment padding a request may need).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<64>::new();
    /// memory.arena().frame(|f| {
    ///     let _x = f.alloc(0u32);
    ///     assert_eq!(f.remaining(), 60);
    /// });
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.region.get().remaining()
    }

    /// The size of the arena's memory.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut memory = ArenaBuf::<64>::new();
    /// memory.arena().frame(|f| assert_eq!(f.capacity(), 64));
    /// ```
    #[inline]
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.region.get().capacity()
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

/// The initialized prefix of a slice being filled: dropped if filling panics.
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

/// `len` elements of `T`, saturated to the largest layout when the size overflows (such a
/// request can never fit, and its error still names a layout at least as large as it).
#[inline]
pub(crate) fn array_layout<T>(len: usize) -> Layout {
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
// only the last block, and never a parent's (below the frame's mark in its chunk).
unsafe impl Allocator for Frame<'_> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        match self.region.alloc_layout::<Fallible>(layout) {
            Ok(p) => Ok(NonNull::slice_from_raw_parts(p, layout.size())),
            Err(_) => Err(AllocError),
        }
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.region.get().free(ptr, layout.size(), self.floor);
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old: Layout,
        new: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if let Some(grown) = self
            .region
            .get()
            .resize_in_place(ptr, old.size(), new, self.floor)
        {
            return Ok(NonNull::slice_from_raw_parts(grown, new.size()));
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
            .get()
            .resize_in_place(ptr, old.size(), new, self.floor)
            .is_some()
            || ptr.as_ptr() as usize % new.align() == 0
        {
            // In place: either the last block got smaller, or the block is kept as it is.
            return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
        }
        // SAFETY: `ptr` is a live block of at least `new.size()` bytes (the caller's contract).
        unsafe { self.move_to_new_block(ptr, new.size(), new) }
    }
}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.region.get();
        f.debug_struct("Frame")
            .field("used", &r.used())
            .field("remaining", &r.remaining())
            .finish_non_exhaustive()
    }
}
