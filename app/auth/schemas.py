from __future__ import annotations

import uuid

from pydantic import Field

from app.company.schemas import CompanyRead
from app.kit.schemas import Email, InputSchema, NonBlankText, ReadSchema
from app.user.schemas import UserRead

Password = Field(min_length=10, max_length=128, description="At least 10 characters.")


class SignupCreate(InputSchema):
    company_name: NonBlankText = Field(min_length=1, max_length=200)
    name: NonBlankText = Field(min_length=1, max_length=200, description="The admin user's name.")
    email: Email
    password: str = Password
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    timezone: NonBlankText = Field(default="UTC", min_length=1, max_length=64)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "company_name": "Acme Installers",
                    "name": "Ada Admin",
                    "email": "ada@acme.example",
                    "password": "correct-horse-battery",
                }
            ]
        }
    }


class TokenCreate(InputSchema):
    email: Email
    password: str = Field(min_length=1, max_length=128)

    model_config = {
        "json_schema_extra": {
            "examples": [{"email": "ada@acme.example", "password": "correct-horse-battery"}]
        }
    }


class RefreshCreate(InputSchema):
    refresh_token: str = Field(min_length=1, max_length=200)

    model_config = {
        "json_schema_extra": {"examples": [{"refresh_token": "5iFlzGNIwaSyTDOgwdZhPctLJmUA76m2"}]}
    }


class TokenRead(ReadSchema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Single use: refreshing returns a new one.")
    refresh_expires_in: int


class SignupRead(ReadSchema):
    company: CompanyRead
    user: UserRead
    token: TokenRead


class MeRead(ReadSchema):
    user: UserRead
    company: CompanyRead
    permissions: list[str] = Field(description="Effective permissions, sorted.")
    api_key_id: uuid.UUID | None = Field(
        default=None, description="Set when the request was made with an API key."
    )
