//! Request headers for `replay`: parsing `-H 'Name: value'`, `${VAR}` taken
//! from the environment once at start, `{field}` taken from each record, the
//! HMAC signature, and the redacted form shown by `--dry-run`. Headers that
//! frame the message (`Content-Length`, `Host`, ...) are clickstream's own,
//! and values are limited to what HTTP carries as is.

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One piece of a header value template.
#[derive(Debug, Clone)]
enum Part {
    /// Text typed on the command line.
    Literal(String),
    /// The value of an environment variable: a secret, never shown.
    Secret { var: String, value: String },
    /// A field of the record, e.g. `{event_id}`.
    Field(String),
}

/// A header whose value is filled in per record.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    parts: Vec<Part>,
    /// The name suggests a credential, so even literal text is redacted.
    sensitive: bool,
}

/// Header names whose values are credentials even when typed literally.
fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "idempotency-key" {
        return false;
    }
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "key",
        "password",
        "signature",
        "auth",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// Headers that frame the message or the connection: clickstream sets
/// them, and one given twice or wrongly would desynchronise the connection.
const FRAMING: [&str; 9] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "expect",
];

/// True for a header clickstream sets itself.
pub fn is_framing(name: &str) -> bool {
    FRAMING.iter().any(|f| name.eq_ignore_ascii_case(f))
}

/// True for an HTTP header name (an RFC 9110 token).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// True for a header value HTTP carries as it is: visible ASCII, spaces
/// and tabs (RFC 9110 allows other bytes only as opaque data, which
/// receivers read in different ways).
pub fn is_valid_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

impl Template {
    /// Parses `Name: value`; `lookup` reads the environment.
    pub fn parse(spec: &str, lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let Some((name, value)) = spec.split_once(':') else {
            bail!("header {spec:?} has no ':'; write it as -H 'Name: value'");
        };
        let name = name.trim();
        if !is_token(name) {
            bail!("header name {name:?} is not a valid HTTP header name");
        }
        if is_framing(name) {
            bail!("-H {name:?}: clickstream sets this header itself; remove it");
        }
        let parts =
            parse_value(value.trim(), lookup).with_context(|| format!("in header {name:?}"))?;
        Ok(Template {
            name: name.to_string(),
            parts,
            sensitive: is_sensitive_name(name),
        })
    }

    /// A header with a fixed value.
    pub fn fixed(name: &str, value: &str) -> Self {
        let parts = vec![Part::Literal(value.to_string())];
        Template {
            name: name.to_string(),
            parts,
            sensitive: false,
        }
    }

    /// A header whose whole value is one record field.
    pub fn field(name: &str, field: &str) -> Self {
        let parts = vec![Part::Field(field.to_string())];
        Template {
            name: name.to_string(),
            parts,
            sensitive: false,
        }
    }

    /// True when the header has this name (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The names of the record fields this header needs.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(f) => Some(f.as_str()),
            _ => None,
        })
    }

    /// The value for one record; `Err` names the missing or unusable field.
    pub fn render(&self, get: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Secret { value, .. } => out.push_str(value),
                Part::Field(f) => {
                    let Some(v) = get(f) else {
                        return Err(format!(
                            "header {:?} needs field {f:?}, which the record lacks",
                            self.name
                        ));
                    };
                    if v.chars().any(|c| c.is_control()) {
                        return Err(format!(
                            "header {:?}: field {f:?} holds a control character",
                            self.name
                        ));
                    }
                    out.push_str(&v);
                }
            }
        }
        Ok(out)
    }

    /// The value as `--dry-run` shows it: secrets replaced by
    /// `<redacted:VAR>`, `mask` applied to field values.
    pub fn render_redacted(
        &self,
        get: &dyn Fn(&str) -> Option<String>,
        mask: &dyn Fn(&str, &str) -> String,
    ) -> String {
        if self.sensitive {
            return "<redacted>".to_string();
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Secret { var, .. } => out.push_str(&format!("<redacted:{var}>")),
                Part::Field(f) => match get(f) {
                    Some(v) => out.push_str(&mask(f, &v)),
                    None => out.push_str(&format!("<missing {f}>")),
                },
            }
        }
        out
    }
}

/// Splits a value into literal text, `${VAR}` and `{field}`.
fn parse_value(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Vec<Part>> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            let Some(end) = after.find('}') else {
                bail!("'${{' without a closing '}}'");
            };
            let var = &after[..end];
            if !is_identifier(var) {
                bail!("{var:?} is not an environment variable name");
            }
            let Some(secret) = lookup(var) else {
                bail!("environment variable {var} is not set; export it before running");
            };
            if secret.chars().any(|c| c.is_control()) {
                bail!("environment variable {var} holds a control character");
            }
            if !is_valid_value(&secret) {
                bail!(
                    "environment variable {var} holds a character HTTP does not allow in a \
                     header (only visible ASCII, space and tab)"
                );
            }
            flush(&mut parts, &mut literal);
            parts.push(Part::Secret {
                var: var.to_string(),
                value: secret,
            });
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix("{{") {
            literal.push('{');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("}}") {
            literal.push('}');
            rest = after;
        } else if let Some(field) = field_at(rest) {
            flush(&mut parts, &mut literal);
            parts.push(Part::Field(field.to_string()));
            rest = &rest[field.len() + 2..];
        } else {
            if c.is_control() {
                bail!("control characters are not allowed in header values");
            }
            if !c.is_ascii() {
                bail!("{c:?} is not allowed in a header value (only visible ASCII, space and tab)");
            }
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut parts, &mut literal);
    Ok(parts)
}

/// `{name}` at the start of `s`, with `name` an identifier.
fn field_at(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('{')?;
    let end = inner.find('}')?;
    let name = &inner[..end];
    is_identifier(name).then_some(name)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn flush(parts: &mut Vec<Part>, literal: &mut String) {
    if !literal.is_empty() {
        parts.push(Part::Literal(std::mem::take(literal)));
    }
}

/// Signs bodies with HMAC-SHA256 under a secret from the environment.
#[derive(Clone)]
pub struct Signer {
    pub header: String,
    key: Vec<u8>,
}

impl Signer {
    /// Reads the secret from `var`; unset or empty is a usage error.
    pub fn from_env(var: &str, header: &str) -> anyhow::Result<Self> {
        if !is_token(header) {
            bail!("--hmac-header {header:?} is not a valid HTTP header name");
        }
        if is_framing(header) {
            bail!("--hmac-header {header:?}: clickstream sets this header itself; name another");
        }
        let key = match std::env::var_os(var) {
            Some(v) if !v.is_empty() => v.into_encoded_bytes(),
            Some(_) => bail!("environment variable {var} (--hmac-secret-env) is empty"),
            None => bail!(
                "environment variable {var} (--hmac-secret-env) is not set; \
                 export the signing secret in it"
            ),
        };
        Ok(Signer {
            header: header.to_string(),
            key,
        })
    }

    /// `sha256=<hex HMAC-SHA256 of body>`.
    pub fn sign(&self, body: &[u8]) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => return String::new(),
        };
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        (var == "TOKEN").then(|| "s3cret".to_string())
    }

    #[test]
    fn expands_env_and_fields() {
        let t = Template::parse("X-Auth: Bearer ${TOKEN} for {event_id}", &env).unwrap();
        let get = |f: &str| (f == "event_id").then(|| "e1".to_string());
        assert_eq!(t.render(&get).unwrap(), "Bearer s3cret for e1");
        let shown = t.render_redacted(&get, &|_, v| v.to_string());
        assert_eq!(shown, "<redacted>");
        let t = Template::parse("X-Trace: ${TOKEN}-{event_id}", &env).unwrap();
        assert_eq!(
            t.render_redacted(&get, &|_, v| v.to_string()),
            "<redacted:TOKEN>-e1"
        );
    }

    #[test]
    fn unset_variable_and_missing_field_are_errors() {
        let err = Template::parse("A: ${NOPE}", &env).unwrap_err();
        assert!(format!("{err:#}").contains("NOPE is not set"));
        let t = Template::parse("Idempotency-Key: {event_id}", &env).unwrap();
        let err = t.render(&|_| None).unwrap_err();
        assert!(err.contains("event_id"));
        assert!(Template::parse("no colon", &env).is_err());
        assert!(Template::parse("bad name: x", &env).is_err());
        let err = Template::parse("content-LENGTH: 5", &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "-H \"content-LENGTH\": clickstream sets this header itself; remove it"
        );
    }

    #[test]
    fn values_are_visible_ascii_space_and_tab() {
        assert!(is_valid_value("Bearer a-b_c~ \t!"));
        assert!(!is_valid_value("J\u{f6}rg"));
        assert!(!is_valid_value("a\u{7f}"));
        let err = Template::parse("X-Name: J\u{f6}rg", &env).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "in header \"X-Name\": '\u{f6}' is not allowed in a header value (only visible \
             ASCII, space and tab)"
        );
    }

    #[test]
    fn braces_escape_and_non_identifiers_stay_literal() {
        let t = Template::parse("A: {{x}} {not a field} {}", &env).unwrap();
        assert_eq!(t.render(&|_| None).unwrap(), "{x} {not a field} {}");
    }

    #[test]
    fn signs_like_the_reference() {
        std::env::set_var("CLICKSTREAM_TEST_HMAC", "key");
        let s = Signer::from_env("CLICKSTREAM_TEST_HMAC", "X-Signature-256").unwrap();
        assert_eq!(
            s.sign(b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
