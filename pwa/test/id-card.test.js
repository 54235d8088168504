// The chip ID card's QR text, the name comparison and the CMND rule (issue 16).
import assert from "node:assert/strict";
import { test } from "node:test";

import { documentRefusal, foldName, parseCardQr, sameName } from "../src/id-card.js";

const CARD = "037098001234|012345678|Nguyễn Thị Mẫu|01021990|Nữ|Số 8 đường Thử, Phường Hoa Lư, Ninh Bình|15082021";

test("a card QR gives its number, name and dates", () => {
  const card = parseCardQr(CARD);
  assert.equal(card.number, "037098001234");
  assert.equal(card.oldNumber, "012345678");
  assert.equal(card.name, "Nguyễn Thị Mẫu");
  assert.equal(card.birth, "01021990");
  assert.equal(card.issued, "15082021");
});

test("a card without an old CMND number is read too", () => {
  assert.equal(parseCardQr("037098001234||Trần Văn A|01021990|Nam|Ninh Bình|15082021").oldNumber, "");
});

test("a parcel label or a broken text is not a card", () => {
  assert.equal(parseCardQr("KQ000000017VN"), null);
  assert.equal(parseCardQr("03709800123|012345678|A|01021990|Nam|X|15082021"), null);
  assert.equal(parseCardQr(""), null);
});

test("names compare without accents, case or spacing", () => {
  assert.ok(sameName("Nguyễn Thị Mẫu", "NGUYEN  THI MAU"));
  assert.ok(sameName("Đặng Văn Đức", "dang van duc"));
  assert.ok(!sameName("Nguyễn Thị Mẫu", "Nguyễn Thị Mai"));
  assert.equal(foldName("  Lê   Ánh "), "le anh");
});

test("a CMND is refused from 1 January 2025", () => {
  assert.equal(documentRefusal("cmnd", new Date(2024, 11, 31)), null);
  assert.match(documentRefusal("cmnd", new Date(2025, 0, 1)), /01\/01\/2025/);
  assert.equal(documentRefusal("cccd", new Date(2026, 11, 3)), null);
});
