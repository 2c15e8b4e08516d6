//! Undo from History: checks the row can be undone, then hands it to the undo action of its
//! kind, which reads the tenant, refuses (with the reason) when the object changed since, and
//! runs through the same runner as every change. An undo row's `before` names the row it undid.

use super::{refuse, ActionKind, Logged, StepOutcome};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::ChangeResult;

impl Engine {
    /// Reverses change `seq` (a dry-run engine previews it).
    pub async fn undo_change(&self, seq: i64) -> Result<StepOutcome, Problem> {
        let row = self.store.change(seq).map_err(Problem::local)?.ok_or_else(|| {
            refuse(
                format!("There is no change #{seq} in History."),
                "Pick a row from History.",
            )
        })?;
        if row.result != ChangeResult::Succeeded {
            return Err(refuse(
                format!("Change #{seq} did not change anything ({}).", row.result.as_str()),
                "Only changes that were made can be undone.",
            ));
        }
        if row.tenant != self.info.tenant_id {
            return Err(refuse(
                format!("Change #{seq} was made in another tenant."),
                "Connect to that tenant to undo it.",
            ));
        }
        if let Some(by) = self.store.undone_by(seq).map_err(Problem::local)? {
            return Err(refuse(
                format!("Change #{seq} was already undone (change #{by})."),
                "Nothing left to undo.",
            ));
        }
        let kind = match Logged::parse(&row.action) {
            Some(Logged::Did(kind)) if kind.reversible() => kind,
            _ => {
                return Err(refuse(
                    format!("Guestpass cannot undo '{}'.", row.action),
                    "Change it back by hand in the tenant.",
                ))
            }
        };
        match kind {
            ActionKind::InviteGuest => self.undo_invitation(row).await,
            ActionKind::SetProfile => self.undo_profile(row).await,
            ActionKind::AssignLicense => self.undo_license(row).await,
            ActionKind::AddToGroup => self.undo_group(row).await,
            ActionKind::AssignDataverseRole => self.undo_role(row).await,
            ActionKind::CreateGoogleFederation => self.undo_google(row).await,
            ActionKind::UpdateAuthorizationPolicy => self.undo_authorization_policy(row).await,
            ActionKind::UpdateDomainList => self.undo_domain_list(row).await,
            ActionKind::UpdateCrossTenantDefault => self.undo_cross_tenant(row).await,
            ActionKind::SetPartnerSettings => self.undo_partner(row).await,
            ActionKind::CreateGuestPolicy | ActionKind::SwitchGuestPolicy => self.undo_policy(row, kind).await,
            ActionKind::CreateNamedLocation => self.undo_location(row).await,
            ActionKind::SetGuestMakers => self.undo_guest_makers(row).await,
            ActionKind::SetGuestSignIn => self.undo_guest_sign_in(row).await,
            ActionKind::RemoveGuest | ActionKind::RestoreGuest => self.undo_guest_presence(row, kind).await,
            ActionKind::AddSponsor => self.undo_sponsor(row).await,
            ActionKind::CreateGuestReview => self.undo_review(row).await,
            ActionKind::RemoveFromGroup | ActionKind::RemoveLicense | ActionKind::RemoveDataverseRole => {
                self.undo_offboard_step(row, kind).await
            }
            ActionKind::ConnectOrganization
            | ActionKind::AddOrganizationSponsor
            | ActionKind::CreateCatalog
            | ActionKind::AddCatalogResource
            | ActionKind::CreateAccessPackage
            | ActionKind::CreateAssignmentPolicy => self.undo_extranet(row, kind).await,
            ActionKind::SetExternalUserLifecycle => self.undo_lifecycle(row).await,
            ActionKind::UpdateSettings | ActionKind::ResendInvitation | ActionKind::RemovePackageAssignment => {
                unreachable!("not reversible: refused above")
            }
        }
    }
}
