use core::fmt;
use core::iter::FusedIterator;
use core::str;

use allocator_api2::alloc::Allocator;

/// The iterator of [`StackString::drain`](super::StackString::drain): yields the chars of the
/// removed range. The range leaves the string when the `Drain` is dropped, whether or not it was
/// consumed (leaking it with `mem::forget` leaves the string cut at the range's start).
///
/// # Examples
/// ```
/// use stackfirst::StackString;
///
/// let mut s: StackString = StackString::from("añb");
/// let mut d = s.drain(1..);
/// assert_eq!(d.next(), Some('ñ'));
/// assert_eq!(d.as_str(), "b");
/// drop(d);
/// assert_eq!(s, "a");
/// ```
pub struct Drain<'a, const N: usize, A: Allocator> {
    /// The bytes of the range: they start and end on char boundaries, and this type takes whole
    /// chars from either end, so what is left is always UTF-8.
    bytes: crate::stack_vec::Drain<'a, u8, N, A>,
}

impl<'a, const N: usize, A: Allocator> Drain<'a, N, A> {
    /// Called by `StackString::drain` with a range on char boundaries.
    pub(super) fn new(bytes: crate::stack_vec::Drain<'a, u8, N, A>) -> Self {
        Self { bytes }
    }

    /// The chars not yet yielded.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("abc");
    /// let mut d = s.drain(..);
    /// d.next_back();
    /// assert_eq!(d.as_str(), "ab");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        // SAFETY: the unyielded bytes are UTF-8 (see the field).
        unsafe { str::from_utf8_unchecked(self.bytes.as_slice()) }
    }
}

impl<const N: usize, A: Allocator> AsRef<str> for Drain<'_, N, A> {
    /// [`as_str`](Drain::as_str), as `string::Drain`'s `AsRef<str>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("añb");
    /// let mut d = s.drain(..);
    /// d.next();
    /// let rest: &str = d.as_ref();
    /// assert_eq!(rest, "ñb");
    /// ```
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize, A: Allocator> AsRef<[u8]> for Drain<'_, N, A> {
    /// The bytes of [`as_str`](Drain::as_str), as `string::Drain`'s `AsRef<[u8]>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::from("añb");
    /// let mut d = s.drain(..);
    /// d.next_back();
    /// let rest: &[u8] = d.as_ref();
    /// assert_eq!(rest, "añ".as_bytes());
    /// ```
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl<const N: usize, A: Allocator> Iterator for Drain<'_, N, A> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        let ch = self.as_str().chars().next()?;
        self.bytes.nth(ch.len_utf8() - 1);
        Some(ch)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let bytes = self.bytes.len();
        (bytes.div_ceil(4), Some(bytes))
    }

    #[inline]
    fn last(mut self) -> Option<char> {
        self.next_back()
    }
}

impl<const N: usize, A: Allocator> DoubleEndedIterator for Drain<'_, N, A> {
    #[inline]
    fn next_back(&mut self) -> Option<char> {
        let ch = self.as_str().chars().next_back()?;
        self.bytes.nth_back(ch.len_utf8() - 1);
        Some(ch)
    }
}

impl<const N: usize, A: Allocator> FusedIterator for Drain<'_, N, A> {}

impl<const N: usize, A: Allocator> fmt::Debug for Drain<'_, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Drain").field(&self.as_str()).finish()
    }
}
