"""The process target under concurrency: automatic ports outside the range outgoing connections draw from, and
records a look at an old process cannot spoil."""

from __future__ import annotations

import socket
from pathlib import Path

from amldeploy.ops.targets.process.launch import AUTO_PORTS, HOST, ephemeral_range, free_port, port_problem


def test_an_automatic_port_is_free_and_below_the_ephemeral_range() -> None:
    low, _ = ephemeral_range()
    for _ in range(20):
        port = free_port()
        assert AUTO_PORTS[0] <= port < low
        assert port_problem(port) is None


def test_a_port_someone_listens_on_is_never_chosen() -> None:
    listeners = []
    try:
        for port in range(AUTO_PORTS[0], AUTO_PORTS[0] + 200):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((HOST, port))
                sock.listen()
                listeners.append(sock)
            except OSError:
                sock.close()
        taken = {s.getsockname()[1] for s in listeners}
        assert all(free_port() not in taken for _ in range(50))
    finally:
        for sock in listeners:
            sock.close()


def test_the_ephemeral_range_is_read_from_the_kernel_or_defaults(tmp_path: Path) -> None:
    custom = tmp_path / "range"
    custom.write_text("40000\t50000\n", encoding="ascii")
    assert ephemeral_range(custom) == (40000, 50000)
    assert ephemeral_range(tmp_path / "missing") == (32768, 60999)
    custom.write_text("garbage", encoding="ascii")
    assert ephemeral_range(custom) == (32768, 60999)


def test_a_look_at_an_old_process_does_not_mark_the_redeployed_service(tmp_path: Path) -> None:
    # The watcher read the record of pid 111, found it dead; meanwhile a redeploy wrote pid 222's record.
    from amldeploy.ops.targets.process.store import ServiceFolder

    folder = ServiceFolder(tmp_path, "svc")
    folder.write({"name": "svc", "pid": 222, "state": "Transitioning"})
    assert folder.update_if(111, state="Failed", gone=True) is False
    assert folder.read() == {"name": "svc", "pid": 222, "state": "Transitioning"}
    assert folder.update_if(222, state="Failed", gone=True) is True
    assert folder.read()["gone"] is True
