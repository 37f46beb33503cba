//! Integration tests: the real binary, driven through one small builder (`support`).

mod support;

mod api;

mod batch;
mod build;
mod lint;
