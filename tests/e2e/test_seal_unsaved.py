"""Details typed but not saved are never sealed away (issue 12, item 5): a site and a
sender typed into an item, and the report's account, none of them saved; Seal stops
beside its button, names each, and writes nothing; "Save them and seal" saves each
through its own save (a custody entry each) and seals, and the bundle's case.json holds
what was typed."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from flow import cli, css, shoot, start_record

PASSPHRASE = "correct horse battery"


@pytest.fixture
def ready(env, config: Path, tmp_path: Path) -> Path:
    """A staff member who has done the first run (signing key, details, a designated
    person to seal to), set up before the app starts. Returns the designated person's
    config folder (their identity, to open the bundle)."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE)
    subprocess.run(
        [str(env.cli), "--config", str(config), "keys", "new", "--name", "A. Teacher",
         "--passphrase-file", str(pw)],
        check=True, capture_output=True,
    )
    (config / "settings.json").write_text(json.dumps({"name": "A. Teacher"}))
    dsl = tmp_path / "dsl"
    recipient = subprocess.run(
        [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    subprocess.run(
        [str(env.cli), "--config", str(config), "keys", "add-recipient", "--name", "Mrs D. Lead", recipient],
        check=True, capture_output=True,
    )
    return dsl


def capture(driver, wait, count: int):
    driver.find_element(*css('[data-testid="capture-screen"]')).click()
    wait.until(lambda d: len(d.find_elements(*css("#item-list li[data-item-id]"))) == count)
    wait.until(lambda d: d.find_element(*css('[data-testid="capture-screen"]')).is_enabled())


def test_unsaved_details_stop_the_seal_until_saved(
    env, ready: Path, config: Path, store: Path, tmp_path: Path, driver
):
    wait = WebDriverWait(driver, 60, ignored_exceptions=[StaleElementReferenceException])
    case_id = start_record(driver, wait, "Messages at night")
    capture(driver, wait, 1)
    first = driver.find_element(*css("#item-list li[data-item-id]"))
    first.find_element(*css('[data-testid="item-site"]')).send_keys("Facebook")
    first.find_element(*css('[data-testid="item-details-save"]')).click()
    wait.until(lambda d: "Where: Facebook" in d.find_element(*css("#item-list li[data-item-id]")).text)
    capture(driver, wait, 2)

    # Item 2: where and who from typed, "Save details" never pressed. The report's
    # account typed, "Save the report" never pressed.
    second = driver.find_elements(*css("#item-list li[data-item-id]"))[1]
    item_id = second.get_attribute("data-item-id")
    second.find_element(*css('[data-testid="item-site"]')).send_keys("WhatsApp")
    second.find_element(*css(f"#item-{item_id}-from_handle")).send_keys("@night_owl")
    driver.find_element(*css('[data-testid="tab-report"]')).click()
    wait.until(EC.visibility_of_element_located(css('[data-testid="r-description"]')))
    driver.find_element(*css('[data-testid="r-description"]')).send_keys("They message me after midnight.")
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    name = items[1]["original_name"]
    assert items[1]["site"] is None and items[1]["from"]["handle"] is None
    before = cli(env, store, "log", "--case", case_id, "--json")

    # Seal: it stops, next to the button, and names what is not saved.
    usb = tmp_path / "usb"
    driver.find_element(*css('[data-testid="tab-seal"]')).click()
    folder = wait.until(EC.visibility_of_element_located(css('[data-testid="s-folder"]')))
    folder.clear()
    folder.send_keys(str(usb))
    driver.find_element(*css('[data-testid="s-pass"]')).send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="seal-button"]')).click()
    wait.until(
        lambda d: d.find_element(*css('[data-testid="sealed"]')).is_displayed()
        or any(b.is_displayed() for b in d.find_elements(*css('[data-testid="seal-unsaved"]')))
    )
    written = sorted(p.name for p in usb.iterdir()) if usb.exists() else []
    assert not driver.find_element(*css('[data-testid="sealed"]')).is_displayed(), (
        f"Seal went ahead with details not saved: {written} written"
    )
    box = driver.find_element(*css('[data-testid="seal-unsaved"]'))
    print(f"message: {box.text}")
    assert "You have details you have not saved yet" in box.text
    lines = [li.text for li in box.find_elements(*css('[data-testid="seal-unsaved-list"] li'))]
    assert lines == [f"Item 2 ({name}): where you saw it, who sent it", "The report: what happened"], lines
    # Beside the Seal button and wholly on the screen, not at the top of a long page.
    place = driver.execute_script(
        "const b = arguments[0].getBoundingClientRect(), s = arguments[1].getBoundingClientRect();"
        "return [b.top, b.bottom, innerHeight, b.top - s.bottom];",
        box, driver.find_element(*css('[data-testid="seal-button"]')),
    )
    top, bottom, height, gap = place
    assert 0 <= top and bottom <= height, f"the message is off-screen: {place}"
    assert 0 <= gap <= 40, f"the message is not beside the Seal button: {place}"
    assert not driver.find_element(*css('[data-testid="error-summary"]')).is_displayed()
    shoot(env, driver, "seal-unsaved")

    # Nothing was sealed or saved: no bundle, no custody entry, the record still open.
    assert not usb.exists() or list(usb.iterdir()) == []
    assert cli(env, store, "log", "--case", case_id, "--json") == before
    [listed] = json.loads(cli(env, store, "case", "list", "--json"))
    assert listed["state"] == "open"

    # "Save them and seal": saved, then sealed.
    box.find_element(*css('[data-testid="seal-unsaved-save"]')).click()
    wait.until(EC.visibility_of_element_located(css('[data-testid="sealed"]')))
    assert not driver.find_element(*css('[data-testid="seal-unsaved"]')).is_displayed()
    bundle = usb / driver.find_element(*css('[data-testid="sealed-name"]')).text
    assert bundle.is_file(), bundle
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert items[1]["site"] == "WhatsApp" and items[1]["from"]["handle"] == "@night_owl"
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
