"""run/pydantic_plugins.py: the command spares pydantic's plugin search only where no installed
package offers a plugin, and never hides one."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from llmextract.run.pydantic_plugins import LOADER, _Loader, may_have_plugin

from .conftest import ARTICLES, ROOT

RUN = ("import sys\n"
       "from llmextract.run.pydantic_plugins import spare_plugin_search\n"
       "spared = spare_plugin_search()\n"
       "from llmextract.cli import main\n"
       "code = main(['summarize', sys.argv[1], '--engine', 'rules', '-o', sys.argv[2]])\n"
       "print(code, spared, 'importlib.metadata' in sys.modules)\n")


def _dist(site: Path, name: str, entry_points: str | None) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def test_what_counts_as_maybe_a_plugin(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    _dist(plain, "tool", "[console_scripts]\ntool = tool:main\n")
    _dist(plain, "lib", None)
    assert not may_have_plugin([str(plain), str(tmp_path / "missing")])
    withplugin = tmp_path / "withplugin"
    _dist(withplugin, "logfire", "[pydantic]\nlogfire-plugin = logfire:plugin\n")
    assert may_have_plugin([str(plain), str(withplugin)])
    archive = tmp_path / "deps.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.py", "")
    assert may_have_plugin([str(archive)])  # a zip could hold distributions: not read
    assert may_have_plugin([str(tmp_path / "old.egg")])


def test_the_stand_in_finds_no_plugin_and_hands_the_rest_to_the_real_loader() -> None:
    stand_in = _Loader()
    assert stand_in.get_plugins() == ()
    assert not hasattr(stand_in, "__path__")  # what the import system asks: not delegated
    assert stand_in.PYDANTIC_ENTRY_POINT_GROUP == "pydantic"  # the real loader's own name
    assert type(sys.modules[LOADER]) is not _Loader  # this process's loader untouched


def _run(tmp_path: Path, pythonpath: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*pythonpath, str(ROOT)])}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    done = subprocess.run([sys.executable, "-c", RUN, str(sorted(ARTICLES.glob("*.txt"))[0]),
                           str(tmp_path / "out.jsonl")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_without_a_plugin_the_run_never_imports_importlib_metadata(tmp_path: Path) -> None:
    assert _run(tmp_path, []) == ["0", "True", "False"]
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_an_installed_plugin_is_loaded_as_before(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _dist(site, "probe_plugin", "[pydantic]\nprobe = probe_plugin:plugin\n")
    marker = tmp_path / "loaded"
    (site / "probe_plugin.py").write_text(
        "from pathlib import Path\n"
        f"Path({str(marker)!r}).write_text('yes')\n"
        "class _Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n"
        "plugin = _Plugin()\n")
    assert _run(tmp_path, [str(site)]) == ["0", "False", "True"]
    assert marker.read_text() == "yes"  # pydantic found and loaded it
