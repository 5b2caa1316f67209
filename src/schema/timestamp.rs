//! Timestamps (SPEC 1.2): epoch seconds as a digit string, the range, and
//! the readable hints (`"1754116200" = 2025-08-02T06:30:00Z`) in messages.

use std::fmt::Write;

/// 2000-01-01T00:00:00Z, the first accepted second.
pub const MIN: u64 = 946_684_800;
/// 2100-01-01T00:00:00Z, the first second no longer accepted.
pub const MAX: u64 = 4_102_444_800;

/// Why a timestamp text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `timestamp_millis`, with the message.
    Millis(String),
    /// `timestamp_range`, with the message.
    Range(String),
    /// `timestamp_format`, with the message.
    Format(String),
}

/// Checks a canonical timestamp text; `Ok` carries the seconds.
pub fn check_text(text: &str) -> Result<u64, Problem> {
    let b = text.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        if b.len() > 1 && b[0] == b'0' {
            return Err(Problem::Format(format!(
                "{text:?} has a leading zero; expected epoch seconds without one, \
                 like \"1754116200\""
            )));
        }
        if b.len() == 13 {
            let secs = parse_u64(b).unwrap_or(u64::MAX) / 1000;
            return Err(Problem::Millis(millis_message(13, secs)));
        }
        return match parse_u64(b) {
            Some(secs) => check_seconds(secs),
            None => Err(Problem::Range(format!(
                "{text:?} is far outside 2000-01-01..2100-01-01; expected epoch seconds"
            ))),
        };
    }
    if let Some(secs) = parse_iso8601(text) {
        return Err(Problem::Format(format!(
            "expected epoch seconds, got ISO-8601 {text:?}; equivalent: \"{secs}\""
        )));
    }
    if let Some((int, frac)) = text.split_once('.') {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if digits(int) && digits(frac) {
            return Err(Problem::Format(format!(
                "{text:?} has a fraction; expected whole epoch seconds, like \"{int}\""
            )));
        }
    }
    if let Some(rest) = text.strip_prefix(['-', '+']) {
        if !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_digit()) {
            return Err(Problem::Format(format!(
                "{text:?} has a sign; expected epoch seconds as digits only, like \"1754116200\""
            )));
        }
    }
    Err(Problem::Format(format!(
        "{} is not a timestamp; expected epoch seconds as a string of digits, like \"1754116200\"",
        shorten(text)
    )))
}

/// Checks the range of a number of seconds (also used for JSON numbers).
pub fn check_seconds(secs: u64) -> Result<u64, Problem> {
    if secs >= MAX {
        let as_millis = secs / 1000;
        if (MIN..MAX).contains(&as_millis) {
            let digits = count_digits(secs);
            return Err(Problem::Millis(millis_message(digits, as_millis)));
        }
        return Err(Problem::Range(format!(
            "{secs} is {}, after the accepted range (2000-01-01 to 2099-12-31)",
            iso_or_far(secs)
        )));
    }
    if secs < MIN {
        return Err(Problem::Range(format!(
            "{secs} is {}, before the accepted range (2000-01-01 to 2099-12-31)",
            iso_or_far(secs)
        )));
    }
    Ok(secs)
}

fn millis_message(digits: usize, secs: u64) -> String {
    let example = if (MIN..MAX).contains(&secs) {
        secs
    } else {
        1_754_116_200
    };
    format!(
        "{digits} digits, looks like milliseconds; expected epoch seconds \
         (e.g. \"{example}\" = {})",
        iso(example)
    )
}

fn count_digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |acc, &c| {
        acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// Quotes a value for a message, cut to a readable length.
pub fn shorten(text: &str) -> String {
    const KEEP: usize = 40;
    if text.chars().count() <= KEEP {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(KEEP).collect();
        format!("{head:?}...")
    }
}

fn iso_or_far(secs: u64) -> String {
    if secs < 253_402_300_800 {
        iso(secs)
    } else {
        "beyond the year 9999".to_string()
    }
}

/// Formats epoch seconds as `2025-08-02T06:30:00Z`.
pub fn iso(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
    out
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A proleptic Gregorian date to days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads ISO-8601 / RFC 3339 (`2025-08-02T06:30:00Z`, `2025-08-02 06:30:00+05:30`,
/// `2025-08-02`) into epoch seconds, only to suggest the equivalent value.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(s.iter().fold(0i64, |a, &c| a * 10 + i64::from(c - b'0')))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(&b[..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo as u32, d as u32) * 86_400;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    if !(rest[0] == b'T' || rest[0] == b't' || rest[0] == b' ') || rest.len() < 6 {
        return None;
    }
    let (h, mi) = (num(&rest[1..3])?, num(&rest[4..6])?);
    if rest[3] != b':' || h > 23 || mi > 59 {
        return None;
    }
    let mut tail = &rest[6..];
    let mut s = 0;
    if tail.first() == Some(&b':') && tail.len() >= 3 {
        s = num(&tail[1..3])?;
        tail = &tail[3..];
        if tail.first() == Some(&b'.') {
            let end = tail[1..]
                .iter()
                .position(|c| !c.is_ascii_digit())
                .map_or(tail.len(), |p| p + 1);
            tail = &tail[end..];
        }
    }
    secs += h * 3600 + mi * 60 + s;
    match tail {
        [] | [b'Z'] | [b'z'] => Some(secs),
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2]
        | [sign @ (b'+' | b'-'), oh1, oh2, om1, om2] => {
            let off = num(&[*oh1, *oh2])? * 3600 + num(&[*om1, *om2])? * 60;
            Some(if *sign == b'+' {
                secs - off
            } else {
                secs + off
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_seconds_pass() {
        assert_eq!(check_text("1754116200"), Ok(1_754_116_200));
        assert_eq!(check_text("946684800"), Ok(MIN));
    }

    #[test]
    fn milliseconds_are_named() {
        let Err(Problem::Millis(m)) = check_text("1754116200000") else {
            panic!()
        };
        assert_eq!(
            m,
            "13 digits, looks like milliseconds; expected epoch seconds \
             (e.g. \"1754116200\" = 2025-08-02T06:30:00Z)"
        );
    }

    #[test]
    fn iso_text_gets_its_equivalent() {
        let Err(Problem::Format(m)) = check_text("2025-08-02T06:30:00Z") else {
            panic!()
        };
        assert_eq!(
            m,
            "expected epoch seconds, got ISO-8601 \"2025-08-02T06:30:00Z\"; \
             equivalent: \"1754116200\""
        );
        assert_eq!(
            parse_iso8601("2025-08-02T12:00:00+05:30"),
            Some(1_754_116_200)
        );
        assert_eq!(iso(1_754_116_260), "2025-08-02T06:31:00Z");
    }

    #[test]
    fn range_and_form_errors() {
        assert!(matches!(check_text("946684799"), Err(Problem::Range(_))));
        assert!(matches!(check_text("4102444800"), Err(Problem::Range(_))));
        assert!(matches!(check_text("01754116200"), Err(Problem::Format(_))));
        assert!(matches!(
            check_text("1754116200.5"),
            Err(Problem::Format(_))
        ));
        assert!(matches!(
            check_text("99999999999999999999999"),
            Err(Problem::Range(_))
        ));
        assert!(matches!(check_text("175411620000"), Err(Problem::Range(_))));
        assert!(matches!(
            check_seconds(1_754_116_200_000),
            Err(Problem::Millis(_))
        ));
    }
}
