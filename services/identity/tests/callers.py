"""Internal tokens for identity's app under test (libs/testing/apps.Callers)."""

from libs.testing.apps import Callers

CALLERS = Callers("identity")
bearer = CALLERS.bearer
operator = CALLERS.operator
