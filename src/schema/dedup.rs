//! The duplicate `event_id` check: one run-wide table of 64-bit id hashes
//! and the line each id was first seen on, at about 16 bytes per distinct id.
//!
//! The table is 256 open-addressing shards (linear probing) of a `u64` hash
//! and a `u32` line number each, 12 bytes a slot. Shards fill to 90% and grow
//! by 8%, so slots stay 83-90% full (13.3 to 14.5 bytes a distinct id, about
//! 16 resident with the allocator's slack, measured on 3.8 million ids) and a
//! growing shard briefly holds its old and new arrays, never the whole table
//! twice. The price of the full table is longer probes: about 8% more time
//! on a run that is all distinct ids. Two different ids collide with
//! probability about n²/2⁶⁵ (0.03% for 100 million ids); a collision shows as
//! a false `duplicate_event_id` warning, never as a missed duplicate.

use xxhash_rust::xxh3::xxh3_64;

const SHARDS: usize = 256;
const MAX_LOAD_PERCENT: usize = 90;
const GROWTH_PERCENT: usize = 108;
/// Stored when a line number does not fit in 32 bits.
const LINE_UNKNOWN: u32 = u32::MAX;

/// Where an id was first seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstSeen<'a> {
    /// The file's name, as in diagnostics.
    pub file: &'a str,
    /// Its line, or `None` beyond 4 billion lines into the run.
    pub line: Option<u64>,
}

/// Run-wide index of the `event_id`s seen so far.
pub struct DuplicateIndex {
    shards: Vec<Shard>,
    /// Each file's name and the first run-wide line number it uses.
    files: Vec<(String, u64)>,
    /// The run-wide number of the next file's line 0.
    next_base: u64,
    /// The highest line seen in the current file.
    last_line: u64,
}

#[derive(Default)]
struct Shard {
    keys: Vec<u64>,
    lines: Vec<u32>,
    len: usize,
}

impl Default for DuplicateIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl DuplicateIndex {
    pub fn new() -> Self {
        DuplicateIndex {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            files: Vec::new(),
            next_base: 0,
            last_line: 0,
        }
    }

    /// Starts a new input file; lines passed to [`check`](Self::check) are its lines.
    pub fn begin_file(&mut self, name: &str) {
        if !self.files.is_empty() {
            self.next_base += self.last_line + 1;
        }
        self.last_line = 0;
        self.files.push((name.to_string(), self.next_base));
    }

    /// Number of distinct ids recorded.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the table.
    pub fn heap_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.keys.capacity() * 8 + s.lines.capacity() * 4)
            .sum()
    }

    /// Records `id` seen on `line` of the current file; if it was seen
    /// before, returns where it was first seen.
    pub fn check(&mut self, id: &str, line: u64) -> Option<FirstSeen<'_>> {
        if self.files.is_empty() {
            self.begin_file("<input>");
        }
        self.last_line = self.last_line.max(line);
        let hash = xxh3_64(id.as_bytes()) | 1;
        let global = self.next_base + line;
        let stored = u32::try_from(global).unwrap_or(LINE_UNKNOWN);
        let shard = &mut self.shards[(hash >> 56) as usize];
        let first = shard.insert(hash, stored)?;
        Some(self.locate(first))
    }

    fn locate(&self, stored: u32) -> FirstSeen<'_> {
        if stored == LINE_UNKNOWN {
            let file = self.files.last().map_or("", |(n, _)| n.as_str());
            return FirstSeen { file, line: None };
        }
        let global = u64::from(stored);
        let at = self
            .files
            .partition_point(|(_, base)| *base <= global)
            .saturating_sub(1);
        let (file, base) = &self.files[at];
        FirstSeen {
            file,
            line: Some(global - base),
        }
    }
}

impl Shard {
    /// Inserts `hash`; returns the stored line if it was already there.
    fn insert(&mut self, hash: u64, line: u32) -> Option<u32> {
        if (self.len + 1) * 100 > self.keys.len() * MAX_LOAD_PERCENT {
            self.grow();
        }
        let cap = self.keys.len();
        let mut slot = Self::home(hash, cap);
        loop {
            match self.keys[slot] {
                0 => {
                    self.keys[slot] = hash;
                    self.lines[slot] = line;
                    self.len += 1;
                    return None;
                }
                k if k == hash => return Some(self.lines[slot]),
                _ => slot = if slot + 1 == cap { 0 } else { slot + 1 },
            }
        }
    }

    fn home(hash: u64, cap: usize) -> usize {
        (((hash << 8) as u128 * cap as u128) >> 64) as usize
    }

    fn grow(&mut self) {
        let cap = (self.keys.len() * GROWTH_PERCENT / 100).max(self.keys.len() + 16);
        let old_keys = std::mem::replace(&mut self.keys, vec![0; cap]);
        let old_lines = std::mem::replace(&mut self.lines, vec![0; cap]);
        for (k, l) in old_keys.into_iter().zip(old_lines) {
            if k != 0 {
                let mut slot = Self::home(k, cap);
                while self.keys[slot] != 0 {
                    slot = if slot + 1 == cap { 0 } else { slot + 1 };
                }
                self.keys[slot] = k;
                self.lines[slot] = l;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_occurrence_across_files() {
        let mut idx = DuplicateIndex::new();
        idx.begin_file("a.jsonl");
        assert_eq!(idx.check("e1", 1), None);
        assert_eq!(idx.check("e2", 2), None);
        idx.begin_file("b.jsonl");
        assert_eq!(idx.check("e3", 1), None);
        assert_eq!(
            idx.check("e2", 7),
            Some(FirstSeen {
                file: "a.jsonl",
                line: Some(2)
            })
        );
        assert_eq!(
            idx.check("e3", 9),
            Some(FirstSeen {
                file: "b.jsonl",
                line: Some(1)
            })
        );
    }

    #[test]
    fn stays_near_sixteen_bytes_per_id() {
        let mut idx = DuplicateIndex::new();
        idx.begin_file("big");
        let n = 200_000u64;
        for i in 0..n {
            assert_eq!(idx.check(&format!("id-{i}"), i + 1), None);
        }
        assert_eq!(idx.len(), n as usize);
        assert!(idx.check("id-12345", n + 1).is_some());
        let per_id = idx.heap_bytes() as f64 / n as f64;
        assert!(per_id < 15.0, "{per_id} bytes per id");
    }
}
