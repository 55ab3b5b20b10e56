"""The sign form and its token: what a visitor fills in, checked before anything is recorded (no queries)."""
