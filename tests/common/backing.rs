//! Backing allocators for arenas under test: one that counts and remembers every live block
//! (so a test can ask "is this pointer inside a chunk?" and "did anything leak?"), and can be
//! told to fail from the n-th allocation on.

use std::alloc::{Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator};

/// Forwards to `System`, counting, remembering live blocks, and refusing every allocation
/// from number `fail_from` on (counting from 0; `usize::MAX`: never).
#[derive(Default)]
pub struct TestBacking {
    allocs: Cell<usize>,
    frees: Cell<usize>,
    refused: Cell<usize>,
    fail_from: Cell<Option<usize>>,
    fail_next: Cell<usize>,
    live: RefCell<BTreeMap<usize, Layout>>,
}

impl TestBacking {
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses the allocation attempt number `n` (counting successful ones only) and all after.
    pub fn failing_from(n: usize) -> Self {
        let b = Self::default();
        b.fail_from.set(Some(n));
        b
    }

    pub fn fail_from(&self, n: Option<usize>) {
        self.fail_from.set(n);
    }

    /// Refuses the next `k` allocation attempts, then grants again.
    pub fn fail_next(&self, k: usize) {
        self.fail_next.set(k);
    }

    /// Successful allocations so far.
    pub fn allocs(&self) -> usize {
        self.allocs.get()
    }

    pub fn frees(&self) -> usize {
        self.frees.get()
    }

    pub fn refused(&self) -> usize {
        self.refused.get()
    }

    /// Blocks allocated and not yet freed.
    pub fn live_blocks(&self) -> usize {
        self.live.borrow().len()
    }

    pub fn live_bytes(&self) -> usize {
        self.live.borrow().values().map(|l| l.size()).sum()
    }

    /// Whether `addr..addr + size` lies inside one live block.
    pub fn contains(&self, addr: usize, size: usize) -> bool {
        let live = self.live.borrow();
        live.range(..=addr)
            .next_back()
            .is_some_and(|(&start, l)| addr + size <= start + l.size())
    }
}

// SAFETY: forwards to `System`; blocks stay valid until deallocated here, and each is freed
// with the layout it was allocated with (checked).
unsafe impl Allocator for TestBacking {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let once = self.fail_next.get();
        if once > 0 || self.fail_from.get().is_some_and(|n| self.allocs.get() >= n) {
            self.fail_next.set(once.saturating_sub(1));
            self.refused.set(self.refused.get() + 1);
            return Err(AllocError);
        }
        // SAFETY: arenas never ask for zero bytes.
        assert_ne!(layout.size(), 0, "a zero-sized chunk");
        let p = NonNull::new(unsafe { std::alloc::GlobalAlloc::alloc(&System, layout) })
            .ok_or(AllocError)?;
        self.allocs.set(self.allocs.get() + 1);
        self.live.borrow_mut().insert(p.as_ptr() as usize, layout);
        Ok(NonNull::slice_from_raw_parts(p, layout.size()))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let was = self.live.borrow_mut().remove(&(ptr.as_ptr() as usize));
        assert_eq!(
            was,
            Some(layout),
            "freed a block that is not live, or with another layout"
        );
        self.frees.set(self.frees.get() + 1);
        // SAFETY: allocated above with this layout, and live until now.
        unsafe { std::alloc::GlobalAlloc::dealloc(&System, ptr.as_ptr(), layout) }
    }
}
