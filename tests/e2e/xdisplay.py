"""Looking at the X display the app runs on: window titles and screenshot pixels."""

import subprocess
from pathlib import Path


def window_titles(display: str) -> list[str]:
    """The titles of the visible windows on the X display."""
    run = {"env": {"DISPLAY": display}, "capture_output": True, "text": True}
    ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "."], **run).stdout
    return [
        subprocess.run(["xdotool", "getwindowname", w], **run).stdout.strip() for w in ids.split()
    ]


def pixel(png: Path, x: int, y: int) -> tuple[int, int, int]:
    """The 8-bit RGB colour at (x, y) of a picture, read by ImageMagick."""
    fmt = ",".join(f"%[fx:int(255*p{{{x},{y}}}.{c})]" for c in "rgb")
    out = subprocess.run(
        ["convert", str(png), "-format", fmt, "info:"], capture_output=True, text=True, check=True
    ).stdout
    r, g, b = (int(v) for v in out.split(","))
    return r, g, b
