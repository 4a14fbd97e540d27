"""Deterministic synthetic corpora for the scale benchmark: press-style paragraphs full of figures.

    .venv/bin/python benchmarks/synthetic.py 1000      # writes benchmarks/data/corpus-1000/

Every paragraph is 3 sentences from templates filled from a fixed vocabulary with a seeded RNG, sized
260-490 characters so that the indexer's 500-character splitter makes exactly one chunk of each. The same
size and seed always give byte-identical files. The data is not committed (benchmarks/data/ is ignored):
this generator is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SEED = 20230202
PARAGRAPHS_PER_DOC = 50
VERSION = 1  # bump when the output changes, so cached corpora and indexes are regenerated

TOWNS = """Ashford Barnsdale Carrow Dunmere Eastleigh Fernhill Glenbrook Harwood Ivybridge Kelmscott Langford
Marlow Northam Oakhurst Penrith Quarrydale Redmarsh Saltcombe Thornbury Upwell Valebridge Westerham Yarcombe
Ambleside Brackwell Coldharbour Draycott Elmswell Foxton Greyfriars Hollingbury Kingsmead Lydgate Millbrook
Newhaven Otterburn Pinewood Rushden Stanwick Tilbury Whitmore""".split()
COUNCIL_KINDS = ["County Council", "City Council", "Borough Council", "Metropolitan Borough Council"]
REGIONS = ["the North East", "the North West", "Yorkshire", "the East Midlands", "the West Midlands",
           "the East of England", "London", "the South East", "the South West", "the Humber"]
SERVICES = ["children's social care", "foster care", "residential care", "early help", "family help",
            "kinship care", "adoption support", "youth services", "mental health support",
            "care leaver support", "special educational needs transport", "child protection"]
SETTINGS = ["foster care", "children's homes", "kinship care", "semi-independent accommodation",
            "secure children's homes", "supported lodgings"]
GROUPS = ["care leavers", "children in care", "foster carers", "social workers", "young carers",
          "families", "kinship carers", "children on protection plans", "agency staff", "unaccompanied children"]
WORKERS = ["social worker", "foster carer", "family support worker", "residential care worker",
           "personal adviser", "independent reviewing officer"]
BODIES = ["Northfield Institute", "Care Data Observatory", "Family Policy Unit", "Children's Services Forum",
          "Social Work Research Centre", "Institute for Child Welfare", "Local Finance Review",
          "Kinship Carers Alliance", "Foster Network Trust", "Youth Justice Monitor"]
PROGRAMMES = ["Family Help Partnership", "Stable Homes Fund", "Care Leaver Covenant", "Foster Recruitment Drive",
              "Kinship Allowance Pilot", "Regional Care Cooperative", "Early Years Bridge", "Safe Futures Plan",
              "Youth Guarantee", "Social Work Academy"]
FIRST = ["Amira", "Ben", "Chloe", "Daniel", "Eleanor", "Farid", "Grace", "Harry", "Isla", "James", "Kiran",
         "Laura", "Mohammed", "Nadia", "Oliver", "Priya", "Rosa", "Samuel", "Tanya", "Yusuf"]
LAST = ["Ashworth", "Bennett", "Chaudhry", "Dalton", "Ellison", "Fairbairn", "Goodwin", "Hussain", "Irving",
        "Jennings", "Kowalski", "Lindqvist", "Mensah", "Norris", "Okafor", "Pemberton", "Quigley", "Rahman"]
ROLES = ["director of children's services", "chief executive", "head of policy", "chair", "lead researcher",
         "cabinet member for children", "principal social worker"]
GOALS = ["reduce the number of children entering care", "recruit more foster carers",
         "keep children closer to home", "cut the use of agency staff", "support families earlier",
         "end the use of unregulated placements", "improve outcomes for care leavers"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
OUTLETS = ["The Northfield Courier", "Care Sector Weekly", "The Evening Ledger", "Public Services Review"]

TEMPLATES = [
    "{council} said spending on {service} rose by {pct}% to £{money}m in {year}, up from £{money2}m {n} years earlier.",
    "The number of children in {setting} in {region} reached {count} in {month} {year}, according to figures from the {body}.",
    "{person}, {role} at {council}, said the {programme} would need £{bn}bn over {n} years to {goal}.",
    "A report by the {body} found that {pct}% of {group} waited more than {weeks} weeks for {service}.",
    "Ministers announced the {programme}, worth £{money}m, with {count} new {worker} posts to be funded by {year}.",
    "In {region}, {count} {group} were referred to {service} last year, a rise of {pct}% on the year before.",
    "The {body} warned that {pct}% of councils expected to overspend their {service} budgets in {year}.",
    "The {programme} will be piloted in {n} areas from {month} {year} before a national roll-out.",
    "{council} now pays £{pounds} a week to each {worker}, compared with £{pounds2} in {year}.",
    "According to the {body}, the average cost of a place in {setting} was £{pounds},{thousand} a week in {year}.",
    "{person} told the committee that {count} {group} had been placed more than {miles} miles from home.",
    "Since {year}, {council} has cut its use of {setting} by {pct}%, saving an estimated £{money}m.",
]


def _fill(template: str, rng: random.Random) -> str:
    year = rng.randint(2015, 2024)
    values = {
        "council": f"{rng.choice(TOWNS)} {rng.choice(COUNCIL_KINDS)}",
        "region": rng.choice(REGIONS), "service": rng.choice(SERVICES), "setting": rng.choice(SETTINGS),
        "group": rng.choice(GROUPS), "worker": rng.choice(WORKERS), "body": rng.choice(BODIES),
        "programme": rng.choice(PROGRAMMES), "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "role": rng.choice(ROLES), "goal": rng.choice(GOALS), "month": rng.choice(MONTHS), "year": year,
        "pct": rng.choice([rng.randint(2, 95), round(rng.uniform(1, 60), 1)]),
        "money": round(rng.uniform(0.5, 400), 1), "money2": round(rng.uniform(0.5, 300), 1),
        "bn": round(rng.uniform(0.2, 9.9), 1), "n": rng.randint(2, 12), "weeks": rng.randint(2, 40),
        "count": f"{rng.randint(40, 95000):,}", "pounds": rng.randint(120, 900), "pounds2": rng.randint(90, 600),
        "thousand": f"{rng.randint(0, 999):03d}", "miles": rng.randint(20, 250),
    }
    return template.format(**values)


def paragraph(rng: random.Random) -> str:
    """Three template sentences, 260-490 characters (redrawn until they fit one chunk alone)."""
    while True:
        text = " ".join(_fill(rng.choice(TEMPLATES), rng) for _ in range(3))
        if 260 <= len(text) <= 490:
            return text


def questions(count: int, seed: int = SEED + 1) -> list[str]:
    """Questions in the corpus's own vocabulary, for timing queries against a synthetic index."""
    rng = random.Random(seed)
    forms = [
        "How much did {council} spend on {service} in {year}?",
        "How many children were in {setting} in {region} in {year}?",
        "What did the {body} find about {group} waiting for {service}?",
        "How much will the {programme} cost?",
        "When will the {programme} be piloted?",
        "Who is the {role} at {council}?",
        "What percentage of councils expected to overspend on {service}?",
        "How far from home were {group} placed?",
    ]
    return [_fill(rng.choice(forms), rng) for _ in range(count)]


def corpus_dir(chunks: int) -> Path:
    return DATA / f"corpus-{chunks}"


def fingerprint(chunks: int, seed: int = SEED) -> str:
    return hashlib.sha256(json.dumps([VERSION, chunks, seed, PARAGRAPHS_PER_DOC]).encode()).hexdigest()[:16]


def generate(chunks: int, root: Path | None = None, seed: int = SEED) -> Path:
    """Write a corpus of ``chunks`` paragraphs (one chunk each) in files of PARAGRAPHS_PER_DOC; reuse it when
    an identical one is already there. Returns its folder."""
    root = root or corpus_dir(chunks)
    stamp = root / ".fingerprint"  # dot-files are not read as documents
    if stamp.exists() and stamp.read_text() == fingerprint(chunks, seed):
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    written = 0
    for number in range((chunks + PARAGRAPHS_PER_DOC - 1) // PARAGRAPHS_PER_DOC):
        size = min(PARAGRAPHS_PER_DOC, chunks - written)
        body = "\n".join(paragraph(rng) for _ in range(size))
        name = f"synthetic_{number:05d}.txt"
        (root / name).write_text(body + "\n", encoding="utf-8")
        meta = (f'title = "{rng.choice(TOWNS)} {rng.choice(SERVICES)} report {number}"\n'
                f'outlet = "{rng.choice(OUTLETS)}"\ndate = "{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-'
                f'{rng.randint(1, 28):02d}"\nkind = "coverage"\n')
        (root / f"{name}.meta.toml").write_text(meta, encoding="utf-8")
        written += size
    stamp.write_text(fingerprint(chunks, seed))
    return root


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chunks", type=int, nargs="*", default=[1000, 10000, 100000])
    args = parser.parse_args(argv)
    out = {}
    for n in args.chunks:
        root = generate(n)
        files = sorted(root.glob("*.txt"))
        size = sum(p.stat().st_size for p in files)
        out[n] = {"folder": str(root), "files": len(files), "bytes": size}
        print(f"{n:>7} chunks: {len(files)} files, {size / 1e6:.1f} MB in {root}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
