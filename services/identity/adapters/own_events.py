"""What identity's own events do to its state tables, in the command's transaction.

``apply_own`` brings the state tables in line with one command's events: users' rows
through ``user_state`` (one statement per user per command), everything else through the
``OWN_APPLIERS`` table, one line per event type. Another area that keeps rows about an
event (e.g. sign-in clearing a TOTP secret on ``UserMfaReset``) adds its function there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from libs.events.catalogue import Event
from libs.events.catalogue.credentials import (
    AdminMfaEnrolled,
    AdminMfaReset,
    AdminPasswordChanged,
    AdminPasswordRecovered,
    AdminPasswordReset,
    AdminSecondPasswordReset,
    FacilityPasswordExpirySet,
    UserMfaEnrolled,
    UserPasswordChanged,
    UserPasswordRecovered,
)
from libs.events.catalogue.identity import (
    AdminCreated,
    AdminDisabled,
    AdminEnabled,
    FacilityRegistered,
    FacilitySettingsChanged,
    FederationTargetAdded,
    FederationTargetRenamed,
    FederationTargetRetired,
)
from libs.events.catalogue.users import UserDeleted, UserMfaReset, UserPasswordReset
from libs.events.envelope import Envelope
from libs.postgres.connection import Connection
from services.identity.adapters import user_state
from services.identity.adapters.credentials import (
    admin_switched,
    admin_version,
    cancel_signins,
    clear_totp,
    password_expiry_set,
)
from services.identity.adapters.facility_settings import apply_settings_changed
from services.identity.app.unit_of_work import Alongside

VERSION_ONLY: tuple[type[Event], ...] = (
    UserPasswordChanged,
    UserPasswordRecovered,
    UserMfaEnrolled,
)
"""The user aggregate's credential events: of the users' rows they move the version only."""

Applier = Callable[[Connection, Envelope], Awaitable[None]]
"""Brings state rows in line with one event, inside the command's transaction."""


async def apply_own(
    conn: Connection, envelopes: Sequence[Envelope], alongside: Alongside | None = None
) -> None:
    """Update identity's state tables from one command's own events (same transaction).

    Each user's events go to ``user_state`` together (one statement per user, with the
    rows ``alongside`` it); then every event's ``OWN_APPLIERS`` run, in order.
    """
    runs: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        if envelope.aggregate_type == "user":
            runs.setdefault(envelope.aggregate_id, []).append(envelope)
    for user_id, run in runs.items():
        with_it = alongside if alongside and alongside.user_id == user_id else None
        if with_it is None and all(isinstance(e.data, VERSION_ONLY) for e in run):
            await user_state.version_only(conn, run[-1])
        else:
            await user_state.apply_user(conn, run, with_it)
    for envelope in envelopes:
        for applier in OWN_APPLIERS.get(type(envelope.data), ()):
            await applier(conn, envelope)


async def _facility_registered(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FacilityRegistered)
    await conn.execute(
        """INSERT INTO facilities (facility_id, code, name, domain, time_zone,
               download_period_months, internal_networks, version, registered_at,
               notification_addresses)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        envelope.aggregate_id,
        data.code,
        data.name,
        data.domain,
        data.time_zone,
        data.download_period_months,
        list(data.internal_networks),
        envelope.version,
        envelope.occurred_at,
        list(data.notification_addresses),
    )


async def _target_added(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FederationTargetAdded)
    await conn.execute(
        "INSERT INTO facility_federation_targets (facility_id, target) VALUES ($1, $2)",
        envelope.aggregate_id,
        data.name,
    )


async def _target_renamed(conn: Connection, envelope: Envelope) -> None:
    """The catalogue's row, and every user of the facility who held the old name: their
    targets stay in their normal form (sorted by code point, as ``check_federation_targets``
    leaves them)."""
    data = envelope.data
    assert isinstance(data, FederationTargetRenamed)
    await conn.execute(
        """UPDATE facility_federation_targets SET target = $3
           WHERE facility_id = $1 AND target = $2""",
        envelope.aggregate_id,
        data.previous_name,
        data.name,
    )
    await conn.execute(
        """UPDATE users SET federation_targets = ARRAY(
               SELECT DISTINCT x COLLATE "C"
               FROM unnest(array_replace(federation_targets, $2, $3)) AS u (x) ORDER BY 1)
           WHERE facility_id = $1 AND federation_targets @> ARRAY[$2::text]""",
        envelope.aggregate_id,
        data.previous_name,
        data.name,
    )


async def _target_retired(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, FederationTargetRetired)
    await conn.execute(
        """UPDATE facility_federation_targets SET retired = true
           WHERE facility_id = $1 AND target = $2""",
        envelope.aggregate_id,
        data.name,
    )


async def _admin_created(conn: Connection, envelope: Envelope) -> None:
    data = envelope.data
    assert isinstance(data, AdminCreated)
    await conn.execute(
        "INSERT INTO accounts (account_key, owner_id, kind) VALUES (lower($1), $2, 'admin')",
        data.account,
        envelope.aggregate_id,
    )
    await conn.execute(
        """INSERT INTO admins (admin_id, facility_id, account, name, version, created_at,
               display_name, email)
           VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''))""",
        envelope.aggregate_id,
        data.facility_id,
        data.account,
        data.name,
        envelope.version,
        envelope.occurred_at,
        data.display_name,
        data.email,
    )


async def _end_signins(conn: Connection, envelope: Envelope) -> None:
    """A reset password cancels the user's sign-ins in progress (sign-in's rows)."""
    await cancel_signins(conn, envelope.aggregate_id)


async def _unbind_authenticator(conn: Connection, envelope: Envelope) -> None:
    """A reset MFA or a deletion unbinds the user's authenticator (sign-in's rows)."""
    await clear_totp(conn, envelope.aggregate_id)


OWN_APPLIERS: Mapping[type[Event], tuple[Applier, ...]] = {
    FacilityRegistered: (_facility_registered,),
    FederationTargetAdded: (_target_added,),
    FederationTargetRenamed: (_target_renamed,),
    FederationTargetRetired: (_target_retired,),
    FacilitySettingsChanged: (apply_settings_changed,),
    # A settings change may set the expiry in the same transaction (credentials' row).
    FacilityPasswordExpirySet: (password_expiry_set,),
    AdminCreated: (_admin_created,),
    AdminPasswordChanged: (admin_version,),
    AdminPasswordRecovered: (admin_version,),
    AdminMfaEnrolled: (admin_version,),
    AdminPasswordReset: (admin_version,),
    AdminMfaReset: (admin_version,),
    AdminSecondPasswordReset: (admin_version,),
    AdminDisabled: (admin_switched,),
    AdminEnabled: (admin_switched,),
    UserPasswordReset: (_end_signins,),
    UserMfaReset: (_unbind_authenticator,),
    UserDeleted: (_unbind_authenticator,),
}
"""What each of identity's own events does besides the users' rows (``user_state``)."""
