"""What is overdue, due today and at risk, within the caller's scope (TT17 Art.7).

The classes are the domain's (`server.domain.deadlines`); this module turns them into SQL so
the lists and the supervisors' dashboard count with one definition.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from server.core.scope import visible_items
from server.domain.deadlines import (
    FINISHED_STATUSES,
    IN_HAND_STATUSES,
    DeadlineBounds,
    DeadlineClass,
    deadline_bounds,
    deadline_class,
)
from server.extensions import db
from server.models import Item, Role, User
from server.models.types import utc_now
from server.workdays.service import working_decisions


def bounds_now(now: datetime | None = None) -> DeadlineBounds:
    """The cut-offs at `now` (default: the server's clock) with the configured at-risk days."""
    return deadline_bounds(now or utc_now(), current_app.config["DEADLINE_AT_RISK_WORKING_DAYS"],
                           working_decisions())


def class_conditions(bounds: DeadlineBounds) -> dict[DeadlineClass, ColumnElement[bool]]:
    """Each class as a SQL condition on `Item` (unfinished items only), as `deadline_class`."""
    unfinished = Item.status.not_in(sorted(FINISHED_STATUSES))
    return {
        DeadlineClass.overdue: and_(unfinished, Item.due_at < bounds.now),
        DeadlineClass.due_today: and_(unfinished, Item.due_at >= bounds.now,
                                      Item.due_at < bounds.end_of_today),
        DeadlineClass.at_risk: and_(unfinished, Item.due_at >= bounds.end_of_today,
                                    Item.due_at <= bounds.at_risk_until,
                                    Item.status.not_in(sorted(IN_HAND_STATUSES))),
    }


def class_counts(scope: ColumnElement[bool], bounds: DeadlineBounds) -> dict[DeadlineClass, int]:
    """How many items of the scope fall in each class (one query)."""
    conditions = class_conditions(bounds)
    row = db.session.execute(
        select(*(func.sum(case((condition, 1), else_=0)) for condition in conditions.values()))
        .where(scope, or_(*conditions.values()))
    ).one()
    return {name: int(value or 0) for name, value in zip(conditions, row, strict=True)}


def deadline_scope(user: User) -> ColumnElement[bool]:
    """Whose items a caller's deadline list covers: a postman his own bag, others their scope."""
    if user.role == Role.postman:
        return Item.holder_user_id == user.id
    return visible_items(user)


@dataclass(frozen=True)
class FoundDeadlines:
    """Counts of every class, and the items of the asked classes, most urgent first."""

    bounds: DeadlineBounds
    counts: dict[DeadlineClass, int]
    items: list[tuple[Item, DeadlineClass]]


def deadline_list(user: User, classes: list[DeadlineClass] | None = None, limit: int = 100,
                  now: datetime | None = None) -> FoundDeadlines:
    """The caller's items that are overdue, due today or at risk."""
    bounds = bounds_now(now)
    scope = deadline_scope(user)
    conditions = class_conditions(bounds)
    wanted = classes or list(DeadlineClass)
    items = db.session.execute(
        select(Item).where(scope, or_(*(conditions[name] for name in wanted)))
        .order_by(Item.due_at, Item.id).limit(limit)
        .options(*(selectinload(relation) for relation in (
            Item.procedure, Item.agency_unit, Item.post_office_unit, Item.holder_user,
            Item.holder_unit, Item.linked_dossier)))
    ).scalars().all()
    classified = [(item, deadline_class(item.due_at, item.status, bounds)) for item in items]
    return FoundDeadlines(bounds=bounds, counts=class_counts(scope, bounds),
                          items=[(item, found) for item, found in classified if found is not None])
