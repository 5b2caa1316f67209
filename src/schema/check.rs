//! The field rules of SPEC 1.1 to 1.3, applied to one parsed record.

use std::borrow::Cow;

use super::timestamp::{self, shorten, Problem};
use super::{
    Code, Diagnostic, Event, Kind, Parsed, ReferenceForm, ReferencePolicy, Rules, Severity, Value,
    CLICK_TIMESTAMP, FIELDS, FIELD_COUNT, IMPRESSION_TIMESTAMP, ORGANISATION_ID, ORG_ID_ALIAS,
    REFERENCE_ID,
};
use crate::phone;
use crate::report::pii;

/// The `field_alias` error for a record with both spellings.
pub(crate) const BOTH_ORG_NAMES: &str =
    "both \"org_id\" and \"organisation_id\" are present; keep only \"organisation_id\"";

/// What checking one record found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub errors: u32,
    pub warnings: u32,
    /// The `reference_id` form, when it is a non-empty string.
    pub form: Option<ReferenceForm>,
}

/// Collects one record's diagnostics with its location.
pub(crate) struct Emit<'d> {
    pub line: u64,
    pub index: Option<u64>,
    pub diags: &'d mut Vec<Diagnostic>,
    pub verdict: Verdict,
}

impl Emit<'_> {
    pub fn push(&mut self, severity: Severity, code: Code, field: Option<&str>, msg: String) {
        match severity {
            Severity::Error => self.verdict.errors += 1,
            Severity::Warning => self.verdict.warnings += 1,
        }
        self.diags.push(Diagnostic {
            line: self.line,
            index: self.index,
            field: field.map(str::to_string),
            code,
            severity,
            message: msg,
        });
    }

    pub fn error(&mut self, code: Code, field: &str, msg: String) {
        self.push(Severity::Error, code, Some(field), msg);
    }

    pub fn warning(&mut self, code: Code, field: &str, msg: String) {
        self.push(Severity::Warning, code, Some(field), msg);
    }
}

/// The closest contract field name to an unknown one, if one is near
/// (`Event_ID` → `event_id`, `orgnisation_id` → `organisation_id`).
pub fn suggest_field(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    FIELDS
        .iter()
        .chain(std::iter::once(&ORG_ID_ALIAS))
        .map(|f| (strsim::damerau_levenshtein(&lower, f), *f))
        .filter(|&(d, f)| d <= 3 && d * 3 <= f.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, f)| f)
}

/// Checks a parsed record against the rules; diagnostics go to `diags`.
pub fn check_parsed<'a>(
    parsed: Parsed<'a>,
    rules: &Rules,
    line: u64,
    index: Option<u64>,
    diags: &mut Vec<Diagnostic>,
) -> (Event<'a>, Verdict) {
    let mut emit = Emit {
        line,
        index,
        diags,
        verdict: Verdict::default(),
    };
    let Parsed {
        known,
        org_id,
        extras,
        duplicates,
    } = parsed;
    let mut event = Event {
        fields: known,
        extras,
    };

    for key in &duplicates {
        let key = shown_key(key, rules.show_pii);
        emit.push(
            Severity::Error,
            Code::DuplicateKey,
            Some(&key),
            format!(
                "duplicate key {}: the same key appears twice; keep one value",
                shorten(&key)
            ),
        );
    }

    // The `org_id` alias: the value's own problems are then named by it.
    let mut alias_used = false;
    if let Some(value) = org_id {
        if event.fields[ORGANISATION_ID].is_some() {
            emit.error(Code::FieldAlias, ORG_ID_ALIAS, BOTH_ORG_NAMES.to_string());
        } else {
            emit.warning(
                Code::FieldAlias,
                ORG_ID_ALIAS,
                "\"org_id\" is the older name of \"organisation_id\"; rename the field".into(),
            );
            event.fields[ORGANISATION_ID] = Some(value);
            alias_used = true;
        }
    }

    // Required strings, and the shared string rules for every field.
    let mut seconds = [None::<u64>; FIELD_COUNT];
    for (i, name) in FIELDS.iter().enumerate() {
        let name = if alias_used && i == ORGANISATION_ID {
            &ORG_ID_ALIAS
        } else {
            name
        };
        let is_timestamp = i == IMPRESSION_TIMESTAMP || i == CLICK_TIMESTAMP;
        let optional = i == CLICK_TIMESTAMP && rules.kind == Kind::Detailed;
        match &event.fields[i] {
            None | Some(Value::Null) if i == CLICK_TIMESTAMP => {
                if !optional {
                    emit.error(
                        Code::ClickMissing,
                        name,
                        "a click event needs click_timestamp (--kind click)".into(),
                    );
                }
            }
            None => emit.error(
                Code::MissingField,
                name,
                format!("required field {name:?} is missing"),
            ),
            Some(Value::Null) => emit.error(
                Code::NullField,
                name,
                format!("{name:?} is null; expected a non-empty string"),
            ),
            Some(Value::Str(s)) => {
                if check_string(&mut emit, name, s) {
                    if is_timestamp {
                        seconds[i] = check_timestamp_text(&mut emit, name, s.trim());
                    }
                    if i == REFERENCE_ID {
                        let form = check_reference(&mut emit, s.trim(), rules);
                        // With the key twice no value is the record's: count none.
                        let twice = duplicates.iter().any(|k| k == FIELDS[REFERENCE_ID]);
                        emit.verdict.form = form.filter(|_| !twice);
                    }
                }
            }
            Some(value) if is_timestamp => {
                seconds[i] = check_timestamp_value(&mut emit, name, value, rules.strict);
            }
            Some(value) => emit.error(
                Code::WrongType,
                name,
                format!("expected a string, got {}", value.type_name()),
            ),
        }
    }

    if let (Some(imp), Some(click)) = (seconds[IMPRESSION_TIMESTAMP], seconds[CLICK_TIMESTAMP]) {
        if click < imp {
            emit.error(
                Code::ClickBeforeImpression,
                FIELDS[CLICK_TIMESTAMP],
                format!(
                    "click_timestamp {click} ({}) is before impression_timestamp {imp} ({})",
                    timestamp::iso(click),
                    timestamp::iso(imp)
                ),
            );
        }
    }

    let severity = if rules.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    for (key, _) in &event.extras {
        let hint = match suggest_field(key) {
            Some(f) => format!("; did you mean {f:?}?"),
            None => String::new(),
        };
        let key = shown_key(key, rules.show_pii);
        let msg = format!("unknown field {}{hint}", shorten(&key));
        emit.push(severity, Code::UnknownField, Some(&key), msg);
    }
    let verdict = emit.verdict;
    (event, verdict)
}

/// A key as shown in messages: one that looks like a phone number (a run of
/// 7 or more digits, or 7 digits spelled with phone separators) is masked
/// like personal data.
pub fn shown_key(key: &str, show_pii: bool) -> Cow<'_, str> {
    let mut run = 0;
    let long_run = key.bytes().any(|b| {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        run >= 7
    });
    let digits = key.bytes().filter(u8::is_ascii_digit).count();
    let spelled = key
        .trim()
        .bytes()
        .all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
    let phone_like = long_run || (digits >= 7 && spelled);
    if phone_like && !show_pii {
        Cow::Owned(pii(key, false))
    } else {
        Cow::Borrowed(key)
    }
}

/// The rules every string field shares. Returns false when the value is
/// unusable (empty, only white space, control characters).
fn check_string(emit: &mut Emit, name: &str, s: &str) -> bool {
    if s.is_empty() {
        let msg = if name == FIELDS[CLICK_TIMESTAMP] {
            "click_timestamp is an empty string; omit the field when there was no click".into()
        } else {
            format!("{name:?} is empty; expected a non-empty string")
        };
        emit.error(Code::EmptyField, name, msg);
        return false;
    }
    if s.chars().all(char::is_whitespace) {
        emit.error(
            Code::EmptyField,
            name,
            format!("{name:?} is only white space; expected a non-empty string"),
        );
        return false;
    }
    if let Some((pos, c)) = s.char_indices().find(|(_, c)| (*c as u32) < 0x20) {
        let at = s[..pos].chars().count() + 1;
        emit.error(
            Code::ControlCharacter,
            name,
            format!(
                "control character U+{:04X} at character {at}; remove it",
                c as u32
            ),
        );
        return false;
    }
    if s.trim() != s {
        emit.warning(
            Code::Whitespace,
            name,
            "value has leading or trailing white space; trim it".to_string(),
        );
    }
    true
}

fn check_timestamp_text(emit: &mut Emit, name: &str, text: &str) -> Option<u64> {
    match timestamp::check_text(text) {
        Ok(secs) => Some(secs),
        Err(problem) => {
            report_problem(emit, name, problem);
            None
        }
    }
}

fn report_problem(emit: &mut Emit, name: &str, problem: Problem) {
    let (code, msg) = match problem {
        Problem::Millis(m) => (Code::TimestampMillis, m),
        Problem::Range(m) => (Code::TimestampRange, m),
        Problem::Format(m) => (Code::TimestampFormat, m),
    };
    emit.error(code, name, msg);
}

/// A timestamp given as a JSON number (or another non-string type).
fn check_timestamp_value(emit: &mut Emit, name: &str, value: &Value, strict: bool) -> Option<u64> {
    match value {
        Value::UInt(n) => {
            let severity = if strict {
                Severity::Error
            } else {
                Severity::Warning
            };
            let msg = format!("a JSON number; write it as the string \"{n}\"");
            emit.push(severity, Code::TimestampNumber, Some(name), msg);
            match timestamp::check_seconds(*n) {
                // Under --strict the number failed its own check, so it is
                // not compared with the other timestamp.
                Ok(_) if strict => None,
                Ok(secs) => Some(secs),
                Err(problem) => {
                    report_problem(emit, name, problem);
                    None
                }
            }
        }
        Value::Int(n) => {
            emit.error(
                Code::TimestampFormat,
                name,
                format!(
                    "negative number {n}; expected epoch seconds as a string like \"1754116200\""
                ),
            );
            None
        }
        Value::Float(f) => {
            if f.fract() == 0.0 && *f >= 1e15 {
                emit.error(
                    Code::TimestampRange,
                    name,
                    format!(
                        "a JSON number of {} digits, far outside the accepted range \
                         (2000-01-01 to 2099-12-31); expected epoch seconds like \"1754116200\"",
                        f.log10().floor() as u64 + 1
                    ),
                );
                return None;
            }
            let msg = if f.fract() == 0.0 && *f >= 0.0 {
                format!(
                    "a JSON number written with a fraction or an exponent; write it as the \
                     string \"{}\"",
                    *f as u64
                )
            } else {
                "a JSON number that is not whole epoch seconds; expected a string of digits \
                 like \"1754116200\""
                    .to_string()
            };
            emit.error(Code::TimestampFormat, name, msg);
            None
        }
        other => {
            emit.error(
                Code::WrongType,
                name,
                format!(
                    "expected epoch seconds as a string like \"1754116200\", got {}",
                    other.type_name()
                ),
            );
            None
        }
    }
}

/// The form of `reference_id`, with warnings for values that look like a
/// mistaken phone number or hash, and errors outside `--reference-id`.
fn check_reference(emit: &mut Emit, value: &str, rules: &Rules) -> Option<ReferenceForm> {
    let form = ReferenceForm::of(value);
    // Built only for a message: this runs once per record.
    let shown = || pii(value, rules.show_pii);
    let hint = if form == ReferenceForm::Custom {
        mistaken_form(value)
    } else {
        None
    };
    let name = FIELDS[REFERENCE_ID];
    if !rules.reference_id.allows(form) {
        let wanted = match rules.reference_id {
            ReferencePolicy::Phone => "a 12-digit phone number",
            ReferencePolicy::Sha256 => "a lowercase SHA-256 hex digest",
            ReferencePolicy::HashedOrPhone => "a 12-digit phone number or a SHA-256 hex digest",
            ReferencePolicy::Any => "any non-empty string",
        };
        let extra = hint.map(|h| format!("; {h}")).unwrap_or_default();
        emit.error(
            Code::ReferenceIdForm,
            name,
            format!(
                "{} is a {form} reference_id; --reference-id {} accepts {wanted}{extra}",
                shown(),
                rules.reference_id.as_str()
            ),
        );
    } else if let Some(h) = hint {
        emit.warning(Code::ReferenceIdForm, name, format!("{}: {h}", shown()));
    }
    Some(form)
}

/// Says what a custom `reference_id` probably was meant to be: a phone
/// number or SHA-256 digest written outside the contract's form.
pub fn mistaken_form(value: &str) -> Option<Cow<'static, str>> {
    let b = value.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    if b.iter().all(u8::is_ascii_digit) && matches!(b.len(), 10 | 11 | 13) {
        return Some(Cow::Owned(format!(
            "{} digits; a phone reference_id is exactly 12 digits \
             (2-digit country code + 10 digits)",
            b.len()
        )));
    }
    let phone_like = digits >= 8
        && b.iter()
            .all(|c| c.is_ascii_digit() || b" +-().".contains(c))
        && b.iter().any(|c| !c.is_ascii_digit());
    if phone_like {
        let opts = phone::Options::default();
        return Some(match phone::normalise(value, &opts) {
            Ok((phone::Normalised::Number(_), _)) => Cow::Borrowed(
                "a phone number written with '+', spaces or dashes; write the 12 digits only",
            ),
            _ => Cow::Borrowed(
                "looks like a phone number with separators, but not 12 digits once they are \
                 removed",
            ),
        });
    }
    let hex = b.iter().all(u8::is_ascii_hexdigit);
    if hex && b.len() == 64 {
        return Some(Cow::Borrowed(
            "a SHA-256 digest in upper case; write it in lower case",
        ));
    }
    if hex && matches!(b.len(), 63 | 65) {
        return Some(Cow::Owned(format!(
            "{} hexadecimal characters; a SHA-256 digest has exactly 64",
            b.len()
        )));
    }
    None
}
