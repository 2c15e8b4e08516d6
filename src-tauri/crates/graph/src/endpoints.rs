//! Where Microsoft's services live. Configurable so the same client can talk to the sandbox.

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Graph root, e.g. `https://graph.microsoft.com` (no `/v1.0`).
    pub graph: Url,
    /// Entra sign-in root, e.g. `https://login.microsoftonline.com`.
    pub login: Url,
    /// Power Platform admin API root, e.g. `https://api.bap.microsoft.com`.
    pub bap: Url,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("{name} '{value}' is not a valid URL: {reason}")]
    Invalid {
        name: String,
        value: String,
        reason: String,
    },
    #[error("{name} '{value}' must use https (plain http is accepted only for 127.0.0.1, [::1] or localhost)")]
    InsecureRemote { name: String, value: String },
}

impl Endpoints {
    pub fn microsoft() -> Endpoints {
        Endpoints {
            graph: Url::parse("https://graph.microsoft.com").unwrap(),
            login: Url::parse("https://login.microsoftonline.com").unwrap(),
            bap: Url::parse("https://api.bap.microsoft.com").unwrap(),
        }
    }

    /// Every service at one loopback root, as the sandbox tenant serves them.
    pub fn loopback(root: &Url) -> Endpoints {
        Endpoints {
            graph: root.clone(),
            login: root.clone(),
            bap: root.clone(),
        }
    }

    /// Parses a base URL given by the user. `name` says where it came from (for the error).
    pub fn parse_base(name: &str, value: &str) -> Result<Url, EndpointError> {
        let url = Url::parse(value.trim()).map_err(|e| EndpointError::Invalid {
            name: name.into(),
            value: value.into(),
            reason: e.to_string(),
        })?;
        match url.scheme() {
            "https" => Ok(url),
            "http" if is_loopback(&url) => Ok(url),
            "http" => Err(EndpointError::InsecureRemote {
                name: name.into(),
                value: value.into(),
            }),
            other => Err(EndpointError::Invalid {
                name: name.into(),
                value: value.into(),
                reason: format!("scheme '{other}' is not http or https"),
            }),
        }
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Joins a path (which may carry a query) onto a base URL, keeping any path the base has.
pub(crate) fn join(base: &Url, path_and_query: &str) -> Url {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path_and_query.trim_start_matches('/'));
    Url::parse(&s).expect("joining a relative path onto a valid base URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_are_accepted() {
        assert!(Endpoints::parse_base("GUESTPASS_GRAPH_URL", "https://graph.microsoft.com").is_ok());
        assert!(Endpoints::parse_base("x", "http://127.0.0.1:8080").is_ok());
        assert!(Endpoints::parse_base("x", "http://localhost:1").is_ok());
        assert!(Endpoints::parse_base("x", "http://[::1]:9").is_ok());
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused() {
        let e = Endpoints::parse_base("GUESTPASS_GRAPH_URL", "http://graph.example.com").unwrap_err();
        assert!(matches!(e, EndpointError::InsecureRemote { .. }));
        assert!(e.to_string().contains("GUESTPASS_GRAPH_URL"));
        assert!(Endpoints::parse_base("x", "ftp://127.0.0.1").is_err());
        assert!(Endpoints::parse_base("x", "not a url").is_err());
    }

    #[test]
    fn join_keeps_base_path() {
        let base = Url::parse("http://127.0.0.1:1/prefix/").unwrap();
        assert_eq!(
            join(&base, "/v1.0/users?$top=1").as_str(),
            "http://127.0.0.1:1/prefix/v1.0/users?$top=1"
        );
    }
}
