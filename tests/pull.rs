//! `vidspec pull`, `vidspec presets pull` and the preset marks of `vidspec models`, against
//! `vidspec mock-server` on loopback: a project is created in the mock (through the API, or
//! stored as the editor saves one), pulled, and built again.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use serde_json::{Value, json};

use crate::api::{Api, USER_KEY};
use crate::support::{Test, assert_contains, fixture};

/// A preset for the mock catalogue's Korean presenter, whose geometry no built-in preset has.
const MINJI: &str = r#"alias: minji-beige
label: "Minji, beige blouse"
ai_name: M000000101
clothing: BG00000201
languages: [ko, en]
origin: { width: 1500, height: 2600 }
tight: { x: 401.25, y: 150.5, width: 702, height: 2400, scale: 1 }
head: { center_x: 745.5, center_y: 310.25, width: 201, height: 214 }
scale: 0.28
adjust: { x: -0.0125, y: -0.031 }
images:
  thumbnail: { width: 384, height: 240 }
  edit: { width: 716, height: 2433 }
placements:
  default: { left: 1180.5, top: 96.25, scale: 0.45 }
"#;

/// A Korean spec with that presenter, whose last scene speaks English; the mock knows its
/// model, vidspec's library does not.
const LISTING: &str = r##"name: 매물 소개
presets: [minji-beige.yaml]
avatar:
  preset: minji-beige
  effect: head-only
scenes:
  - background: { color: "rgb(240,236,228)" }
    say: "안녕하세요. 오늘 소개할 매물은 강남구의 아파트입니다."
    clips:
      - text: "강남구 역삼동 · 84㎡"
        left: 120
        top: 96
        font: { size: 64, color: "#202020", weight: 700 }
  - background: { color: "rgb(20,20,20)" }
    avatar: { language: en, placement: { left: 200, top: 120, scale: 0.3 } }
    say: "Call us today."
"##;

/// Stores `body` in the mock as a project saved in the editor (not validated, not exported);
/// its projectId.
fn saved_in_the_editor(api: &Api, body: &Value) -> String {
    let answer = api.mock.http("POST", "/__mock/projects", &body.to_string());
    answer["data"]["projectId"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned()
}

/// `GET path` with a token of the mock: the answer's JSON.
fn get_with_token(api: &Api, path: &str) -> Value {
    let token = api.mock.http(
        "POST",
        "/api/odin/v3/auth/token",
        &json!({ "appId": "app", "userKey": "key" }).to_string(),
    );
    let token = token["data"]["token"].as_str().unwrap().to_owned();
    let addr = api.mock.url.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {token}\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The seed document with one head measure of its avatar changed: geometry no known preset has.
fn seed_with_head(key: &str, value: u32) -> Value {
    let mut body = fixture("seed-project.json");
    let model = &mut body["scenes"][0]["clips"][0]["model"];
    for block in ["editor", "editorValue"] {
        model[block][key] = value.into();
    }
    body
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `vidspec build SPEC` (no --templates): the project JSON.
fn build(spec: &Path) -> Value {
    built(spec).0
}

/// `vidspec build SPEC` (no --templates): the project JSON, and the warnings.
fn built(spec: &Path) -> (Value, String) {
    let out = Test::new().arg("build").arg(spec).run().success();
    (out.json(), out.stderr)
}

/// [`LISTING`] with its preset in a folder of the test's home, submitted as a draft
/// (`--no-export`): its projectId, and the project `build` gives for it.
fn submit_listing(api: &Api) -> (String, Value) {
    let design = api.path("design");
    std::fs::create_dir_all(&design).unwrap();
    std::fs::write(design.join("minji-beige.yaml"), MINJI).unwrap();
    let spec = design.join("listing.yaml");
    std::fs::write(&spec, LISTING).unwrap();
    let built = build(&spec);
    let created = api
        .run(&["submit", spec.to_str().unwrap(), "--no-export"])
        .success();
    (created.stdout.trim().to_owned(), built)
}

#[test]
fn the_mock_serves_a_created_body_back_in_the_get_project_shape() {
    let api = Api::new(&[]);
    let body = fixture("docs-create-project.json");
    let id = saved_in_the_editor(&api, &body);
    let answer = get_with_token(&api, &format!("/api/odin/v3/editor/project/{id}"));
    assert_eq!(answer["success"], true, "{answer}");
    let project = &answer["data"]["project"];
    assert_eq!(project["_id"], id.as_str());
    assert_eq!(project["state"], "draft");
    assert_eq!(project["progress"], 0.0);
    assert_eq!(project["download_url"], Value::Null);
    assert!(
        project["createdAt"].as_str().unwrap().ends_with('Z'),
        "{project}"
    );
    assert_eq!(project["updatedAt"], project["createdAt"]);
    assert_contains(&body, project);
    let missing = get_with_token(&api, "/api/odin/v3/editor/project/0000");
    assert_eq!(missing["success"], false, "{missing}");
    assert_eq!(missing["error"]["code"], "PROJECT_NOT_FOUND");
}

#[test]
fn a_project_with_a_model_no_built_in_preset_has_is_pulled_and_builds_the_same_project() {
    let api = Api::new(&[]);
    let (id, mut sent) = submit_listing(&api);
    sent["isExport"] = false.into();

    let pulled = api.path("pulled/spec.yaml");
    let out = api
        .run(&["pull", &id, "-o", pulled.to_str().unwrap()])
        .success();
    assert_eq!(out.stdout, "", "the spec went to the file");
    assert!(
        !out.stderr.contains("warning"),
        "a get-project answer pulls without warnings:\n{}",
        out.stderr
    );
    out.stderr_has("m000000101-bg00000201.yaml: a preset for M000000101/BG00000201");
    let spec_text = text(&pulled);
    assert!(
        spec_text.contains("presets:\n  - m000000101-bg00000201.yaml\n"),
        "{spec_text}"
    );
    assert!(spec_text.contains("export: false"), "{spec_text}");
    let preset = text(&api.path("pulled/m000000101-bg00000201.yaml"));
    assert!(
        preset.contains(&format!("measured from project {id} by vidspec")),
        "{preset}"
    );

    let (rebuilt, warnings) = built(&pulled);
    assert_eq!(
        warnings, "",
        "the preset speaks both languages of the project"
    );
    let avatar = |project: &Value, scene: usize| project["scenes"][scene]["clips"][0].clone();
    for scene in 0..2 {
        assert_eq!(
            avatar(&rebuilt, scene),
            avatar(&sent, scene),
            "scene {scene}"
        );
    }
    assert_eq!(rebuilt, sent, "every value of the project comes back");
}

#[test]
fn each_vendor_fixture_served_by_the_mock_is_pulled_with_every_value() {
    let api = Api::new(&[]);
    for name in [
        "seed-project.json",
        "docs-create-project.json",
        "docs-two-scene-project.json",
    ] {
        let body = fixture(name);
        let id = saved_in_the_editor(&api, &body);
        let spec = api.path(&format!("{name}/spec.yaml"));
        let out = api
            .run(&["pull", &id, "-o", spec.to_str().unwrap()])
            .success();
        let mut expected = body;
        if name == "docs-two-scene-project.json" {
            out.stderr_has("/scenes/1/sceneIdx: 0 renumbered to 1");
            expected["scenes"][1]["sceneIdx"] = 1.into();
        } else {
            assert_eq!(out.stderr.lines().count(), 1, "{name}: {}", out.stderr);
        }
        assert!(!out.stderr.contains("/_id"), "{name}: {}", out.stderr);
        let spec_text = text(&spec);
        assert!(spec_text.contains("preset: anna-navy-suit"), "{spec_text}");
        assert!(!spec_text.contains("extra"), "{name}:\n{spec_text}");
        assert_contains(&expected, &build(&spec));
    }
}

#[test]
fn pull_to_stdout_writes_the_presets_into_the_current_folder() {
    let api = Api::new(&[]);
    let id = saved_in_the_editor(&api, &seed_with_head("headWidth", 190));
    let out = api
        .vidspec()
        .args(["pull", &id, "--api-base", &api.mock.url])
        .run()
        .success();
    assert!(
        out.stdout.contains("preset: m000045058-bg00002320"),
        "{}",
        out.stdout
    );
    out.stderr_has("note: wrote ./m000045058-bg00002320.yaml");
    assert!(
        out.file("m000045058-bg00002320.yaml")
            .contains("width: 190")
    );
}

#[test]
fn pull_never_replaces_a_different_preset_file_and_then_writes_nothing() {
    let api = Api::new(&[]);
    let id = saved_in_the_editor(&api, &seed_with_head("headHeight", 200));
    let folder = api.path("campaign");
    std::fs::create_dir_all(&folder).unwrap();
    let preset = folder.join("m000045058-bg00002320.yaml");
    std::fs::write(&preset, "mine\n").unwrap();
    let spec = folder.join("spec.yaml");
    let out = api
        .run(&["pull", &id, "-o", spec.to_str().unwrap()])
        .failure(1);
    out.stderr_has("a different file is already there; it was not replaced; nothing was written");
    assert_eq!(text(&preset), "mine\n");
    assert!(!spec.exists(), "no spec naming a preset it did not write");

    // A folder as -o is refused before anything is written.
    let out = api
        .run(&["pull", &id, "-o", folder.to_str().unwrap()])
        .failure(2);
    out.stderr_has("a folder; -o names the spec's file, e.g. -o");
    assert_eq!(text(&preset), "mine\n");

    // The same preset again is fine: a second pull leaves the file as it is.
    std::fs::remove_file(&preset).unwrap();
    api.run(&["pull", &id, "-o", spec.to_str().unwrap()])
        .success();
    let first = text(&preset);
    let again = api
        .run(&["pull", &id, "-o", spec.to_str().unwrap()])
        .success();
    again.stderr_has("already holds this preset for M000045058/BG00002320; left as it is");
    assert_eq!(text(&preset), first);
}

#[test]
fn presets_pull_writes_only_the_presets_and_models_then_marks_them() {
    let api = Api::new(&[]);
    let (id, _) = submit_listing(&api);

    let mine = api.path("mine/models");
    let out = api
        .run(&["presets", "pull", &id, "-o", mine.to_str().unwrap()])
        .success();
    let written = mine.join("m000000101-bg00000201.yaml");
    assert_eq!(out.stdout.trim(), written.display().to_string());
    assert_eq!(
        std::fs::read_dir(&mine).unwrap().count(),
        1,
        "one preset, no spec"
    );
    // The same bytes as `pull` writes, so the two never conflict in one folder.
    let pulled = api.path("pulled/spec.yaml");
    api.run(&["pull", &id, "-o", pulled.to_str().unwrap()])
        .success();
    assert_eq!(
        text(&written),
        text(&api.path("pulled/m000000101-bg00000201.yaml"))
    );

    // Known by alias once in a --templates folder: the pull then writes no preset file.
    let templates = api.path("mine");
    let known = api.path("known/spec.yaml");
    let out = api
        .run(&[
            "pull",
            &id,
            "-o",
            known.to_str().unwrap(),
            "--templates",
            templates.to_str().unwrap(),
        ])
        .success();
    assert!(!out.stderr.contains("preset for"), "{}", out.stderr);
    assert_eq!(std::fs::read_dir(api.path("known")).unwrap().count(), 1);
    assert!(text(&known).contains("preset: m000000101-bg00000201"));
    assert!(!text(&known).contains("presets:"));

    let models = api
        .run(&["models", "--templates", templates.to_str().unwrap()])
        .success();
    insta::assert_snapshot!(
        "models_with_a_pulled_preset",
        format!("{}---\n{}", models.stdout, models.stderr)
    );
    let json = api
        .run(&[
            "models",
            "--json",
            "--templates",
            templates.to_str().unwrap(),
        ])
        .success()
        .json();
    assert_eq!(
        json[1]["clothes"][0]["presets"],
        json!(["m000000101-bg00000201"])
    );
    assert_eq!(json[1]["clothes"][1]["presets"], json!([]));

    let bad = api
        .run(&["presets", "pull", &id, "--alias", "Minji"])
        .failure(2);
    assert_eq!(api.mock.stats()["requests"]["project"], 3, "{}", bad.stderr);
}

#[test]
fn models_marks_the_clothes_with_a_preset_and_says_how_to_get_the_others() {
    let api = Api::new(&[]);
    let out = api.run(&["models"]).success();
    insta::assert_snapshot!(
        "models_built_in_only",
        format!("{}---\n{}", out.stdout, out.stderr)
    );
    let json = api.run(&["models", "--json"]).success().json();
    assert_eq!(json[0]["clothes"][0]["presets"], json!(["anna-navy-suit"]));
}

#[test]
fn pull_errors_are_clear_and_print_no_secret() {
    let api = Api::new(&[]);
    let out = api.run(&["pull", "0123abcd", "--verbose"]).failure(4);
    out.stderr_has("cannot pull project 0123abcd:");
    out.stderr_has("PROJECT_NOT_FOUND");
    assert!(!out.stderr.contains(USER_KEY), "{}", out.stderr);
    let out = api.run(&["presets", "pull", "0123abcd"]).failure(4);
    out.stderr_has("cannot pull project 0123abcd:");

    let home = api.path("no-credentials");
    let home = home.to_str().unwrap();
    let bare = Test::new()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", &format!("{home}/config"))
        .env("XDG_CACHE_HOME", &format!("{home}/cache"))
        .env("VIDSPEC_CACHE_DIR", &format!("{home}/cache/vidspec"))
        .args(["pull", "0123abcd", "--api-base", &api.mock.url])
        .run()
        .failure(1);
    bare.stderr_has("no credentials: set AISTUDIOS_APP_ID and AISTUDIOS_USER_KEY");
    api.run(&["pull", "../etc"]).failure(2);
    assert_eq!(api.mock.stats()["requests"]["project"], 2);
}

#[test]
fn pull_has_help_and_shell_completion() {
    let help = Test::new().args(["pull", "--help"]).run().success();
    for needle in ["PROJECT_ID", "--output", "--templates", "--api-base"] {
        assert!(help.stdout.contains(needle), "{needle}:\n{}", help.stdout);
    }
    let presets = Test::new().args(["presets", "--help"]).run().success();
    assert!(presets.stdout.contains("pull"), "{}", presets.stdout);
    let bash = Test::new().args(["completions", "bash"]).run().success();
    assert!(
        bash.stdout.contains("vidspec__subcmd__pull"),
        "no pull in the completion script"
    );
    assert!(
        bash.stdout
            .contains("vidspec__subcmd__presets__subcmd__pull")
    );
}
