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
        let path = dir.path().join(format!("{label}.yaml"));
        std::fs::write(&path, spec).unwrap();
        let program = Program::load(&path, &Options::default()).unwrap();
        let mut rng = fastrand::Rng::with_seed(13);
        let columns: Vec<String> = make_row(&mut rng)
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect();
        let renderer = program.rows(&columns);
        assert!(renderer.is_prebuilt(), "{label}: a row plan");
        let (mut good, mut planned, mut failed) = (0, 0, 0);
        for _ in 0..150 {
            let row = make_row(&mut rng);
            let mut given = Inputs::new();
            let mut typed = true;
            for (name, text) in &row {
                if !text.is_empty() {
                    typed &= program.vars.set(&mut given, name, Raw::Text(text)).is_ok();
                }
            }
            let Ok(inputs) = program.inputs(&given) else {
                continue;
            };
            if !typed {
                continue;
            }
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
