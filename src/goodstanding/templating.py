"""Jinja2 environments for the HTML a package renders from its own templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2


def package_templates(package: str, **filters: Callable[..., Any]) -> jinja2.Environment:
    """An environment for the templates in `package`'s templates folder, with these filters:
    every value escaped, an undefined name an error, block tags leaving no blank lines."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(filters)
    return environment
