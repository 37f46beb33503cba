//! `vidspec lsp`: a language server over a [`lsp_server::Connection`] (stdio for an editor,
//! in memory for tests). Diagnostics are `check`'s own (see [`analysis`]), published when a
//! document opens and again once its edits pause; completion, hover and go-to-definition
//! come from [`features`].
//!
//! Built on `lsp-server` and `lsp-types` (rust-analyzer's): a synchronous loop over a
//! channel, which is all a checker that answers in milliseconds needs, without an async
//! runtime in the path of every keystroke.

mod analysis;
mod cursor;
mod features;
mod knowledge;
mod protocol;
mod schema;
pub(crate) mod transport;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, CompletionResponse, GotoDefinitionResponse, Hover, HoverContents,
    HoverProviderCapability, InitializeParams, Location, OneOf, PublishDiagnosticsParams, Range,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use crate::compile::Options;
use crate::error::Error;
use crate::load::yaml::Node;

/// How long edits must pause before a document is checked again.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Settings an editor may pass as `initializationOptions`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Settings {
    /// Folders of clips/, scenes/ and models/ (like `--templates`), relative to the workspace.
    templates: Vec<PathBuf>,
    /// Vars files (like `--vars`), relative to the workspace.
    vars: Vec<PathBuf>,
}

struct Document {
    path: PathBuf,
    /// The name diagnostics give the document's source.
    name: String,
    text: String,
    version: i32,
    /// The last version of the text that parsed, for completion while the text is broken.
    tree: Option<Node>,
}

struct Server<'c> {
    connection: &'c Connection,
    options: Options,
    documents: HashMap<Url, Document>,
    /// Documents to check again, and when.
    due: HashMap<Url, Instant>,
}

fn connection_error(e: impl std::fmt::Display) -> Error {
    Error::io(
        "the language server's connection",
        std::io::Error::other(e.to_string()),
    )
}

/// Serves one editor session on `connection` until the editor says `exit`.
pub fn serve(connection: &Connection, mut options: Options) -> Result<(), Error> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([" ", ":", "|", "{", ".", "-"].map(str::to_owned).to_vec()),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(connection_error)?;
    let params = connection
        .initialize(capabilities)
        .map_err(connection_error)?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    #[allow(deprecated)] // root_uri: what clients without workspace folders still send
    let root = params.root_uri.as_ref().and_then(|u| u.to_file_path().ok());
    let settings: Settings = params
        .initialization_options
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let anchor = |p: PathBuf| match &root {
        Some(root) if p.is_relative() => root.join(p),
        _ => p,
    };
    options
        .templates
        .extend(settings.templates.into_iter().map(anchor));
    options
        .vars_files
        .extend(settings.vars.into_iter().map(anchor));
    let mut server = Server {
        connection,
        options,
        documents: HashMap::new(),
        due: HashMap::new(),
    };
    server.run()
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), Error> {
        loop {
            let wait = self
                .due
                .values()
                .min()
                .map_or(Duration::from_secs(3600), |at| {
                    at.saturating_duration_since(Instant::now())
                });
            match self.connection.receiver.recv_timeout(wait) {
                Ok(Message::Request(request)) => {
                    if self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(connection_error)?
                    {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    self.send(Message::Response(response))?;
                }
                Ok(Message::Notification(notification)) => {
                    if notification.method == note::Exit::METHOD {
                        return Ok(());
                    }
                    self.notice(notification)?;
                }
                Ok(Message::Response(_)) => {}
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
            let now = Instant::now();
            let ready: Vec<Url> = self
                .due
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(u, _)| u.clone())
                .collect();
            for uri in ready {
                self.due.remove(&uri);
                self.publish(&uri)?;
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), Error> {
        self.connection
            .sender
            .send(message)
            .map_err(connection_error)
    }

    fn notice(&mut self, notification: Notification) -> Result<(), Error> {
        match notification.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(
                    notification.params,
                ) else {
                    return Ok(());
                };
                let doc = params.text_document;
                let Ok(path) = doc.uri.to_file_path() else {
                    return Ok(());
                };
                let name = crate::display_path(&path);
                let mut document = Document {
                    path,
                    name,
                    text: doc.text,
                    version: doc.version,
                    tree: None,
                };
                document.reparse();
                self.documents.insert(doc.uri.clone(), document);
                self.publish(&doc.uri)?;
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(
                    notification.params,
                ) else {
                    return Ok(());
                };
                let uri = params.text_document.uri;
                if let Some(document) = self.documents.get_mut(&uri) {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = params.content_changes.into_iter().last() {
                        document.text = change.text;
                        document.version = params.text_document.version;
                        document.reparse();
                        self.due.insert(uri, Instant::now() + DEBOUNCE);
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => {
                // A saved template, preset or vars file can change what every spec says.
                let soon = Instant::now() + DEBOUNCE;
                for uri in self.documents.keys() {
                    self.due.insert(uri.clone(), soon);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(params) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(
                    notification.params,
                ) {
                    let uri = params.text_document.uri;
                    self.documents.remove(&uri);
                    self.due.remove(&uri);
                    self.send_diagnostics(uri, Vec::new(), None)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn send_diagnostics(
        &self,
        uri: Url,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), Error> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            note::PublishDiagnostics::METHOD.to_owned(),
            params,
        )))
    }

    fn publish(&self, uri: &Url) -> Result<(), Error> {
        let Some(document) = self.documents.get(uri) else {
            return Ok(());
        };
        let found = analysis::diagnose(
            &document.path,
            &document.name,
            &document.text,
            &self.options,
        );
        let diagnostics = found
            .iter()
            .map(|d| protocol::diagnostic(d, &document.name))
            .collect();
        self.send_diagnostics(uri.clone(), diagnostics, Some(document.version))
    }

    fn answer(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            req::Completion::METHOD => self.on_position(request, |s, d, o| s.completion(d, o)),
            req::HoverRequest::METHOD => self.on_position(request, |s, d, o| s.hover(d, o)),
            req::GotoDefinition::METHOD => self.on_position(request, |s, d, o| s.definition(d, o)),
            _ => {
                return Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("vidspec lsp does not handle {}", request.method),
                );
            }
        };
        Response::new_ok(id, result)
    }

    /// Runs `f` on the document and byte offset a position request names.
    fn on_position(
        &self,
        request: Request,
        f: impl Fn(&Self, &Document, usize) -> serde_json::Value,
    ) -> serde_json::Value {
        let Ok(params) =
            serde_json::from_value::<lsp_types::TextDocumentPositionParams>(request.params.clone())
                .or_else(|_| {
                    serde_json::from_value::<lsp_types::CompletionParams>(request.params)
                        .map(|c| c.text_document_position)
                })
        else {
            return serde_json::Value::Null;
        };
        let Some(document) = self.documents.get(&params.text_document.uri) else {
            return serde_json::Value::Null;
        };
        let offset = protocol::offset(&document.text, params.position);
        f(self, document, offset)
    }

    fn knowledge(&self, document: &Document) -> knowledge::Knowledge {
        knowledge::Knowledge::gather(document.tree.as_ref(), &document.path, &self.options)
    }

    fn with_features<T>(
        &self,
        document: &Document,
        f: impl FnOnce(&features::Document<'_>) -> T,
    ) -> T {
        let knowledge = self.knowledge(document);
        let template_args = (analysis::kind_of(&document.path) == analysis::Kind::SceneTemplate)
            .then(|| {
                crate::expand::scene_template::declared_params(&document.text)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| p.name)
                    .collect()
            });
        f(&features::Document {
            knowledge: &knowledge,
            template_args,
        })
    }

    fn completion(&self, document: &Document, offset: usize) -> serde_json::Value {
        let ctx = cursor::context(&document.text, offset);
        let range = protocol::range(&document.text, ctx.word_start.min(offset), offset);
        let items: Vec<lsp_types::CompletionItem> = self.with_features(document, |doc| {
            features::complete(&ctx, doc)
                .into_iter()
                .map(|s| s.into_item(range))
                .collect()
        });
        serde_json::to_value(CompletionResponse::Array(items)).unwrap_or_default()
    }

    fn hover(&self, document: &Document, offset: usize) -> serde_json::Value {
        let ctx = cursor::context(&document.text, offset);
        let found = self.with_features(document, |doc| {
            features::hover(&document.text, offset, &ctx, doc)
        });
        match found {
            Some((text, start, end)) => serde_json::to_value(Hover {
                contents: HoverContents::Markup(lsp_types::MarkupContent {
                    kind: lsp_types::MarkupKind::Markdown,
                    value: text,
                }),
                range: Some(protocol::range(&document.text, start, end)),
            })
            .unwrap_or_default(),
            None => serde_json::Value::Null,
        }
    }

    fn definition(&self, document: &Document, offset: usize) -> serde_json::Value {
        let ctx = cursor::context(&document.text, offset);
        let target = self.with_features(document, |doc| {
            features::definition(&document.text, offset, &ctx, doc)
        });
        let location = match target {
            Some(features::Target::File(path)) => Url::from_file_path(&path)
                .ok()
                .map(|uri| Location::new(uri, Range::default())),
            Some(features::Target::Spec(span)) => {
                let uri = file_uri(Path::new(&span.source.name))
                    .filter(|_| span.source.name != document.name)
                    .or_else(|| Url::from_file_path(&document.path).ok());
                uri.map(|uri| {
                    Location::new(
                        uri,
                        protocol::range(&span.source.text, span.start, span.end),
                    )
                })
            }
            None => None,
        };
        match location {
            Some(location) => {
                serde_json::to_value(GotoDefinitionResponse::Scalar(location)).unwrap_or_default()
            }
            None => serde_json::Value::Null,
        }
    }
}

fn file_uri(path: &Path) -> Option<Url> {
    let path = std::fs::canonicalize(path).ok()?;
    Url::from_file_path(path).ok()
}

impl Document {
    fn reparse(&mut self) {
        if analysis::kind_of(&self.path) != analysis::Kind::Spec {
            return;
        }
        if let Ok(tree) = analysis::parse(&self.name, &self.text) {
            self.tree = Some(tree);
        }
    }
}
