//! Range resolution shared by the draining and splicing methods, with the panics of std's
//! slice indexing (`core::slice::range`, unstable, checks and reports in this order).

use core::ops::{Bound, Range, RangeBounds};

/// `range` within `..len`, as `start..end`.
///
/// # Panics
/// As `Vec::drain` does (std's `slice::range`): when the range ends past `len`, or starts after
/// it ends or past `len`.
#[track_caller]
pub(crate) fn resolve<R: RangeBounds<usize>>(range: R, len: usize) -> Range<usize> {
    let end = match range.end_bound() {
        Bound::Included(&end) if end >= len => fail(0, end, len),
        // `end < len`, so this cannot overflow.
        Bound::Included(&end) => end + 1,
        Bound::Excluded(&end) if end > len => fail(0, end, len),
        Bound::Excluded(&end) => end,
        Bound::Unbounded => len,
    };
    let start = match range.start_bound() {
        Bound::Excluded(&start) if start >= end => fail(start, end, len),
        // `start < end`, so this cannot overflow.
        Bound::Excluded(&start) => start + 1,
        Bound::Included(&start) if start > end => fail(start, end, len),
        Bound::Included(&start) => start,
        Bound::Unbounded => 0,
    };
    start..end
}

#[cold]
#[track_caller]
fn fail(start: usize, end: usize, len: usize) -> ! {
    if start > len {
        panic!("range start index {start} out of range for slice of length {len}")
    }
    if start > end {
        panic!("slice index starts at {start} but ends at {end}")
    }
    // `end > len`, or an inclusive end at `len`.
    panic!("range end index {end} out of range for slice of length {len}")
}
