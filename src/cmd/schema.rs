//! `clickstream schema`: the event contract (SPEC section 1) as a JSON Schema
//! (draft 2020-12), so engines that already scale out (ajv, Spark, Kafka
//! Connect) enforce the same rules as `validate`.
//!
//! The schema says what one record may hold. Rules that need two fields'
//! values, other records or the raw text (click before impression,
//! duplicate keys, duplicate event ids, JSON syntax) are out of its reach
//! and stay `validate`'s; the README lists them.

use std::io::{self, Write};

use anyhow::Context;
use serde_json::{json, Value};

use crate::exit;
use crate::schema::{timestamp, Kind, ReferencePolicy, FIELDS, ORGANISATION_ID, ORG_ID_ALIAS};

/// Print the JSON Schema (draft 2020-12) of one event.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  clickstream schema > event.schema.json
  clickstream schema --kind click --strict > click-event.schema.json
  ajv validate --spec=draft2020 -s event.schema.json -d event.json

The schema checks each record alone: required fields, non-empty strings
without control characters, the timestamp form and range, reference_id
forms and org_id. click_timestamp before impression_timestamp, duplicate
keys, duplicate event ids and JSON syntax stay with clickstream validate.")]
pub struct Args {
    /// Which events are described: click events must have click_timestamp
    #[arg(long, value_enum, default_value_t = Kind::Detailed)]
    pub kind: Kind,

    /// Unknown fields and timestamps given as JSON numbers are refused, as with
    /// validate --strict
    #[arg(long)]
    pub strict: bool,

    /// Accepted reference_id forms, as with validate --reference-id
    #[arg(long, value_enum, value_name = "FORMS", default_value_t = ReferencePolicy::Any)]
    pub reference_id: ReferencePolicy,
}

/// The characters Rust's `char::is_whitespace` (Unicode `White_Space`)
/// accepts, as a regex class body. Spelled out because `\s` differs between
/// engines: ECMA-262 counts U+FEFF and not U+0085, Python the reverse.
pub const WHITE_SPACE: &str =
    "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// Found in a string that is not empty or only white space.
pub fn non_blank_pattern() -> String {
    format!("[^{WHITE_SPACE}]")
}

/// Found in a string holding a control character (U+0000 to U+001F).
pub const CONTROL_PATTERN: &str = "[\\x00-\\x1f]";

/// The whole value is `core`, with any white space around it (white space
/// around a value is only a warning, so the schema lets it through).
fn padded(core: &str) -> String {
    format!("^[{WHITE_SPACE}]*{core}[{WHITE_SPACE}]*$")
}

/// Epoch seconds as digits, no leading zero, from 2000-01-01 (inclusive) to
/// 2100-01-01 (exclusive), white space around allowed.
pub fn timestamp_pattern() -> String {
    let alternatives = range_alternatives(timestamp::MIN, timestamp::MAX - 1);
    padded(&format!("(?:{})", alternatives.join("|")))
}

/// A 12-digit phone `reference_id`.
pub fn phone_pattern() -> String {
    padded("[0-9]{12}")
}

/// A lowercase SHA-256 hex `reference_id`.
pub fn sha256_pattern() -> String {
    padded("[0-9a-f]{64}")
}

/// Regex alternatives matching exactly the decimal numbers `lo..=hi`
/// written without leading zeros. `[0-9]`, never `\d`: Python's `\d`
/// matches any Unicode digit.
pub fn range_alternatives(lo: u64, hi: u64) -> Vec<String> {
    let mut out = Vec::new();
    if lo > hi {
        return out;
    }
    let (lo_text, hi_text) = (lo.to_string(), hi.to_string());
    for len in lo_text.len()..=hi_text.len() {
        let first = if len == 1 {
            0
        } else {
            10u64.pow(len as u32 - 1)
        };
        let last = 10u64.checked_pow(len as u32).map_or(u64::MAX, |p| p - 1);
        let a = lo.max(first).to_string();
        let b = hi.min(last).to_string();
        out.extend(same_length(a.as_bytes(), b.as_bytes()));
    }
    out
}

/// Alternatives for the numbers between `a` and `b` (inclusive), both
/// written with the same number of digits.
fn same_length(a: &[u8], b: &[u8]) -> Vec<String> {
    let Some((&a0, a_rest)) = a.split_first() else {
        return vec![String::new()];
    };
    let (&b0, b_rest) = b.split_first().unwrap_or((&b'9', &[]));
    let rest = a_rest.len();
    if a0 == b0 {
        return same_length(a_rest, b_rest)
            .into_iter()
            .map(|s| format!("{}{s}", a0 as char))
            .collect();
    }
    let low_full = a_rest.iter().all(|&c| c == b'0');
    let high_full = b_rest.iter().all(|&c| c == b'9');
    let mut out = Vec::new();
    if !low_full {
        let nines = vec![b'9'; rest];
        for s in same_length(a_rest, &nines) {
            out.push(format!("{}{s}", a0 as char));
        }
    }
    let mid_first = if low_full { a0 } else { a0 + 1 };
    let mid_last = if high_full { b0 } else { b0 - 1 };
    if mid_first <= mid_last {
        out.push(format!(
            "{}{}",
            class(mid_first, mid_last),
            any_digits(rest)
        ));
    }
    if !high_full {
        let zeros = vec![b'0'; rest];
        for s in same_length(&zeros, b_rest) {
            out.push(format!("{}{s}", b0 as char));
        }
    }
    out
}

fn class(first: u8, last: u8) -> String {
    if first == last {
        (first as char).to_string()
    } else {
        format!("[{}-{}]", first as char, last as char)
    }
}

fn any_digits(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "[0-9]".to_string(),
        n => format!("[0-9]{{{n}}}"),
    }
}

/// The JSON Schema of one event under the given rules.
pub fn event_schema(kind: Kind, strict: bool, policy: ReferencePolicy) -> Value {
    let kind_name = match kind {
        Kind::Detailed => "detailed",
        Kind::Click => "click",
    };
    let mut required: Vec<&str> = FIELDS
        .iter()
        .enumerate()
        .filter(|&(i, name)| i != ORGANISATION_ID && *name != "click_timestamp")
        .map(|(_, name)| *name)
        .collect();
    if kind == Kind::Click {
        required.push("click_timestamp");
    }

    let timestamp = if strict {
        json!({ "$ref": "#/$defs/timestamp_text" })
    } else {
        json!({
            "anyOf": [
                { "$ref": "#/$defs/timestamp_text" },
                {
                    "description": "a JSON integer is accepted (validate warns: \
                                    timestamp_number); --strict refuses it",
                    "type": "integer",
                    "minimum": timestamp::MIN,
                    "exclusiveMaximum": timestamp::MAX
                }
            ]
        })
    };
    let click = match kind {
        Kind::Click => json!({ "$ref": "#/$defs/timestamp" }),
        Kind::Detailed => json!({
            "description": "absent or null when there was no click",
            "anyOf": [{ "type": "null" }, { "$ref": "#/$defs/timestamp" }]
        }),
    };

    let phone = json!({
        "title": "phone",
        "description": "exactly 12 ASCII digits: 2-digit country code and 10 digits",
        "pattern": phone_pattern()
    });
    let sha256 = json!({
        "title": "sha256",
        "description": "exactly 64 lowercase hexadecimal characters",
        "pattern": sha256_pattern()
    });
    let custom = json!({
        "title": "custom",
        "description": "any other non-empty string (an external reference id)"
    });
    let forms = match policy {
        ReferencePolicy::Phone => vec![phone],
        ReferencePolicy::Sha256 => vec![sha256],
        ReferencePolicy::HashedOrPhone => vec![phone, sha256],
        ReferencePolicy::Any => vec![phone, sha256, custom],
    };

    let mut properties = serde_json::Map::new();
    for name in FIELDS {
        let value = match name {
            "reference_id" => json!({ "$ref": "#/$defs/reference_id" }),
            "impression_timestamp" => json!({ "$ref": "#/$defs/timestamp" }),
            "click_timestamp" => click.clone(),
            _ => json!({ "$ref": "#/$defs/text" }),
        };
        properties.insert(name.to_string(), value);
    }
    properties.insert(
        ORG_ID_ALIAS.to_string(),
        json!({
            "$ref": "#/$defs/text",
            "deprecated": true,
            "description": "the older name of organisation_id, accepted in its place \
                            (validate warns: field_alias); never both"
        }),
    );

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:clickstream:event:{kind_name}{}", if strict { ":strict" } else { "" }),
        "title": format!("clickstream {kind_name} event"),
        "description": format!(
            "One clickstream webhook event (kind {kind_name}{}, reference_id {}), generated by \
             clickstream {} schema. Not expressible here, checked by clickstream validate: \
             click_timestamp before impression_timestamp, duplicate keys, duplicate event_id \
             across records, JSON syntax, and the warnings (white space around values, \
             mistaken reference_id forms, org_id, unknown fields without --strict).",
            if strict { ", strict" } else { "" },
            policy.as_str(),
            env!("CARGO_PKG_VERSION"),
        ),
        "type": "object",
        "required": required,
        "oneOf": [
            { "required": [FIELDS[ORGANISATION_ID]] },
            { "required": [ORG_ID_ALIAS] }
        ],
        "properties": properties,
        "additionalProperties": !strict,
        "$defs": {
            "text": {
                "description": "a non-empty string, not only white space, without control \
                                characters (U+0000 to U+001F)",
                "type": "string",
                "minLength": 1,
                "pattern": non_blank_pattern(),
                "not": { "pattern": CONTROL_PATTERN }
            },
            "timestamp_text": {
                "description": "Unix epoch seconds as a string of digits, no sign, no leading \
                                zero, no fraction, from 946684800 (2000-01-01) up to but not \
                                including 4102444800 (2100-01-01)",
                "$ref": "#/$defs/text",
                "pattern": timestamp_pattern()
            },
            "timestamp": timestamp,
            "reference_id": {
                "description": "personal data: a phone number, its SHA-256, or another id",
                "$ref": "#/$defs/text",
                "anyOf": forms
            }
        }
    })
}

/// Runs `schema` and returns its exit status.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let schema = event_schema(args.kind, args.strict, args.reference_id);
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &schema)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .context("cannot write the schema")?;
    Ok(exit::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::timestamp::{check_text, MAX, MIN};
    use crate::schema::ReferenceForm;
    use regex::Regex;

    #[test]
    fn timestamp_alternatives_cover_the_range_and_nothing_else() {
        assert_eq!(
            range_alternatives(MIN, MAX - 1),
            [
                "946684[8-9][0-9]{2}",
                "94668[5-9][0-9]{3}",
                "94669[0-9]{4}",
                "946[7-9][0-9]{5}",
                "94[7-9][0-9]{6}",
                "9[5-9][0-9]{7}",
                "[1-3][0-9]{9}",
                "40[0-9]{8}",
                "410[0-1][0-9]{6}",
                "4102[0-3][0-9]{5}",
                "41024[0-3][0-9]{4}",
                "410244[0-3][0-9]{3}",
                "4102444[0-7][0-9]{2}",
            ]
        );
    }

    /// Values at and around every digit of both bounds, plus a spread.
    fn probes() -> Vec<u64> {
        let mut v = vec![0, 1, 9, 10, 99_999_999, 100_000_000, 999_999_999];
        v.extend([
            9_999_999_999,
            10_000_000_000,
            1_754_116_200,
            1_754_116_200_000,
        ]);
        for bound in [MIN, MAX] {
            for k in 0..12 {
                let step = 10u64.pow(k);
                for d in [step - 1, step, step + 1] {
                    v.push(bound + d);
                    v.push(bound.saturating_sub(d));
                }
            }
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.push(x % 12_000_000_000);
        }
        v
    }

    #[test]
    fn timestamp_pattern_agrees_with_validate_at_the_edges() {
        let re = Regex::new(&timestamp_pattern()).unwrap();
        for n in probes() {
            let text = n.to_string();
            assert_eq!(
                re.is_match(&text),
                check_text(&text).is_ok(),
                "{text} disagrees"
            );
            assert_eq!(re.is_match(&text), (MIN..MAX).contains(&n), "{text}");
        }
        for text in [
            "946684799",
            "946684800",
            "4102444799",
            "4102444800",
            "999999999",
        ] {
            assert_eq!(re.is_match(text), check_text(text).is_ok(), "{text}");
        }
        assert!(re.is_match("946684800"));
        assert!(re.is_match("4102444799"));
        assert!(re.is_match(" 1754116200\u{a0}"));
        for bad in [
            "",
            "0946684800",
            "01754116200",
            "+1754116200",
            "-1754116200",
            "1754116200.0",
            "1754116200000",
            "4102444800",
            "946684799",
            "2025-08-02T06:30:00Z",
            "17541\u{a0}16200",
            "\u{0663}754116200",
        ] {
            assert!(!re.is_match(bad), "{bad:?} should not match");
            assert!(check_text(bad.trim()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn white_space_class_is_rusts_white_space() {
        let space = Regex::new(&format!("^[{WHITE_SPACE}]$")).unwrap();
        let non_blank = Regex::new(&non_blank_pattern()).unwrap();
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(space.is_match(&s), c.is_whitespace(), "U+{:04X}", c as u32);
            assert_eq!(
                non_blank.is_match(&s),
                !c.is_whitespace(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn control_pattern_finds_u0000_to_u001f_only() {
        let re = Regex::new(CONTROL_PATTERN).unwrap();
        assert!(re.is_match("a\u{0}b"));
        assert!(re.is_match("tab\there"));
        assert!(re.is_match("\u{1f}"));
        assert!(!re.is_match("\u{7f}\u{85} plain"));
    }

    #[test]
    fn reference_patterns_match_the_forms() {
        let phone = Regex::new(&phone_pattern()).unwrap();
        let sha = Regex::new(&sha256_pattern()).unwrap();
        let digest = "604fdaaf1d82769c1ce23a8d883f423591a89ca4aeb880186f1f791df59acaf2";
        let cases = [
            "919800000001",
            "+919800000001",
            "91980000000",
            "9198000000012",
            digest,
            &digest.to_uppercase(),
            &digest[1..],
            "CRM-1234",
        ];
        for value in cases {
            let form = ReferenceForm::of(value);
            assert_eq!(
                phone.is_match(value),
                form == ReferenceForm::Phone,
                "{value}"
            );
            assert_eq!(
                sha.is_match(value),
                form == ReferenceForm::Sha256,
                "{value}"
            );
        }
    }

    #[test]
    fn strict_closes_the_object_and_click_requires_the_click() {
        let loose = event_schema(Kind::Detailed, false, ReferencePolicy::Any);
        assert_eq!(loose["additionalProperties"], json!(true));
        assert_eq!(
            loose["required"],
            json!([
                "event_id",
                "reference_id",
                "campaign_id",
                "display_unit",
                "impression_timestamp",
                "business_number"
            ])
        );
        let strict = event_schema(Kind::Click, true, ReferencePolicy::Phone);
        assert_eq!(strict["additionalProperties"], json!(false));
        assert_eq!(strict["required"][6], json!("click_timestamp"));
        assert_eq!(
            strict["$defs"]["timestamp"],
            json!({ "$ref": "#/$defs/timestamp_text" })
        );
        assert_eq!(
            strict["$defs"]["reference_id"]["anyOf"][0]["pattern"],
            json!(phone_pattern())
        );
        assert_eq!(
            strict["$defs"]["reference_id"]["anyOf"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
