//! Keeping the app's memory small on Linux (issue 15's targets, measured by `make bench`).
//!
//! - WebKitGTK's accelerated compositing keeps a GL context and its buffers in the web process
//!   (about 90 MB under Mesa); our screens are forms and tables that need none of it. Turned off
//!   unless the person running Guestpass set `WEBKIT_DISABLE_COMPOSITING_MODE` themselves.
//! - glibc keeps memory freed by worker threads in per-thread arenas; after a bulk run or a
//!   long preview, hand it back to the system.

/// Call first in `run()`, before any thread starts and before WebKit reads its environment.
pub fn before_webkit_starts() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Before any other thread exists, so nothing reads the environment meanwhile.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Returns freed heap pages to the system (glibc only; elsewhere the allocator does it).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
