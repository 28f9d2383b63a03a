//! [`ArenaError`]: why an arena could not serve a request.

use core::alloc::Layout;
use core::fmt;
use core::panic::Location;

/// An arena could not serve a request. `try_*` methods return it; the panicking ones panic with
/// its message (`arena exhausted: requested N bytes (align A), M remaining`, or the limit's or
/// the backing allocator's message) followed by the location of the call that failed, as in
/// `(at src/main.rs:10:7)`. A failed request changes nothing in the arena, with one exception: a
/// collecting request ([`try_alloc_iter`](crate::Frame::try_alloc_iter),
/// [`try_alloc_fmt`](crate::Frame::try_alloc_fmt)), which grows its block as it goes, may have
/// outgrown a chunk and moved on to a new one before it failed. The new chunk then stays the
/// current one, and the block left behind stays in use until the frame ends.
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::{Arena, ArenaErrorKind};
///
/// let mut buf = [MaybeUninit::uninit(); 16];
/// let mut arena = Arena::from_memory(&mut buf);
/// arena.frame(|f| {
///     let err = f.try_alloc([0u64; 4]).unwrap_err();
///     assert_eq!(err.kind(), ArenaErrorKind::Exhausted);
///     assert_eq!(err.layout().size(), 32);
///     let align = align_of::<u64>(); // 8 on most targets, 4 on some 32-bit ones
///     assert_eq!(err.to_string(), format!("arena exhausted: requested 32 bytes (align {align}), {} remaining", err.remaining()));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArenaError {
    kind: ArenaErrorKind,
    layout: Layout,
    remaining: usize,
}

/// The kind of an [`ArenaError`].
///
/// # Examples
/// ```
/// use stackfirst::{Arena, ArenaErrorKind};
///
/// let mut arena = Arena::new();
/// arena.set_allocation_limit(Some(0));
/// arena.frame(|f| {
///     assert_eq!(f.try_alloc(1u8).unwrap_err().kind(), ArenaErrorKind::LimitReached);
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArenaErrorKind {
    /// A fixed arena (over memory the caller gave, with no backing allocator) is full.
    Exhausted,
    /// A new chunk would take the arena past its
    /// [allocation limit](crate::Arena::set_allocation_limit).
    LimitReached,
    /// The backing allocator refused a new chunk (or the request is too large for any chunk),
    /// or the request came from inside the backing allocator while it was being asked for one
    /// (an arena does not take a chunk in the middle of taking one).
    BackingFailed,
}

impl ArenaError {
    #[inline]
    pub(crate) fn new(kind: ArenaErrorKind, layout: Layout, remaining: usize) -> Self {
        Self {
            kind,
            layout,
            remaining,
        }
    }

    /// What went wrong.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, ArenaErrorKind};
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// Arena::from_memory(&mut buf).frame(|f| {
    ///     assert_eq!(f.try_alloc(1u64).unwrap_err().kind(), ArenaErrorKind::Exhausted);
    /// });
    /// ```
    #[must_use]
    pub fn kind(&self) -> ArenaErrorKind {
        self.kind
    }

    /// The layout that was requested.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::Arena;
    ///
    /// let mut buf = [MaybeUninit::uninit(); 4];
    /// Arena::from_memory(&mut buf).frame(|f| {
    ///     assert_eq!(f.try_alloc(1u64).unwrap_err().layout(), core::alloc::Layout::new::<u64>());
    /// });
    /// ```
    #[must_use]
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The free bytes the arena's current chunk had (before alignment padding).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::ArenaBuf;
    ///
    /// let mut buf = ArenaBuf::<16>::new();
    /// buf.arena().frame(|f| {
    ///     assert_eq!(f.try_alloc([0u64; 4]).unwrap_err().remaining(), 16);
    /// });
    /// ```
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.remaining
    }

    /// Panics with the error and the location of the call that failed (as documented above).
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        self.raise_at(Location::caller())
    }

    /// Panics with the error and the location of the call that failed (for slow paths behind a
    /// function pointer, where `#[track_caller]` cannot reach; `#[track_caller]` so that through
    /// `raise` the panic's own location is the call's too).
    #[cold]
    #[track_caller]
    pub(crate) fn raise_at(self, at: &Location<'_>) -> ! {
        panic!("{self} (at {at})")
    }
}

impl fmt::Display for ArenaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ArenaErrorKind::Exhausted => "arena exhausted",
            ArenaErrorKind::LimitReached => "arena allocation limit reached",
            ArenaErrorKind::BackingFailed => "arena's backing allocator failed",
        };
        write!(
            f,
            "{what}: requested {} bytes (align {}), {} remaining",
            self.layout.size(),
            self.layout.align(),
            self.remaining
        )
    }
}

impl core::error::Error for ArenaError {}

/// `unwrap` for the panicking allocation methods: [`ArenaError::raise`] at the caller's location.
/// (Through `unwrap_or_else(|e| e.raise())` the location would be the closure's, in this crate.)
pub(crate) trait OrRaise<T> {
    fn or_raise(self) -> T;
}

impl<T> OrRaise<T> for Result<T, ArenaError> {
    #[inline]
    #[track_caller]
    fn or_raise(self) -> T {
        match self {
            Ok(value) => value,
            Err(e) => e.raise(),
        }
    }
}
