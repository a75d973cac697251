"""CPU per request of the model-call path, one layer at a time (issue 16).

    python bench/client_path.py [--n 400] [-j 8] [--rounds 3]

Against the fake server (a child process on 127.0.0.1, rules echo, no latency), the same
`ArticleSummary` request with llmextract's prompt, `--n` requests at `-j` in flight, in
this process (its CPU only: `time.process_time`), through:

  instructor      `instructor.from_openai(AsyncOpenAI)`, `create_with_completion`, the
                  schema wrapped once: what llmextract did before issue 16
  + ChatPoster    the same, instructor calling `ChatPoster.create` (call/poster.py): no
                  openai body walk
  + PreparedTools instructor's retry loop with the tool definition prepared once
  + aiohttp       the same over llmextract's transport (call/aio_transport.py: aiohttp
                  under openai's httpx client): what llmextract's TOOLS requests do now
  openai create   `chat.completions.create` and a pydantic validation, no instructor
  openai post     `client.post` with the body as is, and a pydantic validation

instructor's async-validator check is memoised for the first three, as llmextract does.
Rounds are interleaved; the table gives the median per system. The machine is shared and
noisy: read the differences between rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_articles import article  # noqa: E402

Send = Callable[[str], Awaitable[Any]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/models", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the fake server did not start at {url}")


def systems(url: str, jobs: int, clients: list[Any]) -> dict[str, Send]:
    import instructor
    import openai
    from openai._base_client import make_request_options
    from openai.types.chat import ChatCompletion

    from llmextract.call.aio_transport import default_transport
    from llmextract.call.memo import OUR_CALL, ModelCheckMemo
    from llmextract.call.poster import ChatPoster, PreparedTools, instructor_client
    from llmextract.call.prompts import load_prompt
    from llmextract.schemas.news import ArticleSummary

    prompt = load_prompt()
    wrapped = instructor.openai_schema(ArticleSummary)
    client = openai.AsyncOpenAI(api_key="sk-bench-not-a-key", base_url=url, max_retries=0)
    ModelCheckMemo.acquire()
    OUR_CALL.set(True)
    stock = instructor.from_openai(client)
    poster = ChatPoster(client)
    patched = instructor_client(client, "TOOLS", poster.create)
    prepared = PreparedTools(poster.create, wrapped)
    aio_client = openai.AsyncOpenAI(
        api_key="sk-bench-not-a-key", base_url=url, max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(transport=default_transport(jobs + 4)))
    aio_prepared = PreparedTools(ChatPoster(aio_client).create, wrapped)
    clients.extend((client, aio_client))
    tools = [{"type": "function", "function": wrapped.openai_schema}]
    choice = {"type": "function", "function": {"name": wrapped.openai_schema["name"]}}

    def kwargs(text: str) -> dict[str, Any]:
        return dict(model="gpt-4o-mini", messages=prompt.messages(text), max_tokens=2000)

    async def via_stock(text: str) -> Any:
        return await stock.chat.completions.create_with_completion(
            **kwargs(text), response_model=wrapped, strict=False, max_retries=0)

    async def via_poster(text: str) -> Any:
        return await patched.chat.completions.create_with_completion(
            **kwargs(text), response_model=wrapped, strict=False, max_retries=0)

    async def via_prepared(text: str) -> Any:
        return await prepared.create_with_completion(
            {**kwargs(text), "response_model": wrapped, "strict": False}, 0)

    async def via_aiohttp(text: str) -> Any:
        return await aio_prepared.create_with_completion(
            {**kwargs(text), "response_model": wrapped, "strict": False}, 0)

    def validate(completion: Any) -> Any:
        arguments = completion.choices[0].message.tool_calls[0].function.arguments
        return ArticleSummary.model_validate_json(arguments, strict=False)

    async def via_create(text: str) -> Any:
        return validate(await client.chat.completions.create(
            **kwargs(text), tools=tools, tool_choice=choice))

    async def via_post(text: str) -> Any:
        body = {**kwargs(text), "tool_choice": choice, "tools": tools}
        return validate(await client.post(
            "/chat/completions", body=body, cast_to=ChatCompletion,
            options=make_request_options(security={"bearer_auth": True})))

    return {"instructor": via_stock, "+ ChatPoster": via_poster,
            "+ PreparedTools": via_prepared, "+ aiohttp": via_aiohttp,
            "openai create": via_create,
            "openai post": via_post}


async def cpu_per_request(send: Send, texts: list[str], jobs: int) -> float:
    gate = asyncio.Semaphore(jobs)

    async def one(text: str) -> None:
        async with gate:
            await send(text)

    await asyncio.gather(*(one(t) for t in texts[:jobs * 2]))  # connections, caches
    t0 = time.process_time()
    await asyncio.gather(*(one(t) for t in texts))
    return (time.process_time() - t0) / len(texts) * 1000


async def run(args: argparse.Namespace, url: str) -> None:
    texts = [article(0, i, 260) for i in range(args.n)]
    clients: list[Any] = []
    found = systems(url, args.jobs, clients)
    ms: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(args.rounds):
        for name, send in found.items():
            ms[name].append(await cpu_per_request(send, texts, args.jobs))
    for client in clients:
        await client.close()
    base = statistics.median(ms["instructor"])
    print(f"CPU ms per request, {args.n} requests, -j {args.jobs}, median of {args.rounds} "
          f"rounds; python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'path':16} {'ms/request':>10} {'vs instructor':>14}")
    for name, values in ms.items():
        med = statistics.median(values)
        print(f"{name:16} {med:10.2f} {med - base:+14.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("-j", "--jobs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "llmextract.fakeserver", "--port",
                               str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        _wait(url)
        asyncio.run(run(args, url))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
