"""Bar charts drawn on the server, as SVG (templates/admin/includes/bar_chart.html).

No script and no third-party request: the staff pages (the dashboard, readership
figures) draw their charts from these numbers, and every chart's numbers are also
given as a table beside it.
"""

# The chart's drawing area, in SVG user units (the SVG scales to the page's width).
CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_LEFT = 44  # room for the scale's numbers
CHART_BOTTOM = 36  # room for the week labels
CHART_TOP = 12


def bar_chart(values: list[float | None], labels: list[str], *, unit: str = "requests") -> dict:
    """Bars and a scale for an SVG chart of ``values`` (None draws no bar), in ``unit``,
    which is written above the scale."""
    top = max([value for value in values if value is not None] or [0])
    scale_max = nice_ceiling(top)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    plot_width = CHART_WIDTH - CHART_LEFT
    slot = plot_width / max(len(values), 1)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = 0 if not value else plot_height * value / scale_max
        x = CHART_LEFT + index * slot
        bars.append(
            {
                # Every other label is left out on a phone (staff.css), where twelve
                # would overlap at a readable size.
                "odd": index % 2 == 1,
                "x": round(x + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "height": round(height, 1),
                "label": label,
                "label_x": round(x + slot / 2, 1),
            }
        )
    ticks = [
        {"value": f"{scale_max * n / 4:g}", "y": round(CHART_TOP + plot_height * (1 - n / 4), 1)}
        for n in range(5)
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "unit": unit,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "baseline": CHART_TOP + plot_height,
        "label_y": CHART_TOP + plot_height + 22,
    }


def nice_ceiling(value: float) -> int:
    """The smallest of 4, 8, 12, 20, 40, 80, 120, 200, ... at or above ``value``, so the
    scale's quarter marks are round numbers."""
    magnitude = 1
    while True:
        for step in (4, 8, 12, 20):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10
