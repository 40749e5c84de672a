"""Workflow errors. The API maps each to one HTTP status and one error body shape."""

from __future__ import annotations


class WorkflowError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.message = message
        self.detail = detail


class Invalid(WorkflowError):
    status, code = 422, "invalid"


class NotFound(WorkflowError):
    status, code = 404, "not_found"


class Conflict(WorkflowError):
    """The object changed since the caller read it (optimistic locking), or a state clash."""
    status, code = 409, "conflict"


class Forbidden(WorkflowError):
    status, code = 403, "forbidden"


class Unauthorized(WorkflowError):
    status, code = 401, "unauthorized"
