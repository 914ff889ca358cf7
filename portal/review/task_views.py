"""A reviewer's tasks ("Mijn taken"): what waits for them, per category (services/staff_tasks.py).
Same blueprint and role check as the queue."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from portal.infra.timeutil import local_date, now
from portal.review import bp
from portal.services import staff_tasks


@bp.route("/taken")
def my_tasks() -> str:
    tasks = staff_tasks.tasks_for(
        current_user._get_current_object(), local_date(now()), current_app.config["KPI_DUE_DAYS"]
    )
    return render_template("review/tasks.html", tasks=tasks)
