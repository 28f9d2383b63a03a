//! Conversions to and from the std types a `String` converts to and from (with `alloc`).

#[cfg(target_has_atomic = "ptr")]
use alloc::sync::Arc;
use alloc::{borrow::Cow, boxed::Box, rc::Rc, string::String, vec::Vec};

use allocator_api2::alloc::{Allocator, Global};

use super::StackString;
use crate::StackVec;

impl<const N: usize, A: Allocator + Default> From<&String> for StackString<N, A> {
    #[track_caller]
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
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

impl<'a, const N: usize, B: ?Sized> From<StackString<N, &'a B>> for String
where
    &'a B: Allocator,
{
    /// Copies the text out of a borrowed allocator (a bump arena, an arena frame) into one exact
    /// allocation on the global heap, so that it outlives it; the old buffer goes back to its
    /// allocator.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let mut s = StackString::<8, _>::new_in(&bump);
    /// s.push_str("longer than eight bytes");
    /// let heap = String::from(s);
    /// drop(bump);
    /// assert_eq!((heap.as_str(), heap.capacity()), ("longer than eight bytes", 23));
    /// ```
    fn from(s: StackString<N, &'a B>) -> Self {
        let heap = String::from(s.as_str());
        // Freed while the copy is a local: if `deallocate` unwinds, the copy is dropped too. A
        // value being returned would be leaked (rust-lang/rust#47949).
        drop(s);
        heap
    }
}

impl<const N: usize> From<StackString<N, crate::NoHeap>> for String {
    /// Copies the text into one exact allocation on the global heap.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::InlineString;
    ///
    /// let s = InlineString::<16>::from("hi");
    /// let heap = String::from(s);
    /// assert_eq!((heap.as_str(), heap.capacity()), ("hi", 2));
    /// ```
    fn from(s: StackString<N, crate::NoHeap>) -> Self {
        String::from(s.as_str())
    }
}

impl<'a, const N: usize> From<StackString<N, Global>> for Cow<'a, str> {
    /// An owned `Cow` of the text as a `String` (see `From<StackString<N>> for String`).
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackString;
    ///
    /// let c: Cow<str> = StackString::<32>::from("hi").into();
    /// assert!(matches!(c, Cow::Owned(ref s) if s == "hi"));
    /// ```
    #[track_caller]
    fn from(s: StackString<N, Global>) -> Self {
        Cow::Owned(s.into())
    }
}

impl<'a, const N: usize, A: Allocator> From<&'a StackString<N, A>> for Cow<'a, str> {
    /// A borrowed `Cow` of the text, as `Cow::from(&String)`.
    ///
    /// # Examples
    /// ```
    /// use std::borrow::Cow;
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::<32>::from("hi");
    /// let c = Cow::from(&s);
    /// assert!(matches!(c, Cow::Borrowed(t) if t.as_ptr() == s.as_ptr() && t == "hi"));
    /// ```
    fn from(s: &'a StackString<N, A>) -> Self {
        Cow::Borrowed(s.as_str())
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
                let shared = $rc::from(s.as_str());
                // Freed before `shared` is in the return slot, where it would leak if the
                // allocator unwinds (rust-lang/rust#47949).
                drop(s);
                shared
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
                let error = Self::from(String::from(s.as_str()));
                // As in `From<StackString> for Rc<str>`.
                drop(s);
                error
            }
        }
    };
}

into_boxed_error!();
into_boxed_error!(+ Send + Sync);

impl<const N: usize, A: Allocator> Extend<String> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        for s in iter {
            self.push_str(&s);
        }
    }
}

impl<'a, const N: usize, A: Allocator> Extend<Cow<'a, str>> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = Cow<'a, str>>>(&mut self, iter: I) {
        for s in iter {
            self.push_str(&s);
        }
    }
}

impl<const N: usize, A: Allocator> Extend<Box<str>> for StackString<N, A> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = Box<str>>>(&mut self, iter: I) {
        for s in iter {
            self.push_str(&s);
        }
    }
}
