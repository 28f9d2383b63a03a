//! Range resolution shared by the draining and splicing methods, with the panics of std's
//! slice indexing.

use core::ops::{Bound, Range, RangeBounds};

/// `range` within `..len`, as `start..end`.
///
/// # Panics
/// As slicing a `[T]` of length `len` would: when the range starts after it ends, ends past
/// `len`, or is bounded by `usize::MAX` in a way that overflows.
#[track_caller]
pub(crate) fn resolve<R: RangeBounds<usize>>(range: R, len: usize) -> Range<usize> {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s
            .checked_add(1)
            .unwrap_or_else(|| panic!("attempted to index slice from after maximum usize")),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e
            .checked_add(1)
            .unwrap_or_else(|| panic!("attempted to index slice up to maximum usize")),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => len,
    };
    if start > end {
        panic!("slice index starts at {start} but ends at {end}");
    }
    if end > len {
        panic!("range end index {end} out of range for slice of length {len}");
    }
    start..end
}
