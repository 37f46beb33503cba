//! Value parsers for flags whose values clap cannot check by type alone.

/// A finite number within `range`, for flags that take one.
pub(crate) fn number_in(
    text: &str,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && range.contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not {what} from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

/// A share of requests, from 0 to 1.
pub(crate) fn fraction(text: &str) -> Result<f64, String> {
    number_in(text, 0.0..=1.0, "a share")
}

/// `--rate`: requests per second.
pub(crate) fn requests_per_second(text: &str) -> Result<f64, String> {
    number_in(text, 0.001..=10_000.0, "a rate in requests per second")
}

/// A duration in seconds, up to a day.
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    number_in(text, 0.0..=86_400.0, "a number of seconds")
}

/// `--jobs`: at most 256 (0, where allowed, means one per core).
pub(crate) fn job_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= 256 => Ok(n),
        _ => Err(format!("`{text}` is not a number of jobs from 0 to 256")),
    }
}

/// `--delimiter`: one ASCII character, or `\t` for a tab.
pub(crate) fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!(
            "`{text}` is not one ASCII character (use `\\t` for a tab)"
        )),
    }
}

/// Parses `K/N` for `--shard`.
pub(crate) fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!(
            "--shard {text}: expected K/N with 1 <= K <= N, e.g. 2/8"
        )),
    }
}

/// `--row N`: a data row number, 1 being the first row after the header.
pub(crate) fn parse_row(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a data row number: 1 is the first row after the header".to_owned()),
    }
}

/// Checks an `--api-base` URL: http(s), with a host.
pub(crate) fn parse_base(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`{text}` is not an http(s) URL; write e.g. http://127.0.0.1:7878")
        })?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("`{text}` names no host"));
    }
    if host.contains('@') {
        return Err(
            "put credentials in AISTUDIOS_APP_ID / AISTUDIOS_USER_KEY, not in the URL".to_owned(),
        );
    }
    Ok(text.trim_end_matches('/').to_owned())
}
