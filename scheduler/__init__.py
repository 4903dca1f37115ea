"""scheduler: see README."""
