"""First run to a sealed file in the real window, page by page as a person walks it:
"Who are you?", About you (with the school's name), Your key (a short passphrase refused
in a sentence), Your designated person (their text pasted, their fingerprint compared),
home, a new record, a screenshot described on its own page, an e-mail and a picture added
as files (the picture withdrawn), Details, the report's two pages, Check, Seal (a wrong
passphrase refused) and "Your record is sealed". Then: the file is where the page says,
its SHA-256 is the one shown (sha256sum); "Print the form" opens a PDF in the system's
viewer (made in a private folder, never beside the sealed file) that names the school and
lists every item by its hash; "I have given it to them" is recorded; and the designated
person checks the file with `evidence-kit verify`, `age -d`, `bagit.py --validate` and
`minisign -V`."""

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from flow import (save_in, PASSPHRASE, choose_files, cli, click, current_case, fill, go, items_listed,
                  on_page, pdf_text, printed_pdf, problem, shoot, tid, text_of, title,
                  until_done, until_problem, waiter)

SCHOOL = "St Ffraid's Church in Wales Primary"


def test_headline_first_run_to_a_sealed_file_and_its_form(env, store: Path, config: Path, tmp_path: Path,
                                                          printed: Path, driver):
    wait = waiter(driver, 60)

    # The designated person made their key and sent the text Evidence Kit gave them.
    dsl = tmp_path / "dsl"
    made = subprocess.run(
        [str(env.cli), "--config", str(dsl), "keys", "new-recipient", "--name", "Mrs D. Lead", "--no-passphrase"],
        capture_output=True, text=True, check=True,
    )
    recipient = made.stdout.strip()
    assert recipient.startswith("age1")
    dsl_fp = made.stderr.split("Fingerprint: ", 1)[1].splitlines()[0].strip()

    # First run: asked once who they are.
    on_page(driver, "Who are you?")
    shoot(env, driver, "01-who")
    click(driver, "who-staff")

    # About you, with the school's name (which goes on the form).
    on_page(driver, "About you")
    assert text_of(driver, "caption") == "Step 1 of 3"
    fill(driver, "p-name", "Siân Ŵyn")
    fill(driver, "p-role", "Year 4 teacher")
    fill(driver, "p-school", SCHOOL)
    fill(driver, "p-contact", "s.wyn@school.example")
    shoot(env, driver, "02-about-you")
    click(driver, "continue")

    # Your key: a short passphrase is refused in a sentence; a good one makes the key.
    on_page(driver, "Your key")
    # What the key is for, and the way back from a forgotten passphrase.
    said = driver.find_element(*tid("page")).text
    assert "forgotten" in said and "new key" in said, said
    shoot(env, driver, "03-key")
    fill(driver, "k-pass", "short")
    fill(driver, "k-pass2", "short")
    click(driver, "k-create")
    assert "at least 8 characters" in until_problem(driver)
    fill(driver, "k-pass", PASSPHRASE)
    fill(driver, "k-pass2", PASSPHRASE)
    click(driver, "k-create")
    on_page(driver, "Your designated safeguarding person")
    # The fingerprint said is the key's, as its .pub file names it.
    comment = (config / "signing.pub").read_text().splitlines()[0]
    fingerprint = comment.rsplit("(", 1)[1].rstrip(")")
    assert fingerprint in until_done(driver, "Your key is made.")

    # Their text, pasted with the words around it; then their fingerprint, compared.
    fill(driver, "d-name", "Mrs D. Lead")
    fill(driver, "d-key", f"My key: {recipient}\n")
    shoot(env, driver, "04-designated")
    click(driver, "d-add")
    on_page(driver, "Check Mrs D. Lead's fingerprint")
    assert text_of(driver, "d-fingerprint") == dsl_fp, (text_of(driver, "d-fingerprint"), dsl_fp)
    shoot(env, driver, "05-compare")
    click(driver, "fp-same")
    on_page(driver, "Your records")
    until_done(driver, "Mrs D. Lead is added.")
    shoot(env, driver, "06-home")
    settings = json.loads((config / "settings.json").read_text())
    assert settings["school"] == SCHOOL, settings

    # A new record: their name is known, so only what happened is asked.
    click(driver, "new-case")
    on_page(driver, "Start a new record")
    assert not driver.find_element(*tid("new-case-staff")).is_displayed()
    fill(driver, "new-case-title", "Posts about me")
    shoot(env, driver, "07-new-record")
    click(driver, "new-case-submit")
    on_page(driver, "Evidence")
    until_done(driver, "Record started.")
    case_id = current_case(driver)
    shoot(env, driver, "08-evidence-empty")

    # A screenshot: its own page follows, to describe it.
    click(driver, "capture-screen")
    wait.until(lambda d: title(d).startswith("1. Screenshot "), "no item's page after the capture")
    until_done(driver, "Screenshot kept as")
    assert driver.switch_to.active_element == driver.find_element(*tid("item-site"))
    shoot(env, driver, "09-item")
    fill(driver, "item-site", "Facebook")
    click(driver, "item-details-save")
    on_page(driver, "Evidence")
    until_done(driver, "saved")
    wait.until(lambda d: "Where: Facebook" in items_listed(d)[0].text)

    # An e-mail and a picture added as files; the picture then withdrawn with a reason.
    eml = tmp_path / "complaint.eml"
    eml.write_bytes(b"From: Someone <someone@example.com>\r\nSubject: You\r\n\r\nWe know.\r\n")
    png = tmp_path / "photo.png"
    subprocess.run(["convert", "-size", "32x32", "plasma:", f"PNG24:{png}"], check=True)
    choose_files(driver, [eml, png])
    until_done(driver, "2 files kept.")
    wait.until(lambda d: len(items_listed(d)) == 3)
    shoot(env, driver, "10-evidence")
    photo = items_listed(driver)[2]
    photo.find_element(*tid("item-describe")).click()
    on_page(driver, "3. photo.png")
    click(driver, "withdraw-open")
    on_page(driver, "Withdraw this item?")
    fill(driver, "withdraw-reason", "Not about me after all")
    click(driver, "withdraw-button")
    on_page(driver, "Evidence")
    until_done(driver, "is withdrawn")
    wait.until(lambda d: items_listed(d)[2].find_elements(*tid("item-withdrawn")))

    # Details, then the report's two pages.
    click(driver, "continue")
    on_page(driver, "Details of the evidence")
    shoot(env, driver, "11-details")
    click(driver, "continue")
    on_page(driver, "What happened")
    fill(driver, "r-description", "A parent posted about me.")
    click(driver, "r-responsible-parent")
    shoot(env, driver, "12-report-what")
    click(driver, "report-save")
    on_page(driver, "What has been done so far")
    assert "It is your choice" in driver.find_element(*tid("r-police")).text
    click(driver, "r-police-undecided")
    shoot(env, driver, "13-report-done")
    click(driver, "report-save")

    # Check: what goes in, who it is for (name and fingerprint), where it is saved.
    on_page(driver, "Check before you seal")
    until_done(driver, "Your answers are saved.")
    assert not driver.find_elements(*tid("seal-unsaved"))
    to = text_of(driver, "check-to")
    assert "Mrs D. Lead" in to and dsl_fp in to, to
    listed = text_of(driver, "check-items")
    assert "1 withdrawn" in listed and "(withdrawn)" in listed and "Facebook" in listed, listed
    assert "A parent posted about me." in text_of(driver, "check-report")
    out = tmp_path / "usb"
    assert "Evidence Kit" in save_in(driver, out)
    assert text_of(driver, "s-folder-shown") == str(out)
    shoot(env, driver, "14-check")
    click(driver, "check-continue")

    # Seal: a wrong passphrase is a sentence beside the field; the right one seals.
    on_page(driver, "Seal this record")
    shoot(env, driver, "15-seal")
    fill(driver, "s-pass", "not my passphrase")
    click(driver, "seal-button")
    assert "passphrase" in until_problem(driver, 60).lower()
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")
    on_page(driver, "Your record is sealed", 120)
    name = text_of(driver, "sealed-name")
    sha = driver.find_element(*tid("sealed-sha")).get_attribute("textContent")
    bundle = out / name
    assert name == f"{case_id}.evidence.age" and bundle.is_file(), name
    assert str(out) in text_of(driver, "sealed-path")
    summed = subprocess.run(["sha256sum", str(bundle)], capture_output=True, text=True, check=True)
    assert summed.stdout.split()[0] == sha
    page = driver.find_element(*tid("page")).text
    assert "Give the file to Mrs D. Lead" in page and "What happens next" in page, page
    shoot(env, driver, "16-sealed")

    # "Print the form": opened in the system's viewer, never left beside the sealed file.
    click(driver, "form-print")
    until_done(driver, "The form is open to print.", 60)
    pdf = printed_pdf(printed)
    assert pdf.name.startswith(case_id), pdf.name
    assert sorted(p.name for p in out.iterdir()) == [name], "something was left beside the sealed file"

    # "Show in folder": there is no file manager on this screen; whatever happens, it is
    # said in a plain sentence, never an error code.
    click(driver, "sealed-show")
    time.sleep(1)
    said = problem(driver)
    assert "os error" not in said and "panicked" not in said and (said == "" or said.rstrip().endswith(".")), said

    # "I have given it to them": recorded, and the home page says so.
    click(driver, "handed-over")
    until_done(driver, "Noted.")
    assert "you gave it to Mrs D. Lead" in text_of(driver, "handed-over-done")
    [listed] = json.loads(cli(env, store, "case", "list", "--json"))
    assert listed["state"] == "sent"
    go(driver, "")
    on_page(driver, "Your records")
    wait.until(lambda d: "Given to your designated person on" in text_of(d, "case-state"))

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
    subprocess.run(["age", "-d", "-i", str(dsl / "identity.age"), "-o", str(plain), str(bundle)], check=True)
    bag = tmp_path / "bag"
    with zipfile.ZipFile(plain) as z:
        z.extractall(bag)
    bagit = Path(sys.executable).with_name("bagit.py")
    subprocess.run([str(bagit), "--validate", str(bag)], check=True, capture_output=True)
    subprocess.run(
        ["minisign", "-Vm", str(bag / "tagmanifest-sha256.txt"), "-p", str(staff_pub)],
        check=True, capture_output=True,
    )

    # The form names the school and lists every item by its hash, the withdrawn one marked.
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    names = [i["original_name"] for i in items]
    assert names[0].startswith("Screenshot ") and names[0].endswith(".png") and names[1:] == \
        ["complaint.eml", "photo.png"], names
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert SCHOOL in flat, flat[:400]
    assert "Newport CE Junior School" not in text
    for i in items:
        assert i["sha256"] in text, i["original_name"]
    assert "Not about me after all" in flat and "WITHDRAWN" in flat
    assert "A parent posted about me." in flat
