//! Lints: things in a valid project that are probably mistakes — media the service cannot
//! fetch, speech that will not be spoken, clips nobody will see. `vidspec check` prints them
//! as warnings (and fails on them with `--deny-warnings`).

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::lower::Origins;
use crate::lower::Presets;

/// Markup the vendor documents inside speech.
const SPEECH_TAGS: &[&str] = &["p", "span"];

/// The lints of one compiled project.
pub(crate) fn lint(project: &Value, origins: &Origins, presets: &Presets) -> Vec<Diagnostic> {
    let mut lints = Lints {
        origins,
        found: Vec::new(),
    };
    let portrait = project["orientation"] == "portrait";
    let canvas = crate::lower::canvas(portrait);
    for (s, scene) in project["scenes"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let at = format!("/scenes/{s}");
        if let Some(url) = scene["background"]["source_url"]
            .as_str()
            .filter(|u| !u.is_empty())
        {
            lints.media(url, &format!("{at}/background/source_url"));
        }
        let clips = scene["clips"].as_array().map_or(&[][..], Vec::as_slice);
        let speech = scene["scripts"][0]["org"].as_str().unwrap_or_default();
        let avatar = clips.iter().position(|c| c["type"] == "aiModel");
        if let Some(a) = avatar {
            let clip = &clips[a];
            let visible = clip["isDelete"] != true;
            if visible && speech.trim().is_empty() {
                lints.warn(
                    &format!("{at}/scripts/0/org"),
                    "the presenter is on screen but says nothing in this scene",
                    Some("add `say:`, or `avatar: none` for a scene without the presenter"),
                );
            }
            let language = clip["model"]["language"].as_str().unwrap_or_default();
            let ai_name = clip["model"]["ai_name"].as_str().unwrap_or_default();
            let emotion = clip["model"]["emotion"].as_str().unwrap_or_default();
            let preset = presets
                .by_alias
                .values()
                .find(|p| p.ai_name == ai_name && p.clothing == emotion);
            if let Some(preset) = preset.filter(|p| !p.languages.iter().any(|l| l == language)) {
                lints.warn(
                    &format!("{at}/clips/{a}/model/language"),
                    &format!(
                        "the speech language `{language}` is not one the preset `{}` speaks ({})",
                        preset.alias,
                        preset.languages.join(", ")
                    ),
                    None,
                );
            }
        }
        if let Some(tag) = foreign_markup(speech) {
            lints.warn(
                &format!("{at}/scripts/0/org"),
                &format!(
                    "speech contains `<{tag}>`; the service documents only <p> and <span> in speech"
                ),
                Some("use plain text, or <p>/<span>"),
            );
        }
        if let Some(color) = scene["background"]["source_color"].as_str() {
            lints.color(color, &format!("{at}/background/source_color"));
        }
        for (c, clip) in clips.iter().enumerate() {
            let here = format!("{at}/clips/{c}");
            if clip["type"] != "aiModel" {
                for key in ["fill", "backgroundColor", "stroke"] {
                    if let Some(color) = clip[key].as_str() {
                        lints.color(color, &format!("{here}/{key}"));
                    }
                }
                if let Some(color) = clip["shadow"]["color"].as_str() {
                    lints.color(color, &format!("{here}/shadow/color"));
                }
            }
            if clip["type"] == "textImage"
                && clip["text"].as_str().is_some_and(|t| t.trim().is_empty())
            {
                lints.warn(&format!("{here}/text"), "this text clip has no text", None);
            }
            for key in ["source_url", "video_url"] {
                if clip["type"] != "aiModel" {
                    if let Some(url) = clip[key].as_str() {
                        lints.media(url, &format!("{here}/{key}"));
                    }
                }
            }
            if clip["type"] == "audio" || clip["isDelete"] == true {
                continue;
            }
            let (x, y, w, h) = bounds(clip);
            if x >= canvas.0 || y >= canvas.1 || x + w <= 0.0 || y + h <= 0.0 {
                lints.warn(
                    &here,
                    "this clip lies entirely outside the canvas",
                    Some(&format!("the canvas is {}×{}", canvas.0, canvas.1)),
                );
            }
            for (d, other) in clips.iter().enumerate().skip(c + 1) {
                if other["type"] == "audio"
                    || other["isDelete"] == true
                    || other["layer"] != clip["layer"]
                {
                    continue;
                }
                let (ox, oy, ow, oh) = bounds(other);
                if x < ox + ow && ox < x + w && y < oy + oh && oy < y + h {
                    let first = origins.find(&here).map_or_else(
                        || format!("clip {c}"),
                        |s| format!("the clip at {}", s.location()),
                    );
                    lints.warn(
                        &format!("{at}/clips/{d}/layer"),
                        &format!("this clip overlaps {first} on the same layer {}; which one is on top is undefined", clip["layer"]),
                        Some("give one of them a different `layer`"),
                    );
                }
            }
        }
    }
    // One warning per place: a spec-wide setting lints once, not once per scene.
    let mut seen = std::collections::HashSet::new();
    lints
        .found
        .retain(|w| seen.insert((w.message.clone(), w.span.as_ref().map(|s| s.location()))));
    lints.found
}

struct Lints<'a> {
    origins: &'a Origins,
    found: Vec<Diagnostic>,
}

impl Lints<'_> {
    fn warn(&mut self, pointer: &str, message: &str, help: Option<&str>) {
        let mut warning = Diagnostic::warning(message);
        if let Some(span) = self.origins.find(pointer) {
            warning = warning.at(span);
        }
        if let Some(help) = help {
            warning = warning.with_help(help);
        }
        self.found.push(warning);
    }

    fn color(&mut self, text: &str, pointer: &str) {
        if !crate::lower::is_color(text) {
            self.warn(
                pointer,
                &format!("`{text}` does not look like a colour"),
                Some("write `#rrggbb`, `rgb(r,g,b)`, `rgba(r,g,b,a)` or a colour name"),
            );
        }
    }

    /// Media must be fetchable by the service: http(s), or a path on the service itself.
    fn media(&mut self, url: &str, pointer: &str) {
        let lower = url.to_ascii_lowercase();
        let fetchable = lower.starts_with("https://")
            || lower.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//"));
        let local = lower.starts_with("file:")
            || url.starts_with("./")
            || url.starts_with("../")
            || url.starts_with('~')
            || url.contains('\\');
        if local || !fetchable {
            self.warn(
                pointer,
                &format!("`{url}` is not an http(s) URL; the service cannot fetch local files"),
                Some("upload the file and use its https:// URL"),
            );
        } else if lower.starts_with("http://localhost") || lower.starts_with("http://127.") {
            self.warn(
                pointer,
                &format!("`{url}` points at this machine; the service cannot reach it"),
                None,
            );
        }
    }
}

/// The clip's box on the canvas: left, top, and its size times its scale.
fn bounds(clip: &Value) -> (f64, f64, f64, f64) {
    let number = |key: &str, default: f64| clip[key].as_f64().unwrap_or(default);
    (
        number("left", 0.0),
        number("top", 0.0),
        number("width", 0.0) * number("scaleX", 1.0),
        number("height", 0.0) * number("scaleY", 1.0),
    )
}

/// The first tag in `speech` other than the documented ones.
fn foreign_markup(speech: &str) -> Option<String> {
    let mut rest = speech;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if !name.is_empty() && !SPEECH_TAGS.contains(&name.as_str()) {
            return Some(name);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_speech_tags_are_fine_and_others_are_not() {
        assert_eq!(foreign_markup("<p>Hello <span>there</span></p>"), None);
        assert_eq!(foreign_markup("Hello <b>you</b>"), Some("b".into()));
        assert_eq!(foreign_markup("1 < 2"), None);
    }
}
