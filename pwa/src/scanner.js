// Camera scanning of the item's QR: the browser's BarcodeDetector where it exists, else
// jsQR, loaded only when needed (it is most of the app's weight).
export class Scanner {
  constructor(video, onText) {
    this._video = video;
    this._onText = onText;
    this._stream = null;
    this._timer = null;
    this._detect = null;
    this._stopped = false;
  }

  // stop() may come while start() still waits for the camera (the postman left the screen):
  // each step then checks, so the camera is released and no timer is left running.
  async start() {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    if (this._stopped) return stream.getTracks().forEach((track) => track.stop());
    this._stream = stream;
    this._video.srcObject = stream;
    await this._video.play();
    this._detect = await this._detector();
    if (!this._stopped) this._timer = setInterval(() => this._tick(), 200);
  }

  stop() {
    this._stopped = true;
    clearInterval(this._timer);
    this._stream?.getTracks().forEach((track) => track.stop());
    this._stream = null;
  }

  async _detector() {
    if ("BarcodeDetector" in globalThis) {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats?.().catch(() => []);
      if (formats?.includes("qr_code")) {
        const detector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
      }
    }
    const { default: jsQR } = await import("jsqr");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      if (!video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null;
    };
  }

  async _tick() {
    if (this._busy || !this._detect) return;
    this._busy = true;
    try {
      const text = await this._detect(this._video);
      if (text) this._onText(text);
    } finally {
      this._busy = false;
    }
  }
}
