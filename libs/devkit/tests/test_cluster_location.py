"""Where ``make up`` keeps its PostgreSQL cluster (``local_cluster_dir``): in the checkout when
the server's OS user can reach it, else in a private per-checkout directory (only as root:
a non-root developer runs the server as themselves, and the checkout is always reachable)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.local.postgres import PostgresError, ensure_os_user, local_cluster_dir

ROOT = os.geteuid() == 0


@pytest.fixture
def fallback_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="concord-fallback-"))
    root.chmod(0o1777)  # like /var/tmp: world-writable, sticky
    monkeypatch.setenv("CONCORD_PG_FALLBACK_ROOT", str(root))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def closed_checkout() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="concord-closed-"))  # mode 700, like mktemp -d
    yield folder / "concord" / ".run" / "postgres"
    shutil.rmtree(folder, ignore_errors=True)


def test_a_checkout_the_server_user_cannot_enter_gets_a_private_directory_per_checkout(
    fallback_root: Path, closed_checkout: Path
) -> None:
    location = local_cluster_dir(closed_checkout)
    if not ROOT:
        assert location.base_dir == closed_checkout and location.moved_because is None
        return
    assert location.base_dir.parent == fallback_root
    assert location.moved_because and "cannot enter" in location.moved_because
    assert str(closed_checkout.parents[2]) in location.moved_because
    st = location.base_dir.stat()
    assert st.st_mode & 0o777 == 0o700
    # The same checkout finds the same directory again (make down, the next make up), also
    # without creating anything; another checkout gets another one.
    assert local_cluster_dir(closed_checkout).base_dir == location.base_dir
    assert local_cluster_dir(closed_checkout, create=False).base_dir == location.base_dir
    other = local_cluster_dir(closed_checkout.parent / "elsewhere", create=False)
    assert other.base_dir != location.base_dir


def test_a_reachable_checkout_keeps_its_cluster_inside(fallback_root: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="concord-open-"))
    try:
        folder.chmod(0o755)
        preferred = folder / ".run" / "postgres"
        location = local_cluster_dir(preferred)
        assert location.base_dir == preferred and location.moved_because is None
        assert list(fallback_root.iterdir()) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_directory_planted_at_the_private_path_by_another_user_is_refused(
    fallback_root: Path, closed_checkout: Path
) -> None:
    if not ROOT:
        assert local_cluster_dir(closed_checkout).moved_because is None
        return
    path = local_cluster_dir(closed_checkout, create=False).base_dir
    nobody = 65534
    assert nobody != ensure_os_user().uid
    path.mkdir()
    os.chown(path, nobody, nobody)
    with pytest.raises(PostgresError, match="not a directory owned by root"):
        local_cluster_dir(closed_checkout)
    path.rmdir()
    path.symlink_to(fallback_root)
    with pytest.raises(PostgresError, match="not a directory owned by root"):
        local_cluster_dir(closed_checkout)
