#[cfg(feature = "alloc")]
use alloc::{borrow::Cow, string::String};
use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Add, AddAssign, Deref, DerefMut, Index, IndexMut};
use core::slice::SliceIndex;
use core::str::FromStr;

use allocator_api2::alloc::Allocator;

use super::{FromUtf8Error, StackString};
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

/// As a trait (not only through `Deref`), so a `C: Index<Range<usize>>` bound accepts a
/// `StackString`, as it does a `String`.
impl<I: SliceIndex<str>, const N: usize, A: Allocator> Index<I> for StackString<N, A> {
    type Output = I::Output;

    /// Indexes the text, as `String`'s `Index`: panics where `str` indexing does (a bound
    /// past the end or inside a char).
    ///
    /// # Examples
    /// ```
    /// use core::ops::Index;
    /// use stackfirst::StackString;
    ///
    /// fn head<S: Index<core::ops::RangeTo<usize>, Output = str>>(s: &S) -> &str {
    ///     &s[..2]
    /// }
    /// assert_eq!(head(&StackString::<32>::from("abc")), "ab");
    /// assert_eq!(&StackString::<32>::from("añb")[1..3], "ñ");
    /// ```
    #[inline]
    fn index(&self, index: I) -> &I::Output {
        Index::index(self.as_str(), index)
    }
}

impl<I: SliceIndex<str>, const N: usize, A: Allocator> IndexMut<I> for StackString<N, A> {
    /// Indexes the text mutably, as `String`'s `IndexMut`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s = StackString::<32>::from("abc");
    /// s[1..].make_ascii_uppercase();
    /// assert_eq!(s, "aBC");
    /// ```
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut I::Output {
        IndexMut::index_mut(self.as_mut_str(), index)
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

    /// As `String`'s: reuses this string's buffer (no allocation when `source` fits).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let mut s: StackString = StackString::with_capacity(100);
    /// s.clone_from(&StackString::from("longer than the thirty-two inline bytes"));
    /// assert_eq!(s.capacity(), 100);
    /// ```
    fn clone_from(&mut self, source: &Self) {
        // The vector's `clone_from` overwrites the common prefix before it grows for the rest,
        // and that prefix may end inside a char: growing first keeps the text whole if the
        // allocator panics.
        self.vec
            .reserve(source.len().saturating_sub(self.vec.len()));
        self.vec.clone_from(&source.vec);
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

/// Against the same type only (unlike `==`), so that the right-hand side is inferred as for
/// `String` (`a < "b".parse()?`); across budgets, compare the [`as_str`](StackString::as_str)s.
impl<const N: usize, A: Allocator> PartialOrd for StackString<N, A> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
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
impl_str_eq!(str, &str);
#[cfg(feature = "alloc")]
impl_str_eq!(String, Cow<'_, str>);

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

#[cfg(feature = "std")]
impl<const N: usize, A: Allocator> std::net::ToSocketAddrs for StackString<N, A> {
    type Iter = std::vec::IntoIter<std::net::SocketAddr>;

    /// The text's addresses, as `String`'s (`str::to_socket_addrs`).
    ///
    /// # Examples
    /// ```
    /// use std::net::{SocketAddr, ToSocketAddrs};
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from("127.0.0.1:8080");
    /// let addrs: Vec<SocketAddr> = s.to_socket_addrs().unwrap().collect();
    /// assert_eq!(addrs, ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]);
    /// ```
    fn to_socket_addrs(&self) -> std::io::Result<Self::Iter> {
        self.as_str().to_socket_addrs()
    }
}

#[cfg(feature = "std")]
impl<const N: usize> From<StackString<N, allocator_api2::alloc::Global>> for std::ffi::OsString {
    /// Through `String` (see `From<StackString<N>> for String`), as `OsString`'s
    /// `From<String>`: a spilled string's buffer is handed over without copying.
    ///
    /// # Examples
    /// ```
    /// use std::ffi::OsString;
    /// use stackfirst::StackString;
    ///
    /// let os = OsString::from(StackString::<32>::from("hi"));
    /// assert_eq!(os, "hi");
    /// ```
    #[track_caller]
    fn from(s: StackString<N, allocator_api2::alloc::Global>) -> Self {
        String::from(s).into()
    }
}

#[cfg(feature = "std")]
impl<const N: usize> From<StackString<N, allocator_api2::alloc::Global>> for std::path::PathBuf {
    /// Through `String` (see `From<StackString<N>> for String`), as `PathBuf`'s
    /// `From<String>`: a spilled string's buffer is handed over without copying.
    ///
    /// # Examples
    /// ```
    /// use std::path::PathBuf;
    /// use stackfirst::StackString;
    ///
    /// let path = PathBuf::from(StackString::<32>::from("dir/file.txt"));
    /// assert_eq!(path.file_name().unwrap(), "file.txt");
    /// ```
    #[track_caller]
    fn from(s: StackString<N, allocator_api2::alloc::Global>) -> Self {
        String::from(s).into()
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
        let mut vec = StackVec::with_capacity_in(s.len(), A::default());
        vec.extend_from_copy_slice(s.as_bytes());
        // SAFETY: the bytes of a `str` are UTF-8.
        unsafe { Self::from_utf8_unchecked(vec) }
    }
}

impl<const N: usize, A: Allocator + Default> From<&mut str> for StackString<N, A> {
    #[track_caller]
    fn from(s: &mut str) -> Self {
        Self::from(&*s)
    }
}

impl<const N: usize, A: Allocator + Default> From<char> for StackString<N, A> {
    #[track_caller]
    fn from(c: char) -> Self {
        Self::from(&*c.encode_utf8(&mut [0; 4]))
    }
}

impl<const N: usize, A: Allocator + Clone> From<&StackString<N, A>> for StackString<N, A> {
    /// A clone, as `String`'s `From<&String>`: inline when the text fits, else one exact heap
    /// allocation from a clone of the allocator.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from("hi");
    /// let t = StackString::from(&s);
    /// assert_eq!((t.as_str(), t.spilled()), ("hi", false));
    /// ```
    #[cfg_attr(feature = "spill-report", track_caller)]
    fn from(s: &StackString<N, A>) -> Self {
        s.clone()
    }
}

impl<const N: usize, A: Allocator> From<StackString<N, A>> for StackVec<u8, N, A> {
    /// [`into_bytes`](StackString::into_bytes), as `Vec<u8>`'s `From<String>`: the bytes keep
    /// their storage (inline, or the heap buffer), with no allocation.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let v = StackVec::from(StackString::<32>::from("hi"));
    /// assert_eq!((v.as_slice(), v.spilled()), (&b"hi"[..], false));
    /// ```
    fn from(s: StackString<N, A>) -> Self {
        s.into_bytes()
    }
}

impl<const N: usize, A: Allocator> TryFrom<StackVec<u8, N, A>> for StackString<N, A> {
    type Error = FromUtf8Error<N, A>;

    /// [`from_utf8`](StackString::from_utf8), as `String`'s `TryFrom<Vec<u8>>`: the bytes
    /// become the string without a copy when they are UTF-8, and come back in the error
    /// otherwise.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{StackString, StackVec};
    ///
    /// let s = StackString::try_from(StackVec::<u8, 32>::from("hi")).unwrap();
    /// assert_eq!(s, "hi");
    /// let err = StackString::try_from(StackVec::<u8, 32>::from(&[b'a', 0xff])).unwrap_err();
    /// assert_eq!(err.into_bytes(), [b'a', 0xff]);
    /// ```
    fn try_from(bytes: StackVec<u8, N, A>) -> Result<Self, Self::Error> {
        Self::from_utf8(bytes)
    }
}

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
    #[cfg_attr(feature = "spill-report", track_caller)]
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
        // A loop, not `for_each`: `push` in a closure would report the closure's line as the
        // panic's location, not the caller's.
        for c in iter {
            self.push(c);
        }
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
        for s in iter {
            self.push_str(s);
        }
    }
}

impl<const N: usize, A: Allocator, const M: usize, B: Allocator> Extend<StackString<M, B>>
    for StackString<N, A>
{
    /// Appends each string, as `String`'s `Extend<String>`, whatever its budget or allocator.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::{InlineString, StackString};
    ///
    /// let mut s = StackString::<32>::from("a");
    /// s.extend([InlineString::<4>::from("b"), InlineString::from("c")]);
    /// assert_eq!(s, "abc");
    /// ```
    #[track_caller]
    fn extend<I: IntoIterator<Item = StackString<M, B>>>(&mut self, iter: I) {
        for s in iter {
            self.push_str(&s);
        }
    }
}

impl<const N: usize, A: Allocator + Default, const M: usize, B: Allocator>
    FromIterator<StackString<M, B>> for StackString<N, A>
{
    /// Concatenates the strings, as `String`'s `FromIterator<String>`.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let words = ["ab", "cd"].map(StackString::<32>::from);
    /// let s: StackString = words.into_iter().collect();
    /// assert_eq!(s, "abcd");
    /// ```
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = StackString<M, B>>>(iter: I) -> Self {
        let mut s = Self::new_in(A::default());
        s.extend(iter);
        s
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
impl_from_iter!(char, &'a char, &'a str);
#[cfg(feature = "alloc")]
impl_from_iter!(String, Cow<'a, str>, alloc::boxed::Box<str>);

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
