//! Backing allocators for arenas under test: one that counts and remembers every live block
//! (so a test can ask "is this pointer inside a chunk?" and "did anything leak?"), and can be
//! told to fail from the n-th allocation on. It takes its blocks from the system allocator, or
//! from any other allocator it wraps (a bump allocator places chunks next to each other;
//! `Shifted` at a chosen offset from a page boundary).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator};

/// Forwards to `inner`, counting, remembering live blocks, and refusing every allocation
/// from number `fail_from` on (counting from 0; `usize::MAX`: never).
pub struct TestBacking<A = Heap> {
    inner: A,
    allocs: Cell<usize>,
    frees: Cell<usize>,
    refused: Cell<usize>,
    fail_from: Cell<Option<usize>>,
    fail_next: Cell<usize>,
    live: RefCell<BTreeMap<usize, Layout>>,
    /// Whether a zero-sized request is a bug (an arena's chunk) or allowed (a container's).
    zero_sized_ok: bool,
}

/// `System` as an `Allocator` (allocator-api2 has that impl only with its `std` feature).
pub struct Heap;

/// The block `System` is asked for: at least one byte (it must not be asked for zero), so
/// zero-sized blocks have addresses of their own too.
fn padded(layout: Layout) -> Layout {
    Layout::from_size_align(layout.size().max(1), layout.align()).unwrap()
}

// SAFETY: forwards to `System`, which keeps blocks valid until they are deallocated.
unsafe impl Allocator for Heap {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: `padded` is not zero-sized.
        let p = NonNull::new(unsafe { System.alloc(padded(layout)) }).ok_or(AllocError)?;
        Ok(NonNull::slice_from_raw_parts(p, layout.size()))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: allocated above with this layout, padded the same way (the caller's contract).
        unsafe { System.dealloc(ptr.as_ptr(), padded(layout)) }
    }
}

/// An allocator that never hands out a block.
#[derive(Default, Clone, Copy)]
pub struct Refuse;

// SAFETY: never hands out a block, so `deallocate` is never called.
unsafe impl Allocator for Refuse {
    fn allocate(&self, _: Layout) -> Result<NonNull<[u8]>, AllocError> {
        Err(AllocError)
    }
    unsafe fn deallocate(&self, _: NonNull<u8>, _: Layout) {
        unreachable!()
    }
}

/// `System` with every block placed `shift` bytes past a page boundary, so that a test can
/// cover each placement of its chunks rather than whichever the heap happens to give.
pub struct Shifted(pub usize);

const PAGE: usize = 4096;

impl Shifted {
    fn outer(&self, layout: Layout) -> Layout {
        assert!(
            self.0 < PAGE && self.0 % layout.align() == 0,
            "an aligned shift"
        );
        Layout::from_size_align(layout.size() + PAGE, PAGE).unwrap()
    }
}

// SAFETY: each block lies inside a `System` block of its own, aligned as asked (a page
// boundary plus a multiple of the alignment), and stays valid until deallocated here.
unsafe impl Allocator for Shifted {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: `outer` is at least a page in size.
        let p = NonNull::new(unsafe { System.alloc(self.outer(layout)) }).ok_or(AllocError)?;
        // SAFETY: `shift` is less than the page added to the size: inside the block.
        let p = unsafe { p.add(self.0) };
        Ok(NonNull::slice_from_raw_parts(p, layout.size()))
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: `allocate` gave out the outer block's start plus `shift`, with this layout
        // (the caller's contract).
        unsafe { System.dealloc(ptr.as_ptr().sub(self.0), self.outer(layout)) }
    }
}

impl TestBacking {
    pub fn new() -> Self {
        Self::over(Heap)
    }

    /// For containers: zero-sized requests, which the `Allocator` trait allows, are granted.
    pub fn any_size() -> Self {
        Self {
            zero_sized_ok: true,
            ..Self::new()
        }
    }

    /// Refuses the allocation attempt number `n` (counting successful ones only) and all after.
    pub fn failing_from(n: usize) -> Self {
        let b = Self::new();
        b.fail_from.set(Some(n));
        b
    }
}

impl<A> TestBacking<A> {
    /// Takes its blocks from `inner`.
    pub fn over(inner: A) -> Self {
        Self {
            inner,
            allocs: Cell::default(),
            frees: Cell::default(),
            refused: Cell::default(),
            fail_from: Cell::default(),
            fail_next: Cell::default(),
            live: RefCell::default(),
            zero_sized_ok: false,
        }
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
        self.block_of(addr, size).is_some()
    }

    /// The start of the live block that `addr..addr + size` lies inside.
    pub fn block_of(&self, addr: usize, size: usize) -> Option<usize> {
        let live = self.live.borrow();
        let (&start, l) = live.range(..=addr).next_back()?;
        (addr + size <= start + l.size()).then_some(start)
    }
}

// SAFETY: forwards to `inner`; blocks stay valid until deallocated here, and each is freed
// with the layout it was allocated with (checked).
unsafe impl<A: Allocator> Allocator for TestBacking<A> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let once = self.fail_next.get();
        if once > 0 || self.fail_from.get().is_some_and(|n| self.allocs.get() >= n) {
            self.fail_next.set(once.saturating_sub(1));
            self.refused.set(self.refused.get() + 1);
            return Err(AllocError);
        }
        assert!(
            self.zero_sized_ok || layout.size() > 0,
            "a zero-sized chunk"
        );
        let p = self.inner.allocate(layout)?.cast::<u8>();
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
        unsafe { self.inner.deallocate(ptr, layout) }
    }
}
