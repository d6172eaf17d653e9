"""A synthetic population for the demo and the benchmarks, deterministic for a seed.

Shaped by ``shared/domain/facility.md``: men only; MS-13 and the two Barrio 18 factions; mostly
unsentenced people held under the state of exception (administrative detention awaiting judicial
review, judicial provisional detention) and a minority convicted with long sentences.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from habeas.people.identity import luhn_digit

GIVEN = [
    "José",
    "Juan",
    "Carlos",
    "Luis",
    "Jorge",
    "Mario",
    "Miguel",
    "Francisco",
    "Óscar",
    "Víctor",
    "Manuel",
    "Pedro",
    "Roberto",
    "Ricardo",
    "Nelson",
    "Edwin",
    "Wilber",
    "Kevin",
    "Jonathan",
    "Brayan",
    "Erick",
    "Walter",
    "Douglas",
    "Marvin",
    "Josué",
    "Ángel",
    "Élmer",
    "René",
    "Raúl",
    "Santos",
    "William",
    "Mauricio",
    "Alexander",
    "Ernesto",
    "Rafael",
    "Salvador",
    "Julio",
    "Fredy",
    "Melvin",
    "Wilfredo",
]
SECOND = [
    "Antonio",
    "Alberto",
    "Ernesto",
    "Armando",
    "Alexander",
    "David",
    "Enrique",
    "Ismael",
    "Geovanny",
    "Adonay",
    "Alfredo",
    "Eduardo",
    "",
    "",
    "",
]
FAMILY = [
    "Hernández",
    "García",
    "Martínez",
    "López",
    "Rodríguez",
    "González",
    "Pérez",
    "Flores",
    "Ramírez",
    "Rivera",
    "Cruz",
    "Sánchez",
    "Romero",
    "Ramos",
    "Reyes",
    "Aguilar",
    "Ortiz",
    "Mejía",
    "Guzmán",
    "Díaz",
    "Vásquez",
    "Morales",
    "Portillo",
    "Alvarado",
    "Castillo",
    "Chávez",
    "Escobar",
    "Molina",
    "Orellana",
    "Quintanilla",
    "Argueta",
    "Menjívar",
    "Deras",
    "Mendoza",
    "Serrano",
    "Zelaya",
    "Ayala",
    "Bonilla",
    "Campos",
    "Henríquez",
]
PLACES = [
    "San Salvador",
    "Soyapango",
    "Ilopango",
    "Apopa",
    "Mejicanos",
    "Santa Ana",
    "San Miguel",
    "Usulután",
    "Zacatecoluca",
    "La Libertad",
    "Ciudad Delgado",
    "San Martín",
    "Cojutepeque",
    "Sonsonate",
    "Ahuachapán",
    "Chalatenango",
    "Tonacatepeque",
    "Quezaltepeque",
]
ARRESTING = ["Policía Nacional Civil", "Fuerza Armada de El Salvador", "PNC y Fuerza Armada"]
COURTS = [
    "Juzgado Especializado de Instrucción A de San Salvador",
    "Juzgado Especializado de Instrucción B de San Salvador",
    "Juzgado Especializado de Instrucción de San Miguel",
    "Juzgado Especializado de Instrucción de Santa Ana",
]
SENTENCING_COURTS = [
    "Tribunal Especializado de Sentencia A de San Salvador",
    "Tribunal Especializado de Sentencia B de San Salvador",
    "Tribunal Especializado de Sentencia de San Miguel",
]
OFFENCES = [
    "Agrupaciones ilícitas (art. 345 CP)",
    "Homicidio agravado (art. 129 CP)",
    "Extorsión (art. 214 CP)",
    "Organizaciones terroristas (LECAT art. 13)",
    "Proposición y conspiración para cometer homicidio",
    "Tráfico ilícito (LRARD art. 33)",
]
GROUPS = [("ms13", 0.60), ("b18s", 0.20), ("b18r", 0.15)]  # remaining 5% unaffiliated
EMERGENCY_START = dt.date(2022, 3, 27)
OPENING = dt.date(2023, 2, 24)
PROVISIONAL_UNTIL = dt.date(2027, 8, 31)  # first transfer of 2,000 people into CECOT


@dataclass(frozen=True)
class Shares:
    administrative: float = 0.12  # arrested recently, awaiting judicial review (15-day window)
    convicted: float = 0.23


def dui(number: int) -> str:
    body = f"{number:08d}"
    return f"{body}-{luhn_digit(body)}"


def rows(
    n: int,
    *,
    seed: int,
    now: dt.datetime,
    tz: dt.tzinfo,
    shares: Shares = Shares(),
    opening: dt.date = OPENING,
    serial_offset: int = 0,
) -> list[dict[str, str]]:
    """``n`` admissions as CSV rows of the bulk intake file (see ``custody.intake_file``)."""
    rng = random.Random(seed)
    today = now.astimezone(tz).date()
    out: list[dict[str, str]] = []
    span = max((today - opening).days - 20, 1)
    documents = rng.sample(range(10**7, 10**8), n)  # distinct numbers: no false duplicates
    seen: set[tuple[str, str, str]] = set()
    for i in range(n):
        given = rng.choice(GIVEN)
        second = rng.choice(SECOND)
        family = f"{rng.choice(FAMILY)} {rng.choice(FAMILY)}"
        age_days = rng.randint(19 * 365, 62 * 365)  # age at arrest
        r = rng.random()
        groups = ""
        acc = 0.0
        for code, share in GROUPS:
            acc += share
            if r < acc:
                status = "claimed" if rng.random() < 0.3 else "assessed"
                groups = f"{code}:{status}"
                break
        kind_roll = rng.random()
        place = rng.choice(PLACES)
        row = {
            "given_names": f"{given} {second}".strip(),
            "family_names": family,
            "date_of_birth": "",
            "sex": "M",
            "nationality": "SV",
            "gender_identity": "",
            "aliases": "",
            "document_kind": "national_id",
            "document_number": dui(documents[i]),
            "document_country": "SV",
            "groups": groups,
            "arrest_place": place,
            "arresting_authority": rng.choice(ARRESTING),
            "visible_injuries": "" if rng.random() < 0.9 else "Hematomas en brazos",
            "ill_treatment_reported": "",
            "property_inventory": "Ropa de calle, cinturón, documento de identidad",
            "family": rng.choice(
                [
                    "",
                    "Compañera de vida y dos hijos (3 y 7 años) en " + place,
                    "Madre en " + place,
                    "Esposa y un hijo de 1 año",
                ]
            ),
            "emergency_contact": f"{rng.choice(['Madre', 'Esposa', 'Hermana'])}: "
            f"7{rng.randrange(10**7):07d}",
            "cell": "",
            "distinct_from": "",
            "offence": rng.choice(OFFENCES),
        }
        if kind_roll < shares.administrative:
            # Arrested in the last 12 days; a judge must review within 15 days.
            arrested = dt.datetime.combine(
                today - dt.timedelta(days=rng.randint(1, 12)),
                dt.time(rng.randint(5, 22), rng.choice([0, 15, 30])),
                tzinfo=tz,
            )
            admitted = min(
                arrested + dt.timedelta(hours=rng.randint(4, 30)),
                now.astimezone(tz) - dt.timedelta(hours=1),
            )
            arrested = min(arrested, admitted - dt.timedelta(hours=2))
            row.update(
                {
                    "authority_kind": "administrative_detention",
                    "authority_issuer": "Policía Nacional Civil (régimen de excepción, DL 333)",
                    "authority_reference": f"PNC-RE-{today.year}-{serial_offset + i + 1:06d}",
                    "authority_issued_on": arrested.date().isoformat(),
                    "authority_valid_from": arrested.isoformat(),
                    "authority_valid_until": "",
                    "authority_review_due_by": (arrested + dt.timedelta(days=15)).isoformat(),
                }
            )
        elif kind_roll < shares.administrative + shares.convicted:
            admitted = dt.datetime.combine(
                opening + dt.timedelta(days=rng.randrange(span)),
                dt.time(rng.randint(6, 18)),
                tzinfo=tz,
            )
            arrested = admitted - dt.timedelta(days=rng.randint(30, 400))
            sentenced = admitted - dt.timedelta(days=rng.randint(1, 20))
            row.update(
                {
                    "authority_kind": "conviction",
                    "authority_issuer": rng.choice(SENTENCING_COURTS),
                    "authority_reference": f"SENT-{sentenced.year}-{serial_offset + i + 1:06d}",
                    "authority_issued_on": sentenced.date().isoformat(),
                    "authority_valid_from": sentenced.isoformat(),
                    "authority_valid_until": "",
                    "authority_review_due_by": "",
                }
            )
        else:
            admitted = dt.datetime.combine(
                opening + dt.timedelta(days=rng.randrange(span)),
                dt.time(rng.randint(6, 18)),
                tzinfo=tz,
            )
            arrested = admitted - dt.timedelta(days=rng.randint(2, 300))
            ordered = max(
                arrested + dt.timedelta(days=rng.randint(2, 15)),
                dt.datetime.combine(EMERGENCY_START, dt.time(9), tzinfo=tz),
            )
            ordered = min(ordered, admitted)
            # Provisional detention: 24 months for serious offences, extended by the decrees of
            # July 2023 and August 2025 (to August 2027, possibly 12 months more).
            until = dt.datetime.combine(
                PROVISIONAL_UNTIL + dt.timedelta(days=rng.randint(0, 365)), dt.time(0), tzinfo=tz
            )
            row.update(
                {
                    "authority_kind": "provisional_detention",
                    "authority_issuer": rng.choice(COURTS),
                    "authority_reference": f"INST-{ordered.year}-{serial_offset + i + 1:06d}",
                    "authority_issued_on": ordered.date().isoformat(),
                    "authority_valid_from": ordered.isoformat(),
                    "authority_valid_until": until.isoformat(),
                    "authority_review_due_by": "",
                }
            )
        born = arrested.date() - dt.timedelta(days=age_days)
        while (row["given_names"], family, born.isoformat()) in seen:
            born -= dt.timedelta(days=1)  # two generated people must not look like one
        seen.add((row["given_names"], family, born.isoformat()))
        row["date_of_birth"] = born.isoformat()
        row["arrested_at"] = arrested.isoformat()
        row["admitted_at"] = admitted.isoformat()
        out.append(row)
    return out
