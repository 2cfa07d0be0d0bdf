"""Throttling of failed sign-ins and bad API tokens, per account and per address.

Design note. Nothing slowed a guesser down: 30 wrong passwords and 30 bad tokens were all
answered at full speed. Now every *failure* is counted in a moving window (the ``limits``
library's moving-window limiter, in memory): per account (the e-mail address tried) and per
client address. Once a count is used up, the next sign-in is refused before the password is even
checked, with 429 and ``Retry-After`` saying when to try again, also when that password would
have been right; otherwise the guesser could go on and learn from the answers. A bad token
past the allowance gets 429 instead of 401; a valid token is never refused (a 256-bit token
cannot be guessed, and colleagues behind one address must keep working). Successes are not
counted, and a successful sign-in clears its account's count. By default counts live in
the process (a restart forgets them); with ``HANDOFF_REDIS_URL`` they live in Redis (``limits``'
Redis storage, under ``HANDOFF_REDIS_PREFIX``), so every web process behind one port
counts against the same allowance and a guesser gains nothing by hitting another process.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from api.problems import TooManyAttempts

PER_ACCOUNT = "10/15 minutes"
PER_ADDRESS = "20/15 minutes"


class Throttle:
    """Counts failed attempts and refuses callers who used up their allowance.

    Args:
        per_account: Failed sign-ins allowed for one account, e.g. ``"10/15 minutes"``.
        per_address: Failed sign-ins and bad tokens allowed from one client address.
        redis_url: Count in this Redis (shared by all processes) instead of in memory.
        redis_prefix: Where in that Redis: keys start with ``<prefix>-throttle``.
    """

    def __init__(self, per_account: str = PER_ACCOUNT, per_address: str = PER_ADDRESS, *,
                 redis_url: str | None = None, redis_prefix: str = "handoff") -> None:
        storage: Storage = (RedisStorage(redis_url, key_prefix=f"{redis_prefix}-throttle")
                            if redis_url else MemoryStorage())
        self._limiter = MovingWindowRateLimiter(storage)
        self._account: RateLimitItem = parse(per_account)
        self._address: RateLimitItem = parse(per_address)

    def _keys(self, account: str | None,
              address: str | None) -> list[tuple[RateLimitItem, str, str]]:
        keys = []
        if account:
            keys.append((self._account, "account", account.strip().lower()))
        if address:
            keys.append((self._address, "address", address))
        return keys

    def check(self, *, account: str | None = None, address: str | None = None) -> None:
        """Refuse the attempt when the account or the address has no failures left.

        Raises:
            TooManyAttempts: 429, with the seconds until the oldest failure leaves the window.
        """
        for limit, kind, key in self._keys(account, address):
            if not self._limiter.test(limit, kind, key):
                reset = self._limiter.get_window_stats(limit, kind, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyAttempts(kind, wait)

    def failed(self, *, account: str | None = None, address: str | None = None) -> None:
        """Count one failed attempt."""
        for limit, kind, key in self._keys(account, address):
            self._limiter.hit(limit, kind, key)

    def succeeded(self, *, account: str) -> None:
        """A right password: the account's failures are forgiven (the address's are not)."""
        self._limiter.clear(self._account, "account", account.strip().lower())
