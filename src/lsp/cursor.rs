//! Where a cursor is in a spec's text: the path of keys and list items down to the mapping it
//! is in, whether it is on a key or a value, and what is inside a `{{ … }}` before it.
//!
//! Read from the lines themselves (indentation, `- ` and `key:`), not from the YAML parser,
//! because a document being typed is often not valid YAML at the moment completion is asked.

/// One step of the path from the document's top to the cursor's mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Item,
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// A key (or where one would go); `word` is the key's text up to the cursor.
    Key { word: String },
    /// The value of `key`; `word` is the value's text up to the cursor.
    Value { key: String, word: String },
    /// Inside `{{ … }}`: `expr` is the expression's text up to the cursor.
    Template { expr: String },
}

/// The cursor's context.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    /// Steps to the mapping the cursor is in.
    pub path: Vec<Step>,
    /// Keys and their (single-line) values in that mapping.
    pub siblings: Vec<(String, String)>,
    /// Keys and values of each mapping along the path: `parents[i]` is the mapping that
    /// `path[i]` is taken from (the top level first).
    pub parents: Vec<Vec<(String, String)>>,
    pub at: At,
    /// Byte offset in the text where the word being completed starts.
    pub word_start: usize,
}

/// One line, split into its parts.
struct Line<'a> {
    /// Columns (in bytes) of the `- ` markers in front of the content.
    dashes: Vec<usize>,
    /// Column where the content (after the markers) starts.
    col: usize,
    /// The key, when the content is `key:` or `key: value`.
    key: Option<&'a str>,
    /// The text after `key:`, trimmed.
    value: &'a str,
    /// Whether the line holds nothing but spaces or a comment.
    blank: bool,
}

fn split(line: &str) -> Line<'_> {
    let mut dashes = Vec::new();
    let mut col = line.len() - line.trim_start().len();
    loop {
        let rest = &line[col..];
        if rest == "-" || rest.starts_with("- ") {
            dashes.push(col);
            col += 1;
            col += line[col..].len() - line[col..].trim_start().len();
        } else {
            break;
        }
    }
    let content = line[col..].trim_end();
    let blank = dashes.is_empty() && (content.is_empty() || content.starts_with('#'));
    let (key, value) = match key_of(content) {
        Some((key, value)) => (Some(key), value),
        None => (None, content),
    };
    Line {
        dashes,
        col,
        key,
        value,
        blank,
    }
}

/// `key: value` or `key:` → the key (unquoted) and the value.
fn key_of(content: &str) -> Option<(&str, &str)> {
    if content.starts_with(['{', '[', '#', '"', '\'']) && !content.starts_with(['"', '\'']) {
        return None;
    }
    let (key, value) =
        if let Some(quote) = content.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let end = content[1..].find(quote)? + 1;
            let after = content[end + 1..].strip_prefix(':')?;
            (&content[1..end], after)
        } else {
            let colon = content.match_indices(':').map(|(i, _)| i).find(|&i| {
                content[i + 1..].is_empty() || content[i + 1..].starts_with([' ', '\t'])
            })?;
            (&content[..colon], &content[colon + 1..])
        };
    if key.contains("{{") {
        return None;
    }
    let value = value.trim();
    let value = match value.find(" #") {
        Some(i) if !value.starts_with(['"', '\'']) => value[..i].trim_end(),
        _ => value,
    };
    Some((key.trim(), value))
}

/// Line index and byte column of a byte offset.
fn line_and_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, offset - start)
}

/// The context of the cursor at byte `offset` of `text`.
pub(crate) fn context(text: &str, offset: usize) -> Context {
    let offset = floor_boundary(text, offset.min(text.len()));
    let lines: Vec<&str> = text.split('\n').collect();
    let (index, col) = line_and_col(text, offset);
    let line_start = offset - col;
    let line_text = lines.get(index).copied().unwrap_or("");
    let before = &line_text[..col.min(line_text.len())];

    // The cursor line: its own `- ` markers, then a key or a value.
    let here = split(before);
    let mut path_tail: Vec<Step> = Vec::new();
    for _ in &here.dashes {
        path_tail.push(Step::Item);
    }
    let content = &before[here.col.min(before.len())..];
    let (mut at, mut word_start) = match key_of(content) {
        Some((key, _)) => {
            let value_start = content.find(':').map_or(content.len(), |i| i + 1);
            let raw = &content[value_start..];
            let lead = raw.len() - raw.trim_start().len();
            (
                At::Value {
                    key: key.to_owned(),
                    word: raw.trim_start().to_owned(),
                },
                line_start + here.col + value_start + lead,
            )
        }
        None => (
            At::Key {
                word: content.trim_start().to_owned(),
            },
            line_start + here.col,
        ),
    };
    // Inside a flow mapping (`font: { si`), the path goes on into it.
    if let At::Value { key, word } = &at {
        if let Some((steps, inner, inner_start)) = flow(word) {
            let mut tail = vec![Step::Key(key.clone())];
            tail.extend(steps);
            path_tail.extend(tail);
            word_start += inner_start;
            at = inner;
        }
    }
    // Inside a template: what the expression says so far.
    if let Some(open) = open_template(before) {
        at = At::Template {
            expr: before[open..].to_owned(),
        };
        let ident = before[open..]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(before.len(), |(i, _)| open + i);
        word_start = line_start + ident;
    }

    // Upward: the keys and items that hold the cursor's mapping.
    let mut target = here.dashes.first().copied().unwrap_or(here.col);
    let mut from_dash = !here.dashes.is_empty();
    let own_col = here.col;
    let mut steps: Vec<(Step, usize, usize)> = Vec::new(); // (step, line, key column)
    let mut item_line = (!here.dashes.is_empty()).then_some(index);
    for i in (0..index).rev() {
        if target == 0 && !from_dash {
            break;
        }
        let line = split(lines[i]);
        if line.blank {
            continue;
        }
        let parent_key = line.key.is_some()
            && line.value.is_empty()
            && (line.col < target || (from_dash && line.col == target && line.dashes.is_empty()));
        if parent_key {
            steps.push((Step::Key(line.key.unwrap_or("").to_owned()), i, line.col));
            target = line.col;
            from_dash = false;
            for &dash in line.dashes.iter().rev() {
                steps.push((Step::Item, i, line.col));
                target = dash;
                from_dash = true;
            }
            continue;
        }
        if let Some(&last) = line.dashes.iter().rev().find(|&&d| d < target) {
            if item_line.is_none() && steps.is_empty() {
                item_line = Some(i);
            }
            for &dash in line.dashes.iter().rev().filter(|&&d| d <= last) {
                steps.push((Step::Item, i, line.col));
                target = dash;
                from_dash = true;
            }
            continue;
        }
        if line.dashes.is_empty() && line.col < target {
            // A value continued on a deeper line, or a scalar list item: no new step.
            target = line.col;
        }
    }
    steps.reverse();
    let mut path: Vec<Step> = steps.iter().map(|(s, _, _)| s.clone()).collect();
    path.extend(path_tail.iter().cloned());
    let parents = steps
        .iter()
        .map(|(_, line, col)| entries_of(&lines, *line, *col))
        .collect();
    let siblings = if path_tail.iter().any(|s| matches!(s, Step::Key(_))) {
        Vec::new()
    } else {
        entries_of(&lines, item_line.unwrap_or(index), own_col)
    };
    Context {
        path,
        siblings,
        parents,
        at,
        word_start,
    }
}

/// The keys (and values) of the block mapping whose keys sit at column `col`, around `line`.
fn entries_of(lines: &[&str], line: usize, col: usize) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let take = |i: usize, entries: &mut Vec<(String, String)>| {
        let l = split(lines[i]);
        if l.col == col {
            if let Some(key) = l.key {
                entries.push((key.to_owned(), l.value.to_owned()));
            }
        }
    };
    // Up to the start of the mapping: a line less indented, or the `- ` that opens the item.
    let mut i = line;
    loop {
        let l = split(lines[i]);
        if !l.blank && l.col < col && i != line {
            break;
        }
        if !l.blank || i == line {
            take(i, &mut entries);
        }
        if !l.dashes.is_empty() && l.col == col {
            break;
        }
        if i == 0 {
            break;
        }
        i -= 1;
    }
    for (j, text) in lines.iter().enumerate().skip(line + 1) {
        let l = split(text);
        if l.blank {
            continue;
        }
        if l.col < col || (!l.dashes.is_empty() && l.col <= col) {
            break;
        }
        take(j, &mut entries);
    }
    entries
}

/// Where the last unclosed `{{` or `{%` of `text` opens its expression.
fn open_template(text: &str) -> Option<usize> {
    let open = text.rfind("{{").max(text.rfind("{%"))?;
    let after = &text[open + 2..];
    (!after.contains("}}") && !after.contains("%}")).then_some(open + 2)
}

/// Inside an unclosed flow mapping or list: the steps into it, what the cursor is on there,
/// and the byte offset (in `value`) of the word being typed.
fn flow(value: &str) -> Option<(Vec<Step>, At, usize)> {
    if !value.starts_with(['{', '[']) {
        return None;
    }
    let mut stack: Vec<Step> = Vec::new();
    let mut key: Option<String> = None;
    let mut token_start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in value.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' => {
                if let Some(k) = key.take() {
                    stack.push(Step::Key(k));
                }
                stack.push(Step::Key(String::new())); // marks a mapping level
                token_start = i + 1;
            }
            '[' => {
                if let Some(k) = key.take() {
                    stack.push(Step::Key(k));
                }
                stack.push(Step::Item);
                token_start = i + 1;
            }
            '}' | ']' => {
                stack.pop();
                if matches!(stack.last(), Some(Step::Key(k)) if !k.is_empty()) {
                    stack.pop();
                }
                key = None;
                token_start = i + 1;
            }
            ',' => {
                key = None;
                token_start = i + 1;
            }
            ':' => {
                key = Some(value[token_start..i].trim().to_owned());
                token_start = i + 1;
            }
            _ => {}
        }
    }
    if stack.is_empty() {
        return None;
    }
    let raw = &value[token_start..];
    let start = token_start + (raw.len() - raw.trim_start().len());
    let word = raw.trim_start().to_owned();
    let in_map = matches!(stack.last(), Some(Step::Key(k)) if k.is_empty());
    let steps: Vec<Step> = stack
        .into_iter()
        .filter(|s| !matches!(s, Step::Key(k) if k.is_empty()))
        .collect();
    let at = match key {
        Some(key) => At::Value { key, word },
        None if in_map => At::Key { word },
        None => At::Value {
            key: String::new(),
            word,
        },
    };
    Some((steps, at, start))
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The word (letters, digits, `_`, `-`, `/`, `.`) around byte `offset`, and its byte range.
pub(crate) fn word_at(text: &str, offset: usize, extra: &[char]) -> (String, usize, usize) {
    let offset = floor_boundary(text, offset.min(text.len()));
    let part = |c: char| c.is_alphanumeric() || c == '_' || extra.contains(&c);
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| part(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !part(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (text[start..end].to_owned(), start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Context {
        let offset = text.find('‸').unwrap();
        let text = text.replacen('‸', "", 1);
        context(&text, offset)
    }

    fn keys(path: &[Step]) -> Vec<String> {
        path.iter()
            .map(|s| match s {
                Step::Key(k) => k.clone(),
                Step::Item => "-".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_key_in_a_clip_has_the_path_down_to_the_clip() {
        let c = at("scenes:\n  - say: hi\n    clips:\n      - text: hi\n        le‸\n");
        assert_eq!(keys(&c.path), ["scenes", "-", "clips", "-"]);
        assert_eq!(
            c.at,
            At::Key {
                word: "le".to_owned()
            }
        );
        assert!(c.siblings.iter().any(|(k, v)| k == "text" && v == "hi"));
    }

    #[test]
    fn a_new_item_on_the_cursor_line_is_a_step() {
        let c = at("scenes:\n  - say: hi\n    clips:\n      - ‸\n");
        assert_eq!(keys(&c.path), ["scenes", "-", "clips", "-"]);
        let c = at("scenes:\n  - say: hi\n    clips:\n    - te‸\n");
        assert_eq!(keys(&c.path), ["scenes", "-", "clips", "-"]);
    }

    #[test]
    fn a_value_and_a_flow_mapping() {
        let c = at("avatar:\n  preset: an‸\n");
        assert_eq!(keys(&c.path), ["avatar"]);
        assert_eq!(
            c.at,
            At::Value {
                key: "preset".to_owned(),
                word: "an".to_owned()
            }
        );
        let c = at("scenes:\n  - clips:\n      - text: hi\n        font: { size: 3, co‸\n");
        assert_eq!(keys(&c.path), ["scenes", "-", "clips", "-", "font"]);
        assert_eq!(
            c.at,
            At::Key {
                word: "co".to_owned()
            }
        );
    }

    #[test]
    fn inside_a_template() {
        let c = at("scenes:\n  - say: \"Hi {{ na‸\"\n");
        assert_eq!(
            c.at,
            At::Template {
                expr: " na".to_owned()
            }
        );
        let c = at("name: \"{{ a }} {{ b | up‸");
        assert_eq!(
            c.at,
            At::Template {
                expr: " b | up".to_owned()
            }
        );
    }
}
