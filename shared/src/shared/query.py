"""Unknown query parameters are refused (400) instead of silently ignored.

A misspelt option (``?atomicmode=NONE``) that is ignored changes what the request does without telling the
caller; for an import that is the difference between "nothing stored" and "some rows stored".
"""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from shared.problems import BadRequest


class UnknownQueryParameter(BadRequest):
    slug = "unknown-query-parameter"
    title = "Unknown query parameter"


_CACHE_ATTRIBUTE = "_shared_declared_query_parameters"


def _declared(route: APIRoute) -> frozenset[str]:
    """The query parameters the route and its dependencies declare, computed once per route."""
    cached: frozenset[str] | None = getattr(route, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    names: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        names.update(param.alias for param in dependant.query_params)
        stack.extend(dependant.dependencies)
    declared = frozenset(names)
    setattr(route, _CACHE_ATTRIBUTE, declared)
    return declared


async def reject_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared(route))
    if unknown:
        allowed = sorted(_declared(route))
        raise UnknownQueryParameter(
            f"Unknown query parameter(s): {', '.join(unknown)}. "
            + (f"This endpoint accepts: {', '.join(allowed)}." if allowed else "This endpoint takes none."),
            unknown=unknown,
            allowed=allowed,
        )
