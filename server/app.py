"""The app factory: one FastAPI app per Settings, with its routers and shared state."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server import classroom, lessons, monitoring, web
from server.classroom.cluster import Cluster
from server.classroom.service import classroom_of
from server.core import errors, looplag
from server.core.admission import Admission
from server.core.compute import Compute
from server.core.connection import Live
from server.core.limits import ConnectionLimiter
from server.core.metrics import Metrics
from server.core.scheduler import Scheduler
from server.middleware import Shield
from server.playground import pages, socket
from server.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.scheduler.start()
        if settings.redis_url:  # rooms shared with other processes (server/classroom/cluster.py)
            app.state.cluster = await Cluster.connect(settings)
            app.state.cluster.census.limiter = app.state.limiter
            classroom_of(app)
        probe = None
        if settings.loop_probe_interval_s > 0:
            lag, interval = app.state.metrics.loop_lag, settings.loop_probe_interval_s
            probe = asyncio.get_running_loop().create_task(looplag.probe(lag, interval))
        yield
        if probe is not None:
            probe.cancel()
        if app.state.cluster is not None:
            await app.state.cluster.stop()
        await app.state.scheduler.stop()
        app.state.compute.stop()

    app = FastAPI(title="Neural-network playground", lifespan=lifespan, docs_url=None)
    app.state.settings = settings
    app.state.cluster = None
    app.state.metrics = Metrics()
    app.state.scheduler = Scheduler(settings, app.state.metrics)
    app.state.compute = Compute(settings)
    app.state.limiter = ConnectionLimiter(
        settings.max_sessions, settings.max_connections_per_ip, settings.max_cluster_sessions
    )
    app.state.admission = Admission(
        settings.admissions_per_second, settings.admission_burst, settings.max_admission_queue
    )
    app.state.live = Live()
    app.add_middleware(Shield, settings=settings)
    errors.install(app)
    web.install(app)  # /static (versioned, gzip), /favicon.ico, the HTML 404 page
    app.include_router(pages.router)
    app.include_router(lessons.router)
    app.include_router(classroom.router)
    app.include_router(socket.router)
    app.include_router(monitoring.router)
    return app
