"""Internal tokens for terminals's app under test (libs/testing/apps.Callers)."""

from libs.testing.apps import Callers

CALLERS = Callers("terminals")
bearer = CALLERS.bearer
operator = CALLERS.operator
