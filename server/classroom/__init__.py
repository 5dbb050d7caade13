"""The classroom: rooms where an instructor's network is trained once and followed by a class."""

from server.classroom import api, socket
from server.classroom.pages import router

router.include_router(api.router)
router.include_router(socket.router)

__all__ = ["router"]
