"""The query language, on the ground floor: parsing, words and lemmas, documents, evaluation, snippets.

Alert rules, `search` and the web pages all speak it, so it lives below all of them and imports
nothing of ours. `query.syntax` parses text into a tree, `query.evaluate` compiles the tree once
against a `query.morphology.Lemmatizer` and answers either with every hit (for alerts and
highlights) or with a lazy yes/no (for counting search matches); `query.snippets` turns hits into
the one snippet type every output shows.
"""
