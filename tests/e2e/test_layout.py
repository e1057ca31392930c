"""The window at 1280×720 and with text at 200 %: nothing runs off the side, and axe
still finds no serious problem; and the main controls can all be reached with the
keyboard alone (Tab), each showing where the focus is."""

from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from axe import serious_violations
from flow import css, start_record

NO_SIDEWAYS_SCROLL = (
    "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
)


def test_small_window_and_large_text(store: Path, driver):
    wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
    driver.set_window_size(1280, 720)
    start_record(driver, wait, "Layout")
    for tab in ["tab-evidence", "tab-report", "tab-seal", "tab-log"]:
        driver.find_element(*css(f'[data-testid="{tab}"]')).click()
        assert driver.execute_script(NO_SIDEWAYS_SCROLL), f"{tab} scrolls sideways at 1280×720"
    driver.execute_script("document.documentElement.style.fontSize = '200%'")
    for tab in ["tab-evidence", "tab-report", "tab-seal", "tab-log"]:
        driver.find_element(*css(f'[data-testid="{tab}"]')).click()
        assert driver.execute_script(NO_SIDEWAYS_SCROLL), f"{tab} scrolls sideways at 200 % text"
        violations = serious_violations(driver)
        assert not violations, (tab, violations)


def test_the_main_controls_are_reached_with_the_keyboard(store: Path, driver):
    wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
    start_record(driver, wait, "Layout")
    driver.find_element(*css('[data-testid="tab-evidence"]')).click()
    wanted = {"capture-screen", "capture-window-open", "add-files", "paste", "iioc-open",
              "tab-evidence", "tab-report", "tab-seal", "tab-log", "new-case-title", "setup-open"}
    reached = set()
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    for _ in range(80):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        info = driver.execute_script(
            "const e = document.activeElement;"
            "const s = getComputedStyle(e);"
            "return [e.getAttribute('data-testid') || e.id,"
            " s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];"
        )
        testid, visible_focus = info
        if testid in wanted:
            reached.add(testid)
            assert visible_focus, f"{testid} shows no focus"
        if reached == wanted:
            break
    # Tabs are one stop (arrow keys move between them): only the selected one is reached.
    missing = wanted - reached - {"tab-report", "tab-seal", "tab-log"}
    assert not missing, f"not reachable by Tab: {sorted(missing)}"
