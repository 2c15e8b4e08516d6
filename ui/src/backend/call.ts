// How every command is invoked: its failures always arrive as a Problem.
import { invoke } from "@tauri-apps/api/core";
import type { Problem } from "./types";

/** Every failure a command can report arrives as a Problem. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value && "hint" in value;
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (isProblem(err)) throw err;
    const problem: Problem = {
      kind: "internal",
      message: `Guestpass could not run "${command}": ${String(err)}`,
      hint: "Restart Guestpass. If it happens again, report it with this message.",
      fields: [],
      code: null,
      requestId: null,
    };
    throw problem;
  }
}
