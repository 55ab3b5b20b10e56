"""Django's PostgreSQL backend, with a health check that costs no round trip while the line is quiet."""
