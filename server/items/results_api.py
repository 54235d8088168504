"""Results for delivery registered in bulk: the agency's CSV upload or its system's JSON batch."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from server.core.spec import operation
from server.items.results import (
    ImportedResult,
    import_results_csv,
    register_results,
)
from server.items.results_schemas import (
    RegisteredResult,
    ResultBatch,
    ResultBatchDocumented,
    ResultImportOut,
)
from server.models import Role

bp = Blueprint("results", __name__, url_prefix="/api/v1/results")


def _answer(imported: list[ImportedResult]) -> ResultImportOut:
    """The registered results with their tracking numbers."""
    return ResultImportOut(imported=len(imported), results=[RegisteredResult(
        line=entry.line, tracking_number=entry.item.tracking_number,
        dossier_code=entry.item.dossier_code,
        linked_dossier=entry.item.linked_dossier.tracking_number if entry.item.linked_dossier else None,
    ) for entry in imported])


@operation(bp, "/import", "POST", summary="Register results from a CSV file (all or none)",
           tag="results", raw_body="text/csv", response=ResultImportOut, status=201,
           roles={Role.agency}, errors=(422,), token=True)
def import_csv() -> ResultImportOut:
    """UTF-8 CSV (a BOM is fine); a bad line refuses the file with each line's number and reason."""
    return _answer(import_results_csv(current_user, request.get_data(cache=False)))


@operation(bp, "/batch", "POST", summary="Register results from an agency system (all or none)",
           tag="results", body=ResultBatch, document_body=ResultBatchDocumented,
           response=ResultImportOut, status=201, roles={Role.agency}, token=True)
def register_batch(body: ResultBatch) -> ResultImportOut:
    """Each result is checked on its own; one refused line refuses the batch, naming each."""
    lines = [(position, values) for position, values in enumerate(body.results, start=1)]
    return _answer(register_results(current_user, lines))
