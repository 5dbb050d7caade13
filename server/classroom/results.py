"""A room's results to keep: every student's best for the current challenge, as CSV or JSON."""

from __future__ import annotations

import csv
import io

from server.classroom.goals import describe
from server.classroom.model import Room

COLUMNS = (
    "name",
    "challenge",
    "reached goal",
    "best test loss",
    "test accuracy",
    "weights",
    "epoch",
    "seconds to reach",
    "architecture",
)


def rows(room: Room) -> list[dict]:
    """One row per student, ranked as the leaderboard is; students without a result last."""
    challenge = describe(room.challenge.get("goal")) if room.challenge else ""
    ranked = room.leaderboard() if room.challenge else []
    out = []
    for entry in ranked:
        out.append(
            {
                "name": entry["name"],
                "challenge": challenge,
                "reached goal": "yes" if entry["reached"] else "no",
                "best test loss": entry["testLoss"],
                "test accuracy": "" if entry["accuracy"] is None else entry["accuracy"],
                "weights": entry["weights"],
                "epoch": entry["epoch"],
                "seconds to reach": entry["seconds"],
                "architecture": "-".join(str(n) for n in entry["layers"]),
            }
        )
    named = {entry["name"] for entry in ranked}
    for member in room.members.values():
        if member.name not in named:
            out.append({column: "" for column in COLUMNS} | {"name": member.name})
    return out


def as_csv(room: Room) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(room):
        # A name that starts like a formula must not run as one in a spreadsheet.
        name = row["name"]
        row["name"] = "'" + name if name[:1] in ("=", "+", "-", "@") else name
        writer.writerow(row)
    return buffer.getvalue()


def as_json(room: Room) -> dict:
    """The results as one JSON object: the challenge, the ranked students, who is connected."""
    goal = room.challenge.get("goal") if room.challenge else None
    body = {"code": room.code, "challenge": room.challenge, "goalText": describe(goal)}
    body["students"] = room.leaderboard() if room.challenge else []
    members = room.members.values()
    body["members"] = [{"name": m.name, "connected": m.seat is not None} for m in members]
    return body
