//! The commonest YAML mistakes, told plainly: when the parser stops, the lines around where it
//! stopped are read again for a tab that indents (or follows a `:`) and for a line indented
//! to no column of the mappings and lists open above it. Either gives a message naming the
//! line and what to write instead; anything else keeps the parser's own message.

use std::sync::Arc;

use crate::diag::{Diagnostic, Source, Span};

/// A better diagnostic for the parser error `info` at byte `at` of `source`, if one of the
/// mistakes this module knows explains it.
pub(super) fn explain(source: &Arc<Source>, at: usize, info: &str) -> Option<Diagnostic> {
    let (line, _) = source.line_col(at);
    tab(source, line, at, info).or_else(|| indentation(source, line))
}

/// The byte offset where `line` (1-based) starts.
fn line_start(source: &Source, line: usize) -> usize {
    source.offset_of(line, 0)
}

fn lines(source: &Source) -> usize {
    source.line_col(source.text.len()).0
}

/// A tab in the indentation of the line the parser stopped on (or of the next one, where it
/// stops at the end of the line before), or right after a key's `:`.
fn tab(source: &Arc<Source>, line: usize, at: usize, info: &str) -> Option<Diagnostic> {
    let mentions_tab = info.contains("tab");
    let candidates = if mentions_tab {
        vec![line, line + 1]
    } else {
        vec![line]
    };
    for l in candidates.into_iter().filter(|&l| l <= lines(source)) {
        let text = source.line_text(l);
        let rest = text.trim_start_matches([' ', '\t']);
        let lead = &text[..text.len() - rest.len()];
        if rest.is_empty() {
            continue;
        }
        if let Some(i) = lead.find('\t') {
            let offset = line_start(source, l) + i;
            return Some(
                Diagnostic::error("tabs cannot indent YAML; use spaces")
                    .at(&Span::new(source, offset, offset + 1))
                    .with_help(
                        "replace the tab with spaces (two per level is usual); an editor set to \
                         insert spaces for the Tab key does this as you type",
                    ),
            );
        }
    }
    // `key:<TAB>value`: the parser stops just after the tab.
    let before = &source.text[line_start(source, line)..at.min(source.text.len())];
    let key_end = before.trim_end_matches('\t');
    if key_end.len() < before.len() && key_end.ends_with(':') {
        let offset = line_start(source, line) + key_end.len();
        return Some(
            Diagnostic::error("a tab cannot follow a key's `:` here; use a space")
                .at(&Span::new(source, offset, offset + 1))
                .with_help("write `key: value` with a space after the colon"),
        );
    }
    None
}

/// A mapping or a list open above a line: where its keys (or `-`) start, and the last one.
struct Level {
    col: usize,
    seq: bool,
    line: usize,
    /// The last key seen at this level (empty for a list).
    name: String,
}

/// What a line starts with: `- ` items, then at most one key (with the text after its `:`).
struct Items<'a> {
    /// (column, is a `-`, key name), left to right.
    items: Vec<(usize, bool, &'a str)>,
    /// The value after the last item, trimmed (empty when the line ends there).
    value: &'a str,
}

fn items(text: &str) -> Items<'_> {
    let mut rest = text.trim_start_matches(' ');
    let mut col = text.len() - rest.len();
    let mut items = Vec::new();
    loop {
        if rest == "-" || rest.starts_with("- ") {
            items.push((col, true, ""));
            let after = rest[1..].trim_start_matches(' ');
            col += rest.len() - after.len();
            rest = after;
            continue;
        }
        if let Some((key, value)) = split_key(rest) {
            items.push((col, false, key));
            rest = value;
        }
        break;
    }
    Items {
        items,
        value: strip_comment(rest).trim(),
    }
}

/// `key: value` or `key:` → (key, value); quoted keys too.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let first = text.chars().next()?;
    let end = if first == '"' || first == '\'' {
        let close = text[1..].find(first)? + 1;
        let after = &text[close + 1..];
        after.starts_with(':').then_some(close + 1)?
    } else {
        if "[{|>&*!%@`#,".contains(first) {
            return None;
        }
        let colon = text
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| text[i + 1..].is_empty() || text[i + 1..].starts_with([' ', '\t']))?;
        if text[..colon].contains(" #") {
            return None;
        }
        colon
    };
    let key = text[..end].trim_end();
    Some((key.trim_matches(['"', '\'']), &text[end + 1..]))
}

fn strip_comment(text: &str) -> &str {
    if text.starts_with('#') {
        return "";
    }
    text.find(" #").map_or(text, |i| &text[..i])
}

/// A value this reading cannot follow to its end: a quoted scalar or a flow collection that
/// goes on past its line.
fn open_across_lines(value: &str) -> bool {
    match value.chars().next() {
        Some(q @ ('"' | '\'')) => !value[1..].contains(q),
        Some('[' | '{') => {
            let opened = value.matches(['[', '{']).count();
            let closed = value.matches([']', '}']).count();
            opened > closed
        }
        _ => false,
    }
}

/// The mappings and lists open above `line`, or None where the lines above hold something
/// this reading does not follow (a flow collection or a quoted scalar across lines, tabs).
/// Also the column of a key (or `-`) above that ended its line with nothing after it: a line
/// further right starts its value.
fn open_levels(source: &Source, line: usize) -> Option<(Vec<Level>, Option<usize>)> {
    let mut levels: Vec<Level> = Vec::new();
    let mut block_scalar: Option<usize> = None;
    let mut awaiting: Option<usize> = None;
    for l in 1..line {
        let text = source.line_text(l);
        let rest = text.trim_start_matches(' ');
        let indent = text.len() - rest.len();
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if let Some(parent) = block_scalar {
            if indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if rest.starts_with('\t') {
            return None;
        }
        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            levels.clear();
            awaiting = None;
            continue;
        }
        let parsed = items(text);
        let Some(&(first_col, first_seq, _)) = parsed.items.first() else {
            if levels.is_empty() && open_across_lines(rest) {
                return None; // a flow document
            }
            continue; // a plain scalar going on from the line above
        };
        while levels.last().is_some_and(|top| {
            top.col > first_col || (top.col == first_col && top.seq && !first_seq)
        }) {
            levels.pop();
        }
        for (i, &(col, seq, name)) in parsed.items.iter().enumerate() {
            let top = levels.last_mut().filter(|t| t.col == col && t.seq == seq);
            match top {
                Some(top) if i == 0 => {
                    top.line = l;
                    top.name = name.to_owned();
                }
                _ => levels.push(Level {
                    col,
                    seq,
                    line: l,
                    name: name.to_owned(),
                }),
            }
        }
        let last = parsed.items.last().map_or(first_col, |i| i.0);
        awaiting = None;
        match parsed.value.chars().next() {
            None => awaiting = Some(last),
            Some('|' | '>') => block_scalar = Some(last),
            Some(_) if open_across_lines(parsed.value) => return None,
            Some(_) => {}
        }
    }
    Some((levels, awaiting))
}

/// A key or `-` at a column where no mapping or list open above it has its keys or items.
fn indentation(source: &Arc<Source>, line: usize) -> Option<Diagnostic> {
    let text = source.line_text(line);
    let parsed = items(text);
    let &(col, seq, name) = parsed.items.first()?;
    let (levels, awaiting) = open_levels(source, line)?;
    if awaiting.is_some_and(|parent| col > parent) {
        return None; // the value of the line above: nothing wrong with the indentation
    }
    let fits = |l: &&Level| l.col == col && (l.seq == seq || (seq && !l.seq));
    if levels.iter().any(|l| fits(&l)) {
        return None;
    }
    let same_kind: Vec<&Level> = levels.iter().filter(|l| l.seq == seq).collect();
    let nearest = same_kind.iter().map(|l| l.col.abs_diff(col)).min()?;
    let mut choices: Vec<&Level> = same_kind
        .into_iter()
        .filter(|l| l.col.abs_diff(col) == nearest)
        .collect();
    choices.sort_by_key(|l| l.col);
    let like = |l: &Level| {
        if l.seq {
            format!("column {} (like the `-` on line {})", l.col + 1, l.line)
        } else {
            format!(
                "column {} (like `{}` on line {})",
                l.col + 1,
                l.name,
                l.line
            )
        }
    };
    let expected: Vec<String> = choices.iter().map(|l| like(l)).collect();
    let what = if seq {
        "this list item".to_owned()
    } else {
        format!("`{name}`")
    };
    let start = line_start(source, line) + col;
    let width = if seq { 1 } else { name.len().max(1) };
    Some(
        Diagnostic::error(format!(
            "wrong indentation on line {line}: {what} should start at {}, not column {}",
            expected.join(" or "),
            col + 1
        ))
        .at(&Span::new(source, start, start + width))
        .with_help(
            "the keys of one mapping, and the `-` items of one list, start in the same column; \
             a line further right than the one above continues that line's value",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(text: &str) -> Option<(String, String)> {
        let source = Source::new("t.yaml", text);
        let err = crate::load::yaml::parse(&source, crate::load::yaml::Limits::default())
            .expect_err("the text does not parse");
        let span = err.span?;
        Some((err.message, span.location()))
    }

    #[test]
    fn a_tab_that_indents_is_named_at_the_tab() {
        let cases = [
            ("scenes:\n\t- say: hi\n", "t.yaml:2:1"),
            ("scenes:\n  - say: hi\n\tclips: []\n", "t.yaml:3:1"),
            ("a:\n  b: 1\n  \tc: 2\n", "t.yaml:3:3"),
            (
                "scenes:\n  - say: hi\n    clips:\n    \t- text: x\n",
                "t.yaml:4:5",
            ),
        ];
        for (text, at) in cases {
            let (message, location) = explained(text).unwrap();
            assert_eq!(message, "tabs cannot indent YAML; use spaces", "{text:?}");
            assert_eq!(location, at, "{text:?}");
        }
        let (message, location) = explained("a:\t1\n").unwrap();
        assert_eq!(message, "a tab cannot follow a key's `:` here; use a space");
        assert_eq!(location, "t.yaml:1:3");
    }

    #[test]
    fn a_wrong_indentation_names_the_line_and_the_column_expected() {
        let cases = [
            (
                "avatar:\n  preset: x\nscenes:\n  - say: hi\n     clips: []\n",
                "wrong indentation on line 5: `clips` should start at column 5 (like `say` on line 4), not column 6",
                "t.yaml:5:6",
            ),
            (
                "avatar:\n  preset: x\n   name: y\n",
                "wrong indentation on line 3: `name` should start at column 3 (like `preset` on line 2), not column 4",
                "t.yaml:3:4",
            ),
            (
                "avatar:\n  preset: x\n name: y\n",
                "wrong indentation on line 3: `name` should start at column 1 (like `avatar` on line 1) or column 3 (like `preset` on line 2), not column 2",
                "t.yaml:3:2",
            ),
            (
                "scenes:\n  - say: hi\n   - say: ho\n",
                "wrong indentation on line 3: this list item should start at column 3 (like the `-` on line 2), not column 4",
                "t.yaml:3:4",
            ),
            (
                "scenes:\n    - say: hi\n  - say: ho\n",
                "wrong indentation on line 3: this list item should start at column 5 (like the `-` on line 2), not column 3",
                "t.yaml:3:3",
            ),
            (
                "scenes:\n  - say: hi\n    clips: []\n   when: true\n",
                "wrong indentation on line 4: `when` should start at column 5 (like `clips` on line 3), not column 4",
                "t.yaml:4:4",
            ),
        ];
        for (text, message, at) in cases {
            let (got, location) = explained(text).unwrap();
            assert_eq!(got, message, "{text:?}");
            assert_eq!(location, at, "{text:?}");
        }
    }

    #[test]
    fn other_mistakes_keep_the_parsers_message() {
        for text in [
            "a:\n  b: Note: this\n",
            "scenes:\n  - say: Note: this\n",
            "a: |\n  text: here\n  more: x\nb: Note: c\n",
            "a: [1,\n  2: x\n",
        ] {
            let (message, _) = explained(text).unwrap();
            assert!(
                message.starts_with("YAML syntax error"),
                "{text:?}: {message}"
            );
        }
    }
}
