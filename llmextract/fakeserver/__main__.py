"""Command line: serve the fake OpenAI-compatible server until Ctrl-C.

python -m llmextract.fakeserver --answers tests/answers --port 8765 --latency 0.5
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from llmextract.fakeserver.faults import CONTEXT_STYLES, FAULT_KINDS, FaultPlan
from llmextract.fakeserver.profiles import PROFILES
from llmextract.fakeserver.server import FakeServer

_EPILOG = f"""\
endpoints (127.0.0.1 only):
  POST /v1/chat/completions (or /chat/completions)   the fake model
  GET  /v1/models                                    one model, "fake-model"
  GET  /_stats     counts: requests, completions, by_match, by_fault, by_status,
                   max_in_flight (received at once), max_serving (answered at once),
                   reached_at (in-flight level -> seconds after the first request)
  GET  /_requests  the JSON bodies of the completion requests received
  POST /_reset     zero the counts

which article: the text between <article> and </article> lines of the last user message
that has them (without the tags: the last user message before any assistant message).

answer files: every *.json file of --answers, read in file-name order:
  {{"match":   "a distinctive substring of the article, e.g. its headline",
   "answers": [ {{ArticleSummary-shaped object}}, ... ],
   "faults":  ["429", "500", null]}}                  (optional)
  The first file whose "match" occurs in the article answers it. answers[k] is served on
  re-ask k (k = assistant messages already in the request); past the end, the last one.
  A string answer is sent verbatim (write invalid JSON that way). "faults" is a script:
  the n-th time the same request body arrives it gets faults[n] (null = answer normally);
  a file's script replaces the --fault-rate draw for its article.
  No matching file: the answer is the rule-based engine's summary (llmextract.rules).

answer shape: a tool call when the request has "tools" (instructor TOOLS mode); otherwise
JSON in "content", fenced as ```json when there is no response_format and the prompt asks
for a code block (instructor MD_JSON mode).

google/langextract's requests (recognised by shape: its system message or its
"langextract_extractions" schema, and a prompt ending in a "Q: <chunk>" line and "A: ") get
langextract's own {{"extractions": [...]}}: the rules echo's figures, quotes and entities
of that chunk, shaped by the request's schema, fenced when its examples are (counted in
by_match as "<langextract>").

fault kinds: {", ".join(FAULT_KINDS)}
  429/500/503  error status with {{"error": {{message, type, code}}}}; a 429 carries
               retry-after (seconds) and retry-after-ms
  timeout      stall --slow-seconds, then answer (the client should time out first)
  reset        close the connection abruptly (RST), no response
  malformed    200 with a truncated, non-JSON body
  invalid      200, well-formed, but the answer fails the schema (no summary, value "many")
  length       finish_reason "length", arguments cut mid-JSON
  refusal      a refusal message, no tool call
  empty        200 with "choices": []

profiles (--profile):
  generic   every response_format type, tool_choice honoured (default)
  openai    as generic; reports prompt_tokens_details.cached_tokens for a system
            message seen before (prompt caching)
  llamacpp  llama-cpp-python with the model's own chat template: tools ignored (JSON in
            the content); response_format json_schema -> HTTP 500 with a validation
            message ("Input should be 'text' or 'json_object'"); json_object takes a
            "schema"; json_object without one runs on to max_tokens (finish "length")
  ollama    tool_choice ignored (JSON in the content); json_schema and json_object taken
  vllm      named tool_choice honoured; errors {{"object": "error", "message", "type":
            "BadRequestError", "param": null, "code": 400}}; prompt + max_tokens over
            8192 tokens -> 400
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m llmextract.fakeserver",
        description="A fake OpenAI-compatible chat-completions server serving authored answers,"
        " with configurable latency and faults.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--answers", metavar="DIR", help="directory of answer files (default: rules echo only)")
    add("--port", type=int, default=8765, help="port on 127.0.0.1; 0 = any free (default 8765)")
    add("--latency", type=float, default=0.0, help="seconds before each answer (default 0)")
    add("--jitter", type=float, default=0.0, help="+/- uniform seconds on the latency")
    add("--fault-rate", type=float, default=0.0, help="probability 0..1 a request faults")
    add(
        "--faults",
        default="429,500",
        metavar="KINDS",
        help="comma-separated fault kinds drawn at --fault-rate (default 429,500)",
    )
    add("--seed", type=int, default=0, help="seed of the fault draws (default 0)")
    add(
        "--max-consecutive",
        type=int,
        default=2,
        help="never rate-fault one request body more than N times in a row; "
        "0 = no limit (default 2)",
    )
    add("--retry-after", type=int, default=1, help="retry-after seconds of a 429 (default 1)")
    add("--retry-after-ms", type=int, default=None, help="retry-after-ms (default retry-after)")
    add("--slow-seconds", type=float, default=30.0, help="stall of a timeout fault (default 30)")
    add("--context-chars", type=int, default=None, metavar="N",
        help="refuse prompts over N characters with a context-length 400, as a server "
        "refuses a prompt over its context (default: no limit)")
    add("--context-style", choices=CONTEXT_STYLES, default="openai",
        help="that 400's body: openai (code context_length_exceeded), llamacpp (type "
        "exceed_context_size_error) or vllm (the words only)")
    add("--profile", choices=sorted(PROFILES), default="generic",
        help="behave as a known server (default generic): which response formats it takes, "
        "whether it ignores tool_choice, its error shapes (see below)")
    add("--slots", type=int, default=None, metavar="N",
        help="answer N completions at once and queue the rest, like llama.cpp or Ollama "
        "(the one-slot profile: --slots 1; default: no limit)")
    add("--per-kchar", type=float, default=0.0, metavar="S",
        help="slow-model profile: S more seconds per 1,000 characters of the prompt")
    add("--verbose", action="store_true", help="log every request to stderr")
    return parser


def _plan(args: argparse.Namespace) -> FaultPlan:
    kinds = [k.strip() for k in str(args.faults).split(",") if k.strip()]
    retry_ms = args.retry_after_ms if args.retry_after_ms is not None else args.retry_after * 1000
    return FaultPlan(
        rate=args.fault_rate,
        kinds=kinds,
        seed=args.seed,
        max_consecutive=args.max_consecutive or None,
        retry_after=args.retry_after,
        retry_after_ms=retry_ms,
        slow_seconds=args.slow_seconds,
        context_chars=args.context_chars,
        context_style=args.context_style,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        server = FakeServer(
            answers_dir=args.answers,
            latency=args.latency,
            faults=_plan(args),
            jitter=args.jitter,
            port=args.port,
            verbose=args.verbose,
            profile=args.profile,
            slots=args.slots,
            seconds_per_kchar=args.per_kchar,
        )
        server.start()
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    done = threading.Event()

    def _on_term(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _on_term)
    try:  # a Ctrl-C right after the line below (a client may act on it at once) is caught
        print(f"listening on {server.base_url}", file=sys.stderr, flush=True)
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
