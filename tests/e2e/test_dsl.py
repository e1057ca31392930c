"""The designated person's side in the real window: switch to it, make their keys,
open a bundle a member of staff sealed to them, see the verdict, trust the staff key,
read the items (an item named like HTML shows as text), set a status, print the form,
acknowledge receipt; then the staff member's app shows the record as received. And the
bad cases: a changed bundle names the file, an unknown key says so, a bundle encrypted
to someone else says so, the passphrase is asked for; a bundle opened from the file
manager opens the app on it."""

import csv
import hashlib
import json
import re
import subprocess
import zipfile
from pathlib import Path

from selenium.common.exceptions import NoSuchFrameException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from axe import serious_violations
from conftest import launch
from selenium.webdriver.common.keys import Keys
from flow import css, drop_files, drops_seen, invoke, shoot, watch_drops

PASSPHRASE = "correct horse battery"
XSS_NAME = "<img src=x onerror=window.xssed=1>.txt"


def ek(env, store: Path, config: Path, *args: str) -> str:
    out = subprocess.run(
        [str(env.cli), "--store", str(store), "--config", str(config), *args],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def waiter(driver) -> WebDriverWait:
    # A poll that lands while the page reloads (the mode switch reloads it) is refused
    # with NoSuchFrameException ("Callback was not called before the unload event"):
    # polled again, on the new page.
    return WebDriverWait(
        driver, 60, ignored_exceptions=[StaleElementReferenceException, NoSuchFrameException]
    )


def staff_case(env, tmp_path: Path) -> tuple[Path, Path, str]:
    """A member of staff with a signing key and a record holding a picture and a file
    whose name is HTML: (store, keys folder, case reference)."""
    store, cfg = tmp_path / "staff-store", tmp_path / "staff-cfg"
    ek(env, store, cfg, "keys", "new", "--name", "A. Teacher", "--no-passphrase")
    case = ek(env, store, cfg, "case", "new", "--title", "Posts about me",
              "--staff", "A. Teacher").strip()
    picture = tmp_path / "post.png"
    subprocess.run(["convert", "-size", "320x200", "gradient:#c0392b-#2980b9", f"PNG24:{picture}"],
                   check=True, capture_output=True)
    ek(env, store, cfg, "capture", "file", "--case", case, str(picture), "--site", "Instagram",
       "--from", "@Bully_99", "--note", "<script>window.xssed=2</script> posted at night")
    odd = tmp_path / XSS_NAME
    odd.write_text("a message\n")
    ek(env, store, cfg, "capture", "file", "--case", case, str(odd), "--site", "<b>Facebook</b>")
    return store, cfg, case


def upload(driver, path: Path) -> None:
    """Choose a file with the window's own "Open a bundle" input."""
    driver.file_detector = UselessFileDetector()
    field = driver.find_element(*css('[data-testid="dsl-input"]'))
    driver.execute_script("arguments[0].hidden = false;", field)
    field.send_keys(str(path))


def outcome(driver, pattern: str) -> re.Match:
    """Wait until `dsl-done` matches `pattern`; fail at once with the error summary's
    text if a problem is shown instead."""
    def look(d):
        summary = d.find_element(*css('[data-testid="error-summary"]'))
        assert not summary.is_displayed(), summary.text
        return re.search(pattern, d.find_element(*css('[data-testid="dsl-done"]')).text)
    return waiter(driver).until(look)


def verdict(driver) -> str:
    return driver.find_element(*css('[data-testid="dsl-verdict"]')).text


def to_dsl_mode(driver, wait) -> None:
    driver.execute_script("window.__before_switch = 1")
    wait.until(EC.element_to_be_clickable(css('[data-testid="mode-switch"]'))).click()
    # The page reloads into the designated person's screens: wait for the new page first.
    wait.until(lambda d: d.execute_script("return window.__before_switch === undefined"))
    wait.until(EC.visibility_of_element_located(css('[data-testid="dsl"]')))


def test_open_trust_read_register_print_and_acknowledge(env, store: Path, config: Path,
                                                        tmp_path: Path, driver):
    wait = waiter(driver)
    staff_store, staff_cfg, case = staff_case(env, tmp_path)

    # Switch to the designated person's screens; make their keys.
    to_dsl_mode(driver, wait)
    driver.find_element(*css('[data-testid="dsl-name"]')).send_keys("Mrs D. Lead")
    driver.find_element(*css('[data-testid="dsl-pass"]')).send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="dsl-pass2"]')).send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="dsl-setup-submit"]')).click()
    share = wait.until(EC.visibility_of_element_located(css('[data-testid="dsl-share"]'))).text
    recipient = re.search(r"age1[0-9a-z]+", share).group(0)
    assert (config / "identity.age").read_bytes().startswith(b"age-encryption.org/v1"), \
        "the designated person's key is kept behind their passphrase"
    folder = driver.find_element(*css('[data-testid="dsl-folder"]'))
    folder.clear()
    folder.send_keys(str(tmp_path / "out"))
    shoot(env, driver, "dsl-keys")

    # The member of staff seals to them.
    ek(env, staff_store, staff_cfg, "keys", "add-recipient", "--name", "Mrs D. Lead", recipient)
    bundle = tmp_path / "sealed.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", "Mrs D. Lead", "--out", str(bundle))
    assert bundle.is_file()

    # First bundle from this key: intact, but the key is new: compare, then trust.
    upload(driver, bundle)
    wait.until(lambda d: "a key you have not seen before" in verdict(d))
    staff_fp = (staff_cfg / "signing.pub").read_text().splitlines()[0].rsplit("(", 1)[1].rstrip(")")
    trust = driver.find_element(*css('[data-testid="dsl-trust"]'))
    assert trust.is_displayed()
    assert driver.find_element(*css('[data-testid="dsl-trust-fp"]')).text == staff_fp
    shoot(env, driver, "dsl-trust")
    driver.find_element(*css('[data-testid="dsl-trust-button"]')).click()
    wait.until(lambda d: verdict(d).startswith("Intact, sealed by A. Teacher"))
    assert f"(key {staff_fp})" in verdict(driver)
    assert driver.find_element(*css('[data-testid="dsl-verdict"]')).get_attribute("data-intact") == "true"
    assert not driver.find_element(*css('[data-testid="dsl-trust"]')).is_displayed()

    # The items: the HTML-like name and note are text, nothing ran; the picture blurred.
    # (The CSP would stop a script even if one were parsed, so what is checked is that the
    # text became text: shown literally, escaped in the markup, and no element made of it.)
    names = [e.text for e in driver.find_elements(*css('[data-testid="dsl-item-name"]'))]
    assert XSS_NAME in names, names
    odd = driver.execute_script(
        "const h = Array.from(document.querySelectorAll('[data-testid=\"dsl-item-name\"]'))"
        "  .find((e) => e.textContent === arguments[0]);"
        "return h && [h.childElementCount, h.innerHTML];", XSS_NAME)
    assert odd == [0, XSS_NAME.replace("<", "&lt;").replace(">", "&gt;")], odd
    lines = driver.execute_script(
        "return Array.from(document.querySelectorAll('#dsl-items .item__details > *'))"
        "  .map((e) => [e.textContent, e.childElementCount]);")
    assert ["Note: <script>window.xssed=2</script> posted at night", 0] in lines, lines
    assert ["Where: <b>Facebook</b>", 0] in lines, lines
    made = driver.execute_script(
        "return document.querySelectorAll('#dsl-items script, #dsl-items b, #dsl-items img[src=\"x\"]').length")
    assert made == 0, "an element was made from a name, note or site"
    thumb = wait.until(EC.presence_of_element_located(css("#dsl-items .thumb__img")))
    assert "thumb__img--hidden" in thumb.get_attribute("class")
    timeline = driver.find_element(*css('[data-testid="dsl-timeline"]')).text
    assert "A. Teacher" in timeline and "Posts about me" in timeline, timeline
    shoot(env, driver, "dsl-verdict")

    # The full-size view, blurred until shown.
    driver.find_element(*css('[data-testid="dsl-full"]')).click()
    viewer = wait.until(EC.visibility_of_element_located(css('[data-testid="viewer"]')))
    assert "viewer__img--hidden" in driver.find_element(*css('[data-testid="viewer-img"]')).get_attribute("class")
    img = viewer.find_element(*css('[data-testid="viewer-img"]'))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    assert driver.execute_script("return arguments[0].naturalWidth", img) == 320
    viewer.find_element(*css('[data-testid="viewer-close"]')).click()

    # Status with a dated note.
    Select(driver.find_element(*css('[data-testid="dsl-status"]'))).select_by_value("referred")
    driver.find_element(*css('[data-testid="dsl-note"]')).send_keys("Passed to the headteacher")
    driver.find_element(*css('[data-testid="dsl-status-save"]')).click()
    wait.until(lambda d: "Referred. Passed to the headteacher" in
               d.find_element(*css('[data-testid="dsl-history"]')).text)

    # Print: the form, the designated person's section filled from the register.
    driver.find_element(*css('[data-testid="dsl-print"]')).click()
    done = outcome(driver, r"saved as (\S+\.pdf)")
    pdf = Path(done.group(1))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "Intact" in text and "Mrs D. Lead" in text and "Passed to the headteacher" in text, text
    assert XSS_NAME in text

    # Acknowledge receipt.
    driver.find_element(*css('[data-testid="dsl-receipt-pass"]')).send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="dsl-receipt"]')).click()
    done = outcome(driver, r"receipt is saved as (\S+\.evidence-receipt)")
    receipt = Path(done.group(1))
    assert json.loads(receipt.read_text())["receipt"]["case"] == case

    # Accounts across cases, and the register as CSV.
    driver.find_element(*css('[data-testid="dsl-accounts-open"]')).click()
    rows = wait.until(lambda d: d.find_elements(*css('[data-testid="dsl-account"]')))
    assert any("@Bully_99" in r.text and case in r.text for r in rows), [r.text for r in rows]
    shoot(env, driver, "dsl-accounts")
    driver.find_element(*css('[data-testid="dsl-csv"]')).click()
    wait.until(lambda d: "register is saved as" in d.find_element(By.ID, "status").text)
    with open(tmp_path / "out" / "register.csv", newline="") as f:
        register = list(csv.DictReader(f))
    assert len(register) == 1 and register[0]["case"] == case and register[0]["verdict"] == "intact"
    driver.quit()

    # The member of staff: paste the designated person's shared keys, open the receipt.
    staff = launch(env, staff_store, staff_cfg)
    try:
        wait = waiter(staff)
        wait.until(EC.visibility_of_element_located(css('[data-testid="setup"]')))
        staff.find_element(*css('[data-testid="d-name"]')).send_keys("Mrs D. Lead")
        staff.find_element(*css('[data-testid="d-key"]')).send_keys(share)
        staff.find_element(*css('[data-testid="d-add"]')).click()

        def added(d):
            summary = d.find_element(*css('[data-testid="error-summary"]'))
            assert not summary.is_displayed(), summary.text
            return "Mrs D. Lead is added" in d.find_element(By.ID, "status").text
        wait.until(added)
        assert (staff_cfg / "receipt-keys").is_dir(), "their receipt key came with the pasted text"
        staff.find_element(*css('[data-testid="setup-close"]')).click()
        staff.file_detector = UselessFileDetector()
        field = staff.find_element(*css('[data-testid="receipt-input"]'))
        staff.execute_script("arguments[0].hidden = false;", field)
        field.send_keys(str(receipt))
        def received(d):
            summary = d.find_element(*css('[data-testid="error-summary"]'))
            assert not summary.is_displayed(), summary.text
            return "Received and verified by Mrs D. Lead on" in \
                d.find_element(*css('[data-testid="case-state"]')).text
        wait.until(received)
        shoot(env, staff, "staff-receipt")
    finally:
        staff.quit()


def tamper(bundle: Path, out: Path) -> str:
    """A copy of a plain bundle with one byte of its first payload file changed; returns
    that file's name."""
    with zipfile.ZipFile(bundle) as z:
        name = next(n for n in z.namelist() if n.startswith("data/"))
        info = z.getinfo(name)
    raw = bytearray(bundle.read_bytes())
    # The local header: 30 bytes, then the name and the extra field.
    start = info.header_offset
    n, m = int.from_bytes(raw[start + 26:start + 28], "little"), int.from_bytes(raw[start + 28:start + 30], "little")
    raw[start + 30 + n + m] ^= 0x01
    out.write_bytes(bytes(raw))
    return name


def test_changed_unknown_and_not_for_you_are_named(env, store: Path, config: Path, tmp_path: Path, driver):
    wait = waiter(driver)
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE + "\n")
    recipient = ek(env, store, config, "keys", "new-recipient", "--name", "Mrs D. Lead",
                   "--passphrase-file", str(pass_file)).strip()
    ek(env, store, config, "keys", "new", "--name", "Mrs D. Lead", "--passphrase-file", str(pass_file))
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    to_dsl_mode(driver, wait)
    # The page shows its keys once it has read them (`dsl_state`): only then does "Make
    # my keys" being hidden mean the keys made with the CLI were found (it is hidden in
    # the markup until then).
    wait.until(lambda d: recipient in d.find_element(*css('[data-testid="dsl-share"]')).text)
    assert not driver.find_element(*css('[data-testid="dsl-setup"]')).is_displayed()

    # The capture shortcut never copies what the designated person is looking at.
    import os
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+shift+e"], check=True,
                   env={**os.environ, "DISPLAY": env.display})
    wait.until(lambda d: "capture shortcut is off" in d.find_element(By.ID, "status").text)
    listed = subprocess.run([str(env.cli), "--store", str(store), "case", "list", "--json"],
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(listed) == [], listed

    # A plain bundle with one byte changed: red, naming the file.
    plain = tmp_path / "plain.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(plain))
    changed = tmp_path / "changed.evidence"
    name = tamper(plain, changed)
    upload(driver, changed)
    wait.until(lambda d: verdict(d).startswith("NOT intact"))
    assert name in verdict(driver) and "changed after sealing" in verdict(driver), verdict(driver)
    assert driver.find_element(*css('[data-testid="dsl-verdict"]')).get_attribute("data-intact") == "false"
    assert not driver.find_element(*css('[data-testid="dsl-trust"]')).is_displayed()
    # Long hashes in the findings wrap: no sideways scrolling.
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shoot(env, driver, "dsl-changed")

    # Sealed by a key never seen: said so (and offered to compare and trust).
    other_store, other_cfg = tmp_path / "other-store", tmp_path / "other-cfg"
    ek(env, other_store, other_cfg, "keys", "new", "--name", "Someone Else", "--no-passphrase")
    ocase = ek(env, other_store, other_cfg, "case", "new", "--title", "Another",
               "--staff", "Someone Else").strip()
    msg = tmp_path / "m.txt"
    msg.write_text("hello")
    ek(env, other_store, other_cfg, "capture", "file", "--case", ocase, str(msg))
    unknown = tmp_path / "unknown.evidence"
    ek(env, other_store, other_cfg, "seal", "--case", ocase, "--out", str(unknown))
    upload(driver, unknown)
    wait.until(lambda d: "a key you have not seen before: Someone Else" in verdict(d))
    assert driver.find_element(*css('[data-testid="dsl-trust"]')).is_displayed()

    # Encrypted to them: the passphrase is asked for; a wrong one is refused.
    ours = tmp_path / "ours.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", recipient, "--out", str(ours))
    upload(driver, ours)
    unlock = wait.until(EC.visibility_of_element_located(css('[data-testid="dsl-unlock"]')))
    unlock.find_element(*css('[data-testid="dsl-unlock-pass"]')).send_keys("not the one")
    unlock.find_element(*css('[data-testid="dsl-unlock-submit"]')).click()
    wait.until(lambda d: "does not open your designated-person key" in
               d.find_element(*css('[data-testid="error-summary"]')).text)
    field = driver.find_element(*css('[data-testid="dsl-unlock-pass"]'))
    field.clear()
    field.send_keys(PASSPHRASE)
    driver.find_element(*css('[data-testid="dsl-unlock-submit"]')).click()
    wait.until(lambda d: verdict(d).startswith("Intact, sealed by A. Teacher"))
    # Encrypted to someone else (their passphrase given by now): said in a sentence.
    elsewhere = tmp_path / "elsewhere-cfg"
    other_recipient = ek(env, tmp_path / "x", elsewhere, "keys", "new-recipient", "--name", "Deputy",
                         "--no-passphrase").strip()
    not_ours = tmp_path / "deputy.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", other_recipient, "--out", str(not_ours))
    upload(driver, not_ours)
    summary = wait.until(EC.visibility_of_element_located(css('[data-testid="error-summary"]')))
    assert "encrypted to someone else" in summary.text, summary.text

    assert len(driver.find_elements(*css("#inbox-list button[data-sha]"))) == 3


def test_a_bundle_opened_from_the_file_manager_opens_the_app_on_it(env, tmp_path: Path, behind):
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    store, config = tmp_path / "dsl-store", tmp_path / "dsl-cfg"
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    bundle = tmp_path / "given.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(bundle))
    d = launch(env, store, config, str(bundle))
    try:
        wait = waiter(d)
        wait.until(lambda x: verdict(x).startswith("Intact, sealed by A. Teacher"))
        assert case in d.find_element(*css('[data-testid="dsl-facts"]')).text

        # A small window, then text at 200 %: nothing runs off the side; axe still clean.
        d.set_window_size(1280, 720)
        wide = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        assert d.execute_script(wide)
        d.execute_script("document.documentElement.style.fontSize = '200%'")
        assert d.execute_script(wide), "the designated person's screen scrolls sideways at 200 % text"
        assert not serious_violations(d)
        d.execute_script("document.documentElement.style.fontSize = ''")

        # Every control reached with Tab alone, each showing where the focus is.
        wanted = {"mode-switch", "dsl-open", "dsl-status", "dsl-note", "dsl-status-save", "dsl-print",
                  "dsl-receipt-pass", "dsl-receipt", "dsl-accounts-open", "dsl-csv", "dsl-folder"}
        reached = set()
        d.execute_script("document.activeElement && document.activeElement.blur()")
        for _ in range(120):
            d.switch_to.active_element.send_keys(Keys.TAB)
            testid, visible = d.execute_script(
                "const e = document.activeElement; const s = getComputedStyle(e);"
                "return [e.getAttribute('data-testid') || e.id,"
                " s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];")
            if testid in wanted:
                reached.add(testid)
                assert visible, f"{testid} shows no focus"
            if reached == wanted:
                break
        assert reached == wanted, f"not reachable by Tab: {sorted(wanted - reached)}"
    finally:
        d.quit()


def test_a_bundle_dropped_from_a_file_manager_opens(env, tmp_path: Path, behind):
    """A bundle dragged from a file manager (a real XDND drag offering `text/uri-list`)
    and dropped on "Drop a bundle here" is kept in the register and opened: its verdict
    and facts are shown, and the register holds it byte for byte. Nothing dropped here is
    kept as evidence: the second file of the drop cannot be captured."""
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    store, config = tmp_path / "dsl-store", tmp_path / "dsl-cfg"
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    bundle = tmp_path / "dropped.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(bundle))
    other = tmp_path / "screenshot.png"
    other.write_bytes(b"a picture on the designated person's screen")
    d = launch(env, store, config)
    try:
        wait = waiter(d)
        to_dsl_mode(d, wait)
        watch_drops(d)
        said = drop_files(env, d, d.find_element(*css('[data-testid="dsl-drop"]')), [bundle, other])
        assert "sent" in said, f"the app never asked the drag source for the bundle: {said}"
        wait.until(lambda x: verdict(x).startswith("Intact, sealed by A. Teacher"),
                   "the dropped bundle was not opened")
        assert case in d.find_element(*css('[data-testid="dsl-facts"]')).text
        sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
        [kept] = list((store / "bundles" / sha).iterdir())
        assert kept.name == bundle.name and kept.read_bytes() == bundle.read_bytes()
        assert len(d.find_elements(*css("#inbox-list button[data-sha]"))) == 1
        [told] = drops_seen(d)
        refused = invoke(d, "capture_drop", {"caseId": case, "token": told["files"][1]["token"]})
        assert refused.get("err", {}).get("code") == "drop_in_dsl", refused
        captured = [p for p in (store / "objects").rglob("*") if p.is_file()]
        assert captured == [], "something was captured in the designated person's screens"
    finally:
        d.quit()
