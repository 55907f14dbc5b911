"""Registry of the roles the offline model can play: role name -> handler(OfflineRequest) -> OfflineReply.

The role of a call is read from the system prompt line `[role: <name>]` (coach, marker, reviewer, planner,
judge, ...). To add a role, create a module in this package and register its handler in one line:

    from agents.offline.roles import register_role

    @register_role("marker")
    def mark(request: OfflineRequest) -> OfflineReply: ...

Every module in this package is imported the first time a handler is looked up, so no other file needs
editing. A role nobody registered gets an honest reply saying the offline model cannot play it
(`unknown_role_reply`).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable

from agents.offline.protocol import OfflineReply, OfflineRequest

RoleHandler = Callable[[OfflineRequest], OfflineReply]

log = logging.getLogger(__name__)

_HANDLERS: dict[str, RoleHandler] = {}
_IMPORT_ERRORS: dict[str, str] = {}  # module name -> error, for modules that failed to import
_discovered = False


def register_role(name: str, handler: RoleHandler | None = None):
    """Register `handler` for role `name` (case-insensitive); usable as `@register_role("x")` or a call.

    Registering the same name again replaces the earlier handler (tests use this for throwaway roles).
    """
    key = name.strip().lower()
    if not key:
        raise ValueError("role name must not be empty")

    def add(function: RoleHandler) -> RoleHandler:
        _HANDLERS[key] = function
        return function

    return add(handler) if handler is not None else add


def unregister_role(name: str) -> None:
    """Remove a role (no error if it is not registered)."""
    _HANDLERS.pop(name.strip().lower(), None)


def _discover() -> None:
    """Import every module of this package once, so their `register_role` lines run.

    A module that fails to import is logged and recorded (`role_import_errors()`), not raised: the offline
    model is the last line of defence, so a broken Marker module must not stop the Coach from answering.
    """
    global _discovered
    if _discovered:
        return
    _discovered = True
    for module in pkgutil.iter_modules(__path__):
        try:
            importlib.import_module(f"{__name__}.{module.name}")
        except Exception as exc:  # see docstring: isolate one broken role from the others
            _IMPORT_ERRORS[module.name] = f"{type(exc).__name__}: {exc}"
            log.exception("offline role module %s failed to import", module.name)


def role_import_errors() -> dict[str, str]:
    """Role modules that failed to import, with their error (empty when all loaded)."""
    _discover()
    return dict(_IMPORT_ERRORS)


def get_role_handler(name: str | None) -> RoleHandler | None:
    """The handler for role `name`, or None when no such role is registered."""
    _discover()
    return _HANDLERS.get((name or "").strip().lower())


def registered_roles() -> list[str]:
    """Names of every registered role, sorted."""
    _discover()
    return sorted(_HANDLERS)


def unknown_role_reply(request: OfflineRequest) -> OfflineReply:
    """An honest reply for a call whose role the offline model cannot play."""
    known = ", ".join(registered_roles()) or "none"
    if request.role is None:
        what = "no role was named in the system prompt (expected a line such as `[role: coach]`)"
    elif request.role in _IMPORT_ERRORS:
        what = f"its {request.role!r} role failed to load ({_IMPORT_ERRORS[request.role]})"
    else:
        what = f"it cannot play the role {request.role!r}"
    return OfflineReply(text=(
        f"I'm the offline model (no LLM is configured or reachable), and {what}. "
        f"Roles I can play offline: {known}. Please try again later or ask your teacher for help."))
