"""The FastAPI application: routes under /v1, problem details for every error, OpenAPI at
/openapi.json and its docs at /docs served from an installed package (no CDN), and the
console's pages at /."""

from __future__ import annotations

import gc
import sys
from importlib.metadata import version
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from goodstanding.service import backend, console, problems
from goodstanding.service.context import Limits, Service
from goodstanding.service.fastcheck import FastCheck
from goodstanding.service.routes import accounts, check, events, log, moderation, reports

ASSETS = "/docs-assets"
SWITCH_INTERVAL = 0.0005


def create_app(
    store_url: str, limits: Limits | None = None, checkpoints: Path = Path("var/checkpoints")
) -> FastAPI:
    """The API over the store at `store_url` (opened, and migrated if needed, now),
    publishing the latest signed checkpoint written into the folder `checkpoints`."""
    limits = limits or Limits()
    store = backend.Store.open(store_url)
    app = FastAPI(
        title="goodstanding",
        version=version("goodstanding"),
        description="Account standing for online communities: events in, checks and "
        "explanations out. Errors are RFC 9457 problem details.",
        docs_url=None,
        redoc_url=None,
    )
    svc = app.state.service = Service.open(store, limits, checkpoints)
    problems.install(app)
    app.add_middleware(FastCheck)
    for module in (events, check, accounts, moderation, reports, log):
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

    def started() -> None:
        # what startup built lives as long as the process: out of the collector's sight, a
        # full collection no longer pauses every request for tens of milliseconds
        gc.freeze()
        # the background threads (refresh, webhooks) hand the interpreter back to the
        # request loop within 0.5 ms instead of the default 5 ms: a check waits less behind
        # a refresh that is decoding accounts
        sys.setswitchinterval(SWITCH_INTERVAL)
        svc.refresher.start()

    app.router.add_event_handler("startup", started)
    app.router.add_event_handler("shutdown", svc.refresher.stop)
    app.router.add_event_handler("shutdown", store.close)
    return app
