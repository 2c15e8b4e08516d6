//! Checks made before anything is sent to Microsoft.

use crate::problem::FieldError;
use email_address::EmailAddress;
use std::str::FromStr;

/// Characters Microsoft refuses in an invited e-mail address.
pub const FORBIDDEN_EMAIL_CHARS: &[char] = &[
    '~', '!', '#', '$', '%', '^', '&', '*', '(', ')', '+', '=', '[', ']', '{', '}', '\\', '/', '|', ';', ':', '"', '<',
    '>', '?', ',',
];

/// The field's refusal, naming it.
fn refuse<T>(field: &str, message: String) -> Result<T, FieldError> {
    Err(FieldError {
        field: field.into(),
        message,
    })
}

/// The e-mail address, trimmed, or what is wrong with it.
pub fn email(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let err = |message: String| refuse(field, message);
    if v.is_empty() {
        return err("Enter the guest's e-mail address.".into());
    }
    if let Some(c) = v.chars().find(|c| FORBIDDEN_EMAIL_CHARS.contains(c)) {
        return err(format!("'{v}' contains '{c}', which Microsoft does not accept in an invited address. Remove it or ask the guest for another address."));
    }
    if v.chars().any(char::is_whitespace) {
        return err(format!("'{v}' contains a space. Remove it."));
    }
    match EmailAddress::from_str(v) {
        Ok(addr) if addr.domain().contains('.') => Ok(v.to_string()),
        Ok(_) => err(format!(
            "'{v}' has no domain ending (like .com). Check the part after '@'."
        )),
        Err(_) => err(format!(
            "'{v}' is not an e-mail address. It should look like name@company.com."
        )),
    }
}

/// The redirect URL: absolute and https (guests land there after accepting).
pub fn redirect_url(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let err = |message: String| refuse(field, message);
    if v.is_empty() {
        return err("Enter where the guest lands after accepting, e.g. https://myapps.microsoft.com or your Dynamics environment's URL.".into());
    }
    match url::Url::parse(v) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()) => Ok(v.to_string()),
        Ok(u) if u.scheme() == "http" => err(format!(
            "'{v}' uses http. Use the https:// address, e.g. https://{}",
            u.host_str().unwrap_or("myapps.microsoft.com")
        )),
        _ => err(format!(
            "'{v}' is not a web address. It should start with https://, e.g. https://myapps.microsoft.com"
        )),
    }
}

/// An optional display name: at most 256 characters.
pub fn display_name(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > 256 => Err(FieldError {
            field: field.into(),
            message: format!(
                "The display name is {} characters long; Microsoft allows at most 256.",
                v.chars().count()
            ),
        }),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// `GB`, `gb` or ` GB ` -> `GB`; anything else names the fix.
pub fn usage_location(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    match isocountry::CountryCode::for_alpha2(&code) {
        Ok(_) => Ok(code),
        Err(_) => Err(FieldError {
            field: field.into(),
            message: format!(
                "'{}' is not a two-letter country code (ISO 3166-1), e.g. GB, US, DE.",
                value.trim()
            ),
        }),
    }
}

/// Lower-cases, trims, de-duplicates and checks each domain.
pub fn domains(domains: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for raw in domains {
        let d = raw.trim().trim_start_matches('@').to_ascii_lowercase();
        if d.is_empty() {
            continue;
        }
        let ok = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && d.split('.')
                .all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if !ok {
            return Err(FieldError {
                field: "domains".into(),
                message: format!("'{}' is not a domain name like partner.com.", raw.trim()),
            });
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_location_is_normalised_or_explained() {
        assert_eq!(usage_location("u", " gb ").unwrap(), "GB");
        assert!(usage_location("u", "UK").unwrap_err().message.contains("GB"));
        assert!(usage_location("u", "Germany").is_err());
    }

    #[test]
    fn good_addresses_pass_trimmed() {
        assert_eq!(
            email("email", "  jane.doe@partner.example ").unwrap(),
            "jane.doe@partner.example"
        );
        assert!(email("email", "o'brien@law.ie").is_ok());
        assert!(email("email", "jürgen@müller.de").is_ok());
    }

    #[test]
    fn bad_addresses_name_the_fix() {
        let e = email("email", "jane#doe@partner.example").unwrap_err();
        assert_eq!(e.field, "email");
        assert!(e.message.contains("'#'"), "{}", e.message);
        assert!(email("email", "").unwrap_err().message.contains("Enter"));
        assert!(email("email", "jane")
            .unwrap_err()
            .message
            .contains("not an e-mail address"));
        assert!(email("email", "jane@localhost").unwrap_err().message.contains("domain"));
        assert!(email("email", "ja ne@x.com").is_err());
    }

    #[test]
    fn redirect_must_be_https() {
        assert!(redirect_url("redirectUrl", "https://myapps.microsoft.com").is_ok());
        let e = redirect_url("redirectUrl", "http://contoso.crm.dynamics.com").unwrap_err();
        assert!(e.message.contains("https://contoso.crm.dynamics.com"), "{}", e.message);
        assert!(redirect_url("redirectUrl", "myapps").is_err());
        assert!(redirect_url("redirectUrl", "").is_err());
    }

    #[test]
    fn display_name_limits() {
        assert_eq!(display_name("displayName", Some("  ")).unwrap(), None);
        assert!(display_name("displayName", Some(&"x".repeat(257))).is_err());
    }
}

/// A tenant as Entra's sign-in accepts it: its id (a GUID) or one of its domains. Catches the
/// usual slips: an e-mail address, a URL, a tenant name with spaces.
pub fn tenant(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let err = |message: String| refuse(field, message);
    if v.is_empty() {
        return err("Enter the tenant: its domain (contoso.onmicrosoft.com) or its tenant id.".into());
    }
    if uuid::Uuid::try_parse(v).is_ok() {
        return Ok(v.to_ascii_lowercase());
    }
    if let Some((_, domain)) = v.rsplit_once('@') {
        return err(format!(
            "'{v}' is an e-mail address. Enter the tenant's domain instead, e.g. {domain}."
        ));
    }
    if v.contains("://") || v.contains('/') {
        return err(format!(
            "'{v}' is an address, not a tenant. Enter the tenant's domain (contoso.onmicrosoft.com) or its id."
        ));
    }
    let is_domain = v.contains('.')
        && !v.starts_with('.')
        && !v.ends_with('.')
        && v.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if !is_domain {
        return err(format!("'{v}' is neither a domain (contoso.onmicrosoft.com) nor a tenant id (a GUID). The Entra admin center shows both on the tenant's Overview page."));
    }
    Ok(v.to_lowercase())
}

/// An application (client) id: a GUID, as the app registration's Overview page shows it.
pub fn client_id(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    match uuid::Uuid::try_parse(v) {
        Ok(id) => Ok(id.to_string()),
        Err(_) if v.is_empty() => refuse(field, "Enter your app registration's Application (client) id.".into()),
        Err(_) => refuse(field, format!("'{v}' is not an application (client) id. Copy the GUID shown as “Application (client) ID” on the app registration's Overview page (not the object id or a secret).")),
    }
}

#[cfg(test)]
mod sign_in_field_tests {
    use super::*;

    #[test]
    fn tenants_are_ids_or_domains_and_slips_are_named() {
        assert_eq!(
            tenant("t", " Contoso.OnMicrosoft.com ").unwrap(),
            "contoso.onmicrosoft.com"
        );
        assert!(tenant("t", "5B1E0F0C-6A3D-4C3E-9F1A-2D7C8E4B9A10").is_ok());
        assert!(tenant("t", "admin@contoso.com")
            .unwrap_err()
            .message
            .contains("contoso.com"));
        assert!(tenant("t", "https://portal.azure.com")
            .unwrap_err()
            .message
            .contains("address"));
        assert!(tenant("t", "Contoso Ltd").is_err());
        assert!(tenant("t", "").is_err());
    }

    #[test]
    fn client_ids_are_guids() {
        assert!(client_id("c", "3f6c1d2e-8b7a-4e59-a1c0-9d2b4f6e8a71").is_ok());
        assert!(client_id("c", "Guestpass")
            .unwrap_err()
            .message
            .contains("Application (client) ID"));
        assert!(client_id("c", "").is_err());
    }
}
