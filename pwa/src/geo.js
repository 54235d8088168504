// The phone's position with its accuracy and the fix's own time, taken automatically;
// never blocks the postman for long (a short timeout, then "no position").
//
// `maximumAge: 0`: a fix the browser kept from an earlier stop must never be recorded at
// this one (a minute on a motorbike is a kilometre: the server would flag far_from_address).
export const FIX_TIMEOUT_MS = 8000;
// A fix taken this recently when the postman confirms is fresh enough for the doorstep.
export const FRESH_FOR_MS = 20000;

export function currentPosition(timeoutMs = FIX_TIMEOUT_MS) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (fix) => resolve({
        lat: fix.coords.latitude,
        lon: fix.coords.longitude,
        accuracy_m: Math.round(fix.coords.accuracy * 10) / 10,
        fixed_at: new Date(fix.timestamp || Date.now()).toISOString(),
      }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}

// True when `position` was fixed within FRESH_FOR_MS of now.
export function isFresh(position, now = Date.now()) {
  return Boolean(position?.fixed_at) && now - Date.parse(position.fixed_at) <= FRESH_FOR_MS;
}
