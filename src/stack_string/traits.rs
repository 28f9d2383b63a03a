use alloc::borrow::Cow;
use alloc::boxed::Box;
#[cfg(target_has_atomic = "ptr")]
use alloc::sync::Arc;
use alloc::{rc::Rc, string::String, vec::Vec};
use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Add, AddAssign, Deref, DerefMut};
use core::str::FromStr;

use allocator_api2::alloc::{Allocator, Global};

use super::StackString;
use crate::{StackVec, TryReserveError};

impl<const N: usize, A: Allocator> Deref for StackString<N, A> {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize, A: Allocator> DerefMut for StackString<N, A> {
    #[inline]
    fn deref_mut(&mut self) -> &mut str {
        self.as_mut_str()
    }
}

impl<const N: usize, A: Allocator + Clone> Clone for StackString<N, A> {
    /// Inline when the text fits, else one exact heap allocation.
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn clone(&self) -> Self {
        Self {
            vec: self.vec.clone(),
        }
    }
}

impl<const N: usize, A: Allocator + Default> Default for StackString<N, A> {
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn default() -> Self {
        Self::new_in(A::default())
    }
}

impl<const N: usize, A: Allocator> fmt::Display for StackString<N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl<const N: usize, A: Allocator> fmt::Debug for StackString<N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Hashes like `str` and `String`, so `Borrow<str>` lookups in hash maps work.
impl<const N: usize, A: Allocator> Hash for StackString<N, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl<const N: usize, A: Allocator> Eq for StackString<N, A> {}

/// By their text, across budgets and allocators (as `==` compares).
///
/// # Examples
/// ```
/// use stackfirst::StackString;
///
/// let short: StackString<8> = StackString::from("apple");
/// let long: StackString = StackString::from("banana");
/// assert!(short < long);
/// ```
impl<const N: usize, const M: usize, A: Allocator, B: Allocator> PartialOrd<StackString<M, B>>
    for StackString<N, A>
{
    fn partial_cmp(&self, other: &StackString<M, B>) -> Option<Ordering> {
        Some(self.as_str().cmp(other.as_str()))
    }
}

impl<const N: usize, A: Allocator> Ord for StackString<N, A> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<const N: usize, const M: usize, A: Allocator, B: Allocator> PartialEq<StackString<M, B>>
    for StackString<N, A>
{
    #[inline]
    fn eq(&self, other: &StackString<M, B>) -> bool {
        self.as_str() == other.as_str()
    }
}

/// `StackString == $rhs` and `$rhs == StackString`, by their text.
macro_rules! impl_str_eq {
    ($($rhs:ty),*) => {$(
        impl<const N: usize, A: Allocator> PartialEq<$rhs> for StackString<N, A> {
            #[inline]
            fn eq(&self, other: &$rhs) -> bool {
                self.as_str() == &other[..]
            }
        }
        impl<const N: usize, A: Allocator> PartialEq<StackString<N, A>> for $rhs {
            #[inline]
            fn eq(&self, other: &StackString<N, A>) -> bool {
                &self[..] == other.as_str()
            }
        }
    )*};
}
impl_str_eq!(str, &str, String, Cow<'_, str>);

impl<const N: usize, A: Allocator> AsRef<str> for StackString<N, A> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl<const N: usize, A: Allocator> AsMut<str> for StackString<N, A> {
    fn as_mut(&mut self) -> &mut str {
        self
    }
}

impl<const N: usize, A: Allocator> AsRef<[u8]> for StackString<N, A> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

#[cfg(feature = "std")]
impl<const N: usize, A: Allocator> AsRef<std::ffi::OsStr> for StackString<N, A> {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.as_str().as_ref()
    }
}

#[cfg(feature = "std")]
impl<const N: usize, A: Allocator> AsRef<std::path::Path> for StackString<N, A> {
    fn as_ref(&self) -> &std::path::Path {
        self.as_str().as_ref()
    }
}

impl<const N: usize, A: Allocator> Borrow<str> for StackString<N, A> {
    fn borrow(&self) -> &str {
        self
    }
}

impl<const N: usize, A: Allocator> BorrowMut<str> for StackString<N, A> {
    fn borrow_mut(&mut self) -> &mut str {
        self
    }
}

impl<const N: usize, A: Allocator + Default> From<&str> for StackString<N, A> {
    /// Inline when the text fits, else one allocation of exactly its length (as `String::from`
    /// allocates): no growth arithmetic, no copy of empty inline bytes.
    ///
    /// # Panics
    /// With "capacity exceeded" when the text does not fit a string that cannot grow
    /// ([`NoHeap`](crate::NoHeap)): [`parse`](str::parse) or
    /// [`try_push_str`](StackString::try_push_str) report that as an error.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let long = "a line longer than the 32-byte budget";
    /// let s: StackString = StackString::from(long);
    /// assert_eq!((s.as_str(), s.capacity()), (long, long.len()));
    /// ```
    #[inline]
    #[track_caller]
    fn from(s: &str) -> Self {
        // SAFETY: the bytes of a `str` are UTF-8.
        unsafe { Self::from_utf8_unchecked(StackVec::from(s.as_bytes())) }
    }
}

impl<const N: usize, A: Allocator + Default> From<&mut str> for StackString<N, A> {
    #[track_caller]
    fn from(s: &mut str) -> Self {
        Self::from(&*s)
    }
}

impl<const N: usize, A: Allocator + Default> From<&String> for StackString<N, A> {
    #[track_caller]
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
    }
}

impl<const N: usize, A: Allocator + Default> From<char> for StackString<N, A> {
    #[track_caller]
    fn from(c: char) -> Self {
        Self::from(&*c.encode_utf8(&mut [0; 4]))
    }
}

impl<const N: usize> From<String> for StackString<N, Global> {
    /// Adopts the `String`'s heap buffer without copying (see `StackVec`'s `From<Vec<T>>`).
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(s: String) -> Self {
        // SAFETY: a `String`'s bytes are UTF-8.
        unsafe { Self::from_utf8_unchecked(StackVec::from(s.into_bytes())) }
    }
}

impl<const N: usize> From<StackString<N, Global>> for String {
    /// [`StackString::into_heap_exact`]: one exact allocation if the text was inline.
    #[track_caller]
    fn from(s: StackString<N, Global>) -> Self {
        s.into_heap_exact()
    }
}

impl<const N: usize> From<StackString<N, Global>> for Box<str> {
    /// [`StackString::into_boxed_str`].
    #[track_caller]
    fn from(s: StackString<N, Global>) -> Self {
        s.into_boxed_str()
    }
}

impl<const N: usize> From<StackString<N, Global>> for Vec<u8> {
    /// The bytes, as [`into_bytes`](StackString::into_bytes) then `Vec::from`: the heap buffer
    /// handed over, or one exact allocation if the text was inline.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bytes: Vec<u8> = StackString::<32>::from("hi").into();
    /// assert_eq!(bytes, b"hi");
    /// ```
    #[track_caller]
    fn from(s: StackString<N, Global>) -> Self {
        s.into_bytes().into()
    }
}

impl<const N: usize, A: Allocator> From<&StackString<N, A>> for String {
    /// Copies the text into a new `String`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from("hi");
    /// assert_eq!(String::from(&s), "hi");
    /// ```
    fn from(s: &StackString<N, A>) -> Self {
        String::from(s.as_str())
    }
}

impl<const N: usize> From<Box<str>> for StackString<N, Global> {
    /// Adopts the box's buffer without copying (as `From<String>`).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from(Box::<str>::from("boxed"));
    /// assert_eq!((s.as_str(), s.spilled()), ("boxed", true));
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(b: Box<str>) -> Self {
        Self::from(b.into_string())
    }
}

impl<const N: usize, A: Allocator + Default> From<Cow<'_, str>> for StackString<N, A> {
    /// Copies the text in (inline when it fits, as `From<&str>`), borrowed or owned.
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from(Cow::from(String::from("owned")));
    /// assert_eq!((s.as_str(), s.spilled()), ("owned", false));
    /// ```
    #[track_caller]
    fn from(s: Cow<'_, str>) -> Self {
        Self::from(&*s)
    }
}

/// `From<StackString>` for a shared `str`: one allocation of exactly the text's length.
macro_rules! into_shared_str {
    ($(#[$cfg:meta])* $rc:ident in $module:ident) => {
        $(#[$cfg])*
        impl<const N: usize, A: Allocator> From<StackString<N, A>> for $rc<str> {
            /// Copies the text into one allocation of exactly its length.
            ///
            /// # Examples
            /// ```
            /// use stackfirst::StackString;
            #[doc = concat!("use std::", stringify!($module), "::", stringify!($rc), ";")]
            ///
            #[doc = concat!("let s: ", stringify!($rc), "<str> = StackString::<32>::from(\"shared\").into();")]
            /// assert_eq!(&*s, "shared");
            /// ```
            fn from(s: StackString<N, A>) -> Self {
                $rc::from(s.as_str())
            }
        }
    };
}

into_shared_str!(Rc in rc);
into_shared_str!(#[cfg(target_has_atomic = "ptr")] Arc in sync);

/// `From<StackString>` for a boxed error, as `String` has (`Err(stack_format!(..).into())`).
macro_rules! into_boxed_error {
    ($($bounds:tt)*) => {
        impl<'a, const N: usize, A: Allocator> From<StackString<N, A>>
            for Box<dyn core::error::Error $($bounds)* + 'a>
        {
            /// The text as the error's message (`Display` and `Debug`), as `From<String>` does.
            ///
            /// # Examples
            /// ```
            /// use std::error::Error;
            /// use stackfirst::stack_format;
            ///
            /// fn check(n: u32) -> Result<(), Box<dyn Error + Send + Sync>> {
            ///     Err(stack_format!("{n} is odd").into())
            /// }
            /// assert_eq!(check(3).unwrap_err().to_string(), "3 is odd");
            /// ```
            fn from(s: StackString<N, A>) -> Self {
                Self::from(String::from(s.as_str()))
            }
        }
    };
}

into_boxed_error!();
into_boxed_error!(+ Send + Sync);

/// `str::parse`, which, unlike `From<&str>`, reports a text that does not fit a string that
/// cannot grow ([`NoHeap`](crate::NoHeap)), or an allocation failure, as an error.
///
/// # Examples
/// ```
/// use stackfirst::{NoHeap, StackString, TryReserveErrorKind};
///
/// let key: StackString = "user:42".parse().unwrap();
/// assert_eq!(key, "user:42");
/// let err = "too long".parse::<StackString<4, NoHeap>>().unwrap_err();
/// assert_eq!(err.kind(), TryReserveErrorKind::CapacityExceeded);
/// ```
impl<const N: usize, A: Allocator + Default> FromStr for StackString<N, A> {
    type Err = TryReserveError;
    fn from_str(s: &str) -> Result<Self, TryReserveError> {
        let mut string = Self::new_in(A::default());
        string.vec.try_reserve_exact(s.len())?;
        string.push_str(s);
        Ok(string)
    }
}

impl<const N: usize, A: Allocator> Extend<char> for StackString<N, A> {
    /// Reserves the iterator's lower size hint (a hint, never trusted for the writes).
    #[track_caller]
    fn extend<I: IntoIterator<Item = char>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        let _ = self.try_reserve(iter.size_hint().0);
        iter.for_each(|c| self.push(c));
    }
}

impl<'a, const N: usize, A: Allocator> Extend<&'a char> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = &'a char>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied())
    }
}

impl<'a, const N: usize, A: Allocator> Extend<&'a str> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = &'a str>>(&mut self, iter: I) {
        iter.into_iter().for_each(|s| self.push_str(s));
    }
}

impl<const N: usize, A: Allocator> Extend<String> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        iter.into_iter().for_each(|s| self.push_str(&s));
    }
}

impl<'a, const N: usize, A: Allocator> Extend<Cow<'a, str>> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = Cow<'a, str>>>(&mut self, iter: I) {
        iter.into_iter().for_each(|s| self.push_str(&s));
    }
}

/// `FromIterator` for every item `Extend` takes.
macro_rules! impl_from_iter {
    ($($item:ty),*) => {$(
        impl<'a, const N: usize, A: Allocator + Default> FromIterator<$item> for StackString<N, A> {
            #[track_caller]
            fn from_iter<I: IntoIterator<Item = $item>>(iter: I) -> Self {
                let mut s = Self::new_in(A::default());
                s.extend(iter);
                s
            }
        }
    )*};
}
impl_from_iter!(char, &'a char, &'a str, String, Cow<'a, str>);

impl<const N: usize, A: Allocator> Add<&str> for StackString<N, A> {
    type Output = Self;
    /// Appends `other`, reusing `self`'s buffer (like `String + &str`).
    #[track_caller]
    fn add(mut self, other: &str) -> Self {
        self.push_str(other);
        self
    }
}

impl<const N: usize, A: Allocator> AddAssign<&str> for StackString<N, A> {
    #[track_caller]
    fn add_assign(&mut self, other: &str) {
        self.push_str(other);
    }
}
