// The only place the UI reaches Rust. Everything here is generated from the Rust side: the
// types (types.ts) from the Rust types, the client (commands.ts) from the Tauri commands.
// After changing either in Rust, run `make bindings`.
export { isProblem } from "./call";
export * from "./commands";
export type * from "./types";
export { ACTIONS, ONBOARDING_ORDER } from "./types";
