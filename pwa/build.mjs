// Builds the field app into dist/: bundles the ES modules (jsQR split into a chunk loaded
// only when the camera needs it), copies the static files, then builds the service worker
// with a version derived from every built file, so each change makes a new cache and the
// update prompt.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const DIST = "dist";
const TARGETS = ["chrome100", "safari15", "firefox100"];

function filesUnder(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
cpSync("public", DIST, { recursive: true });

await build({
  entryPoints: { app: "src/app.js", styles: "src/styles.css" },
  bundle: true,
  format: "esm",
  splitting: true,
  minify: true,
  target: TARGETS,
  outdir: DIST,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});

const built = filesUnder(DIST).sort();
const version = createHash("sha256");
for (const path of built) version.update(path).update(readFileSync(path));
const shell = ["/", ...built.map((path) => "/" + relative(DIST, path).split("\\").join("/")).filter((p) => p !== "/index.html")];

await build({
  entryPoints: ["src/sw.js"],
  bundle: true,
  format: "iife",
  minify: true,
  target: TARGETS,
  outfile: join(DIST, "sw.js"),
  define: { __VERSION__: JSON.stringify(version.digest("hex").slice(0, 12)), __SHELL__: JSON.stringify(shell) },
  logLevel: "warning",
});
console.log(`built ${shell.length} shell files into ${DIST}/`);
