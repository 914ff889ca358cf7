"""What was mailed to a member of staff about their tasks (issue 20): the urgent mails and the
daily digest go out at most once per person, item and day, whoever or whatever runs the job."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow


class TaskMailKind(enum.StrEnum):
    DEADLINE_SOON = "deadline_soon"  # a review deadline within two working days
    OVERDUE = "overdue"  # a review deadline passed without a decision
    DIGEST = "digest"  # the daily list of everything waiting (no item: subject_id 0)


class TaskMail(Model):
    """One item named in a mail to one member of staff on one day. The unique key decides when
    two runs of the schedule meet: the second finds the first one's row and mails nothing."""

    __tablename__ = "task_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[TaskMailKind] = mapped_column(str_enum(TaskMailKind, length=20))
    # The application the mail is about; 0 for the digest, which is about all of them.
    subject_id: Mapped[int]
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind", "subject_id", "sent_on"),)
