"""Reading inputs: files, folders, JSONL, standard input and HTML pages."""
