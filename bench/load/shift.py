"""A shift of staff against the served app (locust): roll checks, person look-ups, moves and daily
logs, each user at one task every four seconds (200 users: 50 tasks per second). Of 50 tasks,
30 person look-ups, 14 daily logs, 5 roll checks and 1 move (the ranked options, then the
placement): a move is rare in a shift, a look-up is what staff do all day.

Run by ``bench/load.py``, which builds the 40,000-person facility and the staff and passes them
in the JSON file named by ``HABEAS_LOAD_DATA``. The figures are those of the shift at work: they are
reset once the last officer has signed in, and the run stops ``HABEAS_LOAD_SECONDS`` later. The
officers use locust's ``FastHttpUser`` (geventhttpclient): the load generator shares the server's
two cores, and it costs a fraction of the CPU of the ``requests``-based client.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant_throughput, task

DATA: dict[str, Any] = json.loads(open(os.environ["HABEAS_LOAD_DATA"]).read())  # noqa: SIM115
FACILITY = DATA["facility"]
PEOPLE: list[int] = DATA["people"]
CELLS: list[str] = DATA["cells"]
_staff = itertools.count()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


RUN = int(os.environ.get("HABEAS_LOAD_RUN", "0"))
USERS = int(os.environ.get("HABEAS_LOAD_USERS", "200"))
MEASURE_SECONDS = float(os.environ.get("HABEAS_LOAD_SECONDS", "120"))
_signed_in = 0


def explain(response: Any, *, races: bool = False) -> None:
    """A refusal counts as an error, named by its code so the report says why — except, for a
    move, a 409 caused by another officer's concurrent move (the same cell filled, a rival placed
    there a moment before): the rule worked; it is counted apart, under its own name."""
    if races and response.status_code == 409:
        code = response.json().get("code", "")
        response.request_meta["name"] = f"move: refused by a concurrent change (409 {code})"
        response.success()
        return
    if response.status_code >= 400:
        try:
            code = response.json().get("code", "")
        except ValueError:
            code = ""
        response.failure(f"{response.status_code} {code}".strip())
    else:
        response.success()


class Officer(FastHttpUser):
    """A custody officer of the facility, signed in to the site and holding an API token."""

    wait_time = constant_throughput(0.25)

    def on_start(self) -> None:
        self.index = next(_staff) % len(DATA["staff"])
        me = DATA["staff"][self.index]
        self.api = {"Authorization": f"Bearer {me['token']}"}
        self.rng = random.Random(self.index)
        page = self.client.get("/accounts/login/", name="sign in (page)")
        token = _CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            data=urlencode(
                {
                    "username": me["username"],
                    "password": DATA["password"],
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                }
            ),
            headers={
                "Referer": f"{self.host}/accounts/login/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            name="sign in (page)",
        )
        # Daily logs: this officer's own cell and a time slot of its own, two minutes apart,
        # going back from late yesterday (a day earlier for each earlier run on the same
        # database): no two unlocks overlap.
        self.cell = CELLS[self.index % len(CELLS)]
        self.slot = 0
        self.base = dt.datetime.fromisoformat(DATA["unlock_base"]) - dt.timedelta(days=RUN)
        self.mine = PEOPLE[self.index :: len(DATA["staff"])]
        self.signed_in()

    def signed_in(self) -> None:
        """The shift is at work once its last officer has signed in: measure from then on."""
        global _signed_in
        _signed_in += 1
        if _signed_in == USERS and self.environment.runner is not None:
            runner = self.environment.runner
            runner.stats.reset_all()
            gevent.spawn_later(MEASURE_SECONDS, runner.quit)

    @task(5)
    def roll_check(self) -> None:
        self.client.get(f"/facilities/{FACILITY}/", name="roll board (page)")

    @task(30)
    def person_look_up(self) -> None:
        person = self.rng.choice(PEOPLE)
        self.client.get(f"/people/{person}/", name="person look-up (page)")

    @task(1)
    def move(self) -> None:
        person = self.rng.choice(self.mine)  # no two officers move the same person
        options = self.client.get(
            f"/api/v1/people/{person}/cell-options",
            headers=self.api,
            name="move: cell options (API)",
        )
        if options.status_code != 200:
            return
        allowed = [o for o in options.json() if o["rank"] is not None]
        if not allowed:
            return
        best = min(allowed, key=lambda o: o["rank"])
        with self.client.post(
            f"/api/v1/people/{person}/placement",
            json={"cell": best["cell"], "reason": "load test: shift move"},
            headers=self.api,
            name="move: placement (API)",
            catch_response=True,
        ) as r:
            explain(r, races=True)

    @task(14)
    def daily_log(self) -> None:
        start = self.base - dt.timedelta(minutes=2 * self.slot + 2)
        self.slot += 1
        with self.client.post(
            f"/api/v1/facilities/{FACILITY}/unlocks",
            json={
                "started_at": start.isoformat(),
                "ended_at": (start + dt.timedelta(minutes=1)).isoformat(),
                "location": "open_air",
                "purpose": "exercise",
                "cells": [self.cell],
            },
            headers=self.api,
            name="daily log: unlock (API)",
            catch_response=True,
        ) as r:
            explain(r)
