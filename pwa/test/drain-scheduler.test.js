// The drain scheduler: no request for a drain is lost while one is in flight, and a drain
// that ended offline is tried again by itself (the browser's "online" event can be missed).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { DrainScheduler } from "../src/drain-scheduler.js";

// A drain whose end the test decides: each call waits until `finish(summary)` is called.
class ControlledDrain {
  constructor() {
    this.started = 0;
    this._pending = [];
  }

  run = () => {
    this.started += 1;
    return new Promise((resolve) => this._pending.push(resolve));
  };

  finish(summary = { offline: false }) {
    this._pending.shift()(summary);
  }
}

// Timers the test fires by hand.
class ManualTimers {
  constructor() {
    this.waiting = new Map();
    this._next = 1;
  }

  set = (callback, delay) => {
    const id = this._next++;
    this.waiting.set(id, { callback, delay });
    return id;
  };

  clear = (id) => this.waiting.delete(id);

  fireAll() {
    const due = [...this.waiting.values()];
    this.waiting.clear();
    due.forEach(({ callback }) => callback());
  }

  get delays() {
    return [...this.waiting.values()].map(({ delay }) => delay);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a request made while a drain is in flight", () => {
  test("runs one more drain after it (it is not folded into the one that started before)", async () => {
    const drain = new ControlledDrain();
    const timers = new ManualTimers();
    const scheduler = new DrainScheduler(drain.run, { setTimer: timers.set, clearTimer: timers.clear });
    const first = scheduler.request();
    await settle();
    // An entry is queued (or the network comes back) while that drain runs.
    const second = scheduler.request();
    const third = scheduler.request();
    drain.finish({ offline: false });
    await settle();
    assert.equal(drain.started, 2, "the request made during the first drain starts another one");
    drain.finish({ offline: false, sent: 1 });
    assert.deepEqual(await first, { offline: false, sent: 1 });
    assert.equal(second, first);
    assert.equal(third, first);
    assert.equal(drain.started, 2, "two requests during one drain make one more drain, not two");
  });

  test("a request after the drain ended starts a new drain", async () => {
    const drain = new ControlledDrain();
    const scheduler = new DrainScheduler(drain.run, { setTimer: () => 0, clearTimer: () => {} });
    const first = scheduler.request();
    drain.finish();
    await first;
    scheduler.request();
    assert.equal(drain.started, 2);
  });
});

describe("a drain that ended offline", () => {
  test("is tried again by itself, with a growing pause, until the network answers", async () => {
    const drain = new ControlledDrain();
    const timers = new ManualTimers();
    const scheduler = new DrainScheduler(drain.run, { retryDelaysMs: [10, 20], setTimer: timers.set, clearTimer: timers.clear });
    const first = scheduler.request();
    drain.finish({ offline: true });
    await first;
    assert.deepEqual(timers.delays, [10]);
    timers.fireAll();
    assert.equal(drain.started, 2);
    drain.finish({ offline: true });
    await settle();
    assert.deepEqual(timers.delays, [20]);
    timers.fireAll();
    drain.finish({ offline: true });
    await settle();
    assert.deepEqual(timers.delays, [20], "the pause stops growing at the last delay");
    timers.fireAll();
    drain.finish({ offline: false });
    await settle();
    assert.equal(drain.started, 4);
    assert.equal(scheduler.retryPending, false, "once the network answered nothing more is planned");
  });

  test("a request (the online event) replaces the planned retry; stop() forgets it", async () => {
    const drain = new ControlledDrain();
    const timers = new ManualTimers();
    const scheduler = new DrainScheduler(drain.run, { retryDelaysMs: [10], setTimer: timers.set, clearTimer: timers.clear });
    const first = scheduler.request();
    drain.finish({ offline: true });
    await first;
    assert.equal(scheduler.retryPending, true);
    scheduler.request();
    assert.equal(timers.waiting.size, 0);
    drain.finish({ offline: true });
    await settle();
    assert.equal(scheduler.retryPending, true);
    scheduler.stop();
    assert.equal(timers.waiting.size, 0);
  });
});
