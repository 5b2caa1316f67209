//! Where `convert` writes: standard output, or a file (see
//! [`crate::files`]), gzip-compressed when its name ends in `.gz`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::{files, reader};

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
        // A FIFO or device written directly has nothing to sync.
        if file.metadata()?.is_file() {
            file.sync_all()?;
        }
        Ok(())
    }
}

/// Opens the output file (see [`files::Pending`]) and the sink that writes
/// it, gzip-compressed when its name ends in `.gz`.
pub fn create(target: &Path) -> anyhow::Result<(files::Pending, Sink)> {
    let (pending, file) = files::Pending::create(target)?;
    let buffered = BufWriter::with_capacity(reader::BUFFER_SIZE, file);
    let sink = if wants_gzip(target) {
        Sink::Gzip(GzEncoder::new(buffered, Compression::default()))
    } else {
        Sink::File(buffered)
    };
    Ok((pending, sink))
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
