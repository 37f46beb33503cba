//! What to write instead of a number spelt for people — `12,000`, `₩850,000,000`, `3억`,
//! `8억 5,000만`, `15%` — for the help line of a refused integer or number. Only a hint: the
//! value is refused either way, since a value is data and never guessed at.

use crate::expand::format::group;

/// The Korean units of counting, largest first among the large ones.
const LARGE: [(char, u128); 3] = [
    ('조', 1_000_000_000_000),
    ('억', 100_000_000),
    ('만', 10_000),
];
const SMALL: [(char, u128); 3] = [('천', 1_000), ('백', 100), ('십', 10)];

/// Fixed-point scale of the arithmetic: six decimals are kept exactly.
const SCALE: u128 = 1_000_000;

/// The help for `text` refused as an integer (`integer`) or a number, when it is a number
/// written with separators, a currency sign, `%` or Korean units.
pub(super) fn number_hint(text: &str, integer: bool) -> Option<String> {
    let mut dropped: Vec<&str> = Vec::new();
    let mut t = text.trim();
    let negative = t.starts_with('-');
    if negative {
        t = &t[1..];
    }
    if let Some(rest) = t.strip_prefix(['₩', '$', '€', '£', '¥']) {
        dropped.push("the currency sign");
        t = rest.trim_start();
    }
    if let Some(rest) = t.strip_suffix('원') {
        dropped.push("`원`");
        t = rest.trim_end();
    }
    if let Some(rest) = t.strip_suffix('%') {
        dropped.push("`%`");
        t = rest.trim_end();
    }
    let sign = if negative { "-" } else { "" };
    if let Some((micros, units)) = korean(t) {
        let value = fixed(micros)?;
        if integer && value.contains('.') {
            return None;
        }
        let units: Vec<String> = units
            .iter()
            .map(|&(c, v)| format!("{c} = {}", group(&v.to_string(), ",")))
            .collect();
        let without = without(&dropped);
        return Some(format!(
            "write {sign}{value}{without}; {}",
            units.join(", ")
        ));
    }
    let plain = if let Some((plain, separators)) = separated(t) {
        dropped.push(if separators == 1 {
            "the thousands separator"
        } else {
            "the thousands separators"
        });
        plain
    } else if let Some(plain) = decimal_comma(t).filter(|_| !integer) {
        return Some(format!(
            "write {sign}{plain}{}: decimals take a point",
            without(&dropped)
        ));
    } else if !dropped.is_empty() && t.parse::<f64>().is_ok_and(f64::is_finite) {
        t.to_owned()
    } else {
        return None;
    };
    if integer && plain.contains('.') {
        return None;
    }
    Some(format!("write {sign}{plain}{}", without(&dropped)))
}

fn without(dropped: &[&str]) -> String {
    match dropped {
        [] => String::new(),
        [one] => format!(" without {one}"),
        [init @ .., last] => format!(" without {} and {last}", init.join(", ")),
    }
}

/// `12,000` or `1 200 000.50` → the digits without the separators, and how many there were:
/// groups of three digits after the first, one separator throughout.
fn separated(text: &str) -> Option<(String, usize)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (w, Some(f)),
        Some(_) => return None,
        None => (text, None),
    };
    let separator = whole.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(separator, ',' | '_' | ' ' | '\u{a0}' | '\'') {
        return None;
    }
    let groups: Vec<&str> = whole.split(separator).collect();
    let first = groups[0];
    let ok = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return None;
    }
    let mut plain = groups.concat();
    if let Some(f) = fraction {
        plain.push('.');
        plain.push_str(f);
    }
    Some((plain, groups.len() - 1))
}

/// `1,5` → `1.5` (a decimal comma; `1,500` is a thousands separator instead).
fn decimal_comma(text: &str) -> Option<String> {
    let (whole, fraction) = text.split_once(',')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && digits(fraction) && fraction.len() != 3)
        .then(|| format!("{whole}.{fraction}"))
}

/// A number with Korean units (`3억`, `8억 5,000만`, `5천만`, `1.5억`): its value in
/// millionths, and the units it used in order of appearance.
fn korean(text: &str) -> Option<(u128, Vec<(char, u128)>)> {
    let unit = |c: char| {
        LARGE
            .iter()
            .chain(&SMALL)
            .find(|(u, _)| *u == c)
            .map(|&(_, v)| v)
    };
    if !text.chars().any(|c| unit(c).is_some()) || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut units: Vec<(char, u128)> = Vec::new();
    let mut total: u128 = 0;
    let mut group: u128 = 0;
    let mut number: Option<u128> = None;
    let mut last_large = u128::MAX;
    let mut chars = text.chars().filter(|c| !c.is_whitespace()).peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() || c == '.' {
            let mut run = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' || d == ',' {
                    run.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if number.is_some() {
                return None;
            }
            number = Some(micros(&run)?);
            continue;
        }
        chars.next();
        let value = unit(c)?;
        if !units.iter().any(|&(u, _)| u == c) {
            units.push((c, value));
        }
        let coefficient = number.take();
        if SMALL.iter().any(|&(u, _)| u == c) {
            group = group.checked_add(coefficient.unwrap_or(SCALE).checked_mul(value)?)?;
        } else {
            if value >= last_large {
                return None;
            }
            last_large = value;
            let g = group + coefficient.unwrap_or(0);
            let g = if g == 0 { SCALE } else { g };
            total = total.checked_add(g.checked_mul(value)?)?;
            group = 0;
        }
    }
    total = total.checked_add(group + number.unwrap_or(0))?;
    Some((total, units))
}

/// `5,000` or `1.5` → millionths; None for anything else.
fn micros(run: &str) -> Option<u128> {
    let run = run.replace(',', "");
    let (whole, fraction) = run.split_once('.').unwrap_or((&run, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 6 || fraction.contains('.') {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u128 = format!("{fraction:0<6}").parse().ok()?;
    whole.checked_mul(SCALE)?.checked_add(fraction)
}

/// Millionths as a decimal: `300000000`, `1.5`.
fn fixed(micros: u128) -> Option<String> {
    let whole = micros / SCALE;
    let fraction = micros % SCALE;
    if fraction == 0 {
        Some(whole.to_string())
    } else {
        let digits = format!("{fraction:06}");
        Some(format!("{whole}.{}", digits.trim_end_matches('0')))
    }
}

#[cfg(test)]
mod tests {
    use super::number_hint;

    #[test]
    fn numbers_written_for_people_get_the_number_to_write() {
        let cases = [
            (
                "12,000",
                true,
                "write 12000 without the thousands separator",
            ),
            (
                "1,200,000",
                true,
                "write 1200000 without the thousands separators",
            ),
            (
                "12,000.50",
                false,
                "write 12000.50 without the thousands separator",
            ),
            (
                "-1,000",
                true,
                "write -1000 without the thousands separator",
            ),
            ("3억", true, "write 300000000; 억 = 100,000,000"),
            (
                "8억 5,000만",
                true,
                "write 850000000; 억 = 100,000,000, 만 = 10,000",
            ),
            ("5천만", true, "write 50000000; 천 = 1,000, 만 = 10,000"),
            ("1.5억", true, "write 150000000; 억 = 100,000,000"),
            (
                "3억원",
                true,
                "write 300000000 without `원`; 억 = 100,000,000",
            ),
            (
                "₩850,000,000",
                true,
                "write 850000000 without the currency sign and the thousands separators",
            ),
            (
                "$1,200.50",
                false,
                "write 1200.50 without the currency sign and the thousands separator",
            ),
            ("15%", true, "write 15 without `%`"),
            ("1,5", false, "write 1.5: decimals take a point"),
            (
                "1 200 000",
                true,
                "write 1200000 without the thousands separators",
            ),
        ];
        for (text, integer, hint) in cases {
            assert_eq!(number_hint(text, integer).as_deref(), Some(hint), "{text}");
        }
    }

    #[test]
    fn other_text_gets_no_hint() {
        for text in [
            "4x2",
            "abc",
            "12,00",
            "1,5",
            "억",
            "1.5",
            "3억억",
            "만억",
            "12.000,50",
        ] {
            assert_eq!(number_hint(text, true), None, "{text}");
        }
    }
}
