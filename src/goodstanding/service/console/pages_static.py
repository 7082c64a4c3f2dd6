"""GET /static/...: the console's style sheet and scripts, vendored into the package so every
page works offline."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from goodstanding.service.console.errors import PageError
from goodstanding.service.console.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
STATIC = Path(str(files("goodstanding.service.console") / "static")).resolve()
TYPES = {".css": "text/css", ".js": "text/javascript", ".txt": "text/plain"}


@router.get("/static/{name:path}")
def static(name: str) -> Response:
    """A file under static/ (nothing outside it)."""
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file() or path.suffix not in TYPES:
        raise PageError(404, "No such file.")
    return FileResponse(
        path,
        media_type=TYPES[path.suffix],
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
