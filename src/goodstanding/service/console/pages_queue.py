"""The review queue (moderators): GET /queue lists open items with filters; POST /queue/claim
and /queue/next claim one (a claim lasts CLAIM_SECONDS; two moderators never hold the same
item); GET /review shows one item; POST /review/decide writes the moderator's
`review.decided` event and opens the next item; POST /preferences/blur sets whether flagged
text is blurred until revealed."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, acting, check_csrf, role
from goodstanding.service.context import Refused, Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
moderator = role("moderator")
CLAIM_SECONDS = 600.0
PAGE_SIZE = 100
KINDS = ("post", "comment", "message")
AGES = ((0, "any age"), (3600, "over an hour"), (86400, "over a day"), (604800, "over a week"))
Id = Form(min_length=1, max_length=200)
Csrf = Form("", max_length=200)


def _filter(
    rule: str | None = Query(None, alias="rule_filter", max_length=100),
    kind: Literal["post", "comment", "message", ""] | None = Query(None, alias="kind_filter"),
    group: str | None = Query(None, alias="group_filter", max_length=200),
    older: int = Query(0, alias="older_filter", ge=0, le=10**9),
) -> backend.QueueFilter:
    """The queue filter a page's query string asks for (empty fields: no filter)."""
    return backend.QueueFilter(rule or None, kind or None, group or None, float(older))


def _form_filter(
    rule_filter: str = Form("", max_length=100),
    kind_filter: str = Form("", max_length=16),
    group_filter: str = Form("", max_length=200),
    older_filter: int = Form(0, ge=0, le=10**9),
) -> backend.QueueFilter:
    """The queue filter a form carries along (so the next item follows it)."""
    kind = kind_filter if kind_filter in KINDS else None
    return backend.QueueFilter(rule_filter or None, kind, group_filter or None, float(older_filter))


def _query(wanted: backend.QueueFilter) -> dict[str, str]:
    """A filter as query-string fields (only those set)."""
    fields = {"rule_filter": wanted.rule, "kind_filter": wanted.kind, "group_filter": wanted.group}
    found = {k: v for k, v in fields.items() if v}
    if wanted.older_than:
        found["older_filter"] = str(int(wanted.older_than))
    return found


def _item_url(content_id: str, rule_id: str, wanted: backend.QueueFilter) -> str:
    return "/review?" + urlencode({"content": content_id, "rule": rule_id, **_query(wanted)})


def _queue_url(wanted: backend.QueueFilter, **extra: str) -> str:
    fields = {**_query(wanted), **extra}
    return "/queue" + (f"?{urlencode(fields)}" if fields else "")


def _claim_next(svc: Service, seen: Viewer, wanted: backend.QueueFilter) -> Response:
    """Claims the first open item of the filter that no one else holds, and opens it; back
    to the queue when none is left."""
    me, now = acting(seen), svc.now()
    held = backend.claims(svc.store, now)
    items, _ = backend.review_items(svc.store, svc.policies, wanted, now, PAGE_SIZE)
    for item in items:
        other = held.get((item["content"], item["rule"]))
        if other is not None and other.moderator != me:
            continue
        got = backend.claim(svc.store, item["content"], item["rule"], me, now, CLAIM_SECONDS)
        if got.moderator == me:
            return RedirectResponse(_item_url(item["content"], item["rule"], wanted), 303)
    return RedirectResponse(_queue_url(wanted, done="1"), 303)


@router.get("/queue")
def queue(
    request: Request,
    wanted: backend.QueueFilter = Depends(_filter),
    done: str | None = Query(None, max_length=1),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Open review items by priority, with who holds each."""
    now = svc.now()
    items, total = backend.review_items(svc.store, svc.policies, wanted, now, PAGE_SIZE)
    held = backend.claims(svc.store, now)
    for item in items:
        item["claim"] = held.get((item["content"], item["rule"]))
        item["url"] = _item_url(item["content"], item["rule"], wanted)
    rules = [r.id for r in backend.policy_at(svc.policies, now).rules]
    return page(
        request,
        "queue.html",
        seen,
        items=items,
        total=total,
        wanted=wanted,
        rules=rules,
        kinds=KINDS,
        ages=AGES,
        now=now,
        done=bool(done),
    )


@router.post("/queue/claim")
def claim(
    content: str = Id,
    rule: str = Form(min_length=1, max_length=100),
    csrf: str = Csrf,
    wanted: backend.QueueFilter = Depends(_form_filter),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Claims one item and opens it; refuses (409) an item another moderator holds."""
    check_csrf(seen, csrf)
    me = acting(seen)
    got = backend.claim(svc.store, content, rule, me, svc.now(), CLAIM_SECONDS)
    if got.moderator != me:
        raise PageError(409, f"{got.moderator} is reviewing this item; pick another one.")
    return RedirectResponse(_item_url(content, rule, wanted), 303)


@router.post("/queue/next")
def claim_next(
    csrf: str = Csrf,
    wanted: backend.QueueFilter = Depends(_form_filter),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Claims the first open item no one holds and opens it."""
    check_csrf(seen, csrf)
    return _claim_next(svc, seen, wanted)


@router.get("/review")
def review(
    request: Request,
    content: str = Query(min_length=1, max_length=200),
    rule: str = Query(min_length=1, max_length=100),
    wanted: backend.QueueFilter = Depends(_filter),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """One review item: the content, its thread, the evidence, the reports, the author."""
    now = svc.now()
    item = backend.review_detail(svc.store, svc.policies, content, rule, now)
    if item is None:
        raise PageError(404, "No such content.")
    claim = backend.claims(svc.store, now).get((content, rule))
    return page(
        request,
        "review.html",
        seen,
        item=item,
        claim=claim,
        mine=claim is not None and claim.moderator == seen.account,
        wanted=wanted,
        queue_url=_queue_url(wanted),
        blur=backend.blur_flagged(svc.store, seen.subject),
        now=now,
    )


@router.post("/review/decide")
def decide(
    content: str = Id,
    rule: str = Form(min_length=1, max_length=100),
    verdict: Literal["violates", "clear"] = Form(),
    csrf: str = Csrf,
    wanted: backend.QueueFilter = Depends(_form_filter),
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Decides an item as the signed-in moderator (a `review.decided` event through ingest,
    as POST /v1/reviews writes it), then opens the next one."""
    check_csrf(seen, csrf)
    me = acting(seen)
    got = backend.claim(svc.store, content, rule, me, svc.now(), CLAIM_SECONDS)
    if got.moderator != me:
        raise PageError(409, f"{got.moderator} holds this item now; your decision was not written.")
    fields: dict[str, Any] = {"content_id": content, "rule": rule, "verdict": verdict}
    try:
        svc.write(seen.token, me, "review.decided", fields)
    except Refused as error:
        raise PageError(422, f"The decision was refused: {error}") from None
    finally:
        backend.release(svc.store, content, rule, me)
    return _claim_next(svc, seen, wanted)


@router.post("/preferences/blur")
def set_blur(
    blur: Literal["on", "off"] = Form(),
    back: str = Form("/queue", max_length=2000),
    csrf: str = Csrf,
    seen: Viewer = Depends(moderator),
    svc: Service = Depends(service),
) -> Response:
    """Sets whether flagged text is blurred until revealed, and goes back to the page."""
    check_csrf(seen, csrf)
    backend.set_blur_flagged(svc.store, seen.subject, blur == "on")
    target = back if back.startswith(("/review?", "/queue")) else "/queue"
    return RedirectResponse(target, 303)
