"""The designated person's side in the real window, page by page: "Who are you?" → their
keys → "What to give staff"; a sealed file opened from "Sealed files received" → its page
(verdict first, the key to compare and trust, the evidence: an item named like HTML shows
as text), "Record what you have done" (referred, to the headteacher), "Print the form"
(opened in the system's viewer), a receipt, the accounts and the register as CSV; then the
staff member's app shows the record as received. And the bad cases: a changed file names
the file, an unknown key says so, an encrypted one asks for the passphrase on its own page,
one encrypted to someone else says what to do; a file opened from the file manager opens
the app on it; one dropped from a file manager opens."""

import csv
import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from axe import serious_violations
from conftest import launch
from flow import (FOCUSED, PASSPHRASE, choose_files, click, css, drop_files, drops_seen, fill, go, invoke,
                  on_page, pdf_text, printed_pdf, problem, shoot, text_of, tid, title, until_done,
                  until_problem, waiter, watch_drops)

XSS_NAME = "<img src=x onerror=window.xssed=1>.txt"


def ek(env, store: Path, config: Path, *args: str) -> str:
    out = subprocess.run(
        [str(env.cli), "--store", str(store), "--config", str(config), *args],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


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
    """Choose a sealed file with "Open a sealed file" on the home page."""
    go(driver, "dsl")
    on_page(driver, "Sealed files received")
    choose_files(driver, [path], "dsl-input")


def verdict(driver) -> str:
    """The verdict box's text (its title and findings), or ""."""
    return text_of(driver, "dsl-verdict")


def to_dsl_mode(driver) -> None:
    """Become the designated person: on the first run, "Who are you?"; later, the home
    page's "I am the designated person". The page reloads into their pages."""
    wait = waiter(driver, 60)
    wait.until(lambda d: title(d) != "")
    driver.execute_script("window.__before_switch = 1")
    if title(driver) == "Who are you?":
        click(driver, "who-dsl")
    else:
        click(driver, "mode-switch")
    wait.until(lambda d: d.execute_script("return window.__before_switch === undefined"))
    wait.until(lambda d: title(d) in ("Your keys", "Sealed files received"))


def test_open_trust_read_register_print_and_acknowledge(env, store: Path, config: Path,
                                                        tmp_path: Path, printed: Path, driver):
    wait = waiter(driver, 60)
    staff_store, staff_cfg, case = staff_case(env, tmp_path)

    # First run: "Who are you?" → the designated person; their keys.
    on_page(driver, "Who are you?")
    to_dsl_mode(driver)
    on_page(driver, "Your keys")
    fill(driver, "dsl-name", "Mrs D. Lead")
    fill(driver, "dsl-pass", PASSPHRASE)
    fill(driver, "dsl-pass2", PASSPHRASE)
    shoot(env, driver, "dsl-keys")
    click(driver, "dsl-setup-submit")
    on_page(driver, "What to give staff")
    share = wait.until(lambda d: d.find_element(*tid("dsl-share")).get_attribute("textContent") or False)
    recipient = re.search(r"age1[0-9a-z]+", share).group(0)
    assert (config / "identity.age").read_bytes().startswith(b"age-encryption.org/v1"), \
        "the designated person's key is kept behind their passphrase"
    shoot(env, driver, "dsl-share")

    # The member of staff seals to them.
    ek(env, staff_store, staff_cfg, "keys", "add-recipient", "--name", "Mrs D. Lead", recipient)
    bundle = tmp_path / "sealed.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", "Mrs D. Lead", "--out", str(bundle))
    assert bundle.is_file()

    # First file from this key: intact, but the key is new: compare, then trust.
    upload(driver, bundle)
    wait.until(lambda d: "a key you have not seen before" in verdict(d))
    staff_fp = (staff_cfg / "signing.pub").read_text().splitlines()[0].rsplit("(", 1)[1].rstrip(")")
    assert driver.find_element(*tid("dsl-trust")).is_displayed()
    assert text_of(driver, "dsl-trust-fp") == staff_fp
    # The verdict comes first, the key next, then the evidence, then what to do.
    order = driver.execute_script(
        "return ['dsl-verdict', 'dsl-trust', 'dsl-items', 'dsl-status-open']"
        "  .map((t) => document.querySelector(`[data-testid=\"${t}\"]`).getBoundingClientRect().top);")
    assert order == sorted(order), order
    shoot(env, driver, "dsl-trust")
    click(driver, "dsl-trust-button")
    wait.until(lambda d: text_of(d, "dsl-verdict-title").startswith("Intact, sealed by A. Teacher"))
    assert f"(key {staff_fp})" in verdict(driver)
    assert driver.find_element(*tid("dsl-verdict")).get_attribute("data-intact") == "true"
    assert not driver.find_elements(*tid("dsl-trust"))

    # The items: the HTML-like name and note are text, nothing ran; the picture blurred.
    # (The CSP would stop a script even if one were parsed, so what is checked is that the
    # text became text: shown literally, escaped in the markup, and no element made of it.)
    names = [e.text for e in driver.find_elements(*tid("dsl-item-name"))]
    assert f"2. {XSS_NAME}" in names, names
    odd = driver.execute_script(
        "const h = Array.from(document.querySelectorAll('[data-testid=\"dsl-item-name\"]'))"
        "  .find((e) => e.textContent.endsWith(arguments[0]));"
        "return h && [h.childElementCount, h.innerHTML];", XSS_NAME)
    assert odd == [0, "2. " + XSS_NAME.replace("<", "&lt;").replace(">", "&gt;")], odd
    lines = driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=\"dsl-items\"] .item__line'))"
        "  .map((e) => [e.textContent, e.childElementCount]);")
    assert ["Note: <script>window.xssed=2</script> posted at night", 0] in lines, lines
    assert ["Where: <b>Facebook</b>", 0] in lines, lines
    made = driver.execute_script(
        "const l = document.querySelector('[data-testid=\"dsl-items\"]');"
        "return l.querySelectorAll('script, b, img[src=\"x\"]').length")
    assert made == 0, "an element was made from a name, note or site"
    assert driver.execute_script("return window.xssed") is None
    thumb = wait.until(EC.presence_of_element_located(css('[data-testid="dsl-items"] .thumb__img')))
    assert "thumb__img--hidden" in thumb.get_attribute("class")
    shoot(env, driver, "dsl-verdict")

    # The full-size view, blurred until shown.
    click(driver, "dsl-full")
    viewer = wait.until(EC.visibility_of_element_located(tid("viewer")))
    img = viewer.find_element(*tid("viewer-img"))
    assert "viewer__img--hidden" in img.get_attribute("class")
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    assert driver.execute_script("return arguments[0].naturalWidth", img) == 320
    click(driver, "viewer-close")
    wait.until(EC.invisibility_of_element_located(tid("viewer")))

    # What happened to it, step by step.
    click(driver, "dsl-log-open")
    on_page(driver, "What happened to it")
    timeline = text_of(driver, "dsl-timeline")
    assert "A. Teacher" in timeline and "Posts about me" in timeline, timeline
    click(driver, "back")
    on_page(driver, "Posts about me")

    # "Record what you have done": referred, to the headteacher, with a dated note.
    click(driver, "dsl-status-open")
    on_page(driver, "Record what you have done")
    click(driver, "dsl-status-referred")
    click(driver, "dsl-to-headteacher")
    fill(driver, "dsl-note", "Passed to the headteacher")
    shoot(env, driver, "dsl-status")
    click(driver, "dsl-status-save")
    on_page(driver, "Posts about me")
    until_done(driver, "is now referred.")
    click(driver, "dsl-status-open")
    on_page(driver, "Record what you have done")
    assert "Referred. Passed to the headteacher" in text_of(driver, "dsl-history")
    click(driver, "back")
    on_page(driver, "Posts about me")

    # "Print the form": opened in the system's viewer, the designated person's section
    # filled from the register.
    click(driver, "dsl-print")
    until_done(driver, "The form is open to print.", 60)
    text = " ".join(pdf_text(printed_pdf(printed)).split())
    assert "Intact" in text and "Mrs D. Lead" in text and "Passed to the headteacher" in text, text
    assert XSS_NAME in text

    # A receipt for the member of staff.
    out = tmp_path / "out"
    click(driver, "dsl-receipt-open")
    on_page(driver, "A receipt for A. Teacher")
    fill(driver, "dsl-folder", str(out))
    fill(driver, "dsl-receipt-pass", PASSPHRASE)
    shoot(env, driver, "dsl-receipt")
    click(driver, "dsl-receipt")
    said = until_done(driver, "The receipt is saved.", 60)
    receipt = Path(re.search(r"It is (\S+\.evidence-receipt)", said).group(1))
    assert json.loads(receipt.read_text())["receipt"]["case"] == case

    # Accounts across records, and the register as CSV.
    go(driver, "dsl")
    on_page(driver, "Sealed files received")
    [state] = [e.text for e in driver.find_elements(*tid("inbox-state"))]
    assert state.startswith("Intact") and "key not checked" not in state, state
    shoot(env, driver, "dsl-home")
    click(driver, "dsl-accounts-open")
    on_page(driver, "Accounts named in the records")
    rows = wait.until(lambda d: d.find_elements(*tid("dsl-account")))
    assert any("@Bully_99" in r.text and case in r.text for r in rows), [r.text for r in rows]
    assert driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    shoot(env, driver, "dsl-accounts")
    go(driver, "dsl/export")
    on_page(driver, "Export the register")
    fill(driver, "dsl-folder", str(out))
    click(driver, "dsl-csv")
    until_done(driver, "The register is saved.")
    with open(out / "register.csv", newline="") as f:
        register = list(csv.DictReader(f))
    assert len(register) == 1 and register[0]["case"] == case and register[0]["verdict"] == "intact"
    driver.quit()

    # The member of staff: add the designated person from their shared text, open the receipt.
    staff = launch(env, staff_store, staff_cfg)
    try:
        waiter(staff, 60).until(lambda d: title(d) != "")
        go(staff, "settings/designated")
        on_page(staff, "Your designated safeguarding person")
        fill(staff, "d-name", "Mrs D. Lead")
        fill(staff, "d-key", share)
        click(staff, "d-add")
        on_page(staff, "Check Mrs D. Lead's fingerprint")
        click(staff, "fp-same")
        until_done(staff, "Mrs D. Lead is added.")
        assert (staff_cfg / "receipt-keys").is_dir(), "their receipt key came with the pasted text"
        go(staff, "")
        on_page(staff, "Your records")
        choose_files(staff, [receipt], "receipt-input")
        until_done(staff, "Receipt recorded.")
        waiter(staff).until(lambda d: "Received and verified by Mrs D. Lead on" in text_of(d, "case-state"))
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
    wait = waiter(driver, 60)
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE + "\n")
    recipient = ek(env, store, config, "keys", "new-recipient", "--name", "Mrs D. Lead",
                   "--passphrase-file", str(pass_file)).strip()
    ek(env, store, config, "keys", "new", "--name", "Mrs D. Lead", "--passphrase-file", str(pass_file))
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    to_dsl_mode(driver)
    # Their keys, made with the CLI, are found: straight to the sealed files received.
    on_page(driver, "Sealed files received")

    # The capture shortcut never copies what the designated person is looking at.
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+shift+e"], check=True,
                   env={**os.environ, "DISPLAY": env.display})
    until_done(driver, "capture shortcut is off")
    listed = subprocess.run([str(env.cli), "--store", str(store), "case", "list", "--json"],
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(listed) == [], listed

    # A plain file with one byte changed: red, naming the file.
    plain = tmp_path / "plain.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(plain))
    changed = tmp_path / "changed.evidence"
    name = tamper(plain, changed)
    upload(driver, changed)
    wait.until(lambda d: text_of(d, "dsl-verdict-title").startswith("NOT intact"))
    assert name in verdict(driver) and "changed after sealing" in verdict(driver), verdict(driver)
    assert driver.find_element(*tid("dsl-verdict")).get_attribute("data-intact") == "false"
    assert not driver.find_elements(*tid("dsl-trust"))
    # "Received and checked" never above a red verdict.
    assert "Received and checked" not in driver.find_element(*tid("page")).text
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
    assert driver.find_element(*tid("dsl-trust")).is_displayed()

    # Encrypted to them: the passphrase is asked for on its own page; a wrong one is
    # refused beside the field.
    ours = tmp_path / "ours.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", recipient, "--out", str(ours))
    upload(driver, ours)
    on_page(driver, "It is encrypted to you")
    shoot(env, driver, "dsl-unlock")
    fill(driver, "dsl-unlock-pass", "not the one")
    click(driver, "dsl-unlock-submit")
    assert "does not open your designated-person key" in until_problem(driver, 60)
    assert driver.find_elements(*css('#dsl-unlock-pass-field [data-testid="field-error"]')), \
        "the error is not beside the field"
    fill(driver, "dsl-unlock-pass", PASSPHRASE)
    click(driver, "dsl-unlock-submit")
    wait.until(lambda d: text_of(d, "dsl-verdict-title").startswith("Intact, sealed by A. Teacher"))
    # Encrypted to someone else (their passphrase given by now): said, with what to do.
    elsewhere = tmp_path / "elsewhere-cfg"
    other_recipient = ek(env, tmp_path / "x", elsewhere, "keys", "new-recipient", "--name", "Deputy",
                         "--no-passphrase").strip()
    not_ours = tmp_path / "deputy.evidence.age"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--to", other_recipient, "--out", str(not_ours))
    upload(driver, not_ours)
    summary = until_problem(driver, 60)
    assert "encrypted to someone else" in summary and "seal it again" in summary, summary

    # The list: each file its own entry, in one of the three states.
    go(driver, "dsl")
    on_page(driver, "Sealed files received")
    states = [e.get_attribute("data-state") for e in driver.find_elements(*tid("inbox-state"))]
    print(f"states: {states}")
    assert sorted(states) == ["intact", "intact_key_not_checked", "not_intact"], states
    shoot(env, driver, "dsl-list")


def test_a_bundle_opened_from_the_file_manager_opens_the_app_on_it(env, tmp_path: Path, behind):
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    store, config = tmp_path / "dsl-store", tmp_path / "dsl-cfg"
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    bundle = tmp_path / "given.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(bundle))
    d = launch(env, store, config, str(bundle))
    try:
        wait = waiter(d, 60)
        wait.until(lambda x: text_of(x, "dsl-verdict-title").startswith("Intact, sealed by A. Teacher"))
        # The record by its title and its member of staff; its reference under Technical details.
        assert title(d) == "Posts about me" and text_of(d, "caption") == "From A. Teacher"

        # A small window, then text at 200 %: nothing runs off the side; axe still clean.
        d.set_window_size(1280, 720)
        wide = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        assert d.execute_script(wide)
        d.execute_script("document.documentElement.style.fontSize = '200%'")
        assert d.execute_script(wide), "the designated person's page scrolls sideways at 200 % text"
        assert not serious_violations(d)
        d.execute_script("document.documentElement.style.fontSize = ''")

        # Every control reached with Tab alone, each showing where the focus is.
        wanted = {"dsl-mode-switch", "back", "dsl-status-open", "dsl-print", "dsl-receipt-open",
                  "dsl-log-open"}
        reached = set()
        d.execute_script("document.activeElement && document.activeElement.blur()")
        for _ in range(80):
            d.switch_to.active_element.send_keys(Keys.TAB)
            testid, visible = d.execute_script(FOCUSED)
            if testid in wanted:
                reached.add(testid)
                assert visible, f"{testid} shows no focus"
            if reached == wanted:
                break
        assert reached == wanted, f"not reachable by Tab: {sorted(wanted - reached)}"
    finally:
        d.quit()


def test_a_bundle_dropped_from_a_file_manager_opens(env, tmp_path: Path, behind):
    """A sealed file dragged from a file manager (a real XDND drag offering `text/uri-list`)
    and dropped on the home page is kept in the register and opened: its verdict and
    record are shown, and the register holds it byte for byte. Nothing dropped here is
    kept as evidence: the second file of the drop cannot be captured."""
    staff_store, staff_cfg, case = staff_case(env, tmp_path)
    store, config = tmp_path / "dsl-store", tmp_path / "dsl-cfg"
    ek(env, store, config, "keys", "trust", str(staff_cfg / "signing.pub"), "--name", "A. Teacher")
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE + "\n")
    ek(env, store, config, "keys", "new-recipient", "--name", "Mrs D. Lead", "--passphrase-file", str(pass_file))
    ek(env, store, config, "keys", "new", "--name", "Mrs D. Lead", "--passphrase-file", str(pass_file))
    bundle = tmp_path / "dropped.evidence"
    ek(env, staff_store, staff_cfg, "seal", "--case", case, "--out", str(bundle))
    other = tmp_path / "screenshot.png"
    other.write_bytes(b"a picture on the designated person's screen")
    d = launch(env, store, config)
    try:
        wait = waiter(d, 60)
        to_dsl_mode(d)
        on_page(d, "Sealed files received")
        watch_drops(d)
        said = drop_files(env, d, d.find_element(*tid("dsl-drop")), [bundle, other])
        assert "sent" in said, f"the app never asked the drag source for the file: {said}"
        wait.until(lambda x: text_of(x, "dsl-verdict-title").startswith("Intact, sealed by A. Teacher"),
                   "the dropped file was not opened")
        # The record by its title and its member of staff; its reference under Technical details.
        assert title(d) == "Posts about me" and text_of(d, "caption") == "From A. Teacher"
        sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
        [kept] = list((store / "bundles" / sha).iterdir())
        assert kept.name == bundle.name and kept.read_bytes() == bundle.read_bytes()
        [told] = drops_seen(d)
        refused = invoke(d, "capture_drop", {"caseId": case, "token": told["files"][1]["token"]})
        assert refused.get("err", {}).get("code") == "drop_in_dsl", refused
        captured = [p for p in (store / "objects").rglob("*") if p.is_file()]
        assert captured == [], "something was captured in the designated person's pages"
        go(d, "dsl")
        on_page(d, "Sealed files received")
        assert len(d.find_elements(*css('[data-testid="inbox-list"] li[data-sha]'))) == 1
    finally:
        d.quit()
