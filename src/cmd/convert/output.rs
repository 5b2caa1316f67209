//! Where `convert` writes: standard output, or a file written under a
//! temporary name in the same directory and renamed into place only when the
//! run completes; optional gzip; and the check that no output is an input.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::reader;

/// The output formats of `convert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A header row, then one event per row.
    Csv,
    /// One compact JSON object per line.
    #[value(alias = "ndjson")]
    Jsonl,
}

impl Target {
    /// The format named by an output file's extension (`.csv`, `.jsonl`,
    /// `.ndjson`, `.json`), looking through a final `.gz`.
    pub fn from_path(path: &Path) -> Option<Target> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "csv" => Some(Target::Csv),
            "jsonl" | "ndjson" | "json" => Some(Target::Jsonl),
            _ => None,
        }
    }
}

/// True when the output file should be gzip-compressed (its name ends in `.gz`).
pub fn wants_gzip(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The byte stream under a format writer.
pub enum Sink {
    Stdout(io::StdoutLock<'static>),
    File(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Flushes everything (and ends the gzip stream) so that nothing is
    /// left in a buffer when the file is renamed into place.
    pub fn finish(self) -> io::Result<()> {
        let file = match self {
            Sink::Stdout(mut w) => return w.flush(),
            Sink::File(w) => w.into_inner().map_err(|e| e.into_error())?,
            Sink::Gzip(w) => w.finish()?.into_inner().map_err(|e| e.into_error())?,
        };
        file.sync_all()
    }
}

/// An output file being written under a temporary name. Dropping it
/// without [`Pending::commit`] removes the temporary file, so a failed run
/// never leaves a half-written output (or clobbers an older one).
pub struct Pending {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Pending {
    /// Creates the temporary file beside `target` and the sink that writes it.
    pub fn create(target: &Path) -> anyhow::Result<(Pending, Sink)> {
        let shown = target.display().to_string();
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output");
        let pid = std::process::id();
        let mut attempt = 0u32;
        let (temp, file) = loop {
            let temp = dir.join(format!(".{base}.{pid}.{attempt}.tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => break (temp, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot create a temporary file beside {shown:?}; check that \
                             the directory exists and is writable"
                        )
                    })
                }
            }
        };
        let buffered = BufWriter::with_capacity(reader::BUFFER_SIZE, file);
        let sink = if wants_gzip(target) {
            Sink::Gzip(GzEncoder::new(buffered, Compression::default()))
        } else {
            Sink::File(buffered)
        };
        let pending = Pending {
            temp,
            target: target.to_path_buf(),
            committed: false,
        };
        Ok((pending, sink))
    }

    /// Renames the finished temporary file to the output's name.
    pub fn commit(mut self) -> anyhow::Result<()> {
        fs::rename(&self.temp, &self.target).with_context(|| {
            format!(
                "cannot rename the finished output to {:?}",
                self.target.display().to_string()
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A file's identity: device and inode where the platform has them, and
/// its canonical path.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    node: Option<(u64, u64)>,
    canonical: Option<PathBuf>,
}

fn identity(path: &Path) -> Option<Identity> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    let node = {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    };
    #[cfg(not(unix))]
    let node = {
        let _ = meta;
        None
    };
    Some(Identity {
        node,
        canonical: fs::canonicalize(path).ok(),
    })
}

/// True when `a` and `b` name the same existing file (same device and
/// inode, or the same canonical path), whatever the spelling or links.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => match (x.node, y.node) {
            (Some(n), Some(m)) => n == m,
            _ => x.canonical.is_some() && x.canonical == y.canonical,
        },
        _ => false,
    }
}

/// Refuses an output (`what`, e.g. `-o`) that is one of the inputs.
pub fn ensure_not_an_input(what: &str, out: &Path, inputs: &[String]) -> anyhow::Result<()> {
    for name in inputs.iter().filter(|n| !reader::is_stdin(n)) {
        if same_file(out, Path::new(name)) {
            anyhow::bail!(
                "{what} {:?} is also an input; write the output to another file",
                out.display().to_string()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_extensions() {
        let t = |p: &str| Target::from_path(Path::new(p));
        assert_eq!(t("out.csv"), Some(Target::Csv));
        assert_eq!(t("out.CSV.gz"), Some(Target::Csv));
        assert_eq!(t("dir.x/out.jsonl"), Some(Target::Jsonl));
        assert_eq!(t("out.ndjson"), Some(Target::Jsonl));
        assert_eq!(t("out.json.gz"), Some(Target::Jsonl));
        assert_eq!(t("out.txt"), None);
        assert_eq!(t("csv"), None);
        assert!(wants_gzip(Path::new("a.csv.gz")));
        assert!(!wants_gzip(Path::new("a.csv")));
    }
}
