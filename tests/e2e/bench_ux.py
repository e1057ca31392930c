"""The guide's measures (make ux-metrics): the happy path from first launch to a sealed
file, driven through WebDriver in the real window the way a person would, counted.

The rules (printed with the table):
- clicks: every pointer press, including into a field (a field the page puts the cursor
  in itself needs none; Enter in the last field sends the form, as it does for a person);
- keys: every character typed, and every Enter or Tab;
- Tabs: the same path again with the keyboard only (Tab, Enter, Space and typing), counting
  the Tab presses needed to reach each control;
- words: the visible text of each page on the happy path (document.body.innerText, which
  leaves out what the person typed and what sits closed behind "Technical details"),
  added up over the pages;
- tallest page: the page's height over the window's height, for every page on the path,
  the staff member's and the designated person's (a sealed file opened).
Targets (issue 16): at most 15 clicks, 25 Tabs, 350 words, and no page over 1.5 screens
except long lists. Exit status 1 when a target is missed (after printing everything)."""

import os
import re
import subprocess
import time
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import launch
from flow import css

PASSPHRASE = "correct horse battery"
TARGETS = {"clicks": 15, "tabs": 25, "words": 350, "screens": 1.5}


class Walk:
    """One walk through the app, counting what a person does and reads."""

    def __init__(self, driver, env=None, name: str = ""):
        self.d = driver
        self.env = env
        self.name = name
        self.wait = WebDriverWait(driver, 60, ignored_exceptions=[StaleElementReferenceException])
        self.clicks = 0
        self.keys = 0
        self.tabs = 0
        self.pages: dict[str, tuple[int, float]] = {}
        self.page_tabs: dict[str, int] = {}
        self._tabs_at = 0
        self._last: str | None = None

    def title(self) -> str:
        return self.d.execute_script(
            "const h = document.getElementById('page-title'); return h ? h.textContent : ''"
        )

    def on(self, title: str) -> None:
        """Wait for the page called `title`, then note its words and height."""
        self.wait.until(lambda d: self.title() == title)
        # The Tab presses spent on the page before this one.
        if self._last is not None:
            self.page_tabs[self._last] = self.page_tabs.get(self._last, 0) + self.tabs - self._tabs_at
        self._tabs_at = self.tabs
        self._last = title
        time.sleep(0.3)  # pictures and late parts of the page
        text, height = self.d.execute_script(
            "return [document.body.innerText, document.documentElement.scrollHeight / window.innerHeight]"
        )
        words = len(re.findall(r"[\w’'-]+", text))
        shots = os.environ.get("EK_UX_SHOTS")
        if shots and self.env is not None:
            # A picture of the whole screen at each page, to look at (make ux-metrics
            # EK_UX_SHOTS=DIR).
            Path(shots).mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:40]
            out = Path(shots) / f"{self.name}{len(self.pages) + 1:02d}-{safe}.png"
            subprocess.run(["import", "-display", self.env.display, "-window", "root", str(out)],
                           check=False, capture_output=True)
        self.pages[title] = (max(words, self.pages.get(title, (0, 0))[0]), max(height, self.pages.get(title, (0, 0.0))[1]))

    def click(self, testid: str) -> None:
        self.wait.until(lambda d: d.find_element(*css(f'[data-testid="{testid}"]')).is_enabled())
        self.d.find_element(*css(f'[data-testid="{testid}"]')).click()
        self.clicks += 1

    def type(self, text: str) -> None:
        ActionChains(self.d).send_keys(text).perform()
        self.keys += len(text)

    def enter(self) -> None:
        ActionChains(self.d).send_keys(Keys.ENTER).perform()
        self.keys += 1

    def tab(self) -> None:
        ActionChains(self.d).send_keys(Keys.TAB).perform()
        self.keys += 1
        self.tabs += 1

    def tab_to(self, testid: str) -> None:
        """Keyboard only: Tab until the control `testid` has the focus."""
        for _ in range(60):
            if self.d.execute_script(
                "return document.activeElement && document.activeElement.dataset.testid === arguments[0]", testid
            ):
                return
            self.tab()
        raise AssertionError(f"Tab never reached {testid}")

    def press(self, testid: str, keyboard: bool) -> None:
        """Press the button `testid`: a click, or (keyboard only) Tab to it and Enter."""
        if keyboard:
            self.tab_to(testid)
            self.enter()
        else:
            self.click(testid)

    def field(self, testid: str, text: str, keyboard: bool, focused: bool = False) -> None:
        """Type `text` into the field `testid` (a click into it unless it has the focus)."""
        if not focused:
            if keyboard:
                self.tab_to(testid)
            else:
                self.click(testid)
        self.type(text)


def happy_path(walk: Walk, recipient: str, keyboard: bool) -> None:
    """First launch to a sealed file, with one screenshot described and a short report."""
    w = walk
    w.on("Who are you?")
    # The first answer has the focus: Enter (or a press) answers.
    if keyboard:
        w.tab_to("who-staff")
        w.enter()
    else:
        w.click("who-staff")
    w.on("About you")
    w.field("p-name", "Siân Wyn", keyboard, focused=True)
    w.field("p-role", "Class teacher", keyboard)
    w.field("p-school", "Hill Top Primary School", keyboard)
    w.field("p-contact", "s.wyn@hilltop.sch.uk", keyboard)
    w.enter()
    w.on("Your key")
    w.field("k-pass", PASSPHRASE, keyboard, focused=True)
    w.field("k-pass2", PASSPHRASE, keyboard)
    w.enter()
    w.on("Your designated safeguarding person")
    w.field("d-name", "Mrs D. Lead", keyboard, focused=True)
    w.field("d-key", recipient, keyboard)
    w.press("d-add", keyboard)
    w.on("Check Mrs D. Lead's fingerprint")
    w.press("fp-same", keyboard)
    w.on("Your records")
    w.press("new-case", keyboard)
    w.on("Start a new record")
    w.field("new-case-title", "Posts about me", keyboard, focused=True)
    w.enter()
    w.on("Evidence")
    w.press("capture-screen", keyboard)
    w.wait.until(lambda d: w.title().startswith("1. "))
    w.on(w.title())
    w.field("item-site", "Facebook", keyboard, focused=True)
    w.enter()
    w.on("Evidence")
    # Every item says where it was seen: Continue goes straight to the report.
    w.press("continue", keyboard)
    w.on("What happened")
    w.field("r-description", "A parent posted about me.", keyboard, focused=True)
    w.press("report-save", keyboard)
    w.on("What has been done so far")
    # Nothing to add: Enter in the first field (it has the focus) sends the page.
    w.enter()
    w.on("Check before you seal")
    w.press("check-continue", keyboard)
    w.on("Seal this record")
    w.field("s-pass", PASSPHRASE, keyboard, focused=True)
    w.enter()
    w.on("Your record is sealed")


def test_ux_metrics(env, tmp_path: Path, behind):
    cli = str(env.cli)
    dsl = tmp_path / "dsl"
    recipient = subprocess.run(
        [cli, "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()

    walks = {}
    for keyboard in (False, True):
        store, config = tmp_path / f"store-{keyboard}", tmp_path / f"config-{keyboard}"
        driver = launch(env, store, config)
        try:
            walk = Walk(driver, env, "keyboard-" if keyboard else "")
            happy_path(walk, recipient, keyboard)
            walks[keyboard] = walk
        finally:
            driver.quit()

    # The designated person's side: a sealed file opened, its pages measured.
    mouse = walks[False]
    staff_store = tmp_path / "store-False"
    out = tmp_path / "sealed.evidence.age"
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE)
    case = subprocess.run([cli, "--store", str(staff_store), "case", "list", "--json"],
                          capture_output=True, text=True, check=True).stdout
    case_id = re.search(r'"id":\s*"([^"]+)"', case).group(1)
    subprocess.run([cli, "--store", str(staff_store), "--config", str(tmp_path / "config-False"),
                    "seal", "--case", case_id, "--to", "Mrs D. Lead", "--out", str(out),
                    "--passphrase-file", str(pw)], text=True, check=True, capture_output=True)
    dsl_pages: dict[str, float] = {}
    driver = launch(env, tmp_path / "dsl-store", dsl, str(out))
    try:
        w = Walk(driver, env, "dsl-")
        w.wait.until(lambda d: w.title() == "Posts about me")
        time.sleep(0.5)
        for title in ("Posts about me",):
            w.on(title)
        dsl_pages = {t: h for t, (_, h) in w.pages.items()}
    finally:
        driver.quit()

    words = sum(n for n, _ in mouse.pages.values())
    tallest_staff = max(mouse.pages.items(), key=lambda kv: kv[1][1])
    tallest_dsl = max(dsl_pages.items(), key=lambda kv: kv[1]) if dsl_pages else ("-", 0.0)
    kb = walks[True]
    rows = [
        ("clicks, first launch to a sealed file", "21", str(mouse.clicks), f"≤ {TARGETS['clicks']}", mouse.clicks <= TARGETS["clicks"]),
        ("keys typed (characters, Enter, Tab)", "about 160", str(mouse.keys), "report", True),
        ("Tab presses, keyboard only", "about 35", str(kb.tabs), f"≤ {TARGETS['tabs']}", kb.tabs <= TARGETS["tabs"]),
        ("words to read on the happy path", "about 830", str(words), f"≤ {TARGETS['words']}", words <= TARGETS["words"]),
        (f"tallest staff page ({tallest_staff[0]})", "3.5", f"{tallest_staff[1][1]:.2f}", f"≤ {TARGETS['screens']}", tallest_staff[1][1] <= TARGETS["screens"]),
        (f"tallest designated person's page ({tallest_dsl[0]}, one item)", "6.8", f"{tallest_dsl[1]:.2f}", f"≤ {TARGETS['screens']}", tallest_dsl[1] <= TARGETS["screens"]),
    ]
    print(__doc__)
    print(f"\n| measure | before (the walk) | now | target | met |\n|---|---|---|---|---|")
    for name, before, now, target, met in rows:
        print(f"| {name} | {before} | {now} | {target} | {'yes' if met else 'NO'} |")
    print("\n| page | words | screens | Tab presses |\n|---|---|---|---|")
    for title, (n, h) in mouse.pages.items():
        print(f"| {title} | {n} | {h:.2f} | {kb.page_tabs.get(title, 0)} |")
    for title, h in dsl_pages.items():
        print(f"| (designated person) {title} | | {h:.2f} |")
    missed = [name for name, *_, met in rows if not met]
    assert not missed, f"targets missed: {missed}"
