import pytest

from tests.live.server import LiveServer


@pytest.fixture
def live_server_proc(tmp_path):
    server = LiveServer(tmp_path)
    server.migrate()
    yield server
    server.close()
