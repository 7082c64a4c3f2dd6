"""The console's navigation: each page a role may open, in the order the menu shows them.
A new page adds its entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """A menu entry: its label, its path and the roles that see it."""

    label: str
    path: str
    roles: frozenset[str]


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


NAV: tuple[NavItem, ...] = (
    NavItem("Dashboard", "/dashboard", _roles("moderator", "auditor")),
    NavItem("Review queue", "/queue", _roles("moderator")),
    NavItem("Appeals", "/appeals", _roles("moderator")),
    NavItem("My standing", "/me", _roles("member")),
    NavItem("Search", "/search/accounts", _roles("moderator")),
    NavItem("Policy", "/policy", _roles("moderator", "auditor")),
    NavItem("What-if", "/whatif", _roles("moderator", "auditor")),
    NavItem("Groups", "/groups", _roles("moderator", "auditor")),
    NavItem("Records", "/records", _roles("auditor")),
    NavItem("Transparency", "/transparency", _roles("moderator", "auditor")),
)


def menu(role: str) -> list[NavItem]:
    """The entries a role sees."""
    return [item for item in NAV if role in item.roles]


def home(role: str) -> str:
    """Where a role lands after signing in: its first menu entry (or the start page)."""
    entries = menu(role)
    return entries[0].path if entries else "/start"
