"""E-mails kept as evidence are read as text on both sides (issue 16, "Evidence"): two
.eml files chosen with "Add files", one HTML-only and hostile (a <script>, an <img> with
onerror, a javascript: link, HTML in its Subject), one multipart with a text/plain part.
On each item's page: From, To, Date and Subject shown, the body as text (the text part
when there is one), no element made from the e-mail and nothing run; "Who did it come
from?" and the date fields filled from its From and Date, and nothing written to the
store until "Save details". Then the designated person opens the sealed file and "Read
the e-mail" shows the same text, again running nothing."""

import json
import subprocess
import time
from pathlib import Path

import pytest

from conftest import launch
from flow import (choose_files, cli, click, items_listed, keys_and_dsl, on_page, shoot, start_record,
                  text_of, tid, title, until_done, waiter)

HOSTILE = (
    "From: Sam Jones <sam@example.org>\r\n"
    "To: A Teacher <teacher@school.example>\r\n"
    "Date: Tue, 24 Nov 2026 21:04:00 +0530\r\n"
    'Subject: <img src=x onerror="window.pwned=4">Read this\r\n'
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><p>We know where you live.</p>"
    "<script>window.pwned=1</script>"
    '<img src=x onerror="window.pwned=2">'
    '<a href="javascript:window.pwned=3">click</a>'
    "</body></html>\r\n"
)

MULTIPART = (
    'From: "Parent Group" <group@example.net>\r\n'
    "To: teacher@school.example\r\n"
    "Date: Wed, 25 Nov 2026 08:15:00 +0000\r\n"
    "Subject: About the trip\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Plain words: see you at the gate.\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>HTML words <b>only</b></p>\r\n"
    "--b1--\r\n"
)

# Elements an e-mail could have made, had any of it been parsed as HTML.
MADE = "return document.querySelectorAll('script:not([src]), img[src=x], a[href^=javascript]').length"


def ran_nothing(driver) -> None:
    """No element made from the e-mail, and a second later nothing has run."""
    assert driver.execute_script(MADE) == 0, "an element was made from the e-mail"
    assert driver.execute_script("return document.querySelector('[data-testid=\"email-body\"]').childElementCount") == 0
    time.sleep(1)
    assert driver.execute_script("return window.pwned") is None, "something in the e-mail ran"


@pytest.fixture
def ready(env, config: Path, tmp_path: Path) -> Path:
    return keys_and_dsl(env, config, tmp_path)


def test_an_email_is_shown_as_text_prefills_who_and_when_and_a_hostile_one_runs_nothing(
    env, ready: Path, store: Path, config: Path, tmp_path: Path, driver
):
    wait = waiter(driver, 60)
    case_id = start_record(driver, wait, "E-mails to me")
    hostile, multipart = tmp_path / "hostile.eml", tmp_path / "trip.eml"
    hostile.write_bytes(HOSTILE.encode())
    multipart.write_bytes(MULTIPART.encode())
    choose_files(driver, [hostile, multipart])
    until_done(driver, "2 files kept.")
    wait.until(lambda d: len(items_listed(d)) == 2)
    kept = cli(env, store, "items", "--case", case_id, "--json")
    assert [i["media_type"] for i in json.loads(kept)] == ["message/rfc822"] * 2, kept

    wanted = [
        # (page, From, To, Date in words, Subject, body has, body has not, fields)
        ("1. hostile.eml", "Sam Jones <sam@example.org>", "A Teacher <teacher@school.example>",
         ("24 Nov 2026", "21:04"), '<img src=x onerror="window.pwned=4">Read this',
         ["We know where you live.", "click"], ["<script", "onerror", "window.pwned=1", "<img", "javascript:"],
         ("24", "11", "2026", "21:04")),
        ("2. trip.eml", "Parent Group <group@example.net>", "teacher@school.example",
         ("25 Nov 2026", "08:15"), "About the trip",
         ["Plain words: see you at the gate."], ["HTML words", "<p>"],
         # Sent at 08:15 UTC: 13:45 on this computer's clock (Asia/Kolkata), where a
         # time typed in these fields is read.
         ("25", "11", "2026", "13:45")),
    ]
    bodies = []
    for n, (page, sender, to, date, subject, has, has_not, fields) in enumerate(wanted):
        items_listed(driver)[n].find_element(*tid("item-describe")).click()
        on_page(driver, page)
        wait.until(lambda d: d.find_elements(*tid("email-body")))
        assert text_of(driver, "email-from").endswith(sender), text_of(driver, "email-from")
        assert text_of(driver, "email-subject").endswith(subject), text_of(driver, "email-subject")
        shown = text_of(driver, "email")
        assert to in shown and all(w in shown for w in date), shown
        body = text_of(driver, "email-body")
        for w in has:
            assert w in body, (w, body)
        for w in has_not:
            assert w not in body, (w, body)
        ran_nothing(driver)
        # Who and when, filled from the e-mail; the person only confirms.
        value = lambda t: driver.find_element(*tid(t)).get_attribute("value")  # noqa: E731
        assert value("item-from") == sender, value("item-from")
        typed = tuple(value(t) for t in ("item-seen", "item-seen-month", "item-seen-year", "item-seen-time"))
        assert typed == fields, typed
        shoot(env, driver, f"email-{n + 1}")
        # Nothing is written by looking: the store is as it was until "Save details".
        assert cli(env, store, "items", "--case", case_id, "--json") == kept, "written before Save details"
        click(driver, "item-details-save")
        on_page(driver, "Evidence")
        until_done(driver, "saved")
        kept = cli(env, store, "items", "--case", case_id, "--json")
        bodies.append(body)

    # Saved as shown: who from the From, when from the Date (21:04 at +05:30 is 15:34 UTC;
    # 08:15 UTC stays 08:15 UTC).
    items = json.loads(kept)
    assert [i["from"]["handle"] for i in items] == [w[1] for w in wanted], items
    assert items[0]["seen"].startswith("2026-11-24T15:34") and items[1]["seen"].startswith("2026-11-25T08:15"), \
        [i["seen"] for i in items]
    driver.quit()

    # Sealed to Mrs D. Lead; she opens it and reads each e-mail: the same text, nothing run.
    bundle = tmp_path / "emails.evidence.age"
    subprocess.run([str(env.cli), "--store", str(store), "--config", str(config), "seal", "--case", case_id,
                    "--to", "Mrs D. Lead", "--out", str(bundle), "--passphrase-file", str(tmp_path / "pass.txt")],
                   check=True, capture_output=True)
    dsl_store = tmp_path / "dsl-store"
    subprocess.run([str(env.cli), "--store", str(dsl_store), "--config", str(ready), "keys", "trust",
                    str(config / "signing.pub"), "--name", "A. Teacher"], check=True, capture_output=True)
    d = launch(env, dsl_store, ready, str(bundle))
    try:
        wait = waiter(d, 60)
        wait.until(lambda x: text_of(x, "dsl-verdict-title").startswith("Intact"), "the sealed file did not open")
        for n, (page, sender, to, date, subject, *_rest) in enumerate(wanted):
            wait.until(lambda x: len(x.find_elements(*tid("dsl-read-email"))) == 2)
            d.find_elements(*tid("dsl-item"))[n].find_element(*tid("dsl-read-email")).click()
            on_page(d, page.split(" ", 1)[1])
            wait.until(lambda x: x.find_elements(*tid("email-body")))
            assert text_of(d, "email-body") == bodies[n]
            shown = d.find_element(*tid("page")).text
            assert sender in shown and to in shown and subject in shown and all(w in shown for w in date), shown
            ran_nothing(d)
            shoot(env, d, f"dsl-email-{n + 1}")
            click(d, "back-to-bundle")
            wait.until(lambda x: title(x) == "E-mails to me")
    finally:
        d.quit()
