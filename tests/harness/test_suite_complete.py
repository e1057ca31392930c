"""Every test file is one the harness runs: a file in tests/core that tests/core/main.rs
does not name as a module is never compiled, so its tests would vanish from `make test`
without a word (test audit, section 3)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOD = re.compile(r"^(?:pub(?:\([a-z]+\))? )?mod ([a-z0-9_]+);", re.M)
TEST_FN = re.compile(r"#\[test\]\s*(?:#\[[^\]]*\]\s*)*fn\s+([a-z0-9_]+)")


def declared_modules(main_rs: Path) -> set[str]:
    return set(MOD.findall(main_rs.read_text()))


def module_files(root_rs: Path) -> tuple[dict[Path, str], set[str]]:
    """Every file reachable from the crate root `root_rs` through `mod x;` lines, with
    its module path (`bundle::tamper`; the root is ""), and every `mod` line whose file
    is missing. A child of main.rs or mod.rs lives beside it; a child of x.rs in x/;
    either as name.rs or name/mod.rs, as rustc looks for it."""
    found, missing = {root_rs: ""}, set()
    todo = [root_rs]
    while todo:
        f = todo.pop()
        here = f.parent if f.name in ("main.rs", "mod.rs") else f.parent / f.stem
        for name in MOD.findall(f.read_text()):
            path = "::".join(p for p in (found[f], name) if p)
            hits = [c for c in (here / f"{name}.rs", here / name / "mod.rs") if c.is_file()]
            if not hits:
                missing.add(path)
                continue
            found[hits[0]] = path
            todo.append(hits[0])
    return found, missing


def unreachable(core: Path) -> tuple[set[str], set[str]]:
    """Files under `core` no `mod` line reaches (never compiled), and `mod` lines
    naming no file, both as paths relative to `core`."""
    found, missing = module_files(core / "main.rs")
    files = set(core.rglob("*.rs"))
    return {str(p.relative_to(core)) for p in files - set(found)}, missing


def test_every_core_test_file_is_a_module_of_the_test_binary():
    core = ROOT / "tests" / "core"
    assert list(core.glob("*/*.rs")), "no test folder found: the walk below is untested"
    never, missing = unreachable(core)
    assert never == set(), f"never compiled: {sorted(never)}"
    assert missing == set(), f"declared but missing: {sorted(missing)}"


def test_a_file_left_out_of_main_rs_is_noticed(tmp_path):
    (tmp_path / "main.rs").write_text("mod util;\nmod kept;\n")
    assert declared_modules(tmp_path / "main.rs") == {"util", "kept"}
    for name in ("util", "kept", "forgotten"):
        (tmp_path / f"{name}.rs").write_text("")
    assert unreachable(tmp_path) == ({"forgotten.rs"}, set())


def test_a_file_left_out_of_a_test_folder_is_noticed(tmp_path):
    # main.rs names the folder; its mod.rs names one file of two; a nested folder too.
    (tmp_path / "main.rs").write_text("mod util;\nmod bundle;\nmod gone;\n")
    (tmp_path / "util.rs").write_text("")
    folder = tmp_path / "bundle"
    (folder / "deep").mkdir(parents=True)
    (folder / "mod.rs").write_text("//! doc\n\nmod fixture;\npub(crate) mod deep;\n")
    (folder / "fixture.rs").write_text("mod inner;\n")
    (folder / "fixture").mkdir()
    (folder / "fixture" / "inner.rs").write_text("")
    (folder / "deep" / "mod.rs").write_text("mod kept;\n")
    (folder / "deep" / "kept.rs").write_text("")
    (folder / "forgotten.rs").write_text("#[test]\nfn never_runs() {}\n")
    (folder / "deep" / "lost.rs").write_text("")
    found, _ = module_files(tmp_path / "main.rs")
    assert sorted(found.values()) == [
        "", "bundle", "bundle::deep", "bundle::deep::kept", "bundle::fixture",
        "bundle::fixture::inner", "util",
    ]
    assert unreachable(tmp_path) == ({"bundle/forgotten.rs", "bundle/deep/lost.rs"}, {"gone"})
    # Declared, both are reached and nothing is left over.
    (folder / "mod.rs").write_text("mod fixture;\nmod forgotten;\nmod deep;\n")
    (folder / "deep" / "mod.rs").write_text("mod kept;\nmod lost;\n")
    (tmp_path / "main.rs").write_text("mod util;\nmod bundle;\n")
    assert unreachable(tmp_path) == (set(), set())


def libtest_paths(core: Path) -> set[str]:
    """The libtest path of every test function under `core` (`bundle::tamper::x`)."""
    found, _ = module_files(core / "main.rs")
    return {
        "::".join(p for p in (path, name) if p)
        for f, path in found.items()
        for name in TEST_FN.findall(f.read_text())
    }


def names_of_tests_in_code(core: Path, tests: set[str]) -> list[tuple[str, str]]:
    """(file, literal) for each string literal in the code (not comments) that names a
    test by its function name, alone or after a module path: skip() and
    in_mount_namespace() take a test's full libtest path, which a move changes."""
    bare = {t.rsplit("::", 1)[-1] for t in tests}
    out = []
    for f in sorted(core.rglob("*.rs")):
        code = re.sub(r"^\s*//.*$", "", f.read_text(), flags=re.M)
        for lit in re.findall(r'"((?:[a-z0-9_]+::)*[a-z0-9_]+)"', code):
            if lit.rsplit("::", 1)[-1] in bare:
                out.append((str(f.relative_to(core)), lit))
    return out


def test_every_test_named_in_the_code_is_named_by_its_path():
    # A skip logged under another name than libtest's is not counted as a skip
    # (scripts/count-tests matches the two), and in_mount_namespace() re-runs the test
    # by its path: after a move, a stale name silently breaks both.
    core = ROOT / "tests" / "core"
    tests = libtest_paths(core)
    assert len(tests) > 100, f"only {len(tests)} tests found: the parser is broken"
    named = names_of_tests_in_code(core, tests)
    assert named, "no test names found in the code: the search is broken"
    wrong = [(f, lit) for f, lit in named if lit not in tests]
    assert wrong == [], f"not the libtest path of a test: {wrong}"


def test_a_test_named_by_a_stale_path_is_noticed(tmp_path):
    (tmp_path / "main.rs").write_text("mod bundle;\n")
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "mod.rs").write_text("mod open;\n")
    (tmp_path / "bundle" / "open.rs").write_text(
        "// skip(\"old::headline_x\") in a comment is not code\n"
        "#[test]\n#[ignore = \"slow\"]\nfn headline_x() {\n"
        '    let a = "bundle::open::headline_x";\n'
        '    let b = "bundle::headline_x";\n'
        '    let c = "headline_x";\n'
        '    let d = "not_a_test";\n}\n'
    )
    tests = libtest_paths(tmp_path)
    assert tests == {"bundle::open::headline_x"}
    named = names_of_tests_in_code(tmp_path, tests)
    assert [lit for _, lit in named if lit not in tests] == ["bundle::headline_x", "headline_x"]


def test_every_e2e_test_file_is_collected_by_its_name():
    # pytest collects only test_*.py: a test module named otherwise never runs in
    # `make test`. Benchmarks (bench_*.py) are run by name from scripts/bench-*.
    e2e = ROOT / "tests" / "e2e"
    benches = " ".join(p.read_text() for p in (ROOT / "scripts").glob("bench-*"))
    for p in e2e.glob("*.py"):
        if p.name.startswith("bench_"):
            assert f"tests/e2e/{p.name}" in benches, f"{p.name} is run by no benchmark"
        elif re.search(r"^def test_", p.read_text(), re.M):
            assert p.name.startswith("test_"), f"{p.name} has tests pytest never collects"
