// Bundles the browser code from npm packages into dist/ (served by the Rasa server, never a CDN).
import { build } from "esbuild";
import { existsSync, mkdirSync } from "node:fs";

const entries = {
  widget: "src/widget/index.js", // trainee chat widget (socket.io), no charts
  charts: "src/charts/index.js", // ECharts, only the parts used, loaded on demand
  dashboard: "src/dashboard/index.js", // trainer dashboard
};

mkdirSync("dist", { recursive: true });
const present = Object.fromEntries(
  Object.entries(entries).filter(([, file]) => existsSync(file)),
);
await build({
  entryPoints: present,
  outdir: "dist",
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  legalComments: "none",
  metafile: false,
  logLevel: "info",
});
