// The S10 check on the phone (docs/design.md §9): weights 8,6,4,2,3,5,9,7; C = 11 − (sum mod 11);
// 10 → 0, 11 → 5. Checked before anything else happens to a typed or scanned number.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { checkDigit, parseTrackingNumber, trackingNumberFromScan } from "../src/s10.js";

describe("checkDigit", () => {
  test("weights the serial 8,6,4,2,3,5,9,7 and answers 11 − (sum mod 11)", () => {
    // 4·8 + 7·6 + 3·4 + 1·2 + 2·3 + 4·5 + 8·9 + 2·7 = 200; 200 mod 11 = 2; 11 − 2 = 9.
    assert.equal(checkDigit("47312482"), 9);
  });

  test("answers 0 when 11 − (sum mod 11) is 10", () => {
    // 0·8 + 2·6 = 12; 12 mod 11 = 1; 11 − 1 = 10 → 0.
    assert.equal(checkDigit("02000000"), 0);
  });

  test("answers 5 when 11 − (sum mod 11) is 11", () => {
    // 1·8 + 1·3 = 11; 11 mod 11 = 0; 11 − 0 = 11 → 5.
    assert.equal(checkDigit("10001000"), 5);
  });
});

describe("parseTrackingNumber", () => {
  test("accepts the UPU's own example RR473124829GB", () => {
    assert.deepEqual(parseTrackingNumber("RR473124829GB"), { ok: true, number: "RR473124829GB" });
  });

  test("accepts numbers whose check digit is the 10 → 0 and 11 → 5 cases", () => {
    assert.equal(parseTrackingNumber("EE020000000VN").ok, true);
    assert.equal(parseTrackingNumber("EE100010005VN").ok, true);
  });

  test("upper-cases and drops spaces before checking", () => {
    assert.deepEqual(parseTrackingNumber("  rr 4731 2482 9 gb\t"), { ok: true, number: "RR473124829GB" });
  });

  for (const text of ["", "RR47312482GB", "RR4731248290GB", "1R473124829GB", "RR473124829G1", "RR-473124829-GB", null, undefined]) {
    test(`refuses ${JSON.stringify(text)} as invalid_tracking_format`, () => {
      const answer = parseTrackingNumber(text);
      assert.equal(answer.ok, false);
      assert.equal(answer.code, "invalid_tracking_format");
      assert.equal(answer.expected, undefined);
    });
  }

  test("refuses a wrong check digit and says which digit was expected", () => {
    assert.deepEqual(parseTrackingNumber("RR473124828GB"),
      { ok: false, code: "wrong_check_digit", number: "RR473124828GB", expected: 9 });
  });

  test("says 0 is expected where 11 − (sum mod 11) is 10", () => {
    const answer = parseTrackingNumber("EE020000001VN");
    assert.equal(answer.code, "wrong_check_digit");
    assert.equal(answer.expected, 0);
  });
});

describe("trackingNumberFromScan", () => {
  test("reads the number from the label's QR address", () => {
    assert.deepEqual(trackingNumberFromScan("http://x/t/KQ123456785VN"), { ok: true, number: "KQ123456785VN" });
  });

  test("reads the number from an address with a trailing slash, query or fragment", () => {
    for (const text of ["https://tantay.example/t/KQ123456785VN/", "https://tantay.example/t/kq123456785vn?from=qr",
      "https://tantay.example/t/KQ123456785VN#top"]) {
      assert.deepEqual(trackingNumberFromScan(text), { ok: true, number: "KQ123456785VN" }, text);
    }
  });

  test("accepts a bare number, normalised", () => {
    assert.deepEqual(trackingNumberFromScan(" kq123456785vn\n"), { ok: true, number: "KQ123456785VN" });
  });

  test("checks the digit of the number inside the address", () => {
    const answer = trackingNumberFromScan("http://x/t/KQ123456784VN");
    assert.equal(answer.code, "wrong_check_digit");
    assert.equal(answer.expected, 5);
  });

  test("refuses an address that holds no tracking number", () => {
    assert.equal(trackingNumberFromScan("https://example.com/menu").code, "invalid_tracking_format");
  });
});

test("a scanned URL with an encoded space in the number is read", () => {
  assert.deepEqual(trackingNumberFromScan("http://x/t/RR473124829%20GB"), { ok: true, number: "RR473124829GB" });
});
