"""Throughput of the pure sentence calculator: people per second, no database.

    .venv/bin/python bench/sentencing_pure.py [--people 100000] [--seed 7] [--json]

Builds a synthetic population (1-5 sentences each, 3 on average; about half consecutive to an
earlier one; terms from 6 months to 45 years; a tenth with up to four weeks of remand credit; a
twentieth with a chain long enough to reach the 60-year cap), then calculates every person
against the default El Salvador profile and times it. The population is built before the clock
starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time

from habeas.sentencing.calculator import Sentence, calculate
from habeas.sentencing.files import default_profile
from habeas.sentencing.profile import Seriousness, Term


def population(people: int, seed: int) -> list[list[Sentence]]:
    rng = random.Random(seed)
    everyone: list[list[Sentence]] = []
    for _ in range(people):
        imposed = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000))
        count = rng.choice((1, 2, 3, 4, 5))
        capped = rng.random() < 0.05
        sentences: list[Sentence] = []
        for i in range(count):
            years = rng.randrange(20, 46) if capped else rng.randrange(0, 15)
            term = Term(years=years, months=rng.randrange(0, 12) or (0 if years else 6))
            parent = f"S{rng.randrange(0, i)}" if i and (capped or rng.random() < 0.5) else None
            sentences.append(
                Sentence(
                    id=f"S{i}",
                    term=term,
                    imposed_on=imposed,
                    seriousness=Seriousness.SERIOUS,
                    consecutive_to=parent,
                    remand_credit_days=rng.randrange(0, 28) if rng.random() < 0.1 else 0,
                )
            )
        everyone.append(sentences)
    return everyone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median is reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()

    profile = default_profile()
    everyone = population(arguments.people, arguments.seed)
    sentences = sum(len(s) for s in everyone)
    runs: list[float] = []
    capped = 0
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        capped = sum(calculate(person, profile).capped for person in everyone)
        runs.append(time.perf_counter() - started)
    seconds = statistics.median(runs)
    figures = {
        "people": arguments.people,
        "sentences": sentences,
        "capped": capped,
        "seconds": round(seconds, 3),
        "people_per_second": round(arguments.people / seconds),
        "microseconds_per_person": round(seconds / arguments.people * 1e6, 1),
    }
    if arguments.json:
        print(json.dumps(figures))
    else:
        print(
            f"{figures['people']:,} people, {sentences:,} sentences ({capped:,} capped): "
            f"{seconds:.2f} s, {figures['people_per_second']:,} people/s, "
            f"{figures['microseconds_per_person']} µs/person (median of {arguments.repeat})"
        )


if __name__ == "__main__":
    main()
