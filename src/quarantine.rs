//! Files of records written as they were read (`--valid-out`,
//! `--invalid-out`): each record byte for byte, ended with a newline if it
//! lacked one, and for CSV input the header once at the top.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::reader;

/// One output file of records as read, with the CSV header it last got.
pub struct RecordFile {
    path: PathBuf,
    /// The buffered file, for bytes streamed to it directly (a record too
    /// large to hold).
    pub out: BufWriter<File>,
    header: Option<Vec<u8>>,
}

impl RecordFile {
    pub fn create(path: &Path) -> anyhow::Result<RecordFile> {
        let file = File::create(path)
            .with_context(|| format!("cannot create {:?}", path.display().to_string()))?;
        Ok(RecordFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(reader::BUFFER_SIZE, file),
            header: None,
        })
    }

    /// Writes a CSV header unless it is the one this file already has.
    pub fn header(&mut self, raw: &[u8]) -> io::Result<()> {
        if self.header.as_deref() == Some(raw) {
            return Ok(());
        }
        self.header = Some(raw.to_vec());
        write_line(&mut self.out, raw)
    }

    /// Writes one record as read.
    pub fn record(&mut self, raw: &[u8]) -> io::Result<()> {
        write_line(&mut self.out, raw)
    }

    /// Flushes the file; an error names it.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let path = self.path.display().to_string();
        self.out
            .flush()
            .with_context(|| format!("cannot write {path:?}"))
    }
}

/// Writes bytes as read, ending them with a newline if they lack one.
pub fn write_line(out: &mut impl Write, raw: &[u8]) -> io::Result<()> {
    out.write_all(raw)?;
    if !raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}
