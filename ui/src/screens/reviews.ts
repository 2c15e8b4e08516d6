// Access reviews of guests: the tenant's reviews with their latest decisions, and a form that
// makes one recurring review per chosen group (previewed, then recorded and undoable in History).
import { createGuestReviews, guestReviews, type ReviewRequest, type ReviewSummary } from "../backend";
import { busy, field, previewThenApply, problemCard, setFieldError, show } from "../components";
import { h } from "../dom";

const split = (v: string) => v.split(/[;,]/).map((s) => s.trim()).filter(Boolean);

/** The Guests screen's Access reviews card. */
export function reviewsCard(): HTMLElement {
  const listArea = h("div", { id: "reviews-list", role: "status" }, h("p", { class: "muted" }, "Reading the access reviews…"));
  const groups = h("input", { id: "review-groups", type: "text", autocomplete: "off", placeholder: "Partner portal users; Dynamics 365 Sales - environment access" }) as HTMLInputElement;
  const every = h(
    "select",
    { id: "review-every" },
    ...[1, 3, 6, 12].map((n) => h("option", { value: String(n), selected: n === 3 }, n === 1 ? "Every month" : n === 3 ? "Every 3 months (quarterly)" : `Every ${n} months`)),
  ) as HTMLSelectElement;
  const reviewer = h("input", { id: "review-reviewer", type: "email", autocomplete: "off", placeholder: "Leave empty for the group's owners" }) as HTMLInputElement;
  const fallback = h("input", { id: "review-fallback", type: "email", autocomplete: "off", placeholder: "megan@yourcompany.com" }) as HTMLInputElement;
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "review-create" }, "Preview the review");
  const result = h("div", { id: "review-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "form", id: "review-form", novalidate: true },
    field("review-groups", "Groups whose guests are reviewed", groups, "Names or ids, separated by ; — one review per group."),
    h("div", { class: "field-row" }, field("review-every", "How often", every), field("review-reviewer", "Reviewer (optional)", reviewer, "Empty: each group's owners review.")),
    field("review-fallback", "Fallback reviewer", fallback, "Decides when a group has no owner. Needed when owners review."),
    h("p", { class: "help" }, "Each review stays open 14 days. A guest nobody answers for is denied; decisions are applied automatically; denied guests are blocked, then removed after 30 days."),
    h("div", { class: "actions" }, submit),
    result,
  );
  const load = async () => {
    try {
      show(listArea, reviewList(await guestReviews()));
    } catch (err) {
      show(listArea, problemCard(err));
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const request: ReviewRequest = {
      groups: split(groups.value),
      everyMonths: Number(every.value),
      reviewer: reviewer.value.trim() || null,
      fallbackReviewer: fallback.value.trim() || null,
    };
    setFieldError("review-groups", request.groups.length ? null : "Name at least one group.");
    if (!request.groups.length) {
      groups.focus();
      return;
    }
    void busy(submit, "Checking…", () => previewThenApply(result, "Access review", (preview) => createGuestReviews(request, preview), load));
  });
  void load();
  return h(
    "div",
    { class: "card", id: "reviews" },
    h("h2", {}, "Access reviews"),
    h("p", { class: "muted" }, "Have someone confirm, on a schedule, that each guest still needs their groups. Needs Microsoft Entra ID P2 or ID Governance."),
    listArea,
    h("h3", {}, "Review the guests of more groups"),
    form,
  );
}

function reviewList(reviews: ReviewSummary[]): HTMLElement {
  if (reviews.length === 0) return h("p", { class: "muted", id: "reviews-empty" }, "No access reviews yet.");
  return h(
    "div",
    {},
    ...reviews.map((r) =>
      h(
        "div",
        { class: "review" },
        h("p", {}, h("strong", {}, r.displayName), ` — ${r.scope}, ${r.recurrence}, reviewed by ${r.reviewers} (${r.status})`),
        r.decisions.length
          ? h(
              "table",
              { class: "table" },
              h("thead", {}, h("tr", {}, h("th", {}, "Guest"), h("th", {}, "Decision"), h("th", {}, "By"), h("th", {}, "Applied"))),
              h("tbody", {}, ...r.decisions.map((d) => h("tr", {}, h("td", {}, d.guest), h("td", {}, d.decision), h("td", {}, d.reviewedBy ?? "—"), h("td", {}, d.applyResult ?? "—")))),
            )
          : h("p", { class: "muted" }, "No guests to review in the latest round."),
      ),
    ),
  );
}
