"""The summary report's answer (ReportSummary) made from the service's figures (TT17 Art.13)."""
from __future__ import annotations

from server.domain.authorities import report_recipient
from server.domain.lifecycle import FailureAction, FailureReason, ItemKind
from server.domain.periods import rate
from server.reporting.reports import (
    COMPLETING_EVENTS,
    FIELD_LABELS_VI,
    NOT_RECORDED,
    ReportFigures,
)
from server.reporting.schemas import (
    CashOut,
    DirectionCounts,
    FailuresOut,
    FieldCounts,
    IncidentsOut,
    OnTimeOut,
    OnTimeSection,
    ReportPeriodOut,
    ReportRecipientOut,
    ReportSummary,
    ReportUnitOut,
)
from server.reporting.statements import COUNTED_EVENTS, CashTally, CountRow, FailureRow


def summary_out(figures: ReportFigures) -> ReportSummary:
    """The summary report: counts in all and per field, deadlines, failures, cash."""
    unit, period = figures.unit, figures.period
    totals, by_field = _counts(figures.counts, figures.fields)
    return ReportSummary(
        unit=ReportUnitOut(code=unit.code, name=unit.name, kind=unit.kind),
        submitted_to=_recipient(unit.province),
        period=ReportPeriodOut(kind=period.kind, label=period.label, start=period.start,
                               end=period.last_day, from_utc=period.starts_at,
                               until_utc=period.ends_before),
        items=totals,
        by_field=by_field,
        on_time=_on_time(figures.counts),
        failures=_failures_out(figures.failures),
        incidents=IncidentsOut(returned=totals.results.returned),
        cash=_cash_out(figures.cash),
        not_recorded=list(NOT_RECORDED),
        generated_at=figures.generated_at,
    )


def _recipient(province: str) -> ReportRecipientOut:
    """The provincial Department of Science and Technology the report goes to (TT17 Art.13)."""
    recipient = report_recipient(province)
    return ReportRecipientOut(name=recipient.name, legal_basis=recipient.legal_basis)


def _counts(rows: list[CountRow], unit_fields: set[str]) -> tuple[DirectionCounts, list[FieldCounts]]:
    """The direction counts, in all and per field."""
    total = DirectionCounts()
    fields: dict[str, FieldCounts] = {
        name: FieldCounts(field=name, label=FIELD_LABELS_VI.get(name, name))
        for name in unit_fields | {row.field for row in rows}
    }
    for row in rows:
        counter = COUNTED_EVENTS.get((row.kind, row.event_type))
        if counter is None:
            continue  # an event the kind never has (recorded anyway, docs/design.md §3): not a volume
        for counts in (total, fields[row.field]):
            direction = counts.dossiers if row.kind is ItemKind.dossier else counts.results
            setattr(direction, counter, getattr(direction, counter) + row.items)
    return total, [fields[name] for name in sorted(fields)]


def _on_time(rows: list[CountRow]) -> OnTimeSection:
    """Filed dossiers and delivered results against their deadline (TT17 Art.7)."""
    tallies = {"all": [0, 0], "dossiers_filed": [0, 0], "results_delivered": [0, 0]}
    for row in rows:
        group = COMPLETING_EVENTS.get((row.kind, row.event_type))
        if group is None:
            continue
        for key in ("all", group):
            tallies[key][0] += row.items
            tallies[key][1] += row.on_time

    def out(total: int, on_time: int) -> OnTimeOut:
        """One block: how many, how many by the deadline, and the rate."""
        return OnTimeOut(total=total, on_time=on_time, late=total - on_time,
                         rate=rate(on_time, total))

    return OnTimeSection(**{key: out(*tally) for key, tally in tallies.items()})


def _failures_out(rows: list[FailureRow]) -> FailuresOut:
    """Failed attempts per reason and action (TT17 Art.5(2)(h))."""
    by_reason = {reason.value: 0 for reason in FailureReason}
    by_action = {action.value: 0 for action in FailureAction}
    total = 0
    for reason, action, count in rows:
        by_reason[reason or "unknown"] = by_reason.get(reason or "unknown", 0) + count
        by_action[action or "unknown"] = by_action.get(action or "unknown", 0) + count
        total += count
    return FailuresOut(attempts=total, by_reason=by_reason, by_action=by_action)


def _cash_out(tally: CashTally) -> CashOut:
    """Cash recorded at collections and deliveries, against what was due."""
    return CashOut(events=tally.events, collected_vnd=tally.collected_vnd,
                   due_vnd=tally.due_vnd, difference_vnd=tally.collected_vnd - tally.due_vnd,
                   events_without_cash_record=tally.events - tally.with_cash,
                   due_without_cash_record_vnd=tally.due_unrecorded_vnd)
