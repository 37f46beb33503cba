//! `vidspec build` and `vidspec check`: the compiler as a user runs it.

use crate::support::{Test, assert_contains, fixture, repo};

#[test]
fn seed_example_reproduces_the_seed_document() {
    let out = Test::in_repo()
        .args(["build", "examples/seed.yaml"])
        .run()
        .success();
    assert_contains(&fixture("seed-project.json"), &out.json());
}

#[test]
fn seed_example_is_at_most_25_lines() {
    let text = std::fs::read_to_string(repo().join("examples/seed.yaml")).unwrap();
    assert!(
        text.lines().count() <= 25,
        "examples/seed.yaml has {} lines",
        text.lines().count()
    );
}

#[test]
fn docs_create_example_reproduces_the_create_project_sample() {
    let out = Test::in_repo()
        .args(["build", "examples/docs-create-project.yaml"])
        .run()
        .success();
    assert_contains(&fixture("docs-create-project.json"), &out.json());
}

#[test]
fn docs_two_scene_example_reproduces_the_sample_with_scenes_renumbered() {
    let mut expected = fixture("docs-two-scene-project.json");
    // The vendor's sample numbers both scenes 0; sceneIdx is the scene's position.
    expected["scenes"][1]["sceneIdx"] = 1.into();
    let out = Test::in_repo()
        .args(["build", "examples/docs-two-scene-project.yaml"])
        .run()
        .success();
    assert_contains(&expected, &out.json());
}

#[test]
fn checker_flags_the_duplicated_scene_index_of_the_vendor_sample() {
    let problems = vidspec::check::rule_violations(&fixture("docs-two-scene-project.json"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "/scenes/1/sceneIdx");
}

#[test]
fn every_example_compiles_and_its_output_passes_the_schema() {
    let schema = vidspec::check::Schema::project();
    let examples = crate::support::examples();
    assert!(
        examples.len() >= 7,
        "expected the fixture examples and at least four more"
    );
    for path in examples {
        let relative = path
            .strip_prefix(repo())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let sets: &[&str] = if relative.ends_with("welcome.yaml") {
            &["--set", "name=Ada"]
        } else {
            &[]
        };
        let out = Test::in_repo()
            .args(["build", &relative])
            .args(sets)
            .run()
            .success();
        let errors = schema.errors(&out.json());
        assert!(errors.is_empty(), "{relative}: {errors:?}");
    }
}

#[test]
fn examples_together_use_every_clip_kind_a_scene_template_each_and_when() {
    let text: String = crate::support::examples()
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    for needle in [
        "- text:", "- image:", "- video:", "- audio:", "- shape:", "use:", "each:", "when:",
    ] {
        assert!(text.contains(needle), "no example uses `{needle}`");
    }
}

#[test]
fn every_example_follows_the_spec_schema() {
    let schema = vidspec::check::Schema::new(vidspec::check::SPEC_SCHEMA);
    for path in crate::support::examples() {
        let node = vidspec::load::load_spec(&path).unwrap();
        let errors = schema.errors(&node.to_json());
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let run = || {
        Test::in_repo()
            .args(["build", "examples/welcome.yaml", "--set", "name=Ada"])
            .run()
            .success()
            .stdout
    };
    let first = run();
    assert_eq!(first, run());
    assert!(
        first.contains("613.3333333333334"),
        "floats print shortest round-trip"
    );
}

/// A `background:` word is a colour only when it is a CSS colour name, in any case; any other
/// word (`sunset`) goes where an image's URL goes, and `check` names it (tests/lints).
#[test]
fn a_background_word_is_a_colour_only_when_css_names_it() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - background: sunset\n  - background: RebeccaPurple\n  - background: transparent\n  - background: navy\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    let scenes = out.json()["scenes"].clone();
    let background = |i: usize| {
        let b = &scenes[i]["background"];
        (
            b["source_type"].as_str().unwrap().to_owned(),
            b["source_url"].as_str().unwrap().to_owned(),
            b["source_color"].as_str().unwrap().to_owned(),
        )
    };
    let white = "rgb(255,255,255)";
    assert_eq!(
        background(0),
        ("image".into(), "sunset".into(), white.into())
    );
    for (i, colour) in [(1, "RebeccaPurple"), (2, "transparent"), (3, "navy")] {
        assert_eq!(
            background(i),
            ("color".into(), String::new(), colour.into())
        );
    }
    out.stderr_has("warning: `sunset` is neither a colour nor an image URL");
}

#[test]
fn compact_output_is_one_line_of_the_same_json() {
    let pretty = Test::in_repo()
        .args(["build", "examples/seed.yaml"])
        .run()
        .success();
    let compact = Test::in_repo()
        .args(["build", "examples/seed.yaml", "--compact"])
        .run()
        .success();
    assert_eq!(compact.stdout.lines().count(), 1);
    assert_eq!(pretty.json(), compact.json());
}

#[test]
fn output_file_is_written_whole_and_nothing_else_is_left() {
    let spec = std::fs::read_to_string(repo().join("examples/seed.yaml")).unwrap();
    let out = Test::new()
        .write("seed.yaml", spec)
        .args(["build", "seed.yaml", "-o", "out.json"])
        .run()
        .success();
    assert_eq!(out.stdout, "");
    let written: serde_json::Value = serde_json::from_str(&out.file("out.json")).unwrap();
    assert_contains(&fixture("seed-project.json"), &written);
    let names: Vec<_> = std::fs::read_dir(out.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "only the spec and out.json: {names:?}");
}

#[test]
fn failed_build_leaves_the_previous_output_file_untouched() {
    let out = Test::new()
        .write(
            "bad.yaml",
            "scenes: [ { say: \"{{ missing }}\" } ]\navatar: { preset: anna-navy-suit }\n",
        )
        .write("out.json", "previous")
        .args(["build", "bad.yaml", "-o", "out.json"])
        .run()
        .failure(1);
    assert_eq!(out.file("out.json"), "previous");
}

const TYPED: &str = r#"
vars:
  x: { type: integer, default: 120 }
  big: { type: boolean, default: true }
  size: { type: number, default: 40.5 }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "x is {{ x }}"
    clips:
      - text: "{{ x }}"
        left: "{{ x }}"
        top: "{{ x * 2 }}"
        font: { size: "{{ size if big else 10 }}" }
"#;

#[test]
fn a_string_that_is_one_expression_keeps_its_type() {
    let out = Test::new()
        .write("s.yaml", TYPED)
        .args(["build", "s.yaml"])
        .run()
        .success();
    let clip = &out.json()["scenes"][0]["clips"][1];
    assert_eq!(clip["left"], 120);
    assert_eq!(clip["top"], 240);
    assert_eq!(clip["fontSize"], 40.5);
    assert_eq!(
        clip["text"], "120",
        "where text is expected, a number becomes its text"
    );
    assert_eq!(out.json()["scenes"][0]["scripts"][0]["org"], "x is 120");
}

const ECHO: &str = r#"
vars:
  name: { type: string, required: true }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hi {{ name }}"
    clips:
      - text: "{{ name }}"
"#;

#[test]
fn template_syntax_passed_with_set_arrives_literally() {
    let out = Test::new()
        .write("s.yaml", ECHO)
        .args([
            "build",
            "s.yaml",
            "--set",
            "name={{ 7*7 }} {% for x in y %}\"}",
        ])
        .run()
        .success();
    let scene = &out.json()["scenes"][0];
    assert_eq!(
        scene["scripts"][0]["org"],
        "Hi {{ 7*7 }} {% for x in y %}\"}"
    );
    assert_eq!(scene["clips"][1]["text"], "{{ 7*7 }} {% for x in y %}\"}");
}

#[test]
fn a_value_in_a_scene_template_argument_cannot_break_the_scene() {
    let spec = "vars:\n  cta: { type: string }\navatar: { preset: anna-navy-suit }\nscenes:\n  - use: outro\n    with: { cta: \"{{ cta }}\" }\n";
    let hostile = "Bye\"\nclips: [ { image: evil } ]\n# {{ 7*7 }}";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml", "--set", &format!("cta={hostile}")])
        .run()
        .success();
    let scene = &out.json()["scenes"][0];
    assert_eq!(
        scene["clips"].as_array().unwrap().len(),
        2,
        "the avatar and the outro's one text clip"
    );
    assert_eq!(scene["clips"][1]["text"], hostile);
}

const PRECEDENCE: &str = r#"
vars:
  a: { type: string, default: from-default }
  b: { type: string, default: from-default }
  c: { type: string, default: from-default }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "{{ a }} {{ b }} {{ c }}"
"#;

#[test]
fn inputs_take_precedence_default_then_vars_files_in_order_then_set() {
    let out = Test::new()
        .write("s.yaml", PRECEDENCE)
        .write("one.yaml", "b: from-one\nc: from-one\n")
        .write("two.json", "{\"c\": \"from-two\"}")
        .args([
            "build", "s.yaml", "--vars", "one.yaml", "--vars", "two.json",
        ])
        .run()
        .success();
    assert_eq!(
        out.json()["scenes"][0]["scripts"][0]["org"],
        "from-default from-one from-two"
    );
    let out = Test::new()
        .write("s.yaml", PRECEDENCE)
        .write("one.yaml", "a: from-one\n")
        .args([
            "build",
            "s.yaml",
            "--vars",
            "one.yaml",
            "--set",
            "a=from-set",
        ])
        .run()
        .success();
    assert_eq!(
        out.json()["scenes"][0]["scripts"][0]["org"],
        "from-set from-default from-default"
    );
}

#[test]
fn speech_goes_to_both_places_and_they_agree() {
    let out = Test::in_repo()
        .args(["build", "examples/welcome.yaml", "--set", "name=Ada"])
        .run()
        .success();
    for scene in out.json()["scenes"].as_array().unwrap() {
        let avatar = &scene["clips"][0];
        assert_eq!(avatar["type"], "aiModel");
        assert_eq!(scene["scripts"][0]["org"], avatar["script"]["org"]);
        assert_eq!(scene["scripts"][0]["modelId"], avatar["model"]["ai_name"]);
        assert_eq!(scene["scripts"][0]["clothId"], avatar["model"]["emotion"]);
    }
}

#[test]
fn a_scene_without_the_presenter_emits_the_hidden_avatar_with_no_speech() {
    let out = Test::in_repo()
        .args(["build", "examples/welcome.yaml", "--set", "name=Ada"])
        .run()
        .success();
    let last = &out.json()["scenes"][2];
    assert_eq!(last["clips"][0]["isDelete"], true);
    assert_eq!(last["clips"][0]["script"]["org"], "");
    assert_eq!(last["sceneIdx"], 2);
}

#[test]
fn derived_clip_ids_are_stable_and_explicit_ids_win() {
    let run = || {
        Test::in_repo()
            .args(["build", "examples/welcome.yaml", "--set", "name=Ada"])
            .run()
            .success()
            .json()
    };
    let (a, b) = (run(), run());
    let id = a["scenes"][0]["clips"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        id.starts_with("textImage-") && id.len() == "textImage-".len() + 11,
        "{id}"
    );
    assert_eq!(
        a["scenes"][0]["clips"][1]["id"],
        b["scenes"][0]["clips"][1]["id"]
    );
    let seed = Test::in_repo()
        .args(["build", "examples/seed.yaml"])
        .run()
        .success()
        .json();
    assert_eq!(seed["scenes"][0]["clips"][0]["id"], "aiModel-1h4ij5h8e87");
}

#[test]
fn check_prints_a_summary_and_no_json() {
    let out = Test::in_repo()
        .args(["check", "examples/seed.yaml"])
        .run()
        .success();
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("ok: examples/seed.yaml compiles to a valid project (1 scene)"),
        "{}",
        out.stderr
    );
}

#[test]
fn schema_command_prints_the_spec_schema() {
    let out = Test::new().arg("schema").run().success();
    let schema = out.json();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["properties"]["scenes"].is_object());
}

#[test]
fn a_huge_spec_is_refused_before_it_is_read() {
    let test = Test::new();
    let file = std::fs::File::create(test.path().join("huge.yaml")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let out = test.args(["build", "huge.yaml"]).run().failure(1);
    out.stderr_has("huge.yaml is 104857600 bytes");
}

#[test]
fn usage_errors_exit_2() {
    Test::new().args(["build"]).run().failure(2);
    Test::new()
        .args(["build", "x.yaml", "--set", "novalue"])
        .write("x.yaml", "scenes: []")
        .run()
        .failure(2);
}

/// Each folder of `tests/diagnostics/` is a spec (plus optional `args`, one per line, and any
/// files it names); the snapshot is the exit code and stderr of `vidspec build spec.yaml`.
#[test]
fn diagnostics_name_the_place_and_show_the_line() {
    insta::glob!("diagnostics/*/spec.yaml", |path| {
        let folder = path.parent().unwrap();
        let mut test = Test::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let entry = entry.unwrap().path();
            let name = entry.file_name().unwrap().to_str().unwrap().to_owned();
            test = test.write(&name, std::fs::read(&entry).unwrap());
        }
        let args = std::fs::read_to_string(folder.join("args")).unwrap_or_default();
        let out = test.args(["build", "spec.yaml"]).args(args.lines()).run();
        assert_ne!(out.code, 0, "{} should fail", folder.display());
        assert_eq!(out.stdout, "", "nothing on stdout when the build fails");
        insta::assert_snapshot!(format!("exit {}\n{}", out.code, out.stderr));
    });
}

#[test]
fn a_templates_folder_overrides_clips_and_adds_scenes_and_presets() {
    let clip = std::fs::read_to_string(repo().join("templates/clips/image.json"))
        .unwrap()
        .replace(
            "\"lockScalingFlip\": true,",
            "\"lockScalingFlip\": true,\n  \"brand\": \"acme\",",
        );
    let preset = std::fs::read_to_string(repo().join("templates/models/anna-navy-suit.yaml"))
        .unwrap()
        .replace("alias: anna-navy-suit", "alias: anna-green")
        .replace("clothing: BG00002320", "clothing: BG00009999");
    let spec =
        "avatar: { preset: anna-green }\nscenes:\n  - use: card\n    with: { title: Hi }\n    \n";
    let out = Test::new()
        .write("mine/clips/image.json", clip)
        .write("mine/scenes/card.yaml", "say: {{ title }}\nclips:\n  - image: {{ \"https://example.com/\" ~ (title | lower) ~ \".png\" }}\n")
        .write("mine/models/anna-green.yaml", preset)
        .write("s.yaml", spec)
        .args(["build", "s.yaml", "--templates", "mine"])
        .run()
        .success();
    let scene = &out.json()["scenes"][0];
    assert_eq!(
        scene["clips"][1]["brand"], "acme",
        "the overriding clip template is used"
    );
    assert_eq!(
        scene["clips"][1]["source_url"],
        "https://example.com/hi.png"
    );
    assert_eq!(
        scene["scripts"][0]["clothId"], "BG00009999",
        "the added preset is used"
    );
    assert_eq!(
        scene["clips"][0]["model"]["maskFile"], "M000045058_BG00009999H_alpha_INV.mp4",
        "derived values follow the preset's ids"
    );
}

#[test]
fn a_spec_can_name_its_own_preset_files_and_inline_presets() {
    let preset = std::fs::read_to_string(repo().join("templates/models/anna-navy-suit.yaml"))
        .unwrap()
        .replace("alias: anna-navy-suit", "alias: from-file");
    let spec = "presets:\n  - models/from-file.yaml\navatar: { preset: from-file, placement: docs-sample }\nscenes:\n  - say: Hi\n";
    let out = Test::new()
        .write("models/from-file.yaml", preset)
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    assert_eq!(
        out.json()["scenes"][0]["clips"][0]["top"],
        146.74129135713008
    );
}

#[test]
fn avatar_can_be_named_by_model_and_clothing_ids() {
    let spec = "avatar: { preset: M000045058/BG00002320 }\nscenes:\n  - say: Hi\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    assert_eq!(
        out.json()["scenes"][0]["clips"][0]["model"]["ai_name"],
        "M000045058"
    );
}

#[test]
fn a_scene_without_the_presenter_cannot_have_speech() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - avatar: none\n    say: Hello\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .failure(1);
    assert!(
        out.stderr
            .contains("a scene with `avatar: none` has no speech"),
        "{}",
        out.stderr
    );
    out.stderr_has("s.yaml:4:10");
}

#[test]
fn each_and_when_repeat_and_drop_scenes_and_clips() {
    let spec = r#"
vars:
  items: { type: list, default: [a, b, c] }
  show: { type: boolean, default: false }
avatar: { preset: anna-navy-suit }
scenes:
  - each: "{{ items }}"
    as: letter
    when: "{{ letter != 'b' }}"
    say: "{{ loop.index }}/{{ loop.length }} {{ letter }}"
    clips:
      - each: [x, y]
        text: "{{ letter }}{{ item }}"
      - text: hidden
        when: "{{ show }}"
"#;
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    let scenes = out.json()["scenes"].as_array().unwrap().clone();
    let said: Vec<&str> = scenes
        .iter()
        .map(|s| s["scripts"][0]["org"].as_str().unwrap())
        .collect();
    assert_eq!(said, ["1/3 a", "3/3 c"]);
    let texts: Vec<&str> = scenes[1]["clips"].as_array().unwrap()[1..]
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["cx", "cy"]);
    assert_eq!(
        scenes[1]["sceneIdx"], 1,
        "sceneIdx counts scenes after expansion"
    );
}

#[test]
fn a_number_written_where_text_is_expected_keeps_its_spelling() {
    let spec = "vars:\n  price: { type: number, default: 1.50 }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: 1.50\n    clips:\n      - text: 010\n      - text: \"{{ price }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    let scene = &out.json()["scenes"][0];
    assert_eq!(scene["scripts"][0]["org"], "1.50");
    assert_eq!(scene["clips"][1]["text"], "010");
    assert_eq!(
        scene["clips"][2]["text"], "1.5",
        "a computed number prints as a number"
    );
}

#[test]
fn clips_beside_use_go_on_top_of_the_template_scene() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - use: outro\n    with: { cta: Bye }\n    clips:\n      - image: https://example.com/logo.png\n        width: 200\n        height: 100\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    let clips = out.json()["scenes"][0]["clips"].as_array().unwrap().clone();
    let kinds: Vec<&str> = clips.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["aiModel", "textImage", "image"]);
    assert_eq!(clips[2]["layer"], 3);
}
