"""The answer of a custody verification in words a supervisor can act on (docs/design.md §4).

A verification stops at the first thing that does not hold: a link of an item's chain, a
sealed day's Merkle root, or an image an event names. Decree 45/2020/NĐ-CP Art.9 and
TT17/2017/TT-BTTTT Art.13 ask the post to keep its records whole and to be able to show it;
this module says, in Vietnamese, which record broke and what that means.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: What each reason means, as a supervisor reads it.
BROKEN_REASON_WORDS_VI: dict[str, str] = {
    "previous_hash_mismatch": "một sự kiện trước đó đã bị xoá hoặc thứ tự các sự kiện bị đảo",
    "hash_mismatch": "nội dung sự kiện đã bị sửa sau khi ghi",
    "head_mismatch": "các sự kiện cuối đã bị xoá: chuỗi không còn tới mã băm cuối đã ghi",
    "day_root_mismatch": "gốc Merkle của ngày đã niêm phong không còn khớp với các sự kiện",
    "media_missing": "ảnh làm bằng chứng không còn trong kho lưu trữ",
    "media_hash_mismatch": "ảnh làm bằng chứng đã bị thay đổi",
    # The custody log (docs/custody-log.md): what the signed, witnessed log contradicts.
    "witness_refused": "nhân chứng độc lập đã từ chối điểm kiểm của sổ giám sát: lịch sử "
                       "đã bị viết lại hoặc lùi lại",
    "checkpoint_signature_invalid": "điểm kiểm đã lưu không còn đúng chữ ký của sổ giám sát",
    "cosignature_invalid": "chữ ký đồng ký của nhân chứng trên điểm kiểm không hợp lệ",
    "checkpoint_root_mismatch": "các mục của sổ giám sát không còn cho ra gốc của điểm kiểm "
                                "đã ký: sổ đã bị sửa",
    "checkpoint_beyond_log": "sổ giám sát ít mục hơn điểm kiểm đã ký: các mục cuối đã bị xoá",
    "log_index_gap": "sổ giám sát bị khuyết một mục",
    "log_tile_mismatch": "ô băm (tile) của sổ giám sát không khớp với mục đã ghi",
    "logged_event_missing": "sự kiện đã ghi vào sổ giám sát không còn trong cơ sở dữ liệu "
                            "(đã bị xoá)",
    "logged_event_changed": "sự kiện đã bị sửa và băm lại sau khi ghi vào sổ giám sát",
    "event_not_logged": "sự kiện không có trong sổ giám sát dù điểm kiểm đã ký sau khi nhận nó",
    "event_logged_twice": "sự kiện được ghi vào sổ giám sát hai lần",
    "day_checkpoint_mismatch": "điểm kiểm in trên báo cáo của ngày đã niêm phong không còn "
                               "khớp với sổ giám sát",
    "day_not_sealed": "ngày đã kết thúc nhưng không còn bản niêm phong (đã bị xoá)",
    "day_seal_changed": "bản niêm phong của ngày không còn khớp với bản mà sổ giám sát đã ký",
    "serial_gap": "số hiệu đã cấp nhưng bưu gửi không còn (đã bị xoá)",
}

#: Where an image is named, by evidence field, in words.
IMAGE_FIELD_WORDS_VI: dict[str, str] = {
    "signature_sha256": "chữ ký người nhận",
    "photo_sha256": "ảnh chụp khi giao",
    "authorization_sha256": "giấy ủy quyền",
    "postman_signature_sha256": "chữ ký bưu tá",
    "receiver_signature_sha256": "chữ ký bên nhận biên bản bàn giao",
    "sender_signature_sha256": "chữ ký bên giao biên bản bàn giao",
}


def _short(identifier: Any) -> str:
    """The first eight characters of an id or hash, enough to find it again."""
    return str(identifier)[:8]


def broken_link_words(broken: Mapping[str, Any] | None) -> str:
    """One Vietnamese sentence naming the first broken link, or saying that all holds."""
    if broken is None:
        return "Mọi chuỗi lưu vết, ngày đã niêm phong và ảnh bằng chứng đều nguyên vẹn."
    reason = str(broken.get("reason"))
    meaning = BROKEN_REASON_WORDS_VI.get(reason, reason)
    if broken.get("day"):
        day = str(broken.get("day") or "")
        shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else day
        return f"Ngày {shown}: {meaning}."
    where = []
    if broken.get("tracking_number"):
        where.append(f"bưu gửi {broken['tracking_number']}")
    if broken.get("event_id"):
        where.append(f"sự kiện {_short(broken['event_id'])}…")
    if broken.get("handover_id") is not None:
        where.append(f"biên bản bàn giao số {broken['handover_id']}")
    if broken.get("log_index") is not None:
        where.append(f"mục số {broken['log_index']} của sổ giám sát")
    elif broken.get("tree_size") is not None and not broken.get("event_id"):
        where.append(f"điểm kiểm {broken['tree_size']} mục")
    if broken.get("witness"):
        where.append(f"nhân chứng {broken['witness']}")
    if broken.get("field"):
        field = str(broken["field"]).rsplit(".", 1)[-1]
        where.append(IMAGE_FIELD_WORDS_VI.get(field, field))
    subject = ", ".join(where) or "không xác định"
    return f"Mắt xích hỏng đầu tiên: {subject} — {meaning}."
