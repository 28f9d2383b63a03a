use allocator_api2::alloc::Allocator;

use crate::no_heap::is_no_heap;
use crate::StackVec;

/// Appends the bytes, like `Vec<u8>`'s `Write`: small outputs stay inline. A vector that cannot
/// grow ([`NoHeap`](crate::NoHeap)) writes what fits and returns that count, as arrayvec's
/// `ArrayVec<u8>` does, so `write_all` (and `write!`) on a full one fail with
/// [`ErrorKind::WriteZero`](std::io::ErrorKind::WriteZero), keeping what was written before; the
/// others grow, and abort on allocation failure as `Vec<u8>` does. `write_vectored` writes every
/// buffer, as `Vec<u8>`'s does (std's default writes only the first non-empty one).
///
/// # Examples
/// ```
/// use std::io::{ErrorKind, Write};
/// use stackfirst::{InlineVec, StackVec};
///
/// let mut buf: StackVec<u8> = StackVec::new();
/// write!(buf, "{}-{}", 4, 2).unwrap();
/// assert_eq!(buf, *b"4-2");
/// assert!(!buf.spilled());
///
/// let mut fixed: InlineVec<u8, 4> = InlineVec::new();
/// assert_eq!(fixed.write(b"abcdef").unwrap(), 4);
/// assert_eq!(fixed.write_all(b"g").unwrap_err().kind(), ErrorKind::WriteZero);
/// assert_eq!(fixed, *b"abcd");
/// ```
impl<const N: usize, A: Allocator> std::io::Write for StackVec<u8, N, A> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if is_no_heap::<A>() {
            buf.len().min(self.remaining_capacity())
        } else {
            buf.len()
        };
        self.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    /// Every buffer, as `Vec<u8>` writes them (one reservation for all): a vector that cannot
    /// grow takes what fits, in order, and returns that count.
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        if !is_no_heap::<A>() {
            // Saturating: slices may repeat, and a total past `usize::MAX` is a capacity
            // overflow, which `reserve` reports.
            self.reserve(bufs.iter().fold(0, |t: usize, b| t.saturating_add(b.len())));
        }
        let mut written = 0;
        for buf in bufs {
            let n = self.write(buf)?;
            written += n;
            if n < buf.len() {
                break;
            }
        }
        Ok(written)
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let n = self.write(buf)?;
        if n < buf.len() {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        Ok(())
    }

    #[inline]
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
