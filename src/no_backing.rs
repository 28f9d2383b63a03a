//! [`NoBacking`]: the backing allocator of an arena that never grows.

use core::alloc::Layout;
use core::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator};

/// An allocator that refuses every request: the default backing of an [`Arena`](crate::Arena)
/// built without the `alloc` feature, whose fixed memory is then all it has.
///
/// # Examples
/// ```
/// use allocator_api2::alloc::Allocator;
/// use core::alloc::Layout;
/// use stackfirst::NoBacking;
///
/// assert!(NoBacking.allocate(Layout::new::<u8>()).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoBacking;

// SAFETY: it never hands out a block, so there is nothing to keep valid or to free.
unsafe impl Allocator for NoBacking {
    #[inline]
    fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Err(AllocError)
    }

    #[inline]
    unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {
        unreachable!("NoBacking never allocates")
    }
}
