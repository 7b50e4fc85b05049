"""Internal tokens for audit's app under test (libs/testing/apps.Callers)."""

from libs.testing.apps import Callers

CALLERS = Callers("audit")
bearer = CALLERS.bearer
operator = CALLERS.operator
