"""Demo encounters we wrote ourselves (no real patients): four outpatient visits and two
inpatient admissions, with the billed lines a practice would send, and demo users.

`load(service)` ingests them (idempotent) and creates one user per role, all with the demo
password, and returns a token per role so a first look needs no set-up.
"""

from __future__ import annotations

from importlib import resources

from sqlalchemy import select

from ..store.db import transaction
from ..store.models import User
from ..workflow import security
from ..workflow.security import SYSTEM

DEMO_PASSWORD = "coderight-demo"
DEMO_USERS = {"coder": "demo-coder", "cdi": "demo-cdi", "auditor": "demo-auditor",
              "manager": "demo-manager", "admin": "demo-admin"}


def encounters_jsonl() -> str:
    return resources.files(__package__).joinpath("encounters.jsonl").read_text(encoding="utf-8")


def load(service) -> dict:
    """Ingest the demo encounters and make the demo users; returns the report and a token per role."""
    with transaction(service.factory) as s:
        for role, name in DEMO_USERS.items():
            if s.scalar(select(User.id).where(User.username == name)) is None:
                security.create_user(s, name, DEMO_PASSWORD, role, f"Demo {role}")
    report = service.ingest(SYSTEM, encounters_jsonl(), "jsonl", source="demo")
    tokens = {}
    with transaction(service.factory) as s:
        for role, name in DEMO_USERS.items():
            user = s.scalar(select(User).where(User.username == name))
            tokens[role] = security.issue_token(s, user, "demo", days=7)
    return {"report": report, "tokens": tokens}
