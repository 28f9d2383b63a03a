//! The errors of the fallible (`try_*`) `StackVec` API.

use core::alloc::Layout;
use core::fmt;

/// Why a [`StackVec::try_reserve`](crate::StackVec::try_reserve) (or `try_reserve_exact`) failed.
/// The vector is unchanged when this is returned.
///
/// # Examples
/// ```
/// use stackfirst::{StackVec, TryReserveErrorKind};
///
/// let mut v: StackVec<u64> = StackVec::new();
/// let err = v.try_reserve(usize::MAX).unwrap_err();
/// assert_eq!(err.kind(), TryReserveErrorKind::CapacityOverflow);
/// assert_eq!(err.to_string(), "capacity overflow");
/// assert!(v.is_empty() && !v.spilled());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryReserveError {
    kind: TryReserveErrorKind,
}

/// The kind of a [`TryReserveError`].
///
/// # Examples
/// ```
/// use stackfirst::{InlineVec, StackVec, TryReserveErrorKind};
///
/// let mut fixed: InlineVec<u8, 2> = InlineVec::new();
/// assert_eq!(fixed.try_reserve(3).unwrap_err().kind(), TryReserveErrorKind::CapacityExceeded);
/// let mut growing: StackVec<u8> = StackVec::new();
/// let kind = growing.try_reserve(usize::MAX).unwrap_err().kind();
/// assert_eq!(kind, TryReserveErrorKind::CapacityOverflow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryReserveErrorKind {
    /// The requested capacity exceeds `isize::MAX` bytes (or `usize::MAX` elements).
    CapacityOverflow,
    /// The allocator could not provide a block of this layout.
    AllocError {
        /// The layout that was requested.
        layout: Layout,
    },
    /// The inline buffer is full and the vector never allocates (its allocator is
    /// [`NoHeap`](crate::NoHeap)).
    CapacityExceeded,
}

impl TryReserveError {
    /// What went wrong.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackVec, TryReserveErrorKind};
    ///
    /// let mut v: StackVec<u8> = StackVec::new();
    /// let kind = v.try_reserve_exact(usize::MAX).unwrap_err().kind();
    /// assert_eq!(kind, TryReserveErrorKind::CapacityOverflow);
    /// ```
    #[must_use]
    pub fn kind(&self) -> TryReserveErrorKind {
        self.kind
    }

    /// The infallible APIs' outcome: panic with "capacity overflow" or "capacity exceeded", or
    /// report the allocation failure to `handle_alloc_error` (which aborts by default, as for
    /// `Vec`). Without the `alloc` feature there is no `handle_alloc_error`: it panics with std's
    /// message instead.
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        match self.kind {
            TryReserveErrorKind::CapacityOverflow => panic!("capacity overflow"),
            TryReserveErrorKind::CapacityExceeded => panic!("capacity exceeded"),
            #[cfg(feature = "alloc")]
            TryReserveErrorKind::AllocError { layout } => alloc::alloc::handle_alloc_error(layout),
            #[cfg(not(feature = "alloc"))]
            TryReserveErrorKind::AllocError { layout } => {
                panic!("memory allocation of {} bytes failed", layout.size())
            }
        }
    }
}

impl From<TryReserveErrorKind> for TryReserveError {
    fn from(kind: TryReserveErrorKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for TryReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TryReserveErrorKind::CapacityOverflow => f.write_str("capacity overflow"),
            TryReserveErrorKind::CapacityExceeded => f.write_str("capacity exceeded"),
            TryReserveErrorKind::AllocError { layout } => write!(
                f,
                "memory allocation of {} bytes (align {}) failed",
                layout.size(),
                layout.align()
            ),
        }
    }
}

impl core::error::Error for TryReserveError {}

/// A [`try_push`](crate::StackVec::try_push) or [`try_insert`](crate::StackVec::try_insert)
/// that found no room: the value comes back, with the reason.
///
/// # Examples
/// ```
/// use stackfirst::{InlineVec, TryReserveErrorKind};
///
/// let mut v: InlineVec<u32, 8> = InlineVec::new();
/// v.try_push(1).unwrap();
/// v.try_push(2).unwrap();
/// let err = v.try_push(3).unwrap_err();
/// assert_eq!(err.error().kind(), TryReserveErrorKind::CapacityExceeded);
/// assert_eq!(err.into_value(), 3);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TryPushError<T> {
    value: T,
    error: TryReserveError,
}

impl<T> TryPushError<T> {
    pub(crate) fn new(value: T, error: TryReserveError) -> Self {
        Self { value, error }
    }

    /// The panicking API's outcome: raises the reason. The value is held meanwhile, so that, as
    /// for `Vec`, it is dropped while unwinding (its `Drop` cannot replace the panic or stop an
    /// abort).
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        let _value = self.value;
        self.error.raise()
    }

    /// The value that was not stored.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::InlineVec;
    ///
    /// let mut v: InlineVec<char, 0> = InlineVec::new();
    /// assert_eq!(v.try_push('x').unwrap_err().into_value(), 'x');
    /// ```
    #[must_use]
    pub fn into_value(self) -> T {
        self.value
    }

    /// Why there was no room.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::InlineVec;
    ///
    /// let mut v: InlineVec<char, 0> = InlineVec::new();
    /// assert_eq!(v.try_push('x').unwrap_err().error().to_string(), "capacity exceeded");
    /// ```
    #[must_use]
    pub fn error(&self) -> TryReserveError {
        self.error
    }
}

/// Shows the reason, not the value (which need not be `Debug`), like std's `SendError`.
impl<T> fmt::Debug for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryPushError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<T> core::error::Error for TryPushError<T> {}

/// The reason alone, so that `?` can mix [`try_push`](crate::StackVec::try_push) with the
/// methods that return a [`TryReserveError`]. The value is dropped: take it first with
/// [`into_value`](TryPushError::into_value) to keep it.
///
/// # Examples
/// ```
/// use stackfirst::{InlineVec, TryReserveError};
///
/// fn fill(v: &mut InlineVec<u8, 2>) -> Result<(), TryReserveError> {
///     v.try_extend_from_slice(&[1, 2])?;
///     v.try_push(3)?;
///     Ok(())
/// }
/// let mut v = InlineVec::new();
/// assert_eq!(fill(&mut v).unwrap_err().to_string(), "capacity exceeded");
/// assert_eq!(v, [1, 2]);
/// ```
impl<T> From<TryPushError<T>> for TryReserveError {
    fn from(e: TryPushError<T>) -> Self {
        e.error
    }
}
