"""The signer's own page: a signed, expiring link (no account) to see and change what they gave."""
