"""Django's PostgreSQL backend, whose per-request health check asks the socket before it asks the server.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` before the first query of every request, so that a
connection the server closed since the last request (a restart, a failover, a proxy or network cut) is
replaced instead of failing that request. A closed connection says so on its socket: the server's
goodbye (`FATAL: terminating connection`) and the end of the stream make it readable while no query is
in flight. So the check first looks, without waiting, whether the idle socket has anything to read; if
it has not (the everyday case) the connection is taken as usable, and only if it has is `SELECT 1`
sent, which then fails and replaces the connection. A line that died without a word from the other
end (a host gone, a silent firewall) fails `SELECT 1` no sooner than the query itself, and a
connection is never older than CONN_MAX_AGE.
"""

import select

from django.db.backends.postgresql import base

Database = base.Database


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self):
        """Whether the connection is open, outside a transaction, with nothing from the server waiting."""
        connection = self.connection
        try:
            if connection.closed or connection.info.transaction_status != Database.pq.TransactionStatus.IDLE:
                return False
            poll = select.poll()
            poll.register(connection.fileno(), select.POLLIN)
            events = poll.poll(0)
        except (AttributeError, Database.Error, OSError, ValueError):  # no poll() (Windows): ask the server
            return False
        return not events
