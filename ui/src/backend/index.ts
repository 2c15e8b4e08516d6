// The only place the UI reaches Rust. Types come from the Rust side (types.ts is generated:
// run `make bindings` after changing a Rust type the UI sees).
import { invoke } from "@tauri-apps/api/core";
import type { ChangeRecord, ConnectionInfo, InviteOutcome, InviteRequest, Problem } from "./types";

export type * from "./types";

/** Every failure a command can report arrives as a Problem. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value && "hint" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (isProblem(err)) throw err;
    const problem: Problem = {
      kind: "local",
      message: `Guestpass could not run "${command}": ${String(err)}`,
      hint: "Restart Guestpass. If it happens again, report it with this message.",
      fields: [],
      code: null,
      requestId: null,
    };
    throw problem;
  }
}

export function connectionInfo(): Promise<ConnectionInfo> {
  return call("connection_info");
}

export function inviteGuest(request: InviteRequest): Promise<InviteOutcome> {
  return call("invite_guest", { request });
}

export function recentChanges(limit = 500): Promise<ChangeRecord[]> {
  return call("recent_changes", { limit });
}
