"""What the end-to-end tests share: finding elements, the CLI on the test's store,
screenshots (each screen checked with axe-core first), and starting a record."""

import base64
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from axe import serious_violations


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
