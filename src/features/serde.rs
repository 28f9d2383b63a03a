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
