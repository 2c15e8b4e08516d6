//! The UI's types are generated from the Rust types. This test fails when
//! `ui/src/backend/types.ts` is stale; `make bindings` (UPDATE_BINDINGS=1) rewrites it.

use std::path::PathBuf;

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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/backend/types.ts");
    let want = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).expect("writing types.ts");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/backend/types.ts is stale: run `make bindings` and commit the result"
    );
}

/// The Tauri commands in `src-tauri/src/commands.rs`: name -> argument names (camelCase, as
/// the UI sends them), leaving out the injected `state`.
fn rust_commands() -> std::collections::BTreeMap<String, Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../src/commands.rs");
    let text = std::fs::read_to_string(path).expect("reading commands.rs");
    let mut out = std::collections::BTreeMap::new();
    for chunk in text.split("#[tauri::command]").skip(1) {
        let after_fn = &chunk[chunk.find("fn ").expect("a command is a fn") + 3..];
        let name = after_fn[..after_fn.find('(').unwrap()].trim().to_string();
        // The parameter list, splitting on commas outside angle brackets.
        let params_text = &after_fn[after_fn.find('(').unwrap() + 1..];
        let (mut depth, mut end) = (0i32, 0);
        for (i, c) in params_text.char_indices() {
            match c {
                '<' | '(' => depth += 1,
                '>' if depth > 0 => depth -= 1,
                ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        let mut params = Vec::new();
        let (mut depth, mut current) = (0i32, String::new());
        for c in params_text[..end].chars() {
            match c {
                '<' => depth += 1,
                '>' => depth -= 1,
                ',' if depth == 0 => {
                    params.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        params.push(current);
        let names = params
            .iter()
            .filter_map(|p| {
                p.split(':')
                    .next()
                    .map(str::trim)
                    .filter(|n| !n.is_empty() && *n != "state")
                    .map(camel)
            })
            .collect();
        out.insert(name, names);
    }
    out
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

/// `call("name", { a, b })` in the UI's backend module: name -> argument names.
fn ui_calls() -> std::collections::BTreeMap<String, Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/backend/index.ts");
    let text = std::fs::read_to_string(path).expect("reading the backend module");
    let mut out = std::collections::BTreeMap::new();
    for chunk in text.split("return call(").skip(1) {
        let name = chunk.split('"').nth(1).expect("a quoted command name").to_string();
        let rest = &chunk[chunk.find(name.as_str()).unwrap() + name.len() + 1..];
        let args = match rest.trim_start().strip_prefix(',') {
            Some(obj) => obj[obj.find('{').unwrap() + 1..obj.find('}').unwrap()]
                .split(',')
                .map(|a| a.trim().split(':').next().unwrap().trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            None => vec![],
        };
        out.insert(name, args);
    }
    out
}

#[test]
fn every_command_the_ui_calls_takes_the_arguments_it_sends() {
    let rust = rust_commands();
    let ui = ui_calls();
    assert!(rust.len() >= 20, "parsed {} commands", rust.len());
    for (name, args) in &ui {
        let expected = rust
            .get(name)
            .unwrap_or_else(|| panic!("the UI calls '{name}', which the shell does not have"));
        let mut a = args.clone();
        let mut e = expected.clone();
        a.sort();
        e.sort();
        assert_eq!(a, e, "'{name}': the UI sends {args:?}, the command takes {expected:?}");
    }
    for name in rust.keys() {
        assert!(
            ui.contains_key(name),
            "the command '{name}' is not reachable from the UI's backend module"
        );
    }
}
