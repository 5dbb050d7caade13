"""Classroom rooms: an instructor leads, students follow, fork and hand in."""

from fastapi import APIRouter

router = APIRouter()
