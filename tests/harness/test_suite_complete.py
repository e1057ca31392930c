"""Every test file is one the harness runs: a file in tests/core that tests/core/main.rs
does not name as a module is never compiled, so its tests would vanish from `make test`
without a word (test audit, section 3)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def declared_modules(main_rs: Path) -> set[str]:
    return set(re.findall(r"^mod ([a-z0-9_]+);", main_rs.read_text(), re.M))


def test_every_core_test_file_is_a_module_of_the_test_binary():
    core = ROOT / "tests" / "core"
    files = {p.stem for p in core.glob("*.rs")} - {"main"}
    declared = declared_modules(core / "main.rs")
    assert files, "no test files found"
    assert files - declared == set(), f"never compiled: {sorted(files - declared)}"
    assert declared - files == set(), f"declared but missing: {sorted(declared - files)}"


def test_a_file_left_out_of_main_rs_is_noticed(tmp_path):
    (tmp_path / "main.rs").write_text("mod util;\nmod kept;\n")
    assert declared_modules(tmp_path / "main.rs") == {"util", "kept"}
    # The check above, on a folder with one more file than main.rs names.
    files = {"util", "kept", "forgotten"}
    assert files - declared_modules(tmp_path / "main.rs") == {"forgotten"}


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
