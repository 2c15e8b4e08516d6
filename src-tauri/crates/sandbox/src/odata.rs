//! The small part of OData that Graph's `/users` supports and Guestpass uses:
//! `$filter` (eq/ne, and/or/not, parentheses, `startswith`, `x/any(y:y eq '…')`),
//! `$select`, `$top` and opaque `$skiptoken` paging.

use crate::error::ApiError;
use axum::http::HeaderMap;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Eq { prop: String, value: Value, negate: bool },
    StartsWith { prop: String, prefix: String },
    Any { prop: String, value: Value },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    Colon,
    Slash,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1
            }
            '/' => {
                out.push(Tok::Slash);
                i += 1
            }
            '\'' => {
                let mut lit = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            lit.push(*ch);
                            i += 1
                        }
                    }
                }
                out.push(Tok::Str(lit));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '@' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-' | '@')) {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(got) if got == t => Ok(()),
            got => Err(format!("expected {t:?}, found {got:?}")),
        }
    }
    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }
    fn or_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.and_expr()?;
        while self.keyword("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and_expr()?));
        }
        Ok(left)
    }
    fn and_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let inner = self.or_expr()?;
            self.expect(Tok::RParen)?;
            return Ok(inner);
        }
        let name = match self.next() {
            Some(Tok::Ident(s)) => s,
            other => return Err(format!("expected a property, found {other:?}")),
        };
        if name.eq_ignore_ascii_case("startswith") {
            self.expect(Tok::LParen)?;
            let prop = self.ident()?;
            self.expect(Tok::Comma)?;
            let prefix = match self.literal()? {
                Value::String(s) => s,
                _ => return Err("startswith needs a string".into()),
            };
            self.expect(Tok::RParen)?;
            return Ok(Filter::StartsWith { prop, prefix });
        }
        if self.peek() == Some(&Tok::Slash) {
            // prop/any(x:x eq 'v')
            self.pos += 1;
            let func = self.ident()?;
            if !func.eq_ignore_ascii_case("any") {
                return Err(format!("lambda '{func}' is not supported"));
            }
            self.expect(Tok::LParen)?;
            let var = self.ident()?;
            self.expect(Tok::Colon)?;
            let var2 = self.ident()?;
            if var != var2 {
                return Err(format!("unknown range variable '{var2}'"));
            }
            let op = self.ident()?;
            if !op.eq_ignore_ascii_case("eq") {
                return Err(format!("operator '{op}' is not supported inside any()"));
            }
            let value = self.literal()?;
            self.expect(Tok::RParen)?;
            return Ok(Filter::Any { prop: name, value });
        }
        let op = self.ident()?;
        let negate = match op.to_ascii_lowercase().as_str() {
            "eq" => false,
            "ne" => true,
            other => return Err(format!("operator '{other}' is not supported")),
        };
        let value = self.literal()?;
        Ok(Filter::Eq {
            prop: name,
            value,
            negate,
        })
    }
    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }
    fn literal(&mut self) -> Result<Value, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Value::String(s)),
            Some(Tok::Ident(s)) if s == "true" => Ok(Value::Bool(true)),
            Some(Tok::Ident(s)) if s == "false" => Ok(Value::Bool(false)),
            Some(Tok::Ident(s)) if s == "null" => Ok(Value::Null),
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }
}

/// User properties that support `$filter`, with whether they are collections.
pub(crate) const USER_FILTERABLE: &[(&str, bool)] = &[
    ("id", false),
    ("mail", false),
    ("userPrincipalName", false),
    ("displayName", false),
    ("givenName", false),
    ("surname", false),
    ("userType", false),
    ("accountEnabled", false),
    ("externalUserState", false),
    ("creationType", false),
    ("usageLocation", false),
    ("otherMails", true),
    ("proxyAddresses", true),
];

pub(crate) fn parse_filter(s: &str, set: &EntitySet) -> Result<Filter, ApiError> {
    let toks = tokenize(s).map_err(|e| ApiError::bad_request(format!("Invalid filter clause: {e}")))?;
    let mut p = Parser { toks, pos: 0 };
    let f = p
        .or_expr()
        .map_err(|e| ApiError::bad_request(format!("Invalid filter clause: {e}")))?;
    if p.pos < p.toks.len() {
        return Err(ApiError::bad_request(
            "Invalid filter clause: syntax error at the end of the expression",
        ));
    }
    check_props(&f, set)?;
    Ok(f)
}

fn check_props(f: &Filter, set: &EntitySet) -> Result<(), ApiError> {
    let check = |prop: &str, collection: bool| -> Result<(), ApiError> {
        match set.filterable.iter().find(|(p, _)| p.eq_ignore_ascii_case(prop)) {
            Some((_, c)) if *c == collection => Ok(()),
            _ => Err(ApiError::unsupported_query(format!(
                "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{}'.",
                set.resource
            ))),
        }
    };
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            check_props(a, set)?;
            check_props(b, set)
        }
        Filter::Not(a) => check_props(a, set),
        Filter::Eq { prop, .. } | Filter::StartsWith { prop, .. } => check(prop, false),
        Filter::Any { prop, .. } => check(prop, true),
    }
}

/// `ne`, `not` and `endsWith` are advanced queries: Graph wants `ConsistencyLevel: eventual` and `$count=true`.
pub(crate) fn is_advanced(f: &Filter) -> bool {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => is_advanced(a) || is_advanced(b),
        Filter::Not(_) => true,
        Filter::Eq { negate, .. } => *negate,
        _ => false,
    }
}

fn get_ci<'a>(doc: &'a Value, prop: &str) -> &'a Value {
    doc.as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(prop)).map(|(_, v)| v))
        .unwrap_or(&Value::Null)
}

/// String comparisons in directory queries ignore case.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

pub(crate) fn matches(f: &Filter, doc: &Value) -> bool {
    match f {
        Filter::And(a, b) => matches(a, doc) && matches(b, doc),
        Filter::Or(a, b) => matches(a, doc) || matches(b, doc),
        Filter::Not(a) => !matches(a, doc),
        Filter::Eq { prop, value, negate } => values_equal(get_ci(doc, prop), value) != *negate,
        Filter::StartsWith { prop, prefix } => get_ci(doc, prop)
            .as_str()
            .is_some_and(|s| s.to_lowercase().starts_with(&prefix.to_lowercase())),
        Filter::Any { prop, value } => get_ci(doc, prop)
            .as_array()
            .is_some_and(|a| a.iter().any(|v| values_equal(v, value))),
    }
}

/// Parses `$select` against the properties the resource has.
pub(crate) fn parse_select(s: Option<&str>, known: &[&str], type_name: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(s) = s else { return Ok(None) };
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match known.iter().find(|k| k.eq_ignore_ascii_case(p)) {
            Some(k) => out.push(k.to_string()),
            None => {
                return Err(ApiError::new(
                    400,
                    "BadRequest",
                    format!("Could not find a property named '{p}' on type '{type_name}'."),
                ))
            }
        }
    }
    Ok(Some(out))
}

/// Without `$select`, Graph returns a default set of properties (for users: these).
pub(crate) fn project(doc: &Value, select: Option<&[String]>, default: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    match select {
        Some(props) => {
            for p in props {
                out.insert(p.clone(), doc.get(p).cloned().unwrap_or(Value::Null));
            }
        }
        None => {
            for p in default {
                out.insert(p.to_string(), doc.get(*p).cloned().unwrap_or(Value::Null));
            }
        }
    }
    Value::Object(out)
}

/// `$top`: 1 to 999, default 100.
pub(crate) fn parse_top(s: Option<&str>) -> Result<usize, ApiError> {
    match s {
        None => Ok(100),
        Some(t) => match t.trim().parse::<i64>() {
            Ok(n) if (1..=999).contains(&n) => Ok(n as usize),
            _ => Err(ApiError::new(
                400,
                "Request_UnsupportedQuery",
                format!("Invalid page size specified: '{t}'. Must be between 1 and 999 inclusive."),
            )),
        },
    }
}

/// What a `$skiptoken` carries: the query to continue and where. Opaque to clients.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct PageCursor {
    pub filter: Option<String>,
    #[serde(default)]
    pub search: Option<String>,
    pub select: Option<String>,
    pub top: usize,
    pub offset: usize,
}

impl PageCursor {
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(s: &str) -> Result<PageCursor, ApiError> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "Directory_InvalidPageToken",
                    "The specified page token value has expired or is invalid.",
                )
            })
    }
}

/// A collection the sandbox serves, and the query options its type supports.
pub(crate) struct EntitySet {
    /// As Graph names the resource in errors, e.g. `User`.
    pub resource: &'static str,
    /// As in `$select` errors, e.g. `microsoft.graph.user`.
    pub type_name: &'static str,
    pub filterable: &'static [(&'static str, bool)],
    /// Every property `$select` may name.
    pub props: &'static [&'static str],
    /// What is returned without `$select`.
    pub default_props: &'static [&'static str],
    /// Properties `$search` may name (needs `ConsistencyLevel: eventual`).
    pub searchable: &'static [&'static str],
}

fn header_is_eventual(headers: &HeaderMap) -> bool {
    headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// `$search="displayName:term"`: matches when a word of the property starts with the term.
fn search_matches(search: &str, doc: &Value, set: &EntitySet) -> Result<bool, ApiError> {
    let inner = search.trim().trim_matches('"');
    let (prop, term) = inner
        .split_once(':')
        .ok_or_else(|| ApiError::bad_request("Syntax error: the $search value must look like \"property:term\"."))?;
    if !set.searchable.iter().any(|p| p.eq_ignore_ascii_case(prop)) {
        return Err(ApiError::unsupported_query(format!(
            "Search is not supported on property '{prop}'."
        )));
    }
    let term = term.to_lowercase();
    Ok(get_ci(doc, prop).as_str().is_some_and(|v| {
        v.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with(&term))
    }))
}

/// Answers a collection GET: `$filter`, `$search`, `$select`, `$top`, `$count`, and paging
/// through `$skiptoken` in `@odata.nextLink` (absolute, under `{base}/v1.0/{path}`).
pub(crate) fn list(
    set: &EntitySet,
    base: &str,
    path: &str,
    docs: &[&Value],
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Value, ApiError> {
    let cursor = match q.get("$skiptoken") {
        Some(t) => PageCursor::decode(t)?,
        None => PageCursor {
            filter: q.get("$filter").cloned(),
            search: q.get("$search").cloned(),
            select: q.get("$select").cloned(),
            top: parse_top(q.get("$top").map(String::as_str))?,
            offset: 0,
        },
    };
    let eventual = header_is_eventual(headers);
    let filter = cursor.filter.as_deref().map(|f| parse_filter(f, set)).transpose()?;
    if filter.as_ref().is_some_and(is_advanced) && !eventual {
        return Err(ApiError::unsupported_query(
            "Unsupported query. This query needs the ConsistencyLevel header set to 'eventual' and $count=true.",
        ));
    }
    if cursor.search.is_some() && !eventual {
        return Err(ApiError::bad_request("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"));
    }
    let select = parse_select(cursor.select.as_deref(), set.props, set.type_name)?;
    let mut matching = Vec::new();
    for d in docs {
        let by_filter = filter.as_ref().is_none_or(|f| matches(f, d));
        let by_search = match &cursor.search {
            Some(s) => search_matches(s, d, set)?,
            None => true,
        };
        if by_filter && by_search {
            matching.push(*d);
        }
    }
    let page: Vec<Value> = matching
        .iter()
        .skip(cursor.offset)
        .take(cursor.top)
        .map(|d| project(d, select.as_deref(), set.default_props))
        .collect();
    let entity = path.rsplit('/').next().unwrap_or(path);
    let context = match &select {
        Some(s) => format!("{base}/v1.0/$metadata#{entity}({})", s.join(",")),
        None => format!("{base}/v1.0/$metadata#{entity}"),
    };
    let mut body = serde_json::json!({ "@odata.context": context });
    if q.get("$count").is_some_and(|c| c == "true") {
        body["@odata.count"] = serde_json::json!(matching.len());
    }
    let next_offset = cursor.offset + cursor.top;
    if next_offset < matching.len() {
        let next = PageCursor {
            offset: next_offset,
            ..cursor
        };
        body["@odata.nextLink"] = serde_json::json!(format!("{base}/v1.0/{path}?$skiptoken={}", next.encode()));
    }
    body["value"] = Value::Array(page);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_filter_users(s: &str) -> Result<Filter, ApiError> {
        parse_filter(s, &crate::routes::USERS)
    }

    fn doc() -> Value {
        json!({"mail": "Jane@Partner.example", "userType": "Guest", "otherMails": ["jane@partner.example"],
               "proxyAddresses": ["SMTP:jane@partner.example"], "displayName": "Jane Doe", "accountEnabled": true})
    }

    #[test]
    fn eq_is_case_insensitive_and_any_works() {
        let f =
            parse_filter_users("mail eq 'jane@partner.example' or otherMails/any(x:x eq 'nobody@x.example')").unwrap();
        assert!(matches(&f, &doc()));
        let f = parse_filter_users("proxyAddresses/any(p:p eq 'smtp:jane@partner.example')").unwrap();
        assert!(matches(&f, &doc()));
        let f = parse_filter_users("userType eq 'Member'").unwrap();
        assert!(!matches(&f, &doc()));
    }

    #[test]
    fn precedence_and_parentheses() {
        let f = parse_filter_users("userType eq 'Member' and accountEnabled eq true or startswith(displayName,'ja')")
            .unwrap();
        assert!(matches(&f, &doc()));
        let f = parse_filter_users("userType eq 'Member' and (accountEnabled eq true or startswith(displayName,'ja'))")
            .unwrap();
        assert!(!matches(&f, &doc()));
    }

    #[test]
    fn quotes_are_doubled_in_literals() {
        let f = parse_filter_users("mail eq 'o''brien@x.ie'").unwrap();
        assert!(matches(&f, &json!({"mail": "o'brien@x.ie"})));
    }

    #[test]
    fn unknown_properties_and_bad_syntax_are_refused_like_graph() {
        let e = parse_filter_users("jobTitle eq 'x'").unwrap_err();
        assert_eq!(e.code, "Request_UnsupportedQuery");
        assert!(parse_filter_users("mail eq").is_err());
        assert!(parse_filter_users("mail gt 'a'").is_err());
        assert!(
            parse_filter_users("mail/any(x:x eq 'a')").is_err(),
            "mail is not a collection"
        );
    }

    #[test]
    fn ne_and_not_are_advanced() {
        assert!(is_advanced(&parse_filter_users("userType ne 'Guest'").unwrap()));
        assert!(!is_advanced(&parse_filter_users("userType eq 'Guest'").unwrap()));
    }

    #[test]
    fn top_bounds() {
        assert_eq!(parse_top(None).unwrap(), 100);
        assert!(parse_top(Some("0")).is_err());
        assert!(parse_top(Some("1000")).is_err());
        assert_eq!(parse_top(Some("999")).unwrap(), 999);
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = PageCursor {
            filter: Some("a eq 'b'".into()),
            search: None,
            select: None,
            top: 5,
            offset: 10,
        };
        assert_eq!(PageCursor::decode(&c.encode()).unwrap(), c);
        assert!(PageCursor::decode("not-a-token").is_err());
    }
}
