"""Small inline SVG charts drawn on the server (no JavaScript, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart(points: Sequence[tuple[str, int, bool]], *, title: str, width: int = 420,
              height: int = 180) -> str:
    """A bar chart of (label, value, illustrative) points; illustrative bars are hatched."""
    if not points:
        return ""
    top = max(max(v for _, v, _ in points), 1)
    left, bottom, pad = 36, 24, 8
    plot_w, plot_h = width - left - pad, height - bottom - pad - 14
    slot = plot_w / len(points)
    bar = max(4.0, slot * 0.6)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f"<title>{escape(title)}</title>",
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#9bb8d3"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>',
             f'<line x1="{left}" y1="{pad + 14 + plot_h}" x2="{width - pad}" y2="{pad + 14 + plot_h}" stroke="#666"/>',
             f'<text x="{left - 4}" y="{pad + 18}" text-anchor="end" font-size="10">{top}</text>',
             f'<text x="{left - 4}" y="{pad + 14 + plot_h}" text-anchor="end" font-size="10">0</text>']
    for i, (label, value, illustrative) in enumerate(points):
        h = plot_h * value / top
        x = left + i * slot + (slot - bar) / 2
        y = pad + 14 + plot_h - h
        fill = "url(#hatch)" if illustrative else "#2f6f9f"
        note = " (ilustratif / illustrative)" if illustrative else ""
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}">'
                     f"<title>{escape(str(label))}: {value}{escape(note)}</title></rect>")
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{value}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="10">'
                     f"{escape(str(label))}</text>")
    parts.append("</svg>")
    return "".join(parts)
