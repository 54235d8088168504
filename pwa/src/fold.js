// Text as a search compares it: no accents (Vietnamese diacritics, đ as d), no case, single
// spaces — so "can cuoc" finds "Căn cước" and "CĂN CƯỚC" (issue 12).
export function foldForSearch(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

// True when every word of the query is in the text, accents and case aside.
export function matchesSearch(text, query) {
  const haystack = foldForSearch(text);
  return foldForSearch(query).split(" ").filter(Boolean).every((word) => haystack.includes(word));
}
