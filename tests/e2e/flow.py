"""What the end-to-end tests share: finding elements, the CLI on the test's store,
screenshots (each screen checked with axe-core first), and starting a record."""

import base64
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from axe import serious_violations
from xdisplay import drag_files, window_geometry


def css(sel: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, sel)


def cli(env, store: Path, *args: str) -> str:
    out = subprocess.run(
        [str(env.cli), "--store", str(store), *args], capture_output=True, text=True, check=True
    )
    return out.stdout


def shoot(env, driver, name: str) -> None:
    """A screenshot of the screen, after checking it with axe-core: no serious or
    critical accessibility violation on any screen."""
    violations = serious_violations(driver)
    assert not violations, f"{name}: {violations}"
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )
    shot = env.screenshot.with_name(f"{env.screenshot.stem}-{name}.png")
    subprocess.run(
        ["import", "-display", env.display, "-window", "root", str(shot)],
        check=True,
        capture_output=True,
    )
    print(f"screenshot: {shot}")



def start_record(driver, wait, title: str, staff: str = "A. Teacher") -> str:
    """Close the first-run screen if it is open, start a record, return its reference."""
    wait.until(EC.presence_of_element_located(css('[data-testid="new-case-title"]')))
    if driver.find_element(*css('[data-testid="setup"]')).is_displayed():
        driver.find_element(*css('[data-testid="setup-close"]')).click()
    driver.find_element(*css('[data-testid="new-case-title"]')).send_keys(title)
    who = driver.find_element(*css('[data-testid="new-case-staff"]'))
    who.clear()
    who.send_keys(staff)
    driver.find_element(*css('[data-testid="new-case-submit"]')).click()
    wait.until(lambda d: d.find_element(By.ID, "case-title").text == title)
    return driver.find_element(*css("#case-list button[data-case-id]")).get_attribute("data-case-id")


def invoke(driver, cmd: str, args: dict | None = None, part: bytes | None = None,
           headers: dict | None = None) -> dict:
    """Call one of the app's commands from the page, as the UI's own code does (through
    Tauri's IPC, so the command's real permissions apply): {"ok": value} or
    {"err": {code, message}}. `part` goes as the raw request body (`upload_part`)."""
    return driver.execute_async_script(
        """
        const [cmd, args, part, headers, done] = arguments;
        const body = part === null ? args : Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
        window.__TAURI_INTERNALS__.invoke(cmd, body, headers ? {headers} : undefined)
          .then((ok) => done({ok: ok === undefined ? null : ok}), (err) => done({err}));
        """,
        cmd, args or {}, None if part is None else base64.b64encode(part).decode(), headers,
    )


def drop_files(env, driver, element, paths: list[Path]) -> list[str]:
    """Drag `paths` from a real XDND drag source (as from a file manager) and drop them
    on the middle of `element` in the app's window (`xdisplay.drag_files`)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    left, top, width, height = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height]",
        element,
    )
    ax, ay, _, _ = window_geometry(env.display, "Evidence Kit")
    return drag_files(env.display, paths, (ax + int(left + width / 2), ay + int(top + height / 2)))


def watch_drops(driver) -> None:
    """Keep a copy of every message the app sends the page about a drop
    (`window.evidenceKitDrop`), for `drops_seen`."""
    driver.execute_script(
        """
        const told = window.evidenceKitDrop;
        window.__drops = [];
        window.evidenceKitDrop = (m) => { window.__drops.push(m); return told(m); };
        """
    )


def drops_seen(driver) -> list[dict]:
    """The messages of kind "drop" the app sent since `watch_drops`."""
    return driver.execute_script("return window.__drops.filter((m) => m.kind === 'drop')")
