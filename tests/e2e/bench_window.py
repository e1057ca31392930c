"""Benchmark (scripts/bench-window, not part of `make test`): a 1 GiB file chosen with
"Add files" passes from the window to the store in parts. Prints one Markdown row a
round: the time from choosing it to "1 file kept.", and the peak memory of the app and
of the page's process (neither may grow with the file: it is never held whole)."""

import json
import os
import time
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import WebDriverWait

from flow import cli, css, start_record

GIB = 1 << 30


def peak_mb(command: str) -> float:
    """The largest peak resident memory (VmHWM) of the processes named `command`."""
    best = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if not Path(f"/proc/{pid}/comm").read_text().startswith(command):
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    best = max(best, int(line.split()[1]))
        except OSError:
            continue
    return best / 1024


def test_window_bench_one_gib(env, store: Path, tmp_path: Path, driver):
    wait = WebDriverWait(driver, 600, ignored_exceptions=[StaleElementReferenceException])
    case_id = start_record(driver, wait, "Benchmark")
    big = tmp_path / "recording.mp4"
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(GIB >> 20):
            f.write(block[:-4] + i.to_bytes(4, "little"))
    driver.file_detector = UselessFileDetector()
    picker = driver.find_element(*css('[data-testid="file-input"]'))
    driver.execute_script("arguments[0].hidden = false", picker)
    steps = 0
    last = ""
    started = time.monotonic()
    picker.send_keys(str(big))
    while "1 file kept." not in last:
        text = driver.find_element(By.ID, "status").text
        if text != last and "%" in text:
            steps += 1
        last = text
        assert time.monotonic() - started < 600, last
        time.sleep(0.02)
    took = time.monotonic() - started
    [item] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert item["size"] == GIB
    app, page = peak_mb("evidence-kit-de"), peak_mb("WebKitWebProces")
    print(f"\n| add a 1 GiB file through the window | {took:.2f} s | {GIB / took / 1e6:.0f} MB/s "
          f"| app {app:.0f} MB, page {page:.0f} MB | {steps} progress steps shown |")
