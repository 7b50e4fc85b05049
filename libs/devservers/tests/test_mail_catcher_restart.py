"""The mail catcher as ``up`` supervises it (decision 0033): it says when its server has
died, and a restart serves on the same port, keeping what it had received."""

import smtplib
import time

from libs.devservers.smtp import MailCatcher


def send(port: int, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("a@example.jp", ["b@example.jp"], f"Subject: {subject}\r\n\r\nbody\r\n")


def test_a_dead_mail_catcher_is_seen_and_restarts_on_its_port() -> None:
    catcher = MailCatcher()
    catcher.start()
    try:
        port = catcher.port
        send(port, "before")
        assert catcher.is_running
        # Its event loop ending is how its server dies (the thread then closes the loop).
        loop = catcher._controller.loop  # type: ignore[union-attr]
        loop.call_soon_threadsafe(loop.stop)
        deadline = time.monotonic() + 10
        while catcher.is_running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not catcher.is_running
        catcher.restart()
        assert catcher.is_running and catcher.port == port
        send(port, "after")
        subjects = [m.message["Subject"] for m in catcher.wait_for(2)]
        assert subjects == ["before", "after"]
    finally:
        catcher.stop()
