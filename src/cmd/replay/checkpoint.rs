//! `--checkpoint`: which records of which inputs are finished (delivered, or
//! written to `--failed-out`), kept in a small append-only file so that a
//! rerun skips them, even after the process was killed.
//!
//! The file is JSON lines: a header naming the inputs (path, size and a
//! SHA-256 of their first 64 KiB), a snapshot per input (`below`: every
//! record before this ordinal is finished, `extra`: finished ones after it),
//! then one line per record finished since. It is rewritten compactly at
//! start, every 10,000 records and at the end.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const HEAD_BYTES: u64 = 64 * 1024;
const COMPACT_EVERY: u64 = 10_000;
const VERSION: u32 = 1;

/// What identifies an input across runs.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug, Clone)]
pub struct InputId {
    pub path: String,
    pub size: u64,
    pub head_sha256: String,
}

impl InputId {
    /// Reads the identity of a file; standard input has none.
    pub fn of(path: &Path) -> anyhow::Result<Self> {
        let canonical = fs::canonicalize(path)
            .with_context(|| format!("cannot open {:?}", path.display().to_string()))?;
        let mut file = File::open(&canonical)
            .with_context(|| format!("cannot open {:?}", path.display().to_string()))?;
        let size = file.metadata()?.len();
        let mut head = Vec::new();
        (&mut file).take(HEAD_BYTES).read_to_end(&mut head)?;
        Ok(InputId {
            path: canonical.to_string_lossy().into_owned(),
            size,
            head_sha256: hex::encode(Sha256::digest(&head)),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    clickstream_checkpoint: u32,
    inputs: Vec<InputId>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    i: usize,
    below: u64,
    extra: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    i: usize,
    r: u64,
}

/// Finished records of one input.
#[derive(Default, Clone)]
struct Progress {
    below: u64,
    extra: BTreeSet<u64>,
}

impl Progress {
    fn contains(&self, ordinal: u64) -> bool {
        ordinal < self.below || self.extra.contains(&ordinal)
    }

    fn insert(&mut self, ordinal: u64) {
        if ordinal < self.below {
            return;
        }
        self.extra.insert(ordinal);
        while self.extra.remove(&self.below) {
            self.below += 1;
        }
    }

    fn count(&self) -> u64 {
        self.below + self.extra.len() as u64
    }
}

/// The finished records of every input, as a run started.
#[derive(Default)]
pub struct Done(Vec<Progress>);

impl Done {
    /// True when an earlier run finished this record.
    pub fn contains(&self, input: usize, ordinal: u64) -> bool {
        self.0.get(input).is_some_and(|p| p.contains(ordinal))
    }
}

/// An open checkpoint file.
pub struct Checkpoint {
    path: PathBuf,
    inputs: Vec<InputId>,
    progress: Vec<Progress>,
    /// Open for appending once the file has been written.
    journal: Option<File>,
    since_compaction: u64,
}

impl Checkpoint {
    /// Opens or creates the checkpoint for these inputs. A checkpoint made
    /// for other inputs is an error. The second value is the number of
    /// records an earlier run finished.
    pub fn open(path: &Path, inputs: Vec<InputId>) -> anyhow::Result<(Self, u64)> {
        let shown = path.display().to_string();
        let mut progress: Vec<Progress> = inputs.iter().map(|_| Progress::default()).collect();
        match File::open(path) {
            Ok(file) => {
                load(BufReader::new(file), &inputs, &mut progress)
                    .with_context(|| format!("checkpoint {shown:?}"))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read checkpoint {shown:?}")),
        }
        let resumed = progress.iter().map(Progress::count).sum();
        let mut checkpoint = Checkpoint {
            path: path.to_path_buf(),
            inputs,
            progress,
            journal: None,
            since_compaction: 0,
        };
        checkpoint
            .compact()
            .with_context(|| format!("cannot write checkpoint {shown:?}"))?;
        Ok((checkpoint, resumed))
    }

    /// The records finished so far.
    pub fn done(&self) -> Done {
        Done(self.progress.clone())
    }

    /// Records that a record is finished, on disk before returning.
    pub fn mark(&mut self, input: usize, ordinal: u64) -> io::Result<()> {
        let Some(progress) = self.progress.get_mut(input) else {
            return Ok(());
        };
        progress.insert(ordinal);
        let mut line = serde_json::to_vec(&Line {
            i: input,
            r: ordinal,
        })?;
        line.push(b'\n');
        if let Some(journal) = self.journal.as_mut() {
            journal.write_all(&line)?;
        }
        self.since_compaction += 1;
        if self.since_compaction >= COMPACT_EVERY {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the file as header and snapshots, through a rename.
    pub fn compact(&mut self) -> io::Result<()> {
        let mut tmp_name = self.path.clone().into_os_string();
        tmp_name.push(".tmp");
        let tmp = PathBuf::from(tmp_name);
        let mut out = io::BufWriter::new(File::create(&tmp)?);
        let header = Header {
            clickstream_checkpoint: VERSION,
            inputs: self.inputs.clone(),
        };
        serde_json::to_writer(&mut out, &header)?;
        out.write_all(b"\n")?;
        for (i, p) in self.progress.iter().enumerate() {
            let snap = Snapshot {
                i,
                below: p.below,
                extra: p.extra.iter().copied().collect(),
            };
            serde_json::to_writer(&mut out, &snap)?;
            out.write_all(b"\n")?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &self.path)?;
        self.journal = Some(OpenOptions::new().append(true).open(&self.path)?);
        self.since_compaction = 0;
        Ok(())
    }
}

/// Reads a checkpoint file into `progress`, checking it names `inputs`.
/// Every line must be read in full: one that cannot be is an error (going
/// on would resend what it recorded), but for a last line cut off before
/// its newline, which a killed process leaves.
fn load(
    mut rdr: impl BufRead,
    inputs: &[InputId],
    progress: &mut [Progress],
) -> anyhow::Result<()> {
    let mut text = String::new();
    rdr.read_to_string(&mut text)
        .map_err(|_| anyhow::anyhow!("{}", damaged(None)))?;
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(());
    };
    let header: Header = serde_json::from_str(first)
        .context("is not a clickstream checkpoint; give another --checkpoint file")?;
    if header.clickstream_checkpoint != VERSION {
        bail!("was written by another version of clickstream; give another --checkpoint file");
    }
    if header.inputs != inputs {
        let theirs: Vec<&str> = header.inputs.iter().map(|i| i.path.as_str()).collect();
        bail!(
            "belongs to other input ({}; path, size or first bytes differ); \
             give another --checkpoint file or the same inputs",
            theirs.join(", ")
        );
    }
    for (n, line) in lines.enumerate() {
        let number = n + 2;
        let torn = !line.ends_with('\n');
        let line = line.trim_end_matches('\n');
        let read = if let Ok(done) = serde_json::from_str::<Line>(line) {
            progress.get_mut(done.i).map(|p| p.insert(done.r))
        } else if let Ok(snap) = serde_json::from_str::<Snapshot>(line) {
            progress.get_mut(snap.i).map(|p| {
                p.below = p.below.max(snap.below);
                p.extra.extend(snap.extra);
                normalise(p);
            })
        } else if torn && line.chars().all(|c| TORN_CHARS.contains(c)) {
            // What a write cut off by a kill leaves: the record is not
            // finished, and is sent again.
            Some(())
        } else {
            None
        };
        if read.is_none() {
            bail!("{}", damaged(Some(number)));
        }
    }
    Ok(())
}

/// The characters of the lines a checkpoint is written with.
const TORN_CHARS: &str = "{}[]\":,0123456789ribelowxta";

fn damaged(line: Option<usize>) -> String {
    let what = match line {
        Some(n) => format!("line {n}"),
        None => "it".to_string(),
    };
    format!("{what} cannot be read; delete the file to start over, or give another --checkpoint")
}

fn normalise(p: &mut Progress) {
    let below = p.below;
    p.extra.retain(|&r| r >= below);
    while p.extra.remove(&p.below) {
        p.below += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> InputId {
        InputId {
            path: "/x".into(),
            size: 3,
            head_sha256: "ab".into(),
        }
    }

    #[test]
    fn survives_reopening_and_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let (mut cp, resumed) = Checkpoint::open(&path, vec![id()]).unwrap();
        assert_eq!(resumed, 0);
        for r in [0, 1, 3, 7] {
            cp.mark(0, r).unwrap();
        }
        drop(cp);
        let (mut cp, resumed) = Checkpoint::open(&path, vec![id()]).unwrap();
        assert_eq!(resumed, 4);
        assert!(cp.done().contains(0, 1) && cp.done().contains(0, 3) && !cp.done().contains(0, 2));
        cp.mark(0, 2).unwrap();
        drop(cp);
        let (cp, resumed) = Checkpoint::open(&path, vec![id()]).unwrap();
        assert_eq!(resumed, 5);
        assert!(
            cp.done().contains(0, 0)
                && cp.done().contains(0, 3)
                && cp.done().contains(0, 7)
                && !cp.done().contains(0, 4)
        );
    }

    #[test]
    fn other_input_is_refused_and_torn_last_line_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let (mut cp, _) = Checkpoint::open(&path, vec![id()]).unwrap();
        cp.mark(0, 0).unwrap();
        drop(cp);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"i\":0,\"r\"").unwrap();
        let (cp, resumed) = Checkpoint::open(&path, vec![id()]).unwrap();
        assert_eq!(resumed, 1);
        drop(cp);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b":1}\n").unwrap();
        let err = Checkpoint::open(&path, vec![id()]).err().unwrap();
        assert!(format!("{err:#}").ends_with(
            ": line 3 cannot be read; delete the file to start \
                                               over, or give another --checkpoint"
        ));
        let other = InputId { size: 4, ..id() };
        let err = Checkpoint::open(&path, vec![other]).err().unwrap();
        assert!(format!("{err:#}").contains("belongs to other input"));
    }
}
