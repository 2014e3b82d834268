"""Small charts as inline SVG, drawn on the server: no script, no image request, nothing the
Content-Security-Policy has to allow. Labels are escaped like any other text."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bars", "band"]

_WIDTH, _HEIGHT, _PAD = 640, 160, 24


def _frame(body: list[str], title: str, width: int = _WIDTH, height: int = _HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _scale(values: Sequence[float]) -> float:
    top = max(values, default=0)
    return (_HEIGHT - 2 * _PAD) / top if top > 0 else 0.0


def bars(values: Sequence[float], labels: Sequence[str], *, title: str, unit: str = "") -> Markup:
    """A bar per value, labelled underneath (every few when there are many), with its value on hover."""
    if not values:
        return _frame([f'<text x="{_PAD}" y="{_HEIGHT // 2}">no data</text>'], title)
    scale, step = _scale(values), (_WIDTH - 2 * _PAD) / len(values)
    every = max(1, len(values) // 12)
    body = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = value * scale
        x = _PAD + index * step
        body.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{_HEIGHT - _PAD - height:.1f}" width="{step * 0.8:.1f}" height="{height:.1f}" fill="#457b9d">'
            f"<title>{escape(label)}: {value:,.0f}{escape(unit)}</title></rect>"
        )
        if index % every == 0:
            body.append(f'<text x="{x + step / 2:.1f}" y="{_HEIGHT - 6}" text-anchor="middle">{escape(label)}</text>')
    body.append(f'<text x="{_PAD}" y="{_PAD - 8}">max {max(values):,.0f}{escape(unit)}</text>')
    return _frame(body, title)


def band(
    observed: Sequence[float], expected: Sequence[float | None], alerting: Sequence[bool], labels: Sequence[str], *, title: str
) -> Markup:
    """Observed volume as a line over the expected band (0 to twice the expected), alerting points marked red."""
    if not observed:
        return _frame([f'<text x="{_PAD}" y="{_HEIGHT // 2}">no data</text>'], title)
    ceiling = [2 * value for value in expected if value is not None]
    scale = _scale([*observed, *ceiling])
    step = (_WIDTH - 2 * _PAD) / max(len(observed) - 1, 1)

    def point(index: int, value: float) -> str:
        return f"{_PAD + index * step:.1f},{_HEIGHT - _PAD - value * scale:.1f}"

    body = []
    upper = [(index, 2 * value) for index, value in enumerate(expected) if value is not None]
    if upper:
        outline = [point(index, value) for index, value in upper] + [point(index, 0) for index, _ in reversed(upper)]
        body.append(f'<polygon points="{" ".join(outline)}" fill="#e9f1f7"><title>expected band</title></polygon>')
    body.append(f'<polyline points="{" ".join(point(index, value) for index, value in enumerate(observed))}" fill="none" stroke="#1d3557" stroke-width="2"/>')
    for index, (value, alert) in enumerate(zip(observed, alerting, strict=True)):
        if alert:
            x, y = point(index, value).split(",")
            body.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#b00020"><title>{escape(labels[index])}: alert</title></circle>')
    every = max(1, len(observed) // 8)
    for index, label in enumerate(labels):
        if index % every == 0:
            body.append(f'<text x="{_PAD + index * step:.1f}" y="{_HEIGHT - 6}" text-anchor="middle">{escape(label)}</text>')
    body.append(f'<text x="{_PAD}" y="{_PAD - 8}">max {max(observed):,.0f}</text>')
    return _frame(body, title)
