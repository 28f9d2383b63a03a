//! [`ArenaBuf`]: inline memory for a fixed [`Arena`].

use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;

use crate::arena::Arena;

/// Inline memory for an [`Arena`]: `const`-constructible, so it can be a `static` (or live in a
/// linker section via `#[link_section]`), or a local. Uninitialized, so a `static` one lands in
/// `.bss`. Taking a `static` one's arena ([`take`](Self::take)) needs compare-and-swap
/// (`target_has_atomic = "8"`): on a target without it (thumbv6m, the Cortex-M0) use
/// [`arena`](Self::arena) on a buffer you own mutably.
///
/// # Examples
/// ```
/// use stackfirst::ArenaBuf;
///
/// static SCRATCH: ArenaBuf<1024> = ArenaBuf::new();
///
/// let mut arena = SCRATCH.take().expect("taken once");
/// assert!(SCRATCH.take().is_none()); // a second taker would alias the memory
/// arena.frame(|f| assert_eq!(*f.alloc(7u8), 7));
///
/// let mut local = ArenaBuf::<64>::new();
/// assert_eq!(local.arena().capacity(), 64);
/// ```
///
/// The `Arena` borrows the buffer mutably until it is dropped (it frees its chunks then), so
/// drop it before taking the buffer's arena again:
/// ```
/// use stackfirst::ArenaBuf;
///
/// let mut local = ArenaBuf::<64>::new();
/// let mut first = local.arena();
/// first.frame(|f| assert_eq!(*f.alloc(1u8), 1));
/// drop(first);
/// local.arena().frame(|f| assert_eq!(f.used(), 0));
/// ```
///
/// Two arenas over one buffer at once would hand out the same bytes twice:
/// ```compile_fail,E0499
/// use stackfirst::ArenaBuf;
///
/// let mut local = ArenaBuf::<64>::new();
/// let first = local.arena();
/// let second = local.arena(); // error: cannot borrow `local` as mutable more than once
/// drop((first, second));
/// ```
#[repr(C, align(16))] // the bytes first, aligned: no padding before the first allocation
pub struct ArenaBuf<const BYTES: usize> {
    bytes: UnsafeCell<[MaybeUninit<u8>; BYTES]>,
    taken: core::sync::atomic::AtomicBool,
}

// SAFETY: the bytes are reachable only through the single `Arena` that `take` hands out (the
// atomic flag makes sure of that across threads) or through `&mut self`.
unsafe impl<const BYTES: usize> Sync for ArenaBuf<BYTES> {}

impl<const BYTES: usize> ArenaBuf<BYTES> {
    /// Uninitialized memory, not yet taken.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// static BUF: ArenaBuf<4096> = ArenaBuf::new();
    /// let mut arena = BUF.take().unwrap();
    /// assert_eq!((arena.capacity(), arena.used()), (4096, 0));
    /// ```
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bytes: UnsafeCell::new([MaybeUninit::uninit(); BYTES]),
            taken: core::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The arena over a `static` buffer: `Some` the first time, `None` after (on any thread).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// static BUF: ArenaBuf<64> = ArenaBuf::new();
    /// assert!(BUF.take().is_some());
    /// assert!(BUF.take().is_none());
    /// ```
    #[cfg(target_has_atomic = "8")]
    #[must_use]
    pub fn take(&'static self) -> Option<Arena<'static>> {
        if self.taken.swap(true, core::sync::atomic::Ordering::Acquire) {
            return None;
        }
        // SAFETY: the flag was false and is now true for good: this is the only reference to the
        // bytes that will ever exist, and they live for `'static`.
        Some(Arena::from_memory(unsafe { &mut *self.bytes.get() }))
    }

    /// The arena over this buffer, borrowed.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut buf = ArenaBuf::<128>::new();
    /// let mut arena = buf.arena();
    /// arena.frame(|f| assert_eq!(f.alloc_str("go"), "go"));
    /// ```
    #[must_use]
    pub fn arena(&mut self) -> Arena<'_> {
        Arena::from_memory(self.bytes.get_mut())
    }
}

impl<const BYTES: usize> Default for ArenaBuf<BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize> fmt::Debug for ArenaBuf<BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArenaBuf")
            .field("bytes", &BYTES)
            .field(
                "taken",
                &self.taken.load(core::sync::atomic::Ordering::Relaxed),
            )
            .finish()
    }
}
