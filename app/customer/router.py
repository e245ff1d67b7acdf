from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.auth.dependencies import CustomersDelete, CustomersRead, CustomersWrite
from app.customer import bulk as bulk_service
from app.customer import export as export_service
from app.customer import service
from app.customer import summary as summary_service
from app.customer.models import ROW_FIELDS
from app.customer.schemas import (
    BulkItemRead,
    BulkRead,
    CustomerBulk,
    CustomerBulkTags,
    CustomerBulkUpdate,
    CustomerCreate,
    CustomerRead,
    CustomerStatus,
    CustomerSummaryRead,
    CustomerTagRead,
    CustomerUpdate,
    DuplicateList,
    DuplicateRead,
)
from app.errors import ValidationFailed
from app.event.schemas import EventRead
from app.kit.concurrency import etag
from app.kit.dependencies import CursorCodecDep, IfMatch, PageParamsDep, SessionDep, get_sessions
from app.kit.phone import to_e164
from app.kit.problem import problem_document, problem_responses
from app.kit.responses import as_page, json_response, set_etag
from app.kit.schemas import NO_NUL_PATTERN, DateTimeParam, Page
from app.kit.unit_of_work import UnitOfWorkRoute
from app.storage.dependencies import BlobStoreDep

router = APIRouter(prefix="/v1/customers", route_class=UnitOfWorkRoute, tags=["customers"])

CustomerSort = Literal["name", "-name", "number", "-number", "created_at", "-created_at"]
CUSTOM_FIELD_PREFIX = "cf."
MAX_CUSTOM_FIELD_FILTERS = 10


def to_read(view: service.CustomerView) -> CustomerRead:
    """The read model of a customer, built without validation: every value comes from our
    own row, typed by its column, and validating 50 of them was a fifth of the list's time
    (bench/ profile). The contract test and schemathesis check what is served."""
    customer = view.customer
    return CustomerRead.model_construct(
        **{name: getattr(customer, name) for name in ROW_FIELDS},
        tags=[
            CustomerTagRead.model_construct(id=t.id, name=t.name, color=t.color) for t in view.tags
        ],
        balance=view.derived.balance,
        is_lead=view.derived.is_lead,
    )


def _respond(response: Response, view: service.CustomerView) -> CustomerRead:
    set_etag(response, view.customer.version)
    return to_read(view)


async def customer_filters(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NO_NUL_PATTERN,
            description="Substring of name, email, phone or account number.",
        ),
    ] = None,
    status: CustomerStatus | None = None,
    tag: Annotated[
        list[uuid.UUID] | None, Query(max_length=20, description="Any of these tag ids.")
    ] = None,
    is_lead: bool | None = None,
    created_from: Annotated[DateTimeParam | None, Query(description="Joined at or after.")] = None,
    created_to: Annotated[DateTimeParam | None, Query(description="Joined before.")] = None,
) -> service.CustomerFilters:
    """The list's filters; also `cf.<key>=value` for custom field equality."""
    custom = {
        key.removeprefix(CUSTOM_FIELD_PREFIX): value
        for key, value in request.query_params.items()
        if key.startswith(CUSTOM_FIELD_PREFIX)
    }
    if len(custom) > MAX_CUSTOM_FIELD_FILTERS:
        raise ValidationFailed.field(
            "cf", f"at most {MAX_CUSTOM_FIELD_FILTERS} custom field filters"
        )
    return service.CustomerFilters(
        q=q,
        status=status,
        tag_ids=tag or (),
        is_lead=is_lead,
        created_from=created_from,
        created_to=created_to,
        custom_fields=custom or None,
    )


CustomerFiltersDep = Annotated[service.CustomerFilters, Depends(customer_filters)]


@router.get(
    "",
    operation_id="customers_list",
    response_model=Page[CustomerRead],
    description="Filter with `cf.<key>=value` for custom field equality, besides the "
    "parameters below. Every sort pages with keyset cursors.",
)
async def list_customers(
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
    filters: CustomerFiltersDep,
    sort: CustomerSort = "name",
) -> Response:
    page = await service.list_customers(
        session, principal, filters=filters, sort=sort, params=params, codec=codec
    )
    return json_response(
        {"data": page.items, "has_more": page.has_more, "next_cursor": page.next_cursor}
    )


@router.post(
    "",
    operation_id="customers_create",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
async def create_customer(
    body: CustomerCreate, principal: CustomersWrite, session: SessionDep, response: Response
) -> CustomerRead:
    """Create a customer. A customer with the same name (ignoring case, spacing and
    punctuation), email or phone is a 409 listing the matches in `matches`, unless
    `confirm_duplicate` is true."""
    view = await service.create_customer(session, principal, body)
    response.headers["Location"] = f"{router.prefix}/{view.customer.id}"
    return _respond(response, view)


@router.get("/duplicates", operation_id="customers_duplicates")
async def find_duplicates(
    principal: CustomersRead,
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=200, pattern=NO_NUL_PATTERN)] = None,
    email: Annotated[str | None, Query(max_length=254, pattern=NO_NUL_PATTERN)] = None,
    phone: Annotated[str | None, Query(max_length=32, pattern=NO_NUL_PATTERN)] = None,
) -> DuplicateList:
    """Warn-as-you-type: customers matching a name, email or phone being entered, exact
    matches first, then similar names ranked by trigram similarity."""
    e164 = None
    if phone:
        try:
            e164 = to_e164(phone)
        except ValueError:
            e164 = None  # not a number yet: nothing can match it
    matches = await service.find_duplicates(session, principal, name=name, email=email, phone=e164)
    return DuplicateList(
        data=[
            DuplicateRead(
                id=c.id,
                number=c.number,
                name=c.name,
                email=c.email,
                phone=c.phone,
                reasons=reasons,
                score=score,
            )
            for c, reasons, score in matches
        ]
    )


@router.post("/bulk", operation_id="customers_bulk")
async def bulk(
    body: CustomerBulk, principal: CustomersWrite, session: SessionDep, store: BlobStoreDep
) -> BulkRead:
    """Enable, disable, delete (needs `customers:delete`), update fields, or add or remove
    tags on up to 1,000 customers. One result per id: ok, not_found, or error with its
    problem; each item is applied and audited on its own."""
    outcomes = await bulk_service.run(
        session,
        principal,
        action=body.action,
        ids=body.ids,
        fields=body.fields if isinstance(body, CustomerBulkUpdate) else None,
        tag_ids=body.tag_ids if isinstance(body, CustomerBulkTags) else [],
        store=store,
    )
    return BulkRead(
        data=[
            BulkItemRead(
                id=o.id,
                status=o.status,
                problem=None if o.error is None else problem_document(o.error),
            )
            for o in outcomes
        ]
    )


@router.get(
    "/export",
    operation_id="customers_export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The customers as CSV."}},
)
async def export(
    principal: CustomersRead,
    session: SessionDep,
    filters: CustomerFiltersDep,
    request: Request,
) -> StreamingResponse:
    """The list as CSV (same filters), with a header row and custom fields as `cf.<key>`
    columns; streamed, so any number of rows costs the same memory."""
    stmt = await service.filtered(session, principal, filters)
    fields = await export_service.custom_field_columns(session, principal.company_id)
    return StreamingResponse(
        export_service.stream_csv(get_sessions(request), principal.company_id, stmt, fields),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
    )


@router.get("/{customer_id:uuid}", operation_id="customers_get", response_model=CustomerRead)
async def get_customer(
    customer_id: uuid.UUID, principal: CustomersRead, session: SessionDep
) -> Response:
    fields, version = await service.read_customer(session, principal, customer_id)
    return json_response(fields, headers={"ETag": etag(version)})


@router.patch(
    "/{customer_id:uuid}", operation_id="customers_update", responses=problem_responses(409)
)
async def update_customer(
    customer_id: uuid.UUID,
    body: CustomerUpdate,
    principal: CustomersWrite,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> CustomerRead:
    """Change only the fields sent: an inline edit is a PATCH of one field."""
    view = await service.update_customer(
        session, principal, customer_id, body, expected_version=if_match
    )
    return _respond(response, view)


@router.delete(
    "/{customer_id:uuid}", operation_id="customers_delete", status_code=status.HTTP_204_NO_CONTENT
)
async def delete_customer(
    customer_id: uuid.UUID,
    principal: CustomersDelete,
    session: SessionDep,
    if_match: IfMatch,
    store: BlobStoreDep,
) -> Response:
    """Delete a customer with its contacts, notes and attachments; the audit log keeps a
    snapshot."""
    await service.delete_customer(
        session, principal, customer_id, expected_version=if_match, store=store
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{customer_id:uuid}/summary", operation_id="customers_summary")
async def customer_summary(
    customer_id: uuid.UUID, principal: CustomersRead, session: SessionDep
) -> CustomerSummaryRead:
    """The account summary: pending quotes, invoices awaiting payment and overdue (as of
    today in the company's timezone), lifetime value, last order and balance."""
    result = await summary_service.account_summary(session, principal, customer_id)
    return CustomerSummaryRead.model_validate(result)


@router.get("/{customer_id:uuid}/activity", operation_id="customers_activity")
async def customer_activity(
    customer_id: uuid.UUID,
    principal: CustomersRead,
    session: SessionDep,
    codec: CursorCodecDep,
    params: PageParamsDep,
) -> Page[EventRead]:
    """The customer's timeline: changes to it and to its contacts and notes, newest first."""
    page = await service.timeline(session, principal, customer_id, params=params, codec=codec)
    return as_page(page, EventRead.model_validate)
