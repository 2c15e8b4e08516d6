import { defineConfig } from "vite";

// The UI is built into ui/dist, which tauri.conf.json embeds in the app.
export default defineConfig({
  root: "ui",
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // Tauri's CSP forbids inline scripts; keep module preload polyfills out.
    modulePreload: { polyfill: false },
  },
});
