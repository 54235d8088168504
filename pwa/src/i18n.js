// Screen words, Vietnamese first (GLOSSARY.md), English switchable. `t(key, values)`.
const WORDS = {
  vi: {
    app_name: "TậnTay", sign_in: "Đăng nhập", username: "Tên đăng nhập", password: "Mật khẩu",
    sign_out: "Đăng xuất", offline: "Ngoại tuyến", online: "Trực tuyến",
    outbox_waiting: "Hàng chờ gửi: {n}", sync_now: "Đồng bộ ngay", syncing: "Đang đồng bộ…",
    synced: "Đã đồng bộ", held_items: "Bưu gửi đang giữ", pickups: "Thu gom tại nhà",
    no_items: "Chưa có bưu gửi nào.", scan: "Quét mã", type_number: "Nhập số hiệu",
    open: "Mở", route: "Tuyến phát trong ngày", load_check: "Nhận hàng đầu ngày",
    outbox: "Hàng chờ gửi", home: "Trang chính", back: "Quay lại",
    wrong_check_digit: "Số hiệu không hợp lệ (sai chữ số kiểm tra). Hãy kiểm tra lại số hiệu.",
    invalid_tracking_format: "Số hiệu không đúng dạng (2 chữ cái, 9 chữ số, 2 chữ cái).",
    not_held: "Bạn không giữ bưu gửi {tn}.", not_found_local: "Không tìm thấy bưu gửi {tn} trong danh sách của bạn.",
    deliver: "Phát", failed_attempt: "Phát không thành công", collect: "Nhận hồ sơ tại nhà",
    out_for_delivery: "Bắt đầu phát", recipient: "Người nhận", self: "Chính chủ", proxy: "Người nhận thay",
    relationship: "Quan hệ với người nhận", authorization: "Ảnh giấy ủy quyền", id_type: "Giấy tờ tùy thân",
    id_last4: "4 số cuối giấy tờ", papers_collected: "Giấy tờ thu hồi", cash_due: "Số tiền phải thu",
    cash_collected: "Số tiền đã thu (đồng)", signature: "Chữ ký người nhận", clear: "Ký lại",
    photo: "Ảnh chụp (không bắt buộc)", position: "Vị trí", accuracy: "độ chính xác ± {m} m",
    no_position: "Chưa lấy được vị trí", confirm_delivery: "Xác nhận phát thành công",
    reason: "Lý do", action: "Xử lý", confirm_failure: "Ghi nhận phát không thành công",
    invitations: "Đã mời {n} lần", next_invitation: "Lần mời tiếp theo từ {date}", invitations_done: "Đã đủ 2 lần mời: có thể chuyển hoàn",
    documents: "Danh mục giấy tờ", original: "Bản chính", copy: "Bản sao", count: "Số lượng",
    fees: "Cước phí và phí, lệ phí", citizen_signature: "Chữ ký người dân", postman_signature: "Chữ ký bưu tá",
    confirm_collect: "Xác nhận đã nhận hồ sơ", saved_offline: "Đã lưu. Sẽ gửi khi có mạng.",
    saved: "Đã ghi nhận.", required: "Vui lòng nhập đủ: {fields}", name: "Họ tên",
    rejected: "Máy chủ từ chối", what_to_do: "Cần làm", retry: "Gửi lại", discard: "Bỏ",
    rejected_help: "Kiểm tra lại thông tin rồi ghi nhận lại sự kiện; mục này được giữ để đối chiếu.",
    handovers_pending: "Biên bản chờ ký nhận", no_handovers: "Không có biên bản chờ ký nhận.",
    listed: "Trong bảng kê", scanned: "Đã quét", missing: "Còn thiếu", unexpected: "Ngoài bảng kê",
    sign_and_accept: "Ký nhận", accepted: "Đã ký nhận {n} bưu gửi.", needs_network: "Cần có mạng để ký nhận biên bản.",
    distance: "Quãng đường: {km} km", stop: "Điểm {n}", map_unavailable: "Bản đồ nền không tải được; xem danh sách.",
    update_available: "Có phiên bản mới.", update: "Cập nhật", language: "English",
    camera_unavailable: "Không mở được máy ảnh. Hãy nhập số hiệu.", stop_camera: "Tắt máy ảnh",
    status_at_post: "Tại bưu cục", status_out_for_delivery: "Đang phát", status_attempt_failed: "Phát không thành công",
    status_held_for_pickup: "Chờ nhận tại bưu cục", status_delivered: "Phát thành công", status_returned: "Chuyển hoàn",
    status_requested: "Yêu cầu thu gom tại nhà", status_collected: "Đã nhận hồ sơ", status_registered: "Cơ quan đăng ký kết quả",
    status_in_transit: "Đang vận chuyển", status_filed: "Đã nộp hồ sơ cho cơ quan", status_cancelled: "Đã hủy",
    reason_absent: "Người nhận đi vắng", reason_address_wrong: "Sai địa chỉ / địa chỉ không rõ",
    reason_moved: "Người nhận đã chuyển đi", reason_not_found: "Không tìm thấy người nhận",
    reason_refused: "Người nhận từ chối nhận", reason_id_missing: "Không xuất trình được giấy tờ tùy thân",
    reason_proxy_invalid: "Giấy ủy quyền không hợp lệ", reason_papers_missing: "Thiếu giấy tờ cần thu hồi",
    reason_deceased: "Người nhận đã mất", reason_force_majeure: "Bất khả kháng (thiên tai, dịch bệnh…)",
    action_retry: "Phát lại", action_notice_left: "Để lại giấy mời", action_return_to_agency: "Chuyển hoàn về cơ quan",
    phone: "Điện thoại", address: "Địa chỉ", invitation: "Giấy mời",
    id_cccd: "CCCD", id_can_cuoc: "Thẻ căn cước", id_passport: "Hộ chiếu", id_cmnd: "CMND", id_vneid: "VNeID",
    // agency desk (cán bộ một cửa)
    agency_results: "Đăng ký kết quả để phát", csv_upload: "Nhập kết quả từ tệp CSV",
    csv_help: "Tệp CSV mã UTF-8, dòng đầu là tên cột như mẫu dưới đây. Nếu có dòng lỗi, cả tệp không được nhập: sửa các dòng được báo rồi tải lại.",
    csv_file: "Tệp CSV", csv_import: "Nhập tệp", csv_choose_file: "Hãy chọn tệp CSV.",
    csv_imported: "Đã nhập {n} kết quả.", csv_line: "Dòng", csv_reason: "Lý do",
    linked_dossier: "gắn với hồ sơ {tn}", register_one: "Đăng ký từng kết quả",
    dossier_code: "Mã hồ sơ", procedure: "Thủ tục hành chính", id_number_optional: "Số giấy tờ tùy thân (không bắt buộc)",
    province: "Tỉnh/thành phố", commune: "Xã/phường", address_line: "Số nhà, đường",
    with_appointment_slip: "Thu hồi giấy hẹn khi phát", register_result: "Đăng ký kết quả",
    result_registered: "Đã đăng ký kết quả, số hiệu {tn}.", print_label: "In nhãn QR",
    filed_at: "Thời điểm nộp hồ sơ", status_supplement_requested: "Cơ quan yêu cầu bổ sung hồ sơ",
    handover_records: "Biên bản giao nhận", record_number: "Biên bản số", record_items: "{n} bưu gửi",
    record_pending: "Chờ ký nhận", record_signed: "Đã ký nhận", record_cancelled: "Đã hủy",
    officer_signature: "Chữ ký cán bộ tiếp nhận", counted: "Đã nhận", incomplete: "Chưa đầy đủ", complete: "Đầy đủ",
    missing_placeholder: "Cần bổ sung giấy tờ gì?", missing_required: "Ghi rõ giấy tờ cần bổ sung cho từng hồ sơ chưa đầy đủ.",
    filing_help: "Kiểm đếm từng hồ sơ. Hồ sơ đầy đủ được tính là đã nộp vào lúc ký; hồ sơ chưa đầy đủ được trả lại bưu điện để người dân bổ sung.",
    sign_filing: "Ký nhận biên bản", filing_signed: "Đã ký nhận; {n} hồ sơ đã nộp.", signed_at: "Đã ký nhận lúc {at}",
    print_record: "Xem và in biên bản", record_title: "Biên bản giao nhận số {id}",
  },
  en: {
    app_name: "TậnTay", sign_in: "Sign in", username: "Username", password: "Password",
    sign_out: "Sign out", offline: "Offline", online: "Online", outbox_waiting: "Outbox: {n}",
    sync_now: "Sync now", syncing: "Syncing…", synced: "Synced", held_items: "Items I hold",
    pickups: "Pickups at home", no_items: "No items yet.", scan: "Scan", type_number: "Type the number",
    open: "Open", route: "Route of the day", load_check: "Morning load check", outbox: "Outbox",
    home: "Home", back: "Back",
    wrong_check_digit: "Invalid number (wrong check digit). Check the number again.",
    invalid_tracking_format: "Not a tracking number (2 letters, 9 digits, 2 letters).",
    not_held: "You do not hold item {tn}.", not_found_local: "Item {tn} is not in your list.",
    deliver: "Deliver", failed_attempt: "Failed attempt", collect: "Collect at the door",
    out_for_delivery: "Start delivery", recipient: "Recipient", self: "Addressee", proxy: "Proxy",
    relationship: "Relationship to the addressee", authorization: "Photo of the written authorisation",
    id_type: "Identity document", id_last4: "Last 4 characters of the document", papers_collected: "Papers collected back",
    cash_due: "Cash due", cash_collected: "Cash collected (VND)", signature: "Recipient's signature", clear: "Clear",
    photo: "Photo (optional)", position: "Position", accuracy: "accuracy ± {m} m", no_position: "No position yet",
    confirm_delivery: "Confirm delivery", reason: "Reason", action: "Action", confirm_failure: "Record failed attempt",
    invitations: "{n} invitation(s) so far", next_invitation: "Next invitation from {date}", invitations_done: "Two invitations made: may go back",
    documents: "Document checklist", original: "Original", copy: "Copy", count: "Count",
    fees: "Postage and fees", citizen_signature: "Citizen's signature", postman_signature: "Postman's signature",
    confirm_collect: "Confirm collection", saved_offline: "Saved. Will be sent when online.", saved: "Recorded.",
    required: "Please fill in: {fields}", name: "Full name", rejected: "Refused by the server", what_to_do: "What to do",
    retry: "Resend", discard: "Discard", rejected_help: "Check the details and record the event again; this entry is kept for reconciliation.",
    handovers_pending: "Handovers to sign", no_handovers: "No handover waiting.", listed: "Listed", scanned: "Scanned",
    missing: "Missing", unexpected: "Unexpected", sign_and_accept: "Sign for", accepted: "Signed for {n} item(s).",
    needs_network: "Signing a handover needs the network.", distance: "Distance: {km} km", stop: "Stop {n}",
    map_unavailable: "Map tiles unavailable; see the list.", update_available: "A new version is available.", update: "Update",
    language: "Tiếng Việt", phone: "Phone", address: "Address", invitation: "Invitations", camera_unavailable: "Cannot open the camera. Type the number.", stop_camera: "Stop camera",
    agency_results: "Register results for delivery", csv_upload: "Import results from a CSV file",
    csv_help: "A UTF-8 CSV file whose first line names the columns as below. If a line is wrong, nothing of the file is imported: fix the lines reported and upload again.",
    csv_file: "CSV file", csv_import: "Import file", csv_choose_file: "Choose a CSV file.",
    csv_imported: "Imported {n} result(s).", csv_line: "Line", csv_reason: "Reason",
    linked_dossier: "linked to dossier {tn}", register_one: "Register one result",
    dossier_code: "Dossier code", procedure: "Procedure", id_number_optional: "ID number (optional)",
    province: "Province", commune: "Commune/ward", address_line: "House number, street",
    with_appointment_slip: "Take back the appointment slip", register_result: "Register result",
    result_registered: "Result registered: {tn}.", print_label: "Print QR label",
    filed_at: "Filed at", status_supplement_requested: "Supplement requested by the agency",
    handover_records: "Handover records", record_number: "Record no.", record_items: "{n} item(s)",
    record_pending: "Waiting for signature", record_signed: "Signed", record_cancelled: "Cancelled",
    officer_signature: "Receiving officer's signature", counted: "Received", incomplete: "Incomplete", complete: "Complete",
    missing_placeholder: "Which papers are missing?", missing_required: "Say what is missing for each incomplete dossier.",
    filing_help: "Count each dossier. A complete dossier is filed at your signature; an incomplete one goes back with the post for the citizen to supplement.",
    sign_filing: "Sign the record", filing_signed: "Signed; {n} dossier(s) filed.", signed_at: "Signed at {at}",
    print_record: "View and print the record", record_title: "Handover record no. {id}",
  },
};

let language = (globalThis.localStorage?.getItem("language")) || "vi";

export function t(key, values = {}) {
  const text = WORDS[language][key] ?? WORDS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function currentLanguage() {
  return language;
}

export function toggleLanguage() {
  language = language === "vi" ? "en" : "vi";
  globalThis.localStorage?.setItem("language", language);
  document.documentElement.lang = language;
}

export function formatVnd(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount ?? 0)} đ`;
}
