// UPU S10 tracking numbers, checked on the phone before anything else (docs/design.md §9):
// weights 8,6,4,2,3,5,9,7 over the 8 serial digits; C = 11 − (sum mod 11); 10 → 0, 11 → 5.
const WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];
const S10 = /^[A-Z]{2}\d{8}\d[A-Z]{2}$/;

export function checkDigit(serial) {
  const sum = [...serial].reduce((total, digit, i) => total + Number(digit) * WEIGHTS[i], 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

// Answers {ok: true, number} or {ok: false, code, expected?} for a typed or scanned text.
export function parseTrackingNumber(text) {
  const number = String(text ?? "").replace(/\s+/g, "").toUpperCase();
  if (!S10.test(number)) return { ok: false, code: "invalid_tracking_format", number };
  const expected = checkDigit(number.slice(2, 10));
  if (expected !== Number(number[10])) return { ok: false, code: "wrong_check_digit", number, expected };
  return { ok: true, number };
}

// The QR holds `<BASE_URL>/t/<number>`; a bare number is accepted too.
export function trackingNumberFromScan(text) {
  const raw = String(text ?? "").trim();
  const match = raw.match(/\/t\/([A-Za-z0-9%\s]+)\/?(?:[?#].*)?$/);
  return parseTrackingNumber(match ? decodeURIComponent(match[1]) : raw);
}
