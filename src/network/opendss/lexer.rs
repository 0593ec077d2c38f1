//! The lexer: OpenDSS statements split into `(key, value)` tokens, with comments
//! stripped and bracketed or quoted groups kept whole.

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
fn read_value(s: &str, i: usize) -> (String, usize) {
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
            format!("({inner})")
        } else {
            inner.to_string()
        };
        return (v, j);
    }
    let mut j = i;
    while j < n && !b[j].is_ascii_whitespace() && b[j] != b',' && b[j] != b'=' {
        j += 1;
    }
    (s[i..j].to_string(), j)
}

/// Splits a statement into `(key, value)` pairs; positional values have no key.
pub(super) fn tokenize(s: &str) -> Vec<(Option<String>, String)> {
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
                (String::new(), k)
            };
            j = j2;
            out.push((Some(word), val));
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
        assert_eq!(t[1], (Some("bus1".into()), "a.1.2".into()));
        assert_eq!(t[2], (Some("bus2".into()), "b".into()));
        assert_eq!(t[3], (Some("r1".into()), "(1 2 +)".into()));
        assert_eq!(t[4], (Some("buses".into()), "x, y".into()));
        assert_eq!(t[5], (None, "q r".into()));
    }

    #[test]
    fn comments_are_stripped_outside_quotes() {
        assert_eq!(strip_comment("a b ! c"), "a b ");
        assert_eq!(strip_comment("a // c"), "a ");
        assert_eq!(strip_comment("a '!x' b"), "a '!x' b");
    }
}
