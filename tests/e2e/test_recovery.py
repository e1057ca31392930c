"""The ways back (issue 16, "Recovery"), in the real window on real keys folders:

- A forgotten passphrase: from the Seal page's "I have forgotten my passphrase", a new key
  with a new passphrase; the banner names the NEW fingerprint (signing.pub's) and says to
  tell the designated person; the old key's files are kept under the keys folder's
  retired/, byte for byte; a file sealed before still verifies with the CLI exactly as it
  did; sealing again takes the new passphrase (the old one is refused) and the new file
  verifies with the new signing.pub only.
- A designated person's key given again under their name, but different: the page names
  both fingerprints and nothing changes (recipients.json byte for byte) until "Replace
  their key"; then their fingerprint is compared, and what is sealed opens with the new
  key only (age -d). Removing them asks first; they are kept in retired/recipients.json,
  and Check says no designated person is added."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from flow import (PASSPHRASE, click, fill, go, keys_and_dsl, on_page, problem, save_in, shoot,
                  text_of, tid, title, until_done, until_problem, waiter)

NEW_PASSPHRASE = "purple kettle on the moor"


def ek(env, store: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(env.cli), "--store", str(store), "--config", str(config), *args],
                          capture_output=True, text=True)


def fingerprint_of(pub: Path) -> str:
    """The fingerprint a .pub file names in its comment ("… (74D0 71B5 845B CC8B)")."""
    return pub.read_text().splitlines()[0].rsplit("(", 1)[1].rstrip(")")


def record_with_a_file(env, store: Path, config: Path, tmp_path: Path, title_words: str) -> str:
    made = ek(env, store, config, "case", "new", "--title", title_words, "--staff", "A. Teacher")
    assert made.returncode == 0, made.stderr
    case = made.stdout.strip()
    note = tmp_path / f"{case}.txt"
    note.write_text(f"What was said ({title_words}).\n")
    kept = ek(env, store, config, "capture", "file", "--case", case, str(note), "--site", "WhatsApp")
    assert kept.returncode == 0, kept.stderr
    return case


@pytest.fixture
def sealed_once(env, store: Path, config: Path, tmp_path: Path) -> dict:
    """Before the app starts: a member of staff set up (key behind PASSPHRASE, Mrs D. Lead
    to seal to), one record sealed with the CLI long ago and checked by the designated
    person (the verify output kept), and a second record to seal today."""
    dsl = keys_and_dsl(env, config, tmp_path)
    first = record_with_a_file(env, store, config, tmp_path, "Messages last term")
    bundle = tmp_path / "earlier" / f"{first}.evidence.age"
    bundle.parent.mkdir()
    sealed = ek(env, store, config, "seal", "--case", first, "--to", "Mrs D. Lead", "--out", str(bundle),
                "--passphrase-file", str(tmp_path / "pass.txt"))
    assert sealed.returncode == 0, sealed.stderr
    old_pub = tmp_path / "old.pub"
    shutil.copy(config / "signing.pub", old_pub)
    verified = subprocess.run([str(env.cli), "--config", str(dsl), "verify", str(bundle), "--trust", str(old_pub)],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    second = record_with_a_file(env, store, config, tmp_path, "Posts this week")
    return {"dsl": dsl, "bundle": bundle, "old_pub": old_pub, "verified": verified.stdout,
            "old_files": {f: (config / f).read_bytes() for f in ("signing.key", "signing.pub", "signing.json")},
            "case": second}


def to_seal(driver, case: str, folder: Path) -> None:
    """From the record's Check page, saved in `folder`, on to Seal."""
    go(driver, f"record/{case}/check")
    on_page(driver, "Check before you seal")
    save_in(driver, folder)
    click(driver, "check-continue")
    on_page(driver, "Seal this record")


def test_headline_recovery_a_forgotten_passphrase_makes_a_new_key_old_files_stay_valid(
    env, sealed_once: dict, store: Path, config: Path, tmp_path: Path, driver
):
    waiter(driver, 60).until(lambda d: title(d) != "")
    case, dsl = sealed_once["case"], sealed_once["dsl"]
    old_fp = fingerprint_of(sealed_once["old_pub"])

    # At Seal, the passphrase is gone from memory: the link beside it.
    out = tmp_path / "usb"
    to_seal(driver, case, out)
    click(driver, "forgotten")
    on_page(driver, "Make a new key")
    said = driver.find_element(*tid("page")).text
    assert "stays valid" in said and "Mrs D. Lead" in said, said
    shoot(env, driver, "recovery-new-key")
    # The two passphrases must agree; nothing changes until they do.
    fill(driver, "k-pass", NEW_PASSPHRASE)
    fill(driver, "k-pass2", NEW_PASSPHRASE + "x")
    click(driver, "k-replace")
    assert "not the same" in until_problem(driver)
    assert (config / "signing.pub").read_bytes() == sealed_once["old_files"]["signing.pub"]
    fill(driver, "k-pass", NEW_PASSPHRASE)
    fill(driver, "k-pass2", NEW_PASSPHRASE)
    click(driver, "k-replace")

    # Settings, with the NEW fingerprint and who to tell.
    on_page(driver, "Settings")
    new_pub = config / "signing.pub"
    new_fp = fingerprint_of(new_pub)
    assert new_fp != old_fp
    banner = until_done(driver, "Your new key is made.")
    assert new_fp in banner and old_fp not in banner, banner
    assert "Tell Mrs D. Lead" in banner, banner
    assert text_of(driver, "settings-key").endswith(new_fp), text_of(driver, "settings-key")
    # The same way back is in Settings, any time.
    assert driver.find_elements(*tid("forgotten"))
    shoot(env, driver, "recovery-new-key-made")

    # The old key's files are kept, never deleted: under retired/, byte for byte.
    retired = [d for d in (config / "retired").iterdir() if d.is_dir()]
    assert len(retired) == 1, retired
    for name, raw in sealed_once["old_files"].items():
        assert (retired[0] / name).read_bytes() == raw, f"retired/{retired[0].name}/{name} is not the old one"
    assert old_fp.replace(" ", "") in retired[0].name, retired[0].name

    # What was sealed before verifies exactly as it did, with the old key.
    again = subprocess.run(
        [str(env.cli), "--config", str(dsl), "verify", str(sealed_once["bundle"]), "--trust",
         str(sealed_once["old_pub"])], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == sealed_once["verified"], (again.stdout, sealed_once["verified"])

    # Sealing again: the old passphrase opens nothing now; the new one seals.
    to_seal(driver, case, out)
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")
    assert "passphrase" in until_problem(driver, 60).lower()
    assert not out.exists() or not any(out.iterdir()), "sealed with the old passphrase"
    fill(driver, "s-pass", NEW_PASSPHRASE)
    click(driver, "seal-button")
    on_page(driver, "Your record is sealed", 120)
    bundle = out / text_of(driver, "sealed-name")
    assert bundle.is_file(), bundle
    verify = subprocess.run(
        [str(env.cli), "--config", str(dsl), "verify", str(bundle), "--trust", str(new_pub)],
        capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"(key {new_fp})" in verify.stdout, verify.stdout
    # Signed by the new key, not the old one: the old .pub alone does not vouch for it.
    old_only = subprocess.run(
        [str(env.cli), "--config", str(dsl), "verify", str(bundle), "--trust", str(sealed_once["old_pub"])],
        capture_output=True, text=True)
    assert old_only.returncode != 0, old_only.stdout


@pytest.fixture
def one_record(env, store: Path, config: Path, tmp_path: Path) -> dict:
    """Before the app starts: a member of staff sealing to Mrs D. Lead (her first key),
    a record to seal, and the key Mrs D. Lead made on her new laptop."""
    dsl = keys_and_dsl(env, config, tmp_path)
    case = record_with_a_file(env, store, config, tmp_path, "Comments on a post")
    newer = tmp_path / "dsl-new"
    made = subprocess.run([str(env.cli), "--config", str(newer), "keys", "new-recipient", "--name", "Mrs D. Lead",
                           "--no-passphrase"], capture_output=True, text=True, check=True)
    return {"dsl": dsl, "case": case, "new_dsl": newer, "new_recipient": made.stdout.strip(),
            "new_fp": made.stderr.split("Fingerprint: ", 1)[1].splitlines()[0].strip()}


def test_replacing_a_designated_persons_key_asks_first_and_removing_one_asks_first(
    env, one_record: dict, store: Path, config: Path, tmp_path: Path, driver
):
    waiter(driver, 60).until(lambda d: title(d) != "")
    recipients = config / "recipients.json"
    before = recipients.read_bytes()
    [kept] = json.loads(before)

    # Settings → Add a designated person, the same name with a different key.
    go(driver, "settings")
    on_page(driver, "Settings")
    assert "Mrs D. Lead" in text_of(driver, "dsl-person")
    old_fp = driver.find_element(*tid("dsl-person", ".summary-list__value")).text.removeprefix("Fingerprint ")
    click(driver, "add-dsl")
    on_page(driver, "Your designated safeguarding person")
    fill(driver, "d-name", "Mrs D. Lead")
    fill(driver, "d-key", one_record["new_recipient"])
    click(driver, "d-add")
    said = until_problem(driver)
    assert "already have" in said and old_fp in said and one_record["new_fp"] in said, said
    assert old_fp != one_record["new_fp"]
    shoot(env, driver, "recovery-replace-ask")
    # Nothing has changed yet: not the file, not the page's title.
    assert recipients.read_bytes() == before, "recipients.json changed before Replace was pressed"
    assert not (config / "retired" / "recipients.json").exists()
    assert title(driver) == "Your designated safeguarding person"

    # "Replace their key": then their fingerprint, compared.
    click(driver, "d-replace")
    on_page(driver, "Check Mrs D. Lead's fingerprint")
    assert text_of(driver, "d-fingerprint") == one_record["new_fp"]
    click(driver, "fp-same")
    on_page(driver, "Settings")
    until_done(driver, "Mrs D. Lead is added.")
    assert one_record["new_fp"] in text_of(driver, "dsl-person")
    [now] = json.loads(recipients.read_bytes())
    assert now["name"] == "Mrs D. Lead" and now["recipient"] == one_record["new_recipient"], now
    [retired] = json.loads((config / "retired" / "recipients.json").read_text())
    assert retired["recipient"] == kept["recipient"] and retired["why"] == "replaced", retired

    # What is sealed now opens with her new key, never the old one.
    out = tmp_path / "usb"
    to_seal(driver, one_record["case"], out)
    assert "Mrs D. Lead" in driver.find_element(*tid("page")).text
    fill(driver, "s-pass", PASSPHRASE)
    click(driver, "seal-button")
    on_page(driver, "Your record is sealed", 120)
    bundle = out / text_of(driver, "sealed-name")
    opened = subprocess.run(["age", "-d", "-i", str(one_record["new_dsl"] / "identity.age"), "-o",
                             str(tmp_path / "new.zip"), str(bundle)], capture_output=True, text=True)
    assert opened.returncode == 0, opened.stderr
    old = subprocess.run(["age", "-d", "-i", str(one_record["dsl"] / "identity.age"), "-o",
                          str(tmp_path / "old.zip"), str(bundle)], capture_output=True, text=True)
    assert old.returncode != 0, "the old key still opens what was sealed after the replacement"

    # Settings → Change or remove her → "Remove Mrs D. Lead?" (nothing yet) → Remove.
    go(driver, "settings")
    on_page(driver, "Settings")
    driver.find_element(*tid("dsl-person", "a")).click()
    on_page(driver, "Remove Mrs D. Lead?")
    assert json.loads(recipients.read_bytes()) == [now], "removed before Remove was pressed"
    shoot(env, driver, "recovery-remove-ask")
    click(driver, "remove-dsl")
    on_page(driver, "Settings")
    until_done(driver, "Mrs D. Lead is removed.")
    assert not driver.find_elements(*tid("dsl-person"))
    assert json.loads(recipients.read_bytes()) == []
    gone = json.loads((config / "retired" / "recipients.json").read_text())
    assert [(r["recipient"], r["why"]) for r in gone] == \
        [(kept["recipient"], "replaced"), (one_record["new_recipient"], "removed")], gone

    # Check says so, and offers to add one.
    go(driver, f"record/{one_record['case']}/check")
    on_page(driver, "Check before you seal")
    assert "not added your designated safeguarding person" in text_of(driver, "no-dsl")
    assert driver.find_elements(*tid("add-dsl"))
    assert problem(driver) == ""
    shoot(env, driver, "recovery-check-no-dsl")
