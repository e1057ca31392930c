"""scripts/count-tests on saved output of each tool (tests/harness/fixtures): the
closing line of `make test` counts what ran, once, and names everything that did not.

The fixtures are real output: libtest.log from a small crate (cargo test --no-fail-fast:
2 passed, 1 failed, 2 ignored, a test that calls skip(), an integration test and doc
tests; the failing test's panic message quotes a "test result: ok. 99 passed" line),
vitest.log/xml from vitest 3 (with colour codes), pytest.log/xml from pytest 8 -q.
cargo-ok.log and libtest-crash.log are written in libtest's shape by hand."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "count-tests"
FIX = Path(__file__).resolve().parent / "fixtures"


def run(*args, ci=False):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env
    )


def stage(kind, status, log, names=None, ci=False):
    out = run("stage", kind, status, FIX / log, *([FIX / names] if names else []), ci=ci)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def counts(r):
    return r["passed"], r["failed"], r["skipped"]


def test_libtest_counts_each_binary_once_and_names_ignored_and_skipped_tests():
    r = stage("libtest", 101, "libtest.log", "libtest.skips")
    # 2+1+2 passed, less the one that called skip(); the quoted "99 passed" is not counted.
    assert counts(r) == (4, 1, 3), r
    assert r["names"] == [
        ["tests::ignored_plain", "ignored"],
        ["tests::ignored_with_reason", "ignored: exhaustive: a few minutes"],
        ["tests::skipped_at_runtime", "no mount namespace here"],
    ]
    assert r["notes"] == []


def test_libtest_finished_in_is_not_read_as_pytest():
    """The old scripts/test also read libtest's last "… finished in 0.30s" line as a
    pytest summary and added its "1 passed" again; and it dropped the ignored test."""
    r = stage("libtest", 0, "cargo-ok.log")
    assert counts(r) == (5, 0, 1), r
    assert r["names"] == [
        [
            "bundle::properties::every_single_byte_change_is_detected_exhaustively",
            "ignored: exhaustive: every byte of a bundle, a few minutes",
        ]
    ]
    assert counts(stage("pytest", 0, "cargo-ok.log")) == (0, 0, 0)
    assert counts(stage("vitest", 0, "cargo-ok.log")) == (0, 0, 0)


def test_a_skip_logged_for_a_test_that_did_not_pass_is_not_moved():
    r = stage("libtest", 0, "cargo-ok.log", "libtest.skips")
    assert counts(r) == (5, 0, 1), r
    assert "tests::skipped_at_runtime logged a skip but did not pass" in r["notes"][0]


def test_a_test_binary_that_dies_mid_run_counts_as_a_failure():
    r = stage("libtest", 101, "libtest-crash.log")
    assert counts(r) == (0, 1, 0), r
    assert "started 3 test(s) and printed no result" in r["notes"][0]


def test_a_failed_stage_with_no_test_counted_is_one_failure():
    assert counts(stage("none", 1, "cargo-ok.log")) == (0, 1, 0)
    assert counts(stage("none", 0, "cargo-ok.log")) == (0, 0, 0)
    # pytest found nothing to run (exit 5): a failure, not "0 passed".
    assert counts(stage("pytest", 5, "libtest-crash.log")) == (0, 1, 0)


def test_vitest_counts_skipped_and_todo_and_names_them_from_junit():
    r = stage("vitest", 1, "vitest.log", "vitest.xml")
    assert counts(r) == (3, 1, 3), r
    assert r["names"] == [
        ["a.test.ts::group > skipped one", "skipped"],
        ["a.test.ts::group > to do later", "skipped"],
        ["c.test.ts::c skipped", "skipped"],
    ]


def test_pytest_counts_errors_as_failures_and_names_skips_with_reasons():
    r = stage("pytest", 1, "pytest.log", "pytest.xml")
    # "E   AssertionError: 1 passed, 2 failed in 9.99s" in the log is not the summary.
    assert counts(r) == (1, 2, 3), r
    assert r["names"] == [
        ["test_s::test_skips", "needs root to mount a small tmpfs"],
        ["test_s::test_marked", "marked off"],
        ["test_s::test_headline_thing", "no tmpfs here"],
    ]


def test_skipped_tests_without_a_list_are_still_counted_and_said_to_be_unnamed():
    r = stage("pytest", 1, "pytest.log")
    assert counts(r) == (1, 2, 3)
    assert r["names"] == [["3 more", "not named in the log"]]


def test_under_ci_a_skipped_or_ignored_headline_test_fails():
    r = stage("pytest", 1, "pytest.log", "pytest.xml", ci=True)
    assert counts(r) == (1, 3, 2), r
    assert "headline test test_s::test_headline_thing was skipped under CI=true" in r["notes"][0]
    # Not a headline test: still only skipped under CI.
    assert counts(stage("libtest", 0, "cargo-ok.log", ci=True)) == (5, 0, 1)


def test_the_closing_lines(tmp_path: Path):
    parts = []
    for name, args in {
        "fmt": ("none", 0, "cargo-ok.log"),
        "cargo-test": ("libtest", 101, "libtest.log", "libtest.skips"),
        "ui-test": ("vitest", 1, "vitest.log", "vitest.xml"),
        "e2e": ("pytest", 1, "pytest.log", "pytest.xml"),
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(stage(*args)))
        parts.append(path)
    out = run("total", *parts)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[-1] == "8 passed, 4 failed, 9 skipped"
    assert lines[-2] == (
        "Skipped: tests::ignored_plain (ignored), "
        "tests::ignored_with_reason (ignored: exhaustive: a few minutes), "
        "tests::skipped_at_runtime (no mount namespace here), "
        "a.test.ts::group > skipped one (skipped), a.test.ts::group > to do later (skipped), "
        "c.test.ts::c skipped (skipped), "
        "test_s::test_skips (needs root to mount a small tmpfs), test_s::test_marked (marked off), "
        "test_s::test_headline_thing (no tmpfs here)"
    )
    assert len(lines) == 2, out.stdout


def test_all_green_says_skipped_none(tmp_path: Path):
    path = tmp_path / "fmt.json"
    path.write_text(json.dumps(stage("none", 0, "cargo-ok.log")))
    out = run("total", path)
    assert out.returncode == 0
    assert out.stdout.splitlines()[-2:] == ["Skipped: none", "0 passed, 0 failed, 0 skipped"]


# The skip comes from a fixture (setup), so pytest reports the failure as an error.
@pytest.mark.parametrize("ci, code, summary", [(False, 0, "1 skipped"), (True, 1, "1 error")])
def test_the_e2e_conftest_fails_a_skipped_headline_test_under_ci(ci, code, summary):
    """tests/e2e/conftest.py's hook, run for real: outside run.sh every e2e test skips
    (its settings are missing); under CI=true a headline test's skip is a failure."""
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("EK_E2E_")}
    if ci:
        env["CI"] = "true"
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests/e2e/test_seal_errors.py"), "-k", "test_headline_"],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    assert out.returncode == code, out.stdout + out.stderr
    assert summary in out.stdout.splitlines()[-1], out.stdout
    if ci:
        assert "was skipped under CI=true" in out.stdout, out.stdout
