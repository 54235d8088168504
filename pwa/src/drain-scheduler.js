// When the outbox is drained: one drain at a time, and no request for a drain is ever lost.
// A drain takes its list of entries when it starts, so a request made while one is in flight
// (an entry queued, the network back) runs one more drain after it instead of being folded
// into it; a drain that ended offline is tried again later, with a growing pause, because the
// browser's "online" event can be missed (or come before the network really answers) and
// then nothing else would send what waits.

export const RETRY_DELAYS_MS = [3000, 10000, 30000, 60000];

export class DrainScheduler {
  // `drainOnce()` answers the drain's summary ({offline, ...}).
  constructor(drainOnce, { retryDelaysMs = RETRY_DELAYS_MS, setTimer = setTimeout, clearTimer = clearTimeout } = {}) {
    this._drainOnce = drainOnce;
    this._retryDelaysMs = retryDelaysMs;
    // Called as plain functions: the browser's setTimeout refuses another `this`.
    this._setTimer = (callback, delay) => setTimer(callback, delay);
    this._clearTimer = (id) => clearTimer(id);
    this._running = null;
    this._again = false;
    this._retryTimer = null;
    this._failedInARow = 0;
  }

  // Ask for a drain; answers the summary of the last drain that covers this request.
  request() {
    if (this._running) {
      this._again = true;
      return this._running;
    }
    this._cancelRetry();
    this._running = this._loop().finally(() => { this._running = null; });
    return this._running;
  }

  // Nothing more to try (signed out): forget the pending retry.
  stop() {
    this._cancelRetry();
    this._failedInARow = 0;
  }

  get retryPending() {
    return this._retryTimer !== null;
  }

  async _loop() {
    let summary;
    do {
      this._again = false;
      summary = await this._drainOnce();
    } while (this._again);
    if (summary?.offline) this._retryLater();
    else this._failedInARow = 0;
    return summary;
  }

  _retryLater() {
    const delay = this._retryDelaysMs[Math.min(this._failedInARow, this._retryDelaysMs.length - 1)];
    this._failedInARow += 1;
    this._cancelRetry();
    this._retryTimer = this._setTimer(() => { this._retryTimer = null; this.request(); }, delay);
  }

  _cancelRetry() {
    if (this._retryTimer !== null) this._clearTimer(this._retryTimer);
    this._retryTimer = null;
  }
}
