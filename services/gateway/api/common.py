"""What every public route shares: the admin API's base path, its security, documented
problems."""

from litestar.openapi.datastructures import ResponseSpec

from libs.runtime.problems import Problem

ADMIN_BASE = "/api/v1/facilities/{code:str}"
"""Every admin route names its facility; only the signed-in admin's own answers (T3)."""

PROBLEM_MEDIA = "application/problem+json"

SESSION_SECURITY: list[dict[str, list[str]]] = [{"session": []}, {"bearerSession": []}]
"""Signed-in operations (admins on /api/v1, users on /user-api/v1): the session cookie, or
the session token as a bearer token. With the cookie, a state change also sends
``X-CSRF-Token`` (services/gateway/api/auth.py); the documents declare that header on them."""

_DESCRIPTIONS = {
    400: "The request is invalid (field-level ``errors``).",
    401: "Not signed in, or the session has ended.",
    403: "Signed in with another role, or a state change without the CSRF token.",
    404: "Missing, or another facility's (the two are indistinguishable).",
    409: "Stale version, or a decision already taken.",
    410: "Gone.",
    413: "The body is too large.",
    415: "The body is not JSON (``json_required``).",
    423: "The account is locked.",
    429: "Too many attempts.",
    503: "A service behind the gateway is unavailable.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem+json answers a route may give."""
    wanted = statuses or (400, 401, 403, 404, 409, 503)
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA,
            generate_examples=False,
        )
        for status in wanted
    }


ADMIN_PROBLEMS = problems(400, 401, 403, 404, 409, 503)

# What a body may weigh before its sender is known (issue 16, item 9). Signed-in routes
# read no byte of it before the session is checked (api/guards.py); the sign-in
# steps and the agent API cannot be checked here first, so their bodies stay small.
SIGN_IN_BODY_LIMIT = 32 * 1024
"""A sign-in step: an account and a 1,024-character secret, even escaped as ``\\uXXXX``."""
PRE_AUTH_BODY_LIMIT = 64 * 1024
"""The agent API (its credential is checked by terminals, behind the gateway)."""
SIGNED_IN_BODY_LIMIT = 1024 * 1024
"""Any other JSON body, once signed in: 10,000 user ids (a terminal's users) fit."""
