"""Pure ASGI middleware: request ids and access logs, and the request body size limit."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Sequence

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.kit.context import request_id_var
from app.kit.problem import to_problem

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = structlog.get_logger("trackr.access")


class RequestContextMiddleware:
    """Use the caller's X-Request-ID when it is sane, else make one; echo it; log the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The raw headers scanned directly: Headers(...).get raises and catches a KeyError
        # whenever the header is absent (most requests), which showed in the profile.
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == _REQUEST_ID_KEY), ""
        )
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """413 for bodies above `max_bytes`: at once from Content-Length, or while streaming.

    Paths matching a pattern of `larger` (file uploads) may carry up to its own limit
    instead; the route then checks what it accepts exactly.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = tuple(larger)

    def limit(self, path: str) -> int:
        return next(
            (limit for pattern, limit in self.larger if pattern.match(path)), self.max_bytes
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._reject(scope, receive, send, max_bytes)
            return
        received = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    exceeded = True
                    raise PayloadTooLarge(_detail(max_bytes))
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app answers to the interrupted read (FastAPI says 400) is
            # replaced by our 413 below.
            if not exceeded:
                await send(message)

        with contextlib.suppress(PayloadTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded:
            await self._reject(scope, receive, send, max_bytes)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = to_problem(PayloadTooLarge(_detail(max_bytes)), Request(scope, receive))
        await response(scope, receive, send)


def _detail(max_bytes: int) -> str:
    return f"The request body is larger than {max_bytes} bytes."


class HttpsOnlyMiddleware:
    """FORCE_HTTPS (seed 000: "CustomerTrackr forces HTTPS for all requests"): a plain-HTTP
    request, whatever the route, is redirected to the same URL over HTTPS (308, so a POST
    stays a POST), and every HTTPS response carries HSTS. The scheme is the one the server
    saw, or X-Forwarded-Proto from a trusted proxy: it must run inside ProxyHeadersMiddleware,
    which believes that header only from FORWARDED_ALLOW_IPS."""

    def __init__(self, app: ASGIApp, *, hsts_max_age: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("scheme") != "https":
            await self._redirect(scope, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Strict-Transport-Security"] = self.hsts
            await send(message)

        await self.app(scope, receive, send_with_hsts)

    @staticmethod
    async def _redirect(scope: Scope, send: Send) -> None:
        host = Headers(scope=scope).get("host")
        if not host or not _VALID_HOST.match(host):
            server = scope.get("server") or ("localhost", None)
            host = str(server[0])
        else:
            host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        target = f"https://{host}{scope.get('root_path', '')}{scope['path']}"
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        await send(
            {
                "type": "http.response.start",
                "status": 308,
                "headers": [(b"location", target.encode("latin-1")), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})


# A Host header worth redirecting to: a name or address, an optional port; nothing else.
_VALID_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
