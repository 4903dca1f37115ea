"""Whether a list or feed record says the site changed an item since the archive stored it.

The site shows an edit in three places, each at its own precision: the feed entry's ``<updated>``
(to the second), the article page's "last updated" line (to the minute) and a list item's hidden
``span.updated`` (the day only); a list and a feed entry also show the title. The crawler reads an
item's own page again only when one of them says so, and the store keeps a page owed when a re-read
fails (`archive.store`); both ask this module, so they cannot disagree.

Times are compared at the precision both sides have, or every item would look edited after every
backfill: a backfill stores the article page's minute (``12:42``), the next feed says ``12:42:16``,
and a plain "newer than" would read all twenty pages again for nothing. So:

* a list item's date moves only when its Moscow day is later than the stored time's day;
* a feed time moves when it is later than the stored time; when the stored time is a whole minute
  (the page's "last updated", or a list date's midnight) only a later minute counts. The cost: an
  edit within the same minute as the stated time before it is not seen by time, only by its title
  or by the next edit (a feed time that happens to fall on ``:00`` is taken for a minute as well).

A title that differs only in typography (quotes, dashes, spaces: `archive.typography`) is no sign of
an edit; the time of a typography-only edit moves like any other, and the store flags it cosmetic.
"""

from __future__ import annotations

from datetime import datetime

from archive.records import ItemRecord
from archive.typography import typographic_form
from archive.vocabulary import moscow_date


def _whole_minute(moment: datetime) -> bool:
    return moment.second == 0 and moment.microsecond == 0


def site_time_moved(stated: datetime | None, stored: datetime | None, source: str) -> bool:
    """Whether the time a ``source`` page (``list`` or ``feed``) states for an item is later than
    the one stored, at the precision both have (see the module docstring). No stated time says
    nothing; a stated time where none is stored is news."""
    if stated is None:
        return False
    if stored is None:
        return True
    if source == "list":
        return moscow_date(stated) > moscow_date(stored)
    if _whole_minute(stored):
        return stated.replace(second=0, microsecond=0) > stored
    return stated > stored


def title_moved(shown: str | None, stored: str | None) -> bool:
    """Whether a title shown by a list or feed page differs from the stored one in more than
    typography."""
    if not shown or not stored:
        return False
    return typographic_form(shown) != typographic_form(stored)


def says_changed(record: ItemRecord, stored_title: str | None, stored_time: datetime | None) -> bool:
    """Whether a list or feed ``record`` shows an item changed since its stored title and time:
    its title differs beyond typography, or its stated time moved."""
    return title_moved(record.title, stored_title) or site_time_moved(
        record.site_updated_at, stored_time, record.source
    )
