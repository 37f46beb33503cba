//! Drawing one clip in a frame: its box in layer order (the presenter as a silhouette in its
//! tight box with its head box, text in its size and colour, media as named boxes, shapes in
//! their fill, a red outline on a clip that leaves the frame or text wider than its box) and,
//! in a second pass over every clip of a storyboard frame, its label. A contact sheet's small
//! frames are drawn the same way without the words nobody could read at their size (labels,
//! URLs, tooltips).

use std::fmt::Write as _;

use crate::lint::{self, Placement};
use serde_json::Value;

use super::{Boxed, Esc, Kind, Num, ems, fit, number, paint, text_of, word};

/// Draws `clip` on a canvas of `canvas` size; `label_size` is the size of the words drawn
/// over the clip (its URL, `head`), None for a contact sheet's small frame.
pub(super) fn draw_clip(
    out: &mut String,
    clip: &Value,
    canvas: (f64, f64),
    label_size: Option<f64>,
) {
    let kind = Kind::of(clip);
    if kind == Kind::Audio {
        return;
    }
    let b = Boxed::of(clip);
    let opacity = number(&clip["opacity"]).map_or(1.0, |o| (o / 100.0).clamp(0.0, 1.0));
    let hidden = is_off(clip);
    put!(
        out,
        "<g class=\"clip {}{}\"",
        kind.name(),
        if hidden { " off" } else { "" }
    );
    if label_size.is_some() {
        put!(
            out,
            " data-clip-id=\"{}\" data-type=\"{}\" data-layer=\"{}\"",
            Esc(&text_of(&clip["id"])),
            Esc(&text_of(&clip["type"])),
            Esc(&text_of(&clip["layer"]))
        );
    }
    put!(out, " transform=\"{}\"", b.transform());
    if opacity < 1.0 && !hidden {
        put!(out, " opacity=\"{}\"", Num(opacity));
    }
    out.push('>');
    if label_size.is_some() {
        put!(out, "<title>{}</title>\n", Esc(&label_text(clip)));
    }
    let (w, h) = (Num(b.width), Num(b.height));
    match kind {
        Kind::Avatar => {
            put!(
                out,
                "<rect class=\"tight\" width=\"{w}\" height=\"{h}\"/>\n"
            );
            let head = head_box(clip, &b);
            put!(
                out,
                "<path class=\"figure\" d=\"{}\"/>\n",
                silhouette(b.width, b.height, head)
            );
            if let Some((x, y, hw, hh)) = head {
                put!(
                    out,
                    "<rect class=\"head\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"/>\n",
                    Num(x),
                    Num(y),
                    Num(hw),
                    Num(hh),
                    Num(hw.min(hh) * 0.12)
                );
                if let Some(size) = label_size {
                    put!(
                        out,
                        "<text class=\"label\" x=\"{}\" y=\"{}\" font-size=\"{}\" stroke-width=\"{}\">head</text>\n",
                        Num(x + hw + 6.0),
                        Num(y + size * 0.8),
                        Num(size * 0.8),
                        Num(size / 5.0)
                    );
                }
            }
        }
        Kind::Text => text_clip(out, clip, &b),
        Kind::Image | Kind::Video => {
            let pattern = if kind == Kind::Image { "img" } else { "vid" };
            put!(
                out,
                "<rect class=\"media\" width=\"{w}\" height=\"{h}\" fill=\"url(#{pattern})\"/>\n"
            );
            let size = label_size.map_or(0.0, |s| s.min(b.height / 4.0).max(8.0));
            let cx = b.width / 2.0;
            let cy = b.height / 2.0;
            if kind == Kind::Video {
                let r = (b.width.min(b.height) / 6.0).min(60.0);
                put!(
                    out,
                    "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"#ffffffcc\"/>\n",
                    Num(cx - r * 0.6),
                    Num(cy - r - size),
                    Num(cx + r),
                    Num(cy - size),
                    Num(cx - r * 0.6),
                    Num(cy + r - size)
                );
            }
            if label_size.is_some() {
                let url_key = if kind == Kind::Image {
                    "source_url"
                } else {
                    "video_url"
                };
                let url = text_of(&clip[url_key]);
                put!(
                    out,
                    "<text class=\"url\" x=\"{}\" y=\"{}\" font-size=\"{}\" stroke-width=\"{}\" text-anchor=\"middle\">{}</text>\n",
                    Num(cx),
                    Num(cy + size * 0.35 + if kind == Kind::Video { size } else { 0.0 }),
                    Num(size),
                    Num(size / 4.0),
                    Esc(&fit(&url, b.width - size, size))
                );
            }
        }
        Kind::Shape => shape(out, clip, &b),
        Kind::Other | Kind::Audio => {
            put!(
                out,
                "<rect class=\"other\" width=\"{w}\" height=\"{h}\"/>\n"
            );
        }
    }
    if overflows(clip, canvas) {
        put!(out, "<rect class=\"over\" width=\"{w}\" height=\"{h}\"/>\n");
    }
    out.push_str("</g>\n");
}

/// Where a clip goes wrong on the canvas, as the storyboard's clip list says it: outside the
/// frame, partly outside (the presenter's full-body box runs past the frame by design, so
/// not for it), or text wider than its box (the compiler's text measure, as the lint's).
pub(super) fn trouble(clip: &Value, (cw, ch): (f64, f64)) -> Option<&'static str> {
    if Kind::of(clip) == Kind::Audio || clip["isDelete"] == true {
        return None;
    }
    match lint::placement(clip, (cw, ch)) {
        Placement::Outside => Some("outside the frame"),
        Placement::Partly => Some("partly outside the frame"),
        Placement::Inside => lint::text_too_wide(clip).map(|_| "text wider than its box"),
    }
}

fn overflows(clip: &Value, canvas: (f64, f64)) -> bool {
    trouble(clip, canvas).is_some()
}

/// A head-and-shoulders shape in a presenter's tight box (`w` × `h`, in clip space), its head
/// filling the head box (or, without one, the top middle of the box): an SVG path.
fn silhouette(w: f64, h: f64, head: Option<(f64, f64, f64, f64)>) -> String {
    let (hx, hy, hw, hh) = head.unwrap_or_else(|| {
        let size = (w * 0.3).min(h * 0.3);
        ((w - size) / 2.0, h * 0.04, size, size * 1.2)
    });
    let cx = hx + hw / 2.0;
    let (rx, ry) = (hw * 0.42, hh * 0.48);
    let cy = hy + hh / 2.0;
    let neck = hw * 0.2;
    let at = |y: f64| y.min(h);
    let neck_top = at(cy + ry * 0.92);
    let shoulder = at(hy + hh * 1.06);
    let arm = at(shoulder + hh * 0.6);
    let left = (hw * 1.45).min(cx.max(0.0));
    let right = (hw * 1.45).min((w - cx).max(0.0));
    let mut d = String::with_capacity(320);
    put!(
        d,
        "M{} {}a{} {} 0 1 0 {} 0a{} {} 0 1 0 {} 0Z",
        Num(cx - rx),
        Num(cy),
        Num(rx),
        Num(ry),
        Num(2.0 * rx),
        Num(rx),
        Num(ry),
        Num(-2.0 * rx)
    );
    // The neck, a shoulder sloping to the arm, down to the box's bottom, and back up the
    // other side.
    put!(
        d,
        "M{} {}L{} {}C{} {} {} {} {} {}L{} {}L{} {}L{} {}C{} {} {} {} {} {}L{} {}Z",
        Num(cx - neck),
        Num(neck_top),
        Num(cx - neck),
        Num(shoulder),
        Num(cx - neck - hw * 0.4),
        Num(at(shoulder + hh * 0.1)),
        Num(cx - left),
        Num(shoulder),
        Num(cx - left),
        Num(arm),
        Num(cx - left * 0.92),
        Num(h),
        Num(cx + right * 0.92),
        Num(h),
        Num(cx + right),
        Num(arm),
        Num(cx + right),
        Num(shoulder),
        Num(cx + neck + hw * 0.4),
        Num(at(shoulder + hh * 0.1)),
        Num(cx + neck),
        Num(shoulder),
        Num(cx + neck),
        Num(neck_top)
    );
    d
}

/// An avatar that is not shown (hidden, or voice only): drawn as an outline over the scene.
pub(super) fn is_off(clip: &Value) -> bool {
    Kind::of(clip) == Kind::Avatar && (clip["isDelete"] == true || clip["voiceOnly"] == true)
}

/// The avatar's head box in the clip's (scaled) box: the head centre and size are in the
/// model's origin image, whose tight box starts at `modelTightX/Y`.
fn head_box(clip: &Value, b: &Boxed) -> Option<(f64, f64, f64, f64)> {
    let editor = &clip["model"]["editor"];
    let get = |key: &str| number(&editor[key]);
    let (cx, cy) = (get("headCenterX")?, get("headCenterY")?);
    let (hw, hh) = (get("headWidth")?, get("headHeight")?);
    let (tx, ty) = (get("modelTightX")?, get("modelTightY")?);
    Some((
        (cx - tx - hw / 2.0) * b.scale_x,
        (cy - ty - hh / 2.0) * b.scale_y,
        hw * b.scale_x,
        hh * b.scale_y,
    ))
}

fn text_clip(out: &mut String, clip: &Value, b: &Boxed) {
    let (w, h) = (Num(b.width), Num(b.height));
    if let Some(bg) = clip["backgroundColor"].as_str().and_then(paint) {
        put!(
            out,
            "<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n",
            Esc(bg)
        );
    }
    put!(
        out,
        "<rect class=\"textbox\" width=\"{w}\" height=\"{h}\"/>\n"
    );
    let size = number(&clip["fontSize"])
        .filter(|s| *s > 0.0)
        .unwrap_or(48.0);
    let width = b.width / b.scale_x.max(f64::MIN_POSITIVE);
    let (x, anchor) = match clip["align"].as_str() {
        Some("center") => (width / 2.0, "middle"),
        Some("right") => (width, "end"),
        _ => (0.0, "start"),
    };
    let fill = clip["fill"].as_str().and_then(paint).unwrap_or("#000");
    out.push_str("<text class=\"content\"");
    if b.scale_x != 1.0 || b.scale_y != 1.0 {
        put!(
            out,
            " transform=\"scale({} {})\"",
            Num(b.scale_x),
            Num(b.scale_y)
        );
    }
    put!(
        out,
        " font-size=\"{}\" fill=\"{}\" text-anchor=\"{anchor}\"",
        Num(size),
        Esc(fill)
    );
    if let Some(family) = clip["fontFamily"].as_str() {
        let family: String = family
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .collect();
        let family = family.trim();
        // The vendor's default names the whole CJK family: the page's font stack is it.
        if !family.is_empty() && family != crate::lower::DEFAULT_FONT {
            put!(
                out,
                " style=\"font-family:&quot;{}&quot;,var(--cjk)\"",
                Esc(family)
            );
        }
    }
    if let Some(weight) = word(&clip["fontWeight"]) {
        put!(out, " font-weight=\"{}\"", Esc(&weight));
    }
    if clip["fontStyle"].as_str() == Some("italic") {
        out.push_str(" font-style=\"italic\"");
    }
    if clip["underline"] == true {
        out.push_str(" text-decoration=\"underline\"");
    }
    if let Some(stroke) = clip["stroke"].as_str().and_then(paint) {
        let width = number(&clip["strokeWidth"]).unwrap_or(1.0);
        put!(
            out,
            " stroke=\"{}\" stroke-width=\"{}\" paint-order=\"stroke\"",
            Esc(stroke),
            Num(width)
        );
    }
    out.push('>');
    let text = text_of(&clip["text"]);
    for (i, line) in wrap(&text, size, width).iter().enumerate() {
        put!(
            out,
            "<tspan x=\"{}\" y=\"{}\">{}</tspan>",
            Num(x),
            Num(size * (1.0 + 1.25 * i as f64)),
            Esc(line)
        );
    }
    out.push_str("</text>\n");
}

/// Lines of `text` as the editor would roughly wrap them in a box `width` wide (the same
/// character widths the compiler uses to estimate a text box, so an estimated box fits).
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let room = width / size + 0.01;
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_inclusive(' ') {
            if !line.is_empty() && ems(&line) + ems(word.trim_end()) > room {
                lines.push(line.trim_end().to_owned());
                line.clear();
            }
            line.push_str(word);
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Shapes drawn as polygons (names separated by spaces): corners as fractions of the box.
#[rustfmt::skip]
const POLYGONS: &[(&str, &[(f64, f64)])] = &[
    ("Triangle", &[(0.5, 0.0), (1.0, 1.0), (0.0, 1.0)]),
    ("Diamond", &[(0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5)]),
    ("Parallelogram", &[(0.25, 0.0), (1.0, 0.0), (0.75, 1.0), (0.0, 1.0)]),
    ("Pentagon Polygon", &[(0.5, 0.0), (1.0, 0.38), (0.81, 1.0), (0.19, 1.0), (0.0, 0.38)]),
    ("Hexagon_1 Hexagon_2", &[(0.25, 0.0), (0.75, 0.0), (1.0, 0.5), (0.75, 1.0), (0.25, 1.0), (0.0, 0.5)]),
    ("Star", &[(0.5, 0.0), (0.62, 0.36), (1.0, 0.38), (0.7, 0.61), (0.81, 1.0), (0.5, 0.77),
               (0.19, 1.0), (0.3, 0.61), (0.0, 0.38), (0.38, 0.36)]),
    ("Arrow_1_v2 Arrow_2_v2", &[(0.0, 0.35), (0.65, 0.35), (0.65, 0.1), (1.0, 0.5), (0.65, 0.9),
                                (0.65, 0.65), (0.0, 0.65)]),
];

fn shape(out: &mut String, clip: &Value, b: &Boxed) {
    let (w, h) = (b.width, b.height);
    let fill = clip["fill"].as_str().and_then(paint).unwrap_or("#888");
    let mut style = format!("fill=\"{}\"", Esc(fill));
    if let Some(stroke) = clip["stroke"].as_str().and_then(paint) {
        let width = number(&clip["strokeWidth"]).unwrap_or(1.0);
        put!(
            style,
            " stroke=\"{}\" stroke-width=\"{}\"",
            Esc(stroke),
            Num(width)
        );
    }
    let name = clip["shapeName"].as_str().unwrap_or_default();
    let points = POLYGONS
        .iter()
        .find(|(names, _)| names.split(' ').any(|n| n == name))
        .map_or(&[][..], |(_, points)| points);
    if !points.is_empty() {
        let list: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{},{}", Num(x * w), Num(y * h)))
            .collect();
        put!(out, "<polygon points=\"{}\" {style}/>\n", list.join(" "));
    } else if matches!(name, "Circle" | "Oval_1" | "Oval_2" | "Drop_1") {
        put!(
            out,
            "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" {style}/>\n",
            Num(w / 2.0),
            Num(h / 2.0),
            Num(w / 2.0),
            Num(h / 2.0)
        );
    } else if name == "Line_v2" {
        let width = number(&clip["strokeWidth"]).unwrap_or(0.0).max(6.0);
        put!(
            out,
            "<line x1=\"0\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
            Num(h / 2.0),
            Num(w),
            Num(h / 2.0),
            Esc(fill),
            Num(width)
        );
    } else {
        let radius = number(&clip["strokeRadius"]).unwrap_or(0.0).max(0.0);
        put!(
            out,
            "<rect width=\"{}\" height=\"{}\" rx=\"{}\" {style}/>\n",
            Num(w),
            Num(h),
            Num(radius)
        );
    }
}

/// The label of a clip, drawn over every clip so no layer hides it. Of the places around
/// its box (above, below, inside at the top, inside at the bottom; at its left or right
/// edge) it takes the first that stays on the canvas, clear of the labels already `placed`
/// and of text boxes.
pub(super) fn label(
    out: &mut String,
    clip: &Value,
    (cw, ch): (f64, f64),
    size: f64,
    texts: &[[f64; 4]],
    placed: &mut Vec<[f64; 4]>,
) {
    if Kind::of(clip) == Kind::Audio {
        return;
    }
    let b = Boxed::of(clip);
    let text = label_text(clip);
    let estimated = ems(&text) * size;
    let pad = size * 0.3;
    let fits = |x0: f64| x0.min(cw - pad - estimated).max(pad);
    let xs = [
        fits(b.left.max(0.0) + pad),
        fits((b.left + b.width).min(cw) - pad - estimated),
    ];
    let bottom = b.top + b.height;
    let ys = [
        b.top - pad,
        bottom + size * 1.05,
        b.top + size * 1.15,
        bottom - size * 0.4,
    ];
    let area = |(x0, y): (f64, f64)| [x0, y - size, x0 + estimated, y + pad];
    let overlaps =
        |a: &[f64; 4], b: &[f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    let cost = |i: usize, at: (f64, f64)| {
        let a = area(at);
        let off = a[1] < 0.0 || a[3] > ch;
        let labels = placed.iter().filter(|p| overlaps(&a, p)).count();
        let boxes = texts.iter().filter(|t| overlaps(&a, t)).count();
        usize::from(off) * 1000 + labels * 100 + boxes * 10 + i
    };
    let candidates = ys.iter().flat_map(|y| xs.iter().map(move |x| (*x, *y)));
    let (x, y) = candidates
        .enumerate()
        .min_by_key(|(i, at)| cost(*i, *at))
        .map_or((pad, size), |(_, (x, y))| (x, y.clamp(size, ch - pad)));
    placed.push(area((x, y)));
    put!(
        out,
        "<text class=\"label\" x=\"{}\" y=\"{}\" font-size=\"{}\" stroke-width=\"{}\">{}</text>\n",
        Num(x),
        Num(y),
        Num(size),
        Num(size / 4.0),
        Esc(&text)
    );
}

/// `L2 text · textImage-…`: layer, kind, type (when the id does not say it) and id.
fn label_text(clip: &Value) -> String {
    let kind = Kind::of(clip);
    let clip_type = text_of(&clip["type"]);
    let id = text_of(&clip["id"]);
    let mut text = format!("L{} {}", text_of(&clip["layer"]), kind.name());
    if !id.starts_with(&format!("{clip_type}-")) {
        put!(text, " ({clip_type})");
    }
    put!(text, " · {id}");
    if kind == Kind::Avatar {
        if clip["isDelete"] == true {
            text.push_str(" · hidden");
        } else if clip["voiceOnly"] == true {
            text.push_str(" · voice only");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn head_box_maps_the_origin_image_into_clip_space() {
        let clip = json!({
            "left": 100, "top": 50, "width": 679, "height": 2229, "scaleX": 0.5, "scaleY": 0.5,
            "model": { "editor": { "headCenterX": 613.0, "headCenterY": 290.0, "headWidth": 182.0,
                                   "headHeight": 185.0, "modelTightX": 367.0, "modelTightY": 168.0 } }
        });
        let (x, y, w, h) = head_box(&clip, &Boxed::of(&clip)).unwrap();
        assert_eq!(
            (x, y, w, h),
            (
                (613.0 - 367.0 - 91.0) * 0.5,
                (290.0 - 168.0 - 92.5) * 0.5,
                91.0,
                92.5
            )
        );
    }

    #[test]
    fn text_wraps_only_when_the_box_is_too_narrow() {
        assert_eq!(wrap("Hello world", 10.0, 66.0), ["Hello world"]);
        assert_eq!(wrap("Hello world", 10.0, 40.0), ["Hello", "world"]);
        assert_eq!(wrap("a\nb", 10.0, 100.0), ["a", "b"]);
    }
}
