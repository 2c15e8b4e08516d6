"""Onboards a guest through Microsoft's Graph SDK for Python (msgraph-sdk) against the sandbox
tenant: the calls Guestpass's wizard makes, made the way an admin's own script makes them.

    python onboard_with_msgraph_sdk.py path/to/guestpass-cli

Starts `guestpass-cli sandbox serve --memory`, runs each call, prints one line per call and
exits 0 only when every call did what Graph does.
"""

import asyncio
import json
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from azure.core.credentials import AccessToken
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.authorization_policy import AuthorizationPolicy
from msgraph.generated.models.cross_tenant_access_policy_configuration_default import (
    CrossTenantAccessPolicyConfigurationDefault,
)
from msgraph.generated.models.cross_tenant_access_policy_inbound_trust import (
    CrossTenantAccessPolicyInboundTrust,
)
from msgraph.generated.models.invitation import Invitation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.social_identity_provider import SocialIdentityProvider
from msgraph.generated.models.user import User
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder

GUEST = "sdk.guest@fabrikam.example"


class SandboxCredential:
    """An azure-core token credential for the sandbox's token endpoint (client credentials).
    azure-identity's own credentials accept only https authorities, and the sandbox serves
    plain http on loopback."""

    def __init__(self, base_url, app):
        self.app = app
        self.token_url = f"{base_url}/{app['tenant']}/oauth2/v2.0/token"

    async def get_token(self, *scopes, **kwargs):
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self.app["client-id"],
            "client_secret": self.app["client-secret"],
            "scope": " ".join(scopes),
        }).encode()
        with urllib.request.urlopen(self.token_url, form) as answer:
            token = json.load(answer)
        return AccessToken(token["access_token"], int(time.time()) + int(token["expires_in"]))

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def graph_client(base_url, app):
    auth = AzureIdentityAuthenticationProvider(
        SandboxCredential(base_url, app),
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=["127.0.0.1"],
    )
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{base_url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


async def until_replicated(read):
    """Entra answers 404 for a new user for a few seconds; scripts retry, as Microsoft advises."""
    for _ in range(60):
        try:
            return await read()
        except ODataError as e:
            if e.response_status_code != 404:
                raise
        await asyncio.sleep(0.5)
    raise RuntimeError("the new guest never became readable")


async def onboard(graph):
    results = []

    async def call(name, step):
        try:
            detail = await step()
            results.append((name, True, detail))
        except ODataError as e:
            message = e.error.message if e.error else str(e)
            results.append((name, False, f"{e.response_status_code}: {message}"))
        except Exception as e:  # a call the SDK could not even make or read counts as failed
            results.append((name, False, f"{type(e).__name__}: {e}"))
        ok, detail = results[-1][1], results[-1][2]
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)

    state = {}

    async def organization():
        orgs = await graph.organization.get()
        return orgs.value[0].display_name

    async def read_authorization():
        policy = await graph.policies.authorization_policy.get()
        return policy.allow_invites_from

    async def allow_invites():
        await graph.policies.authorization_policy.patch(
            AuthorizationPolicy(allow_invites_from="adminsAndGuestInviters"))
        return "adminsAndGuestInviters"

    async def read_cross_tenant():
        policy = await graph.policies.cross_tenant_access_policy.default.get()
        return f"inbound MFA trusted: {policy.inbound_trust.is_mfa_accepted}"

    async def trust_mfa():
        await graph.policies.cross_tenant_access_policy.default.patch(
            CrossTenantAccessPolicyConfigurationDefault(
                inbound_trust=CrossTenantAccessPolicyInboundTrust(is_mfa_accepted=True)))
        return "inbound MFA trusted"

    async def list_providers():
        providers = await graph.identity.identity_providers.get()
        return f"{len(providers.value)} providers"

    async def add_google():
        made = await graph.identity.identity_providers.post(SocialIdentityProvider(
            display_name="Google", identity_provider_type="Google",
            client_id="1234-sdk.apps.googleusercontent.com", client_secret="sdk-practice-secret"))
        return made.id

    async def invite():
        sent = await graph.invitations.post(Invitation(
            invited_user_email_address=GUEST, invite_redirect_url="https://myapps.microsoft.com",
            invited_user_display_name="SDK Guest", send_invitation_message=False))
        state["guest"] = sent.invited_user.id
        return sent.status

    async def find_guest():
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=f"mail eq '{GUEST}'", select=["id", "userType", "mail"])
        config = UsersRequestBuilder.UsersRequestBuilderGetRequestConfiguration(query_parameters=query)

        async def read():
            found = await graph.users.get(request_configuration=config)
            if not found.value:
                raise ODataError(response_status_code=404)
            return found.value[0]

        user = await until_replicated(read)
        return f"{user.mail} is a {user.user_type}"

    async def profile():
        await until_replicated(lambda: graph.users.by_user_id(state["guest"]).patch(
            User(given_name="Sdk", surname="Guest", usage_location="GB", job_title="Partner")))
        return "name, job title and usage location GB"

    async def licences():
        skus = await graph.subscribed_skus.get()
        state["sku"] = next(s.sku_id for s in skus.value if s.sku_part_number == "FLOW_FREE")
        return f"{len(skus.value)} subscriptions"

    async def assign():
        await graph.users.by_user_id(state["guest"]).assign_license.post(AssignLicensePostRequestBody(
            add_licenses=[AssignedLicense(sku_id=state["sku"], disabled_plans=[])], remove_licenses=[]))
        return "FLOW_FREE"

    async def find_group():
        query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
            filter="displayName eq 'Partner portal users'")
        config = GroupsRequestBuilder.GroupsRequestBuilderGetRequestConfiguration(query_parameters=query)
        groups = await graph.groups.get(request_configuration=config)
        state["group"] = groups.value[0].id
        return groups.value[0].display_name

    async def add_to_group():
        await graph.groups.by_group_id(state["group"]).members.ref.post(ReferenceCreate(
            odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{state['guest']}"))
        return "member"

    async def member_of():
        groups = await graph.users.by_user_id(state["guest"]).member_of.get()
        return ", ".join(g.display_name for g in groups.value)

    for name, step in [
        ("GET organization", organization),
        ("GET authorizationPolicy", read_authorization),
        ("PATCH authorizationPolicy", allow_invites),
        ("GET crossTenantAccessPolicy/default", read_cross_tenant),
        ("PATCH crossTenantAccessPolicy/default", trust_mfa),
        ("GET identityProviders", list_providers),
        ("POST identityProviders", add_google),
        ("POST invitations", invite),
        ("GET users?$filter=mail", find_guest),
        ("PATCH users/{id}", profile),
        ("GET subscribedSkus", licences),
        ("POST users/{id}/assignLicense", assign),
        ("GET groups?$filter=displayName", find_group),
        ("POST groups/{id}/members/$ref", add_to_group),
        ("GET users/{id}/memberOf", member_of),
    ]:
        await call(name, step)
    return results


def main(cli):
    server = subprocess.Popen([cli, "sandbox", "serve", "--memory", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline().strip()
        if not first.startswith("listening on "):
            raise SystemExit(f"the sandbox did not start: {first!r}")
        base_url = first.removeprefix("listening on ")
        # On stderr: "practice app: tenant T client-id C client-secret S" (the sandbox's own).
        line = ""
        while not line.startswith("practice app:"):
            line = server.stderr.readline()
            if not line:
                raise SystemExit("the sandbox did not name its practice app")
        threading.Thread(target=server.stderr.read, daemon=True).start()
        words = line.split()[2:]
        app = dict(zip(words[::2], words[1::2]))
        results = asyncio.run(onboard(graph_client(base_url, app)))
    finally:
        server.terminate()
        server.wait()
    failed = [name for name, ok, _ in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} calls worked through msgraph-sdk")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1])
