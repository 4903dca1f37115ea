"""alerts: see README."""
