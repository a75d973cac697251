"""Peers for `bench/vs_bare.py --peers langextract`: google's langextract, installed in its
own virtual environment, run by `bench/peer_langextract.py` on the same articles against
the same fake server.

The environment: bench/.venvs/langextract-<version>-py<X.Y> (git-ignored), made once with
this interpreter's `venv` and `pip install "langextract[openai]==1.7.1" "openai==<the
openai of this environment>"` (so both systems speak through the same openai client) and
reused while its requirements file matches. When it cannot be made (no network, no
wheel) the peer is skipped and the bench prints pip's reason.

How the answers were made equivalent: the fake server recognises langextract's request by
its shape (llmextract/fakeserver/peer_formats.py) and answers, in langextract's own
`{"extractions": [...]}` format, the figures, quotes and entities of the same rules echo it
sends llmextract (`answers.rules_answer`), run on the chunk langextract sent. When an
article is one chunk (max_char_buffer 4,000 against ~1,500-1,800 characters per article)
both systems receive the same items; with langextract's default 1,000 characters an
article is two or more chunks and the rules run per chunk (what a model sees too), so
items near a cut may differ. langextract gets no summary, key points, topics or metadata:
its format has no place for free text, so it does less than llmextract here.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from batch import ROOT, Bench, NotAvailable

LANGEXTRACT_VERSION = "1.7.1"
DEFAULT_CHARS = (4000, 1000)  # one chunk per ~260-word article; langextract's default
PEER_NAMES = ("langextract",)
VENVS = ROOT / "bench" / ".venvs"
RUNNER = ROOT / "bench" / "peer_langextract.py"
INSTALL_TIMEOUT_S = 900
ITEM_KEYS = {"figures": "figure", "quotes": "quote", "entities": "entity"}


@dataclass(frozen=True)
class Peer:
    key: str
    label: str
    python: str
    chars: int


def requirements() -> list[str]:
    reqs = [f"langextract[openai]=={LANGEXTRACT_VERSION}"]
    with contextlib.suppress(PackageNotFoundError):
        reqs.append(f"openai=={version('openai')}")
    return reqs


def _tail(text: str, lines: int = 2) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])[-300:]


def langextract_python(bench: Bench) -> str:
    """The python of langextract's environment, made (or remade) when needed."""
    reqs = requirements()
    folder = VENVS / f"langextract-{LANGEXTRACT_VERSION}-py{sys.version_info[0]}." \
                     f"{sys.version_info[1]}"
    python, marker = folder / "bin" / "python", folder / "bench-requirements.txt"
    wanted = "\n".join(reqs) + "\n"
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return str(python)
    shutil.rmtree(folder, ignore_errors=True)
    steps = [[bench.python, "-m", "venv", str(folder)],
             [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
              "--retries", "1", "--timeout", "20", *reqs]]
    for cmd in steps:
        bench.log(cmd)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                  timeout=INSTALL_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise NotAvailable(f"cannot install {reqs[0]}: {exc}") from exc
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise NotAvailable(f"cannot install {' '.join(reqs)}: "
                               f"{_tail(done.stderr or done.stdout)}")
    marker.write_text(wanted, encoding="utf-8")
    return str(python)


def prepare(bench: Bench, names: list[str], chars: list[int]) -> tuple[list[Peer], list[str]]:
    """The peer systems to run (one per max_char_buffer), and why any was skipped."""
    if "langextract" not in names:
        return [], []
    try:
        python = langextract_python(bench)
    except NotAvailable as exc:
        return [], [f"langextract {LANGEXTRACT_VERSION} skipped: {exc}"]
    peers = []
    for i, size in enumerate(chars):
        note = " (its default)" if size == 1000 else ""
        peers.append(Peer(f"langextract-{size}",
                          f"({chr(ord('d') + i)}) langextract {LANGEXTRACT_VERSION}, "
                          f"{size:,}-char chunks{note}", python, size))
    return peers, []


def command(peer: Peer, folder: Path, base_url: str, jobs: int, out: Path) -> list[str]:
    return [peer.python, str(RUNNER), str(folder), "--base-url", base_url, "-j", str(jobs),
            "--max-char-buffer", str(peer.chars), "--out", str(out)]


def env(bench: Bench) -> dict[str, str]:
    """The bench's child environment without PYTHONPATH: the peer imports no llmextract."""
    child = bench.env()
    child.pop("PYTHONPATH", None)
    return child


def summary(out: Path, n: int) -> tuple[str, bool, dict[str, float]]:
    """The runner's summary: a short text, whether every article came back with no chunk
    dropped, and extractions per article by class."""
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"unreadable summary: {exc}", False, {}
    by_class = {k: float(v) / n for k, v in (data.get("extractions") or {}).items()}
    aligned = ", ".join(f"{v} {k.removeprefix('match_')}"
                        for k, v in sorted((data.get("alignment") or {}).items()))
    text = (f"{data.get('documents')} documents, {data.get('chunks_omitted')} chunks "
            f"omitted; aligned: {aligned or 'none'}")
    ok = data.get("documents") == n and data.get("chunks_omitted") == 0
    return text, ok, by_class


def llmextract_items(out: Path, n: int) -> dict[str, float]:
    """Figures, quotes and entities per article in llmextract's records (all sources)."""
    totals = dict.fromkeys(ITEM_KEYS.values(), 0.0)
    try:
        lines = out.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    for line in lines:
        record = json.loads(line) if line.strip() else {}
        summary_ = record.get("summary") or {}
        for field, name in ITEM_KEYS.items():
            totals[name] += len(summary_.get(field) or [])
    return {k: v / n for k, v in totals.items()}


def items_text(items: dict[str, float]) -> str:
    return " / ".join(f"{items.get(name, 0.0):.1f}" for name in ITEM_KEYS.values())
