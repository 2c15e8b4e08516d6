// Step 2: Google federation, so Gmail users can redeem invitations with their Google account.
import { googleFederation, setUpGoogle } from "../backend";
import { busy, field, previewThenApply, problemCard, show } from "../components";
import { copyButton, h } from "../dom";
import type { Wizard } from "../screens/wizard";

export async function renderGoogle(root: HTMLElement, _wizard: Wizard): Promise<void> {
  root.append(
    h("h1", {}, "Google sign-in for Gmail guests"),
    h(
      "p",
      { class: "lead" },
      "Without this, people with Gmail addresses get a one-time passcode by e-mail each time they sign in. With it, they use their Google account. It covers gmail.com addresses only: partners on Google Workspace with their own domain need SAML or WS-Fed federation instead.",
    ),
  );
  const area = h("div", { class: "two-col" });
  root.append(area);
  let fed;
  try {
    fed = await googleFederation();
  } catch (err) {
    show(area, problemCard(err));
    return;
  }
  const result = h("div", { id: "google-result" });
  if (fed.configured) {
    result.append(h("div", { class: "card result result-ok" }, h("h2", {}, "Already set up"), h("p", {}, `Google federation uses client id ${fed.clientId ?? "(hidden)"}.`)));
  }
  const guide = h(
    "div",
    { class: "card side" },
    h("h2", {}, "In the Google Cloud console"),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, "Create (or pick) a project, and set up its OAuth consent screen: user type External, authorised domain microsoftonline.com."),
      h("li", {}, "Under Credentials, create an OAuth client ID of type Web application."),
      h("li", {}, "Add these three Authorised redirect URIs:", h("ul", { class: "uris" }, ...fed.redirectUris.map((u) => h("li", {}, h("span", { class: "mono" }, u), copyButton(u))))),
      h("li", {}, "Copy the client ID and client secret into the form here."),
    ),
  );
  const clientId = h("input", { id: "clientId", type: "text", autocomplete: "off", placeholder: "1234-abc.apps.googleusercontent.com", value: fed.clientId ?? "" });
  const secret = h("input", { id: "clientSecret", type: "password", autocomplete: "off", placeholder: "GOCSPX-…" });
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "google-submit" }, fed.configured ? "Check again" : "Create Google identity provider");
  const form = h(
    "form",
    { class: "card form" },
    field("clientId", "Google OAuth client ID", clientId),
    field("clientSecret", "Client secret", secret, "Sent to Microsoft only. Guestpass does not store it or write it to History."),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    // Keep the secret only as long as this confirmation needs it; clear the field now.
    const id = clientId.value;
    const value = secret.value;
    secret.value = "";
    void busy(submit, "Checking…", () => previewThenApply(result, "Google federation", (preview) => setUpGoogle(id, value, preview)));
  });
  show(area, h("div", { class: "stack" }, form, result), guide);
}
