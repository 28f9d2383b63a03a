//! The error of the `try_reserve*` family.

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
/// use stackfirst::TryReserveErrorKind;
///
/// let kind = TryReserveErrorKind::CapacityOverflow;
/// assert!(matches!(kind, TryReserveErrorKind::CapacityOverflow));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryReserveErrorKind {
    /// The requested capacity exceeds `isize::MAX` bytes (or `usize::MAX` elements).
    CapacityOverflow,
    /// The allocator could not provide a block of this layout.
    AllocError {
        /// The layout that was requested.
        layout: Layout,
    },
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
    pub fn kind(&self) -> TryReserveErrorKind {
        self.kind
    }

    /// The infallible APIs' outcome: panic with "capacity overflow", or report the allocation
    /// failure to `handle_alloc_error` (which aborts by default).
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        match self.kind {
            TryReserveErrorKind::CapacityOverflow => panic!("capacity overflow"),
            TryReserveErrorKind::AllocError { layout } => alloc::alloc::handle_alloc_error(layout),
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
