//! The row plan of a batch against the full pipeline: random rows of structural specs give
//! byte-identical documents through both, and a row the full pipeline rejects is never
//! vouched for by the plan (the full pipeline reports it).

use vidspec::compile::{Options, Program};
use vidspec::emit::Format;
use vidspec::inputs::{Inputs, Raw};

/// The listing spec: rows decide an `each` over a list, a `when` on a column and a number.
const LISTING: &str = r##"name: "Listing for {{ name }}"
vars:
  name:     { type: string, required: true }
  plan:     { type: string, required: true }
  seats:    { type: integer, required: true }
  features: { type: list, default: [Parking, Garden] }
  discount: { type: string, default: "" }
avatar: { preset: M000045058/BG00002320, language: en }
scenes:
  - background: { image: /images/background/bg_blue_gradient.png }
    say: "Hello {{ name }}, welcome to the {{ plan }} plan."
    clips:
      - text: "{{ plan }} · {{ seats }} seats"
        left: "{{ 100 + seats }}"
        top: 80
        font: { size: 72, color: "#ffffff" }
      - text: "{{ discount }} off"
        when: "{{ discount != '' }}"
        left: 100
        top: 900
        font: { size: 48, color: "#ffcc00" }
  - each: "{{ features }}"
    as: f
    say: "Feature {{ loop.index }}: {{ f }}."
    clips:
      - text: "{{ f }}"
        left: 100
        top: 100
        font: { size: 48, color: "#ffffff" }
  - use: outro
    with: { cta: "Call us, {{ name }}" }
"##;

/// Scene templates chosen and fed by columns; a number the schema bounds (opacity ≤ 100).
const TEMPLATES: &str = r##"name: "Offer for {{ name }}"
vars:
  name:  { type: string, required: true }
  cta:   { type: string, default: Book now }
  style: { type: string, default: outro }
  pct:   { type: number, default: 80 }
  title: { type: string, default: Welcome }
avatar: { preset: anna-navy-suit }
scenes:
  - use: intro
    with: { title: "{{ title }}", subtitle: "for {{ name }}" }
  - use: "{{ style }}"
    with: { cta: "{{ cta }}, {{ name }}" }
    clips:
      - text: "{{ name }}"
        opacity: "{{ pct }}"
        top: 40
"##;

/// `each` inside `each`: clips repeated per tag inside scenes repeated per feature.
const NESTED: &str = r##"vars:
  name:     { type: string, required: true }
  features: { type: list, default: [A, B] }
  tags:     { type: list, default: [x] }
  step:     { type: number, default: 10 }
  flag:     { type: string, default: "yes" }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hi {{ name }}"
    when: "{{ flag == 'yes' }}"
  - each: "{{ features }}"
    as: f
    say: "{{ loop.index }} of {{ loop.length }}: {{ f }}"
    clips:
      - each: "{{ tags }}"
        as: t
        when: "{{ t != 'skip' }}"
        text: "{{ f }} / {{ t }}"
        left: "{{ step * loop.index }}"
        top: 100
        font: { size: 40 }
      - text: "{{ name }}"
        scale: 2
        opacity: "{{ step }}"
  - say: "Bye"
    clips:
      - each: [1, 2]
        as: n
        text: "{{ n }}. {{ name }}"
"##;

const WORDS: &[&str] = &[
    "Kim",
    "Ada \"the\" first",
    "línea\ncon salto",
    "",
    "back\\slash",
    "✨ Zed",
    "{{ not a template }}",
    "skip",
    "x",
    "tab\there",
    "A much longer line of text that makes the text box wider than the others",
    "<b>&amp;</b>",
    "\u{E001}look-alike\u{E001}",
];

fn word(rng: &mut fastrand::Rng) -> String {
    WORDS[rng.usize(..WORDS.len())].to_owned()
}

/// Mostly words a scene template argument can carry as they are.
fn plain(rng: &mut fastrand::Rng) -> String {
    match rng.usize(..5) {
        0 => word(rng),
        _ => [
            "Kim",
            "✨ Zed",
            "skip",
            "A much longer line",
            "<b>&amp;</b>",
        ][rng.usize(..5)]
        .to_owned(),
    }
}

fn list(rng: &mut fastrand::Rng, most: usize) -> String {
    (0..rng.usize(0..=most))
        .map(|_| word(rng).replace('|', "/"))
        .collect::<Vec<_>>()
        .join("|")
}

fn number(rng: &mut fastrand::Rng) -> String {
    match rng.usize(..6) {
        0 => rng.i64(-1000..1000).to_string(),
        1 => format!("{:.2}", rng.f64() * 200.0 - 50.0),
        2 => ["0", "100", "100.5", "1e3", "-0.5", "30"][rng.usize(..6)].to_owned(),
        _ => rng.i64(0..120).to_string(),
    }
}

type Row = Vec<(&'static str, String)>;
/// A spec to try: its label, its text, its rows, and whether some of its rows must fail.
type Case = (
    &'static str,
    &'static str,
    fn(&mut fastrand::Rng) -> Row,
    bool,
);

fn listing_row(rng: &mut fastrand::Rng) -> Row {
    vec![
        ("name", word(rng)),
        ("plan", ["Free", "Pro", ""][rng.usize(..3)].to_owned()),
        (
            "seats",
            match rng.usize(..12) {
                0 => i64::MAX.to_string(),
                _ => rng.i64(-600..600).to_string(),
            },
        ),
        ("features", list(rng, 5)),
        (
            "discount",
            ["", "10%", "", "½ \"price\""][rng.usize(..4)].to_owned(),
        ),
    ]
}

fn templates_row(rng: &mut fastrand::Rng) -> Row {
    vec![
        ("name", plain(rng)),
        ("cta", plain(rng)),
        (
            "style",
            ["outro", "outro", "outro", "outro", "intro", "nosuch"][rng.usize(..6)].to_owned(),
        ),
        (
            "pct",
            match rng.usize(..3) {
                0 => number(rng),
                _ => rng.i64(0..=100).to_string(),
            },
        ),
        ("title", plain(rng)),
    ]
}

fn nested_row(rng: &mut fastrand::Rng) -> Row {
    vec![
        ("name", word(rng)),
        ("features", list(rng, 3)),
        ("tags", list(rng, 3)),
        ("step", number(rng)),
        ("flag", ["yes", "no", "yes"][rng.usize(..3)].to_owned()),
    ]
}

/// The spec, written to `dir`, compiled.
fn load(dir: &std::path::Path, label: &str, spec: &str, options: &Options) -> Program {
    let path = dir.join(format!("{label}.yaml"));
    std::fs::write(&path, spec).unwrap();
    Program::load(&path, options).unwrap()
}

/// The columns of a spec's rows.
fn columns(make_row: fn(&mut fastrand::Rng) -> Row, rng: &mut fastrand::Rng) -> Vec<String> {
    make_row(rng).iter().map(|(k, _)| (*k).to_owned()).collect()
}

/// A row's resolved inputs; None when a cell does not convert or a required value is missing.
fn inputs(program: &Program, row: &Row) -> Option<Inputs> {
    let mut given = Inputs::new();
    for (name, text) in row {
        if !text.is_empty() {
            program.vars.set(&mut given, name, Raw::Text(text)).ok()?;
        }
    }
    program.inputs(&given).ok()
}

/// Random rows of each spec: a row the plan serves equals the full pipeline byte for byte,
/// in both formats; a row the full pipeline rejects is rejected through the renderer with the
/// same error; and the plan serves most good rows.
#[test]
fn row_plan_equals_the_full_pipeline_for_random_rows() {
    let cases: [Case; 3] = [
        ("listing", LISTING, listing_row, false),
        ("templates", TEMPLATES, templates_row, true),
        ("nested", NESTED, nested_row, true),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (label, spec, make_row, must_fail) in cases {
        let program = load(dir.path(), label, spec, &Options::default());
        let mut rng = fastrand::Rng::with_seed(13);
        let renderer = program.rows(&columns(make_row, &mut rng));
        assert!(renderer.is_prebuilt(), "{label}: a row plan");
        let (mut good, mut planned, mut failed) = (0, 0, 0);
        for _ in 0..150 {
            let row = make_row(&mut rng);
            let Some(inputs) = inputs(&program, &row) else {
                continue;
            };
            let full = program.render(&inputs);
            for format in [Format::Compact, Format::Pretty] {
                let through = renderer.render_bytes(&inputs, format);
                let plan = renderer.planned(&inputs, format);
                match &full {
                    Ok(lowered) => {
                        let expected =
                            String::from_utf8(vidspec::emit::to_bytes(&lowered.project, format))
                                .unwrap();
                        assert_eq!(
                            String::from_utf8(through.unwrap()).unwrap(),
                            expected,
                            "{label} {row:?}"
                        );
                        if let Some(bytes) = plan {
                            assert_eq!(String::from_utf8(bytes).unwrap(), expected, "{label}");
                            planned += usize::from(format == Format::Compact);
                        }
                    }
                    Err(diags) => {
                        assert!(plan.is_none(), "{label}: the plan vouched for {row:?}");
                        let shown = |d: &vidspec::diag::Diagnostics| {
                            d.items.iter().map(|d| d.render(false)).collect::<String>()
                        };
                        assert_eq!(shown(&through.unwrap_err()), shown(diags), "{label}");
                    }
                }
            }
            match &full {
                Ok(lowered) => {
                    good += 1;
                    assert_eq!(
                        renderer.render(&inputs).unwrap(),
                        lowered.project,
                        "{label}"
                    );
                }
                Err(_) => failed += 1,
            }
        }
        assert!(good >= 40, "{label}: {good} good rows");
        assert!(!must_fail || failed >= 5, "{label}: {failed} failing rows");
        assert!(
            planned * 10 >= good * 6,
            "{label}: the plan served {planned} of {good} good rows"
        );
    }
}

/// A title that overflows its box and the frame with a long name, speech that runs long.
const OVERFLOW: &str = r##"vars:
  name:  { type: string, required: true }
  title: { type: string, default: Welcome }
  size:  { type: number, default: 64 }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hello {{ name }}, and welcome. {{ title }}"
    clips:
      - text: "{{ title }}, {{ name }}!"
        left: 1200
        top: 100
        font: { size: 64 }
      - text: "{{ name }}"
        width: "{{ size * 5 }}"
        height: 90
        left: 100
        top: 600
        font: { size: 64 }
      - text: "A fixed caption"
        left: 100
        top: 900
      - image: ./logo.png
        left: 1700
        top: 950
        width: 100
        height: 100
      - shape: Circle
        fill: "#12345"
        left: 1800
        top: 10
  - say: "Bye {{ name }}"
"##;

/// `left` and `width` from number columns push a shape off the canvas or onto another clip
/// of its layer.
const OFF_CANVAS: &str = r##"vars:
  name: { type: string, required: true }
  x:    { type: number, default: 100 }
  w:    { type: number, default: 200 }
  y:    { type: number, default: 100 }
  bg:   { type: string, default: "" }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hi {{ name }}"
    background: { image: "{{ bg }}", color: "#000000" }
    clips:
      - shape: Square
        left: "{{ x }}"
        top: "{{ y }}"
        width: "{{ w }}"
        layer: 3
      - shape: Circle
        left: 300
        top: 100
        layer: 3
      - text: "{{ name }}"
        left: "{{ x * 2 }}"
        top: 500
"##;

/// Media URLs from columns that can be empty.
const URLS: &str = r##"vars:
  name:  { type: string, required: true }
  photo: { type: string, default: "" }
  bg:    { type: string, default: "" }
  clip:  { type: string, default: "https://cdn.example.com/v.mp4" }
avatar: { preset: anna-navy-suit }
scenes:
  - background: { image: "{{ bg }}" }
    say: "Hi {{ name }}"
    clips:
      - image: "{{ photo }}"
        width: 400
        height: 300
      - video: "{{ clip }}"
        left: 500
        width: 400
        height: 300
"##;

fn overflow_row(rng: &mut fastrand::Rng) -> Row {
    vec![
        ("name", word(rng)),
        ("title", plain(rng)),
        ("size", ["64", "12", "200", "48"][rng.usize(..4)].to_owned()),
    ]
}

fn off_canvas_row(rng: &mut fastrand::Rng) -> Row {
    let coordinate = |rng: &mut fastrand::Rng| match rng.usize(..4) {
        0 => rng.i64(-400..0).to_string(),
        1 => rng.i64(1700..2200).to_string(),
        _ => rng.i64(0..1900).to_string(),
    };
    vec![
        ("name", word(rng)),
        ("x", coordinate(rng)),
        ("w", rng.i64(1..700).to_string()),
        ("y", coordinate(rng)),
        (
            "bg",
            ["", " ", "https://cdn.example.com/a.png", "./a.png"][rng.usize(..4)].to_owned(),
        ),
    ]
}

fn urls_row(rng: &mut fastrand::Rng) -> Row {
    let url = |rng: &mut fastrand::Rng| {
        [
            "",
            " ",
            "https://cdn.example.com/a.png",
            "./local.png",
            "http://localhost/x.png",
            "/images/background/bg_blue_gradient.png",
        ][rng.usize(..6)]
        .to_owned()
    };
    vec![
        ("name", word(rng)),
        ("photo", url(rng)),
        ("bg", url(rng)),
        ("clip", url(rng)),
    ]
}

/// Random rows of structural specs whose lints depend on the row: the lints a planned row
/// gets through its shape's slots (no document read back) are exactly those `check`'s lint
/// finds in the fully rendered document — message, location and help, in order — and rows
/// the plan serves are linted through the slots, not by reading them back.
#[test]
fn lints_through_the_slots_equal_the_full_lint_for_random_rows() {
    // The last field here: whether the spec's shapes lint through their slots (the URLs' shape is
    // checked per row, its document read back, since the schema asks clip URLs for a length).
    let cases: [Case; 6] = [
        (
            "listing",
            include_str!("../benches/listing.yaml"),
            listing_row,
            true,
        ),
        ("templates", TEMPLATES, templates_row, true),
        ("nested", NESTED, nested_row, true),
        ("overflow", OVERFLOW, overflow_row, true),
        ("off-canvas", OFF_CANVAS, off_canvas_row, true),
        ("urls", URLS, urls_row, false),
    ];
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        lints: vidspec::compile::LintOptions { max_speech: 60 },
        ..Options::default()
    };
    let shown = |lints: &[vidspec::diag::Diagnostic]| -> Vec<String> {
        lints.iter().map(|d| d.render(false)).collect()
    };
    let mut row_aware = 0;
    for (label, spec, make_row, slots) in cases {
        let program = load(dir.path(), label, spec, &options);
        let mut rng = fastrand::Rng::with_seed(17);
        let renderer = program.rows(&columns(make_row, &mut rng));
        assert!(renderer.is_prebuilt(), "{label}: a row plan");
        let (mut good, mut served, mut through_slots, mut linted) = (0, 0, 0, 0);
        for _ in 0..200 {
            let row = make_row(&mut rng);
            let Some(inputs) = inputs(&program, &row) else {
                continue;
            };
            let Ok(full) = program.render(&inputs) else {
                continue;
            };
            good += 1;
            let expected = program.lints(&full);
            linted += usize::from(!expected.is_empty());
            row_aware += expected
                .iter()
                .filter(|d| vidspec::compile::is_row_aware(d))
                .count();
            for format in [Format::Compact, Format::Pretty] {
                let Some(planned) = renderer.planned_linted(&inputs, format) else {
                    continue;
                };
                assert_eq!(shown(&planned.lints), shown(&expected), "{label} {row:?}");
                if format == Format::Compact {
                    served += 1;
                    through_slots += usize::from(planned.through_slots);
                }
            }
            let (_, lints) = renderer
                .render_bytes_linted(&inputs, Format::Compact)
                .unwrap();
            assert_eq!(shown(&lints), shown(&expected), "{label} {row:?}");
        }
        assert!(good >= 40, "{label}: {good} good rows");
        assert!(
            served * 2 >= good,
            "{label}: the plan served {served} of {good}"
        );
        assert!(
            !slots || through_slots * 10 >= served * 9,
            "{label}: {through_slots} of {served} planned rows linted through the slots"
        );
        assert!(
            label == "listing" || linted >= 10,
            "{label}: {linted} rows with lints"
        );
    }
    assert!(row_aware >= 100, "{row_aware} row-aware lints in all");
}
