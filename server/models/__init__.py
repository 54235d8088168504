"""Typed SQLAlchemy 2.0 models, one aggregate per module; imported here so Alembic sees all."""
from server.models.audit import Correction, DailyRoot, VerificationJob
from server.models.calendar import CalendarDecisionRow, DueDateChange
from server.models.cash import CashRemittance
from server.models.custody import AuditFlag, CustodyEvent
from server.models.handover import HandoverLine, HandoverRecord
from server.models.item import Item, TrackingSerial
from server.models.login_failure import LoginFailure
from server.models.media import Media
from server.models.notification import Notification
from server.models.personal_data import PersonalDataAccess
from server.models.procedure import Procedure
from server.models.report_rollup import ReportDayPartial, ReportRollup
from server.models.tariff import FeeReduction, PostageTariff
from server.models.transparency import (
    LogCheckpoint,
    LogCosignature,
    LogEntry,
    LogTile,
    WitnessedLog,
    WitnessRefusal,
)
from server.models.unit import Unit, UnitKind
from server.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AuditFlag",
    "CalendarDecisionRow",
    "CashRemittance",
    "Correction",
    "CustodyEvent",
    "DailyRoot",
    "DueDateChange",
    "FeeReduction",
    "HandoverLine",
    "HandoverRecord",
    "Item",
    "LogCheckpoint",
    "LogCosignature",
    "LogEntry",
    "LogTile",
    "LoginFailure",
    "Media",
    "Notification",
    "PersonalDataAccess",
    "PostageTariff",
    "Procedure",
    "ReportDayPartial",
    "ReportRollup",
    "Role",
    "TrackingSerial",
    "Unit",
    "UnitKind",
    "User",
    "VerificationJob",
    "WitnessRefusal",
    "WitnessedLog",
]
