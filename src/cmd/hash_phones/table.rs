//! CSV input for `hash-phones --column`: find the column by its header,
//! replace each of its cells by the hash (or add `NAME_sha256` with
//! `--keep-column`), and keep every other cell as it was.
//!
//! The csv reader holds one whole row in memory: a row longer than
//! `--max-record-bytes` is reported and skipped, but only after it was read.
//!
//! Line numbers are counted here from the raw bytes ([`Lines`]): the csv
//! crate's own count is one short after every CRLF record.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Write};
use std::rc::Rc;

use anyhow::{bail, Context};
use csv::ByteRecord;

use super::{Args, PhoneHasher, Place, Problem, Verdict};
use crate::reader::{self, Input};
use crate::schema::shown_key;

/// The CSV side of a run; several inputs must share one header.
pub(crate) struct Table {
    column: String,
    keep: bool,
    /// `--delimiter`, or `None` to guess it from each input's header.
    delimiter: Option<u8>,
    /// The first input's header, written once and expected of every input.
    header: Option<ByteRecord>,
}

impl Table {
    pub fn new(column: &str, args: &Args) -> Table {
        Table {
            column: column.to_string(),
            keep: args.keep_column,
            delimiter: args.delimiter,
            header: None,
        }
    }

    /// Hashes one CSV input into `out`.
    pub fn run(
        &mut self,
        input: &mut Input,
        hasher: &mut PhoneHasher,
        out: &mut dyn Write,
    ) -> anyhow::Result<()> {
        let mut lines = Lines::default();
        let delimiter = match self.delimiter {
            Some(d) => d,
            None => reader::guess_delimiter(input.reader.fill_buf()?),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(Tap {
                inner: &mut *input.reader,
                seen: Rc::clone(&lines.seen),
            });
        let headers = rdr
            .byte_headers()
            .context("cannot read the CSV header")?
            .clone();
        if headers.is_empty() || headers.iter().all(<[u8]>::is_empty) {
            bail!(
                "{:?} has no CSV header; its first line must name the columns",
                input.name
            );
        }
        let index = find_column(&headers, &self.column, &input.name)?;
        let mut wtr = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(&mut *out);

        match &self.header {
            None => {
                let mut first = headers.clone();
                if self.keep {
                    first.push_field(format!("{}_sha256", self.column.trim()).as_bytes());
                }
                wtr.write_byte_record(&first)?;
                self.header = Some(headers.clone());
            }
            Some(first) if *first == headers => {}
            Some(_) => bail!(
                "{:?} has other columns than the first input; hash files with different \
                 headers in separate runs",
                input.name
            ),
        }

        let mut row = ByteRecord::new();
        let mut written = ByteRecord::new();
        while rdr
            .read_byte_record(&mut row)
            .context("cannot read a CSV row")?
        {
            let line = lines.at(row.position().map_or(0, |p| p.byte()));
            let at = Place {
                file: &input.name,
                line,
                field: Some(&self.column),
            };
            let verdict = if row.as_slice().len() > hasher.max_record_bytes {
                hasher.reject(Problem::TooLong(row.as_slice().len()), "", &at)
            } else if row.len() != headers.len() {
                let problem = Problem::FieldCount {
                    found: row.len(),
                    expected: headers.len(),
                };
                hasher.reject(problem, "", &at)
            } else {
                match std::str::from_utf8(&row[index]) {
                    Ok(text) => hasher.judge(text, &at),
                    Err(_) => hasher.reject(Problem::InvalidUtf8, "", &at),
                }
            };
            let code = match verdict {
                Verdict::Hashed(code) => Some(code),
                _ if hasher.keep_alignment => None,
                _ => continue,
            };
            let hash: &[u8] = code.as_ref().map_or(b"", |c| c.as_bytes());
            written.clear();
            for (i, cell) in row.iter().enumerate() {
                written.push_field(if i == index && !self.keep { hash } else { cell });
            }
            if self.keep {
                written.push_field(hash);
            }
            wtr.write_byte_record(&written)?;
        }
        wtr.flush()?;
        Ok(())
    }
}

/// The index of the column named `name` (header cells are trimmed), or a
/// usage error that names the closest column.
fn find_column(headers: &ByteRecord, name: &str, file: &str) -> anyhow::Result<usize> {
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let wanted = name.trim();
    let found: Vec<usize> = (0..names.len()).filter(|&i| names[i] == wanted).collect();
    match found[..] {
        [index] => Ok(index),
        [] => {
            let closest = names
                .iter()
                .map(|n| {
                    (
                        strsim::jaro_winkler(&n.to_lowercase(), &wanted.to_lowercase()),
                        n,
                    )
                })
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = match closest {
                Some((_, n)) => format!("; did you mean {n:?}?"),
                None => String::new(),
            };
            // A headerless file's first row holds data: phone numbers stay masked.
            let shown: Vec<_> = names.iter().map(|n| shown_key(n, false)).collect();
            bail!(
                "{file:?} has no column {wanted:?}{hint} (its columns: {})",
                shown.join(", ")
            )
        }
        _ => bail!(
            "{file:?} has the column {wanted:?} {} times; rename the extra ones",
            found.len()
        ),
    }
}

/// A reader that keeps a copy of the bytes the csv reader has taken but not
/// yet turned into records (at most its read-ahead plus one record).
struct Tap<'a> {
    inner: &'a mut dyn io::BufRead,
    seen: Rc<RefCell<VecDeque<u8>>>,
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.borrow_mut().extend(&buf[..n]);
        Ok(n)
    }
}

/// Turns the byte offsets of records into 1-based line numbers.
struct Lines {
    seen: Rc<RefCell<VecDeque<u8>>>,
    /// The offset of the first byte in `seen`, and its line.
    base: u64,
    line: u64,
}

impl Default for Lines {
    fn default() -> Lines {
        Lines {
            seen: Rc::default(),
            base: 0,
            line: 1,
        }
    }
}

impl Lines {
    /// The line of the record whose parse began at byte `offset`: its first
    /// byte that is not a line end (blank lines and the `\n` of a CRLF
    /// may come before it).
    fn at(&mut self, offset: u64) -> u64 {
        let mut seen = self.seen.borrow_mut();
        let mut end = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX);
        end = end.min(seen.len());
        while matches!(seen.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        let newlines = seen.range(..end).filter(|&&b| b == b'\n').count();
        self.line += newlines as u64;
        seen.drain(..end);
        self.base += end as u64;
        self.line
    }
}
