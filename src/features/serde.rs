use core::fmt;
use core::marker::PhantomData;

use allocator_api2::alloc::Allocator;
use serde::de::{Deserialize, Deserializer, Error as _, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::StackVec;

/// Serializes as a sequence, like `Vec<T>`.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let v: StackVec<u8> = StackVec::from([1, 2, 3]);
/// assert_eq!(serde_json::to_string(&v).unwrap(), "[1,2,3]");
/// ```
impl<T: Serialize, const N: usize, A: Allocator> Serialize for StackVec<T, N, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.as_slice())
    }
}

/// Deserializes a sequence. The input's length hint is untrusted: it reserves at most 1 MiB
/// up front (what serde itself allows `Vec`), and grows from there only as elements
/// actually arrive. More elements than the vector can hold (an [`InlineVec`](crate::InlineVec)'s
/// capacity, or what its allocator grants) are an error, not a panic.
///
/// # Examples
/// ```
/// use stackfirst::{InlineVec, StackVec};
///
/// let v: StackVec<u8> = serde_json::from_str("[1,2,3]").unwrap();
/// assert_eq!(v, [1, 2, 3]);
/// assert!(!v.spilled());
/// let full = serde_json::from_str::<InlineVec<u8, 2>>("[1,2,3]").unwrap_err();
/// assert!(full.to_string().starts_with("capacity exceeded after 2 elements"));
/// ```
impl<'de, T: Deserialize<'de>, const N: usize, A: Allocator + Default> Deserialize<'de>
    for StackVec<T, N, A>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T, const N: usize, A>(PhantomData<(T, A)>);

        impl<'de, T: Deserialize<'de>, const N: usize, A: Allocator + Default> Visitor<'de>
            for SeqVisitor<T, N, A>
        {
            type Value = StackVec<T, N, A>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                const MAX_PREALLOC_BYTES: usize = 1024 * 1024;
                let cap_limit = MAX_PREALLOC_BYTES / core::mem::size_of::<T>().max(1);
                let hint = seq.size_hint().unwrap_or(0).min(cap_limit);
                let mut v = StackVec::new_in(A::default());
                // Only a hint: a vector that cannot take it all still takes what arrives.
                let _ = v.try_reserve_exact(hint);
                while let Some(item) = seq.next_element()? {
                    let len = v.len();
                    v.try_push(item)
                        .map_err(|e| S::Error::custom(format_args!("{e} after {len} elements")))?;
                }
                // Before `v` is in the return slot, where it would leak if this unwinds
                // (rust-lang/rust#47949).
                drop(seq);
                Ok(v)
            }
        }

        deserializer.deserialize_seq(SeqVisitor::<T, N, A>(PhantomData))
    }
}

/// Serializes as a string, like `String`.
///
/// # Examples
/// ```
/// use stackfirst::StackString;
///
/// let s: StackString = StackString::from("hi");
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#""hi""#);
/// ```
impl<const N: usize, A: Allocator> Serialize for crate::StackString<N, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// Deserializes a string (or UTF-8 bytes): inline when it fits. A string longer than it can
/// hold (a fixed capacity, or what its allocator grants) is an error, not a panic.
///
/// # Examples
/// ```
/// use stackfirst::{NoHeap, StackString};
///
/// let s: StackString = serde_json::from_str(r#""hello""#).unwrap();
/// assert_eq!((s.as_str(), s.spilled()), ("hello", false));
/// let long = serde_json::from_str::<StackString<4, NoHeap>>(r#""hello""#).unwrap_err();
/// assert!(long.to_string().starts_with("capacity exceeded: 5 bytes, room for 4"));
/// ```
impl<'de, const N: usize, A: Allocator + Default> Deserialize<'de> for crate::StackString<N, A> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<const N: usize, A>(PhantomData<A>);

        impl<'de, const N: usize, A: Allocator + Default> Visitor<'de> for StrVisitor<N, A> {
            type Value = crate::StackString<N, A>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let mut s = crate::StackString::new_in(A::default());
                let room = s.capacity();
                s.try_reserve_exact(v.len()).map_err(|e| {
                    E::custom(format_args!("{e}: {} bytes, room for {room}", v.len()))
                })?;
                s.push_str(v);
                Ok(s)
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                match core::str::from_utf8(v) {
                    Ok(s) => self.visit_str(s),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
                }
            }
        }

        deserializer.deserialize_str(StrVisitor::<N, A>(PhantomData))
    }
}
