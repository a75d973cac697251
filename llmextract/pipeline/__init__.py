"""One article through the pipeline: fetch (cache, model call), then finish (rules,
grounding, reconciliation) into a Result."""
