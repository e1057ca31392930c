"""Sealing that cannot happen says why in one sentence, beside the action, and changes
nothing: no designated person yet (Check says so and stops; one is added from there
through Settings' pages), then a folder that cannot be written to; and a disk that fills
up mid-seal."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from flow import (save_in, PASSPHRASE, capture_screen, choose_files, cli, click, fill, go, keys_and_dsl,
                  on_page, problem, start_record, tid, until_done, until_problem, waiter)


@pytest.fixture
def staff_keys(env, config: Path, tmp_path: Path) -> Path:
    """A staff member who has done the first run, except for the designated person."""
    keys_and_dsl(env, config, tmp_path, dsl=False)
    return config


def to_seal(driver, case_id: str, folder: Path) -> None:
    """From Check (opened by its address), with `folder` to save in, on to Seal; seal."""
    go(driver, f"record/{case_id}/check")
    on_page(driver, "Check before you seal")
    save_in(driver, folder)
    click(driver, "check-continue")
    on_page(driver, "Seal this record")
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")


def test_sealing_that_cannot_happen_changes_nothing(env, staff_keys, store: Path, tmp_path: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Posts")
    capture_screen(driver)
    before = cli(env, store, "log", "--case", case_id, "--json")

    # No designated person yet: Check says so, and stops there.
    go(driver, f"record/{case_id}/check")
    on_page(driver, "Check before you seal")
    assert "designated" in driver.find_element(*tid("no-dsl")).text
    click(driver, "check-continue")
    said = until_problem(driver)
    assert "Add your designated person first" in said, said
    assert "Check before you seal" == driver.find_element(*tid("page-title")).text

    # Add one, from there; then a folder that cannot be made (a file is in the way).
    dsl = tmp_path / "dsl"
    recipient = subprocess.run(
        [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    click(driver, "add-dsl")
    on_page(driver, "Your designated safeguarding person")
    fill(driver, "d-name", "Mrs D. Lead")
    fill(driver, "d-key", recipient)
    click(driver, "d-add")
    on_page(driver, "Check Mrs D. Lead's fingerprint")
    click(driver, "fp-same")
    until_done(driver, "Mrs D. Lead is added.")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    to_seal(driver, case_id, blocker / "bundles")
    message = until_problem(driver, 60)
    print(f"message: {message}")
    assert str(blocker) in message, message
    assert "Could not create" in message and "Not a directory." in message, message
    assert "os error" not in message and "panicked" not in message, message
    assert driver.find_element(*tid("page-title")).text == "Seal this record"
    # Beside the Seal button, not at the top of a long page.
    gap = driver.execute_script(
        "const m = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
        "return b.top - m.bottom;",
        driver.find_element(*tid("error-summary")), driver.find_element(*tid("seal-button")))
    assert 0 <= gap <= 60, f"the message is not beside the Seal button: {gap}px above it"

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
        wait = waiter(driver)
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
        # A file that does not fit in 64 KiB, added with "Add files".
        big = tmp_path / "big.bin"
        big.write_bytes(bytes(range(256)) * 1024)
        choose_files(driver, [big])
        on_page(driver, "1. big.bin")
        until_done(driver, "Kept")
        before = cli(env, store, "log", "--case", case_id, "--json")
        to_seal(driver, case_id, usb)
        message = until_problem(driver, 60)
        print(f"message: {message}")
        assert "There is not enough room in" in message and "nothing was sealed" in message, message
        assert driver.find_element(*tid("page-title")).text == "Seal this record"
        leftover = sorted(p.name for p in usb.iterdir())
        assert leftover == [], f"nothing half-written is left: {leftover}"
        assert cli(env, store, "log", "--case", case_id, "--json") == before
        [listed] = json.loads(cli(env, store, "case", "list", "--json"))
        assert listed["state"] == "open"
        check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        subprocess.run(["umount", "-l", str(usb)], check=False)
