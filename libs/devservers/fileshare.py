"""What file sharing needs next to the suite in ``./fumidai up``: a private clamd and a mail
catcher, and the settings that point fileshare at them (``FUMIDAI_FILESHARE_*``)."""

from collections.abc import Callable
from pathlib import Path

from libs.devservers.clamd import TEST_SIGNATURES_WARNING, ClamdError, EmbeddedClamd
from libs.devservers.smtp import MailCatcher


class FileshareServers:
    """clamd (when installed) and an SMTP catcher spooling to ``<state>/mail``."""

    def __init__(self, state: Path, say: Callable[[str], None]) -> None:
        self._state = state
        self._say = say
        self.clamd: EmbeddedClamd | None = None
        self.mail: MailCatcher | None = None

    def start(self) -> dict[str, str]:
        """Start both; return fileshare's environment for them."""
        env: dict[str, str] = {}
        clamd = EmbeddedClamd(self._state / "clamd")
        self._say(f"starting clamd (ClamAV; config and logs in {_shown(clamd.state_dir)}) ...")
        try:
            clamd.start()
        except ClamdError as error:
            # One line: the error's first says what failed; its log tail is in the log.
            first = str(error).splitlines()[0].rstrip(":")
            self._say(f"no virus scanner: uploads will stay 検査待ち ({first})")
        else:
            self.clamd = clamd
            env["FUMIDAI_FILESHARE_CLAMD_HOST"] = clamd.host
            env["FUMIDAI_FILESHARE_CLAMD_PORT"] = str(clamd.port)
            if clamd.test_signatures_only:
                # The launcher logs it too; said again where the person running `up` looks.
                self._say("WARNING: " + TEST_SIGNATURES_WARNING)
        self.mail = MailCatcher(spool_dir=self._state / "mail")
        self.mail.start()
        self._say(
            f"mail catcher on port {self.mail.port} (messages in {_shown(self._state / 'mail')})"
        )
        env["FUMIDAI_FILESHARE_SMTP_HOST"] = self.mail.host
        env["FUMIDAI_FILESHARE_SMTP_PORT"] = str(self.mail.port)
        # identity mails the links of 「パスワードを忘れた場合」 to the same catcher.
        env["FUMIDAI_IDENTITY_SMTP_HOST"] = self.mail.host
        env["FUMIDAI_IDENTITY_SMTP_PORT"] = str(self.mail.port)
        return env

    def stop(self) -> None:
        if self.mail is not None:
            self.mail.stop()
            self.mail = None
        if self.clamd is not None:
            self.clamd.stop()
            self.clamd = None


def _shown(folder: Path) -> str:
    """``folder`` as the person running ``up`` finds it: from the working directory when
    under it (``.fumidai/clamd`` alone, ``.fumidai/cluster/clamd`` under ``--cluster``)."""
    try:
        return str(folder.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(folder)
