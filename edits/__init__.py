"""Edits as news: what changed between two versions of an item, sentence by sentence (`edits.diff`),
and that difference written for people (`edits.render`)."""
