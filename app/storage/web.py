"""The HTTP half of uploaded files (app/storage/files.py is the other): the body size allowance
of an upload route, the streamed download with a safe `Content-Disposition`, and what the
contract says about it. For routers only."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from app.config import Settings
from app.errors import NotFound
from app.storage.blob import BlobNotFound, BlobStore

# An upload's body may exceed MAX_BODY_BYTES, by the file's limit plus what the multipart
# framing (and a few form fields) adds: app/main.py gives the upload paths this limit.
MULTIPART_ALLOWANCE = 64 * 1024

# The ASCII fallback name keeps letters, digits and a few harmless marks; everything else
# (quotes, backslashes, separators, controls, non-ASCII) becomes "_": it cannot break the
# header.
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+,=@~-]")

UPLOAD_DESCRIPTION = "The file, as a `multipart/form-data` part with a file name."

# The contract of a download route (`responses=` of its decorator).
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The content, as uploaded, with the stored content type.",
        "content": {"*/*": {"schema": {}}},
        "headers": {
            "Content-Disposition": {
                "description": "`attachment`, with the file name (`filename*`, UTF-8).",
                "schema": {"type": "string"},
            },
        },
    }
}


def upload_body_limit(settings: Settings) -> int:
    return settings.max_upload_bytes + MULTIPART_ALLOWANCE


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name for old clients and the exact name as
    RFC 8187 `filename*` (UTF-8, percent-encoded) for the others (RFC 6266)."""
    decomposed = unicodedata.normalize("NFKD", filename)  # "é" is "e" and a combining mark
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    fallback = _FALLBACK_UNSAFE.sub("_", base).strip(" .") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def download(
    store: BlobStore,
    key: str,
    *,
    filename: str,
    content_type: str,
    size: int,
    missing: str,
) -> StreamingResponse:
    """The blob under `key`, streamed as a download named `filename`; 404 saying `missing`
    when the store has lost it (checked before the first byte is sent)."""
    try:
        chunks = await store.open(key)
    except BlobNotFound:
        raise NotFound(missing) from None
    return StreamingResponse(
        chunks,
        headers={
            # As stored: `media_type=` would add a charset to text/* types.
            "Content-Type": content_type,
            "Content-Length": str(size),
            "Content-Disposition": content_disposition(filename),
            # Never rendered or sniffed as something else: it is the user's content.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
