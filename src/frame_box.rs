//! [`FrameBox`]: an owning pointer into an arena frame.

use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// A value (or slice) that lives in an arena frame and is owned like a `Box`: dropping the
/// `FrameBox` runs the value's destructor. The memory itself is reclaimed when the frame ends.
///
/// No destructor is skipped unless you say so with [`leak`](Self::leak). It cannot outlive the
/// frame: `'f` is the frame's lifetime.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::{Arena, FrameBox};
///
/// let mut memory = [MaybeUninit::uninit(); 128];
/// Arena::from_memory(&mut memory).frame(|f| {
///     let name: FrameBox<String> = f.alloc(String::from("go"));
///     assert_eq!(name.len(), 2);
///     let owned: String = FrameBox::into_inner(name); // moved out; nothing left to drop
///     assert_eq!(owned, "go");
/// });
/// ```
///
/// Like `Box`, it can be sent to another thread only if its value can:
/// ```compile_fail,E0277
/// use std::rc::Rc;
/// use stackfirst::Arena;
///
/// let mut arena = Arena::new();
/// arena.frame(|f| {
///     let b = f.alloc(Rc::new(1u32));
///     std::thread::scope(|s| {
///         s.spawn(move || drop(b)); // error: `Rc<u32>` cannot be sent between threads safely
///     });
/// });
/// ```
///
/// It owns its value: the value's destructor runs when the box is dropped, so what the value
/// borrows must outlive the box:
/// ```compile_fail,E0597
/// use stackfirst::Arena;
///
/// struct Reads<'a>(&'a String);
/// impl Drop for Reads<'_> {
///     fn drop(&mut self) {
///         assert_eq!(self.0, "short-lived");
///     }
/// }
///
/// let mut arena = Arena::new();
/// arena.frame(|f| {
///     let boxed;
///     {
///         let name = String::from("short-lived");
///         boxed = f.alloc(Reads(&name)); // error: `name` does not live long enough
///     }
/// }); // `boxed` is dropped here, and `Reads::drop` would read the freed `name`
/// ```
pub struct FrameBox<'f, T: ?Sized> {
    ptr: NonNull<T>,
    /// Tied to the frame by `'f` alone: no `T: 'f`, which a closure's frame (of any lifetime)
    /// would turn into `T: 'static`; the value's own lifetimes bound the box like any type's.
    _owns: PhantomData<(&'f (), T)>,
}

impl<'f, T: ?Sized> FrameBox<'f, T> {
    /// # Safety
    /// `ptr` points to an initialized `T` in a block that stays allocated for `'f` and that
    /// nothing else owns. A value of zero bytes (a zero-sized `T`, an empty slice) needs no
    /// block: any non-null, aligned pointer will do (the region's `dangling`, `NonNull::dangling`).
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>) -> Self {
        Self {
            ptr,
            _owns: PhantomData,
        }
    }

    /// Gives up ownership: the value stays in the frame and its destructor never runs.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, FrameBox};
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let r: &mut u32 = FrameBox::leak(f.alloc(3u32));
    ///     *r += 1;
    ///     assert_eq!(*r, 4);
    /// });
    /// ```
    ///
    /// The reference lives for the frame, not longer:
    /// ```compile_fail,E0505
    /// use stackfirst::{Arena, FrameBox};
    ///
    /// let mut arena = Arena::new();
    /// let mut guard = arena.frame_guard();
    /// let r: &mut u32 = FrameBox::leak(guard.frame().alloc(1u32));
    /// drop(guard); // error: cannot move out of `guard` because it is borrowed
    /// *r += 1;
    /// ```
    #[inline]
    #[must_use]
    pub fn leak(this: Self) -> &'f mut T
    where
        T: 'f,
    {
        let this = ManuallyDrop::new(this);
        // SAFETY: the value is initialized and valid for `'f`; the box is not dropped, so this
        // is the only access from now on.
        unsafe { &mut *this.ptr.as_ptr() }
    }
}

impl<T> FrameBox<'_, T> {
    /// Moves the value out of the frame.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, FrameBox};
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     assert_eq!(FrameBox::into_inner(f.alloc(7u8)), 7);
    /// });
    /// ```
    #[inline]
    #[must_use]
    pub fn into_inner(this: Self) -> T {
        let this = ManuallyDrop::new(this);
        // SAFETY: the value is initialized; the box is not dropped, so it is read exactly once.
        unsafe { this.ptr.as_ptr().read() }
    }
}

impl<T: ?Sized> Deref for FrameBox<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: initialized and owned by this box for its lifetime.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for FrameBox<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: initialized, and uniquely owned by this box.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: ?Sized> Drop for FrameBox<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the box owns the initialized value and drops it once; the memory is the
        // frame's to reclaim.
        unsafe { self.ptr.as_ptr().drop_in_place() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for FrameBox<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for FrameBox<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + PartialEq> PartialEq for FrameBox<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: ?Sized + Eq> Eq for FrameBox<'_, T> {}

/// Compares the values, as `Box` does.
///
/// # Examples
/// ```
/// use stackfirst::ArenaBuf;
///
/// let mut memory = ArenaBuf::<64>::new();
/// memory.arena().frame(|f| {
///     let (a, b) = (f.alloc(1), f.alloc(2));
///     assert!(a < b && a.max(b) == f.alloc(2));
/// });
/// ```
impl<T: ?Sized + PartialOrd> PartialOrd for FrameBox<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: ?Sized + Ord> Ord for FrameBox<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

/// Hashes the value, as `Box` does (with `Borrow`, a `FrameBox<[T]>` key is found by a `&[T]`).
///
/// # Examples
/// ```
/// use std::collections::HashSet;
/// use stackfirst::ArenaBuf;
///
/// let mut memory = ArenaBuf::<64>::new();
/// memory.arena().frame(|f| {
///     let words: HashSet<_> = [&b"go"[..], b"rust"].map(|w| f.alloc_slice_clone(w)).into();
///     assert!(words.contains(&b"rust"[..]));
/// });
/// ```
impl<T: ?Sized + Hash> Hash for FrameBox<'_, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: ?Sized> AsRef<T> for FrameBox<'_, T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: ?Sized> AsMut<T> for FrameBox<'_, T> {
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

impl<T: ?Sized> Borrow<T> for FrameBox<'_, T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: ?Sized> BorrowMut<T> for FrameBox<'_, T> {
    fn borrow_mut(&mut self) -> &mut T {
        self
    }
}

impl<'a, T> IntoIterator for &'a FrameBox<'_, [T]> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;

    /// Iterates over the elements, as for a `Box<[T]>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| {
    ///     let words = f.alloc_iter("stack first".split(' '));
    ///     let mut lens = 0;
    ///     for w in &words {
    ///         lens += w.len();
    ///     }
    ///     assert_eq!(lens, 10);
    /// });
    /// ```
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut FrameBox<'_, [T]> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;

    /// Iterates over the elements mutably, as for a `Box<[T]>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::Arena;
    ///
    /// Arena::new().frame(|f| {
    ///     let mut squares = f.alloc_iter(1..4u32);
    ///     for x in &mut squares {
    ///         *x *= *x;
    ///     }
    ///     assert_eq!(*squares, [1, 4, 9]);
    /// });
    /// ```
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

// SAFETY: a `FrameBox` owns its `T` like a `Box` does; the frame's memory stays valid for `'f`
// on any thread that can hold it.
unsafe impl<T: ?Sized + Send> Send for FrameBox<'_, T> {}
// SAFETY: through `&FrameBox` only `&T` is reachable.
unsafe impl<T: ?Sized + Sync> Sync for FrameBox<'_, T> {}
