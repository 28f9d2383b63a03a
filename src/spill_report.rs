//! The spill report (feature `spill-report`): the run-time counterpart of Go's `-gcflags=-m`.
//!
//! Every [`StackVec`](crate::StackVec) remembers the source location that created it
//! (`#[track_caller]` on its constructors, `FromIterator`, `Clone`, `Default`, [`stack_vec!`]).
//! When it is dropped or converted ([`into_heap_exact`](crate::StackVec::into_heap_exact),
//! `into_iter`, `leak`), its call site's record counts it: how many vectors, how many spilled, the
//! longest, a histogram of lengths in powers of two, and whether `into_heap_exact` handed over a
//! spilled buffer (identity) or copied inline elements. [`spill_report`] takes a snapshot; its
//! `Display` is a table, sorted by spill count, with the inline budget that would have kept 95%
//! and 99% of each site's vectors inline, and what that budget costs on the stack.
//!
//! A [`StackString`](crate::StackString) is counted as the `StackVec<u8>` it is built on (element
//! size 1 B): its constructors, `From`/`FromIterator`/`Clone`/`Default` impls,
//! [`stack_format!`](crate::stack_format) and [`stack_concat!`](crate::stack_concat) are
//! `#[track_caller]` too, so the site is the user's line.
//!
//! A vector counts with the most it has had to hold, taken when it is dropped or converted: its
//! longest length (its high-water mark, so a stack that grows to 7 elements and is popped empty
//! before it is dropped needs 7), or the length room was asked for (`with_capacity(16)` needs 16
//! even if 2 are pushed: a smaller budget spills at that call; `reserve` likewise). A vector that
//! spilled (even if it moved back inline since, through `shrink_to_fit`) counts as needing at
//! least one element more than its inline capacity.
//!
//! The registry is a fixed-capacity, lock-free table in a `static` (thread-safe with or without
//! `std`): [`SITES`] call sites (256 with `std`, 32 without: about 3 KiB on a 32-bit target,
//! 100 bytes a site).
//! Sites beyond that are counted in [`SpillReport::untracked`], never lost silently. The counts
//! are `usize`s: on a 32-bit target a site's counts wrap after about 4 billion vectors.
//!
//! `Iterator::collect` is not `#[track_caller]` in `core`, so vectors built by `collect()` are
//! all attributed to `collect`'s one location in `core`: the table shows them together as one
//! `collect()` row ([`SiteStats::is_collect`]; `partition`, collecting into an `Option` or a
//! `Result`, and `unzip` and collecting into a pair, which build through the tuple's `Default`,
//! land there too); call `StackVec::from_iter(iter)` (or
//! [`from_iter_in`](crate::StackVec::from_iter_in), or a constructor and `extend`, for a pair
//! `(a, b).extend(iter)`) where the site matters. Any other vector that `core` makes for you
//! (`mem::take` through `Default`, `Option::clone` through `Clone`) is counted at that line of
//! `core`, a row of its own.
//!
//! # For the final binary, not for libraries
//!
//! The feature adds two words to every vector (the site and the high-water mark; padded to
//! `T`'s alignment if that is larger), so `size_of::<StackVec<u64>>()` is 64 instead of 48 on
//! 64-bit targets; every shortening notes
//! the length and every drop records. Turn it on in the application (or a test or profiling
//! build) that wants the report; a library that enabled it would impose that on every user. With the feature off, none of this exists: no field, no drop hook, no instruction.
//!
//! [`stack_vec!`]: crate::stack_vec!

use alloc::vec::Vec;
use core::fmt;
use core::panic::Location;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::stack_vec::Exit;

/// How many call sites the registry tracks; vectors from further sites are counted in
/// [`SpillReport::untracked`].
///
/// # Examples
/// ```
/// # #[cfg(feature = "spill-report")] {
/// assert!(stackfirst::spill_report::SITES >= 32);
/// # }
/// ```
pub const SITES: usize = if cfg!(feature = "std") { 256 } else { 32 };

/// Length buckets: 0, 1, 2-3, 4-7, ..., and a last one for 2^15 and more.
///
/// # Examples
/// ```
/// # #[cfg(feature = "spill-report")] {
/// drop(stackfirst::StackVec::<u8>::from_iter(0..5));
/// let report = stackfirst::spill_report();
/// assert_eq!(report.sites()[0].lengths.len(), stackfirst::spill_report::BUCKETS);
/// # }
/// ```
pub const BUCKETS: usize = 17;

struct Slot {
    site: AtomicPtr<Location<'static>>,
    /// The element size plus one (a site of generic code makes vectors of several element
    /// sizes, and budgets are in bytes: each size has a slot of its own); 0 until the thread
    /// that claimed the slot has written it.
    elem_size: AtomicUsize,
    /// The largest element alignment recorded (for `stack_cost`).
    elem_align: AtomicUsize,
    created: AtomicUsize,
    spilled: AtomicUsize,
    max_len: AtomicUsize,
    lengths: [AtomicUsize; BUCKETS],
    into_heap_identity: AtomicUsize,
    into_heap_copy: AtomicUsize,
}

impl Slot {
    const fn new() -> Self {
        Self {
            site: AtomicPtr::new(ptr::null_mut()),
            elem_size: AtomicUsize::new(0),
            elem_align: AtomicUsize::new(0),
            created: AtomicUsize::new(0),
            spilled: AtomicUsize::new(0),
            max_len: AtomicUsize::new(0),
            lengths: [const { AtomicUsize::new(0) }; BUCKETS],
            into_heap_identity: AtomicUsize::new(0),
            into_heap_copy: AtomicUsize::new(0),
        }
    }
}

static TABLE: [Slot; SITES] = [const { Slot::new() }; SITES];
static UNTRACKED: AtomicUsize = AtomicUsize::new(0);

fn same(a: &Location<'_>, b: &Location<'_>) -> bool {
    ptr::eq(a, b) || (a.line() == b.line() && a.column() == b.column() && a.file() == b.file())
}

/// The slot of the site's vectors of `elem_size`-byte elements, claimed on first use (open
/// addressing, compare-and-swap on the site; the claimer then writes the size). A slot whose
/// size is not written yet is passed over: at worst a racing thread claims a second slot for the
/// same key, which [`spill_report`] merges. (Waiting for the size instead could deadlock an
/// interrupt handler against the code it interrupted.)
fn slot(site: &'static Location<'static>, elem_size: usize) -> Option<&'static Slot> {
    // `size_of` never exceeds `isize::MAX`: no overflow, and 0 stays "not written".
    let key = elem_size + 1;
    let start = (site.line() as usize)
        .wrapping_mul(31)
        .wrapping_add(site.column() as usize)
        .wrapping_add(elem_size)
        % SITES;
    let wanted = ptr::from_ref(site).cast_mut();
    for i in 0..SITES {
        let slot = &TABLE[(start + i) % SITES];
        let mut current = slot.site.load(Ordering::Acquire);
        if current.is_null() {
            match slot.site.compare_exchange(
                ptr::null_mut(),
                wanted,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    slot.elem_size.store(key, Ordering::Release);
                    return Some(slot);
                }
                Err(other) => current = other,
            }
        }
        // SAFETY: only `&'static Location` pointers are ever stored in a slot.
        if same(unsafe { &*current }, site) && slot.elem_size.load(Ordering::Acquire) == key {
            return Some(slot);
        }
    }
    None
}

/// A vector's call site, and whether the vector spilled and then moved back inline (bit 0 of
/// the pointer, free because a `Location` is aligned to at least 2: it holds a pointer, and the
/// assertion below holds the build to it): at its exit it counts as having spilled.
#[derive(Clone, Copy)]
pub(crate) struct Site(NonNull<Location<'static>>);

const _: () = assert!(
    align_of::<Location<'static>>() >= 2,
    "the spill report keeps a flag in bit 0 of a `Location`'s address"
);

// SAFETY: a pointer to an immutable `'static` `Location` (which is `Send` and `Sync`) and a bit.
unsafe impl Send for Site {}
// SAFETY: as for `Send`.
unsafe impl Sync for Site {}

impl Site {
    #[inline]
    pub(crate) const fn new(location: &'static Location<'static>) -> Self {
        let ptr = location as *const Location<'static> as *mut Location<'static>;
        // SAFETY: from a reference, so not null.
        Self(unsafe { NonNull::new_unchecked(ptr) })
    }

    fn location(self) -> &'static Location<'static> {
        // SAFETY: with bit 0 cleared this is the pointer `new` made from a `'static` reference.
        unsafe { &*self.0.as_ptr().map_addr(|addr| addr & !1) }
    }

    fn moved_back(self) -> bool {
        self.0.as_ptr().addr() & 1 != 0
    }

    /// Notes that the vector spilled and has moved back inline.
    pub(crate) fn mark_moved_back(&mut self) {
        self.0 = self.0.map_addr(|addr| addr | 1);
    }
}

/// Counts one vector of `site` that held at most `len` elements (`spilled` if it is spilled, or
/// spilled and moved back inline).
pub(crate) fn record(
    site: Site,
    elem_size: usize,
    elem_align: usize,
    inline_capacity: usize,
    len: usize,
    spilled: bool,
    exit: Exit,
) {
    let spilled = spilled || site.moved_back();
    let Some(slot) = slot(site.location(), elem_size) else {
        UNTRACKED.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let need = if spilled {
        len.max(inline_capacity.saturating_add(1))
    } else {
        len
    };
    slot.elem_align.fetch_max(elem_align, Ordering::Relaxed);
    slot.created.fetch_add(1, Ordering::Relaxed);
    if spilled {
        slot.spilled.fetch_add(1, Ordering::Relaxed);
    }
    slot.max_len.fetch_max(need, Ordering::Relaxed);
    slot.lengths[bucket(need)].fetch_add(1, Ordering::Relaxed);
    match exit {
        Exit::IntoHeapIdentity => slot.into_heap_identity.fetch_add(1, Ordering::Relaxed),
        Exit::IntoHeapCopy => slot.into_heap_copy.fetch_add(1, Ordering::Relaxed),
        Exit::Dropped | Exit::Converted => 0,
    };
}

/// 0 for length 0, `k` for lengths in `2^(k-1)..2^k`, capped at the last bucket.
fn bucket(len: usize) -> usize {
    ((usize::BITS - len.leading_zeros()) as usize).min(BUCKETS - 1)
}

/// One call site's statistics. See the [module docs](self).
///
/// # Examples
/// ```
/// # #[cfg(feature = "spill-report")] {
/// use stackfirst::StackVec;
///
/// let first = line!();
/// for n in [1, 2, 9] {
///     let mut v: StackVec<u64> = StackVec::new();
///     v.extend(0..n);
/// }
/// let report = stackfirst::spill_report();
/// let site = report.sites().iter().find(|s| (first..line!()).contains(&s.line)).unwrap();
/// assert_eq!((site.created, site.spilled, site.max_len), (3, 1, 9));
/// # }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SiteStats {
    /// The source file of the call site.
    pub file: &'static str,
    /// Its line.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// The element size in bytes. A site that makes vectors of several element sizes (generic
    /// code) has a row for each.
    pub elem_size: usize,
    /// The element alignment in bytes (the largest, if the site's elements of this size differ).
    pub elem_align: usize,
    /// Vectors from this site that were dropped or converted.
    pub created: usize,
    /// How many of them had spilled to the heap.
    pub spilled: usize,
    /// The most any of them had to hold: its longest length, or the length room was asked for
    /// (a spilled vector counts as at least its inline capacity plus one; see the
    /// [module docs](self)).
    pub max_len: usize,
    /// What each vector had to hold (as for `max_len`), in powers of two: `lengths[0]` counts
    /// vectors that stayed empty, `lengths[k]` those that reached `2^(k-1)..2^k`; the last bucket everything from
    /// `2^(BUCKETS - 2)` on.
    pub lengths: [usize; BUCKETS],
    /// `into_heap_exact` calls that handed a spilled buffer over (no allocation).
    pub into_heap_identity: usize,
    /// `into_heap_exact` calls that copied inline elements into one exact allocation.
    pub into_heap_copy: usize,
}

impl SiteStats {
    /// `true` for the row of vectors built by `collect()`: `core`'s `Iterator::collect` is the
    /// only location `#[track_caller]` can see for them (see the [module docs](self)).
    ///
    /// # Examples
    /// ```
    /// # #[cfg(feature = "spill-report")] {
    /// use stackfirst::StackVec;
    ///
    /// drop((0..3).collect::<StackVec<u8>>());
    /// let report = stackfirst::spill_report();
    /// assert!(report.sites().iter().any(|s| s.is_collect()));
    /// assert!(report.to_string().contains("collect()"));
    /// # }
    /// ```
    #[must_use]
    pub fn is_collect(&self) -> bool {
        // `core/src/iter/...` (remapped) or `/rustc/<hash>/library/core/src/iter/...`, either
        // separator: `collect`, and the `Option`/`Result` collecting and `partition` built on
        // it; and the tuple's `Default`, through which `unzip` and collecting into a pair build.
        // Other lines of `core` (`mem::take`) are rows of their own.
        let f = self.file.replace('\\', "/");
        let in_core = f
            .strip_prefix("core/src/")
            .or_else(|| f.split_once("/core/src/").map(|(_, rest)| rest));
        in_core.is_some_and(|rest| rest.starts_with("iter/") || rest == "tuple.rs")
    }

    /// The inline budget in bytes (a multiple of the word size) that would have kept at least
    /// `percent`% of this site's vectors inline: the smallest length bucket bound that covers
    /// them (capped at the longest length seen), times the element size.
    ///
    /// # Examples
    /// ```
    /// # #[cfg(feature = "spill-report")] {
    /// use stackfirst::StackVec;
    ///
    /// let first = line!();
    /// for n in [1, 1, 1, 5] {
    ///     let mut v: StackVec<u64> = StackVec::new();
    ///     v.extend(0..n);
    /// }
    /// let report = stackfirst::spill_report();
    /// let site = report.sites().iter().find(|s| (first..line!()).contains(&s.line)).unwrap();
    /// assert_eq!(site.budget_for(75), 8); // one u64 keeps 3 of 4 inline
    /// assert_eq!(site.budget_for(99), 40); // bucket 4-7, capped at the longest: 5 u64
    /// # }
    /// ```
    ///
    /// # Panics
    /// If `percent > 100`.
    #[must_use]
    #[track_caller]
    pub fn budget_for(&self, percent: usize) -> usize {
        assert!(
            percent <= 100,
            "budget_for: percent is {percent}, it must be at most 100"
        );
        // ceil(created * percent / 100) without overflow: created = 100 q + r.
        let (q, r) = (self.created / 100, self.created % 100);
        let need = q * percent + (r * percent).div_ceil(100);
        let mut seen = 0usize;
        let mut len = self.max_len;
        for (k, &count) in self.lengths.iter().enumerate() {
            seen = seen.saturating_add(count);
            if seen >= need {
                // The last bucket has no upper bound of its own.
                len = match k {
                    0 => 0,
                    k if k == BUCKETS - 1 => self.max_len,
                    k => (1usize << k) - 1,
                };
                break;
            }
        }
        let bytes = len.min(self.max_len).saturating_mul(self.elem_size);
        bytes
            .div_ceil(size_of::<usize>())
            .saturating_mul(size_of::<usize>())
    }

    /// What a `StackVec` with an inline budget of `budget` bytes occupies on the stack (with a
    /// zero-sized allocator): the budget or the heap pointer, whichever is larger, plus the
    /// length and capacity words, padded to the element's alignment when that exceeds a word's.
    ///
    /// # Examples
    /// ```
    /// # #[cfg(feature = "spill-report")] {
    /// drop(stackfirst::StackVec::<u8>::new());
    /// let report = stackfirst::spill_report();
    /// let site = &report.sites()[0];
    /// assert_eq!(site.stack_cost(32), 32 + 2 * size_of::<usize>());
    /// assert_eq!(site.stack_cost(0), 3 * size_of::<usize>()); // the heap pointer still counts
    /// # }
    /// ```
    #[must_use]
    pub fn stack_cost(&self, budget: usize) -> usize {
        let align = self.elem_align.max(align_of::<usize>());
        let inline = budget.max(size_of::<usize>()).next_multiple_of(align);
        (inline + 2 * size_of::<usize>()).next_multiple_of(align)
    }
}

/// A snapshot of every tracked call site, sorted by spill count (most first).
///
/// # Examples
/// ```
/// # #[cfg(feature = "spill-report")] {
/// let report = stackfirst::spill_report();
/// println!("{report}");
/// assert_eq!(report.untracked(), 0);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SpillReport {
    sites: Vec<SiteStats>,
    untracked: usize,
}

impl SpillReport {
    /// The call sites, most spills first.
    ///
    /// # Examples
    /// ```
    /// # #[cfg(feature = "spill-report")] {
    /// let report = stackfirst::spill_report();
    /// assert!(report.sites().windows(2).all(|w| w[0].spilled >= w[1].spilled));
    /// # }
    /// ```
    #[must_use]
    pub fn sites(&self) -> &[SiteStats] {
        &self.sites
    }

    /// Vectors not counted because the table was full ([`SITES`] call sites).
    ///
    /// # Examples
    /// ```
    /// # #[cfg(feature = "spill-report")] {
    /// assert_eq!(stackfirst::spill_report().untracked(), 0);
    /// # }
    /// ```
    #[must_use]
    pub fn untracked(&self) -> usize {
        self.untracked
    }
}

/// Takes a snapshot of the spill statistics of every call site so far.
///
/// # Examples
/// ```
/// # #[cfg(feature = "spill-report")] {
/// use stackfirst::StackVec;
///
/// let v: StackVec<u8> = StackVec::from_iter(0..100u8);
/// drop(v);
/// let report = stackfirst::spill_report();
/// assert!(report.sites().iter().any(|s| s.spilled == 1 && s.max_len == 100));
/// # }
/// ```
#[must_use]
pub fn spill_report() -> SpillReport {
    let mut sites: Vec<SiteStats> = TABLE
        .iter()
        .filter_map(|slot| {
            let site = slot.site.load(Ordering::Acquire);
            let key = slot.elem_size.load(Ordering::Acquire);
            if site.is_null() || key == 0 {
                return None;
            }
            // SAFETY: only `&'static Location` pointers are ever stored in a slot.
            let site = unsafe { &*site };
            Some(SiteStats {
                file: site.file(),
                line: site.line(),
                column: site.column(),
                elem_size: key - 1,
                elem_align: slot.elem_align.load(Ordering::Relaxed),
                created: slot.created.load(Ordering::Relaxed),
                spilled: slot.spilled.load(Ordering::Relaxed),
                max_len: slot.max_len.load(Ordering::Relaxed),
                lengths: core::array::from_fn(|k| slot.lengths[k].load(Ordering::Relaxed)),
                into_heap_identity: slot.into_heap_identity.load(Ordering::Relaxed),
                into_heap_copy: slot.into_heap_copy.load(Ordering::Relaxed),
            })
        })
        .filter(|s| s.created > 0)
        .collect();
    // One row per site and element size: two slots of one (a race when the slot was claimed)
    // are merged, and so are `collect()`'s sites in `core`, which tell the user nothing apart.
    let key = |s: &SiteStats| {
        let site = if s.is_collect() {
            ("", 0, 0)
        } else {
            (s.file, s.line, s.column)
        };
        (site, s.elem_size)
    };
    sites.sort_by_cached_key(key);
    sites.dedup_by(|later, kept| {
        let same_key = key(later) == key(kept);
        if same_key {
            kept.created += later.created;
            kept.spilled += later.spilled;
            kept.max_len = kept.max_len.max(later.max_len);
            kept.elem_align = kept.elem_align.max(later.elem_align);
            for (k, l) in kept.lengths.iter_mut().zip(later.lengths) {
                *k += l;
            }
            kept.into_heap_identity += later.into_heap_identity;
            kept.into_heap_copy += later.into_heap_copy;
        }
        same_key
    });
    sites.sort_by(|a, b| b.spilled.cmp(&a.spilled).then(b.created.cmp(&a.created)));
    SpillReport {
        sites,
        untracked: UNTRACKED.load(Ordering::Relaxed),
    }
}

impl fmt::Display for SpillReport {
    /// One row per call site; the site column is as wide as the longest one. `collect()`
    /// vectors share one row, labelled as such, with a hint below the table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const COLLECT: &str = "collect() (all sites, see below)";
        let label = |s: &SiteStats| {
            if s.is_collect() {
                alloc::string::String::from(COLLECT)
            } else {
                alloc::format!("{}:{}:{}", s.file, s.line, s.column)
            }
        };
        let w = self
            .sites
            .iter()
            .map(|s| label(s).len())
            .chain([9])
            .max()
            .unwrap_or(9);
        writeln!(
            f,
            "{:<w$} {:>5} {:>8} {:>14} {:>7} {:>20} {:>20} {:>13}",
            "call site",
            "elem",
            "vectors",
            "spilled",
            "longest",
            "95% inline budget",
            "99% inline budget",
            "into_heap id/copy"
        )?;
        for s in &self.sites {
            // In 128 bits: `spilled * 100` overflows a 32-bit `usize` at 43 million spills.
            let pct = s.spilled as u128 * 100 / s.created.max(1) as u128;
            let pct = alloc::format!("{} ({pct}%)", s.spilled);
            let budget = |p| {
                let b = s.budget_for(p);
                alloc::format!("{b} B ({} B stack)", s.stack_cost(b))
            };
            writeln!(
                f,
                "{:<w$} {:>3} B {:>8} {:>14} {:>7} {:>20} {:>20} {:>8}/{}",
                label(s),
                s.elem_size,
                s.created,
                pct,
                s.max_len,
                budget(95),
                budget(99),
                s.into_heap_identity,
                s.into_heap_copy
            )?;
        }
        if self.sites.iter().any(SiteStats::is_collect) {
            writeln!(
                f,
                "collect() is not #[track_caller]: its vectors are counted together; build them \
                 with StackVec::from_iter(iter) to see each site"
            )?;
        }
        if self.untracked > 0 {
            writeln!(
                f,
                "{} vectors from sites beyond the table's {SITES} were not tracked",
                self.untracked
            )?;
        }
        Ok(())
    }
}
