//! The stability rule: a file is ready once its identity, size and modification time have stayed the
//! same across scans for at least the minimum age.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a scan sees of a file: enough to notice a writer still at work or a file replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signature {
    /// Modification time: seconds and nanoseconds since the epoch (first, so signatures sort by it).
    pub mtime: (i64, i64),
    /// Size in bytes.
    pub size: u64,
    /// Device of the file system.
    pub dev: u64,
    /// Inode: a file renamed over the old one has another.
    pub ino: u64,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    signature: Signature,
    since: Instant,
}

/// The observations of the files in an inbox, kept between scans.
#[derive(Debug, Clone)]
pub struct Stability {
    min_age: Duration,
    seen: BTreeMap<String, Seen>,
}

impl Stability {
    /// No observations yet; files become ready after `min_age` unchanged.
    pub fn new(min_age: Duration) -> Self {
        Stability { min_age, seen: BTreeMap::new() }
    }

    /// Records one scan made at `now` that saw `files`, and returns the names that are ready.
    ///
    /// A name missing from `files` is forgotten, and a changed signature starts its wait again.
    /// With a zero minimum age a file is ready the first time it is seen.
    pub fn observe(&mut self, now: Instant, files: &[(String, Signature)]) -> Vec<String> {
        let mut next = BTreeMap::new();
        let mut ready = Vec::new();
        for (name, signature) in files {
            let since = match self.seen.get(name) {
                Some(seen) if seen.signature == *signature => seen.since,
                _ => now,
            };
            if now.saturating_duration_since(since) >= self.min_age {
                ready.push(name.clone());
            }
            next.insert(name.clone(), Seen { signature: *signature, since });
        }
        self.seen = next;
        ready
    }

    /// Forgets `name`, so its wait starts again at the next scan (after a change was detected).
    pub fn forget(&mut self, name: &str) {
        self.seen.remove(name);
    }

    /// How many files are being watched.
    pub fn watched(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(size: u64) -> Signature {
        Signature { mtime: (1, 0), size, dev: 1, ino: 7 }
    }

    #[test]
    fn ready_after_min_age_unchanged() {
        let t0 = Instant::now();
        let mut s = Stability::new(Duration::from_secs(5));
        let files = vec![("a.xml".to_owned(), sig(10))];
        assert!(s.observe(t0, &files).is_empty());
        assert!(s.observe(t0 + Duration::from_secs(4), &files).is_empty());
        assert_eq!(s.observe(t0 + Duration::from_secs(5), &files), vec!["a.xml".to_owned()]);
    }

    #[test]
    fn a_change_restarts_the_wait() {
        let t0 = Instant::now();
        let mut s = Stability::new(Duration::from_secs(5));
        s.observe(t0, &[("a".to_owned(), sig(10))]);
        let grown = [("a".to_owned(), sig(20))];
        assert!(s.observe(t0 + Duration::from_secs(6), &grown).is_empty());
        assert_eq!(s.observe(t0 + Duration::from_secs(11), &grown).len(), 1);
    }
}
