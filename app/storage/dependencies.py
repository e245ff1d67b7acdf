"""The app's one blob store, built at start-up (app/main.py), for routes to depend on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.storage.blob import BlobStore


async def get_blob_store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blob_store
    return store


BlobStoreDep = Annotated[BlobStore, Depends(get_blob_store)]
