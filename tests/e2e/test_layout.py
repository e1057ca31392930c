"""Size and zoom (issue 16): every page of the happy path, from "Who are you?" to "Your
record is sealed", in a 1366×768 and a 1280×720 window, at normal text and at 200 % text
(Ctrl and + pressed on the X display, as a person would): nothing scrolls sideways, and at
normal text each page fits in 1.5 screen heights (the Evidence page's list may be longer);
axe-core finds no serious problem at either size of text; a screenshot of every page.
And the happy path walked with the keyboard alone (Tab and Enter), each control showing
where the focus is."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from axe import serious_violations
from flow import FOCUSED, PASSPHRASE, cli, click, fill, go, keys_and_dsl, on_page, shoot, title, waiter

SIZES = [(1366, 768), (1280, 720)]
# The Evidence page lists what is kept: as long as the list.
LONG_LISTS = {"evidence"}

MEASURE = (
    "const e = document.documentElement;"
    "return [e.scrollWidth - e.clientWidth, e.scrollHeight / innerHeight, innerWidth, innerHeight];"
)


@pytest.fixture
def ready(env, config: Path, store: Path, tmp_path: Path) -> str:
    """Set up with the CLI, and a record with a picture and an e-mail in it, described,
    with its report's account: what a page looks like when there is something on it."""
    keys_and_dsl(env, config, tmp_path)
    case = cli(env, store, "case", "new", "--title", "Posts in the parents' group", "--staff", "A. Teacher").strip()
    picture = tmp_path / "post.png"
    subprocess.run(["convert", "-size", "640x400", "gradient:#c0392b-#2980b9", f"PNG24:{picture}"],
                   check=True, capture_output=True)
    cli(env, store, "capture", "file", "--case", case, str(picture), "--site", "Facebook", "--from", "@parent_42")
    eml = tmp_path / "complaint.eml"
    eml.write_bytes(b"From: Someone <someone@example.com>\r\nTo: a.teacher@school.example\r\n"
                    b"Subject: You\r\nDate: Tue, 24 Nov 2026 21:14:03 +0000\r\n\r\nWe know where you live.\r\n")
    cli(env, store, "capture", "file", "--case", case, str(eml), "--site", "E-mail")
    cli(env, store, "case", "report", "--case", case, "--description",
        "A parent posted about me in the class group, and then e-mailed me.")
    return case


def xkeys(env, *keys: str) -> None:
    subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], check=True,
                   env={**os.environ, "DISPLAY": env.display})


def settle(driver) -> None:
    driver.execute_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));")


def test_headline_every_page_fits_without_sideways_scrolling(env, ready: str, store: Path, tmp_path: Path, driver):
    case = ready
    wait = waiter(driver, 60)
    wait.until(lambda d: title(d) != "")
    measured: list[tuple[str, dict]] = []

    def look(name: str) -> None:
        """Measure the page on screen at each window size and both text sizes; shoot it
        at 1366×768."""
        numbers = {}
        for w, h in SIZES:
            driver.set_window_size(w, h)
            settle(driver)
            sideways, screens, iw, ih = driver.execute_script(MEASURE)
            numbers[f"{w}x{h}"] = (sideways, round(screens, 2), iw, ih)
        driver.set_window_size(*SIZES[0])
        settle(driver)
        shoot(env, driver, f"layout-{name}")
        # 200 % text, as a person makes it: Ctrl and + five times (110, 125, 150, 175, 200).
        xkeys(env, *["ctrl+plus"] * 5)
        wait.until(lambda d: d.execute_script("return document.documentElement.style.fontSize") == "200%")
        for w, h in SIZES:
            driver.set_window_size(w, h)
            settle(driver)
            sideways, screens, _, _ = driver.execute_script(MEASURE)
            numbers[f"{w}x{h}@200%"] = (sideways, round(screens, 2))
        violations = serious_violations(driver)
        assert not violations, (name, "200 %", violations)
        xkeys(env, "ctrl+0")
        wait.until(lambda d: d.execute_script("return document.documentElement.style.fontSize") == "")
        driver.set_window_size(*SIZES[0])
        settle(driver)
        measured.append((name, numbers))

    def at(path: str, heading: str, name: str) -> None:
        go(driver, path)
        on_page(driver, heading)
        look(name)

    at("who", "Who are you?", "who")
    at("setup/you", "About you", "about-you")
    at("setup/key", "Your key is ready", "key")
    at("setup/designated", "Your designated safeguarding person", "designated")
    at("setup/designated/check/Mrs%20D.%20Lead", "Check Mrs D. Lead's fingerprint", "compare")
    at("", "Your records", "home")
    at("new", "Start a new record", "new-record")
    at(f"record/{case}/evidence", "Evidence", "evidence")
    go(driver, f"record/{case}/item/1")
    wait.until(lambda d: title(d).startswith("1. post"))
    look("item")
    go(driver, f"record/{case}/item/2")
    wait.until(lambda d: title(d).startswith("2. complaint"))
    look("item-email")
    at(f"record/{case}/details", "Details of the evidence", "details")
    at(f"record/{case}/report", "What happened", "report-what")
    at(f"record/{case}/report/done", "What has been done so far", "report-done")
    at(f"record/{case}/check", "Check before you seal", "check")
    click(driver, "s-folder-change")
    on_page(driver, "Where should it be saved?")
    look("folder")
    fill(driver, "s-folder", str(tmp_path / "usb"))
    click(driver, "s-folder-use")
    on_page(driver, "Check before you seal")
    click(driver, "check-continue")
    on_page(driver, "Seal this record")
    look("seal")
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")
    on_page(driver, "Your record is sealed", 120)
    look("sealed")
    at("settings", "Settings", "settings")
    at("settings/capture", "Capturing and pictures", "settings-capture")
    at("settings/move", "Moving to a new computer", "settings-move")

    print("\npage: sideways px and height in screens per window (and at 200 % text)")
    for name, numbers in measured:
        print(f"  {name}: {json.dumps(numbers)}")
    wide = [(n, k, v[0]) for n, nums in measured for k, v in nums.items() if v[0] > 1]
    assert not wide, f"pages that scroll sideways (page, window, px): {wide}"
    # The limit is the issue's, at a 1366×768 laptop's screen (1280×720 is printed above).
    tall = [(n, v[1]) for n, nums in measured for k, v in nums.items()
            if k == "1366x768" and n not in LONG_LISTS and v[1] > 1.5]
    assert not tall, f"pages taller than 1.5 screens at 1366×768 (page, screens): {tall}"


def test_headline_the_happy_path_with_the_keyboard_alone(env, ready: str, store: Path, tmp_path: Path, driver):
    """From home to a sealed file with Tab, Enter and typing only; every control reached
    shows where the focus is. Prints the number of Tab presses."""
    wait = waiter(driver, 60)
    on_page(driver, "Your records")
    driver.set_window_size(*SIZES[0])
    tabs = 0

    def tab_to(name: str, limit: int = 60) -> None:
        """Tab until `name` has the focus (none if the page put it there)."""
        nonlocal tabs
        testid, visible = driver.execute_script(FOCUSED)
        if testid == name:
            assert visible, f"{name} shows no focus"
            return
        for _ in range(limit):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            tabs += 1
            testid, visible = driver.execute_script(FOCUSED)
            if testid == name:
                assert visible, f"{name} shows no focus"
                return
        raise AssertionError(f"{name} not reached with {limit} Tabs on “{title(driver)}”")

    def enter() -> None:
        driver.switch_to.active_element.send_keys(Keys.ENTER)

    def has_cursor(name: str) -> None:
        """The page put the cursor in `name`."""
        wait.until(lambda d: d.switch_to.active_element.get_attribute("data-testid") == name,
                   f"the cursor is not in {name}")

    def typed(name: str, text: str) -> None:
        """The page put the cursor in `name`: type there."""
        has_cursor(name)
        driver.switch_to.active_element.send_keys(text)

    tab_to("new-case")
    enter()
    on_page(driver, "Start a new record")
    typed("new-case-title", "By keyboard")
    enter()
    on_page(driver, "Evidence")
    tab_to("capture-screen")
    enter()
    wait.until(lambda d: title(d).startswith("1. Screenshot "))
    typed("item-site", "Instagram")
    enter()
    on_page(driver, "Evidence")
    # Every item says where it was seen: Continue has the cursor and goes to the report.
    tab_to("continue")
    enter()
    on_page(driver, "What happened")
    typed("r-description", "Posts about me.")
    tab_to("report-save")
    enter()
    on_page(driver, "What has been done so far")
    # Nothing to add: Enter in the first field (it has the cursor) sends the page.
    has_cursor("r-witnesses")
    enter()
    on_page(driver, "Check before you seal")
    # Where to save it, typed over the suggested folder (this test's, not the home folder).
    tab_to("s-folder-change")
    enter()
    on_page(driver, "Where should it be saved?")
    has_cursor("s-folder")
    driver.switch_to.active_element.send_keys(Keys.CONTROL, "a")
    driver.switch_to.active_element.send_keys(str(tmp_path / "usb"))
    enter()
    on_page(driver, "Check before you seal")
    tab_to("check-continue")
    enter()
    on_page(driver, "Seal this record")
    typed("s-pass", PASSPHRASE)
    enter()
    on_page(driver, "Your record is sealed", 120)
    print(f"\nTab presses from home to a sealed file: {tabs}")
    case = json.loads(cli(env, store, "case", "list", "--json"))
    sealed = [c for c in case if c["title"] == "By keyboard"]
    assert sealed and sealed[0]["state"] != "open", case
    items = json.loads(cli(env, store, "items", "--case", sealed[0]["id"], "--json"))
    assert items[0]["site"] == "Instagram"
