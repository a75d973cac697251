"""Checking an answer against the article: cleaning, locating, grounding, reconciliation,
prose support, user-schema fields and the review rule."""
