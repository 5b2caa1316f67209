//! The duplicate `event_id` check: one run-wide table of 64-bit id hashes
//! and the line each id was first seen on, at about 16 bytes per distinct id.
//!
//! The table is 256 shards of ordered linear probing: each key sits at or
//! after its home slot and every run of full slots is in ascending order,
//! so a search stops at the first larger key and a miss costs about as
//! little as a hit. A slot holds a `u64` hash and a `u32` line number, 12
//! bytes. Shards fill to 90% and grow by 8%, so slots stay 83-90% full (13.3
//! to 14.5 bytes a distinct id; about 16 resident with the allocator's slack,
//! measured on 3.8 million ids), and a growing shard briefly holds its old
//! and new arrays, never the whole table twice. Two different ids collide
//! with probability about n²/2⁶⁵ (0.03% for 100 million ids); a collision
//! shows as a false `duplicate_event_id` warning, never as a missed
//! duplicate.

use xxhash_rust::xxh3::xxh3_64;

const SHARDS: usize = 256;
const MAX_LOAD_PERCENT: usize = 90;
const GROWTH_PERCENT: usize = 108;
/// Slots past a shard's `cap` that a run may spill into: the table never
/// wraps, and a run that would pass the end makes the shard grow instead.
const SPARE: usize = 64;
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
    /// Home slots are chosen among the first `cap`; the spare slots after
    /// them only take runs that spill over.
    cap: usize,
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
    /// The order keys are kept in: the bits that choose the home slot.
    fn ord(key: u64) -> u64 {
        key << 8
    }

    /// The home slot of a key among `cap` (monotone in [`Shard::ord`]).
    fn home(key: u64, cap: usize) -> usize {
        ((u128::from(Self::ord(key)) * cap as u128) >> 64) as usize
    }

    /// Inserts `key`; returns the stored line if it was already there.
    ///
    /// The table is ordered linear probing: every key sits at or after its
    /// home slot, and the keys of a run of full slots are in ascending
    /// order. A search stops at the first larger key, so a miss costs about
    /// as little as a hit even with the table 90% full.
    fn insert(&mut self, key: u64, line: u32) -> Option<u32> {
        loop {
            let cap = self.cap;
            if cap == 0 || (self.len + 1) * 100 > cap * MAX_LOAD_PERCENT {
                self.grow();
                continue;
            }
            let mut slot = Self::home(key, cap);
            while slot < self.keys.len()
                && self.keys[slot] != 0
                && Self::ord(self.keys[slot]) < Self::ord(key)
            {
                slot += 1;
            }
            if slot == self.keys.len() {
                self.grow();
                continue;
            }
            if self.keys[slot] == key {
                return Some(self.lines[slot]);
            }
            // Make room by moving the rest of the run one slot on.
            let Some(free) = self.keys[slot..].iter().position(|&k| k == 0) else {
                self.grow();
                continue;
            };
            let end = slot + free;
            self.keys.copy_within(slot..end, slot + 1);
            self.lines.copy_within(slot..end, slot + 1);
            self.keys[slot] = key;
            self.lines[slot] = line;
            self.len += 1;
            return None;
        }
    }

    /// Rebuilds the table larger.
    fn grow(&mut self) {
        let old_cap = self.cap;
        let mut cap = (old_cap * GROWTH_PERCENT / 100).max(old_cap + 16);
        loop {
            if let Some((keys, lines)) = Self::rebuilt(&self.keys, &self.lines, cap) {
                self.keys = keys;
                self.lines = lines;
                self.cap = cap;
                return;
            }
            cap += cap / 4 + 16;
        }
    }

    /// The keys and lines placed in a table of `cap` slots (plus spare), or
    /// `None` if they run past its end. The keys come out of the old table
    /// in ascending order, so each goes to its home or just after the last.
    fn rebuilt(keys: &[u64], lines: &[u32], cap: usize) -> Option<(Vec<u64>, Vec<u32>)> {
        let slots = cap + SPARE;
        let (mut new_keys, mut new_lines) = (vec![0u64; slots], vec![0u32; slots]);
        let mut next = 0;
        for (&k, &l) in keys.iter().zip(lines) {
            if k != 0 {
                let slot = Self::home(k, cap).max(next);
                if slot >= slots {
                    return None;
                }
                new_keys[slot] = k;
                new_lines[slot] = l;
                next = slot + 1;
            }
        }
        Some((new_keys, new_lines))
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
    fn agrees_with_a_plain_map_on_every_id() {
        let mut idx = DuplicateIndex::new();
        idx.begin_file("f");
        let mut reference = std::collections::HashMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for line in 1..=400_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // About one id in four is a repeat of an earlier one.
            let id = format!("id-{}", x % 300_000);
            let first = *reference.entry(id.clone()).or_insert(line);
            let seen = idx.check(&id, line).map(|f| f.line);
            let expected = (first != line).then_some(Some(first));
            assert_eq!(seen, expected, "{id} at {line}");
        }
        assert_eq!(idx.len(), reference.len());
        for shard in &idx.shards {
            let keys: Vec<u64> = shard.keys.iter().copied().filter(|&k| k != 0).collect();
            assert!(keys.windows(2).all(|w| Shard::ord(w[0]) < Shard::ord(w[1])));
        }
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
