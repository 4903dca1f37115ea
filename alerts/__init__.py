"""Alerts: the rules file, matching stored items against it, the outbox and delivery through Apprise."""
