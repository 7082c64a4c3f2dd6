"""The FastAPI application: routes under /v1, problem details for every error, OpenAPI at
/openapi.json and its docs at /docs served from an installed package (no CDN), and the
console's pages at /."""

from __future__ import annotations

from importlib.metadata import version

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from goodstanding.service import backend, console, problems
from goodstanding.service.context import FailureLimiter, Limits, Service
from goodstanding.service.routes import accounts, check, events, moderation, reports

ASSETS = "/docs-assets"


def create_app(store_url: str, limits: Limits | None = None) -> FastAPI:
    """The API over the store at `store_url` (opened, and migrated if needed, now)."""
    limits = limits or Limits()
    store = backend.Store.open(store_url)
    policies = backend.load_policies(store)
    app = FastAPI(
        title="goodstanding",
        version=version("goodstanding"),
        description="Account standing for online communities: events in, checks and "
        "explanations out. Errors are RFC 9457 problem details.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = Service(
        store, policies, limits, FailureLimiter(limits.failures, limits.failure_window)
    )
    problems.install(app)
    for module in (events, check, accounts, moderation, reports):
        app.include_router(module.router)
    app.include_router(console.router)
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="goodstanding API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )

    app.router.add_event_handler("shutdown", store.close)
    return app
