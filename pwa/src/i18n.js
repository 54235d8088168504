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
    intake_counter: "Nhận hồ sơ tại quầy", pickup_request: "Yêu cầu thu gom tại nhà",
    procedure: "Thủ tục hành chính", search_procedure: "Tìm thủ tục (tên hoặc mã)",
    no_procedure: "Không có thủ tục nào nhận qua bưu chính khớp với từ tìm.", choose_procedure: "Hãy chọn thủ tục.",
    agency: "Cơ quan nhận hồ sơ", count_help: "Số lượng 0 nghĩa là người dân không mang giấy tờ đó.",
    citizen: "Người gửi (người dân)", id_number: "Số giấy tờ tùy thân", province: "Tỉnh/Thành phố",
    commune: "Xã/Phường", address_line: "Số nhà, đường, thôn/xóm", route_class: "Tuyến chuyển phát",
    route_auto: "Tự động (theo bưu cục và cơ quan)", route_same_area: "Cùng khu vực", route_intra_province: "Nội tỉnh",
    route_major_cities: "Giữa các thành phố lớn", route_inter_province: "Liên tỉnh",
    reduction: "Miễn, giảm (TT22/2017)", no_reduction: "Không miễn, giảm", postage: "Cước phí",
    official_fee: "Phí, lệ phí thu hộ", total: "Tổng thu", due_at: "Hạn chuyển phát",
    clerk_signature: "Chữ ký giao dịch viên", intake_submit: "Nhận hồ sơ và in phiếu gửi",
    intake_needs_network: "Mất kết nối: nhận hồ sơ cần có mạng (số hiệu bưu gửi do máy chủ cấp). Chưa có gì được ghi nhận — hãy thử lại khi có mạng.",
    retry_network: "Thử lại", invalid_phone_local: "Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.",
    invalid_cccd_local: "Số CCCD / thẻ căn cước phải gồm đúng 12 chữ số.", pickup_details: "Thu gom",
    assign_postman: "Giao cho bưu tá", unassigned: "Chưa phân công (bưu tá của bưu cục)",
    note: "Ghi chú (giờ hẹn, chỉ đường)", pickup_submit: "Ghi nhận yêu cầu thu gom",
    pickup_saved: "Đã ghi nhận yêu cầu thu gom {tn}; thu tại nhà {amount}.",
    discount_of: "giảm {discount} trên {base}",
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
    intake_counter: "Counter intake", pickup_request: "Home pickup request",
    procedure: "Administrative procedure", search_procedure: "Search a procedure (name or code)",
    no_procedure: "No postal procedure matches the search.", choose_procedure: "Choose a procedure.",
    agency: "Receiving agency", count_help: "A count of 0 means the citizen did not bring that document.",
    citizen: "Sender (citizen)", id_number: "Identity document number", province: "Province/City",
    commune: "Commune/Ward", address_line: "House number, street, hamlet", route_class: "Route class",
    route_auto: "Automatic (from office and agency)", route_same_area: "Same area", route_intra_province: "Within the province",
    route_major_cities: "Between major cities", route_inter_province: "Inter-provincial",
    reduction: "Exemption or reduction (TT22/2017)", no_reduction: "None", postage: "Postage",
    official_fee: "Official fee (collected for the agency)", total: "Total", due_at: "Service deadline",
    clerk_signature: "Clerk's signature", intake_submit: "Take in and print the consignment note",
    intake_needs_network: "Offline: counter intake needs the network (the server issues the tracking number). Nothing was recorded — try again when online.",
    retry_network: "Try again", invalid_phone_local: "Invalid phone number: 10 digits starting with 03, 05, 07, 08 or 09.",
    invalid_cccd_local: "A CCCD / ID card number has exactly 12 digits.", pickup_details: "Pickup",
    assign_postman: "Assign to postman", unassigned: "Not assigned (any postman of the office)",
    note: "Note (time, directions)", pickup_submit: "Record the pickup request",
    pickup_saved: "Pickup request {tn} recorded; {amount} to collect at the door.",
    discount_of: "{discount} off {base}",
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
