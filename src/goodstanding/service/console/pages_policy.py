"""The policy pages (moderators and auditors): GET /policy (the recorded versions and a form
to compare two), /policy/versions/{version} (its rules with their detectors, bands and ladder)
and /policy/diff (what changed between two versions, field by field)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from goodstanding.service import backend
from goodstanding.service.console.errors import PageError
from goodstanding.service.console.render import page
from goodstanding.service.console.routing import PageRoute
from goodstanding.service.console.session import Viewer, role
from goodstanding.service.context import Service, service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
staff = role("moderator", "auditor")
VERSION = 100
"""The longest version id a page accepts."""


def _known(svc: Service, version: str) -> str:
    """A recorded version's id, or a 404 page."""
    if version not in svc.policies.by_version:
        raise PageError(404, f"No recorded policy version {version!r}.")
    return version


@router.get("/policy")
def policy_versions(
    request: Request, seen: Viewer = Depends(staff), svc: Service = Depends(service)
) -> Response:
    """The recorded versions with their effective dates, newest last."""
    found = backend.policy_versions(svc.policies, svc.now())
    return page(request, "policy_versions.html", seen, versions=found)


@router.get("/policy/versions/{version}")
def policy_version(
    request: Request,
    version: str,
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """One version's rules (text, category, severity, detectors), bands and ladder. Example
    terms and patterns are shown to moderators only; auditors see how many there are."""
    policy = svc.policies.by_version[_known(svc, version[:VERSION])]
    rules = backend.policy_rules(svc.policies, policy.version, seen.role == "moderator")
    return page(request, "policy_version.html", seen, policy=policy, rules=rules)


@router.get("/policy/diff")
def policy_diff(
    request: Request,
    old: str = Query(max_length=VERSION),
    new: str = Query(max_length=VERSION),
    seen: Viewer = Depends(staff),
    svc: Service = Depends(service),
) -> Response:
    """What changed from version `old` to version `new`."""
    found = backend.policy_diff(svc.policies, _known(svc, old), _known(svc, new))
    versions = backend.policy_versions(svc.policies, svc.now())
    return page(request, "policy_diff.html", seen, diff=found, versions=versions)
