"""Worked cases: each one an input, the expected answer, and the arithmetic written out in words.

The expected dates were derived by hand from the conventions in docs/sentencing.md (checked with
plain ``date + timedelta`` arithmetic, never with the calculator). Unless a case says otherwise
it uses the default El Salvador profile: cap 60 years, conditional release at 2/3 of the
enforceable term, release on the day after the last day served, no start before imposition.

Shared arithmetic: a term starting on day S has its end boundary E = S + term (months at once,
clamped to the month's end, then days); the last day served is E - 1 less any remand credit;
release is the day after the last day served. Conditional release: n = ceil(fraction x custody
days); eligible on deemed start + n days.
"""

from __future__ import annotations

from typing import Any

Case = dict[str, Any]


def sentence(
    ident: str,
    imposed_on: str,
    *,
    years: int = 0,
    months: int = 0,
    days: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    term = {k: v for k, v in (("years", years), ("months", months), ("days", days)) if v}
    return {
        "id": ident,
        "offence": extra.pop("offence", "Agrupaciones ilícitas (CP art. 345)"),
        "court": extra.pop("court", "Tribunal Primero de Sentencia, San Salvador"),
        "case_reference": extra.pop("case_reference", f"TS-{ident}"),
        "imposed_on": imposed_on,
        "term": term,
        "seriousness": extra.pop("seriousness", "serious"),
        **extra,
    }


def what_if(
    *sentences: dict[str, Any], profile: Any = None, remand_days: int = 0
) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": "habeas.sentencing.what-if/1", "sentences": list(sentences)}
    if profile is not None:
        body["profile"] = profile
    if remand_days:
        body["remand_days"] = remand_days
    return body


def chain(count: int, imposed_on: str, *, years: int, first_credit: int = 0) -> list[Any]:
    """``count`` sentences of ``years`` each, every one consecutive to the one before."""
    found = [sentence("S1", imposed_on, years=years, remand_credit_days=first_credit)]
    found += [
        sentence(f"S{i}", imposed_on, years=years, consecutive_to=f"S{i - 1}")
        for i in range(2, count + 1)
    ]
    return found


def period(value: Any, valid_from: str, valid_until: str | None = None) -> dict[str, Any]:
    return {
        "valid_from": valid_from,
        "valid_until": valid_until,
        "value": value,
        "source": "Worked-case profile (hypothetical law)",
        "confirmed": True,
    }


def extends(**rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"extends": "el_salvador", "rules": rules}


SENTENCE_CASES: list[Case] = [
    # --- single terms ----------------------------------------------------------------------
    {
        "id": "single-term-of-days",
        "derivation": (
            "30 days from 1 Mar 2023 (the day of imposition is the first day served): "
            "E = 1 Mar + 30 days = 31 Mar; last day served 30 Mar; release 31 Mar. "
            "Conditional release: ceil(2/3 x 30) = 20 days; 1 Mar + 20 = 21 Mar."
        ),
        "what_if": what_if(sentence("S1", "2023-03-01", days=30)),
        "expect": {
            "last_day": "2023-03-30",
            "release_date": "2023-03-31",
            "nominal_days": 30,
            "custody_days": 30,
            "conditional_release_date": "2023-03-21",
        },
    },
    {
        "id": "single-term-of-one-year",
        "derivation": (
            "1 year from 10 Mar 2021: E = 10 Mar 2022; last day served 9 Mar 2022; release "
            "10 Mar 2022 (fecha a fecha). 365 days (no 29 Feb inside). Conditional release: "
            "ceil(2/3 x 365) = ceil(243.33) = 244; 10 Mar 2021 + 244 days = 9 Nov 2021."
        ),
        "what_if": what_if(sentence("S1", "2021-03-10", years=1)),
        "expect": {
            "last_day": "2022-03-09",
            "release_date": "2022-03-10",
            "nominal_term": {"years": 1, "months": 0, "days": 0},
            "nominal_days": 365,
            "conditional_release_date": "2021-11-09",
        },
    },
    {
        "id": "single-term-of-months-ending-in-a-leap-february",
        "derivation": (
            "6 months from 31 Aug 2023: 31 Aug + 6 months = '31 Feb 2024', clamped to the last "
            "day of February 2024, a leap year: E = 29 Feb 2024; last day served 28 Feb; "
            "release 29 Feb. Days: 31 Aug 2023 to 29 Feb 2024 = 182. Conditional release: "
            "ceil(2/3 x 182) = ceil(121.33) = 122; 31 Aug 2023 + 122 days = 31 Dec 2023."
        ),
        "what_if": what_if(sentence("S1", "2023-08-31", months=6)),
        "expect": {
            "last_day": "2024-02-28",
            "release_date": "2024-02-29",
            "nominal_days": 182,
            "conditional_release_date": "2023-12-31",
        },
    },
    {
        "id": "one-month-from-31-january-in-a-common-year",
        "derivation": (
            "1 month from 31 Jan 2023: 31 Jan + 1 month = '31 Feb', clamped to 28 Feb 2023 = E; "
            "last day served 27 Feb; release 28 Feb. 28 days. Conditional release: "
            "ceil(2/3 x 28) = ceil(18.67) = 19; 31 Jan + 19 = 19 Feb."
        ),
        "what_if": what_if(sentence("S1", "2023-01-31", months=1)),
        "expect": {
            "last_day": "2023-02-27",
            "release_date": "2023-02-28",
            "nominal_days": 28,
            "conditional_release_date": "2023-02-19",
        },
    },
    {
        "id": "one-month-from-31-january-in-a-leap-year",
        "derivation": (
            "1 month from 31 Jan 2024: clamped to 29 Feb 2024 = E (leap year); last day served "
            "28 Feb; release 29 Feb. 29 days. Conditional release: ceil(2/3 x 29) = "
            "ceil(19.33) = 20; 31 Jan + 20 = 20 Feb."
        ),
        "what_if": what_if(sentence("S1", "2024-01-31", months=1)),
        "expect": {
            "last_day": "2024-02-28",
            "release_date": "2024-02-29",
            "nominal_days": 29,
            "conditional_release_date": "2024-02-20",
        },
    },
    {
        "id": "one-year-from-29-february",
        "derivation": (
            "1 year (12 months) from 29 Feb 2024: '29 Feb 2025' does not exist, clamped to "
            "28 Feb 2025 = E; last day served 27 Feb 2025; release 28 Feb 2025. 365 days. "
            "Conditional release: 244 days; 29 Feb 2024 + 244 = 30 Oct 2024."
        ),
        "what_if": what_if(sentence("S1", "2024-02-29", years=1)),
        "expect": {
            "last_day": "2025-02-27",
            "release_date": "2025-02-28",
            "nominal_days": 365,
            "conditional_release_date": "2024-10-30",
        },
    },
    {
        "id": "four-years-from-29-february",
        "derivation": (
            "4 years from 29 Feb 2024: 29 Feb 2028 exists (leap year) = E; last day served "
            "28 Feb 2028; release 29 Feb 2028. 1,461 days. Conditional release: 2/3 x 1461 = "
            "974 exactly; 29 Feb 2024 + 974 = 30 Oct 2026."
        ),
        "what_if": what_if(sentence("S1", "2024-02-29", years=4)),
        "expect": {
            "last_day": "2028-02-28",
            "release_date": "2028-02-29",
            "nominal_days": 1461,
            "conditional_release_date": "2026-10-30",
        },
    },
    {
        "id": "year-and-month-from-29-february-are-added-at-once",
        "derivation": (
            "1 year 1 month from 29 Feb 2024 is 13 months added at once: 29 Mar 2025 = E (no "
            "clamp; adding the year first would clamp to 28 Feb and give 28 Mar). Last day "
            "served 28 Mar 2025; release 29 Mar. 394 days. Conditional release: "
            "ceil(2/3 x 394) = ceil(262.67) = 263; 29 Feb 2024 + 263 = 18 Nov 2024."
        ),
        "what_if": what_if(sentence("S1", "2024-02-29", years=1, months=1)),
        "expect": {
            "last_day": "2025-03-28",
            "release_date": "2025-03-29",
            "nominal_days": 394,
            "conditional_release_date": "2024-11-18",
        },
    },
    {
        "id": "a-year-crossing-29-february-has-366-days",
        "derivation": (
            "1 year from 1 Jun 2023: E = 1 Jun 2024; the term contains 29 Feb 2024, so 366 "
            "days; last day served 31 May 2024; release 1 Jun 2024. Conditional release: "
            "ceil(2/3 x 366) = 244; 1 Jun 2023 + 244 = 31 Jan 2024."
        ),
        "what_if": what_if(sentence("S1", "2023-06-01", years=1)),
        "expect": {
            "last_day": "2024-05-31",
            "release_date": "2024-06-01",
            "nominal_days": 366,
            "conditional_release_date": "2024-01-31",
        },
    },
    {
        "id": "days-crossing-29-february",
        "derivation": (
            "10 days from 25 Feb 2024: 25, 26, 27, 28, 29 Feb, 1, 2, 3, 4, 5 Mar: E = 6 Mar; "
            "last day served 5 Mar; release 6 Mar. Conditional release: ceil(2/3 x 10) = 7; "
            "25 Feb + 7 = 3 Mar."
        ),
        "what_if": what_if(sentence("S1", "2024-02-25", days=10)),
        "expect": {
            "last_day": "2024-03-05",
            "release_date": "2024-03-06",
            "conditional_release_date": "2024-03-03",
        },
    },
    {
        "id": "years-months-and-days-together",
        "derivation": (
            "2 years 3 months 10 days from 30 Nov 2022: 27 months at once gives '30 Feb 2025', "
            "clamped to 28 Feb 2025; plus 10 days = 10 Mar 2025 = E; last day served 9 Mar "
            "2025; release 10 Mar. 831 days. Conditional release: ceil(2/3 x 831) = 554; "
            "30 Nov 2022 + 554 = 6 Jun 2024."
        ),
        "what_if": what_if(sentence("S1", "2022-11-30", years=2, months=3, days=10)),
        "expect": {
            "last_day": "2025-03-09",
            "release_date": "2025-03-10",
            "nominal_term": {"years": 2, "months": 3, "days": 10},
            "nominal_days": 831,
            "conditional_release_date": "2024-06-06",
        },
    },
    {
        "id": "a-start-date-after-imposition",
        "derivation": (
            "3 months imposed 10 Jan 2023 to start on 1 Feb 2023: E = 1 May 2023; last day "
            "served 30 Apr; release 1 May. 89 days. Conditional release: ceil(2/3 x 89) = 60; "
            "1 Feb + 60 = 2 Apr."
        ),
        "what_if": what_if(sentence("S1", "2023-01-10", months=3, starts_on="2023-02-01")),
        "expect": {
            "sentence_start": "2023-02-01",
            "last_day": "2023-04-30",
            "release_date": "2023-05-01",
            "conditional_release_date": "2023-04-02",
        },
    },
    # --- concurrent ------------------------------------------------------------------------
    {
        "id": "concurrent-sentences-the-one-ending-last-wins",
        "derivation": (
            "S1 2 years from 1 Jan 2020 ends (last day) 31 Dec 2021. S2, concurrent, 3 years "
            "from 1 Jun 2020: E = 1 Jun 2023, last day 31 May 2023. S2 ends last: release "
            "1 Jun 2023. Nominal term is S2's 3 years = 1,095 days. Custody counted from "
            "1 Jan 2020 to 31 May 2023 = 1,247 days; conditional release ceil(2/3 x 1247) = "
            "832; 1 Jan 2020 + 832 = 12 Apr 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=2),
            sentence("S2", "2020-06-01", years=3),
        ),
        "expect": {
            "determining_sentence": "S2",
            "last_day": "2023-05-31",
            "release_date": "2023-06-01",
            "nominal_term": {"years": 3, "months": 0, "days": 0},
            "nominal_days": 1095,
            "custody_days": 1247,
            "conditional_release_date": "2022-04-12",
        },
    },
    {
        "id": "concurrent-sentences-of-equal-start-longest-wins",
        "derivation": (
            "S1 18 months, S2 5 years, S3 4 months, all imposed and starting 15 May 2019. "
            "S2 is longest: E = 15 May 2024; last day 14 May 2024; release 15 May 2024. "
            "1,827 days (2020 and 2024 leap days inside). Conditional release: "
            "ceil(2/3 x 1827) = 1218; 15 May 2019 + 1218 = 14 Sep 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2019-05-15", months=18),
            sentence("S2", "2019-05-15", years=5),
            sentence("S3", "2019-05-15", months=4),
        ),
        "expect": {
            "determining_sentence": "S2",
            "last_day": "2024-05-14",
            "release_date": "2024-05-15",
            "nominal_days": 1827,
            "conditional_release_date": "2022-09-14",
        },
    },
    {
        "id": "a-later-shorter-concurrent-sentence-can-end-the-aggregate",
        "derivation": (
            "S1 5 years from 1 Jan 2015, last day 31 Dec 2019. S2 1 year imposed 1 Jun 2019 "
            "(concurrent): E = 1 Jun 2020 (366 days, 29 Feb 2020 inside), last day 31 May "
            "2020. S2 ends later: release 1 Jun 2020. Custody 1 Jan 2015 to 31 May 2020 = "
            "1,978 days; conditional release ceil(2/3 x 1978) = 1319; 1 Jan 2015 + 1319 = "
            "12 Aug 2018."
        ),
        "what_if": what_if(
            sentence("S1", "2015-01-01", years=5),
            sentence("S2", "2019-06-01", years=1),
        ),
        "expect": {
            "determining_sentence": "S2",
            "release_date": "2020-06-01",
            "nominal_days": 366,
            "custody_days": 1978,
            "conditional_release_date": "2018-08-12",
        },
    },
    # --- consecutive -----------------------------------------------------------------------
    {
        "id": "two-consecutive-sentences",
        "derivation": (
            "S1 2 years from 15 Mar 2020: E = 15 Mar 2022, last day 14 Mar 2022 (730 days). "
            "S2 1 year 6 months, imposed 10 Jan 2021, consecutive to S1: starts the day after, "
            "15 Mar 2022; E = 15 Sep 2023; last day 14 Sep 2023 (549 days). Nominal 3 years 6 "
            "months = 730 + 549 = 1,279 days; release 15 Sep 2023. Conditional release: "
            "ceil(2/3 x 1279) = 853; 15 Mar 2020 + 853 = 16 Jul 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2020-03-15", years=2),
            sentence("S2", "2021-01-10", years=1, months=6, consecutive_to="S1"),
        ),
        "expect": {
            "last_day": "2023-09-14",
            "release_date": "2023-09-15",
            "nominal_term": {"years": 3, "months": 6, "days": 0},
            "nominal_days": 1279,
            "conditional_release_date": "2022-07-16",
        },
    },
    {
        "id": "consecutive-months-from-a-month-end-are-chained-one-by-one",
        "derivation": (
            "Three consecutive 1-month terms from 31 Jan 2023. S1: E = 28 Feb (clamped), last "
            "day 27 Feb (28 days). S2 starts 28 Feb: E = 28 Mar, last day 27 Mar (28 days). S3 "
            "starts 28 Mar: E = 28 Apr, last day 27 Apr (31 days). Nominal 3 months, 87 days; "
            "release 28 Apr (not 30 Apr: each term runs from its own start). Conditional "
            "release: ceil(2/3 x 87) = 58; 31 Jan + 58 = 30 Mar."
        ),
        "what_if": what_if(
            sentence("S1", "2023-01-31", months=1),
            sentence("S2", "2023-01-31", months=1, consecutive_to="S1"),
            sentence("S3", "2023-01-31", months=1, consecutive_to="S2"),
        ),
        "expect": {
            "last_day": "2023-04-27",
            "release_date": "2023-04-28",
            "nominal_term": {"years": 0, "months": 3, "days": 0},
            "nominal_days": 87,
            "conditional_release_date": "2023-03-30",
        },
    },
    {
        "id": "a-concurrent-branch-inside-a-consecutive-chain",
        "derivation": (
            "S1 2 years from 1 Jan 2020, last day 31 Dec 2021. S2 (1 year) and S3 (6 months) "
            "are both consecutive to S1, so both start 1 Jan 2022 and run concurrently: S2 "
            "ends 31 Dec 2022, S3 ends 30 Jun 2022. S2 ends last: nominal 3 years, 1,096 days "
            "(2020 is leap); release 1 Jan 2023. Conditional release: ceil(2/3 x 1096) = 731; "
            "1 Jan 2020 + 731 = 1 Jan 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=2),
            sentence("S2", "2020-01-01", years=1, consecutive_to="S1"),
            sentence("S3", "2020-01-01", months=6, consecutive_to="S1"),
        ),
        "expect": {
            "determining_sentence": "S2",
            "last_day": "2022-12-31",
            "release_date": "2023-01-01",
            "nominal_term": {"years": 3, "months": 0, "days": 0},
            "nominal_days": 1096,
            "conditional_release_date": "2022-01-01",
        },
    },
    {
        "id": "a-concurrent-sentence-outlasting-a-consecutive-chain",
        "derivation": (
            "S1 1 year from 1 Jan 2020 and S2 (2 years, consecutive) end 31 Dec 2022. S3, "
            "concurrent, 4 years from 1 Jun 2020: E = 1 Jun 2024, last day 31 May 2024, later. "
            "Nominal 4 years = 1,461 days; release 1 Jun 2024. Custody 1 Jan 2020 to 31 May "
            "2024 = 1,613 days; conditional release ceil(2/3 x 1613) = 1076; 1 Jan 2020 + 1076 "
            "= 12 Dec 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=1),
            sentence("S2", "2020-01-01", years=2, consecutive_to="S1"),
            sentence("S3", "2020-06-01", years=4),
        ),
        "expect": {
            "determining_sentence": "S3",
            "release_date": "2024-06-01",
            "nominal_term": {"years": 4, "months": 0, "days": 0},
            "nominal_days": 1461,
            "custody_days": 1613,
            "conditional_release_date": "2022-12-12",
        },
    },
    # --- remand credit ---------------------------------------------------------------------
    {
        "id": "remand-credit-on-a-single-sentence",
        "derivation": (
            "1 year from 1 May 2022 with 100 days of remand credit: served through 30 Apr "
            "2023, less 100 days: last day 20 Jan 2023; release 21 Jan 2023. Custody is "
            "counted from 1 May 2022 - 100 = 21 Jan 2022: 365 days. Conditional release: 244 "
            "days from 21 Jan 2022 = 22 Sep 2022."
        ),
        "what_if": what_if(sentence("S1", "2022-05-01", years=1, remand_credit_days=100)),
        "expect": {
            "deemed_start": "2022-01-21",
            "last_day": "2023-01-20",
            "release_date": "2023-01-21",
            "remand_credit_days": 100,
            "custody_days": 365,
            "conditional_release_date": "2022-09-22",
        },
    },
    {
        "id": "remand-credit-equal-to-the-term-releases-on-the-day-of-sentence",
        "derivation": (
            "30 days imposed 1 Mar 2023 with 30 days of remand: served through 30 Mar less 30 "
            "= 28 Feb, the day before the start; release the day after, 1 Mar 2023 (the day "
            "of sentence). Conditional release would be 30 Jan + 20 = 19 Feb, before the "
            "sentence; it is moved to the sentence start, 1 Mar."
        ),
        "what_if": what_if(sentence("S1", "2023-03-01", days=30, remand_credit_days=30)),
        "expect": {
            "last_day": "2023-02-28",
            "release_date": "2023-03-01",
            "custody_days": 30,
            "conditional_release_date": "2023-03-01",
        },
    },
    {
        "id": "remand-credited-to-the-whole-aggregate",
        "derivation": (
            "S1 2 years from 1 Jan 2020 and S2 1 year consecutive end 31 Dec 2022 (1,096 days). "
            "200 days of remand credited to the aggregate: last day 31 Dec 2022 - 200 = 14 Jun "
            "2022; release 15 Jun 2022; custody counted from 1 Jan 2020 - 200 = 15 Jun 2019, "
            "1,096 days. Conditional release: 731 days from 15 Jun 2019 = 15 Jun 2021."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=2),
            sentence("S2", "2020-01-01", years=1, consecutive_to="S1"),
            remand_days=200,
        ),
        "expect": {
            "deemed_start": "2019-06-15",
            "last_day": "2022-06-14",
            "release_date": "2022-06-15",
            "remand_credit_days": 200,
            "nominal_days": 1096,
            "custody_days": 1096,
            "conditional_release_date": "2021-06-15",
        },
    },
    {
        "id": "remand-credit-on-a-consecutive-sentence-shortens-the-chain",
        "derivation": (
            "S1 2 years from 1 Jan 2020 ends 31 Dec 2021. S2, 1 year consecutive with 50 days "
            "of its own remand credit, starts 1 Jan 2022, is served through 31 Dec 2022, less "
            "50 days: 11 Nov 2022; release 12 Nov 2022. The deemed start stays 1 Jan 2020 (a "
            "consecutive sentence's remand lies inside the continuous custody): custody 1,046 "
            "days; conditional release ceil(2/3 x 1046) = 698; 1 Jan 2020 + 698 = 29 Nov 2021."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=2),
            sentence("S2", "2020-01-01", years=1, consecutive_to="S1", remand_credit_days=50),
        ),
        "expect": {
            "deemed_start": "2020-01-01",
            "last_day": "2022-11-11",
            "release_date": "2022-11-12",
            "remand_credit_days": 50,
            "custody_days": 1046,
            "conditional_release_date": "2021-11-29",
        },
    },
    # --- the cap ---------------------------------------------------------------------------
    {
        "id": "five-hundred-consecutive-three-year-terms-are-capped-at-sixty-years",
        "derivation": (
            "500 consecutive terms of 3 years from 2 May 2023: nominal 1,500 years, ending "
            "(last day) 1 May 3523, 547,863 days. The cap of 60 years counts from 2 May 2023: "
            "E = 2 May 2083; last day served 1 May 2083; release 2 May 2083. Custody 21,915 "
            "days; conditional release 2/3 x 21915 = 14,610; 2 May 2023 + 14610 = 2 May 2063."
        ),
        "what_if": what_if(*chain(500, "2023-05-02", years=3)),
        "expect": {
            "nominal_term": {"years": 1500, "months": 0, "days": 0},
            "nominal_days": 547863,
            "nominal_last_day": "3523-05-01",
            "capped": True,
            "enforceable_term": {"years": 60, "months": 0, "days": 0},
            "last_day": "2083-05-01",
            "release_date": "2083-05-02",
            "custody_days": 21915,
            "conditional_release_date": "2063-05-02",
        },
    },
    {
        "id": "remand-counts-towards-the-cap",
        "derivation": (
            "25 consecutive 3-year terms from 1 Jan 2000 (75 years, 27,394 days), S1 with 365 "
            "days of remand credit. Nominal last day: 31 Dec 2074 - 365 = 31 Dec 2073. Custody "
            "is counted from 1 Jan 2000 - 365 = 1 Jan 1999, so the 60-year cap ends E = 1 Jan "
            "2059: last day 31 Dec 2058, release 1 Jan 2059. Custody 21,915 days; conditional "
            "release 14,610 days from 1 Jan 1999 = 1 Jan 2039."
        ),
        "what_if": what_if(*chain(25, "2000-01-01", years=3, first_credit=365)),
        "expect": {
            "deemed_start": "1999-01-01",
            "nominal_days": 27394,
            "nominal_last_day": "2073-12-31",
            "capped": True,
            "last_day": "2058-12-31",
            "release_date": "2059-01-01",
            "custody_days": 21915,
            "conditional_release_date": "2039-01-01",
        },
    },
    {
        "id": "exactly-sixty-years-is-not-capped",
        "derivation": (
            "20 consecutive 3-year terms from 1 Jan 2000 = 60 years: last day 31 Dec 2059, the "
            "same day the cap would end: not shortened, capped is false; release 1 Jan 2060. "
            "21,915 days; conditional release 14,610 days from 1 Jan 2000 = 1 Jan 2040."
        ),
        "what_if": what_if(*chain(20, "2000-01-01", years=3)),
        "expect": {
            "capped": False,
            "enforceable_term": {"years": 60, "months": 0, "days": 0},
            "last_day": "2059-12-31",
            "release_date": "2060-01-01",
            "conditional_release_date": "2040-01-01",
        },
    },
    {
        "id": "conditional-release-on-the-nominal-term-is-unreachable-under-the-cap",
        "derivation": (
            "The 1,500-year chain with a profile that takes the fraction of the nominal term: "
            "2/3 x 547,863 days = 365,242 days from 2 May 2023 = 2 May 3023, after release on "
            "2 May 2083: no conditional-release date."
        ),
        "what_if": what_if(
            *chain(500, "2023-05-02", years=3),
            profile=extends(conditional_release_basis=[period("nominal", "1998-04-20")]),
        ),
        "expect": {"release_date": "2083-05-02", "conditional_release_date": None},
    },
    # --- conditional release fractions and the law in time ---------------------------------
    {
        "id": "conditional-release-at-one-half",
        "derivation": (
            "1 year from 10 Mar 2021 under a profile with fraction 1/2: ceil(1/2 x 365) = 183; "
            "10 Mar 2021 + 183 = 9 Sep 2021. Release unchanged, 10 Mar 2022."
        ),
        "what_if": what_if(
            sentence("S1", "2021-03-10", years=1),
            profile=extends(conditional_release_fraction=[period("1/2", "1998-04-20")]),
        ),
        "expect": {
            "release_date": "2022-03-10",
            "conditional_release_fraction": "1/2",
            "conditional_release_date": "2021-09-09",
        },
    },
    {
        "id": "a-more-favourable-fraction-enacted-during-custody-applies",
        "derivation": (
            "10 years from 1 Jan 2020 (3,653 days, release 1 Jan 2030). The fraction is 2/3 "
            "until 31 Dec 2024 and 1/2 from 1 Jan 2025. Under 2/3: ceil(2435.33) = 2436 days "
            "= 2 Sep 2026. Under 1/2: ceil(1826.5) = 1827 days = 1 Jan 2025, not before the "
            "new law's entry into force (1 Jan 2025). Earlier, so it applies (Cn. art. 21)."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=10),
            profile=extends(
                conditional_release_fraction=[
                    period("2/3", "1998-04-20", "2024-12-31"),
                    period("1/2", "2025-01-01"),
                ]
            ),
        ),
        "expect": {
            "release_date": "2030-01-01",
            "conditional_release_fraction": "1/2",
            "conditional_release_date": "2025-01-01",
        },
    },
    {
        "id": "a-harsher-fraction-enacted-during-custody-does-not-apply",
        "derivation": (
            "10 years from 1 Jan 2020; the fraction becomes 3/4 from 1 Jan 2025. Not more "
            "favourable than 2/3, so 2/3 stays: 2,436 days from 1 Jan 2020 = 2 Sep 2026."
        ),
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=10),
            profile=extends(
                conditional_release_fraction=[
                    period("2/3", "1998-04-20", "2024-12-31"),
                    period("3/4", "2025-01-01"),
                ]
            ),
        ),
        "expect": {
            "conditional_release_fraction": "2/3",
            "conditional_release_date": "2026-09-02",
        },
    },
    {
        "id": "a-lower-cap-enacted-during-custody-applies",
        "derivation": (
            "The 1,500-year chain from 2 May 2023; the cap is 60 years until 31 Dec 2039 and "
            "40 years from 1 Jan 2040. Under 40: E = 2 May 2063, last day 1 May 2063, after "
            "the new law's entry into force, and earlier than 1 May 2083: it applies. Release "
            "2 May 2063; custody 14,610 days; conditional release 9,740 days from 2 May 2023 "
            "= 31 Dec 2049."
        ),
        "what_if": what_if(
            *chain(500, "2023-05-02", years=3),
            profile=extends(
                max_aggregate_term=[
                    period({"years": 60}, "1998-04-20", "2039-12-31"),
                    period({"years": 40}, "2040-01-01"),
                ]
            ),
        ),
        "expect": {
            "cap": {"years": 40, "months": 0, "days": 0},
            "enforceable_term": {"years": 40, "months": 0, "days": 0},
            "last_day": "2063-05-01",
            "release_date": "2063-05-02",
            "custody_days": 14610,
            "conditional_release_date": "2049-12-31",
        },
    },
    {
        "id": "a-lower-cap-already-exceeded-releases-when-it-comes-into-force",
        "derivation": (
            "The 1,500-year chain from 2 May 2023; the cap drops to 10 years on 1 Jan 2040. "
            "10 years would have ended on 1 May 2033, before the law existed, so the last day "
            "served is the day before it comes into force, 31 Dec 2039; release 1 Jan 2040. "
            "Conditional release cannot fall before the new cap either: 1 Jan 2040."
        ),
        "what_if": what_if(
            *chain(500, "2023-05-02", years=3),
            profile=extends(
                max_aggregate_term=[
                    period({"years": 60}, "1998-04-20", "2039-12-31"),
                    period({"years": 10}, "2040-01-01"),
                ]
            ),
        ),
        "expect": {
            "last_day": "2039-12-31",
            "release_date": "2040-01-01",
            "conditional_release_date": "2040-01-01",
        },
    },
    {
        "id": "a-higher-cap-enacted-during-custody-does-not-apply",
        "derivation": (
            "The 1,500-year chain from 2 May 2023; the cap rises to 75 years on 1 Jan 2030. "
            "Not favourable, not retroactive: 60 years stay; release 2 May 2083."
        ),
        "what_if": what_if(
            *chain(500, "2023-05-02", years=3),
            profile=extends(
                max_aggregate_term=[
                    period({"years": 60}, "1998-04-20", "2029-12-31"),
                    period({"years": 75}, "2030-01-01"),
                ]
            ),
        ),
        "expect": {"cap": {"years": 60, "months": 0, "days": 0}, "release_date": "2083-05-02"},
    },
    {
        "id": "the-cap-in-force-at-the-latest-imposition-applies",
        "derivation": (
            "S1 30 years imposed 1 Jan 2000; S2 40 years consecutive, imposed 1 Jan 2010. The "
            "cap is 75 years until 31 Dec 2004 and 60 years from 1 Jan 2005. The law on the "
            "day of the latest imposition (1 Jan 2010) is 60 years, and the earlier law was "
            "harsher: nominal 70 years, capped at 60 from 1 Jan 2000: last day 31 Dec 2059, "
            "release 1 Jan 2060."
        ),
        "what_if": what_if(
            sentence("S1", "2000-01-01", years=30),
            sentence("S2", "2010-01-01", years=40, consecutive_to="S1"),
            profile=extends(
                max_aggregate_term=[
                    period({"years": 75}, "1998-04-20", "2004-12-31"),
                    period({"years": 60}, "2005-01-01"),
                ]
            ),
        ),
        "expect": {
            "nominal_term": {"years": 70, "months": 0, "days": 0},
            "cap": {"years": 60, "months": 0, "days": 0},
            "release_date": "2060-01-01",
        },
    },
    {
        "id": "release-on-the-last-day-served",
        "derivation": (
            "1 year from 10 Mar 2021 under a profile that releases on the last day served: "
            "last day 9 Mar 2022 is the release date. Conditional release on the same "
            "convention: the 244th day, 10 Mar 2021 + 243 = 8 Nov 2021."
        ),
        "what_if": what_if(
            sentence("S1", "2021-03-10", years=1),
            profile=extends(release_day=[period("last_day_served", "1998-04-20")]),
        ),
        "expect": {
            "last_day": "2022-03-09",
            "release_date": "2022-03-09",
            "conditional_release_date": "2021-11-08",
        },
    },
    {
        "id": "a-start-before-imposition-where-a-rule-allows-it",
        "derivation": (
            "1 year imposed 1 Feb 2023, to start on 1 Jan 2023, under a profile that allows a "
            "start before imposition: E = 1 Jan 2024; last day 31 Dec 2023; release 1 Jan 2024. "
            "Conditional release: 244 days from 1 Jan 2023 = 2 Sep 2023."
        ),
        "what_if": what_if(
            sentence("S1", "2023-02-01", years=1, starts_on="2023-01-01"),
            profile=extends(start_before_imposition_allowed=[period(True, "1998-04-20")]),
        ),
        "expect": {
            "sentence_start": "2023-01-01",
            "release_date": "2024-01-01",
            "conditional_release_date": "2023-09-02",
        },
    },
    # --- refusals --------------------------------------------------------------------------
    {
        "id": "refuses-a-cycle-of-consecutive-sentences",
        "derivation": "S1 follows S2 and S2 follows S1: neither can start. Refused.",
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=1, consecutive_to="S2"),
            sentence("S2", "2020-01-01", years=1, consecutive_to="S1"),
        ),
        "expect": {
            "refused": "CONSECUTIVE_CYCLE",
            "field": "sentences[0].consecutive_to",
            "params": {"sentence": "S1", "cycle": "S1 -> S2 -> S1"},
        },
    },
    {
        "id": "refuses-a-sentence-consecutive-to-an-unknown-one",
        "derivation": "S2 is consecutive to S9, which is not in the file: the file is refused.",
        "what_if": what_if(
            sentence("S1", "2020-01-01", years=1),
            sentence("S2", "2020-01-01", years=1, consecutive_to="S9"),
        ),
        "expect": {
            "file_problems": [
                ["$.sentences[1].consecutive_to", "names no sentence in this file: S9"]
            ]
        },
    },
    {
        "id": "refuses-a-start-before-imposition-without-a-rule",
        "derivation": (
            "Starts 1 Jan 2023 but imposed 1 Feb 2023; the default profile does not allow it "
            "(earlier custody is remand credit). Refused."
        ),
        "what_if": what_if(sentence("S1", "2023-02-01", years=1, starts_on="2023-01-01")),
        "expect": {"refused": "START_BEFORE_IMPOSITION", "field": "sentences[0].starts_on"},
    },
    {
        "id": "refuses-remand-longer-than-the-term",
        "derivation": "30 days with 31 days of remand credit: more credit than term. Refused.",
        "what_if": what_if(sentence("S1", "2023-03-01", days=30, remand_credit_days=31)),
        "expect": {
            "refused": "REMAND_EXCEEDS_TERM",
            "field": "sentences[0].remand_credit_days",
            "params": {"sentence": "S1", "days": 31, "term_days": 30},
        },
    },
    {
        "id": "refuses-sentences-with-a-gap-between-them",
        "derivation": (
            "S1 1 year from 1 Jan 2010 ends 31 Dec 2010; S2 concurrent from 1 Jan 2015. There "
            "is a gap of liberty: two custodies, not one aggregate. Refused."
        ),
        "what_if": what_if(
            sentence("S1", "2010-01-01", years=1),
            sentence("S2", "2015-01-01", years=1),
        ),
        "expect": {"refused": "AGGREGATE_NOT_CONTINUOUS", "field": "sentences[1]"},
    },
    {
        "id": "refuses-a-consecutive-sentence-imposed-after-the-first-ended",
        "derivation": (
            "S1 1 year from 1 Jan 2010 ends 31 Dec 2010; S2 imposed 1 Jan 2015 'consecutive "
            "to S1' would start 1 Jan 2011, before it was imposed. Refused."
        ),
        "what_if": what_if(
            sentence("S1", "2010-01-01", years=1),
            sentence("S2", "2015-01-01", years=1, consecutive_to="S1"),
        ),
        "expect": {"refused": "CONSECUTIVE_AFTER_END", "field": "sentences[1].consecutive_to"},
    },
    {
        "id": "refuses-a-consecutive-sentence-given-a-different-start",
        "derivation": (
            "S2 is consecutive to S1 (so starts 1 Jan 2011) but is given a start of 1 Mar 2011."
            " Which is meant cannot be known. Refused."
        ),
        "what_if": what_if(
            sentence("S1", "2010-01-01", years=1),
            sentence("S2", "2010-06-01", years=1, consecutive_to="S1", starts_on="2011-03-01"),
        ),
        "expect": {"refused": "START_CONFLICTS_WITH_CHAIN", "field": "sentences[1].starts_on"},
    },
    {
        "id": "refuses-when-a-more-favourable-cap-was-in-force-at-an-earlier-imposition",
        "derivation": (
            "As above, but the cap was 50 years until 31 Dec 2004 (in force when S1 was "
            "imposed) and 60 from 2005 (in force when S2 was). Whether the earlier, more "
            "favourable cap governs depends on the offence dates and the law: refused."
        ),
        "what_if": what_if(
            sentence("S1", "2000-01-01", years=30),
            sentence("S2", "2010-01-01", years=40, consecutive_to="S1"),
            profile=extends(
                max_aggregate_term=[
                    period({"years": 50}, "1998-04-20", "2004-12-31"),
                    period({"years": 60}, "2005-01-01"),
                ]
            ),
        ),
        "expect": {
            "refused": "LAW_IN_DOUBT",
            "field": "profile",
            "params": {
                "rule": "max_aggregate_term",
                "value": "50y0m0d",
                "valid_from": "1998-04-20",
                "reference_date": "2010-01-01",
            },
        },
    },
    {
        "id": "refuses-when-the-profile-has-no-law-for-the-day",
        "derivation": (
            "A profile whose cap starts only on 1 Jan 2030, for a sentence imposed in 2023: "
            "no law to apply. Refused."
        ),
        "what_if": what_if(
            sentence("S1", "2023-01-01", years=1),
            profile=extends(max_aggregate_term=[period({"years": 60}, "2030-01-01")]),
        ),
        "expect": {
            "refused": "PROFILE_NO_PERIOD",
            "field": "profile",
            "params": {"rule": "max_aggregate_term", "date": "2023-01-01"},
        },
    },
]

JUDICIAL_REVIEW_CASES: list[Case] = [
    {
        "id": "arrest-before-the-state-of-exception-has-72-hours",
        "derivation": (
            "Arrested 26 Mar 2022 22:00 in El Salvador (UTC-6) = 27 Mar 04:00 UTC. The local "
            "day is 26 Mar, before DL 333: 72 hours, due 30 Mar 2022 04:00 UTC."
        ),
        "detained_at": "2022-03-26T22:00:00-06:00",
        "expect": {"due": "2022-03-30T04:00:00+00:00", "hours": 72},
    },
    {
        "id": "arrest-on-the-first-day-of-the-state-of-exception-has-15-days",
        "derivation": (
            "Arrested 27 Mar 2022 00:30 local = 06:30 UTC. DL 333 is in force that day: 15 "
            "days = 360 hours, due 11 Apr 2022 06:30 UTC."
        ),
        "detained_at": "2022-03-27T00:30:00-06:00",
        "expect": {"due": "2022-04-11T06:30:00+00:00", "hours": 360},
    },
    {
        "id": "the-local-day-decides-not-the-utc-day",
        "derivation": (
            "27 Mar 2022 05:59 UTC is 26 Mar 23:59 in El Salvador: the old law, 72 hours, due "
            "30 Mar 05:59 UTC."
        ),
        "detained_at": "2022-03-27T05:59:00+00:00",
        "expect": {"due": "2022-03-30T05:59:00+00:00", "hours": 72},
    },
    {
        "id": "an-ordinary-arrest-in-2019",
        "derivation": "1 Jun 2019 10:00 local = 16:00 UTC, plus 72 hours: 4 Jun 16:00 UTC.",
        "detained_at": "2019-06-01T10:00:00-06:00",
        "expect": {"due": "2019-06-04T16:00:00+00:00", "hours": 72},
    },
    {
        "id": "an-arrest-in-2025-under-the-renewed-exception",
        "derivation": "15 Jan 2025 08:00 local = 14:00 UTC, plus 15 days: 30 Jan 14:00 UTC.",
        "detained_at": "2025-01-15T08:00:00-06:00",
        "expect": {"due": "2025-01-30T14:00:00+00:00", "hours": 360},
    },
]

PROVISIONAL_CASES: list[Case] = [
    {
        "id": "less-serious-maximum-ran-out-before-the-extensions",
        "derivation": (
            "Less serious, detained 10 Feb 2021: 12 months, last day 9 Feb 2022. The August "
            "2025 extensions came into force after the maximum had run out: they do not "
            "revive it. Last day 9 Feb 2022."
        ),
        "detained_on": "2021-02-10",
        "seriousness": "less_serious",
        "conditions": [],
        "expect": {
            "last_day": "2022-02-09",
            "not_applicable": {
                "2023-07-group-trials": "seriousness",
                "2025-08-two-years": "maximum_already_reached",
                "2025-08-further-12-months": "condition",
            },
        },
    },
    {
        "id": "serious-extended-by-the-august-2025-decree-to-its-end-date",
        "derivation": (
            "Serious, detained 10 May 2024: 24 months, last day 9 May 2026. In detention on "
            "1 Aug 2025, so +2 years: 9 May 2028, but not beyond 31 Aug 2027. Last day 31 Aug "
            "2027."
        ),
        "detained_on": "2024-05-10",
        "seriousness": "serious",
        "conditions": [],
        "expect": {"last_day": "2027-08-31"},
    },
    {
        "id": "group-trial-detained-before-july-2023-gets-both-extensions",
        "derivation": (
            "Serious, group trial, detained 15 Jan 2023: 24 months to 14 Jan 2025. In "
            "detention on 26 Jul 2023: +24 months to 14 Jan 2027. In detention on 1 Aug 2025: "
            "+2 years to 14 Jan 2029, limited to 31 Aug 2027. Last day 31 Aug 2027."
        ),
        "detained_on": "2023-01-15",
        "seriousness": "serious",
        "conditions": ["group_trial"],
        "expect": {"last_day": "2027-08-31"},
    },
    {
        "id": "group-trial-detained-after-july-2023-keeps-a-later-maximum",
        "derivation": (
            "Serious, group trial, detained 10 Jan 2024 (the July 2023 reform reaches people "
            "detained while it is in force): 24 + 24 months to 9 Jan 2028. The August 2025 "
            "extension would reach 9 Jan 2030 but not beyond 31 Aug 2027, which cannot shorten "
            "the maximum already reached: last day 9 Jan 2028."
        ),
        "detained_on": "2024-01-10",
        "seriousness": "serious",
        "conditions": ["group_trial"],
        "expect": {"last_day": "2028-01-09"},
    },
    {
        "id": "a-further-twelve-months-when-granted",
        "derivation": (
            "Less serious, detained 1 Mar 2025: 12 months to 28 Feb 2026. August 2025: +2 "
            "years to 29 Feb 2028 (leap), limited to 31 Aug 2027. The further 12 months, "
            "granted: from 1 Sep 2027 to 31 Aug 2028."
        ),
        "detained_on": "2025-03-01",
        "seriousness": "less_serious",
        "conditions": ["further_extension_granted"],
        "expect": {"last_day": "2028-08-31"},
    },
    {
        "id": "detained-after-the-august-2025-decree-is-not-extended",
        "derivation": (
            "Serious, detained 15 Oct 2025, after the August 2025 extension came into force; it "
            "reaches only people already detained. 24 months: last day 14 Oct 2027."
        ),
        "detained_on": "2025-10-15",
        "seriousness": "serious",
        "conditions": [],
        "expect": {
            "last_day": "2027-10-14",
            "not_applicable": {"2025-08-two-years": "detained_after_entry_into_force"},
        },
    },
]
