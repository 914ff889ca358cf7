"""The work that happens when nobody clicks (issue 20): the schedule of periodic jobs
(schedule.py) and loading every task, so that a worker knows each one it may be handed."""

from __future__ import annotations

import importlib
import pkgutil


def load_tasks() -> None:
    """Import the modules that define tasks: the schedule and every service module. A worker
    looks a job up by its name, so it must have imported the module of each task it may get."""
    import portal.services

    importlib.import_module("portal.jobs.schedule")
    for module in pkgutil.walk_packages(portal.services.__path__, "portal.services."):
        importlib.import_module(module.name)
