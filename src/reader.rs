//! Streaming input for every command: opening paths and stdin, gzip by magic
//! bytes, the UTF-8 BOM, format detection, and splitting input into records
//! (JSONL lines, JSON documents, CSV rows) with the line each one starts on.
//!
//! Nothing here holds more than one record and one read buffer in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::read::MultiGzDecoder;

/// Size of the read buffer under every input.
pub const BUFFER_SIZE: usize = 256 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// One opened input, decompressed, with its BOM already skipped.
pub struct Input {
    /// The name used in diagnostics: the path as given, or `<stdin>`.
    pub name: String,
    /// The file's path, `None` for standard input.
    pub path: Option<PathBuf>,
    /// The decoded bytes.
    pub reader: Box<dyn BufRead + Send>,
    /// A UTF-8 BOM was found (and skipped) at the start.
    pub had_bom: bool,
    /// The input was gzip-compressed.
    pub gzip: bool,
}

/// True when `name` means standard input.
pub fn is_stdin(name: &str) -> bool {
    name == "-"
}

/// Opens a path, or standard input for `-`. gzip is recognised by its magic
/// bytes whatever the name, and a UTF-8 BOM at the start is skipped.
pub fn open(name: &str) -> anyhow::Result<Input> {
    let (raw, path): (Box<dyn Read + Send>, Option<PathBuf>) = if is_stdin(name) {
        (Box::new(io::stdin()), None)
    } else {
        let file = File::open(name).with_context(|| format!("cannot open {name:?}"))?;
        (Box::new(file), Some(PathBuf::from(name)))
    };
    let display = if path.is_some() { name.to_string() } else { "<stdin>".to_string() };
    from_reader(display, path, raw).with_context(|| format!("cannot read {name:?}"))
}

/// Wraps any byte stream as an [`Input`] (gzip detection and BOM skipping).
pub fn from_reader(
    name: String,
    path: Option<PathBuf>,
    mut raw: Box<dyn Read + Send>,
) -> io::Result<Input> {
    let magic = read_prefix::<2>(&mut raw)?;
    let gzip = magic[..] == GZIP_MAGIC;
    let rest: Box<dyn Read + Send> = Box::new(Cursor::new(magic).chain(raw));
    let mut decoded: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(BUFFER_SIZE, rest)))
    } else {
        rest
    };
    let head = read_prefix::<3>(&mut decoded)?;
    let had_bom = head[..] == BOM;
    let head = if had_bom { Vec::new() } else { head };
    let reader = BufReader::with_capacity(BUFFER_SIZE, Cursor::new(head).chain(decoded));
    Ok(Input { name, path, reader: Box::new(reader), had_bom, gzip })
}

/// Reads up to `N` bytes, fewer only at the end of the input.
fn read_prefix<const N: usize>(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; N];
    let mut filled = 0;
    while filled < N {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// The inputs named on a command line: none means standard input.
pub fn input_names(paths: &[String]) -> Vec<String> {
    if paths.is_empty() {
        vec!["-".to_string()]
    } else {
        paths.to_vec()
    }
}

/// True when `path` has the `.csv` extension (also under `.gz`).
pub fn has_csv_extension(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.len() > 4 && name[name.len() - 4..].eq_ignore_ascii_case(".csv")
}
