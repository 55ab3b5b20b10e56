"""The delivery pack: the letter, its count and the names of the signers who agreed to be shown, as one
PDF for the handover to the addressee, made by the task worker."""
