"""Signing a petition: the public views, who may sign, the rate limit, recording and confirming signatures."""
