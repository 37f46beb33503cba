//! `vidspec check`: lint warnings for valid projects that are probably mistakes.

use crate::support::Test;

/// Each folder of `tests/lints/` is a spec; the snapshot is `vidspec check spec.yaml`'s exit
/// code and stderr. Warnings never fail a check on their own.
#[test]
fn each_lint_names_the_place_and_check_still_succeeds() {
    insta::glob!("lints/*/spec.yaml", |path| {
        let spec = std::fs::read(path).unwrap();
        let out = Test::new()
            .write("spec.yaml", spec)
            .args(["check", "spec.yaml"])
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(format!("exit {}\n{}", out.code, out.stderr));
    });
}

#[test]
fn deny_warnings_turns_lints_into_failure() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"<b>Hi</b>\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml", "--deny-warnings"])
        .run()
        .failure(1);
    out.stderr_has("warning: speech contains `<b>`");
    assert!(
        out.stderr
            .contains("--deny-warnings turns them into errors"),
        "{}",
        out.stderr
    );
}

#[test]
fn build_does_not_lint() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"<b>Hi</b>\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["build", "s.yaml"])
        .run()
        .success();
    assert_eq!(out.stderr, "");
}
