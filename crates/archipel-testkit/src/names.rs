use std::sync::atomic::{AtomicU32, Ordering};

/// A name no other test process uses: the prefix, this process's id and a counter. Short
/// enough for Linux interface names when the prefix is at most 4 characters.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{}x{n}", std::process::id())
}
