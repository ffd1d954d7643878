"""Charts are rendered offline to inline SVG that refers to nothing outside the report."""

from __future__ import annotations

import pytest

from reports.charts import spec, svg


def test_line_chart_is_static_svg_with_a_name() -> None:
    values = [{"for_date": "2026-12-01", "value": 3, "series": "新建"}, {"for_date": "2026-12-02", "value": 5, "series": "新建"}]
    out = str(svg(spec("line", values, title="警报 <新建>"), "警报 <新建>"))
    assert out.startswith('<svg role="img" aria-label="警报 &lt;新建&gt;"')
    assert "<title>警报 &lt;新建&gt;</title>" in out
    assert "<script" not in out and "href=" not in out and "<foreignObject" not in out
    assert "新建" in out  # the legend, drawn as text in the report's font
    assert out == str(svg(spec("line", values, title="警报 <新建>"), "警报 <新建>"))  # the same every run


def test_external_image_refused() -> None:
    image = {"data": {"values": [{"u": "http://127.0.0.1:9/x.png", "x": 1}]}, "mark": "image",
             "encoding": {"url": {"field": "u"}, "x": {"field": "x", "type": "quantitative"}}}
    with pytest.raises(ValueError, match="outside the report"):
        svg(image, "t")


def test_external_data_refused() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        svg({"data": {"url": "http://127.0.0.1:9/data.json"}, "mark": "point"}, "t")
