"""Failed authentications while Redis, their shared store, goes away and comes back (the
real Redis behind a TCP proxy): counted in each process meanwhile, said by degraded(),
shared again once it answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from shared.access.auth_failures import FailedAuthentications
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.redis


@pytest.fixture
def proxied_redis(redis_url: str) -> Iterator[tuple[TcpProxy, str]]:
    target = make_url(redis_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 6379)
    yield proxy, f"redis://127.0.0.1:{proxy.port}/{target.database or 0}"
    proxy.close()


def test_failures_are_counted_per_process_while_redis_is_away(proxied_redis) -> None:
    proxy, url = proxied_redis
    first, second = FailedAuthentications(url, "3/minute"), FailedAuthentications(url, "3/minute")
    # Shared: two failures on one replica, one on the other, and the limit is reached.
    assert [first.refused("a"), first.refused("a"), second.refused("a")] == [None] * 3
    assert second.refused("a") is not None
    assert first.degraded() is None

    proxy.refusing = True
    proxy.drop_connections()  # Redis is gone
    assert first.degraded() is not None and second.degraded() is not None
    # Each replica counts on its own: the limit still holds, per process.
    assert [first.refused("b") for _ in range(3)] == [None] * 3
    assert first.refused("b") is not None
    assert second.refused("b") is None

    proxy.refusing = False  # back
    assert first.degraded() is None and second.degraded() is None
    assert [first.refused("c"), first.refused("c"), second.refused("c")] == [None] * 3
    assert second.refused("c") is not None  # shared again
