use core::fmt;
use core::marker::PhantomData;

use allocator_api2::alloc::Allocator;
use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
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

/// Deserializes a sequence. The input's length hint is untrusted: it reserves at most 1 MiB of
/// elements up front (what serde itself allows `Vec`), and grows from there only as elements
/// actually arrive.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
///
/// let v: StackVec<u8> = serde_json::from_str("[1,2,3]").unwrap();
/// assert_eq!(v, [1, 2, 3]);
/// assert!(!v.spilled());
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
                v.reserve_exact(hint);
                while let Some(item) = seq.next_element()? {
                    v.push(item);
                }
                Ok(v)
            }
        }

        deserializer.deserialize_seq(SeqVisitor::<T, N, A>(PhantomData))
    }
}

#[cfg(feature = "alloc")]
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

#[cfg(feature = "alloc")]
/// Deserializes a string (or UTF-8 bytes): inline when it fits.
///
/// # Examples
/// ```
/// use stackfirst::StackString;
///
/// let s: StackString = serde_json::from_str(r#""hello""#).unwrap();
/// assert_eq!((s.as_str(), s.spilled()), ("hello", false));
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
                Ok(crate::StackString::from(v))
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                match core::str::from_utf8(v) {
                    Ok(s) => Ok(crate::StackString::from(s)),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
                }
            }
        }

        deserializer.deserialize_str(StrVisitor::<N, A>(PhantomData))
    }
}
