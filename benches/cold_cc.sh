#!/usr/bin/env bash
# What the calling convention is worth (benches/analysis.md, "The calling convention"): the Go
# table's StackVec column and the floor probe (`minimal growable`), built by nightly Rust as they
# are, and with LLVM's preserve_most convention (`extern "rust-cold"`, nightly only) on the cold
# calls that the inline paths keep: push's growth, `with_capacity`'s allocation and the drop's
# free (the patch below). Each build is a copy of HEAD under target/cold-cc, measured by
# benches/run.sh without Go (both RESULTS.md are kept as target/cold-cc/{default,cold}.md); Go
# 1.26 is read from the committed benches/RESULTS.md. About 10 minutes; run benches/run.sh once
# first (it installs the pinned gungraun-runner).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/cold-cc
[ -x target/bench-tools/bin/gungraun-runner ] || { echo "gungraun-runner missing: run bash benches/run.sh once"; exit 1; }
rm -rf "$work"
git worktree prune
for variant in default cold; do
  git worktree add -q --detach "$work/$variant" HEAD
  mkdir -p "$work/$variant/target"
  cp -r target/bench-tools "$work/$variant/target/"
done
git -C "$work/cold" apply <<'PATCH'
diff --git a/benches/src/lib.rs b/benches/src/lib.rs
index 93ae9d5..2991c9d 100644
--- a/benches/src/lib.rs
+++ b/benches/src/lib.rs
@@ -9,6 +9,7 @@
 //! 4. `escape`: start empty, push `n`, return the collection; the caller sums and drops it
 //!    (both counted).
 #![no_std]
+#![feature(rust_cold_cc)]
 
 extern crate alloc;
 
diff --git a/benches/src/minimal.rs b/benches/src/minimal.rs
index 6c55b57..6d2176c 100644
--- a/benches/src/minimal.rs
+++ b/benches/src/minimal.rs
@@ -59,7 +59,7 @@ impl<T: Copy, const N: usize> Minimal<T, N> {
     /// returns the new length.
     #[cold]
     #[inline(never)]
-    fn push_heap(&mut self, value: T) -> usize {
+    extern "rust-cold" fn push_heap(&mut self, value: T) -> usize {
         let len = self.len;
         let (mut block, mut cap) = if len == N {
             (ptr::null_mut(), 0)
@@ -144,16 +144,22 @@ impl<T: Copy, const N: usize> Drop for Minimal<T, N> {
     #[inline(always)]
     fn drop(&mut self) {
         if self.len > N {
-            // SAFETY: on the heap, so the parts are initialized and the block was allocated
-            // with this layout (the invariant); the elements are `Copy`, nothing is dropped.
-            unsafe {
-                let (block, cap) = self.heap.assume_init();
-                dealloc(block.cast(), Layout::array::<T>(cap).unwrap_unchecked())
-            }
+            free_cold(self);
         }
     }
 }
 
+#[cold]
+#[inline(never)]
+extern "rust-cold" fn free_cold<T: Copy, const N: usize>(v: &mut Minimal<T, N>) {
+    // SAFETY: on the heap, so the parts are initialized and the block was allocated with this
+    // layout (the invariant); the elements are `Copy`, nothing is dropped.
+    unsafe {
+        let (block, cap) = v.heap.assume_init();
+        dealloc(block.cast(), Layout::array::<T>(cap).unwrap_unchecked())
+    }
+}
+
 /// The append loop of the `local` pattern over `Minimal` with the 32-byte budget.
 macro_rules! minimal_local {
     ($f:ident, $t:ty) => {
diff --git a/src/lib.rs b/src/lib.rs
index 08c5dc4..aae0025 100644
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -58,6 +58,7 @@
 #![deny(unsafe_op_in_unsafe_fn)]
 #![warn(missing_docs)]
 #![cfg_attr(docsrs, feature(doc_cfg))]
+#![feature(rust_cold_cc)]
 // Without `alloc` the heap items that the docs link to (`Global`, `into_heap_exact`, ...) do not
 // exist; the links are for the documented build (docs.rs: all features).
 #![cfg_attr(not(feature = "alloc"), allow(rustdoc::broken_intra_doc_links))]
diff --git a/src/raw.rs b/src/raw.rs
index 77a76f9..c359596 100644
--- a/src/raw.rs
+++ b/src/raw.rs
@@ -171,8 +171,7 @@ impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
             // `grow_body`.
             return Err(TryReserveErrorKind::CapacityExceeded.into());
         }
-        let ptr = alloc
-            .allocate(layout)
+        let ptr = Self::allocate_cold(&alloc, layout)
             .map_err(|_| crate::no_heap::refused::<A>(layout))?;
         // SAFETY: `T` is not zero-sized (its inline capacity would be `usize::MAX`), `A` does
         // not have `NoHeap`'s signature (`is_no_heap` refused it above), and `ptr` is a fresh
@@ -181,6 +180,16 @@ impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
         Ok(unsafe { Self::from_heap_parts(ptr.cast(), 0, capacity, alloc) })
     }
 
+    /// `with_capacity`'s allocation, out of line in the callee-saves convention.
+    #[cold]
+    #[inline(never)]
+    extern "rust-cold" fn allocate_cold(
+        alloc: &A,
+        layout: Layout,
+    ) -> Result<NonNull<[u8]>, allocator_api2::alloc::AllocError> {
+        alloc.allocate(layout)
+    }
+
     /// Takes over a heap buffer.
     ///
     /// # Safety
@@ -584,7 +593,7 @@ impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
     #[cold]
     #[cfg_attr(not(target_os = "none"), inline)]
     #[cfg_attr(target_os = "none", inline(never))]
-    fn grow_for_push(&mut self) {
+    extern "rust-cold" fn grow_for_push(&mut self) {
         self.grow_in_line(1, Growth::Full);
     }
 
@@ -945,6 +954,15 @@ impl<T, const N: usize, A: Allocator> RawStackVec<T, N, A> {
     /// empty.
     fn free_heap(&mut self) {
         if self.spilled() {
+            self.free_heap_cold();
+        }
+    }
+
+    /// `free_heap`'s body, out of line in the callee-saves convention.
+    #[cold]
+    #[inline(never)]
+    extern "rust-cold" fn free_heap_cold(&mut self) {
+        {
             // SAFETY: spilled.
             let heap = unsafe { self.heap() };
             // Inline and empty before the allocator runs: a `deallocate` that unwinds must not
PATCH
for variant in default cold; do
  (cd "$work/$variant" && SKIP_GO=1 RUSTUP_TOOLCHAIN=nightly bash benches/run.sh >"$work/$variant.log" 2>&1) ||
    { tail -n 20 "$work/$variant.log"; exit 1; }
done
python3 - "$root/benches/RESULTS.md" "$work/default/benches/RESULTS.md" "$work/cold/benches/RESULTS.md" <<'PY'
import re, sys

def table(path):
    """Go-table rows of a RESULTS.md: (pattern, type, n) -> cells by column name."""
    rows, head = {}, None
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:3] == ["pattern", "type", "n"] and head is None:
            head = cells
        elif head and re.match(r"\d\. ", cells[0]):
            rows[tuple(cells[:3])] = dict(zip(head, cells))
        elif head and rows and not line.startswith("|"):
            break
    return rows

def floor(path):
    return re.search(r"measured on `minimal growable`[^:]*: (\d+)", open(path).read()).group(1)

committed, default, cold = (table(p) for p in sys.argv[1:])
ir = lambda cell: cell.split("/")[1].strip()
print(f"{'row':<42} {'Go 1.26':>8} {'StackVec':>9} {'rust-cold':>10}")
for key, row in default.items():
    print(f"{' '.join(key):<42} {ir(committed[key]['Go 1.26']):>8} {ir(row['StackVec']):>9} {ir(cold[key]['StackVec']):>10}")
print(f"floor probe, local u64 n=3: {floor(sys.argv[2])} -> {floor(sys.argv[3])} with rust-cold")
PY
for variant in default cold; do
  cp "$work/$variant/benches/RESULTS.md" "$work/$variant.md"
  git worktree remove --force "$work/$variant"
done
