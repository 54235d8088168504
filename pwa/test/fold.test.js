import assert from "node:assert/strict";
import { test } from "node:test";

import { foldForSearch, matchesSearch } from "../src/fold.js";

test("accents, đ and case are folded away", () => {
  assert.equal(foldForSearch("  Cấp đổi THẺ  Căn cước "), "cap doi the can cuoc");
  assert.equal(foldForSearch("Đổi giấy phép lái xe"), "doi giay phep lai xe");
});

test("a query without accents finds the procedure with them", () => {
  assert.ok(matchesSearch("Cấp đổi thẻ căn cước", "can cuoc"));
  assert.ok(matchesSearch("Cấp đổi thẻ căn cước", "CĂN CƯỚC"));
  assert.ok(matchesSearch("Cấp đổi thẻ căn cước", "doi can"));  // words in any order
  assert.ok(!matchesSearch("Cấp đổi thẻ căn cước", "ho chieu"));
  assert.ok(matchesSearch("anything", "   "));
});
