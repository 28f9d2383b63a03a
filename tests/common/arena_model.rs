//! Models of the arenas, shared by the property tests (`tests/arena.rs`) and the fuzz targets
//! (`fuzz/fuzz_targets/{arena,sync_arena}.rs`).

use std::alloc::Layout;
use std::mem::MaybeUninit;
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
    Grow(usize, usize),
    Shrink(usize, usize),
    Dealloc(usize),
    Enter,
    Exit,
}

struct Block {
    ptr: NonNull<u8>,
    layout: Layout,
    fill: u8,
    level: usize,
}

struct Model<'a> {
    blocks: Vec<Block>,
    next_fill: u8,
    /// Whether `addr..addr + size` is memory the arena may hand out.
    inside: &'a dyn Fn(usize, usize) -> bool,
}

impl Model<'_> {
    fn verify(&self) {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for b in &self.blocks {
            assert_eq!(b.ptr.as_ptr() as usize % b.layout.align(), 0, "misaligned");
            if b.layout.size() == 0 {
                continue;
            }
            let p = b.ptr.as_ptr() as usize;
            assert!((self.inside)(p, b.layout.size()), "outside the arena");
            // SAFETY: a live block of `size` bytes that we filled.
            let bytes = unsafe { std::slice::from_raw_parts(b.ptr.as_ptr(), b.layout.size()) };
            assert!(bytes.iter().all(|&x| x == b.fill), "contents changed");
            spans.push((p, b.layout.size()));
        }
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "blocks overlap");
        }
    }

    fn fill(&mut self, ptr: NonNull<u8>, size: usize) -> u8 {
        self.next_fill = self.next_fill.wrapping_add(1).max(1);
        // SAFETY: a fresh (or just resized) block of at least `size` bytes.
        unsafe { ptr.as_ptr().write_bytes(self.next_fill, size) };
        self.next_fill
    }

    /// Index of one of this level's blocks.
    fn own(&self, level: usize, i: usize) -> Option<usize> {
        let mine: Vec<usize> = (0..self.blocks.len())
            .filter(|&k| self.blocks[k].level == level)
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
                if let Ok(p) = f.allocate(layout) {
                    let p = p.cast::<u8>();
                    let fill = m.fill(p, size);
                    m.blocks.push(Block {
                        ptr: p,
                        layout,
                        fill,
                        level,
                    });
                }
            }
            ArenaOp::AllocSlice(len) => {
                let len = len % 40;
                let src: Vec<u8> = vec![0; len];
                if let Ok(s) = f.try_alloc_slice_copy(&src) {
                    let p = NonNull::new(s.as_mut_ptr()).unwrap();
                    let fill = m.fill(p, len);
                    m.blocks.push(Block {
                        ptr: p,
                        layout: Layout::array::<u8>(len).unwrap(),
                        fill,
                        level,
                    });
                }
            }
            ArenaOp::Grow(i, extra) => {
                let extra = 1 + extra % 64;
                if let Some(k) = m.own(level, i) {
                    let b = &m.blocks[k];
                    let new =
                        Layout::from_size_align(b.layout.size() + extra, b.layout.align()).unwrap();
                    // SAFETY: a live block of this frame with this layout.
                    if let Ok(p) = unsafe { f.grow(b.ptr, b.layout, new) } {
                        let p = p.cast::<u8>();
                        let fill = m.fill(p, new.size());
                        m.blocks[k] = Block {
                            ptr: p,
                            layout: new,
                            fill,
                            level,
                        };
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
                    // SAFETY: a live block of this frame with this layout.
                    let p = unsafe { f.shrink(b.ptr, b.layout, new) }
                        .unwrap()
                        .cast::<u8>();
                    let fill = b.fill;
                    m.blocks[k] = Block {
                        ptr: p,
                        layout: new,
                        fill,
                        level,
                    };
                }
            }
            ArenaOp::Dealloc(i) => {
                if let Some(k) = m.own(level, i) {
                    let b = m.blocks.remove(k);
                    // SAFETY: a live block of this frame with this layout, not used again.
                    unsafe { f.deallocate(b.ptr, b.layout) };
                }
            }
            // Bounded, so a long input cannot overflow the stack.
            ArenaOp::Enter if level < 64 => {
                let before = f.used();
                f.frame(|mut child| run_frame(&mut child, ops, m, level + 1));
                assert_eq!(f.used(), before, "the child frame rewound exactly");
                m.blocks.retain(|b| b.level <= level);
            }
            ArenaOp::Exit if level > 0 => return,
            ArenaOp::Enter | ArenaOp::Exit => {}
        }
        m.verify();
    }
}

/// Runs `ops` through nested frames of a 2 KiB arena, checking after every step that live blocks
/// are disjoint, aligned, in bounds and intact, that every child frame rewinds exactly, and that
/// the arena is empty at the end.
pub fn run_frames(ops: &[ArenaOp]) {
    let mut mem = [MaybeUninit::<u8>::uninit(); 2048];
    let range = mem.as_ptr() as usize..mem.as_ptr() as usize + mem.len();
    let inside = |p: usize, n: usize| range.contains(&p) && p + n <= range.end;
    let mut arena = Arena::from_memory(&mut mem);
    let mut m = Model {
        blocks: Vec::new(),
        next_fill: 0,
        inside: &inside,
    };
    arena.frame(|mut f| run_frame(&mut f, &mut ops.iter(), &mut m, 0));
    assert_eq!(arena.used(), 0);
}

/// The same steps in a growing arena whose first chunk holds `first_chunk` bytes (tiny ones
/// make the steps cross chunks often), with an optional allocation limit, repeated as a loop of
/// frames: besides [`run_frames`]' checks, blocks lie inside live chunks, and the loop reaches
/// a pass that takes no chunk from the backing allocator (spares are reused). At the end
/// every chunk is given back.
pub fn run_growing(ops: &[ArenaOp], first_chunk: Option<usize>, limit: Option<usize>) {
    let backing = TestBacking::new();
    let inside = |p: usize, n: usize| backing.contains(p, n);
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
        let mut m = Model {
            blocks: Vec::new(),
            next_fill: 0,
            inside: &inside,
        };
        arena.frame(|mut f| run_frame(&mut f, &mut ops.iter(), &mut m, 0));
        assert_eq!(arena.used(), 0, "the frame rewound across chunks");
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
        let mut m = Model {
            blocks: Vec::new(),
            next_fill: 0,
            inside: &inside,
        };
        arena.frame(|mut f| run_frame(&mut f, &mut ops.iter(), &mut m, 0));
    }
    arena.reset();
    arena.shrink_to_fit();
    let first = usize::from(first_chunk.is_some() || backing.allocs() > 0);
    assert_eq!(backing.live_blocks(), first, "only the first chunk is left");
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
    let blocks: Vec<Vec<(usize, usize)>> = std::thread::scope(|s| {
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
                        mine.push((p.as_ptr() as usize, layout.size()));
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
    let mut all: Vec<(usize, usize, u8)> = blocks
        .iter()
        .enumerate()
        .flat_map(|(t, v)| v.iter().map(move |&(p, n)| (p, n, t as u8)))
        .filter(|&(_, n, _)| n > 0)
        .collect();
    all.sort();
    for w in all.windows(2) {
        assert!(w[0].0 + w[0].1 <= w[1].0, "overlap: {:?} {:?}", w[0], w[1]);
    }
    for &(p, n, t) in &all {
        // SAFETY: the blocks are live (no reset yet) and were fully written.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, n) };
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
