"""What happens to signatures, for other parts to hear (the CRM webhooks, say).

Each is sent inside the transaction that makes the change; a receiver that does outside work (queues a
task, sends a request) does it on commit. Arguments are ids, never personal data:

- `signature_confirmed(sender, signature_id, petition_id)`: a signature was confirmed and counted.
- `contact_consent_withdrawn(sender, signature_ids, via)`: signers withdrew the "hear more" consent
  (`via` is "unsubscribe-link", "signer-page" or "staff").
- `signature_erased(sender, signature_ids, petition_ids)`: signatures were erased at the signer's request
  or by staff; a receiver must not look them up (they are gone). `petition_ids[i]` is the petition of
  `signature_ids[i]`.
"""

from django.dispatch import Signal

signature_confirmed = Signal()
contact_consent_withdrawn = Signal()
signature_erased = Signal()
