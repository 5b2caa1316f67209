//! [`EventStream`]: records from the reader, parsed and checked, one at a
//! time. Every command reads its events through it.

use std::io::{self, Write};

use super::check::{check_parsed, suggest_field, Emit, Verdict, BOTH_ORG_NAMES};
use super::{
    parse_record, Code, Diagnostic, Event, Parsed, ReferenceForm, Rules, Severity, TopLevel, Value,
    FIELDS, FIELD_COUNT, ORGANISATION_ID, ORG_ID_ALIAS,
};
use crate::reader::{Body, CsvHeader, CsvRow, Format, Input, ReadOptions, Records};

/// One record, checked.
pub struct Item<'a> {
    /// 1-based line where the record starts.
    pub line: u64,
    /// Position in a top-level JSON array.
    pub index: Option<u64>,
    /// The bytes as read (empty for a record over the size limit).
    pub raw: &'a [u8],
    /// The fields, when the record could be parsed as an object.
    pub event: Option<Event<'a>>,
    /// Error diagnostics of this record.
    pub errors: u32,
    /// Warning diagnostics of this record.
    pub warnings: u32,
    /// The `reference_id` form, when it is a non-empty string.
    pub form: Option<ReferenceForm>,
}

impl Item<'_> {
    /// No error diagnostics.
    pub fn is_valid(&self) -> bool {
        self.errors == 0
    }
}

/// Where a CSV column goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Column {
    Field(usize),
    Alias,
    Unknown(String),
}

/// Events from one input, parsed and checked against [`Rules`].
pub struct EventStream {
    records: Records,
    rules: Rules,
    validate: bool,
    columns: Vec<Column>,
    header_ok: bool,
    outside: Vec<Diagnostic>,
}

impl EventStream {
    /// Opens the stream. Problems found before the first record (a BOM, a
    /// bad CSV header) go to `diags`; a bad header leaves [`header_ok`] false
    /// and the stream empty.
    ///
    /// [`header_ok`]: EventStream::header_ok
    pub fn new(
        input: Input,
        read: &ReadOptions,
        rules: Rules,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<EventStream> {
        let records = Records::new(input, read, diags)?;
        let mut stream = EventStream {
            records,
            rules,
            validate: true,
            columns: Vec::new(),
            header_ok: true,
            outside: Vec::new(),
        };
        if let Some(header) = stream.records.csv_header().cloned() {
            stream.header_ok = stream.map_header(&header, diags);
        } else if stream.format() == Format::Csv {
            let msg = match stream.records.csv_header_too_large() {
                Some(size) => format!(
                    "the header row of {size} bytes is longer than --max-record-bytes {}; \
                     raise the limit",
                    read.max_record_bytes
                ),
                None => "the CSV input is empty: expected a header row of field names".into(),
            };
            diags.push(Diagnostic::error(1, Code::CsvHeader, msg));
            stream.header_ok = false;
        }
        Ok(stream)
    }

    /// Checks only what is needed to read the fields (syntax, duplicate
    /// keys, CSV cell counts), not the field rules (`--no-validate`).
    pub fn without_validation(mut self) -> Self {
        self.validate = false;
        self
    }

    /// The input's name in diagnostics.
    pub fn name(&self) -> &str {
        &self.records.name
    }

    pub fn format(&self) -> Format {
        self.records.format()
    }

    pub fn csv_header(&self) -> Option<&CsvHeader> {
        self.records.csv_header()
    }

    /// False when the CSV header lacks a required column or repeats one.
    pub fn header_ok(&self) -> bool {
        self.header_ok
    }

    fn map_header(&mut self, header: &CsvHeader, diags: &mut Vec<Diagnostic>) -> bool {
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for name in &header.names {
            if seen.contains(&name.as_str()) {
                let shown = super::shown_key(name, self.rules.show_pii);
                diags.push(
                    Diagnostic::error(
                        header.line,
                        Code::CsvHeader,
                        format!("column {shown:?} appears twice in the header; keep one"),
                    )
                    .with_field(&shown),
                );
                ok = false;
            }
            seen.push(name);
            self.columns.push(match super::field_index(name) {
                Some(i) => Column::Field(i),
                None if name == ORG_ID_ALIAS => Column::Alias,
                None => Column::Unknown(name.clone()),
            });
        }
        if self.columns.contains(&Column::Alias)
            && self.columns.contains(&Column::Field(ORGANISATION_ID))
        {
            diags.push(
                Diagnostic::error(
                    header.line,
                    Code::CsvHeader,
                    "both \"org_id\" and \"organisation_id\" columns are present; keep only \
                     \"organisation_id\"",
                )
                .with_field(ORG_ID_ALIAS),
            );
            ok = false;
        }
        let required = FIELDS
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != super::CLICK_TIMESTAMP);
        for (i, name) in required {
            let present = self.columns.contains(&Column::Field(i))
                || (i == ORGANISATION_ID && self.columns.contains(&Column::Alias));
            if present {
                continue;
            }
            let near = self.columns.iter().find_map(|c| match c {
                Column::Unknown(u) if suggest_field(u) == Some(name) => Some(u.as_str()),
                _ => None,
            });
            let hint = match near {
                Some(u) => format!("; column {u:?} looks like it: rename it to {name:?}"),
                None => String::new(),
            };
            diags.push(
                Diagnostic::error(
                    header.line,
                    Code::CsvHeader,
                    format!("the header has no {name:?} column{hint}"),
                )
                .with_field(name),
            );
            ok = false;
        }
        ok
    }

    /// The next record and its diagnostics (appended to `diags`, together
    /// with problems found between records). A record over the size limit
    /// is streamed to `spill` as read.
    pub fn next_item(
        &mut self,
        diags: &mut Vec<Diagnostic>,
        spill: Option<&mut dyn Write>,
    ) -> io::Result<Option<Item<'_>>> {
        if !self.header_ok {
            return Ok(None);
        }
        self.outside.clear();
        let record = self.records.next_record(&mut self.outside, spill)?;
        diags.append(&mut self.outside);
        let Some(record) = record else {
            return Ok(None);
        };
        let (line, index) = (record.line, record.index);
        diags.extend_from_slice(record.notes);
        let mut verdict = Verdict::default();
        for d in record.notes {
            match d.severity {
                Severity::Error => verdict.errors += 1,
                Severity::Warning => verdict.warnings += 1,
            }
        }
        let mut emit = Emit {
            line,
            index,
            diags,
            verdict,
        };
        let event = match record.body {
            Body::Unreadable => None,
            Body::Json(bytes) => parse_json(bytes, &mut emit),
            Body::Csv(row) => parse_csv(row, record.raw, &self.columns, &mut emit),
        };
        let (event, verdict) = finish(event, emit, &self.rules, self.validate);
        Ok(Some(Item {
            line,
            index,
            raw: record.raw,
            event,
            errors: verdict.errors,
            warnings: verdict.warnings,
            form: verdict.form,
        }))
    }
}

/// Parses and checks the JSON text of one record that starts on `line`:
/// what [`EventStream`] does for each JSONL line, for callers that cut the
/// lines themselves (the block workers of `validate --threads`).
pub fn check_json<'a>(
    bytes: &'a [u8],
    line: u64,
    rules: &Rules,
    validate: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Event<'a>>, Verdict) {
    let mut emit = Emit {
        line,
        index: None,
        diags,
        verdict: Verdict::default(),
    };
    let parsed = parse_json(bytes, &mut emit);
    finish(parsed, emit, rules, validate)
}

/// Applies the field rules (or, without validation, the structural ones)
/// to a parsed record.
fn finish<'a>(
    parsed: Option<Parsed<'a>>,
    emit: Emit,
    rules: &Rules,
    validate: bool,
) -> (Option<Event<'a>>, Verdict) {
    let Emit {
        line,
        index,
        diags,
        mut verdict,
    } = emit;
    let event = parsed.map(|parsed| {
        if validate {
            let (event, found) = check_parsed(parsed, rules, line, index, diags);
            verdict.errors += found.errors;
            verdict.warnings += found.warnings;
            verdict.form = found.form;
            event
        } else {
            structural_only(parsed, line, index, diags, &mut verdict)
        }
    });
    (event, verdict)
}

/// `--no-validate`: only what stops a record from being converted or sent.
fn structural_only<'a>(
    parsed: Parsed<'a>,
    line: u64,
    index: Option<u64>,
    diags: &mut Vec<Diagnostic>,
    verdict: &mut Verdict,
) -> Event<'a> {
    let mut emit = Emit {
        line,
        index,
        diags,
        verdict: *verdict,
    };
    for key in &parsed.duplicates {
        emit.error(
            Code::DuplicateKey,
            key,
            format!(
                "duplicate key {:?}: the same key appears twice; keep one value",
                key
            ),
        );
    }
    let Parsed {
        mut known,
        org_id,
        extras,
        ..
    } = parsed;
    if known[ORGANISATION_ID].is_none() {
        known[ORGANISATION_ID] = org_id;
    } else if org_id.is_some() {
        // Keeping either value would silently lose the other one.
        emit.error(Code::FieldAlias, ORG_ID_ALIAS, BOTH_ORG_NAMES.to_string());
    }
    *verdict = emit.verdict;
    Event {
        fields: known,
        extras,
    }
}

fn parse_json<'a>(bytes: &'a [u8], emit: &mut Emit) -> Option<Parsed<'a>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (l, c) = position_of(bytes, e.valid_up_to());
            let line = emit.line + l - 1;
            emit.push(
                Severity::Error,
                Code::InvalidUtf8,
                None,
                format!("invalid UTF-8 at line {line} column {c}; the input must be UTF-8"),
            );
            return None;
        }
    };
    let lead = text.trim_start();
    if lead.starts_with("//") || lead.starts_with("/*") {
        emit.push(
            Severity::Error,
            Code::JsonComment,
            None,
            "a comment line; JSON has no comments, remove the line".to_string(),
        );
        return None;
    }
    match parse_record(text) {
        Ok(TopLevel::Object(parsed)) => Some(parsed),
        Ok(TopLevel::Other(kind)) => {
            emit.push(
                Severity::Error,
                Code::NotObject,
                None,
                format!("expected a JSON object, got {kind}"),
            );
            None
        }
        Err(err) => {
            let (code, msg) = syntax_message(text, &err, emit.line);
            emit.push(Severity::Error, code, None, msg);
            None
        }
    }
}

/// 1-based line and column of a byte offset.
fn position_of(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let col = match memchr::memrchr(b'\n', before) {
        Some(nl) => offset - nl,
        None => offset + 1,
    };
    (line, col as u64)
}

/// The byte offset of serde_json's 1-based line and column.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text.as_bytes()[start..]) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + col.saturating_sub(1)).min(text.len())
}

/// serde_json's message with its position made absolute, and the comma of
/// a trailing-comma error pointed at.
fn syntax_message(text: &str, err: &serde_json::Error, first_line: u64) -> (Code, String) {
    let full = err.to_string();
    let what = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    let abs = |l: usize| first_line + l as u64 - 1;
    let (line, col) = (err.line(), err.column());
    if what.starts_with("control character") {
        let msg = format!(
            "raw control character inside a string at line {} column {col}; \
             escape it (\\n, \\t, \\u0001) or remove it",
            abs(line)
        );
        return (Code::ControlCharacter, msg);
    }
    if what == "trailing comma" {
        let at = offset_of(text, line, col);
        let comma = text.as_bytes()[..at].iter().rposition(|&b| b == b',');
        if let Some(c) = comma {
            let (cl, cc) = position_of(text.as_bytes(), c);
            let msg = format!(
                "trailing comma at line {} column {cc} before the closing bracket at line {} \
                 column {col}; remove the comma",
                first_line + cl - 1,
                abs(line)
            );
            return (Code::JsonSyntax, msg);
        }
    }
    let what = what.replace("EOF", "end of record");
    (
        Code::JsonSyntax,
        format!("{what} at line {} column {col}", abs(line)),
    )
}

fn parse_csv<'a>(
    row: CsvRow<'a>,
    raw: &[u8],
    columns: &[Column],
    emit: &mut Emit,
) -> Option<Parsed<'a>> {
    if row.len() != columns.len() {
        // A quote left open swallows the rows after it into one cell.
        let lines = memchr::memchr_iter(b'\n', raw.trim_ascii_end()).count() as u64 + 1;
        let hint = if lines > 2 {
            format!(
                "; the row runs over {lines} lines, to line {}: is a quote left open?",
                emit.line + lines - 1
            )
        } else {
            String::new()
        };
        emit.push(
            Severity::Error,
            Code::CsvFieldCount,
            None,
            format!(
                "row has {} cells but the header has {} columns{hint}",
                row.len(),
                columns.len()
            ),
        );
        return None;
    }
    let mut parsed = Parsed::default();
    let mut ok = true;
    for (i, column) in columns.iter().enumerate() {
        let cell = row.cell(i);
        if cell.is_empty() {
            continue;
        }
        let name = match column {
            Column::Field(f) => FIELDS[*f],
            Column::Alias => ORG_ID_ALIAS,
            Column::Unknown(n) => n.as_str(),
        };
        let text = match std::str::from_utf8(cell) {
            Ok(t) => t,
            Err(e) => {
                emit.push(
                    Severity::Error,
                    Code::InvalidUtf8,
                    Some(name),
                    format!(
                        "invalid UTF-8 at byte {} of the cell; the input must be UTF-8",
                        e.valid_up_to() + 1
                    ),
                );
                ok = false;
                continue;
            }
        };
        let value = Value::Str(text.into());
        match column {
            Column::Field(f) => parsed.known[*f] = Some(value),
            Column::Alias => parsed.org_id = Some(value),
            Column::Unknown(n) => parsed.extras.push((n.clone().into(), value)),
        }
    }
    debug_assert!(FIELD_COUNT == FIELDS.len());
    ok.then_some(parsed)
}
