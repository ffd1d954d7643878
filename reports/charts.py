"""Charts as inline SVG: Vega-Lite templates (the Splink pattern) rendered offline by vl-convert.

Why: the report must open on an air-gapped officer's machine and carry no JavaScript, so each chart is
rendered here to static SVG (no script, no external URL) and pasted into the HTML. The templates in
`templates/charts/*.vl.json` hold the look; the data and the words are filled in per chart.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup

FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, Source Han Sans SC, sans-serif"


@cache
def template(name: str) -> dict[str, Any]:
    """A chart template from `reports/templates/charts/`."""
    return json.loads(resources.files("reports").joinpath("templates", "charts", f"{name}.vl.json").read_text())


def spec(kind: str, values: list[dict[str, Any]], *, title: str, y_title: str = "") -> dict[str, Any]:
    """A template with its data, words and the report's font filled in."""
    out = copy.deepcopy(template(kind))
    out["data"] = {"values": values}
    out["description"] = title
    out["config"] = {"font": FONT, "view": {"stroke": None}}
    value_axis = "y" if kind == "line" else "x"
    out["encoding"][value_axis]["title"] = y_title
    return out


def svg(vl_spec: dict[str, Any], title: str) -> Markup:
    """The chart as an inline `<svg>` with an accessible name; nothing in it loads or runs anything."""
    import vl_convert

    text = vl_convert.vegalite_to_svg(json.dumps(vl_spec), allowed_base_urls=[])
    text = re.sub(r"^<svg ", '<svg role="img" aria-label="{}" '.format(_attr(title)), text, count=1)
    text = text.replace(">", f"><title>{_text(title)}</title>", 1)
    if re.search(r"<script|<foreignObject|\shref=|xlink:href=|url\(\s*['\"]?https?:", text, re.I):
        raise ValueError("a rendered chart referred to something outside the report")
    return Markup(text)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")
