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

/// A duration up to a day: seconds (`5`, `2.5`), or a number with a unit (`500ms`, `5s`,
/// `2m`, `2min`, `1h`).
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    const UNITS: [(&str, f64); 5] = [
        ("ms", 0.001),
        ("min", 60.0),
        ("s", 1.0),
        ("m", 60.0),
        ("h", 3600.0),
    ];
    let trimmed = text.trim();
    let (number, scale) = UNITS
        .iter()
        .find_map(|&(unit, scale)| Some((trimmed.strip_suffix(unit)?.trim_end(), scale)))
        .unwrap_or((trimmed, 1.0));
    let what = "a duration (seconds, or a number with ms, s, m or h)";
    let value =
        number_in(number, 0.0..=f64::MAX, what).map_err(|_| format!("`{text}` is not {what}"))?;
    number_in(
        &(value * scale).to_string(),
        0.0..=86_400.0,
        "a number of seconds",
    )
    .map_err(|_| format!("`{text}` is longer than a day or negative"))
}

/// `--jobs`: 1 to 256 (one per core is the default where there is one, not a number).
pub(crate) fn job_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("`{text}` is not a number of jobs from 1 to 256")),
    }
}

/// `--delimiter`: one ASCII character, or `\t` for a tab.
pub(crate) fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        "\"" => Err("`\"` quotes cells, so it cannot also separate them".to_owned()),
        "\r" | "\n" => Err("a line break ends a row, so it cannot separate cells".to_owned()),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!(
            "`{text}` is not one ASCII character (use `\\t` for a tab)"
        )),
    }
}

/// `--webhook`: an http or https URL with a host, checked before anything is sent (the service
/// would refuse it only after the projects were created).
pub(crate) fn parse_webhook(text: &str) -> Result<String, String> {
    let wrong = || format!("`{text}` is not an http(s) URL, such as https://example.com/hook");
    let (scheme, rest) = text.split_once("://").ok_or_else(wrong)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let plain = !text.chars().any(|c| c.is_whitespace() || c.is_control());
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    if web && plain && !host.is_empty() && !host.starts_with(':') {
        Ok(text.to_owned())
    } else {
        Err(wrong())
    }
}

/// `--shard`: rows K, K+N, K+2N, … of N shards (K is 1-based), or `auto/N`, whose K comes from
/// the job runner's task index when the command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shard {
    Fixed(u64, u64),
    Auto(u64),
}

/// The most shards: enough for any job runner's array, small enough to catch a typo.
const MAX_SHARDS: u64 = 100_000;

/// Parses `K/N` or `auto/N` for `--shard`.
pub(crate) fn parse_shard(text: &str) -> Result<Shard, String> {
    let wrong = || {
        format!(
            "--shard {text}: expected K/N with 1 <= K <= N (e.g. 2/8), or auto/N to take K from the job runner"
        )
    };
    let (k, n) = text.split_once('/').ok_or_else(wrong)?;
    let n: u64 = n.trim().parse().map_err(|_| wrong())?;
    if !(1..=MAX_SHARDS).contains(&n) {
        return Err(wrong());
    }
    if k.trim() == "auto" {
        return Ok(Shard::Auto(n));
    }
    match k.trim().parse::<u64>() {
        Ok(k) if (1..=n).contains(&k) => Ok(Shard::Fixed(k, n)),
        _ => Err(wrong()),
    }
}

/// The task-index variables `--shard auto/N` reads, in this order, and whether each counts
/// from 0. Slurm's counts from the array's first index (`SLURM_ARRAY_TASK_MIN`) in steps of
/// `SLURM_ARRAY_TASK_STEP`, so `--array=0-7`, `--array=1-8` and `--array=0-14:2` all work.
pub(crate) const SHARD_VARIABLES: [&str; 3] = [
    "JOB_COMPLETION_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

impl Shard {
    /// `(K, N)`, K 1-based, and for `auto/N` the variable it came from (`NAME=value`).
    /// `env` reads an environment variable (the process's, or a test's).
    pub(crate) fn resolve(
        self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<((u64, u64), Option<String>), String> {
        let n = match self {
            Shard::Fixed(k, n) => return Ok(((k, n), None)),
            Shard::Auto(n) => n,
        };
        let mut found: Vec<(String, u64)> = Vec::new();
        for name in SHARD_VARIABLES {
            let Some(value) = env(name).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let index = |name: &str, value: &str| -> Result<u64, String> {
                value.trim().parse::<u64>().map_err(|_| {
                    format!("--shard auto/{n}: {name}={value} is not a task index (a whole number from 0)")
                })
            };
            let position = if name == "SLURM_ARRAY_TASK_ID" {
                let id = index(name, &value)?;
                let min = env("SLURM_ARRAY_TASK_MIN")
                    .map_or(Ok(0), |v| index("SLURM_ARRAY_TASK_MIN", &v))?;
                let step = env("SLURM_ARRAY_TASK_STEP")
                    .map_or(Ok(1), |v| index("SLURM_ARRAY_TASK_STEP", &v))?
                    .max(1);
                if let Some(count) = env("SLURM_ARRAY_TASK_COUNT") {
                    let count = index("SLURM_ARRAY_TASK_COUNT", &count)?;
                    if count != n {
                        return Err(format!(
                            "--shard auto/{n}: the Slurm array has {count} tasks (SLURM_ARRAY_TASK_COUNT={count}) but N is {n}; \
                             rows would be skipped or done twice: give --array as many tasks as shards, e.g. --array=0-{}",
                            n - 1
                        ));
                    }
                }
                if id < min || (id - min) % step != 0 {
                    return Err(format!(
                        "--shard auto/{n}: SLURM_ARRAY_TASK_ID={id} is not in the array (first index {min}, step {step})"
                    ));
                }
                (id - min) / step
            } else {
                index(name, &value)?
            };
            found.push((format!("{name}={}", value.trim()), position));
        }
        let Some((source, position)) = found.first().cloned() else {
            return Err(format!(
                "--shard auto/{n}: no job runner task index is set (looked for {}); give --shard K/N instead",
                SHARD_VARIABLES.join(", ")
            ));
        };
        if let Some((other, _)) = found.iter().find(|(_, p)| *p != position) {
            return Err(format!(
                "--shard auto/{n}: {source} and {other} name different shards; unset one, or give --shard K/N"
            ));
        }
        if position >= n {
            return Err(format!(
                "--shard auto/{n}: {source} is shard {} of only {n}; run exactly {n} tasks, indexed from 0 (Slurm: from the array's first index)",
                position + 1
            ));
        }
        Ok(((position + 1, n), Some(source)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_or_none() {
        assert_eq!(seconds("5"), Ok(5.0));
        assert_eq!(seconds("2.5"), Ok(2.5));
        assert_eq!(seconds("5s"), Ok(5.0));
        assert_eq!(seconds("500ms"), Ok(0.5));
        assert_eq!(seconds("2m"), Ok(120.0));
        assert_eq!(seconds("2min"), Ok(120.0));
        assert_eq!(seconds("1h"), Ok(3600.0));
        assert!(seconds("2d").is_err());
        assert!(seconds("s").is_err());
        assert!(seconds("-1s").is_err());
        assert!(seconds("25h").is_err());
    }

    fn resolve(shard: &str, vars: &[(&str, &str)]) -> Result<(u64, u64), String> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        Ok(parse_shard(shard)?.resolve(env)?.0)
    }

    #[test]
    fn a_fixed_shard_is_one_based() {
        assert_eq!(resolve("1/4", &[]), Ok((1, 4)));
        assert_eq!(resolve("4/4", &[]), Ok((4, 4)));
        assert!(resolve("0/4", &[]).is_err());
        assert!(resolve("5/4", &[]).is_err());
        assert!(resolve("auto/0", &[]).is_err());
    }

    #[test]
    fn auto_takes_the_zero_based_index_of_kubernetes_and_aws_plus_one() {
        assert_eq!(
            resolve("auto/4", &[("JOB_COMPLETION_INDEX", "0")]),
            Ok((1, 4))
        );
        assert_eq!(
            resolve("auto/4", &[("JOB_COMPLETION_INDEX", "3")]),
            Ok((4, 4))
        );
        assert_eq!(
            resolve("auto/4", &[("AWS_BATCH_JOB_ARRAY_INDEX", "2")]),
            Ok((3, 4))
        );
        let err = resolve("auto/4", &[("JOB_COMPLETION_INDEX", "4")]).unwrap_err();
        assert!(err.contains("shard 5 of only 4"), "{err}");
        let err = resolve("auto/4", &[("AWS_BATCH_JOB_ARRAY_INDEX", "two")]).unwrap_err();
        assert!(
            err.contains("AWS_BATCH_JOB_ARRAY_INDEX=two is not a task index"),
            "{err}"
        );
    }

    #[test]
    fn auto_counts_slurm_tasks_from_the_arrays_first_index() {
        let task = |id: &'static str, min: &'static str| {
            resolve(
                "auto/4",
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_MIN", min),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
            )
        };
        assert_eq!(task("0", "0"), Ok((1, 4)));
        assert_eq!(task("3", "0"), Ok((4, 4)));
        assert_eq!(task("1", "1"), Ok((1, 4)), "--array=1-4");
        assert_eq!(task("4", "1"), Ok((4, 4)));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "6"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(resolve("auto/4", &stepped), Ok((4, 4)), "--array=0-6:2");
        assert_eq!(
            resolve("auto/4", &[("SLURM_ARRAY_TASK_ID", "2")]),
            Ok((3, 4))
        );
        let err = resolve(
            "auto/4",
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
            ],
        )
        .unwrap_err();
        assert!(
            err.contains("has 8 tasks") && err.contains("--array=0-3"),
            "{err}"
        );
    }

    #[test]
    fn auto_without_a_task_index_or_with_two_that_disagree_is_refused() {
        let err = resolve("auto/4", &[]).unwrap_err();
        assert!(
            SHARD_VARIABLES.iter().all(|v| err.contains(v)) && err.contains("--shard K/N"),
            "{err}"
        );
        let err = resolve(
            "auto/4",
            &[
                ("JOB_COMPLETION_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_INDEX", "2"),
            ],
        )
        .unwrap_err();
        assert!(err.contains("name different shards"), "{err}");
        let agree = [
            ("JOB_COMPLETION_INDEX", "1"),
            ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
        ];
        assert_eq!(resolve("auto/4", &agree), Ok((2, 4)));
    }
}
