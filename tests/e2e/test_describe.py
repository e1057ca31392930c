"""After a capture: describe the item on its own page, see it full size (blurred), fill the
report's pages, use the indecent-image safeguard, withdraw the item with a reason, and
read the record's log, in the real window; then check with the CLI that the store holds
exactly that, each change in the custody log. And an item marked as a possible indecent
image: asked first, then none of its bytes are kept anywhere in the store."""

import json
import subprocess
from pathlib import Path

from selenium.webdriver.support import expected_conditions as EC

from flow import (capture_screen, choose_files, cli, click, current_case, fill, go, items_listed,
                  on_page, shoot, start_record, text_of, tid, title, until_done, waiter)


def test_describe_withdraw_report_log_and_safeguard(env, store: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Messages", staff="Siân Ŵyn")

    # Straight after the capture, its page is open with the cursor in "Where".
    capture_screen(driver)
    assert driver.switch_to.active_element == driver.find_element(*tid("item-site"))
    fill(driver, "item-site", "Facebook")
    fill(driver, "item-note", "In the class group")
    # When it was seen: a date and a time, in the app's local time zone (run.sh's).
    fill(driver, "item-seen", "24")
    fill(driver, "item-seen-month", "11")
    fill(driver, "item-seen-year", "2026")
    fill(driver, "item-seen-time", "21:05")
    shoot(env, driver, "describe")
    click(driver, "item-details-save")
    on_page(driver, "Evidence")
    until_done(driver, "saved")
    wait.until(lambda d: "Where: Facebook" in items_listed(d)[0].text)
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert record["site"] == "Facebook"
    assert record["note"] == "In the class group"
    # 21:05 in Asia/Kolkata (+05:30) is 15:35 UTC.
    assert record["seen"] and record["seen"].startswith("2026-11-24T15:35") and record["seen"].endswith("Z"), \
        record["seen"]
    # After saving, the list says where, who and when, in words.
    assert "24 Nov 2026" in items_listed(driver)[0].text, items_listed(driver)[0].text

    # Full size, blurred until the person chooses to look.
    wait.until(lambda d: items_listed(d)[0].find_elements(*tid("open-full")))
    items_listed(driver)[0].find_element(*tid("open-full")).click()
    viewer = wait.until(EC.visibility_of_element_located(tid("viewer")))
    img = viewer.find_element(*tid("viewer-img"))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)
    assert "viewer__img--hidden" in img.get_attribute("class")
    shoot(env, driver, "full-size")
    click(driver, "viewer-close")
    wait.until(EC.invisibility_of_element_located(tid("viewer")))

    # The report's pages, with the police question as the person's own choice.
    go(driver, f"record/{case_id}/report")
    on_page(driver, "What happened")
    fill(driver, "r-description", 'They wrote: "you\'ll regret this".')
    click(driver, "r-responsible-parent")
    click(driver, "report-save")
    on_page(driver, "What has been done so far")
    assert "It is your choice" in text_of(driver, "r-police")
    click(driver, "r-police-undecided")
    shoot(env, driver, "report")
    click(driver, "report-save")
    on_page(driver, "Check before you seal")
    shown = json.loads(cli(env, store, "case", "show", "--case", case_id, "--json"))
    assert shown["report"]["description"] == 'They wrote: "you\'ll regret this".'
    assert shown["report"]["responsible"] == "parent"
    assert shown["report"]["police"] == "undecided"

    # The safeguard, its own calm page: nothing is captured; a note is.
    go(driver, f"record/{case_id}/evidence")
    on_page(driver, "Evidence")
    click(driver, "iioc-open")
    on_page(driver, "What to do now")
    advice = text_of(driver, "iioc-advice")
    assert "999" in advice and "101" in advice, advice
    fill(driver, "iioc-site", "a group chat")
    shoot(env, driver, "safeguard")
    click(driver, "iioc-record")
    until_done(driver, "Nothing was captured.")
    shown = json.loads(cli(env, store, "case", "show", "--case", case_id, "--json"))
    assert shown["report"]["indecent_images"][0]["site"] == "a group chat"
    assert len(json.loads(cli(env, store, "items", "--case", case_id, "--json"))) == 1

    # Withdraw: asked on its own page; kept, marked, with the reason.
    click(driver, "iioc-close")
    on_page(driver, "Evidence")
    items_listed(driver)[0].find_element(*tid("item-describe")).click()
    wait.until(lambda d: title(d).startswith("1. "))
    click(driver, "withdraw-open")
    on_page(driver, "Withdraw this item?")
    fill(driver, "withdraw-reason", "Captured twice")
    click(driver, "withdraw-button")
    on_page(driver, "Evidence")
    wait.until(lambda d: "Captured twice" in items_listed(d)[0].text)
    assert items_listed(driver)[0].find_elements(*tid("item-withdrawn"))
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert record["withdrawn"]["reason"] == "Captured twice"

    # The record's log, in plain words, in order: no JSON, no raw field names.
    click(driver, "log-open")
    on_page(driver, "What has happened to this record")
    text = text_of(driver, "log-list")
    print(f"log:\n{text}")
    order = [text.find(w) for w in ["Messages", "Facebook", "indecent image", "Captured twice"]]
    assert -1 not in order and order == sorted(order), (order, text)
    assert "Siân Ŵyn" in text
    for raw in ("{", "from_handle", "media_type"):
        assert raw not in text, (raw, text)
    shoot(env, driver, "log")

    # The store agrees with itself.
    check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_marking_an_item_as_an_indecent_image_keeps_none_of_its_bytes(env, store: Path, tmp_path: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Something I saw")
    marker = b"BYTES-THAT-MUST-NEVER-BE-KEPT-" * 64
    found = tmp_path / "found.png"
    found.write_bytes(b"\x89PNG\r\n\x1a\n" + marker)
    choose_files(driver, [found])
    on_page(driver, "1. found.png")
    # Asked first, on its own page; nothing is removed by the link alone.
    click(driver, "item-indecent")
    on_page(driver, "Remove it from Evidence Kit?")
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert record.get("removed") is None
    shoot(env, driver, "remove-ask")
    click(driver, "item-indecent-confirm")
    on_page(driver, "What to do now")
    until_done(driver, "removed")
    assert "999" in text_of(driver, "iioc-advice")
    assert current_case(driver) == case_id
    [record] = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert "indecent image" in record["removed"]["reason"]
    for f in store.rglob("*"):
        if f.is_file():
            assert marker[:60] not in f.read_bytes(), f"{f} still holds the bytes"
    check = subprocess.run([str(env.cli), "--store", str(store), "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    go(driver, f"record/{case_id}/evidence")
    on_page(driver, "Evidence")
    wait.until(lambda d: items_listed(d)[0].find_elements(*tid("item-removed")))
    shoot(env, driver, "removed")
