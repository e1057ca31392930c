"""What git tracks is sources: no symbolic link (a worktree's `.venv` link to another
checkout was once committed by `git add -A`, and a fresh clone's bootstrap then failed
on it: "File exists: .venv"), and nothing the build or the bootstrap makes."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MADE = ("target/", ".venv", "ui/node_modules", "ui/dist/", "fuzz/target/")


def tracked() -> list[tuple[str, str]]:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-s", "-z"], capture_output=True, check=True
    ).stdout.decode()
    rows = []
    for rec in filter(None, out.split("\0")):
        meta, path = rec.split("\t", 1)
        rows.append((meta.split()[0], path))
    return rows


def test_no_tracked_file_is_a_symbolic_link():
    links = [p for mode, p in tracked() if mode == "120000"]
    assert links == [], f"symbolic links tracked by git: {links}"


def test_nothing_the_build_or_bootstrap_makes_is_tracked():
    made = [p for _, p in tracked() if p.startswith(MADE) or p == ".venv"]
    assert made == [], f"build outputs tracked by git: {made}"
