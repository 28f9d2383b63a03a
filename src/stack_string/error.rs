use core::fmt;
use core::str::Utf8Error;

use allocator_api2::alloc::Allocator;

use crate::StackVec;

/// The error of [`StackString::from_utf8`](super::StackString::from_utf8): the bytes, given back
/// unchanged, and where they stopped being UTF-8 (the same [`Utf8Error`] `String::from_utf8`
/// reports).
///
/// # Examples
/// ```
/// use stackfirst::{StackString, StackVec};
///
/// let bytes: StackVec<u8> = StackVec::from([0xe2, 0x82]);
/// let err = StackString::from_utf8(bytes).unwrap_err();
/// let std_err = String::from_utf8(vec![0xe2, 0x82]).unwrap_err();
/// assert_eq!(err.utf8_error(), std_err.utf8_error());
/// assert_eq!(err.to_string(), std_err.to_string());
/// assert_eq!(err.as_bytes(), &[0xe2, 0x82]);
/// ```
pub struct FromUtf8Error<const N: usize, A: Allocator> {
    bytes: StackVec<u8, N, A>,
    error: Utf8Error,
}

impl<const N: usize, A: Allocator> FromUtf8Error<N, A> {
    pub(super) fn new(bytes: StackVec<u8, N, A>, error: Utf8Error) -> Self {
        Self { bytes, error }
    }

    /// The bytes that were not UTF-8.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let err = StackString::from_utf8(StackVec::<u8>::from([0xff])).unwrap_err();
    /// assert_eq!(err.as_bytes(), &[0xff]);
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Gives the bytes back, without copying.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let err = StackString::from_utf8(StackVec::<u8>::from([b'a', 0xff])).unwrap_err();
    /// assert_eq!(err.into_bytes(), [b'a', 0xff]);
    /// ```
    pub fn into_bytes(self) -> StackVec<u8, N, A> {
        self.bytes
    }

    /// Where and how the bytes stopped being UTF-8.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let err = StackString::from_utf8(StackVec::<u8>::from([b'o', b'k', 0xff])).unwrap_err();
    /// assert_eq!(err.utf8_error().valid_up_to(), 2);
    /// ```
    pub fn utf8_error(&self) -> Utf8Error {
        self.error
    }
}

impl<const N: usize, A: Allocator> fmt::Debug for FromUtf8Error<N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromUtf8Error")
            .field("bytes", &self.bytes)
            .field("error", &self.error)
            .finish()
    }
}

impl<const N: usize, A: Allocator> fmt::Display for FromUtf8Error<N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<const N: usize, A: Allocator + Clone> Clone for FromUtf8Error<N, A> {
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
            error: self.error,
        }
    }
}

impl<const N: usize, A: Allocator> PartialEq for FromUtf8Error<N, A> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.error == other.error
    }
}

impl<const N: usize, A: Allocator> Eq for FromUtf8Error<N, A> {}

impl<const N: usize, A: Allocator> core::error::Error for FromUtf8Error<N, A> {}

/// The error of [`StackString::from_utf16`](super::StackString::from_utf16): the code units held
/// an unpaired surrogate. Its message is `String::from_utf16`'s.
///
/// # Examples
/// ```
/// use stackfirst::StackString;
///
/// let err = StackString::<32>::from_utf16(&[0x61, 0xD800]).unwrap_err();
/// let std_err = String::from_utf16(&[0x61, 0xD800]).unwrap_err();
/// assert_eq!(err.to_string(), std_err.to_string());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FromUtf16Error(pub(super) ());

impl fmt::Display for FromUtf16Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid utf-16: lone surrogate found")
    }
}

impl core::error::Error for FromUtf16Error {}
