"""Stream provisioning as a service does it (decision 0026): create when missing, change
nothing, say when the stream differs from the settings."""

from dataclasses import replace

import msgspec
from nats.aio.client import Client as NATS
from nats.js.api import DiscardPolicy
from structlog.testing import capture_logs

from libs.events.settings import EventSettings
from libs.events.streams import ensure_streams


async def test_a_service_creates_its_streams_and_changes_none(
    nc: NATS, event_settings: EventSettings
) -> None:
    js = nc.jetstream()
    stream = event_settings.stream_name("fileshare")
    with capture_logs() as logs:
        await ensure_streams(js, event_settings, contexts=("fileshare",), update=False)
        await ensure_streams(js, event_settings, contexts=("fileshare",), update=False)
    assert not [e for e in logs if e["event"] == "stream_settings_differ"], logs
    created = (await js.stream_info(stream)).config.max_age
    assert created is not None

    longer = msgspec.structs.replace(event_settings, max_age_days=event_settings.max_age_days + 1)
    with capture_logs() as logs:
        await ensure_streams(js, longer, contexts=("fileshare",), update=False)
    assert (await js.stream_info(stream)).config.max_age == created
    differ = [e["stream"] for e in logs if e["event"] == "stream_settings_differ"]
    assert differ == [stream, event_settings.deadletter_stream]  # both keep max_age_days

    await ensure_streams(js, longer, contexts=("fileshare",))  # the provisioner's way
    assert (await js.stream_info(stream)).config.max_age == created + 86400


async def test_directory_streams_are_kept_forever_and_an_aged_one_is_reported(
    nc: NATS, event_settings: EventSettings
) -> None:
    """Decision 0036: the server takes identity's and terminals' streams without age and
    with discard new; one made before (800 days, discard old) is said to differ."""
    js = nc.jetstream()
    stream = event_settings.stream_name("terminals")
    await ensure_streams(js, event_settings, contexts=("terminals",), shared=False)
    config = (await js.stream_info(stream)).config
    assert not config.max_age and config.discard == DiscardPolicy.NEW

    await js.update_stream(replace(config, max_age=800 * 86400.0, discard=DiscardPolicy.OLD))
    with capture_logs() as logs:
        await ensure_streams(
            js, event_settings, contexts=("terminals",), shared=False, update=False
        )
    assert [e["stream"] for e in logs if e["event"] == "stream_settings_differ"] == [stream]
