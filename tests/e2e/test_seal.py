"""First run to sealed bundle in the real window: details, a signing key behind a
passphrase, the designated person's key from pasted text; a record with a screenshot
and a report; sealed to that person with a progress bar; the form made. Then the
bundle is checked by the designated person with `evidence-kit verify`, `age -d`,
`bagit.py --validate` and `minisign -V`, and the form's text lists the item."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from flow import cli, css, shoot

PASSPHRASE = "correct horse battery"


def test_first_run_to_a_sealed_bundle_and_form(env, store: Path, config: Path, tmp_path: Path, driver):
    # The lists are redrawn after each change: an element found a moment earlier may be
    # gone by the time it is read, so look again.
    wait = WebDriverWait(driver, 60, ignored_exceptions=[StaleElementReferenceException])

    # The designated person made their key and sent the recipient line.
    dsl = tmp_path / "dsl"
    recipient = subprocess.run(
        [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert recipient.startswith("age1")

    # First run: the setup opens by itself.
    setup = wait.until(EC.visibility_of_element_located(css('[data-testid="setup"]')))
    assert "signing key" in setup.text
    driver.find_element(*css('[data-testid="p-name"]')).send_keys("Siân Ŵyn")
    driver.find_element(*css('[data-testid="p-role"]')).send_keys("Year 4 teacher")
    driver.find_element(*css('[data-testid="p-contact"]')).send_keys("s.wyn@school.example")
    driver.find_element(*css('[data-testid="p-save"]')).click()
    wait.until(lambda d: "Your details are saved" in d.find_element(By.ID, "status").text)

    # A short passphrase is refused in a sentence; a good one makes the key.
    driver.find_element(*css('[data-testid="k-pass"]')).send_keys("short")
    driver.find_element(*css('[data-testid="k-pass2"]')).send_keys("short")
    driver.find_element(*css('[data-testid="k-create"]')).click()
    summary = wait.until(EC.visibility_of_element_located(css('[data-testid="error-summary"]')))
    assert "at least 8 characters" in summary.text
    for f in ("k-pass", "k-pass2"):
        el = driver.find_element(*css(f'[data-testid="{f}"]'))
        el.clear()
        el.send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="k-create"]')).click()
    done = wait.until(EC.visibility_of_element_located(css('[data-testid="key-done"]')))
    # The fingerprint shown is the key's, as its .pub file names it.
    comment = (config / "signing.pub").read_text().splitlines()[0]
    fingerprint = comment.rsplit("(", 1)[1].rstrip(")")
    assert fingerprint in done.text, (fingerprint, done.text)

    # The designated person's key, pasted with the words around it.
    driver.find_element(*css('[data-testid="d-name"]')).send_keys("Mrs D. Lead")
    driver.find_element(*css('[data-testid="d-key"]')).send_keys(f"My key: {recipient}\n")
    driver.find_element(*css('[data-testid="d-add"]')).click()
    wait.until(lambda d: "Mrs D. Lead" in d.find_element(*css('[data-testid="dsl-list"]')).text)
    shoot(env, driver, "setup")
    driver.find_element(*css('[data-testid="setup-close"]')).click()

    # A record, its staff member filled from the profile; a screenshot; a report.
    assert driver.find_element(*css('[data-testid="new-case-staff"]')).get_attribute("value") == "Siân Ŵyn"
    driver.find_element(*css('[data-testid="new-case-title"]')).send_keys("Posts about me")
    driver.find_element(*css('[data-testid="new-case-submit"]')).click()
    wait.until(lambda d: d.find_element(By.ID, "case-title").text == "Posts about me")
    case_id = driver.find_element(*css("#case-list button[data-case-id]")).get_attribute("data-case-id")
    driver.find_element(*css('[data-testid="capture-screen"]')).click()
    wait.until(EC.presence_of_element_located(css("#item-list li[data-item-id]")))
    wait.until(lambda d: d.find_element(*css('[data-testid="capture-screen"]')).is_enabled())
    item = driver.find_element(*css("#item-list li[data-item-id]"))
    item.find_element(*css('[data-testid="item-site"]')).send_keys("Facebook")
    item.find_element(*css('[data-testid="item-details-save"]')).click()
    wait.until(lambda d: "Where: Facebook" in d.find_element(*css("#item-list li[data-item-id]")).text)

    # An e-mail and a picture added as files; the picture then withdrawn with a reason.
    eml = tmp_path / "complaint.eml"
    eml.write_bytes(b"From: Someone <someone@example.com>\r\nSubject: You\r\n\r\nWe know.\r\n")
    png = tmp_path / "photo.png"
    subprocess.run(["convert", "-size", "32x32", "plasma:", f"PNG24:{png}"], check=True)
    driver.file_detector = UselessFileDetector()
    picker = driver.find_element(*css('[data-testid="file-input"]'))
    driver.execute_script("arguments[0].hidden = false", picker)
    picker.send_keys(f"{eml}\n{png}")
    wait.until(lambda d: "2 files kept." in d.find_element(By.ID, "status").text)
    wait.until(lambda d: len(d.find_elements(*css("#item-list li[data-item-id]"))) == 3)
    photo = driver.find_element(*css('#item-list li[data-item-id="3"]'))
    photo.find_element(By.XPATH, ".//summary[normalize-space()='Withdraw']").click()
    photo.find_element(*css('[data-testid="withdraw-reason"]')).send_keys("Not about me after all")
    photo.find_element(*css('[data-testid="withdraw-button"]')).click()
    wait.until(
        lambda d: d.find_elements(*css('#item-list li[data-item-id="3"] [data-testid="item-withdrawn"]'))
    )
    driver.find_element(*css('[data-testid="tab-report"]')).click()
    driver.find_element(*css('[data-testid="r-description"]')).send_keys("A parent posted about me.")
    driver.find_element(*css('[data-testid="report-save"]')).click()
    wait.until(lambda d: "Report saved" in d.find_element(By.ID, "status").text)

    # Seal and send: a wrong passphrase is a sentence, the right one seals.
    out = tmp_path / "usb"
    driver.find_element(*css('[data-testid="tab-seal"]')).click()
    folder = wait.until(EC.visibility_of_element_located(css('[data-testid="s-folder"]')))
    assert "Evidence Kit" in folder.get_attribute("value")
    folder.clear()
    folder.send_keys(str(out))
    driver.find_element(*css('[data-testid="s-pass"]')).send_keys("not my passphrase")
    driver.find_element(*css('[data-testid="seal-button"]')).click()
    summary = wait.until(EC.visibility_of_element_located(css('[data-testid="error-summary"]')))
    assert "passphrase" in summary.text.lower()
    pw = driver.find_element(*css('[data-testid="s-pass"]'))
    pw.clear()
    pw.send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="seal-button"]')).click()
    sealed = wait.until(EC.visibility_of_element_located(css('[data-testid="sealed"]')))
    name = driver.find_element(*css('[data-testid="sealed-name"]')).text
    sha = driver.find_element(*css('[data-testid="sealed-sha"]')).text
    bundle = out / name
    assert name == f"{case_id}.evidence.age" and bundle.is_file(), name
    summed = subprocess.run(["sha256sum", str(bundle)], capture_output=True, text=True, check=True)
    assert summed.stdout.split()[0] == sha
    assert "give this file to your designated safeguarding person" in sealed.text
    driver.find_element(*css('[data-testid="form-button"]')).click()
    form_done = wait.until(EC.visibility_of_element_located(css('[data-testid="form-done"]')))
    pdf = out / f"{case_id}-form.pdf"
    assert str(pdf) in form_done.text and pdf.is_file()
    shoot(env, driver, "sealed")

    # The record's state: sealed, then given to the designated person.
    state = driver.find_element(*css('[data-testid="case-state"]'))
    assert state.text.startswith("Sealed on"), state.text
    driver.find_element(*css('[data-testid="handed-over"]')).click()
    wait.until(
        lambda d: d.find_element(*css('[data-testid="case-state"]')).text.startswith(
            "Given to your designated person on"
        )
    )
    [listed] = json.loads(cli(env, store, "case", "list", "--json"))
    assert listed["state"] == "sent"

    # The designated person checks it, with Evidence Kit and with stock tools.
    staff_pub = config / "signing.pub"
    verify = subprocess.run(
        [str(env.cli), "--config", str(dsl), "verify", str(bundle), "--trust", str(staff_pub)],
        capture_output=True, text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # Named by the key it was checked with, never by the name the bundle claims; the
    # key file names the same owner, so there is no note about a differing name.
    assert f"signed with the key in {staff_pub}" in verify.stdout, verify.stdout
    assert "note: It calls its signer" not in verify.stdout, verify.stdout
    plain = tmp_path / "plain.zip"
    subprocess.run(
        ["age", "-d", "-i", str(dsl / "identity.age"), "-o", str(plain), str(bundle)], check=True
    )
    bag = tmp_path / "bag"
    with zipfile.ZipFile(plain) as z:
        z.extractall(bag)
    bagit = Path(sys.executable).with_name("bagit.py")
    subprocess.run([str(bagit), "--validate", str(bag)], check=True, capture_output=True)
    subprocess.run(
        ["minisign", "-Vm", str(bag / "tagmanifest-sha256.txt"), "-p", str(staff_pub)],
        check=True, capture_output=True,
    )

    # The form lists every item by its hash, the withdrawn one marked.
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert [i["original_name"] for i in items] == ["screen-1.png", "complaint.eml", "photo.png"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for i in items:
        assert i["sha256"] in text, i["original_name"]
    flat = " ".join(text.split())
    assert "Not about me after all" in flat and "WITHDRAWN" in flat
    assert "A parent posted about me." in text
