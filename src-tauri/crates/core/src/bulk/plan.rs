//! From a file to a preview: every row with its errors (the row is skipped) and warnings (the
//! row runs), in plain words naming the row, the column and the fix. Nothing is sent to
//! Microsoft except reads.

use super::lookup::{stop_if_cancelled, PreviewProgress};
use super::run::RunControl;
use crate::engine::Engine;
use crate::onboarding::google;
use crate::onboarding::PlannedGuest;
use crate::problem::Problem;
use crate::validate;
use guestpass_import::{Field, GuestList, ListFormat};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

/// Values for columns the file lacks (or leaves empty), given once for every row, and how to
/// read the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ImportDefaults {
    /// The file's encoding (`windows-1250`, `Shift_JIS`…) when the detected one is wrong.
    pub encoding: Option<String>,
    /// A workbook's sheet to read (the first otherwise).
    pub sheet: Option<String>,
    pub redirect_url: Option<String>,
    pub usage_location: Option<String>,
    pub license: Option<String>,
    pub groups: Vec<String>,
    pub environment: Option<String>,
    pub role: Option<String>,
    pub send_email: Option<bool>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum IssueLevel {
    /// The row is skipped until fixed.
    Error,
    /// The row runs; the admin should know.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    pub level: IssueLevel,
    /// The column, as Guestpass names it (e.g. "Usage location").
    pub column: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    /// The row number as the spreadsheet shows it.
    pub row: u32,
    pub guest: PlannedGuest,
    pub issues: Vec<RowIssue>,
    /// The person's state when they are already a guest (`Accepted`, `PendingAcceptance`).
    pub existing_guest: Option<String>,
}

impl PreviewRow {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.level == IssueLevel::Error)
    }

    fn error(&mut self, field: Field, message: impl Into<String>) {
        self.issue(IssueLevel::Error, field, message);
    }

    fn warn(&mut self, field: Field, message: impl Into<String>) {
        self.issue(IssueLevel::Warning, field, message);
    }

    fn issue(&mut self, level: IssueLevel, field: Field, message: impl Into<String>) {
        self.issues.push(RowIssue {
            level,
            column: field.label().into(),
            message: message.into(),
        });
    }
}

/// Rows asking for a licence, against the seats left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SeatCheck {
    pub license: String,
    pub needed: u32,
    #[ts(type = "number")]
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub file_name: String,
    /// "Microsoft bulk-invite template" or "Sheet with a header row".
    pub format: String,
    pub encoding: String,
    /// The encoding was guessed from the bytes: the admin should glance at the names.
    pub encoding_guessed: bool,
    pub delimiter: String,
    /// The workbook sheet read (none for text files), and all its sheets.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// The columns used, as written in the file.
    pub columns: Vec<String>,
    /// What was skipped or could not be checked, in plain words.
    pub notes: Vec<String>,
    pub rows: Vec<PreviewRow>,
    pub seats: Vec<SeatCheck>,
    /// Rows that will run (no errors).
    pub ready: u32,
    pub with_errors: u32,
    pub with_warnings: u32,
    pub already_guests: u32,
    /// Whether the tenant was consulted (false: only the file was checked).
    pub tenant_checked: bool,
}

impl ImportPreview {
    fn count(&mut self) {
        self.with_errors = self.rows.iter().filter(|r| r.has_errors()).count() as u32;
        self.ready = self.rows.len() as u32 - self.with_errors;
        self.with_warnings = self
            .rows
            .iter()
            .filter(|r| !r.has_errors() && r.issues.iter().any(|i| i.level == IssueLevel::Warning))
            .count() as u32;
        self.already_guests = self.rows.iter().filter(|r| r.existing_guest.is_some()).count() as u32;
    }
}

/// The address in a form where case and internationalised domains compare equal.
fn address_key(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_string());
    format!("{}@{}", local.to_lowercase(), domain.to_lowercase())
}

fn domain_of(email: &str) -> String {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase())
}

/// A usage location from a code (`gb`), a three-letter code (`GBR`) or a country's name.
fn country_code(value: &str) -> Option<(String, bool)> {
    let v = value.trim();
    if let Ok(code) = validate::usage_location("usageLocation", v) {
        return Some((code, false));
    }
    if let Ok(c) = isocountry::CountryCode::for_alpha3_caseless(v) {
        return Some((c.alpha2().to_string(), true));
    }
    let name = v.to_lowercase();
    isocountry::CountryCode::iter()
        .find(|c| {
            let n = c.name().to_lowercase();
            n == name || n.split(" (").next() == Some(name.as_str())
        })
        .or(match name.as_str() {
            "uk" | "united kingdom" | "great britain" | "england" | "scotland" | "wales" => {
                Some(&isocountry::CountryCode::GBR)
            }
            "usa" | "us" | "united states" | "america" => Some(&isocountry::CountryCode::USA),
            _ => None,
        })
        .map(|c| (c.alpha2().to_string(), true))
}

fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "x" | "wahr" | "ja" | "oui" | "vrai" | "si" | "sí" => Some(true),
        "false" | "no" | "n" | "0" | "falsch" | "nein" | "non" | "faux" => Some(false),
        _ => None,
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Checks every row on its own (no tenant needed): this is what runs on 10,000-row files.
pub fn check_file(file_name: &str, list: &GuestList, defaults: &ImportDefaults) -> ImportPreview {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let default_location = nonempty(&defaults.usage_location)
        .and_then(|l| country_code(&l))
        .map(|(c, _)| c);
    let mut rows = Vec::with_capacity(list.rows.len());
    for r in &list.rows {
        let cell = |f: Field| r.get(f).map(str::to_string);
        let mut row = PreviewRow {
            row: r.row as u32,
            guest: PlannedGuest::default(),
            issues: vec![],
            existing_guest: None,
        };
        let g = &mut row.guest;

        let raw_email = cell(Field::Email).unwrap_or_default();
        g.email = raw_email.trim().to_string();
        let mut errors: Vec<(Field, String)> = Vec::new();
        let mut warnings: Vec<(Field, String)> = Vec::new();
        match validate::email("email", &raw_email) {
            Ok(email) => {
                let key = address_key(&email);
                if let Some(first) = seen.get(&key) {
                    errors.push((
                        Field::Email,
                        format!(
                            "{email} is also on row {first}. Each guest once: delete this row or correct the address."
                        ),
                    ));
                } else {
                    seen.insert(key, row.row);
                }
                g.email = email;
            }
            Err(e) => errors.push((Field::Email, e.message)),
        }

        g.display_name = cell(Field::DisplayName);
        if let Err(e) = validate::display_name("displayName", g.display_name.as_deref()) {
            errors.push((Field::DisplayName, e.message));
        }
        g.first_name = cell(Field::FirstName);
        g.last_name = cell(Field::LastName);
        for (f, v) in [(Field::FirstName, &g.first_name), (Field::LastName, &g.last_name)] {
            if v.as_ref().is_some_and(|s| s.chars().count() > 64) {
                errors.push((f, "Longer than Microsoft's limit of 64 characters: shorten it.".into()));
            }
        }

        match cell(Field::UsageLocation) {
            Some(v) => match country_code(&v) {
                Some((code, guessed)) => {
                    if guessed {
                        warnings.push((Field::UsageLocation, format!("'{v}' read as {code}.")));
                    }
                    g.usage_location = Some(code);
                }
                None => errors.push((
                    Field::UsageLocation,
                    format!("'{v}' is not a country. Use a two-letter code such as GB, US or DE."),
                )),
            },
            None => g.usage_location = default_location.clone(),
        }

        g.license = cell(Field::License).or_else(|| nonempty(&defaults.license));
        let mut groups: Vec<String> = match cell(Field::Groups) {
            Some(v) => v
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            None => defaults
                .groups
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        };
        let mut unique = Vec::new();
        groups.retain(|x| {
            let k = x.to_lowercase();
            !unique.contains(&k) && {
                unique.push(k);
                true
            }
        });
        g.groups = groups;
        g.environment = cell(Field::Environment).or_else(|| nonempty(&defaults.environment));
        g.role = cell(Field::Role).or_else(|| nonempty(&defaults.role));
        match (&g.environment, &g.role) {
            (Some(_), None) => errors.push((Field::Role, "An environment is given but no security role: add the role (e.g. Basic User) or clear the environment.".into())),
            (None, Some(_)) => errors.push((Field::Environment, "A security role is given but no environment: add the environment's URL or name.".into())),
            _ => {}
        }

        g.redirect_url = cell(Field::RedirectUrl).or_else(|| nonempty(&defaults.redirect_url));
        if let Some(u) = &g.redirect_url {
            match validate::redirect_url("redirectUrl", u) {
                Ok(u) => g.redirect_url = Some(u),
                Err(e) => errors.push((Field::RedirectUrl, e.message)),
            }
        }
        g.send_email = match cell(Field::SendEmail) {
            Some(v) => yes_no(&v).unwrap_or_else(|| {
                errors.push((Field::SendEmail, format!("'{v}' is not true or false.")));
                false
            }),
            None => defaults.send_email.unwrap_or(false),
        };
        g.message = cell(Field::Message).or_else(|| nonempty(&defaults.message));
        if g.message.is_some() && !g.send_email {
            warnings.push((
                Field::Message,
                "A message is given but Send email is off, so nobody will read it.".into(),
            ));
        }
        if let Some(v) = cell(Field::Sponsors) {
            let named: Vec<String> = v.split([';', ',']).map(str::to_string).collect();
            match crate::onboarding::invite::checked_sponsors(&named) {
                Ok(sponsors) => g.sponsors = sponsors,
                Err(e) => errors.push((Field::Sponsors, e.message)),
            }
        }
        if g.license.is_some() && g.usage_location.is_none() {
            warnings.push((Field::UsageLocation, "A licence needs a usage location. Add one (or give one for all rows) unless the guest already has one.".into()));
        }
        for (f, m) in errors {
            row.error(f, m);
        }
        for (f, m) in warnings {
            row.warn(f, m);
        }
        rows.push(row);
    }
    let mut preview = ImportPreview {
        file_name: file_name.to_string(),
        format: match list.format {
            ListFormat::MicrosoftTemplate => "Microsoft bulk-invite template".into(),
            ListFormat::Sheet => "Sheet with a header row".into(),
        },
        encoding: list.encoding.into(),
        encoding_guessed: list.encoding_guessed,
        sheet: list.sheet.clone(),
        sheets: list.sheets.clone(),
        delimiter: match list.delimiter {
            '\t' => "tab".into(),
            d => d.to_string(),
        },
        columns: list.columns.iter().map(|(_, h)| h.clone()).collect(),
        notes: list.notes.clone(),
        rows,
        seats: vec![],
        ready: 0,
        with_errors: 0,
        with_warnings: 0,
        already_guests: 0,
        tenant_checked: false,
    };
    preview.count();
    preview
}

/// Reads a file into a preview of its rows (file checks only).
pub fn read_file(file_name: &str, bytes: &[u8], defaults: &ImportDefaults) -> Result<ImportPreview, Problem> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
    };
    let (encoding, sheet) = (given(&defaults.encoding), given(&defaults.sheet));
    let options = guestpass_import::ReadOptions {
        encoding: encoding.as_deref(),
        sheet: sheet.as_deref(),
    };
    let list = guestpass_import::read_with(bytes, &options).map_err(|e| Problem {
        kind: crate::ProblemKind::Invalid,
        message: e.message,
        hint: e.hint,
        fields: vec![],
        code: None,
        request_id: None,
    })?;
    if list.rows.is_empty() {
        return Err(Problem::field(
            "file",
            format!("{file_name} has a header row but no guests."),
            "Add one guest per row under the header, then import it again.",
        ));
    }
    Ok(check_file(file_name, &list, defaults))
}

impl Engine {
    /// Reads the file and checks it against the tenant: who is already a guest or a member,
    /// domains the tenant blocks, Gmail without Google federation, unknown licences, groups,
    /// environments and roles, and seats. Reads only.
    pub async fn preview_import(
        &self,
        file_name: &str,
        bytes: &[u8],
        defaults: &ImportDefaults,
    ) -> Result<ImportPreview, Problem> {
        self.preview_import_with(file_name, bytes, defaults, &|_| {}, &RunControl::default())
            .await
    }

    /// [`Self::preview_import`], reporting progress on long lists; `control`'s cancel stops it
    /// between requests (a `Cancelled` problem).
    pub async fn preview_import_with(
        &self,
        file_name: &str,
        bytes: &[u8],
        defaults: &ImportDefaults,
        on_progress: &(dyn Fn(PreviewProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<ImportPreview, Problem> {
        let mut preview = read_file(file_name, bytes, defaults)?;
        self.check_against_tenant(&mut preview, on_progress, control).await?;
        Ok(preview)
    }

    async fn check_against_tenant(
        &self,
        preview: &mut ImportPreview,
        on_progress: &(dyn Fn(PreviewProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<(), Problem> {
        let candidates: Vec<usize> = (0..preview.rows.len())
            .filter(|i| !preview.rows[*i].has_errors())
            .collect();

        // Who is already here (the run looks each address up again before inviting).
        let emails: Vec<String> = candidates
            .iter()
            .map(|i| preview.rows[*i].guest.email.clone())
            .collect();
        let found = self.who_is_here(&emails, on_progress, control).await?;
        let mut lookup_failures = 0;
        for (i, users) in candidates.iter().zip(found) {
            let row = &mut preview.rows[*i];
            match users {
                Some(users) => {
                    if let Some(member) = users.iter().find(|u| !u.is_guest()) {
                        row.error(
                            Field::Email,
                            format!(
                                "{} belongs to your organisation as {} (a member): members need no invitation. Delete the row.",
                                row.guest.email,
                                member.user_principal_name.as_deref().unwrap_or(&member.id)
                            ),
                        );
                    } else if let Some(guest) = users.first() {
                        let state = guest.external_user_state.clone().unwrap_or_else(|| "Guest".into());
                        row.existing_guest = Some(state);
                    }
                }
                None => lookup_failures += 1,
            }
        }
        if lookup_failures > 0 {
            preview.notes.push(format!(
                "{lookup_failures} address(es) could not be looked up; the run looks them up again before inviting."
            ));
        }

        // New invitees need a landing page, and their domain must be allowed.
        stop_if_cancelled(control)?;
        let settings = self.read_settings().await;
        let google_on = self.google_federation().await.map(|g| g.configured);
        if let Err(p) = &settings {
            preview.notes.push(format!(
                "The domain allow/block list could not be read ({}).",
                p.message
            ));
        }
        if let Err(p) = &google_on {
            preview
                .notes
                .push(format!("Google federation could not be read ({}).", p.message));
        }
        for i in &candidates {
            let row = &mut preview.rows[*i];
            if row.existing_guest.is_some() || row.has_errors() {
                continue;
            }
            if row.guest.redirect_url.is_none() {
                row.error(
                    Field::RedirectUrl,
                    "A new guest needs a redirect URL (where they land after accepting). Add the column or give one for all rows, e.g. https://myapps.microsoft.com.",
                );
            }
            let domain = domain_of(&row.guest.email);
            if let Ok(s) = &settings {
                if !s.domains.permits(&domain) {
                    row.error(
                        Field::Email,
                        format!("Your tenant's collaboration settings block invitations to {domain}. Allow the domain in the external collaboration settings, or delete the row."),
                    );
                }
            }
            if google::is_gmail(&row.guest.email) && matches!(google_on, Ok(false)) {
                row.warn(
                    Field::Email,
                    "Google federation is off: this Gmail guest will sign in with a one-time passcode. Set up Google federation first for a smoother sign-in.",
                );
            }
        }

        stop_if_cancelled(control)?;
        self.check_licenses(preview).await;
        stop_if_cancelled(control)?;
        self.check_groups(preview).await;
        stop_if_cancelled(control)?;
        self.check_sponsors(preview).await;
        stop_if_cancelled(control)?;
        self.check_roles(preview).await;
        preview.tenant_checked = true;
        preview.count();
        Ok(())
    }

    async fn check_licenses(&self, preview: &mut ImportPreview) {
        let wanted: Vec<String> = unique(
            preview
                .rows
                .iter()
                .filter(|r| !r.has_errors())
                .filter_map(|r| r.guest.license.clone()),
        );
        if wanted.is_empty() {
            return;
        }
        let options = match self.license_options().await {
            Ok(o) => o,
            Err(p) => {
                preview
                    .notes
                    .push(format!("The tenant's licences could not be read ({}).", p.message));
                return;
            }
        };
        let names: Vec<&str> = options.iter().map(|o| o.sku_part_number.as_str()).collect();
        let mut needed: BTreeMap<String, (u32, i64)> = BTreeMap::new();
        for row in preview.rows.iter_mut().filter(|r| !r.has_errors()) {
            let Some(l) = row.guest.license.clone() else { continue };
            match options
                .iter()
                .find(|o| o.sku_part_number.eq_ignore_ascii_case(&l) || o.sku_id.eq_ignore_ascii_case(&l))
            {
                Some(o) => {
                    let e = needed.entry(o.sku_part_number.clone()).or_insert((0, o.free_seats));
                    e.0 += 1;
                    if i64::from(e.0) > o.free_seats && row.existing_guest.is_none() {
                        row.warn(
                            Field::License,
                            format!("No seat of {} is left for this row ({} free for the whole list): the licence step will fail unless seats are freed or bought.", o.sku_part_number, o.free_seats.max(0)),
                        );
                    }
                }
                None => row.error(
                    Field::License,
                    format!("This tenant has no licence '{l}'. Use one of: {}.", names.join(", ")),
                ),
            }
        }
        preview.seats = needed
            .into_iter()
            .map(|(license, (needed, free))| SeatCheck { license, needed, free })
            .collect();
    }

    async fn check_groups(&self, preview: &mut ImportPreview) {
        let wanted = unique(
            preview
                .rows
                .iter()
                .filter(|r| !r.has_errors())
                .flat_map(|r| r.guest.groups.clone()),
        );
        let mut problems: HashMap<String, String> = HashMap::new();
        for g in wanted {
            if let Err(p) = self.resolve_group(&g).await {
                problems.insert(g.to_lowercase(), format!("{} {}", p.message, p.hint));
            }
        }
        for row in preview.rows.iter_mut() {
            let bad: Vec<String> = row
                .guest
                .groups
                .iter()
                .filter_map(|g| problems.get(&g.to_lowercase()).cloned())
                .collect();
            for m in bad {
                row.error(Field::Groups, m);
            }
        }
    }

    /// Each sponsor named is someone of this organisation (looked up once per address).
    async fn check_sponsors(&self, preview: &mut ImportPreview) {
        let wanted = unique(
            preview
                .rows
                .iter()
                .filter(|r| !r.has_errors())
                .flat_map(|r| r.guest.sponsors.clone()),
        );
        let mut problems: HashMap<String, String> = HashMap::new();
        for s in wanted {
            if let Err(p) = self.find_sponsor(&s, "sponsors").await {
                problems.insert(s.to_lowercase(), format!("{} {}", p.message, p.hint));
            }
        }
        for row in preview.rows.iter_mut() {
            let bad: Vec<String> = row
                .guest
                .sponsors
                .iter()
                .filter_map(|s| problems.get(&s.to_lowercase()).cloned())
                .collect();
            for m in bad {
                row.error(Field::Sponsors, m);
            }
        }
    }

    async fn check_roles(&self, preview: &mut ImportPreview) {
        let envs = unique(
            preview
                .rows
                .iter()
                .filter(|r| !r.has_errors())
                .filter_map(|r| r.guest.environment.clone()),
        );
        let mut roles: HashMap<String, Result<Vec<String>, String>> = HashMap::new();
        for e in envs {
            let found = self
                .environment_roles(&e)
                .await
                .map_err(|p| format!("{} {}", p.message, p.hint));
            roles.insert(e.to_lowercase(), found);
        }
        for row in preview.rows.iter_mut().filter(|r| !r.has_errors()) {
            let (Some(env), Some(role)) = (row.guest.environment.clone(), row.guest.role.clone()) else {
                continue;
            };
            match roles.get(&env.to_lowercase()) {
                Some(Err(m)) => row.error(Field::Environment, m.clone()),
                Some(Ok(names)) if !names.iter().any(|n| n.eq_ignore_ascii_case(&role)) => row.error(
                    Field::Role,
                    format!("{env} has no security role '{role}'. Use one of: {}.", names.join(", ")),
                ),
                _ => {}
            }
        }
    }
}

/// Distinct values, compared case-insensitively, in first-seen order.
fn unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&v)) {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(csv: &str, defaults: &ImportDefaults) -> ImportPreview {
        read_file("t.csv", csv.as_bytes(), defaults).unwrap()
    }

    fn messages(r: &PreviewRow) -> String {
        r.issues
            .iter()
            .map(|i| format!("{:?} {}: {}", i.level, i.column, i.message))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn duplicates_in_any_case_and_punycode_are_caught_naming_the_first_row() {
        let bytes = std::fs::read(format!(
            "{}/../../../tests/import-files/duplicates-and-bad.csv",
            std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")
        ))
        .unwrap();
        let p = read_file("d.csv", &bytes, &ImportDefaults::default()).unwrap();
        let by_row: HashMap<u32, &PreviewRow> = p.rows.iter().map(|r| (r.row, r)).collect();
        assert!(!by_row[&2].has_errors());
        assert!(
            messages(by_row[&3]).contains("also on row 2"),
            "{}",
            messages(by_row[&3])
        );
        assert!(messages(by_row[&4]).contains("'#'"), "{}", messages(by_row[&4]));
        assert!(messages(by_row[&5]).contains("not an e-mail address"));
        assert!(
            !by_row[&6].has_errors(),
            "an internationalised domain is fine: {}",
            messages(by_row[&6])
        );
        assert!(
            messages(by_row[&7]).contains("also on row 6"),
            "{}",
            messages(by_row[&7])
        );
        assert_eq!((p.ready, p.with_errors), (2, 4));
    }

    #[test]
    fn values_are_cleaned_and_defaults_fill_gaps() {
        let defaults = ImportDefaults {
            redirect_url: Some("https://myapps.microsoft.com".into()),
            usage_location: Some("IE".into()),
            groups: vec!["Partners".into()],
            send_email: Some(true),
            ..Default::default()
        };
        let p = preview(
            "Email,Country,Groups,Send email\na@x.example,Germany,Sales; sales ;Ops,no\nb@x.example,,,\n",
            &defaults,
        );
        let a = &p.rows[0].guest;
        assert_eq!(a.usage_location.as_deref(), Some("DE"));
        assert_eq!(a.groups, ["Sales", "Ops"]);
        assert!(!a.send_email);
        assert!(messages(&p.rows[0]).contains("'Germany' read as DE"));
        let b = &p.rows[1].guest;
        assert_eq!(b.usage_location.as_deref(), Some("IE"));
        assert_eq!(b.groups, ["Partners"]);
        assert!(b.send_email);
        assert_eq!(b.redirect_url.as_deref(), Some("https://myapps.microsoft.com"));
        assert_eq!(
            b.steps().iter().map(|(k, _)| k.name()).collect::<Vec<_>>(),
            ["invite", "profile", "group"]
        );
    }

    #[test]
    fn bad_cells_name_the_column_and_the_fix() {
        let p = preview(
            "Email,Country,Send email,Environment,Redirect URL\na@x.example,Narnia,maybe,https://org.crm4.dynamics.com,http://x.example\n",
            &ImportDefaults::default(),
        );
        let m = messages(&p.rows[0]);
        assert!(m.contains("Usage location: 'Narnia' is not a country"), "{m}");
        assert!(m.contains("Send email: 'maybe' is not true or false"), "{m}");
        assert!(m.contains("Role: An environment is given but no security role"), "{m}");
        assert!(m.contains("Redirect URL") && m.contains("https://x.example"), "{m}");
    }

    #[test]
    fn ten_thousand_rows_check_without_trouble() {
        let mut csv = String::from("Email,First name,Last name,Country\n");
        for i in 0..10_000 {
            csv.push_str(&format!("guest{i}@partner{}.example,First{i},Last{i},GB\n", i % 50));
        }
        let p = preview(&csv, &ImportDefaults::default());
        assert_eq!(p.ready, 10_000);
    }
}
