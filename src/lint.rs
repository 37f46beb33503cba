//! Lints: things in a valid project that are probably mistakes — media the service cannot
//! fetch or that is empty, speech that will not be spoken or runs too long, clips nobody will
//! see, text wider than its box or the frame. Every command that compiles prints them as
//! warnings (and fails on them with `--deny-warnings`); in a batch they are found per row,
//! with that row's values.

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::lower::Origins;
use crate::lower::Presets;

/// Markup the vendor documents inside speech.
const SPEECH_TAGS: &[&str] = &["p", "span"];

/// How the lints that depend on the values of a render (a batch row's) begin: a batch says
/// these for every row that has them, the others once.
const ROW_AWARE: &[&str] = &[
    TEXT_PAST_THE_FRAME,
    CLIP_PARTLY_OUTSIDE,
    TEXT_WIDER_THAN_ITS_BOX,
    LONG_SPEECH,
    EMPTY_MEDIA,
    EMPTY_BACKGROUND,
];
const TEXT_PAST_THE_FRAME: &str = "this text runs past the edge of the frame";
const CLIP_PARTLY_OUTSIDE: &str = "this clip lies partly outside the canvas";
const TEXT_WIDER_THAN_ITS_BOX: &str = "this text needs about";
const LONG_SPEECH: &str = "this scene's speech is";
const EMPTY_MEDIA: &str = "this clip's media URL is empty";
const EMPTY_BACKGROUND: &str = "this background image's URL is empty";

/// Whether a lint depends on the values of the render (text measured, speech counted, a URL
/// that came out empty), so that each batch row with it should be told.
pub fn is_row_aware(lint: &Diagnostic) -> bool {
    ROW_AWARE
        .iter()
        .any(|start| lint.message.starts_with(start))
}

/// Speech longer than this many characters in one scene is reported (unless `--max-speech`).
pub const MAX_SPEECH: usize = 1_000;

/// What the lints may be told.
#[derive(Clone, Copy, Debug)]
pub struct LintOptions {
    /// Characters of speech one scene may have.
    pub max_speech: usize,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions {
            max_speech: MAX_SPEECH,
        }
    }
}

/// The lints of one compiled project.
pub(crate) fn lint(
    project: &Value,
    origins: &Origins,
    presets: &Presets,
    options: &LintOptions,
) -> Vec<Diagnostic> {
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
        let background = &scene["background"];
        match background["source_url"].as_str() {
            Some(url) if url.trim().is_empty() && background["source_type"] == "image" => {
                lints.warn(
                    &format!("{at}/background/source_url"),
                    EMPTY_BACKGROUND,
                    Some("give it a URL, or leave `image` out for a plain colour"),
                );
            }
            Some(url) if !url.is_empty() => {
                lints.media(url, &format!("{at}/background/source_url"));
            }
            _ => {}
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
        let spoken = speech.chars().count();
        if spoken > options.max_speech {
            lints.warn(
                &format!("{at}/scripts/0/org"),
                &format!(
                    "{LONG_SPEECH} {spoken} characters, more than {}",
                    options.max_speech
                ),
                Some("split it over more scenes, or raise the limit with `--max-speech`"),
            );
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
                    match clip[key].as_str() {
                        Some(url) if url.trim().is_empty() => lints.warn(
                            &format!("{here}/{key}"),
                            EMPTY_MEDIA,
                            Some("give the clip a URL (a value that renders empty leaves the clip blank)"),
                        ),
                        Some(url) => lints.media(url, &format!("{here}/{key}")),
                        None => {}
                    }
                }
            }
            if clip["type"] == "audio" || clip["isDelete"] == true {
                continue;
            }
            let (x, y, w, h) = bounds(clip);
            let text = shown_text(clip);
            let placement = placement(clip, canvas);
            if placement == Placement::Outside {
                lints.warn(
                    &here,
                    "this clip lies entirely outside the canvas",
                    Some(&format!("the canvas is {}×{}", canvas.0, canvas.1)),
                );
            } else if placement == Placement::Partly {
                let what = if text.is_some() {
                    TEXT_PAST_THE_FRAME
                } else {
                    CLIP_PARTLY_OUTSIDE
                };
                lints.warn(
                    &here,
                    &format!(
                        "{what}: it spans {}–{} × {}–{} on a {}×{} canvas",
                        x.round(),
                        (x + w).round(),
                        y.round(),
                        (y + h).round(),
                        canvas.0,
                        canvas.1
                    ),
                    Some("move it, make it smaller, or shorten the text"),
                );
            }
            if let Some(TextTooWide {
                needed,
                width,
                size,
            }) = text_too_wide(clip)
            {
                lints.warn(
                    &format!("{here}/text"),
                    &format!(
                        "{TEXT_WIDER_THAN_ITS_BOX} {needed} px at size {size}, and its box is {width} px wide"
                    ),
                    Some("widen the box, lower `font.size`, or shorten the text"),
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
/// Where a clip lies on the canvas (audio and deleted clips are not asked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    Inside,
    /// Entirely outside: nothing of it shows.
    Outside,
    /// Partly outside. Never said of a presenter, whose full-body box runs past the frame by
    /// design.
    Partly,
}

/// Where `clip` lies on a `canvas` (width, height): `check`'s lint and the preview's outline.
pub(crate) fn placement(clip: &Value, canvas: (f64, f64)) -> Placement {
    let (x, y, w, h) = bounds(clip);
    if x >= canvas.0 || y >= canvas.1 || x + w <= 0.0 || y + h <= 0.0 {
        Placement::Outside
    } else if clip["type"] != "aiModel"
        && (x < 0.0 || y < 0.0 || x + w > canvas.0 || y + h > canvas.1)
    {
        Placement::Partly
    } else {
        Placement::Inside
    }
}

/// A text clip's text, unless it is blank.
fn shown_text(clip: &Value) -> Option<&str> {
    (clip["type"] == "textImage")
        .then(|| clip["text"].as_str())
        .flatten()
        .filter(|t| !t.trim().is_empty())
}

/// A text wider than its box, measured as the box estimate measures it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TextTooWide {
    pub(crate) needed: f64,
    pub(crate) width: f64,
    pub(crate) size: f64,
}

/// `Some` when `clip`'s text needs more width than its box gives.
pub(crate) fn text_too_wide(clip: &Value) -> Option<TextTooWide> {
    let text = shown_text(clip)?;
    let size = clip["fontSize"].as_f64().unwrap_or(48.0);
    let (needed, _) = crate::lower::text_box(text, size);
    let width = clip["width"].as_f64().unwrap_or(needed);
    (needed > width + 0.5).then_some(TextTooWide {
        needed,
        width,
        size,
    })
}

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
