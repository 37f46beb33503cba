//! `vidspec preview`: a compiled project drawn as an offline HTML storyboard (one inline SVG
//! frame per scene, every clip a labelled box, the presenter a silhouette, the speech as text
//! with its estimated duration) so a layout can be checked before paying for a render; with
//! `--rows`, a contact sheet of many CSV rows (`sheet`). The pages have no scripts and fetch
//! nothing: media are named, never loaded.

use std::fmt::{self, Write as _};
use std::path::Path;

use serde_json::Value;

use crate::compile::{Options, Program};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::lower::{canvas, glyph_width};

/// Writing into a `String` cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod draw;
pub(crate) mod sheet;

/// The project a preview draws: the spec built as `build` does, or, with `csv`, built with
/// data row `row` (1-based) of that CSV file (fields separated by `delimiter`) as its inputs,
/// exactly as `batch` would.
pub(crate) fn project(
    spec: &Path,
    options: &Options,
    csv: Option<(&Path, u64, u8)>,
) -> Result<(Value, Vec<Diagnostic>), Error> {
    let Some((csv, row, delimiter)) = csv else {
        let (lowered, warnings) = crate::compile::build(spec, options)?;
        return Ok((lowered.project, warnings));
    };
    let program = Program::load(spec, options)?;
    let name = crate::display_path(csv);
    let (mut rows, header, header_warnings) = crate::rows::open(csv, delimiter, &program)?;
    let raw = loop {
        match rows.next_row() {
            Some(raw) if raw.number == row => break raw,
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "--row {row}: {name} has {} data row{}",
                    rows.read,
                    if rows.read == 1 { "" } else { "s" }
                )));
            }
        }
    };
    let at = raw.at();
    let inputs = header.inputs(&program, raw).map_err(|error| {
        let located = error.diagnostics.into_iter().map(|mut d| {
            d.message = format!("{name}: {}", d.message);
            d
        });
        Error::Invalid(located.collect())
    })?;
    let lowered = program.render(&inputs)?;
    let mut warnings = program.warnings.clone();
    warnings.extend(header_warnings);
    warnings.extend(
        program
            .lint(&lowered.project, &lowered.origins)
            .into_iter()
            .map(|mut d| {
                d.message = format!("{at}: {}", d.message);
                d
            }),
    );
    Ok((lowered.project, warnings))
}

/// The storyboard page of a v3 project body: a header, then a frame per scene with its
/// speech, audio and clip list. Deterministic: the same project gives the same bytes.
pub(crate) fn storyboard(project: &Value) -> String {
    let name = text_of(&project["name"]);
    let orientation = match project["orientation"].as_str() {
        Some("portrait") => "portrait",
        _ => "landscape",
    };
    let canvas = canvas(orientation == "portrait");
    let scenes = project["scenes"].as_array().map_or(&[][..], Vec::as_slice);
    let mut out = String::with_capacity(8192 + scenes.len() * 8192);
    page_head(&mut out, &format!("Storyboard: {name}"), "");
    put!(
        out,
        "<header class=\"project\">\n<h1>{}</h1>\n<dl>\
         <div><dt>orientation</dt><dd data-field=\"orientation\">{orientation}</dd></div>\
         <div><dt>canvas</dt><dd>{} × {}</dd></div>\
         <div><dt>resolution</dt><dd data-field=\"resolution\">{}</dd></div>\
         <div><dt>scenes</dt><dd data-field=\"scenes\">{}</dd></div>\
         <div><dt>speech</dt><dd data-field=\"seconds\" title=\"{ESTIMATE}\">{}</dd></div></dl>\n{LEGEND}</header>\n<main class=\"{orientation}\">\n",
        Esc(&name),
        Num(canvas.0),
        Num(canvas.1),
        Esc(&text_of(&project["resolution"])),
        scenes.len(),
        Estimate(crate::speech::project_seconds(project))
    );
    for (index, scene) in scenes.iter().enumerate() {
        scene_section(&mut out, index, scene, canvas);
    }
    out.push_str(
        "</main>\n<footer>Drawn by <code>vidspec preview</code> from the compiled project. \
         Media are named, never loaded; text is measured roughly (the editor measures it again); \
         durations are estimated from the speech (the real ones are known after the export).\
         </footer>\n</body>\n</html>\n",
    );
    out
}

/// What a duration's tooltip says of it.
const ESTIMATE: &str = "estimated from the length of the speech in its language (Korean 5.5 \
     syllables a second, Japanese 7 and Chinese 4.5 characters a second, other languages 150 \
     words a minute, 0.4 s per sentence end); the real duration is known after the export";

/// `≈ 12.5 s`: an estimated duration.
struct Estimate(f64);

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "≈ {}", crate::speech::duration(self.0))
    }
}

/// The start of a page: its head (no scripts, nothing fetched: the Content-Security-Policy
/// forbids it), the styles, and the patterns every frame fills media with.
fn page_head(out: &mut String, title: &str, style: &str) {
    put!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n{PATTERNS}",
        Esc(title)
    );
}

/// The fills of background images, images and videos, defined once for every frame.
const PATTERNS: &str = "<svg class=\"patterns\" aria-hidden=\"true\" width=\"0\" height=\"0\"><defs>\
     <pattern id=\"bg\" width=\"60\" height=\"60\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"60\" height=\"60\" fill=\"#6b7588\"/><rect width=\"26\" height=\"60\" fill=\"#7d8799\"/></pattern>\
     <pattern id=\"img\" width=\"28\" height=\"28\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"28\" height=\"28\" fill=\"#24456e\"/><rect width=\"10\" height=\"28\" fill=\"#2d5a8f\"/></pattern>\
     <pattern id=\"vid\" width=\"28\" height=\"28\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\"><rect width=\"28\" height=\"28\" fill=\"#3f2a66\"/><rect width=\"10\" height=\"28\" fill=\"#543a85\"/></pattern>\
     </defs></svg>\n";

/// A `lang` attribute for the language a scene is spoken in (`ko`, `ja-JP`), so that the
/// font stack puts that language's CJK font first; nothing for a code that is not one.
fn lang_attr(language: Option<&str>) -> String {
    match language {
        Some(code)
            if !code.is_empty()
                && code.len() <= 16
                && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            format!(" lang=\"{code}\"")
        }
        _ => String::new(),
    }
}

/// Speech as the page shows it: its text ([`crate::speech::plain`]), a paragraph a line.
fn speech_html(out: &mut String, org: &str) {
    let text = crate::speech::plain(org);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        put!(out, "{}", Esc(line));
    }
}

const STYLE: &str = r#"
:root{--cjk:"Noto Sans CJK KR","Noto Sans CJK JP","Noto Sans CJK SC","Noto Sans KR",sans-serif;color-scheme:light;font:14px/1.45 var(--cjk);color:#1b2230;background:#e9edf2}
:lang(ja){--cjk:"Noto Sans CJK JP","Noto Sans CJK KR","Noto Sans CJK SC","Noto Sans JP",sans-serif}
:lang(zh){--cjk:"Noto Sans CJK SC","Noto Sans CJK KR","Noto Sans CJK JP","Noto Sans SC",sans-serif}
:lang(zh-TW),:lang(zh-HK){--cjk:"Noto Sans CJK TC","Noto Sans CJK SC","Noto Sans CJK KR","Noto Sans TC",sans-serif}
.patterns{position:absolute;width:0;height:0}
body{margin:0;padding:18px 22px}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12px}
header.project{display:flex;flex-wrap:wrap;align-items:center;gap:8px 22px;margin:0 0 14px}
h1{font-size:20px;margin:0}
dl{display:flex;gap:16px;margin:0}dl div{display:flex;gap:5px}dt{color:#5a6475}dd{margin:0;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin:0;padding:0;list-style:none;color:#3a4252;font-size:12px}
.legend li{display:flex;align-items:center;gap:4px}.legend svg{width:22px;height:14px}
.scene{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:10px 14px 12px;margin:0 0 14px;display:grid;grid-template-columns:720px minmax(0,1fr);gap:6px 18px}
.portrait .scene{grid-template-columns:304px minmax(0,1fr)}
.scene h2{grid-column:1/-1;font-size:15px;margin:0}.scene h2 small{font-weight:400;color:#5a6475;margin-left:8px}
figure{margin:0}.frame{display:block;width:100%;height:auto;background:#000;border-radius:3px;box-shadow:0 0 0 1px #0003}
figcaption{margin-top:6px}.speech{margin:0;font-size:15px}.speech q{quotes:"\201C" "\201D"}
.none{color:#7a8496;font-style:italic}.note{margin:2px 0 0;color:#8a4b00}
ul.audio{margin:4px 0 0;padding:0;list-style:none}ul.audio li::before{content:"\266A  ";color:#6a3fb5}
ol.clips{margin:0;padding:0;list-style:none;font-size:12.5px}
ol.clips li{display:grid;grid-template-columns:14px 26px minmax(0,1fr);gap:6px;padding:3px 0;border-bottom:1px solid #eef0f4}
ol.clips .sw{width:12px;height:12px;border-radius:2px;margin-top:3px;box-shadow:inset 0 0 0 1px #0004}
ol.clips .layer{color:#5a6475;text-align:right}ol.clips .detail{overflow-wrap:anywhere}
ol.clips .kind{font-weight:600}ol.clips .geo{color:#5a6475}ol.clips .warn{color:#a85a00}
footer{color:#5a6475;font-size:12px}
.frame text{font-family:var(--cjk)}
.frame .label{font-family:"DejaVu Sans","Liberation Sans",sans-serif;font-weight:600;fill:#fff;stroke:#000c;paint-order:stroke;stroke-linejoin:round}
.frame .url{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;fill:#fff;stroke:#0009;paint-order:stroke;stroke-linejoin:round}
.frame .tight{fill:#ff8c1a14;stroke:#ff8c1a;stroke-width:4}
.frame .figure{fill:#d9dee7;stroke:#2a3140;stroke-width:5;stroke-linejoin:round}
.frame .head{fill:none;stroke:#ff3d81;stroke-width:4}
.frame .off .tight,.frame .off .head,.frame .off .figure{fill:none;stroke:#9aa3b2;stroke-dasharray:18 12}
.frame .over{fill:none;stroke:#e5484d;stroke-width:10}
.frame .textbox{fill:none;stroke:#27d3f5;stroke-width:3;stroke-dasharray:12 8}
.frame .media{stroke-width:4}.frame .image .media{stroke:#3d8bfd}.frame .video .media{stroke:#a970ff}
.frame .other{fill:#ffffff22;stroke:#fff;stroke-width:3;stroke-dasharray:6 6}
"#;

const LEGEND: &str = concat!(
    "<ul class=\"legend\">",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"#ff8c1a14\" stroke=\"#ff8c1a\" stroke-width=\"1.5\"/><path d=\"M9 6a2 2.5 0 1 0 4 0a2 2.5 0 1 0-4 0ZM6 13C6 10 8 9.5 11 9.5S16 10 16 13Z\" fill=\"#d9dee7\" stroke=\"#2a3140\"/></svg>presenter (tight box)</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"none\" stroke=\"#ff3d81\" stroke-width=\"2\"/></svg>head box</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"none\" stroke=\"#9aa3b2\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/></svg>hidden / voice only</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"#333\" stroke=\"#27d3f5\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/></svg>text box</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"#24456e\" stroke=\"#3d8bfd\" stroke-width=\"2\"/></svg>image</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"#3f2a66\" stroke=\"#a970ff\" stroke-width=\"2\"/></svg>video</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"#6b7588\"/><path d=\"M1 13 13 1M9 13 21 1\" stroke=\"#8a94a6\" stroke-width=\"3\"/></svg>background image</li>",
    "<li><svg viewBox=\"0 0 22 14\"><rect x=\"1\" y=\"1\" width=\"20\" height=\"12\" fill=\"none\" stroke=\"#e5484d\" stroke-width=\"2.5\"/></svg>leaves the frame / text wider than its box</li>",
    "</ul>\n"
);

/// What a clip is, for drawing and labels.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Avatar,
    Text,
    Image,
    Video,
    Shape,
    Audio,
    Other,
}

impl Kind {
    fn of(clip: &Value) -> Kind {
        match clip["type"].as_str() {
            Some("aiModel") => Kind::Avatar,
            Some("textImage") => Kind::Text,
            Some("image") => Kind::Image,
            Some("videoImage") => Kind::Video,
            Some("shape") => Kind::Shape,
            Some("audio") => Kind::Audio,
            _ => Kind::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Avatar => "avatar",
            Kind::Text => "text",
            Kind::Image => "image",
            Kind::Video => "video",
            Kind::Shape => "shape",
            Kind::Audio => "audio",
            Kind::Other => "clip",
        }
    }
}

/// A clip's box on the canvas: position, scaled size, rotation about its top-left corner.
struct Boxed {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    scale_x: f64,
    scale_y: f64,
    angle: f64,
}

impl Boxed {
    fn of(clip: &Value) -> Boxed {
        let scale_x = number(&clip["scaleX"]).unwrap_or(1.0);
        let scale_y = number(&clip["scaleY"]).unwrap_or(1.0);
        Boxed {
            left: number(&clip["left"]).unwrap_or(0.0),
            top: number(&clip["top"]).unwrap_or(0.0),
            width: number(&clip["width"]).unwrap_or(0.0) * scale_x,
            height: number(&clip["height"]).unwrap_or(0.0) * scale_y,
            scale_x,
            scale_y,
            angle: number(&clip["angle"]).unwrap_or(0.0),
        }
    }

    /// `[left, top, right, bottom]`, rotation ignored.
    fn area(&self) -> [f64; 4] {
        [
            self.left,
            self.top,
            self.left + self.width,
            self.top + self.height,
        ]
    }

    fn transform(&self) -> String {
        let mut t = format!("translate({} {})", Num(self.left), Num(self.top));
        if self.angle != 0.0 {
            put!(t, " rotate({})", Num(self.angle));
        }
        t
    }
}

fn scene_section(out: &mut String, index: usize, scene: &Value, (w, h): (f64, f64)) {
    let clips = scene["clips"].as_array().map_or(&[][..], Vec::as_slice);
    let mut ordered: Vec<&Value> = clips.iter().collect();
    ordered.sort_by_key(|c| c["layer"].as_i64().unwrap_or(0));
    let avatar = clips.iter().find(|c| Kind::of(c) == Kind::Avatar);
    let speech = scene["scripts"][0]["org"]
        .as_str()
        .or_else(|| avatar.and_then(|a| a["script"]["org"].as_str()))
        .unwrap_or_default();
    let n = index + 1;
    put!(
        out,
        "<section class=\"scene\" id=\"scene-{n}\" data-scene=\"{n}\"{}>\n<h2>Scene {n}<small>{} clip{}{}</small><small class=\"duration\" title=\"{ESTIMATE}\">speech {}</small></h2>\n<figure>\n",
        lang_attr(crate::speech::scene_language(scene)),
        clips.len(),
        if clips.len() == 1 { "" } else { "s" },
        scene["sceneIdx"]
            .as_i64()
            .map_or_else(String::new, |i| format!(" · sceneIdx {i}")),
        Estimate(crate::speech::scene_seconds(scene))
    );
    put!(
        out,
        "<svg class=\"frame\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"Scene {n}\">\n",
        Num(w),
        Num(h),
        Num(w),
        Num(h)
    );
    let label_size = if w > h { 30.0 } else { 34.0 };
    frame_body(out, scene, (w, h), Some(label_size));
    out.push_str("</svg>\n<figcaption>\n");
    if crate::speech::plain(speech).is_empty() {
        out.push_str("<p class=\"speech none\">no speech</p>\n");
    } else {
        out.push_str("<p class=\"speech\"><q>");
        speech_html(out, speech);
        out.push_str("</q></p>\n");
    }
    if let Some(avatar) = avatar {
        if avatar["isDelete"] == true {
            out.push_str(
                "<p class=\"note\">No presenter in this scene (the avatar is hidden).</p>\n",
            );
        } else if avatar["voiceOnly"] == true {
            out.push_str(
                "<p class=\"note\">Voice only: the presenter speaks without being shown.</p>\n",
            );
        }
    }
    let audio: Vec<&&Value> = ordered
        .iter()
        .filter(|c| Kind::of(c) == Kind::Audio)
        .collect();
    if !audio.is_empty() {
        out.push_str("<ul class=\"audio\">\n");
        for clip in audio {
            put!(
                out,
                "<li data-clip-id=\"{}\"><b>{}</b> <span class=\"mono\">{}</span>{}</li>\n",
                Esc(&text_of(&clip["id"])),
                Esc(&text_of(&clip["label"])),
                Esc(&text_of(&clip["source_url"])),
                number(&clip["volume"])
                    .map_or_else(String::new, |v| format!(" · volume {}", Num(v)))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</figcaption>\n</figure>\n<ol class=\"clips\">\n");
    clip_list_item_background(out, &scene["background"]);
    for clip in &ordered {
        clip_list_item(out, clip, (w, h));
    }
    out.push_str("</ol>\n</section>\n");
}

/// What a frame shows of a scene, in its SVG: the background, then every clip in layer order
/// (a hidden presenter's outline last, over the others); with `label_size`, each clip's label
/// (a storyboard's frame), without, no words but the texts (a contact sheet's).
fn frame_body(out: &mut String, scene: &Value, canvas: (f64, f64), label_size: Option<f64>) {
    let clips = scene["clips"].as_array().map_or(&[][..], Vec::as_slice);
    let mut ordered: Vec<&Value> = clips.iter().collect();
    ordered.sort_by_key(|c| c["layer"].as_i64().unwrap_or(0));
    background(out, &scene["background"], canvas, label_size);
    let (off, shown): (Vec<&Value>, Vec<&Value>) = ordered.iter().partition(|c| draw::is_off(c));
    for clip in shown.iter().chain(&off) {
        draw::draw_clip(out, clip, canvas, label_size);
    }
    let Some(label_size) = label_size else { return };
    let texts: Vec<[f64; 4]> = ordered
        .iter()
        .filter(|c| Kind::of(c) == Kind::Text)
        .map(|c| Boxed::of(c).area())
        .collect();
    let mut placed = Vec::new();
    for clip in &ordered {
        draw::label(out, clip, canvas, label_size, &texts, &mut placed);
    }
}

fn background(out: &mut String, background: &Value, (w, h): (f64, f64), size: Option<f64>) {
    let color = paint(background["source_color"].as_str().unwrap_or_default()).unwrap_or("#000");
    put!(
        out,
        "<rect class=\"background\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
        Num(w),
        Num(h),
        Esc(color)
    );
    let url = background["source_url"].as_str().unwrap_or_default();
    if background["source_type"].as_str() == Some("color") || url.is_empty() {
        return;
    }
    let kind = background["source_type"].as_str().unwrap_or("image");
    let Some(size) = size else {
        put!(
            out,
            "<rect class=\"background-media\" width=\"{}\" height=\"{}\" fill=\"url(#bg)\"/>\n",
            Num(w),
            Num(h)
        );
        return;
    };
    put!(
        out,
        "<rect class=\"background-media\" width=\"{}\" height=\"{}\" fill=\"url(#bg)\"><title>background {}: {}</title></rect>\n\
         <text class=\"url\" x=\"{}\" y=\"{}\" font-size=\"{}\" stroke-width=\"{}\">background {}: {}</text>\n",
        Num(w),
        Num(h),
        Esc(kind),
        Esc(url),
        Num(size * 0.5),
        Num(h - size * 0.6),
        Num(size),
        Num(size / 4.0),
        Esc(kind),
        Esc(&fit(url, w - size * 8.0, size))
    );
}

fn clip_list_item_background(out: &mut String, background: &Value) {
    let color = background["source_color"].as_str().unwrap_or_default();
    let url = background["source_url"].as_str().unwrap_or_default();
    put!(
        out,
        "<li class=\"bg\"><span class=\"sw\" style=\"background:{}\"></span><span class=\"layer\">bg</span><span class=\"detail\"><span class=\"kind\">background</span> {}",
        Esc(paint(color).unwrap_or("transparent")),
        Esc(color)
    );
    if background["source_type"].as_str() != Some("color") && !url.is_empty() {
        put!(out, " · <span class=\"mono\">{}</span>", Esc(url));
    }
    out.push_str("</span></li>\n");
}

fn clip_list_item(out: &mut String, clip: &Value, canvas: (f64, f64)) {
    let kind = Kind::of(clip);
    let b = Boxed::of(clip);
    let swatch = match kind {
        Kind::Avatar => "#ff8c1a",
        Kind::Text => clip["fill"].as_str().and_then(paint).unwrap_or("#27d3f5"),
        Kind::Image => "#3d8bfd",
        Kind::Video => "#a970ff",
        Kind::Shape => clip["fill"].as_str().and_then(paint).unwrap_or("#888"),
        Kind::Audio => "#6a3fb5",
        Kind::Other => "#ccc",
    };
    put!(
        out,
        "<li data-clip-id=\"{}\"><span class=\"sw\" style=\"background:{}\"></span><span class=\"layer\">L{}</span><span class=\"detail\"><span class=\"kind\">{}</span> <span class=\"mono\">{}</span>",
        Esc(&text_of(&clip["id"])),
        Esc(swatch),
        Esc(&text_of(&clip["layer"])),
        kind.name(),
        Esc(&text_of(&clip["id"]))
    );
    let detail = match kind {
        Kind::Avatar => {
            let model = &clip["model"];
            let mut d = format!(
                "{} / {}",
                text_of(&model["ai_name"]),
                text_of(&model["emotion"])
            );
            if let Some(effects) = clip["effects"].as_array() {
                for effect in effects {
                    put!(d, " · {}", text_of(&effect["type"]));
                }
            }
            if clip["isDelete"] == true {
                d.push_str(" · hidden");
            } else if clip["voiceOnly"] == true {
                d.push_str(" · voice only");
            }
            d
        }
        Kind::Text => format!(
            "“{}” {}px {}",
            text_of(&clip["text"]),
            Num(number(&clip["fontSize"]).unwrap_or(0.0)),
            text_of(&clip["fill"])
        ),
        Kind::Image => text_of(&clip["source_url"]),
        Kind::Video => {
            let poster = text_of(&clip["source_url"]);
            let mut d = text_of(&clip["video_url"]);
            if !poster.is_empty() {
                put!(d, " · poster {poster}");
            }
            d
        }
        Kind::Shape => format!("{} {}", text_of(&clip["shapeName"]), text_of(&clip["fill"])),
        Kind::Audio => format!(
            "{} · {}",
            text_of(&clip["label"]),
            text_of(&clip["source_url"])
        ),
        Kind::Other => text_of(&clip["type"]),
    };
    put!(out, " {}", Esc(&detail));
    if kind != Kind::Audio {
        put!(
            out,
            " <span class=\"geo\">{}×{} at ({}, {})",
            Num(b.width),
            Num(b.height),
            Num(b.left),
            Num(b.top)
        );
        if b.scale_x != 1.0 || b.scale_y != 1.0 {
            put!(out, " scale {}×{}", Num(b.scale_x), Num(b.scale_y));
        }
        if b.angle != 0.0 {
            put!(out, " rotated {}°", Num(b.angle));
        }
        out.push_str("</span>");
        if let Some(trouble) = draw::trouble(clip, canvas) {
            put!(out, " <span class=\"warn\">{trouble}</span>");
        }
    }
    out.push_str("</span></li>\n");
}

/// `text` cut to about `width` at font size `size`, with an ellipsis.
fn fit(text: &str, width: f64, size: f64) -> String {
    let room = (width / size).max(3.0);
    if ems(text) <= room {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0.6; // the ellipsis, counted as an ASCII glyph
    for c in text.chars() {
        used += glyph_width(c);
        if used > room {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

fn ems(text: &str) -> f64 {
    text.chars().map(glyph_width).sum()
}

/// A colour that is safe to place in an SVG paint attribute (a hex colour, `rgb()`/`hsl()`
/// with plain numbers, or a colour name); anything else is not drawn as given.
fn paint(color: &str) -> Option<&str> {
    let color = color.trim();
    (color.len() <= 64 && crate::lower::is_color(color)).then_some(color)
}

/// A number from a JSON number or a numeric string.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// A plain word (a font weight such as `700` or `bold`).
fn word(value: &Value) -> Option<String> {
    let text = text_of(value);
    (!text.is_empty() && text.len() <= 16 && text.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(text)
}

/// A JSON scalar as display text (a string as is, null as nothing).
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text escaped for HTML and SVG, in content and in double- or single-quoted attributes.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'', '\0']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => "\u{fffd}",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// A coordinate: at most two decimals, no trailing zeros, never `-0`, `NaN` or `inf`.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = if self.0.is_finite() {
            (self.0 * 100.0).round() / 100.0
        } else {
            0.0
        };
        let text = format!("{rounded:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        f.write_str(if text == "-0" { "0" } else { text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(text: &str, background_color: &str) -> Value {
        json!({
            "name": text,
            "orientation": "landscape",
            "resolution": "1080",
            "scenes": [{
                "background": { "source_type": "color", "source_url": "", "source_color": background_color },
                "scripts": [{ "org": text }],
                "clips": [
                    { "id": text, "type": "textImage", "layer": 2, "left": 10, "top": 10,
                      "width": 300, "height": 60, "text": text, "fontSize": 40, "fill": text,
                      "fontFamily": text, "fontWeight": text },
                    { "id": "audio-1", "type": "audio", "layer": 3, "label": text, "source_url": text },
                    { "id": "image-1", "type": "image", "layer": 4, "left": 0, "top": 0,
                      "width": 100, "height": 100, "source_url": text }
                ],
                "sceneIdx": 0
            }]
        })
    }

    #[test]
    fn markup_in_data_is_escaped_everywhere() {
        let evil =
            "<script>alert('x')</script>\"><img src=http://evil.test/a.png onerror=alert(1)>&amp;";
        let page = storyboard(&sample(evil, evil));
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(page.contains("&amp;amp;"));
    }

    #[test]
    fn the_page_references_nothing_outside_itself() {
        let page = storyboard(&sample(
            "https://example.com/a.png",
            "url(https://evil.test/x)",
        ));
        for needle in [
            " src=",
            " href=",
            "@import",
            "=\"url(http",
            ":url(http",
            "<script",
            "<link",
        ] {
            assert!(!page.contains(needle), "found {needle:?}");
        }
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn escaping_covers_every_special_character() {
        assert_eq!(
            Esc("a<b>&\"c'\0").to_string(),
            "a&lt;b&gt;&amp;&quot;c&#39;\u{fffd}"
        );
        assert_eq!(Esc("plain · text").to_string(), "plain · text");
    }

    #[test]
    fn only_plain_colours_become_paint() {
        assert_eq!(paint("rgb(54,188,37)"), Some("rgb(54,188,37)"));
        assert_eq!(paint("#00000060"), Some("#00000060"));
        assert_eq!(paint("white"), Some("white"));
        assert_eq!(paint("url(#x)"), None);
        assert_eq!(paint("red;x"), None);
        assert_eq!(paint("rgb(1,2,3) url(x)"), None);
    }

    #[test]
    fn numbers_print_short_and_finite() {
        assert_eq!(Num(630.2493927359487).to_string(), "630.25");
        assert_eq!(Num(2229.0).to_string(), "2229");
        assert_eq!(Num(-0.001).to_string(), "0");
        assert_eq!(Num(f64::NAN).to_string(), "0");
    }
}
