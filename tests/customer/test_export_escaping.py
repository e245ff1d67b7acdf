"""The export's formula escaping (OWASP CSV injection), computed by PostgreSQL."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import literal, select

from app.customer.export import _safe_text

CASES = {
    "=SUM(A1)": "'=SUM(A1)",
    "@cmd": "'@cmd",
    "\tx": "'\tx",
    "\rx": "'\rx",
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3+cmd": "'-2+3+cmd",
    "+1 415 555 0132": "+1 415 555 0132",  # a phone number stays as it is
    "-42": "-42",
    "Ada Lovelace": "Ada Lovelace",
    "": "",
    "É=x": "É=x",  # only the first character counts
}


async def test_cells_that_start_like_a_formula_are_prefixed(app: FastAPI) -> None:
    async with app.state.sessions() as session:
        for value, expected in CASES.items():
            found = await session.scalar(select(_safe_text(literal(value))))
            assert found == expected, value
