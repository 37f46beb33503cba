//! The lints of a planned row, through its shape's slots: no document is read back.
//!
//! When a shape is built, each value of its symbolic project that holds a slot is placed
//! among what the lints read ([`lint::read_at`]). A scene none of whose linted values holds a
//! slot lints the same for every row: its lints are found once, from the shape. A scene
//! whose speech, background URL or clip text, URL, position, size or font size holds one
//! keeps what the lints read of it ([`SceneFacts`]); per row, the row's text (literal pieces
//! and slot values) and numbers are put in and the scene is linted by the same
//! [`lint::lint_scene`] that `check` runs on a document. A slot anywhere else a lint reads (a
//! colour, a layer, the orientation) leaves the shape without slot lints: its rows are read
//! back and linted in full.

use std::borrow::Cow;

use serde_json::Value;

use super::prebuilt::{Piece, join};
use crate::diag::{Diagnostic, Source, Span};
use crate::expand::SYMBOL;
use crate::lint::{self, LintOptions, Read, SceneFacts};
use crate::lower::json_path::Path;
use crate::lower::{Origins, Presets};

/// Where a row's value for one linted place comes from.
#[derive(Debug)]
pub(super) enum Fill {
    /// Text: literal pieces and slot values.
    Text(Vec<Piece>),
    /// Instance `i`'s number.
    Number(usize),
    /// Estimated box `index`'s width (false) or height (true).
    Box(usize, bool),
}

/// One scene of a shape, for its lints.
#[derive(Debug)]
enum Site {
    /// No linted value holds a slot: the scene's lints, the same for every row.
    Fixed(Vec<Diagnostic>),
    /// What the lints read of the scene, and the places a row fills.
    Live {
        facts: SceneFacts<'static>,
        fills: Vec<(Read, Fill)>,
    },
}

/// The lints of a shape's rows.
#[derive(Debug)]
pub(super) struct SlotLints {
    canvas: (f64, f64),
    scenes: Vec<Site>,
    /// Each `use:`'s text as the shape rendered it (placeholders for its arguments) and in
    /// pieces: a lint located there is located again in the row's own rendering.
    renders: Vec<(String, Vec<Piece>)>,
}

/// A row's values, as the shape fills them.
pub(super) struct RowValues<'r> {
    pub(super) texts: &'r [Cow<'r, str>],
    pub(super) numbers: &'r [Option<Value>],
    /// Each estimated box's (width, height) as written.
    pub(super) boxes: &'r [(Value, Value)],
    /// Every instance's value.
    pub(super) values: &'r [Value],
    /// The text of each `use:`, rendered with the row's arguments.
    pub(super) rendered: &'r [String],
}

impl SlotLints {
    /// The slot lints of a symbolic `project` whose slots are `marks`; None when a slot sits
    /// where a lint reads it and a row's value cannot be put in without the document.
    pub(super) fn new(
        project: &Value,
        marks: Vec<(Path, Fill)>,
        renders: Vec<(String, Vec<Piece>)>,
        origins: &Origins,
        program: &super::Program,
    ) -> Option<SlotLints> {
        let scenes = project["scenes"].as_array().map_or(&[][..], Vec::as_slice);
        let mut fills: Vec<Vec<(Read, Fill)>> = scenes.iter().map(|_| Vec::new()).collect();
        for (path, fill) in marks {
            let read = lint::read_at(&path);
            let scene = match (read, &fill) {
                (Read::Unread, _) => continue,
                (
                    Read::BackgroundUrl(s) | Read::Speech(s) | Read::ClipText(s, ..),
                    Fill::Text(_),
                )
                | (Read::ClipNumber(s, ..), Fill::Number(_) | Fill::Box(..)) => s,
                _ => return None,
            };
            fills.get_mut(scene)?.push((read, fill));
        }
        let canvas = lint::canvas_of(project);
        let scenes = scenes
            .iter()
            .zip(fills)
            .enumerate()
            .map(|(s, (scene, fills))| {
                let facts = SceneFacts::of(scene);
                let mut found = Vec::new();
                if fills.is_empty() {
                    let (presets, options) = (&program.presets, &program.lint_options);
                    let locate = |pointer: &str| origins.find(pointer).cloned();
                    lint::lint_scene(&mut found, &locate, s, &facts, canvas, presets, options);
                }
                // Lints located in a `use:`'s rendering are located again for each row.
                if fills.is_empty() && (found.is_empty() || renders.is_empty()) {
                    Site::Fixed(found)
                } else {
                    let mut facts = facts.into_owned();
                    let filled: Vec<Read> = fills.iter().map(|(read, _)| *read).collect();
                    facts.drop_quiet(&filled, &program.presets);
                    Site::Live { facts, fills }
                }
            })
            .collect();
        Some(SlotLints {
            canvas,
            scenes,
            renders,
        })
    }

    /// The lints of the row with `values`: those [`lint::lint`] finds in its document.
    pub(super) fn row(
        &self,
        values: &RowValues<'_>,
        origins: &Origins,
        presets: &Presets,
        options: &LintOptions,
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let locate = |pointer: &str| {
            origins
                .find(pointer)
                .map(|span| self.relocate(span, values))
        };
        for (s, site) in self.scenes.iter().enumerate() {
            match site {
                Site::Fixed(lints) => found.extend(lints.iter().cloned()),
                Site::Live { facts, fills } => {
                    let mut scene = facts.view();
                    for (read, fill) in fills {
                        match fill {
                            Fill::Text(pieces) => {
                                let text = match pieces.as_slice() {
                                    [Piece::Slot(i)] => Cow::Borrowed(&*values.texts[*i]),
                                    _ => Cow::Owned(join(pieces, |i| &values.texts[i])),
                                };
                                scene.set_text(*read, text);
                            }
                            Fill::Number(i) => {
                                let number = values.numbers[*i].as_ref().and_then(Value::as_f64);
                                scene.set_number(*read, number);
                            }
                            Fill::Box(index, height) => {
                                let (w, h) = &values.boxes[*index];
                                let number = if *height { h } else { w };
                                scene.set_number(*read, number.as_f64());
                            }
                        }
                    }
                    lint::lint_scene(
                        &mut found,
                        &locate,
                        s,
                        &scene,
                        self.canvas,
                        presets,
                        options,
                    );
                }
            }
        }
        lint::dedupe(&mut found);
        found
    }
}

impl SlotLints {
    /// `span` in the row's own text: a span in a `use:` rendered with placeholders moves to
    /// the same place in the row's rendering (a span over a placeholder covers its argument).
    fn relocate(&self, span: &Span, values: &RowValues<'_>) -> Span {
        let Some(k) = self
            .renders
            .iter()
            .position(|(text, _)| *text == span.source.text)
        else {
            return span.clone();
        };
        let (Some((_, pieces)), Some(rendered)) = (self.renders.get(k), values.rendered.get(k))
        else {
            return span.clone();
        };
        let nonce = crate::expand::symbol_nonce();
        let lengths: Vec<(bool, usize, usize)> = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => (true, text.len(), text.len()),
                Piece::Slot(i) => {
                    let mark = format!("{SYMBOL}{nonce}-{i}{SYMBOL}");
                    let argument = values.values[*i].as_str().map_or(0, str::len);
                    (false, mark.len(), argument)
                }
            })
            .collect();
        let map = |offset: usize, end: bool| {
            let (mut from, mut to) = (0, 0);
            for &(literal, shaped, own) in &lengths {
                if literal && offset <= from + shaped {
                    return to + offset - from;
                }
                if !literal && offset < from + shaped {
                    return if offset == from || !end { to } else { to + own };
                }
                from += shaped;
                to += own;
            }
            to
        };
        let source = Source::new(span.source.name.clone(), rendered.clone());
        Span::new(&source, map(span.start, false), map(span.end, true))
    }
}
