"""Sealing that cannot happen says why in one sentence and changes nothing: no
designated person yet, then a folder that cannot be written to."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from flow import cli, css, start_record

PASSPHRASE = "correct horse battery"


@pytest.fixture
def staff_keys(env, config: Path, tmp_path: Path) -> Path:
    """A staff member who has done the first run, except for the designated person."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE)
    subprocess.run(
        [str(env.cli), "--config", str(config), "keys", "new", "--name", "A. Teacher",
         "--passphrase-file", str(pw)],
        check=True, capture_output=True,
    )
    (config / "settings.json").write_text(json.dumps({"name": "A. Teacher"}))
    return config


def test_sealing_that_cannot_happen_changes_nothing(env, staff_keys, store: Path, tmp_path: Path, driver):
    wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
    case_id = start_record(driver, wait, "Posts")
    driver.find_element(*css('[data-testid="capture-screen"]')).click()
    wait.until(EC.presence_of_element_located(css("#item-list li[data-item-id]")))
    wait.until(lambda d: d.find_element(*css('[data-testid="capture-screen"]')).is_enabled())
    before = cli(env, store, "log", "--case", case_id, "--json")

    # No designated person yet.
    driver.find_element(*css('[data-testid="tab-seal"]')).click()
    driver.find_element(*css('[data-testid="s-pass"]')).send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="seal-button"]')).click()
    summary = wait.until(EC.visibility_of_element_located(css('[data-testid="error-summary"]')))
    assert "Add your designated safeguarding person first" in summary.text

    # Add one; then a folder that cannot be made (a file is in the way).
    dsl = tmp_path / "dsl"
    recipient = subprocess.run(
        [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    driver.find_element(*css('[data-testid="setup-open"]')).click()
    driver.find_element(*css('[data-testid="d-name"]')).send_keys("Mrs D. Lead")
    driver.find_element(*css('[data-testid="d-key"]')).send_keys(recipient)
    driver.find_element(*css('[data-testid="d-add"]')).click()
    wait.until(lambda d: "Mrs D. Lead" in d.find_element(*css('[data-testid="dsl-list"]')).text)
    driver.find_element(*css('[data-testid="setup-close"]')).click()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    folder = driver.find_element(*css('[data-testid="s-folder"]'))
    folder.clear()
    folder.send_keys(str(blocker / "bundles"))
    driver.find_element(*css('[data-testid="seal-button"]')).click()
    wait.until(
        lambda d: str(blocker) in d.find_element(*css('[data-testid="error-summary"]')).text
    )
    message = driver.find_element(*css('[data-testid="error-summary"]')).text
    print(f"message: {message}")
    assert "Could not create" in message and "Not a directory." in message, message
    assert "os error" not in message and "panicked" not in message, message
    assert not driver.find_element(*css('[data-testid="sealed"]')).is_displayed()

    # Nothing changed: no entry, the store intact, the record still open. (No file can
    # be half-written here, as the folder could not be made: that promise is proven by
    # the disk-full test below, where a .partial really is written first.)
    assert cli(env, store, "log", "--case", case_id, "--json") == before
    assert blocker.read_text() == "a file, not a folder"
    [listed] = json.loads(cli(env, store, "case", "list", "--json"))
    assert listed["state"] == "open"
    check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_headline_a_disk_full_mid_seal_leaves_the_record_intact(env, staff_keys, store: Path, tmp_path: Path, driver):
    """Promise 8 for sealing: the folder fills up while the bundle is being written (a
    64 KiB tmpfs, so BUNDLE.evidence.partial is begun and cannot be finished): one
    sentence, the .partial removed, nothing in the log, the record still open.

    The tmpfs is mounted directly, as root: the app runs outside any namespace this test
    could make (tauri-driver starts it). Not root: skipped, visibly, and under CI=true a
    failure (conftest.py)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs for the app needs root (the app runs outside this test's namespaces)")
    usb = tmp_path / "usb"
    usb.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(usb)], capture_output=True, text=True
    )
    if mount.returncode != 0:
        pytest.skip(f"root could not mount a small tmpfs here: {mount.stderr.strip()}")
    try:
        wait = WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException])
        dsl = tmp_path / "dsl"
        recipient = subprocess.run(
            [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        subprocess.run(
            [str(env.cli), "--config", str(staff_keys), "keys", "add-recipient", "--name", "Mrs D. Lead", recipient],
            check=True, capture_output=True,
        )
        driver.refresh()
        case_id = start_record(driver, wait, "Big")
        # A picture that does not fit in 64 KiB, added as a file.
        big = tmp_path / "big.bin"
        big.write_bytes(bytes(range(256)) * 1024)
        picker = driver.find_element(*css('[data-testid="file-input"]'))
        from selenium.webdriver.remote.file_detector import UselessFileDetector

        driver.file_detector = UselessFileDetector()
        driver.execute_script("arguments[0].hidden = false", picker)
        picker.send_keys(str(big))
        wait.until(lambda d: "1 file kept." in d.find_element(By.ID, "status").text)
        before = cli(env, store, "log", "--case", case_id, "--json")
        driver.find_element(*css('[data-testid="tab-seal"]')).click()
        folder = driver.find_element(*css('[data-testid="s-folder"]'))
        folder.clear()
        folder.send_keys(str(usb))
        driver.find_element(*css('[data-testid="s-pass"]')).send_keys(PASSPHRASE)
        driver.find_element(*css('[data-testid="seal-button"]')).click()
        summary = wait.until(EC.visibility_of_element_located(css('[data-testid="error-summary"]')))
        print(f"message: {summary.text}")
        assert "There is not enough room in" in summary.text and "nothing was sealed" in summary.text, summary.text
        assert not driver.find_element(*css('[data-testid="sealed"]')).is_displayed()
        leftover = sorted(p.name for p in usb.iterdir())
        assert leftover == [], f"nothing half-written is left: {leftover}"
        assert cli(env, store, "log", "--case", case_id, "--json") == before
        [listed] = json.loads(cli(env, store, "case", "list", "--json"))
        assert listed["state"] == "open"
        check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        subprocess.run(["umount", "-l", str(usb)], check=False)
