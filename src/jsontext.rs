//! Scanning raw JSON text without parsing it: where a string literal or a
//! value ends, and white space. For the commands that rewrite or mask one
//! value in place and must leave every other byte as it was.

/// The index just after the white space at `i`.
pub fn skip_space(text: &[u8], mut i: usize) -> usize {
    while matches!(text.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i.min(text.len())
}

/// The index just past the string literal whose opening quote is at `i`
/// (the end of the text for a string that is never closed).
pub fn string_end(text: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    text.len()
}

/// The index just past the JSON value that starts at `i`.
pub fn value_end(text: &[u8], i: usize) -> usize {
    match text.get(i) {
        None => text.len(),
        Some(b'"') => string_end(text, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < text.len() {
                match text[j] {
                    b'"' => {
                        j = string_end(text, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            text.len()
        }
        Some(_) => {
            let mut j = i;
            while j < text.len() && !matches!(text[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r') {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_of_strings_and_values() {
        let text = br#"{"a":"x\"y", "b":[1,{"c":"]"}], "d":42}"#;
        assert_eq!(string_end(text, 5), 11);
        assert_eq!(skip_space(text, 12), 13);
        assert_eq!(value_end(text, 17), 30);
        assert_eq!(value_end(text, 36), 38);
        assert_eq!(string_end(b"\"open", 0), 5);
    }
}
