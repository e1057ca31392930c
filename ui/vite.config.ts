/// <reference types="vitest/config" />
// Builds the page into ui/dist, which src-tauri embeds (tauri.conf.json `frontendDist`).
import { defineConfig } from "vite";

export default defineConfig({
  // Tauri serves the files itself; no dev server is involved in our builds.
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) runs ES2022 as is.
    target: "es2022",
    // Everything in files: the CSP (script-src/style-src 'self') refuses inline code.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
