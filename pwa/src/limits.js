// The server's limits on what the postman types at the door, checked before an event is
// saved: `limits.json` is generated from the sync schemas (server/custody/field_limits.py)
// by `make pwa`, so the phone never calls "recorded" what the server would refuse.
import LIMITS from "./limits.json" with { type: "json" };
import { t } from "./i18n.js";

// The screen word naming each limited field.
const LABELS = {
  "recipient.name": "name", "recipient.relationship": "relationship", "recipient.id_last4": "id_last4",
  cash_collected_vnd: "cash_collected", papers_collected: "papers_collected", deviation_note: "deviation_reason",
};

export const LIMITED_FIELDS = Object.keys(LIMITS);

// The value at a dotted path of an event or evidence object.
export function valueAt(object, path) {
  return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), object);
}

export function fieldLabel(path) {
  return LABELS[path] ? t(LABELS[path]) : path;
}

// What in `evidence` breaks the server's limits, as sentences for the postman (empty: fine).
export function limitProblems(evidence) {
  const problems = [];
  for (const [path, limit] of Object.entries(LIMITS)) {
    const value = valueAt(evidence, path);
    if (value === undefined || value === null) continue;
    const label = fieldLabel(path);
    if (typeof value === "string") {
      const length = [...value].length;
      if (limit.maxLength !== undefined && length > limit.maxLength) problems.push(t("too_long", { field: label, max: limit.maxLength, n: length }));
      else if (path === "recipient.id_last4" && !new RegExp(limit.pattern).test(value)) problems.push(t("invalid_last4_local"));
    } else if (typeof value === "number") {
      if (!Number.isFinite(value) || (limit.maximum !== undefined && value > limit.maximum) || (limit.minimum !== undefined && value < limit.minimum)) {
        problems.push(t("too_large", { field: label, max: limit.maximum }));
      }
    } else if (Array.isArray(value)) {
      if (limit.maxItems !== undefined && value.length > limit.maxItems) problems.push(t("too_large", { field: label, max: limit.maxItems }));
      if (limit.itemMaxLength !== undefined && value.some((entry) => [...String(entry)].length > limit.itemMaxLength)) problems.push(t("too_long", { field: label, max: limit.itemMaxLength, n: Math.max(...value.map((entry) => [...String(entry)].length)) }));
    }
  }
  return problems;
}
