//! Property values: numbers (with OpenDSS RPN expressions), lists, booleans and object
//! names.

/// An OpenDSS RPN expression like `(12.47 3 sqrt /)`.
fn rpn(expr: &str) -> Option<f64> {
    let inner = expr.trim().trim_start_matches('(').trim_end_matches(')');
    let mut st: Vec<f64> = Vec::new();
    for t in inner.split_whitespace() {
        let tl = t.to_ascii_lowercase();
        let two = |st: &mut Vec<f64>, f: fn(f64, f64) -> f64| {
            let b = st.pop()?;
            let a = st.pop()?;
            st.push(f(a, b));
            Some(())
        };
        let one = |st: &mut Vec<f64>, f: fn(f64) -> f64| {
            let a = st.pop()?;
            st.push(f(a));
            Some(())
        };
        match tl.as_str() {
            "+" if st.len() >= 2 => two(&mut st, |a, b| a + b)?,
            "-" if st.len() >= 2 => two(&mut st, |a, b| a - b)?,
            "*" if st.len() >= 2 => two(&mut st, |a, b| a * b)?,
            "/" if st.len() >= 2 => two(&mut st, |a, b| a / b)?,
            "^" if st.len() >= 2 => two(&mut st, f64::powf)?,
            "sqrt" if !st.is_empty() => one(&mut st, f64::sqrt)?,
            "sqr" if !st.is_empty() => one(&mut st, |a| a * a)?,
            "inv" if !st.is_empty() => one(&mut st, |a| 1.0 / a)?,
            "pi" => st.push(std::f64::consts::PI),
            _ => st.push(t.parse().ok()?),
        }
    }
    st.last().copied().filter(|v| v.is_finite())
}

/// A number, or the value of an RPN expression (in parentheses, or in the braces,
/// brackets or quotes that the lexer removed: OpenDSS evaluates any quoted numeric
/// value, as in IEEE 8500's `Normamps=156 {156 1.25 *}`); finite only.
pub(super) fn to_float(v: Option<&str>) -> Option<f64> {
    let v = v?.trim();
    if v.starts_with('(') {
        return rpn(v);
    }
    match v.parse::<f64>() {
        Ok(x) => Some(x).filter(|x| x.is_finite()),
        Err(_) if v.contains(char::is_whitespace) => rpn(v),
        Err(_) => None,
    }
}

/// The items of a list value, bracketed or bare, split at spaces and commas.
pub(super) fn to_list(v: &str) -> Vec<String> {
    let mut v = v.trim();
    // Bytes, not string slices: the ends may be characters of more than one byte.
    let b = v.as_bytes();
    if b.len() >= 2 && b"([{".contains(&b[0]) && b")]}".contains(&b[b.len() - 1]) {
        v = &v[1..v.len() - 1];
    }
    v.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// An OpenDSS boolean: yes, true or 1 by their first letter.
pub(super) fn to_bool(v: &str) -> bool {
    matches!(
        v.trim().bytes().next().map(|c| c.to_ascii_lowercase()),
        Some(b'y' | b't' | b'1')
    )
}

/// `name` as `class.name`, the default class being Line.
pub(super) fn objname(v: &str) -> String {
    let v = v.trim();
    if v.contains('.') {
        v.to_ascii_lowercase()
    } else {
        format!("line.{}", v.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpn_evaluates_expressions() {
        assert!((rpn("(12.47 3 sqrt /)").unwrap() - 7.1996).abs() < 1e-3);
        assert_eq!(rpn("(1 +)"), None);
    }

    #[test]
    fn a_braced_expression_is_a_number() {
        // The lexer hands `{156 1.25 *}` over without its braces.
        assert_eq!(to_float(Some("156 1.25 *")), Some(195.0));
        assert_eq!(to_float(Some("156")), Some(156.0));
        assert_eq!(to_float(Some("abc")), None);
    }
}
