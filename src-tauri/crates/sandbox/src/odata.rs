//! The part of OData that Graph's directory collections support: `$filter` (eq/ne, and/or/not,
//! parentheses, `startswith`, `endswith`, lambdas `x/any(y: …)` and `x/any()`), `$select`,
//! `$orderby`, `$search`, `$expand` (the handler fills it), `$top`, `$count` and opaque
//! `$skiptoken` paging.

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
    Eq {
        prop: String,
        value: Value,
        negate: bool,
    },
    StartsWith {
        prop: String,
        prefix: String,
    },
    EndsWith {
        prop: String,
        suffix: String,
    },
    /// `prop/any(var: cond)`; `prop/any()` (no condition) asks for a non-empty collection.
    Any {
        prop: String,
        var: String,
        cond: Option<Box<Filter>>,
    },
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
        for func in ["startswith", "endswith"] {
            if name.eq_ignore_ascii_case(func) {
                self.expect(Tok::LParen)?;
                let prop = self.path()?;
                self.expect(Tok::Comma)?;
                let Value::String(text) = self.literal()? else {
                    return Err(format!("{func} needs a string"));
                };
                self.expect(Tok::RParen)?;
                return Ok(if func == "startswith" {
                    Filter::StartsWith { prop, prefix: text }
                } else {
                    Filter::EndsWith { prop, suffix: text }
                });
            }
        }
        let mut name = name;
        while self.peek() == Some(&Tok::Slash) {
            self.pos += 1;
            let part = self.ident()?;
            if self.peek() != Some(&Tok::LParen) {
                name = format!("{name}/{part}");
                continue;
            }
            if !part.eq_ignore_ascii_case("any") {
                return Err(format!("lambda '{part}' is not supported"));
            }
            self.expect(Tok::LParen)?;
            if self.peek() == Some(&Tok::RParen) {
                self.pos += 1;
                return Ok(Filter::Any {
                    prop: name,
                    var: String::new(),
                    cond: None,
                });
            }
            let var = self.ident()?;
            self.expect(Tok::Colon)?;
            let cond = self.or_expr()?;
            self.expect(Tok::RParen)?;
            return Ok(Filter::Any {
                prop: name,
                var,
                cond: Some(Box::new(cond)),
            });
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
    /// A property, or a path into one (`c/issuer` inside a lambda).
    fn path(&mut self) -> Result<String, String> {
        let mut p = self.ident()?;
        while self.peek() == Some(&Tok::Slash) {
            self.pos += 1;
            p = format!("{p}/{}", self.ident()?);
        }
        Ok(p)
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
            Some(Tok::Ident(s)) if s.parse::<i64>().is_ok() => Ok(Value::from(s.parse::<i64>().unwrap_or(0))),
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
    ("identities", true),
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
    check_props_in(f, set, None)
}

/// Every property a filter names must be filterable (inside a lambda, its range variable and
/// paths from it stand for the collection's items).
fn check_props_in(f: &Filter, set: &EntitySet, range: Option<&str>) -> Result<(), ApiError> {
    let check = |prop: &str, collection: bool| -> Result<(), ApiError> {
        let head = prop.split('/').next().unwrap_or(prop);
        if range.is_some_and(|v| v.eq_ignore_ascii_case(head)) && !collection {
            return Ok(());
        }
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
            check_props_in(a, set, range)?;
            check_props_in(b, set, range)
        }
        Filter::Not(a) => check_props_in(a, set, range),
        Filter::Eq { prop, .. } | Filter::StartsWith { prop, .. } | Filter::EndsWith { prop, .. } => check(prop, false),
        Filter::Any { prop, var, cond } => {
            check(prop, true)?;
            match cond {
                Some(c) => check_props_in(c, set, Some(var)),
                None => Ok(()),
            }
        }
    }
}

/// `ne`, `not` and `endsWith` are advanced queries: Graph wants `ConsistencyLevel: eventual` and `$count=true`.
pub(crate) fn is_advanced(f: &Filter) -> bool {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => is_advanced(a) || is_advanced(b),
        Filter::Not(_) | Filter::EndsWith { .. } => true,
        Filter::Eq { negate, .. } => *negate,
        Filter::Any { cond, .. } => cond.as_deref().is_some_and(is_advanced),
        Filter::StartsWith { .. } => false,
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

/// A lambda's range variable and the collection item it stands for.
type Range<'a> = Option<(&'a str, &'a Value)>;

/// What a property path names: the document's property, or (inside a lambda) the item or its property.
fn resolve<'a>(doc: &'a Value, prop: &str, range: Range<'a>) -> &'a Value {
    let mut parts = prop.split('/');
    let head = parts.next().unwrap_or(prop);
    let mut v = match range {
        Some((var, item)) if var.eq_ignore_ascii_case(head) => item,
        _ => get_ci(doc, head),
    };
    for part in parts {
        v = get_ci(v, part);
    }
    v
}

pub(crate) fn matches(f: &Filter, doc: &Value) -> bool {
    matches_in(f, doc, None)
}

fn matches_in(f: &Filter, doc: &Value, range: Range) -> bool {
    let text = |prop: &str| resolve(doc, prop, range).as_str().map(str::to_lowercase);
    match f {
        Filter::And(a, b) => matches_in(a, doc, range) && matches_in(b, doc, range),
        Filter::Or(a, b) => matches_in(a, doc, range) || matches_in(b, doc, range),
        Filter::Not(a) => !matches_in(a, doc, range),
        Filter::Eq { prop, value, negate } => values_equal(resolve(doc, prop, range), value) != *negate,
        Filter::StartsWith { prop, prefix } => text(prop).is_some_and(|s| s.starts_with(&prefix.to_lowercase())),
        Filter::EndsWith { prop, suffix } => text(prop).is_some_and(|s| s.ends_with(&suffix.to_lowercase())),
        Filter::Any { prop, var, cond } => {
            let items = resolve(doc, prop, range)
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            match cond {
                None => !items.is_empty(),
                Some(c) => items.iter().any(|item| matches_in(c, doc, Some((var, item)))),
            }
        }
    }
}

/// Parses `$select` against every property the type has (modelled here or not).
pub(crate) fn parse_select(
    s: Option<&str>,
    schema: &[(&str, bool)],
    type_name: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(s) = s else { return Ok(None) };
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match schema.iter().find(|(k, _)| k.eq_ignore_ascii_case(p)) {
            Some((k, _)) => out.push(k.to_string()),
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

/// The answer for one entity: the selected properties, or without `$select` the type's default
/// set. A property the sandbox does not hold is answered as Graph answers an unset one: null, or
/// `[]` for a collection. A polymorphic item keeps its `@odata.type`.
pub(crate) fn project(doc: &Value, select: Option<&[String]>, set: &EntitySet) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(t) = doc.get("@odata.type") {
        out.insert("@odata.type".into(), t.clone());
    }
    let mut names: Vec<&str> = match select {
        Some(props) => props.iter().map(String::as_str).collect(),
        None => set.default_props.to_vec(),
    };
    if names.iter().any(|n| FROM_ANOTHER_SERVICE.contains(n)) && !names.contains(&"id") {
        names.push("id");
    }
    for p in names {
        let unset = match set.schema.iter().any(|(k, c)| *k == p && *c) {
            true => Value::Array(Vec::new()),
            false => Value::Null,
        };
        out.insert(p.to_string(), doc.get(p).cloned().unwrap_or(unset));
    }
    Value::Object(out)
}

/// Properties Graph reads from another service (sign-in logs, Exchange): an answer that selects
/// one carries the object's id too, as Microsoft's examples show.
const FROM_ANOTHER_SERVICE: &[&str] = &[
    "signInActivity",
    "allowExternalSenders",
    "autoSubscribeNewMembers",
    "isSubscribedByMail",
    "unseenCount",
    "hideFromAddressLists",
    "hideFromOutlookClients",
];

/// `$orderby=prop [asc|desc]`: one property, which must be sortable for the type.
pub(crate) fn parse_orderby(s: Option<&str>, set: &EntitySet) -> Result<Option<(String, bool)>, ApiError> {
    let Some(s) = s else { return Ok(None) };
    let mut words = s.split_whitespace();
    let prop = words.next().unwrap_or_default();
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => return Err(ApiError::bad_request(format!("Syntax error at '{other}' in $orderby."))),
    };
    match set.sortable.iter().find(|p| p.eq_ignore_ascii_case(prop)) {
        Some(p) => Ok(Some((p.to_string(), descending))),
        None => Err(ApiError::unsupported_query(format!(
            "Sorting not supported for '{prop}' on resource '{}'.",
            set.resource
        ))),
    }
}

/// `$expand=nav` or `nav($select=a,b;$levels=max)`: the navigation property and its `$select`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expand {
    pub nav: String,
    pub select: Option<Vec<String>>,
}

pub(crate) fn parse_expand(s: Option<&str>, set: &EntitySet) -> Result<Option<Expand>, ApiError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let (nav, options) = match s.split_once('(') {
        Some((nav, rest)) => (nav.trim(), rest.strip_suffix(')').unwrap_or(rest)),
        None => (s, ""),
    };
    let Some(nav) = set.expandable.iter().find(|n| n.eq_ignore_ascii_case(nav)) else {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!("Could not find a property named '{nav}' on type '{}'.", set.type_name),
        ));
    };
    let select = options
        .split(';')
        .filter_map(|o| o.trim().strip_prefix("$select="))
        .next()
        .map(|list| list.split(',').map(|p| p.trim().to_string()).collect());
    Ok(Some(Expand {
        nav: nav.to_string(),
        select,
    }))
}

/// The properties a `PATCH` body sets. Instance annotations are not properties: Microsoft's SDKs
/// send the entity's `@odata.type`, which Graph accepts when it names the entity's own type.
pub(crate) fn patch_properties<'a>(body: &'a Value, type_name: &str) -> Result<Vec<(&'a String, &'a Value)>, ApiError> {
    let object = body
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The request body must be a JSON object."))?;
    let mut out = Vec::new();
    for (k, v) in object {
        if k == "@odata.type" {
            let named = v.as_str().unwrap_or_default().trim_start_matches('#');
            if named != type_name {
                return Err(ApiError::bad_request(format!(
                    "A type named '{named}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type."
                )));
            }
        } else if !k.starts_with('@') {
            out.push((k, v));
        }
    }
    Ok(out)
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
    #[serde(default)]
    pub orderby: Option<String>,
    #[serde(default)]
    pub expand: Option<String>,
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
    /// Every property of the type (and whether it is a collection): what `$select` may name.
    pub schema: &'static [(&'static str, bool)],
    /// Properties `$orderby` may name.
    pub sortable: &'static [&'static str],
    /// Navigation properties `$expand` may name (the handler fills them in).
    pub expandable: &'static [&'static str],
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

/// `$search="displayName:term"`, clauses joined by `OR` / `AND`: a clause matches when each word
/// of the term starts a word of the property.
fn search_matches(search: &str, doc: &Value, set: &EntitySet) -> Result<bool, ApiError> {
    let mut any = false;
    for alternative in split_outside_quotes(search, "OR") {
        let mut all = true;
        for clause in split_outside_quotes(&alternative, "AND") {
            all &= clause_matches(&clause, doc, set)?;
        }
        any |= all;
    }
    Ok(any)
}

/// Splits at a keyword (` OR `) that is not inside double quotes.
fn split_outside_quotes(s: &str, keyword: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for word in s.split(' ') {
        if !quoted && word == keyword {
            parts.push(String::new());
            continue;
        }
        quoted ^= word.matches('"').count() % 2 == 1;
        let last = parts.last_mut().expect("never empty");
        if !last.is_empty() {
            last.push(' ');
        }
        last.push_str(word);
    }
    parts
}

fn clause_matches(clause: &str, doc: &Value, set: &EntitySet) -> Result<bool, ApiError> {
    let inner = clause.trim().trim_matches('"');
    let (prop, term) = inner
        .split_once(':')
        .ok_or_else(|| ApiError::bad_request("Syntax error: the $search value must look like \"property:term\"."))?;
    if !set.searchable.iter().any(|p| p.eq_ignore_ascii_case(prop)) {
        return Err(ApiError::unsupported_query(format!(
            "Search is not supported on property '{prop}'."
        )));
    }
    // Graph tokenises both sides and matches the tokens in any order, each as a prefix.
    let terms = tokens(term);
    Ok(get_ci(doc, prop).as_str().is_some_and(|v| {
        let have = tokens(v);
        !terms.is_empty() && terms.iter().all(|t| have.iter().any(|w| w.starts_with(t.as_str())))
    }))
}

/// Directory search's tokens: words split at spaces and symbols, at a change from lower to upper
/// case and between letters and digits ("OneVideo2" => one, video, 2), lower-cased.
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            prev = None;
            continue;
        }
        let new_token = match prev {
            None => true,
            Some(p) => (p.is_lowercase() && c.is_uppercase()) || (p.is_numeric() != c.is_numeric()),
        };
        if new_token {
            out.push(String::new());
        }
        out.last_mut().expect("a token was started").extend(c.to_lowercase());
        prev = Some(c);
    }
    out
}

/// Fills a navigation property named in `$expand` for one (projected) entity.
pub(crate) type Expander<'a> = &'a dyn Fn(&Value, &Expand) -> Result<Value, ApiError>;

/// Answers a collection GET: `$filter`, `$search`, `$orderby`, `$select`, `$expand`, `$top`,
/// `$count`, and paging through `$skiptoken` in `@odata.nextLink` (absolute, under
/// `{base}/v1.0/{path}`).
pub(crate) fn list(
    set: &EntitySet,
    base: &str,
    path: &str,
    docs: &[&Value],
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    expander: Option<Expander>,
) -> Result<Value, ApiError> {
    let cursor = match q.get("$skiptoken") {
        Some(t) => PageCursor::decode(t)?,
        None => PageCursor {
            filter: q.get("$filter").cloned(),
            search: q.get("$search").cloned(),
            select: q.get("$select").cloned(),
            orderby: q.get("$orderby").cloned(),
            expand: q.get("$expand").cloned(),
            top: parse_top(q.get("$top").map(String::as_str))?,
            offset: 0,
        },
    };
    let eventual = header_is_eventual(headers);
    let filter = cursor.filter.as_deref().map(|f| parse_filter(f, set)).transpose()?;
    let orderby = parse_orderby(cursor.orderby.as_deref(), set)?;
    let advanced = filter.as_ref().is_some_and(is_advanced) || (filter.is_some() && orderby.is_some());
    if advanced && !eventual {
        return Err(ApiError::unsupported_query(
            "Unsupported query. This query needs the ConsistencyLevel header set to 'eventual' and $count=true.",
        ));
    }
    if cursor.search.is_some() && !eventual {
        return Err(ApiError::bad_request("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"));
    }
    let select = parse_select(cursor.select.as_deref(), set.schema, set.type_name)?;
    let expand = parse_expand(cursor.expand.as_deref(), set)?;
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
    if let Some((prop, descending)) = &orderby {
        let key = |d: &Value| get_ci(d, prop).as_str().map(str::to_lowercase);
        matching.sort_by_key(|d| key(d));
        if *descending {
            matching.reverse();
        }
    }
    let mut page = Vec::new();
    for d in matching.iter().skip(cursor.offset).take(cursor.top) {
        let mut item = project(d, select.as_deref(), set);
        if let Some(e) = &expand {
            let fill = expander.ok_or_else(|| {
                ApiError::bad_request(format!("Expanding '{}' is not supported on this collection.", e.nav))
            })?;
            item[e.nav.as_str()] = fill(d, e)?;
        }
        page.push(item);
    }
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
    fn search_matches_tokens_in_any_order_as_microsoft_documents() {
        assert_eq!(tokens("OneVideo2 team-site"), ["one", "video", "2", "team", "site"]);
        assert_eq!(tokens("HELLOworld"), ["helloworld"], "only lower to upper splits");
        let groups = &crate::routes::GROUPS;
        let group = json!({"displayName": "Partner portal users"});
        for (search, hit) in [
            ("\"displayName:Partner portal users\"", true),
            ("\"displayName:users part\"", true),
            ("\"displayName:portal admins\"", false),
            ("\"displayName:\"", false),
        ] {
            assert_eq!(search_matches(search, &group, groups).unwrap(), hit, "{search}");
        }
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
    fn lambdas_reach_into_items_and_endswith_matches_the_end() {
        let doc = json!({"identities": [{"issuer": "contoso.com", "issuerAssignedId": "j@contoso.com"}],
                         "userPrincipalName": "j_x.com#EXT#@contoso.com", "otherMails": []});
        let f =
            parse_filter_users("identities/any(c:c/issuerAssignedId eq 'J@contoso.com' and c/issuer eq 'contoso.com')")
                .unwrap();
        assert!(matches(&f, &doc));
        let f = parse_filter_users("identities/any(c:c/issuer eq 'other.com')").unwrap();
        assert!(!matches(&f, &doc));
        assert!(!matches(&parse_filter_users("otherMails/any()").unwrap(), &doc));
        let f = parse_filter_users("endswith(userPrincipalName,'#EXT#@CONTOSO.com')").unwrap();
        assert!(matches(&f, &doc) && is_advanced(&f));
        assert!(
            parse_filter_users("identities/any(c:d/issuer eq 'x')").is_err(),
            "only the range variable reaches into the items"
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
            orderby: None,
            expand: None,
            top: 5,
            offset: 10,
        };
        assert_eq!(PageCursor::decode(&c.encode()).unwrap(), c);
        assert!(PageCursor::decode("not-a-token").is_err());
    }
}
