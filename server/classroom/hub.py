"""What room actions and housekeeping act through (`Hub`): the classroom service of one process,
as they see it."""

from __future__ import annotations

from typing import Any, Protocol

from server.classroom.model import Member, Room
from server.classroom.registry import RoomRegistry
from server.core.scheduler import Scheduler
from server.settings import Settings


class Hub(Protocol):
    """What room actions and housekeeping act through: the classroom service of this process."""

    settings: Settings
    scheduler: Scheduler
    broker: Any
    registry: RoomRegistry

    def check_capacity(self, wanted: int) -> None: ...

    def greet(self, message: dict, address: str) -> tuple[Room, Member | None]: ...

    def status(self, room: Room) -> dict: ...

    def room_changed(self, room: Room) -> None: ...

    def spawn(self, job: Any) -> None: ...

    def send_room_info(self, room: Room) -> None: ...

    def publish_locks(self, room: Room) -> None: ...

    def tell_member(self, room: Room, member: Member, message: dict) -> None: ...

    def close_room(self, room: Room, reason: str) -> None: ...
