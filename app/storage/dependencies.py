"""The app's one blob store, built at start-up (app/main.py), for routes to depend on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.kit.dependencies import from_state
from app.storage.blob import BlobStore

BlobStoreDep = Annotated[BlobStore, Depends(from_state("blob_store", BlobStore))]
