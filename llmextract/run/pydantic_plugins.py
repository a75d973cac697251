"""Spare the command pydantic's plugin search when no installed package offers a plugin.

The first pydantic model a process builds imports `pydantic.plugin._loader`, which imports
`importlib.metadata` (and with it email, zipfile, csv, socket, tempfile...: ~17 ms of CPU,
a tenth of a rules run's start-up; issue 16) to list the `pydantic` entry points of every
installed distribution. Almost no environment has one. Before any model is built, the
`llmextract` command looks for one the cheap way: it reads the `entry_points.txt` files
where `importlib.metadata` would find them. When there is none, pydantic's loader is given a
stand-in whose `get_plugins()` returns no plugin, which is what the real one would return;
any other name is taken from the real loader, imported then.

It never hides a plugin: an `entry_points.txt` that so much as mentions `pydantic]`, a path
entry it cannot read as a folder (a zip, an egg), an unusual metadata finder, or a loader
already imported leaves pydantic as it is. Only the command (`cli.run`) calls it; the Python
API leaves the importing program alone.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable
from typing import Any

__all__ = ["LOADER", "may_have_plugin", "spare_plugin_search"]

LOADER = "pydantic.plugin._loader"
_INFO_SUFFIXES = (".dist-info", ".egg-info")


def may_have_plugin(path_entries: Iterable[str]) -> bool:
    """True when a distribution on these path entries may declare a pydantic plugin.
    Conservative: what cannot be read as a folder of distributions counts as "may"."""
    for entry in path_entries:
        folder = entry or "."
        if folder.lower().endswith(".egg"):
            return True  # an egg on the path carries its own EGG-INFO
        try:
            children = os.scandir(folder)
        except NotADirectoryError:
            return True  # a zip archive on the path may hold distributions
        except OSError:
            continue  # a path entry that does not exist holds nothing
        with children:
            for child in children:
                if child.name.lower().endswith(_INFO_SUFFIXES) and _declares(child.path):
                    return True
    return False


def _declares(info_dir: str) -> bool:
    try:
        with open(os.path.join(info_dir, "entry_points.txt"), encoding="utf-8",
                  errors="replace") as handle:
            return "pydantic]" in handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return False  # no entry points, or a legacy .egg-info file
    except OSError:
        return True


def _usual_finders() -> bool:
    """Only the standard finders list distributions (a custom `find_distributions` could
    list any)."""
    from importlib.machinery import PathFinder

    return all(not hasattr(finder, "find_distributions") or finder is PathFinder
               for finder in sys.meta_path)


class _Loader(types.ModuleType):
    """The stand-in: `get_plugins()` finds none; anything else comes from the real loader."""

    def __init__(self) -> None:
        super().__init__(LOADER, "pydantic's plugin loader, no plugin installed (llmextract)")

    @staticmethod
    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's questions (`__path__`...): no
            raise AttributeError(name)
        if sys.modules.get(LOADER) is self:
            del sys.modules[LOADER]
        real = importlib.import_module(LOADER)
        return getattr(real, name)


def spare_plugin_search(path_entries: Iterable[str] | None = None) -> bool:
    """Give pydantic the stand-in loader when no plugin can be installed; True when given."""
    if LOADER in sys.modules or "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        return False  # already loaded, or the user's own setting stands
    entries = list(sys.path if path_entries is None else path_entries)
    if not _usual_finders() or may_have_plugin(entries):
        return False
    sys.modules[LOADER] = _Loader()
    return True
