//! Everything a command tells the user: diagnostics (human lines or JSON),
//! summaries, colour, and the masking of personal data in all of them.

/// Masks a personal value for messages: at most the first 2 and last 2
/// characters stay (`91********90`); short values are masked whole.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= 6 {
        return "*".repeat(n.max(1));
    }
    let mut out = String::with_capacity(n);
    out.extend(&chars[..2]);
    out.extend(std::iter::repeat_n('*', n - 4));
    out.extend(&chars[n - 2..]);
    out
}

/// Shows `value` as given with `show_pii`, masked otherwise.
pub fn pii(value: &str, show_pii: bool) -> String {
    if show_pii {
        value.to_string()
    } else {
        mask(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_two_characters_at_each_end() {
        assert_eq!(mask("911234567890"), "91********90");
        assert_eq!(mask("abcdef"), "******");
        assert_eq!(mask(""), "*");
        assert_eq!(mask("ab\u{e9}cdefg"), "ab***fg");
    }
}
