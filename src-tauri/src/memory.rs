//! Keeping the app's memory small (issue 15's targets, measured by `make bench`): glibc keeps
//! memory freed by worker threads in per-thread arenas; after a bulk run or a long preview,
//! hand it back to the system.

/// Returns freed heap pages to the system (glibc only; elsewhere the allocator does it).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
