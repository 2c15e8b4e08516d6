import { isProblem, recentChanges, type ChangeRecord, type ConnectionInfo } from "../backend";
import { clear, copyButton, formatTime, h } from "../dom";

type SortKey = "at" | "tenant" | "action" | "target" | "result" | "requestId";

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "at", label: "Time" },
  { key: "tenant", label: "Tenant" },
  { key: "action", label: "Action" },
  { key: "target", label: "Target" },
  { key: "result", label: "Result" },
  { key: "requestId", label: "Request-id" },
];

const ACTION_LABELS: Record<string, string> = {
  invite_guest: "Invite guest",
  set_profile: "Set profile",
  assign_license: "Assign licence",
  add_to_group: "Add to group",
  assign_dataverse_role: "Give Dataverse role",
  update_settings: "Collaboration settings",
  update_authorization_policy: "Who can invite / guest access",
  update_domain_list: "Domain allow/block list",
  update_cross_tenant_default: "Cross-tenant default",
  create_google_federation: "Google federation",
};

/** The first block of a GUID, with the whole value on hover and a copy button. */
function shortId(id: string): HTMLElement {
  return h("span", { class: "id-short", title: id }, h("span", { class: "mono small" }, id.split("-")[0] + "…"), copyButton(id));
}

export async function renderHistory(root: HTMLElement, connection: ConnectionInfo | null): Promise<void> {
  const tenantLabel = (id: string) => (connection && id === connection.tenantId ? connection.tenantName : id);
  const search = h("input", { id: "history-search", type: "search", placeholder: "Search e-mail, action, result or request-id", "aria-label": "Search history" });
  const refresh = h("button", { class: "btn", type: "button", id: "history-refresh" }, "Refresh");
  const count = h("span", { class: "muted", id: "history-count" });
  const body = h("div", { id: "history-body" });
  root.append(
    h("h1", {}, "History"),
    h("p", { class: "lead" }, "Every change Guestpass made (or tried to make) in a tenant, newest first. Each row is chained to the one before it, so edits to this record can be detected."),
    h("div", { class: "toolbar" }, search, refresh, count),
    body,
  );

  let rows: ChangeRecord[] = [];
  let sortKey: SortKey = "at";
  let ascending = false;

  const draw = () => {
    clear(body);
    const q = search.value.trim().toLowerCase();
    const shown = rows
      .filter((r) => !q || [r.target, r.action, ACTION_LABELS[r.action] ?? "", r.result, r.requestId ?? "", r.tenant, r.actor, r.detail ?? ""].some((v) => v.toLowerCase().includes(q)) || tenantLabel(r.tenant).toLowerCase().includes(q))
      .sort((a, b) => {
        const va = a[sortKey] ?? "";
        const vb = b[sortKey] ?? "";
        const c = sortKey === "at" ? a.seq - b.seq : String(va).localeCompare(String(vb));
        return ascending ? c : -c;
      });
    count.textContent = q ? `${shown.length} of ${rows.length} changes` : `${rows.length} changes`;
    if (rows.length === 0) {
      body.append(h("div", { class: "card empty" }, h("p", {}, "No changes yet."), h("p", { class: "muted" }, "Invite a guest and the change appears here.")));
      return;
    }
    if (shown.length === 0) {
      body.append(h("div", { class: "card empty" }, h("p", {}, `Nothing matches “${search.value}”.`)));
      return;
    }
    const head = h(
      "tr",
      {},
      ...COLUMNS.map((c) => {
        const arrow = c.key === sortKey ? (ascending ? " ▲" : " ▼") : "";
        const th = h("th", { scope: "col", "aria-sort": c.key === sortKey ? (ascending ? "ascending" : "descending") : "none" });
        th.append(h("button", { class: "th-sort", type: "button" }, c.label + arrow));
        th.addEventListener("click", () => {
          if (sortKey === c.key) ascending = !ascending;
          else {
            sortKey = c.key;
            ascending = c.key !== "at";
          }
          draw();
        });
        return th;
      }),
    );
    const table = h(
      "table",
      { class: "table", id: "history-table" },
      h("thead", {}, head),
      h(
        "tbody",
        {},
        ...shown.map((r) =>
          h(
            "tr",
            { "data-seq": r.seq, title: r.detail ?? "" },
            h("td", { class: "nowrap", title: r.at }, formatTime(r.at)),
            h("td", { title: r.tenant }, tenantLabel(r.tenant)),
            h("td", {}, ACTION_LABELS[r.action] ?? r.action),
            h("td", { class: "target" }, r.target, r.detail ? h("div", { class: "detail" }, r.detail) : null),
            h("td", {}, h("span", { class: `pill pill-${r.result}` }, r.result), r.errorCode ? h("div", { class: "mono small" }, r.errorCode) : null),
            h("td", {}, r.requestId ? shortId(r.requestId) : "—"),
          ),
        ),
      ),
    );
    body.append(h("div", { class: "card table-wrap" }, table));
  };

  const load = async () => {
    refresh.disabled = true;
    try {
      rows = await recentChanges(1000);
      draw();
    } catch (err) {
      clear(body);
      body.append(h("div", { class: "card result result-error" }, h("p", {}, isProblem(err) ? `${err.message} ${err.hint}` : String(err))));
    } finally {
      refresh.disabled = false;
    }
  };
  search.addEventListener("input", draw);
  refresh.addEventListener("click", () => void load());
  await load();
}
