"""Updates to signers, the staff side: who an update goes to, the mail itself, writing and approving it."""
