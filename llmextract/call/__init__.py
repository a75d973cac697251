"""The model call: the client, retries, rate limits, cassettes, prompts, output modes and
pace."""
