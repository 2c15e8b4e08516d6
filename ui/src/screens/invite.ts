import { environments, inviteGuest, resendInvitation, type ConnectionInfo, type InviteOutcome, type InviteRequest } from "../backend";
import { busy, field, problemCard, setFieldError, show } from "../components";
import { clear, copyButton, h } from "../dom";

const MY_APPS = "https://myapps.microsoft.com";

// Mirrors the checks the engine makes, so most mistakes are caught while typing.
// The engine checks again: it is the authority.
const FORBIDDEN = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,]/;

function checkEmail(v: string): string | null {
  const s = v.trim();
  if (!s) return "Enter the guest's e-mail address.";
  const bad = s.match(FORBIDDEN);
  if (bad) return `'${bad[0]}' is not accepted by Microsoft in an invited address.`;
  if (/\s/.test(s)) return "Remove the space.";
  if (!/^[^@]+@[^@]+\.[^@]+$/.test(s)) return "It should look like name@company.com.";
  return null;
}

function checkRedirect(v: string): string | null {
  const s = v.trim();
  if (!s) return "Enter where the guest lands after accepting.";
  if (s.startsWith("http://")) return "Use the https:// address.";
  if (!/^https:\/\/[^/\s]+/.test(s)) return "It should start with https://";
  return null;
}

function sponsorList(v: string): string[] {
  return v.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
}

function checkSponsors(v: string): string | null {
  const list = sponsorList(v);
  if (list.length > 5) return `${list.length} sponsors: Microsoft allows at most five.`;
  const bad = list.find((s) => checkEmail(s));
  return bad ? `'${bad}' is not an e-mail address.` : null;
}

export function renderInvite(
  root: HTMLElement,
  connection: ConnectionInfo | null,
  openHistory: () => void,
  onInvited: (o: InviteOutcome) => void = () => {},
): void {
  const email = h("input", { id: "email", type: "email", autocomplete: "off", placeholder: "jane.doe@partner.com", required: true });
  const displayName = h("input", { id: "displayName", type: "text", autocomplete: "off", placeholder: "Jane Doe (optional)", maxlength: 256 });
  const redirect = h("input", { id: "redirectUrl", type: "url", autocomplete: "off", value: MY_APPS, required: true });
  const sponsors = h("input", { id: "sponsors", type: "text", autocomplete: "off", placeholder: "diego@yourcompany.com; megan@yourcompany.com (optional)" }) as HTMLInputElement;
  const sendEmail = h("input", { id: "sendEmail", type: "checkbox" });
  const message = h("textarea", { id: "message", rows: 2, placeholder: "Optional note included in Microsoft's invitation e-mail", disabled: true });
  const submit = h("button", { id: "invite-submit", class: "btn btn-primary", type: "submit" }, "Invite guest");
  const result = h("div", { id: "invite-result", "aria-live": "polite" }, whatHappens());

  // Suggestions for the landing page: My Apps, and each Dynamics / Power Apps environment.
  const suggestions = h("div", { class: "chips", id: "redirect-suggestions" });
  const suggest = (label: string, url: string) => {
    const chip = h("button", { class: "chip", type: "button", title: url }, label);
    chip.addEventListener("click", () => {
      redirect.value = url;
      setFieldError("redirectUrl", null);
    });
    suggestions.append(chip);
  };
  suggest("My Apps", MY_APPS);
  environments()
    .then((envs) => envs.forEach((e) => suggest(e.displayName, e.url)))
    .catch(() => {
      /* No Power Platform access: My Apps stays the suggestion. */
    });

  sendEmail.addEventListener("change", () => (message.disabled = !sendEmail.checked));
  email.addEventListener("blur", () => setFieldError("email", email.value ? checkEmail(email.value) : null));
  redirect.addEventListener("blur", () => setFieldError("redirectUrl", checkRedirect(redirect.value)));
  sponsors.addEventListener("blur", () => setFieldError("sponsors", checkSponsors(sponsors.value)));
  sponsors.addEventListener("input", () => setFieldError("sponsors", null));
  email.addEventListener("input", () => setFieldError("email", null));
  redirect.addEventListener("input", () => setFieldError("redirectUrl", null));

  const form = h(
    "form",
    { class: "card form", novalidate: true },
    h(
      "div",
      { class: "field-row" },
      field("email", "E-mail address", email, "Their work or personal address."),
      field("displayName", "Display name", displayName, "How they appear in your directory."),
    ),
    field(
      "redirectUrl",
      "After accepting, send them to",
      redirect,
      "My Apps lists everything they can use; for Dynamics 365 or Power Apps, send them straight to the environment.",
    ),
    suggestions,
    field(
      "sponsors",
      "Sponsors",
      sponsors,
      "People of your organisation who answer for this guest (up to five, separated by ; or ,). Left empty, Microsoft records whoever signs in here — and nobody when Guestpass signs in as an app.",
    ),
    h(
      "div",
      { class: "field field-check" },
      sendEmail,
      h("label", { for: "sendEmail" }, "Have Microsoft e-mail the invitation"),
      h("div", { class: "help" }, "Leave this off to share the invitation link yourself (it is shown after inviting)."),
    ),
    field("message", "Personal message", message),
    h("div", { class: "actions" }, submit),
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const emailError = checkEmail(email.value);
    const redirectError = checkRedirect(redirect.value);
    const sponsorsError = checkSponsors(sponsors.value);
    setFieldError("email", emailError);
    setFieldError("redirectUrl", redirectError);
    setFieldError("sponsors", sponsorsError);
    if (emailError || redirectError || sponsorsError) {
      (emailError ? email : redirectError ? redirect : sponsors).focus();
      return;
    }
    const request = {
      email: email.value,
      displayName: displayName.value.trim() || null,
      redirectUrl: redirect.value,
      sendEmail: sendEmail.checked,
      message: sendEmail.checked ? message.value.trim() || null : null,
      sponsors: sponsorList(sponsors.value),
    };
    const invite = async () => {
      show(result, h("div", { class: "notice" }, "Inviting, then checking the new guest is in the directory…"));
      try {
        const outcome = await inviteGuest(request);
        onInvited(outcome);
        showOutcome(result, outcome, openHistory, request);
        if (outcome.status === "invited") {
          email.value = "";
          displayName.value = "";
        }
      } catch (err) {
        show(result, problemCard(err));
      }
    };
    // First a dry run: look the person up and say what would happen; the admin confirms.
    show(result, h("div", { class: "notice" }, "Looking them up in your tenant…"));
    await busy(submit, "Looking them up…", async () => {
      try {
        const plan = await inviteGuest(request, true);
        if (plan.status !== "wouldInvite") {
          // Already a guest: nothing will be sent, but the check is recorded in History.
          await invite();
          return;
        }
        const confirm = h("button", { class: "btn btn-primary", type: "button", id: "confirm-apply" }, "Confirm and invite");
        const cancel = h("button", { class: "btn", type: "button", id: "confirm-cancel" }, "Cancel");
        show(
          result,
          h(
            "div",
            { class: "card result result-info preview" },
            h("h2", {}, "Invite: preview"),
            h("p", { id: "preview-summary" }, plan.summary),
            h(
              "p",
              { class: "help" },
              request.sendEmail ? "Microsoft will e-mail the invitation." : "No e-mail will be sent; you will get the invitation link to share.",
              ` After accepting they land on ${request.redirectUrl}.`,
            ),
            h("div", { class: "actions" }, confirm, cancel),
          ),
        );
        cancel.addEventListener("click", () => show(result, whatHappens()));
        confirm.addEventListener("click", () => void busy(confirm, "Inviting…", invite));
      } catch (err) {
        show(result, problemCard(err));
      }
    });
  });

  root.append(
    h("h1", {}, "Invite a guest"),
    h(
      "p",
      { class: "lead" },
      "Bring someone from outside your organisation into ",
      h("strong", {}, connection?.tenantName ?? "your tenant"),
      " as a Microsoft Entra B2B guest. They keep signing in with their own account; you decide what they can reach.",
    ),
    h("div", { class: "two-col" }, form, result),
  );
  email.focus();
}

/** Shown beside the form until there is a result: what pressing Invite will do, step by step. */
function whatHappens(): HTMLElement {
  return h(
    "div",
    { class: "card side" },
    h("h2", {}, "What happens when you press Invite"),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, "The address is checked here first; nothing is sent if it is wrong."),
      h("li", {}, "Guestpass looks the person up in your tenant and shows what will happen. Someone who is already a guest is not invited twice."),
      h("li", {}, "When you confirm, Microsoft creates the guest account and, if you ask, e-mails the invitation."),
      h("li", {}, "Guestpass reads the new guest back (it can take Microsoft a few seconds to replicate it)."),
      h("li", {}, "The change, with Microsoft's request-id, is recorded in History."),
    ),
  );
}

const OUTCOME_TITLES: Record<InviteOutcome["status"], string> = {
  invited: "Guest invited",
  alreadyGuest: "Already a guest",
  wouldInvite: "Would invite",
  resent: "New invitation sent",
  wouldResend: "Would resend the invitation",
};

/** For a guest who has not accepted yet: preview, then send a new invitation (a new link). */
function resendButton(root: HTMLElement, request: InviteRequest, openHistory: () => void): HTMLElement {
  const button = h("button", { class: "btn", type: "button", id: "resend-invitation" }, "Resend invitation…");
  const area = h("div", { id: "resend-result", "aria-live": "polite" });
  button.addEventListener("click", () =>
    busy(button, "Looking them up…", async () => {
      try {
        const plan = await resendInvitation(request, true);
        const confirm = h("button", { class: "btn btn-primary", type: "button", id: "confirm-resend" }, "Confirm and resend");
        const cancel = h("button", { class: "btn", type: "button", id: "cancel-resend" }, "Cancel");
        show(area, h("div", { class: "hint resend-preview" }, h("p", { id: "resend-preview" }, plan.summary), h("div", { class: "actions" }, confirm, cancel)));
        confirm.focus();
        cancel.addEventListener("click", () => {
          show(area);
          button.focus();
        });
        confirm.addEventListener("click", () =>
          busy(confirm, "Sending…", async () => {
            try {
              showOutcome(root, await resendInvitation(request), openHistory, request);
            } catch (err) {
              show(area, problemCard(err));
            }
          }),
        );
      } catch (err) {
        show(area, problemCard(err));
      }
    }),
  );
  return h("div", { class: "resend" }, button, area);
}

function showOutcome(root: HTMLElement, o: InviteOutcome, openHistory: () => void, request?: InviteRequest): void {
  clear(root);
  const invited = o.status === "invited" || o.status === "resent";
  const pending = o.status === "alreadyGuest" && o.state === "PendingAcceptance";
  const card = h(
    "div",
    { class: `card result ${invited ? "result-ok" : "result-info"}`, id: "outcome" },
    h("h2", {}, OUTCOME_TITLES[o.status]),
    h("p", { id: "outcome-summary" }, o.summary),
    h(
      "dl",
      { class: "kv" },
      h("div", { class: "kv-row" }, h("dt", {}, "User id"), h("dd", {}, h("span", { class: "mono" }, o.userId))),
      o.state ? h("div", { class: "kv-row" }, h("dt", {}, "State"), h("dd", {}, o.state)) : null,
      o.requestId
        ? h("div", { class: "kv-row" }, h("dt", {}, "Request-id"), h("dd", {}, h("span", { class: "mono" }, o.requestId), copyButton(o.requestId)))
        : null,
    ),
    o.redeemUrl
      ? h(
          "div",
          { class: "redeem" },
          h("div", { class: "help" }, "Invitation link — send it to the guest if Microsoft is not e-mailing them:"),
          h("div", { class: "redeem-row" }, h("input", { class: "mono", readonly: true, value: o.redeemUrl, "aria-label": "Invitation link" }), copyButton(o.redeemUrl)),
        )
      : null,
    pending ? h("p", { class: "help" }, "They have not accepted yet. If the invitation was lost, send a new one: it comes with a new link.") : null,
    pending && request ? resendButton(root, request, openHistory) : null,
    h("div", { class: "actions" }, h("button", { class: "btn", type: "button", id: "open-history", onclick: openHistory }, "See it in History")),
  );
  root.append(card);
}
