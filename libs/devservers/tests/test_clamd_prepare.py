"""clamd's folder belongs to its unprivileged user; root's set-up must never act through it."""

import os
import pwd
from pathlib import Path

import pytest

from libs.devservers.clamd import EmbeddedClamd
from libs.devservers.reach import Account, reachable_folder

needs_root_and_clamav = pytest.mark.skipif(
    os.geteuid() != 0 or not any(p.pw_name == "clamav" for p in pwd.getpwall()),
    reason="runs as root with Debian's clamav user, as ./fumidai test does on CI",
)


@needs_root_and_clamav
def test_links_left_in_clamds_folder_are_replaced_not_followed(tmp_path: Path) -> None:
    """A compromised clamd (it parses hostile uploads) may leave links where root writes
    or chowns at the next start; the files they point at must stay as they were."""
    clamav = pwd.getpwnam("clamav")
    home = tmp_path / "clamd"
    home.mkdir()
    os.chown(home, clamav.pw_uid, clamav.pw_gid)
    victims = {name: tmp_path / f"victim-{name}" for name in ("clamd.log", "clamd.conf")}
    for name, victim in victims.items():
        victim.write_text("root's own\n")
        (home / name).symlink_to(victim)
    server = EmbeddedClamd(home, database_dir=tmp_path / "official-db")
    server._write_files(clamav)
    for name, victim in victims.items():
        assert victim.read_text() == "root's own\n", name
        assert victim.stat().st_uid == 0, name
        assert not (home / name).is_symlink(), name
    assert "TCPSocket" in (home / "clamd.conf").read_text()
    assert (home / "clamd.conf").stat().st_uid == 0  # clamd reads it, never writes it


def test_a_removed_state_link_does_not_bring_back_its_old_data(tmp_path: Path) -> None:
    """``.fumidai`` removed to start over: its folder under /var/lib/fumidai would come back
    with data the new keys cannot read; that is said, not done."""
    if os.geteuid() != 0:
        pytest.skip("only root keeps state under /var/lib/fumidai")
    nobody = pwd.getpwnam("nobody")
    account = Account(nobody.pw_name, nobody.pw_uid, nobody.pw_gid)
    locked = tmp_path / "home"
    locked.mkdir(mode=0o700)
    path = locked / ".fumidai" / "postgres"
    target = reachable_folder(path, account)
    try:
        target.mkdir()
        path.unlink()
        with pytest.raises(FileExistsError, match="start over"):
            reachable_folder(path, account)
        assert reachable_folder(path, account, orphan_ok=True) == target
    finally:
        target.rmdir()
