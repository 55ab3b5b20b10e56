"""The open letter: petition pages, signatures, confirmation, counts and personal data."""
