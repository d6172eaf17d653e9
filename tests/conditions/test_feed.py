"""Parsing sensor feeds (no database): every problem with its line and field."""

from __future__ import annotations

import datetime as dt

from habeas.conditions import feed


class TestParse:
    def test_reads_csv_with_a_byte_order_mark(self) -> None:
        text = (
            "\ufeffcell,measured_at,temperature_c,lights\n3-01,2026-03-02T14:10:00-06:00,34.5,off\n"
        )
        readings, problems = feed.parse(text)
        assert problems == []
        (r,) = readings
        assert (r.cell, r.temperature, r.lights_on) == ("3-01", 34.5, False)
        assert r.measured_at == dt.datetime(2026, 3, 2, 20, 10, tzinfo=dt.UTC)

    def test_refuses_a_header_without_measured_at_or_with_unknown_columns(self) -> None:
        _r, problems = feed.parse("cell,when,temp\n3-01,x,1\n")
        assert {(p.field, p.code, p.line) for p in problems} == {
            ("when", "UNKNOWN_COLUMN", 1),
            ("temp", "UNKNOWN_COLUMN", 1),
            ("measured_at", "REQUIRED", 1),
        }

    def test_reports_every_bad_line(self) -> None:
        text = (
            "cell,measured_at,temperature_c,lights\n"
            "3-01,2026-03-02T14:10:00-06:00,34.5,on\n"
            "3-01,2026-03-02T14:20:00,34.5,on\n"
            "3-01,2026-03-02T14:30:00-06:00,warm,on\n"
            "3-01,2026-03-02T14:40:00-06:00,,\n"
            "3-01,2026-03-02T14:50:00-06:00\n"
        )
        readings, problems = feed.parse(text)
        assert len(readings) == 1
        assert [(p.line, p.code) for p in problems] == [
            (3, "NAIVE_DATETIME"),
            (4, "NOT_A_NUMBER"),
            (5, "NO_MEASUREMENT"),
            (6, "BAD_ROW"),
        ]

    def test_json_lines_with_a_broken_line(self) -> None:
        text = (
            '{"unit": "3", "measured_at": "2026-03-02T14:10:00Z", "co2_ppm": 2000}\n'
            "{not json\n"
            "[1, 2]\n"
            '{"cell": "3-01", "measured_at": "2026-03-02T14:10:00Z", "lights": "maybe"}\n'
        )
        readings, problems = feed.parse(text)
        assert [r.unit for r in readings] == ["3"]
        assert [(p.line, p.code) for p in problems] == [
            (2, "BAD_JSON"),
            (3, "BAD_JSON"),
            (4, "NOT_ON_OFF"),
        ]
