"""Start a record, capture the screen, and check that what the item's page shows is what
the store holds: the same SHA-256 as the stored bytes, a PNG of what was behind the app,
and a capture time with the local offset. And: a store that cannot be opened is explained;
the page is locked down; the window never leaves the app's own page."""

import json
import re
import subprocess
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from flow import capture_screen, problem, start_record, text_of, tid, title, waiter
from xdisplay import pixel, window_titles

HEX64 = re.compile(r"^[0-9a-f]{64}$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TITLE = "Posts in the parents' group"


def test_capture_screen_shows_the_stored_hash(env, store: Path, driver):
    wait = waiter(driver)

    # The window: its title, in the page and as the window manager shows it.
    wait.until(lambda d: title(d) != "")
    assert driver.title.endswith("Evidence Kit"), driver.title
    wait.until(lambda _: "Evidence Kit" in window_titles(env.display))

    # Start a record, and capture the screen: the item's page follows.
    case_id = start_record(driver, wait, TITLE)
    assert case_id and case_id.startswith("EK-")
    assert text_of(driver, "caption") == TITLE
    started = time.monotonic()
    item_id = capture_screen(driver)
    # The window is back, showing the item.
    wait.until(lambda _: "Evidence Kit" in window_titles(env.display))
    print(f"capture round trip: {time.monotonic() - started:.2f} s")
    assert not problem(driver)
    assert title(driver).startswith("1. Screenshot "), title(driver)

    # The full hash from the window (it sits in a closed "Technical details", so read
    # textContent) …
    tech = driver.find_element(*tid("technical"))
    shown = tech.find_element(*tid("item-sha256")).get_attribute("textContent")
    assert HEX64.match(shown), shown

    # … is the SHA-256 of the stored object, as sha256sum computes it, and that is a PNG.
    obj = store / "objects" / "sha256" / shown[:2] / shown[2:]
    assert obj.is_file(), f"no stored object at {obj}"
    summed = subprocess.run(["sha256sum", str(obj)], capture_output=True, text=True, check=True)
    assert summed.stdout.split()[0] == shown
    assert obj.read_bytes()[:8] == PNG_MAGIC

    # The app stepped out of the way: the screenshot shows the picture it was covering
    # (red at the top, blue at the bottom), not the app's pale page.
    top, bottom = pixel(obj, 640, 60), pixel(obj, 640, 740)
    assert top[0] > 150 and top[2] < 100, f"top of the screenshot is {top}, not red"
    assert bottom[2] > 150 and bottom[0] < 100, f"bottom of the screenshot is {bottom}, not blue"

    # The store's own record (read with the CLI) agrees: the same item, a PNG.
    listed = subprocess.run(
        [str(env.cli), "--store", str(store), "items", "--case", case_id, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    [record] = [i for i in json.loads(listed.stdout) if i["sha256"] == shown]
    assert record["media_type"] == "image/png"
    assert str(record["id"]) == item_id

    # The capture time carries the local offset of the app's time zone (run.sh picks one
    # that is not UTC), read inside a multi-threaded process; local and UTC are the same
    # instant; the window shows the local time as recorded (Kolkata is 5:30 ahead, so its
    # hours and minutes are never UTC's).
    captured = record["captured"]
    local = datetime.fromisoformat(captured["local"])
    utc = datetime.fromisoformat(captured["utc"])
    assert local == utc
    assert local.utcoffset() == utc.astimezone(ZoneInfo(env.tz)).utcoffset(), (captured, env.tz)
    assert captured["zone"] == env.tz
    kept = tech.get_attribute("textContent")
    assert f", {local:%H:%M}" in kept and f", {utc.astimezone(ZoneInfo('UTC')):%H:%M}" not in kept, (kept, captured)

    # The preview arrived as raw PNG bytes and stays blurred until "Show" is pressed.
    img = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".item-page img.thumb__img"))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    assert img.get_attribute("src").startswith("blob:")
    assert "thumb__img--hidden" in img.get_attribute("class")
    assert "blur" in driver.execute_script("return getComputedStyle(arguments[0]).filter", img)

    # A picture of the whole virtual screen for a person to look at, once painted.
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )
    subprocess.run(
        ["import", "-display", env.display, "-window", "root", str(env.screenshot)],
        check=True,
        capture_output=True,
    )
    print(f"screenshot: {env.screenshot}")


@pytest.fixture
def returning(config: Path) -> Path:
    """A member of staff who has used the app before (their name is known), so that the
    app goes straight to their records."""
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"name": "A. Teacher", "mode": "staff"}))
    return config


@pytest.mark.parametrize("store", ["not-a-folder"], indirect=True)
def test_a_store_that_cannot_be_opened_is_explained(env, store: Path, returning: Path, driver):
    summary = WebDriverWait(driver, 30).until(lambda d: problem(d) or False)
    assert "There is a problem" in summary
    assert str(store) in summary, summary
    assert "os error" not in summary and "panicked" not in summary, summary
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )
    shot = env.screenshot.with_name(f"{env.screenshot.stem}-store-error.png")
    subprocess.run(
        ["import", "-display", env.display, "-window", "root", str(shot)],
        check=True,
        capture_output=True,
    )
    print(f"screenshot: {shot}")


def test_the_page_is_locked_down(driver):
    """capabilities/main.json grants Evidence Kit's commands and none of Tauri's core
    APIs, so the page cannot, say, read the app's version or retitle its window; and
    tauri.conf.json's CSP, frozen prototype and withGlobalTauri=false are in force."""
    WebDriverWait(driver, 30).until(lambda d: title(d) != "")
    call = (
        "const [cmd, args, done] = arguments;"
        "window.__TAURI_INTERNALS__.invoke(cmd, args)"
        "  .then((v) => done({ok: v}), (e) => done({err: String(e && e.message || e)}));"
    )
    assert "ok" in driver.execute_async_script(call, "list_cases", {})
    for cmd, args in [
        ("plugin:app|version", {}),
        ("plugin:window|set_title", {"label": "main", "value": "Hacked"}),
    ]:
        answer = driver.execute_async_script(call, cmd, args)
        assert "err" in answer and "not allowed" in answer["err"], (cmd, answer)

    assert driver.execute_script(
        "try { eval('1'); return 'ran'; } catch (e) { return String(e); }"
    ).startswith("EvalError")
    assert (
        driver.execute_script(
            "const s = document.createElement('script');"
            "s.textContent = 'window.__inline = 1'; document.body.append(s);"
            "return window.__inline === undefined;"
        )
        is True
    )
    assert driver.execute_script("return Object.isFrozen(Object.prototype)") is True
    assert driver.execute_script("return typeof window.__TAURI__") == "undefined"


def test_the_window_never_leaves_the_apps_own_page(driver):
    """A link dragged onto the window, or one a page bug follows, must not replace the
    app with another page (which could then call the app's commands): the shell refuses
    every navigation but to the app's own page (src-tauri/src/navigation.rs), and a
    reload of the app's page still works."""
    import http.server
    import threading

    hits = []

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"<title>Elsewhere</title><p>not the app</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: title(d) != "")
        own = driver.current_url
        driver.execute_script("window.__before_reload = 1; location.reload()")
        wait.until(lambda d: d.execute_script("return window.__before_reload === undefined"))
        wait.until(lambda d: title(d) != "")

        url = f"http://127.0.0.1:{server.server_port}/elsewhere"
        driver.execute_script("window.__still_here = 1; location.href = arguments[0]", url)
        # Nothing to wait for when the refusal works: give a navigation time to happen.
        time.sleep(3)
        assert hits == [], f"the window fetched another page: {hits}"
        assert driver.current_url == own
        assert driver.execute_script("return window.__still_here") == 1
    finally:
        server.shutdown()
