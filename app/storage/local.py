"""The blob store on the local disk: one file per key under a root folder.

File I/O runs in worker threads (anyio.to_thread), a chunk at a time, so a large blob never
blocks the event loop. A put writes a temporary file next to its target and renames it over
the target (`os.replace`, atomic on POSIX), so a reader or a crash never sees half a blob.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from app.storage.blob import CHUNK_BYTES, BlobNotFound, check_key

TEMPORARY_PREFIX = ".part-"


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def path(self, key: str) -> Path:
        # check_key admits no `..` or empty segment: the path stays under the root.
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        target = self.path(key)
        handle, temporary = await to_thread.run_sync(_create_temporary, target.parent)
        try:
            async for chunk in chunks:
                if chunk:
                    await to_thread.run_sync(handle.write, chunk)
            await to_thread.run_sync(_commit, handle, temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                await to_thread.run_sync(_discard, handle, temporary)
            raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            handle = await to_thread.run_sync(_open, self.path(key))
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        return _read(handle)

    async def delete(self, key: str) -> None:
        await to_thread.run_sync(partial(self.path(key).unlink, missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await to_thread.run_sync(self.path(key).is_file)


def _create_temporary(folder: Path) -> tuple[BinaryIO, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX)
    return os.fdopen(descriptor, "wb"), Path(name)


def _open(path: Path) -> BinaryIO:
    return path.open("rb")


def _commit(handle: BinaryIO, temporary: Path, target: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, target)
    # The rename itself must survive a crash too.
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _discard(handle: BinaryIO, temporary: Path) -> None:
    handle.close()
    temporary.unlink(missing_ok=True)


async def _read(handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await to_thread.run_sync(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
