"""Details typed but not saved are never sealed away (issue 12, item 5; issue 16): a site
and a sender typed on an item's page and the report's account typed on "What happened",
none of them saved. Check lists each, beside its own "Save them and continue", and offers
no way on to Seal; the Seal page opened by its address sends the person back to Check;
nothing is written. "Save them and continue" saves each through its own save (a custody
entry each); then Check → Seal seals, and the bundle's case.json holds what was typed."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from flow import (save_in, PASSPHRASE, capture_screen, cli, click, fill, go, keys_and_dsl, on_page, shoot,
                  start_record, text_of, tid, until_done, waiter)


@pytest.fixture
def ready(env, config: Path, tmp_path: Path) -> Path:
    """Set up before the app starts; the designated person's keys folder."""
    return keys_and_dsl(env, config, tmp_path)


def test_headline_unsaved_details_stop_the_seal_until_saved(
    env, ready: Path, config: Path, store: Path, tmp_path: Path, driver
):
    wait = waiter(driver, 60)
    case_id = start_record(driver, wait, "Messages at night")
    capture_screen(driver)
    fill(driver, "item-site", "Facebook")
    click(driver, "item-details-save")
    on_page(driver, "Evidence")
    until_done(driver, "saved")

    # Item 2: where and who from typed, "Save details" never pressed; Back to the list.
    item_id = capture_screen(driver)
    fill(driver, "item-site", "WhatsApp")
    fill(driver, "item-from", "@night_owl")
    click(driver, "back")
    on_page(driver, "Evidence")
    # The report's account typed, "Continue" never pressed.
    go(driver, f"record/{case_id}/report")
    on_page(driver, "What happened")
    fill(driver, "r-description", "They message me after midnight.")
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    name = items[1]["original_name"]
    assert str(items[1]["id"]) == item_id
    assert items[1]["site"] is None and items[1]["from"]["handle"] is None
    before = cli(env, store, "log", "--case", case_id, "--json")

    # Check (the step indicator's link): it stops, and names what is not saved.
    driver.find_element(*tid("steps")).find_element(
        "xpath", ".//a[contains(normalize-space(), 'Check')]").click()
    on_page(driver, "Check before you seal")
    box = wait.until(lambda d: d.find_element(*tid("seal-unsaved")))
    print(f"message: {box.text}")
    assert "You have details you have not saved yet" in box.text
    lines = [li.text for li in box.find_elements(*tid("seal-unsaved-list", "li"))]
    assert lines == [f"Item 2 ({name}): where you saw it, who sent it", "The report: what happened"], lines
    # Nothing leads on to Seal, and the message is on screen where the person looks.
    assert not driver.find_elements(*tid("check-continue")), "Check offers to seal with unsaved text"
    top, bottom, height = driver.execute_script(
        "const b = arguments[0].getBoundingClientRect(); return [b.top, b.bottom, innerHeight];", box)
    assert 0 <= top < height, f"the message is off-screen: {(top, bottom, height)}"
    assert driver.execute_script("return document.activeElement === arguments[0]", box), \
        "the message does not have the focus"
    shoot(env, driver, "seal-unsaved")

    # The Seal page by its address: back to Check, nothing sealed.
    go(driver, f"record/{case_id}/seal")
    on_page(driver, "Check before you seal")
    assert driver.find_elements(*tid("seal-unsaved"))
    assert not driver.find_elements(*tid("s-pass")), "the Seal page opened with unsaved text"

    # Nothing was sealed or saved: no bundle, no custody entry, the record still open.
    usb = tmp_path / "usb"
    assert not usb.exists()
    assert cli(env, store, "log", "--case", case_id, "--json") == before
    [listed] = json.loads(cli(env, store, "case", "list", "--json"))
    assert listed["state"] == "open"

    # "Save them and continue": saved; then on to Seal.
    click(driver, "seal-unsaved-save")
    until_done(driver, "Your details are saved.")
    assert not driver.find_elements(*tid("seal-unsaved"))
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert items[1]["site"] == "WhatsApp" and items[1]["from"]["handle"] == "@night_owl"
    save_in(driver, usb)
    click(driver, "check-continue")
    on_page(driver, "Seal this record")
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")
    on_page(driver, "Your record is sealed", 120)
    bundle = usb / text_of(driver, "sealed-name")
    assert bundle.is_file(), bundle
    log = json.loads(cli(env, store, "log", "--case", case_id, "--json"))
    actions = [e["action"] for e in log[len(json.loads(before)):]]
    # Each saved through its own save, so each change is in the log, before the seal.
    assert actions == ["details_edited", "details_edited", "report_edited", "sealed"], actions

    # The designated person's bundle holds what was typed: intact, and in its case.json.
    verify = subprocess.run(
        [str(env.cli), "--config", str(ready), "verify", str(bundle), "--trust", str(config / "signing.pub")],
        capture_output=True, text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    plain = tmp_path / "plain.zip"
    subprocess.run(["age", "-d", "-i", str(ready / "identity.age"), "-o", str(plain), str(bundle)], check=True)
    with zipfile.ZipFile(plain) as z:
        [case_json] = [n for n in z.namelist() if n.endswith("/case.json") or n == "case.json"]
        sealed = json.loads(z.read(case_json))
    by_name = {i["original_name"]: i for i in sealed["items"]}
    assert by_name[name]["site"] == "WhatsApp", by_name[name]
    assert by_name[name]["from"]["handle"] == "@night_owl", by_name[name]
    assert sealed["case"]["report"]["description"] == "They message me after midnight."
