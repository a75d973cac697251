"""Batch jobs: articles through a provider's Batch API (half the price, a 24 h window).

    llmextract batch submit PATH... --dir JOBDIR     request files, uploads, batches
    llmextract batch status JOBDIR [--wait]
    llmextract batch collect JOBDIR -o OUT [--resume] [--reask online|none] [--from FILE]
    llmextract batch cancel JOBDIR

The Python API is `BatchJob` (`from llmextract import BatchJob`).
See docs/batch-jobs.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmextract.jobs.collect import CollectReport
    from llmextract.jobs.job import BatchJob, PartStatus
    from llmextract.jobs.remote import JobError

__all__ = ["BatchJob", "CollectReport", "JobError", "PartStatus"]

# Imported when first used: `llmextract summarize` builds the `batch` command's parser
# (llmextract.jobs.cli) without loading the model client the jobs need.
_WHERE = {"BatchJob": "job", "PartStatus": "job", "CollectReport": "collect",
          "JobError": "remote"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"llmextract.jobs.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'llmextract.jobs' has no attribute {name!r}")
