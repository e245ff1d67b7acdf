"""Work that must wait for the request's commit: a service asks for it with `after_commit`,
the unit of work (app.kit.unit_of_work) runs it once the transaction committed, after the
response is sent, and drops it when the request fails. So a job is never enqueued, or a
blob never removed, for a change that was rolled back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

AfterCommit = Callable[[], Awaitable[None]]
_KEY = "trackr.after_commit"
_ON_COMMIT_KEY = "trackr.on_commit"


def after_commit(session: AsyncSession, work: AfterCommit) -> None:
    """Run `work` after this session's transaction commits (never if it rolls back)."""
    session.info.setdefault(_KEY, []).append(work)


def take_after_commit(session: AsyncSession) -> list[AfterCommit]:
    """The work asked for so far, handed over once: the caller runs it or drops it."""
    work: list[AfterCommit] = session.info.pop(_KEY, [])
    return work


def on_commit(session: AsyncSession | Session, work: AfterCommit) -> None:
    """Run `work` right after this session's transaction commits, before the response is
    sent (never if it rolls back): for what the caller must be able to rely on as soon as it
    has the answer, such as another API process refusing a revoked credential."""
    session.info.setdefault(_ON_COMMIT_KEY, []).append(work)


def take_on_commit(session: AsyncSession) -> list[AfterCommit]:
    """The `on_commit` work asked for so far, handed over once."""
    work: list[AfterCommit] = session.info.pop(_ON_COMMIT_KEY, [])
    return work
