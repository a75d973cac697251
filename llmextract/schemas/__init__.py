"""The shapes: the news schema, the result record, user schemas and their registered rules."""
