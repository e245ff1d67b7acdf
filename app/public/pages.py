"""The hosted pages (`/f/...`): server-rendered with Jinja2 (autoescaped; the only values
that reach the page's CSS are validated colours, a radius and a font stack from a fixed
list), usable without JavaScript (a plain form POST, errors inline, then a thank-you page)
and with it (the page's script posts to the public API and shows errors without a reload).
Every page carries a nonce-based CSP whose frame-ancestors are the company's own origins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError

from app.auth.dependencies import PUBLIC
from app.errors import Conflict, ValidationFailed
from app.kit.dependencies import SessionDep, SettingsDep
from app.kit.unit_of_work import UnitOfWorkRoute
from app.order_form.schemas import FONTS
from app.order_form.service import PublicForm
from app.order_form.submission.schemas import SubmissionCreate
from app.public import submissions
from app.public.dependencies import SUBMISSION_LIMITS, FormTokensDep, OrderFormDep, Slug
from app.public.security import new_nonce, page_headers

router = APIRouter(prefix="/f", route_class=UnitOfWorkRoute, dependencies=[PUBLIC])
# Bodies of submissions (API and page) are small: their own, lower size limit (app/main.py).
SUBMIT_PATH = re.compile(r"^(/v1/public/forms/[^/]+/submissions|/f/[^/]+)/?$")
LOGO_PATH = "/v1/public/forms/{slug}/logo"

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
AUTOCOMPLETE = {"name": "name", "email": "email", "phone": "tel", "address_line1": "street-address"}
ADDRESS_PARTS = (
    ("address_line1", "Street address"),
    ("city", "City"),
    ("postal_code", "Postal code"),
)
_NUMBER = {"number": "number", "date": "date"}


@dataclass(frozen=True)
class Input:
    """One control of the page: `input` is its name in the HTML form (`cf.<key>` for a
    custom field), which is also what its error is keyed by."""

    input: str
    label: str
    type: str
    required: bool
    options: list[str]
    autocomplete: str | None


def _inputs(form: PublicForm) -> list[Input]:
    inputs: list[Input] = []
    for f in form.fields:
        if f.name == "address":
            inputs.extend(
                Input(part, label, "text", f.required and part == "address_line1", [], None)
                for part, label in ADDRESS_PARTS
            )
            continue
        kind = f.type if f.entity is None else _NUMBER.get(f.type, f.type)
        if f.entity is not None and kind not in {"number", "date", "select", "boolean"}:
            kind = "text"
        inputs.append(Input(f.name, f.label, kind, f.required, f.options, AUTOCOMPLETE.get(f.name)))
    return inputs


def _render(
    template: str, form: PublicForm, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    nonce = new_nonce()
    html = templates.get_template(template).render(
        form=form,
        style=form.style,
        font=Markup(FONTS[form.style.font_family]),  # noqa: S704 - our own constant
        logo_url=LOGO_PATH.format(slug=form.slug) if form.logo_sha256 else None,
        nonce=nonce,
        **context,
    )
    return HTMLResponse(
        html, status_code=status_code, headers=page_headers(nonce, form.allowed_origins)
    )


def _form_page(
    form: PublicForm,
    token: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    inputs = _inputs(form)
    return _render(
        "form.html",
        form,
        status_code=status_code,
        fields=inputs,
        labels={i.input: i.label for i in inputs},
        values=values or {},
        errors=errors or {},
        token=token,
        action=f"{router.prefix}/{form.slug}",
        api=f"/v1/public/forms/{form.slug}/submissions",
    )


@router.get(
    "/{slug}",
    operation_id="public_form_page",
    include_in_schema=False,
    response_class=HTMLResponse,
)
async def form_page(slug: Slug, form: OrderFormDep, tokens: FormTokensDep) -> HTMLResponse:
    """The company's order form as a page of its own, in its style."""
    return _form_page(form, tokens.issue(slug))


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"custom_fields": {}}
    for name, value in values.items():
        if value == "":
            continue
        if name.startswith("cf."):
            body["custom_fields"][name.removeprefix("cf.")] = value
        else:
            body[name] = value
    return body


def _input_name(loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "custom_fields":
        return f"cf.{loc[1]}"
    return str(loc[0]) if loc else "form_token"


@router.post(
    "/{slug}",
    operation_id="public_form_page_submit",
    include_in_schema=False,
    response_class=HTMLResponse,
    dependencies=[SUBMISSION_LIMITS],
)
async def submit_page(
    slug: Slug,
    form: OrderFormDep,
    tokens: FormTokensDep,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> HTMLResponse:
    """The form sent without JavaScript: the thank-you page, or the form again with each
    error beside its field (422)."""
    await request.body()  # kept for the idempotency fingerprint before the form is parsed
    values = {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
    token = values.get("form_token", "")
    try:
        body = SubmissionCreate.model_validate(_body(values))
        outcome = await submissions.receive(request, session, settings, tokens, form, body, None)
    except ValidationError as exc:
        errors = {_input_name(e["loc"]): _message(e) for e in exc.errors()}
        return _again(form, tokens, slug, values, errors, token)
    except ValidationFailed as exc:
        errors = {_input_name(tuple(e.field.split(".", 1))): e.message for e in exc.errors}
        return _again(form, tokens, slug, values, errors, token)
    except Conflict:
        # A double click: the first request is being stored; this one thanks the same.
        return _render("thanks.html", form, reference="")
    return _render("thanks.html", form, reference=outcome.reference)


def _message(error: Any) -> str:
    text = str(error.get("msg", "is not valid"))
    return "is required" if error.get("type") == "missing" else text.removeprefix("Value error, ")


def _again(
    form: PublicForm,
    tokens: Any,
    slug: str,
    values: dict[str, str],
    errors: dict[str, str],
    token: str,
) -> HTMLResponse:
    kept = {k: v for k, v in values.items() if k not in {"form_token", "website"}}
    fresh = token if "form_token" not in errors else tokens.issue(slug)
    return _form_page(
        form, fresh, values=kept, errors=errors, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )
