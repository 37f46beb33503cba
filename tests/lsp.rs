//! `vidspec lsp`: the real binary driven over stdio with JSON-RPC, and a real editor client
//! (headless Neovim) reading its diagnostics back.
//!
//! Neovim is `VIDSPEC_NVIM`, or `nvim` on PATH. Under `CI=true` a missing Neovim fails the
//! test; locally it is skipped with a note.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{BIN, on_ci, on_path};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A language client speaking to `vidspec lsp` over its stdin and stdout.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
    _cache: tempfile::TempDir,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    fn start(root: &Path, init_options: Value) -> Client {
        let cache = tempfile::tempdir().unwrap();
        let mut child = Command::new(BIN)
            .arg("lsp")
            .current_dir(root)
            .env("XDG_CACHE_HOME", cache.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut stdout) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            backlog: Vec::new(),
            next_id: 1,
            _cache: cache,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {},
                "initializationOptions": init_options,
            }),
        );
        assert!(
            result["capabilities"]["completionProvider"].is_object(),
            "{result}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        self.send_body(message.to_string().as_bytes());
    }

    /// A frame of `body` bytes, whatever they are.
    fn send_body(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages
            .recv_timeout(left)
            .expect("the server answered in time")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next(deadline);
            if message["id"] == json!(id) {
                assert!(message["error"].is_null(), "{message}");
                return message["result"].clone();
            }
            self.backlog.push(message);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        };
        if let Some(i) = self.backlog.iter().position(wanted) {
            let m = self.backlog.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next(deadline);
            if wanted(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.backlog.push(message);
        }
    }

    fn open(&mut self, path: &Path, text: &str) -> Vec<Value> {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(&uri, 1)
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) -> Vec<Value> {
        let uri = uri(path);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(&uri, version)
    }

    /// A request at the position of `marker` (removed from `text`, which must be open).
    fn at(&mut self, method: &str, path: &Path, text: &str, marker: &str) -> Value {
        let offset = text.find(marker).expect("marker in text");
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let character = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .encode_utf16()
            .count();
        self.request(
            method,
            json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}}),
        )
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "vidspec lsp exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "vidspec lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn messages(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect()
}

fn labels(result: &Value) -> Vec<String> {
    let items = result
        .as_array()
        .or_else(|| result["items"].as_array())
        .expect("completion items");
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

const SPEC: &str = "\
vars:
  name: { type: string, required: true, description: The viewer's first name }
  plan: { type: string, default: Basic, enum: [Basic, Pro] }
avatar:
  preset: anna-navy-suit
scenes:
  - say: \"Hello {{ name }}, welcome to {{ plan }}.\"
    clips:
      - text: \"Hi {{ name }}\"
        left: 100
  - use: outro
    with: { cta: Subscribe }
";

#[test]
fn diagnostics_are_checks_own_and_follow_edits() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("video.yaml");
    let mut client = Client::start(dir.path(), json!({}));

    // A required variable without a value is checked with a placeholder: no diagnostics.
    assert_eq!(messages(&client.open(&spec, SPEC)), Vec::<String>::new());

    // A misspelt key, with "did you mean".
    let typo = SPEC.replace("    clips:", "    clps:");
    let found = client.change(&spec, 2, &typo);
    assert_eq!(
        messages(&found),
        ["unknown key `clps` in scene\nhelp: did you mean `clips`?"]
    );
    assert_eq!(
        found[0]["range"]["start"],
        json!({"line": 7, "character": 4})
    );
    assert_eq!(found[0]["severity"], 1);
    assert_eq!(found[0]["source"], "vidspec");

    // An undefined variable.
    let undefined = SPEC.replace("Hi {{ name }}", "Hi {{ nmae }}");
    let found = client.change(&spec, 3, &undefined);
    assert_eq!(
        messages(&found),
        ["undefined variable `nmae`\nhelp: did you mean `name`?"]
    );
    let start = &found[0]["range"]["start"];
    assert_eq!(
        (start["line"].as_u64(), start["character"].as_u64()),
        (Some(8), Some(21))
    );
    // The same place and words as `vidspec check` (whose lines and columns count from 1).
    std::fs::write(&spec, &undefined).unwrap();
    let checked = crate::support::Test::new()
        .args(["check", "--set", "name=Ann"])
        .arg(&spec)
        .run()
        .failure(1);
    checked
        .stderr_has("error: undefined variable `nmae`")
        .stderr_has("video.yaml:9:22")
        .stderr_has("= help: did you mean `name`?");

    // An unknown scene template.
    let unknown = SPEC.replace("use: outro", "use: outtro");
    assert_eq!(
        messages(&client.change(&spec, 4, &unknown)),
        ["no scene template named `outtro`\nhelp: did you mean `outro`?"]
    );

    // A lint is a warning, as in `check`.
    let off = SPEC.replace("left: 100", "left: 5000");
    let found = client.change(&spec, 5, &off);
    assert!(
        found.iter().any(|d| d["severity"] == 2),
        "{:?}",
        messages(&found)
    );

    // Broken YAML, then fixed again.
    let found = client.change(&spec, 6, "scenes: [\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        messages(&client.change(&spec, 7, SPEC)),
        Vec::<String>::new()
    );

    // Edits in quick succession are checked once, at the last version.
    for version in 8..12 {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&spec), "version": version}, "contentChanges": [{"text": typo}]}),
        );
    }
    assert_eq!(client.diagnostics(&uri(&spec), 11).len(), 1);
    assert!(
        !client.backlog.iter().any(|m| m["params"]["version"]
            .as_i64()
            .is_some_and(|v| (8..11).contains(&v))),
        "earlier versions were checked too: {:?}",
        client.backlog
    );
    client.stop();
}

#[test]
fn completion_offers_keys_variables_presets_and_templates() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("video.yaml");
    let mut client = Client::start(dir.path(), json!({}));
    client.open(&spec, SPEC);

    // A text clip's keys: its kind's own and every clip's, none of another kind's.
    let text = SPEC.replace("        left: 100\n", "        left: 100\n        an\n");
    client.change(&spec, 2, &text);
    let keys = labels(&client.at("textDocument/completion", &spec, &text, "an\n  - use"));
    for key in ["animation", "font", "align", "top", "when"] {
        assert!(keys.contains(&key.to_owned()), "{key} in {keys:?}");
    }
    for key in ["fill", "volume", "left", "text"] {
        assert!(!keys.contains(&key.to_owned()), "{key} in {keys:?}");
    }

    // A variable after `{{ `.
    let text = SPEC.replace("Hi {{ name }}", "Hi {{ ");
    client.change(&spec, 3, &text);
    let result = client.at("textDocument/completion", &spec, &text, "\"\n        left");
    let names = labels(&result);
    assert!(
        names.contains(&"name".to_owned()) && names.contains(&"plan".to_owned()),
        "{names:?}"
    );

    // Filters after `|`.
    let text = SPEC.replace("Hi {{ name }}", "Hi {{ name | nu");
    client.change(&spec, 4, &text);
    let filters = labels(&client.at("textDocument/completion", &spec, &text, "\"\n        left"));
    assert!(filters.contains(&"number".to_owned()) && filters.contains(&"korean_units".to_owned()));

    // A preset alias, and model/clothing ids, after `preset: `.
    let text = SPEC.replace("preset: anna-navy-suit", "preset: ");
    client.change(&spec, 5, &text);
    let result = client.at("textDocument/completion", &spec, &text, "\nscenes:");
    let presets = labels(&result);
    assert!(
        presets.contains(&"anna-navy-suit".to_owned()),
        "{presets:?}"
    );
    assert!(
        presets.contains(&"M000045058/BG00002320".to_owned()),
        "{presets:?}"
    );

    // Scene templates after `use: `, and the used template's arguments under `with:`.
    let text = SPEC.replace("use: outro\n    with: { cta: Subscribe }", "use: \n");
    client.change(&spec, 6, &text);
    let scenes = labels(&client.at("textDocument/completion", &spec, &text, "\n\n"));
    assert!(scenes.contains(&"outro".to_owned()) && scenes.contains(&"bullets".to_owned()));
    let text = SPEC.replace("with: { cta: Subscribe }", "with:\n      cta: Go\n      \n");
    client.change(&spec, 7, &text);
    let args = labels(&client.at("textDocument/completion", &spec, &text, "\n\n"));
    assert_eq!(args, ["say", "background"]);

    // Enum values from the schema.
    let text = SPEC.replace("avatar:\n", "orientation: \navatar:\n");
    client.change(&spec, 8, &text);
    let values = labels(&client.at("textDocument/completion", &spec, &text, "\navatar:"));
    assert_eq!(values, ["landscape", "portrait"]);
    client.stop();
}

#[test]
fn hover_and_definition() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("video.yaml");
    let mut client = Client::start(dir.path(), json!({}));
    client.open(&spec, SPEC);

    // A variable: its type, that it is required, its description.
    let hover = client.at("textDocument/hover", &spec, SPEC, "ame }}, welcome");
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**name**: string, required"), "{text}");
    assert!(text.contains("The viewer's first name"), "{text}");
    let hover = client.at("textDocument/hover", &spec, SPEC, "lan }}.");
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("default: `\"Basic\"`"), "{text}");

    // A preset: model, clothing, languages, placements.
    let hover = client.at("textDocument/hover", &spec, SPEC, "navy-suit");
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("model `M000045058`") && text.contains("`docs-sample`"),
        "{text}"
    );

    // A filter's signature, a key's documentation, a template's arguments.
    let filtered = SPEC.replace("{{ plan }}", "{{ plan | korean_units }}");
    client.change(&spec, 2, &filtered);
    let hover = client.at("textDocument/hover", &spec, &filtered, "rean_units");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("korean_units(suffix")
    );
    let hover = client.at("textDocument/hover", &spec, &filtered, "eft: 100");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Left edge")
    );
    let hover = client.at("textDocument/hover", &spec, &filtered, "tro\n");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("`cta` (required)")
    );

    // `{{ name }}` → its `vars:` entry.
    let found = client.at("textDocument/definition", &spec, SPEC, "ame }}, welcome");
    assert_eq!(found["uri"], uri(&spec));
    assert_eq!(found["range"]["start"], json!({"line": 1, "character": 2}));

    // `use: outro` → a read-only copy of the built-in template.
    let found = client.at("textDocument/definition", &spec, SPEC, "tro\n");
    let target = found["uri"]
        .as_str()
        .unwrap()
        .strip_prefix("file://")
        .unwrap()
        .to_owned();
    assert!(target.ends_with("templates/scenes/outro.yaml"), "{target}");
    let builtin =
        std::fs::read_to_string(crate::support::repo().join("templates/scenes/outro.yaml"))
            .unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), builtin);
    assert!(std::fs::metadata(&target).unwrap().permissions().readonly());

    // `preset:` → the preset file a spec names.
    let preset = std::fs::read_to_string(
        crate::support::repo().join("templates/models/anna-navy-suit.yaml"),
    )
    .unwrap()
    .replace("alias: anna-navy-suit", "alias: my-anna");
    std::fs::write(dir.path().join("my-anna.yaml"), preset).unwrap();
    let mine = format!(
        "presets: [my-anna.yaml]\n{}",
        SPEC.replace("anna-navy-suit", "my-anna")
    );
    assert_eq!(
        messages(&client.change(&spec, 3, &mine)),
        Vec::<String>::new()
    );
    let found = client.at("textDocument/definition", &spec, &mine, "anna\nscenes");
    let target = PathBuf::from(
        found["uri"]
            .as_str()
            .unwrap()
            .strip_prefix("file://")
            .unwrap(),
    );
    assert_eq!(
        target,
        dir.path().canonicalize().unwrap().join("my-anna.yaml")
    );
    client.stop();
}

/// Neovim, or None (locally only) when there is none.
fn neovim() -> Option<PathBuf> {
    let found = std::env::var_os("VIDSPEC_NVIM")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| on_path("nvim"));
    if found.is_none() {
        assert!(
            !on_ci(),
            "CI=true and no Neovim for the editor test: install Debian's `neovim` package \
             (.ci/run does), or set VIDSPEC_NVIM to an nvim binary"
        );
        eprintln!("note: the Neovim test was skipped: no nvim on PATH (set VIDSPEC_NVIM)");
    }
    found
}

/// Opens each file in headless Neovim with `vidspec lsp` attached; returns the diagnostics
/// Neovim holds for each, as `[{file, lnum, col, message, severity}]`.
const NVIM_SCRIPT: &str = r#"
local ok, err = pcall(function()
  local files = vim.split(os.getenv("VIDSPEC_FILES"), "\n")
  local client = vim.lsp.start_client({
    name = "vidspec",
    cmd = { os.getenv("VIDSPEC_BIN"), "lsp" },
    root_dir = os.getenv("VIDSPEC_ROOT"),
  })
  assert(client, "the client did not start")
  local results = {}
  for _, file in ipairs(files) do
    vim.cmd("edit " .. vim.fn.fnameescape(file))
    local buf = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(buf, client)
    vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(results, { file = file, lnum = d.lnum, col = d.col, message = d.message, severity = d.severity })
    end
  end
  vim.fn.writefile({ vim.fn.json_encode(results) }, os.getenv("VIDSPEC_OUT"))
end)
if not ok then
  vim.fn.writefile({ "error: " .. tostring(err) }, os.getenv("VIDSPEC_OUT"))
end
vim.cmd("qa!")
"#;

#[test]
fn neovim_shows_the_diagnostics() {
    let Some(nvim) = neovim() else { return };
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.yaml");
    std::fs::write(&typo, SPEC.replace("    clips:", "    clps:")).unwrap();
    let undefined = dir.path().join("undefined.yaml");
    std::fs::write(&undefined, SPEC.replace("Hi {{ name }}", "Hi {{ nmae }}")).unwrap();
    let script = dir.path().join("test.lua");
    std::fs::write(&script, NVIM_SCRIPT).unwrap();
    let out = dir.path().join("out.json");
    let cache = tempfile::tempdir().unwrap();
    let files = format!("{}\n{}", typo.display(), undefined.display());
    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir.path())
        .env("VIDSPEC_FILES", files)
        .env("VIDSPEC_BIN", BIN)
        .env("VIDSPEC_ROOT", dir.path())
        .env("VIDSPEC_OUT", &out)
        .env("XDG_CACHE_HOME", cache.path())
        .env("XDG_STATE_HOME", cache.path())
        .env("XDG_DATA_HOME", cache.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = std::fs::read_to_string(&out).expect("Neovim wrote its results");
    let found: Value = serde_json::from_str(&written).unwrap_or_else(|_| panic!("{written}"));
    let rows: Vec<(String, u64, u64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = PathBuf::from(d["file"].as_str().unwrap());
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                d["lnum"].as_u64().unwrap(),
                d["col"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "typo.yaml".to_owned(),
                7,
                4,
                "unknown key `clps` in scene\nhelp: did you mean `clips`?".to_owned()
            ),
            (
                "undefined.yaml".to_owned(),
                8,
                21,
                "undefined variable `nmae`\nhelp: did you mean `name`?".to_owned()
            ),
        ]
    );
}

#[test]
fn the_readme_lists_every_filter_function_and_test() {
    use vidspec::expand::catalog::{ENTRIES, Kind};
    let readme = std::fs::read_to_string(crate::support::repo().join("README.md")).unwrap();
    for entry in ENTRIES {
        let kind = match entry.kind {
            Kind::Filter => "filter",
            Kind::Function => "function",
            Kind::Test => "test",
        };
        let cell = |t: &str| t.replace('|', "\\|").replace('\n', "\\n");
        let row = format!(
            "| {kind} | `{}` | `{}` | {} | `{}` → `{}` |",
            entry.name,
            cell(entry.signature),
            cell(entry.doc),
            cell(entry.example),
            cell(entry.result)
        );
        assert!(readme.contains(&row), "README lacks the row\n{row}");
    }
}

/// A body that is not JSON-RPC is answered with a parse error (-32700, id null, as JSON-RPC 2.0
/// says for a message whose id cannot be read), and the server goes on serving.
#[test]
fn a_body_that_is_not_json_gets_a_parse_error_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path(), json!({}));
    client.send_body(b"{bad}");
    let deadline = Instant::now() + TIMEOUT;
    let error = loop {
        let message = client.next(deadline);
        if !message["error"].is_null() {
            break message;
        }
        client.backlog.push(message);
    };
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], Value::Null, "{error}");
    let spec = dir.path().join("s.yaml");
    let diagnostics = client.open(&spec, "name: x\nscenes: []\nbogus: 1\n");
    assert!(!diagnostics.is_empty(), "the server still checks documents");
    client.stop();
}

/// `Content-Length: 99999999999` is not allocated (a message is at most 64 MiB): the claim is
/// read past, and when the input ends inside it the server ends too, saying why.
#[test]
fn a_huge_content_length_is_not_allocated_and_the_server_ends_with_its_input() {
    let mut child = Command::new(BIN)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Content-Length: 99999999999\r\n\r\n{}")
        .unwrap();
    drop(stdin);
    let deadline = Instant::now() + TIMEOUT;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "vidspec lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the input ended inside a message of 99999999999 bytes"),
        "{stderr}"
    );
}
