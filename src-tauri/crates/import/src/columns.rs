//! Which column is which: Microsoft's `[token]` first (translated templates keep it), then the
//! header's words, case- and punctuation-insensitively, with common synonyms.

use serde::Serialize;
use ts_rs::TS;

/// A field of a guest-list row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Email,
    DisplayName,
    FirstName,
    LastName,
    UsageLocation,
    License,
    Groups,
    Environment,
    Role,
    RedirectUrl,
    SendEmail,
    Message,
    Sponsors,
}

impl Field {
    /// The column name Guestpass uses in messages and results files.
    pub fn label(self) -> &'static str {
        match self {
            Field::Email => "Email",
            Field::DisplayName => "Display name",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::UsageLocation => "Usage location",
            Field::License => "License",
            Field::Groups => "Groups",
            Field::Environment => "Environment",
            Field::Role => "Role",
            Field::RedirectUrl => "Redirect URL",
            Field::SendEmail => "Send email",
            Field::Message => "Message",
            Field::Sponsors => "Sponsors",
        }
    }

    pub const ALL: [Field; 13] = [
        Field::Email,
        Field::DisplayName,
        Field::FirstName,
        Field::LastName,
        Field::UsageLocation,
        Field::License,
        Field::Groups,
        Field::Environment,
        Field::Role,
        Field::RedirectUrl,
        Field::SendEmail,
        Field::Message,
        Field::Sponsors,
    ];
}

/// Header names (lower case, letters and digits only) and Microsoft template tokens per field.
const NAMES: &[(Field, &[&str])] = &[
    (
        Field::Email,
        &[
            "email",
            "emailaddress",
            "mail",
            "emailaddresstoinvite",
            "inviteeemail",
            "invitedemail",
            "inviteduseremailaddress",
            "guestemail",
            "useremail",
            "emailid",
            "smtp",
            "address",
        ],
    ),
    (
        Field::DisplayName,
        &[
            "displayname",
            "name",
            "fullname",
            "guestname",
            "invitedusersdisplayname",
            "invitedusersdisplayname",
        ],
    ),
    (Field::FirstName, &["firstname", "givenname", "forename", "first"]),
    (Field::LastName, &["lastname", "surname", "familyname", "last"]),
    (
        Field::UsageLocation,
        &[
            "usagelocation",
            "country",
            "countrycode",
            "countryregion",
            "location",
            "countryorregion",
        ],
    ),
    (
        Field::License,
        &[
            "license",
            "licence",
            "licenses",
            "licences",
            "sku",
            "skupartnumber",
            "licensesku",
        ],
    ),
    (
        Field::Groups,
        &["groups", "group", "securitygroups", "securitygroup", "groupnames"],
    ),
    (
        Field::Environment,
        &[
            "environment",
            "environmenturl",
            "dataverseenvironment",
            "dataverseurl",
            "dynamicsurl",
            "instanceurl",
        ],
    ),
    (
        Field::Role,
        &["role", "securityrole", "dataverserole", "roles", "securityroles"],
    ),
    (
        Field::RedirectUrl,
        &[
            "redirecturl",
            "redirectionurl",
            "inviteredirecturl",
            "redirect",
            "redirecturi",
            "landingpage",
        ],
    ),
    (
        Field::SendEmail,
        &[
            "sendemail",
            "sendinvitationmessage",
            "sendinvitationmessagetrueorfalse",
            "sendinvitation",
            "sendinvite",
            "emailinvitation",
            "notify",
        ],
    ),
    (
        Field::Message,
        &[
            "message",
            "customizedinvitationmessage",
            "customizedmessagebody",
            "invitationmessage",
            "custommessage",
            "note",
            "personalmessage",
        ],
    ),
    (
        Field::Sponsors,
        &[
            "sponsors",
            "sponsor",
            "sponsoremail",
            "sponsoremails",
            "invitedusersponsors",
        ],
    ),
];

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn by_name(name: &str) -> Option<Field> {
    let key = squash(name);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(f, _)| *f)
}

/// The field a header cell names, if any.
pub fn match_cell(cell: &str) -> Option<Field> {
    // `Email address to invite [inviteeEmail] Required`: the token decides, in any language.
    if let (Some(open), Some(close)) = (cell.find('['), cell.find(']')) {
        if open < close {
            if let Some(f) = by_name(&cell[open + 1..close]) {
                return Some(f);
            }
        }
    }
    let without_required = cell.trim().trim_end_matches("Required").trim_end_matches('*');
    by_name(without_required)
}

pub fn match_header(cells: &[&str]) -> Vec<Option<Field>> {
    cells.iter().map(|c| match_cell(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_tokens_win_in_any_language() {
        assert_eq!(
            match_cell("Email address to invite [inviteeEmail] Required"),
            Some(Field::Email)
        );
        assert_eq!(
            match_cell("Umleitungs-URL [inviteRedirectURL] Erforderlich"),
            Some(Field::RedirectUrl)
        );
        assert_eq!(
            match_cell("Send invitation message (true or false) [sendEmail]"),
            Some(Field::SendEmail)
        );
        assert_eq!(
            match_cell("Message d'invitation personnalisé [customizedMessageBody]"),
            Some(Field::Message)
        );
    }

    #[test]
    fn synonyms_ignore_case_spaces_and_punctuation() {
        assert_eq!(match_cell("E-mail"), Some(Field::Email));
        assert_eq!(match_cell("Email Address"), Some(Field::Email));
        assert_eq!(match_cell(" COUNTRY "), Some(Field::UsageLocation));
        assert_eq!(match_cell("Given name"), Some(Field::FirstName));
        assert_eq!(match_cell("Security groups"), Some(Field::Groups));
        assert_eq!(match_cell("Licence"), Some(Field::License));
        assert_eq!(match_cell("Phone"), None);
    }
}
