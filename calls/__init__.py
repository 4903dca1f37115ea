"""Phone calls as records: who was on the other end, from which country, and whose initiative it was.

`calls.record` is the record; `calls.reader.read_call` reads it from an item's title, lead, text and
tags (`calls.english`, `calls.russian`, one per language of the site); `calls.ledger` keeps one row
per language version of a call in the archive and answers the call ledger's questions, one entry per
call.
"""
