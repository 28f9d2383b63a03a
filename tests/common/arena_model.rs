//! Models of the arenas, shared by the property tests (`tests/arena.rs`) and the fuzz targets
//! (`fuzz/fuzz_targets/{arena,sync_arena}.rs`).

use std::alloc::Layout;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::ptr::NonNull;

use allocator_api2::alloc::Allocator;
use stackfirst::{Arena, Frame, SyncArena};

use super::backing::TestBacking;

/// One step of the arena model. Every field is taken modulo a small bound by [`run_frames`], so
/// any value (a proptest strategy's or a fuzzer's) is a valid step.
#[derive(Debug, Clone)]
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
pub enum ArenaOp {
    Alloc(usize, u8),
    AllocSlice(usize),
    /// All that the current chunk has left, as a buffer that takes all the room does: a block
    /// that ends where its chunk ends.
    AllocRest,
    Grow(usize, usize),
    Shrink(usize, usize),
    Dealloc(usize),
    Enter,
    Exit,
    /// `try_alloc_iter` of `len` bytes from an iterator whose size hint says `hint` (a lie,
    /// both ways): the buffer grows at the frame's tip, in place or moving.
    AllocIter(usize, usize),
    /// `try_alloc_fmt` of `len` bytes of text, through the same tip buffer.
    AllocFmt(usize),
}

/// Yields `len` bytes of `fill`, reporting `hint` as its lower bound and no upper bound.
struct LyingIter {
    len: usize,
    hint: usize,
    fill: u8,
}

impl Iterator for LyingIter {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        self.len = self.len.checked_sub(1)?;
        Some(self.fill)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.hint, None)
    }
}

struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
    level: usize,
    /// A collected slice (`FrameBox::leak`): live until its frame ends, never freed or resized
    /// through the allocator interface.
    pinned: bool,
}

struct Model<'a> {
    blocks: Vec<Block>,
    next_fill: u8,
    /// The start of the chunk (the caller's memory or a heap chunk) that holds
    /// `addr..addr + size`, if it is memory the arena may hand out.
    chunk: &'a dyn Fn(usize, usize) -> Option<usize>,
    /// The bump pointer and the start of its chunk, when known: where the block placed or
    /// resized last ends. Chunks can touch (a bump allocator places them so), so a block that
    /// ends at the pointer's address is the last block only if it is in the pointer's chunk.
    /// A zero-sized block may or may not have moved the pointer (rounding it up to its
    /// alignment): unknown until the next sized one.
    tip: Option<(usize, usize)>,
}

impl<'a> Model<'a> {
    fn new(chunk: &'a dyn Fn(usize, usize) -> Option<usize>) -> Self {
        Self {
            blocks: Vec::new(),
            next_fill: 0,
            chunk,
            tip: None,
        }
    }

    /// Checks the live blocks, and the frame's counters against them: a bump pointer that
    /// left its chunk makes them overflow (a panic in a debug build) or exceed the capacity.
    fn verify(&self, f: &Frame<'_>) {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for b in &self.blocks {
            assert_eq!(b.ptr.as_ptr() as usize % b.layout.align(), 0, "misaligned");
            if b.layout.size() == 0 {
                continue;
            }
            let p = b.ptr.as_ptr() as usize;
            assert!(
                (self.chunk)(p, b.layout.size()).is_some(),
                "outside the arena"
            );
            // SAFETY: a live block of `size` bytes that we filled.
            let bytes = unsafe { std::slice::from_raw_parts(b.ptr.as_ptr(), b.layout.size()) };
            assert!(all_are(bytes, b.fill), "contents changed");
            spans.push((p, b.layout.size()));
        }
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "blocks overlap");
        }
        let (used, remaining, capacity) = (f.used(), f.remaining(), f.capacity());
        let live: usize = spans.iter().map(|s| s.1).sum();
        assert!(used >= live, "used() {used} < {live} live bytes");
        assert!(
            used + remaining <= capacity,
            "used() {used} + remaining() {remaining} > capacity() {capacity}"
        );
    }

    fn fill(&mut self, ptr: NonNull<u8>, size: usize) -> u8 {
        self.next_fill = self.next_fill.wrapping_add(1).max(1);
        // SAFETY: a fresh (or just resized) block of at least `size` bytes.
        unsafe { ptr.as_ptr().write_bytes(self.next_fill, size) };
        self.next_fill
    }

    /// `used()` after a block of `size` bytes at `ptr`, where `before` is what it was: where the
    /// model knows the bump pointer, it grows by exactly the block and its padding, from the
    /// pointer in its chunk or from the start of the empty chunk (fresh or a spare) that the
    /// block opened. (`verify` bounds it only loosely: the free tail of a chunk the arena left
    /// counted as used would pass there.)
    fn check_used(&self, f: &Frame<'_>, before: usize, ptr: NonNull<u8>, size: usize) {
        let p = ptr.as_ptr() as usize;
        let (Some((end, c)), Some(chunk)) = (self.tip, (self.chunk)(p, size)) else {
            return;
        };
        if size == 0 {
            return;
        }
        let grew_by = if chunk == c {
            p + size - end
        } else {
            p + size - chunk
        };
        assert_eq!(
            f.used(),
            before + grew_by,
            "used() after a block of {size} at {p:#x}"
        );
    }

    /// Records a block just allocated, at the bump pointer.
    fn push(&mut self, ptr: NonNull<u8>, layout: Layout, level: usize) {
        let fill = self.fill(ptr, layout.size());
        self.blocks.push(Block {
            ptr,
            layout,
            fill,
            level,
            pinned: false,
        });
        self.placed(ptr, layout.size());
    }

    /// Records a collected slice of `len` bytes that should all be `fill`. Where the tip buffer
    /// left the bump pointer (past a spare capacity, or in a chunk it moved to) is not modelled:
    /// the pointer is unknown until the next block placed at it.
    fn pin(&mut self, bytes: &mut [u8], len: usize, fill: u8, level: usize) {
        assert_eq!(bytes.len(), len, "collected the wrong number of bytes");
        assert!(all_are(bytes, fill), "collected the wrong bytes");
        self.blocks.push(Block {
            ptr: NonNull::from(bytes).cast(),
            layout: Layout::array::<u8>(len).unwrap(),
            fill,
            level,
            pinned: true,
        });
        self.tip = None;
    }

    /// Block `k` is now `ptr` with `layout`: its first bytes were kept, the rest is refilled.
    fn resized(&mut self, k: usize, ptr: NonNull<u8>, layout: Layout) {
        let Block {
            layout: old,
            fill,
            level,
            pinned,
            ..
        } = self.blocks[k];
        let kept = old.size().min(layout.size());
        // SAFETY: the resized block holds at least `kept` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(ptr.as_ptr(), kept) };
        assert!(all_are(bytes, fill), "resizing lost the contents");
        let fill = self.fill(ptr, layout.size());
        self.blocks[k] = Block {
            ptr,
            layout,
            fill,
            level,
            pinned,
        };
    }

    /// The bump pointer after a block of `size` bytes was placed at `ptr` (at the pointer).
    fn placed(&mut self, ptr: NonNull<u8>, size: usize) {
        let p = ptr.as_ptr() as usize;
        self.tip = (self.chunk)(p, size)
            .filter(|_| size != 0)
            .map(|c| (p + size, c));
    }

    /// Whether `b` is the last block: it ends at the bump pointer, in the pointer's chunk.
    fn is_last(&self, b: &Block) -> bool {
        let (p, n) = (b.ptr.as_ptr() as usize, b.layout.size());
        n != 0
            && self
                .tip
                .is_some_and(|(end, c)| end == p + n && (self.chunk)(p, n) == Some(c))
    }

    /// Index of one of this level's blocks: the `i`-th (modulo their number) counting back from
    /// the latest allocated, so that small indices reach the last block, which the arena frees
    /// and resizes in place, however many blocks the level has.
    fn own(&self, level: usize, i: usize) -> Option<usize> {
        let mine: Vec<usize> = (0..self.blocks.len())
            .rev()
            .filter(|&k| self.blocks[k].level == level && !self.blocks[k].pinned)
            .collect();
        (!mine.is_empty()).then(|| mine[i % mine.len()])
    }
}

fn run_frame(
    f: &mut Frame<'_>,
    ops: &mut std::slice::Iter<'_, ArenaOp>,
    m: &mut Model<'_>,
    level: usize,
) {
    while let Some(op) = ops.next() {
        match *op {
            ArenaOp::Alloc(size, align) => {
                let size = size % 96;
                let layout = Layout::from_size_align(size, 1 << (align % 8)).unwrap();
                // A block the current chunk holds (padding is at most `align - 1`) must not be
                // refused.
                let fits = size + layout.align() - 1 <= f.remaining();
                let used = f.used();
                match f.allocate(layout) {
                    Ok(p) => {
                        m.check_used(f, used, p.cast(), size);
                        m.push(p.cast(), layout, level)
                    }
                    Err(_) => assert!(
                        !fits,
                        "refused {layout:?} with {} bytes left",
                        f.remaining()
                    ),
                }
            }
            ArenaOp::AllocSlice(len) => {
                let len = len % 40;
                let src: Vec<u8> = vec![0; len];
                // As for `Alloc`: a slice that fits must not be refused.
                let fits = len <= f.remaining();
                let used = f.used();
                match f.try_alloc_slice_copy(&src) {
                    Ok(s) => {
                        let p = NonNull::new(s.as_mut_ptr()).unwrap();
                        m.check_used(f, used, p, len);
                        m.push(p, Layout::array::<u8>(len).unwrap(), level);
                    }
                    Err(e) => assert!(
                        !fits,
                        "refused {len} bytes with {} left: {e}",
                        f.remaining()
                    ),
                }
            }
            // Only up to 4 KiB: in a growing arena each chunk doubles the last, and filling
            // every one would grow the memory exponentially with the steps (a fuzzer's OOM).
            ArenaOp::AllocRest if f.remaining() <= 4096 => {
                let layout = Layout::array::<u8>(f.remaining()).unwrap();
                // The rest of the chunk always fits, and ends where the chunk ends.
                let used = f.used();
                let p = f
                    .allocate(layout)
                    .expect("the rest of the current chunk was refused");
                m.check_used(f, used, p.cast(), layout.size());
                assert_eq!(
                    f.remaining(),
                    0,
                    "the rest of the chunk did not end at its end"
                );
                m.push(p.cast(), layout, level);
            }
            ArenaOp::AllocRest => {}
            ArenaOp::Grow(i, extra) => {
                let extra = 1 + extra % 64;
                if let Some(k) = m.own(level, i) {
                    let b = &m.blocks[k];
                    let new =
                        Layout::from_size_align(b.layout.size() + extra, b.layout.align()).unwrap();
                    // `Frame`'s docs: the last block grows in place while its chunk has room.
                    let in_place = m.is_last(b) && f.remaining() >= extra;
                    // Growing in place, or moving to room the current chunk has, must succeed.
                    let fits = in_place || new.size() + new.align() - 1 <= f.remaining();
                    // SAFETY: a live block of this frame with this layout.
                    match unsafe { f.grow(b.ptr, b.layout, new) } {
                        Ok(p) => {
                            let p = p.cast::<u8>();
                            assert!(
                                !in_place || p == b.ptr,
                                "the last block did not grow in place"
                            );
                            m.resized(k, p, new);
                            m.placed(p, new.size());
                        }
                        Err(_) => assert!(!fits, "a grow to {new:?} that fits was refused"),
                    }
                }
            }
            ArenaOp::Shrink(i, less) => {
                let less = less % 64;
                if let Some(k) = m.own(level, i) {
                    let b = &m.blocks[k];
                    let new = Layout::from_size_align(
                        b.layout.size().saturating_sub(less),
                        b.layout.align(),
                    )
                    .unwrap();
                    if m.is_last(b) {
                        // In place, and the bump pointer follows its end.
                        let end = b.ptr.as_ptr() as usize + new.size();
                        m.tip = m.tip.map(|(_, c)| (end, c));
                    }
                    // SAFETY: a live block of this frame with this layout.
                    let p = unsafe { f.shrink(b.ptr, b.layout, new) }.unwrap();
                    m.resized(k, p.cast(), new);
                }
            }
            ArenaOp::Dealloc(i) => {
                if let Some(k) = m.own(level, i) {
                    let b = m.blocks.remove(k);
                    let (last, used) = (m.is_last(&b), f.used());
                    // SAFETY: a live block of this frame with this layout, not used again.
                    unsafe { f.deallocate(b.ptr, b.layout) };
                    if last {
                        let freed = b.layout.size();
                        assert_eq!(f.used(), used - freed, "freeing the last block reclaims it");
                        m.tip = m.tip.map(|(_, c)| (b.ptr.as_ptr() as usize, c));
                    }
                }
            }
            // Bounded, so a long input cannot overflow the stack.
            ArenaOp::Enter if level < 64 => {
                let (before, tip) = (f.used(), m.tip);
                f.frame(|mut child| run_frame(&mut child, ops, m, level + 1));
                assert_eq!(f.used(), before, "the child frame rewound exactly");
                m.tip = tip;
                m.blocks.retain(|b| b.level <= level);
            }
            ArenaOp::AllocIter(len, hint) => {
                let (len, hint) = (len % 200, hint % 256);
                m.next_fill = m.next_fill.wrapping_add(1).max(1);
                let fill = m.next_fill;
                match f.try_alloc_iter(LyingIter { len, hint, fill }) {
                    Ok(b) => m.pin(stackfirst::FrameBox::leak(b), len, fill, level),
                    // Refused (a fixed arena's end, the limit): what the buffer took stays in
                    // use until the frame ends, so the bump pointer is unknown.
                    Err(_) => m.tip = None,
                }
            }
            ArenaOp::AllocFmt(len) => {
                let len = len % 200;
                match f.try_alloc_fmt(format_args!("{:len$}", "")) {
                    // SAFETY: the text is ASCII spaces, and the bytes are not written as text
                    // again.
                    Ok(s) => m.pin(unsafe { s.as_bytes_mut() }, len, b' ', level),
                    Err(_) => m.tip = None,
                }
            }
            ArenaOp::Exit if level > 0 => return,
            ArenaOp::Enter | ArenaOp::Exit => {}
        }
        m.verify(f);
    }
}

/// Whether every byte is `fill`: compared in slices (a `memcmp`), as a byte loop is slow in a
/// debug build.
fn all_are(bytes: &[u8], fill: u8) -> bool {
    let pattern = [fill; 64];
    bytes.chunks(64).all(|c| c == &pattern[..c.len()])
}

/// `range.start` if `addr..addr + size` lies in `range` (the caller's memory).
fn within(range: &Range<usize>, addr: usize, size: usize) -> Option<usize> {
    (range.contains(&addr) && addr + size <= range.end).then_some(range.start)
}

/// Runs `ops` in a frame of `arena` (`chunk` as in [`Model`]), which rewinds everything.
fn run_top<A: Allocator>(
    arena: &mut Arena<'_, A>,
    ops: &[ArenaOp],
    chunk: &dyn Fn(usize, usize) -> Option<usize>,
) {
    let mut m = Model::new(chunk);
    arena.frame(|mut f| run_frame(&mut f, &mut ops.iter(), &mut m, 0));
    assert_eq!(arena.used(), 0, "the frame rewound across chunks");
}

/// Runs `ops` through nested frames of a 2 KiB arena, checking after every step that live blocks
/// are disjoint, aligned, in bounds and intact, that the arena's counters agree with them, that
/// the last block is freed and grown in place, that every child frame rewinds exactly, and
/// that the arena is empty at the end.
pub fn run_frames(ops: &[ArenaOp]) {
    let mut mem = [MaybeUninit::<u8>::uninit(); 2048];
    let range = mem.as_ptr() as usize..mem.as_ptr() as usize + mem.len();
    run_top(&mut Arena::from_memory(&mut mem), ops, &|p, n| {
        within(&range, p, n)
    });
}

/// The same steps in a growing arena whose first chunk holds `first_chunk` bytes (tiny ones
/// make the steps cross chunks often), with an optional allocation limit, repeated as a loop of
/// frames: besides [`run_frames`]' checks, blocks lie inside live chunks, and the loop reaches
/// a pass that takes no chunk from the backing allocator (spares are reused). At the end
/// every chunk is given back.
pub fn run_growing(ops: &[ArenaOp], first_chunk: Option<usize>, limit: Option<usize>) {
    let backing = TestBacking::new();
    let chunk = |p, n| backing.block_of(p, n);
    // `None`: nothing allocated until the first request, which comes inside a frame (the frame
    // then ends at the empty start, before the first chunk).
    let mut arena = match first_chunk {
        Some(bytes) => Arena::with_capacity_in(bytes, &backing),
        None => Arena::new_in(&backing),
    };
    arena.set_allocation_limit(limit);
    let mut steady = false;
    for pass in 0..12 {
        let before = backing.allocs();
        run_top(&mut arena, ops, &chunk);
        assert!(
            arena.allocated_bytes()
                <= limit
                    .unwrap_or(usize::MAX)
                    .max(first_chunk.map_or(0, |b| b + 64))
        );
        assert_eq!(arena.allocated_bytes(), backing.live_bytes());
        if pass > 0 && backing.allocs() == before {
            steady = true;
            break;
        }
    }
    assert!(steady, "a loop of frames kept taking chunks");
    // Giving the spares back between frames: the next frame's blocks are still in live chunks.
    for _ in 0..3 {
        arena.shrink_to_fit();
        assert_eq!(arena.allocated_bytes(), backing.live_bytes());
        run_top(&mut arena, ops, &chunk);
    }
    arena.reset();
    arena.shrink_to_fit();
    // `Some(0)` takes no chunk (as `new`), until the first request.
    let first = usize::from(first_chunk.is_some_and(|b| b > 0) || backing.allocs() > 0);
    assert_eq!(backing.live_blocks(), first, "only the first chunk is left");
    drop(arena);
    assert_eq!(backing.live_blocks(), 0, "every chunk was given back");
}

/// What each bump allocator of [`run_bump_backed`] holds: the caller's memory and the chunks
/// that the steps take (or most of them: a refused chunk is a failed step).
const BUMP_BYTES: usize = 1 << 16;

/// The same steps in a growing arena whose chunks come from a bump allocator, as they do under
/// an outer arena: there, chunks touch each other and the caller's memory, which
/// [`run_growing`]'s backing never makes them do.
/// `backing % 3` picks the allocator: an outer `&Frame`, a `&SyncArena` (both bump upward, so
/// the first chunk starts where the caller's memory ends if its size is a multiple of 16), or
/// a `&bumpalo::Bump`, which bumps downward: later chunks lie below the frame's mark, as the
/// heap lies below a stack buffer. `backing / 3 % 2` picks what the arena starts with: caller
/// memory of `fixed % 1024` bytes taken from the same allocator, or a first chunk of that
/// size. Besides [`run_frames`]' checks, blocks lie inside the caller's memory or one chunk,
/// and every chunk is given back at the end.
pub fn run_bump_backed(ops: &[ArenaOp], fixed: usize, backing: u8) {
    let (fixed, memory) = (fixed % 1024, backing / 3 % 2 == 0);
    match backing % 3 {
        0 => {
            let mut outer = vec![MaybeUninit::uninit(); BUMP_BYTES];
            Arena::from_memory(&mut outer).frame(|f| run_bumped(ops, fixed, memory, &f));
        }
        1 => run_bumped(
            ops,
            fixed,
            memory,
            &*Box::new(SyncArena::<BUMP_BYTES>::new()),
        ),
        _ => run_bumped(
            ops,
            fixed,
            memory,
            &bumpalo::Bump::with_capacity(BUMP_BYTES),
        ),
    }
}

fn run_bumped<A: Allocator + Copy>(ops: &[ArenaOp], fixed: usize, memory: bool, outer: A) {
    let mut mem: &mut [MaybeUninit<u8>] = &mut [];
    if memory {
        let block = outer.allocate(Layout::from_size_align(fixed, 16).unwrap());
        // SAFETY: a fresh block of `fixed` bytes, never freed: it stays valid as long as the
        // allocator `outer` refers to, which outlives this call.
        mem = unsafe { &mut *(block.unwrap().as_ptr() as *mut [MaybeUninit<u8>]) };
    }
    let range = mem.as_ptr() as usize..mem.as_ptr() as usize + mem.len();
    let backing = TestBacking::over(outer);
    let chunk = |p, n| within(&range, p, n).or_else(|| backing.block_of(p, n));
    let mut arena = if memory {
        Arena::from_memory_in(mem, &backing)
    } else {
        Arena::with_capacity_in(fixed, &backing)
    };
    run_top(&mut arena, ops, &chunk);
    assert_eq!(arena.allocated_bytes(), backing.live_bytes());
    drop(arena);
    assert_eq!(backing.live_blocks(), 0, "every chunk was given back");
}

/// One thread per layout, each allocating its layout from one `SyncArena` until it no longer
/// fits and filling every block with its own byte. Then: no two blocks overlap, every block still
/// holds its byte, every block is aligned, and every thread stopped only when its layout truly did
/// not fit.
pub fn sync_arena_until_exhaustion(layouts: &[Layout]) {
    const BYTES: usize = 1 << 14;
    let arena: Box<SyncArena<BYTES>> = Box::new(SyncArena::new());
    /// A block's pointer, handed back by its thread with its provenance (an address alone would
    /// hide the blocks' reads from Miri's pointer checks).
    struct Sent(*const u8);
    // SAFETY: only read after every thread has ended, and the blocks are disjoint.
    unsafe impl Send for Sent {}

    let blocks: Vec<Vec<(Sent, usize)>> = std::thread::scope(|s| {
        let handles: Vec<_> = layouts
            .iter()
            .enumerate()
            .map(|(t, &layout)| {
                let arena = &*arena;
                s.spawn(move || {
                    let mut mine = Vec::new();
                    while let Ok(p) = arena.try_alloc_layout(layout) {
                        assert_eq!(p.as_ptr() as usize % layout.align(), 0, "misaligned");
                        // SAFETY: our block, `layout.size()` bytes.
                        unsafe { p.as_ptr().write_bytes(t as u8, layout.size()) };
                        mine.push((Sent(p.as_ptr().cast_const()), layout.size()));
                        if layout.size() == 0 {
                            break; // zero-sized blocks never exhaust the arena
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<(*const u8, usize, u8)> = blocks
        .iter()
        .enumerate()
        .flat_map(|(t, v)| v.iter().map(move |(p, n)| (p.0, *n, t as u8)))
        .filter(|&(_, n, _)| n > 0)
        .collect();
    all.sort_by_key(|&(p, _, _)| p as usize);
    for w in all.windows(2) {
        assert!(
            w[0].0 as usize + w[0].1 <= w[1].0 as usize,
            "overlap: {:?} {:?}",
            w[0],
            w[1]
        );
    }
    for &(p, n, t) in &all {
        // SAFETY: the blocks are live (no reset yet) and were fully written.
        let bytes = unsafe { std::slice::from_raw_parts(p, n) };
        assert!(bytes.iter().all(|&b| b == t), "a block was overwritten");
    }
    for layout in layouts.iter().filter(|l| l.size() > 0) {
        // Padding aside, the last refusal means fewer bytes than the request were left.
        assert!(
            arena.remaining() < layout.size() + layout.align() - 1,
            "{layout:?} gave up too early"
        );
    }
}
