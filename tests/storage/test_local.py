"""The local blob store: keys map under its root only, puts are all-or-nothing, reads stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.storage.blob import CHUNK_BYTES, BlobNotFound
from app.storage.local import LocalBlobStore


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _read(store: LocalBlobStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in await store.open(key)])


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_put_open_exists_delete(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    big = bytes(range(256)) * (CHUNK_BYTES // 128 + 3)  # a few chunks and a bit
    await store.put("c1/ab/abc", _chunks(b"", big[:1000], big[1000:]))
    assert await store.exists("c1/ab/abc")
    assert await _read(store, "c1/ab/abc") == big
    chunks = [chunk async for chunk in await store.open("c1/ab/abc")]
    assert max(len(c) for c in chunks) <= CHUNK_BYTES
    assert _files(tmp_path) == [tmp_path / "c1" / "ab" / "abc"]

    await store.put("c1/ab/abc", _chunks(b"replaced"))
    assert await _read(store, "c1/ab/abc") == b"replaced"
    await store.put("empty", _chunks())
    assert await _read(store, "empty") == b""

    await store.delete("c1/ab/abc")
    await store.delete("c1/ab/abc")  # a retried delete is fine
    assert not await store.exists("c1/ab/abc")
    with pytest.raises(BlobNotFound):
        await store.open("c1/ab/abc")


async def test_a_failed_put_leaves_the_old_blob_and_no_trace(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    await store.put("k/v", _chunks(b"old"))

    async def broken() -> AsyncIterator[bytes]:
        yield b"new, half"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        await store.put("k/v", broken())
    assert await _read(store, "k/v") == b"old"
    assert _files(tmp_path) == [tmp_path / "k" / "v"]
    with pytest.raises(ConnectionError):
        await store.put("k/new", broken())
    assert not await store.exists("k/new")
    assert _files(tmp_path) == [tmp_path / "k" / "v"]


@pytest.mark.parametrize(
    "key", ["", "../escape", "a/../../b", "/absolute", "a//b", "a/./b", "a/", "a\\b", "a b", "ä"]
)
async def test_keys_that_could_leave_the_root_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalBlobStore(tmp_path / "root")
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.put(key, _chunks(b"x"))
    with pytest.raises(ValueError, match="invalid blob key"):
        await store.open(key)
    assert not (tmp_path / "escape").exists()
