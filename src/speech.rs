//! How long a project's speech will take, estimated from its text: the one estimate the
//! batch plan (`--plan`) and the preview share.
//!
//! The rate depends on how the language is written. Languages written in syllables or
//! characters are counted in those: Korean 5.5 Hangul syllables a second, Japanese 7
//! characters a second (kana and kanji mixed), Chinese 4.5 characters a second. Every other
//! language is counted in words at 150 a minute (2.5 a second). Each sentence end (`.`, `!`,
//! `?`, `。` and the like) adds a 0.4 s pause. These are typical text-to-speech rates; the
//! vendor's real duration is known only after the export.

use serde_json::Value;

/// The seconds it takes to say `text` in `language` (a code such as `ko`, `en-US`).
pub(crate) fn seconds(text: &str, language: &str) -> f64 {
    let base = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let spoken = match base.as_str() {
        "ko" => {
            text.chars()
                .filter(|c| !c.is_whitespace() && !is_pause(*c))
                .count() as f64
                / 5.5
        }
        "ja" => {
            text.chars()
                .filter(|c| !c.is_whitespace() && !is_pause(*c))
                .count() as f64
                / 7.0
        }
        "zh" => {
            text.chars()
                .filter(|c| !c.is_whitespace() && !is_pause(*c))
                .count() as f64
                / 4.5
        }
        _ => text.split_whitespace().count() as f64 / 2.5,
    };
    let pauses = text.chars().filter(|c| is_pause(*c)).count() as f64 * 0.4;
    spoken + pauses
}

fn is_pause(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
}

/// The seconds of speech of a v3 project: each scene's `scripts[0].org`, in the language of
/// its avatar clip (`model.language`), summed.
pub(crate) fn project_seconds(project: &Value) -> f64 {
    let Some(scenes) = project["scenes"].as_array() else {
        return 0.0;
    };
    scenes
        .iter()
        .map(|scene| {
            let text = scene["scripts"][0]["org"].as_str().unwrap_or_default();
            let language = scene["clips"]
                .as_array()
                .and_then(|clips| clips.iter().find_map(|c| c["model"]["language"].as_str()))
                .unwrap_or("en");
            seconds(text, language)
        })
        .sum()
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

    #[test]
    fn a_project_sums_its_scenes() {
        let project = serde_json::json!({"scenes": [
            {"scripts": [{"org": "one two three four five"}], "clips": [{"model": {"language": "en"}}]},
            {"scripts": [{"org": "안녕"}], "clips": [{"type": "image"}, {"model": {"language": "ko"}}]},
        ]});
        assert!((project_seconds(&project) - (2.0 + 2.0 / 5.5)).abs() < 1e-9);
    }
}
