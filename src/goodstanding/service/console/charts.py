"""Charts as inline SVG, drawn on the server: the geometry is computed here (numbers only) and
the templates in charts.html draw it, so every label passes through autoescape."""

from __future__ import annotations

from dataclasses import dataclass

from goodstanding.service.console.render import when

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 200


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, value, and where it is drawn."""

    label: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per label, scaled to the largest value."""

    bars: list[Bar]
    height: float
    label_width: float
    plot_width: float


def bar_chart(data: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars for (label, value) pairs, in the order given."""
    top = max((v for _, v in data), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(label, value, k * (BAR_HEIGHT + 6), plot * value / top)
        for k, (label, value) in enumerate(data)
    ]
    return BarChart(bars, max(1, len(bars)) * (BAR_HEIGHT + 6), LABEL_WIDTH, plot)


@dataclass(frozen=True)
class Column:
    """One day's column: automated decisions stacked under decisions by people."""

    day: str
    automated: int
    people: int
    x: float
    width: float
    automated_height: float
    people_height: float


@dataclass(frozen=True)
class ColumnChart:
    """Stacked daily columns with the scale's top value."""

    columns: list[Column]
    top: int
    height: float
    width: float


def day_columns(per_day: list[tuple[str, dict[str, int]]], height: float = 180) -> ColumnChart:
    """Stacked columns per day: automated decisions and decisions by people."""
    top = max((d["automated"] + d["people"] for _, d in per_day), default=0) or 1
    step = (WIDTH - 40) / max(1, len(per_day))
    columns = [
        Column(
            day,
            d["automated"],
            d["people"],
            40 + k * step,
            max(1.0, step * 0.8),
            height * d["automated"] / top,
            height * d["people"] / top,
        )
        for k, (day, d) in enumerate(per_day)
    ]
    return ColumnChart(columns, top, height, WIDTH)


@dataclass(frozen=True)
class LineChart:
    """A line through (time, value) points: its SVG points, scale and axis labels."""

    points: str
    height: float
    width: float
    low: float
    high: float
    first: str
    last: str
    bands: list[tuple[str, float]]


def line_chart(
    series: list[tuple[float, float]],
    low: float,
    high: float,
    bands: list[tuple[str, float]],
    height: float = 200,
) -> LineChart:
    """A line of values in [low, high] over time, with a rule at each band's lower bound."""
    span = (high - low) or 1.0
    start = series[0][0] if series else 0.0
    duration = (series[-1][0] - start) if len(series) > 1 else 1.0
    plot = WIDTH - 50

    def y(value: float) -> float:
        return round(height - height * (value - low) / span, 1)

    points = " ".join(
        f"{round(50 + plot * (t - start) / (duration or 1.0), 1)},{y(v)}" for t, v in series
    )
    return LineChart(
        points,
        height,
        WIDTH,
        low,
        high,
        when(series[0][0])[:10] if series else "",
        when(series[-1][0])[:10] if series else "",
        [(name, y(bound)) for name, bound in bands if low < bound < high],
    )
