"""Filling a contract's path template (decision 0034)."""

import pytest

from libs.runtime.paths import fill


def test_each_parameter_is_filled_as_one_segment() -> None:
    template = "/internal/v1/facilities/{code:str}/exports/{job_id:str}/file"
    assert (
        fill(template, code="998", job_id="a/b") == "/internal/v1/facilities/998/exports/a%2Fb/file"
    )


def test_dot_segments_cannot_climb_to_another_route() -> None:
    assert fill("/x/{id}", id="..") == "/x/%2E%2E"


def test_a_missing_value_is_an_error_not_a_template_left_in_the_url() -> None:
    with pytest.raises(KeyError):
        fill("/internal/v1/facilities/{code:str}", other="998")
