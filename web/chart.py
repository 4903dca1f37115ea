"""Stacked bar charts as SVG, drawn on the server.

The pages carry no scripts and send a strict Content-Security-Policy, so a chart is markup: one
``<g class="bar">`` per bar with a ``<title>`` a screen reader (or a hovering mouse) reads, one
``<rect class="segment">`` per non-empty part, text labels under the bars and on the value axis, and
a legend. Built with lxml so every label is escaped by the serializer, never by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from web.atom import xml_safe

SVG_NS = "http://www.w3.org/2000/svg"
_S = f"{{{SVG_NS}}}"
#: Distinguishable colours (Okabe–Ito and Tableau), dark enough for white text around; grey is last.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#8c564b",
    "#b8a100",
    "#6a3d9a",
    "#8c96a0",
)
WIDTH = 900
_LEFT, _RIGHT, _TOP, _PLOT_HEIGHT, _AXIS = 48, 16, 44, 220, 34
_LEGEND_ROW, _LEGEND_COLUMNS = 22, 4
#: At most this many bars get a label under them; the others are labelled in their ``<title>``.
MAX_LABELS = 12


@dataclass(frozen=True)
class Series:
    """One kind of segment (a country); ``colour`` None takes the palette's next one."""

    key: str
    label: str
    colour: str | None = None


@dataclass(frozen=True)
class Bar:
    """One bar: its label under the axis, what it says in full, and its segments bottom-up."""

    label: str
    title: str
    #: ``(series key, value)``; zero values are left out of the drawing.
    segments: tuple[tuple[str, int], ...]
    #: The figure written above the bar (None: the sum of the segments).
    total: int | None = None


def stacked_bars_svg(title: str, description: str, bars: Sequence[Bar], series: Sequence[Series]) -> str:
    """The chart as an ``<svg>`` element for an HTML page (``role="img"``, labelled by its title)."""
    colours = {s.key: s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    legend_rows = math.ceil(len(series) / _LEGEND_COLUMNS)
    height = _TOP + _PLOT_HEIGHT + _AXIS + legend_rows * _LEGEND_ROW + 8
    svg = etree.Element(
        _S + "svg",
        nsmap={None: SVG_NS},
        viewBox=f"0 0 {WIDTH} {height}",
        width="100%",
        role="img",
        **{"aria-labelledby": "chart-title chart-desc", "class": "chart", "font-family": "sans-serif"},
    )
    _text(svg, "title", title, id="chart-title")
    _text(svg, "desc", description, id="chart-desc")
    _text(svg, "text", title, x="0", y="18", **{"font-size": "15", "font-weight": "bold", "class": "heading"})
    top = max((sum(v for _, v in bar.segments) for bar in bars), default=0)
    step = _tick_step(top)
    scale_top = max(step, math.ceil(top / step) * step)
    _axis(svg, step, scale_top)
    slot = (WIDTH - _LEFT - _RIGHT) / max(1, len(bars))
    every = max(1, math.ceil(len(bars) / MAX_LABELS))
    for index, bar in enumerate(bars):
        _bar(svg, bar, _LEFT + index * slot, slot, scale_top, colours, labelled=index % every == 0)
    _legend(svg, series, colours, _TOP + _PLOT_HEIGHT + _AXIS)
    return str(etree.tostring(svg, encoding="unicode"))


def _tick_step(top: int) -> int:
    """A round step (1, 2, 5, 10, 20, …) giving at most five ticks up to ``top``."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top <= 5 * factor * magnitude:
                return factor * magnitude
        magnitude *= 10


def _y(value: float, scale_top: int) -> float:
    return _TOP + _PLOT_HEIGHT - value / scale_top * _PLOT_HEIGHT


def _axis(svg: etree._Element, step: int, scale_top: int) -> None:
    axis = etree.SubElement(svg, _S + "g", **{"class": "axis", "font-size": "11", "fill": "#5f6b76"})
    for value in range(0, scale_top + 1, step):
        y = f"{_y(value, scale_top):.1f}"
        line = {"x1": str(_LEFT), "x2": str(WIDTH - _RIGHT), "y1": y, "y2": y, "stroke": "#dde3e8"}
        etree.SubElement(axis, _S + "line", **line)
        _text(axis, "text", str(value), x=str(_LEFT - 6), y=y, **{"text-anchor": "end", "dy": "4"})


def _bar(
    svg: etree._Element,
    bar: Bar,
    left: float,
    slot: float,
    scale_top: int,
    colours: dict[str, str],
    labelled: bool,
) -> None:
    group = etree.SubElement(svg, _S + "g", **{"class": "bar"})
    _text(group, "title", bar.title)
    width = max(1.0, slot * 0.72)
    x = left + (slot - width) / 2
    stacked = 0
    for key, value in bar.segments:
        if value <= 0:
            continue
        top, bottom = _y(stacked + value, scale_top), _y(stacked, scale_top)
        etree.SubElement(
            group,
            _S + "rect",
            x=f"{x:.1f}",
            y=f"{top:.1f}",
            width=f"{width:.1f}",
            height=f"{bottom - top:.1f}",
            fill=colours.get(key, PALETTE[-1]),
            **{"class": "segment", "data-series": xml_safe(key)},
        )
        stacked += value
    middle = f"{left + slot / 2:.1f}"
    total = bar.total if bar.total is not None else stacked
    if total and slot >= 14:
        y = f"{_y(stacked, scale_top) - 4:.1f}"
        _text(group, "text", str(total), x=middle, y=y, **{"text-anchor": "middle", "font-size": "11"})
    if labelled:
        y = str(_TOP + _PLOT_HEIGHT + 16)
        attributes = {"text-anchor": "middle", "font-size": "11", "fill": "#5f6b76", "class": "label"}
        _text(group, "text", bar.label, x=middle, y=y, **attributes)


def _legend(svg: etree._Element, series: Sequence[Series], colours: dict[str, str], top: int) -> None:
    legend = etree.SubElement(svg, _S + "g", **{"class": "legend", "font-size": "12"})
    column_width = (WIDTH - _LEFT) / _LEGEND_COLUMNS
    for index, one in enumerate(series):
        row, column = divmod(index, _LEGEND_COLUMNS)
        x, y = _LEFT + column * column_width, top + row * _LEGEND_ROW
        item = etree.SubElement(legend, _S + "g", **{"class": "key", "data-series": xml_safe(one.key)})
        swatch = {"x": f"{x:.1f}", "y": str(y), "width": "12", "height": "12", "fill": colours[one.key]}
        etree.SubElement(item, _S + "rect", **swatch)
        _text(item, "text", one.label, x=f"{x + 18:.1f}", y=str(y + 11))


def _text(parent: etree._Element, name: str, value: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _S + name, **attributes)
    element.text = xml_safe(value)
    return element
