use allocator_api2::alloc::Allocator;

use crate::StackVec;

/// Formats like the slice, for embedded logging.
impl<T: defmt::Format, const N: usize, A: Allocator> defmt::Format for StackVec<T, N, A> {
    fn format(&self, f: defmt::Formatter<'_>) {
        self.as_slice().format(f)
    }
}

/// Formats as the text.
impl<const N: usize, A: Allocator> defmt::Format for crate::StackString<N, A> {
    fn format(&self, f: defmt::Formatter<'_>) {
        self.as_str().format(f)
    }
}
