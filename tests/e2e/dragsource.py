"""A small GTK 3 drag source, as a file manager is: a window titled "Drag source" at
(X, Y) whose button, dragged, offers the given files as `text/uri-list` (file:// URIs),
the way Files or Nautilus do over XDND.

    /usr/bin/python3 tests/e2e/dragsource.py X Y FILE…

Run with a Python that has PyGObject (`gi`, the system one: the tests' .venv may not).
Prints "ready" once the window is on screen, "sent" each time the target took the
files, and "finished" when a drag ends. The test drives the pointer with xdotool
(`xdisplay.drag_files`)."""

import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import GLib, Gdk, Gtk  # noqa: E402


def main() -> None:
    x, y, *paths = sys.argv[1:]
    uris = [GLib.filename_to_uri(p, None) for p in paths]
    window = Gtk.Window(title="Drag source")
    window.set_default_size(160, 90)
    window.move(int(x), int(y))
    window.set_keep_above(True)
    button = Gtk.Button(label=f"{len(uris)} files")
    button.drag_source_set(
        Gdk.ModifierType.BUTTON1_MASK,
        [Gtk.TargetEntry.new("text/uri-list", 0, 0)],
        Gdk.DragAction.COPY,
    )

    def data_get(_widget, _context, data, _info, _time):
        data.set_uris(uris)
        print("sent", flush=True)

    button.connect("drag-data-get", data_get)
    button.connect("drag-end", lambda *_: print("finished", flush=True))
    window.add(button)
    window.connect("destroy", Gtk.main_quit)

    def shown(*_):
        # Once mapped (and placed by the window manager), say so.
        GLib.timeout_add(300, lambda: print("ready", flush=True) and False)

    window.connect("map-event", shown)
    window.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
