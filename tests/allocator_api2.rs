//! A test crate named `allocator_api2`, so that its `stable::alloc::global::Global` has the type
//! name of allocator_api2's global allocator, whose small blocks StackVec grows by allocate, copy,
//! free. Safe code can write such a type; if its `deallocate` unwinds, the vector must not be
//! left pointing at the block it was moving from (its drop would free it twice): the process
//! aborts instead. The abort is watched from a child process.

#[path = "common/child.rs"]
mod child;

/// Where allocator_api2 0.2 defines its `Global` on stable Rust.
mod stable {
    pub mod alloc {
        pub mod global {
            use core::alloc::Layout;
            use core::ptr::NonNull;
            use stackfirst::allocator_api2::alloc::{AllocError, Allocator};

            /// The real global allocator, except that `deallocate` frees, then panics.
            pub struct Global;

            // SAFETY: blocks come from the real `Global`, which upholds the contract; the panic in
            // `deallocate` comes after the block is freed, as an unwinding allocator may do.
            unsafe impl Allocator for Global {
                fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
                    stackfirst::allocator_api2::alloc::Global.allocate(layout)
                }

                unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
                    // SAFETY: forwarded from the caller.
                    unsafe { stackfirst::allocator_api2::alloc::Global.deallocate(ptr, layout) };
                    panic!("impostor deallocate");
                }
            }
        }
    }
}

const CHILD: &str = "STACKFIRST_IMPOSTOR_CHILD";

/// Run only as the child of `unwinding_deallocate_while_moving_aborts`.
#[test]
#[ignore = "run by unwinding_deallocate_while_moving_aborts in a child process"]
fn child_grows_with_impostor_global() {
    assert!(
        std::env::var_os(CHILD).is_some(),
        "run from its parent test"
    );
    use stable::alloc::global::Global;
    assert_eq!(
        core::any::type_name::<Global>(),
        core::any::type_name::<stackfirst::allocator_api2::alloc::Global>()
    );
    let mut v = stackfirst::StackVec::<u64, 32, Global>::new_in(Global);
    // Spilled at 5 (a heap capacity of 8, 64 bytes): the 9th push moves the block.
    for i in 0..9 {
        v.push(i);
    }
    unreachable!("the move's deallocate panicked");
}

#[test]
fn unwinding_deallocate_while_moving_aborts() {
    let out = child::this_test_binary()
        .args([
            "--exact",
            "child_grows_with_impostor_global",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child must not finish: {stderr}");
    // The impostor's panic, then the guard's panic during unwinding, which aborts before the
    // vector's drop could free the old block a second time.
    assert!(stderr.contains("impostor deallocate"), "{stderr}");
    assert!(
        stderr.contains("unwound in `deallocate` while a block was moved"),
        "{stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "SIGABRT: {stderr}");
    }
}
