//! `vidspec decompile` and `vidspec presets`: the law `build(decompile(x)) == x` for bodies
//! vidspec made (every example, and specs generated at random), value for value for the
//! vendor's bodies, and presets extracted from editor-made projects.

use serde_json::{Value, json};

use crate::support::{Test, assert_contains, fixture, repo};

/// Builds `spec` (a path in the repository) and returns the project JSON text.
fn build_in_repo(spec: &str, sets: &[&str]) -> String {
    Test::in_repo()
        .args(["build", spec])
        .args(sets)
        .run()
        .success()
        .stdout
}

/// A decompiled spec follows the spec language's JSON Schema (what editors check).
#[track_caller]
fn assert_follows_spec_schema(spec: &str) {
    let source = vidspec::diag::Source::new("decompiled.yaml", spec);
    let node = vidspec::load::yaml::parse(&source, vidspec::load::yaml::Limits::default()).unwrap();
    let errors = vidspec::check::Schema::new(vidspec::check::SPEC_SCHEMA).errors(&node.to_json());
    assert!(
        errors.is_empty(),
        "{errors:?}
{spec}"
    );
}

/// Decompiles `body` in a fresh folder, builds the spec it wrote, and returns
/// (decompile's stderr, the spec text, the rebuilt project's JSON text).
fn round_trip(body: &Value) -> (String, String, String) {
    let out = Test::new()
        .write("project.json", body.to_string())
        .args(["decompile", "project.json", "-o", "spec/decompiled.yaml"])
        .run()
        .success();
    let stderr = out.stderr.clone();
    let spec = out.file("spec/decompiled.yaml");
    assert_follows_spec_schema(&spec);
    let rebuilt = Test::new()
        .args(["build"])
        .arg(out.dir.path().join("spec/decompiled.yaml"))
        .run()
        .success()
        .stdout;
    (stderr, spec, rebuilt)
}

#[test]
fn every_example_round_trips_exactly_and_without_warnings() {
    let examples = crate::support::examples();
    assert!(examples.len() >= 7);
    for path in examples {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let sets: &[&str] = if name == "welcome.yaml" {
            &["--set", "name=Ada"]
        } else {
            &[]
        };
        let built = build_in_repo(&format!("examples/{name}"), sets);
        let body: Value = serde_json::from_str(&built).unwrap();
        let (stderr, spec, rebuilt) = round_trip(&body);
        assert_eq!(stderr, "", "{name}: decompile warned");
        assert_eq!(
            serde_json::from_str::<Value>(&rebuilt).unwrap(),
            body,
            "{name}: the decompiled spec builds another project:\n{spec}"
        );
        assert_eq!(rebuilt, built, "{name}: same JSON, different bytes");
    }
}

#[test]
fn decompiled_seed_is_as_short_as_the_hand_written_example() {
    let (stderr, spec, _) = round_trip(&fixture("seed-project.json"));
    assert_eq!(stderr, "");
    let hand_written = std::fs::read_to_string(repo().join("examples/seed.yaml")).unwrap();
    let content = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
    assert!(
        content(&spec) <= content(&hand_written),
        "decompiled:\n{spec}"
    );
    assert!(spec.contains("preset: anna-navy-suit"), "{spec}");
}

#[test]
fn vendor_fixtures_keep_every_value_through_decompile() {
    for name in ["seed-project.json", "docs-create-project.json"] {
        let body = fixture(name);
        let (stderr, spec, rebuilt) = round_trip(&body);
        assert_eq!(stderr, "", "{name}");
        assert!(
            !spec.contains("extra"),
            "{name}: nothing needs a passthrough:\n{spec}"
        );
        assert_contains(&body, &serde_json::from_str(&rebuilt).unwrap());
    }
}

#[test]
fn two_scene_fixture_keeps_every_value_and_its_scenes_are_renumbered() {
    let body = fixture("docs-two-scene-project.json");
    let (stderr, spec, rebuilt) = round_trip(&body);
    assert!(
        stderr.contains("/scenes/1/sceneIdx: 0 renumbered to 1"),
        "{stderr}"
    );
    assert!(spec.contains("avatar: none"), "{spec}");
    let mut expected = body;
    expected["scenes"][1]["sceneIdx"] = 1.into();
    assert_contains(&expected, &serde_json::from_str(&rebuilt).unwrap());
}

#[test]
fn a_get_project_response_decompiles_like_its_body() {
    let body: Value = serde_json::from_str(&build_in_repo("examples/seed.yaml", &[])).unwrap();
    let mut stored = body.clone();
    stored["_id"] = "6650f0c1e4b0a1b2c3d4e5f6".into();
    stored["createdAt"] = "2024-05-24T12:00:00.000Z".into();
    for document in [
        json!({ "success": true, "data": { "project": stored } }),
        json!({ "data": { "project": stored } }),
    ] {
        let (stderr, _, rebuilt) = round_trip(&document);
        assert!(stderr.contains("/_id: set by the service"), "{stderr}");
        assert_eq!(serde_json::from_str::<Value>(&rebuilt).unwrap(), body);
    }
}

#[test]
fn an_unknown_field_is_kept_in_extra_with_a_warning_naming_it() {
    let mut body: Value = serde_json::from_str(&build_in_repo(
        "examples/welcome.yaml",
        &["--set", "name=Ada"],
    ))
    .unwrap();
    body["folderId"] = "f-1".into();
    body["scenes"][0]["transition"] = json!({ "type": "wipe", "duration": 0.5 });
    body["scenes"][0]["clips"][1]["letterSpacing"] = 2.into();
    body["scenes"][0]["clips"][0]["lipSync"] = true.into();
    body["scenes"][1]["thumbnailUrl"] = "https://cdn.example.com/t.png".into();
    let (stderr, spec, rebuilt) = round_trip(&body);
    for pointer in [
        "/folderId",
        "/scenes/0/transition",
        "/scenes/0/clips/1/letterSpacing",
        "/scenes/0/clips/0/lipSync",
        "/scenes/1/thumbnailUrl",
    ] {
        assert!(
            stderr.contains(&format!("warning: {pointer}:")),
            "no warning for {pointer}:\n{stderr}"
        );
    }
    assert!(spec.contains("extra:"), "{spec}");
    assert_eq!(serde_json::from_str::<Value>(&rebuilt).unwrap(), body);
}

#[test]
fn text_holding_template_syntax_round_trips_literally() {
    let built = build_in_repo("examples/welcome.yaml", &["--set", "name={{ 7*7 }}"]);
    assert!(built.contains("Welcome, {{ 7*7 }}"));
    let mut body: Value = serde_json::from_str(&built).unwrap();
    body["scenes"][0]["clips"][1]["text"] = "{% endraw %} and {# #}\n".into();
    let (stderr, spec, rebuilt) = round_trip(&body);
    assert_eq!(stderr, "");
    assert!(
        spec.contains("{% raw %}Welcome, {{ 7*7 }}{% endraw %}"),
        "{spec}"
    );
    assert_eq!(serde_json::from_str::<Value>(&rebuilt).unwrap(), body);
}

#[test]
fn unknown_model_geometry_becomes_a_preset_file_beside_the_spec() {
    let mut body = fixture("seed-project.json");
    let model = &mut body["scenes"][0]["clips"][0]["model"];
    for block in ["editor", "editorValue"] {
        model[block]["headWidth"] = 190.into();
    }
    let (stderr, spec, rebuilt) = round_trip(&body);
    assert!(
        stderr.contains("note: wrote spec/m000045058-bg00002320.yaml"),
        "{stderr}"
    );
    assert!(
        spec.contains("presets:\n  - m000045058-bg00002320.yaml"),
        "{spec}"
    );
    assert!(spec.contains("preset: m000045058-bg00002320"), "{spec}");
    assert_contains(&body, &serde_json::from_str(&rebuilt).unwrap());
}

#[test]
fn decompile_to_stdout_writes_new_presets_into_the_current_folder() {
    let mut body = fixture("seed-project.json");
    body["scenes"][0]["clips"][0]["model"]["editor"]["headHeight"] = 200.into();
    body["scenes"][0]["clips"][0]["model"]["editorValue"]["headHeight"] = 200.into();
    let out = Test::new()
        .write("project.json", body.to_string())
        .args(["decompile", "project.json"])
        .run()
        .success();
    assert!(
        out.stdout.contains("preset: m000045058-bg00002320"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("note: wrote ./m000045058-bg00002320.yaml"),
        "{}",
        out.stderr
    );
    let preset = out.file("m000045058-bg00002320.yaml");
    assert!(preset.contains("height: 200"), "{preset}");
}

#[test]
fn extra_fields_are_merged_verbatim_at_every_level() {
    let out = Test::new()
        .write(
            "s.yaml",
            r#"
avatar: { preset: anna-navy-suit, extra: { lipSync: true } }
extra: { folderId: "{{ not a template }}" }
scenes:
  - say: Hi
    extra: { thumbnailUrl: https://t.example/x.png }
    clips:
      - text: Hello
        extra: { name: greeting, letterSpacing: 2 }
"#,
        )
        .args(["build", "s.yaml"])
        .run()
        .success();
    let project = out.json();
    assert_eq!(project["folderId"], "{{ not a template }}");
    assert_eq!(
        project["scenes"][0]["thumbnailUrl"],
        "https://t.example/x.png"
    );
    assert_eq!(project["scenes"][0]["clips"][0]["lipSync"], true);
    let text = &project["scenes"][0]["clips"][1];
    assert_eq!(
        (&text["name"], &text["letterSpacing"]),
        (&json!("greeting"), &json!(2))
    );
}

#[test]
fn presets_extract_from_the_seed_gives_the_built_in_preset() {
    let out = Test::new()
        .arg("presets")
        .arg("extract")
        .arg(crate::support::fixture_path("seed-project.json"))
        .args(["-o", "models"])
        .run()
        .success();
    assert_eq!(
        out.stderr, "",
        "the preset reproduces the clip's avatar block"
    );
    assert_eq!(out.stdout.trim(), "models/m000045058-bg00002320.yaml");
    let read = |text: &str| {
        let source = vidspec::diag::Source::new("p.yaml", text);
        let node = vidspec::load::yaml::parse(&source, vidspec::load::yaml::Limits::default());
        node.unwrap().to_json()
    };
    let extracted = read(&out.file("models/m000045058-bg00002320.yaml"));
    let mut builtin = read(
        &std::fs::read_to_string(repo().join("templates/models/anna-navy-suit.yaml")).unwrap(),
    );
    let errors = vidspec::check::Schema::preset().errors(&extracted);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(extracted["alias"], "m000045058-bg00002320");
    // The same numbers; the built-in preset adds a label and a second, named placement.
    let object = builtin.as_object_mut().unwrap();
    object.shift_remove("label");
    object["alias"] = extracted["alias"].clone();
    object["placements"]
        .as_object_mut()
        .unwrap()
        .shift_remove("docs-sample");
    assert_eq!(extracted, builtin);
}

#[test]
fn presets_extract_takes_an_alias_and_warns_naming_a_field_it_cannot_reproduce() {
    let mut body = fixture("seed-project.json");
    body["scenes"][0]["clips"][0]["model"]["editor"]["spaceB"] = 1.5.into();
    let out = Test::new()
        .write("p.json", body.to_string())
        .args(["presets", "extract", "p.json", "--alias", "my-anna"])
        .run()
        .success();
    assert!(
        out.stderr
            .contains("/scenes/0/clips/0/model/editor/spaceB: the preset gives 46.833333333333314, the clip has 1.5"),
        "{}",
        out.stderr
    );
    assert!(out.file("my-anna.yaml").contains("alias: my-anna"));
    Test::new()
        .write("p.json", body.to_string())
        .args(["presets", "extract", "p.json", "--alias", "My Anna"])
        .run()
        .failure(2);
}

#[test]
fn presets_list_and_show_name_the_built_in_preset() {
    let list = Test::new().args(["presets", "list"]).run().success();
    assert!(
        list.stdout.lines().any(|l| l.starts_with("anna-navy-suit")
            && l.contains("M000045058/BG00002320")
            && l.ends_with("default, docs-sample")),
        "{}",
        list.stdout
    );
    let builtin =
        std::fs::read_to_string(repo().join("templates/models/anna-navy-suit.yaml")).unwrap();
    for name in ["anna-navy-suit", "M000045058/BG00002320"] {
        let show = Test::new().args(["presets", "show", name]).run().success();
        assert_eq!(show.stdout, builtin);
    }
    let missing = Test::new()
        .args(["presets", "show", "anna-navy-siut"])
        .run()
        .failure(1);
    missing.stderr_has("did you mean `anna-navy-suit`?");
}

/// Random specs, deterministic by seed: whatever vidspec builds from them, decompiling
/// gives a spec that builds the same bytes.
#[test]
fn generated_specs_round_trip_through_decompile() {
    use vidspec::compile::{Options, build};
    for seed in 0..160 {
        let mut generator = Gen::new(seed);
        let spec = generator.spec();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spec.yaml");
        let text = serde_json::to_string_pretty(&spec).unwrap();
        std::fs::write(&path, &text).unwrap();
        let fail = |what: &str, e: vidspec::Error| -> ! {
            panic!("seed {seed}: {what}:\n{}\nspec:\n{text}", e.render(false))
        };
        let x = match build(&path, &Options::default()) {
            Ok((lowered, _)) => lowered.project,
            Err(e) => fail("the generated spec does not build", e),
        };
        let out = dir.path().join("out/decompiled.yaml");
        let decompiled = vidspec::decompile::decompile(&x, &out, &[])
            .unwrap_or_else(|e| fail("decompile failed", e));
        assert_follows_spec_schema(&decompiled.spec);
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        std::fs::write(&out, &decompiled.spec).unwrap();
        for preset in &decompiled.presets {
            std::fs::write(dir.path().join("out").join(&preset.file_name), &preset.text).unwrap();
        }
        let y = match build(&out, &Options::default()) {
            Ok((lowered, _)) => lowered.project,
            Err(e) => fail(
                &format!("the decompiled spec does not build:\n{}", decompiled.spec),
                e,
            ),
        };
        let bytes = |v: &Value| vidspec::emit::to_bytes(v, vidspec::emit::Format::Pretty);
        assert!(
            x == y && bytes(&x) == bytes(&y),
            "seed {seed}: build(decompile(x)) != x\nspec:\n{text}\ndecompiled:\n{}",
            decompiled.spec
        );
        let warnings: Vec<String> = decompiled
            .warnings
            .iter()
            .map(|w| w.render(false))
            .collect();
        assert!(
            generator.used_extra || warnings.is_empty(),
            "seed {seed}: warnings for a body vidspec made: {warnings:?}\nspec:\n{text}\ndecompiled:\n{}",
            decompiled.spec
        );
    }
}

/// A small generator of valid specs (written as JSON, which is YAML).
struct Gen {
    rng: fastrand::Rng,
    custom_preset: bool,
    used_extra: bool,
    ids: usize,
}

const FRAGMENTS: &[&str] = &[
    "Hello",
    "Ünïcödé",
    "김민수 님",
    "a: b",
    "#hash",
    "- dash",
    "1080",
    "true",
    "null",
    "~",
    " spaced ",
    "two\nlines",
    "quote \"q\"",
    "back\\slash",
    "tab\there",
    "🎬",
    "trailing\n",
    "https://cdn.example.com/a b.png",
    "rgb(1,2,3)",
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "{{ '{%' }} endraw %}",
    "{{ '{#' }} c #}",
    "{{ 6 * 7 }}",
    "{{ '{{' }}",
];
const SHAPES: &[&str] = &[
    "Circle",
    "Star",
    "Rectangle_corner0",
    "Line_v2",
    "Hexagon_2",
];
const ANIMATIONS: &[&str] = &["fade-in", "zoom-out", "in-left", "out-up"];

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: fastrand::Rng::with_seed(seed),
            custom_preset: false,
            used_extra: false,
            ids: 0,
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }

    fn text(&mut self) -> String {
        let n = self.rng.usize(1..=3);
        (0..n)
            .map(|_| self.pick(FRAGMENTS))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn url(&mut self, ext: &str) -> String {
        format!(
            "https://cdn.example.com/{}/{}.{ext}",
            self.rng.u32(..1000),
            self.rng.u32(..1000)
        )
    }

    fn colour(&mut self) -> String {
        if self.chance(0.5) {
            format!("#{:06x}", self.rng.u32(..0x0100_0000))
        } else {
            format!(
                "rgb({},{},{})",
                self.rng.u8(..),
                self.rng.u8(..),
                self.rng.u8(..)
            )
        }
    }

    /// A coordinate: an integer, a float with every digit, or an extreme.
    fn coord(&mut self) -> Value {
        match self.rng.u8(..10) {
            0..=3 => json!(self.rng.i32(-200..2000)),
            4..=7 => json!(self.rng.f64() * 2200.0 - 200.0),
            8 => json!(1e-9 * self.rng.f64()),
            _ => json!(1e21 * (1.0 + self.rng.f64())),
        }
    }

    fn positive(&mut self, max: f64) -> Value {
        if self.chance(0.4) {
            json!(self.rng.u32(1..=max as u32))
        } else {
            json!(max * (0.01 + self.rng.f64()))
        }
    }

    fn between(&mut self, low: u32, high: u32) -> Value {
        if self.chance(0.5) {
            json!(self.rng.u32(low..=high))
        } else {
            json!(f64::from(low) + self.rng.f64() * f64::from(high - low))
        }
    }

    fn extra(&mut self, out: &mut serde_json::Map<String, Value>, keys: &[&str]) {
        if self.chance(0.08) {
            self.used_extra = true;
            let key = self.pick(keys);
            let value = match key {
                "name" | "text" | "folderId" => json!(self.text()),
                "thumbnailUrl" => json!(self.url("png")),
                "width" | "letterSpacing" => self.positive(500.0),
                "isExport" | "watermark" | "lipSync" => json!(self.chance(0.5)),
                "headOnly" => Value::Null,
                _ => json!({ "nested": [1, 2.5, "{{ x }}", null] }),
            };
            out.insert("extra".into(), json!({ key: value }));
        }
    }

    fn spec(&mut self) -> Value {
        let mut spec = serde_json::Map::new();
        if self.chance(0.8) {
            spec.insert("name".into(), self.text().into());
        }
        let portrait = self.chance(0.3);
        if portrait || self.chance(0.2) {
            spec.insert(
                "orientation".into(),
                if portrait { "portrait" } else { "landscape" }.into(),
            );
        }
        if self.chance(0.4) {
            let resolution = self.pick(&["4k", "1080", "720", "480"]);
            let value = match resolution.parse::<u32>() {
                Ok(n) if self.chance(0.3) => json!(n),
                _ => json!(resolution),
            };
            spec.insert("resolution".into(), value);
        }
        if self.chance(0.3) {
            spec.insert("export".into(), self.chance(0.5).into());
        }
        if self.chance(0.2) {
            spec.insert("workspace".into(), self.text().into());
        }
        if self.chance(0.2) {
            spec.insert("webhook".into(), self.url("hook").into());
        }
        if self.chance(0.15) {
            spec.insert(
                "dictionary".into(),
                json!({ "words": [self.text(), { "say": self.text() }], "n": 2.5 }),
            );
        }
        if self.chance(0.3) {
            self.custom_preset = true;
            spec.insert("presets".into(), json!([self.preset()]));
        }
        spec.insert("avatar".into(), self.avatar(true));
        let scenes = (0..self.rng.usize(1..=4)).map(|i| self.scene(i)).collect();
        spec.insert("scenes".into(), Value::Array(scenes));
        self.extra(&mut spec, &["folderId", "name", "isExport"]);
        Value::Object(spec)
    }

    fn preset(&mut self) -> Value {
        let mut preset = json!({
            "alias": "gen-model",
            "ai_name": "M9TEST01",
            "clothing": "BG9TEST01",
            "languages": ["ko", "en"],
            "origin": { "width": self.positive(3000.0), "height": self.positive(3000.0) },
            "tight": {
                "x": self.positive(300.0), "y": self.positive(300.0),
                "width": self.positive(900.0), "height": self.positive(2000.0), "scale": 1,
            },
            "head": {
                "center_x": self.positive(800.0), "center_y": self.positive(400.0),
                "width": self.positive(200.0), "height": self.positive(200.0),
            },
            "scale": self.positive(1.0),
            "adjust": { "x": self.rng.f64() * 0.1 - 0.05, "y": self.rng.f64() * 0.1 - 0.05 },
            "images": {
                "thumbnail": { "width": 384, "height": 240 },
                "edit": { "width": self.rng.u32(100..900), "height": self.rng.u32(100..3000) },
            },
            "placements": {
                "default": { "left": self.coord(), "top": self.coord() },
                "side": { "left": self.coord(), "top": self.coord(), "scale": self.positive(2.0) },
            },
        });
        if self.chance(0.5) {
            preset["cdn"] = json!("https://models.example.com/");
        }
        preset
    }

    /// An avatar mapping: the top-level one (`top`) or a scene's overrides.
    fn avatar(&mut self, top: bool) -> Value {
        let mut avatar = serde_json::Map::new();
        let presets: &[&str] = if self.custom_preset {
            &["anna-navy-suit", "M000045058/BG00002320", "gen-model"]
        } else {
            &["anna-navy-suit", "M000045058/BG00002320"]
        };
        let preset = if top || self.chance(0.3) {
            let preset = self.pick(presets);
            avatar.insert("preset".into(), preset.into());
            Some(preset)
        } else {
            None
        };
        if self.chance(0.2) {
            avatar.insert("language".into(), self.pick(&["en", "ko"]).into());
        }
        if preset.is_some() && !top || self.chance(0.4) {
            let named = match preset {
                Some("gen-model") => "side",
                Some(_) => "docs-sample",
                None => "default",
            };
            let placement = match self.rng.u8(..3) {
                0 => json!("default"),
                1 => json!(named),
                _ => {
                    let mut map = serde_json::Map::new();
                    for key in ["left", "top"] {
                        if self.chance(0.6) {
                            map.insert(key.into(), self.coord());
                        }
                    }
                    if self.chance(0.5) {
                        map.insert("scale".into(), self.positive(2.0));
                    }
                    Value::Object(map)
                }
            };
            avatar.insert("placement".into(), placement);
        }
        if self.chance(0.4) {
            avatar.insert(
                "effect".into(),
                self.pick(&["none", "head-only", "body"]).into(),
            );
        }
        if self.chance(0.2) {
            avatar.insert("voice_only".into(), self.chance(0.5).into());
        }
        if self.chance(0.2) {
            avatar.insert(
                "id".into(),
                format!("aiModel-{}", self.rng.u32(..100)).into(),
            );
        }
        if self.chance(0.2) {
            avatar.insert("layer".into(), self.rng.u32(1..5).into());
        }
        if self.chance(0.2) {
            avatar.insert("opacity".into(), self.between(0, 100));
        }
        if self.chance(0.2) {
            avatar.insert("tag".into(), self.text().into());
        }
        self.extra(&mut avatar, &["lipSync", "name", "headOnly"]);
        Value::Object(avatar)
    }

    fn scene(&mut self, index: usize) -> Value {
        if self.chance(0.1) {
            return match self.rng.u8(..2) {
                0 => {
                    json!({ "use": "intro", "with": { "title": self.text(), "subtitle": self.text() } })
                }
                _ => json!({ "use": "outro", "with": { "cta": self.text() } }),
            };
        }
        let mut scene = serde_json::Map::new();
        match self.rng.u8(..5) {
            0 => {}
            1 => {
                scene.insert("background".into(), self.colour().into());
            }
            2 => {
                scene.insert("background".into(), self.url("png").into());
            }
            3 => {
                scene.insert("background".into(), json!({ "image": self.url("jpg") }));
            }
            _ => {
                let colour = self.colour();
                scene.insert(
                    "background".into(),
                    json!({ "image": self.url("jpg"), "color": colour }),
                );
            }
        }
        let hidden = self.chance(0.15);
        if hidden {
            scene.insert("avatar".into(), "none".into());
        } else {
            if self.chance(0.3) {
                scene.insert("avatar".into(), self.avatar(false));
            }
            if self.chance(0.8) {
                scene.insert("say".into(), self.text().into());
            }
        }
        if self.chance(0.15) {
            scene.insert("watermark".into(), self.chance(0.5).into());
        }
        let clips: Vec<Value> = (0..self.rng.usize(0..=4))
            .map(|_| self.clip(index))
            .collect();
        if !clips.is_empty() || self.chance(0.2) {
            scene.insert("clips".into(), Value::Array(clips));
        }
        self.extra(&mut scene, &["thumbnailUrl", "transition", "watermark"]);
        Value::Object(scene)
    }

    fn clip(&mut self, scene: usize) -> Value {
        let mut clip = serde_json::Map::new();
        let kind = self.pick(&["text", "text", "image", "video", "audio", "shape"]);
        match kind {
            "text" if self.chance(0.15) => {
                clip.insert("each".into(), json!(["a", self.text()]));
                clip.insert("as".into(), "it".into());
                clip.insert("text".into(), "{{ loop.index }}. {{ it }}".into());
            }
            "text" => {
                clip.insert("text".into(), self.text().into());
            }
            "image" => {
                clip.insert("image".into(), self.url("png").into());
            }
            "video" => {
                clip.insert("video".into(), self.url("mp4").into());
            }
            "audio" => {
                clip.insert("audio".into(), self.url("mp3").into());
            }
            _ => {
                clip.insert("shape".into(), self.pick(SHAPES).into());
            }
        }
        if self.chance(0.1) {
            clip.insert("when".into(), self.chance(0.5).into());
        }
        for key in ["left", "top"] {
            if self.chance(0.6) {
                clip.insert(key.into(), self.coord());
            }
        }
        for key in ["width", "height"] {
            if self.chance(0.4) {
                clip.insert(key.into(), self.positive(1500.0));
            }
        }
        match self.rng.u8(..4) {
            0 => {
                clip.insert("scale".into(), self.positive(3.0));
            }
            1 => {
                clip.insert("scale_x".into(), self.positive(3.0));
            }
            2 if self.chance(0.5) => {
                clip.insert("scale_x".into(), self.positive(3.0));
                clip.insert("scale_y".into(), self.positive(3.0));
            }
            _ => {}
        }
        if self.chance(0.2) {
            clip.insert("layer".into(), self.rng.u32(1..9).into());
        }
        if self.chance(0.2) {
            clip.insert("opacity".into(), self.between(0, 100));
        }
        if self.chance(0.2) {
            clip.insert("angle".into(), json!(self.rng.f64() * 720.0 - 360.0));
        }
        if self.chance(0.2) {
            let mut animation = json!({ "type": self.pick(ANIMATIONS) });
            if self.chance(0.5) {
                animation["duration"] = self.between(1, 30);
            }
            if self.chance(0.5) {
                animation["delay"] = self.between(0, 30);
            }
            clip.insert("animation".into(), animation);
        }
        if self.chance(0.15) {
            let mut shadow = serde_json::Map::new();
            if self.chance(0.5) {
                shadow.insert("color".into(), self.colour().into());
            }
            for key in ["blur", "offset_x", "offset_y"] {
                if self.chance(0.4) {
                    shadow.insert(key.into(), self.between(0, 10));
                }
            }
            if self.chance(0.3) {
                shadow.insert("enabled".into(), self.chance(0.5).into());
            }
            clip.insert("shadow".into(), Value::Object(shadow));
        }
        if self.chance(0.15) {
            clip.insert("tag".into(), self.text().into());
        }
        if self.chance(0.15) && !clip.contains_key("each") {
            self.ids += 1;
            clip.insert("id".into(), format!("{kind}-s{scene}n{}", self.ids).into());
        }
        match kind {
            "text" => self.text_keys(&mut clip),
            "video" => {
                if self.chance(0.5) {
                    clip.insert("poster".into(), self.url("png").into());
                }
                if self.chance(0.4) {
                    clip.insert("volume".into(), self.between(0, 100));
                }
            }
            "audio" => {
                if self.chance(0.4) {
                    clip.insert("volume".into(), self.between(0, 100));
                }
                if self.chance(0.5) {
                    clip.insert("label".into(), self.text().into());
                }
            }
            "shape" => {
                if self.chance(0.6) {
                    clip.insert("fill".into(), self.colour().into());
                }
                if self.chance(0.3) {
                    clip.insert(
                        "stroke".into(),
                        json!({ "color": self.colour(), "width": self.between(0, 10), "radius": self.between(0, 40) }),
                    );
                }
            }
            _ => {}
        }
        self.extra(&mut clip, &["name", "letterSpacing", "text", "width"]);
        Value::Object(clip)
    }

    fn text_keys(&mut self, clip: &mut serde_json::Map<String, Value>) {
        let mut font = serde_json::Map::new();
        if self.chance(0.6) {
            font.insert("size".into(), self.positive(120.0));
        }
        if self.chance(0.5) {
            font.insert("color".into(), self.colour().into());
        }
        if self.chance(0.2) {
            font.insert(
                "family".into(),
                self.pick(&["Noto Sans CJK", "Inter", "Georgia"]).into(),
            );
        }
        if self.chance(0.3) {
            let weight = match self.rng.u8(..3) {
                0 => json!(700),
                1 => json!("bold"),
                _ => json!("600"),
            };
            font.insert("weight".into(), weight);
        }
        if self.chance(0.2) {
            font.insert("style".into(), self.pick(&["normal", "italic"]).into());
        }
        if self.chance(0.2) {
            font.insert("underline".into(), self.chance(0.5).into());
        }
        if !font.is_empty() {
            clip.insert("font".into(), Value::Object(font));
        }
        if self.chance(0.3) {
            clip.insert(
                "align".into(),
                self.pick(&["left", "center", "right", "justify"]).into(),
            );
        }
        if self.chance(0.2) {
            clip.insert("background".into(), self.colour().into());
        }
        if self.chance(0.2) {
            let mut stroke = json!({ "color": self.colour() });
            if self.chance(0.5) {
                stroke["width"] = self.between(0, 8);
            }
            clip.insert("stroke".into(), stroke);
        }
    }
}

#[test]
fn decompile_never_replaces_a_different_preset_file() {
    let mut body = fixture("seed-project.json");
    body["scenes"][0]["clips"][0]["model"]["editor"]["headHeight"] = 200.into();
    body["scenes"][0]["clips"][0]["model"]["editorValue"]["headHeight"] = 200.into();
    let out = Test::new()
        .write("project.json", body.to_string())
        .write("m000045058-bg00002320.yaml", "mine")
        .args(["decompile", "project.json"])
        .run()
        .failure(1);
    out.stderr_has("a different file is already there; it was not replaced");
    assert_eq!(out.file("m000045058-bg00002320.yaml"), "mine");
}

#[test]
fn decompile_recognises_presets_of_a_templates_folder() {
    let preset = std::fs::read_to_string(
        crate::support::repo().join("templates/models/anna-navy-suit.yaml"),
    )
    .unwrap()
    .replace("alias: anna-navy-suit", "alias: anna-green")
    .replace("clothing: BG00002320", "clothing: BG00009999");
    let test = Test::new()
        .write("mine/models/anna-green.yaml", preset)
        .write(
            "s.yaml",
            "avatar: { preset: anna-green }\nscenes:\n  - say: Hi\n",
        );
    let dir = test.path().to_owned();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(crate::support::BIN)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    std::fs::write(
        dir.join("x.json"),
        run(&["build", "s.yaml", "--templates", "mine"]).stdout,
    )
    .unwrap();
    run(&[
        "decompile",
        "x.json",
        "--templates",
        "mine",
        "-o",
        "back.yaml",
    ]);
    let spec = std::fs::read_to_string(dir.join("back.yaml")).unwrap();
    assert!(spec.contains("preset: anna-green"), "{spec}");
    let rebuilt = run(&["build", "back.yaml", "--templates", "mine"]).stdout;
    assert_eq!(
        String::from_utf8(rebuilt).unwrap(),
        std::fs::read_to_string(dir.join("x.json")).unwrap()
    );
    drop(test);
}
