// The phone's limits are the server's (limits.json, generated from the sync schemas).
import assert from "node:assert/strict";
import { test } from "node:test";

import { limitProblems } from "../src/limits.js";

const evidence = (recipient = {}, extra = {}) => ({ recipient: { name: "Nguyễn Văn A", relation: "self", id_type: "cccd", id_last4: "1234", ...recipient }, cash_collected_vnd: 0, ...extra });

test("a recipient's name over 200 characters is refused on the phone", () => {
  assert.deepEqual(limitProblems(evidence({ name: "A".repeat(200) })), []);
  assert.equal(limitProblems(evidence({ name: "A".repeat(201) })).length, 1);
});

test("the last four characters follow the server's pattern", () => {
  assert.equal(limitProblems(evidence({ id_last4: "12a4" })).length, 1);
  assert.deepEqual(limitProblems(evidence({ id_last4: "12A4" })), []);
});

test("cash above the server's maximum is refused", () => {
  assert.equal(limitProblems(evidence({}, { cash_collected_vnd: 1_000_000_001 })).length, 1);
});
