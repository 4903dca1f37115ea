"""A local kremlin.ru stand-in serving the real markup, for tests, benchmarks and demos."""
