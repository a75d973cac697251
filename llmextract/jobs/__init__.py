"""Batch jobs: articles through a provider's Batch API (half the price, a 24 h window).

    llmextract batch submit PATH... --dir JOBDIR     request files, uploads, batches
    llmextract batch status JOBDIR [--wait]
    llmextract batch collect JOBDIR -o OUT [--resume] [--reask online|none] [--from FILE]
    llmextract batch cancel JOBDIR

The Python API is `BatchJob` (`from llmextract import BatchJob`).
See docs/batch-jobs.md.
"""

from llmextract.jobs.collect import CollectReport
from llmextract.jobs.job import BatchJob, PartStatus
from llmextract.jobs.remote import JobError

__all__ = ["BatchJob", "CollectReport", "JobError", "PartStatus"]
