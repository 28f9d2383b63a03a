//! Values being returned when a later destructor unwinds: a value already in the return slot
//! is not dropped then (rust-lang/rust#47949), so the crate drops what may unwind (a source
//! buffer, a closure, a `SeqAccess`) before it returns; and destructors that unwind partway
//! (a backing allocator's `deallocate`) must not lose the rest of what the crate owns. Each
//! test failed before its fix (found by adversarial review).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::NonNull;

use stackfirst::allocator_api2::alloc::{AllocError, Allocator, Global};
use stackfirst::{Arena, StackString, StackVec};

use common::{caught, live, panic_message, Tracked};

/// The system allocator, counting this thread's live blocks (to see a leaked `Rc<str>` or
/// `Box<dyn Error>`, which hold no `Tracked`).
struct LiveBlocks;

thread_local! {
    static LIVE_BLOCKS: Cell<isize> = const { Cell::new(0) };
}

fn bump(by: isize) {
    let _ = LIVE_BLOCKS.try_with(|c| c.set(c.get() + by));
}

fn live_blocks() -> isize {
    LIVE_BLOCKS.with(Cell::get)
}

// SAFETY: forwards every call to `System` unchanged; the counter does not allocate.
unsafe impl GlobalAlloc for LiveBlocks {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(1);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(1);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(-1);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: LiveBlocks = LiveBlocks;

/// Over `Global`; counts its live blocks and, when told, frees a block and then unwinds (once:
/// the flag goes off as it panics).
#[derive(Default)]
struct Unwinding {
    live: Cell<isize>,
    panic_in_dealloc: Cell<bool>,
}

// SAFETY: every block comes from `Global` and goes back to it with its layout; the panic comes
// after the block is freed.
unsafe impl Allocator for Unwinding {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let p = Global.allocate(layout)?;
        self.live.set(self.live.get() + 1);
        Ok(p)
    }
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.live.set(self.live.get() - 1);
        unsafe { Global.deallocate(ptr, layout) }
        if self.panic_in_dealloc.replace(false) {
            panic!("deallocate panics on purpose");
        }
    }
}

/// Panics when dropped (captured by a closure or embedded in an iterator).
struct Bomb;
impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("bomb");
    }
}

/// `From<StackString<N, A>>` for `Rc<str>`, `Arc<str>` and `Box<dyn Error>` free the source
/// string before the result is returned.
#[test]
fn stack_string_into_rc_arc_box_error_free_the_result_when_deallocate_unwinds() {
    use std::error::Error;
    use std::rc::Rc;
    use std::sync::Arc;
    type S<'a> = StackString<8, &'a Unwinding>;
    type Case = (&'static str, fn(S<'_>));
    let cases: [Case; 3] = [
        ("Rc<str>", |s| drop(Rc::<str>::from(s))),
        ("Arc<str>", |s| drop(Arc::<str>::from(s))),
        ("Box<dyn Error>", |s| drop(Box::<dyn Error>::from(s))),
    ];
    // Warm up the panic machinery (hook, thread-locals) so that it allocates nothing below.
    drop(caught(|| panic!("warm-up")));
    let mut leaked = vec![];
    for (name, convert) in cases {
        let a = Unwinding::default();
        let mut s: S<'_> = StackString::new_in(&a);
        s.push_str("longer than the eight inline bytes");
        assert!(
            s.as_bytes().len() > 8 && a.live.get() == 1,
            "{name}: spilled"
        );
        let before = live_blocks();
        a.panic_in_dealloc.set(true);
        let r = caught(|| convert(s));
        a.panic_in_dealloc.set(false);
        let msg = panic_message(&*r.unwrap_err());
        assert_eq!(msg, "deallocate panics on purpose", "{name}");
        assert_eq!(a.live.get(), 0, "{name}: the source block is freed");
        let after = live_blocks();
        if after != before {
            leaked.push((name, after - before));
        }
    }
    assert!(
        leaked.is_empty(),
        "results never freed (blocks): {leaked:?}"
    );
}

#[cfg(feature = "serde")]
mod serde_case {
    use super::*;
    use serde::de::{DeserializeSeed, SeqAccess};
    use serde::Deserialize;

    /// A tracked element that deserializes from a `u64`.
    pub struct Elem(#[allow(dead_code)] pub Tracked);
    impl<'de> Deserialize<'de> for Elem {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            u64::deserialize(d).map(|x| Elem(Tracked::new(x)))
        }
    }

    /// Serves `n` numbers, then panics when dropped.
    pub struct Seq {
        pub n: u64,
        pub _bomb: Bomb,
    }
    impl<'de> SeqAccess<'de> for Seq {
        type Error = serde::de::value::Error;
        fn next_element_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, Self::Error> {
            if self.n == 0 {
                return Ok(None);
            }
            self.n -= 1;
            seed.deserialize(serde::de::value::U64Deserializer::new(self.n))
                .map(Some)
        }
    }
}

/// `StackVec`'s `Deserialize` drops the `SeqAccess` it was given by value before it returns the
/// vector.
#[test]
#[cfg(feature = "serde")]
fn serde_visit_seq_drops_the_vector_when_the_seq_access_drop_unwinds() {
    use serde::Deserialize;
    use serde_case::{Elem, Seq};
    for n in [2, 9] {
        // 2 fit inline, 9 spill.
        let r = caught(|| {
            let seq = Seq { n, _bomb: Bomb };
            let v = StackVec::<Elem, 32>::deserialize(
                serde::de::value::SeqAccessDeserializer::new(seq),
            );
            drop(v)
        });
        assert_eq!(panic_message(&*r.unwrap_err()), "bomb");
        assert_eq!(
            live(),
            0,
            "n = {n}: the deserialized elements were never dropped"
        );
    }
}

/// A `fold` closure that collects the elements and whose capture panics when it is dropped.
fn collect_with_bomb() -> impl FnMut(Vec<Tracked>, Tracked) -> Vec<Tracked> {
    let bomb = Bomb;
    move |mut acc, x| {
        let _keep = &bomb;
        acc.push(x);
        acc
    }
}

/// `IntoIter`'s and `Splice`'s `fold` and `rfold` drop the closure before they return the
/// accumulator (`for_each`, `sum`, `last`... go through them).
#[test]
fn fold_drops_the_accumulator_when_the_closure_drop_unwinds() {
    for (spilled, back) in [(false, false), (true, false), (false, true), (true, true)] {
        let n = if spilled { 9 } else { 2 };
        let v: StackVec<Tracked, 32> = (0..n).map(Tracked::new).collect();
        assert_eq!(v.spilled(), spilled);
        let r = caught(|| {
            let f = collect_with_bomb();
            let it = v.into_iter();
            let out = if back {
                it.rfold(Vec::new(), f)
            } else {
                it.fold(Vec::new(), f)
            };
            drop(out)
        });
        assert_eq!(panic_message(&*r.unwrap_err()), "bomb");
        assert_eq!(
            live(),
            0,
            "spilled {spilled}, back {back}: the accumulated elements leaked"
        );
        let mut v: StackVec<Tracked, 32> = (0..n).map(Tracked::new).collect();
        let r = caught(|| {
            let f = collect_with_bomb();
            let s = v.splice(..2, (10..12).map(Tracked::new));
            drop(if back {
                s.rfold(Vec::new(), f)
            } else {
                s.fold(Vec::new(), f)
            })
        });
        assert_eq!(panic_message(&*r.unwrap_err()), "bomb");
        let mut expected = vec![10, 11];
        expected.extend(2..n);
        assert_eq!(common::values(&v), expected);
        drop(v);
        assert_eq!(live(), 0, "splice, spilled {spilled}, back {back}");
    }
}

/// `Arena`'s `Drop` releases every chunk even if one chunk's `deallocate` unwinds.
#[test]
fn arena_drop_releases_the_remaining_chunks_when_deallocate_unwinds() {
    let backing = Unwinding::default();
    {
        let mut arena = Arena::with_capacity_in(64, &backing);
        arena.frame(|f| {
            for _ in 0..4 {
                let _ = f.alloc_layout(Layout::from_size_align(4096, 8).unwrap());
            }
        });
        assert!(backing.live.get() >= 3, "chunks: {}", backing.live.get());
        backing.panic_in_dealloc.set(true);
        let r = caught(move || drop(arena));
        backing.panic_in_dealloc.set(false);
        assert_eq!(
            panic_message(&*r.unwrap_err()),
            "deallocate panics on purpose"
        );
    }
    assert_eq!(
        backing.live.get(),
        0,
        "chunks never given back to the backing allocator"
    );
}
