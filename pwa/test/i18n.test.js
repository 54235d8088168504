// Every screen word exists in Vietnamese and in English: a key missing in either fails here.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { t, toggleLanguage, WORDS } from "../src/i18n.js";

const SRC = new URL("../src/", import.meta.url).pathname;

function sources(folder = SRC) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".js") ? [readFileSync(path, "utf8")] : [];
  });
}

test("both languages have exactly the same keys", () => {
  const vi = new Set(Object.keys(WORDS.vi));
  const en = new Set(Object.keys(WORDS.en));
  assert.deepEqual([...vi].filter((key) => !en.has(key)), [], "keys missing in English");
  assert.deepEqual([...en].filter((key) => !vi.has(key)), [], "keys missing in Vietnamese");
});

test("every key the screens ask for exists in both languages", () => {
  const used = new Set(sources().flatMap((text) => [...text.matchAll(/\bt\("([a-z0-9_]+)"/g)].map((match) => match[1])));
  for (const language of ["vi", "en"]) {
    assert.deepEqual([...used].filter((key) => !(key in WORDS[language])), [], `keys missing in ${language}`);
  }
});

test("statuses, reasons, actions, ID types and event names are worded in both languages", () => {
  const families = {
    status: ["at_post", "out_for_delivery", "attempt_failed", "held_for_pickup", "delivered", "returned", "requested", "collected", "registered", "in_transit", "filed", "cancelled"],
    reason: ["absent", "address_wrong", "moved", "not_found", "refused", "id_missing", "proxy_invalid", "papers_missing", "deceased", "force_majeure"],
    action: ["retry", "notice_left", "return_to_agency"],
    id: ["cccd", "can_cuoc", "passport", "cmnd", "vneid"],
    event: ["out_for_delivery", "delivered", "attempt_failed", "collected", "held_for_pickup", "returned"],
  };
  for (const [prefix, codes] of Object.entries(families)) {
    for (const code of codes) {
      for (const language of ["vi", "en"]) assert.ok(`${prefix}_${code}` in WORDS[language], `${prefix}_${code} missing in ${language}`);
    }
  }
});

test("English counts say one entry and two entries, never entry(ies)", () => {
  toggleLanguage(); // to English
  try {
    assert.equal(t("refused_alert", { n: 1 }), "1 entry refused by the server: not recorded. Tap to deal with it.");
    assert.equal(t("refused_alert", { n: 2 }), "2 entries refused by the server: not recorded. Tap to deal with them.");
    assert.equal(t("invitations", { n: 0 }), "0 invitations so far");
    for (const [key, text] of Object.entries(WORDS.en)) assert.doesNotMatch(text, /\((s|ies)\)/, key);
  } finally {
    toggleLanguage();
  }
});
