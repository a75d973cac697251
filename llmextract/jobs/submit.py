"""Submitting a job: the manifest for a folder, the request files (`PartWriter`), and
uploading them and creating one batch per part, taking up an interrupted upload or creation
where it stopped (see `BatchJob.submit`)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from llmextract import __version__
from llmextract.call.prompts import Prompt
from llmextract.config import Settings
from llmextract.errors import UsageError
from llmextract.jobs.manifest import Manifest, Part
from llmextract.jobs.remote import JobError, Remote, describe, is_final, update_part
from llmextract.jobs.requests import RequestBuilder, custom_id
from llmextract.pipeline.article import Fetched
from llmextract.read.inputs import Article
from llmextract.schemas.news import ArticleSummary
from llmextract.schemas.record import Result
from llmextract.schemas.user import schema_hash_of

if TYPE_CHECKING:
    from llmextract.jobs.job import BatchJob

KEPT = ("model", "base_url", "mode", "max_tokens", "temperature", "max_chars",
        "max_reasks", "max_transport_retries", "timeout", "include_text")


def manifest_for(path: Path, settings: Settings, prompt: Prompt,
                 export_only: bool) -> Manifest:
    wanted = {k: getattr(settings, k) for k in KEPT if k != "base_url"}
    wanted["max_tokens"] = settings.max_tokens or max_tokens(settings)
    wanted.update(prompt=prompt.id, prompt_sha256=prompt.sha256,
                  schema_hash=schema_hash_of(ArticleSummary))
    if Manifest.exists(path):
        manifest = Manifest.load(path)
        diff = [k for k, v in wanted.items()
                if manifest.settings.get(k, v) != v and k not in ("include_text",)]
        if manifest.endpoint != settings.base_url:
            diff.append("base_url")
        if diff:
            was = ", ".join(f"{k}={manifest.settings.get(k, manifest.endpoint)!r}"
                            for k in diff)
            raise UsageError(f"{path} holds a job with other options ({was}): submit "
                             "these with the same options, or into a new --dir")
        if manifest.export_only and not export_only:
            manifest.export_only = False
        return manifest
    if path.exists() and any(p.name != ".lock" for p in path.iterdir()):
        raise UsageError(f"{path} is not empty and holds no batch job (no manifest.json):"
                         " choose a new or empty --dir")
    manifest = Manifest(folder=path, model=settings.model, endpoint=settings.base_url,
                        mode=settings.mode, max_tokens=int(wanted["max_tokens"]),
                        settings=wanted, export_only=export_only)
    manifest.save()
    return manifest


def known_ids(job: BatchJob) -> set[str]:
    known: set[str] = set()
    for part in job.manifest.parts:
        name = part.records if part.local else part.articles
        with contextlib.suppress(FileNotFoundError), open(job.folder / name, "rb") as fh:
            for raw in fh:
                known.add(json.loads(raw)["custom_id"])
    return known


async def write_parts(job: BatchJob, items: Iterable[Any], max_requests: int,
                      max_bytes: int) -> int:
    from llmextract.extractor import _as_articles

    known = known_ids(job)
    pipeline, cache = job._pipeline()
    builder = RequestBuilder(job.settings, job.prompt, job.schema)
    writer = PartWriter(job, max_requests, max_bytes)
    added = 0
    try:
        for article in _as_articles(items, job.settings.max_chars):
            text = article.text if article.text is not None else (article.error or "")
            cid = custom_id(article.id, text)
            if cid in known:
                continue
            known.add(cid)
            fetched = Fetched(article, time.perf_counter())
            if not pipeline.prefetch(fetched) or article.text is None:
                writer.local(cid, pipeline.finish(fetched))
                continue
            line = await builder.line(cid, article.text)
            writer.request(cid, article, line)
            added += 1
        writer.close()
    finally:
        writer.abandon()
        await builder.aclose()
        if cache is not None:
            cache.close()
    return added


def send_parts(job: BatchJob, on_note: Callable[[str], None]) -> None:
    todo = [p for p in job.manifest.parts
            if p.state in ("written", "uploading", "uploaded", "creating")]
    if not todo:
        return
    remote = Remote(job.settings)
    try:
        for part in todo:
            send(job, remote, part)
            on_note(f"llmextract: {part.name}: batch {part.batch_id} ({part.count} "
                    f"request{'s' if part.count != 1 else ''}) {part.status}")
    finally:
        remote.close()


def send(job: BatchJob, remote: Remote, part: Part) -> None:
    m = job.manifest
    if part.state in ("written", "uploading"):
        data = (job.folder / part.requests).read_bytes()
        found = remote.find_file(part.upload_name, len(data)) if (
            part.state == "uploading") else None
        if found is None:
            part.state = "uploading"
            m.save()
            try:
                found = remote.upload(part.upload_name, data)
            except Exception as exc:
                part.state = "written" if is_final(exc) else "uploading"
                part.message = describe(exc, job.settings)
                m.save()
                size = f"{len(data) / 1e6:.1f} MB, {part.count} requests"
                hint = ("lower the part size (--max-file-mb / --max-file-requests) and "
                        "submit into a new --dir" if getattr(exc, "status_code", 0) == 413
                        else "fix that, then run the same submit again (nothing "
                             "already uploaded is sent twice)")
                raise JobError(f"{part.name} ({job.folder / part.requests}, {size}): "
                               f"upload failed: {part.message}; {hint}") from exc
        part.file_id, part.state, part.message = found, "uploaded", None
        m.save()
    if part.state in ("uploaded", "creating"):
        assert part.file_id is not None
        batch = remote.find_batch(part.file_id) if part.state == "creating" else None
        tries = 0
        while batch is None:
            part.state = "creating"
            m.save()
            try:
                batch = remote.create(part.file_id, {
                    "llmextract": __version__, "part": part.name})
            except Exception as exc:
                tries += 1
                part.message = describe(exc, job.settings)
                m.save()
                if is_final(exc) or tries >= remote.attempts:
                    raise JobError(
                        f"{part.name} (file {part.file_id}): creating its batch failed: "
                        f"{part.message}; run the same submit again: the file is not "
                        "uploaded again, and a batch the server made anyway is found"
                    ) from exc
                time.sleep(remote.pause * 2 ** (tries - 1))
                batch = remote.find_batch(part.file_id)
        part.batch_id, part.state, part.message = str(batch.id), "submitted", None
        update_part(part, batch)
        m.save()


class PartWriter:
    """Appends requests to the open part, starting a new one at the limits; the part enters
    the manifest only once its files are whole and on disk."""

    def __init__(self, job: BatchJob, max_requests: int, max_bytes: int) -> None:
        self.job = job
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.part: Part | None = None
        self.files: tuple[IO[bytes], IO[bytes]] | None = None
        self.digest: Any = None
        self.local_part: Part | None = None
        self.local_file: IO[bytes] | None = None

    def _name(self) -> str:
        taken = len(self.job.manifest.parts) + (self.part is not None) + (
            self.local_part is not None)
        return f"part-{taken + 1:04d}"

    def request(self, cid: str, article: Article, line: bytes) -> None:
        import hashlib

        if self.part is not None and (self.part.count >= self.max_requests or (
                self.part.bytes + len(line) > self.max_bytes and self.part.count)):
            self._finish()
        if self.part is None:
            self.part = Part(name=self._name(), count=0)
            folder = self.job.folder
            self.files = (open(folder / self.part.requests, "wb"),  # noqa: SIM115
                          open(folder / self.part.articles, "wb"))  # noqa: SIM115
            self.digest = hashlib.sha256()
        assert self.files is not None
        row = {"custom_id": cid, "id": article.id, "input": article.input,
               "text": article.text, "warnings": list(article.warnings), "meta": article.meta}
        self.files[0].write(line)
        self.files[1].write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.digest.update(line)
        self.part.count += 1
        self.part.bytes += len(line)

    def local(self, cid: str, result: Result) -> None:
        if self.local_part is None:
            self.local_part = Part(name=self._name(), count=0, state="local")
            self.local_file = open(self.job.folder / self.local_part.records, "wb")  # noqa: SIM115
        assert self.local_file is not None
        row = {"custom_id": cid, "record": json.loads(result.to_json())}
        self.local_file.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.local_part.count += 1

    def _finish(self) -> None:
        assert self.part is not None and self.files is not None
        for fh in self.files:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self.part.sha256 = self.digest.hexdigest()
        self.job.manifest.parts.append(self.part)
        self.job.manifest.save()
        self.part, self.files = None, None

    def close(self) -> None:
        if self.part is not None:
            self._finish()
        if self.local_part is not None:
            assert self.local_file is not None
            self.local_file.flush()
            os.fsync(self.local_file.fileno())
            self.local_file.close()
            self.job.manifest.parts.append(self.local_part)
            self.job.manifest.save()
            self.local_part, self.local_file = None, None

    def abandon(self) -> None:
        """After an error: close what is open (those files enter no manifest)."""
        for fh in (*(self.files or ()), self.local_file):
            if fh is not None:
                with contextlib.suppress(OSError):
                    fh.close()



def max_tokens(settings: Settings) -> int:
    from llmextract.call.modes import max_tokens_for

    return max_tokens_for(ArticleSummary, settings.model)

