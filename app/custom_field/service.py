"""Custom fields: company-defined fields on customers, orders and equipment (seeds 000-002).

A definition fixes a value's key and type; the values themselves live in the record's
`custom_fields` JSONB and are checked here (`validate_values`) by the entity's service.
Entity, key and type are fixed at creation, since stored values depend on them. Deleting a
definition that records still hold values for needs `confirm`, and takes those values out.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.custom_field.models import CUSTOM_FIELD_ENTITIES, CustomField
from app.custom_field.repository import CustomFieldRepository
from app.custom_field.schemas import CustomFieldCreate, CustomFieldUpdate
from app.errors import Conflict, FieldError, ValidationFailed
from app.event import service as events
from app.kit.concurrency import check_version
from app.kit.pagination import CursorCodec, PageParams, PageResult

MAX_TEXT_LENGTH = 2000
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_options(type_: str, options: Sequence[str]) -> list[str]:
    """A `select` needs at least one option, each once; other types take none (422 naming
    `options`)."""
    if type_ == "select":
        if not options:
            raise ValidationFailed.field("options", "a select field needs at least one option")
        repeated = sorted({o for o in options if options.count(o) > 1})
        if repeated:
            raise ValidationFailed.field("options", f"repeated option(s): {', '.join(repeated)}")
    elif options:
        raise ValidationFailed.field("options", f"a {type_} field takes no options")
    return list(options)


async def list_custom_fields(
    session: AsyncSession,
    principal: Principal,
    *,
    entity: str | None,
    params: PageParams,
    codec: CursorCodec,
) -> PageResult[CustomField]:
    """Definitions ordered by position, then key (then id, across entities)."""
    repository = CustomFieldRepository(session, principal.company_id)
    stmt = repository.select()
    if entity is not None:
        stmt = stmt.where(CustomField.entity == entity)
    return await repository.page_in_order(stmt, params=params, codec=codec)


async def get_custom_field(
    session: AsyncSession, principal: Principal, custom_field_id: uuid.UUID
) -> CustomField:
    return await CustomFieldRepository(session, principal.company_id).get_or_404(custom_field_id)


async def create_custom_field(
    session: AsyncSession, principal: Principal, body: CustomFieldCreate
) -> CustomField:
    """Create a definition; its key is unique per entity in the company (409)."""
    repository = CustomFieldRepository(session, principal.company_id)
    options = check_options(body.type, body.options)
    if await repository.key_taken(body.entity, body.key):
        raise Conflict(
            f"A {body.entity} custom field with the key '{body.key}' already exists.", field="key"
        )
    custom_field = repository.add(
        CustomField(
            entity=body.entity,
            key=body.key,
            label=body.label,
            type=body.type,
            options=options,
            required=body.required,
            position=body.position,
        )
    )
    await session.flush()
    events.record(session, principal, "created", custom_field)
    return custom_field


async def update_custom_field(
    session: AsyncSession,
    principal: Principal,
    custom_field_id: uuid.UUID,
    body: CustomFieldUpdate,
    *,
    expected_version: int | None,
) -> CustomField:
    """Change label, options (of a select), required or position; locked, 412 when stale.

    Stored values are not rechecked: a value no longer among the options, or a record
    missing a newly required value, is refused only when that record's values change."""
    repository = CustomFieldRepository(session, principal.company_id)
    custom_field = await repository.get_or_404(custom_field_id, for_update=True)
    check_version(custom_field.version, expected_version)
    before = events.snapshot(custom_field)
    changes = body.changes()
    if "options" in changes:
        custom_field.options = check_options(custom_field.type, changes["options"])
    for name in ("label", "required", "position"):
        if name in changes:
            setattr(custom_field, name, changes[name])
    await session.flush()
    events.record(session, principal, "updated", custom_field, before=before)
    return custom_field


async def delete_custom_field(
    session: AsyncSession,
    principal: Principal,
    custom_field_id: uuid.UUID,
    *,
    confirm: bool,
    expected_version: int | None,
) -> None:
    """Delete a definition. While records hold a value for it, refuse (409, with
    `value_count`) unless `confirm`; then remove the key from those records in the same
    transaction (their version moves on)."""
    repository = CustomFieldRepository(session, principal.company_id)
    custom_field = await repository.get_or_404(custom_field_id, for_update=True)
    check_version(custom_field.version, expected_version)
    held = await repository.count_values(custom_field.entity, custom_field.key)
    if held and not confirm:
        raise Conflict(
            f"{held} {custom_field.entity} record(s) hold a value for '{custom_field.key}'; "
            "pass confirm=true to delete the field and those values.",
            value_count=held,
        )
    before = events.snapshot(custom_field, records_with_values=held)
    # Even when none were counted: a value written since the count goes too.
    await repository.remove_values(custom_field.entity, custom_field.key)
    await repository.delete(custom_field)
    await session.flush()
    events.record(session, principal, "deleted", custom_field, before=before, deleted=True)


# --- Values -----------------------------------------------------------------------------------


def _text(value: Any, _: CustomField) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(f"must be at most {MAX_TEXT_LENGTH} characters")
    return value


def _number(value: Any, _: CustomField) -> int | float:
    # bool is an int to Python, not a number to a client.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _date(value: Any, _: CustomField) -> str:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("is not a valid date") from None


def _boolean(value: Any, _: CustomField) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _select(value: Any, definition: CustomField) -> str:
    if not isinstance(value, str) or value not in definition.options:
        raise ValueError(f"must be one of: {', '.join(definition.options)}")
    return value


_CHECKS: dict[str, Callable[[Any, CustomField], Any]] = {
    "text": _text,
    "number": _number,
    "date": _date,
    "boolean": _boolean,
    "select": _select,
}


def check_value(value: Any, definition: CustomField) -> Any:
    """The JSON value to store (or match) for `definition`, normalised; ValueError saying
    what is wrong when `value` is not of the field's type. Null is not a value here."""
    return _CHECKS[definition.type](value, definition)


async def validate_values(
    session: AsyncSession,
    company_id: uuid.UUID,
    entity: str,
    values: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The values to store for a record of `entity`: `current` (the record's stored values,
    on an update) with `values` applied, each checked against the company's definitions.

    A null value removes that key. Refuses, all problems at once in one 422 whose fields
    are `custom_fields.<key>`: an unknown key, a value of the wrong type, a required field
    left without a value. Stored values are kept as they are, except keys that no longer
    have a definition (deleted since), which are dropped."""
    if entity not in CUSTOM_FIELD_ENTITIES:
        raise ValueError(f"unknown custom field entity {entity!r}")
    definitions = {
        d.key: d for d in await CustomFieldRepository(session, company_id).for_entity(entity)
    }
    result = {k: v for k, v in (current or {}).items() if k in definitions}
    errors: list[FieldError] = []
    refused: set[str] = set()
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{key}", "unknown custom field"))
            refused.add(key)
        elif value is None:
            result.pop(key, None)
        else:
            try:
                result[key] = check_value(value, definition)
            except ValueError as exc:
                errors.append(FieldError(f"custom_fields.{key}", str(exc)))
                refused.add(key)
    for key, definition in definitions.items():
        if definition.required and key not in result and key not in refused:
            errors.append(FieldError(f"custom_fields.{key}", "is required"))
    if errors:
        raise ValidationFailed(errors)
    return result


# Custom field filters of a list (`cf.<key>=value` in the query string). A query string
# holds text; each value is read as its field's type (a number, true/false, a date) and
# checked like a stored value, so `cf.size=12` finds the JSON number 12.

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
