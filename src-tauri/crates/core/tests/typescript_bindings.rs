//! The UI's types and its client for the Tauri commands are generated from Rust: the types
//! from the Rust types, the client from the commands in `src-tauri/src/commands.rs`. These
//! tests fail when `ui/src/backend/types.ts` or `commands.ts` is stale; `make bindings`
//! (UPDATE_BINDINGS=1) rewrites them.

use std::collections::BTreeSet;
use std::path::PathBuf;

include!("../../../command_list.rs");

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../..")
        .join(path)
}

/// Compares (or, with UPDATE_BINDINGS, rewrites) a generated file.
fn check_fresh(path: &str, want: &str) {
    let path = repo_file(path);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, want).expect("writing a generated file");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `make bindings` and commit the result",
        path.display()
    );
}

fn generated() -> String {
    let mut out = String::from(
        "// Generated from the Rust types by `make bindings` (guestpass-core's typescript_bindings test).\n// Do not edit by hand.\n\n",
    );
    for decl in guestpass_core::typescript_declarations() {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    for constant in guestpass_core::typescript_constants() {
        out.push_str(constant.trim());
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

#[test]
fn typescript_bindings_are_fresh() {
    check_fresh("ui/src/backend/types.ts", &generated());
}

/// A Rust type as the UI sees it (the generated types keep their Rust names).
fn ts_type(rust: &str) -> String {
    let r = rust.trim();
    let inner = |prefix: &str| r.strip_prefix(prefix).and_then(|x| x.strip_suffix('>'));
    if let Some(t) = inner("Vec<") {
        return format!("Array<{}>", ts_type(t));
    }
    if let Some(t) = inner("Option<") {
        return format!("{} | null", ts_type(t));
    }
    if let Some(t) = inner("Channel<") {
        return format!("Channel<{}>", ts_type(t));
    }
    match r {
        "String" | "&str" => "string".into(),
        "bool" => "boolean".into(),
        "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "f64" => "number".into(),
        "()" => "void".into(),
        path => path.rsplit("::").next().unwrap_or(path).to_string(),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The UI's client: one typed function per command. A trailing `preview: bool` defaults to
/// false; a `Channel<T>` parameter becomes a callback.
fn generated_commands() -> String {
    let source = std::fs::read_to_string(repo_file("src-tauri/src/commands.rs")).expect("reading commands.rs");
    let commands = parse_commands(&source);
    let mut types = BTreeSet::new();
    let mut uses_channel = false;
    let mut body = String::new();
    for c in &commands {
        let (mut params, mut setup, mut args) = (Vec::new(), String::new(), Vec::new());
        for (i, (name, rust)) in c.params.iter().enumerate() {
            let (name, ts) = (camel(name), ts_type(rust));
            types.extend(
                ts.split(|ch: char| !ch.is_alphanumeric())
                    .filter(|w| w.starts_with(|ch: char| ch.is_ascii_uppercase()) && *w != "Array" && *w != "Channel")
                    .map(str::to_string),
            );
            if let Some(message) = ts.strip_prefix("Channel<").and_then(|t| t.strip_suffix('>')) {
                uses_channel = true;
                params.push(format!("{name}: (message: {message}) => void"));
                setup.push_str(&format!(
                    "  const {name}Channel = new Channel<{message}>();\n  {name}Channel.onmessage = {name};\n"
                ));
                args.push(format!("{name}: {name}Channel"));
            } else if name == "preview" && ts == "boolean" && i + 1 == c.params.len() {
                params.push("preview = false".into());
                args.push(name);
            } else {
                params.push(format!("{name}: {ts}"));
                args.push(name);
            }
        }
        let returns = ts_type(&c.returns);
        types.extend(
            returns
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| w.starts_with(|ch: char| ch.is_ascii_uppercase()) && *w != "Array")
                .map(str::to_string),
        );
        if !c.doc.is_empty() {
            body.push_str(&format!("/** {} */\n", c.doc.join(" ")));
        }
        let call_args = if args.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", args.join(", "))
        };
        body.push_str(&format!(
            "export function {}({}): Promise<{returns}> {{\n{setup}  return call(\"{}\"{call_args});\n}}\n\n",
            camel(&c.name),
            params.join(", "),
            c.name
        ));
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/commands.rs by `make bindings` (guestpass-core's typescript_bindings test).\n// Do not edit by hand: change the command in Rust and regenerate.\n\n",
    );
    if uses_channel {
        out.push_str("import { Channel } from \"@tauri-apps/api/core\";\n");
    }
    out.push_str("import { call } from \"./call\";\n");
    out.push_str(&format!(
        "import type {{ {} }} from \"./types\";\n\n",
        types.into_iter().collect::<Vec<_>>().join(", ")
    ));
    out.push_str(&body);
    out.trim_end().to_string() + "\n"
}

#[test]
fn the_ui_client_is_fresh() {
    let commands = parse_commands(&std::fs::read_to_string(repo_file("src-tauri/src/commands.rs")).unwrap());
    assert!(commands.len() >= 40, "parsed {} commands", commands.len());
    check_fresh("ui/src/backend/commands.ts", &generated_commands());
}
