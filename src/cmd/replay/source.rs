//! Records to replay, read one at a time from an input: where each starts,
//! its bytes as read (for `--failed-out`), the body to send, its string
//! fields (for `{field}` headers) and, when it breaks the event contract, why.
//!
//! This reads JSONL itself and checks only the required fields; it is the
//! one place to change when the shared schema module takes over reading.

use std::io::BufRead;

use crate::reader::Input;

/// The longest record accepted (SPEC 2).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

const REQUIRED: [&str; 7] = [
    "event_id",
    "reference_id",
    "organisation_id",
    "campaign_id",
    "display_unit",
    "impression_timestamp",
    "business_number",
];

/// One record of an input.
pub struct Record {
    /// Position among the input's records, from 0: the checkpoint's key.
    pub ordinal: u64,
    /// 1-based line where the record starts.
    pub line: u64,
    /// Position in a JSON array, when the input is one.
    pub index: Option<u64>,
    /// The bytes as read, without the line ending.
    pub raw: Vec<u8>,
    /// The body to send.
    pub body: Vec<u8>,
    /// The record's top-level string fields.
    pub fields: Vec<(String, String)>,
    /// Why the record breaks the event contract, if it does.
    pub problem: Option<String>,
}

impl Record {
    /// A string field of the record.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The records of one input, in order.
pub struct Records {
    input: Input,
    line: u64,
    ordinal: u64,
    buf: Vec<u8>,
}

impl Records {
    pub fn new(input: Input) -> Self {
        Records {
            input,
            line: 0,
            ordinal: 0,
            buf: Vec::new(),
        }
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        &self.input.name
    }

    /// The next record, `None` at the end of the input.
    pub fn next_record(&mut self) -> anyhow::Result<Option<Record>> {
        loop {
            self.buf.clear();
            let limit = MAX_RECORD_BYTES as u64 + 2;
            let mut limited = std::io::Read::take(&mut self.input.reader, limit);
            let n = limited.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let complete = self.buf.ends_with(b"\n") || n < limit as usize;
            let mut raw = std::mem::take(&mut self.buf);
            trim_line_end(&mut raw);
            if !complete || raw.len() > MAX_RECORD_BYTES {
                skip_rest_of_line(&mut self.input.reader)?;
                let problem = format!(
                    "record_too_large: record longer than {MAX_RECORD_BYTES} bytes; skipped"
                );
                raw.truncate(0);
                return Ok(Some(self.record(raw, Vec::new(), Some(problem))));
            }
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (fields, problem) = check(&raw);
            let body = raw.clone();
            return Ok(Some(Record {
                body,
                ..self.record(raw, fields, problem)
            }));
        }
    }

    fn record(
        &mut self,
        raw: Vec<u8>,
        fields: Vec<(String, String)>,
        problem: Option<String>,
    ) -> Record {
        let ordinal = self.ordinal;
        self.ordinal += 1;
        Record {
            ordinal,
            line: self.line,
            index: None,
            body: Vec::new(),
            raw,
            fields,
            problem,
        }
    }
}

fn trim_line_end(raw: &mut Vec<u8>) {
    if raw.ends_with(b"\n") {
        raw.pop();
        if raw.ends_with(b"\r") {
            raw.pop();
        }
    }
}

fn skip_rest_of_line(rdr: &mut dyn BufRead) -> std::io::Result<()> {
    loop {
        let buf = rdr.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(pos) = memchr::memchr(b'\n', buf) {
            rdr.consume(pos + 1);
            return Ok(());
        }
        let len = buf.len();
        rdr.consume(len);
    }
}

/// The string fields of a JSON object, and the first contract problem.
fn check(raw: &[u8]) -> (Vec<(String, String)>, Option<String>) {
    let value: serde_json::Value = match serde_json::from_slice(raw) {
        Ok(v) => v,
        Err(e) => return (Vec::new(), Some(format!("json_syntax: {e}"))),
    };
    let Some(object) = value.as_object() else {
        return (
            Vec::new(),
            Some("not_object: the record is not a JSON object".to_string()),
        );
    };
    let fields: Vec<(String, String)> = object
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect();
    let missing = REQUIRED.iter().find(|f| {
        !fields.iter().any(|(k, v)| k == *f && !v.trim().is_empty())
            && !(**f == "organisation_id" && fields.iter().any(|(k, _)| k == "org_id"))
    });
    let problem = missing.map(|f| format!("missing_field: {f} is missing, empty or not a string"));
    (fields, problem)
}
