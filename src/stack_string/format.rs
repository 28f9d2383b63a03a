//! Building a [`StackString`] in one go: [`stack_format!`](crate::stack_format) (`format!`) and
//! [`stack_concat!`](crate::stack_concat) (Go's `concatstrings`).

use core::fmt::{self, Write};

use allocator_api2::alloc::Allocator;
#[cfg(feature = "alloc")]
use allocator_api2::alloc::Global;

use super::StackString;
use crate::no_heap::is_no_heap;
use crate::TryReserveError;

#[cfg(feature = "alloc")]
impl StackString<32, Global> {
    /// `format!` into a `StackString`: no allocation when the text fits the 32 inline bytes.
    /// [`stack_format!`](crate::stack_format) calls this.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::format(format_args!("{}-{}", 4, 2));
    /// assert_eq!(s, "4-2");
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn format(args: fmt::Arguments<'_>) -> Self {
        Self::format_in(args, Global)
    }

    /// The concatenation of `parts`, as Go's `concatstrings` builds it: the total length first,
    /// then inline if it fits, else exactly one allocation of exactly that length.
    /// [`stack_concat!`](crate::stack_concat) calls this.
    ///
    /// # Panics
    /// With "capacity overflow" when the total length exceeds `isize::MAX`, and with "capacity
    /// exceeded" when it exceeds `N` for a string that cannot grow ([`NoHeap`](crate::NoHeap)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let s = StackString::concat(&["user", ":", "42"]);
    /// assert_eq!((s.as_str(), s.spilled()), ("user:42", false));
    /// ```
    #[inline]
    #[track_caller]
    #[must_use]
    pub fn concat(parts: &[&str]) -> Self {
        Self::concat_in(parts, Global)
    }
}

impl<const N: usize, A: Allocator> StackString<N, A> {
    /// [`format`](StackString::format) into a string with this budget that spills into `alloc`
    /// (a `&Frame`, a `&bumpalo::Bump`, ...).
    ///
    /// # Panics
    /// If a formatting trait implementation returns an error, and with
    /// [`NoHeap`](crate::NoHeap) (which cannot grow) if the text does not fit.
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s = StackString::<8, _>::format_in(format_args!("{:>12}", "right"), &bump);
    /// assert_eq!((s.as_str(), s.spilled()), ("       right", true));
    /// ```
    #[inline]
    #[track_caller]
    pub fn format_in(args: fmt::Arguments<'_>, alloc: A) -> Self {
        let mut s = Self::new_in(alloc);
        match args.as_str() {
            Some(literal) => s.push_str(literal),
            None if is_no_heap::<A>() => {
                if let Err(refused) = write_recorded(&mut s, args) {
                    format_failed(refused.is_some())
                }
            }
            None => {
                if s.write_fmt(args).is_err() {
                    format_failed(false)
                }
            }
        }
        s
    }

    /// [`format_in`](Self::format_in) that reports failure instead of panicking or aborting,
    /// for a string that cannot grow ([`NoHeap`](crate::NoHeap)) or one that spills into a fixed
    /// arena frame or any allocator that may refuse (for a `&mut str` in the frame itself, see
    /// [`Frame::try_alloc_fmt`](crate::Frame::try_alloc_fmt)).
    ///
    /// # Errors
    /// The [`TryReserveError`] of the first piece of text (a `write_str` or `write_char` call
    /// of the formatting: literal text, or an argument's output or a part of it) that neither
    /// fits nor can be made room for
    /// ([`TryReserveErrorKind::CapacityExceeded`](crate::TryReserveErrorKind) for `NoHeap`),
    /// also when the `Display` that wrote it swallowed the error. The text built so far is
    /// dropped, its memory given back.
    ///
    /// # Panics
    /// If a formatting trait implementation returns an error of its own, as `format!` does.
    ///
    /// # Examples
    /// ```
    /// use core::mem::MaybeUninit;
    /// use stackfirst::{Arena, StackString};
    ///
    /// let mut memory = [MaybeUninit::uninit(); 64];
    /// Arena::from_memory(&mut memory).frame(|f| {
    ///     let line = StackString::<8, _>::try_format_in(format_args!("{:>20}", 7), &f).unwrap();
    ///     assert_eq!((line.len(), line.spilled()), (20, true));
    ///     drop(line);
    ///     let too_long = StackString::<8, _>::try_format_in(format_args!("{:>100}", 7), &f);
    ///     assert!(too_long.is_err());
    ///     assert_eq!(f.used(), 0); // nothing kept
    /// });
    /// ```
    #[inline]
    pub fn try_format_in(args: fmt::Arguments<'_>, alloc: A) -> Result<Self, TryReserveError> {
        let mut s = Self::new_in(alloc);
        s.try_write_fmt(args)?;
        Ok(s)
    }

    /// `write!` that reports failure instead of panicking or aborting: appends the formatted
    /// text all or nothing, for a string that spills into a fixed arena frame or any allocator
    /// that may refuse (whose `write!` aborts, as `String`'s does), or a string that cannot
    /// grow ([`NoHeap`](crate::NoHeap), whose `write!` keeps the pieces that fitted). Call it
    /// with `format_args!`.
    ///
    /// # Errors
    /// The [`TryReserveError`] of the first piece of text that neither fits nor can be made
    /// room for, as [`try_format_in`](Self::try_format_in) reports it; the string is then as it
    /// was before the call (its capacity may have grown).
    ///
    /// # Panics
    /// If a formatting trait implementation returns an error of its own, as `format!` does.
    /// The string is as it was before the call then too, and when a formatting trait
    /// implementation or the allocator panics.
    ///
    /// # Examples
    /// A log line in a fixed arena frame:
    /// ```
    /// use stackfirst::{ArenaBuf, Frame, StackString};
    ///
    /// let mut memory = ArenaBuf::<32>::new();
    /// memory.arena().frame(|f| {
    ///     let mut line: StackString<8, &Frame> = StackString::new_in(&f);
    ///     line.try_write_fmt(format_args!("t={} ", 12)).unwrap();
    ///     let (name, value) = ("pressure", 1013);
    ///     line.try_write_fmt(format_args!("{name}={value} hPa")).unwrap(); // spills
    ///     assert_eq!(line, "t=12 pressure=1013 hPa");
    ///     assert!(line.try_write_fmt(format_args!(" {:>64}", "x")).is_err()); // the frame is full
    ///     assert_eq!(line, "t=12 pressure=1013 hPa"); // unchanged
    /// });
    /// ```
    #[inline]
    pub fn try_write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), TryReserveError> {
        /// Cuts the string back to `len` when dropped: on an error, and when a formatting
        /// trait implementation or the allocator unwinds.
        struct Undo<'a, const N: usize, A: Allocator> {
            s: &'a mut StackString<N, A>,
            len: usize,
        }
        impl<const N: usize, A: Allocator> Drop for Undo<'_, N, A> {
            fn drop(&mut self) {
                // Whole `str`s were appended after `len`: it is on a char boundary.
                self.s.truncate(self.len);
            }
        }
        let undo = Undo {
            len: self.len(),
            s: self,
        };
        match write_recorded(undo.s, args) {
            Ok(()) => {
                core::mem::forget(undo);
                Ok(())
            }
            Err(refused) => {
                drop(undo);
                refused.map_or_else(|| format_failed(false), Err)
            }
        }
    }

    /// [`concat`](StackString::concat) into a string with this budget that spills into
    /// `alloc`.
    ///
    /// # Panics
    /// With "capacity overflow" when the total length exceeds `isize::MAX`, and with "capacity
    /// exceeded" when it exceeds `N` for a string that cannot grow ([`NoHeap`](crate::NoHeap)).
    ///
    /// # Examples
    /// ```
    /// use stackfirst::StackString;
    ///
    /// let bump = bumpalo::Bump::new();
    /// let s = StackString::<4, _>::concat_in(&["ab", "cd", "ef"], &bump);
    /// assert_eq!((s.as_str(), s.capacity()), ("abcdef", 6));
    /// ```
    #[inline]
    #[track_caller]
    pub fn concat_in(parts: &[&str], alloc: A) -> Self {
        let Some(total) = parts.iter().try_fold(0usize, |n, p| n.checked_add(p.len())) else {
            panic!("capacity overflow")
        };
        let mut s = Self::with_capacity_in(total, alloc);
        for part in parts {
            s.push_str(part); // never grows: the capacity holds `total` bytes
        }
        s
    }

    /// `stack_format!(in alloc; ..)`: the allocator first, as in
    /// [`StackVec::__in_from_iter`](crate::StackVec).
    #[doc(hidden)]
    #[inline]
    #[track_caller]
    pub fn __in_format(alloc: A, args: fmt::Arguments<'_>) -> Self {
        Self::format_in(args, alloc)
    }

    /// `stack_concat!(in alloc; ..)`: the allocator first, as in
    /// [`StackVec::__in_from_iter`](crate::StackVec).
    #[doc(hidden)]
    #[inline]
    #[track_caller]
    pub fn __in_concat(alloc: A, parts: &[&str]) -> Self {
        Self::concat_in(parts, alloc)
    }
}

/// The panic of a [`format_in`](StackString::format_in) whose writing failed. A function of its
/// own, and cold, so that the caller's branch to it stays marked unlikely (measured: with the
/// allocator test in line, `stack_format!` saved one more register per call).
#[cold]
#[track_caller]
fn format_failed(full: bool) -> ! {
    if full {
        panic!("capacity exceeded");
    }
    panic!("a formatting trait implementation returned an error");
}

/// `fmt::Write` that appends each piece all or nothing (`try_push_str`), remembering the first
/// piece that did not fit and refusing every piece after it (a `Display` may swallow the error
/// and go on writing: what follows a lost piece is not kept either, so the text stays a prefix
/// of the whole).
struct Recording<'a, const N: usize, A: Allocator> {
    s: &'a mut StackString<N, A>,
    refused: Option<TryReserveError>,
}

impl<const N: usize, A: Allocator> Write for Recording<'_, N, A> {
    #[inline]
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        if self.refused.is_some() {
            return Err(fmt::Error);
        }
        self.s.try_push_str(piece).map_err(|refused| {
            self.refused = Some(refused);
            fmt::Error
        })
    }
}

/// `write!` that fails when a piece did not fit (`Err(Some(_))`), even if the `Display` that
/// wrote it swallowed the error and returned `Ok`, or when a `Display` failed (`Err(None)`);
/// the string keeps what was written before that piece.
pub(super) fn write_recorded<const N: usize, A: Allocator>(
    s: &mut StackString<N, A>,
    args: fmt::Arguments<'_>,
) -> Result<(), Option<TryReserveError>> {
    let mut w = Recording { s, refused: None };
    let failed = fmt::write(&mut w, args).is_err();
    match w.refused {
        Some(refused) => Err(Some(refused)),
        None if failed => Err(None),
        None => Ok(()),
    }
}

/// `format!` into a [`StackString`]: no allocation when the text fits its 32 inline bytes,
/// the usual growth when it does not.
///
/// * `stack_format!("...", args)` gives a `StackString` (32 bytes, spilling to the heap: the
///   `alloc` feature);
/// * `stack_format!(in alloc; "...", args)` gives a `StackString<32, A>` that spills into
///   `alloc` (a `&Frame`, a `&bumpalo::Bump`, ...).
///
/// For another budget, call [`StackString::format_in`] with `format_args!`; for an error
/// instead of a panic or an abort when the allocator refuses, [`StackString::try_format_in`].
///
/// # Examples
/// ```
/// use core::mem::MaybeUninit;
/// use stackfirst::{stack_format, Arena};
///
/// let id = 42;
/// let key = stack_format!("user:{id}");
/// assert_eq!((key.as_str(), key.spilled()), ("user:42", false));
///
/// let mut memory = [MaybeUninit::uninit(); 512];
/// let mut arena = Arena::from_memory(&mut memory);
/// arena.frame(|f| {
///     let line = stack_format!(in &f; "{id:>40}"); // 40 bytes: spills into the frame
///     assert!(line.spilled() && f.used() >= 40);
/// });
/// ```
#[macro_export]
macro_rules! stack_format {
    // The allocator first, where it is written (see `StackVec::__in_from_iter`).
    (in $alloc:expr; $($arg:tt)*) => {
        $crate::StackString::<32, _>::__in_format($alloc, ::core::format_args!($($arg)*))
    };
    ($($arg:tt)*) => {
        $crate::__on_global_heap!(format(::core::format_args!($($arg)*)))
    };
}

/// Concatenates string slices (anything that is `AsRef<str>`) as Go's `concatstrings` does:
/// the total length first, then inline when it fits 32 bytes, else exactly one allocation of
/// exactly that length (the `alloc` feature). `stack_concat!(in alloc; a, b, ...)` spills into
/// `alloc` instead (with `NoHeap`, never allocating).
///
/// # Examples
/// ```
/// use stackfirst::stack_concat;
///
/// let (user, host) = ("ada", String::from("example.org"));
/// let s = stack_concat!(user, "@", host);
/// assert_eq!((s.as_str(), s.spilled()), ("ada@example.org", false));
///
/// let long = stack_concat!(host, "/", host, "/", host);
/// assert_eq!(long.capacity(), long.len()); // one exact allocation
///
/// let bump = bumpalo::Bump::new();
/// let in_bump = stack_concat!(in &bump; long, "!");
/// assert!(in_bump.spilled());
/// ```
#[macro_export]
macro_rules! stack_concat {
    // The allocator first, where it is written (see `StackVec::__in_from_iter`).
    (in $alloc:expr; $($part:expr),* $(,)?) => {
        $crate::StackString::<32, _>::__in_concat(
            $alloc,
            &[$(::core::convert::AsRef::<str>::as_ref(&$part)),*],
        )
    };
    ($($part:expr),* $(,)?) => {
        $crate::__on_global_heap!(concat(&[$(::core::convert::AsRef::<str>::as_ref(&$part)),*]))
    };
}

/// The arms of [`stack_format!`] and [`stack_concat!`] without `in alloc;`: a `StackString` of
/// the global heap, which needs the `alloc` feature.
#[doc(hidden)]
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! __on_global_heap {
    ($method:ident($($args:tt)*)) => {
        <$crate::StackString>::$method($($args)*)
    };
}

/// Without the `alloc` feature there is no global heap: a message that says so, where the
/// compiler would only report `StackString`'s missing generic arguments.
#[doc(hidden)]
#[cfg(not(feature = "alloc"))]
#[macro_export]
macro_rules! __on_global_heap {
    ($($t:tt)*) => {
        ::core::compile_error!(
            "without `in alloc;`, stack_format! and stack_concat! spill to the global heap, which \
             needs stackfirst's `alloc` feature; for a string that never allocates, \
             `InlineString::<N>::try_format_in(format_args!(...), NoHeap)` returns an error when \
             the text does not fit (`stack_format!(in stackfirst::NoHeap; ...)` panics then)"
        )
    };
}
