"""The lessons: the lecture's worked example, step by step, and linear regression by gradient
descent."""

from server.lessons.routes import router

__all__ = ["router"]
