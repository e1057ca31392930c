"""Add files through the window ("Add files": an e-mail, a PNG and a 20 MiB video, which
passes in parts) and paste a picture from the clipboard; the store keeps each one byte for
byte, hashed on arrival, and nothing of the parts is left behind."""

import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

from flow import (choose_files, cli, drop_files, drops_seen, go, invoke, items_listed, on_page, problem,
                  shoot, start_record, text_of, tid, title, until_done, until_problem, waiter,
                  watch_drops)
from memory import peaks_mib

EML = (
    b"From: Someone <someone@example.com>\r\nTo: staff@school.example\r\n"
    b"Subject: You\r\nDate: Tue, 24 Nov 2026 21:14:03 +0000\r\n\r\nWe know.\r\n"
)


def test_add_files_and_paste(env, store: Path, tmp_path: Path, driver):
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Messages")

    # "Add files": the e-mail and a picture, chosen together.
    eml = tmp_path / "complaint.eml"
    eml.write_bytes(EML)
    png = tmp_path / "Zoë's photo.png"
    subprocess.run(["convert", "-size", "64x48", "plasma:", f"PNG24:{png}"], check=True)
    video = tmp_path / "clip.mp4"
    video.write_bytes(os.urandom(20 * 1024 * 1024 + 3))
    choose_files(driver, [eml, png, video])
    until_done(driver, "3 files kept.", 60)
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    by_name = {i["original_name"]: i for i in items}
    assert by_name["complaint.eml"]["sha256"] == hashlib.sha256(EML).hexdigest()
    assert by_name["complaint.eml"]["media_type"] == "message/rfc822"
    assert by_name["complaint.eml"]["email"]["subject"] == "You"
    assert by_name["Zoë's photo.png"]["sha256"] == hashlib.sha256(png.read_bytes()).hexdigest()
    assert by_name["Zoë's photo.png"]["media_type"] == "image/png"
    assert by_name["clip.mp4"]["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert by_name["clip.mp4"]["size"] == video.stat().st_size
    assert list((store / "tmp").iterdir()) == [], "parts left behind"

    # "Paste": a picture copied to the clipboard (xclip holds it until it is read).
    copied = tmp_path / "copied.png"
    subprocess.run(["convert", "-size", "40x30", "xc:#2980b9", f"PNG24:{copied}"], check=True)
    holder = subprocess.Popen(
        ["xclip", "-selection", "clipboard", "-t", "image/png", "-i", str(copied)],
        env={**os.environ, "DISPLAY": env.display},
    )
    try:
        # Wait until xclip owns the clipboard and offers the picture.
        deadline = time.monotonic() + 10
        while True:
            targets = subprocess.run(
                ["xclip", "-o", "-selection", "clipboard", "-t", "TARGETS"],
                capture_output=True, text=True, env={**os.environ, "DISPLAY": env.display},
            )
            if "image/png" in targets.stdout:
                break
            assert time.monotonic() < deadline, "xclip did not take the clipboard"
            time.sleep(0.1)
        driver.find_element(*tid("paste")).click()
        # One item kept: its page follows, to describe it.
        until_done(driver, "Kept what you copied")
        assert title(driver).startswith("4. "), title(driver)
    finally:
        holder.terminate()
        holder.wait(5)
    items = json.loads(cli(env, store, "items", "--case", case_id, "--json"))
    assert len(items) == 4
    assert items[3]["source"] == "clipboard" and items[3]["media_type"] == "image/png"
    go(driver, f"record/{case_id}/evidence")
    on_page(driver, "Evidence")
    wait.until(lambda d: len(items_listed(d)) == 4)
    shoot(env, driver, "add-files")



def test_files_dropped_from_a_file_manager_are_kept(env, store: Path, tmp_path: Path, driver):
    """Files dragged from a file manager (a real XDND drag from a GTK drag source, offering
    `text/uri-list` as Files or Nautilus do) and dropped on "Add files" are each kept byte
    for byte, hashed as read, with nothing left in tmp/. A folder dropped with a file is
    refused in a sentence naming it, and the file is still kept. The page is given tokens,
    never paths, and each token keeps its file once."""
    wait = waiter(driver, 60)
    case_id = start_record(driver, wait, "Dropped")
    note = tmp_path / "Zoë's note.txt"
    note.write_bytes("seen at 21:14 — Zoë\n".encode())
    video = tmp_path / "clip.mp4"
    video.write_bytes(os.urandom(9 * 1024 * 1024 + 5))
    zone = driver.find_element(*tid("drop-zone"))
    watch_drops(driver)

    said = drop_files(env, driver, zone, [note, video])
    assert "sent" in said, f"the app never asked the drag source for the files: {said}"
    until_done(driver, "2 files kept.", 60)
    by_name = {i["original_name"]: i for i in json.loads(cli(env, store, "items", "--case", case_id, "--json"))}
    assert set(by_name) == {"Zoë's note.txt", "clip.mp4"}, by_name
    for path in (note, video):
        item = by_name[path.name]
        assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert item["size"] == path.stat().st_size
        obj = store / "objects" / "sha256" / item["sha256"][:2] / item["sha256"][2:]
        assert hashlib.sha256(obj.read_bytes()).hexdigest() == item["sha256"]
    assert list((store / "tmp").iterdir()) == [], "parts left behind"
    wait.until(lambda d: len(items_listed(d)) == 2)

    # The page was told names, sizes and tokens only; a token used (or made up) keeps nothing.
    [told] = drops_seen(driver)
    assert [(f["name"], f["size"]) for f in told["files"]] == \
        [(note.name, note.stat().st_size), (video.name, video.stat().st_size)], told
    assert str(tmp_path) not in json.dumps(told), "the page was given a path"
    for token in (told["files"][0]["token"], "0" * 32):
        again = invoke(driver, "capture_drop", {"caseId": case_id, "token": token})
        assert again.get("err", {}).get("code") == "unknown_drop", again
    assert len(json.loads(cli(env, store, "items", "--case", case_id, "--json"))) == 2

    # A folder among the files: named and refused; the file beside it is kept.
    folder = tmp_path / "Screenshots"
    folder.mkdir()
    (folder / "inside.png").write_bytes(b"not taken")
    third = tmp_path / "third.txt"
    third.write_bytes(b"the third file\n")
    drop_files(env, driver, driver.find_element(*tid("drop-zone")), [folder, third])
    summary = until_problem(driver, 60)
    assert "Screenshots" in summary and "folder" in summary, summary
    wait.until(lambda d: len(items_listed(d)) == 3, "the file dropped with a folder was not kept")
    names = [i["original_name"] for i in json.loads(cli(env, store, "items", "--case", case_id, "--json"))]
    assert sorted(names) == sorted(["clip.mp4", "third.txt", "Zoë's note.txt"]), names
    assert list((store / "tmp").iterdir()) == [], "left behind"


def test_a_reload_or_a_cancel_removes_what_was_arriving(env, store: Path, driver):
    """What the page was sending when it reloaded (`ui_ready`), or gave up (`upload_cancel`),
    is removed from the store's tmp/ at once, and can no longer be kept."""
    wait = waiter(driver)
    case_id = start_record(driver, wait, "Half sent")
    tmp = store / "tmp"

    def send_part() -> str:
        upload = invoke(driver, "upload_begin")["ok"]
        sent = invoke(driver, "upload_part", part=os.urandom(1 << 20), headers={"x-ek-upload": upload})
        assert sent == {"ok": 1 << 20}, sent
        [arriving] = list(tmp.iterdir())
        assert arriving.stat().st_size == 1 << 20
        return upload

    # A reload mid-way: the new page says it is ready, and what was arriving goes.
    upload = send_part()
    driver.refresh()
    on_page(driver, "Evidence")
    deadline = time.monotonic() + 10
    while list(tmp.iterdir()):
        assert time.monotonic() < deadline, f"left after the reload: {list(tmp.iterdir())}"
        time.sleep(0.1)
    kept = invoke(driver, "capture_upload", {"caseId": case_id, "upload": upload,
                                              "name": "half.mp4", "size": 2 << 20})
    assert kept.get("err", {}).get("code") == "bad_upload", kept

    # Given up: removed before the command returns.
    upload = send_part()
    assert invoke(driver, "upload_cancel", {"upload": upload}) == {"ok": None}
    assert list(tmp.iterdir()) == []
    assert json.loads(cli(env, store, "items", "--case", case_id, "--json")) == []


MIB = 1 << 20
BIG_MIB = 1024


def test_headline_a_large_file_is_never_held_whole_in_memory(env, store: Path, tmp_path: Path, driver):
    """A 1 GiB video through "Add files" on the real app passes in 8 MiB parts, byte for
    byte, and is never held whole: compared with their peaks after a 16 MiB file in the
    same session, the app's peak memory grows by less than 64 MiB and the page's by less
    than half the file. (The page's parts are garbage until WebKit collects them: its peak
    grew by 49, 112, 208, 241 and 196 MiB for 64 MiB, 256 MiB, 512 MiB, 1 GiB and 2 GiB
    files, so it levels off; the app's grew by 8 to 28 MiB.) The status says how far it has
    got in steps of 10 %."""
    wait = waiter(driver, 600)
    case_id = start_record(driver, wait, "Long video")

    def add(path: Path) -> list[str]:
        """Choose `path` on the Evidence page; return each line said while it passed,
        until its page follows (one file kept goes on to describing it)."""
        go(driver, f"record/{case_id}/evidence")
        on_page(driver, "Evidence")
        choose_files(driver, [path])
        shown = []
        while True:
            text = text_of(driver, "busy") or text_of(driver, "done")
            if text and (not shown or shown[-1] != text):
                shown.append(text)
            if title(driver).endswith(path.name):
                return shown
            assert not problem(driver), problem(driver)
            time.sleep(0.02)

    def write(path: Path, mib: int) -> str:
        digest = hashlib.sha256()
        with open(path, "wb") as f:
            block = os.urandom(MIB)
            for i in range(mib):
                chunk = block[:-4] + i.to_bytes(4, "little")
                digest.update(chunk)
                f.write(chunk)
        return digest.hexdigest()

    small, big = tmp_path / "short.mp4", tmp_path / "long.mp4"
    write(small, 16)
    add(small)
    app_before, page_before = peaks_mib(store)
    big_sha = write(big, BIG_MIB)
    shown = add(big)
    app_after, page_after = peaks_mib(store)
    print(f"\npeak memory: app {app_before:.0f} -> {app_after:.0f} MiB, "
          f"page {page_before:.0f} -> {page_after:.0f} MiB; status lines: {shown}")
    item = next(i for i in json.loads(cli(env, store, "items", "--case", case_id, "--json"))
                if i["original_name"] == "long.mp4")
    assert item["sha256"] == big_sha and item["size"] == BIG_MIB * MIB
    assert list((store / "tmp").iterdir()) == [], "parts left behind"
    # Holding the file whole would add 1 GiB to one of them.
    assert app_after - app_before < 64, f"the app's peak grew by {app_after - app_before:.0f} MiB"
    assert page_after - page_before < BIG_MIB / 2, \
        f"the page's peak grew by {page_after - page_before:.0f} MiB"
    steps = [int(m.group(1)) for t in shown if (m := re.search(r": (\d+) %…", t))]
    assert len(steps) >= 3 and all(s % 10 == 0 for s in steps) and steps == sorted(set(steps)), shown
