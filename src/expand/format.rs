//! Formatting filters for campaign text: `number` (thousands separators, decimals),
//! `currency`, `korean_units` (만, 억, 조) and `date` (a strftime subset). Registered in the
//! one template environment by [`super::engine::Engine::new`].

use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind, Value};

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// The number a filter was given: a number, or text that is one.
fn number_of(value: &Value, filter: &str) -> Result<f64, Error> {
    if let Some(text) = value.as_str() {
        return text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| invalid(format!("`{filter}` needs a number, got \"{text}\"")));
    }
    f64::try_from(value.clone())
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| invalid(format!("`{filter}` needs a number, got {value}")))
}

/// Digits of a non-negative integer part with `separator` every three.
pub(crate) fn group(digits: &str, separator: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// `n` with `decimals` digits after `point` and `separator` between thousands.
pub fn format_number(n: f64, decimals: usize, separator: &str, point: &str) -> String {
    let fixed = format!("{:.*}", decimals, n.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut out = String::new();
    // "-0" for a negative number that rounds to zero is left out.
    if n < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    out.push_str(&group(whole, separator));
    if !fraction.is_empty() {
        out.push_str(point);
        out.push_str(fraction);
    }
    out
}

fn decimals_arg(decimals: Option<i64>, kwargs: &Kwargs) -> Result<Option<usize>, Error> {
    let named: Option<i64> = kwargs.get("decimals")?;
    match named.or(decimals) {
        None => Ok(None),
        Some(d @ 0..=12) => Ok(Some(d as usize)),
        Some(d) => Err(invalid(format!("decimals must be 0 to 12, got {d}"))),
    }
}

/// `{{ n | number }}`, `number(2)`, `number(1, ".")`, `number(decimals=2, separator=" ")`.
pub fn number(
    value: Value,
    decimals: Option<i64>,
    separator: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let n = number_of(&value, "number")?;
    let decimals = decimals_arg(decimals, &kwargs)?.unwrap_or(0);
    let named: Option<String> = kwargs.get("separator")?;
    kwargs.assert_all_used()?;
    let separator = named.or(separator).unwrap_or_else(|| ",".to_owned());
    let point = if separator == "." { "," } else { "." };
    Ok(format_number(n, decimals, &separator, point))
}

/// The symbol and usual decimals of a currency code or symbol.
fn currency_style(code: &str) -> (String, usize) {
    match code.to_ascii_uppercase().as_str() {
        "KRW" | "₩" => ("₩".to_owned(), 0),
        "JPY" => ("¥".to_owned(), 0),
        "CNY" | "RMB" => ("¥".to_owned(), 2),
        "USD" => ("$".to_owned(), 2),
        "EUR" => ("€".to_owned(), 2),
        "GBP" => ("£".to_owned(), 2),
        _ if code == "¥" => (code.to_owned(), 0),
        _ => (code.to_owned(), 2),
    }
}

/// `{{ n | currency("₩") }}` → `₩850,000,000`; `currency("USD")` → `$1,200.50`.
pub fn currency(
    value: Value,
    symbol: Option<String>,
    decimals: Option<i64>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let n = number_of(&value, "currency")?;
    let named: Option<String> = kwargs.get("symbol")?;
    let decimals = decimals_arg(decimals, &kwargs)?;
    kwargs.assert_all_used()?;
    let (symbol, usual) = currency_style(&named.or(symbol).unwrap_or_else(|| "$".to_owned()));
    let text = format_number(n, decimals.unwrap_or(usual), ",", ".");
    Ok(match text.strip_prefix('-') {
        Some(rest) => format!("-{symbol}{rest}"),
        None => format!("{symbol}{text}"),
    })
}

/// `{{ 850000000 | korean_units }}` → `8억 5,000만`; `korean_units("원")` appends a suffix.
pub fn korean_units(value: Value, suffix: Option<String>) -> Result<String, Error> {
    let n = number_of(&value, "korean_units")?.round();
    if n.abs() >= 1e20 {
        return Err(invalid("`korean_units` takes numbers below 10^20"));
    }
    let mut rest = n.abs() as u128;
    let units = [
        (1_000_000_000_000u128, "조"),
        (100_000_000, "억"),
        (10_000, "만"),
    ];
    let mut parts = Vec::new();
    for (size, name) in units {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            parts.push(format!("{}{name}", group(&count.to_string(), ",")));
        }
    }
    if rest > 0 || parts.is_empty() {
        parts.push(group(&rest.to_string(), ","));
    }
    let sign = if n < 0.0 { "-" } else { "" };
    Ok(format!(
        "{sign}{}{}",
        parts.join(" "),
        suffix.unwrap_or_default()
    ))
}

/// A calendar date and a time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DateTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn parse_date(value: &Value) -> Result<DateTime, Error> {
    if value.as_str().is_none() {
        let seconds = number_of(value, "date")?.floor() as i64;
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let time = seconds.rem_euclid(86_400) as u32;
        return Ok(DateTime {
            year,
            month,
            day,
            hour: time / 3600,
            minute: time / 60 % 60,
            second: time % 60,
        });
    }
    let text = value.as_str().unwrap_or_default().trim();
    let bad = || {
        invalid(format!(
            "`date` needs a date like 2026-03-01 or 2026-03-01T09:30:00, got \"{text}\""
        ))
    };
    let (date, time) = match text.find(['T', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut fields = date.split('-');
    let mut next = |len: std::ops::RangeInclusive<usize>| {
        fields
            .next()
            .filter(|f| len.contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|f| f.parse::<i64>().ok())
    };
    let (year, month, day) = (
        next(4..=4).ok_or_else(bad)?,
        next(1..=2).ok_or_else(bad)?,
        next(1..=2).ok_or_else(bad)?,
    );
    if fields.next().is_some()
        || !(1..=12).contains(&month)
        || day < 1
        || day > i64::from(days_in_month(year, month as u32))
    {
        return Err(bad());
    }
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if let Some(time) = time {
        // A zone (Z, +09:00) is shown as written: the time is not converted.
        let clock = time
            .split(['Z', '+', '-'])
            .next()
            .unwrap_or_default()
            .split('.')
            .next()
            .unwrap_or_default();
        let parts: Vec<&str> = clock.split(':').collect();
        let num = |i: usize, max: u32| {
            parts
                .get(i)
                .filter(|p| p.len() == 2)
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|n| *n <= max)
        };
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        hour = num(0, 23).ok_or_else(bad)?;
        minute = num(1, 59).ok_or_else(bad)?;
        second = if parts.len() == 3 {
            num(2, 60).ok_or_else(bad)?
        } else {
            0
        };
    }
    Ok(DateTime {
        year,
        month: month as u32,
        day: day as u32,
        hour,
        minute,
        second,
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// `{{ d | date("%Y년 %m월 %d일") }}`: a date in a strftime format.
pub fn date(value: Value, format: Option<String>) -> Result<String, Error> {
    let t = parse_date(&value)?;
    let format = format.unwrap_or_else(|| "%Y-%m-%d".to_owned());
    let days = days_from_civil(t.year, t.month, t.day);
    let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize]; // 1970-01-01 was a Thursday
    let month = MONTHS[t.month as usize - 1];
    let hour12 = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
    let ordinal = days - days_from_civil(t.year, 1, 1) + 1;
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = chars.next();
        let pad = spec != Some('-');
        if !pad {
            spec = chars.next();
        }
        let two = |n: u32| {
            if pad {
                format!("{n:02}")
            } else {
                n.to_string()
            }
        };
        match spec {
            Some('Y') => out.push_str(&t.year.to_string()),
            Some('y') => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
            Some('m') => out.push_str(&two(t.month)),
            Some('d') => out.push_str(&two(t.day)),
            Some('e') => out.push_str(&format!("{:>2}", t.day)),
            Some('H') => out.push_str(&two(t.hour)),
            Some('I') => out.push_str(&two(hour12)),
            Some('M') => out.push_str(&two(t.minute)),
            Some('S') => out.push_str(&two(t.second)),
            Some('p') => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
            Some('B') => out.push_str(month),
            Some('b') => out.push_str(&month[..3]),
            Some('A') => out.push_str(weekday),
            Some('a') => out.push_str(&weekday[..3]),
            Some('j') => out.push_str(&if pad {
                format!("{ordinal:03}")
            } else {
                ordinal.to_string()
            }),
            Some('%') => out.push('%'),
            other => {
                let shown = other.map_or(String::new(), |c| c.to_string());
                return Err(invalid(format!(
                    "`date` does not know `%{}{shown}`; it knows %Y %y %m %d %e %H %I %M %S %p %A %a %B %b %j %%",
                    if pad { "" } else { "-" }
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands_and_round() {
        assert_eq!(format_number(1_234_567.0, 0, ",", "."), "1,234,567");
        assert_eq!(format_number(-1234.567, 2, ",", "."), "-1,234.57");
        assert_eq!(format_number(999.0, 0, ",", "."), "999");
        assert_eq!(format_number(-0.001, 2, ",", "."), "0.00");
    }

    #[test]
    fn korean_units_skip_empty_groups() {
        let ko = |n: i64| korean_units(Value::from(n), None).unwrap();
        assert_eq!(ko(850_000_000), "8억 5,000만");
        assert_eq!(ko(100_000_001), "1억 1");
        assert_eq!(ko(0), "0");
        assert_eq!(ko(-25_000), "-2만 5,000");
        assert_eq!(ko(3_000_000_000_000), "3조");
    }

    #[test]
    fn dates_take_iso_text_and_timestamps() {
        let d = |v: Value, f: &str| date(v, Some(f.to_owned()));
        assert_eq!(
            d(Value::from("2026-03-01"), "%Y년 %m월 %d일 %A").unwrap(),
            "2026년 03월 01일 Sunday"
        );
        assert_eq!(
            d(Value::from("2024-02-29T13:05:09"), "%-m/%-d %I:%M:%S %p %j").unwrap(),
            "2/29 01:05:09 PM 060"
        );
        assert_eq!(
            d(Value::from(0), "%Y-%m-%d %H:%M").unwrap(),
            "1970-01-01 00:00"
        );
        assert!(d(Value::from("2025-02-29"), "%Y").is_err());
        assert!(d(Value::from("March 1"), "%Y").is_err());
        assert!(d(Value::from("2026-03-01"), "%Q").is_err());
    }
}
