//! Work on all cores (SPEC 8): JSONL input is cut into blocks of about
//! 1 MiB at line boundaries, a pool of workers does the per-line work on
//! each block, and the results come back to the caller in input order with
//! exact line numbers, while the next blocks are still being read.
//!
//! Memory stays flat: at most two blocks per worker are in flight, and their
//! buffers are reused. A line longer than the record limit is never held:
//! the blocks before it are finished first, then it is streamed to the
//! sink's `spill` as it is read.

use std::collections::BTreeMap;
use std::io::{self, BufRead};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Target size of one block.
pub const BLOCK_SIZE: usize = 1 << 20;

/// Most workers used, whatever `--threads` says: with two blocks of at most
/// about 2 MiB in flight per worker, this keeps memory near 64 MiB at most.
pub const MAX_THREADS: usize = 16;

/// Where the results of [`run`] go, in input order.
pub trait Sink<T> {
    /// A block of whole lines starting on `first_line`, with the work done on it.
    fn block(&mut self, first_line: u64, bytes: &[u8], done: T) -> io::Result<()>;
    /// Bytes of a line too long to hold, as read; `too_large` follows.
    fn spill(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// The end of a line too long to hold: its line number and size.
    fn too_large(&mut self, line: u64, size: u64) -> io::Result<()>;
}

/// Why [`run`] stopped early: the input could not be read, or the sink
/// said stop (its own error, such as an output that cannot be written).
#[derive(Debug)]
pub enum Stop {
    Read(io::Error),
    Sink(io::Error),
}

/// The number of workers to use for `--threads N` (0 or none: all cores),
/// at most [`MAX_THREADS`].
pub fn thread_count(requested: Option<usize>) -> usize {
    let n = match requested {
        Some(n) if n > 0 => n,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    n.min(MAX_THREADS)
}

/// The lines of a block: `(offset of the line in the block, the line with
/// its terminator)`. The last line may lack a terminator at the end of input.
pub fn lines(block: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= block.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i + 1);
        let line = (start, &block[start..end]);
        start = end;
        Some(line)
    })
}

struct Job {
    seq: u64,
    first_line: u64,
    bytes: Vec<u8>,
}

enum Piece<T> {
    Block {
        first_line: u64,
        bytes: Vec<u8>,
        done: T,
    },
    TooLarge {
        line: u64,
        size: u64,
    },
}

/// Reads `input` to the end in blocks of about `block_size` bytes, runs
/// `work(first_line, block)` on `threads` workers, and hands each block and
/// its result to `sink` in input order. Lines longer than `max_line` bytes
/// that do not fit in a block are streamed to the sink instead. Work whose
/// results take much more room than its input takes smaller blocks.
pub fn run<T, W>(
    input: &mut dyn BufRead,
    threads: usize,
    block_size: usize,
    max_line: usize,
    work: W,
    sink: &mut dyn Sink<T>,
) -> Result<(), Stop>
where
    T: Send,
    W: Fn(u64, &[u8]) -> T + Sync,
{
    let threads = threads.clamp(1, MAX_THREADS);
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<(u64, Piece<T>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            let work = &work;
            scope.spawn(move || worker(&job_rx, &done_tx, work));
        }
        drop(done_tx);
        let mut order = Order {
            next: 0,
            waiting: BTreeMap::new(),
            in_flight: 0,
            pool: Vec::new(),
        };
        let result = read_blocks(
            input, threads, block_size, max_line, &job_tx, &done_rx, &mut order, sink,
        );
        drop(job_tx);
        // Workers end when the job channel closes; results left after an
        // error are dropped with the receiver.
        result
    })
}

fn worker<T, W>(jobs: &Mutex<Receiver<Job>>, done: &mpsc::Sender<(u64, Piece<T>)>, work: &W)
where
    W: Fn(u64, &[u8]) -> T,
{
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = work(job.first_line, &job.bytes);
        let piece = Piece::Block {
            first_line: job.first_line,
            bytes: job.bytes,
            done: result,
        };
        if done.send((job.seq, piece)).is_err() {
            return;
        }
    }
}

/// Puts finished pieces back in input order.
struct Order<T> {
    next: u64,
    waiting: BTreeMap<u64, Piece<T>>,
    in_flight: usize,
    pool: Vec<Vec<u8>>,
}

impl<T> Order<T> {
    /// Hands every piece that is next in order to the sink.
    fn drain(&mut self, sink: &mut dyn Sink<T>) -> Result<(), Stop> {
        while let Some(piece) = self.waiting.remove(&self.next) {
            self.next += 1;
            match piece {
                Piece::Block {
                    first_line,
                    bytes,
                    done,
                } => {
                    self.in_flight -= 1;
                    sink.block(first_line, &bytes, done).map_err(Stop::Sink)?;
                    self.pool.push(bytes);
                }
                Piece::TooLarge { line, size } => {
                    sink.too_large(line, size).map_err(Stop::Sink)?;
                }
            }
        }
        Ok(())
    }

    /// Waits for one finished block.
    fn wait(&mut self, rx: &Receiver<(u64, Piece<T>)>, sink: &mut dyn Sink<T>) -> Result<(), Stop> {
        let (seq, piece) = rx
            .recv()
            .map_err(|_| Stop::Read(io::Error::other("a worker thread stopped unexpectedly")))?;
        self.waiting.insert(seq, piece);
        self.drain(sink)
    }
}

#[allow(clippy::too_many_arguments)]
fn read_blocks<T>(
    input: &mut dyn BufRead,
    threads: usize,
    block_size: usize,
    max_line: usize,
    jobs: &SyncSender<Job>,
    done: &Receiver<(u64, Piece<T>)>,
    order: &mut Order<T>,
    sink: &mut dyn Sink<T>,
) -> Result<(), Stop> {
    let limit = threads * 2;
    let mut seq = 0u64;
    let mut next_line = 1u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut eof = false;
    while !eof || !carry.is_empty() {
        let mut buf = order.pool.pop().unwrap_or_default();
        buf.clear();
        buf.append(&mut carry);
        let mut has_newline = memchr::memchr(b'\n', &buf).is_some();

        // Fill to a block, or further until a long line ends.
        while !eof && (buf.len() < block_size || !has_newline) {
            if !has_newline && buf.len() > max_line {
                break;
            }
            let chunk = input.fill_buf().map_err(Stop::Read)?;
            if chunk.is_empty() {
                eof = true;
                break;
            }
            let room = if has_newline {
                block_size.saturating_sub(buf.len())
            } else {
                chunk.len()
            };
            let take = chunk.len().min(room.max(1));
            has_newline |= memchr::memchr(b'\n', &chunk[..take]).is_some();
            buf.extend_from_slice(&chunk[..take]);
            input.consume(take);
        }

        if !has_newline && buf.len() > max_line {
            // One line too long to hold: finish what came before, then stream it.
            while order.in_flight > 0 {
                order.wait(done, sink)?;
            }
            let size = stream_long_line(input, &buf, sink)?;
            order.pool.push(buf);
            order.waiting.insert(
                seq,
                Piece::TooLarge {
                    line: next_line,
                    size,
                },
            );
            seq += 1;
            order.drain(sink)?;
            next_line += 1;
            continue;
        }

        if !eof {
            if let Some(last) = memchr::memrchr(b'\n', &buf) {
                carry.extend_from_slice(&buf[last + 1..]);
                buf.truncate(last + 1);
            }
        }
        if buf.is_empty() {
            order.pool.push(buf);
            continue;
        }
        let newlines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let lines = newlines + u64::from(!buf.ends_with(b"\n"));
        while order.in_flight >= limit {
            order.wait(done, sink)?;
        }
        order.in_flight += 1;
        jobs.send(Job {
            seq,
            first_line: next_line,
            bytes: buf,
        })
        .map_err(|_| Stop::Read(io::Error::other("the worker threads stopped unexpectedly")))?;
        seq += 1;
        next_line += lines;
        // Hand over whatever is already finished without waiting.
        while let Ok((s, piece)) = done.try_recv() {
            order.waiting.insert(s, piece);
        }
        order.drain(sink)?;
    }
    while order.in_flight > 0 {
        order.wait(done, sink)?;
    }
    Ok(())
}

/// Streams a line too long to hold to the sink, starting with the bytes
/// already read; returns its size, terminator included.
fn stream_long_line<T>(
    input: &mut dyn BufRead,
    start: &[u8],
    sink: &mut dyn Sink<T>,
) -> Result<u64, Stop> {
    sink.spill(start).map_err(Stop::Sink)?;
    let mut size = start.len() as u64;
    loop {
        let chunk = input.fill_buf().map_err(Stop::Read)?;
        if chunk.is_empty() {
            sink.spill(b"\n").map_err(Stop::Sink)?;
            return Ok(size);
        }
        let (part, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (&chunk[..=i], true),
            None => (chunk, false),
        };
        sink.spill(part).map_err(Stop::Sink)?;
        size += part.len() as u64;
        let n = part.len();
        input.consume(n);
        if done {
            return Ok(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects what the sink is given, as text.
    #[derive(Default)]
    struct Record {
        lines: Vec<(u64, String)>,
        spilled: Vec<u8>,
        large: Vec<(u64, u64)>,
    }

    impl Sink<Vec<(u64, String)>> for Record {
        fn block(&mut self, _: u64, _: &[u8], done: Vec<(u64, String)>) -> io::Result<()> {
            self.lines.extend(done);
            Ok(())
        }
        fn spill(&mut self, bytes: &[u8]) -> io::Result<()> {
            self.spilled.extend_from_slice(bytes);
            Ok(())
        }
        fn too_large(&mut self, line: u64, size: u64) -> io::Result<()> {
            self.large.push((line, size));
            Ok(())
        }
    }

    fn numbered(first: u64, block: &[u8]) -> Vec<(u64, String)> {
        lines(block)
            .enumerate()
            .map(|(i, (_, l))| {
                (
                    first + i as u64,
                    String::from_utf8_lossy(l).trim_end_matches('\n').into(),
                )
            })
            .collect()
    }

    #[test]
    fn lines_keep_their_numbers_and_order_across_blocks() {
        let mut text = String::new();
        for i in 1..=300_000u64 {
            text.push_str(&format!("line {i} {}\n", "x".repeat((i % 17) as usize)));
        }
        text.push_str("last without newline");
        for threads in [1, 2, 4] {
            let mut sink = Record::default();
            let mut input = io::Cursor::new(text.as_bytes());
            run(
                &mut input,
                threads,
                BLOCK_SIZE,
                1 << 20,
                numbered,
                &mut sink,
            )
            .unwrap();
            assert_eq!(sink.lines.len(), 300_001);
            for (i, (n, l)) in sink.lines.iter().enumerate().take(300_000) {
                assert_eq!(*n, i as u64 + 1);
                assert!(l.starts_with(&format!("line {} ", i + 1)), "{l}");
            }
            assert_eq!(
                sink.lines[300_000],
                (300_001, "last without newline".to_string())
            );
        }
    }

    #[test]
    fn workers_are_capped_to_keep_memory_flat() {
        assert_eq!(thread_count(Some(64)), MAX_THREADS);
        assert_eq!(thread_count(Some(3)), 3);
        assert!(thread_count(Some(0)) >= 1);
    }

    #[test]
    fn a_line_over_the_limit_is_streamed_in_its_place() {
        let long = "y".repeat(3 * BLOCK_SIZE);
        let text = format!("a\nb\n{long}\nc\n");
        let mut sink = Record::default();
        let mut input = io::BufReader::with_capacity(4096, text.as_bytes());
        run(&mut input, 2, BLOCK_SIZE, 1000, numbered, &mut sink).unwrap();
        assert_eq!(sink.large, vec![(3, long.len() as u64 + 1)]);
        assert_eq!(sink.spilled.len(), long.len() + 1);
        let got: Vec<(u64, String)> = sink.lines;
        assert_eq!(got, vec![(1, "a".into()), (2, "b".into()), (4, "c".into())]);
    }
}
