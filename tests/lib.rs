//! Integration tests: the real binary, driven through one small builder (`support`).

mod support;

mod api;

mod authoring;
mod batch;
mod build;
mod conventions;
mod decompile;
mod hostile;
mod lint;
mod lsp;
mod overwrite;
mod plan;
mod preview;
mod projects;
mod property;
mod pull;
mod report;
mod schema;
mod strace;
mod videos;
