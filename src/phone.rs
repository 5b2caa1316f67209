//! Phone number normalisation (SPEC section 4), as one pure function.
//!
//! `hash-phones` hashes what [`normalise`] returns and the schema's
//! `reference_id` form check asks the same function whether a value is a
//! phone number in disguise, so the two can never disagree. Nothing here
//! allocates: the digits are kept in a small fixed buffer.

use std::fmt;

/// Which form of the number is produced (and later hashed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Target {
    /// The contract's form: exactly 12 digits, country code and national number.
    #[default]
    Contract,
    /// Country code and national number, digits only, 8 to 15 digits.
    Digits,
    /// The same as `Digits` with a leading `+` (E.164).
    E164,
}

/// How numbers without an international prefix are read.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Country code (1 to 3 digits) for numbers written without one.
    pub default_country: Option<CountryCode>,
    pub target: Target,
    /// Treat a country-91 number that is not a mobile number as an error.
    pub strict: bool,
}

/// A validated calling code of 1 to 3 digits, not starting with 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountryCode {
    digits: [u8; 3],
    len: u8,
}

impl CountryCode {
    /// Parses `91`, `+91` or `0091`-free forms: digits only, optionally after one `+`.
    pub fn parse(text: &str) -> Result<CountryCode, String> {
        let t = text.trim();
        let t = t.strip_prefix('+').unwrap_or(t);
        if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("country code {t:?} must be 1 to 3 digits, like 91"));
        }
        if t.starts_with('0') {
            return Err(format!("country code {t:?} cannot start with 0"));
        }
        let mut digits = [0u8; 3];
        digits[..t.len()].copy_from_slice(t.as_bytes());
        Ok(CountryCode {
            digits,
            len: t.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len as usize]).expect("ASCII digits")
    }
}

/// Longest digit string kept; anything longer is reported as too many digits.
const MAX_DIGITS: usize = 20;

/// A normalised number: ASCII digits, country code first, no `+`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Number {
    buf: [u8; MAX_DIGITS],
    len: u8,
}

impl Number {
    /// The digits, country code first (`919800000001`).
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).expect("ASCII digits")
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({})", self.digits())
    }
}

/// What a value normalised to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalised {
    /// A phone number in the target's form.
    Number(Number),
    /// A value that already is a SHA-256 hex digest, lower-cased.
    AlreadyHashed([u8; 64]),
}

/// A number that was accepted but deserves a second look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Country code 91 with a national number not starting with 6 to 9.
    NotMobile,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NotMobile => f.write_str(
                "country code 91 but the national number does not start with 6-9 \
                 (not a mobile number)",
            ),
        }
    }
}

/// Why a value is not a usable phone number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Nothing but white space, separators or a `'`.
    Empty,
    /// A letter or another character that has no place in a number.
    Letters,
    /// An extension (`x12`, `ext. 12`, `#12`, `;ext=12`).
    Extension,
    /// Spreadsheet scientific notation such as `9.198E+11`.
    Scientific,
    /// A `+` that is not at the start, or more than one.
    MisplacedPlus,
    /// Fewer digits than the target needs (the count found).
    TooFew(usize),
    /// More digits than the target allows (the count found).
    TooMany(usize),
    /// A national number of the wrong length under `--default-country`.
    NationalLength(usize),
    /// Outside the 8 to 15 digits of `--target digits` or `e164`.
    TargetLength(usize),
    /// A spreadsheet number with a decimal part (`919800000001.0`).
    SpreadsheetDecimal,
    /// A national number with no country code and no `--default-country`.
    NoCountryCode,
    /// `--target digits`/`e164`: a bare national number without a trunk 0,
    /// which `--default-country` does not apply to.
    NoTrunkZero,
    /// An international prefix followed by a country code starting with 0.
    CountryCodeZero,
    /// Country code 91 and not a mobile number, with `strict`.
    NotMobile,
}

impl Error {
    /// A short stable name for summaries (`too_few_digits`).
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Empty => "empty",
            Error::Letters => "letters",
            Error::Extension => "extension",
            Error::Scientific => "scientific_notation",
            Error::MisplacedPlus => "misplaced_plus",
            Error::TooFew(_) => "too_few_digits",
            Error::TooMany(_) => "too_many_digits",
            Error::NationalLength(_) => "national_length",
            Error::TargetLength(_) => "target_length",
            Error::SpreadsheetDecimal => "spreadsheet_decimal",
            Error::NoCountryCode => "no_country_code",
            Error::NoTrunkZero => "no_country_code",
            Error::CountryCodeZero => "country_code_zero",
            Error::NotMobile => "not_mobile",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => f.write_str("no digits in the value"),
            Error::Letters => {
                f.write_str("contains letters or symbols that are not part of a number")
            }
            Error::Extension => {
                f.write_str("has an extension; remove it, only the number is hashed")
            }
            Error::Scientific => f.write_str(
                "scientific notation: the spreadsheet rounded this number and digits may be lost; \
                 format the column as text and export it again",
            ),
            Error::MisplacedPlus => f.write_str("a '+' may only stand at the start"),
            Error::TooFew(n) => write!(
                f,
                "not a 12-digit number after normalisation: too few digits ({n})"
            ),
            Error::TooMany(n) => write!(
                f,
                "not a 12-digit number after normalisation: too many digits ({n})"
            ),
            Error::NationalLength(n) => write!(
                f,
                "not a 12-digit number after normalisation: {n} digits, but a number without \
                 its country code has 10 (or 11 with a leading 0) and one with it has 12"
            ),
            Error::TargetLength(n) => write!(
                f,
                "{n} digits after normalisation; --target digits and e164 need 8 to 15 \
                 (country code and national number)"
            ),
            Error::SpreadsheetDecimal => f.write_str(
                "a spreadsheet number with a decimal part (.0): format the column as text and \
                 export it again",
            ),
            Error::NoTrunkZero => f.write_str(
                "missing country code: with --target digits or e164, --default-country applies \
                 only to numbers written with a trunk 0; write it as +CC...",
            ),
            Error::NoCountryCode => {
                f.write_str("missing country code: write it as +CC... or pass --default-country")
            }
            Error::CountryCodeZero => f.write_str(
                "not a 12-digit number after normalisation: a country code cannot start with 0",
            ),
            Error::NotMobile => write!(f, "{}", Warning::NotMobile),
        }
    }
}

impl std::error::Error for Error {}

/// The result of one normalisation: the value and an optional warning.
pub type Outcome = Result<(Normalised, Option<Warning>), Error>;

/// Characters dropped between digits: the separators of SPEC 4 step 3 plus
/// every kind of white space, dash and invisible formatting character that
/// spreadsheets and CRMs put into numbers.
fn is_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '(' | ')' | '/')
        || c.is_whitespace()
        || matches!(
            c,
            '\u{2010}'..='\u{2015}' // hyphens and dashes
                | '\u{2212}' // minus sign
                | '\u{FE63}' | '\u{FF0D}' // small and fullwidth hyphen-minus
                | '\u{200B}'..='\u{200D}' // zero-width space and joiners
                | '\u{2060}' | '\u{FEFF}' // word joiner, BOM
                | '\u{00AD}' // soft hyphen
                | '\u{202A}'..='\u{202E}' // bidi embedding marks
                | '\u{2066}'..='\u{2069}' // bidi isolates
                | '\u{200E}' | '\u{200F}' // left-to-right and right-to-left marks
        )
}

/// Characters trimmed from both ends (step 1): white space and invisible marks.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{FEFF}' | '\u{200B}' | '\u{2060}' | '\u{200E}' | '\u{200F}'
        )
}

/// Trims white space (no-break space and BOM included) and one leading `'`.
pub fn trim(raw: &str) -> &str {
    let t = raw.trim_matches(is_trimmed);
    t.strip_prefix('\'')
        .map(|s| s.trim_matches(is_trimmed))
        .unwrap_or(t)
}

/// True when `s` is exactly 64 hexadecimal characters, in either case.
pub fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `1.2E+11`, `9.198e11`, `1E12`: a number a spreadsheet wrote in E-notation.
fn is_scientific(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let Some(e) = s.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exp) = (&s[..e], &s[e + 1..]);
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

/// Does the value carry an extension (`x12`, `ext 12`, `#12`, `;ext=12`)?
fn has_extension(s: &str) -> bool {
    let lower_has = |needle: &str| {
        s.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if s.contains('#') || lower_has("ext") {
        return true;
    }
    // A lone `x` between digit groups, as in `555-0100 x12`.
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        (c == b'x' || c == b'X')
            && b[..i].iter().any(u8::is_ascii_digit)
            && b[i + 1..].iter().any(u8::is_ascii_digit)
    })
}

/// Normalises one value by SPEC 4 steps 1 to 7 for `opts.target`.
pub fn normalise(raw: &str, opts: &Options) -> Outcome {
    // The common case, 12 bare digits, goes straight to step 7; it gives
    // exactly what the steps below give for it.
    let bytes = raw.as_bytes();
    if bytes.len() == 12 && bytes[0] != b'0' && bytes.iter().all(u8::is_ascii_digit) {
        let mut out = Number {
            buf: [0; MAX_DIGITS],
            len: 12,
        };
        out.buf[..12].copy_from_slice(bytes);
        return mobile_check(out, opts);
    }

    // Step 1: trim, and drop the spreadsheet text marker.
    let s = trim(raw);

    // Step 2: a digest is passed through, lower-cased.
    if is_hex64(s) {
        let mut out = [0u8; 64];
        out.copy_from_slice(s.as_bytes());
        out.make_ascii_lowercase();
        return Ok((Normalised::AlreadyHashed(out), None));
    }
    if is_scientific(s) {
        return Err(Error::Scientific);
    }
    if s.strip_suffix(".0")
        .is_some_and(|int| int.len() >= 8 && int.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::SpreadsheetDecimal);
    }
    if has_extension(s) {
        return Err(Error::Extension);
    }

    // Step 3: keep the digits and one leading `+`, drop separators. A `(0)`
    // right after the country code of an international number
    // (`+44 (0)20 ...`, `0044 (0)20 ...`) is a trunk marker and is dropped
    // once; a `(0)` anywhere else is a digit in brackets.
    let access_digits = if s.starts_with('+') || s.starts_with("(+") {
        Some(0)
    } else if s.trim_start_matches('(').starts_with("00") {
        Some(2)
    } else {
        None
    };
    let mut buf = [0u8; MAX_DIGITS];
    let mut len = 0usize;
    let mut count = 0usize;
    let mut plus = false;
    let mut trunk_dropped = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(access) = access_digits {
            let after_country_code = (access + 1..=access + 3).contains(&count);
            if after_country_code && !trunk_dropped && rest.starts_with("(0)") {
                trunk_dropped = true;
                rest = &rest[3..];
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        if c.is_ascii_digit() {
            if len < MAX_DIGITS {
                buf[len] = c as u8;
                len += 1;
            }
            count += 1;
        } else if c == '+' {
            if plus || count > 0 {
                return Err(Error::MisplacedPlus);
            }
            plus = true;
        } else if !is_separator(c) {
            return Err(Error::Letters);
        }
    }
    if count == 0 {
        return Err(Error::Empty);
    }
    if count > MAX_DIGITS {
        return Err(Error::TooMany(count));
    }
    let digits = &buf[..len];

    // Steps 4 and 5: find the country code.
    let mut out = Number {
        buf: [0; MAX_DIGITS],
        len: 0,
    };
    let push = |out: &mut Number, d: &[u8]| -> Result<(), Error> {
        let at = out.len as usize;
        if at + d.len() > MAX_DIGITS {
            return Err(Error::TooMany(at + d.len()));
        }
        out.buf[at..at + d.len()].copy_from_slice(d);
        out.len += d.len() as u8;
        Ok(())
    };
    let international = if plus {
        Some(digits)
    } else if digits.len() > 2 && digits.starts_with(b"00") {
        Some(&digits[2..])
    } else {
        None
    };
    let contract = opts.target == Target::Contract;
    match international {
        Some(d) => {
            if d.first() == Some(&b'0') {
                return Err(Error::CountryCodeZero);
            }
            push(&mut out, d)?;
        }
        None if digits.len() == 12 && digits[0] != b'0' => push(&mut out, digits)?,
        None => match (&opts.default_country, digits) {
            (Some(cc), [b'0', national @ ..]) if national.first() != Some(&b'0') => {
                if contract && national.len() != 10 {
                    return Err(Error::NationalLength(digits.len()));
                }
                push(&mut out, cc.as_str().as_bytes())?;
                push(&mut out, national)?;
            }
            (Some(cc), national) if contract && national[0] != b'0' && national.len() == 10 => {
                push(&mut out, cc.as_str().as_bytes())?;
                push(&mut out, national)?;
            }
            (Some(_), _) if contract => return Err(Error::NationalLength(digits.len())),
            (None, d) if contract && d.len() > 12 => return Err(Error::TooMany(d.len())),
            (None, d) if contract && d.len() < 10 => return Err(Error::TooFew(d.len())),
            (Some(_), _) => return Err(Error::NoTrunkZero),
            _ => return Err(Error::NoCountryCode),
        },
    }

    // Step 6: the length the target needs.
    let n = out.len as usize;
    match opts.target {
        Target::Contract if n < 12 => return Err(Error::TooFew(n)),
        Target::Contract if n > 12 => return Err(Error::TooMany(n)),
        Target::Digits | Target::E164 if !(8..=15).contains(&n) => {
            return Err(Error::TargetLength(n))
        }
        _ => {}
    }

    mobile_check(out, opts)
}

/// Step 7: India's mobile numbers start with 6 to 9.
fn mobile_check(out: Number, opts: &Options) -> Outcome {
    let n = out.len as usize;
    let d = &out.buf[..n];
    let warning = if n == 12 && d.starts_with(b"91") && !matches!(d[2], b'6'..=b'9') {
        if opts.strict {
            return Err(Error::NotMobile);
        }
        Some(Warning::NotMobile)
    } else {
        None
    };
    Ok((Normalised::Number(out), warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(raw: &str) -> Outcome {
        normalise(raw, &Options::default())
    }

    fn digits_of(o: Outcome) -> String {
        match o {
            Ok((Normalised::Number(n), _)) => n.digits().to_string(),
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn international_spellings_normalise_to_twelve_digits() {
        for raw in [
            "+919800000001",
            "+91 98000 00001",
            "+91-98000-00001",
            "(+91) 98000-00001",
            "91 98000 00001",
            "0091 9800000001",
            "00919800000001",
            "+91\u{a0}98000\u{2009}00001",
            "'+91 98000 00001",
            "\u{feff}+91.98000.00001\t",
            "+91 (0) 98000 00001",
            "0091 (0) 98000 00001",
            "+91/98000/00001",
            "+91\u{2013}98000\u{2011}00001",
        ] {
            assert_eq!(digits_of(contract(raw)), "919800000001", "{raw:?}");
        }
    }

    #[test]
    fn a_bracketed_zero_is_a_trunk_marker_only_after_the_country_code() {
        assert_eq!(digits_of(contract("+91 98000 (0)0001")), "919800000001");
        assert_eq!(
            digits_of(contract("(+91)(9)8(0)0(0)0(0)0(0)1")),
            "919800000001"
        );
        assert_eq!(contract("+91 (0) (0) 98000 00001"), Err(Error::TooMany(13)));
        let uk = Options {
            target: Target::Digits,
            ..Options::default()
        };
        assert_eq!(
            digits_of(normalise("0044 (0)20 7946 0018", &uk)),
            "442079460018"
        );
    }

    #[test]
    fn twelve_bare_digits_take_the_same_path_result_as_any_other_spelling() {
        let strict = Options {
            strict: true,
            ..Options::default()
        };
        let e164 = Options {
            target: Target::E164,
            ..Options::default()
        };
        for digits in [
            "919800000001",
            "911234567891",
            "447911123456",
            "100000000000",
        ] {
            for opts in [&Options::default(), &strict, &e164] {
                let spaced = format!(" {digits}\t");
                assert_eq!(
                    normalise(digits, opts),
                    normalise(&spaced, opts),
                    "{digits}"
                );
            }
        }
    }

    #[test]
    fn national_numbers_need_a_country() {
        assert_eq!(contract("09800000001"), Err(Error::NoCountryCode));
        assert_eq!(contract("9800000001"), Err(Error::NoCountryCode));
        let opts = Options {
            default_country: Some(CountryCode::parse("91").unwrap()),
            ..Options::default()
        };
        assert_eq!(digits_of(normalise("09800000001", &opts)), "919800000001");
        assert_eq!(digits_of(normalise("9800000001", &opts)), "919800000001");
        assert_eq!(digits_of(normalise("919800000001", &opts)), "919800000001");
    }

    #[test]
    fn errors_name_the_reason() {
        assert_eq!(contract("9.198E+11"), Err(Error::Scientific));
        assert_eq!(contract("9.19800000001E+11"), Err(Error::Scientific));
        assert_eq!(contract("+0000000000"), Err(Error::CountryCodeZero));
        assert_eq!(contract("+91 98000 0000"), Err(Error::TooFew(11)));
        assert_eq!(contract("+91 98000 000011"), Err(Error::TooMany(13)));
        assert_eq!(contract("call 98000"), Err(Error::Letters));
        assert_eq!(contract("+91 98000 00001 x12"), Err(Error::Extension));
        assert_eq!(contract("91 98000+00001"), Err(Error::MisplacedPlus));
        assert_eq!(contract(" - "), Err(Error::Empty));
    }

    #[test]
    fn not_mobile_is_a_warning_unless_strict() {
        let (_, w) = contract("911234567891").unwrap();
        assert_eq!(w, Some(Warning::NotMobile));
        let strict = Options {
            strict: true,
            ..Options::default()
        };
        assert_eq!(normalise("911234567891", &strict), Err(Error::NotMobile));
    }

    #[test]
    fn digests_pass_through_lower_cased() {
        let upper = "604FDAAF1D82769C1CE23A8D883F423591A89CA4AEB880186F1F791DF59ACAF2";
        let Ok((Normalised::AlreadyHashed(h), None)) = contract(upper) else {
            panic!()
        };
        assert_eq!(&h[..], upper.to_ascii_lowercase().as_bytes());
    }

    #[test]
    fn other_targets_keep_the_real_length() {
        let e164 = Options {
            target: Target::E164,
            ..Options::default()
        };
        assert_eq!(
            digits_of(normalise("+1 (415) 555-0100", &e164)),
            "14155550100"
        );
        assert_eq!(normalise("4155550100", &e164), Err(Error::NoCountryCode));
        assert_eq!(digits_of(normalise("919800000001", &e164)), "919800000001");
        let uk = Options {
            target: Target::Digits,
            default_country: Some(CountryCode::parse("44").unwrap()),
            ..Options::default()
        };
        assert_eq!(digits_of(normalise("020 7946 0018", &uk)), "442079460018");
    }
}
