"""Custom field filters of a list (`cf.<key>=value` in the query string).

A query string holds text; each value is read as its field's type (a number, true/false,
a date) and checked like a stored value, so `cf.size=12` finds the JSON number 12.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.custom_field.models import CustomField
from app.custom_field.repository import CustomFieldRepository
from app.custom_field.service import check_value
from app.errors import FieldError, ValidationFailed

PREFIX = "cf."


def _from_text(raw: str, definition: CustomField) -> Any:
    if definition.type == "number":
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
        return int(number) if number.is_integer() and "." not in raw else number
    if definition.type == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("must be true or false")
        return raw == "true"
    return raw


async def filter_values(
    session: AsyncSession, company_id: uuid.UUID, entity: str, raw: Mapping[str, str]
) -> dict[str, Any]:
    """The typed values to match, for a JSONB containment filter. Unknown keys and values
    of the wrong type are one 422 naming each `cf.<key>` query parameter."""
    definitions = {
        d.key: d for d in await CustomFieldRepository(session, company_id).for_entity(entity)
    }
    wanted: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, text in raw.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(PREFIX + key, "unknown custom field", "query"))
            continue
        try:
            wanted[key] = check_value(_from_text(text, definition), definition)
        except ValueError as exc:
            errors.append(FieldError(PREFIX + key, str(exc), "query"))
    if errors:
        raise ValidationFailed(errors)
    return wanted
