"""Base schemas: strict input (unknown fields are a 422), ORM-readable output, list pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeAlias, TypeVar

import email_validator
import iso3166
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue, WithJsonSchema
from pydantic_core import CoreSchema

T = TypeVar("T")

# PostgreSQL text cannot hold NUL (U+0000): such a string would fail in the driver as a 500.
# Every free-text string a client sends is `Text` (or `NonBlankText`), refused with a 422
# naming the field, and the contract says so (a `pattern`), so clients and generated tests
# know it too. (Lone surrogates, which JSON "\ud800" escapes can produce, pydantic already
# refuses as non-Unicode.) A field with a stricter pattern of its own may stay a plain `str`.
NO_NUL_PATTERN = r"^[^\x00]*$"
# Unicode White_Space, spelled out so that every regex engine (ours, the client's, a test
# generator's) reads the class alike.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NON_BLANK_PATTERN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"
_VISIBLE = re.compile(rf"[^{_SPACE}]")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    return value


def _not_blank(value: str) -> str:
    if not _VISIBLE.search(_no_nul(value)):
        raise ValueError("must not be blank")
    return value


# The validators say what is wrong in words; the patterns say the same to the contract.
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})]
# A name, a title: something to show, so not only whitespace.
NonBlankText = Annotated[
    str, AfterValidator(_not_blank), Field(json_schema_extra={"pattern": NON_BLANK_PATTERN})
]


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# An email address: email-validator's syntax (RFC 5321/5322 dot-atom, no display names, no
# quoted local parts or IP literals), at most 64 octets before the @-sign and 254 in all, and
# not at a special-use domain (RFC 6761: `.test`, `.localhost`, `.invalid`, ...), which it
# refuses so that nobody can make us send mail there. Taken as sent: nothing stripped, no
# display name dropped. The contract says `format: email` (an ASCII address) and, as a
# pattern, what that format would admit but we do not: a dotless domain, a top-level domain
# not ending with a letter or special-use, quotes, brackets. (Internationalised addresses,
# which `format: email` does not describe, are accepted too.)
_LOCAL_CHARACTER = r"[\x21\x23-\x3b\x3d\x3f\x41-\x5a\x5c\x5e-\x7e]"  # printable, not "<>@[]
_SPECIAL_USE = "|".join(_any_case(name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
EMAIL_PATTERN = (
    rf"^{_LOCAL_CHARACTER}+@[A-Za-z0-9.-]+\.(?!(?:{_SPECIAL_USE})$)[A-Za-z0-9-]*[A-Za-z]$"
)
EMAIL_MAX_LENGTH = 254


def _valid_email(value: str) -> str:
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValueError(f"is not a valid email address: longer than {EMAIL_MAX_LENGTH}")
    try:
        address = email_validator.validate_email(value, check_deliverability=False, strict=True)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return address.normalized


Email = Annotated[
    str,
    AfterValidator(_valid_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": EMAIL_MAX_LENGTH,
            "pattern": EMAIL_PATTERN,
        }
    ),
]


# A country: an ISO 3166-1 alpha-2 code, upper case, that exists (`ZZ` has the shape but is
# no country). The contract lists the codes, so that clients and generated tests know them.
COUNTRY_CODES = tuple(sorted(iso3166.countries_by_alpha2))


def _iso_country(value: str) -> str:
    if value not in iso3166.countries_by_alpha2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code in upper case, e.g. US")
    return value


Country = Annotated[
    str,
    AfterValidator(_iso_country),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(COUNTRY_CODES),
            "description": "ISO 3166-1 alpha-2, e.g. `US`.",
        }
    ),
]


class InputSchema(BaseModel):
    """Every request body. `extra="forbid"` makes mass assignment impossible: a field the
    schema does not name is refused, never silently dropped or written. Strings are taken
    as sent (not stripped), so that what the contract says of them (lengths, patterns) is
    exactly what is checked."""

    model_config = ConfigDict(extra="forbid")


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# `field: str | Omitted = None` in an UpdateSchema: the field may be left out, but the
# contract does not offer null (UpdateSchema removes it), and an explicit null is refused with
# a 422 naming the field. A plain Optional, so validation errors name the field itself.
Omitted: TypeAlias = None


def _hide_null(schema: dict[str, Any], model: type[BaseModel]) -> None:
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable:
            continue
        options = prop.pop("anyOf", None)
        if options is not None:
            rest = [option for option in options if option.get("type") != "null"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class UpdateSchema(InputSchema):
    """A PATCH body: only the fields sent change (`changes()`)."""

    # Fields that may be set to null explicitly (to clear them).
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        _hide_null(handler.resolve_ref_schema(schema), cls)
        return schema

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


# RFC 3339 date-time, as `format: date-time` means it: pydantic alone would also take a
# number (a Unix time) or a bare date from a query string.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time, e.g. 2026-11-23T09:00:00Z")
    return value


DateTimeParam = Annotated[datetime, BeforeValidator(_rfc3339)]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if not (isinstance(value, str) and _ISO_DATE.match(value)):
        raise ValueError("must be a date, e.g. 2026-11-23")
    return value


DateParam = Annotated[date, BeforeValidator(_iso_date)]
"""A date in a query string, as `format: date` means it (pydantic would take `0`)."""


def _whole_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)
"""With `Field(strict=True)` on an int, last in its `Annotated` (after the constraints, so
they stay in the contract): an integer as JSON Schema's `integer` means it, 962 and 962.0,
but not 962.5, "962" or true. For money, where a lax integer would hide a mistake."""
