// Builds the field app into dist/: bundles the ES modules, copies the static files and
// stamps the service worker with a version derived from the built files, so every
// change to the app makes a new cache (and the update prompt).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const DIST = "dist";

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
  sourcemap: false,
  target: ["chrome100", "safari15", "firefox100"],
  outdir: DIST,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});

const shell = filesUnder(DIST).map((path) => "/" + relative(DIST, path).split("\\").join("/"));
const version = createHash("sha256");
for (const path of filesUnder(DIST).sort()) version.update(path).update(readFileSync(path));
const worker = readFileSync("src/sw.js", "utf8")
  .replace("__VERSION__", version.digest("hex").slice(0, 12))
  .replace("__SHELL__", JSON.stringify(["/", ...shell.filter((p) => p !== "/index.html")]));
writeFileSync(join(DIST, "sw.js"), worker);
console.log(`built ${shell.length} files into ${DIST}/`);
