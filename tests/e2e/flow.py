"""What the end-to-end tests share: finding elements, the CLI on the test's store,
screenshots (each screen checked with axe-core first), finding the page on screen and
what it says, setting up a member of staff with the CLI, and starting a record."""

import base64
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchFrameException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from axe import serious_violations
from xdisplay import drag_files, window_geometry


PASSPHRASE = "correct horse battery"


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
    shot.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["import", "-display", env.display, "-window", "root", str(shot)],
        check=True,
        capture_output=True,
    )
    print(f"screenshot: {shot}")



def waiter(driver, timeout: float = 30) -> WebDriverWait:
    """A wait that looks again when a page is redrawn under it (each page replaces the
    last, so an element found a moment earlier may be gone), or reloaded."""
    return WebDriverWait(
        driver, timeout, ignored_exceptions=[StaleElementReferenceException, NoSuchFrameException]
    )


def tid(name: str, inside: str = "") -> tuple[str, str]:
    return css(f'[data-testid="{name}"] {inside}'.strip())


def text_of(driver, name: str) -> str:
    """The text of the element `data-testid=name`, or "" if there is none on the page."""
    for _ in range(20):
        try:
            found = driver.find_elements(*tid(name))
            return found[0].text if found else ""
        except StaleElementReferenceException:
            time.sleep(0.05)  # redrawn as it was read: read the new one
    raise AssertionError(f"{name} kept being redrawn")


def title(driver) -> str:
    """The page's one heading."""
    return text_of(driver, "page-title")


def problem(driver) -> str:
    """The error summary's text, or "" (a page shows one only when something is wrong)."""
    return text_of(driver, "error-summary")


def done(driver) -> str:
    """The success banner's text, or ""."""
    return text_of(driver, "done")


def on_page(driver, wanted: str, timeout: float = 30) -> None:
    """Wait for the page headed `wanted`; if it does not come, say what the page says."""
    deadline = time.monotonic() + timeout
    while title(driver) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page “{wanted}” did not come: at “{title(driver)}”, "
                                 f"which says: {problem(driver) or done(driver) or '(nothing)'}")
        time.sleep(0.05)


# The focused element and whether it shows where the focus is: a ring (an outline of at
# least 2 px), or, for a link, the GOV.UK focus style (a coloured background and a bar).
FOCUSED = (
    "const e = document.activeElement; const s = getComputedStyle(e);"
    "const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;"
    "const bar = s.boxShadow !== 'none' && s.backgroundColor !== 'rgba(0, 0, 0, 0)';"
    "return [e.getAttribute('data-testid') || e.id, ring || bar];"
)


def until_done(driver, words: str, timeout: float = 30) -> str:
    """Wait until the success banner holds `words`; fail at once on a problem."""
    def look(d):
        said = problem(d)
        assert not said, f"waiting for “{words}”, the page says: {said}"
        text = done(d)
        return text if words in text else False
    return waiter(driver, timeout).until(look, f"“{words}” was not said (said: {done(driver)!r})")


def until_problem(driver, timeout: float = 30) -> str:
    """Wait for the error summary; return its text."""
    return waiter(driver, timeout).until(lambda d: problem(d) or False, "no problem was shown")


def _act(driver, name: str, do) -> None:
    """Do `do(element)` to the element `name` once it is shown and enabled; again if the
    page is redrawn under it in the meantime."""
    def attempt(d):
        try:
            found = [e for e in d.find_elements(*tid(name)) if e.is_displayed() and e.is_enabled()]
            if not found:
                return False
            do(found[0])
        except StaleElementReferenceException:
            return False
        return True
    WebDriverWait(driver, 30).until(attempt, f"no {name} to use on “{title(driver)}”")


def click(driver, name: str) -> None:
    _act(driver, name, lambda e: e.click())


def fill(driver, name: str, text: str) -> None:
    """Type `text` into the field `name`, after emptying it."""
    def do(e):
        e.clear()
        e.send_keys(text)
    _act(driver, name, do)


def go(driver, path: str) -> None:
    """Open a page by its address ("record/EK-…/check"), as the window's Back would."""
    driver.execute_script("location.hash = arguments[0]", f"#/{path}")


def save_in(driver, folder) -> str:
    """From Check: "Change" where it is saved, type `folder`, back to Check. Returns the
    folder the page offered first (the default)."""
    click(driver, "s-folder-change")
    on_page(driver, "Where should it be saved?")
    offered = driver.find_element(*tid("s-folder")).get_attribute("value")
    fill(driver, "s-folder", str(folder))
    click(driver, "s-folder-use")
    on_page(driver, "Check before you seal")
    return offered


def current_case(driver) -> str:
    """The record whose page is on screen, from the address."""
    path = driver.execute_script("return location.hash")
    m = re.match(r"#/record/(EK-[^/]+)", path)
    assert m, f"not a record's page: {path}"
    return m.group(1)


def items_listed(driver) -> list:
    """The items on the Evidence page, in order."""
    return driver.find_elements(*tid("item-list", "li[data-item-id]"))


def choose_files(driver, paths: list[Path], name: str = "file-input") -> None:
    """Choose files with the page's own (hidden) file input, as "Add files" does. The app
    runs on this machine: the input is given the paths, not uploaded copies."""
    driver.file_detector = UselessFileDetector()
    picker = driver.find_element(*tid(name))
    driver.execute_script("arguments[0].hidden = false", picker)
    picker.send_keys("\n".join(str(p) for p in paths))


def keys_and_dsl(env, config: Path, tmp_path: Path, name: str = "A. Teacher",
                 school: str | None = "Newport Test School", dsl: bool = True) -> Path:
    """A member of staff who has done the first run, set up with the CLI before the app
    starts: a signing key behind PASSPHRASE, their details, and (if `dsl`) a designated
    person to seal to. Returns the designated person's keys folder (to open bundles)."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE)
    subprocess.run(
        [str(env.cli), "--config", str(config), "keys", "new", "--name", name,
         "--passphrase-file", str(pw)],
        check=True, capture_output=True,
    )
    settings = json.loads((config / "settings.json").read_text()) if (config / "settings.json").exists() else {}
    settings["name"] = name
    if school is not None:
        settings["school"] = school
    (config / "settings.json").write_text(json.dumps(settings))
    folder = tmp_path / "dsl"
    if dsl:
        recipient = subprocess.run(
            [str(env.cli), "--config", str(folder), "keys", "new-recipient", "--name", "Mrs D. Lead",
             "--no-passphrase"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        subprocess.run(
            [str(env.cli), "--config", str(config), "keys", "add-recipient", "--name", "Mrs D. Lead",
             recipient],
            check=True, capture_output=True,
        )
    return folder


def start_record(driver, wait, title_words: str, staff: str = "A. Teacher") -> str:
    """Open "Start a new record" by its address (set-up, if not done, is not the point),
    start one, and return its reference once its Evidence page is on screen."""
    waiter(driver).until(lambda d: title(d) != "")
    go(driver, "new")
    on_page(driver, "Start a new record")
    fill(driver, "new-case-title", title_words)
    if driver.find_element(*tid("new-case-staff")).is_displayed():
        fill(driver, "new-case-staff", staff)
    click(driver, "new-case-submit")
    on_page(driver, "Evidence")
    return current_case(driver)


def capture_screen(driver) -> str:
    """"Capture the screen" on the Evidence page: the item's page follows; returns the
    item's number in the store (from the address)."""
    click(driver, "capture-screen")
    waiter(driver).until(
        lambda d: (not problem(d) or pytest.fail(problem(d)))
        and re.search(r"/item/(\d+)$", d.execute_script("return location.hash")),
        "no item's page after the capture",
    )
    waiter(driver).until(lambda d: d.find_elements(*tid("item-details-save")))
    return re.search(r"/item/(\d+)$", driver.execute_script("return location.hash")).group(1)


def printed_pdf(folder: Path, timeout: float = 30) -> Path:
    """The PDF the app opened in the system's viewer (the tests' viewer copies it into
    `folder`, the `printed` fixture), once it is there whole."""
    deadline = time.monotonic() + timeout
    while True:
        opened = folder / "opened.txt"
        if opened.exists():
            name = opened.read_text().splitlines()[-1]
            pdf = folder / name
            if pdf.is_file() and pdf.read_bytes().rstrip().endswith(b"%%EOF"):
                return pdf
        assert time.monotonic() < deadline, f"no PDF was opened in the viewer: {sorted(folder.iterdir())}"
        time.sleep(0.1)


def pdf_text(pdf: Path) -> str:
    """The PDF's text, by pdftotext."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


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
