//! The lexer: OpenDSS statements split into `(key, value)` tokens, with comments
//! stripped and bracketed or quoted groups kept whole.

use std::borrow::Cow;

/// A token: its key (none for a positional value) and its value, both borrowed from
/// the statement (a parenthesised group is kept with its parentheses, a copy).
pub(super) type Token<'a> = (Option<&'a str>, Cow<'a, str>);

/// The line without its `!` or `//` comment (outside quotes).
pub(super) fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    let mut quote = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'!' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
            return &line[..i];
        }
        i += 1;
    }
    line
}

/// The closing byte of a group that `c` opens.
fn closer(c: u8) -> Option<u8> {
    match c {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    }
}

/// One value from `s[i..]`: a bracketed or quoted group, or a plain word.
fn read_value(s: &str, i: usize) -> (Cow<'_, str>, usize) {
    let b = s.as_bytes();
    let n = b.len();
    if i < n
        && let Some(close) = closer(b[i])
    {
        let opener = b[i];
        let mut depth = 1;
        let mut j = i + 1;
        while j < n && depth > 0 {
            if b[j] == close {
                depth -= 1;
            } else if b[j] == opener && opener != b'"' && opener != b'\'' {
                depth += 1;
            }
            j += 1;
        }
        let inner = if depth == 0 {
            &s[i + 1..j - 1]
        } else {
            &s[i + 1..]
        };
        let v = if opener == b'(' {
            Cow::Owned(format!("({inner})"))
        } else {
            Cow::Borrowed(inner)
        };
        return (v, j);
    }
    let mut j = i;
    while j < n && !b[j].is_ascii_whitespace() && b[j] != b',' && b[j] != b'=' {
        j += 1;
    }
    (Cow::Borrowed(&s[i..j]), j)
}

/// Splits a statement into `(key, value)` pairs; positional values have no key.
///
/// # Complexity
/// O(length of the statement); no allocation but the list (and a parenthesised
/// group's copy).
pub(super) fn tokenize(s: &str) -> Vec<Token<'_>> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        if c == b'=' {
            // A stray '=' (no key): skip it.
            i += 1;
            continue;
        }
        let (word, mut j) = read_value(s, i);
        let mut k = j;
        while k < n && (b[k] == b' ' || b[k] == b'\t') {
            k += 1;
        }
        if k < n && b[k] == b'=' && closer(c).is_none() {
            k += 1;
            while k < n && (b[k] == b' ' || b[k] == b'\t') {
                k += 1;
            }
            let (val, j2) = if k < n {
                read_value(s, k)
            } else {
                (Cow::Borrowed(""), k)
            };
            j = j2;
            // A key is a plain word (a group is never a key: `closer` above).
            out.push((Some(&s[i..i + word.len()]), val));
        } else {
            out.push((None, word));
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_handles_groups_and_spacing() {
        let t = tokenize("Line.L1 bus1 = a.1.2 bus2=b  r1=(1 2 +) buses=[x, y] 'q r'");
        assert_eq!(t[0], (None, "Line.L1".into()));
        assert_eq!(t[1], (Some("bus1"), "a.1.2".into()));
        assert_eq!(t[2], (Some("bus2"), "b".into()));
        assert_eq!(t[3], (Some("r1"), "(1 2 +)".into()));
        assert_eq!(t[4], (Some("buses"), "x, y".into()));
        assert_eq!(t[5], (None, "q r".into()));
    }

    #[test]
    fn comments_are_stripped_outside_quotes() {
        assert_eq!(strip_comment("a b ! c"), "a b ");
        assert_eq!(strip_comment("a // c"), "a ");
        assert_eq!(strip_comment("a '!x' b"), "a '!x' b");
    }
}
