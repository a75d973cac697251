"""Text primitives: folding with offsets, numbers and their patterns (no llmextract imports
above this folder)."""
