"""Looking at the X display the app runs on: window titles and screenshot pixels."""

import os
import queue
import subprocess
import threading
import time
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


DRAG_SOURCE = Path(__file__).with_name("dragsource.py")
# The drag source needs PyGObject (`gi`), which the system Python has and .venv may not.
SYSTEM_PYTHON = "/usr/bin/python3"


def window_geometry(display: str, title: str) -> tuple[int, int, int, int]:
    """(x, y, width, height) on screen of the visible window titled exactly `title`."""
    run = {"env": {"DISPLAY": display}, "capture_output": True, "text": True}
    deadline = time.monotonic() + 10
    while not (ids := subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"], **run).stdout.split()):
        assert time.monotonic() < deadline, f"no window titled {title!r}"
        time.sleep(0.1)
    shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", ids[0]], **run).stdout
    g = dict(line.split("=", 1) for line in shell.split())
    return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])


def drag_files(display: str, paths: list[Path], to: tuple[int, int]) -> list[str]:
    """Drag `paths` from a real XDND drag source (a GTK 3 window offering them as
    `text/uri-list`, as a file manager does) and drop them at screen point `to`, with
    the pointer moved by xdotool as a hand would. Returns what the source printed
    ("sent" once the target asked for the files)."""
    env = {**os.environ, "DISPLAY": display}
    source = subprocess.Popen(
        [SYSTEM_PYTHON, str(DRAG_SOURCE), "1100", "60", *map(str, paths)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    said: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [said.put(x.strip()) for x in source.stdout], daemon=True).start()

    def until(word: str) -> list[str]:
        seen, deadline = [], time.monotonic() + 10
        while word not in seen:
            try:
                seen.append(said.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return seen

    try:
        start = until("ready")
        if "ready" not in start:
            source.kill()
            raise AssertionError(f"the drag source did not start: {start} {source.stderr.read()}")
        sx, sy, sw, sh = window_geometry(display, "Drag source")
        fx, fy = sx + sw // 2, sy + sh // 2
        tx, ty = to
        # Press on the source, move a little (GTK starts a drag past a threshold), then
        # across in steps (each motion is an XdndPosition the target answers), rest
        # over the target, release.
        steps = []
        for i in range(1, 13):
            steps += ["mousemove", str(fx + (tx - fx) * i // 12), str(fy + (ty - fy) * i // 12),
                      "sleep", "0.05"]
        subprocess.run(
            ["xdotool", "mousemove", str(fx), str(fy), "sleep", "0.2", "mousedown", "1",
             "sleep", "0.1", "mousemove", str(fx - 10), str(fy + 5), "sleep", "0.1",
             "mousemove", str(fx - 20), str(fy + 10), "sleep", "0.1", *steps,
             "mousemove", str(tx + 2), str(ty), "sleep", "0.3", "mouseup", "1"],
            check=True, env=env,
        )
        return until("finished")
    finally:
        source.terminate()
        source.wait(5)
