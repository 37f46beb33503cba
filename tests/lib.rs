//! Integration tests: the real binary, driven through a small builder.
