"""The lecture's lesson pages (backpropagation, linear regression)."""

from fastapi import APIRouter

router = APIRouter()
