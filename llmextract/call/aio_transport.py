"""The model endpoint's HTTP transport: aiohttp under openai's httpx client.

openai sends every request through an httpx client; by default its transport is httpcore
with h11 and anyio, pure Python, which spends ~0.3 ms of CPU per request on a local
endpoint (a tenth of a run's CPU per article; issue 16). openai supports aiohttp, whose
HTTP parser is compiled, as the transport under the same client (`openai[aiohttp]`,
`DefaultAioHttpClient`); this is that transport, made to behave as httpx's does where a run
can tell:

- **Errors.** Every failure becomes the httpx exception httpcore raises in the same case, so
  openai, the retry policy and the pace read it the same way: a timeout is an httpx timeout
  (`ReadTimeout`, `ConnectTimeout`: openai's `APITimeoutError`), anything else an httpx
  transport error (`ConnectError`, `RemoteProtocolError`, `ReadError`: `APIConnectionError`).
- **TLS** uses the context httpx would build (`create_ssl_context`: certifi, `SSL_CERT_FILE`).
- **Timeouts**: httpx's connect and read timeouts per request (the pace sets the read one);
  the pool timeout bounds the wait for a connection.
- **Cassettes.** vcrpy records and replays by patching httpx's transport class. This class
  is that class's subclass; while the class method is patched (a `--record`/`--replay` run,
  the pytest plugin, a user's own cassette) each request takes httpx's path, so cassettes
  hold exactly what they held before.
- **Proxies.** With a proxy in the environment (`HTTPS_PROXY`, `ALL_PROXY`, ...), where
  httpx and aiohttp differ (SOCKS, `NO_PROXY` forms), the run keeps httpx's transport.

The whole response body is read here, under the read timeout, so a connection goes back to
the pool at once; model answers are never streamed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

__all__ = ["default_transport", "httpx_flavour", "uses_proxy"]

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def uses_proxy(environ: Mapping[str, str] | None = None) -> bool:
    """A proxy is set in the environment (any case), as httpx reads it."""
    env = os.environ if environ is None else environ
    return any(env.get(name) or env.get(name.upper()) for name in _PROXY_VARIABLES)


def httpx_flavour() -> Any:
    """The httpx flavour openai is built on (httpx2 for openai 3.x, else httpx)."""
    import openai._base_client as base

    return getattr(base, "httpx2", None) or getattr(base, "httpx")  # noqa: B009


def default_transport(pool: int, keepalive_expiry: float | None = 5.0) -> Any:
    """The transport for a model client's connection pool of `pool` connections: the aiohttp
    one, or httpx's own where that cannot serve (no aiohttp, a proxy in the environment)."""
    httpx = httpx_flavour()
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool,
                          keepalive_expiry=keepalive_expiry)
    if uses_proxy():
        return httpx.AsyncHTTPTransport(limits=limits)
    try:
        import aiohttp  # noqa: F401  (instructor depends on it; checked, not assumed)
    except ImportError:
        return httpx.AsyncHTTPTransport(limits=limits)
    return _transport_class()(limits=limits)


_CLASS: Any = None


def _transport_class() -> Any:
    """`AioTransport`, built on first use as a subclass of the httpx flavour's transport."""
    global _CLASS
    if _CLASS is None:
        _CLASS = _make_class(httpx_flavour())
    return _CLASS


def _make_class(httpx: Any) -> Any:
    import aiohttp

    base = httpx.AsyncHTTPTransport
    own_package = httpx.__name__ + "."

    class AioTransport(base):  # type: ignore[misc, valid-type]
        """httpx's async transport interface over an aiohttp session (see the module)."""

        def __init__(self, *, limits: Any) -> None:
            super().__init__(limits=limits)  # httpx's pool: used only under a cassette
            self._limits = limits
            self._session: aiohttp.ClientSession | None = None
            self._ssl = httpx.create_ssl_context()

        def _patched(self) -> bool:
            """httpx's transport method is not httpx's own: vcrpy is recording or replaying
            (known by where the method comes from, so also right for a cassette that was
            already active when this class was made)."""
            current = base.__dict__.get("handle_async_request")
            return not str(getattr(current, "__module__", "")).startswith(own_package)

        def _open(self) -> aiohttp.ClientSession:
            expiry = self._limits.keepalive_expiry
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                keepalive_timeout=15.0 if expiry is None else expiry,
                ssl=self._ssl, resolver=aiohttp.ThreadedResolver())
            # No headers of aiohttp's own: the request carries httpx's and openai's as they
            # are. The body stays as sent (httpx decodes it, as for its own transport).
            return aiohttp.ClientSession(
                connector=connector, auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"))

        async def handle_async_request(self, request: Any) -> Any:
            try:
                content = request.content
            except httpx.RequestNotRead:  # a streamed upload: httpx's own path
                return await super().handle_async_request(request)
            if self._patched():
                return await super().handle_async_request(request)
            if self._session is None or self._session.closed:
                self._session = self._open()
            timeout = request.extensions.get("timeout") or {}
            limit = aiohttp.ClientTimeout(total=None, connect=timeout.get("pool"),
                                          sock_connect=timeout.get("connect"),
                                          sock_read=timeout.get("read"))
            try:
                async with self._session.request(
                        request.method, str(request.url), headers=request.headers.multi_items(),
                        data=content or None, allow_redirects=False, compress=None,
                        timeout=limit) as got:
                    body = await got.read()
                    status, headers, reason = got.status, got.raw_headers, got.reason
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                raise _as_httpx(httpx, aiohttp, exc) from exc
            extensions = {"http_version": b"HTTP/1.1"}
            if reason:
                extensions["reason_phrase"] = reason.encode("latin-1", "replace")
            return httpx.Response(status, headers=list(headers), content=body,
                                  request=request, extensions=extensions)

        async def _close_session(self) -> None:
            session, self._session = self._session, None
            if session is not None:
                await session.close()

        async def aclose(self) -> None:
            await self._close_session()
            await super().aclose()

        async def __aexit__(self, *args: Any) -> None:  # httpx's closes only its pool
            await self._close_session()
            await super().__aexit__(*args)

    return AioTransport


def _as_httpx(httpx: Any, aiohttp: Any, exc: BaseException) -> Exception:
    """The httpx exception httpcore raises where aiohttp raised `exc`."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind: Any = httpx.ConnectTimeout  # no connection in time (pool or connect)
    elif isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        kind, message = httpx.RemoteProtocolError, "Server disconnected without sending a response."
    elif isinstance(exc, aiohttp.ClientPayloadError):
        kind = httpx.RemoteProtocolError  # the body ended before its length
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    else:
        kind = httpx.ReadError  # a reset or another socket error mid-exchange
    return kind(message)  # type: ignore[no-any-return]
