"""After a capture: describe the item, withdraw it with a reason, fill the report, read
the record's log, and use the indecent-image safeguard, in the real window; then check
with the CLI that the store holds exactly that, each change in the custody log."""

import json
import subprocess
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from flow import cli, css, shoot


def test_describe_withdraw_report_log_and_safeguard(env, store: Path, driver):
    # The lists are redrawn after each change: an element found a moment earlier may be
    # gone by the time it is read, so look again.
    wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
    wait.until(EC.presence_of_element_located(css('[data-testid="new-case-title"]')))
    driver.find_element(*css('[data-testid="new-case-title"]')).send_keys("Messages")
    driver.find_element(*css('[data-testid="new-case-staff"]')).send_keys("Siân Ŵyn")
    driver.find_element(*css('[data-testid="new-case-submit"]')).click()
    wait.until(lambda d: d.find_element(By.ID, "case-title").text == "Messages")
    case_id = driver.find_element(*css("#case-list button[data-case-id]")).get_attribute(
        "data-case-id"
    )
    driver.find_element(*css('[data-testid="capture-screen"]')).click()
    wait.until(EC.presence_of_element_located(css("#item-list li[data-item-id]")))
    wait.until(lambda d: d.find_element(*css('[data-testid="capture-screen"]')).is_enabled())
    # Found again once the capture has finished: the list is redrawn while it runs.
    item = driver.find_element(*css("#item-list li[data-item-id]"))

    # Describe it: where (with earlier sites suggested), when seen, a note.
    # Straight after the capture, "Describe it" is open with the cursor in "Where".
    details = item.find_element(By.XPATH, ".//summary[contains(., 'Describe it')]/..")
    assert details.get_attribute("open") is not None
    site = item.find_element(*css('[data-testid="item-site"]'))
    assert driver.switch_to.active_element == site
    site.send_keys("Facebook")
    item.find_element(*css('[data-testid="item-note"]')).send_keys("In the class group")
    seen = item.find_element(*css('[data-testid="item-seen"]'))
    driver.execute_script("arguments[0].value = '2026-11-24T21:05'", seen)
    item.find_element(*css('[data-testid="item-details-save"]')).click()
    wait.until(lambda d: "Where: Facebook" in d.find_element(*css("#item-list li[data-item-id]")).text)
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert record["site"] == "Facebook"
    assert record["note"] == "In the class group"
    assert record["seen"] and record["seen"].endswith("Z"), record["seen"]
    shoot(env, driver, "describe")

    # Full size, blurred until the person chooses to look.
    driver.find_element(*css('#item-list li[data-item-id] [data-testid="open-full"]')).click()
    viewer = wait.until(EC.visibility_of_element_located(css('[data-testid="viewer"]')))
    img = viewer.find_element(*css('[data-testid="viewer-img"]'))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    assert "viewer__img--hidden" in img.get_attribute("class")
    shoot(env, driver, "full-size")
    driver.find_element(*css('[data-testid="viewer-close"]')).click()
    wait.until(EC.invisibility_of_element_located(css('[data-testid="viewer"]')))

    # The report, with the police question as the person's own choice.
    driver.find_element(*css('[data-testid="tab-report"]')).click()
    wait.until(EC.visibility_of_element_located(css('[data-testid="report-form"]')))
    assert "It is your choice" in driver.find_element(*css('[data-testid="r-police"]')).text
    driver.find_element(*css('[data-testid="r-description"]')).send_keys(
        'They wrote: "you\'ll regret this".'
    )
    Select(driver.find_element(By.ID, "r-responsible")).select_by_value("parent")
    driver.find_element(By.CSS_SELECTOR, 'label[for="r-police-undecided"]').click()
    driver.find_element(*css('[data-testid="report-save"]')).click()
    wait.until(lambda d: "Report saved" in d.find_element(By.ID, "status").text)
    shown = json.loads(cli(env, store, "case", "show", "--case", case_id, "--json"))
    assert shown["report"]["description"] == 'They wrote: "you\'ll regret this".'
    assert shown["report"]["responsible"] == "parent"
    assert shown["report"]["police"] == "undecided"
    shoot(env, driver, "report")

    # The safeguard: nothing is captured; a note is.
    driver.find_element(*css('[data-testid="tab-evidence"]')).click()
    driver.find_element(*css('[data-testid="iioc-open"]')).click()
    panel = wait.until(EC.visibility_of_element_located(css('[data-testid="iioc-panel"]')))
    assert "999" in panel.text and "101" in panel.text
    driver.find_element(*css('[data-testid="iioc-site"]')).send_keys("a group chat")
    shoot(env, driver, "safeguard")
    driver.find_element(*css('[data-testid="iioc-record"]')).click()
    wait.until(lambda d: "nothing was captured" in d.find_element(By.ID, "status").text)
    shown = json.loads(cli(env, store, "case", "show", "--case", case_id, "--json"))
    assert shown["report"]["indecent_images"][0]["site"] == "a group chat"
    assert len(json.loads(cli(env, store, "items", "--case", case_id, "--json"))) == 1

    # Withdraw: kept, marked, with the reason.
    item = driver.find_element(*css("#item-list li[data-item-id]"))
    item.find_element(By.XPATH, ".//summary[normalize-space()='Withdraw']").click()
    item.find_element(*css('[data-testid="withdraw-reason"]')).send_keys("Captured twice")
    item.find_element(*css('[data-testid="withdraw-button"]')).click()
    wait.until(
        lambda d: "Captured twice"
        in d.find_element(*css("#item-list li[data-item-id] [data-testid='item-withdrawn']")).text
    )
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert record["withdrawn"]["reason"] == "Captured twice"

    # The record's log, in plain words, in order.
    driver.find_element(*css('[data-testid="tab-log"]')).click()
    log = wait.until(EC.visibility_of_element_located(css('[data-testid="log-list"]')))
    wait.until(lambda _: "withdrawn" in log.text)
    text = log.text
    for want in [
        'Record "Messages" started by Siân Ŵyn.',
        "Item 1 kept: a ",
        "Item 1: the site or app changed from nothing to \"Facebook\"",
        "Report: whether to report it to the police changed from nothing to not yet decided",
        "A possible indecent image of a child was recorded as seen (nothing captured)",
        'Item 1 withdrawn (kept, marked): "Captured twice"',
    ]:
        assert want in text, (want, text)
    shoot(env, driver, "log")

    # The store agrees with itself.
    check = subprocess.run(
        [str(env.cli), "--store", str(store), "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_marking_an_item_as_an_indecent_image_keeps_none_of_its_bytes(env, store: Path, tmp_path: Path, driver):
    from selenium.webdriver.remote.file_detector import UselessFileDetector

    from flow import start_record

    wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
    case_id = start_record(driver, wait, "Something I saw")
    marker = b"BYTES-THAT-MUST-NEVER-BE-KEPT-" * 64
    found = tmp_path / "found.png"
    found.write_bytes(b"\x89PNG\r\n\x1a\n" + marker)
    driver.file_detector = UselessFileDetector()
    picker = driver.find_element(*css('[data-testid="file-input"]'))
    driver.execute_script("arguments[0].hidden = false", picker)
    picker.send_keys(str(found))
    wait.until(lambda d: "1 file kept." in d.find_element(By.ID, "status").text)
    item = wait.until(lambda d: d.find_element(*css("#item-list li[data-item-id]")))
    item.find_element(*css('[data-testid="item-indecent"]')).click()
    item.find_element(*css('[data-testid="item-indecent-confirm"]')).click()
    wait.until(lambda d: d.find_elements(*css('#item-list [data-testid="item-removed"]')))
    assert "999" in driver.find_element(By.ID, "status").text
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert "indecent image" in record["removed"]["reason"]
    for f in store.rglob("*"):
        if f.is_file():
            assert marker[:60] not in f.read_bytes(), f"{f} still holds the bytes"
    check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    shoot(env, driver, "removed")
