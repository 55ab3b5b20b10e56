"""Webhooks for the campaign's CRM: events about signatures, signed and sent by the task worker.

`events` turns the signals of petitions.signals into delivery rows (in the change's transaction) and
asks for sending on commit; `tasks` holds the sending task and the sweeper; `sending` posts one
endpoint's deliveries in order with retries; `payloads` builds what is sent (contact details only where
allowed); `verification` signs bodies (and shows the CRM how to check them); `viewsets` and `views` are
the admin screens. The receivers are connected in petitions.apps, so no model imports this package.
"""
