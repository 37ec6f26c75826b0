// Copy the vendored front-end files, with their source maps (whitenoise's
// manifest storage fails on a missing .map), into static/vendor/.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "vendor");
const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/css/bootstrap.min.css",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/css/bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/js/bootstrap.bundle.min.js",
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/js/bootstrap.bundle.min.js.map",
  "chart.js/dist/chart.umd.min.js": "chart.js/chart.umd.min.js",
  "chart.js/dist/chart.umd.min.js.map": "chart.js/chart.umd.min.js.map",
  // Drag and drop on the board; published without a source map, and its file names none.
  "sortablejs/Sortable.min.js": "sortablejs/Sortable.min.js",
};

rmSync(out, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target);
}
console.log(`copied ${Object.keys(files).length} files into static/vendor/`);
