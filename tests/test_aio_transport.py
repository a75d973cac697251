"""The aiohttp transport under openai's httpx client (llmextract/call/aio_transport.py): what
reaches the server, and every failure, must be what httpx's own transport gives."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from llmextract.call.aio_transport import default_transport, httpx_flavour, uses_proxy
from llmextract.call.cassette import use_cassette

httpx = httpx_flavour()
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head, await reader.readexactly(length)


def _response(body: bytes, *, length: int | None = None, extra: str = "") -> bytes:
    size = len(body) if length is None else length
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}"
            f"\r\n{extra}\r\n").encode() + body


class _Server:
    """`async with _Server(handler) as url`: a one-handler HTTP server on 127.0.0.1 whose
    connections are all closed, and handlers ended, when the block ends."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: list[asyncio.StreamWriter] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)  # type: ignore[arg-type]
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def __aexit__(self, *args: object) -> None:
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for writer in self.writers:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        await self.server.wait_closed()


async def _exchange(transport: Any, url: str, timeout: float = 5.0) -> Any:
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
        response = await client.post(url + "/chat/completions", content=b'{"a": 1}',
                                     headers={"Content-Type": "application/json"})
        await response.aread()
        return response


async def _nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    return None


def _both(handler: Handler, timeout: float = 5.0) -> list[Any]:
    """The outcome (response or exception) of one POST through each transport."""
    async def run() -> list[Any]:
        outcomes: list[Any] = []
        async with _Server(handler) as url:
            for transport in (httpx.AsyncHTTPTransport(), default_transport(4)):
                try:
                    outcomes.append(await _exchange(transport, url, timeout))
                except Exception as exc:  # compared below
                    outcomes.append(exc)
        return outcomes

    return asyncio.run(run())


def test_the_default_transport_is_aiohttp() -> None:
    transport = default_transport(8)
    assert type(transport).__name__ == "AioTransport"
    assert isinstance(transport, httpx.AsyncHTTPTransport)  # vcrpy's patch point


def test_a_proxy_in_the_environment_keeps_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert uses_proxy()
    assert type(default_transport(8)) is httpx.AsyncHTTPTransport
    assert uses_proxy({"all_proxy": "socks5://h:1080"})
    assert not uses_proxy({"NO_PROXY": "localhost"})


def test_the_server_receives_the_same_body_and_headers() -> None:
    seen: list[tuple[bytes, bytes]] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, body = await _read_request(reader)
        seen.append((head, body))
        writer.write(_response(b'{"ok": true}'))
        await writer.drain()
        writer.close()

    plain, aio = _both(echo)
    assert plain.json() == aio.json() == {"ok": True}
    assert seen[0][1] == seen[1][1] == b'{"a": 1}'

    def headers(head: bytes) -> dict[str, str]:
        lines = head.decode().split("\r\n")[1:]
        pairs = (line.split(":", 1) for line in lines if ":" in line)
        return {k.strip().lower(): v.strip() for k, v in pairs}

    # the request line and every header httpx sends arrive as httpx sends them
    assert seen[0][0].split(b"\r\n")[0] == seen[1][0].split(b"\r\n")[0]
    assert headers(seen[0][0]) == headers(seen[1][0])


def test_a_compressed_answer_is_decoded_as_httpx_decodes_it() -> None:
    packed = gzip.compress(json.dumps({"answer": "ok " * 50}).encode())

    async def zipped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(_response(packed, extra="Content-Encoding: gzip\r\n"))
        await writer.drain()
        writer.close()

    plain, aio = _both(zipped)
    assert aio.json() == plain.json() == {"answer": "ok " * 50}


@pytest.mark.parametrize("fault", ["reset", "stall", "truncated", "garbage"])
def test_failures_become_the_exceptions_httpx_raises(fault: str) -> None:
    async def faulty(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        if fault == "stall":
            await asyncio.sleep(2)
        elif fault == "truncated":  # a body shorter than its Content-Length
            writer.write(_response(b'{"half": ', length=100))
            await writer.drain()
        elif fault == "garbage":
            writer.write(b"NOT HTTP AT ALL\r\n\r\n")
            await writer.drain()
        writer.close()

    plain, aio = _both(faulty, timeout=0.5)
    assert isinstance(plain, httpx.TransportError) and isinstance(aio, httpx.TransportError)
    # what openai, the retry policy and the pace go by: a timeout or not
    assert isinstance(plain, httpx.TimeoutException) == isinstance(aio, httpx.TimeoutException)
    assert type(aio).__name__.endswith("Timeout") == type(plain).__name__.endswith("Timeout")
    if fault == "stall":
        assert isinstance(aio, httpx.ReadTimeout)


def test_a_refused_connection_is_a_connect_error() -> None:
    async def run() -> Exception:
        async with _Server(_nothing) as url:
            pass  # closed: nothing listens on its port any more
        try:
            await _exchange(default_transport(2), url)
        except Exception as exc:
            return exc
        raise AssertionError("the request did not fail")

    assert isinstance(asyncio.run(run()), httpx.ConnectError)


def test_openai_reads_a_stall_as_a_timeout() -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(2)
        writer.close()

    async def run() -> Exception:
        async with _Server(stall) as url:
            client = openai.AsyncOpenAI(
                base_url=url, api_key="sk-test", max_retries=0, timeout=0.5,
                http_client=openai.DefaultAsyncHttpxClient(transport=default_transport(2)))
            try:
                await client.chat.completions.create(model="m", messages=[])
            except Exception as exc:
                return exc
            finally:
                await client.close()
        raise AssertionError("the request did not fail")

    assert isinstance(asyncio.run(run()), openai.APITimeoutError)


def test_under_a_cassette_requests_take_httpx_path(tmp_path: Path) -> None:
    """vcrpy patches httpx's transport class; requests made while it is patched go through
    it (recorded, then replayed with no server), never through the aiohttp session."""
    answers = iter([b'{"n": 1}'])

    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(_response(next(answers)))
        await writer.drain()
        writer.close()

    cassette = tmp_path / "c.yaml"

    async def run(record: bool) -> Any:
        transport = default_transport(2)
        async with _Server(once) as url:
            if not record:
                url = url.replace("127.0.0.1", "127.0.0.2")  # replay: no server there
            with use_cassette(record=cassette if record else None,
                              replay=None if record else cassette):
                response = await _exchange(transport, url)
        assert transport._session is None  # aiohttp never opened
        return response

    assert asyncio.run(run(record=True)).json() == {"n": 1}
    assert cassette.exists()
    assert asyncio.run(run(record=False)).json() == {"n": 1}
