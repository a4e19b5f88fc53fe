//! The npm package's global allocator: power-of-two size classes over a bump
//! pointer, in about a hundred lines.
//!
//! # Why
//!
//! Size. talc, the allocator before this one, cost 1.16 KB of the gzipped
//! wasm over a bump allocator that never frees; this one costs 0.47 KB: the
//! npm wasm went from 17,085 to 16,388 bytes gzipped (35,654 to 34,098
//! raw). The module allocates little: one engine per client, whose few
//! buffers grow (by doubling) up to the event size cap and are then reused,
//! so a general-purpose allocator's splitting and coalescing buy nothing
//! measurable here.
//!
//! # How
//!
//! Every block is a power of two, at least [`MIN_BLOCK`] bytes, and aligned
//! to its own size, so any request whose size and alignment fit a class is
//! served by any block of that class. A freed block goes onto its class's
//! free list, whose links live in the free blocks themselves; an allocation
//! pops that list, or else carves a block from fresh memory at the bump
//! pointer. All of it is O(1), but for the rare growth of memory.
//!
//! # Trade-offs
//!
//! * A block's memory is its request rounded up to a power of two (at most
//!   twice the request).
//! * A freed block is reused only for its own class: blocks are never split
//!   or merged. A buffer that doubles up to 1 MiB leaves blocks of 64 B to
//!   512 KiB free behind it (another 1 MiB), reused by the next buffers that
//!   grow. Measured in Node, 200 engines in turn, each fed events of up to
//!   250 KB: 3.5 MiB of linear memory, against 2.6 MiB with talc.
//! * Memory is never handed back to the browser, which wasm cannot do
//!   anyway: linear memory only grows.
//!
//! Only the npm build uses it (feature `small-alloc`, set by `make build`):
//! an app linking the crate keeps its own global allocator.

use core::alloc::Layout;
use core::ptr;

/// The smallest block, in bytes: room for a free list's link (a pointer, 4
/// bytes on wasm32, 8 natively) and the most alignment wasm32 types need.
pub const MIN_BLOCK: usize = 8;

/// Where a [`Heap`] gets memory from.
///
/// # Safety
///
/// Every range `grow` returns is memory that the heap may read and write
/// for as long as it lives, and that nothing else uses: the heap hands it
/// out as blocks.
pub unsafe trait Memory {
    /// Adds at least `bytes` bytes of fresh memory and returns it as the
    /// address range `(start, end)`, or `None` if there is no more.
    ///
    /// `start` is non-zero and a multiple of [`MIN_BLOCK`]. When `start` is
    /// the `end` of the previous range, the two are used as one; otherwise
    /// the heap gives up the rest of the previous range.
    fn grow(&mut self, bytes: usize) -> Option<(usize, usize)>;
}

/// A power-of-two size-class allocator over the memory `M` hands out.
///
/// The allocation methods follow [`core::alloc::GlobalAlloc`]'s contract:
/// they return null when out of memory, and the pointers passed back must
/// come from the same heap with the same layout.
pub struct Heap<M> {
    memory: M,
    /// The head of each class's free list (0: empty), by log2 of its block
    /// size. A free block's first word holds the address of the next one.
    /// One more entry than classes can reach (a layout's size is at most
    /// `isize::MAX`): every `trailing_zeros` is then a valid index, which
    /// the compiler can see, so indexing has no panic path.
    free: [usize; usize::BITS as usize + 1],
    /// The bump pointer: memory from `next` to `end` is not yet handed out.
    next: usize,
    end: usize,
}

impl<M: Memory> Heap<M> {
    /// An empty heap: it asks `memory` for memory at the first allocation.
    pub const fn new(memory: M) -> Self {
        Self {
            memory,
            free: [0; usize::BITS as usize + 1],
            next: 0,
            end: 0,
        }
    }

    /// A block for `layout`, or null if memory is exhausted.
    pub fn alloc(&mut self, layout: Layout) -> *mut u8 {
        let class = class_of(layout);
        let head = self.free[class];
        if head != 0 {
            // SAFETY: `head` is a free block of this heap, at least
            // MIN_BLOCK bytes and aligned to them, whose first word
            // `push` wrote.
            self.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        self.bump(1 << class).unwrap_or(0) as *mut u8
    }

    /// Puts the block at `ptr` back on its class's free list.
    ///
    /// # Safety
    ///
    /// `ptr` comes from this heap's `alloc` or `realloc` with `layout`, and
    /// is not used afterwards.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        self.push(class_of(layout), ptr as usize);
    }

    /// Resizes the block at `ptr` to `new_size` bytes: in place when the
    /// new size has the same class (a shrink to fit, growth within the
    /// rounding up), else by moving the contents to a block of the new
    /// class (a doubling `Vec`: one copy per doubling, as with any
    /// allocator that cannot grow in place). Null, with the old block left
    /// as it was, if memory is exhausted.
    ///
    /// # Safety
    ///
    /// As [`core::alloc::GlobalAlloc::realloc`]: `ptr` comes from this
    /// heap with `layout`, and `new_size` with `layout.align()` is a valid
    /// layout.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees the new layout is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(new_layout) == class_of(layout) {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct and at least this long.
            unsafe {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }

    /// A fresh block of `size` bytes (a power of two, at least MIN_BLOCK)
    /// aligned to `size`, from the bump pointer, growing memory as needed.
    fn bump(&mut self, size: usize) -> Option<usize> {
        loop {
            let start = self.next.checked_add(size - 1)? & !(size - 1);
            let end = start.checked_add(size)?;
            if end <= self.end {
                // The padding skipped to align the block is not lost: it
                // splits into aligned blocks for the smaller classes.
                let mut at = self.next;
                while at < start {
                    // The largest block `at` is aligned to; it ends at or
                    // before `start`, which is aligned to a larger one.
                    let block = at & at.wrapping_neg();
                    self.push(block.trailing_zeros() as usize, at);
                    at += block;
                }
                self.next = end;
                return Some(start);
            }
            let (start, end) = self.memory.grow(end - self.end)?;
            if start != self.end {
                // Not contiguous (the first range, or memory grown by
                // someone else): what was left of the previous range is
                // given up.
                self.next = start;
            }
            self.end = end;
        }
    }

    /// Pushes the free block at `addr` onto the list of `class`.
    fn push(&mut self, class: usize, addr: usize) {
        // SAFETY: `addr` is a block of this heap that nothing else uses, at
        // least MIN_BLOCK bytes and aligned to them: room for the link.
        unsafe { *(addr as *mut usize) = self.free[class] };
        self.free[class] = addr;
    }
}

/// The class (log2 of the block size) serving `layout`: the smallest power
/// of two at least its size, its alignment and MIN_BLOCK. It cannot
/// overflow: a layout's size is at most `isize::MAX`.
fn class_of(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(MIN_BLOCK);
    size.next_power_of_two().trailing_zeros() as usize
}

#[cfg(target_arch = "wasm32")]
pub use wasm::SmallAlloc;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{Heap, Memory};
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32::memory_grow;
    use core::cell::UnsafeCell;

    // The `Sync` below holds only without threads.
    #[cfg(target_feature = "atomics")]
    compile_error!("small_alloc is single-threaded: build without the `atomics` target feature");

    /// A wasm page.
    const PAGE: usize = 64 * 1024;

    /// The module's linear memory, grown by whole pages.
    pub struct LinearMemory;

    // SAFETY: `memory.grow` adds zeroed pages past the end of memory, which
    // nothing else in the module uses: the stack and static data lie below
    // the initial end, and nothing but this allocator grows memory (and if
    // something did, its pages would not be in the ranges returned here).
    unsafe impl Memory for LinearMemory {
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            let pages = bytes.div_ceil(PAGE);
            let old = memory_grow(0, pages);
            // After a successful grow, `old + pages` is at most 65536 pages
            // (4 GiB); only the end of the last page overflows wasm32's
            // `usize`, and then loses its last byte.
            (old != usize::MAX).then(|| (old * PAGE, (old + pages).saturating_mul(PAGE)))
        }
    }

    /// The npm package's global allocator: a [`Heap`] over the module's
    /// linear memory.
    pub struct SmallAlloc(UnsafeCell<Heap<LinearMemory>>);

    impl SmallAlloc {
        /// An empty allocator; it grows memory at the first allocation.
        pub const fn new() -> Self {
            Self(UnsafeCell::new(Heap::new(LinearMemory)))
        }
    }

    // SAFETY: wasm32 without the `atomics` target feature (checked above)
    // has a single thread, and no method of the heap calls out to code
    // that could allocate: each call has the heap to itself.
    unsafe impl Sync for SmallAlloc {}

    // SAFETY: the heap hands out blocks of at least the layout's size and
    // alignment that no live block overlaps, and null when out of memory.
    unsafe impl GlobalAlloc for SmallAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: single-threaded and not reentrant (see `Sync`).
            unsafe { (*self.0.get()).alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as `alloc`; the caller's guarantees are the heap's.
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as `alloc`; the caller's guarantees are the heap's.
            unsafe { (*self.0.get()).realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{alloc_zeroed, dealloc};
    use std::sync::OnceLock;

    const PAGE: usize = 64 * 1024;

    /// A fixed buffer handed out a page at a time, like wasm's linear
    /// memory, at a known alignment (1 MiB). `gap` pages are skipped before
    /// every other grow (the second, the fourth...), as if someone else had
    /// grown memory in between, and filled with [`CANARY`]: the heap must
    /// leave them alone.
    struct Arena {
        base: *mut u8,
        pages: usize,
        used: usize,
        gap: usize,
        grows: usize,
        skipped: Vec<usize>,
    }

    const CANARY: u8 = 0xA5;

    impl Arena {
        fn new(pages: usize) -> Self {
            Self::with_gap(pages, 0)
        }

        fn with_gap(pages: usize, gap: usize) -> Self {
            let base = unsafe { alloc_zeroed(Self::layout(pages)) };
            assert!(!base.is_null());
            Self {
                base,
                pages,
                used: 0,
                gap,
                grows: 0,
                skipped: Vec::new(),
            }
        }

        fn layout(pages: usize) -> Layout {
            Layout::from_size_align(pages * PAGE, 16 * PAGE).unwrap()
        }
    }

    impl Arena {
        /// Whether the skipped pages still hold their canaries.
        fn skipped_intact(&self) -> bool {
            self.skipped.iter().all(|&page| {
                let bytes = unsafe { std::slice::from_raw_parts(self.base.add(page * PAGE), PAGE) };
                bytes.iter().all(|&b| b == CANARY)
            })
        }
    }

    impl Drop for Arena {
        fn drop(&mut self) {
            unsafe { dealloc(self.base, Self::layout(self.pages)) }
        }
    }

    // SAFETY: the ranges are disjoint parts of `base`'s allocation, which
    // lives as long as the arena and so as the heap that owns it.
    unsafe impl Memory for Arena {
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            let skip = if self.grows % 2 == 1 { self.gap } else { 0 };
            self.grows += 1;
            let pages = bytes.div_ceil(PAGE);
            let start = self.used + skip;
            if pages > self.pages - start.min(self.pages) {
                return None;
            }
            for page in self.used..start {
                unsafe { self.base.add(page * PAGE).write_bytes(CANARY, PAGE) };
                self.skipped.push(page);
            }
            self.used = start + pages;
            let base = self.base as usize;
            Some((base + start * PAGE, base + self.used * PAGE))
        }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// Bytes 0, 1, ..., 255, 0, 1, ...: a block of `len` bytes filled with
    /// "seed" `s` holds `PATTERN[s..s + len]` (memcpy and memcmp, fast even
    /// in debug builds).
    fn pattern() -> &'static [u8] {
        static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
        PATTERN.get_or_init(|| (0..256 * 1024 + 256).map(|i| i as u8).collect())
    }

    /// Fills `len` bytes at `ptr` with a pattern that depends on `seed`.
    fn fill(ptr: *mut u8, len: usize, seed: u8) {
        let from = &pattern()[usize::from(seed)..][..len];
        unsafe { ptr::copy_nonoverlapping(from.as_ptr(), ptr, len) };
    }

    /// Whether the `len` bytes at `ptr` still hold `fill`'s pattern.
    fn holds(ptr: *const u8, len: usize, seed: u8) -> bool {
        let block = unsafe { std::slice::from_raw_parts(ptr, len) };
        block == &pattern()[usize::from(seed)..][..len]
    }

    #[test]
    fn freed_blocks_are_reused_within_their_class() {
        let mut heap = Heap::new(Arena::new(4));
        let a = heap.alloc(layout(24, 8));
        let b = heap.alloc(layout(24, 8));
        assert_ne!(a, b);
        unsafe { heap.dealloc(a, layout(24, 8)) };
        // Same class (32 bytes): the freed block comes back.
        assert_eq!(heap.alloc(layout(32, 1)), a);
        unsafe { heap.dealloc(b, layout(24, 8)) };
        // Another class: a fresh block.
        let c = heap.alloc(layout(64, 8));
        assert_ne!(c, b);
        // Last freed, first reused.
        unsafe {
            heap.dealloc(a, layout(32, 1));
            heap.dealloc(c, layout(64, 8));
        }
        let d = heap.alloc(layout(17, 1));
        assert_eq!(d, a);
        assert_eq!(heap.alloc(layout(17, 1)), b);
    }

    #[test]
    fn realloc_stays_in_place_within_a_class() {
        let mut heap = Heap::new(Arena::new(4));
        let a = heap.alloc(layout(100, 1));
        fill(a, 100, 7);
        let b = unsafe { heap.realloc(a, layout(100, 1), 128) };
        assert_eq!(b, a);
        let c = unsafe { heap.realloc(b, layout(128, 1), 65) };
        assert_eq!(c, a);
        assert!(holds(c, 65, 7));
    }

    #[test]
    fn realloc_across_classes_moves_the_contents() {
        let mut heap = Heap::new(Arena::new(4));
        let a = heap.alloc(layout(100, 4));
        fill(a, 100, 3);
        let b = unsafe { heap.realloc(a, layout(100, 4), 129) };
        assert_ne!(b, a);
        assert_eq!(b as usize % 4, 0);
        assert!(holds(b, 100, 3));
        // Shrinking to a smaller class moves too, and frees the big block.
        let c = unsafe { heap.realloc(b, layout(129, 4), 10) };
        assert_ne!(c, b);
        assert!(holds(c, 10, 3));
        assert_eq!(heap.alloc(layout(256, 4)), b);
        // The old block is free again: its class reuses it.
        assert_eq!(heap.alloc(layout(128, 1)), a);
    }

    #[test]
    fn every_block_is_aligned() {
        let mut heap = Heap::new(Arena::new(64));
        for size in [
            1, 2, 3, 7, 8, 9, 24, 100, 511, 512, 513, 1000, 2049, 4095, 4096,
        ] {
            for align in (0..=12).map(|shift| 1 << shift) {
                let p = heap.alloc(layout(size, align));
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "size {size} align {align}");
                fill(p, size, 1);
            }
        }
    }

    #[test]
    fn alignment_padding_serves_smaller_classes() {
        let mut heap = Heap::new(Arena::new(4));
        let small = heap.alloc(layout(8, 1)) as usize;
        let big = heap.alloc(layout(1024, 1)) as usize;
        assert_eq!(big, small + 1024);
        // The 1016 bytes skipped before `big` are blocks of 8 to 512 bytes.
        for size in [8, 16, 32, 64, 128, 256, 512] {
            let p = heap.alloc(layout(size, 1)) as usize;
            assert!(p > small && p + size <= big, "size {size}");
        }
        // All used: the next small block is past `big`.
        assert!(heap.alloc(layout(8, 1)) as usize >= big + 1024);
    }

    #[test]
    fn a_buffer_grown_again_reuses_the_memory_of_the_first() {
        // As the parser's buffers: doubling up to the 1 MiB cap, then freed
        // with their engine, then grown again by the next one.
        let mut heap = Heap::new(Arena::new(64));
        let grow = |heap: &mut Heap<Arena>| {
            let mut buf = heap.alloc(layout(64, 1));
            let mut size = 64;
            while size < 1 << 20 {
                buf = unsafe { heap.realloc(buf, layout(size, 1), 2 * size) };
                assert!(!buf.is_null());
                size *= 2;
            }
            unsafe { heap.dealloc(buf, layout(size, 1)) };
        };
        grow(&mut heap);
        let used = heap.memory.used;
        for _ in 0..10 {
            grow(&mut heap);
        }
        assert_eq!(heap.memory.used, used);
    }

    #[test]
    fn out_of_memory_is_null() {
        let mut heap = Heap::new(Arena::new(4));
        let base = heap.memory.base;
        // More than the arena, more than the address space.
        assert!(heap.alloc(layout(5 * PAGE, 1)).is_null());
        assert!(heap.alloc(layout(isize::MAX as usize, 1)).is_null());
        // What was not taken is still there.
        let a = heap.alloc(layout(2 * PAGE, 1));
        assert_eq!(a, base);
        let b = heap.alloc(layout(PAGE, 1));
        assert_eq!(b, base.wrapping_add(2 * PAGE));
        // One page left: a block of two, aligned to two, does not fit, and
        // a failed realloc leaves the block as it was.
        assert!(heap.alloc(layout(2 * PAGE, 1)).is_null());
        fill(b, 100, 9);
        assert!(unsafe { heap.realloc(b, layout(PAGE, 1), 2 * PAGE) }.is_null());
        assert!(holds(b, 100, 9));
        assert!(!heap.alloc(layout(PAGE, 1)).is_null());
        assert!(heap.alloc(layout(8, 1)).is_null());
        // Freed blocks are still served once the arena is exhausted.
        unsafe { heap.dealloc(a, layout(2 * PAGE, 1)) };
        assert_eq!(heap.alloc(layout(2 * PAGE - 1, 8)), a);
    }

    #[test]
    fn memory_grown_elsewhere_is_skipped() {
        let mut heap = Heap::new(Arena::with_gap(16, 1));
        let base = heap.memory.base as usize;
        let a = heap.alloc(layout(PAGE, 1)) as usize;
        assert_eq!(a, base);
        // The next grow starts a page past the end: not contiguous.
        let b = heap.alloc(layout(PAGE, 1)) as usize;
        assert_eq!(b, base + 2 * PAGE);
        fill(b as *mut u8, PAGE, 0);
        assert!(heap.memory.skipped_intact());
    }

    /// A xorshift64 generator: reproducible, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_use_keeps_blocks_apart_and_contents_intact() {
        random_use(Arena::new(1024));
    }

    #[test]
    fn random_use_with_memory_grown_elsewhere() {
        random_use(Arena::with_gap(1024, 1));
    }

    /// Allocates, frees and reallocates at random, checking that no two live
    /// blocks overlap and that none loses its contents.
    fn random_use(arena: Arena) {
        struct Live {
            ptr: *mut u8,
            layout: Layout,
            seed: u8,
        }
        let mut heap = Heap::new(arena);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut live: Vec<Live> = Vec::new();
        for step in 0..50_000 {
            // Mostly small sizes, as the engine's strings, with buffers
            // of up to 128 KiB now and then.
            let size = |rng: &mut Rng| match rng.below(10) {
                0 => 1 + rng.below(128 * 1024),
                1..=3 => 1 + rng.below(4096),
                _ => 1 + rng.below(100),
            };
            match rng.below(3) {
                0 if !live.is_empty() => {
                    let block = live.swap_remove(rng.below(live.len()));
                    assert!(holds(block.ptr, block.layout.size(), block.seed));
                    unsafe { heap.dealloc(block.ptr, block.layout) };
                }
                1 if !live.is_empty() => {
                    let i = rng.below(live.len());
                    let new_size = size(&mut rng);
                    let block = &mut live[i];
                    let ptr = unsafe { heap.realloc(block.ptr, block.layout, new_size) };
                    assert!(!ptr.is_null());
                    assert_eq!(ptr as usize % block.layout.align(), 0);
                    let kept = block.layout.size().min(new_size);
                    assert!(holds(ptr, kept, block.seed), "step {step}");
                    block.ptr = ptr;
                    block.layout = layout(new_size, block.layout.align());
                    fill(ptr, new_size, block.seed);
                }
                _ => {
                    let l = layout(size(&mut rng), 1 << rng.below(7));
                    let ptr = heap.alloc(l);
                    assert!(!ptr.is_null());
                    assert_eq!(ptr as usize % l.align(), 0);
                    let seed = step as u8;
                    fill(ptr, l.size(), seed);
                    live.push(Live {
                        ptr,
                        layout: l,
                        seed,
                    });
                }
            }
            if step % 100 == 0 {
                // No two live blocks overlap, and none was overwritten.
                let mut spans: Vec<_> = live
                    .iter()
                    .map(|b| (b.ptr as usize, b.ptr as usize + b.layout.size()))
                    .collect();
                spans.sort_unstable();
                for pair in spans.windows(2) {
                    assert!(pair[0].1 <= pair[1].0, "step {step}: overlap");
                }
                for b in &live {
                    assert!(holds(b.ptr, b.layout.size(), b.seed), "step {step}");
                }
            }
        }
        assert!(heap.memory.skipped_intact());
    }
}
