// The commands are listed once, in src/commands.rs. From that list this script makes the
// invoke handler (included by lib.rs), the commands' permissions, and the window's capability:
// the window may call its own commands and nothing else.
include!("command_list.rs");

use std::path::PathBuf;

fn main() {
    let commands = "src-tauri/src/commands.rs";
    println!("cargo:rerun-if-changed={commands}");
    println!("cargo:rerun-if-changed=src-tauri/command_list.rs");
    let source = std::fs::read_to_string(commands).expect("reading src-tauri/src/commands.rs");
    let names: Vec<String> = parse_commands(&source).into_iter().map(|c| c.name).collect();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));

    let handler = names
        .iter()
        .map(|n| format!("crate::commands::{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    write(
        &out.join("command_handler.rs"),
        &format!("tauri::generate_handler![{handler}]\n"),
    );

    let capabilities = out.join("capabilities");
    std::fs::create_dir_all(&capabilities).expect("creating the capabilities folder");
    let permissions = names
        .iter()
        .map(|n| format!("\"allow-{}\"", n.replace('_', "-")))
        .collect::<Vec<_>>()
        .join(", ");
    write(
        &capabilities.join("main.json"),
        &format!(
            r#"{{"identifier": "main", "description": "What the Guestpass window may call: its own commands and nothing else.", "windows": ["main"], "permissions": [{permissions}]}}"#
        ),
    );

    // Tauri keeps these for the life of the build script.
    let pattern: &'static str = Box::leak(format!("{}/*.json", capabilities.display()).into_boxed_str());
    let names: &'static [&'static str] = Box::leak(
        names
            .into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern(pattern)
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .expect("tauri build script failed");
}

/// Writes only when the text changed, so the app is not rebuilt for nothing.
fn write(path: &std::path::Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}
