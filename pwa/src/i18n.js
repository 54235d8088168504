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
    cash_day_pick: "Ngày",
    deadlines: "Thời hạn phát", deadline_overdue: "Quá hạn", deadline_due_today: "Đến hạn hôm nay", deadline_at_risk: "Sắp đến hạn",
    deadline_rule: "Sắp đến hạn: hạn trong {n} ngày làm việc tới và chưa đi phát / chưa nộp hồ sơ.", no_deadlines: "Không có bưu gửi quá hạn hay sắp đến hạn.",
    due_at: "hạn", holder: "Đang giữ", counter: "Quầy giao dịch", hold_for_pickup: "Giữ chờ nhận tại bưu cục",
    deliver_at_counter: "Phát tại quầy", may_return: "Chuyển hoàn", cash_days: "Đối soát tiền trong ngày", cash_my_day: "Tiền thu trong ngày",
    cash_expected: "Phải thu", cash_collected_day: "Đã thu", cash_difference: "Chênh lệch", cash_remitted: "Đã nộp",
    cash_pending: "Chờ giao dịch viên ký", cash_unremitted: "Chưa nộp", remittance: "Phiếu nộp tiền", remittance_open: "chờ ký nhận",
    remittance_closed: "đã ký đủ", take_remittance: "Nhận tiền nộp", unknown_postman: "Không tìm thấy bưu tá {name}.",
    clerk_signature: "Chữ ký giao dịch viên", remit_amount: "Số tiền nộp (đồng)", confirm_remittance: "Ký xác nhận nộp tiền",
    remittance_closed_toast: "Đã nhận {amount}; phiếu nộp tiền đã ký đủ.", remittance_waiting: "Phiếu nộp tiền #{id} ({amount}) đã có chữ ký bưu tá, chờ giao dịch viên ký.",
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
    cash_day_pick: "Day",
    deadlines: "Deadlines", deadline_overdue: "Overdue", deadline_due_today: "Due today", deadline_at_risk: "At risk",
    deadline_rule: "At risk: due within the next {n} working day(s) and not yet out for delivery / not yet filed.", no_deadlines: "Nothing overdue or at risk.",
    due_at: "due", holder: "Held by", counter: "Counter", hold_for_pickup: "Hold for pickup at the counter",
    deliver_at_counter: "Hand over at the counter", may_return: "Return to the agency", cash_days: "Cash reconciliation of the day", cash_my_day: "My cash today",
    cash_expected: "Expected", cash_collected_day: "Collected", cash_difference: "Difference", cash_remitted: "Remitted",
    cash_pending: "Waiting for the clerk's signature", cash_unremitted: "Not yet remitted", remittance: "Remittance", remittance_open: "waiting for signature",
    remittance_closed: "signed by both", take_remittance: "Take the cash", unknown_postman: "Postman {name} not found.",
    clerk_signature: "Clerk's signature", remit_amount: "Amount handed over (VND)", confirm_remittance: "Sign the remittance",
    remittance_closed_toast: "Received {amount}; the remittance is signed by both.", remittance_waiting: "Remittance #{id} ({amount}) is signed by the postman and waits for the clerk.",
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
