//! Integration tests: the real binary, driven through one small builder (`support`).

mod support;

mod build;
