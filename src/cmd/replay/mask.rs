//! What `replay` may show people: `reference_id` values masked (SPEC 1.3)
//! in messages, reports, reply snippets and `--dry-run` bodies, and secrets
//! of the URL (password, credential-like query parameters) redacted.
//!
//! The values are found by scanning the JSON text for every
//! `"reference_id"` key, at any depth and however often it repeats, so a
//! duplicate key or a nested object hides nothing; they are then found in
//! text however it is JSON-escaped. A dry-run body is masked in place,
//! never re-serialised.

use crate::jsontext::{skip_space, string_end};
use crate::report;

/// What a reply snippet is cut at; see [`super::client`].
const ELLIPSIS: char = '…';
/// The shortest prefix of a value masked where a cut snippet ends.
const MIN_PREFIX: usize = 3;
/// Runs of this many digits or more in a snippet look like phone numbers.
const DIGIT_RUN: usize = 7;
/// Runs of this many hex digits or more in a snippet look like hashes.
const HEX_RUN: usize = 64;
/// URL secrets shorter than this are not scrubbed from free text, where
/// they would garble it; they are still redacted wherever the URL is shown.
const MIN_SCRUBBED_SECRET: usize = 4;

/// A value found under a `reference_id` key: where its token lies in the
/// text, and its value.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The decoded value (a string's text, or a scalar as written).
    pub value: String,
    /// The token as written, without the quotes of a string.
    pub written: String,
    /// True for a JSON string, false for a number or other scalar.
    pub string: bool,
}

/// Every string or scalar value held under a `reference_id` key in JSON
/// text, directly or inside an object or array that is its value. The text
/// need not be valid JSON: it is scanned token by token.
pub fn reference_ids(text: &[u8]) -> Vec<Found> {
    let mut found = Vec::new();
    let (mut i, mut depth) = (0, 0usize);
    // After `"reference_id":`, waiting for its value.
    let mut pending = false;
    // Inside an object or array that is a reference_id value: the depth it
    // ends at.
    let mut inside: Option<usize> = None;
    while i < text.len() {
        match text[i] {
            b'"' => {
                let end = string_end(text, i);
                let after = skip_space(text, end);
                if text.get(after) == Some(&b':') {
                    pending = inside.is_none() && decode(&text[i..end]) == "reference_id";
                    i = after + 1;
                    continue;
                }
                if pending || inside.is_some() {
                    let inner = &text[i + 1..end.saturating_sub(1).max(i + 1)];
                    found.push(Found {
                        start: i,
                        end,
                        value: decode(&text[i..end]),
                        written: String::from_utf8_lossy(inner).into_owned(),
                        string: true,
                    });
                }
                pending = false;
                i = end;
            }
            b'{' | b'[' => {
                if pending {
                    inside = Some(depth);
                    pending = false;
                }
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if inside == Some(depth) {
                    inside = None;
                }
                pending = false;
                i += 1;
            }
            b',' => {
                pending = false;
                i += 1;
            }
            b':' | b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                let end = text[i..]
                    .iter()
                    .position(|b| b" \t\r\n,:{}[]\"".contains(b))
                    .map_or(text.len(), |n| i + n);
                let token = String::from_utf8_lossy(&text[i..end]).into_owned();
                let literal = matches!(token.as_str(), "true" | "false" | "null");
                if (pending || inside.is_some()) && !literal {
                    found.push(Found {
                        start: i,
                        end,
                        value: token.clone(),
                        written: token,
                        string: false,
                    });
                }
                pending = false;
                i = end;
            }
        }
    }
    found
}

/// A string token's value; its inner text as written when it does not
/// decode (a cut-off string, a bad escape).
fn decode(token: &[u8]) -> String {
    serde_json::from_slice::<String>(token).unwrap_or_else(|_| {
        let inner = token.strip_prefix(b"\"").unwrap_or(token);
        let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
        String::from_utf8_lossy(inner).into_owned()
    })
}

/// JSON text with every value under a `reference_id` key masked in place;
/// everything else is left byte for byte as it was.
pub fn mask_json(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for f in reference_ids(text) {
        out.extend_from_slice(&text[at..f.start]);
        let masked = report::mask(&f.value);
        if f.string {
            out.extend_from_slice(quoted(&masked).as_bytes());
        } else {
            out.extend_from_slice(masked.as_bytes());
        }
        at = f.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// One character of text as JSON would read it: an escape (`\u00f6`,
/// `\"`, a surrogate pair) is one character spanning several bytes; an
/// escape cut off at the end of the text is `None`.
struct Unit {
    c: Option<char>,
    start: usize,
    end: usize,
}

/// The characters of `text` with JSON escapes decoded, each with its span.
fn units(text: &str) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c != '\\' {
            out.push(Unit {
                c: Some(c),
                start: i,
                end: i + c.len_utf8(),
            });
            i += c.len_utf8();
            continue;
        }
        let simple = match bytes.get(i + 1) {
            Some(b'"') => Some('"'),
            Some(b'\\') => Some('\\'),
            Some(b'/') => Some('/'),
            Some(b'b') => Some('\u{8}'),
            Some(b'f') => Some('\u{c}'),
            Some(b'n') => Some('\n'),
            Some(b'r') => Some('\r'),
            Some(b't') => Some('\t'),
            _ => None,
        };
        let (c, len) = match (simple, bytes.get(i + 1)) {
            (Some(c), _) => (Some(c), 2),
            (None, None) => (None, 1),
            (None, Some(b'u')) => match hex4(bytes, i + 2) {
                Some(high @ 0xd800..=0xdbff) => match (bytes.get(i + 6..i + 8), hex4(bytes, i + 8))
                {
                    (Some(b"\\u"), Some(low @ 0xdc00..=0xdfff)) => {
                        let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                        (char::from_u32(code), 12)
                    }
                    _ => (Some(char::REPLACEMENT_CHARACTER), 6),
                },
                Some(code) => (Some(char::from_u32(code).unwrap_or('\u{fffd}')), 6),
                None if bytes[i + 2..].iter().all(u8::is_ascii_hexdigit) => (None, text.len() - i),
                None => (Some('\\'), 1),
            },
            (None, Some(_)) => (Some('\\'), 1),
        };
        out.push(Unit {
            c,
            start: i,
            end: i + len,
        });
        i += len;
    }
    out
}

/// Four hex digits at `at`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Hides personal data and URL secrets in text meant for people.
#[derive(Default)]
pub struct Masker {
    /// The values to hide, longest first, each with its mask.
    values: Vec<(Vec<char>, String)>,
    /// URL secrets, always replaced by `redacted`.
    secrets: Vec<String>,
    /// `--show-pii`: leave personal data as it is.
    show_pii: bool,
}

impl Masker {
    /// Masks these values, however JSON-escaped, unless `show_pii`.
    pub fn new(values: &[String], secrets: &[String], show_pii: bool) -> Self {
        let mut values: Vec<(Vec<char>, String)> = values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| (v.chars().collect(), report::mask(v)))
            .collect();
        values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        values.dedup_by(|a, b| a.0 == b.0);
        let mut secrets: Vec<String> = secrets
            .iter()
            .filter(|s| s.chars().count() >= MIN_SCRUBBED_SECRET)
            .cloned()
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Masker {
            values,
            secrets,
            show_pii,
        }
    }

    /// The values of every `reference_id` key in a record's JSON text,
    /// decoded and as written, plus `extra` (e.g. the value of a CSV row).
    pub fn values_in(text: &[u8], extra: Option<&str>) -> Vec<String> {
        let mut values = Vec::new();
        for f in reference_ids(text) {
            values.push(f.value);
            values.push(f.written);
        }
        values.extend(extra.map(str::to_string));
        values.sort();
        values.dedup();
        values
    }

    /// A message: every value masked, written plainly or JSON-escaped (any
    /// case), and URL secrets redacted.
    pub fn text(&self, text: &str) -> String {
        self.mask(text, false)
    }

    /// A reply snippet, which comes from the server: as [`text`](Self::text),
    /// plus the start (3 characters or more) of a value the snippet ends
    /// in, and any run of 7 or more digits or 64 or more hex digits (phone
    /// numbers, hashes).
    pub fn snippet(&self, snippet: &str) -> String {
        let (body, cut) = match snippet.strip_suffix(ELLIPSIS) {
            Some(body) => (body, true),
            None => (snippet, false),
        };
        let mut out = self.mask(body, true);
        if !self.show_pii {
            out = mask_runs(&out, HEX_RUN, |c| c.is_ascii_hexdigit());
            out = mask_runs(&out, DIGIT_RUN, |c| c.is_ascii_digit());
        }
        if cut {
            out.push(ELLIPSIS);
        }
        out
    }

    fn mask(&self, text: &str, cut_end: bool) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "redacted");
        }
        if self.show_pii || self.values.is_empty() {
            return text;
        }
        let units = units(&text);
        // (first unit, end unit, replacement), in no particular order.
        let mut hidden: Vec<(usize, usize, String)> = Vec::new();
        let free = |hidden: &[(usize, usize, String)], a: usize, b: usize| {
            hidden.iter().all(|&(s, e, _)| e <= a || b <= s)
        };
        for (value, mask) in &self.values {
            let n = value.len();
            let mut at = 0;
            while at + n <= units.len() {
                let whole = (0..n).all(|k| units[at + k].c == Some(value[k]));
                if whole && free(&hidden, at, at + n) {
                    hidden.push((at, at + n, mask.clone()));
                    at += n;
                } else {
                    at += 1;
                }
            }
        }
        if cut_end {
            let mut best: Option<(usize, &[char])> = None;
            for (value, _) in &self.values {
                for k in (MIN_PREFIX..value.len()).rev() {
                    if k > units.len() || best.is_some_and(|(b, _)| b >= k) {
                        continue;
                    }
                    let start = units.len() - k;
                    let fits = (0..k).all(|j| match units[start + j].c {
                        Some(c) => c == value[j],
                        None => j + 1 == k,
                    });
                    if fits && free(&hidden, start, units.len()) {
                        best = Some((k, value));
                    }
                }
            }
            if let Some((k, value)) = best {
                let kept = if k > 6 { 2 } else { 0 };
                let mut mask: String = value[..kept].iter().collect();
                mask.extend(std::iter::repeat_n('*', k - kept));
                hidden.push((units.len() - k, units.len(), mask));
            }
        }
        hidden.sort_by_key(|&(s, _, _)| s);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e, mask) in hidden {
            let from = units.get(s).map_or(text.len(), |u| u.start);
            out.push_str(&text[at..from]);
            out.push_str(&mask);
            at = units.get(e - 1).map_or(text.len(), |u| u.end);
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Masks every run of at least `min` characters matching `pick`.
fn mask_runs(text: &str, min: usize, pick: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c != '\0' && pick(c) {
            run.push(c);
            continue;
        }
        if run.chars().count() >= min {
            out.push_str(&report::mask(&run));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Query parameters whose names contain one of these (any case) hold secrets.
const SECRET_PARAMS: [&str; 8] = [
    "key",
    "token",
    "secret",
    "password",
    "sig",
    "auth",
    "credential",
    "signature",
];

fn is_secret_param(name: &str) -> bool {
    let lower = name.to_lowercase();
    SECRET_PARAMS.iter().any(|word| lower.contains(word))
}

/// The URL as it may be shown: the password and the values of
/// credential-like query parameters replaced by `redacted`.
pub fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("redacted"));
    }
    if let Some(query) = url.query() {
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_param(&param_name(name)) => {
                    format!("{name}=redacted")
                }
                _ => pair.to_string(),
            })
            .collect();
        shown.set_query(Some(&redacted.join("&")));
    }
    shown.to_string()
}

/// The secrets of a URL, as written and decoded, for scrubbing messages.
pub fn url_secrets(url: &url::Url) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some(password) = url.password() {
        secrets.push(password.to_string());
        secrets.push(percent_decode(password));
    }
    for pair in url.query().unwrap_or_default().split('&') {
        if let Some((name, value)) = pair.split_once('=') {
            if is_secret_param(&param_name(name)) && !value.is_empty() {
                secrets.push(value.to_string());
                secrets.push(form_decode(value));
            }
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets
}

fn param_name(raw: &str) -> String {
    form_decode(raw)
}

fn form_decode(raw: &str) -> String {
    url::form_urlencoded::parse(format!("x={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn percent_decode(raw: &str) -> String {
    form_decode(&raw.replace('+', "%2B"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        reference_ids(text.as_bytes())
            .into_iter()
            .map(|f| f.value)
            .collect()
    }

    #[test]
    fn finds_duplicates_nested_escaped_and_scalar_values() {
        let text = r#"{"reference_id":"a1","x":{"reference_id":["b2",{"k":"c3"}]},
            "reference\u005fid" : 12345678, "reference_id":null,"y":"reference_id"}"#;
        assert_eq!(values(text), ["a1", "b2", "c3", "12345678"]);
        assert_eq!(values(r#"{"reference_id":"J\u00f6rg"}"#), ["Jörg"]);
        assert_eq!(values(r#"{"reference_id":"cut off"#), ["cut off"]);
    }

    #[test]
    fn masks_json_in_place() {
        let text = br#"{"a" : 1, "reference_id":"919811112222","reference_id": 919811113333 }"#;
        assert_eq!(
            String::from_utf8(mask_json(text)).unwrap(),
            r#"{"a" : 1, "reference_id":"91********22","reference_id": 91********33 }"#
        );
    }

    #[test]
    fn masks_values_in_every_form_and_cut() {
        let m = Masker::new(&["Jörg Müller".to_string()], &[], false);
        assert_eq!(m.text("x Jörg Müller y"), "x Jö*******er y");
        assert_eq!(m.text(r#""J\u00F6rg M\u00fcller""#), r#""Jö*******er""#);
        assert_eq!(
            m.text(r#""\u004a\u00f6rg M\u00FCller""#),
            r#""Jö*******er""#
        );
        assert_eq!(m.snippet("abc Jörg Mü…"), "abc Jö*****…");
        assert_eq!(m.snippet(r"abc J\u00f6rg M\u00f…"), "abc Jö*****…");
        assert_eq!(m.snippet("abc Jö…"), "abc Jö…");
        assert_eq!(m.snippet("abc Jör"), "abc ***");
        assert_eq!(m.snippet(r"a\\u00f6 \"), r"a\\u00f6 \");
        let shown = Masker::new(&["Jörg Müller".to_string()], &[], true);
        assert_eq!(
            shown.snippet("Jörg Müller 9198111122"),
            "Jörg Müller 9198111122"
        );
        let emoji = Masker::new(&["a😀bcdefg".to_string()], &[], false);
        assert_eq!(emoji.text(r"[a\ud83d\ude00bcdefg]"), "[a😀****fg]");
    }

    #[test]
    fn masks_digit_and_hex_runs_in_snippets() {
        let m = Masker::default();
        let hash = "ab".to_string() + &"0".repeat(60) + "ef";
        assert_eq!(
            m.snippet(&format!("n 919900001111, 123456 {hash}")),
            format!("n 91********11, 123456 ab{}ef", "*".repeat(60))
        );
    }

    #[test]
    fn redacts_url_secrets() {
        let url = url::Url::parse("http://u:pw@h/p?api_key=k1&page=2&X-Sig=s%2B1&token").unwrap();
        assert_eq!(
            redact_url(&url),
            "http://u:redacted@h/p?api_key=redacted&page=2&X-Sig=redacted&token"
        );
        assert_eq!(url_secrets(&url), ["k1", "pw", "s%2B1", "s+1"]);
    }
}
