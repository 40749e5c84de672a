"""Login, who am I, users and API tokens (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ...workflow.security import PERMISSIONS, Actor
from ..deps import CurrentActor, Svc, allowed, client_of
from ..schemas import LoginIn, Me, Page, TokenIn, TokenOut, UserIn, UserOut

router = APIRouter(tags=["auth"])
Admin = Annotated[Actor, Depends(allowed("user.admin"))]


def _user(u) -> UserOut:
    return UserOut(id=u.id, username=u.username, full_name=u.full_name, role=u.role.name, active=u.active)


@router.post("/auth/token", response_model=TokenOut)
def login(body: LoginIn, svc: Svc, request: Request) -> TokenOut:
    token, user = svc.login(body.username, body.password, client_of(request))
    return TokenOut(token=token, username=user.username, role=user.role.name)


@router.get("/auth/me", response_model=Me)
def me(who: CurrentActor) -> Me:
    return Me(user_id=who.user_id, username=who.username, role=who.role,
              permissions=sorted(p for p in PERMISSIONS if who.can(p)))


@router.get("/users", response_model=Page[UserOut])
def users(who: Admin, svc: Svc, limit: Annotated[int, Query(ge=1, le=200)] = 50,
          offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Page[UserOut]:
    rows, total = svc.users(who, limit, offset)
    return Page[UserOut](items=[_user(u) for u in rows], total=total, limit=limit, offset=offset)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, who: Admin, svc: Svc) -> UserOut:
    return _user(svc.create_user(who, body.username, body.password, body.role, body.full_name))


@router.post("/users/{user_id}/tokens", response_model=TokenOut, status_code=201)
def issue_token(user_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: TokenIn, who: Admin,
                svc: Svc) -> TokenOut:
    token, user = svc.issue_token(who, user_id, body.name, body.days)
    return TokenOut(token=token, username=user.username, role=user.role.name)
