//! The binary's memory allocator: what a run asks for first is cut in order from one region
//! (bump allocation), and once the region is used up everything comes from mimalloc.
//!
//! Why: a run is short and keeps nearly all it allocates until it ends. CloudFormation for
//! 1,000 daemons allocates 1.85 MB in 15,000 blocks; 1.38 MB is live at the peak and 0.98 MB
//! at the end (valgrind DHAT). mimalloc gives each small size class its own 64 KiB page and
//! each medium size class its own 512 KiB page, so those 1.85 MB spread over about 5 MB of an
//! arena it backs with transparent huge pages: three 2 MiB pages for the kernel to zero, a
//! quarter of that run's time (perf). Cut in order from one 2 MiB-aligned region, the same run
//! touches one huge page (1.72 MB of the region), and cutting is fewer instructions than
//! finding a size class. Measured side by side (300 interleaved runs), the run went from 4.71
//! to 3.70 ms; 10 and 10,000 daemons got faster too, and peak memory went down (1,000
//! daemons 10.9 to 7.0 MB).
//!
//! The price: a freed block is reused only when it is the last one cut, which is how a growing
//! string or vector at the top grows in place. Any other freed block is not reused before the
//! process ends. [`REGION`] bounds that waste; past it mimalloc serves every allocation and
//! reuses memory as usual, so a large spec keeps mimalloc's behaviour.
//!
//! One thread owns the region: the first to allocate, which is the main thread. Every other
//! thread goes straight to mimalloc. A block of the region that another thread frees is
//! simply not reused.
//!
//! The library's tests run under the standard allocator; this module's tests drive
//! [`BumpFirst`] directly, and the binary's tests run it for real.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mimalloc::MiMalloc;

/// Bytes of the bump region: 1,000 daemons use 1.72 MB of it, 10,000 fill it and go on in
/// mimalloc. Only the pages a run touches cost memory.
pub const REGION: usize = 8 << 20;
/// The region starts on a huge-page boundary, so a small run touches one huge page, not two.
const HUGE_PAGE: usize = 2 << 20;

/// The global allocator of `impala-lbgen`: bump allocation in one region of [`REGION`] bytes
/// for the thread that allocates first, mimalloc for everything else.
pub struct BumpFirst;

/// Where the region starts; 0 until it is mapped, then fixed.
static REGION_START: AtomicUsize = AtomicUsize::new(0);
/// Set by the first allocation on any thread: that thread owns the region.
static CLAIMED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The owning thread's cursor. Every other thread keeps [`Bump::NONE`], which cuts nothing.
    /// Const-initialised and without a destructor, it lives in the thread's static TLS block:
    /// reading it neither allocates (which would recurse into this allocator) nor registers
    /// a destructor.
    static CURSOR: Cell<Bump> = const { Cell::new(Bump::NONE) };
}

/// A cursor over `top..end`: the address arithmetic of bump allocation, kept apart from the
/// memory so that it can be tested with plain numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bump {
    top: usize,
    end: usize,
}

impl Bump {
    /// No region: every request fails.
    const NONE: Bump = Bump { top: 0, end: 0 };

    /// The address of a new block for `layout`, or `None` when it does not fit.
    #[inline]
    fn alloc(&mut self, layout: Layout) -> Option<usize> {
        let start = self.top.checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let end = start.checked_add(layout.size())?;
        if end > self.end || self.top == 0 {
            return None;
        }
        self.top = end;
        Some(start)
    }

    /// Frees the block at `addr` of `size` bytes: taken back only when it is the last one cut.
    #[inline]
    fn free(&mut self, addr: usize, size: usize) {
        if self.top != 0 && addr.wrapping_add(size) == self.top {
            self.top = addr;
        }
    }

    /// Resizes the block at `addr` from `old` to `new` bytes where it stands, which only the
    /// last block can do; says whether it did.
    #[inline]
    fn resize_in_place(&mut self, addr: usize, old: usize, new: usize) -> bool {
        if self.top == 0 || addr.wrapping_add(old) != self.top {
            return false;
        }
        match addr.checked_add(new) {
            Some(end) if end <= self.end => {
                self.top = end;
                true
            }
            _ => false,
        }
    }
}

/// Runs `f` on this thread's cursor, claiming and mapping the region on the first call of the
/// first thread. `None` when the thread-local is gone (a thread's last moments).
#[inline]
fn with_cursor<R>(f: impl FnOnce(&mut Bump) -> R) -> Option<R> {
    CURSOR
        .try_with(|cell| {
            let mut cursor = cell.get();
            if cursor == Bump::NONE
                && !CLAIMED.load(Ordering::Relaxed)
                && !CLAIMED.swap(true, Ordering::Relaxed)
            {
                init_mimalloc();
                if let Some(start) = map_region() {
                    REGION_START.store(start, Ordering::Relaxed);
                    cursor = Bump {
                        top: start,
                        end: start + REGION,
                    };
                }
            }
            let out = f(&mut cursor);
            cell.set(cursor);
            out
        })
        .ok()
}

/// Sets mimalloc up on the owning thread, before any other thread can use it, as it would be
/// had the owning thread allocated from it first: initialised, with an arena reserved for
/// huge pages. mimalloc initialises itself on its first allocation, and asks for huge pages
/// for an arena only when that allocation happens while the process has one thread. With the
/// main thread on the region, `generate`'s render threads came first: they raced to set
/// mimalloc up and reserved arenas without huge pages (2,615 page faults for 1,000 daemons
/// instead of 204, 20% slower). The arena is the 1 GiB mimalloc reserves by default,
/// committed as it commits its own on Linux (readable and writable, no swap reserved): it
/// touches no memory.
fn init_mimalloc() {
    extern "C" {
        // mimalloc.h, exported by the library the `mimalloc` crate links.
        fn mi_thread_init();
        fn mi_reserve_os_memory(size: usize, commit: bool, allow_large: bool) -> std::ffi::c_int;
    }
    // SAFETY: both take plain values and may be called at any time. `mi_thread_init` sets up
    // mimalloc (once per process) and this thread's heap, which the reservation uses: without
    // it, on a thread that has not allocated from mimalloc, the reservation writes to a
    // read-only empty heap. A failed reservation leaves mimalloc to reserve arenas itself.
    unsafe {
        mi_thread_init();
        mi_reserve_os_memory(1 << 30, true, true);
    }
}

/// Whether `ptr` was cut from the region (by any thread's view: the start never changes once
/// set, and the region is never unmapped).
#[inline]
fn in_region(ptr: *mut u8) -> bool {
    let start = REGION_START.load(Ordering::Relaxed);
    start != 0 && (ptr as usize).wrapping_sub(start) < REGION
}

/// Maps [`REGION`] bytes on a huge-page boundary and asks for transparent huge pages there (on
/// Linux; the kernel's `enabled` setting decides). `None` if the mapping fails: then every
/// allocation goes to mimalloc.
#[cfg(unix)]
fn map_region() -> Option<usize> {
    let len = REGION + HUGE_PAGE;
    // SAFETY: an anonymous private mapping at an address of the kernel's choosing touches no
    // existing memory.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    let p = p as usize;
    let start = p.next_multiple_of(HUGE_PAGE);
    // SAFETY: both ranges lie inside the mapping just made, outside `start..start + REGION`,
    // and nothing refers to them.
    unsafe {
        if start > p {
            libc::munmap(p as *mut libc::c_void, start - p);
        }
        let tail = p + len - (start + REGION);
        if tail > 0 {
            libc::munmap((start + REGION) as *mut libc::c_void, tail);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: advice on a range of our own mapping; it changes no contents. Its result is
    // ignored: without huge pages the region still works, in 4 KiB pages.
    unsafe {
        libc::madvise(start as *mut libc::c_void, REGION, libc::MADV_HUGEPAGE);
    }
    Some(start)
}

#[cfg(not(unix))]
fn map_region() -> Option<usize> {
    None
}

// SAFETY: a block of the region is handed out once, by the owning thread's cursor, and is
// inside the mapping for the life of the process; it is handed out again only after it was
// freed as the last block (`Bump::free`) or resized in place while it is the last block.
// Everything else is mimalloc's, called with the layouts its contract asks for.
unsafe impl GlobalAlloc for BumpFirst {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match with_cursor(|c| c.alloc(layout)).flatten() {
            Some(addr) => addr as *mut u8,
            None => MiMalloc.alloc(layout),
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match with_cursor(|c| c.alloc(layout)).flatten() {
            Some(addr) => {
                // A block taken back and cut again holds old bytes.
                std::ptr::write_bytes(addr as *mut u8, 0, layout.size());
                addr as *mut u8
            }
            None => MiMalloc.alloc_zeroed(layout),
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_region(ptr) {
            with_cursor(|c| c.free(ptr as usize, layout.size()));
        } else {
            MiMalloc.dealloc(ptr, layout)
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_region(ptr) {
            return MiMalloc.realloc(ptr, layout, new_size);
        }
        let old_size = layout.size();
        if with_cursor(|c| c.resize_in_place(ptr as usize, old_size, new_size)) == Some(true)
            || new_size <= old_size
        {
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size`, rounded up to the alignment, fits isize.
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, old_size);
            self.dealloc(ptr, layout);
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_cut_in_order_aligned_and_never_past_the_end() {
        let mut b = Bump {
            top: 0x1001,
            end: 0x1100,
        };
        assert_eq!(b.alloc(layout(3, 1)), Some(0x1001));
        assert_eq!(b.alloc(layout(8, 8)), Some(0x1008));
        assert_eq!(b.alloc(layout(16, 64)), Some(0x1040));
        assert_eq!(b.top, 0x1050);
        // 0xb0 bytes are left: one more than that fails and leaves the cursor alone.
        assert_eq!(b.alloc(layout(0xb1, 1)), None);
        assert_eq!(b.top, 0x1050);
        assert_eq!(b.alloc(layout(0xb0, 1)), Some(0x1050));
        assert_eq!(b.alloc(layout(1, 1)), None);
    }

    #[test]
    fn no_region_cuts_nothing() {
        let mut b = Bump::NONE;
        assert_eq!(b.alloc(layout(1, 1)), None);
        assert_eq!(b.alloc(layout(0, 1)), None);
        b.free(0, 0);
        assert!(!b.resize_in_place(0, 0, 8));
        assert_eq!(b, Bump::NONE);
    }

    #[test]
    fn sizes_and_alignments_near_the_top_of_the_address_space_fail_without_overflow() {
        let mut b = Bump {
            top: usize::MAX - 16,
            end: usize::MAX,
        };
        assert_eq!(b.alloc(layout(32, 1)), None);
        assert_eq!(b.alloc(layout(1, 1 << 20)), None);
        assert_eq!(b.alloc(layout(isize::MAX as usize - 4096, 1)), None);
        assert!(!b.resize_in_place(usize::MAX - 32, 16, 64));
        assert_eq!(b.top, usize::MAX - 16);
    }

    #[test]
    fn only_the_last_block_is_taken_back_or_resized_where_it_stands() {
        let mut b = Bump {
            top: 0x1000,
            end: 0x2000,
        };
        let first = b.alloc(layout(0x100, 8)).unwrap();
        let last = b.alloc(layout(0x100, 8)).unwrap();
        // The first block is not the last: freeing or growing it changes nothing.
        b.free(first, 0x100);
        assert!(!b.resize_in_place(first, 0x100, 0x180));
        assert_eq!(b.top, 0x1200);
        // The last grows and shrinks in place, up to the end and no further.
        assert!(b.resize_in_place(last, 0x100, 0xf00));
        assert_eq!(b.top, 0x2000);
        assert!(!b.resize_in_place(last, 0xf00, 0xf01));
        assert!(b.resize_in_place(last, 0xf00, 0x10));
        assert_eq!(b.top, 0x1110);
        // Freed, its bytes are cut again.
        b.free(last, 0x10);
        assert_eq!(b.top, 0x1100);
        assert_eq!(b.alloc(layout(0x40, 8)), Some(last));
    }

    /// A small deterministic generator, so a failure replays.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    struct Block {
        ptr: *mut u8,
        layout: Layout,
        tag: u8,
    }
    // SAFETY: a block is plain bytes, moved to another thread whole.
    unsafe impl Send for Block {}

    impl Block {
        fn check(&self) {
            // SAFETY: the block is live and `layout.size()` bytes long.
            let bytes = unsafe { std::slice::from_raw_parts(self.ptr, self.layout.size()) };
            assert!(
                bytes.iter().all(|&b| b == self.tag),
                "a block of {} bytes at {:p} was overwritten",
                self.layout.size(),
                self.ptr
            );
            assert_eq!(self.ptr as usize % self.layout.align(), 0);
        }
    }

    /// Allocates, zero-allocates, grows, shrinks and frees blocks of 1 byte to 512 KiB with the
    /// real allocator, filling each with its own byte and checking it before every change.
    /// Returns the blocks still live, and how many new blocks came from the region and how
    /// many from mimalloc.
    fn churn(seed: u64, rounds: usize, mut live: Vec<Block>) -> (Vec<Block>, usize, usize) {
        let mut rng = Lcg(seed);
        let (mut from_region, mut elsewhere) = (0, 0);
        for round in 0..rounds {
            let size = match rng.next() % 20 {
                0 => 1 + (rng.next() % (512 << 10)) as usize,
                1..=6 => 1 + (rng.next() % 4096) as usize,
                _ => 1 + (rng.next() % 64) as usize,
            };
            let align = 1 << (rng.next() % 7);
            let tag = (round % 251) as u8 + 1;
            match rng.next() % 8 {
                0..=3 => {
                    let layout = layout(size, align);
                    let zeroed = rng.next() % 2 == 0;
                    // SAFETY: `layout` has a non-zero size.
                    let ptr = unsafe {
                        if zeroed {
                            BumpFirst.alloc_zeroed(layout)
                        } else {
                            BumpFirst.alloc(layout)
                        }
                    };
                    assert!(!ptr.is_null());
                    if zeroed {
                        // SAFETY: a live block of `size` bytes.
                        let bytes = unsafe { std::slice::from_raw_parts(ptr, size) };
                        assert!(bytes.iter().all(|&b| b == 0), "alloc_zeroed gave old bytes");
                    }
                    if in_region(ptr) {
                        from_region += 1;
                    } else {
                        elsewhere += 1;
                    }
                    // SAFETY: as above.
                    unsafe { std::ptr::write_bytes(ptr, tag, size) };
                    live.push(Block { ptr, layout, tag });
                }
                4..=5 if !live.is_empty() => {
                    // Mostly the newest block, as a growing vector is; sometimes an older one.
                    let i = if rng.next() % 2 == 0 {
                        live.len() - 1
                    } else {
                        (rng.next() as usize) % live.len()
                    };
                    let b = &mut live[i];
                    b.check();
                    let old = b.layout.size();
                    // SAFETY: `b` is live with `b.layout`, and `size` is non-zero.
                    let ptr = unsafe { BumpFirst.realloc(b.ptr, b.layout, size) };
                    assert!(!ptr.is_null());
                    b.ptr = ptr;
                    b.layout = layout(size, b.layout.align());
                    // The kept prefix survived the move; refill all of it with the new tag.
                    // SAFETY: a live block of `size` bytes.
                    let bytes = unsafe { std::slice::from_raw_parts_mut(ptr, size) };
                    assert!(bytes[..old.min(size)].iter().all(|&x| x == b.tag));
                    bytes.fill(tag);
                    b.tag = tag;
                    b.check();
                }
                _ if !live.is_empty() => {
                    let i = if rng.next() % 2 == 0 {
                        live.len() - 1
                    } else {
                        (rng.next() as usize) % live.len()
                    };
                    let b = live.swap_remove(i);
                    b.check();
                    // SAFETY: `b` is live with `b.layout`, and freed once.
                    unsafe { BumpFirst.dealloc(b.ptr, b.layout) };
                }
                _ => {}
            }
            if round % 512 == 0 {
                live.iter().for_each(Block::check);
            }
        }
        (live, from_region, elsewhere)
    }

    #[test]
    fn blocks_stay_intact_across_the_region_mimalloc_and_threads() {
        // This thread allocates first, so it owns the region. It cuts blocks from it until it
        // is used up (about 25 MB in all), then goes on in mimalloc.
        let (live, from_region, elsewhere) = churn(1, 4_000, Vec::new());
        assert!(from_region > 0, "the owning thread never used the region");
        assert!(elsewhere > 0, "the region never filled up");
        // Other threads make their own blocks, all from mimalloc, and one of them frees,
        // resizes and checks the blocks the owner made.
        let workers: Vec<_> = (0..3u64)
            .map(|seed| {
                std::thread::spawn(move || {
                    let (live, from_region, _) = churn(100 + seed, 3_000, Vec::new());
                    assert_eq!(
                        from_region, 0,
                        "a thread other than the owner used the region"
                    );
                    live
                })
            })
            .collect();
        let (mut all, from_region, _) = std::thread::spawn(move || churn(7, 3_000, live))
            .join()
            .unwrap();
        assert_eq!(
            from_region, 0,
            "a thread other than the owner used the region"
        );
        for w in workers {
            all.extend(w.join().unwrap());
        }
        // Back on the owner, with every thread's blocks.
        let (live, _, _) = churn(9, 3_000, all);
        for b in live {
            b.check();
            // SAFETY: live with its layout, freed once.
            unsafe { BumpFirst.dealloc(b.ptr, b.layout) };
        }
    }
}
