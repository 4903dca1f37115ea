"""Configuration, on the ground floor so that every layer may import it.

`settings.schema` says what kremlin-watch can be told (typed, range-checked fields); `settings.loading`
turns a TOML file and ``KREMLIN_WATCH_*`` variables into those settings, with one error line per bad
value; `settings.errors` holds that error; `settings.toml_lines` finds the line of a TOML key for
messages (the rules file uses it too); `settings.version` is the installed version. The package imports
nothing else of ours: the crawler, scheduler, web side and command line all read it from below.
"""
