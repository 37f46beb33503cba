//! How long a project's speech will take, estimated from its text: the one estimate the
//! batch plan (`--plan`) and the preview share.
//!
//! The rate depends on how the language is written. Languages written in syllables or
//! characters are counted in those: Korean 5.5 Hangul syllables a second, Japanese 7
//! characters a second (kana and kanji mixed), Chinese 4.5 characters a second. Every other
//! language is counted in words at 150 a minute (2.5 a second). Each sentence end (`.`, `!`,
//! `?`, `。` and the like) adds a 0.4 s pause. These are typical text-to-speech rates; the
//! vendor's real duration is known only after the export.
//!
//! A Latin word inside Korean, Japanese or Chinese speech (`Galaxy`, `S24`, `don't`, a brand
//! or a product code) is one word at the English rate, not one syllable per letter: a voice
//! reads `Galaxy` as the word it is (갤럭시, three syllables, about the 0.4 s an English word
//! takes), where counting its six letters would say more than a second. A number alone (`3`
//! in `3개`) is still counted by its digits, as the language's own numerals are read.

use serde_json::Value;

/// Words a second in a language written in words (and for a Latin word in any language).
const WORDS_PER_SECOND: f64 = 2.5;

/// The seconds it takes to say `text` in `language` (a code such as `ko`, `en-US`).
pub(crate) fn seconds(text: &str, language: &str) -> f64 {
    let base = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let per_second = match base.as_str() {
        "ko" => Some(5.5),
        "ja" => Some(7.0),
        "zh" => Some(4.5),
        _ => None,
    };
    let spoken = match per_second {
        Some(rate) => {
            let (characters, words) = characters_and_latin_words(text);
            characters as f64 / rate + words as f64 / WORDS_PER_SECOND
        }
        None => text.split_whitespace().count() as f64 / WORDS_PER_SECOND,
    };
    let pauses = text.chars().filter(|c| is_pause(*c)).count() as f64 * 0.4;
    spoken + pauses
}

/// The text of a language written in syllables or characters, counted: its characters
/// (neither spaces nor sentence ends), and apart from them its Latin words — runs of Latin
/// letters and digits holding at least one letter, with an apostrophe or a hyphen between
/// letters (`don't`, `e-mail`) inside the word. A run of digits alone is characters.
fn characters_and_latin_words(text: &str) -> (usize, usize) {
    let (mut characters, mut words) = (0, 0);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || is_pause(c) {
            continue;
        }
        if !is_latin_letter(c) && !c.is_ascii_digit() {
            characters += 1;
            continue;
        }
        let (mut digits, mut letter) = (usize::from(c.is_ascii_digit()), is_latin_letter(c));
        let mut last = c;
        loop {
            match chars.peek().copied() {
                Some(next) if is_latin_letter(next) || next.is_ascii_digit() => {
                    digits += usize::from(next.is_ascii_digit());
                    letter |= is_latin_letter(next);
                }
                // A joiner inside a word: the letter after it goes on the word.
                Some('\'' | '’' | '-') if is_latin_letter(last) => {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if !ahead.peek().copied().is_some_and(is_latin_letter) {
                        break;
                    }
                }
                _ => break,
            }
            last = chars.next().unwrap_or(last);
        }
        if letter {
            words += 1;
        } else {
            characters += digits;
        }
    }
    (characters, words)
}

/// A letter of the Latin script: ASCII, the accented letters of Latin-1 and Latin
/// Extended-A/B (`é`, `ß`, `ł`), and the full-width forms Japanese and Chinese text uses.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (('\u{C0}'..='\u{24F}').contains(&c) && c.is_alphabetic())
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

fn is_pause(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
}

/// The seconds of speech of a v3 project: each scene's [`scene_seconds`], summed.
pub(crate) fn project_seconds(project: &Value) -> f64 {
    let Some(scenes) = project["scenes"].as_array() else {
        return 0.0;
    };
    scenes.iter().map(scene_seconds).sum()
}

/// The seconds of speech of one scene: the text of its `scripts[0].org`, in the language of
/// its avatar clip (`model.language`; English when none says).
pub(crate) fn scene_seconds(scene: &Value) -> f64 {
    let text = plain(scene["scripts"][0]["org"].as_str().unwrap_or_default());
    seconds(&text, scene_language(scene).unwrap_or("en"))
}

/// The language a scene is spoken in: its avatar clip's `model.language`.
pub(crate) fn scene_language(scene: &Value) -> Option<&str> {
    scene["clips"]
        .as_array()
        .and_then(|clips| clips.iter().find_map(|c| c["model"]["language"].as_str()))
}

/// The text of speech that may hold markup: the tags the vendor documents (`<p>`, `<span>`,
/// with attributes or closing) dropped, a paragraph as a line, the entities of HTML's basic
/// set and numeric ones decoded. Any other tag stays as text (the lints warn of it; a reader
/// of the preview should see it), and so does a `<` that starts no tag (`1 < 2`).
pub(crate) fn plain(speech: &str) -> String {
    let mut out = String::with_capacity(speech.len());
    let mut rest = speech;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some((tag, len)) = tag(rest).filter(|(t, _)| matches!(t.as_str(), "p" | "span")) {
            if tag == "p" && !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            rest = &rest[len..];
        } else if let Some((c, len)) = entity(rest) {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// A tag at the start of `text` (`<p>`, `</span>`, `<br/>`, `<span class="x">`): its
/// lowercased name and its length in bytes.
fn tag(text: &str) -> Option<(String, usize)> {
    let inner = text.strip_prefix('<')?;
    let name_at = usize::from(inner.starts_with('/'));
    let name: String = inner[name_at..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = &inner[name_at + name.len()..];
    if !after.starts_with(['>', ' ', '/', '\t', '\n']) {
        return None;
    }
    let close = after.find('>')?;
    Some((
        name.to_ascii_lowercase(),
        1 + name_at + name.len() + close + 1,
    ))
}

/// An entity at the start of `text` (`&amp;`, `&#44032;`, `&#xAC00;`): the character and
/// the entity's length in bytes.
fn entity(text: &str) -> Option<(char, usize)> {
    let end = text.bytes().take(12).position(|b| b == b';')?;
    let body = &text[1..end];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#39" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let code = if let Some(hex) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                body.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
        }
    };
    Some((c, end + 1))
}

/// `1 h 02 min 05 s`, `3 min 20 s`, `12.5 s`.
pub(crate) fn duration(seconds: f64) -> String {
    // An empty sum is -0.0, which would print as `-0.0 s`.
    let seconds = if seconds > 0.0 { seconds } else { 0.0 };
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else {
        format!("{m} min {s:02} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_is_counted_in_words_or_syllables_by_language() {
        assert!((seconds("one two three four five", "en") - 2.0).abs() < 1e-9);
        assert!((seconds("one two three four five.", "en-US") - 2.4).abs() < 1e-9);
        // 13 Hangul syllables at 5.5 a second, one pause.
        assert!((seconds("안녕하세요 반갑습니다 여러분.", "ko") - (13.0 / 5.5 + 0.4)).abs() < 1e-9);
        assert!((seconds("你好世界啊", "zh-CN") - 5.0 / 4.5).abs() < 1e-9);
        assert_eq!(seconds("", "ja"), 0.0);
    }

    /// Latin words in Korean, Japanese or Chinese speech are words at the English rate; the
    /// script's own characters and numbers are counted as before.
    #[test]
    fn latin_words_in_syllable_languages_are_words_not_letters() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // 삼성, 출시 (4 syllables); Galaxy, S24 (2 words); one pause.
        assert!(close(
            seconds("삼성 Galaxy S24 출시.", "ko"),
            4.0 / 5.5 + 2.0 / 2.5 + 0.4
        ));
        // Ten letters are one word, not ten syllables.
        assert!(close(seconds("ABCDEFGHIJ", "ko-KR"), 1.0 / 2.5));
        // Glued to Hangul, a word is still a word: 아이폰 is not spelt out.
        assert!(close(
            seconds("iPhone을 샀어요", "ko"),
            4.0 / 5.5 + 1.0 / 2.5
        ));
        // Joiners inside a word; a digit run alone is syllables (3, 개).
        assert!(close(
            seconds("don't e-mail 3개", "ko"),
            2.0 / 5.5 + 2.0 / 2.5
        ));
        // A hyphen or an apostrophe not between letters is a character of its own.
        assert!(close(seconds("A- 'B", "ko"), 2.0 / 5.5 + 2.0 / 2.5));
        assert!(close(
            seconds("Café와 Ｔｏｋｙｏ", "ja"),
            1.0 / 7.0 + 2.0 / 2.5
        ));
        assert!(close(seconds("我用Windows", "zh"), 2.0 / 4.5 + 1.0 / 2.5));
        // English is counted in words as it was.
        assert!(close(seconds("Galaxy S24", "en"), 2.0 / 2.5));
    }

    #[test]
    fn a_project_sums_its_scenes() {
        let project = serde_json::json!({"scenes": [
            {"scripts": [{"org": "one two three four five"}], "clips": [{"model": {"language": "en"}}]},
            {"scripts": [{"org": "안녕"}], "clips": [{"type": "image"}, {"model": {"language": "ko"}}]},
        ]});
        assert!((project_seconds(&project) - (2.0 + 2.0 / 5.5)).abs() < 1e-9);
    }

    #[test]
    fn markup_is_not_spoken() {
        assert_eq!(
            plain("<p>Hello <span class=\"x\">there</span></p><p>again</p>"),
            "Hello there\nagain"
        );
        assert_eq!(plain("1 < 2 &amp; 3 > 2"), "1 < 2 & 3 > 2");
        assert_eq!(plain("&#xAC00;&#44033; &bogus; &"), "가각 &bogus; &");
        assert_eq!(plain("&가나다라마바"), "&가나다라마바");
        assert_eq!(plain("<P>a</P><p >b</p>"), "a\nb");
        assert_eq!(
            plain("<b>bold</b> <script>x</script>"),
            "<b>bold</b> <script>x</script>"
        );
        assert_eq!(plain("a <3 b"), "a <3 b");
        // Tags count for nothing in the estimate, in words or in syllables.
        let scene = |org: &str, language: &str| serde_json::json!({"scripts": [{"org": org}], "clips": [{"model": {"language": language}}]});
        assert_eq!(
            scene_seconds(&scene("<p>one two</p>", "en")),
            seconds("one two", "en")
        );
        assert_eq!(
            scene_seconds(&scene("<p>안녕</p>", "ko")),
            seconds("안녕", "ko")
        );
    }

    #[test]
    fn durations_read_as_a_clock() {
        assert_eq!(super::duration(12.46), "12.5 s");
        assert_eq!(super::duration(200.0), "3 min 20 s");
        assert_eq!(super::duration(3725.0), "1 h 02 min 05 s");
    }
}
