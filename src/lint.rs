//! Lints: things in a valid project that are probably mistakes — media the service cannot
//! fetch or that is empty, speech that will not be spoken or runs too long, clips nobody will
//! see, text wider than its box or the frame. Every command that compiles prints them as
//! warnings (and fails on them with `--deny-warnings`); in a batch they are found per row,
//! with that row's values.

use std::borrow::Cow;

use serde_json::Value;

use crate::diag::{Diagnostic, Span};
use crate::lower::Origins;
use crate::lower::Presets;
use crate::lower::json_path::Step;

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
    let canvas = canvas_of(project);
    let mut found = Vec::new();
    for (s, scene) in project["scenes"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let facts = SceneFacts::of(scene);
        let locate = |pointer: &str| origins.find(pointer).cloned();
        lint_scene(&mut found, &locate, s, &facts, canvas, presets, options);
    }
    dedupe(&mut found);
    found
}

/// The canvas (width, height) of a project.
pub(crate) fn canvas_of(project: &Value) -> (f64, f64) {
    crate::lower::canvas(project["orientation"] == "portrait")
}

/// One warning per place: a spec-wide setting lints once, not once per scene.
pub(crate) fn dedupe(found: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    found.retain(|w| seen.insert((w.message.clone(), w.span.as_ref().map(|s| s.location()))));
}

/// The numbers of a clip the lints read, in [`ClipFacts::numbers`]' order.
pub(crate) const CLIP_NUMBERS: [&str; 7] = [
    "left", "top", "width", "height", "scaleX", "scaleY", "fontSize",
];
const LEFT: usize = 0;
const TOP: usize = 1;
const WIDTH: usize = 2;
const HEIGHT: usize = 3;
const SCALE_X: usize = 4;
const SCALE_Y: usize = 5;
const FONT_SIZE: usize = 6;
/// The strings of a clip the lints read that a row's text may fill, in [`ClipFacts::texts`]'
/// order.
pub(crate) const CLIP_TEXTS: [&str; 3] = ["text", "source_url", "video_url"];
const TEXT: usize = 0;
/// The other keys of a clip the lints read.
const CLIP_OTHERS: [&str; 8] = [
    "type",
    "isDelete",
    "layer",
    "fill",
    "backgroundColor",
    "stroke",
    "shadow",
    "model",
];

/// What the lints read of one clip: [`lint`] takes it from a document, a row plan's shape
/// from its prebuilt project with the row's values put in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClipFacts<'a> {
    kind: Cow<'a, str>,
    deleted: bool,
    layer: Cow<'a, Value>,
    /// `fill`, `backgroundColor`, `stroke`, `shadow.color`.
    colors: [Option<Cow<'a, str>>; 4],
    /// The presenter's `model`: `language`, `ai_name`, `emotion` (None: not checked).
    model: Option<[Cow<'a, str>; 3]>,
    /// By [`CLIP_NUMBERS`].
    pub(crate) numbers: [Option<f64>; 7],
    /// By [`CLIP_TEXTS`].
    pub(crate) texts: [Option<Cow<'a, str>>; 3],
}

/// What the lints read of one scene.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SceneFacts<'a> {
    background_url: Option<Cow<'a, str>>,
    background_image: bool,
    background_color: Option<Cow<'a, str>>,
    speech: Cow<'a, str>,
    pub(crate) clips: Vec<ClipFacts<'a>>,
}

/// Where in a project a value sits, as the lints read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// No lint reads it.
    Unread,
    /// A lint reads it, not as one of the fields below.
    Other,
    /// Scene `0`'s background image URL.
    BackgroundUrl(usize),
    /// Scene `0`'s speech.
    Speech(usize),
    /// Scene `0`, clip `1`, [`CLIP_NUMBERS`] `2`.
    ClipNumber(usize, usize, usize),
    /// Scene `0`, clip `1`, [`CLIP_TEXTS`] `2`.
    ClipText(usize, usize, usize),
}

/// How the lints read the value at `path` of a project.
pub(crate) fn read_at(path: &[Step]) -> Read {
    let key = |i: usize| match path.get(i) {
        Some(Step::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let index = |i: usize| match path.get(i) {
        Some(Step::Index(n)) => Some(*n),
        _ => None,
    };
    match (key(0), index(1)) {
        (Some("orientation"), _) => Read::Other,
        (Some("scenes"), Some(s)) => match key(2) {
            Some("background") => match key(3) {
                Some("source_url") if path.len() == 4 => Read::BackgroundUrl(s),
                Some("source_url" | "source_type" | "source_color") => Read::Other,
                _ => Read::Unread,
            },
            Some("scripts") => match (index(3), key(4)) {
                (Some(0), Some("org")) if path.len() == 5 => Read::Speech(s),
                (Some(0), Some("org")) => Read::Other,
                _ => Read::Unread,
            },
            Some("clips") => {
                let (Some(c), Some(field)) = (index(3), key(4)) else {
                    return if path.len() <= 3 {
                        Read::Other
                    } else {
                        Read::Unread
                    };
                };
                let whole = path.len() == 5;
                if let Some(k) = CLIP_NUMBERS
                    .iter()
                    .position(|n| *n == field)
                    .filter(|_| whole)
                {
                    Read::ClipNumber(s, c, k)
                } else if let Some(k) = CLIP_TEXTS
                    .iter()
                    .position(|n| *n == field)
                    .filter(|_| whole)
                {
                    Read::ClipText(s, c, k)
                } else if CLIP_NUMBERS.contains(&field)
                    || CLIP_TEXTS.contains(&field)
                    || CLIP_OTHERS.contains(&field)
                {
                    Read::Other
                } else {
                    Read::Unread
                }
            }
            _ => Read::Unread,
        },
        (Some("scenes"), None) => Read::Other,
        _ => Read::Unread,
    }
}

fn str_of(value: &Value) -> Option<Cow<'_, str>> {
    value.as_str().map(Cow::Borrowed)
}

impl<'a> ClipFacts<'a> {
    pub(crate) fn of(clip: &'a Value) -> ClipFacts<'a> {
        ClipFacts {
            kind: Cow::Borrowed(clip["type"].as_str().unwrap_or_default()),
            deleted: clip["isDelete"] == true,
            layer: Cow::Borrowed(&clip["layer"]),
            colors: [
                str_of(&clip["fill"]),
                str_of(&clip["backgroundColor"]),
                str_of(&clip["stroke"]),
                str_of(&clip["shadow"]["color"]),
            ],
            model: Some(
                ["language", "ai_name", "emotion"]
                    .map(|k| Cow::Borrowed(clip["model"][k].as_str().unwrap_or_default())),
            ),
            numbers: CLIP_NUMBERS.map(|k| clip[k].as_f64()),
            texts: CLIP_TEXTS.map(|k| str_of(&clip[k])),
        }
    }

    /// The same facts, owning their text.
    pub(crate) fn into_owned(self) -> ClipFacts<'static> {
        ClipFacts {
            kind: Cow::Owned(self.kind.into_owned()),
            deleted: self.deleted,
            layer: Cow::Owned(self.layer.into_owned()),
            colors: self.colors.map(owned),
            model: self.model.map(|m| m.map(|m| Cow::Owned(m.into_owned()))),
            numbers: self.numbers,
            texts: self.texts.map(owned),
        }
    }

    /// The same facts, borrowing their text from these.
    pub(crate) fn view(&self) -> ClipFacts<'_> {
        ClipFacts {
            kind: Cow::Borrowed(&self.kind),
            deleted: self.deleted,
            layer: Cow::Borrowed(&self.layer),
            colors: self.colors.each_ref().map(borrowed),
            model: self
                .model
                .as_ref()
                .map(|m| m.each_ref().map(|m| Cow::Borrowed(&**m))),
            numbers: self.numbers,
            texts: self.texts.each_ref().map(borrowed),
        }
    }

    fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// The clip's box on the canvas: left, top, and its size times its scale.
    fn bounds(&self) -> (f64, f64, f64, f64) {
        let n = |k: usize, default: f64| self.numbers[k].unwrap_or(default);
        (
            n(LEFT, 0.0),
            n(TOP, 0.0),
            n(WIDTH, 0.0) * n(SCALE_X, 1.0),
            n(HEIGHT, 0.0) * n(SCALE_Y, 1.0),
        )
    }

    /// A text clip's text, unless it is blank.
    fn shown_text(&self) -> Option<&str> {
        self.is("textImage")
            .then(|| self.texts[TEXT].as_deref())
            .flatten()
            .filter(|t| !t.trim().is_empty())
    }

    fn placement(&self, canvas: (f64, f64)) -> Placement {
        let (x, y, w, h) = self.bounds();
        if x >= canvas.0 || y >= canvas.1 || x + w <= 0.0 || y + h <= 0.0 {
            Placement::Outside
        } else if !self.is("aiModel")
            && (x < 0.0 || y < 0.0 || x + w > canvas.0 || y + h > canvas.1)
        {
            Placement::Partly
        } else {
            Placement::Inside
        }
    }

    fn text_too_wide(&self) -> Option<TextTooWide> {
        let text = self.shown_text()?;
        let size = self.numbers[FONT_SIZE].unwrap_or(48.0);
        let (needed, _) = crate::lower::text_box(text, size);
        let width = self.numbers[WIDTH].unwrap_or(needed);
        (needed > width + 0.5).then_some(TextTooWide {
            needed,
            width,
            size,
        })
    }
}

fn owned(text: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    text.map(|t| Cow::Owned(t.into_owned()))
}

fn borrowed<'b>(text: &'b Option<Cow<'_, str>>) -> Option<Cow<'b, str>> {
    text.as_deref().map(Cow::Borrowed)
}

impl<'a> SceneFacts<'a> {
    pub(crate) fn of(scene: &'a Value) -> SceneFacts<'a> {
        let background = &scene["background"];
        SceneFacts {
            background_url: str_of(&background["source_url"]),
            background_image: background["source_type"] == "image",
            background_color: str_of(&background["source_color"]),
            speech: Cow::Borrowed(scene["scripts"][0]["org"].as_str().unwrap_or_default()),
            clips: scene["clips"]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(ClipFacts::of)
                .collect(),
        }
    }

    /// The same facts, owning their text.
    pub(crate) fn into_owned(self) -> SceneFacts<'static> {
        SceneFacts {
            background_url: owned(self.background_url),
            background_image: self.background_image,
            background_color: owned(self.background_color),
            speech: Cow::Owned(self.speech.into_owned()),
            clips: self.clips.into_iter().map(ClipFacts::into_owned).collect(),
        }
    }

    /// The same facts, borrowing their text from these.
    pub(crate) fn view(&self) -> SceneFacts<'_> {
        SceneFacts {
            background_url: borrowed(&self.background_url),
            background_image: self.background_image,
            background_color: borrowed(&self.background_color),
            speech: Cow::Borrowed(&self.speech),
            clips: self.clips.iter().map(ClipFacts::view).collect(),
        }
    }

    /// Puts a text where [`read_at`] found a [`Read::BackgroundUrl`], [`Read::Speech`] or
    /// [`Read::ClipText`].
    pub(crate) fn set_text(&mut self, read: Read, text: Cow<'a, str>) {
        match read {
            Read::BackgroundUrl(_) => self.background_url = Some(text),
            Read::Speech(_) => self.speech = text,
            Read::ClipText(_, c, k) => self.clips[c].texts[k] = Some(text),
            _ => {}
        }
    }

    /// Forgets what lints to nothing in this scene whatever the row (a valid colour, a URL
    /// the service can fetch, a language its preset speaks), unless a row fills it (`filled`):
    /// a row's lint of the scene then need not look at it again.
    pub(crate) fn drop_quiet(&mut self, filled: &[Read], presets: &Presets) {
        fn quiet(check: impl FnOnce(&mut Lints<'_>)) -> bool {
            let mut found = Vec::new();
            let locate = |_: &str| None;
            check(&mut Lints {
                locate: &locate,
                found: &mut found,
            });
            found.is_empty()
        }
        let image = self.background_image;
        if !filled.iter().any(|r| matches!(r, Read::BackgroundUrl(_)))
            && quiet(|l| l.background(0, self.background_url.as_deref(), image))
        {
            self.background_url = None;
        }
        let dropped = |color: &mut Option<Cow<'_, str>>| {
            if color
                .as_deref()
                .is_some_and(|c| quiet(|l| l.color(c, format_args!(""))))
            {
                *color = None;
            }
        };
        dropped(&mut self.background_color);
        for (c, clip) in self.clips.iter_mut().enumerate() {
            clip.colors.iter_mut().for_each(dropped);
            for k in 1..CLIP_TEXTS.len() {
                let url = &mut clip.texts[k];
                let fills = |r: &Read| matches!(r, Read::ClipText(_, d, j) if *d == c && *j == k);
                if !filled.iter().any(fills)
                    && quiet(|l| l.clip_media(url.as_deref(), format_args!("")))
                {
                    *url = None;
                }
            }
            if clip
                .model
                .as_ref()
                .is_some_and(|m| quiet(|l| l.language(0, 0, m, presets)))
            {
                clip.model = None;
            }
        }
    }

    /// Puts a number where [`read_at`] found a [`Read::ClipNumber`].
    pub(crate) fn set_number(&mut self, read: Read, number: Option<f64>) {
        if let Read::ClipNumber(_, c, k) = read {
            self.clips[c].numbers[k] = number;
        }
    }
}

/// Where the value at a JSON pointer came from in the spec (the nearest recorded place).
pub(crate) type Locate<'a> = dyn Fn(&str) -> Option<Span> + 'a;

/// The lints of scene `s`, added to `found` (before [`dedupe`]).
pub(crate) fn lint_scene(
    found: &mut Vec<Diagnostic>,
    locate: &Locate<'_>,
    s: usize,
    scene: &SceneFacts<'_>,
    canvas: (f64, f64),
    presets: &Presets,
    options: &LintOptions,
) {
    let mut lints = Lints { locate, found };
    lints.background(s, scene.background_url.as_deref(), scene.background_image);
    let clips = &scene.clips;
    let speech = &*scene.speech;
    let avatar = clips.iter().position(|c| c.is("aiModel"));
    if let Some(a) = avatar {
        let clip = &clips[a];
        if !clip.deleted && speech.trim().is_empty() {
            lints.warn(
                format_args!("/scenes/{s}/scripts/0/org"),
                "the presenter is on screen but says nothing in this scene",
                Some("add `say:`, or `avatar: none` for a scene without the presenter"),
            );
        }
        if let Some(model) = &clip.model {
            lints.language(s, a, model, presets);
        }
    }
    let spoken = speech.chars().count();
    if spoken > options.max_speech {
        lints.warn(
            format_args!("/scenes/{s}/scripts/0/org"),
            &format!(
                "{LONG_SPEECH} {spoken} characters, more than {}",
                options.max_speech
            ),
            Some("split it over more scenes, or raise the limit with `--max-speech`"),
        );
    }
    if let Some(tag) = foreign_markup(speech) {
        lints.warn(
            format_args!("/scenes/{s}/scripts/0/org"),
            &format!(
                "speech contains `<{tag}>`; the service documents only <p> and <span> in speech"
            ),
            Some("use plain text, or <p>/<span>"),
        );
    }
    if let Some(color) = scene.background_color.as_deref() {
        lints.color(color, format_args!("/scenes/{s}/background/source_color"));
    }
    for (c, clip) in clips.iter().enumerate() {
        if !clip.is("aiModel") {
            for (key, color) in ["fill", "backgroundColor", "stroke", "shadow/color"]
                .iter()
                .zip(&clip.colors)
            {
                if let Some(color) = color.as_deref() {
                    lints.color(color, format_args!("/scenes/{s}/clips/{c}/{key}"));
                }
            }
        }
        if clip.is("textImage")
            && clip.texts[TEXT]
                .as_deref()
                .is_some_and(|t| t.trim().is_empty())
        {
            lints.warn(
                format_args!("/scenes/{s}/clips/{c}/text"),
                "this text clip has no text",
                None,
            );
        }
        if !clip.is("aiModel") {
            for (key, url) in CLIP_TEXTS.iter().zip(&clip.texts).skip(1) {
                lints.clip_media(url.as_deref(), format_args!("/scenes/{s}/clips/{c}/{key}"));
            }
        }
        if clip.is("audio") || clip.deleted {
            continue;
        }
        let (x, y, w, h) = clip.bounds();
        let placement = clip.placement(canvas);
        if placement == Placement::Outside {
            lints.warn(
                format_args!("/scenes/{s}/clips/{c}"),
                "this clip lies entirely outside the canvas",
                Some(&format!("the canvas is {}×{}", canvas.0, canvas.1)),
            );
        } else if placement == Placement::Partly {
            let what = if clip.shown_text().is_some() {
                TEXT_PAST_THE_FRAME
            } else {
                CLIP_PARTLY_OUTSIDE
            };
            lints.warn(
                format_args!("/scenes/{s}/clips/{c}"),
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
        }) = clip.text_too_wide()
        {
            lints.warn(
                format_args!("/scenes/{s}/clips/{c}/text"),
                &format!(
                    "{TEXT_WIDER_THAN_ITS_BOX} {needed} px at size {size}, and its box is {width} px wide"
                ),
                Some("widen the box, lower `font.size`, or shorten the text"),
            );
        }
        for (d, other) in clips.iter().enumerate().skip(c + 1) {
            if other.is("audio") || other.deleted || other.layer != clip.layer {
                continue;
            }
            let (ox, oy, ow, oh) = other.bounds();
            if x < ox + ow && ox < x + w && y < oy + oh && oy < y + h {
                let first = (lints.locate)(&format!("/scenes/{s}/clips/{c}")).map_or_else(
                    || format!("clip {c}"),
                    |s| format!("the clip at {}", s.location()),
                );
                lints.warn(
                    format_args!("/scenes/{s}/clips/{d}/layer"),
                    &format!(
                        "this clip overlaps {first} on the same layer {}; which one is on top is undefined",
                        clip.layer
                    ),
                    Some("give one of them a different `layer`"),
                );
            }
        }
    }
}

struct Lints<'a> {
    locate: &'a Locate<'a>,
    found: &'a mut Vec<Diagnostic>,
}

impl Lints<'_> {
    fn warn(&mut self, pointer: std::fmt::Arguments<'_>, message: &str, help: Option<&str>) {
        let mut warning = Diagnostic::warning(message);
        if let Some(span) = (self.locate)(&pointer.to_string()) {
            warning = warning.at(&span);
        }
        if let Some(help) = help {
            warning = warning.with_help(help);
        }
        self.found.push(warning);
    }

    fn background(&mut self, s: usize, url: Option<&str>, image: bool) {
        match url {
            Some(url) if url.trim().is_empty() && image => {
                self.warn(
                    format_args!("/scenes/{s}/background/source_url"),
                    EMPTY_BACKGROUND,
                    Some("give it a URL, or leave `image` out for a plain colour"),
                );
            }
            // A word (`sunset`) is no colour name, and no path or URL of an image either.
            Some(url) if is_word(url) => {
                let help = match crate::lower::colors::closest(url) {
                    Some(name) => format!("did you mean the colour `{name}`?"),
                    None => "write a colour (`#rrggbb`, `rgb(r,g,b)` or a CSS colour name such as `navy`) or the image's https:// URL".to_owned(),
                };
                self.warn(
                    format_args!("/scenes/{s}/background/source_url"),
                    &format!("`{url}` is neither a colour nor an image URL"),
                    Some(&help),
                );
            }
            Some(url) if !url.is_empty() => {
                self.media(url, format_args!("/scenes/{s}/background/source_url"));
            }
            _ => {}
        }
    }

    /// The speech language of the presenter (clip `a`) against its preset's.
    fn language(&mut self, s: usize, a: usize, model: &[Cow<'_, str>; 3], presets: &Presets) {
        let [language, ai_name, emotion] = model;
        let preset = presets
            .by_alias
            .values()
            .find(|p| p.ai_name == **ai_name && p.clothing == **emotion);
        if let Some(preset) = preset.filter(|p| !p.languages.iter().any(|l| *l == **language)) {
            self.warn(
                format_args!("/scenes/{s}/clips/{a}/model/language"),
                &format!(
                    "the speech language `{language}` is not one the preset `{}` speaks ({})",
                    preset.alias,
                    preset.languages.join(", ")
                ),
                None,
            );
        }
    }

    fn clip_media(&mut self, url: Option<&str>, pointer: std::fmt::Arguments<'_>) {
        match url {
            Some(url) if url.trim().is_empty() => self.warn(
                pointer,
                EMPTY_MEDIA,
                Some("give the clip a URL (a value that renders empty leaves the clip blank)"),
            ),
            Some(url) => self.media(url, pointer),
            None => {}
        }
    }

    fn color(&mut self, text: &str, pointer: std::fmt::Arguments<'_>) {
        if !crate::lower::is_color(text) {
            let help = match crate::lower::colors::closest(text) {
                Some(name) => format!("did you mean `{name}`?"),
                None => {
                    "write `#rrggbb`, `rgb(r,g,b)`, `rgba(r,g,b,a)` or a CSS colour name".to_owned()
                }
            };
            self.warn(
                pointer,
                &format!("`{text}` does not look like a colour"),
                Some(&help),
            );
        }
    }

    /// Media must be fetchable by the service: http(s), or a path on the service itself.
    fn media(&mut self, url: &str, pointer: std::fmt::Arguments<'_>) {
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

/// Text with nothing of a path or a URL in it: letters, digits, spaces and dashes only.
fn is_word(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.chars().any(char::is_alphabetic)
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
}

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
    ClipFacts::of(clip).placement(canvas)
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
    ClipFacts::of(clip).text_too_wide()
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

#[cfg(test)]
mod facts {
    use super::*;
    use crate::lower::json_path::at_mut;

    /// The path of every number, string, boolean and null in `value`.
    fn leaves(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    leaves(item, path, out);
                    path.pop();
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Step::Key(k.clone()));
                    leaves(v, path, out);
                    path.pop();
                }
            }
            _ => out.push(path.clone()),
        }
    }

    /// `read_at` tells where the lints read each value of a project: changing a value it
    /// calls unread changes no scene's facts, and changing one it names as a field a row
    /// fills is the same as putting the value into the facts.
    #[test]
    fn read_at_agrees_with_what_the_facts_read() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("s.yaml");
        std::fs::write(
            &spec,
            "avatar: { preset: anna-navy-suit }\nscenes:\n  - background: { image: https://cdn.example.com/bg.png, color: \"#000000\" }\n    say: Hello there\n    clips:\n      - text: Title\n        left: 10\n        top: 20\n        font: { size: 40, color: \"#ffffff\" }\n        background: \"#123456\"\n        stroke: { color: \"#654321\", width: 2 }\n        shadow: { color: \"#000000\", blur: 3 }\n      - image: https://cdn.example.com/a.png\n        width: 300\n        height: 200\n        scale: 2\n      - video: https://cdn.example.com/v.mp4\n        poster: https://cdn.example.com/p.png\n      - shape: Circle\n        fill: \"#ff0000\"\n        layer: 4\n",
        )
        .unwrap();
        let (lowered, _) = crate::compile::build(&spec, &Default::default()).unwrap();
        let project = lowered.project;
        let mut paths = Vec::new();
        leaves(&project, &mut Vec::new(), &mut paths);
        let facts = |doc: &Value| -> Vec<SceneFacts<'static>> {
            doc["scenes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| SceneFacts::of(s).into_owned())
                .collect()
        };
        let before = facts(&project);
        let (mut unread, mut filled) = (0, 0);
        for path in paths {
            let read = read_at(&path);
            let mut doc = project.clone();
            let target = at_mut(&mut doc, &path);
            let changed = match target {
                Value::Number(_) => Value::from(123_456),
                _ => Value::from("changed ./x"),
            };
            *target = changed.clone();
            let after = facts(&doc);
            match read {
                Read::Unread => {
                    unread += 1;
                    assert!(after == before, "{path:?} is read");
                }
                Read::BackgroundUrl(s) | Read::Speech(s) | Read::ClipText(s, ..) => {
                    filled += 1;
                    let mut expected = before[s].view();
                    let text = changed.as_str().expect("a text where a text was");
                    expected.set_text(read, Cow::Borrowed(text));
                    assert!(after[s].view() == expected, "{path:?}");
                }
                Read::ClipNumber(s, ..) => {
                    filled += 1;
                    let mut expected = before[s].view();
                    expected.set_number(read, changed.as_f64());
                    assert!(after[s].view() == expected, "{path:?}");
                }
                Read::Other => {}
            }
        }
        assert!(
            unread > 20 && filled > 10,
            "{unread} unread, {filled} filled"
        );
    }
}
