from llmextract.cli import run

run()
