"""Authentication before the body: a request that sends a body to a route needing a signed-in caller is
authenticated from its headers first, and refused (401) without a byte of its body read.

FastAPI reads and parses a request's body before it solves the route's dependencies, so without this an
anonymous caller could make a service read and parse up to the gateway's limit (25 MiB for an attachment) and
learn from a 400 or 422 how the body was judged before being told to sign in (issue 13). The route's own
guard still runs: it finds the principal this middleware verified (``request.state.principal``) and checks the
roles, and an endpoint marked ``PUBLIC`` is left alone.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import MissingToken, RoleGuard, get_token_verifier
from shared.problems import ProblemError, problem_for

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _needs_login(route: APIRoute) -> bool:
    """Whether the route's dependencies, at any depth, hold a role guard (and so need a token)."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if isinstance(dependency.call, RoleGuard):
            return True
        pending.extend(dependency.dependencies)
    return False


def guarded_routes(app: FastAPI) -> list[APIRoute]:
    """The app's routes that need a login. Each is matched by its own path: no router of the platform is
    included with a prefix or with dependencies of its own (tests/platform/test_early_auth.py checks it), so
    the route as declared is the route as served."""
    cached: list[APIRoute] | None = getattr(app.state, "guarded_routes", None)
    if cached is None:
        cached = [
            context.route
            for context in iter_route_contexts(app.routes)
            if isinstance(context.route, APIRoute) and _needs_login(context.route)
        ]
        app.state.guarded_routes = cached
    return cached


class AuthenticateBeforeBody:
    """Pure ASGI middleware (inside the request context, so its 401 carries the request id)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        fastapi_app: Any = scope.get("app")
        if not isinstance(fastapi_app, FastAPI) or not any(
            route.matches(scope)[0] is Match.FULL for route in guarded_routes(fastapi_app)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise MissingToken
            principal = await get_token_verifier(request).verify(token.strip())
        except ProblemError as refused:
            # Missing or refused (401), or the identity provider's keys out of reach (503 with Retry-After):
            # rendered here, outside FastAPI's handlers, as the route's own guard would have.
            await problem_for(refused, request)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
