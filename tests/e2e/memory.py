"""The peak memory of the app under test and of its page: found by the store path in the
app's command line (other apps may run on the same machine), and its WebKit processes as
its children."""

from pathlib import Path


def _peak_kib(pid: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def peaks_mib(store: Path) -> tuple[float, float]:
    """(app, page): the peak resident memory (VmHWM) of the app running on `store`, and
    the largest of its WebKit web processes', in MiB."""
    procs = {}
    for pid in filter(str.isdigit, (p.name for p in Path("/proc").iterdir())):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            ppid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            procs[pid] = (cmd, comm, ppid)
        except OSError:
            continue
    apps = [pid for pid, (cmd, comm, _) in procs.items()
            if comm.startswith("evidence-kit-de") and str(store).encode() in cmd]
    assert len(apps) == 1, f"not one app on {store}: {apps}"
    [app] = apps
    pages = [pid for pid, (_, comm, ppid) in procs.items()
             if ppid == app and comm.startswith("WebKitWebProces")]
    assert pages, "the app has no web process"
    return _peak_kib(app) / 1024, max(_peak_kib(p) for p in pages) / 1024
