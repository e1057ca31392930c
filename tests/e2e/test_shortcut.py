"""The capture shortcut (Ctrl+Shift+E), pressed on the X display as a person would:
the screen is captured into the open record, the window steps aside and comes back,
and the page shows the new item."""

import json
import os
import subprocess
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from flow import (cli, click, fill, go, invoke, items_listed, on_page, problem, shoot, start_record,
                  tid, title, until_done, waiter)
from xdisplay import pixel


def test_the_shortcut_captures_into_the_open_record(env, store: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Shortcut")

    subprocess.run(
        ["xdotool", "key", "--clearmodifiers", "ctrl+shift+e"],
        check=True,
        env={**os.environ, "DISPLAY": env.display},
    )
    until_done(driver, "(shortcut)")
    wait.until(lambda d: len(items_listed(d)) == 1)
    [item] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert item["source"] == "screen"
    obj = store / "objects" / "sha256" / item["sha256"][:2] / item["sha256"][2:]
    # What was behind the window (red at the top), not the window itself.
    top = pixel(obj, 640, 60)
    assert top[0] > 150 and top[2] < 100, top
    shoot(env, driver, "shortcut")


def test_capture_a_chosen_window(env, store: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "One window")

    click(driver, "capture-window-open")
    on_page(driver, "Which window?")
    choice = driver.find_element(*tid("window-select"))
    titles = [o.text for o in choice.find_elements(By.TAG_NAME, "option")]
    assert "ImageMagick: behind.png" in titles, titles
    assert "Evidence Kit" not in titles, "its own window is not offered"
    shoot(env, driver, "window")
    Select(choice).select_by_visible_text("ImageMagick: behind.png")
    click(driver, "capture-window")
    until_done(driver, "Kept as")
    assert title(driver).startswith("1. "), title(driver)
    [item] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert item["source"] == "window", item
    obj = store / "objects" / "sha256" / item["sha256"][:2] / item["sha256"][2:]
    top = pixel(obj, 100, 20)
    assert top[0] > 150 and top[2] < 100, top


def test_capture_a_dragged_part_of_the_screen(env, store: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "A part")
    click(driver, "capture-region-open")
    img = wait.until(lambda d: d.find_element(*tid("region-img")))
    wait.until(lambda d: d.find_element(*tid("region")).is_displayed())
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    # Blurred like every picture of evidence, and its buttons on the screen.
    assert "region__img--hidden" in img.get_attribute("class")
    for name in ("region-keep", "region-cancel"):
        bottom, right, height, width = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.bottom, r.right, innerHeight, innerWidth];",
            driver.find_element(*tid(name)))
        assert bottom <= height and right <= width, f"{name} is off the screen: {(bottom, right, height, width)}"
    shown_w = driver.execute_script("return arguments[0].getBoundingClientRect().width", img)
    # Drag across the top-left quarter of the picture (from its centre's point of view).
    ActionChains(driver).move_to_element_with_offset(img, int(-shown_w / 2) + 10, -60) \
        .click_and_hold().move_by_offset(int(shown_w / 4), 40).release().perform()
    keep = driver.find_element(*tid("region-keep"))
    wait.until(lambda _: keep.is_enabled())
    assert int(driver.find_element(*tid("region-w")).get_attribute("value")) < 1366
    shoot(env, driver, "region")
    keep.click()
    until_done(driver, "Kept as")
    [item] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert item["original_name"].endswith(".png") and title(driver) == f"1. {item['original_name']}"
    obj = store / "objects" / "sha256" / item["sha256"][:2] / item["sha256"][2:]
    out = subprocess.run(["identify", "-format", "%w %h", str(obj)], capture_output=True, text=True, check=True)
    w, h = map(int, out.stdout.split())
    assert 0 < w < 1366 and 0 < h < 800, (w, h)


def xkey(env, keys: str) -> None:
    """Press `keys` on the X display, as a person would (to whichever window has focus)."""
    subprocess.run(["xdotool", "key", "--clearmodifiers", keys], check=True,
                   env={**os.environ, "DISPLAY": env.display})


def test_a_shortcut_chosen_in_the_settings_captures_and_the_old_one_no_longer_does(
        env, store: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "New shortcut")
    go(driver, "settings/capture")
    on_page(driver, "Capturing and pictures")
    fill(driver, "p-shortcut", "CommandOrControl+Shift+K")
    click(driver, "p-shortcut-save")
    until_done(driver, "The capture shortcut is now CommandOrControl+Shift+K.")
    shoot(env, driver, "settings")
    # Back to the record, which the shortcut captures into.
    go(driver, f"record/{case_id}/evidence")
    on_page(driver, "Evidence")

    # The old shortcut is no longer taken by the app: the key reaches the page like any
    # other key (a key the app holds never does), and nothing is captured.
    driver.execute_script(
        "window.__keys = [];"
        "document.addEventListener('keydown', (e) => window.__keys.push("
        "  [e.key.toLowerCase(), e.ctrlKey, e.shiftKey]));")
    xkey(env, "ctrl+shift+e")
    wait.until(lambda d: ["e", True, True] in d.execute_script("return window.__keys"))
    assert json.loads(cli(env, store, "items", "--case", case_id, "--json")) == []

    # The new one captures.
    xkey(env, "ctrl+shift+k")
    until_done(driver, "(shortcut)")
    [item] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert item["source"] == "screen"
    assert ["k", True, True] not in driver.execute_script("return window.__keys"), \
        "the new shortcut also reached the page"


def test_cancelling_a_region_drops_the_grabbed_screen(env, store: Path, driver):
    """"Cancel" and "This may be an indecent image of a child" in the region dialog drop
    the screen grabbed into memory (`cancel_region`): nothing is stored, and the grab can
    no longer be kept (`capture_region` finds none)."""
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Not this")
    for leave in ("region-cancel", "region-iioc"):
        click(driver, "capture-region-open")
        wait.until(lambda d: d.find_elements(*tid("region")) and d.find_element(*tid("region")).is_displayed())
        img = driver.find_element(*tid("region-img"))
        wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
        click(driver, leave)
        wait.until(lambda d: not d.find_elements(*tid("region")))
        kept = invoke(driver, "capture_region", {"caseId": case_id, "rect": [0, 0, 64, 64]})
        assert kept.get("err", {}).get("code") == "no_region", f"{leave}: {kept}"
        assert json.loads(cli(env, store, "items", "--case", case_id, "--json")) == [], leave
    # "This may be an indecent image of a child" leads to its calm page.
    on_page(driver, "What to do now")
    assert not problem(driver)
    assert [p for p in (store / "objects").rglob("*") if p.is_file()] == [], "something was stored"
    assert list((store / "tmp").iterdir()) == []
