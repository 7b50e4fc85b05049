"""The wire types of the sign-in steps and the session (``/api/v1/session``,
``/user-api/v1/session``), shared by both surfaces and 「パスワードを忘れた場合」."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from libs.runtime.documented import documented
from libs.runtime.problems import Problem
from services.gateway.api.common import PROBLEM_MEDIA, problems
from services.identity.contract import PASSWORD_MAX, PASSWORD_MIN

APP = "メンテナンスツール"
SIGN_IN_PROBLEMS = problems(400, 401, 403, 404, 409, 410, 413, 415, 423, 429, 503)
"""identity refuses a step with 400/401/409/410/423; the gateway adds 403 (another role, a
cross-site request, a handle this browser did not start), 413, 415 (not JSON) and 429."""
NO_SECURITY: list[dict[str, list[str]]] = []
"""Sign-in steps: nobody is signed in yet."""

NextStep = Literal["new_password", "totp_enrol", "totp", "second_password", "done"]
STEP_ROUTES: dict[str, str] = {
    "new_password": "new-password",
    "totp_enrol": "totp",
    "totp": "totp",
    "second_password": "second-password",
}
"""Each step still to take → the last segment of the path to post it to."""

Handle = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=128, description="The ``handle`` of the previous step's answer."
    ),
]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
WantToken = Annotated[
    bool,
    msgspec.Meta(
        description="Answer the session token in the body (scripts, then sent as a bearer "
        "token) instead of setting the cookie (browsers). Only the last step uses it."
    ),
]


TypedAccount = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=254,
        description="The full account as typed, e.g. "
        "``998-operation-admin01@nrasdev.onmicrosoft.com`` (any case).",
    ),
]
"""An account as a person types it: sign-in's first step and 「パスワードを忘れた場合」."""


class PasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """Step 1 of an admin's sign-in (L1)."""

    account: TypedAccount
    password: Annotated[Secret, documented("The password.", max_length=PASSWORD_MAX)]
    token: WantToken = False


class UserPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """Step 1 of a user's sign-in, naming the app (it goes to the login log, L4)."""

    account: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
    password: Annotated[Secret, documented("The password.", max_length=PASSWORD_MAX)]
    app: Literal["リモートアクセス", "ファイル共有"]
    token: WantToken = False


class NewPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """「パスワードの更新」, due when ``next_step`` is ``new_password`` (L1)."""

    handle: Handle
    new_password: Annotated[
        Secret,
        documented(
            f"{PASSWORD_MIN}–{PASSWORD_MAX} characters, at least 3 of upper case, lower case, "
            "digits and symbols, not containing the account name, not the current password. "
            "Every rule it fails is named in the 400 answer's ``errors``.",
            min_length=PASSWORD_MIN,
            max_length=PASSWORD_MAX,
        ),
    ]
    token: WantToken = False


class TotpIn(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticator's code, due when ``next_step`` is ``totp_enrol`` (first code of a
    new authenticator) or ``totp`` (L2)."""

    handle: Handle
    code: Annotated[
        str,
        msgspec.Meta(max_length=16),
        documented("The 6-digit TOTP code.", pattern="^[0-9]{6}$", max_length=6),
    ]
    token: WantToken = False


class SecondPasswordIn(msgspec.Struct, frozen=True, kw_only=True):
    """「第二パスワードの入力」, due when ``next_step`` is ``second_password`` (L3)."""

    handle: Handle
    second_password: Annotated[Secret, documented("The second password.", max_length=128)]
    token: WantToken = False


class SignedInSession(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The signed-in session and what the console's header shows."""

    account: str
    """The full account, e.g. ``998-operation-admin01@nrasdev.onmicrosoft.com``."""
    display_name: str
    """Who is signed in, for the header: an admin's own name (氏名, e.g. ``山田 花子``);
    the account's name part (e.g. ``operation-admin01``) for a user, for an admin created
    before admins had a name, or when identity could not be asked just then."""
    role: Literal["admin", "user"]
    facility: str
    """The facility code (e.g. ``998``): the ``{code}`` of every ``/api/v1/facilities`` path."""
    facility_name: str | None
    """The facility's registered name, e.g. ``998-Dev Hospital``; null only when identity
    could not be asked just then (ask ``GET …/session`` again later)."""
    csrf_token: str
    """Send as ``X-CSRF-Token`` on every state change made with the session cookie."""
    expires_at: datetime
    """When the session ends unless used: idle 30 min, at most 12 h after sign-in (L5)."""
    session_token: str | None = None
    """Only in the last step's answer, and only when it asked ``token: true``: send as
    ``Authorization: Bearer <session_token>``."""


class EnrolmentOut(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticator to register at the ``totp_enrol`` step (L2)."""

    secret: str
    """Base32, for authenticator apps that take it typed instead of scanned."""
    otpauth_uri: str
    """``otpauth://totp/…`` with issuer and account: what the QR code encodes."""
    qr_svg: str
    """The QR code of ``otpauth_uri`` as an SVG document."""


class SignInStepOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where a sign-in stands after a step: what to post next, or, once ``next_step`` is
    ``done``, the session."""

    next_step: NextStep
    """What is due: ``new_password`` 「パスワードの更新」, ``totp_enrol`` (register the
    authenticator of ``enrolment``, then its code), ``totp`` (the code),
    ``second_password`` 「第二パスワードの入力」, or ``done`` (signed in: see ``session``)."""
    next_path: str | None = None
    """The path to post the next step to (e.g. ``/api/v1/session/totp``) with ``handle``;
    absent once ``done``."""
    handle: str | None = None
    """Send back with the next step; absent once ``done``."""
    expires_at: datetime | None = None
    """The next step must come before this (the handle's lifetime)."""
    password_reason: Literal["initial", "expired"] | None = None
    """Why a new password is due: ``initial`` (first sign-in or reset) or ``expired``."""
    enrolment: EnrolmentOut | None = None
    """Only when ``next_step`` is ``totp_enrol``."""
    session: SignedInSession | None = None
    """Only when ``next_step`` is ``done``."""


class StepMismatchProblem(Problem, frozen=True, kw_only=True):
    """409 ``signin_step_mismatch``: this step is not the one due. The handle stays good:
    post ``next_step`` to ``next_path``."""

    next_step: NextStep
    next_path: str


STEP_MISMATCH = ResponseSpec(
    data_container=StepMismatchProblem,
    description="``signin_step_mismatch``: not the step due. The answer names the step due "
    "(``next_step``) and where to post it (``next_path``); the handle stays good.",
    media_type=PROBLEM_MEDIA,
    generate_examples=False,
)
