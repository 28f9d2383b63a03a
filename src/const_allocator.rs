//! [`ConstAllocator`]: the allocators that `new()` can name by itself.

use core::marker::PhantomData;

use allocator_api2::alloc::Allocator;

/// An allocator with a single value known at compile time, such as the global heap
/// (`allocator_api2::alloc::Global`) and [`NoHeap`](crate::NoHeap). For these,
/// [`StackVec::new`](crate::StackVec::new) and [`StackString::new`](crate::StackString::new)
/// need no allocator argument and work in `const` and `static` items: `InlineVec::new()`
/// makes a fixed-capacity vector as `StackVec::new()` makes a growable one.
///
/// Implement it for an allocator of your own that is a unit value (for example a handle to a
/// `static` pool).
///
/// # Examples
/// ```
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
/// use stackfirst::{ConstAllocator, StackVec};
///
/// /// The global heap, under a name of its own.
/// #[derive(Clone, Copy)]
/// struct Heap;
///
/// // SAFETY: every call is forwarded to `Global`, which upholds the contract.
/// unsafe impl Allocator for Heap {
///     fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
///         Global.allocate(layout)
///     }
///     unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
///         // SAFETY: `ptr` came from `Global` with `layout` (the caller's contract).
///         unsafe { Global.deallocate(ptr, layout) }
///     }
/// }
///
/// impl ConstAllocator for Heap {
///     const VALUE: Self = Heap;
/// }
///
/// static EMPTY: StackVec<u32, 16, Heap> = StackVec::new();
/// let mut v: StackVec<u32, 16, Heap> = StackVec::new();
/// v.extend(0..10); // spills through `Heap`
/// assert!(v.spilled() && EMPTY.is_empty());
/// ```
pub trait ConstAllocator: Allocator {
    /// The allocator.
    const VALUE: Self;

    /// `Some` for [`NoHeap`](crate::NoHeap) alone (the proof exists only when `Self` is
    /// `NoHeap`, and its type cannot be named outside this crate): its vectors never spill, so
    /// `new()` leaves their capacity word zero and an empty `static` is all zeros (`.bss`).
    #[doc(hidden)]
    const NO_HEAP: Option<Same<Self, crate::NoHeap>> = None;
}

/// A proof that `A` and `B` are one type: its only value is [`Same::PROOF`], which exists only
/// for `Same<T, T>` (invariant in both, so subtyping cannot turn one into another).
pub struct Same<A: ?Sized, B: ?Sized>(PhantomData<(*mut A, *mut B)>);

impl<T: ?Sized> Same<T, T> {
    /// The proof that `T` is `T`.
    pub const PROOF: Self = Same(PhantomData);
}

#[cfg(feature = "alloc")]
impl ConstAllocator for allocator_api2::alloc::Global {
    const VALUE: Self = allocator_api2::alloc::Global;
}

impl ConstAllocator for crate::NoHeap {
    const VALUE: Self = crate::NoHeap;
    const NO_HEAP: Option<Same<Self, crate::NoHeap>> = Some(Same::PROOF);
}
