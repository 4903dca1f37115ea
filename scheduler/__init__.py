"""The daemon: checks on an APScheduler schedule, leadership between replicas, health and metrics."""
