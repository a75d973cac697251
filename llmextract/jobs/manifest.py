"""The job manifest: `JOBDIR/manifest.json`, what a batch job is and how far it got.

Written atomically (a temporary file, fsync, rename) before and after every remote step,
so a process killed at any point leaves a manifest that says what to do next:

    part state   meaning                                   next step on a rerun of submit
    written      request file on disk, nothing sent        upload
    uploading    upload started, its file id unknown       find the file by name, else upload
    uploaded     file id known                             create the batch
    creating     create started, batch id unknown          find the batch by file id, else create
    submitted    batch id known                            (status, collect)
    local        no requests: cached or unreadable articles, their records kept in the folder
    cancelled    cancelled before a batch was created

A part's remote `status` (validating ... completed, failed, expired, cancelled) is what the
last retrieve said.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from llmextract import __version__
from llmextract.errors import UsageError

__all__ = ["FORMAT", "MANIFEST", "VERSION", "Manifest", "Part", "write_atomic"]

FORMAT = "llmextract-batch-job"
VERSION = 1
MANIFEST = "manifest.json"
TERMINAL = ("completed", "failed", "expired", "cancelled")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader (or a crash) sees the old or the new file,
    never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass
class Part:
    """One request file and (once submitted) its batch."""

    name: str
    count: int
    bytes: int = 0
    sha256: str = ""
    state: str = "written"
    file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None
    request_counts: dict[str, int] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    message: str | None = None

    @property
    def requests(self) -> str:
        return f"{self.name}.requests.jsonl"

    @property
    def articles(self) -> str:
        return f"{self.name}.articles.jsonl"

    @property
    def records(self) -> str:
        """A local part's finished records."""
        return f"{self.name}.records.jsonl"

    @property
    def output(self) -> str:
        return f"{self.name}.output.jsonl"

    @property
    def errors(self) -> str:
        return f"{self.name}.errors.jsonl"

    @property
    def upload_name(self) -> str:
        """The file name sent with the upload: found again by it after a crash."""
        return f"llmextract-{self.name}-{self.sha256[:16]}.jsonl"

    @property
    def local(self) -> bool:
        return self.state == "local"

    @property
    def finished(self) -> bool:
        """Nothing more will happen to it remotely."""
        return self.local or self.state == "cancelled" or self.status in TERMINAL


@dataclass
class Manifest:
    folder: Path
    model: str
    endpoint: str | None
    mode: str
    max_tokens: int
    settings: dict[str, Any]
    export_only: bool = False
    parts: list[Part] = field(default_factory=list)
    llmextract_version: str = __version__
    version: int = VERSION

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": self.version,
            "llmextract_version": self.llmextract_version,
            "model": self.model, "endpoint": self.endpoint, "mode": self.mode,
            "max_tokens": self.max_tokens, "settings": self.settings,
            "export_only": self.export_only,
            "parts": [asdict(p) for p in self.parts],
        }

    def save(self) -> None:
        data = json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"
        write_atomic(self.path, data.encode("utf-8"))

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return (folder / MANIFEST).is_file()

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest of `folder`, or a UsageError that says what the folder is and what
        to do instead."""
        path = folder / MANIFEST
        if not folder.exists():
            raise UsageError(f"no such job folder: {folder} (create one with `llmextract "
                             f"batch submit PATH... --dir {folder}`)")
        if not folder.is_dir():
            raise UsageError(f"{folder} is a file, not a job folder")
        if not path.is_file():
            raise UsageError(f"{folder} is not a batch job folder (no {MANIFEST}): pass the "
                             "--dir of an earlier `llmextract batch submit`")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path} cannot be read ({exc}): it is not a manifest "
                             "llmextract wrote, or it was damaged") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UsageError(f"{path} is not an llmextract batch job manifest (no "
                             f"\"format\": \"{FORMAT}\"): pass the --dir of an earlier "
                             "`llmextract batch submit`")
        version = data.get("version")
        if version != VERSION:
            writer = data.get("llmextract_version", "an unknown version")
            raise UsageError(
                f"{path} is a version {version} manifest, written by llmextract {writer}; "
                f"this llmextract ({__version__}) reads version {VERSION}: run status, "
                f"collect or cancel with llmextract {writer}, or submit again into a new "
                "--dir")
        try:
            parts = [Part(**p) for p in data["parts"]]
            return cls(folder=folder, model=data["model"], endpoint=data["endpoint"],
                       mode=data["mode"], max_tokens=int(data["max_tokens"]),
                       settings=dict(data.get("settings") or {}),
                       export_only=bool(data.get("export_only")), parts=parts,
                       llmextract_version=str(data.get("llmextract_version")),
                       version=VERSION)
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path} is damaged ({type(exc).__name__}: {exc}); the "
                             "request files beside it are intact: submit them again into "
                             "a new --dir") from None
