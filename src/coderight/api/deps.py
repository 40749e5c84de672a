"""Request dependencies: the service, and the acting user from the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..workflow import security
from ..workflow.errors import Unauthorized
from ..workflow.security import Actor
from ..workflow.service import CodingService

bearer = HTTPBearer(auto_error=False, description="an API token from POST /auth/token")


def service(request: Request) -> CodingService:
    return request.app.state.service


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def actor(request: Request,
          cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    if cred is None or cred.scheme.lower() != "bearer" or not cred.credentials:
        raise Unauthorized("missing bearer token (Authorization: Bearer <token>)")
    token = cred.credentials
    if len(token) > 200:
        raise Unauthorized("unknown or revoked token")
    with request.app.state.service.factory() as s:
        return security.authenticate(s, token, client_of(request))


def allowed(permission: str):
    """A dependency that lets through only the roles holding `permission`."""
    def check(who: Annotated[Actor, Depends(actor)]) -> Actor:
        who.require(permission)
        return who
    return check


Svc = Annotated[CodingService, Depends(service)]
CurrentActor = Annotated[Actor, Depends(actor)]
