//! The event contract (SPEC section 1): the fields, the rules every record
//! is checked against, the diagnostics they produce, and [`EventStream`],
//! which every command reads events through.

mod check;
mod dedup;
mod diagnostic;
mod parse;
mod stream;
pub mod timestamp;

use std::borrow::Cow;
use std::fmt;

pub use check::Verdict;
pub use check::{check_parsed, mistaken_form, shown_key, suggest_field};
pub use dedup::{DuplicateIndex, FirstSeen};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use parse::{parse_record, Parsed, TopLevel, Value};
pub use stream::{check_json, EventStream, Item};

/// Number of fields in the contract.
pub const FIELD_COUNT: usize = 8;

/// The contract's fields, in the order of the table in SPEC 1 (and of CSV
/// headers and JSONL output).
pub const FIELDS: [&str; FIELD_COUNT] = [
    "event_id",
    "reference_id",
    "organisation_id",
    "campaign_id",
    "display_unit",
    "impression_timestamp",
    "click_timestamp",
    "business_number",
];

pub const EVENT_ID: usize = 0;
pub const REFERENCE_ID: usize = 1;
pub const ORGANISATION_ID: usize = 2;
pub const IMPRESSION_TIMESTAMP: usize = 5;
pub const CLICK_TIMESTAMP: usize = 6;

/// The older spelling of `organisation_id`.
pub const ORG_ID_ALIAS: &str = "org_id";

/// The index of a contract field by its exact name.
pub fn field_index(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| *f == name)
}

/// Which of the two event kinds is expected (`--kind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Impressions and clicks; `click_timestamp` optional.
    #[default]
    Detailed,
    /// Click events; `click_timestamp` required.
    Click,
}

/// Which `reference_id` forms are accepted (`--reference-id`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReferencePolicy {
    /// 12-digit phone numbers only.
    Phone,
    /// SHA-256 hex digests only.
    Sha256,
    /// Digests or 12-digit phone numbers.
    HashedOrPhone,
    /// Any non-empty string.
    #[default]
    Any,
}

impl ReferencePolicy {
    pub fn allows(self, form: ReferenceForm) -> bool {
        match self {
            ReferencePolicy::Phone => form == ReferenceForm::Phone,
            ReferencePolicy::Sha256 => form == ReferenceForm::Sha256,
            ReferencePolicy::HashedOrPhone => form != ReferenceForm::Custom,
            ReferencePolicy::Any => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReferencePolicy::Phone => "phone",
            ReferencePolicy::Sha256 => "sha256",
            ReferencePolicy::HashedOrPhone => "hashed-or-phone",
            ReferencePolicy::Any => "any",
        }
    }
}

/// The three accepted forms of `reference_id` (SPEC 1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceForm {
    /// Exactly 12 ASCII digits.
    Phone,
    /// Exactly 64 lowercase hex characters.
    Sha256,
    /// Any other non-empty string.
    Custom,
}

impl ReferenceForm {
    /// Classifies a value.
    pub fn of(value: &str) -> ReferenceForm {
        let b = value.as_bytes();
        if b.len() == 12 && b.iter().all(u8::is_ascii_digit) {
            ReferenceForm::Phone
        } else if b.len() == 64 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            ReferenceForm::Sha256
        } else {
            ReferenceForm::Custom
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceForm::Phone => "phone",
            ReferenceForm::Sha256 => "sha256",
            ReferenceForm::Custom => "custom",
        }
    }
}

impl fmt::Display for ReferenceForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules a run checks records against.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub kind: Kind,
    /// Unknown fields and numeric timestamps become errors.
    pub strict: bool,
    pub reference_id: ReferencePolicy,
    /// Show `reference_id` values unmasked in messages.
    pub show_pii: bool,
}

/// One event's fields after the `org_id` alias is resolved.
#[derive(Debug, Default)]
pub struct Event<'a> {
    /// The contract's fields by index; `None` when absent.
    pub fields: [Option<Value<'a>>; FIELD_COUNT],
    /// Fields outside the contract, in input order.
    pub extras: Vec<(Cow<'a, str>, Value<'a>)>,
}

impl<'a> Event<'a> {
    /// A field's value when it is a string.
    pub fn get(&self, name: &str) -> Option<&str> {
        match field_index(name) {
            Some(i) => self.fields[i].as_ref().and_then(Value::as_str),
            None => self
                .extras
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.as_str()),
        }
    }

    /// A field's value as text: strings as they are, integers as their digits.
    pub fn text(&self, index: usize) -> Option<Cow<'_, str>> {
        value_text(self.fields[index].as_ref()?)
    }

    /// Writes the canonical JSON object: the contract's fields in table
    /// order, each value a JSON string, absent and null fields left out,
    /// followed by any extra fields as they were.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        let mut member = |out: &mut Vec<u8>, key: &str, value: &str| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_json_string(out, key);
            out.push(b':');
            write_json_string(out, value);
        };
        for (i, name) in FIELDS.iter().enumerate() {
            if let Some(text) = self.text(i) {
                member(out, name, &text);
            }
        }
        for (key, value) in &self.extras {
            if let Some(text) = value_text(value) {
                member(out, key, &text);
            }
        }
        out.push(b'}');
    }
}

/// Text of a scalar value; `None` for null, objects and arrays.
pub fn value_text<'v>(value: &'v Value<'_>) -> Option<Cow<'v, str>> {
    match value {
        Value::Str(s) => Some(Cow::Borrowed(s.as_ref())),
        Value::UInt(n) => Some(Cow::Owned(n.to_string())),
        Value::Int(n) => Some(Cow::Owned(n.to_string())),
        Value::Float(f) => Some(Cow::Owned(f.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Object | Value::Array => None,
    }
}

/// Writes a JSON string, escaping only what JSON requires: the quote, the
/// backslash and control characters. Everything else stays UTF-8.
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_forms() {
        assert_eq!(ReferenceForm::of("919800000001"), ReferenceForm::Phone);
        assert_eq!(
            ReferenceForm::of("604fdaaf1d82769c1ce23a8d883f423591a89ca4aeb880186f1f791df59acaf2"),
            ReferenceForm::Sha256
        );
        assert_eq!(ReferenceForm::of("CRM-1234"), ReferenceForm::Custom);
        assert_eq!(ReferenceForm::of("+919800000001"), ReferenceForm::Custom);
    }

    #[test]
    fn json_strings_escape_only_what_json_requires() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é€");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\nd\\u0001é€\""
        );
    }
}
