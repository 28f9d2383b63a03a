use allocator_api2::alloc::Allocator;
use zeroize::Zeroize;

use crate::StackVec;

/// Zeroizes the elements, clears the vector, and zeroes the whole buffer (inline bytes or heap
/// capacity), so no copy of the data stays behind in the spare capacity.
///
/// A vector that spilled left a copy of its inline elements in the inline bytes: this wipes them
/// too. Heap buffers already freed (by growth, or by `shrink_to_fit` back inline) and bytes past
/// a block that the allocator shrank in place are out of reach: reserve up front for secrets.
///
/// # Examples
/// ```
/// use stackfirst::StackVec;
/// use zeroize::Zeroize;
///
/// let mut key: StackVec<u8> = StackVec::from([7u8; 16]);
/// key.zeroize();
/// assert!(key.is_empty());
/// ```
impl<T: Zeroize, const N: usize, A: Allocator> Zeroize for StackVec<T, N, A> {
    fn zeroize(&mut self) {
        self.iter_mut().for_each(Zeroize::zeroize);
        self.clear();
        self.spare_capacity_mut().zeroize();
        self.raw.stale_inline_bytes().zeroize();
    }
}

/// Zeroizes like the bytes' `StackVec` (the text, the spare capacity and any stale inline copy),
/// leaving an empty string.
///
/// # Examples
/// ```
/// use stackfirst::StackString;
/// use zeroize::Zeroize;
///
/// let mut password: StackString = StackString::from("hunter2");
/// password.zeroize();
/// assert!(password.is_empty());
/// ```
impl<const N: usize, A: Allocator> Zeroize for crate::StackString<N, A> {
    fn zeroize(&mut self) {
        // SAFETY: the zeroized vector is empty, which is valid UTF-8.
        unsafe { self.as_mut_vec() }.zeroize();
    }
}
