use allocator_api2::alloc::Allocator;

use crate::StackVec;

/// Appends the bytes, like `Vec<u8>`'s `Write`: small outputs stay inline.
///
/// # Examples
/// ```
/// use std::io::Write;
/// use stackfirst::StackVec;
///
/// let mut buf: StackVec<u8> = StackVec::new();
/// write!(buf, "{}-{}", 4, 2).unwrap();
/// assert_eq!(buf, *b"4-2");
/// assert!(!buf.spilled());
/// ```
impl<const N: usize, A: Allocator> std::io::Write for StackVec<u8, N, A> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.extend_from_slice(buf);
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.extend_from_slice(buf);
        Ok(())
    }

    #[inline]
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
