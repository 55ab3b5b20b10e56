"""The confirmation mail: composing it, and sending it once per queued request.

The queue around it (the delivery task, the sweeper) is petitions.tasks.
"""
