"""The provider's Files and Batches endpoints through the official openai client.

The client is built with `max_retries=0`: a retried create or upload could make a second
batch or file, so this module decides what to retry, after looking for what the failed
call may have made (see `BatchJob.submit`). openai errors become `JobError` (exit status
1) with the server's words, the part and what to do next.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal

from llmextract.call.modes import OPENAI_URL
from llmextract.errors import LLMExtractError, UsageError

if TYPE_CHECKING:
    from llmextract.config import Settings
    from llmextract.jobs.manifest import Part

__all__ = ["JobError", "Remote", "describe", "need_key", "update_part"]

COMPLETION_WINDOW: Literal["24h"] = "24h"
_UPLOAD_TIMEOUT = 600.0


class JobError(LLMExtractError):
    """A remote step of a batch job failed; the message names the part and the next step."""


def describe(exc: BaseException, settings: Settings) -> str:
    """The server's answer in one line, secrets removed."""
    import openai

    from llmextract.call.retry import server_reason

    if isinstance(exc, openai.APIStatusError):
        reason = server_reason(exc, (settings.api_key,))
        text = f"HTTP {exc.status_code}" + (f": {reason}" if reason else "")
        if exc.status_code in (401, 403):
            text += " (the endpoint refused the key: check OPENAI_API_KEY)"
        return text
    if isinstance(exc, openai.APITimeoutError):
        return "the endpoint timed out"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to {settings.base_url or OPENAI_URL}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def is_final(exc: BaseException) -> bool:
    """An answer that another try will not change (4xx but 408/409/429)."""
    import openai

    return isinstance(exc, openai.APIStatusError) and 400 <= exc.status_code < 500 and (
        exc.status_code not in (408, 409, 429))


class Remote:
    """Files and batches at the job's endpoint."""

    def __init__(self, settings: Settings, attempts: int = 4, pause: float = 1.0) -> None:
        import openai

        self.settings = settings
        self.attempts = attempts
        self.pause = pause
        self.client = openai.OpenAI(api_key=settings.client_key, base_url=settings.base_url,
                                    max_retries=0, timeout=settings.timeout)

    def close(self) -> None:
        self.client.close()

    def retry(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        """`call` with up to `attempts` tries for transient errors (a read, never a create)."""
        for attempt in range(self.attempts):
            try:
                return call(*args, **kwargs)
            except LLMExtractError:
                raise
            except Exception as exc:
                if is_final(exc) or attempt == self.attempts - 1 or not _is_openai(exc):
                    raise JobError(f"{what}: {describe(exc, self.settings)}") from exc
                time.sleep(self.pause * 2 ** attempt)
        raise AssertionError("unreachable")

    # -- files --------------------------------------------------------------------------
    def upload(self, name: str, data: bytes) -> str:
        got = self.client.files.create(file=(name, data, "application/jsonl"),
                                       purpose="batch", timeout=_UPLOAD_TIMEOUT)
        return str(got.id)

    def find_file(self, name: str, size: int) -> str | None:
        """The id of an uploaded batch file with this name and size (a crash after the
        upload, before its id was recorded)."""
        page = self.retry("listing files", self.client.files.list, purpose="batch")
        for item in page.data:
            if item.filename == name and int(item.bytes or 0) == size:
                return str(item.id)
        return None

    def content(self, file_id: str) -> bytes:
        got = self.retry(f"downloading file {file_id}", self.client.files.content, file_id)
        return bytes(got.content)

    # -- batches ------------------------------------------------------------------------
    def create(self, file_id: str, metadata: dict[str, str]) -> Any:
        return self.client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions",
            completion_window=COMPLETION_WINDOW, metadata=metadata)

    def find_batch(self, file_id: str, most: int = 10_000) -> Any | None:
        """A batch made from `file_id` (a crash after create, before its id was recorded):
        every page of the account's batches, newest first, up to `most` batches."""
        page = self.retry("listing batches", self.client.batches.list, limit=100)
        seen = 0
        while True:
            for item in page.data:
                if item.input_file_id == file_id:
                    return item
            seen += len(page.data)
            if seen >= most or not page.data or not page.has_next_page():
                return None
            page = self.retry("listing batches", page.get_next_page)

    def retrieve(self, batch_id: str) -> Any:
        return self.retry(f"batch {batch_id}", self.client.batches.retrieve, batch_id)

    def cancel(self, batch_id: str) -> Any:
        return self.retry(f"cancelling batch {batch_id}", self.client.batches.cancel,
                          batch_id)


def _is_openai(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.OpenAIError)


def need_key(settings: Settings) -> None:
    if settings.api_key or settings.base_url or settings.replay:
        return
    raise UsageError("the Batch API needs a key: set OPENAI_API_KEY (or pass --base-url for "
                     "an OpenAI-compatible endpoint); nothing was sent")



def update_part(part: Part, batch: Any) -> None:
    part.status = str(batch.status)
    counts = getattr(batch, "request_counts", None)
    if counts is not None:
        part.request_counts = {"total": int(counts.total or 0),
                               "completed": int(counts.completed or 0),
                               "failed": int(counts.failed or 0)}
    part.output_file_id = getattr(batch, "output_file_id", None)
    part.error_file_id = getattr(batch, "error_file_id", None)
    errors = getattr(batch, "errors", None)
    data = getattr(errors, "data", None) if errors is not None else None
    if data:
        part.message = "; ".join(str(getattr(e, "message", e)) for e in data[:3])

