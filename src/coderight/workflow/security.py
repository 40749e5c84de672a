"""Users, passwords (argon2), API tokens, and what each role may do.

Passwords are stored as argon2id hashes. API tokens are 256-bit random strings shown once;
the store keeps only their SHA-256 (a fast, sufficient hash for high-entropy secrets), so
authenticating a request is one indexed lookup, not an argon2 verification.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ApiToken, Role, User
from .errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized

ROLES = ("coder", "cdi", "auditor", "manager", "admin")

# permission -> roles allowed. One place; the API checks every route against it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "worklist.read": frozenset({"coder", "cdi", "auditor", "manager"}),
    "encounter.read": frozenset({"coder", "cdi", "auditor", "manager"}),
    "note.read": frozenset({"coder", "cdi", "auditor", "manager"}),
    "encounter.assign": frozenset({"manager"}),
    "ingest": frozenset({"manager", "admin"}),
    "suggest.run": frozenset({"coder", "cdi"}),
    "review.write": frozenset({"coder"}),
    "query.write": frozenset({"coder", "cdi"}),
    "query.read": frozenset({"coder", "cdi", "auditor", "manager"}),
    "claim.finalize": frozenset({"coder"}),
    "claim.read": frozenset({"coder", "auditor", "manager"}),
    "audit.read": frozenset({"auditor", "manager", "admin"}),
    "user.admin": frozenset({"admin"}),
}

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, and from where: stamped on every decision and audit entry."""
    user_id: int | None
    username: str
    role: str
    client: str | None = None

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise Forbidden(f"role {self.role!r} may not {permission}", permission=permission,
                            allowed_roles=sorted(PERMISSIONS[permission]))


SYSTEM = Actor(None, "system", "admin")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, username: str, password: str, role: str, full_name: str = "") -> User:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}", roles=list(ROLES))
    if len(password) < 8:
        raise Invalid("password must have at least 8 characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists")
    role_row = session.scalar(select(Role).where(Role.name == role))
    if role_row is None:
        raise Invalid(f"role {role!r} missing from the store (run the migrations)")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password), role=role_row)
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, user: User, name: str = "", days: int | None = 30) -> str:
    token = "crt_" + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name, expires_at=expires))
    session.flush()
    return token


def login(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthorized("wrong username or password")
    return user


def authenticate(session: Session, token: str, client: str | None = None) -> Actor:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked token")
    if row.expires_at is not None:
        exp = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if exp < datetime.now(UTC):
            raise Unauthorized("token expired")
    if not row.user.active:
        raise Unauthorized("user disabled")
    return Actor(row.user.id, row.user.username, row.user.role.name, client)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user
