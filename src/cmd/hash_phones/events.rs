//! JSONL input for `hash-phones --field`: in each event, rewrite only the
//! named field's value and keep every other byte of the line as it was.
//!
//! The field's value is sorted by the `reference_id` forms of SPEC 1.3:
//! `phone` (exactly 12 ASCII digits) is hashed, `sha256` (64 lowercase hex)
//! passes through, and `custom` (anything else) is left and counted, with a
//! warning when it is a phone number or digest in another spelling. A line is
//! checked by serde_json first, then scanned once more to find where the
//! field's value starts and ends.

use std::borrow::Cow;
use std::io::Write;
use std::ops::Range;

use serde::de::IgnoredAny;

use super::{read_line, PhoneHasher, Place, Problem, Verdict};
use crate::jsontext::{skip_space, string_end, value_end};
use crate::reader::Input;
use crate::schema::{mistaken_form, ReferenceForm as Form};

/// Hashes the field `field` in each line of one JSONL input into `out`.
pub(crate) fn run(
    input: &mut Input,
    field: &str,
    hasher: &mut PhoneHasher,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut line = Vec::with_capacity(4096);
    let mut number = 0u64;
    while let Some(len) = read_line(&mut *input.reader, &mut line, hasher.max_record_bytes)? {
        number += 1;
        let at = Place {
            file: &input.name,
            line: number,
            field: Some(field),
        };
        let record = line.strip_suffix(b"\r").unwrap_or(&line);
        if len > line.len() {
            hasher.reject(Problem::TooLong(len), "", &at);
        } else if record.iter().all(u8::is_ascii_whitespace) {
            hasher.summary.lines += 1;
            hasher.summary.blank += 1;
        } else {
            match rewrite(record, field, hasher, &at) {
                Some((span, Some(code))) => {
                    out.write_all(&record[..span.start])?;
                    out.write_all(b"\"")?;
                    out.write_all(code.as_bytes())?;
                    out.write_all(b"\"")?;
                    out.write_all(&record[span.end..])?;
                    out.write_all(b"\n")?;
                    continue;
                }
                Some((_, None)) => {
                    out.write_all(record)?;
                    out.write_all(b"\n")?;
                    continue;
                }
                None => {}
            }
        }
        if hasher.keep_alignment {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// Decides one record: `None` when it is bad (already reported), else the
/// span of the field's value and its new text (`None`: leave the line).
fn rewrite(
    record: &[u8],
    field: &str,
    hasher: &mut PhoneHasher,
    at: &Place,
) -> Option<(Range<usize>, Option<super::Encoded>)> {
    let found = check(record).and_then(|()| find_field(record, field));
    let span = match found {
        Ok(Some(span)) => span,
        Ok(None) => return bad(hasher, Problem::MissingField, at),
        Err(problem) => return bad(hasher, problem, at),
    };
    let raw = &record[span.clone()];
    let value = match raw.first() {
        Some(b'"') => match string_value(raw) {
            Some(value) => value,
            None => return bad(hasher, Problem::WrongType("a broken string"), at),
        },
        Some(b'n') => return bad(hasher, Problem::NullField, at),
        Some(b'{') => return bad(hasher, Problem::WrongType("an object"), at),
        Some(b'[') => return bad(hasher, Problem::WrongType("an array"), at),
        Some(b't' | b'f') => return bad(hasher, Problem::WrongType("a boolean"), at),
        _ => return bad(hasher, Problem::WrongType("a number"), at),
    };

    // The form of the trimmed value, as validate counts it: a phone number
    // with a stray space is still a phone number, and is hashed.
    match Form::of(value.trim()) {
        Form::Phone | Form::Sha256 => match hasher.judge(&value, at) {
            Verdict::Hashed(code) => Some((span, Some(code))),
            _ => None,
        },
        Form::Custom if value.trim().is_empty() => bad(hasher, Problem::EmptyField, at),
        Form::Custom => {
            // Personal data in another spelling would reach the upload raw.
            if let Some(hint) = mistaken_form(value.trim()) {
                hasher.reject(Problem::Mistaken(hint), &value, at);
                return None;
            }
            hasher.summary.lines += 1;
            hasher.summary.custom += 1;
            Some((span, None))
        }
    }
}

fn bad<T>(hasher: &mut PhoneHasher, problem: Problem, at: &Place) -> Option<T> {
    hasher.reject(problem, "", at);
    None
}

/// Checks that the record is UTF-8 and one JSON value.
fn check(record: &[u8]) -> Result<(), Problem> {
    std::str::from_utf8(record).map_err(|_| Problem::InvalidUtf8)?;
    serde_json::from_slice::<IgnoredAny>(record).map_err(Problem::JsonSyntax)?;
    Ok(())
}

/// The text of a JSON string literal (quotes included in `raw`).
fn string_value(raw: &[u8]) -> Option<Cow<'_, str>> {
    if raw.len() < 2 {
        return None;
    }
    if raw.contains(&b'\\') {
        return serde_json::from_slice::<String>(raw).ok().map(Cow::Owned);
    }
    std::str::from_utf8(&raw[1..raw.len() - 1])
        .ok()
        .map(Cow::Borrowed)
}

/// The byte range of the value of the top-level key `name` in a record that
/// serde_json accepted; an error for a non-object or a repeated key.
fn find_field(rec: &[u8], name: &str) -> Result<Option<Range<usize>>, Problem> {
    let mut i = skip_space(rec, 0);
    if rec.get(i) != Some(&b'{') {
        return Err(Problem::NotObject);
    }
    i += 1;
    let mut found = None;
    loop {
        i = skip_space(rec, i);
        if rec.get(i) != Some(&b'"') {
            break;
        }
        let key_end = string_end(rec, i);
        let key = &rec[i..key_end];
        i = skip_space(rec, key_end);
        i = skip_space(rec, i + 1);
        let end = value_end(rec, i);
        if key_is(key, name) {
            if found.is_some() {
                return Err(Problem::DuplicateKey);
            }
            found = Some(i..end);
        }
        i = skip_space(rec, end);
        if rec.get(i) != Some(&b',') {
            break;
        }
        i += 1;
    }
    Ok(found)
}

fn key_is(key: &[u8], name: &str) -> bool {
    match string_value(key) {
        Some(text) => text == name,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(rec: &str, name: &str) -> Option<String> {
        let rec = rec.as_bytes();
        find_field(rec, name)
            .ok()
            .flatten()
            .map(|r| String::from_utf8_lossy(&rec[r]).into_owned())
    }

    #[test]
    fn finds_the_value_past_nested_values_and_escapes() {
        let rec = r#"{"a":{"b":[1,"}"]},"x\"y":"q","reference_id" : "919800000001" }"#;
        assert_eq!(
            span_of(rec, "reference_id").as_deref(),
            Some(r#""919800000001""#)
        );
        assert_eq!(span_of(rec, "x\"y").as_deref(), Some(r#""q""#));
        assert_eq!(
            span_of(r#"{"n":12.5e3,"m":null}"#, "n").as_deref(),
            Some("12.5e3")
        );
        assert_eq!(
            span_of(r#"{"\u0072ef":"v"}"#, "ref").as_deref(),
            Some(r#""v""#)
        );
        assert_eq!(span_of(r#"{"a":"b"}"#, "reference_id"), None);
    }

    #[test]
    fn a_repeated_field_or_a_non_object_is_an_error() {
        let rec = br#"{"r":"1","r":"2"}"#;
        assert!(matches!(find_field(rec, "r"), Err(Problem::DuplicateKey)));
        assert!(matches!(find_field(b"[1]", "r"), Err(Problem::NotObject)));
    }
}
