//! Diagnostic codes, severities and the diagnostic record itself (SPEC 1.4).

use std::fmt;

/// Whether a diagnostic makes its record invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $what:literal;)*) => {
        /// A stable snake_case diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, in the order of SPEC 1.4.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed (`click_before_impression`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// One line on what the code means, for the README and `--help`.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $what),* }
            }
        }
    };
}

codes! {
    JsonSyntax = "json_syntax", "the text is not valid JSON (position given in the message)";
    InvalidUtf8 = "invalid_utf8", "the bytes are not valid UTF-8";
    Bom = "bom", "a UTF-8 byte order mark starts the input (skipped)";
    NotObject = "not_object", "a record is a JSON value other than an object";
    DuplicateKey = "duplicate_key", "the same key appears twice in one object";
    JsonComment = "json_comment", "a // or /* */ comment, which JSON does not allow";
    RecordTooLarge = "record_too_large", "a record is longer than --max-record-bytes";
    MissingField = "missing_field", "a required field is absent";
    NullField = "null_field", "a required field is null";
    WrongType = "wrong_type", "a field is not a string";
    EmptyField = "empty_field", "a field is empty or only white space";
    Whitespace = "whitespace", "a value has leading or trailing white space";
    ControlCharacter = "control_character", "a value contains a control character (U+0000-U+001F)";
    UnknownField = "unknown_field", "a field not in the contract (an error with --strict)";
    TimestampFormat = "timestamp_format", "a timestamp is not epoch seconds as a digit string";
    TimestampNumber = "timestamp_number", "a timestamp is a JSON number, not a string";
    TimestampMillis = "timestamp_millis", "a timestamp looks like epoch milliseconds";
    TimestampRange = "timestamp_range", "a timestamp is before 2000-01-01 or from 2100-01-01 on";
    ClickBeforeImpression = "click_before_impression",
        "click_timestamp is before impression_timestamp";
    ClickMissing = "click_missing", "a click event (--kind click) has no click_timestamp";
    ReferenceIdForm = "reference_id_form",
        "reference_id looks like a mistaken phone or hash, or is outside --reference-id";
    DuplicateEventId = "duplicate_event_id", "an event_id seen earlier in the run";
    FieldAlias = "field_alias", "org_id used for organisation_id, or both present";
    CsvFieldCount = "csv_field_count", "a CSV row has more or fewer cells than the header";
    CsvHeader = "csv_header", "the CSV header lacks a required column or repeats one";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about the input, located by the line where its record starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line where the record starts (or where the problem is, for
    /// problems outside any record such as a comment between objects).
    pub line: u64,
    /// Position in a top-level JSON array, if the record is in one.
    pub index: Option<u64>,
    /// The field concerned, if any.
    pub field: Option<String>,
    pub code: Code,
    pub severity: Severity,
    /// What is wrong and what was expected; personal data already masked.
    pub message: String,
}

impl Diagnostic {
    pub fn new(line: u64, code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            line,
            index: None,
            field: None,
            code,
            severity,
            message: message.into(),
        }
    }

    pub fn error(line: u64, code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(line, code, Severity::Error, message)
    }

    pub fn warning(line: u64, code: Code, message: impl Into<String>) -> Self {
        Diagnostic::new(line, code, Severity::Warning, message)
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn with_index(mut self, index: Option<u64>) -> Self {
        self.index = index;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `error[missing_field] campaign_id: required field is missing`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] ", self.severity.as_str(), self.code)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(i) = self.index {
            write!(f, " (array item {i})")?;
        }
        Ok(())
    }
}
