"""Signatories' personal data over time: retention, anonymisation after a petition closes, and erasure."""
