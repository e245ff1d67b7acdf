"""Phone numbers: parsed with `phonenumbers` and stored in E.164 (+15555550123).

A number without a country code is read as a number of DEFAULT_REGION. No JSON schema can
say which digit strings are possible numbers, so the contract states the characters and
length, and the validator refuses the rest with a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

DEFAULT_REGION = "US"
PHONE_MAX_LENGTH = 32
PHONE_PATTERN = r"^\+?[0-9][0-9 ().\-]*$"


def to_e164(value: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of `value`; ValueError when it is not a possible phone number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[
    str,
    StringConstraints(max_length=PHONE_MAX_LENGTH),
    AfterValidator(to_e164),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": PHONE_MAX_LENGTH,
            "pattern": PHONE_PATTERN,
            "description": "Any common notation; stored and returned in E.164.",
            "examples": ["+1 415 555 0132"],
        }
    ),
]
